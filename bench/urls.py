"""The site's own URLs, preceded by a bare view returning a fixed string (the benchmark baseline).

The bare view goes through the same middleware stack as every page, so the ratio page/bare shows
what the page itself costs on top of Django and gunicorn.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from dtc.urls import handler400, handler403, handler404, handler500  # noqa: F401


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("bench/bare", bare, name="bench_bare"),
    path("", include("dtc.urls")),
]
