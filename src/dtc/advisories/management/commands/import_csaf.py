"""`dtc import_csaf PATH_OR_URL …`: import CSAF documents; the last output line is the JSON result."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from dtc.advisories.distribution import import_sources


class Command(BaseCommand):
    help = (
        "Import CSAF 2.0 advisories from files, directories, document URLs, provider-metadata.json or "
        "directory distributions (changes.csv, incremental). Prints progress, then one JSON line."
    )

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="+", metavar="PATH_OR_URL")

    def handle(self, *args, sources: list[str], **options):
        result = import_sources(sources, stdout=self.stdout)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
