"""Mail goes through the real database task queue to a real SMTP server: the web request only
enqueues, the worker delivers, and a delivered message is not delivered again by a second run."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from dtc.core.tasks import email_send
from dtc.core.tests.smtp import free_port, smtp_mailer


@pytest.mark.django_db(transaction=True)
def test_mail_is_queued_then_delivered_once_by_the_worker(db_task_queue, smtp_server):
    from django_tasks_db.models import DBTaskResult

    result = email_send.enqueue(subject="Welkom", body="Hallo", to=["ondernemer@example.org"])
    assert smtp_server.messages == []  # nothing sent while enqueuing
    assert DBTaskResult.objects.filter(id=result.id, status="READY").exists()

    call_command("db_worker", batch=True, queue_name="*", no_startup_delay=True, verbosity=0)

    assert len(smtp_server.messages) == 1
    mail_from, recipients, content = smtp_server.messages[0]
    assert recipients == ["ondernemer@example.org"]
    assert b"Subject: Welkom" in content
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"

    call_command("db_worker", batch=True, queue_name="*", no_startup_delay=True, verbosity=0)
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_unreachable_mail_server_fails_the_task_and_keeps_it(db_task_queue, settings):
    from django_tasks_db.models import DBTaskResult

    settings.MAILERS = smtp_mailer(free_port())  # nothing listens there
    result = email_send.enqueue(subject="Welkom", body="Hallo", to=["ondernemer@example.org"])
    call_command("db_worker", batch=True, queue_name="*", no_startup_delay=True, verbosity=0)
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "FAILED"
    assert row.args_kwargs["kwargs"]["to"] == ["ondernemer@example.org"]
