"""Periodic jobs, run by `dtc scheduler` (one per installation; every job is idempotent, so a
second scheduler by mistake does no harm beyond duplicate work).

The scheduler does no work itself beyond quick commands: heavy work is enqueued for the workers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    run: Callable[[], object]


def _publish_scheduled() -> object:
    from django.core.management import call_command

    # Wagtail: publish pages and revisions whose go-live time has come, unpublish expired ones.
    return call_command("publish_scheduled", verbosity=0)


def _purge_expired() -> object:
    from dtc.core.tasks import purge_expired

    return purge_expired.enqueue()


def _notification_digests(frequency: str) -> Callable[[], object]:
    def run() -> object:
        from dtc.notifications.tasks import notification_digests_enqueue

        # Hourly: each person's digest is due a day (week) after their previous one (see the service).
        return notification_digests_enqueue.enqueue(frequency=frequency)

    return run


def _notifications_catch_up() -> object:
    from dtc.notifications.tasks import notifications_catch_up

    return notifications_catch_up.enqueue()


def _domains_scheduled_checks() -> object:
    from dtc.scans.tasks import domains_scheduled_checks

    return domains_scheduled_checks.enqueue()


def _advisories(task_name: str) -> Callable[[], object]:
    def run() -> object:
        from dtc.advisories import tasks

        return getattr(tasks, task_name).enqueue()

    return run


def _scan_batches_rescan() -> object:
    from dtc.scans.tasks import scan_batches_rescan

    return scan_batches_rescan.enqueue()


JOBS: list[Job] = [
    Job("publish_scheduled", dt.timedelta(minutes=1), _publish_scheduled),
    Job("purge_expired", dt.timedelta(days=1), _purge_expired),
    Job("notification_digest_daily", dt.timedelta(hours=1), _notification_digests("daily")),
    Job("notification_digest_weekly", dt.timedelta(hours=1), _notification_digests("weekly")),
    Job("notifications_catch_up", dt.timedelta(minutes=5), _notifications_catch_up),
    # Tailored alerts: poll CSAF providers; plan and send what is due (also the catch-up after a
    # crashed worker: expired leases are picked up again); digests; "is your product list right?".
    Job("csaf_providers_poll", dt.timedelta(minutes=15), _advisories("providers_poll")),
    Job("alerts_deliver", dt.timedelta(minutes=1), _advisories("alerts_deliver")),
    Job("products_reminders", dt.timedelta(days=1), _advisories("products_reminders")),
    # Verified domains: look at the proof of ownership again, rescan those due (dtc.scans.ownership).
    Job("domains_scheduled_checks", dt.timedelta(days=1), _domains_scheduled_checks),
    # Collaboration batch scans with a rescan interval: start the rounds that are due.
    Job("scan_batches_rescan", dt.timedelta(hours=1), _scan_batches_rescan),
]


def due_jobs(*, last_run: dict[str, dt.datetime], now: dt.datetime) -> list[Job]:
    return [job for job in JOBS if job.name not in last_run or now - last_run[job.name] >= job.every]
