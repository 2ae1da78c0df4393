"""web.https: HTTPS with a valid certificate, the HTTP→HTTPS redirect (same host first, whole chain, no
downgrades) and HSTS of at least a year — and the shared web client that gets there through the scan's
resolver with the right SNI and Host header.

End-to-end tests run real HTTP and HTTPS servers on loopback (one pair plays every test site, told apart by
the Host header) with a LoopbackDNS zone mapping the names to 127.0.0.1; pure tests judge canned data."""

from __future__ import annotations

import datetime as dt

import pytest

from dtc.scans.checks import https
from dtc.scans.checks.base import Finding, Outcome
from dtc.scans.checks.webclient import Chain, Exchange, WebClient, fetch_chain
from dtc.scans.testing.assertions import (
    assert_advice_complete,
    assert_every_code_tested,
    assert_registered,
    by_code,
    scan,
)
from dtc.scans.testing.dnsserver import zone
from dtc.scans.testing.httpserver import LoopbackHTTPS, Response, closed_port, redirect

YEAR = "max-age=31536000; includeSubDomains; preload"
HOSTS = ["good", "www.good", "short", "nohsts", "other", "www.other", "indirect", "downgrade", "loop",
         "slowhttp", "slowboth", "plain"]
ZONE = zone("example.test", *[f"{host} 300 IN A 127.0.0.1" for host in [*HOSTS, "wrongcert", "slowdns"]])


def name(label: str) -> str:
    return f"{label}.example.test"


def routes() -> tuple[dict[str, Response], dict[str, Response]]:
    hsts = {"Strict-Transport-Security": YEAR}
    http_routes = {f"{name(host)}/": redirect(f"https://{name(host)}/") for host in HOSTS}
    https_routes = {f"{name(host)}/": Response(body="<p>hallo</p>", headers=hsts) for host in HOSTS}
    http_routes |= {
        f"{name('nohsts')}/": Response(body="<p>onbeveiligd</p>"),
        f"{name('other')}/": redirect(f"https://{name('www.other')}/"),
        f"{name('indirect')}/": redirect(f"http://{name('indirect')}/stap"),
        f"{name('indirect')}/stap": redirect(f"https://{name('indirect')}/"),
        f"{name('loop')}/": redirect(f"http://{name('loop')}/"),
        f"{name('slowhttp')}/": Response(delay=3),
        f"{name('slowboth')}/": Response(delay=3),
        f"{name('plain')}/": Response(body="<p>alleen http</p>"),
    }
    https_routes |= {
        f"{name('short')}/": Response(body="kort", headers={"Strict-Transport-Security": "max-age=86400"}),
        f"{name('nohsts')}/": Response(body="geen hsts"),
        # apex → www with HSTS only on www: the apex itself is not protected
        f"{name('other')}/": redirect(f"https://{name('www.other')}/"),
        f"{name('downgrade')}/": redirect(f"http://{name('downgrade')}/oud", headers=hsts),
        f"{name('downgrade')}/oud": Response(body="oud"),
        f"{name('slowboth')}/": Response(delay=3),
    }
    return http_routes, https_routes


@pytest.fixture(scope="module")
def web(loopback_web):
    http_routes, https_routes = routes()
    return loopback_web(ZONE, http_routes, https_routes, https_hosts=[name(host) for host in HOSTS],
                        delays={name("slowdns"): 1.5})


def run(web, label: str, **overrides) -> dict[str, Finding]:
    findings = scan(https, name(label), context=web.context(**overrides))
    assert all(finding.subject == name(label) for finding in findings)
    return by_code(findings)


# --- the shared web client ------------------------------------------------------------------------


def test_client_connects_to_the_resolved_address_with_the_real_name_in_sni_and_host(web):
    """The name exists only in the loopback zone: reaching it proves the scan's resolver was used; the
    server sees the real name as SNI and Host header and the certificate is verified for it."""
    before = len(web.https.requests)
    chain = fetch_chain(f"https://{name('good')}/", context=web.context())
    assert chain.final.status == 200 and chain.final.address == "127.0.0.1"
    seen = web.https.requests[before:]
    assert [(request.sni, request.host) for request in seen] == [(name("good"), name("good"))]
    assert seen[0].headers["User-Agent"].startswith("DTC-scan/")


def test_client_follows_and_records_every_step_of_a_redirect_chain(web):
    chain = fetch_chain(f"http://{name('indirect')}/", context=web.context())
    assert chain.urls == [f"http://{name('indirect')}/", f"http://{name('indirect')}/stap",
                          f"https://{name('indirect')}/"]
    assert [step.status for step in chain.steps] == [301, 301, 200]
    assert chain.downgrades() == []


def test_client_stops_after_ten_redirects(web):
    chain = fetch_chain(f"http://{name('loop')}/", context=web.context())
    assert chain.too_many_redirects and len(chain.steps) == 11


