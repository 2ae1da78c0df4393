"""CISA KEV import: entries are upserted, matching vulnerabilities and advisories are flagged
"actively exploited"; a malformed file is rejected and changes nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from dtc.advisories.intake import document_import
from dtc.advisories.kev import kev_import
from dtc.advisories.models import Advisory, KnownExploited, Vulnerability
from dtc.advisories.tests.conftest import NCSC_FIXTURES

pytestmark = pytest.mark.django_db


def _kev(*cves: str) -> bytes:
    """A small catalogue in CISA's format (known_exploited_vulnerabilities.json, schema 2.x)."""
    return json.dumps({
        "title": "CISA Catalog of Known Exploited Vulnerabilities",
        "catalogVersion": "2026.02.06",
        "dateReleased": "2026-02-06T15:00:00.000Z",
        "count": len(cves),
        "vulnerabilities": [
            {"cveID": cve, "vendorProject": "Microsoft", "product": "Windows", "vulnerabilityName": "Test",
             "dateAdded": "2026-02-06", "shortDescription": "…", "requiredAction": "Apply updates.",
             "dueDate": "2026-02-27", "knownRansomwareCampaignUse": "Unknown", "notes": "", "cwes": []}
            for cve in cves
        ],
    }).encode()  # fmt: skip


def test_kev_flags_matching_vulnerabilities_and_advisories():
    document_import((NCSC_FIXTURES / "2026/ncsc-2026-0003.json").read_bytes(), source="x")
    document_import((NCSC_FIXTURES / "2026/ncsc-2026-0004.json").read_bytes(), source="y")
    assert not Advisory.objects.filter(exploited=True).exists()
    result = kev_import(_kev("CVE-2026-10003", "CVE-2021-44228"))
    assert result == {"status": "imported", "reason": "", "entries": 2, "created": 2, "updated": 0,
                      "vulnerabilities_flagged": 1, "advisories_flagged": 1}  # fmt: skip
    assert Advisory.objects.get(tracking_id="NCSC-2026-0003").exploited is True
    assert Advisory.objects.get(tracking_id="NCSC-2026-0004").exploited is False
    assert Vulnerability.objects.get(cve="CVE-2026-10003").exploited is True
    assert KnownExploited.objects.get(cve="CVE-2021-44228").vendor == "Microsoft"
    again = kev_import(_kev("CVE-2026-10003", "CVE-2021-44228"))
    assert (again["created"], again["updated"], again["advisories_flagged"]) == (0, 0, 0)


def test_intake_consults_kev_for_documents_imported_later():
    kev_import(_kev("CVE-2026-10003"))
    outcome = document_import((NCSC_FIXTURES / "2026/ncsc-2026-0003.json").read_bytes(), source="x")
    assert outcome.advisory.exploited is True


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[]", 'no "vulnerabilities" list'),
        (b'{"vulnerabilities": [{"cveID": "CVE-2026-10003", "product": "a\\u0000"}]}', "NUL character"),
        (
            json.dumps({"vulnerabilities": [{"cveID": "CVE-2026-10003"}, {"cveID": "nonsense"}]}).encode(),
            "not a CVE id",
        ),
        (
            json.dumps({"vulnerabilities": [{"cveID": "CVE-2026-10003", "dateAdded": "gisteren"}]}).encode(),
            "not a date",
        ),
    ],
)
def test_malformed_kev_is_rejected_and_changes_nothing(raw, reason):
    document_import((NCSC_FIXTURES / "2026/ncsc-2026-0003.json").read_bytes(), source="x")
    result = kev_import(raw)
    assert result["status"] == "rejected"
    assert reason in result["reason"]
    assert KnownExploited.objects.count() == 0
    assert not Advisory.objects.filter(exploited=True).exists()


def test_import_kev_command_prints_json(tmp_path):
    path = tmp_path / "known_exploited_vulnerabilities.json"
    path.write_bytes(_kev("CVE-2026-10003"))
    out = io.StringIO()
    call_command("import_kev", str(path), stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["created"] == 1
