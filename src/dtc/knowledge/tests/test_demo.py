"""The demo loader builds the whole knowledge site from the files in `knowledge/demo/`, replaces
Wagtail's welcome page as the site root, leaves everything searchable, and can run again without
duplicating pages or publishing unchanged content."""

from __future__ import annotations

import re

import pytest
from wagtail.models import Page, Revision, Site

from dtc.knowledge import selectors
from dtc.knowledge.demo import DEMO_DIR, document_read, knowledge_demo_load
from dtc.knowledge.models import ArticlePage, CategoryPage, HomePage, PrinciplePage, StandardPage

pytestmark = pytest.mark.django_db


def test_first_load_creates_the_tree_under_the_default_site(demo_site):
    site = Site.objects.get(is_default_site=True)
    # The default site takes its address from DTC_SITE_URL (http://127.0.0.1:8000 unless set).
    assert (site.hostname, site.port) == ("127.0.0.1", 8000)
    assert isinstance(site.root_page.specific, HomePage)
    assert site.root_page.title == "Digital Trust Center"
    # Wagtail's "Welcome to your new Wagtail site!" page is gone: the only root child is ours.
    assert [p.specific_class for p in Page.get_first_root_node().get_children()] == [HomePage]
    assert demo_site["created"] == Page.objects.filter(depth__gt=1).count()
    assert PrinciplePage.objects.live().count() == 5
    assert set(CategoryPage.objects.values_list("slug", flat=True)) == {"voorkomen", "herkennen", "reageren"}
    assert ArticlePage.objects.live().count() >= 18
    assert set(StandardPage.objects.values_list("slug", flat=True)) >= {
        "privacy", "toegankelijkheid", "kwetsbaarheid-melden"
    }


def test_second_load_changes_nothing(demo_site):
    pages_before = Page.objects.count()
    revisions_before = Revision.objects.count()

    second = knowledge_demo_load()

    assert second == {"created": 0, "updated": 0, "unchanged": demo_site["created"]}
    assert Page.objects.count() == pages_before
    assert Revision.objects.count() == revisions_before


def test_changed_content_is_published_as_a_new_revision(demo_site):
    article = ArticlePage.objects.get(slug="phishingmails-herkennen")
    article.intro = "Door een redacteur aangepast."
    article.save_revision().publish()

    counts = knowledge_demo_load()

    assert counts["updated"] == 1
    article.refresh_from_db()
    assert article.intro.startswith("Een phishingmail")
    assert article.live


def test_pages_are_searchable_right_after_loading(demo_site):
    titles = [page.title for page in selectors.search_pages(query="ransomware")]
    assert "Ransomware: wat doe je in het eerste uur?" in titles


def test_articles_are_tagged_with_principles_and_sit_in_one_category(demo_site):
    for article in ArticlePage.objects.all():
        assert 1 <= article.principles.count() <= 3, article.slug
        assert article.get_parent().specific_class is CategoryPage


@pytest.mark.parametrize("path", sorted((DEMO_DIR / "articles").glob("*.md")), ids=lambda p: p.stem)
def test_every_article_file_is_between_300_and_600_words(path):
    words = len(re.findall(r"\w+", document_read(path).body))
    assert 300 <= words <= 600


def test_every_principle_has_four_to_six_steps(demo_site):
    for principle in PrinciplePage.objects.all():
        assert 4 <= len(principle.steps) <= 6, principle.slug
