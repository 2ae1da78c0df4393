"""Intake: every real document is accepted or rejected for the right reason; rejected input stores
nothing; revisions are kept and judged significant only for new affected products, a fix or an
"exploited" flag; products are mapped to the catalogue by alias, CPE, PURL and normalised names."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dtc.advisories.csaf import datetime_parse
from dtc.advisories.intake import document_import, match_key, normalise, products_remap
from dtc.advisories.models import (
    Advisory,
    AdvisoryProduct,
    AdvisoryRevision,
    KnownExploited,
    Tlp,
    Vulnerability,
)
from dtc.advisories.tests.conftest import NCSC_FIXTURES, shared_csaf_files, shared_data_dir
from dtc.core.models import AuditLogEntry
from dtc.organisations.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

# Measured with `csaf validate --spec-version v20` (see ../shared/data/csaf/SOURCES.md).
EXPECTED_REJECTIONS = {
    "ni/ni_cve-2024-12740.json": ("schema:", "vision_builder_for_automated_inspection_(vbai)", "/cpe"),
    "cisa-ot/icsa-24-116-04.json": ("6.1.31:", "`R210.X` appears to be a version range"),
}
SHARED_FILES = [f"{p.parent.name}/{p.name}" for p in shared_csaf_files()] or ["(shared data absent)"]


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Advisory, AdvisoryRevision, AdvisoryProduct, Vulnerability))


def _ncsc(name: str) -> dict:
    return json.loads((NCSC_FIXTURES / name).read_bytes())


def _raw(doc: dict) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()


def _bump(doc: dict, version: str, hours: int = 24) -> dict:
    """The next revision of `doc`: new version, later release date, revision history entry."""
    doc = json.loads(json.dumps(doc))
    tracking = doc["document"]["tracking"]
    date = (
        (datetime_parse(tracking["current_release_date"]) + timedelta(hours=hours))
        .isoformat()
        .replace("+00:00", "Z")
    )
    tracking["revision_history"].append({"date": date, "number": version, "summary": "Bijgewerkt"})
    tracking["version"] = version
    tracking["current_release_date"] = date
    tracking["generator"]["date"] = date
    return doc


@pytest.mark.parametrize("name", SHARED_FILES)
def test_every_shared_document_is_accepted_or_rejected_for_its_reason(name):
    path = shared_data_dir() / "csaf" / "advisories" / name
    if not path.is_file():
        pytest.skip(f"shared CSAF reference data absent at {path.parent.parent} (set DTC_SHARED_DATA)")
    outcome = document_import(path.read_bytes(), source=str(path))
    if name in EXPECTED_REJECTIONS:
        assert outcome.status == "rejected"
        for part in EXPECTED_REJECTIONS[name]:
            assert part in outcome.reason
        assert _counts() == (0, 0, 0, 0)
        return
    assert outcome.status == "imported", outcome.reason
    doc = json.loads(path.read_bytes())
    advisory = outcome.advisory
    assert advisory.current_revision == outcome.revision
    assert advisory.tracking_id == doc["document"]["tracking"]["id"]
    assert advisory.publisher_namespace == doc["document"]["publisher"]["namespace"]
    assert outcome.revision.source == str(path)
    assert outcome.revision.changes == ["first"]
    assert outcome.revision.vulnerabilities.count() == len(doc.get("vulnerabilities", []))
    statuses = {
        pid
        for v in doc.get("vulnerabilities", [])
        for ids in v.get("product_status", {}).values()
        for pid in ids
    }
    assert outcome.revision.products.count() == len(statuses)
    assert AuditLogEntry.objects.filter(action="advisory.import", target_id=str(advisory.pk)).exists()


def test_shared_rejections_are_exactly_the_two_measured_files(csaf_data_dir):
    rejected = set()
    for path in sorted((csaf_data_dir / "advisories").glob("*/*.json")):
        if document_import(path.read_bytes(), source=str(path)).status == "rejected":
            rejected.add(f"{path.parent.name}/{path.name}")
    assert rejected == set(EXPECTED_REJECTIONS)
    assert Advisory.objects.count() == 48


def test_all_ncsc_fixtures_pass_and_amber_stays_with_analysts():
    for path in sorted((NCSC_FIXTURES / "2026").glob("*.json")):
        assert document_import(path.read_bytes(), source=str(path)).status == "imported"
    amber = Advisory.objects.get(tracking_id="NCSC-2026-0005")
    assert amber.tlp == Tlp.AMBER
    assert amber.may_reach_businesses is False
    assert Advisory.objects.get(tracking_id="NCSC-2026-0002").exploited is True
    assert Advisory.objects.get(tracking_id="NCSC-2026-0002").may_reach_businesses is True


# --- hostile input -------------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.one_of(st.binary(max_size=200), _json.map(lambda v: json.dumps(v).encode())))
def test_random_input_is_rejected_and_stores_nothing(payload):
    before = _counts()
    outcome = document_import(payload, source="fuzz")
    assert outcome.status == "rejected"
    assert outcome.reason
    assert _counts() == before


def _set_path(doc: dict, path: list, value) -> dict:
    doc = json.loads(json.dumps(doc))
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


_PATHS = [
    ["document", "title"],
    ["document", "tracking", "id"],
    ["document", "tracking", "current_release_date"],
    ["document", "publisher", "namespace"],
    ["product_tree", "branches", 0, "name"],
    ["product_tree", "branches", 0, "branches", 0, "branches", 0, "name"],
    ["product_tree", "branches", 0, "branches", 0, "branches", 0, "product", "product_id"],
    ["vulnerabilities", 0, "cve"],
    ["vulnerabilities", 0, "product_status"],
    ["vulnerabilities", 0, "scores", 0, "cvss_v3", "baseScore"],
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(_PATHS), value=_json | st.text(min_size=300, max_size=3000))
def test_mutated_documents_are_stored_whole_or_not_at_all(path, value):
    before = _counts()
    doc = _set_path(_ncsc("2026/ncsc-2026-0002.json"), path, value)
    outcome = document_import(_raw(doc), source="fuzz")
    if outcome.status == "rejected":
        assert outcome.reason
        assert _counts() == before
    else:
        revision = outcome.revision
        assert outcome.advisory.current_revision_id == revision.pk
        assert revision.products.count() >= 1
        assert revision.vulnerabilities.count() == 1
        Advisory.objects.all().delete()


def test_long_strings_are_clipped_not_crashing():
    doc = _ncsc("2026/ncsc-2026-0002.json")
    doc["document"]["title"] = "Lange titel " * 400
    doc["product_tree"]["branches"][0]["branches"][0]["name"] = "FortiOS " * 200
    outcome = document_import(_raw(doc), source="x" * 3000)
    assert outcome.status == "imported"
    assert len(outcome.advisory.title) == 500
    assert len(outcome.revision.source) == 1000


def test_huge_document_is_rejected(settings):
    settings.DTC_CSAF_MAX_BYTES = 50_000
    doc = _ncsc("2026/ncsc-2026-0002.json")
    doc["document"]["notes"][0]["text"] = "x" * 60_000
    outcome = document_import(_raw(doc), source="huge")
    assert outcome.status == "rejected"
    assert outcome.reason.startswith("too large")
    assert _counts() == (0, 0, 0, 0)


# --- revisions -----------------------------------------------------------------------------------


def test_revision_that_adds_a_fix_is_significant():
    first = document_import(
        (NCSC_FIXTURES / "revisions/ncsc-2026-0001-v1.00.json").read_bytes(), source="v1.00"
    )
    second = document_import((NCSC_FIXTURES / "2026/ncsc-2026-0001.json").read_bytes(), source="v1.01")
    assert (first.status, first.revision.changes, first.revision.significant) == ("imported", ["first"], True)
    assert (second.status, second.revision.changes, second.revision.significant) == (
        "updated",
        ["new_fix"],
        True,
    )
    advisory = Advisory.objects.get()
    assert advisory.current_revision == second.revision
    assert advisory.revisions.count() == 2


def test_identical_reimport_is_unchanged_even_when_reformatted():
    raw = (NCSC_FIXTURES / "2026/ncsc-2026-0001.json").read_bytes()
    first = document_import(raw, source="a")
    again = document_import(raw, source="a")
    reformatted = document_import(json.dumps(json.loads(raw), indent=7, sort_keys=False).encode(), source="b")
    assert (again.status, reformatted.status) == ("unchanged", "unchanged")
    assert again.revision == first.revision == reformatted.revision
    assert AdvisoryRevision.objects.count() == 1


def test_older_revision_imported_late_does_not_replace_the_current_one():
    newer = document_import((NCSC_FIXTURES / "2026/ncsc-2026-0001.json").read_bytes(), source="v1.01")
    older = document_import(
        (NCSC_FIXTURES / "revisions/ncsc-2026-0001-v1.00.json").read_bytes(), source="v1.00"
    )
    assert older.status == "updated"
    advisory = Advisory.objects.get()
    assert advisory.current_revision == newer.revision
    assert "6.8.3" in advisory.revisions.get(pk=newer.revision.pk).document["document"]["notes"][0]["text"]
    assert advisory.revisions.count() == 2


def test_typo_fix_is_not_significant():
    base = _ncsc("2026/ncsc-2026-0001.json")
    document_import(_raw(base), source="v1.01")
    typo = _bump(base, "1.02")
    typo["document"]["notes"][0]["text"] = typo["document"]["notes"][0]["text"].replace(
        "kwaadwillende", "kwaadwillend persoon"
    )
    outcome = document_import(_raw(typo), source="v1.02")
    assert outcome.status == "updated"
    assert outcome.revision.changes == []
    assert outcome.revision.significant is False
    assert Advisory.objects.get().current_revision == outcome.revision


def test_added_affected_product_is_significant():
    base = _ncsc("2026/ncsc-2026-0001.json")
    document_import(_raw(base), source="v1.01")
    grown = _bump(base, "1.02")
    grown["product_tree"]["branches"][0]["branches"][0]["branches"].append(
        {"category": "product_version_range", "name": "vers:semver/<6.6.5",
         "product": {"name": "WordPress tot 6.6.5", "product_id": "CSAFPID-0004"}}
    )  # fmt: skip
    vulnerability = grown["vulnerabilities"][0]
    vulnerability["product_status"]["known_affected"].append("CSAFPID-0004")
    outcome = document_import(_raw(grown), source="v1.02")
    assert outcome.status == "updated", outcome.reason
    assert outcome.revision.changes == ["new_products"]
    assert outcome.revision.significant is True


def test_exploit_status_threat_appearing_is_significant():
    base = _ncsc("2026/ncsc-2026-0001.json")
    document_import(_raw(base), source="v1.01")
    exploited = _bump(base, "1.02")
    exploited["vulnerabilities"][0]["threats"] = [
        {"category": "exploit_status", "details": "Het NCSC ziet actief misbruik van deze kwetsbaarheid."}
    ]
    outcome = document_import(_raw(exploited), source="v1.02")
    assert outcome.revision.changes == ["exploited"]
    assert Advisory.objects.get().exploited is True


def test_kev_listing_makes_the_next_revision_exploited():
    base = _ncsc("2026/ncsc-2026-0001.json")
    document_import(_raw(base), source="v1.01")
    KnownExploited.objects.create(cve="CVE-2026-10001", vendor="WordPress", product="WordPress")
    outcome = document_import(_raw(_bump(base, "1.02")), source="v1.02")
    assert outcome.revision.changes == ["exploited"]
    assert outcome.revision.vulnerabilities.get().exploited is True
    assert Advisory.objects.get().exploited is True


def test_identity_is_namespace_plus_tracking_id():
    doc = _ncsc("2026/ncsc-2026-0003.json")
    document_import(_raw(doc), source="a")
    other = _set_path(doc, ["document", "publisher", "namespace"], "https://example.org")
    assert document_import(_raw(other), source="b").status == "imported"
    assert Advisory.objects.filter(tracking_id="NCSC-2026-0003").count() == 2


# --- catalogue mapping ---------------------------------------------------------------------------


def _rows(tracking_id: str) -> dict[str, AdvisoryProduct]:
    advisory = Advisory.objects.get(tracking_id=tracking_id)
    return {row.csaf_product_id: row for row in advisory.current_revision.products.all()}


def test_mapping_by_alias_cpe_purl_and_normalised_name():
    gateway = ProductFactory(vendor="Citrix", name="NetScaler Gateway", aliases=["Citrix Gateway"])
    adc = ProductFactory(
        vendor="Citrix",
        name="NetScaler ADC",
        cpe_prefix="cpe:2.3:a:citrix:netscaler_application_delivery_controller",
    )
    log4j = ProductFactory(
        vendor="Apache", name="Log4j", purl_prefix="pkg:maven/org.apache.logging.log4j/log4j-core"
    )
    windows = ProductFactory(vendor="Microsoft", name="Windows 11")
    ProductFactory(vendor="Microsoft", name="Microsoft 365 Apps")
    for name in ("2026/ncsc-2026-0003.json", "2026/ncsc-2026-0004.json"):
        assert document_import((NCSC_FIXTURES / name).read_bytes(), source=name).status == "imported"
    mixed = _rows("NCSC-2026-0004")
    assert (mixed["CSAFPID-0004"].catalogue_product, mixed["CSAFPID-0004"].matched_by) == (gateway, "alias")
    assert (mixed["CSAFPID-0003"].catalogue_product, mixed["CSAFPID-0003"].matched_by) == (adc, "cpe")
    assert (mixed["CSAFPID-0001"].catalogue_product, mixed["CSAFPID-0001"].matched_by) == (log4j, "purl")
    assert (mixed["CSAFPID-0005"].catalogue_product, mixed["CSAFPID-0005"].matched_by) == (None, "")
    assert mixed["CSAFPID-0005"].match_key == "voorbeeld software kassasysteem pro"
    microsoft = _rows("NCSC-2026-0003")  # vendor "Microsoft Corporation": legal form dropped
    assert (microsoft["CSAFPID-0001"].catalogue_product, microsoft["CSAFPID-0001"].matched_by) == (
        windows,
        "name",
    )
    assert (
        microsoft["CSAFPID-0003"].matched_by == "name"
    )  # "Microsoft 365 Apps" does not become "microsoft microsoft …"
    assert microsoft["CSAFPID-0002"].catalogue_product is None  # Windows 10 is not in this catalogue


def test_ranges_are_stored_canonical_or_empty_when_unknown():
    for name in ("2026/ncsc-2026-0002.json", "2026/ncsc-2026-0003.json"):
        document_import((NCSC_FIXTURES / name).read_bytes(), source=name)
    fortios = _rows("NCSC-2026-0002")
    assert fortios["CSAFPID-0001"].vers == "vers:generic/>=7.4.0|<7.4.8"
    assert fortios["CSAFPID-0001"].version_text == "vers:semver/>=7.4.0|<7.4.8"
    assert fortios["CSAFPID-0003"].status == "fixed"
    assert fortios["CSAFPID-0003"].vers == "vers:generic/7.4.8"
    assert _rows("NCSC-2026-0003")["CSAFPID-0001"].vers == ""  # vers:unknown/* → possibly affected


def test_unmapped_rows_are_mapped_after_an_alias_is_added():
    document_import((NCSC_FIXTURES / "2026/ncsc-2026-0004.json").read_bytes(), source="x")
    key = "voorbeeld software kassasysteem pro"
    assert products_remap(match_key=key) == 0
    product = ProductFactory(
        vendor="Voorbeeld Software", name="Kassa", aliases=["Voorbeeld Software Kassasysteem Pro"]
    )
    assert products_remap(match_key=key) == 1
    row = AdvisoryProduct.objects.get(match_key=key)
    assert (row.catalogue_product, row.matched_by) == (product, "alias")
    assert products_remap() == 0  # nothing else to map


def test_messy_vendor_names_match_after_normalising(csaf_data_dir):
    product = ProductFactory(vendor="Johnson Controls Inc", name="Kantech KT1 Door Controller, Rev01")
    rockwell = ProductFactory(vendor="Rockwell Automation", name="1756-EN2T Series A")
    for name in ("cisa-ot/icsa-24-184-01.json", "cisa-ot/icsa-23-193-01.json"):
        assert (
            document_import((csaf_data_dir / "advisories" / name).read_bytes(), source=name).status
            == "imported"
        )
    kt1 = AdvisoryProduct.objects.filter(
        vendor="Johnson Controls, Inc.", product_name__startswith="Kantech KT1"
    )
    assert kt1.exists() and all(row.catalogue_product == product for row in kt1)
    trailing = AdvisoryProduct.objects.filter(
        vendor="Rockwell Automation ", product_name="1756-EN2T Series A"
    )
    assert trailing.exists() and all(row.catalogue_product == rockwell for row in trailing)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Johnson Controls Inc", "Johnson Controls, Inc."),
        ("Rockwell Automation ", "rockwell  automation"),
        ("Voorbeeld Software B.V.", "Voorbeeld Software"),
        ("Siemens AG", "SIEMENS"),
        ("Schneider Electric SE", "Schneider Electric"),
        ("Citrix Systems, Inc.", "Citrix Systems"),
    ],
)
def test_normalise_equates_legal_forms_and_punctuation(a, b):
    assert normalise(a) == normalise(b)


def test_normalise_keeps_a_name_that_is_only_a_legal_form_word():
    assert normalise("Co") == "co"
    assert match_key("Microsoft", "Microsoft Edge") == "microsoft edge"
    assert match_key("", "NI-PAL") == "ni pal"
