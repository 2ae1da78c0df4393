"""Personal API tokens. With e-mail and password a user gets a token, unless the account has a
second factor: then only the web page (after signing in with both factors) hands one out. Creating,
rotating and revoking are audit-logged; the old token stops working at once."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dtc.api.tests.conftest import PASSWORD, make_user
from dtc.core.models import AuditLogEntry

pytestmark = [pytest.mark.django_db]
OBTAIN = "/api/v1/auth/token/"


def obtain(email: str, password: str = PASSWORD):
    return APIClient().post(OBTAIN, {"email": email, "password": password}, format="json")


def test_obtain_token_with_password_and_use_it(orgs):
    response = obtain("Admin@Korst.nl")

    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=orgs["admin"]).key == key
    assert AuditLogEntry.objects.filter(action="api_token.create", actor=orgs["admin"]).count() == 1
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/organisations/").status_code == 200


def test_obtaining_again_returns_the_same_token(orgs):
    assert obtain("admin@korst.nl").json() == obtain("admin@korst.nl").json()


def test_wrong_password_is_json_400(orgs):
    response = obtain("admin@korst.nl", "fout wachtwoord")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not Token.objects.exists()


def test_missing_fields_are_named(db):
    response = APIClient().post(OBTAIN, {"email": "geen-adres"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email", "password"}


def test_mfa_user_cannot_obtain_token_by_password(orgs):
    Authenticator.objects.create(user=orgs["admin"], type=Authenticator.Type.TOTP, data={"secret": "x"})

    response = obtain("admin@korst.nl")

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "mfa_required"
    assert "website" in body["detail"]
    assert not Token.objects.exists()


def test_unverified_address_gets_no_token(db):
    make_user("nieuw@example.nl", verified=False)

    response = obtain("nieuw@example.nl")

    assert response.status_code == 403
    assert response.json()["code"] == "email_not_verified"


def test_repeated_failures_are_rate_limited(orgs):
    statuses = [obtain("admin@korst.nl", f"fout {n}").status_code for n in range(6)]

    assert statuses[:5] == [400] * 5
    assert statuses[5] == 429
    assert obtain("admin@korst.nl").status_code == 429  # even the right password, for now


# --- the web page ------------------------------------------------------------------------------


def signed_in(client, user, *, recently: bool = True):
    """Log in; `recently`: also confirm the password on allauth's reauthentication page."""
    client.force_login(user)
    if recently:
        response = client.post("/account/reauthenticate/", {"password": PASSWORD})
        assert response.status_code == 302, response.content.decode()
    return client


def test_token_page_needs_login(client, db):
    response = client.get("/mijn/api/")

    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_token_page_without_token(client, orgs):
    response = signed_in(client, orgs["admin"]).get("/mijn/api/")

    assert response.status_code == 200
    assert "U heeft nog geen API-token." in response.content.decode()


def test_create_shows_token_once(client, orgs):
    signed_in(client, orgs["admin"])

    response = client.post("/mijn/api/token/nieuw/")

    key = Token.objects.get(user=orgs["admin"]).key
    assert response.status_code == 200
    assert key in response.content.decode()
    assert key not in client.get("/mijn/api/").content.decode()
    assert AuditLogEntry.objects.filter(action="api_token.create", actor=orgs["admin"]).exists()


def test_rotate_replaces_the_token(client, orgs):
    old = Token.objects.create(user=orgs["admin"]).key
    signed_in(client, orgs["admin"])

    client.post("/mijn/api/token/nieuw/")

    new = Token.objects.get(user=orgs["admin"]).key
    assert new != old
    assert APIClient(HTTP_AUTHORIZATION=f"Token {old}").get("/api/v1/organisations/").status_code == 401
    assert APIClient(HTTP_AUTHORIZATION=f"Token {new}").get("/api/v1/organisations/").status_code == 200
    assert AuditLogEntry.objects.filter(action="api_token.rotate", actor=orgs["admin"]).exists()


def test_revoke_deletes_the_token(client, orgs):
    old = Token.objects.create(user=orgs["admin"]).key
    signed_in(client, orgs["admin"])

    response = client.post("/mijn/api/token/intrekken/", follow=True)

    assert not Token.objects.filter(user=orgs["admin"]).exists()
    assert "ingetrokken" in response.content.decode()
    assert APIClient(HTTP_AUTHORIZATION=f"Token {old}").get("/api/v1/organisations/").status_code == 401
    assert AuditLogEntry.objects.filter(action="api_token.revoke", actor=orgs["admin"]).exists()


def test_creating_a_token_asks_for_recent_authentication(client, orgs):
    signed_in(client, orgs["admin"], recently=False)

    response = client.post("/mijn/api/token/nieuw/")

    assert response.status_code == 302
    assert "/account/reauthenticate/" in response["Location"]
    assert not Token.objects.exists()


def test_mfa_user_can_create_token_on_the_web(client, orgs):
    Authenticator.objects.create(user=orgs["admin"], type=Authenticator.Type.TOTP, data={"secret": "x"})
    signed_in(client, orgs["admin"])

    response = client.post("/mijn/api/token/nieuw/")

    assert response.status_code == 200
    assert Token.objects.filter(user=orgs["admin"]).exists()


def test_forms_post_with_csrf(client, orgs):
    from django.test import Client

    csrf_client = signed_in(Client(enforce_csrf_checks=True), orgs["admin"], recently=False)
    html = csrf_client.get("/mijn/api/").content.decode()

    assert 'name="csrfmiddlewaretoken"' in html
    assert csrf_client.post("/mijn/api/token/nieuw/").status_code == 403
