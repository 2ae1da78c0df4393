"""MTA-STS (RFC 8461, advice only): one `v=STSv1; id=…` record at `_mta-sts`, and a policy fetched over
verified HTTPS from `https://mta-sts.<domain>/.well-known/mta-sts.txt` (SNI and Host header carry that
name; no redirects; 200 and text/plain) whose `mx` patterns cover every MX host. Enforce passes; testing,
none, short max_age and broken policies warn; uncovered MX hosts in enforce mode fail (mail is refused).
Timeouts and refused connections are "not tested". Everything runs against a loopback DNS server and a
loopback HTTPS server with a trustme certificate."""

from __future__ import annotations

import pytest

from dtc.scans.checks import mtasts
from dtc.scans.checks.base import Outcome, ScanContext
from dtc.scans.checks.mtasts import MtaStsData
from dtc.scans.testing.assertions import (
    assert_advice_complete,
    assert_finding,
    assert_registered,
    by_code,
    codes_of,
)
from dtc.scans.testing.assertions import scan as scan_check
from dtc.scans.testing.httpserver import LoopbackHTTPS, Response, closed_port, redirect

PATH = "/.well-known/mta-sts.txt"
TEXT = {"Content-Type": "text/plain; charset=utf-8"}


def policy(mode="enforce", mx=("*.good.test",), max_age="604800") -> str:
    lines = ["version: STSv1", f"mode: {mode}", *[f"mx: {pattern}" for pattern in mx]]
    if max_age is not None:
        lines.append(f"max_age: {max_age}")
    return "\r\n".join(lines) + "\r\n"


# domain -> (TXT records at _mta-sts, MX hosts, response at https://mta-sts.<domain>/.well-known/mta-sts.txt)
SITES: dict[str, tuple[list[str], list[str], Response | None]] = {
    "good": (["v=STSv1; id=20250101000000Z;"], ["mx1.good.test", "mx2.good.test"],
             Response(body=policy(), headers=TEXT)),
    "missing": ([], ["mx1.good.test"], None),
    "badid": (["v=STSv1; id=2025-01-01;"], ["mx1.good.test"], Response(body=policy(), headers=TEXT)),
    "multi": (["v=STSv1; id=1;", "v=STSv1; id=2;"], ["mx1.good.test"], Response(body=policy(), headers=TEXT)),
    "nopolicy": (["v=STSv1; id=1;"], ["mx1.good.test"], None),
    "redirect": (["v=STSv1; id=1;"], ["mx1.good.test"], redirect("https://mta-sts.good.test" + PATH)),
    "wrongcert": (["v=STSv1; id=1;"], ["mx1.good.test"], Response(body=policy(), headers=TEXT)),
    "nohost": (["v=STSv1; id=1;"], ["mx1.good.test"], None),
    "broken": (["v=STSv1; id=1;"], ["mx1.good.test"], Response(body=policy(max_age=None), headers=TEXT)),
    "html": (["v=STSv1; id=1;"], ["mx1.good.test"], Response(body=policy(), headers={"Content-Type": "text/html"})),
    "testing": (["v=STSv1; id=1;"], ["mx1.good.test"], Response(body=policy(mode="testing"), headers=TEXT)),
    "modenone": (["v=STSv1; id=1;"], ["mx1.good.test"], Response(body=policy(mode="none", mx=()), headers=TEXT)),
    "uncovered": (["v=STSv1; id=1;"], ["mx1.good.test", "mail.elsewhere.test"],
                  Response(body=policy(), headers=TEXT)),
    "shortage": (["v=STSv1; id=1;"], ["mx1.good.test"], Response(body=policy(max_age="3600"), headers=TEXT)),
    "slowpolicy": (["v=STSv1; id=1;"], ["mx1.good.test"], Response(body=policy(), headers=TEXT, delay=3.0)),
}
NO_CERT = {"wrongcert"}          # the certificate does not name mta-sts.wrongcert.test
NO_ADDRESS = {"nohost"}          # mta-sts.nohost.test has no A record


