"""A scan of one domain and the findings of its checks.

A scan is written as it runs: each check's findings are stored the moment the check ends, and the
progress counters move with them, so the page can show live progress and partial results, and a
killed worker leaves a scan that says how far it got (a retry starts the checks without findings).

Retention (AVG): a scan holds public information about a domain only; on-demand scans by visitors
are kept `DTC_RETENTION["scans_on_demand"]` days, scans of an organisation's domains while the
organisation exists (they make its timeline of improvement).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dtc.organisations.models import Organisation


def _scan_key() -> str:
    return secrets.token_urlsafe(12)


class Scan(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("In de wachtrij")
        RUNNING = "running", _("Bezig")
        DONE = "done", _("Klaar")
        FAILED = "failed", _("Mislukt")

    key = models.CharField(max_length=24, unique=True, default=_scan_key)  # in the page address, not guessable
    domain = models.CharField(_("domein"), max_length=253, db_index=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="scans"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    web = models.BooleanField(_("website"), default=True)
    mail = models.BooleanField(_("e-mail"), default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    checks_total = models.PositiveSmallIntegerField(default=0)
    checks_done = models.PositiveSmallIntegerField(default=0)
    score_web = models.PositiveSmallIntegerField(null=True, blank=True)
    score_mail = models.PositiveSmallIntegerField(null=True, blank=True)
    batch_round = models.ForeignKey(
        "ScanRound", null=True, blank=True, on_delete=models.CASCADE, related_name="scans"
    )
    scheduled = models.BooleanField(default=False)  # a scheduled rescan, not asked for by a person
    # Set once the organisation has been told about regressions against its previous scan (never twice).
    regression_alerted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["domain", "-created_at"], name="scan_domain_idx")]

    def __str__(self) -> str:
        return f"{self.domain} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        return (self.checks_done * 100) // self.checks_total if self.checks_total else 0


class ScanCheck(models.Model):
    """One check run against one subject (the domain, `www.` + domain, a mail server), with its findings."""

    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="checks")
    check_id = models.CharField(max_length=40)
    target = models.CharField(max_length=253)
    outcome = models.CharField(max_length=12)  # the worst outcome of its findings
    findings = models.JSONField(default=list)  # [{"outcome", "code", "subject", "detail"}]
    seconds = models.FloatField(default=0)
    finished_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["scan", "check_id", "target"], name="scan_check_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.check_id} {self.target}: {self.outcome}"


class ScanBatch(models.Model):
    """A list of member domains a collaboration scans together, now and on a schedule.

    Each run over the list is a `ScanRound`; each round's scans give one report per member and the
    coordinator's summary, and the rounds together the timeline of improvement (effect figures)."""

    collaboration = models.ForeignKey(
        "community.Collaboration", on_delete=models.CASCADE, related_name="scan_batches",
        verbose_name=_("samenwerkingsverband"),
    )
    name = models.CharField(_("naam"), max_length=200)
    web = models.BooleanField(_("website"), default=True)
    mail = models.BooleanField(_("e-mail"), default=True)
    rescan_every_days = models.PositiveSmallIntegerField(
        _("opnieuw scannen elke (dagen)"), null=True, blank=True,
        help_text=_("Leeg: alleen scannen als je daarom vraagt."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("batchscan")
        verbose_name_plural = _("batchscans")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class ScanBatchEntry(models.Model):
    """One member domain on a batch's list (from the uploaded CSV)."""

    batch = models.ForeignKey(ScanBatch, on_delete=models.CASCADE, related_name="entries")
    domain = models.CharField(_("domein"), max_length=253)
    member = models.CharField(_("deelnemer"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["member", "domain"]
        constraints = [models.UniqueConstraint(fields=["batch", "domain"], name="scan_batch_entry_unique")]

    def __str__(self) -> str:
        return self.domain


class ScanRound(models.Model):
    """One run of a batch over its list: the first scan, and every rescan after it."""

    batch = models.ForeignKey(ScanBatch, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField()
    scheduled = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "number"]
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="scan_round_unique")]

    def __str__(self) -> str:
        return f"{self.batch} #{self.number}"
