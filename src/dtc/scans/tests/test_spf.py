"""mail.spf (RFC 7208): exactly one v=spf1 record without syntax errors, also in every record reached
through include/redirect; at most 10 DNS-querying terms and 2 void lookups, counted through the whole
tree; "-all" or "~all" passes (as internet.nl), "?all", no "all" and "+all" fail; "ptr" warns; a
domain that receives no mail is advised "v=spf1 -all". Timeouts are "not tested", never a fail.

The end-to-end scenarios run against one loopback DNS server holding many zones, so include chains
cross zones as they do on the internet."""

from __future__ import annotations

import pytest

from dtc.scans.checks import spf
from dtc.scans.checks.base import Outcome
from dtc.scans.testing.assertions import (
    assert_advice_complete,
    assert_registered,
    by_code,
    codes_of,
    outcomes,
    scan,
)
from dtc.scans.testing.dnsserver import zone

ZONES = "\n".join([
    zone("test"),
    # a mail provider, included by many customers
    zone("provider.test",
         '_spf 300 IN TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all"',
         'bad 300 IN TXT "v=spf1 foo:bar -all"',
         'nospf 300 IN TXT "google-site-verification=abc"',
         'slow 300 IN TXT "v=spf1 ip4:192.0.2.1 -all"'),
    zone("good.test",
         '@ 300 IN MX 10 mail.good.test.',
         'mail 300 IN A 192.0.2.20',
         '@ 300 IN TXT "v=spf1 mx include:_spf.provider.test -all"',
         '@ 300 IN TXT "some-other-verification=xyz"'),
    zone("soft.test", '@ 300 IN MX 10 mail.good.test.', '@ 300 IN TXT "v=spf1 ip4:192.0.2.1 ~all"'),
    zone("none.test", '@ 300 IN MX 10 mail.good.test.', '@ 300 IN TXT "v=spf10 -all"'),
    zone("parked.test", '@ 300 IN MX 0 .'),
    zone("parkedok.test", '@ 300 IN MX 0 .', '@ 300 IN TXT "v=spf1 -all"'),
    zone("parkedloose.test", '@ 300 IN MX 0 .', '@ 300 IN A 192.0.2.21', '@ 300 IN TXT "v=spf1 a ~all"'),
    zone("multi.test", '@ 300 IN MX 10 mail.good.test.', '@ 300 IN TXT "v=spf1 ip4:192.0.2.1 -all"',
         '@ 300 IN TXT "v=spf1 include:_spf.provider.test -all"'),
    zone("syntax.test", '@ 300 IN MX 10 mail.good.test.', '@ 300 IN TXT "v=spf1 ip4:192.0.2.300 -all"'),
    zone("nestedsyntax.test", '@ 300 IN MX 10 mail.good.test.',
         '@ 300 IN TXT "v=spf1 include:bad.provider.test -all"'),
    # 11 DNS-querying terms over four zones: chain(2) + s1.one(3) + s3.three(3) + s2.two(3)
    zone("chain.test", '@ 300 IN MX 10 mail.good.test.',
         '@ 300 IN TXT "v=spf1 include:s1.one.test include:s2.two.test -all"'),
    zone("one.test", '@ 300 IN MX 10 mail.good.test.',
         's1 300 IN A 192.0.2.31', 's1 300 IN MX 10 mail.good.test.',
         's1 300 IN TXT "v=spf1 a mx include:s3.three.test ~all"'),
    zone("two.test", 's2 300 IN TXT "v=spf1 exists:e.two.test mx:one.test a:h.three.test ~all"',
         'e 300 IN A 127.0.0.2'),
    zone("three.test", 'h 300 IN A 192.0.2.33',
         's3 300 IN TXT "v=spf1 a:h.three.test a:h.three.test a:h.three.test ~all"'),
    # exactly 10: the same tree without one term
    zone("ten.test", '@ 300 IN MX 10 mail.good.test.',
         '@ 300 IN TXT "v=spf1 include:s1.one.test include:s4.ten.test -all"',
         's4 300 IN TXT "v=spf1 exists:e.two.test a:h.three.test ~all"'),
    zone("void.test", '@ 300 IN MX 10 mail.good.test.', 'nomx 300 IN A 192.0.2.40',
         '@ 300 IN TXT "v=spf1 a:nx1.void.test a:nx2.void.test mx:nomx.void.test -all"'),
    zone("inclmissing.test", '@ 300 IN MX 10 mail.good.test.',
         '@ 300 IN TXT "v=spf1 include:nospf.provider.test -all"'),
    zone("redirmissing.test", '@ 300 IN MX 10 mail.good.test.',
         '@ 300 IN TXT "v=spf1 redirect=gone.provider.test"'),
    zone("redirect.test", '@ 300 IN MX 10 mail.good.test.', '@ 300 IN TXT "v=spf1 redirect=_spf.provider.test"'),
    zone("loop.test", '@ 300 IN MX 10 mail.good.test.', '@ 300 IN TXT "v=spf1 include:loop2.test -all"'),
    zone("loop2.test", '@ 300 IN TXT "v=spf1 include:loop.test -all"'),
    zone("mxmany.test", '@ 300 IN TXT "v=spf1 mx -all"',
         *[f"@ 300 IN MX {n} mx{n}.mxmany.test." for n in range(1, 12)]),
    zone("ptr.test", '@ 300 IN MX 10 mail.good.test.', '@ 300 IN TXT "v=spf1 ptr -all"'),
    zone("allpass.test", '@ 300 IN MX 10 mail.good.test.', '@ 300 IN TXT "v=spf1 +all"'),
    zone("neutral.test", '@ 300 IN MX 10 mail.good.test.', '@ 300 IN TXT "v=spf1 ip4:192.0.2.1"'),
    zone("incomplete.test", '@ 300 IN MX 10 mail.good.test.',
         '@ 300 IN TXT "v=spf1 include:slow.provider.test -all"'),
    zone("slow.test", '@ 300 IN TXT "v=spf1 -all"'),
    zone("refused.test", '@ 300 IN TXT "v=spf1 -all"'),
])


