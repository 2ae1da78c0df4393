"""Run the periodic jobs of core.schedule until stopped (Ctrl-C / SIGTERM)."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils import timezone

from dtc.core.schedule import due_jobs

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run periodic jobs (scheduled publishing, retention clean-up). Run one per installation."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run the due jobs once and exit.")
        parser.add_argument("--tick", type=float, default=15.0, help="Seconds between checks.")

    def handle(self, *args, once: bool = False, tick: float = 15.0, **options):
        stopping = threading.Event()  # set by SIGTERM/SIGINT; also ends the wait between ticks at once

        def stop(signum, frame):
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        last_run: dict[str, dt.datetime] = {}
        while not stopping.is_set():
            now = timezone.now()
            for job in due_jobs(last_run=last_run, now=now):
                if not connection.in_atomic_block:  # a long-running loop: drop stale connections
                    close_old_connections()
                try:
                    job.run()
                except Exception:  # a failing job must not stop the others
                    logger.exception("Scheduled job %s failed", job.name)
                last_run[job.name] = now
            if once:
                break
            stopping.wait(tick)
