"""The public directory of connected collaborations, mounted at /samenwerkingsverbanden/ (no login
needed to read it; asking to join and deciding need one)."""

from django.urls import path

from dtc.community import views_directory

app_name = "collaborations"

urlpatterns = [
    path("", views_directory.collaboration_list, name="list"),
    path("<slug:slug>/", views_directory.collaboration_detail, name="detail"),
    path("<slug:slug>/aanmelden/", views_directory.collaboration_join, name="join"),
    path(
        "<slug:slug>/aanmeldingen/<int:request_id>/besluit/",
        views_directory.collaboration_join_decide,
        name="join_decide",
    ),
]