@pytest.fixture(scope="module")
def dns(dns_zone):
    return dns_zone(ZONES, delays={"slow.test": 1.5, "slow.provider.test": 1.5}, refuse=["refused.test"],
                    timeout=0.5)


P, W, F, INFO, N = Outcome.PASS, Outcome.WARN, Outcome.FAIL, Outcome.INFO, Outcome.NOT_TESTED
SCENARIOS = {
    "good.test": {"spf.valid": P, "spf.policy_ok": P},
    "soft.test": {"spf.valid": P, "spf.policy_ok": P},
    "none.test": {"spf.missing": F},
    "parked.test": {"spf.missing_no_mail": F},
    "parkedok.test": {"spf.valid": P, "spf.policy_ok": P},
    "parkedloose.test": {"spf.valid": P, "spf.policy_ok": P, "spf.no_mail_advice": INFO},
    "multi.test": {"spf.multiple": F},
    "syntax.test": {"spf.syntax": F},
    "nestedsyntax.test": {"spf.syntax": F, "spf.policy_ok": P},
    "chain.test": {"spf.too_many_lookups": F, "spf.policy_ok": P},
    "ten.test": {"spf.valid": P, "spf.policy_ok": P},
    "void.test": {"spf.too_many_void_lookups": F, "spf.policy_ok": P},
    "inclmissing.test": {"spf.include_missing": F, "spf.policy_ok": P},
    "redirmissing.test": {"spf.include_missing": F},
    "redirect.test": {"spf.valid": P, "spf.policy_ok": P},
    "loop.test": {"spf.loop": F, "spf.policy_ok": P},
    "mxmany.test": {"spf.mx_too_many_hosts": F, "spf.policy_ok": P},
    "ptr.test": {"spf.valid": P, "spf.ptr": W, "spf.policy_ok": P},
    "allpass.test": {"spf.valid": P, "spf.all_pass": F},
    "neutral.test": {"spf.valid": P, "spf.all_neutral": F},
    "incomplete.test": {"spf.incomplete": N, "spf.policy_ok": P},
    "slow.test": {"spf.error": N},
    "refused.test": {"spf.error": N},
}


@pytest.mark.parametrize("domain", sorted(SCENARIOS))
def test_scenario_end_to_end(domain, context):
    assert outcomes(scan(spf, domain, context=context)) == SCENARIOS[domain]


def _by_code(domain, context):
    return by_code(scan(spf, domain, context=context))


def test_lookups_are_counted_through_include_chains_across_zones(context):
    assert _by_code("chain.test", context)["spf.too_many_lookups"].detail["lookups"] == 11
    assert _by_code("ten.test", context)["spf.valid"].detail["lookups"] == 10


def test_policy_is_reported_as_published(context):
    assert _by_code("good.test", context)["spf.policy_ok"].detail["all"] == "-all"
    assert _by_code("soft.test", context)["spf.policy_ok"].detail["all"] == "~all"
    # RFC 7208 §6.1: with redirect, the target's "all" applies
    assert _by_code("redirect.test", context)["spf.policy_ok"].detail["all"] == "~all"


