"""The visibility module decides what the public site shows: live pages only, without view
restrictions, and never below an unpublished ancestor — and every surface (lists, search, feed,
API) follows it."""

from __future__ import annotations

import pytest
from wagtail.models import Page, PageViewRestriction

from dtc.core.visibility import page_is_visible, pages_visible
from dtc.knowledge import selectors
from dtc.knowledge.demo import knowledge_demo_load
from dtc.knowledge.models import ArticlePage, CategoryPage


@pytest.fixture
def site(db):
    knowledge_demo_load()


def test_unpublished_category_hides_its_articles_everywhere(site, client):
    category = CategoryPage.objects.get(category="reageren")
    hidden = list(ArticlePage.objects.descendant_of(category))
    assert hidden
    category.unpublish()

    visible_ids = set(pages_visible(ArticlePage.objects.all()).values_list("id", flat=True))
    assert not visible_ids & {page.id for page in hidden}
    assert not page_is_visible(hidden[0])
    assert all(page.id not in {h.id for h in hidden} for page in selectors.articles_latest(limit=100))
    feed = client.get("/feeds/artikelen.atom").content.decode()
    assert all(page.title not in feed for page in hidden)
    api = client.get("/api/v1/articles/?page_size=100").json()
    assert all(item["slug"] not in {h.slug for h in hidden} for item in api["results"])
    assert client.get(hidden[0].url).status_code == 404


def test_view_restricted_pages_are_not_listed(site):
    article = ArticlePage.objects.live().first()
    PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.LOGIN)
    assert not page_is_visible(article)
    assert article.id not in pages_visible(ArticlePage.objects.all()).values_list("id", flat=True)


def test_drafts_are_not_visible(site):
    article = ArticlePage.objects.live().first()
    article.unpublish()
    assert not page_is_visible(Page.objects.get(pk=article.pk))
