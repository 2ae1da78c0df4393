"""Reading for the API: compositions of the knowledge selectors (only live, public pages) and the
user's personal API token."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, When
from django.http import Http404
from rest_framework.authtoken.models import Token
from wagtail.models import Page

from dtc.core.visibility import pages_visible
from dtc.knowledge import selectors as knowledge_selectors
from dtc.knowledge.models import ArticlePage, CategoryPage, PrinciplePage


def api_token_for_user(*, user) -> Token | None:
    return Token.objects.filter(user=user).first()


def principle_get_public(*, slug: str) -> PrinciplePage:
    principle = knowledge_selectors.principles_list().filter(slug=slug).first()
    if principle is None:
        raise Http404
    return principle


def articles_filtered(
    *, category: str | None = None, principle: str | None = None, query: str | None = None
) -> QuerySet[ArticlePage]:
    """Live public articles, optionally in one category, about one principle, matching a search.

    With a search query the order is relevance (as the knowledge search ranks it), otherwise newest
    first. An unknown category or principle gives an empty list, not an error.
    """
    articles = knowledge_selectors.articles_public()
    if category:
        category_page = pages_visible(CategoryPage.objects.all()).filter(category=category).first()
        if category_page is None:
            return articles.none()
        articles = articles.filter(path__startswith=category_page.path, depth__gt=category_page.depth)
    if principle:
        articles = articles.filter(principles__in=knowledge_selectors.principles_list().filter(slug=principle))
    query = (query or "").strip()  # query syntax characters are removed by search_pages
    if query:
        ranked_ids = [page.id for page in knowledge_selectors.search_pages(query=query) if isinstance(page, ArticlePage)]
        if not ranked_ids:
            return articles.none()
        rank = Case(*[When(id=page_id, then=position) for position, page_id in enumerate(ranked_ids)],
                    output_field=IntegerField())
        articles = articles.filter(id__in=ranked_ids).order_by(rank, "-id")
    return articles.prefetch_related("principles")


def article_get_public(*, slug: str) -> ArticlePage:
    """The newest live public article with this slug.

    Wagtail keeps slugs unique among siblings only; two categories could each hold an article with
    the same slug. The API then answers with the most recently published one rather than failing.
    """
    article = knowledge_selectors.articles_public().filter(slug=slug).prefetch_related("principles").first()
    if article is None:
        raise Http404
    return article


def article_categories_by_path() -> dict[str, str]:
    """Tree path of each live category page → its category, to name an article's category without a
    query per article (an article's parent path is its own path minus one step)."""
    return {page.path: page.category for page in pages_visible(CategoryPage.objects.all()).only("path", "category")}


def article_category(*, article: ArticlePage, categories_by_path: dict[str, str]) -> str | None:
    return categories_by_path.get(article.path[: -Page.steplen])