def test_void_lookups_name_the_empty_names(context):
    finding = _by_code("void.test", context)["spf.too_many_void_lookups"]
    assert finding.detail["names"] == ["nx1.void.test", "nx2.void.test", "nomx.void.test"]


def test_nested_syntax_error_names_the_broken_record(context):
    assert _by_code("nestedsyntax.test", context)["spf.syntax"].subject == "bad.provider.test"


def test_missing_include_and_redirect_targets(context):
    include = _by_code("inclmissing.test", context)["spf.include_missing"]
    assert (include.subject, include.detail["mechanism"]) == ("nospf.provider.test", "include")
    redirect = _by_code("redirmissing.test", context)["spf.include_missing"]
    assert (redirect.subject, redirect.detail["mechanism"]) == ("gone.provider.test", "redirect")


def test_loop_is_shown(context):
    assert _by_code("loop.test", context)["spf.loop"].detail["loop"] == "loop.test -> loop2.test -> loop.test"


def test_parked_domain_is_told_the_record_to_publish(context):
    assert _by_code("parked.test", context)["spf.missing_no_mail"].detail["suggested"] == "v=spf1 -all"
    assert "v=spf1 -all" in str(spf.ADVICE["spf.missing_no_mail"].message)


def test_collect_asks_each_question_once(dns, context):
    before = len(dns.server.queries)
    spf.collect("chain.test", context=context)
    asked = dns.server.queries[before:]
    assert len(asked) == len(set(asked))
    assert ("h.three.test.", "A") in asked


def test_timeouts_are_never_a_fail(context):
    for domain in ("slow.test", "refused.test", "incomplete.test"):
        seen = set(outcomes(scan(spf, domain, context=context)).values())
        assert Outcome.FAIL not in seen and Outcome.NOT_TESTED in seen
    assert spf.collect("refused.test", context=context).facts["TXT refused.test"].status == "refused"


# --- pure evaluate() on canned data ---------------------------------------------------------------


def _data(record: str, **facts: spf.Lookup) -> spf.SpfData:
    base = {"TXT x.test": spf.Lookup("ok", (record,)), "MX x.test": spf.Lookup("ok", ("10 mail.x.test.",))}
    base.update({key.replace("__", " ").replace("_", "."): value for key, value in facts.items()})
    return spf.SpfData(domain="x.test", facts=base)


def _codes(data: spf.SpfData) -> dict[str, Outcome]:
    return outcomes(spf.evaluate(data))


OK_A = spf.Lookup("ok", ("192.0.2.1",))
NX = spf.Lookup("nxdomain")


def test_two_void_lookups_are_allowed():
    data = _data("v=spf1 a:n1.x.test a:n2.x.test -all", A__n1_x_test=NX, AAAA__n1_x_test=NX,
                 A__n2_x_test=NX, AAAA__n2_x_test=NX)
    assert _codes(data) == {"spf.valid": P, "spf.policy_ok": P}


def test_a_with_only_ipv6_is_not_void():
    data = _data("v=spf1 a:h.x.test a:h.x.test a:h.x.test -all", A__h_x_test=spf.Lookup("nodata"),
                 AAAA__h_x_test=spf.Lookup("ok", ("2001:db8::1",)))
    assert _codes(data) == {"spf.valid": P, "spf.policy_ok": P}


def test_question_all_is_neutral():
    assert _codes(_data("v=spf1 ip4:192.0.2.1 ?all"))["spf.all_neutral"] == F


def test_all_without_qualifier_is_pass_for_everyone():
    assert _codes(_data("v=spf1 all"))["spf.all_pass"] == F


def test_redirect_is_ignored_when_there_is_an_all():
    findings = {f.code: f for f in spf.evaluate(_data("v=spf1 -all redirect=gone.x.test"))}
    assert set(findings) == {"spf.valid", "spf.policy_ok"} and findings["spf.valid"].detail["lookups"] == 0


def test_terms_after_all_are_not_counted():
    data = _data("v=spf1 ip4:192.0.2.1 -all " + " ".join(["a:h.x.test"] * 12))
    assert _codes(data) == {"spf.valid": P, "spf.policy_ok": P}


def test_duplicate_includes_count_each_time():
    include = spf.Lookup("ok", ("v=spf1 a:h.x.test a:h.x.test a:h.x.test -all",))
    data = _data("v=spf1 include:i.x.test include:i.x.test include:i.x.test -all",
                 TXT__i_x_test=include, A__h_x_test=OK_A, AAAA__h_x_test=NX)
    [finding] = [f for f in spf.evaluate(data) if f.code == "spf.too_many_lookups"]
    assert finding.detail["lookups"] == 12


