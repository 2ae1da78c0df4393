"""Anonymous visitors get whole public pages from a short-lived cache; nothing personal is ever
cached or served from it, security headers are on every cached response, and publishing in the
CMS shows at once."""

from __future__ import annotations

import pytest
from django.test import Client

from dtc.core.pagecache import page_cache_clear
from dtc.knowledge.demo import knowledge_demo_load
from dtc.knowledge.models import ArticlePage
from dtc.organisations.models import User


@pytest.fixture
def cached_site(db, settings):
    settings.DTC_PAGE_CACHE_SECONDS = 60
    knowledge_demo_load()
    page_cache_clear()
    yield
    page_cache_clear()


def test_second_anonymous_visit_is_served_from_the_cache_with_security_headers(cached_site, client):
    first = client.get("/")
    assert first.status_code == 200
    assert "X-Cache" not in first.headers
    second = client.get("/")
    assert second.headers["X-Cache"] == "hit"
    assert second.content == first.content
    assert "unsafe-inline" not in second.headers["Content-Security-Policy"]
    assert second.headers["X-Content-Type-Options"] == "nosniff"
    assert second.headers["X-Frame-Options"] == "DENY"
    assert second.headers["Content-Type"].startswith("text/html")


def test_languages_are_cached_separately(cached_site):
    dutch = Client()
    english = Client()
    english.cookies["django_language"] = "en"
    dutch.get("/")
    english.get("/")
    assert dutch.get("/").headers["Content-Language"] == "nl"
    assert english.get("/").headers["Content-Language"] == "en"


def test_signed_in_users_never_get_or_fill_the_cache(cached_site, client):
    user = User.objects.create_user(email="ondernemer@example.org", password="x")
    client.force_login(user)
    client.get("/")
    response = client.get("/")
    assert "X-Cache" not in response.headers
    assert "X-Cache" not in Client().get("/").headers  # the signed-in page was not stored


@pytest.mark.parametrize(
    "path", ["/zoeken/?q=phishing&x=1", "/zoeken/?q=a&q=b", "/account/login/", "/voorkomen/?pagina=2"]
)
def test_query_strings_and_personal_areas_are_not_cached(cached_site, client, path):
    client.get(path)
    assert "X-Cache" not in client.get(path).headers


def test_publishing_clears_the_cache(cached_site, client):
    article = ArticlePage.objects.live().first()
    client.get(article.url)
    assert client.get(article.url).headers["X-Cache"] == "hit"
    article.title = "Bijgewerkte titel"
    article.save_revision().publish()
    from dtc.core.wagtail_hooks import clear_page_cache

    clear_page_cache(None, article)  # what the CMS hook does after publishing
    response = client.get(article.url)
    assert "X-Cache" not in response.headers
    assert "Bijgewerkte titel" in response.content.decode()


def test_not_found_pages_are_not_cached(cached_site, client):
    client.get("/bestaat-niet/")
    assert "X-Cache" not in client.get("/bestaat-niet/").headers


def test_language_switch_link_sets_the_cookie_and_stays_on_site(db, client):
    response = client.get("/taal/en/", {"next": "/zoeken/"})
    assert response.status_code == 302
    assert response["Location"] == "/zoeken/"
    assert response.cookies["django_language"].value == "en"
    assert client.get("/taal/en/", {"next": "https://evil.example/"})["Location"] == "/"
    assert client.get("/taal/xx/").status_code == 404


def test_repeated_searches_are_cached_per_query(cached_site, client):
    client.get("/zoeken/", {"q": "phishing"})
    assert client.get("/zoeken/", {"q": "phishing"}).headers["X-Cache"] == "hit"
    other = client.get("/zoeken/", {"q": "back-up"})
    assert "X-Cache" not in other.headers
    assert "back-up" in other.content.decode()
