from django.contrib import admin

from dtc.core.audit import audit_log_record, audit_snapshot
from dtc.core.models import AuditLogEntry


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every change by staff writes an audit-log entry with before/after."""

    def save_model(self, request, obj, form, change):
        before = None
        if change and obj.pk:
            previous = type(obj).objects.filter(pk=obj.pk).first()
            before = audit_snapshot(previous) if previous else None
        super().save_model(request, obj, form, change)
        audit_log_record(
            actor=request.user,
            action=f"admin.{'change' if change else 'add'}",
            target=obj,
            before=before,
            after=audit_snapshot(obj),
        )

    def delete_model(self, request, obj):
        before = audit_snapshot(obj)
        audit_log_record(actor=request.user, action="admin.delete", target=obj, before=before)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_log_record(actor=request.user, action="admin.delete", target=obj, before=audit_snapshot(obj))
        super().delete_queryset(request, queryset)


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "action", "target_type", "target_label"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "target_label", "action"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
