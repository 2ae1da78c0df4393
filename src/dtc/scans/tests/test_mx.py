"""mail.mx: MX present and reachable, null MX (RFC 7505) means "no mail", MX must name a host with an
address — not a CNAME (RFC 2181 §10.3) or an IP address. Timeouts and refusals are "not tested", never
a fail. Every scenario runs end to end against a real DNS server on loopback."""

from __future__ import annotations

import pytest

from dtc.scans.checks import mx
from dtc.scans.checks.base import Outcome
from dtc.scans.checks.registry import run
from dtc.scans.testing.assertions import assert_advice_complete, assert_registered, codes_of, outcomes, scan
from dtc.scans.testing.dnsserver import zone

ZONES = "\n".join([
    zone("test"),
    zone("good.test", "@ 300 IN MX 10 mail.good.test.", "@ 300 IN MX 20 backup.good.test.",
         "mail 300 IN A 192.0.2.10", "mail 300 IN AAAA 2001:db8::10", "backup 300 IN A 192.0.2.11"),
    zone("nullmx.test", "@ 300 IN MX 0 ."),
    zone("nullmixed.test", "@ 300 IN MX 0 .", "@ 300 IN MX 10 mail.nullmixed.test.", "mail 300 IN A 192.0.2.12"),
    zone("nomx.test", "@ 300 IN A 192.0.2.13"),
    zone("iplit.test", "@ 300 IN MX 10 192.0.2.14."),
    zone("alias.test", "@ 300 IN MX 10 mx.alias.test.", "mx 300 IN CNAME mail.alias.test.",
         "mail 300 IN A 192.0.2.15"),
    zone("ghost.test", "@ 300 IN MX 10 gone.ghost.test.", "@ 300 IN MX 20 empty.ghost.test.",
         'empty 300 IN TXT "no address here"'),
    zone("slowhost.test", "@ 300 IN MX 10 mail.slowhost.test.", "mail 300 IN A 192.0.2.16"),
    zone("slow.test", "@ 300 IN MX 10 mail.good.test."),
    zone("refused.test", "@ 300 IN MX 10 mail.good.test."),
])


@pytest.fixture(scope="module")
def dns(dns_zone):
    return dns_zone(ZONES, delays={"slow.test": 1.5, "mail.slowhost.test": 1.5}, refuse=["refused.test"],
                    timeout=0.5)


# domain -> the finding codes it must give, and their outcomes
SCENARIOS = {
    "good.test": {"mx.ok": Outcome.PASS},
    "nullmx.test": {"mx.null": Outcome.PASS},
    "nullmixed.test": {"mx.null_invalid": Outcome.FAIL},
    "nomx.test": {"mx.missing": Outcome.WARN},
    "iplit.test": {"mx.ip_literal": Outcome.FAIL},
    "alias.test": {"mx.cname": Outcome.WARN},
    "ghost.test": {"mx.host_no_address": Outcome.FAIL},
    "slowhost.test": {"mx.host_error": Outcome.NOT_TESTED},
    "slow.test": {"mx.error": Outcome.NOT_TESTED},
    "refused.test": {"mx.error": Outcome.NOT_TESTED},
    "nowhere.good.test": {"mx.no_domain": Outcome.NOT_TESTED},
}


@pytest.mark.parametrize("domain", sorted(SCENARIOS))
def test_scenario_end_to_end(domain, context):
    assert outcomes(scan(mx, domain, context=context)) == SCENARIOS[domain]


def test_good_domain_details_list_hosts_and_addresses(context):
    data = mx.collect("good.test", context=context)
    assert data.receives_mail is True
    [finding] = mx.evaluate(data)
    assert finding.detail["records"] == ["10 mail.good.test", "20 backup.good.test"]
    assert finding.detail["hosts"][0] == {"name": "mail.good.test", "preference": 10, "ipv4": ["192.0.2.10"],
                                          "ipv6": ["2001:db8::10"]}


def test_null_mx_tells_orchestration_mail_checks_do_not_apply(context):
    data = mx.collect("nullmx.test", context=context)
    assert data.null_mx and data.receives_mail is False
    assert mx.evaluate(data)[0].detail["receives_mail"] is False


def test_mixed_null_mx_still_receives_mail(context):
    assert mx.collect("nullmixed.test", context=context).receives_mail is True


def test_each_broken_host_is_its_own_finding(context):
    findings = run("mail.mx", "ghost.test", context=context)
    assert {(f.subject, f.detail["rcode"]) for f in findings} == {("gone.ghost.test", "NXDOMAIN"),
                                                                  ("empty.ghost.test", "NODATA")}


def test_cname_finding_names_the_alias_target(context):
    [finding] = run("mail.mx", "alias.test", context=context)
    assert finding.subject == "mx.alias.test" and finding.detail["alias_of"] == "mail.alias.test"


def test_timeouts_and_refusals_are_never_a_fail(context):
    for domain in ("slow.test", "refused.test", "slowhost.test"):
        outcomes = {f.outcome for f in run("mail.mx", domain, context=context)}
        assert Outcome.FAIL not in outcomes and Outcome.NOT_TESTED in outcomes
    assert mx.collect("slow.test", context=context).receives_mail is None
    assert mx.collect("refused.test", context=context).status == "refused"


# --- pure evaluate() on canned data ---------------------------------------------------------------


def test_null_mx_with_non_zero_preference_is_invalid():
    data = mx.MxData(domain="x.test", status="ok", records=((10, "."),))
    assert [f.code for f in mx.evaluate(data)] == ["mx.null_invalid"]


def test_cname_to_nowhere_is_both_an_alias_and_unreachable():
    host = mx.MxHost(name="mx.x.test", preference=10, cname="gone.x.test", status="nxdomain")
    data = mx.MxData(domain="x.test", status="ok", records=((10, "mx.x.test"),), hosts=(host,))
    assert {f.code for f in mx.evaluate(data)} == {"mx.host_no_address", "mx.cname"}


def test_ipv6_only_host_is_fine():
    host = mx.MxHost(name="mail.x.test", preference=10, ipv6=("2001:db8::1",))
    data = mx.MxData(domain="x.test", status="ok", records=((10, "mail.x.test"),), hosts=(host,))
    assert [f.code for f in mx.evaluate(data)] == ["mx.ok"]


def test_bracketed_ip_literal_is_recognised():
    assert mx._is_ip_literal("[192.0.2.1]") and mx._is_ip_literal("2001:db8::1")
    assert not mx._is_ip_literal("mail.192.0.2.1.example")


# --- registry and advice --------------------------------------------------------------------------


def test_registered_as_scored_mail_check():
    assert_registered(mx, category="mail", scored=True)


def test_every_code_has_advice_and_every_advice_is_reachable():
    assert_advice_complete(mx, codes_of(SCENARIOS),
                           with_message=codes_of(SCENARIOS, Outcome.FAIL, Outcome.WARN))
