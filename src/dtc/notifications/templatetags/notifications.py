"""Template tags: the unread count for the account navigation, the watch-level control's state."""

from __future__ import annotations

from typing import Any

from django import template

from dtc.notifications import selectors
from dtc.notifications.forms import watch_level_choices

register = template.Library()


@register.simple_tag(takes_context=True)
def notification_unread_count(context: dict[str, Any]) -> int:
    """Unread entries on items the user may still see (never a count of hidden things)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return 0
    return selectors.notification_unread_count(user=user)


@register.simple_tag(takes_context=True)
def watch_control_state(context: dict[str, Any], *, community: Any = None, item: Any = None) -> dict[str, Any]:
    """The current level (chosen or default) and the options for the watch form of a page."""
    user = context["request"].user
    community, item = community or None, item or None  # a missing template variable arrives as ""
    level, explicit = selectors.watch_level_for(user=user, community=community, item=item)
    return {
        "level": level,
        "explicit": explicit,
        "options": [(value, label, value == level) for value, label in watch_level_choices()],
        "target_name": "community" if community is not None else "item",
        "target_id": (community or item).pk,
    }
