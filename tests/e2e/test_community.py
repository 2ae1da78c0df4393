"""The trust platform through the real UI: a community coordinator opens a community that counts as one
TLP organisation, invites a business, the business's admin accepts and shares a TLP:AMBER item, a
colleague at the same business reads it, and an outsider who guesses the item's URL gets a 404 —
the page never admits that the item exists. axe finds zero WCAG 2.1 AA violations on every page.
"""

from __future__ import annotations

import re

import pytest
from e2e_support import assert_accessible, login, submit, user_create
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db):
    from django.contrib.auth.models import Group

    from dtc.organisations.models import Membership, Organisation, Role

    coordinator = user_create("coordinator@isac-utrecht.nl")
    coordinator.groups.add(Group.objects.get_or_create(name=Role.COMMUNITY_COORDINATOR.value)[0])
    bakery = Organisation.objects.create(name="Bakkerij De Vries", kvk_number="12345678")
    author = user_create("eigenaar@bakkerij-de-vries.nl")
    colleague = user_create("collega@bakkerij-de-vries.nl")
    Membership.objects.create(user=author, organisation=bakery, role=Membership.OrgRole.ADMIN)
    Membership.objects.create(user=colleague, organisation=bakery, role=Membership.OrgRole.MEMBER)
    user_create("buitenstaander@elders.nl")
    return {"coordinator": coordinator.email, "author": author.email, "colleague": colleague.email}


def switch_user(page, email: str) -> None:
    page.context.clear_cookies()
    login(page, email)


def test_coordinator_invites_a_business_whose_people_share_amber_and_outsiders_get_404(page, people):
    main = page.locator("main")

    # The coordinator opens a community that counts as one TLP organisation.
    login(page, people["coordinator"])
    page.goto("/communities/")
    assert_accessible(page)
    main.get_by_role("link", name="Community openen").click()
    page.wait_for_url(re.compile(r"/communities/nieuw/$"))
    assert_accessible(page)
    main.get_by_label("Naam van de community").fill("ISAC Regio Utrecht")
    main.get_by_label("Beschrijving").fill("Ondernemers in de regio Utrecht delen dreigingen en lessen.")
    main.get_by_label(re.compile("telt als één TLP-organisatie")).check()
    submit(page)
    page.wait_for_url(re.compile(r"/communities/\d+/$"))
    community_url = page.url
    expect(page.locator("h1")).to_have_text("ISAC Regio Utrecht")
    expect(main).to_contain_text("U bent coördinator")
    assert_accessible(page)

    # … and invites the bakery by its name.
    page.get_by_role("navigation", name="Onderdelen van de community").get_by_role(
        "link", name="Leden"
    ).click()
    page.wait_for_url(re.compile(r"/leden/$"))
    assert_accessible(page)
    main.get_by_label(re.compile("Organisatie: KvK-nummer")).fill("Bakkerij De Vries")
    main.get_by_role("button", name="Uitnodigen", exact=True).click()
    expect(page.locator(".dtc-messages")).to_contain_text("Bakkerij De Vries is uitgenodigd.")
    expect(main).to_contain_text("Openstaande uitnodigingen")
    assert_accessible(page)

    # The bakery's admin accepts and shares a TLP:AMBER item.
    switch_user(page, people["author"])
    page.goto(community_url)
    assert_accessible(page)
    main.get_by_role("button", name="Uitnodiging voor Bakkerij De Vries accepteren").click()
    expect(page.locator(".dtc-messages")).to_contain_text("Welkom in ISAC Regio Utrecht.")
    assert_accessible(page)
    main.get_by_role("link", name="Item delen").click()
    page.wait_for_url(re.compile(r"/items/nieuw/$"))
    assert_accessible(page)
    main.get_by_label("Soort").select_option("threat")
    main.get_by_label("Titel").fill("Nepfacturen uit naam van de meelleverancier")
    main.get_by_label("Tekst").fill("Controleer het **rekeningnummer** voordat u betaalt.")
    main.locator("input[name=tlp][value=AMBER]").check()
    main.get_by_role("button", name="Publiceren").click()
    page.wait_for_url(re.compile(r"/communities/items/\d+/$"))
    item_url = page.url
    expect(page.locator("h1")).to_have_text("Nepfacturen uit naam van de meelleverancier")
    expect(main.locator(".dtc-tlp")).to_have_text("TLP:AMBER")
    expect(main.locator("strong", has_text="rekeningnummer")).to_be_visible()
    assert_accessible(page)

    # A colleague at the bakery finds it in the community's feed.
    switch_user(page, people["colleague"])
    page.goto(community_url)
    assert_accessible(page)
    main.get_by_role("link", name="Nepfacturen uit naam van de meelleverancier").click()
    page.wait_for_url(item_url)
    expect(main.locator(".dtc-tlp-banner")).to_contain_text("Wat mag u ermee:")
    expect(main).to_contain_text("eigenaar@bakkerij-de-vries.nl")
    assert_accessible(page)

    # An outsider who has the URL gets a plain 404, and the feed does not show the item.
    switch_user(page, "buitenstaander@elders.nl")
    response = page.goto(item_url)
    assert response is not None and response.status == 404
    expect(main).not_to_contain_text("Nepfacturen")
    assert_accessible(page)
    page.goto(community_url)
    expect(main).not_to_contain_text("Nepfacturen")
    assert_accessible(page)
