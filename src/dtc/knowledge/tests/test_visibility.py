"""Drafts and unpublished articles never reach the public site: not in category lists, principle
pages, search results, the Atom feed or the sitemap, and their own URL answers 404."""

from __future__ import annotations

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from dtc.knowledge.tests.factories import ArticlePageFactory

pytestmark = pytest.mark.django_db

SECRET_WORD = "conceptkwartel"


@pytest.fixture
def hidden_articles(small_tree):
    kwargs = {"parent": small_tree["category"], "principles": [small_tree["principle"]],
              "body": f"<p>Nog niet af: {SECRET_WORD}.</p>"}
    draft = ArticlePageFactory(draft=True, title="Concept zonder publicatie", slug="concept", **kwargs)
    withdrawn = ArticlePageFactory(title="Teruggetrokken artikel", slug="teruggetrokken", **kwargs)
    withdrawn.unpublish()
    published = ArticlePageFactory(title="Gepubliceerd artikel", slug="gepubliceerd",
                                   parent=small_tree["category"], principles=[small_tree["principle"]])
    return {"draft": draft, "withdrawn": withdrawn, "published": published, **small_tree}


@pytest.mark.parametrize("surface", ["category", "principle", "feed", "sitemap", "home"])
def test_hidden_articles_are_not_listed(client, hidden_articles, surface):
    url = {
        "category": hidden_articles["category"].url,
        "principle": hidden_articles["principle"].url,
        "feed": reverse("article_feed"),
        "sitemap": reverse("sitemap"),
        "home": "/",
    }[surface]
    response = client.get(url)
    assertContains(response, "gepubliceerd")  # the published article's slug: the surface does list
    assertNotContains(response, "concept")
    assertNotContains(response, "teruggetrokken")


def test_hidden_articles_are_not_found_by_search(client, hidden_articles):
    response = client.get(reverse("search"), {"q": SECRET_WORD})
    assertContains(response, "0 resultaten")


@pytest.mark.parametrize("name", ["draft", "withdrawn"])
def test_hidden_article_url_is_404(client, hidden_articles, name):
    category_url = hidden_articles["category"].url
    assert client.get(f"{category_url}{hidden_articles[name].slug}/").status_code == 404
