"""The audit log: who did what, when, with the state before and after.

Retention: DTC_RETENTION["audit_log"] days (default two years), enforced by `core.tasks.purge_expired`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLogEntry(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the actor's account is deleted, so the log stays readable without personal data.
    actor_label = models.CharField(_("uitvoerder"), max_length=200, blank=True)
    action = models.CharField(_("actie"), max_length=100, db_index=True)
    target_type = models.CharField(_("soort object"), max_length=100, blank=True)
    target_id = models.CharField(_("object-id"), max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=300, blank=True)
    before = models.JSONField(_("voor"), null=True, blank=True)
    after = models.JSONField(_("na"), null=True, blank=True)
    created_at = models.DateTimeField(_("tijdstip"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("auditlogregel")
        verbose_name_plural = _("auditlog")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"