@pytest.mark.parametrize(("url", "error"), [
    ("https://nergens.example.test/", "no_address"),          # NXDOMAIN
    (f"https://{name('slowdns')}/", "dns_timeout"),
    (f"https://{name('wrongcert')}/", "tls_verify"),           # certificate lacks the name
    (f"https://{name('slowboth')}/", "timeout"),
])
def test_client_turns_failures_into_data(web, url, error):
    chain = fetch_chain(url, context=web.context())
    assert chain.final.error == error and chain.final.status is None


def test_client_maps_default_ports_to_the_context_ports(web):
    refused = fetch_chain(f"http://{name('good')}/", context=web.context(http_port=closed_port()))
    assert refused.final.error == "refused"
    with WebClient(web.context(https_port=web.http.port)) as client:  # TLS to a plain-HTTP server
        assert client.fetch(f"https://{name('good')}/").error == "tls"


# --- end to end: every finding code ---------------------------------------------------------------


def test_good_site_passes_everything(web):
    found = run(web, "good")
    assert found["https.ok"].outcome == Outcome.PASS
    assert found["https.redirect_ok"].outcome == Outcome.PASS
    hsts = found["https.hsts_ok"]
    assert hsts.outcome == Outcome.PASS and hsts.detail["include_subdomains"] and hsts.detail["preload"]
    assert set(found) == {"https.ok", "https.redirect_ok", "https.hsts_ok"}


def test_apex_and_www_are_each_scanned_as_their_own_host(web):
    assert set(run(web, "www.good")) == {"https.ok", "https.redirect_ok", "https.hsts_ok"}


def test_short_hsts_warns(web):
    finding = run(web, "short")["https.hsts_short"]
    assert finding.outcome == Outcome.WARN and finding.detail["max_age"] == 86400


def test_http_without_redirect_and_without_hsts_fail(web):
    found = run(web, "nohsts")
    assert found["https.no_redirect"].outcome == Outcome.FAIL
    assert found["https.hsts_missing"].outcome == Outcome.FAIL
    assert found["https.ok"].outcome == Outcome.PASS


def test_first_redirect_to_another_host_warns_and_that_hosts_hsts_does_not_count(web):
    found = run(web, "other")
    assert found["https.redirect_other_host"].outcome == Outcome.WARN
    assert found["https.redirect_other_host"].detail["first_redirect"] == f"https://{name('www.other')}/"
    hsts = found["https.hsts_missing"]  # only www sends HSTS; the apex's own redirect does not
    assert [response["state"] for response in hsts.detail["responses"]] == ["missing", "ok"]


def test_first_redirect_to_http_on_the_same_host_warns(web):
    assert run(web, "indirect")["https.redirect_indirect"].outcome == Outcome.WARN


def test_redirect_from_https_to_http_is_a_downgrade(web):
    found = run(web, "downgrade")
    finding = found["https.redirect_downgrade"]
    assert finding.outcome == Outcome.FAIL
    assert finding.detail["downgrades"][0] == {"from": f"https://{name('downgrade')}/",
                                               "to": f"http://{name('downgrade')}/oud"}
    assert "https.redirect_ok" not in found  # the http chain passes through the downgrade too


def test_redirect_loop_fails(web):
    assert run(web, "loop")["https.too_many_redirects"].outcome == Outcome.FAIL


def test_certificate_for_another_name_fails(web):
    finding = run(web, "wrongcert")["https.cert_invalid"]
    assert finding.outcome == Outcome.FAIL and "wrongcert" in finding.detail["reason"]


@pytest.mark.parametrize("server_options", [
    {"not_before": dt.datetime(2020, 1, 1, tzinfo=dt.UTC), "not_after": dt.datetime(2021, 1, 1, tzinfo=dt.UTC)},
    {"trusted": False},
], ids=["expired", "unknown-ca"])
def test_expired_or_untrusted_certificate_fails(web, server_options):
    with LoopbackHTTPS([name("good")], {"/": Response(body="x")}, **server_options) as server:
        found = run(web, "good", https_port=server.port, ca_file=web.https.ca_file)
    assert found["https.cert_invalid"].outcome == Outcome.FAIL


def test_refused_https_while_http_answers_is_no_https(web):
    found = run(web, "plain", https_port=closed_port())
    assert found["https.unavailable"].outcome == Outcome.FAIL
    assert found["https.no_redirect"].outcome == Outcome.FAIL


def test_no_tls_on_the_https_port_is_no_https(web):
    found = run(web, "plain", https_port=web.http.port)
    assert found["https.unavailable"].detail["error"] == "tls"


def test_https_only_site_has_no_redirect_to_judge(web):
    found = run(web, "good", http_port=closed_port())
    assert found["https.http_closed"].outcome == Outcome.NOT_APPLICABLE
    assert found["https.ok"].outcome == Outcome.PASS


def test_slow_servers_are_not_tested_never_failed(web):
    found = run(web, "slowboth")
    assert [finding.outcome for finding in found.values()] == [Outcome.NOT_TESTED]
    assert found["https.not_tested"].detail["error"] == "timeout"
    slow_http = run(web, "slowhttp")
    assert slow_http["https.redirect_not_tested"].outcome == Outcome.NOT_TESTED
    assert slow_http["https.ok"].outcome == Outcome.PASS


