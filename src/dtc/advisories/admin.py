"""Back office for tailored alerts: CSAF providers and the CISA KEV entries are managed here; advisories,
messages and alerts are read-only (they change through intake and the analysts' screens, which audit
and enforce the publishing rules). Every change by staff is audit-logged (AuditedModelAdmin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from dtc.advisories.models import (
    Advisory,
    Alert,
    Delivery,
    KnownExploited,
    Message,
    Provider,
    ReviewDismissal,
)
from dtc.core.admin import AuditedModelAdmin


class ReadOnlyAdmin(AuditedModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Provider)
class ProviderAdmin(AuditedModelAdmin):
    list_display = ["name", "url", "enabled", "last_polled_at"]
    list_filter = ["enabled"]
    search_fields = ["name", "url"]
    readonly_fields = ["cursor", "last_polled_at", "last_result"]


@admin.register(KnownExploited)
class KnownExploitedAdmin(AuditedModelAdmin):
    list_display = ["cve", "vendor", "product", "date_added"]
    search_fields = ["cve", "vendor", "product"]


@admin.register(Advisory)
class AdvisoryAdmin(ReadOnlyAdmin):
    list_display = ["tracking_id", "title", "publisher_name", "tlp", "cvss_max", "exploited", "updated_at"]
    list_filter = ["tlp", "exploited", "publisher_name"]
    search_fields = ["tracking_id", "title"]
    exclude = ["current_revision"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["title", "advisory", "urgency", "status", "published_at"]
    list_filter = ["status", "urgency"]
    search_fields = ["title", "advisory__tracking_id"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["advisory", "organisation", "created_at", "read_at", "response"]
    list_filter = ["response"]
    list_select_related = ["advisory", "organisation"]
    search_fields = ["advisory__tracking_id", "organisation__name"]
    raw_id_fields = ["advisory", "revision", "organisation"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["alert", "channel", "recipient", "state", "attempts", "sent_at"]
    list_filter = ["channel", "state"]
    list_select_related = ["alert__advisory"]
    raw_id_fields = ["alert", "user"]


@admin.register(ReviewDismissal)
class ReviewDismissalAdmin(AuditedModelAdmin):
    list_display = ["match_key", "dismissed_by", "created_at"]
    search_fields = ["match_key"]
    raw_id_fields = ["dismissed_by"]
