"""A security key (WebAuthn) as second factor: added through the real page and used to log in,
with Chromium's virtual authenticator standing in for the hardware key."""

from __future__ import annotations

import re

import pytest
from e2e_support import PASSWORD, submit, user_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _virtual_authenticator(page) -> None:
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_security_key_is_added_and_completes_the_login(page):
    from allauth.mfa.models import Authenticator

    email = "sleutel@bakkerij-de-vries.nl"
    user = user_create(email)
    _virtual_authenticator(page)

    page.goto("/account/login/")
    page.locator("main input[name=login]").fill(email)
    page.locator("main input[name=password]").fill(PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/mijn/$"))

    # allauth asks for the password again before a security setting changes.
    page.goto("/account/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:
        page.locator("main input[name=password]").fill(PASSWORD)
        submit(page)
        page.wait_for_url(re.compile(r"/account/2fa/webauthn/add/$"))
    page.locator("main input[name=name]").fill("Sleutel aan de sleutelbos")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).count() == 1

    # Log out and in again: the password is not enough, the key completes it.
    page.locator("header").get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(re.compile(r"^http://[^/]+/$"))
    page.goto("/account/login/")
    page.locator("main input[name=login]").fill(email)
    page.locator("main input[name=password]").fill(PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/account/2fa/authenticate/$"))
    page.locator("#mfa_webauthn_authenticate").click()
    page.wait_for_url(re.compile(r"/mijn/$"))
