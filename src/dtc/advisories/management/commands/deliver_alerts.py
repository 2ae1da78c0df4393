"""`dtc deliver_alerts`: a delivery worker for the alert outbox (e-mail, overviews, webhooks).

Runs until stopped (or --max-seconds), sleeping briefly when nothing is due; with --once it stops as
soon as nothing is due. Several workers may run at once; a killed one loses nothing (see
dtc.advisories.delivery). Its last output line is a JSON summary."""

from __future__ import annotations

import json
import os
import socket
import time

from django.core.management.base import BaseCommand, CommandParser

from dtc.advisories import delivery

IDLE_SLEEP_SECONDS = 2.0


class Command(BaseCommand):
    help = "Bezorg waarschuwingen uit de wachtrij: e-mail, overzichten en webhooks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Stop zodra er niets meer klaarstaat.")
        parser.add_argument(
            "--channel",
            choices=["email", "digest", "webhook", "all"],
            default="all",
            help="Alleen dit kanaal.",
        )
        parser.add_argument("--batch", type=int, default=None, help="Berichten per batch.")
        parser.add_argument("--max-seconds", type=float, default=None, help="Stop na zoveel seconden.")

    def handle(self, *args: object, **options: object) -> None:
        channel = str(options["channel"])
        batch = options["batch"]
        batch_size = int(batch) if isinstance(batch, int) else None
        max_seconds = options["max_seconds"]
        worker = f"{socket.gethostname()}:{os.getpid()}"
        started = time.monotonic()
        totals = {"planned": 0, "email": 0, "digest": 0, "webhook": 0}
        while True:
            done = {"planned": delivery.deliveries_plan()}
            if channel in ("email", "all"):
                done["email"] = delivery.email_batch_send(batch_size=batch_size, worker=worker)
            if channel in ("digest", "all"):
                done["digest"] = delivery.digest_send(batch_users=batch_size or 100)
            if channel in ("webhook", "all"):
                done["webhook"] = delivery.webhook_batch_send(batch_size=batch_size)
            for key, value in done.items():
                totals[key] += value
            elapsed = time.monotonic() - started
            if isinstance(max_seconds, float | int) and elapsed >= max_seconds:
                break
            if not delivery.deliveries_due(channel=channel):
                if options["once"]:
                    break
                time.sleep(IDLE_SLEEP_SECONDS)
        totals["seconds"] = round(time.monotonic() - started, 3)  # type: ignore[assignment]
        self.stdout.write(json.dumps(totals))
