"""Reading the knowledge site. Only live, public pages are ever returned: the knowledge site is
public by definition, and drafts, scheduled and private pages stay in the CMS."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import QuerySet, Subquery
from wagtail.models import Page, PageQuerySet

from dtc.core.visibility import pages_visible
from dtc.knowledge.models import (
    ArticlePage,
    Category,
    CategoryPage,
    PrincipleIndexPage,
    PrinciplePage,
    StandardPage,
)

ARTICLES_PER_PAGE = 12


def articles_public() -> PageQuerySet:
    return pages_visible(ArticlePage.objects.all()).order_by("-first_published_at", "-id")


def principles_list() -> QuerySet[PrinciplePage]:
    return pages_visible(PrinciplePage.objects.all()).order_by("number")


def principle_index() -> PrincipleIndexPage | None:
    return pages_visible(PrincipleIndexPage.objects.all()).first()


def principles_for_article(*, article: ArticlePage) -> QuerySet[PrinciplePage]:
    return pages_visible(PrinciplePage.objects.all()).filter(articles=article).order_by("number")


def categories_list() -> list[CategoryPage]:
    """Categories in the order of the seed: voorkomen, herkennen, reageren."""
    order = {value: position for position, value in enumerate(Category.values)}
    pages = list(pages_visible(CategoryPage.objects.all()))
    pages.sort(key=lambda page: order.get(page.category, len(order)))
    return pages


def articles_latest(*, limit: int = 6) -> list[ArticlePage]:
    return list(articles_public()[:limit])


def articles_for_principle(*, principle: PrinciplePage) -> PageQuerySet:
    return articles_public().filter(principles=principle)


def articles_in_category(*, category_page: CategoryPage) -> PageQuerySet:
    return articles_public().descendant_of(category_page)


def articles_paginated(
    *, category_page: CategoryPage, page_number: str | int | None, per_page: int = ARTICLES_PER_PAGE
) -> PaginatorPage:
    paginator = Paginator(articles_in_category(category_page=category_page), per_page)
    return paginator.get_page(page_number)


def articles_related(*, article: ArticlePage, limit: int = 3) -> list[ArticlePage]:
    principle_ids = list(article.principles.values_list("id", flat=True))
    related = articles_public().exclude(id=article.id)
    if principle_ids:
        # A subquery instead of a join + DISTINCT over every column (body included): 6 ms instead
        # of 60 ms with 10 000 articles (bench/README.md).
        sharing = ArticlePage.principles.through.objects.filter(principlepage_id__in=principle_ids)
        related = related.filter(id__in=Subquery(sharing.values("articlepage_id")))
    else:
        related = related.sibling_of(article, inclusive=False)
    return list(related[:limit])


# Characters with a meaning in the search backends' query syntax (FTS5 on SQLite, tsquery on
# PostgreSQL). Visitors type words, not query syntax; an unbalanced quote would otherwise break
# the FTS5 query (a 500 found by schemathesis).
_SEARCH_SYNTAX = str.maketrans(dict.fromkeys('"*^:()[]{}<>|&!\\\'', " "))


def search_query_clean(query: str) -> str:
    """Words only: query-syntax and control characters (a NUL ends an SQLite string) become spaces."""
    printable = "".join(char if char.isprintable() else " " for char in query)
    return " ".join(printable.translate(_SEARCH_SYNTAX).split())[:200]


def search_pages(*, query: str) -> Sequence[Page]:
    """Full-text search over articles, principles and standard pages.

    On PostgreSQL this runs Wagtail's database backend with the Dutch text-search configuration
    (stemming: "wachtwoorden" finds "wachtwoord"); on SQLite the same backend uses FTS5 where the
    SQLite build has it and a LIKE-based fallback otherwise.
    """
    query = search_query_clean(query)
    if not query:
        return []
    return (
        pages_visible(Page.objects.type(ArticlePage, PrinciplePage, StandardPage))
        .specific()
        .search(query, operator="and")
    )
