"""The public knowledge API: anyone may read live, public principles and articles; drafts and
pages behind a view restriction never appear, not in lists, not by slug, not in search."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


def test_principles_are_listed_anonymously_in_order(api, knowledge):
    response = api.get("/api/v1/principles/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert slugs(response) == ["back-ups", "updates"]
    first = response.json()["results"][0]
    assert first["title"] == "Maak back-ups"
    assert first["url"] == "http://localhost/basisprincipes/back-ups/"


def test_principle_detail_has_rendered_steps(api, knowledge):
    response = api.get("/api/v1/principles/back-ups/")

    assert response.status_code == 200
    data = response.json()
    assert data["why"] == "<p>Gijzelsoftware.</p>"
    assert data["steps"] == [{"title": "Kies een schijf", "text": "<p>Een <b>externe</b> schijf.</p>"}]


def test_articles_list_shows_only_live_public_articles(api, knowledge):
    response = api.get("/api/v1/articles/")

    assert response.status_code == 200
    assert sorted(slugs(response)) == ["back-ups-maken", "gijzelsoftware", "updates-automatisch"]
    assert response.json()["count"] == 3


def test_article_list_items_name_category_and_principles(api, knowledge):
    response = api.get("/api/v1/articles/", {"principle": "updates"})

    [item] = response.json()["results"]
    assert item["category"] == "voorkomen"
    assert item["principles"] == [{"slug": "updates", "title": "Installeer updates"}]
    assert item["reading_minutes"] == 4
    assert item["first_published_at"] is not None
    assert "body" not in item


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "reageren"}, ["gijzelsoftware"]),
        ({"category": "herkennen"}, []),  # no such category page: empty, not an error
        ({"principle": "back-ups"}, ["back-ups-maken", "gijzelsoftware"]),
        ({"principle": "back-ups", "category": "voorkomen"}, ["back-ups-maken"]),
        ({"principle": "bestaat-niet"}, []),
    ],
)
def test_article_filters(api, knowledge, params, expected):
    response = api.get("/api/v1/articles/", params)

    assert response.status_code == 200
    assert sorted(slugs(response)) == expected


def test_article_search_uses_the_knowledge_search(api, knowledge):
    response = api.get("/api/v1/articles/", {"q": "gijzelsoftware"})

    assert response.status_code == 200
    assert slugs(response) == ["gijzelsoftware"]


def test_search_never_finds_drafts_or_private_articles(api, knowledge):
    assert slugs(api.get("/api/v1/articles/", {"q": "wachtwoorden"})) == []
    assert slugs(api.get("/api/v1/articles/", {"q": "draaiboek"})) == []


def test_unknown_category_is_a_json_400_with_field_error(api, knowledge):
    response = api.get("/api/v1/articles/", {"category": "genezen"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == ["category"]


def test_article_detail_renders_body_html(api, knowledge):
    response = api.get("/api/v1/articles/back-ups-maken/")

    assert response.status_code == 200
    data = response.json()
    assert data["url"] == "http://localhost/voorkomen/back-ups-maken/"
    assert data["category"] == "voorkomen"
    assert data["body"] == '<p>Maak <a href="https://example.org/">elke dag</a> een back-up.</p>'
    assert data["last_published_at"] is not None


@pytest.mark.parametrize("slug", ["concept-wachtwoorden", "intern-draaiboek", "bestaat-niet"])
def test_draft_private_and_unknown_articles_are_json_404(api, knowledge, slug):
    response = api.get(f"/api/v1/articles/{slug}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_article_list_needs_a_fixed_number_of_queries(api, knowledge):
    api.get("/api/v1/articles/")  # warm the site and content-type caches
    with CaptureQueriesContext(connection) as one_page:
        api.get("/api/v1/articles/")
    knowledge["update_article"].copy(update_attrs={"slug": "updates-2", "title": "Nog een"}).save_revision().publish()

    with CaptureQueriesContext(connection) as more:
        response = api.get("/api/v1/articles/")

    assert response.json()["count"] == 4
    assert len(more) == len(one_page)


def test_page_out_of_range_is_json_404(api, knowledge):
    response = api.get("/api/v1/articles/", {"page": 99})

    assert response.status_code == 404
    assert set(response.json()) == {"detail", "code"}


@pytest.mark.parametrize("query", ['"', 'back"ups', "'", "\\", "*", "OR", "NEAR(a b)", "a AND", "-", "^x"])
def test_search_syntax_characters_never_break_the_api(api, knowledge, query):
    response = api.get("/api/v1/articles/", {"q": query})

    assert response.status_code == 200
