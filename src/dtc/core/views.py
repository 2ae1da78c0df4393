"""Site-wide endpoints: security.txt (RFC 9116), robots.txt, health check and error pages."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template import loader
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


def security_txt_body(*, now: dt.datetime | None = None) -> str:
    """The security.txt document. Expires lies DTC_SECURITY_TXT_DAYS ahead (RFC 9116 §2.5.5: < 1 year)."""
    now = now or timezone.now()
    days = min(settings.DTC_SECURITY_TXT_DAYS, 364)
    expires = (now + dt.timedelta(days=days)).astimezone(dt.UTC).replace(microsecond=0)
    lines = [f"Contact: {contact}" for contact in settings.DTC_SECURITY_CONTACTS]
    lines += [
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"Preferred-Languages: {', '.join(settings.DTC_SECURITY_LANGUAGES)}",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
        f"Policy: {settings.SITE_URL}/kwetsbaarheid-melden/",
    ]
    if settings.DTC_SECURITY_ENCRYPTION:
        lines.append(f"Encryption: {settings.DTC_SECURITY_ENCRYPTION}")
    return "\n".join(lines) + "\n"


@require_GET
@cache_control(max_age=3600, public=True)
def security_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(security_txt_body(), content_type="text/plain; charset=utf-8")


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    body = "\n".join(
        [
            "User-agent: *",
            "Disallow: /beheer/",
            "Disallow: /cms/",
            "Disallow: /account/",
            "Disallow: /mijn/",
            f"Sitemap: {settings.SITE_URL}/sitemap.xml",
            "",
        ]
    )
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


@require_GET
def language_switch(request: HttpRequest, language: str) -> HttpResponse:
    """Switch between Dutch and English with a plain link, so public pages carry no form (and no
    CSRF cookie) and can be cached. The choice is kept in a functional cookie."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise Http404
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _error(request: HttpRequest, status: int, template: str) -> HttpResponse:
    body = loader.render_to_string(template, {"status": status}, request=request)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "core/errors/400.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "core/errors/403.html")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "core/errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may lie in a context processor or the database.
    body = loader.render_to_string("core/errors/500.html", {"status": 500})
    return HttpResponse(body, status=500)
