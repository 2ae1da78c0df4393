from __future__ import annotations

from typing import Any

from django import template

from dtc.advisories.selectors import alert_unread_count as _alert_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def alert_unread_count(context: dict[str, Any]) -> int:
    """Unread alerts of the user's organisations (for the account navigation)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return _alert_unread_count(user=user)
