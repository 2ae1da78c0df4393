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
