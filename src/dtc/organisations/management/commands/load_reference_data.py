"""Load the reference data every installation needs: municipalities, product catalogue, role groups."""

import json

from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load or refresh municipalities, the product catalogue and the role groups. Idempotent."

    def handle(self, *args, **options):
        from dtc.organisations.demo import organisations_reference_load

        with transaction.atomic():
            counts = organisations_reference_load()
        self.stdout.write(json.dumps(counts))
