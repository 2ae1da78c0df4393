"""Reading CSAF: validation reasons and what the parser takes from real documents (no database)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from dtc.advisories.csaf import CsafRejected, document_load, document_parse
from dtc.advisories.models import ProductStatus, Tlp


def _load(csaf_data_dir, name: str) -> dict:
    return json.loads((csaf_data_dir / "advisories" / name).read_bytes())


def test_tlp_white_becomes_clear_and_missing_tlp_is_empty(csaf_data_dir):
    assert document_parse(_load(csaf_data_dir, "ni/ni_cve-2025-2629.json")).tlp == Tlp.CLEAR
    assert document_parse(_load(csaf_data_dir, "ciq-rocky/crlsa-2024-9689.json")).tlp == ""


@pytest.mark.parametrize(
    ("label", "expected"), [("AMBER+STRICT", "AMBER+STRICT"), ("TLP:CLEAR", "CLEAR"), ("red", "RED")]
)
def test_tlp_2_names(csaf_data_dir, label, expected):
    doc = _load(csaf_data_dir, "ni/ni_cve-2025-2629.json")
    doc["document"]["distribution"]["tlp"]["label"] = label
    assert document_parse(doc).tlp == expected


def test_branches_give_vendor_product_and_range(csaf_data_dir):
    parsed = document_parse(_load(csaf_data_dir, "cisa-ot/icsa-23-193-01.json"))
    product = next(iter(parsed.products.values()))
    assert product.vendor == "Rockwell Automation "  # as published, normalised only when matching
    assert product.product_name == "1756-EN2T Series A"
    assert product.version_text == "<= 5.008"
    assert product.is_range is True


def test_cpe_helper_semver_ranges_fixed_status_and_cvss_v4(csaf_data_dir):
    parsed = document_parse(_load(csaf_data_dir, "ni/ni_cve-2025-2629.json"))
    affected = parsed.products["LabVIEW-2022-affected"]
    assert affected.cpe.startswith("cpe:2.3:a:ni:labview:")
    assert affected.version_text == "vers:semver/>=22.0.0|<22.3.4"
    statuses = parsed.product_statuses
    assert statuses["LabVIEW-2022-affected"] == ProductStatus.AFFECTED
    assert statuses["LabVIEW-2022-fixed"] == ProductStatus.FIXED
    assert parsed.cvss_max == Decimal("7.3")
    assert "LabVIEW-2022-affected" in parsed.fixed_product_ids  # vendor_fix remediation
    assert parsed.cves == ["CVE-2025-2629"]
    assert parsed.summary.startswith("This advisory describes a DLL hijacking")


def test_relationship_names_the_composed_product_with_the_component_identity(csaf_data_dir):
    parsed = document_parse(_load(csaf_data_dir, "stackable/cve-2022-1471.json"))
    composed = [p for p in parsed.products.values() if p.platform_name or p.platform_vendor]
    assert composed, "the default_component_of relationships were not read"
    sample = composed[0]
    assert sample.purl.startswith("pkg:")
    assert sample.full_name != sample.product_name


def test_affected_wins_over_other_statuses(csaf_data_dir):
    doc = _load(csaf_data_dir, "ni/ni_cve-2025-2629.json")
    extra = json.loads(json.dumps(doc["vulnerabilities"][0]))
    extra["cve"] = "CVE-2025-0001"
    extra["product_status"] = {
        "known_not_affected": ["LabVIEW-2022-affected"],
        "fixed": ["LabVIEW-2022-fixed"],
    }
    doc["vulnerabilities"].insert(0, extra)
    assert document_parse(doc).product_statuses["LabVIEW-2022-affected"] == ProductStatus.AFFECTED


def test_exploit_status_threat_flags_exploited_unless_it_says_none(ncsc_dir):
    doc = json.loads((ncsc_dir / "2026" / "ncsc-2026-0002.json").read_bytes())
    assert document_parse(doc).exploited is True
    doc["vulnerabilities"][0]["threats"][0]["details"] = "Er is geen misbruik bekend."
    assert document_parse(doc).exploited is False


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe not utf-8", "not JSON"),
        (b"{not json", "not JSON"),
        (b"[1, 2, 3]", "not a JSON object"),
        (b"[" * 5000 + b"]" * 5000, "nesting too deep"),
        (b'{"a":' * 100 + b"1" + b"}" * 100, "nesting too deep"),
        (b'{"document": {}}', "schema"),
        (b'{"document": "a\\u0000b"}', "NUL character"),
        (b'{"document": "\\ud800"}', "unpaired surrogate"),
    ],
)
def test_malformed_input_is_rejected_with_a_reason(raw, reason):
    with pytest.raises(CsafRejected) as caught:
        document_load(raw)
    assert reason in caught.value.reason


def test_document_over_the_size_cap_is_rejected_before_parsing(settings):
    settings.DTC_CSAF_MAX_BYTES = 1000
    with pytest.raises(CsafRejected, match="too large"):
        document_load(b"{" + b" " * 2000 + b"}")


def _ncsc_doc(ncsc_dir, name="2026/ncsc-2026-0001.json"):
    return json.loads((ncsc_dir / name).read_text())


def test_ncsc_two_digit_revision_numbers_pass_validation_and_are_kept_as_published(ncsc_dir):
    """NCSC numbers revisions 1.00, 1.01 (not CSAF 2.0's semver); accepted, stored unchanged."""
    from dtc.advisories.csaf import document_validate

    doc = _ncsc_doc(ncsc_dir)
    assert doc["document"]["tracking"]["version"] == "1.01"
    assert document_validate(doc) == ""
    assert document_parse(doc).version == "1.01"


@pytest.mark.parametrize("version", ["1.1", "1.001", "v1.01", "01.01"])
def test_other_non_semver_revision_numbers_are_still_rejected(ncsc_dir, version):
    from dtc.advisories.csaf import document_validate

    doc = _ncsc_doc(ncsc_dir, "2026/ncsc-2026-0002.json")
    doc["document"]["tracking"]["version"] = version
    doc["document"]["tracking"]["revision_history"][-1]["number"] = version
    assert document_validate(doc).startswith("schema:")


def test_legacy_numbers_do_not_hide_other_errors(ncsc_dir):
    """The revision-number tolerance changes nothing else: a latest revision number that differs from
    the document version still fails the mandatory test 6.1.16."""
    from dtc.advisories.csaf import document_validate

    doc = _ncsc_doc(ncsc_dir)
    doc["document"]["tracking"]["version"] = "1.00"
    assert "6.1.16" in document_validate(doc)
