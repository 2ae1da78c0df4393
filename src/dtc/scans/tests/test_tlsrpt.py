"""TLS-RPT (RFC 8460, advice only): exactly one `v=TLSRPTv1;` record at `_smtp._tls` with one `rua=` of
mailto:/https: URIs; extensions are allowed. Missing is information; broken warns; DNS failure is "not
tested". Every finding code comes from a real loopback DNS zone."""

from __future__ import annotations

import pytest

from dtc.scans.checks import tlsrpt
from dtc.scans.checks.base import Outcome
from dtc.scans.checks.tlsrpt import TlsRptData
from dtc.scans.testing.assertions import assert_advice_complete, assert_registered, codes_of
from dtc.scans.testing.assertions import scan as scan_check

ZONE = """
$ORIGIN test.
@ 300 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300
_smtp._tls.good 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@good.test,https://reports.good.test/tlsrpt"
_smtp._tls.good 300 IN TXT "some-other-verification=abc"
_smtp._tls.ext 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@ext.test; x-vendor=1;"
missing 300 IN A 192.0.2.1
_smtp._tls.multi 300 IN TXT "v=TLSRPTv1; rua=mailto:a@multi.test"
_smtp._tls.multi 300 IN TXT "v=TLSRPTv1; rua=mailto:b@multi.test"
_smtp._tls.norua 300 IN TXT "v=TLSRPTv1;"
_smtp._tls.baduri 300 IN TXT "v=TLSRPTv1; rua=tlsrpt@baduri.test"
"""


@pytest.fixture(scope="module")
def dns(dns_zone):
    return dns_zone(ZONE, delays={"_smtp._tls.slow.test": 3.0}, refuse=["_smtp._tls.refused.test"], timeout=1.0)


def scan(domain, context):
    [finding] = scan_check(tlsrpt, domain, context=context)
    return finding


CASES = [
    ("good.test", "tlsrpt.ok", Outcome.PASS),
    ("ext.test", "tlsrpt.ok", Outcome.PASS),
    ("missing.test", "tlsrpt.missing", Outcome.INFO),
    ("multi.test", "tlsrpt.multiple", Outcome.WARN),
    ("norua.test", "tlsrpt.invalid", Outcome.WARN),
    ("baduri.test", "tlsrpt.invalid", Outcome.WARN),
    ("slow.test", "tlsrpt.not_tested", Outcome.NOT_TESTED),
    ("refused.test", "tlsrpt.not_tested", Outcome.NOT_TESTED),
]


@pytest.mark.parametrize(("domain", "code", "outcome"), CASES)
def test_zone_fixture_produces_code(domain, code, outcome, context):
    finding = scan(domain, context)
    assert (finding.code, finding.outcome) == (code, outcome)


def test_every_advice_code_has_a_zone_fixture_and_complete_advice():
    assert_advice_complete(tlsrpt, codes_of(CASES))


def test_registered_as_advice_only():
    assert_registered(tlsrpt, category="mail", scored=False)


def test_ok_lists_report_uris(context):
    finding = scan("good.test", context)
    assert finding.subject == "_smtp._tls.good.test"
    assert finding.detail["rua"] == ["mailto:tlsrpt@good.test", "https://reports.good.test/tlsrpt"]


def test_problems_are_named(context):
    assert scan("norua.test", context).detail["problems"] == ["rua_missing"]
    assert scan("baduri.test", context).detail["problems"] == ["bad_uri: tlsrpt@baduri.test"]


def test_timeout_is_not_tested_never_fail(context):
    finding = scan("slow.test", context)
    assert finding.outcome == Outcome.NOT_TESTED and finding.detail["error"] == "timeout"


@pytest.mark.parametrize(("record", "problems"), [
    ("v=TLSRPTv1; rua=mailto:a@example.nl", []),
    ("v=TLSRPTv1;rua=mailto:a@example.nl;", []),
    ("v=TLSRPTv1; rua=mailto:a@example.nl; rua=mailto:b@example.nl", ["rua_repeated"]),
    ("v=TLSRPTv1 rua=mailto:a@example.nl", ["version", "rua_missing"]),
    ("v=TLSRPTv1; rua=ftp://example.nl/", ["bad_uri: ftp://example.nl/"]),
])
def test_record_grammar(record, problems):
    assert tlsrpt.record_problems(record)[1] == problems


def test_records_not_starting_with_version_are_discarded():
    data = TlsRptData(domain="example.nl", name="_smtp._tls.example.nl", status="ok",
                      records=(" v=TLSRPTv1; rua=mailto:a@example.nl",))
    assert tlsrpt.evaluate(data)[0].code == "tlsrpt.missing"
