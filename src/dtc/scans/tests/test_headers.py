"""web.headers: Content-Security-Policy (without unsafe-inline/unsafe-eval), framing protection
(frame-ancestors or X-Frame-Options), X-Content-Type-Options: nosniff and a safe Referrer-Policy, on the
first and the final response — and the platform's own pages pass them, served by the real app.

End to end, one loopback HTTP and one HTTPS server play every test site (told apart by the Host header),
with a LoopbackDNS zone mapping the names to 127.0.0.1; pure tests judge canned responses."""

from __future__ import annotations

import pytest

from dtc.scans.checks import headers, https, securitytxt
from dtc.scans.checks.base import Finding, Outcome, ScanContext
from dtc.scans.checks.webclient import Chain, Exchange, fetch_chain
from dtc.scans.testing.assertions import (
    assert_advice_complete,
    assert_every_code_tested,
    assert_registered,
    by_code,
    outcomes,
    scan,
)
from dtc.scans.testing.dnsserver import LoopbackDNS, zone
from dtc.scans.testing.httpserver import LoopbackHTTPS, Response, closed_port, redirect

GOOD = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
SITES: dict[str, Response] = {
    "good": Response(body="<p>goed</p>", headers=GOOD),
    "bare": Response(body="<p>kaal</p>"),
    "unsafe": Response(body="x", headers={
        "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'",
        "X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "unsafe-url"}),
    "nonce": Response(body="x", headers={
        "Content-Security-Policy": "script-src 'nonce-r4nd0m' 'unsafe-inline'; frame-ancestors *",
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "origin-when-cross-origin"}),
    "redirected": redirect("https://www.redirected.example.test/", headers={"Referrer-Policy": "unsafe-url"}),
    "www.redirected": Response(body="x", headers=GOOD),
    "plain": Response(body="x", headers=GOOD),
    "slow": Response(delay=3),
}
ZONE = zone("example.test", *[f"{label} 300 IN A 127.0.0.1" for label in SITES])


def name(label: str) -> str:
    return f"{label}.example.test"


@pytest.fixture(scope="module")
def web(loopback_web):
    routes = {f"{name(label)}/": response for label, response in SITES.items()}
    return loopback_web(ZONE, routes, routes, https_hosts=[name(label) for label in SITES])


def run(web, label: str, **overrides) -> dict[str, Finding]:
    findings = scan(headers, name(label), context=web.context(**overrides))
    assert all(finding.subject == name(label) for finding in findings)
    return by_code(findings)


# --- end to end: every finding code ---------------------------------------------------------------


def test_good_headers_pass(web):
    found = run(web, "good")
    assert {code: finding.outcome for code, finding in found.items()} == {
        "headers.csp_ok": Outcome.PASS, "headers.frame_ok": Outcome.PASS,
        "headers.nosniff_ok": Outcome.PASS, "headers.referrer_ok": Outcome.PASS}
    assert found["headers.frame_ok"].detail["protection"] == "frame-ancestors 'none'"
    assert found["headers.csp_ok"].detail["url"].startswith("https://")


def test_missing_headers_fail_and_missing_referrer_policy_warns(web):
    found = run(web, "bare")
    assert {code: finding.outcome for code, finding in found.items()} == {
        "headers.csp_missing": Outcome.FAIL, "headers.frame_missing": Outcome.FAIL,
        "headers.nosniff_missing": Outcome.FAIL, "headers.referrer_missing": Outcome.WARN}


def test_unsafe_inline_warns_x_frame_options_counts_and_unsafe_url_fails(web):
    found = run(web, "unsafe")
    assert found["headers.csp_unsafe"].outcome == Outcome.WARN
    assert found["headers.csp_unsafe"].detail["unsafe"] == ["script-src 'unsafe-inline'"]
    assert found["headers.frame_ok"].detail["protection"] == "X-Frame-Options SAMEORIGIN"
    assert found["headers.referrer_unsafe"].outcome == Outcome.FAIL


def test_nonce_neutralises_unsafe_inline_but_frame_ancestors_star_protects_nothing(web):
    found = run(web, "nonce")
    assert found["headers.csp_ok"].outcome == Outcome.PASS
    assert found["headers.frame_missing"].outcome == Outcome.FAIL
    assert found["headers.referrer_weak"].outcome == Outcome.WARN


def test_first_and_final_response_are_judged(web):
    """The apex redirects to www with an unsafe Referrer-Policy: the final page is fine, the first is not."""
    found = run(web, "redirected")
    assert found["headers.csp_ok"].detail["url"] == f"https://{name('www.redirected')}/"
    referrer = found["headers.referrer_unsafe"]
    assert [(item["response"], item["state"]) for item in referrer.detail["responses"]] == [
        ("final", "ok"), ("first", "unsafe")]


def test_without_https_the_plain_http_response_is_judged(web):
    found = run(web, "plain", https_port=closed_port())
    assert found["headers.csp_ok"].detail["url"] == f"http://{name('plain')}/"
    assert found["headers.csp_ok"].detail["https_error"] == "refused"


def test_slow_server_is_not_tested_never_failed(web):
    found = run(web, "slow")
    assert [(code, finding.outcome) for code, finding in found.items()] == [
        ("headers.not_tested", Outcome.NOT_TESTED)]
    refused = run(web, "good", http_port=closed_port(), https_port=closed_port())
    assert [finding.outcome for finding in refused.values()] == [Outcome.NOT_TESTED]


def test_name_without_address_is_not_applicable(web):
    found = run(web, "nergens")
    assert [(code, finding.outcome) for code, finding in found.items()] == [
        ("headers.no_address", Outcome.NOT_APPLICABLE)]


# --- the platform itself --------------------------------------------------------------------------


PLATFORM_ZONE = """$ORIGIN dtc.test.
@ 300 IN SOA ns.dtc.test. hostmaster.dtc.test. 1 3600 600 86400 300
@ 300 IN A 127.0.0.1
"""


def _proxy_to(origin: str):
    """A TLS-terminating reverse proxy in front of the live server, as in production (DTC_BEHIND_PROXY)."""
    import httpx

    hop_by_hop = {"connection", "content-length", "transfer-encoding", "content-encoding", "keep-alive"}

    def handle(request) -> Response:
        forwarded = {"Host": request.host, "X-Forwarded-Proto": "https"}
        answer = httpx.get(origin + request.path, headers=forwarded, follow_redirects=False, timeout=10)
        return Response(status=answer.status_code, body=answer.content,
                        headers=[(key, value) for key, value in answer.headers.multi_items()
                                 if key.lower() not in hop_by_hop])

    return handle


def _site_with_home_page(settings) -> None:
    """The knowledge site's home page at "/". A transactional test that ran before may have flushed the
    database, taking Wagtail's root page, locale and collection with it: restore them first."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Collection, Locale, Page

    from dtc.knowledge.demo import knowledge_demo_load

    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale,
                                    content_type=ContentType.objects.get_for_model(Page)))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    knowledge_demo_load()


@pytest.mark.django_db(transaction=True)
def test_the_platform_passes_its_own_web_checks(live_server, settings):
    """The real app (pytest-django's live_server) is scanned like any business's site.

    live_server speaks plain HTTP: there the header checks pass in full; security.txt passes except what
    only HTTPS can give (it is served over http, so its https Canonical does not match). The same app
    behind a loopback TLS proxy — the production set-up — then passes security.txt in full, HTTPS and
    HSTS too. (The http→https redirect is the proxy's or DTC_SSL_REDIRECT's job, not tested here.)"""
    _site_with_home_page(settings)
    settings.ALLOWED_HOSTS = ["dtc.test"]
    settings.SITE_URL = "https://dtc.test"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    port = int(live_server.url.rsplit(":", 1)[1])
    with LoopbackDNS(PLATFORM_ZONE) as dns_server:
        plain = ScanContext.loopback(dns_port=dns_server.port, http_port=port, https_port=closed_port())

        home = headers.collect("dtc.test", context=plain)
        assert home.chain.final.status == 200 and home.https_error == "refused"
        sectxt_response = headers.HeadersData(
            host="dtc.test", chain=fetch_chain("http://dtc.test/.well-known/security.txt", context=plain))
        expected = {"headers.csp_ok": Outcome.PASS, "headers.frame_ok": Outcome.PASS,
                    "headers.nosniff_ok": Outcome.PASS, "headers.referrer_ok": Outcome.PASS}
        assert outcomes(headers.evaluate(home)) == expected
        assert outcomes(headers.evaluate(sectxt_response)) == expected

        over_http = securitytxt.evaluate(securitytxt.collect("dtc.test", context=plain))
        problems = {finding.code: finding for finding in over_http
                    if finding.outcome not in (Outcome.PASS, Outcome.INFO)}
        assert set(problems) == {"securitytxt.not_https", "securitytxt.invalid"}
        assert [error["code"] for error in problems["securitytxt.invalid"].detail["errors"]] == [
            "no_canonical_match"]

        with LoopbackHTTPS(["dtc.test"], handler=_proxy_to(live_server.url)) as proxy:
            secure = ScanContext.loopback(dns_port=dns_server.port, http_port=port, https_port=proxy.port,
                                          ca_file=proxy.ca_file)
            assert outcomes(headers.evaluate(headers.collect("dtc.test", context=secure))) == expected
            secured = outcomes(securitytxt.evaluate(securitytxt.collect("dtc.test", context=secure)))
            assert secured["securitytxt.ok"] == Outcome.PASS, secured
            assert set(secured.values()) <= {Outcome.PASS, Outcome.INFO}
            web_https = outcomes(https.evaluate(https.collect("dtc.test", context=secure)))
            assert web_https["https.ok"] == Outcome.PASS
            assert web_https["https.hsts_ok"] == Outcome.PASS


# --- pure evaluation on canned data ---------------------------------------------------------------


def _page(*pairs: tuple[str, str], url: str = "https://a.test/", status: int = 200) -> Exchange:
    return Exchange(url=url, status=status, headers=tuple((key.lower(), value) for key, value in pairs))


def _judge(*steps: Exchange) -> dict[str, Finding]:
    return by_code(headers.evaluate(headers.HeadersData("a.test", Chain(steps))))


def test_parse_csp_splits_policies_and_ignores_repeated_directives():
    policies = headers.parse_csp(["default-src 'self'; DEFAULT-SRC *, frame-ancestors 'self'", "img-src data:"])
    assert policies == [{"default-src": ["'self'"]}, {"frame-ancestors": ["'self'"]}, {"img-src": ["data:"]}]


def test_report_only_csp_does_not_count():
    found = _judge(_page(("Content-Security-Policy-Report-Only", "default-src 'self'")))
    assert found["headers.csp_missing"].detail["report_only"] == "default-src 'self'"


@pytest.mark.parametrize(("csp", "unsafe"), [
    ("default-src 'self' 'unsafe-eval'", ["default-src 'unsafe-eval'"]),
    ("script-src 'nonce-abc' 'unsafe-inline' 'unsafe-eval'", ["script-src 'unsafe-eval'"]),
    ("style-src 'UNSAFE-INLINE'", ["style-src 'unsafe-inline'"]),
    ("style-src 'sha256-abc=' 'unsafe-inline'", []),
    ("img-src 'unsafe-inline'", []),                      # not a script or style directive
])
def test_unsafe_sources(csp, unsafe):
    found = _judge(_page(("Content-Security-Policy", csp)))
    assert (found["headers.csp_unsafe"].detail["unsafe"] if unsafe else []) == unsafe
    assert ("headers.csp_ok" in found) == (not unsafe)


@pytest.mark.parametrize(("values", "protected"), [
    (["DENY"], True), (["sameorigin"], True), (["DENY", "DENY"], True),
    (["DENY, SAMEORIGIN"], False),                       # conflicting values are invalid
    (["ALLOW-FROM https://b.test/"], False),             # obsolete, ignored by browsers
    ([], False),
])
def test_x_frame_options(values, protected):
    found = _judge(_page(*[("X-Frame-Options", value) for value in values]))
    assert ("headers.frame_ok" in found) == protected


def test_frame_ancestors_with_a_bare_scheme_protects_nothing():
    found = _judge(_page(("Content-Security-Policy", "frame-ancestors 'self' https:")))
    assert "headers.frame_missing" in found


@pytest.mark.parametrize(("value", "policy"), [
    ("unsafe-url, no-referrer", "no-referrer"),           # the last recognised token wins
    ("strict-origin-when-cross-origin, made-up", "strict-origin-when-cross-origin"),
    ("NO-REFERRER-WHEN-DOWNGRADE", "no-referrer-when-downgrade"),
    ("", None),
])
def test_referrer_policy_parsing(value, policy):
    assert headers.referrer_policy(_page(("Referrer-Policy", value))) == policy


def test_content_headers_on_a_redirect_are_not_required():
    first = _page(("Location", "https://www.a.test/"), status=301)
    final = _page(("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
                  ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
                  url="https://www.a.test/")
    assert set(_judge(first, final)) == {
        "headers.csp_ok", "headers.frame_ok", "headers.nosniff_ok", "headers.referrer_ok"}


def test_every_code_has_advice_and_the_check_is_registered():
    assert_registered(headers, category="web", scored=True)
    assert_every_code_tested(headers, __name__, before="# --- the platform")
    to_fix = {code for code in headers.ADVICE if code.endswith(("_missing", "_unsafe", "_weak"))}
    assert_advice_complete(headers, with_message=to_fix, without_message=set(headers.ADVICE) - to_fix)