def test_dns_failures_are_not_tested_and_missing_names_not_applicable(web):
    assert run(web, "slowdns")["https.not_tested"].detail["error"] == "dns_timeout"
    found = run(web, "nergens")
    assert [(code, finding.outcome) for code, finding in found.items()] == [
        ("https.no_address", Outcome.NOT_APPLICABLE)]


def test_refused_on_both_ports_is_not_tested(web):
    found = run(web, "good", http_port=closed_port(), https_port=closed_port())
    assert [finding.outcome for finding in found.values()] == [Outcome.NOT_TESTED]


# --- pure evaluation on canned data ---------------------------------------------------------------


@pytest.mark.parametrize(("header", "expected"), [
    ("max-age=31536000", (31536000, False, False)),
    ('MAX-AGE="63072000"; includeSubDomains; preload', (63072000, True, True)),
    ("max-age=31536000;;includesubdomains", (31536000, True, False)),
    ("includeSubDomains", None),                    # max-age is required
    ("max-age=1; max-age=2", None),                 # a directive may appear only once
    ("max-age=abc", None),
    ("max-age=-5", None),
    (None, None),
])
def test_parse_hsts(header, expected):
    policy = https.parse_hsts(header)
    assert (policy and (policy.max_age, policy.include_subdomains, policy.preload)) == expected


def _response(url: str, status: int = 200, headers: tuple[tuple[str, str], ...] = ()) -> Exchange:
    return Exchange(url=url, status=status, headers=headers)


def _data(https_steps, http_steps, **chain_options) -> https.HttpsData:
    return https.HttpsData(host="a.test", https=Chain(tuple(https_steps)), http=Chain(tuple(http_steps), **chain_options))


def test_only_the_first_hsts_header_counts_and_max_age_zero_is_missing():
    first_counts = _data([_response("https://a.test/", headers=(("strict-transport-security", "max-age=60"),
                                                                 ("strict-transport-security", YEAR)))],
                         [_response("http://a.test/", 301, (("location", "https://a.test/"),))])
    assert "https.hsts_short" in {finding.code for finding in https.evaluate(first_counts)}
    zero = _data([_response("https://a.test/", headers=(("strict-transport-security", "max-age=0"),))],
                 [_response("http://a.test/", 301, (("location", "https://a.test/"),))])
    assert "https.hsts_missing" in {finding.code for finding in https.evaluate(zero)}


def test_relative_location_on_the_same_host_is_followed_as_https():
    data = _data([_response("https://a.test/", headers=(("strict-transport-security", YEAR),))],
                 [_response("http://a.test/", 302, (("location", "//a.test/"),)),
                  _response("https://a.test/")])
    # "//a.test/" from an http page stays on http: not the direct redirect to https
    assert "https.redirect_indirect" in {finding.code for finding in https.evaluate(data)}


def test_downgrade_in_the_middle_of_a_chain_fails_even_when_it_ends_on_https():
    data = _data([_response("https://a.test/", headers=(("strict-transport-security", YEAR),))],
                 [_response("http://a.test/", 301, (("location", "https://a.test/x"),)),
                  _response("https://a.test/x", 301, (("location", "http://a.test/y"),)),
                  _response("http://a.test/y", 301, (("location", "https://a.test/"),)),
                  _response("https://a.test/")])
    codes = {finding.code: finding.outcome for finding in https.evaluate(data)}
    assert codes["https.redirect_downgrade"] == Outcome.FAIL
    assert "https.redirect_ok" not in codes


def test_a_redirect_to_another_scheme_is_not_https():
    data = _data([Exchange(url="https://a.test/", error="refused")],
                 [_response("http://a.test/", 301, (("location", "ftp://a.test/"),)),
                  Exchange(url="ftp://a.test/", error="bad_url")])
    codes = {finding.code for finding in https.evaluate(data)}
    assert codes == {"https.unavailable", "https.no_redirect"}


def test_a_location_no_browser_can_follow_is_no_redirect():
    broken = _response("http://a.test/", 301, (("location", "https://[a.test/"),))
    assert broken.redirect_to is None
    data = _data([_response("https://a.test/", headers=(("strict-transport-security", YEAR),))], [broken])
    assert "https.no_redirect" in {finding.code for finding in https.evaluate(data)}


def test_every_code_has_advice_and_the_check_is_registered():
    assert_registered(https, category="web", scored=True)
    to_fix = {code for code in https.ADVICE
              if code.endswith(("_missing", "_invalid", "unavailable", "downgrade", "no_redirect", "_short"))}
    assert_advice_complete(https, with_message=to_fix)


def test_all_codes_have_an_end_to_end_fixture():
    """Guards the test list above: every code is asserted by name somewhere in this module."""
    assert_every_code_tested(https, __name__, before="# --- pure evaluation")
