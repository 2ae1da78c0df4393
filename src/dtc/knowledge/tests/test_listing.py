"""List pages stay usable as content grows: category pages and search results paginate with
`?pagina=N` (search keeps its query), an empty category says so, and rendering a category page costs
the same number of queries for one article as for eleven (no N+1)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from dtc.knowledge.tests.factories import ArticlePageFactory

pytestmark = pytest.mark.django_db


def test_category_page_paginates_with_pagina(client, small_tree):
    category = small_tree["category"]
    for n in range(13):
        ArticlePageFactory(parent=category, title=f"Artikel nummer {n:02d}")

    first = client.get(category.url)
    second = client.get(category.url, {"pagina": 2})

    assertContains(first, "Pagina 1 van 2")
    assertContains(first, 'href="?pagina=2"')
    assertContains(second, "Pagina 2 van 2")
    assert first.content.decode().count("knowledge-card-link") == 12
    assert second.content.decode().count("knowledge-card-link") == 1


def test_empty_category_shows_an_empty_state(client, small_tree):
    assertContains(client.get(small_tree["category"].url), "In deze categorie staan nog geen artikelen.")


def test_category_page_query_count_does_not_grow_with_articles(client, small_tree, django_assert_max_num_queries):
    category = small_tree["category"]
    ArticlePageFactory(parent=category)
    client.get(category.url)  # warm the site-root cache
    with django_assert_max_num_queries(12):
        client.get(category.url)
    for _ in range(10):
        ArticlePageFactory(parent=category)
    with django_assert_max_num_queries(12):
        response = client.get(category.url)
    assert response.content.decode().count("knowledge-card-link") == 11


def test_search_pagination_keeps_the_query(client, small_tree):
    for n in range(12):
        ArticlePageFactory(parent=small_tree["category"], body=f"<p>Een tekst over zeilboten nummer {n}.</p>")
    response = client.get(reverse("search"), {"q": "zeilboten"})
    assertContains(response, "12 resultaten")
    assertContains(response, 'href="?q=zeilboten&amp;pagina=2"')
    assertContains(client.get(reverse("search"), {"q": "zeilboten", "pagina": 2}), "Pagina 2 van 2")
