"""`{% community_events community %}`: the upcoming events of a community on its page, as the
visibility module allows them to the current user (the community page's view need not know)."""

from __future__ import annotations

from typing import Any

from django import template

from dtc.community import selectors, selectors_directory

register = template.Library()

SHOWN = 5


@register.inclusion_tag("community/directory/includes/community_events.html", takes_context=True)
def community_events(context: dict[str, Any], community: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "community": community,
        "events": list(selectors_directory.events_upcoming(user=user, community=community)[:SHOWN]),
        # The community page already knows; ask only when used elsewhere.
        "may_create": context["is_coordinator"]
        if "is_coordinator" in context
        else selectors.community_is_coordinator(user=user, community=community),
        "request": request,
        "user": user,
    }
