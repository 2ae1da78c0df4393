from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from dtc.core import views as core_views
from dtc.knowledge import views as knowledge_views

urlpatterns = [
    path(".well-known/security.txt", core_views.security_txt, name="security_txt"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url="/static/dtc/favicon.svg", permanent=True)),
    path("taal/<str:language>/", core_views.language_switch, name="language_switch"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("account/", include("allauth.urls")),
    path("mijn/api/", include("dtc.api.web_urls")),
    path("mijn/meldingen/", include("dtc.notifications.urls")),
    path("mijn/", include("dtc.organisations.urls")),
    path("api/v1/", include("dtc.api.urls")),
    # Back-office logins go through allauth: rate limits, lockout and MFA apply to staff too.
    path("beheer/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("beheer/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documenten/", include(wagtaildocs_urls)),
    path("zoeken/", knowledge_views.search, name="search"),
    path("feeds/artikelen.atom", knowledge_views.ArticleFeed(), name="article_feed"),
    path("sitemap.xml", knowledge_views.sitemap, name="sitemap"),
    path("communities/", include("dtc.community.urls")),
    path("samenwerkingsverbanden/", include("dtc.community.urls_collaborations")),
    path("", include("dtc.advisories.urls")),
    path("", include("dtc.assessment.urls")),
    path("", include("dtc.scans.urls")),
    path("", include(wagtail_urls)),
]

handler400 = "dtc.core.views.bad_request"
handler403 = "dtc.core.views.permission_denied"
handler404 = "dtc.core.views.page_not_found"
handler500 = "dtc.core.views.server_error"

if settings.DEBUG:  # pragma: no cover - development only
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