def zone() -> str:
    lines = ["$ORIGIN test.", "@ 300 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300",
             "mx1.good 300 IN A 192.0.2.25", "mx2.good 300 IN A 192.0.2.26"]
    for site, (records, mx_hosts, _response) in SITES.items():
        lines += [f'_mta-sts.{site} 300 IN TXT "{record}"' for record in records]
        lines += [f"{site} 300 IN MX {10 + n} {host}." for n, host in enumerate(mx_hosts)]
        if site not in NO_ADDRESS:
            lines.append(f"mta-sts.{site} 300 IN A 127.0.0.1")
    lines.append('_mta-sts.slow 300 IN TXT "v=STSv1; id=1;"')
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def web():
    hostnames = [f"mta-sts.{site}.test" for site in SITES if site not in NO_CERT]
    routes = {f"mta-sts.{site}.test{PATH}": response for site, (_r, _m, response) in SITES.items() if response}
    with LoopbackHTTPS(hostnames, routes) as server:
        yield server


@pytest.fixture(scope="module")
def dns(dns_zone, web):
    return dns_zone(zone(), delays={"_mta-sts.slow.test": 3.0}, https_port=web.port, ca_file=web.ca_file,
                    timeout=1.0)


def scan(domain, context):
    return scan_check(mtasts, domain, context=context)


CASES = [
    ("good.test", "mtasts.ok", Outcome.PASS),
    ("missing.test", "mtasts.missing", Outcome.INFO),
    ("badid.test", "mtasts.invalid_record", Outcome.WARN),
    ("multi.test", "mtasts.invalid_record", Outcome.WARN),
    ("nopolicy.test", "mtasts.policy_unavailable", Outcome.WARN),
    ("redirect.test", "mtasts.policy_unavailable", Outcome.WARN),
    ("wrongcert.test", "mtasts.policy_unavailable", Outcome.WARN),
    ("nohost.test", "mtasts.policy_unavailable", Outcome.WARN),
    ("broken.test", "mtasts.policy_invalid", Outcome.WARN),
    ("html.test", "mtasts.policy_invalid", Outcome.WARN),
    ("testing.test", "mtasts.mode_testing", Outcome.WARN),
    ("modenone.test", "mtasts.mode_none", Outcome.WARN),
    ("uncovered.test", "mtasts.mx_not_covered", Outcome.FAIL),
    ("shortage.test", "mtasts.max_age_short", Outcome.WARN),
    ("slowpolicy.test", "mtasts.not_tested", Outcome.NOT_TESTED),
    ("slow.test", "mtasts.not_tested", Outcome.NOT_TESTED),
]


@pytest.mark.parametrize(("domain", "code", "outcome"), CASES)
def test_fixture_produces_code(domain, code, outcome, context):
    assert_finding(scan(domain, context), code, outcome)


def test_every_advice_code_has_a_fixture_and_complete_advice():
    assert_advice_complete(mtasts, codes_of(CASES))


def test_registered_as_advice_only():
    assert_registered(mtasts, category="mail", scored=False)


# --- the policy fetch ------------------------------------------------------------------------------


def test_policy_is_fetched_with_sni_and_host_of_the_policy_host(web, context):
    before = len(web.requests)
    findings = scan("good.test", context)
    assert [f.code for f in findings] == ["mtasts.ok"]
    assert findings[0].detail["mx"] == ["*.good.test"]
    request = web.requests[before]
    assert (request.path, request.host, request.sni) == (PATH, "mta-sts.good.test", "mta-sts.good.test")


def test_certificate_for_another_name_is_unavailable_not_untested(context):
    finding = by_code(scan("wrongcert.test", context))["mtasts.policy_unavailable"]
    assert finding.detail["reason"] == "tls_verify"


def test_redirect_is_not_followed(web, context):
    before = len(web.requests)
    finding = by_code(scan("redirect.test", context))["mtasts.policy_unavailable"]
    assert finding.detail["reason"] == "redirect"
    assert [r.host for r in web.requests[before:]] == ["mta-sts.redirect.test"]


def test_reasons_for_missing_policy(context):
    assert by_code(scan("nopolicy.test", context))["mtasts.policy_unavailable"].detail["reason"] == "http_404"
    assert by_code(scan("nohost.test", context))["mtasts.policy_unavailable"].detail["reason"] == "no_address"


