from django.urls import path

from dtc.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organisaties/nieuw/", views.organisation_create, name="create"),
    path("organisaties/<int:pk>/", views.organisation_detail, name="detail"),
    path("organisaties/<int:pk>/domeinen/", views.organisation_domains, name="domains"),
    path(
        "organisaties/<int:pk>/domeinen/<int:domain_id>/verwijderen/",
        views.organisation_domain_remove,
        name="domain_remove",
    ),
    path("organisaties/<int:pk>/domeinen/<int:domain_id>/", views.organisation_domain, name="domain"),
    path(
        "organisaties/<int:pk>/domeinen/<int:domain_id>/controleren/",
        views.organisation_domain_verify,
        name="domain_verify",
    ),
    path(
        "organisaties/<int:pk>/domeinen/<int:domain_id>/scannen/",
        views.organisation_domain_scan,
        name="domain_scan",
    ),
    path("organisaties/<int:pk>/scans/<str:key>/", views.organisation_scan_detail, name="scan_detail"),
    path("organisaties/<int:pk>/producten/", views.organisation_products, name="products"),
    path(
        "organisaties/<int:pk>/producten/importeren/",
        views.organisation_products_import,
        name="products_import",
    ),
    path(
        "organisaties/<int:pk>/producten/importeren/bevestigen/",
        views.organisation_products_import_confirm,
        name="products_import_confirm",
    ),
    path(
        "organisaties/<int:pk>/producten/klopt-nog/",
        views.organisation_products_confirm,
        name="products_confirm",
    ),
    path(
        "organisaties/<int:pk>/producten/<int:use_id>/verwijderen/",
        views.organisation_product_remove,
        name="product_remove",
    ),
    path("organisaties/<int:pk>/leden/", views.organisation_members, name="members"),
    path("organisaties/<int:pk>/leden/verlaten/", views.membership_leave, name="leave"),
    path(
        "organisaties/<int:pk>/leden/<int:membership_id>/verwijderen/",
        views.membership_remove,
        name="membership_remove",
    ),
    path(
        "organisaties/<int:pk>/leden/<int:membership_id>/rol/", views.membership_role, name="membership_role"
    ),
    path(
        "organisaties/<int:pk>/uitnodigingen/<int:invitation_id>/intrekken/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("uitnodiging/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("gegevens/", views.privacy, name="privacy"),
    path("feeds/", views.feed_token, name="feed_token"),
    path("gegevens/export.json", views.privacy_export, name="privacy_export"),
    path("gegevens/verwijderen/", views.account_delete, name="account_delete"),
]
