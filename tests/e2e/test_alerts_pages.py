"""Tailored alerts through a real browser: the business inbox, an alert (answered from the keyboard,
forwarded to an IT supplier) and its settings; the analysts' advisory page (also with the banner of a
non-CLEAR advisory) and the review queue. axe finds zero WCAG 2.1 AA violations on every page and no
page scrolls sideways on a 320px-wide screen.
"""

from __future__ import annotations

import re

import pytest
from e2e_support import login, user_create
from playwright.sync_api import expect
from test_trust_platform_pages import assert_accessible_and_reflows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alerts(transactional_db, settings):
    """A bakery using an Acme router (version unknown) with an urgent alert; an analyst; a TLP:AMBER
    advisory; an unmapped product in the review queue."""
    from decimal import Decimal

    from django.contrib.auth.models import Group

    from dtc.advisories.models import Vulnerability
    from dtc.advisories.tests.factories import (
        AdvisoryFactory,
        AdvisoryProductFactory,
        AdvisoryRevisionFactory,
        AlertFactory,
        MessageFactory,
    )
    from dtc.organisations.models import Membership, Organisation, OrganisationProduct, Role
    from dtc.organisations.tests.factories import ProductFactory

    settings.DTC_STAFF_MFA_REQUIRED = False  # the MFA set-up itself is covered by test_accounts
    analyst = user_create("analist@dtc.example", name="Anna Analist")
    analyst.groups.add(Group.objects.get_or_create(name=Role.ANALYST.value)[0])
    owner = user_create("eigenaar@bakkerij-de-vries.nl", name="Anne de Vries")
    bakery = Organisation.objects.create(name="Bakkerij De Vries", kvk_number="12345678")
    Membership.objects.create(user=owner, organisation=bakery, role=Membership.OrgRole.ADMIN)
    router = ProductFactory(vendor="Acme", name="Router")
    OrganisationProduct.objects.create(organisation=bakery, product=router, version="")

    advisory = AdvisoryFactory(
        tracking_id="NCSC-2026-0042",
        title="Kwetsbaarheid in Acme Router",
        cvss_max=Decimal("9.8"),
        exploited=True,
    )
    revision = AdvisoryRevisionFactory(advisory=advisory, version="1.01")
    AdvisoryProductFactory(
        revision=revision, catalogue_product=router, vers="vers:unknown/*", version_text="alle versies"
    )
    AdvisoryProductFactory(
        revision=revision,
        catalogue_product=None,
        vendor="Acme Corp.",
        product_name="Switch 9",
        full_name="Acme Corp. Switch 9",
        match_key="acme switch 9",
        matched_by="",
    )
    Vulnerability.objects.create(
        revision=revision, cve="CVE-2026-1234", cvss_score=Decimal("9.8"), exploited=True
    )
    MessageFactory(
        advisory=advisory,
        published=True,
        urgent=True,
        title="Werk uw Acme-router vandaag bij",
        written_by=analyst,
    )
    alert = AlertFactory(revision=revision, organisation=bakery)
    amber = AdvisoryRevisionFactory(
        advisory=AdvisoryFactory(amber=True, tracking_id="NCSC-2026-0043")
    ).advisory
    return {
        "owner": owner.email,
        "analyst": analyst.email,
        "alert": alert.pk,
        "advisory": advisory.pk,
        "amber": amber.pk,
        "organisation": bakery.pk,
    }


