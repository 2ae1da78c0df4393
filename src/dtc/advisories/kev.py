"""CISA's Known Exploited Vulnerabilities catalogue (https://www.cisa.gov/known-exploited-vulnerabilities-catalog).

`kev_import` takes the catalogue's JSON feed (`known_exploited_vulnerabilities.json`: an object with a
`vulnerabilities` list of `{"cveID", "vendorProject", "product", "dateAdded", …}`), upserts
`KnownExploited` and flags matching vulnerabilities and advisories as "actively exploited". Intake
consults `KnownExploited` too, so an advisory imported later is flagged at once.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from dtc.advisories.csaf import _unstorable_text
from dtc.advisories.intake import advisories_flag_exploited
from dtc.advisories.models import KnownExploited
from dtc.core.audit import audit_log_record

_CVE_RE = re.compile(r"^CVE-\d{4}-\d{4,19}$")
MAX_KEV_BYTES = 50 * 1024 * 1024


class KevRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def kev_parse(raw: bytes) -> list[dict[str, Any]]:
    """The catalogue's entries as {"cve", "vendor", "product", "date_added"}; `KevRejected` when the
    file is not a KEV catalogue (then nothing is stored)."""
    if len(raw) > MAX_KEV_BYTES:
        raise KevRejected(f"too large: {len(raw)} bytes, at most {MAX_KEV_BYTES}")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except RecursionError:
        raise KevRejected("nesting too deep") from None
    except ValueError as exc:
        raise KevRejected(f"not JSON: {exc}") from None
    if problem := _unstorable_text(data):
        raise KevRejected(problem)
    if not isinstance(data, dict) or not isinstance(data.get("vulnerabilities"), list):
        raise KevRejected('not a KEV catalogue: no "vulnerabilities" list')
    entries: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(data["vulnerabilities"]):
        if not isinstance(item, dict):
            raise KevRejected(f"vulnerabilities[{index}] is not an object")
        cve = item.get("cveID")
        if not isinstance(cve, str) or not _CVE_RE.fullmatch(cve.strip()):
            raise KevRejected(f"vulnerabilities[{index}].cveID is not a CVE id: {str(cve)[:40]!r}")
        added = item.get("dateAdded")
        try:
            date_added = date.fromisoformat(added) if isinstance(added, str) and added else None
        except ValueError:
            raise KevRejected(
                f"vulnerabilities[{index}].dateAdded is not a date: {str(added)[:20]!r}"
            ) from None
        entries[cve.strip()] = {
            "cve": cve.strip(),
            "vendor": str(item.get("vendorProject") or "")[:300],
            "product": str(item.get("product") or "")[:300],
            "date_added": date_added,
        }
    return list(entries.values())


def kev_import(raw: bytes) -> dict[str, Any]:
    """Import the KEV JSON in `raw`. Returns {"status": "imported"|"rejected", "reason", "entries",
    "created", "updated", "vulnerabilities_flagged", "advisories_flagged"}."""
    result: dict[str, Any] = {
        "status": "rejected", "reason": "", "entries": 0, "created": 0, "updated": 0,
        "vulnerabilities_flagged": 0, "advisories_flagged": 0,
    }  # fmt: skip
    try:
        entries = kev_parse(raw)
    except KevRejected as exc:
        result["reason"] = exc.reason
        return result
    with transaction.atomic():
        existing = {}
        cves = [e["cve"] for e in entries]
        for start in range(0, len(cves), 500):
            existing.update(KnownExploited.objects.in_bulk(cves[start : start + 500], field_name="cve"))
        new, changed = [], []
        for entry in entries:
            row = existing.get(entry["cve"])
            if row is None:
                new.append(KnownExploited(**entry))
            elif (row.vendor, row.product, row.date_added) != (
                entry["vendor"],
                entry["product"],
                entry["date_added"],
            ):
                row.vendor, row.product, row.date_added = (
                    entry["vendor"],
                    entry["product"],
                    entry["date_added"],
                )
                row.imported_at = timezone.now()  # bulk_update does not fill auto_now
                changed.append(row)
        KnownExploited.objects.bulk_create(new, batch_size=500)
        KnownExploited.objects.bulk_update(
            changed, ["vendor", "product", "date_added", "imported_at"], batch_size=500
        )
        flagged_vulnerabilities, flagged_advisories = advisories_flag_exploited(cves)
        result.update(
            status="imported",
            entries=len(entries),
            created=len(new),
            updated=len(changed),
            vulnerabilities_flagged=flagged_vulnerabilities,
            advisories_flagged=flagged_advisories,
        )
        audit_log_record(
            actor=None, action="kev.import", after={k: v for k, v in result.items() if k != "reason"}
        )
    return result
