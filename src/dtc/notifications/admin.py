"""Back office: staff may look at preferences and watch rows (to help a person) but not at inbox
contents in bulk; nothing here is editable."""

from __future__ import annotations

from django.contrib import admin

from dtc.notifications.models import NotificationPreference, Watch


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "delivery", "full_text_for_restricted", "last_digest_at"]
    list_filter = ["delivery", "full_text_for_restricted"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "delivery", "full_text_for_restricted", "last_digest_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Watch)
class WatchAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "item", "level"]
    list_filter = ["level"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "community", "item", "level"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