def test_policy_problems_are_named(context):
    assert by_code(scan("broken.test", context))["mtasts.policy_invalid"].detail["problems"] == ["max_age: missing"]
    assert by_code(scan("html.test", context))["mtasts.policy_invalid"].detail["problems"] == [
        "content_type: text/html"]


def test_uncovered_mx_is_named(context):
    finding = by_code(scan("uncovered.test", context))["mtasts.mx_not_covered"]
    assert finding.detail["uncovered"] == ["mail.elsewhere.test"]


def test_invalid_txt_record_is_not_followed_by_a_fetch(web, context):
    before = len(web.requests)
    scan("multi.test", context)
    assert web.requests[before:] == []


# --- could not test --------------------------------------------------------------------------------


def test_slow_policy_server_is_not_tested_never_fail(context):
    findings = scan("slowpolicy.test", context)
    assert [(f.code, f.outcome, f.detail["error"]) for f in findings] == [
        ("mtasts.not_tested", Outcome.NOT_TESTED, "timeout")]


def test_refused_connection_is_not_tested(dns):
    context = ScanContext.loopback(dns_port=dns.server.port, https_port=closed_port(), timeout=1.0)
    findings = scan("good.test", context)
    assert [(f.code, f.outcome, f.detail["error"]) for f in findings] == [
        ("mtasts.not_tested", Outcome.NOT_TESTED, "refused")]


def test_dns_timeout_is_not_tested(context):
    findings = scan("slow.test", context)
    assert [(f.outcome, f.detail["error"]) for f in findings] == [(Outcome.NOT_TESTED, "timeout")]


# --- pure judgement --------------------------------------------------------------------------------


@pytest.mark.parametrize(("host", "pattern", "match"), [
    ("mail.example.nl", "mail.example.nl", True),
    ("MAIL.example.nl.", "mail.example.nl", True),
    ("mail.example.nl", "*.example.nl", True),
    ("a.mail.example.nl", "*.example.nl", False),   # the wildcard covers one label only (RFC 8461 §4.1)
    ("example.nl", "*.example.nl", False),
    ("mail.example.nl.evil.test", "*.example.nl", False),
])
def test_mx_patterns(host, pattern, match):
    assert mtasts.mx_matches(host, pattern) is match


def test_policy_with_lf_line_ends_and_extension_keys_parses():
    parsed = mtasts.parse_policy("version: STSv1\nmode: enforce\nmx: mail.example.nl\nmax_age: 86400\nx-foo: bar\n")
    assert parsed.problems == () and parsed.mode == "enforce" and parsed.max_age == 86400


@pytest.mark.parametrize(("body", "problem"), [
    ("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", "version: STSv2"),
    ("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n", "mode: strict"),
    ("version: STSv1\nmode: enforce\nmax_age: 1\n", "mx_missing"),
    ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 99999999\n", "max_age: 99999999"),
    ("version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 1\n", "repeated: mode"),
])
def test_policy_grammar(body, problem):
    assert problem in mtasts.parse_policy(body).problems


def test_mx_lookup_failure_is_not_tested_but_policy_still_judged():
    data = MtaStsData(domain="example.nl", txt_status="ok", txt_records=("v=STSv1; id=1;",), mx_status="timeout",
                      policy_url="https://mta-sts.example.nl/.well-known/mta-sts.txt", policy_status=200,
                      policy_content_type="text/plain",
                      policy_body="version: STSv1\nmode: testing\nmx: mail.example.nl\nmax_age: 604800\n")
    codes = {(f.code, f.outcome) for f in mtasts.evaluate(data)}
    assert codes == {("mtasts.mode_testing", Outcome.WARN), ("mtasts.not_tested", Outcome.NOT_TESTED)}


def test_uncovered_mx_in_testing_mode_only_warns():
    data = MtaStsData(domain="example.nl", txt_status="ok", txt_records=("v=STSv1; id=1;",), mx_status="ok",
                      mx_hosts=("mx.other.example",), policy_url="https://mta-sts.example.nl/.well-known/mta-sts.txt",
                      policy_status=200, policy_content_type="text/plain",
                      policy_body="version: STSv1\nmode: testing\nmx: mail.example.nl\nmax_age: 604800\n")
    assert by_code(mtasts.evaluate(data))["mtasts.mx_not_covered"].outcome == Outcome.WARN