def test_runaway_tree_stops_counting():
    # every include points to itself under another name: the walk stops after WALK_STOP lookups
    facts = {f"TXT__i{n}_x_test": spf.Lookup("ok", (f"v=spf1 include:i{n + 1}.x.test -all",)) for n in range(40)}
    data = _data("v=spf1 include:i0.x.test -all", **facts)
    [finding] = [f for f in spf.evaluate(data) if f.code == "spf.too_many_lookups"]
    assert finding.detail["lookups"] == f">{spf.WALK_STOP}"


def test_macros_are_counted_not_followed():
    data = _data("v=spf1 exists:%{i}._spf.x.test include:%{d2}.x.test -all")
    findings = {f.code: f for f in spf.evaluate(data)}
    assert set(findings) == {"spf.valid", "spf.policy_ok"} and findings["spf.valid"].detail["lookups"] == 2


def test_include_target_with_two_records_is_a_syntax_error():
    data = _data("v=spf1 include:i.x.test -all", TXT__i_x_test=spf.Lookup("ok", ("v=spf1 -all", "v=spf1 ~all")))
    assert _codes(data)["spf.syntax"] == F


def test_missing_facts_are_not_tested_not_failed():
    assert _codes(_data("v=spf1 include:i.x.test -all")) == {"spf.incomplete": N, "spf.policy_ok": P}


def test_no_mx_counts_as_not_receiving_mail():
    data = spf.SpfData(domain="x.test", facts={"TXT x.test": spf.Lookup("nodata"), "MX x.test": NX})
    assert _codes(data) == {"spf.missing_no_mail": F}


def test_unknown_mx_gives_plain_missing():
    data = spf.SpfData(domain="x.test", facts={"TXT x.test": spf.Lookup("nodata"), "MX x.test": spf.Lookup("timeout")})
    assert _codes(data) == {"spf.missing": F}


def test_txt_with_spf_like_prefix_is_not_spf():
    assert not spf.is_spf("v=spf10 -all") and spf.is_spf("V=SPF1 -all") and spf.is_spf("v=spf1")


VALID = [
    "v=spf1",
    "v=spf1 -all",
    "v=spf1  ip4:192.0.2.0/24  -all",
    "v=spf1 ip6:2001:db8::/32 ip4:192.0.2.1 ~all",
    "v=spf1 a mx a/24 mx//64 a:mail.example.com/24//64 mx:example.com -all",
    "v=spf1 include:_spf.google.com include:spf.protection.outlook.com -all",
    "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all",
    "v=spf1 ptr:example.com ?all",
    "v=spf1 redirect=_spf.example.com",
    "v=spf1 -all exp=explain._spf.%{d}",
    "v=spf1 -all custom-modifier=whatever",
    "v=spf1 include:example.com.",
]
INVALID = [
    "v=spf1 ip4:192.0.2.300 -all",
    "v=spf1 ip4:2001:db8::1 -all",
    "v=spf1 ip6:192.0.2.1 -all",
    "v=spf1 ip4:192.0.2.0/33 -all",
    "v=spf1 ip4:192.0.2.1-all",
    "v=spf1 include -all",
    "v=spf1 include=example.com -all",
    "v=spf1 include:example -all",
    "v=spf1 include:192.0.2.1 -all",
    "v=spf1 foo:bar -all",
    "v=spf1 a/33 -all",
    "v=spf1 mx//129 -all",
    "v=spf1 exists:%{z}.example.com -all",
    "v=spf1 exists:100%.example.com -all",
    "v=spf1 redirect=a.example.com redirect=b.example.com",
    "v=spf1 -all exp=a.example.com exp=b.example.com",
    "v=spf1 allx",
    "v=spf1 -all:example.com",
]


@pytest.mark.parametrize("record", VALID)
def test_valid_syntax(record):
    assert spf.parse_record(record)[1] == []


@pytest.mark.parametrize("record", INVALID)
def test_invalid_syntax(record):
    assert spf.parse_record(record)[1], record


# --- registry and advice --------------------------------------------------------------------------


def test_registered_as_scored_mail_check():
    assert_registered(spf, category="mail", scored=True)


def test_every_code_has_advice_and_every_advice_is_reachable():
    assert_advice_complete(spf, codes_of(SCENARIOS), with_message=codes_of(SCENARIOS, F, W, INFO))
