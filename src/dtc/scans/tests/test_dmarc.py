"""DMARC (RFC 9989): one record, found at the domain or by the DNS tree walk; p=none warns, quarantine and
reject pass; sp/np/t judged; report destinations outside the organisation need an authorisation record.
A DNS failure is "not tested", never a fail. Every finding code comes from a real loopback DNS zone."""

from __future__ import annotations

import pytest

from dtc.scans.checks import dmarc
from dtc.scans.checks.base import Outcome
from dtc.scans.checks.dmarc import DmarcData, TxtLookup
from dtc.scans.testing.assertions import (
    assert_advice_complete,
    assert_finding,
    assert_registered,
    by_code,
    codes_of,
)
from dtc.scans.testing.assertions import scan as scan_check

ZONE = """
$ORIGIN test.
@ 300 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300
_dmarc.good 300 IN TXT "v=DMARC1; p=reject; sp=reject; rua=mailto:dmarc@good.test"
_dmarc.quarantine 300 IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@quarantine.test"
_dmarc.none 300 IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@none.test"
_dmarc.nop 300 IN TXT "v=DMARC1; rua=mailto:dmarc@nop.test"
missing 300 IN A 192.0.2.1
_dmarc.multi 300 IN TXT "v=DMARC1; p=reject"
_dmarc.multi 300 IN TXT "v=DMARC1; p=none"
_dmarc.invalid 300 IN TXT "v=DMARC1; p=block"
_dmarc.testing 300 IN TXT "v=DMARC1; p=reject; t=y; rua=mailto:dmarc@testing.test"
_dmarc.spnone 300 IN TXT "v=DMARC1; p=reject; sp=none; rua=mailto:dmarc@spnone.test"
_dmarc.npnone 300 IN TXT "v=DMARC1; p=reject; np=none; rua=mailto:dmarc@npnone.test"
_dmarc.parent 300 IN TXT "v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@parent.test"
shop.parent 300 IN A 192.0.2.1
_dmarc.norua 300 IN TXT "v=DMARC1; p=reject"
_dmarc.baduri 300 IN TXT "v=DMARC1; p=reject; rua=dmarc@baduri.test"
_dmarc.external 300 IN TXT "v=DMARC1; p=reject; rua=mailto:reports@vendor.test"
_dmarc.authorised 300 IN TXT "v=DMARC1; p=reject; rua=mailto:reports@vendor.test; ruf=mailto:f@vendor.test"
authorised.test._report._dmarc.vendor 300 IN TXT "v=DMARC1"
_dmarc.wildauth 300 IN TXT "v=DMARC1; p=reject; rua=mailto:reports@bigvendor.test"
*._report._dmarc.bigvendor 300 IN TXT "v=DMARC1"
_dmarc.slowauth 300 IN TXT "v=DMARC1; p=reject; rua=mailto:reports@slowvendor.test"
_dmarc.psdzone 300 IN TXT "v=DMARC1; p=reject; psd=y"
biz.psdzone 300 IN A 192.0.2.1
_dmarc.org 300 IN TXT "v=DMARC1; p=reject; psd=n"
a.org 300 IN A 192.0.2.1
_dmarc.mid.org2 300 IN TXT "v=DMARC1; p=none"
_dmarc.org2 300 IN TXT "v=DMARC1; p=reject"
x.mid.org2 300 IN A 192.0.2.1
_dmarc.good2 300 IN TXT "v=DMARC1; p=reject"
_dmarc.shop.good2 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good2.test"
"""

SLOW = "_dmarc.slow.test"
REFUSED = "_dmarc.refused.test"
SLOW_AUTH = "slowauth.test._report._dmarc.slowvendor.test"


@pytest.fixture(scope="module")
def dns(dns_zone):
    return dns_zone(ZONE, delays={SLOW: 3.0, SLOW_AUTH: 3.0}, refuse=[REFUSED], timeout=1.0)


def scan(domain, context):
    return scan_check(dmarc, domain, context=context)


# (domain, code that must appear, its outcome): end to end through the loopback zone.
CASES = [
    ("good.test", "dmarc.policy_enforced", Outcome.PASS),
    ("good.test", "dmarc.reports_ok", Outcome.PASS),
    ("quarantine.test", "dmarc.policy_enforced", Outcome.PASS),
    ("none.test", "dmarc.policy_none", Outcome.WARN),
    ("nop.test", "dmarc.policy_none", Outcome.WARN),
    ("missing.test", "dmarc.missing", Outcome.FAIL),
    ("multi.test", "dmarc.multiple", Outcome.FAIL),
    ("invalid.test", "dmarc.invalid", Outcome.FAIL),
    ("testing.test", "dmarc.testing", Outcome.WARN),
    ("spnone.test", "dmarc.subdomain_none", Outcome.WARN),
    ("spnone.test", "dmarc.nonexistent_none", Outcome.WARN),
    ("npnone.test", "dmarc.nonexistent_none", Outcome.WARN),
    ("shop.parent.test", "dmarc.inherited", Outcome.INFO),
    ("norua.test", "dmarc.no_reports", Outcome.INFO),
    ("baduri.test", "dmarc.report_uri_invalid", Outcome.WARN),
    ("external.test", "dmarc.report_unauthorised", Outcome.WARN),
    ("authorised.test", "dmarc.reports_ok", Outcome.PASS),
    ("slow.test", "dmarc.not_tested", Outcome.NOT_TESTED),
    ("refused.test", "dmarc.not_tested", Outcome.NOT_TESTED),
]


