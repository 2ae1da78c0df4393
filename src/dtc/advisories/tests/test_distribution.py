"""Fetching from distributions: the distribution files parse; a directory distribution served over
HTTP (127.0.0.1) is walked incrementally from the provider's cursor; a wrong hash or a bad OpenPGP
signature rejects the document; the command's last output line is the JSON result."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import pysequoia
import pytest
from django.core.management import call_command

from dtc.advisories.distribution import (
    changes_parse,
    import_sources,
    index_parse,
    provider_metadata_parse,
    providers_poll,
    rolie_entries,
)
from dtc.advisories.models import Advisory, AdvisoryRevision, Provider

RESULT_KEYS = ["imported", "updated", "unchanged", "rejected", "errors"]


# --- distribution files (no database) ------------------------------------------------------------


def test_changes_csv_and_index_txt_parse(csaf_data_dir):
    changes = changes_parse((csaf_data_dir / "distribution/cisa-it-changes.csv").read_text())
    assert [c.path.rsplit("/", 1)[1] for c in changes] == [
        "va-24-254-02.json", "va-24-262-01.json", "va-24-201-01.json", "va-24-254-01.json"
    ]  # fmt: skip
    assert changes[0].timestamp.isoformat() == "2024-10-03T16:03:00+00:00"
    index = index_parse((csaf_data_dir / "distribution/cisa-it-index.txt").read_text())
    assert sorted(index) == sorted(c.path for c in changes)


def test_changes_csv_skips_rows_that_escape_the_directory():
    text = (
        '"../secret.json","2026-01-01T00:00:00Z"\n"https://evil.example/x.json","2026-01-01T00:00:00Z"\n'
        '"/etc/passwd","2026-01-01T00:00:00Z"\n"2026/ok.json","not a date"\n"2026/a.json","2026-01-02T00:00:00Z"\n'
    )
    assert [c.path for c in changes_parse(text)] == ["2026/a.json"]


def test_provider_metadata_and_rolie_feed_parse(csaf_data_dir):
    ni = provider_metadata_parse(
        json.loads((csaf_data_dir / "distribution/ni-provider-metadata.json").read_bytes())
    )
    assert ni["name"] == "NI PSIRT"
    assert len(ni["directories"]) == 2
    stackable = provider_metadata_parse(
        json.loads((csaf_data_dir / "distribution/stackable-provider-metadata.json").read_bytes())
    )
    assert stackable["keys"][0][1] == "218e03479fe800223105fea631905ded3efd610a"
    oasis = provider_metadata_parse(
        json.loads((csaf_data_dir / "distribution/oasis-example-provider-metadata.json").read_bytes())
    )
    assert oasis["feeds"] == ["https://www.example.com/.well-known/csaf/feed-tlp-white.json"]
    entries = rolie_entries(
        json.loads((csaf_data_dir / "distribution/cisa-csaf-it-feed-tlp-white.json").read_bytes())
    )
    assert len(entries) == 4
    assert all(url.startswith("https://raw.githubusercontent.com/cisagov/CSAF/") for url, _ in entries)
    assert provider_metadata_parse({"document": {}}) is None


# --- importing -----------------------------------------------------------------------------------


def _publish(root, name: str, raw: bytes, *, hash_file: bool = True) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    if hash_file:
        (root / f"{name}.sha512").write_text(f"{hashlib.sha512(raw).hexdigest()}  {path.name}\n")


def _changes(root, rows: list[tuple[str, str]]) -> None:
    (root / "changes.csv").write_text(
        "".join(f'"{p}","{t}"\n' for p, t in sorted(rows, key=lambda r: r[1], reverse=True))
    )


@pytest.mark.django_db
def test_local_directory_distribution_imports_the_listed_documents(ncsc_dir):
    result = import_sources([str(ncsc_dir)])
    assert result == {"imported": 5, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    assert Advisory.objects.count() == 5  # the revisions/ folder is not in changes.csv
    assert import_sources([str(ncsc_dir)])["unchanged"] == 5


@pytest.mark.django_db
def test_local_tree_without_changes_csv_walks_all_json_but_distribution_files(csaf_data_dir, tmp_path):
    shutil.copytree(csaf_data_dir / "advisories" / "ni", tmp_path / "ni")
    shutil.copy(
        csaf_data_dir / "distribution/ni-provider-metadata.json", tmp_path / "ni" / "provider-metadata.json"
    )
    result = import_sources([str(tmp_path)])
    assert (result["imported"], result["rejected"]) == (5, 1)
    assert result["errors"][0]["source"].endswith("ni_cve-2024-12740.json")
    assert result["errors"][0]["reason"].startswith("schema:")


@pytest.mark.django_db
def test_directory_distribution_over_http_is_walked_incrementally(http_root, ncsc_dir, csaf_data_dir):
    root, url = http_root
    base = root / "csaf"
    _publish(base, "2026/ncsc-2026-0002.json", (ncsc_dir / "2026/ncsc-2026-0002.json").read_bytes())
    _publish(
        base,
        "2025/ni_cve-2025-2629.json",
        (csaf_data_dir / "advisories/ni/ni_cve-2025-2629.json").read_bytes(),
    )
    rows = [
        ("2026/ncsc-2026-0002.json", "2026-01-20T08:00:00Z"),
        ("2025/ni_cve-2025-2629.json", "2025-04-09T06:00:00Z"),
    ]
    _changes(base, rows)
    out = io.StringIO()
    first = import_sources([url + "csaf/"], stdout=out)
    assert first == {"imported": 2, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    provider = Provider.objects.get(url=url + "csaf/")
    assert provider.cursor == {url + "csaf/": "2026-01-20T08:00:00Z"}
    assert "2 of 2 changes to fetch" in out.getvalue()

    _publish(base, "2026/ncsc-2026-0003.json", (ncsc_dir / "2026/ncsc-2026-0003.json").read_bytes())
    _changes(base, [*rows, ("2026/ncsc-2026-0003.json", "2026-01-27T17:00:00Z")])
    second = import_sources([url + "csaf/"])
    assert second == {"imported": 1, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    provider.refresh_from_db()
    assert provider.cursor[url + "csaf/"] == "2026-01-27T17:00:00Z"
    assert import_sources([url + "csaf/"]) == {
        "imported": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [],
    }


@pytest.mark.django_db
def test_hash_mismatch_rejects_and_stores_nothing(http_root, ncsc_dir):
    root, url = http_root
    raw = (ncsc_dir / "2026/ncsc-2026-0002.json").read_bytes()
    _publish(root, "2026/ncsc-2026-0002.json", raw, hash_file=False)
    (root / "2026/ncsc-2026-0002.json.sha256").write_text(hashlib.sha256(raw + b" ").hexdigest() + "\n")
    _changes(root, [("2026/ncsc-2026-0002.json", "2026-01-20T08:00:00Z")])
    result = import_sources([url])
    assert result["rejected"] == 1
    assert result["errors"] == [{"source": url + "2026/ncsc-2026-0002.json", "reason": "hash mismatch"}]
    assert AdvisoryRevision.objects.count() == 0
    # A correct .sha256 is accepted.
    (root / "2026/ncsc-2026-0002.json.sha256").write_text(
        hashlib.sha256(raw).hexdigest() + "  ncsc-2026-0002.json\n"
    )
    Provider.objects.all().delete()
    assert import_sources([url])["imported"] == 1


@pytest.mark.django_db
def test_openpgp_signatures_are_checked_against_the_provider_key(http_root, ncsc_dir):
    root, url = http_root
    tsk = pysequoia.Tsk.generate("NCSC test <csaf@ncsc.example>")
    cert = tsk.extract_certificate()
    stranger = pysequoia.Tsk.generate("Someone else <x@example.org>")
    (root / "key.asc").write_text(str(cert))
    metadata = {
        "canonical_url": url + "provider-metadata.json",
        "distributions": [{"directory_url": url + "csaf/"}],
        "last_updated": "2026-02-05T12:00:00Z",
        "list_on_CSAF_aggregators": True,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": True,
        "public_openpgp_keys": [{"fingerprint": cert.fingerprint.upper(), "url": url + "key.asc"}],
        "publisher": {
            "category": "coordinator",
            "name": "Nationaal Cyber Security Centrum",
            "namespace": "https://www.ncsc.nl",
        },
        "role": "csaf_trusted_provider",
    }
    (root / "provider-metadata.json").write_text(json.dumps(metadata))
    base = root / "csaf"
    good, bad, unsigned = ((ncsc_dir / f"2026/ncsc-2026-000{n}.json").read_bytes() for n in (2, 3, 4))
    _publish(base, "2026/good.json", good)
    (base / "2026/good.json.asc").write_bytes(
        pysequoia.sign(tsk.signer(), good, mode=pysequoia.SignatureMode.DETACHED)
    )
    _publish(base, "2026/bad.json", bad)
    (base / "2026/bad.json.asc").write_bytes(
        pysequoia.sign(stranger.signer(), bad, mode=pysequoia.SignatureMode.DETACHED)
    )
    _publish(base, "2026/unsigned.json", unsigned)
    _changes(base, [("2026/good.json", "2026-01-20T08:00:00Z"), ("2026/bad.json", "2026-01-27T17:00:00Z"),
                    ("2026/unsigned.json", "2026-02-03T10:00:00Z")])  # fmt: skip
    result = import_sources([url + "provider-metadata.json"])
    assert (result["imported"], result["rejected"]) == (2, 1)
    assert result["errors"] == [{"source": url + "csaf/2026/bad.json", "reason": "bad signature"}]
    assert set(Advisory.objects.values_list("tracking_id", flat=True)) == {"NCSC-2026-0002", "NCSC-2026-0004"}
    provider = Provider.objects.get(url=url + "provider-metadata.json")
    assert provider.name == "Nationaal Cyber Security Centrum"
    assert provider.cursor == {url + "csaf/": "2026-02-03T10:00:00Z"}

    # A signature over other bytes (a tampered document) is bad too.
    _publish(base, "2026/tampered.json", good.replace(b"FortiOS", b"FortiOZ"))
    (base / "2026/tampered.json.asc").write_bytes((base / "2026/good.json.asc").read_bytes())
    _changes(base, [("2026/tampered.json", "2026-03-01T00:00:00Z")])
    assert import_sources([url + "provider-metadata.json"])["errors"][0]["reason"] == "bad signature"


@pytest.mark.django_db
def test_single_document_url_and_unsupported_scheme(http_root, ncsc_dir):
    root, url = http_root
    _publish(root, "ncsc-2026-0003.json", (ncsc_dir / "2026/ncsc-2026-0003.json").read_bytes())
    assert import_sources([url + "ncsc-2026-0003.json"])["imported"] == 1
    result = import_sources(["ftp://127.0.0.1/x.json", url + "missing.json"])
    assert [e["reason"] for e in result["errors"]] == ["only http and https are supported", "HTTP 404"]


@pytest.mark.django_db
def test_import_command_prints_the_json_result_last(ncsc_dir, tmp_path):
    out = io.StringIO()
    call_command("import_csaf", str(ncsc_dir), str(tmp_path / "nothing-here"), stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) > 1  # progress first
    result = json.loads(lines[-1])
    assert list(result) == RESULT_KEYS
    assert (result["imported"], result["rejected"]) == (5, 0)
    assert result["errors"] == [{"source": str(tmp_path / "nothing-here"), "reason": "not found"}]


@pytest.mark.django_db
def test_providers_poll_covers_configured_and_enabled_providers(http_root, ncsc_dir, settings):
    root, url = http_root
    base = root / "feed"
    _publish(base, "2026/ncsc-2026-0002.json", (ncsc_dir / "2026/ncsc-2026-0002.json").read_bytes())
    _changes(base, [("2026/ncsc-2026-0002.json", "2026-01-20T08:00:00Z")])
    Provider.objects.create(name="uit", url="http://127.0.0.1:9/never/", enabled=False)
    settings.DTC_CSAF_PROVIDERS = [url + "feed/"]
    result = providers_poll()
    assert list(result) == RESULT_KEYS
    assert result["imported"] == 1
    provider = Provider.objects.get(url=url + "feed/")
    assert provider.last_polled_at is not None
    assert provider.last_result["imported"] == 1
    assert Provider.objects.get(name="uit").last_polled_at is None


# Every file of the shared folder, walked as one local tree: the 48 valid advisories are imported, the
# two measured failures rejected for their test, and every other JSON file (provider metadata,
# schemas) rejected as "not a CSAF document" with what it is; index.txt, changes.csv and the ROLIE
# feeds are recognised as distribution files and not read as advisories.
EXPECTED_REASONS = {
    "advisories/cisa-ot/icsa-24-116-04.json": "6.1.31: product_version name `R210.X` appears to be a version range",
    "advisories/ni/ni_cve-2024-12740.json": "schema: 'cpe:2.3:a:ni:vision_builder_for_automated_inspection_(vbai)",
    "distribution/ni-provider-metadata.json": "not a CSAF document: CSAF provider metadata",
    "distribution/oasis-example-provider-metadata.json": "not a CSAF document: CSAF provider metadata",
    "distribution/stackable-provider-metadata.json": "not a CSAF document: CSAF provider metadata",
    "schema/aggregator_json_schema.json": "not a CSAF document: a JSON schema",
    "schema/csaf_json_schema.json": "not a CSAF document: a JSON schema",
    "schema/provider_json_schema.json": "not a CSAF document: a JSON schema",
    "schema/first/cvss-v2.0.json": "not a CSAF document: a JSON schema",
    "schema/first/cvss-v3.0.json": "not a CSAF document: a JSON schema",
    "schema/first/cvss-v3.1.json": "not a CSAF document: a JSON schema",
}


@pytest.mark.django_db
def test_every_file_of_the_shared_folder_has_a_stated_outcome(csaf_data_dir):
    from dtc.advisories.models import Advisory

    result = import_sources([str(csaf_data_dir)])
    reasons = {
        str(Path(error["source"]).resolve().relative_to(csaf_data_dir.resolve())): error["reason"]
        for error in result["errors"]
    }
    assert set(reasons) == set(EXPECTED_REASONS)
    for name, expected in EXPECTED_REASONS.items():
        assert reasons[name].startswith(expected), (name, reasons[name])
    assert (result["imported"], result["rejected"]) == (48, len(EXPECTED_REASONS))
    assert Advisory.objects.count() == 48
