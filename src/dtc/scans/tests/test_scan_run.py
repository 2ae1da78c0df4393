"""Running a scan: the plan, findings stored per check as they end, the time limit per check (a slow
server becomes "could not test", never a fail, and never holds the scan up), a re-run after a crash
that redoes only what is missing, and the score rule."""

from __future__ import annotations

import time

import pytest

from dtc.scans import services
from dtc.scans.checks.base import Finding, Outcome, ScanContext
from dtc.scans.models import Scan, ScanCheck
from dtc.scans.testing.dnsserver import LoopbackDNS

pytestmark = pytest.mark.django_db

ZONES = """
$ORIGIN test.
@ 300 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300
$ORIGIN good.test.
@ 300 IN SOA ns.good.test. hostmaster.good.test. 1 3600 600 86400 300
@ 300 IN MX 10 mail.good.test.
@ 300 IN TXT "v=spf1 mx -all"
mail 300 IN A 127.0.0.1
_dmarc 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.test"
$ORIGIN bad.test.
@ 300 IN SOA ns.bad.test. hostmaster.bad.test. 1 3600 600 86400 300
@ 300 IN MX 10 mail.bad.test.
@ 300 IN TXT "v=spf1 +all"
mail 300 IN A 127.0.0.1
$ORIGIN slow.test.
@ 300 IN SOA ns.slow.test. hostmaster.slow.test. 1 3600 600 86400 300
@ 300 IN MX 10 mail.slow.test.
@ 300 IN TXT "v=spf1 -all"
mail 300 IN A 127.0.0.1
"""


@pytest.fixture(scope="module")
def dns_server():
    with LoopbackDNS(ZONES, delays={"_dmarc.slow.test": 4.0}) as server:
        yield server


def _context(server: LoopbackDNS, timeout: float = 2.0) -> ScanContext:
    context = ScanContext.loopback(dns_port=server.port, timeout=timeout)
    context.https_port = 1  # nothing listens: the MTA-STS policy fetch is refused at once
    return context


def test_plan_covers_apex_and_www_for_web_and_the_domain_for_mail():
    plan = services.scan_plan(domain="example.nl", web=True, mail=True)
    assert ("web.https", "example.nl") in plan
    assert ("web.https", "www.example.nl") in plan
    assert ("web.headers", "www.example.nl") in plan
    assert ("mail.spf", "example.nl") in plan
    assert ("mail.spf", "www.example.nl") not in plan
    assert services.scan_plan(domain="example.nl", web=False, mail=True) == [
        pair for pair in plan if pair[0].startswith("mail.")
    ]


def test_a_mail_scan_stores_every_check_and_scores_good_above_bad(dns_server):
    scores = {}
    for domain in ("good.test", "bad.test"):
        scan = services.scan_create(domain=domain, web=False, mail=True)
        assert scan.checks_total == len(services.scan_plan(domain=domain, web=False, mail=True))
        seen: list[int] = []
        services.scan_run(scan=scan, context=_context(dns_server), on_progress=lambda s, seen=seen: seen.append(
            s.checks_done))
        scan.refresh_from_db()
        assert scan.status == Scan.Status.DONE
        assert scan.checks_done == scan.checks_total == ScanCheck.objects.filter(scan=scan).count()
        assert seen == sorted(seen) and seen[-1] == scan.checks_total  # progress only moves forward
        scores[domain] = scan.score_mail
        outcomes = dict(ScanCheck.objects.filter(scan=scan).values_list("check_id", "outcome"))
        if domain == "good.test":
            assert outcomes["mail.spf"] == "pass"
            assert outcomes["mail.dmarc"] == "pass"
        else:
            assert outcomes["mail.spf"] == "fail"  # +all lets anyone send as you
            assert outcomes["mail.dmarc"] == "fail"  # no DMARC record
    assert scores["good.test"] > scores["bad.test"]


def test_a_slow_server_is_not_tested_and_does_not_hold_the_scan_up(dns_server):
    scan = services.scan_create(domain="slow.test", web=False, mail=True)
    began = time.monotonic()
    services.scan_run(scan=scan, context=_context(dns_server, timeout=10.0), time_limit=1.5)
    elapsed = time.monotonic() - began
    dmarc = ScanCheck.objects.get(scan=scan, check_id="mail.dmarc")
    assert dmarc.outcome == "not_tested"
    assert dmarc.findings[0]["code"] == "check.timeout"
    assert elapsed < 4.0  # the DNS server takes 4 s to answer; the scan did not wait for it
    spf = ScanCheck.objects.get(scan=scan, check_id="mail.spf")
    assert spf.outcome == "pass"  # the other checks still ran and were judged


def test_a_rerun_after_a_crash_only_runs_what_is_missing(dns_server):
    scan = services.scan_create(domain="good.test", web=False, mail=True)
    kept = ScanCheck.objects.create(scan=scan, check_id="mail.spf", target="good.test", outcome="warn",
                                    findings=[{"outcome": "warn", "code": "kept", "subject": "", "detail": {}}])
    services.scan_run(scan=scan, context=_context(dns_server))
    assert ScanCheck.objects.filter(scan=scan).count() == scan.checks_total
    kept.refresh_from_db()
    assert kept.findings[0]["code"] == "kept"  # not run, and not stored twice


def test_a_crashing_check_is_recorded_and_the_rest_goes_on(dns_server, monkeypatch):
    from dtc.scans.checks import registry

    def broken(target, *, context):
        raise RuntimeError("bug")

    check = registry.CHECKS["mail.tlsrpt"]
    monkeypatch.setitem(registry.CHECKS, "mail.tlsrpt", registry.Check(
        id=check.id, category=check.category, scored=check.scored, module=__name__, evaluate=check.evaluate,
    ))
    monkeypatch.setattr(f"{__name__}.collect", broken, raising=False)
    scan = services.scan_create(domain="good.test", web=False, mail=True)
    services.scan_run(scan=scan, context=_context(dns_server))
    crashed = ScanCheck.objects.get(scan=scan, check_id="mail.tlsrpt")
    assert crashed.outcome == "not_tested"
    assert crashed.findings[0]["code"] == "check.crashed"
    assert ScanCheck.objects.get(scan=scan, check_id="mail.spf").outcome == "pass"


def test_score_rule():
    assert services.worst_outcome([
        Finding(check="x", outcome=Outcome.PASS, code="a"), Finding(check="x", outcome=Outcome.WARN, code="b"),
    ]) == Outcome.WARN
    assert services.worst_outcome([]) == Outcome.NOT_TESTED
    import dtc.scans.checks  # noqa: F401

    # pass 1, warn 1/2, fail 0; not tested and advice-only checks (CAA) do not count
    assert services.category_score([
        ("web.https", Outcome.PASS), ("web.headers", Outcome.WARN), ("web.securitytxt", Outcome.FAIL),
        ("web.https", Outcome.NOT_TESTED), ("web.caa", Outcome.FAIL),
    ]) == 50
    assert services.category_score([("web.https", Outcome.NOT_TESTED)]) is None