@pytest.mark.parametrize(("domain", "code", "outcome"), CASES)
def test_zone_fixture_produces_code(domain, code, outcome, context):
    assert_finding(scan(domain, context), code, outcome)


def test_every_advice_code_has_a_zone_fixture_and_complete_advice():
    assert_advice_complete(dmarc, codes_of(CASES))


def test_registered_as_scored_mail_check():
    assert_registered(dmarc, category="mail", scored=True)


# --- policies --------------------------------------------------------------------------------------


def test_reject_with_own_reports_passes_without_warnings(context):
    findings = scan("good.test", context)
    assert {f.outcome for f in findings} == {Outcome.PASS}
    assert by_code(findings)["dmarc.policy_enforced"].detail["policy"] == "reject"


def test_missing_p_counts_as_none(context):
    finding = by_code(scan("nop.test", context))["dmarc.policy_none"]
    assert finding.detail["p_missing"] is True


def test_invalid_policy_without_rua_is_ignored_by_receivers(context):
    finding = by_code(scan("invalid.test", context))["dmarc.invalid"]
    assert finding.detail["invalid"] == ["p=block"]
    assert finding.detail["treated_as"] == "ignored"


def test_testing_mode_lowers_the_applied_policy(context):
    findings = by_code(scan("testing.test", context))
    assert findings["dmarc.testing"].detail["applied_as"] == "quarantine"
    assert findings["dmarc.policy_enforced"].outcome == Outcome.PASS


def test_np_inherits_sp_none(context):
    finding = by_code(scan("spnone.test", context))["dmarc.nonexistent_none"]
    assert finding.detail["np_from"] == "sp"


def test_multiple_records_fail_even_if_one_is_strict(context):
    findings = scan("multi.test", context)
    assert [f.code for f in findings] == ["dmarc.multiple"]


# --- tree walk -------------------------------------------------------------------------------------


def test_subdomain_inherits_sp_of_organisational_domain(context):
    findings = by_code(scan("shop.parent.test", context))
    assert findings["dmarc.inherited"].subject == "_dmarc.parent.test"
    enforced = findings["dmarc.policy_enforced"]
    assert enforced.detail["policy"] == "quarantine" and enforced.detail["policy_tag"] == "sp"


def test_intermediate_record_is_skipped_for_the_organisational_domain(context):
    """RFC 9989 §4.10.1: the Author Domain's or the Organizational Domain's record applies, and §4.10.2
    picks the record with the fewest labels as the Organizational Domain."""
    findings = by_code(scan("x.mid.org2.test", context))
    assert findings["dmarc.inherited"].subject == "_dmarc.org2.test"
    assert findings["dmarc.policy_enforced"].detail["policy"] == "reject"


def test_psd_n_stops_the_walk(dns, context):
    before = len(dns.server.queries)
    findings = by_code(scan("a.org.test", context))
    asked = [name for name, _type in dns.server.queries[before:]]
    assert asked == ["_dmarc.a.org.test.", "_dmarc.org.test."]
    assert findings["dmarc.inherited"].detail["organisational_domain"] == "org.test"


def test_public_suffix_policy_alone_is_missing(context):
    finding = by_code(scan("biz.psdzone.test", context))["dmarc.missing"]
    assert finding.outcome == Outcome.FAIL
    assert finding.detail["psd_record_at"] == "_dmarc.psdzone.test"


def test_tree_walk_names_follow_rfc_example():
    names = dmarc.tree_walk_names("a.b.c.d.e.f.g.h.i.j.mail.example.com")
    assert names == ["a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com",
                     "h.i.j.mail.example.com", "i.j.mail.example.com", "j.mail.example.com",
                     "mail.example.com", "example.com", "com"]
    assert dmarc.tree_walk_names("example.nl") == ["example.nl", "nl"]


def test_organisational_domain_with_psd_y_is_one_label_below():
    walk = (TxtLookup("a.mail.example.com", "nxdomain"), TxtLookup("mail.example.com", "nxdomain"),
            TxtLookup("example.com", "nxdomain"), TxtLookup("com", "ok", ("v=DMARC1; p=reject; psd=y",)))
    discovery = dmarc.discover("a.mail.example.com", walk)
    assert discovery.organisational_domain == "example.com"
    assert discovery.from_psd


