"""A short-lived cache of whole public pages for anonymous visitors.

Almost every visitor of the knowledge site is anonymous and reads the same pages, so the rendered
page is kept per process for DTC_PAGE_CACHE_SECONDS (default 60 s). A page is cached only when
nothing about the request or response can be personal:
- GET/HEAD outside the personal and back-office areas, without a query string except the
  search's own `q` and `pagina` (popular searches repeat);
- the visitor sends no cookie other than the language choice (no session, no messages);
- the response is a 200 that sets no cookie and is not marked private/no-store.
Publishing, unpublishing, moving or deleting a page in the CMS clears this process's cache at once;
other processes follow within the timeout. Security headers (CSP, HSTS, …) are added by the outer
middleware on every response, cached or not. Measured effect: bench/README.md.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse

# /communities/: shared items can be narrowed at any moment (a public item withdrawn); never cached.
EXCLUDED_PREFIXES = ("/account/", "/mijn/", "/communities/", "/cms/", "/beheer/", "/api/", "/documenten/", "/taal/", "/healthz")
ALLOWED_COOKIES = {settings.LANGUAGE_COOKIE_NAME}
# Headers set by middleware inside this one, stored with the page; everything else is added fresh.
STORED_HEADERS = ("Content-Type", "Content-Language", "Vary", "X-Frame-Options", "Last-Modified")
CACHE_ALIAS = "pages"
# Paths whose answers depend only on these query parameters (all others bypass the cache).
QUERY_PARAMETERS = {"/zoeken/": {"q", "pagina"}}


def _cache():
    return caches[CACHE_ALIAS]


def page_cache_clear() -> None:
    _cache().clear()


def _key(request: HttpRequest) -> str | None:
    if request.method not in ("GET", "HEAD") or request.path.startswith(EXCLUDED_PREFIXES):
        return None
    if set(request.COOKIES) - ALLOWED_COOKIES:
        return None
    variant = ""
    if request.META.get("QUERY_STRING"):
        # Only the public search, and only with its own parameters: popular searches repeat.
        allowed = QUERY_PARAMETERS.get(request.path)
        if allowed is None or set(request.GET) - allowed or any(len(values) > 1 for _name, values in request.GET.lists()):
            return None
        variant = "?" + urlencode(sorted(request.GET.items()))
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
    return f"page:{language}:{request.get_host()}:{request.path}{variant}"


def _storable(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.cookies
        and not response.streaming
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.timeout = settings.DTC_PAGE_CACHE_SECONDS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = _key(request) if self.timeout > 0 else None
        if key is None:
            return self.get_response(request)
        stored = _cache().get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content if request.method == "GET" else b"")
            for name, value in headers:
                response[name] = value
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if request.method == "GET" and _storable(response):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            headers = [(name, response[name]) for name in STORED_HEADERS if name in response]
            _cache().set(key, (response.content, headers), self.timeout)
        return response
