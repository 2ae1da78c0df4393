"""Every page type of the public knowledge site renders for an anonymous visitor with its content,
breadcrumbs (Home first, Wagtail's root never) and the expected headings; search validates its query
and paginates while keeping it; the Atom feed and the sitemap list the published articles."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from dtc.knowledge.models import ArticlePage, CategoryPage

pytestmark = pytest.mark.django_db

# All tests in this module share one demo tree (see conftest.demo_site).

ATOM = "{http://www.w3.org/2005/Atom}"


def crumbs_of(html: str) -> str:
    start = html.index('aria-label="Kruimelpad"')
    return html[start : html.index("</nav>", start)]


def test_home_page_shows_principles_categories_and_latest_articles(client, demo_site):
    response = client.get("/")
    assertContains(response, "<h1 class=\"utrecht-heading-1\">Digital Trust Center</h1>", html=False)
    for slug in ["inventariseer-risicos", "kies-veilige-instellingen", "voer-updates-uit", "beperk-toegang",
                 "voorkom-malware"]:
        assertContains(response, f'href="/basisprincipes/{slug}/"')
    for slug in ["voorkomen", "herkennen", "reageren"]:
        assertContains(response, f'href="/{slug}/"')
    assertContains(response, "Nieuwste artikelen")
    assertContains(response, "Zelftest per basisprincipe")
    assertNotContains(response, "binnenkort")


def test_principle_index_lists_the_five_principles_in_order(client, demo_site):
    html = client.get("/basisprincipes/").content.decode()
    positions = [html.index(f"<span class=\"knowledge-number\">{n}.</span>") for n in range(1, 6)]
    assert positions == sorted(positions)
    assert "Home" in crumbs_of(html)


def test_principle_page_has_why_steps_and_related_articles(client, demo_site):
    response = client.get("/basisprincipes/beperk-toegang/")
    assertContains(response, "Waarom dit belangrijk is")
    assertContains(response, "<h3>Geef iedereen een eigen account</h3>", html=True)
    assertContains(response, 'href="/voorkomen/afscheid-van-een-medewerker/"')


def test_category_page_lists_only_its_own_articles(client, demo_site):
    response = client.get("/herkennen/")
    assertContains(response, 'href="/herkennen/phishingmails-herkennen/"')
    assertNotContains(response, 'href="/reageren/gehackt-wat-nu/"')


def test_article_page_has_crumbs_principle_tags_date_and_reading_time(client, demo_site):
    response = client.get("/reageren/gehackt-wat-nu/")
    html = response.content.decode()
    crumbs = crumbs_of(html)
    assert crumbs.index('href="/"') < crumbs.index('href="/reageren/"') < crumbs.index("Gehackt, wat nu?")
    assert "Root" not in crumbs
    assertContains(response, 'class="dtc-tag utrecht-link" href="/basisprincipes/beperk-toegang/"')
    assertContains(response, "<dt>Leestijd</dt>")
    assertContains(response, "<time datetime=")
    assertContains(response, "Verder lezen")


@pytest.mark.parametrize("slug,text", [
    ("privacy", "/mijn/gegevens/"),
    ("toegankelijkheid", "axe-core"),
    ("kwetsbaarheid-melden", "/.well-known/security.txt"),
])
def test_standard_pages_render(client, demo_site, slug, text):
    response = client.get(f"/{slug}/")
    assertContains(response, text)
    assert "Home" in crumbs_of(response.content.decode())


def test_search_finds_an_article_by_a_word_in_its_body(client, demo_site):
    response = client.get(reverse("search"), {"q": "verwerkersovereenkomst"})
    assertContains(response, 'href="/voorkomen/leveranciers-en-de-cloud-kiezen/"')
    assertContains(response, "Artikel")  # the type label


def test_search_with_an_empty_query_shows_the_translated_error(client, demo_site):
    response = client.get(reverse("search"), {"q": "   "})
    assertContains(response, "Vul een zoekterm in")
    assertContains(response, 'aria-invalid="true"')


def test_search_without_results_suggests_where_to_look(client, demo_site):
    response = client.get(reverse("search"), {"q": "xylofoonrepetitie"})
    assertContains(response, "0 resultaten")
    assertContains(response, "Geen resultaten gevonden")
    assertContains(response, 'href="/voorkomen/"')


def test_atom_feed_is_valid_xml_with_entries(client, demo_site):
    response = client.get(reverse("article_feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == min(20, ArticlePage.objects.live().count())
    assert all(entry.find(f"{ATOM}title").text for entry in entries)


def test_sitemap_lists_the_articles(client, demo_site):
    response = client.get(reverse("sitemap"))
    root = ET.fromstring(response.content)  # noqa: S314 - our own sitemap
    locations = {loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    for article in ArticlePage.objects.live():
        assert any(location.endswith(article.url) for location in locations), article.url
    assert any(location.endswith("/basisprincipes/beperk-toegang/") for location in locations)
    assert CategoryPage.objects.count() == 3
