from django.urls import path

from dtc.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("gegevens/", views.privacy, name="privacy"),
]
