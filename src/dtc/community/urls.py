from django.urls import path

from dtc.community import views

app_name = "community"

urlpatterns = [
    path("", views.community_list, name="list"),
    path("nieuw/", views.community_create, name="create"),
    path("concepten/", views.drafts, name="drafts"),
    path("<int:pk>/", views.community_detail, name="detail"),
    path("<int:pk>/aanvragen/", views.community_join_request, name="join_request"),
    path("<int:pk>/leden/", views.community_members, name="members"),
    path(
        "<int:pk>/leden/<int:membership_id>/goedkeuren/", views.membership_approve, name="membership_approve"
    ),
    path(
        "<int:pk>/leden/<int:membership_id>/verwijderen/", views.membership_remove, name="membership_remove"
    ),
    path("<int:pk>/leden/<int:membership_id>/accepteren/", views.invitation_accept, name="invitation_accept"),
    path("<int:pk>/items/nieuw/", views.item_create, name="item_create"),
    path("items/<int:item_id>/", views.item_detail, name="item_detail"),
    path("items/<int:item_id>/publiceren/", views.item_publish, name="item_publish"),
    # --- item pages: marking, anonymous posting, public approval, attachments, comments, reactions
    # --- search
    # --- directory: collaborations, experts, events
    # --- interoperability: MISP and STIX
]
