from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Site

from dtc.knowledge import selectors
from dtc.knowledge.forms import SearchForm

SEARCH_RESULTS_PER_PAGE = 10


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    query = ""
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"]
        paginator = Paginator(selectors.search_pages(query=query), SEARCH_RESULTS_PER_PAGE)
        results = paginator.get_page(request.GET.get("pagina"))
    site = Site.find_for_request(request)
    crumbs = [{"title": _("Home"), "url": site.root_page.get_url(request=request) if site else "/"}]
    crumbs.append({"title": _("Zoeken"), "url": request.path})
    context = {
        "form": form,
        "results": results,
        "query": query,
        "pagination_query": f"{urlencode({'q': query})}&",
        "crumbs": crumbs,
        "categories": selectors.categories_list() if results is not None else [],
        "principle_index": selectors.principle_index() if results is not None else None,
    }
    return render(request, "knowledge/search.html", context)


class ArticleFeed(Feed):
    feed_type = Atom1Feed
    title = _("Digital Trust Center – nieuwe artikelen")
    subtitle = _("Nieuwe artikelen over veilig digitaal ondernemen.")
    link = "/"

    def items(self):
        return selectors.articles_latest(limit=20)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at


def sitemap(request: HttpRequest) -> HttpResponse:
    return wagtail_sitemap(request)
