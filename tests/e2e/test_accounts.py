"""Accounts through the real UI: a business owner signs up, verifies the address from an e-mail that
really travelled over SMTP, protects the account with an authenticator app, and from then on logs
in with password plus code. Wrong passwords are answered in Dutch, and repeated ones lock the account
for a while (allauth's `login_failed` limit, 5 per 5 minutes per account). Staff without a second
factor are sent to set one up before the back office opens (core.middleware.StaffMFAMiddleware).
"""

from __future__ import annotations

import re

import pytest
from e2e_support import PASSWORD, login, submit, totp_code, user_create
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_up_verify_set_up_mfa_and_log_in_with_code(page, smtp_server):
    email = "eigenaar@bakkerij-de-vries.nl"

    # Sign up.
    page.goto("/account/signup/")
    main = page.locator("main")
    main.locator("input[name=email]").fill(email)
    main.locator("input[name=password1]").fill(PASSWORD)
    main.locator("input[name=password2]").fill(PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/account/confirm-email/$"))
    assert "Verifieer je e-mailadres" in page.locator("h1").inner_text()

    # The confirmation e-mail arrives over SMTP; its link opens the confirmation page.
    message = smtp_server.wait_for(to=email)
    assert message["Subject"].startswith("[DTC] ")
    link = smtp_server.link(message, r"https?://\S+/account/confirm-email/\S+/")
    page.goto(link)
    assert email in page.locator("main").inner_text()
    submit(page)
    page.wait_for_url(re.compile(r"/account/login/$"))

    # Log in with the password only: no second factor yet.
    login(page, email)
    assert page.locator("h1").count() == 1

    # Activate TOTP with the secret the page shows next to the QR code.
    # allauth asks for the password again before a security setting changes.
    page.goto("/account/2fa/")
    page.locator("main").get_by_role("link", name="Activeer").click()
    page.wait_for_url(re.compile(r"/account/reauthenticate/\?next=%2Faccount%2F2fa%2Ftotp%2Factivate%2F$"))
    page.locator("main input[name=password]").fill(PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/account/2fa/totp/activate/$"))
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    page.locator("main input[name=code]").fill(totp_code(secret))
    submit(page)
    page.wait_for_url(re.compile(r"/account/2fa/"))
    assert "/totp/activate/" not in page.url, page.locator("main").inner_text()

    # Recovery codes: shown, and a fresh set can be generated.
    page.goto("/account/2fa/recovery-codes/")
    codes = page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10 and all(re.fullmatch(r"[0-9a-z]{8}", code) for code in codes), codes
    page.locator("main").get_by_role("link", name="Nieuwe codes genereren").click()
    page.wait_for_url(re.compile(r"/recovery-codes/generate/$"))
    submit(page)
    page.wait_for_url(re.compile(r"/account/2fa/recovery-codes/$"))
    new_codes = page.locator("#recovery_codes").input_value().split()
    assert len(new_codes) == 10 and set(new_codes).isdisjoint(codes)

    # Log out.
    page.locator("header").get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(re.compile(r"^http://[^/]+/$"))
    page.goto("/mijn/")
    page.wait_for_url(re.compile(r"/account/login/\?next=/mijn/$"))

    # Log in again: the password alone is not enough, the authenticator code completes it.
    page.goto("/account/login/")
    page.locator("main input[name=login]").fill(email)
    page.locator("main input[name=password]").fill(PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/account/2fa/authenticate/$"))
    code_input = page.locator("main input[name=code]")
    code_input.fill("000000" if totp_code(secret) != "000000" else "111111")
    submit(page)
    assert "Ongeldige code" in page.locator("main").inner_text()
    page.locator("main input[name=code]").fill(totp_code(secret))
    submit(page)
    page.wait_for_url(re.compile(r"/mijn/$"))
    expect(page.locator("header").get_by_role("button", name="Uitloggen")).to_be_visible()


def test_wrong_password_is_explained_in_dutch_and_keeps_the_address(page):
    user_create("kapper@example.nl")
    page.goto("/account/login/")
    page.locator("main input[name=login]").fill("kapper@example.nl")
    page.locator("main input[name=password]").fill("niet-het-goede-wachtwoord")
    submit(page)
    error = page.locator("main [role=alert]")
    assert "e-mailadres en/of wachtwoord is niet correct" in error.inner_text()
    assert page.locator("main input[name=login]").input_value() == "kapper@example.nl"
    assert page.locator("main input[name=password]").input_value() == ""
    assert page.url.endswith("/account/login/")


def test_repeated_wrong_passwords_lock_the_account_for_a_while(page):
    user_create("slotenmaker@example.nl")
    page.goto("/account/login/")
    for _attempt in range(5):
        page.locator("main input[name=login]").fill("slotenmaker@example.nl")
        page.locator("main input[name=password]").fill("verkeerd-wachtwoord")
        submit(page)
        assert "niet correct" in page.locator("main [role=alert]").inner_text()
    # The sixth attempt is refused even with the right password.
    page.locator("main input[name=login]").fill("slotenmaker@example.nl")
    page.locator("main input[name=password]").fill(PASSWORD)
    submit(page)
    assert "Te veel inlogpogingen" in page.locator("main [role=alert]").inner_text()
    assert "/mijn/" not in page.url


def test_staff_without_second_factor_is_sent_to_set_one_up(page):
    user_create("redacteur@dtc.example", is_staff=True)
    login(page, "redacteur@dtc.example")
    page.goto("/cms/")
    # Set-up of an authenticator app, behind allauth's password re-check.
    page.wait_for_url(re.compile(r"/account/reauthenticate/\?next=%2Faccount%2F2fa%2Ftotp%2Factivate%2F$"))
    assert "Stel eerst tweestapsverificatie in" in page.locator("main [role=status]").inner_text()
    page.locator("main input[name=password]").fill(PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/account/2fa/totp/activate/$"))
    assert page.locator("#authenticator_secret").input_value()
    # Still no way into the back office.
    page.goto("/cms/")
    page.wait_for_url(re.compile(r"/account/2fa/totp/activate/$"))
    assert "/cms/" not in page.url
