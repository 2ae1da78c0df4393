"""Analysts bring advisories in from the screen: upload CSAF files, and add providers the scheduler
polls. The intake itself (validation, revisions, mapping) is `intake` and `distribution`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dtc.advisories.intake import document_import
from dtc.advisories.models import Provider
from dtc.core.audit import audit_log_record
from dtc.core.visibility import is_analyst

MAX_FILES = 50


@dataclass(frozen=True)
class UploadOutcome:
    name: str
    status: str  # imported | updated | unchanged | rejected
    reason: str
    advisory_id: int | None


def _require_analyst(actor: Any) -> None:
    if not is_analyst(actor):
        raise PermissionDenied(_("Alleen analisten mogen adviezen importeren."))


def advisories_upload(*, actor: Any, files: list[Any]) -> list[UploadOutcome]:
    """Import uploaded CSAF files one by one: each is accepted or rejected on its own, with its reason;
    a rejected file stores nothing (see intake.document_import)."""
    _require_analyst(actor)
    if len(files) > MAX_FILES:
        raise ValidationError(_("Upload hoogstens %(n)s bestanden tegelijk.") % {"n": MAX_FILES})
    outcomes = []
    for upload in files:
        name = str(getattr(upload, "name", "") or "?")[:200]
        if upload.size > settings.DTC_CSAF_MAX_BYTES:
            outcomes.append(UploadOutcome(name, "rejected", _("Het bestand is te groot."), None))
            continue
        outcome = document_import(upload.read(), source=f"upload:{name}")
        outcomes.append(
            UploadOutcome(
                name,
                outcome.status,
                outcome.reason or "",
                outcome.advisory.pk if outcome.advisory is not None else None,
            )
        )
    audit_log_record(
        actor=actor,
        action="advisory.upload",
        after={"files": len(files), "statuses": [o.status for o in outcomes]},
    )
    return outcomes


def provider_url_check(url: str) -> str:
    """A provider address: https (http only while DEBUG, for trying things out locally)."""
    parts = urlsplit(url.strip())
    allowed = ("https", "http") if settings.DEBUG else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise ValidationError({"url": ValidationError(_("Gebruik een https-adres."), code="scheme")})
    return url.strip()


@transaction.atomic
def provider_add(*, actor: Any, name: str, url: str) -> Provider:
    """Add a CSAF provider (provider-metadata.json or a directory distribution) for the scheduled poll."""
    _require_analyst(actor)
    url = provider_url_check(url)
    if Provider.objects.filter(url=url).exists():
        raise ValidationError({"url": ValidationError(_("Deze bron staat er al."), code="unique")})
    provider = Provider.objects.create(name=name.strip() or (urlsplit(url).hostname or url), url=url)
    audit_log_record(actor=actor, action="advisory.provider_add", target=provider, after={"url": url})
    return provider


@transaction.atomic
def provider_toggle(*, actor: Any, provider: Provider, enabled: bool) -> Provider:
    _require_analyst(actor)
    provider.enabled = enabled
    provider.save(update_fields=["enabled"])
    audit_log_record(actor=actor, action="advisory.provider_toggle", target=provider, after={"enabled": enabled})
    return provider


def providers_poll_now(*, actor: Any) -> None:
    """Enqueue a poll of every enabled provider for the workers (it can take minutes)."""
    from dtc.advisories.tasks import providers_poll

    _require_analyst(actor)
    transaction.on_commit(lambda: providers_poll.enqueue())
    audit_log_record(actor=actor, action="advisory.providers_poll")
