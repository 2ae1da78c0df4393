"""Every kind of page meets WCAG 2.1 level A and AA as far as axe-core can tell, and has the structure
assistive technology relies on: a language on <html>, exactly one h1 and one main landmark.

Government-funded sites in the Netherlands must meet EN 301 549 (= WCAG 2.1 AA; Besluit digitale
toegankelijkheid overheid). The pages are visited with the CSP enforced (the `page` fixture fails a
test on any CSP violation, request to another origin or JavaScript error). axe-core is injected with
Playwright's `evaluate`, which the page's CSP does not govern, so no bypass is needed.

Each test visits a group of pages and reports the problems of all of them at once.
"""

from __future__ import annotations

import re

import pytest
from e2e_support import (
    PASSWORD,
    assert_accessible,
    axe_report,
    axe_violations,
    login,
    submit,
    totp_code,
    user_create,
)
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def check_pages(page, pages: list[tuple[str, str, int]]) -> None:
    """Visit each (name, path, expected status) and collect every problem before failing."""
    problems = []
    for name, path, status in pages:
        response = page.goto(path)
        if response is None or response.status != status:
            problems.append(f"{name} ({path}): HTTP {response and response.status}, expected {status}")
            continue
        try:
            assert_accessible(page)
        except AssertionError as exc:
            problems.append(f"{name} ({path}):\n{exc}")
    assert not problems, "\n\n".join(problems)


def assert_errors_announced(page, field_names: list[str]) -> None:
    """Invalid fields are marked aria-invalid and described by their (visible) error message; an
    alert summarises the errors for screen readers."""
    expect(page.locator("main [role=alert]")).to_be_visible()
    for name in field_names:
        field = page.locator(f"main [name={name}]")
        expect(field).to_have_attribute("aria-invalid", "true")
        described_by = (field.get_attribute("aria-describedby") or "").split()
        errors = [page.locator(f"[id='{id_}']") for id_ in described_by]
        error_texts = [
            e.inner_text().strip() for e in errors if e.count() == 1 and "error" in e.get_attribute("class")
        ]
        assert error_texts and all(error_texts), (
            f"{name}: aria-describedby={described_by} names no error message"
        )


# --- public pages ----------------------------------------------------------------------------


def test_public_pages(page, knowledge_site):
    from dtc.knowledge.models import ArticlePage, CategoryPage, PrinciplePage

    principle = PrinciplePage.objects.live().get(number=1)
    category = CategoryPage.objects.live().get(category="reageren")
    article = ArticlePage.objects.live().get(slug="phishingmails-herkennen")
    check_pages(
        page,
        [
            ("home", "/", 200),
            ("principle index", "/basisprincipes/", 200),
            ("principle", principle.url, 200),
            ("category", category.url, 200),
            ("article", article.url, 200),
            ("search form", "/zoeken/", 200),
            ("search results", "/zoeken/?q=phishing", 200),
            ("search without results", "/zoeken/?q=qwxzyv", 200),
            ("login", "/account/login/", 200),
            ("sign-up", "/account/signup/", 200),
            ("password reset", "/account/password/reset/", 200),
            ("page not found", "/bestaat-niet/", 404),
        ],
    )


def test_public_pages_in_english(page, knowledge_site):
    page.goto("/")
    page.locator("header").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_pages(
        page,
        [
            ("home", "/", 200),
            ("search results", "/zoeken/?q=phishing", 200),
            ("login", "/account/login/", 200),
        ],
    )


# --- signed-in pages -------------------------------------------------------------------------


@pytest.fixture
def organisation_admin(transactional_db):
    """An admin of a located organisation with a domain, a product, a colleague and an invitation."""
    from dtc.organisations import services
    from dtc.organisations.tests.factories import MembershipFactory, ProductFactory

    membership = MembershipFactory(admin=True, organisation__located=True, user__email="beheer@bakkerij.nl")
    admin, organisation = membership.user, membership.organisation
    admin.set_password(PASSWORD)
    admin.save(update_fields=["password"])
    MembershipFactory(organisation=organisation)
    services.organisation_domain_add(actor=admin, organisation=organisation, name="bakkerij.nl")
    product = ProductFactory(vendor="Microsoft", name="Exchange Server")
    services.organisation_product_add(actor=admin, organisation=organisation, product=product, version="2019")
    services.invitation_create(actor=admin, organisation=organisation, email="nieuw@bakkerij.nl")
    return admin, organisation


