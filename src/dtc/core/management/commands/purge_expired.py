"""Delete what has passed its retention period (settings.DTC_RETENTION). Run daily (cron/timer)."""

import json

from django.core.management.base import BaseCommand

from dtc.core.tasks import purge_expired


class Command(BaseCommand):
    help = "Delete expired unverified accounts, invitations and audit-log entries (AVG retention)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Hand the work to the task worker.")

    def handle(self, *args, enqueue: bool = False, **options):
        if enqueue:
            result = purge_expired.enqueue()
            self.stdout.write(json.dumps({"enqueued": result.id}))
            return
        self.stdout.write(json.dumps(purge_expired.call()))
