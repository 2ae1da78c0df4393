"""The public knowledge site as a visitor uses it: by clicking links, by keyboard, by searching and in
either language. The content is the demo set the project ships (`knowledge_demo_load`).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_to_principle_to_article_by_clicking(page, knowledge_site):
    page.goto("/")
    main = page.locator("main")
    expect(page.locator("h1")).to_have_text("Digital Trust Center")

    main.get_by_role("link", name="Voer updates uit").click()
    page.wait_for_url(re.compile(r"/basisprincipes/[^/]+/$"))
    expect(page.locator("h1")).to_have_text("Voer updates uit")
    expect(main).to_contain_text("Basisprincipe 3")
    breadcrumbs = page.get_by_role("navigation", name="Kruimelpad")
    expect(breadcrumbs.get_by_role("link", name="De vijf basisprincipes")).to_be_visible()

    related = main.locator("section[aria-labelledby=artikelen-kop]")
    first_article = related.get_by_role("link").first
    title = first_article.inner_text().strip()
    first_article.click()
    expect(page.locator("h1")).to_have_text(title)
    # The article links back to the principle it belongs to.
    expect(main.get_by_role("link", name=re.compile(r"3\. Voer updates uit"))).to_be_visible()


def test_skip_link_moves_focus_to_the_main_content(page, knowledge_site):
    page.goto("/basisprincipes/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Naar de inhoud")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()  # hidden off-screen until focused
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert page.url.endswith("#inhoud")
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_search_for_phishing_and_open_a_result(page, knowledge_site):
    page.goto("/")
    page.locator("header").get_by_role("link", name="Zoeken").click()
    page.wait_for_url(re.compile(r"/zoeken/$"))
    search = page.get_by_role("search")
    search.get_by_label("Zoekterm").fill("phishing")
    search.get_by_role("button", name="Zoek").click()
    page.wait_for_url(re.compile(r"/zoeken/\?q=phishing"))
    expect(page.locator("main [role=status]")).to_contain_text("resultaten voor ‘phishing’")
    expect(search.get_by_label("Zoekterm")).to_have_value("phishing")

    result = page.locator("main ol").get_by_role("link", name="Phishingmails herkennen")
    result.click()
    expect(page.locator("h1")).to_have_text("Phishingmails herkennen")
    expect(page.locator("main")).to_contain_text("phishingmail")


def test_switch_to_english_and_back(page, knowledge_site):
    page.goto("/basisprincipes/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    page.locator("header").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/basisprincipes/"), "the switch keeps the visitor on the same page"
    switch_back = page.locator("header").get_by_role("link", name="Nederlands")
    expect(switch_back).to_have_attribute("lang", "nl")

    # The choice sticks for the next pages (a functional cookie).
    page.goto("/account/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Sign In")

    page.locator("header").get_by_role("link", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h1")).to_have_text("Aanmelden")
    assert page.url.endswith("/account/login/")
