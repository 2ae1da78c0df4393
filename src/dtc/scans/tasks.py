"""Scans run on the background workers (django-tasks); the page follows their progress."""

from __future__ import annotations

from django.tasks import task


@task(queue_name="scans")
def scan_execute(scan_id: int) -> dict:
    from dtc.scans import services
    from dtc.scans.models import Scan

    scan = Scan.objects.filter(pk=scan_id).first()
    if scan is None or scan.status == Scan.Status.DONE:
        return {"scan": scan_id, "skipped": True}
    scan = services.scan_run(scan=scan, context=services.scan_context())
    return {"scan": scan.pk, "score_web": scan.score_web, "score_mail": scan.score_mail}


@task(queue_name="scans")
def scan_batches_rescan() -> dict:
    """Scheduled: a new round for every batch whose rescan interval has passed."""
    from dtc.scans.batches import batches_rescan_due

    return {"rounds_started": batches_rescan_due()}


@task()
def domains_scheduled_checks() -> dict:
    """Daily: one `domain_scheduled_check` per verified domain (see dtc.scans.ownership)."""
    from dtc.scans import ownership

    return {"enqueued": ownership.domains_scheduled_checks_enqueue()}


@task(queue_name="scans")
def domain_scheduled_check(domain_id: int) -> dict:
    """Look at one verified domain's proof of ownership again, then rescan it when it is due."""
    from dtc.scans import ownership, services

    return ownership.domain_scheduled_check(domain_id=domain_id, context=services.scan_context())
