"""Background work of the core: sending e-mail, removing expired data."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.utils import timezone


@task(queue_name="mail")
def email_send(
    *, subject: str, body: str, to: list[str], html_body: str | None = None, from_email: str | None = None
) -> int:
    """Send one e-mail. Runs on the worker so a slow mail server never holds up a page."""
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=from_email or settings.DEFAULT_FROM_EMAIL, to=to
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()


@task()
def purge_expired() -> dict[str, int]:
    """Delete what has passed its retention period (see settings.DTC_RETENTION)."""
    from dtc.advisories.maintenance import alerts_purge_expired
    from dtc.assessment.services import results_purge
    from dtc.community.services_directory import directory_purge_expired
    from dtc.core.models import AuditLogEntry
    from dtc.notifications.services import notifications_purge_expired
    from dtc.organisations.services import organisations_purge_expired
    from dtc.scans.services import scans_purge

    now = timezone.now()
    counts = organisations_purge_expired(now=now)
    counts |= notifications_purge_expired(now=now)
    counts |= directory_purge_expired(now=now)
    counts |= alerts_purge_expired(now=now)
    counts["assessment_anonymous"] = results_purge(now=now)
    counts["scans_on_demand"] = scans_purge(now=now)
    cutoff = now - dt.timedelta(days=settings.DTC_RETENTION["audit_log"])
    counts["audit_log"] = AuditLogEntry.objects.filter(created_at__lt=cutoff).delete()[0]
    return counts
