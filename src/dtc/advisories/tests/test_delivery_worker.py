"""A killed worker loses nothing and duplicates nothing: `dtc deliver_alerts` runs as a real process
against the test database and a real SMTP server on loopback. The server holds the 3rd message of
the batch without answering until the test has SIGKILLed the worker, so that message was never
acknowledged (and is discarded). A second worker (in this process, to keep the test quick), after
the first one's lease ran out, delivers the rest: every organisation's member receives the alert exactly once, and every outbox row is sent."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from dtc.advisories import delivery, targeting
from dtc.advisories.models import Delivery
from dtc.advisories.tests.factories import AdvisoryProductFactory, AdvisoryRevisionFactory, MessageFactory
from dtc.core.tests.smtp import free_port, smtp_mailer
from dtc.organisations.models import OrganisationProduct
from dtc.organisations.tests.factories import MembershipFactory, ProductFactory

ORGANISATIONS = 12
BATCH = 5
BLOCK_AT = 3  # the DATA command the server holds until the worker is dead
LEASE_SECONDS = 1


class HoldingSink:
    """Accepts messages, except the BLOCK_AT-th: that one it holds (no answer) until released, and
    then refuses — the client that sent it is gone by then."""

    def __init__(self) -> None:
        self.accepted: list[str] = []
        self.data_commands = 0
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.data_commands += 1
        if self.data_commands == BLOCK_AT:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 Not accepted"
        self.accepted.extend(envelope.rcpt_tos)
        return "250 OK"


class WorkerDatabase:
    """The test database as a worker process can reach it: PostgreSQL by name; SQLite (in memory in
    tests) copied to a file for the workers and copied back for the assertions."""

    def __init__(self, tmp_path) -> None:
        self.file = tmp_path / "worker.sqlite3"

    def env(self) -> dict[str, str]:
        db = connection.settings_dict
        if connection.vendor == "postgresql":
            auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
            url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
            return {"DATABASE_URL": url}
        connection.ensure_connection()
        with sqlite3.connect(self.file) as target:
            connection.connection.backup(target)
        return {"DATABASE_URL": "", "DTC_SQLITE_PATH": str(self.file)}

    def refresh(self) -> None:
        """Make what the workers wrote visible to this process's ORM."""
        if connection.vendor == "sqlite":
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()


def worker_start(env: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "dtc.manage", "deliver_alerts", "--once", "--channel", "email"]
    return subprocess.Popen(
        [*command, "--batch", str(BATCH)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_loses_nothing_and_sends_nothing_twice(tmp_path, settings):
    # Alerts are delivered by the worker processes below, not by tasks run inline.
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "mail"]}
    }
    product = ProductFactory()
    revision = AdvisoryRevisionFactory()
    AdvisoryProductFactory(revision=revision, catalogue_product=product)
    message = MessageFactory(advisory=revision.advisory, published=True, urgent=True)
    members = [MembershipFactory() for _ in range(ORGANISATIONS)]
    for membership in members:
        OrganisationProduct.objects.create(organisation=membership.organisation, product=product)
    assert targeting.alerts_write(message=message, revision=revision) == ORGANISATIONS
    assert delivery.deliveries_plan() == ORGANISATIONS

    sink = HoldingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    database = WorkerDatabase(tmp_path)
    env = (
        os.environ
        | database.env()
        | {
            "DJANGO_SETTINGS_MODULE": "dtc.settings",
            "DTC_TESTING": "1",
            "DTC_SECRET_KEY": settings.SECRET_KEY,
            "DTC_EMAIL_HOST": "127.0.0.1",
            "DTC_EMAIL_PORT": str(controller.port),
            "DTC_ALERT_LEASE_SECONDS": str(LEASE_SECONDS),
        }
    )
    try:
        first = worker_start(env)
        try:
            assert sink.holding.wait(timeout=90), (
                first.stderr.read().decode() if first.poll() is not None else ""
            )
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
        sink.release.set()
        assert len(sink.accepted) == BLOCK_AT - 1

        database.refresh()
        states = Counter(Delivery.objects.values_list("state", flat=True))
        assert states == {
            "sent": BLOCK_AT - 1,
            "sending": BATCH - BLOCK_AT + 1,
            "pending": ORGANISATIONS - BATCH,
        }
        lease_until = max(Delivery.objects.filter(state="sending").values_list("lease_until", flat=True))
        time.sleep(max(0.0, (lease_until - timezone.now()).total_seconds()) + 0.2)

        settings.MAILERS = smtp_mailer(controller.port)
        settings.DTC_ALERT_LEASE_SECONDS = LEASE_SECONDS
        out = io.StringIO()
        call_command("deliver_alerts", "--once", "--channel", "email", stdout=out)
        summary = json.loads(out.getvalue().strip().splitlines()[-1])
        assert summary["email"] == ORGANISATIONS - (BLOCK_AT - 1)
    finally:
        controller.stop()

    assert Counter(sink.accepted) == Counter({m.user.email: 1 for m in members})
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    # The message in flight when the worker died was tried twice: once unacknowledged, once delivered.
    assert sorted(Delivery.objects.values_list("attempts", flat=True)) == [1] * (
        ORGANISATIONS - BATCH + BLOCK_AT - 1
    ) + [2] * (BATCH - BLOCK_AT + 1)
