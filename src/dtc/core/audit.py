"""Writing the audit log. Call inside the transaction of the change being recorded."""

from __future__ import annotations

from typing import Any

from django.db import models

from dtc.core.models import AuditLogEntry


def audit_snapshot(obj: models.Model, *, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe snapshot of the concrete fields of ``obj`` (foreign keys as ids)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"password"}:
            continue
        value = field.value_from_object(obj)
        if value is not None and not isinstance(value, str | int | float | bool | list | dict):
            value = str(value)
        data[field.attname if field.is_relation else field.name] = value
    return data


def audit_log_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLogEntry:
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLogEntry.objects.create(
        actor=actor_obj,
        actor_label=actor_obj.get_username() if actor_obj is not None else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        before=before,
        after=after,
    )
