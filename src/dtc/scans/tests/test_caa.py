"""web.caa (RFC 8659, advice only): the CAA records that apply are found by climbing the tree; issue,
issuewild and iodef are parsed; a critical flag on an unknown tag blocks certificates; a lookup that
fails is "not tested", never a fail. End to end against a real DNS server on loopback."""

from __future__ import annotations

import pytest

from dtc.scans.checks import caa
from dtc.scans.checks.base import Outcome
from dtc.scans.checks.registry import run
from dtc.scans.testing.assertions import assert_advice_complete, assert_registered, codes_of, outcomes, scan
from dtc.scans.testing.dnsserver import zone

ZONES = "\n".join([
    zone("test"),  # the TLD answers "no CAA", as real TLDs do
    zone("good.test",
         '@ 300 IN CAA 0 issue "letsencrypt.org; validationmethods=dns-01"',
         '@ 300 IN CAA 0 issuewild ";"',
         '@ 300 IN CAA 0 iodef "mailto:security@good.test"',
         '@ 300 IN CAA 0 contactemail "security@good.test"',
         'www 300 IN A 192.0.2.50'),
    zone("none.test", '@ 300 IN A 192.0.2.51'),
    zone("noissue.test", '@ 300 IN CAA 0 iodef "https://good.test/caa-report"'),
    zone("invalid.test", '@ 300 IN CAA 0 issue "letsencrypt.org; not a parameter"',
         '@ 300 IN CAA 0 iodef "ftp://invalid.test/report"'),
    zone("critical.test", '@ 300 IN CAA 0 issue "sectigo.com"', '@ 300 IN CAA 128 tbs "unknown"'),
    zone("slow.test", '@ 300 IN CAA 0 issue "letsencrypt.org"'),
    zone("refused.test", '@ 300 IN CAA 0 issue "letsencrypt.org"'),
])


@pytest.fixture(scope="module")
def dns(dns_zone):
    return dns_zone(ZONES, delays={"slow.test": 1.5}, refuse=["refused.test"], timeout=0.5)


SCENARIOS = {
    "good.test": {"caa.ok": Outcome.PASS},
    "www.good.test": {"caa.ok": Outcome.PASS},
    "deep.sub.good.test": {"caa.ok": Outcome.PASS},
    "none.test": {"caa.missing": Outcome.WARN},
    "noissue.test": {"caa.no_issue": Outcome.WARN},
    "invalid.test": {"caa.invalid": Outcome.WARN},
    "critical.test": {"caa.unknown_critical": Outcome.FAIL},
    "slow.test": {"caa.error": Outcome.NOT_TESTED},
    "refused.test": {"caa.error": Outcome.NOT_TESTED},
}


@pytest.mark.parametrize("domain", sorted(SCENARIOS))
def test_scenario_end_to_end(domain, context):
    assert outcomes(scan(caa, domain, context=context)) == SCENARIOS[domain]


def test_records_are_parsed(context):
    [finding] = run("web.caa", "good.test", context=context)
    assert finding.detail == {"found_at": "good.test", "inherited": False, "issue": ["letsencrypt.org"],
                              "issuewild": [";"], "iodef": ["mailto:security@good.test"]}


@pytest.mark.parametrize("name", ["www.good.test", "deep.sub.good.test"])
def test_climbs_to_the_parent(name, dns, context):
    before = len(dns.server.queries)
    [finding] = run("web.caa", name, context=context)
    assert finding.subject == "good.test" and finding.detail["inherited"] is True
    asked = [qname for qname, qtype in dns.server.queries[before:] if qtype == "CAA"]
    assert asked[0] == name + "." and asked[-1] == "good.test."


def test_climb_stops_before_the_root(dns, context):
    before = len(dns.server.queries)
    assert caa.collect("none.test", context=context).status == "none"
    assert [qname for qname, _type in dns.server.queries[before:]] == ["none.test.", "test."]


def test_both_invalid_records_are_reported(context):
    findings = run("web.caa", "invalid.test", context=context)
    assert sorted(f.detail["record"] for f in findings) == [
        '0 iodef "ftp://invalid.test/report"', '0 issue "letsencrypt.org; not a parameter"']


def test_lookup_failures_are_never_a_fail(context):
    for domain in ("slow.test", "refused.test"):
        [finding] = run("web.caa", domain, context=context)
        assert finding.outcome == Outcome.NOT_TESTED
    assert caa.collect("slow.test", context=context).status == "timeout"
    assert caa.collect("refused.test", context=context).status == "refused"


# --- pure evaluate() on canned data ---------------------------------------------------------------


def _data(*records: tuple[int, str, str]) -> caa.CaaData:
    return caa.CaaData(domain="x.test", status="found", found_at="x.test",
                       records=tuple(caa.CaaRecord(flags, tag, value) for flags, tag, value in records))


def _codes(data: caa.CaaData) -> dict[str, Outcome]:
    return outcomes(caa.evaluate(data))


def test_tags_match_case_insensitively():
    assert _codes(_data((0, "ISSUE", "letsencrypt.org"))) == {"caa.ok": Outcome.PASS}


def test_critical_flag_on_a_known_tag_is_fine():
    assert _codes(_data((128, "issue", "letsencrypt.org"))) == {"caa.ok": Outcome.PASS}


def test_critical_flag_on_a_newer_tag_blocks_issuance():
    data = _data((0, "issue", "letsencrypt.org"), (128, "issuemail", "letsencrypt.org"))
    assert _codes(data) == {"caa.unknown_critical": Outcome.FAIL}


def test_unknown_tags_without_critical_flag_are_ignored():
    assert _codes(_data((0, "issue", "pki.goog"), (0, "policy", "x"))) == {"caa.ok": Outcome.PASS}


def test_no_ca_at_all_is_valid():
    [finding] = caa.evaluate(_data((0, "issue", ";")))
    assert finding.code == "caa.ok" and finding.detail["issue"] == [";"]


def test_only_issuewild_does_not_restrict_ordinary_certificates():
    assert _codes(_data((0, "issuewild", "letsencrypt.org"))) == {"caa.no_issue": Outcome.WARN}


@pytest.mark.parametrize("value", [
    "letsencrypt.org", " letsencrypt.org ", ";", "letsencrypt.org;", "letsencrypt.org; accounturi=https://x/acct/1",
    "ca.example; a=1; b-c=2", "digicert.com;cansignhttpexchanges=yes", "",
])
def test_valid_issue_values(value):
    assert caa._ISSUE_VALUE.match(value)


@pytest.mark.parametrize("value", [
    "letsencrypt.org; not a parameter", "letsencrypt.org; a=1;", "-bad.example", "lets encrypt.org",
    "letsencrypt.org; =1", "ca.example; a=x;y",
])
def test_invalid_issue_values(value):
    assert not caa._ISSUE_VALUE.match(value)


@pytest.mark.parametrize(("value", "valid"), [
    ("mailto:security@x.test", True), ("https://x.test/report", True), ("http://x.test/r", True),
    ("mailto:nobody", False), ("ftp://x.test/r", False), ("security@x.test", False), ("https://", False),
])
def test_iodef_values(value, valid):
    assert caa._valid_iodef(value) is valid


# --- registry and advice --------------------------------------------------------------------------


def test_registered_as_advice_only_web_check():
    assert_registered(caa, category="web", scored=False)


def test_every_code_has_advice_and_every_advice_is_reachable():
    assert_advice_complete(caa, codes_of(SCENARIOS), with_message=codes_of(SCENARIOS, Outcome.FAIL, Outcome.WARN))
