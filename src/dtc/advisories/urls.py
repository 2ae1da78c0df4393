"""Tailored alerts: analysts under /analist/waarschuwingen/, businesses under /mijn/waarschuwingen/."""

from django.urls import path

from dtc.advisories import feeds, views, views_intake

app_name = "advisories"

urlpatterns = [
    path("analist/waarschuwingen/", views.analyst_list, name="analyst_list"),
    path("analist/waarschuwingen/importeren/", views_intake.advisories_import, name="import"),
    path("analist/waarschuwingen/bronnen/", views_intake.provider_add, name="provider_add"),
    path("analist/waarschuwingen/bronnen/ophalen/", views_intake.providers_poll, name="providers_poll"),
    path("analist/waarschuwingen/bronnen/<int:pk>/", views_intake.provider_toggle, name="provider_toggle"),
    path("analist/waarschuwingen/koppelen/", views.review_queue, name="review_queue"),
    path("analist/waarschuwingen/koppelen/alias/", views.alias_add, name="alias_add"),
    path("analist/waarschuwingen/koppelen/niet-in-catalogus/", views.review_dismiss, name="review_dismiss"),
    path("analist/waarschuwingen/<int:pk>/", views.analyst_advisory, name="analyst_advisory"),
    path(
        "analist/waarschuwingen/<int:pk>/bericht/",
        views.analyst_message_action,
        name="analyst_message_action",
    ),
    path("mijn/waarschuwingen/", views.inbox, name="inbox"),
    path("mijn/waarschuwingen/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("mijn/waarschuwingen/<int:pk>/antwoord/", views.alert_respond, name="alert_respond"),
    path("mijn/waarschuwingen/<int:pk>/doorsturen/", views.alert_forward, name="alert_forward"),
    path("mijn/waarschuwingen/instellingen/<int:organisation_pk>/", views.alert_settings, name="settings"),
    path("mijn/waarschuwingen/feed/<str:key>.atom", feeds.AlertFeed(), name="feed"),
    path("mijn/waarschuwingen/afmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
