from django.urls import path

from dtc.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("alles-gelezen/", views.mark_all_read, name="mark_all_read"),
    path("instellingen/", views.preferences, name="preferences"),
    path("volgen/", views.watch, name="watch"),
    path("<int:pk>/", views.notification_open, name="open"),
]
