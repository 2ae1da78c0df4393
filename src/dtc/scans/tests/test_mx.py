"""mail.mx: MX present and reachable, null MX (RFC 7505) means "no mail", MX must name a host with an
address — not a CNAME (RFC 2181 §10.3) or an IP address. Timeouts and refusals are "not tested", never
a fail. Every scenario runs end to end against a real DNS server on loopback."""

from __future__ import annotations

import pytest

from dtc.scans.checks import mx
from dtc.scans.checks.base import Outcome, ScanContext
from dtc.scans.checks.registry import CHECKS, run
from dtc.scans.testing.dnsserver import LoopbackDNS

ZONES = """
$ORIGIN test.
@ 300 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300

$ORIGIN good.test.
@ 300 IN SOA ns.good.test. hostmaster.good.test. 1 3600 600 86400 300
@ 300 IN MX 10 mail.good.test.
@ 300 IN MX 20 backup.good.test.
mail 300 IN A 192.0.2.10
mail 300 IN AAAA 2001:db8::10
backup 300 IN A 192.0.2.11

$ORIGIN nullmx.test.
@ 300 IN SOA ns.nullmx.test. hostmaster.nullmx.test. 1 3600 600 86400 300
@ 300 IN MX 0 .

$ORIGIN nullmixed.test.
@ 300 IN SOA ns.nullmixed.test. hostmaster.nullmixed.test. 1 3600 600 86400 300
@ 300 IN MX 0 .
@ 300 IN MX 10 mail.nullmixed.test.
mail 300 IN A 192.0.2.12

$ORIGIN nomx.test.
@ 300 IN SOA ns.nomx.test. hostmaster.nomx.test. 1 3600 600 86400 300
@ 300 IN A 192.0.2.13

$ORIGIN iplit.test.
@ 300 IN SOA ns.iplit.test. hostmaster.iplit.test. 1 3600 600 86400 300
@ 300 IN MX 10 192.0.2.14.

$ORIGIN alias.test.
@ 300 IN SOA ns.alias.test. hostmaster.alias.test. 1 3600 600 86400 300
@ 300 IN MX 10 mx.alias.test.
mx 300 IN CNAME mail.alias.test.
mail 300 IN A 192.0.2.15

$ORIGIN ghost.test.
@ 300 IN SOA ns.ghost.test. hostmaster.ghost.test. 1 3600 600 86400 300
@ 300 IN MX 10 gone.ghost.test.
@ 300 IN MX 20 empty.ghost.test.
empty 300 IN TXT "no address here"

$ORIGIN slowhost.test.
@ 300 IN SOA ns.slowhost.test. hostmaster.slowhost.test. 1 3600 600 86400 300
@ 300 IN MX 10 mail.slowhost.test.
mail 300 IN A 192.0.2.16

$ORIGIN slow.test.
@ 300 IN SOA ns.slow.test. hostmaster.slow.test. 1 3600 600 86400 300
@ 300 IN MX 10 mail.good.test.

$ORIGIN refused.test.
@ 300 IN SOA ns.refused.test. hostmaster.refused.test. 1 3600 600 86400 300
@ 300 IN MX 10 mail.good.test.
"""


def _start(zones: str, **options) -> LoopbackDNS:
    """LoopbackDNS binds TCP to the number of a free UDP port; on a busy machine that TCP port is sometimes
    taken ("Address already in use"), so try a few ports."""
    for attempt in range(5):
        try:
            return LoopbackDNS(zones, **options).__enter__()
        except OSError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def context():
    server = _start(ZONES, delays={"slow.test": 1.5, "mail.slowhost.test": 1.5}, refuse=["refused.test"])
    yield ScanContext.loopback(dns_port=server.port, timeout=0.5)
    server.__exit__()


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
    findings = run("mail.mx", domain, context=context)
    assert {f.code: f.outcome for f in findings} == SCENARIOS[domain]
    assert all(f.check == "mail.mx" for f in findings)
    assert all(f.code in mx.ADVICE for f in findings)


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
    check = CHECKS["mail.mx"]
    assert check.category == "mail" and check.scored and check.advice is mx.ADVICE


def test_every_code_has_advice_and_every_advice_is_reachable():
    emitted = {code for codes in SCENARIOS.values() for code in codes}
    assert emitted == set(mx.ADVICE)


@pytest.mark.parametrize("code", sorted(mx.ADVICE))
def test_advice_is_complete(code):
    advice = mx.ADVICE[code]
    assert str(advice.title) and str(advice.meaning)
    assert advice.urgency in {"high", "medium", "low"}
    assert advice.fixer in {"you", "hosting", "dns", "mail"}
    failing = {c for codes in SCENARIOS.values() for c, o in codes.items() if o in (Outcome.FAIL, Outcome.WARN)}
    if code in failing:
        assert "Beste" in str(advice.message)
