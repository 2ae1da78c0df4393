"""Periodic jobs: each runs when its interval has passed, and the scheduler publishes scheduled
Wagtail revisions and hands the retention clean-up to the worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from dtc.core.schedule import JOBS, due_jobs

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def test_every_job_is_due_on_first_start():
    assert due_jobs(last_run={}, now=NOW) == JOBS


def test_a_job_is_due_again_only_after_its_interval():
    last_run = {job.name: NOW for job in JOBS}
    assert due_jobs(last_run=last_run, now=NOW + dt.timedelta(seconds=59)) == []
    due = due_jobs(last_run=last_run, now=NOW + dt.timedelta(minutes=1))
    assert [job.name for job in due] == ["publish_scheduled", "alerts_deliver"]
    due = due_jobs(last_run=last_run, now=NOW + dt.timedelta(days=1))
    assert {job.name for job in due} == {
        "publish_scheduled", "purge_expired", "notification_digest_daily", "notification_digest_weekly",
        "notifications_catch_up", "csaf_providers_poll", "alerts_deliver", "products_reminders",
        "domains_scheduled_checks", "scan_batches_rescan",
    }


@pytest.mark.django_db
def test_scheduler_once_runs_the_retention_clean_up(mailoutbox):
    from dtc.organisations.models import User

    old = User.objects.create_user(email="nooit-bevestigd@example.org", password="x")
    User.objects.filter(pk=old.pk).update(date_joined=NOW - dt.timedelta(days=400))
    call_command("scheduler", once=True)
    assert not User.objects.filter(pk=old.pk).exists()
