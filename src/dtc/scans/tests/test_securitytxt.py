"""web.securitytxt: /.well-known/security.txt per RFC 9116 — over HTTPS, as text/plain, with Contact and an
Expires that is not past and less than a year ahead; other errors as the sectxt parser reports them; a PGP
signature is a plus. Expiry is judged against the moment the file was fetched.

End-to-end tests use loopback HTTP/HTTPS servers and a LoopbackDNS zone; pure tests judge canned data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dtc.scans.checks import securitytxt
from dtc.scans.checks.base import Finding, Outcome
from dtc.scans.checks.webclient import Chain, Exchange
from dtc.scans.testing.assertions import (
    assert_advice_complete,
    assert_every_code_tested,
    assert_registered,
    by_code,
    codes_in_source,
    scan,
)
from dtc.scans.testing.dnsserver import zone
from dtc.scans.testing.httpserver import Response, closed_port, redirect

PATH = "/.well-known/security.txt"
TEXT = {"Content-Type": "text/plain; charset=utf-8"}


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def body(label: str, *, expires: dt.timedelta | None = dt.timedelta(days=180), contact: bool = True,
         extra: str = "") -> str:
    lines = [f"Contact: mailto:security@{label}.example.test"] if contact else []
    if expires is not None:
        lines.append(f"Expires: {stamp(timezone.now() + expires)}")
    lines += [f"Canonical: https://{label}.example.test{PATH}", "Preferred-Languages: nl, en"]
    return "\n".join(lines) + "\n" + extra


def signed(text: str) -> str:
    import pgpy_dtc as pgpy
    from pgpy_dtc.constants import EllipticCurveOID, HashAlgorithm, KeyFlags, PubKeyAlgorithm

    key = pgpy.PGPKey.new(PubKeyAlgorithm.EdDSA, EllipticCurveOID.Ed25519)
    key.add_uid(pgpy.PGPUID.new("Security", email="security@signed.example.test"), usage={KeyFlags.Sign},
                hashes=[HashAlgorithm.SHA256])
    message = pgpy.PGPMessage.new(text, cleartext=True)
    message |= key.sign(message)
    return str(message)


def sites() -> dict[str, Response]:
    return {
        "good": Response(body=body("good"), headers=TEXT),
        "signed": Response(body=signed(body("signed")), headers=TEXT),
        "missing": Response(status=404, body="niet gevonden", headers=TEXT),
        "softpage": Response(body="<html><p>Welkom!</p></html>", headers={"Content-Type": "text/html"}),
        "wrongtype": Response(body=body("wrongtype"), headers={"Content-Type": "text/html; charset=utf-8"}),
        "nocontact": Response(body=body("nocontact", contact=False), headers=TEXT),
        "noexpires": Response(body=body("noexpires", expires=None), headers=TEXT),
        "expired": Response(body=body("expired", expires=-dt.timedelta(days=1)), headers=TEXT),
        "far": Response(body=body("far", expires=dt.timedelta(days=800)), headers=TEXT),
        "invalid": Response(body=body("invalid", extra="Dit is geen veld\nHiring: http://invalid.example.test/\n"),
                            headers=TEXT),
        "downgrade": redirect(f"http://downgrade.example.test{PATH}"),
        "moved": redirect(f"https://www.moved.example.test{PATH}"),
        "www.moved": Response(body=body("www.moved"), headers=TEXT),
        "httponly": Response(body=body("httponly"), headers=TEXT),
        "slow": Response(delay=3),
    }


@pytest.fixture(scope="module")
def web(loopback_web):
    served = sites()
    https_routes = {f"{label}.example.test{PATH}": response for label, response in served.items()}
    http_routes = {
        f"downgrade.example.test{PATH}": Response(body=body("downgrade"), headers=TEXT),
        f"httponly.example.test{PATH}": Response(body=body("httponly"), headers=TEXT),
        f"slow.example.test{PATH}": Response(delay=3),
    }
    names = zone("example.test", *[f"{label} 300 IN A 127.0.0.1" for label in served])
    return loopback_web(names, http_routes, https_routes, https_hosts=[f"{label}.example.test" for label in served])


def run(web, label: str, **overrides) -> dict[str, Finding]:
    host = f"{label}.example.test"
    findings = scan(securitytxt, host, context=web.context(**overrides))
    assert all(finding.subject == host for finding in findings)
    return by_code(findings)


def outcomes(found: dict[str, Finding]) -> dict[str, Outcome]:
    return {code: finding.outcome for code, finding in found.items()}


# --- end to end: every finding code ---------------------------------------------------------------


def test_good_file_passes_and_an_unsigned_file_gets_a_tip(web):
    found = run(web, "good")
    assert outcomes(found) == {"securitytxt.ok": Outcome.PASS, "securitytxt.not_signed": Outcome.INFO}
    assert found["securitytxt.ok"].detail["contact"] == ["mailto:security@good.example.test"]
    assert found["securitytxt.ok"].detail["url"] == f"https://good.example.test{PATH}"


def test_signed_file_is_reported_as_a_plus(web):
    assert outcomes(run(web, "signed")) == {"securitytxt.ok": Outcome.PASS, "securitytxt.signed": Outcome.INFO}


def test_redirect_to_www_over_https_is_followed(web):
    found = run(web, "moved")
    assert found["securitytxt.ok"].detail["url"] == f"https://www.moved.example.test{PATH}"


@pytest.mark.parametrize("label", ["missing", "softpage"])
def test_no_file_or_a_web_page_in_its_place_is_missing(web, label):
    assert outcomes(run(web, label)) == {"securitytxt.missing": Outcome.FAIL}


@pytest.mark.parametrize(("label", "code", "outcome"), [
    ("wrongtype", "securitytxt.wrong_content_type", Outcome.FAIL),
    ("nocontact", "securitytxt.no_contact", Outcome.FAIL),
    ("noexpires", "securitytxt.no_expires", Outcome.FAIL),
    ("expired", "securitytxt.expired", Outcome.FAIL),
    ("far", "securitytxt.expires_too_far", Outcome.WARN),
    ("invalid", "securitytxt.invalid", Outcome.FAIL),
])
def test_each_problem_with_the_file_has_its_own_finding(web, label, code, outcome):
    found = run(web, label)
    assert found[code].outcome == outcome
    assert "securitytxt.ok" not in found
    others = {other for other, finding in found.items()
              if finding.outcome not in (Outcome.INFO,) and other != code}
    assert not others, others


def test_invalid_lists_the_sectxt_errors(web):
    errors = run(web, "invalid")["securitytxt.invalid"].detail["errors"]
    assert {error["code"] for error in errors} == {"invalid_line", "no_https"}


def test_a_redirect_from_https_to_http_is_not_https(web):
    found = run(web, "downgrade")
    assert outcomes(found) == {"securitytxt.not_https": Outcome.FAIL, "securitytxt.not_signed": Outcome.INFO}
    assert found["securitytxt.not_https"].detail["chain"][-1].startswith("http://")


def test_a_file_only_over_http_is_not_https(web):
    found = run(web, "httponly", https_port=closed_port())
    assert found["securitytxt.not_https"].outcome == Outcome.FAIL
    assert found["securitytxt.not_https"].detail["https_error"] == "refused"


def test_slow_or_unreachable_server_is_not_tested_never_failed(web):
    assert outcomes(run(web, "slow")) == {"securitytxt.not_tested": Outcome.NOT_TESTED}
    refused = run(web, "good", http_port=closed_port(), https_port=closed_port())
    assert outcomes(refused) == {"securitytxt.not_tested": Outcome.NOT_TESTED}


def test_name_without_address_is_not_applicable(web):
    assert outcomes(run(web, "nergens")) == {"securitytxt.no_address": Outcome.NOT_APPLICABLE}


# --- pure evaluation on canned data ---------------------------------------------------------------

FETCHED = dt.datetime(2024, 2, 29, 12, 0, tzinfo=dt.UTC)


def _data(text: str, *, content_type: str = "text/plain; charset=utf-8", fetched_at: dt.datetime = FETCHED,
          url: str = f"https://a.test{PATH}") -> securitytxt.SecurityTxtData:
    response = Exchange(url=url, status=200, headers=(("content-type", content_type),), body=text.encode())
    return securitytxt.SecurityTxtData(host="a.test", https=Chain((response,)), fetched_at=fetched_at)


def _codes(data: securitytxt.SecurityTxtData) -> set[str]:
    return {finding.code for finding in securitytxt.evaluate(data)}


@pytest.mark.parametrize(("expires", "code"), [
    ("2024-08-01T00:00:00Z", "securitytxt.ok"),            # in the past today, but not when fetched
    ("2024-02-29T11:59:59Z", "securitytxt.expired"),
    ("2025-02-28T12:00:00Z", "securitytxt.ok"),            # exactly one year after 29 February
    ("2025-03-01T00:00:00Z", "securitytxt.expires_too_far"),
    ("2024-08-01T02:00:00+02:00", "securitytxt.ok"),
])
def test_expiry_is_judged_against_the_moment_of_fetching(expires, code):
    assert code in _codes(_data(f"Contact: mailto:s@a.test\nExpires: {expires}\n"))


def test_expires_in_another_format_is_invalid():
    codes = _codes(_data("Contact: mailto:s@a.test\nExpires: 1 August 2024\n"))
    assert codes == {"securitytxt.invalid", "securitytxt.not_signed"}


@pytest.mark.parametrize(("content_type", "ok"), [
    ("text/plain", True), ("TEXT/PLAIN; charset=UTF-8", True),
    ("text/plain; charset=iso-8859-1", False), ("application/octet-stream", False),
])
def test_content_type(content_type, ok):
    codes = _codes(_data("Contact: mailto:s@a.test\nExpires: 2024-08-01T00:00:00Z\n", content_type=content_type))
    assert ("securitytxt.wrong_content_type" not in codes) == ok


def test_canonical_must_match_the_first_or_final_url():
    text = "Contact: mailto:s@a.test\nExpires: 2024-08-01T00:00:00Z\nCanonical: https://elders.test/security.txt\n"
    finding = next(f for f in securitytxt.evaluate(_data(text)) if f.code == "securitytxt.invalid")
    assert [error["code"] for error in finding.detail["errors"]] == ["no_canonical_match"]


def test_every_code_has_advice_and_the_check_is_registered():
    assert_registered(securitytxt, category="web", scored=True)
    conditional = {"securitytxt.signed", "securitytxt.not_signed"}  # built with a conditional expression
    assert_every_code_tested(securitytxt, __name__, before="# --- pure evaluation", also=conditional)
    codes = codes_in_source(securitytxt) | conditional
    nothing_to_fix = {"securitytxt.ok", "securitytxt.signed", "securitytxt.not_signed", "securitytxt.not_tested",
                      "securitytxt.no_address"}
    assert_advice_complete(securitytxt, codes, with_message=codes - nothing_to_fix, without_message=nothing_to_fix)
