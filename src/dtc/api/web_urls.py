"""Web pages about the API for signed-in users; mounted at /mijn/api/."""

from django.urls import path

from dtc.api import web_views

app_name = "api_web"

urlpatterns = [
    path("", web_views.token_manage, name="token"),
    path("token/nieuw/", web_views.token_rotate, name="token_rotate"),
    path("token/intrekken/", web_views.token_revoke, name="token_revoke"),
]
