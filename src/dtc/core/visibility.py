"""The one module that decides what a user may see.

Every surface — pages, search, API, feeds, sitemaps, e-mails, exports — asks here; no surface filters
on its own. For this release that is the public knowledge site; marked (TLP) information and its
audiences are added here when the trust platform arrives, behind the same kind of functions.

Rules for knowledge pages (Wagtail):
- only live pages (drafts, pages scheduled for later and expired pages are never shown);
- only pages without a view restriction on themselves or an ancestor (Wagtail privacy settings);
- only pages whose ancestors are all live (an unpublished category hides its articles).
"""

from __future__ import annotations

from typing import Any, TypeVar

from wagtail.models import Page, PageQuerySet

P = TypeVar("P", bound=Page)


def pages_visible(queryset: PageQuerySet, *, user: Any = None) -> PageQuerySet:
    """The pages of `queryset` that `user` (anonymous when None) may see on the public site."""
    visible = queryset.live().public()
    for hidden in Page.objects.not_live().filter(numchild__gt=0).only("path", "depth"):
        visible = visible.not_descendant_of(hidden)
    return visible


def page_is_visible(page: Page, *, user: Any = None) -> bool:
    return pages_visible(Page.objects.filter(pk=page.pk), user=user).exists()


def hidden_ancestors_exist(page: Page) -> bool:
    """True when an ancestor of `page` is not live (its content must then not be served)."""
    return Page.objects.not_live().ancestor_of(page).exists()