# --- reports ---------------------------------------------------------------------------------------


def test_external_destination_needs_authorisation(dns, context):
    before = len(dns.server.queries)
    finding = by_code(scan("external.test", context))["dmarc.report_unauthorised"]
    assert finding.subject == "vendor.test"
    assert finding.detail["authorisation_name"] == "external.test._report._dmarc.vendor.test"
    assert ("external.test._report._dmarc.vendor.test.", "TXT") in dns.server.queries[before:]


def test_authorisation_by_wildcard_record(context):
    findings = by_code(scan("wildauth.test", context))
    assert findings["dmarc.reports_ok"].detail["external_authorised"] == ["bigvendor.test"]


def test_destination_in_own_organisation_needs_no_authorisation(dns, context):
    before = len(dns.server.queries)
    findings = by_code(scan("shop.good2.test", context))
    assert "dmarc.reports_ok" in findings
    assert not [name for name, _type in dns.server.queries[before:] if "_report" in name]


# --- could not test --------------------------------------------------------------------------------


def test_slow_dns_is_not_tested_never_fail(context):
    findings = scan("slow.test", context)
    assert [f.outcome for f in findings] == [Outcome.NOT_TESTED]
    assert findings[0].detail["error"] == "timeout"


def test_refused_dns_is_not_tested(context):
    findings = scan("refused.test", context)
    assert [f.outcome for f in findings] == [Outcome.NOT_TESTED]
    assert findings[0].detail["error"] == "refused"


def test_slow_authorisation_lookup_is_not_tested_not_unauthorised(context):
    findings = by_code(scan("slowauth.test", context))
    assert findings["dmarc.not_tested"].subject == SLOW_AUTH
    assert "dmarc.report_unauthorised" not in findings
    assert findings["dmarc.policy_enforced"].outcome == Outcome.PASS


# --- pure judgement on canned data -----------------------------------------------------------------


def test_top_level_domain_failure_does_not_block_the_verdict():
    data = DmarcData(domain="example.nl", walk=(TxtLookup("example.nl", "nxdomain"), TxtLookup("nl", "servfail")))
    assert [f.code for f in dmarc.evaluate(data)] == ["dmarc.missing"]


def test_parent_failure_without_own_record_is_not_tested():
    data = DmarcData(domain="shop.example.nl", walk=(TxtLookup("shop.example.nl", "nxdomain"),
                                                     TxtLookup("example.nl", "timeout"),
                                                     TxtLookup("nl", "nxdomain")))
    findings = dmarc.evaluate(data)
    assert [(f.code, f.outcome) for f in findings] == [("dmarc.not_tested", Outcome.NOT_TESTED)]


def test_non_dmarc_txt_records_are_discarded():
    data = DmarcData(domain="example.nl", walk=(
        TxtLookup("example.nl", "ok", ("v=spf1 -all", "v=DMARC1; p=reject; rua=mailto:d@example.nl",
                                       " v=DMARC1; p=none")),
        TxtLookup("nl", "nxdomain")))
    codes = [f.code for f in dmarc.evaluate(data)]
    assert "dmarc.multiple" not in codes and "dmarc.policy_enforced" in codes


def test_version_is_case_sensitive_and_first():
    assert dmarc.is_dmarc_record("v=DMARC1;p=reject")
    assert dmarc.is_dmarc_record("v = DMARC1 ; p=reject")
    assert not dmarc.is_dmarc_record("v=dmarc1; p=reject")
    assert not dmarc.is_dmarc_record("p=reject; v=DMARC1")


def test_invalid_policy_with_rua_is_treated_as_none():
    data = DmarcData(domain="example.nl", walk=(
        TxtLookup("example.nl", "ok", ("v=DMARC1; p=reject; sp=maybe; rua=mailto:d@example.nl",)),
        TxtLookup("nl", "nxdomain")))
    finding = by_code(dmarc.evaluate(data))["dmarc.invalid"]
    assert finding.detail["treated_as"] == "p=none" and finding.detail["invalid"] == ["sp=maybe"]


def test_report_uri_size_suffix_and_https_are_understood():
    record = dmarc.parse_record("v=DMARC1; p=reject; rua=mailto:a@x.example!10m, https://r.example/dmarc")
    assert [(u.tag, u.host) for u in dmarc.report_uris(record)] == [("rua", "x.example"), ("rua", "r.example")]


def test_missing_authorisation_lookup_is_not_tested():
    data = DmarcData(domain="example.nl", walk=(
        TxtLookup("example.nl", "ok", ("v=DMARC1; p=reject; rua=mailto:d@vendor.example",)),
        TxtLookup("nl", "nxdomain")), authorisations=())
    finding = by_code(dmarc.evaluate(data))["dmarc.not_tested"]
    assert finding.outcome == Outcome.NOT_TESTED and finding.detail["destination"] == "vendor.example"