def test_signed_in_pages(page, organisation_admin):
    admin, organisation = organisation_admin
    login(page, admin.email)
    base = f"/mijn/organisaties/{organisation.pk}"
    check_pages(
        page,
        [
            ("dashboard", "/mijn/", 200),
            ("register organisation", "/mijn/organisaties/nieuw/", 200),
            ("organisation profile", f"{base}/", 200),
            ("organisation domains", f"{base}/domeinen/", 200),
            ("organisation products", f"{base}/producten/", 200),
            ("organisation products, searched", f"{base}/producten/?q=exchange", 200),
            ("organisation members", f"{base}/leden/", 200),
            ("my data", "/mijn/gegevens/", 200),
            ("delete account", "/mijn/gegevens/verwijderen/", 200),
            ("e-mail addresses", "/account/email/", 200),
            ("change password", "/account/password/change/", 200),
            ("two-factor overview", "/account/2fa/", 200),
            ("API token", "/mijn/api/", 200),
        ],
    )


def test_mfa_pages(page):
    """Re-authentication, TOTP activation (also with a wrong code), recovery codes, the code prompt."""
    user_create("zzp@example.nl")
    login(page, "zzp@example.nl")
    check_pages(page, [("re-authenticate", "/account/reauthenticate/?next=/account/2fa/totp/activate/", 200)])
    page.locator("main input[name=password]").fill(PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/account/2fa/totp/activate/$"))
    assert_accessible(page)
    secret_field = page.get_by_label("Authenticator geheim")
    expect(secret_field).to_be_editable(editable=False)  # read-only, yet focusable and copyable
    secret = secret_field.input_value()

    page.locator("main input[name=code]").fill("123456" if totp_code(secret) != "123456" else "654321")
    submit(page)
    assert_errors_announced(page, ["code"])
    assert_accessible(page)

    page.locator("main input[name=code]").fill(totp_code(secret))
    submit(page)
    page.wait_for_url(re.compile(r"/account/2fa/recovery-codes/$"))
    check_pages(
        page,
        [
            ("recovery codes", "/account/2fa/recovery-codes/", 200),
            ("two-factor overview, activated", "/account/2fa/", 200),
        ],
    )

    page.locator("header").get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(re.compile(r"^http://[^/]+/$"))
    page.goto("/account/login/")
    page.locator("main input[name=login]").fill("zzp@example.nl")
    page.locator("main input[name=password]").fill(PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/account/2fa/authenticate/$"))
    assert_accessible(page)


def test_api_documentation_page(page):
    """The API documentation linked from every footer is third-party UI (Swagger UI); axe only."""
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".opblock-summary-control")
    violations = axe_violations(page)
    assert not violations, axe_report(violations, page.url)


# --- forms with errors -----------------------------------------------------------------------


def test_sign_up_errors_are_announced(page):
    page.goto("/account/signup/")
    submit(page)
    page.wait_for_load_state()
    assert_errors_announced(page, ["email", "password1"])
    assert_accessible(page)
    # The first error message is read together with its field.
    email = page.locator("main input[name=email]")
    described = email.get_attribute("aria-describedby").split()
    error_text = " ".join(page.locator(f"[id='{id_}']").inner_text() for id_ in described)
    assert "verplicht" in error_text.lower(), error_text


def test_login_error_is_announced(page):
    page.goto("/account/login/")
    page.locator("main input[name=login]").fill("onbekend@example.nl")
    page.locator("main input[name=password]").fill("fout-wachtwoord")
    submit(page)
    expect(page.locator("main [role=alert]")).to_contain_text("niet correct")
    assert_accessible(page)


def test_organisation_form_errors_are_announced(page):
    user_create("starter@example.nl")
    login(page, "starter@example.nl")
    page.goto("/mijn/organisaties/nieuw/")
    page.locator("main input[name=kvk_number]").fill("1234")
    submit(page)
    assert_errors_announced(page, ["name", "kvk_number"])
    assert_accessible(page)
    # What was typed is kept.
    expect(page.locator("main input[name=kvk_number]")).to_have_value("1234")
