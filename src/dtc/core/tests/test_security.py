"""Every response carries the security baseline: a CSP without unsafe-inline/unsafe-eval and with
frame-ancestors 'none', nosniff, a Referrer-Policy; over HTTPS also HSTS (≥ 1 year) and cookies
with the Secure flag. security.txt follows RFC 9116."""

from __future__ import annotations

import datetime as dt

import pytest
import sectxt
from django.utils import timezone

from dtc.core.views import security_txt_body

PAGES = [
    "/",
    "/zoeken/?q=wachtwoord",
    "/account/login/",
    "/account/signup/",
    "/.well-known/security.txt",
    "/robots.txt",
    "/bestaat-niet/",
    "/api/v1/schema/",
    "/feeds/artikelen.atom",
]


def assert_baseline(response) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert csp, f"no CSP on {response.request['PATH_INFO']}"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code < 500
    assert_baseline(response)
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS would be ignored


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/account/login/", "/zoeken/"])
def test_https_responses_send_hsts_of_at_least_a_year_and_secure_cookies(client, path, settings):
    settings.ALLOWED_HOSTS = ["dtc.example"]
    response = client.get(path, secure=True, HTTP_HOST="dtc.example")
    assert_baseline(response)
    hsts = response.headers["Strict-Transport-Security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 365 * 24 * 3600
    for cookie in response.cookies.values():
        assert cookie["secure"], f"cookie {cookie.key} lacks Secure"
        assert cookie["httponly"] or cookie.key == "csrftoken"


@pytest.mark.django_db
def test_forms_are_csrf_protected(client):
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post("/account/login/", {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_security_txt_is_valid_per_rfc_9116(client, settings):
    settings.SITE_URL = "https://dtc.example"
    settings.ALLOWED_HOSTS = ["dtc.example"]
    response = client.get("/.well-known/security.txt", secure=True, HTTP_HOST="dtc.example")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    parser = sectxt.Parser(response.content, urls="https://dtc.example/.well-known/security.txt")
    assert parser.is_valid(), parser.errors
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert set(fields) >= {"Contact", "Expires", "Preferred-Languages", "Canonical", "Policy"}
    assert fields["Canonical"] == "https://dtc.example/.well-known/security.txt"
    expires = dt.datetime.fromisoformat(fields["Expires"].replace("Z", "+00:00"))
    assert timezone.now() < expires < timezone.now() + dt.timedelta(days=365)


def test_security_txt_expiry_is_capped_below_a_year(settings):
    settings.DTC_SECURITY_TXT_DAYS = 5000
    now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    body = security_txt_body(now=now)
    expires_line = next(line for line in body.splitlines() if line.startswith("Expires: "))
    expires = dt.datetime.fromisoformat(expires_line.removeprefix("Expires: ").replace("Z", "+00:00"))
    assert expires - now < dt.timedelta(days=365)


def test_security_txt_lists_every_configured_contact(settings):
    settings.DTC_SECURITY_CONTACTS = ["mailto:csirt@dtc.example", "https://dtc.example/melden"]
    settings.DTC_SECURITY_ENCRYPTION = "https://dtc.example/pgp.asc"
    body = security_txt_body()
    assert "Contact: mailto:csirt@dtc.example\nContact: https://dtc.example/melden\n" in body
    assert "Encryption: https://dtc.example/pgp.asc" in body
