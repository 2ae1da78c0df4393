"""Back office for the trust platform; every change by staff is audit-logged (AuditedModelAdmin).

Staff see item titles here but not bodies in lists; marking changes by users go through services.
"""

from __future__ import annotations

from django.contrib import admin

from dtc.community.models import (
    Collaboration,
    Community,
    CommunityMembership,
    Item,
    ItemAudience,
    OrganisationClient,
)
from dtc.core.admin import AuditedModelAdmin


@admin.register(Collaboration)
class CollaborationAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "connected"]
    list_filter = ["kind", "connected"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["coordinators", "member_organisations"]


class CommunityMembershipInline(admin.TabularInline):
    model = CommunityMembership
    extra = 0
    autocomplete_fields = ["organisation", "user"]


@admin.register(Community)
class CommunityAdmin(AuditedModelAdmin):
    list_display = ["name", "owner", "join_policy", "confidential_membership", "counts_as_tlp_organisation"]
    list_filter = ["join_policy", "confidential_membership", "counts_as_tlp_organisation"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CommunityMembershipInline]


@admin.register(CommunityMembership)
class CommunityMembershipAdmin(AuditedModelAdmin):
    list_display = ["community", "organisation", "user", "role", "status"]
    list_filter = ["role", "status"]
    autocomplete_fields = ["community", "organisation", "user"]


class ItemAudienceInline(admin.TabularInline):
    model = ItemAudience
    extra = 0
    autocomplete_fields = ["community", "organisation", "user"]


@admin.register(Item)
class ItemAdmin(AuditedModelAdmin):
    list_display = ["title", "kind", "tlp", "status", "anonymous", "public_approved", "created_at"]
    list_filter = ["kind", "tlp", "status", "anonymous", "public_approved"]
    search_fields = ["title"]
    readonly_fields = ["body_html"]
    autocomplete_fields = ["author", "author_organisation"]
    inlines = [ItemAudienceInline]


@admin.register(OrganisationClient)
class OrganisationClientAdmin(AuditedModelAdmin):
    list_display = ["organisation", "client", "created_at"]
    autocomplete_fields = ["organisation", "client"]