def test_business_inbox_alert_and_settings(page, alerts, smtp_server):
    main = page.locator("main")
    login(page, alerts["owner"])
    page.goto("/mijn/waarschuwingen/")
    expect(page.locator("h1")).to_have_text("Waarschuwingen")
    expect(main.locator(".dtc-unread")).to_contain_text("Werk uw Acme-router vandaag bij")
    expect(main.locator(".dtc-unread")).to_contain_text("Urgent: nu handelen")
    assert_accessible_and_reflows(page)

    main.get_by_role("link", name="Werk uw Acme-router vandaag bij").click()
    expect(page.locator("h1")).to_have_text("Werk uw Acme-router vandaag bij")
    expect(main.locator(".dtc-concern")).to_contain_text("versie onbekend — mogelijk kwetsbaar")
    assert_accessible_and_reflows(page)

    # "Gedaan" from the keyboard only.
    done = main.get_by_role("button", name="Gedaan")
    done.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".dtc-messages")).to_contain_text("Uw antwoord is bewaard")
    expect(main).to_contain_text("Uw antwoord: Gedaan")

    # A wrong address is refused on the page; a right one reaches the supplier, with Reply-To the member.
    main.get_by_role("button", name="Doorsturen").click()
    expect(main.get_by_label("E-mailadres van uw IT-leverancier")).to_have_attribute("aria-invalid", "true")
    assert_accessible_and_reflows(page)
    main.get_by_label("E-mailadres van uw IT-leverancier").fill("helpdesk@it-partner.nl")
    main.get_by_label("Bericht erbij").fill("Kun je dit vandaag doen?")
    main.get_by_role("button", name="Doorsturen").click()
    expect(page.locator(".dtc-messages")).to_contain_text("doorgestuurd")
    sent = smtp_server.wait_for(to="helpdesk@it-partner.nl")
    assert sent["Reply-To"] == alerts["owner"]
    assert "Kun je dit vandaag doen?" in smtp_server.text(sent)

    page.goto(f"/mijn/waarschuwingen/instellingen/{alerts['organisation']}/")
    assert_accessible_and_reflows(page)
    main.get_by_role("button", name="Feedlink maken").click()
    expect(main.locator("#feed-url")).to_contain_text("/mijn/waarschuwingen/feed/")
    assert_accessible_and_reflows(page)


def test_analyst_advisory_page_and_review_queue(page, alerts):
    main = page.locator("main")
    login(page, alerts["analyst"])
    page.goto("/analist/waarschuwingen/")
    expect(main.locator("table")).to_contain_text("NCSC-2026-0042")
    assert_accessible_and_reflows(page)

    page.goto(f"/analist/waarschuwingen/{alerts['advisory']}/")
    expect(page.locator("h1")).to_contain_text("NCSC-2026-0042")
    expect(main).to_contain_text("niet gekoppeld")
    expect(main).to_contain_text("CVE-2026-1234")
    expect(main.get_by_label("Titel")).to_have_value("Werk uw Acme-router vandaag bij")
    assert_accessible_and_reflows(page)

    page.goto(f"/analist/waarschuwingen/{alerts['amber']}/")
    expect(main.locator(".dtc-tlp-banner")).to_contain_text("kan niet naar bedrijven")
    assert_accessible_and_reflows(page)

    page.goto("/analist/waarschuwingen/koppelen/")
    expect(main).to_contain_text("acme switch 9")
    assert_accessible_and_reflows(page)
    main.get_by_role("button", name="Niet in catalogus").click()
    expect(page.locator(".dtc-messages")).to_contain_text(re.compile("staat niet meer in de wachtrij"))


def test_analyst_imports_csaf_files_from_the_screen(page, alerts):
    """Upload one good NCSC-style document and one broken file: the result table says which is which."""
    from pathlib import Path

    fixtures = Path(__file__).resolve().parents[2] / "src" / "dtc" / "advisories" / "fixtures" / "ncsc" / "2026"
    main = page.locator("main")
    login(page, alerts["analyst"])
    page.goto("/analist/waarschuwingen/importeren/")
    expect(page.locator("h1")).to_have_text("Adviezen importeren")
    expect(main).to_contain_text("Nog geen bronnen")
    assert_accessible_and_reflows(page)
    main.get_by_label("CSAF-bestanden").set_input_files(
        [
            {
                "name": "ncsc-2026-0002.json",
                "mimeType": "application/json",
                "buffer": (fixtures / "ncsc-2026-0002.json").read_bytes(),
            },
            {"name": "kapot.json", "mimeType": "application/json", "buffer": b'{"document": '},
        ]
    )
    main.get_by_role("button", name="Importeren").click()
    table = main.locator("#resultaat + table")
    expect(table).to_contain_text("nieuw advies")
    expect(table).to_contain_text("afgekeurd")
    assert_accessible_and_reflows(page)
    table.get_by_role("link", name="ncsc-2026-0002.json").click()
    expect(page.locator("h1")).to_contain_text("NCSC-2026-0002")
