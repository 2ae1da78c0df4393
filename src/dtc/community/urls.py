from django.urls import path
from django.views.decorators.cache import never_cache

from dtc.community import feeds, views, views_directory, views_interop

app_name = "community"

urlpatterns = [
    path("", views.community_list, name="list"),
    path("nieuw/", views.community_create, name="create"),
    path("concepten/", views.drafts, name="drafts"),
    path("feed.atom", never_cache(feeds.MyItemsFeed()), name="feed_all"),
    path("<int:pk>/feed.atom", never_cache(feeds.CommunityFeed()), name="feed"),
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
    path("<int:pk>/items/anoniem/", views.item_post_anonymously, name="item_post_anonymously"),
    path("items/<int:item_id>/markering/", views.item_marking, name="item_marking"),
    path("items/<int:item_id>/openbaar/", views.item_approve_public, name="item_approve_public"),
    path("items/<int:item_id>/indicatoren/", views.item_indicators_add, name="item_indicators_add"),
    path(
        "items/<int:item_id>/indicatoren/<int:indicator_id>/verwijderen/",
        views.indicator_remove,
        name="indicator_remove",
    ),
    path("items/<int:item_id>/bijlagen/", views.item_attachment_add, name="item_attachment_add"),
    path(
        "items/<int:item_id>/bijlagen/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "items/<int:item_id>/bijlagen/<int:attachment_id>/verwijderen/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("items/<int:item_id>/reacties/", views.comment_create, name="comment_create"),
    path(
        "items/<int:item_id>/reacties/<int:comment_id>/verwijderen/", views.comment_delete, name="comment_delete"
    ),
    path("items/<int:item_id>/waardering/", views.reaction_toggle, name="reaction_toggle"),
    # --- search
    path("zoeken/", views.community_search, name="search"),
    # --- directory: collaborations, experts, events
    path("experts/", views_directory.expert_list, name="expert_list"),
    path("experts/mijn-profiel/", views_directory.expert_profile_edit, name="expert_profile"),
    path("experts/mijn-profiel/uit-de-gids/", views_directory.expert_profile_unlist, name="expert_profile_unlist"),
    path("experts/vragen/", views_directory.questions, name="questions"),
    path("experts/vragen/<int:question_id>/", views_directory.question_detail, name="question_detail"),
    path("experts/<int:expert_id>/", views_directory.expert_detail, name="expert_detail"),
    path("experts/<int:expert_id>/vraag/", views_directory.expert_question_ask, name="expert_question_ask"),
    path("experts/<int:expert_id>/uitnodigen/", views_directory.expert_invite, name="expert_invite"),
    path("bijeenkomsten/", views_directory.event_list, name="event_list"),
    path("bijeenkomsten/nieuw/", views_directory.event_create, name="event_create"),
    path("bijeenkomsten/mijn-bijeenkomsten.ics", views_directory.events_my_ical, name="events_my_ical"),
    path("bijeenkomsten/<int:event_id>/", views_directory.event_detail, name="event_detail"),
    path("bijeenkomsten/<int:event_id>/aanmelden/", views_directory.event_register, name="event_register"),
    path("bijeenkomsten/<int:event_id>/afmelden/", views_directory.event_unregister, name="event_unregister"),
    path("bijeenkomsten/<int:event_id>/afgelasten/", views_directory.event_cancel, name="event_cancel"),
    path("bijeenkomsten/<int:event_id>/bijeenkomst.ics", views_directory.event_ical, name="event_ical"),
    # --- interoperability: MISP and STIX
    path("<int:pk>/uitwisselen/", views_interop.community_interop, name="interop"),
    path("<int:pk>/uitwisselen/misp.json", views_interop.community_export_misp, name="export_misp"),
    path("<int:pk>/uitwisselen/stix.json", views_interop.community_export_stix, name="export_stix"),
]
