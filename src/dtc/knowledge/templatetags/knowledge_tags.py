"""Template helpers for the knowledge site: breadcrumbs from the page tree and page-type labels."""

from __future__ import annotations

from django import template
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from wagtail.models import Page

register = template.Library()


def page_crumbs(*, page: Page, request: HttpRequest | None = None) -> list[dict[str, str]]:
    """Home first, then every ancestor down to `page`; Wagtail's invisible root (depth 1) never shows."""
    crumbs = []
    for ancestor in page.get_ancestors(inclusive=True).filter(depth__gt=1):
        title = _("Home") if ancestor.depth == 2 else ancestor.title
        crumbs.append({"title": title, "url": ancestor.get_url(request=request) or ""})
    return crumbs


@register.simple_tag(takes_context=True)
def breadcrumbs_for(context: template.Context, page: Page) -> list[dict[str, str]]:
    return page_crumbs(page=page, request=context.get("request"))


@register.filter
def page_type_label(page: Page) -> str:
    return capfirst(page.specific_class._meta.verbose_name) if page.specific_class else ""
