"""`dtc import_kev PATH_OR_URL`: import CISA's Known Exploited Vulnerabilities JSON; prints one JSON line."""

from __future__ import annotations

import json

import httpx
from django.core.management.base import BaseCommand

from dtc.advisories.distribution import TIMEOUT, USER_AGENT, FetchError, fetch
from dtc.advisories.kev import MAX_KEV_BYTES, kev_import


class Command(BaseCommand):
    help = "Import CISA's Known Exploited Vulnerabilities catalogue (JSON) and flag exploited advisories."

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="PATH_OR_URL")

    def handle(self, *args, source: str, **options):
        try:
            with httpx.Client(
                timeout=TIMEOUT, follow_redirects=True, headers={"User-Agent": USER_AGENT}
            ) as client:
                raw = fetch(source, max_bytes=MAX_KEV_BYTES, client=client)
        except FetchError as exc:
            result = {"status": "rejected", "reason": f"{source}: {exc.reason}"}
        else:
            result = kev_import(raw)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
        if result["status"] == "rejected":
            raise SystemExit(1)
