"""Reading the trust platform. Which items and communities a user may see is decided by
`dtc.core.visibility` only; these functions narrow, order and present what it allows.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from dtc.community.models import Collaboration, Community, CommunityMembership, Item
from dtc.core import visibility
from dtc.organisations.models import Membership


def collaborations_directory() -> QuerySet[Collaboration]:
    """The public directory: collaborations connected to the platform."""
    return Collaboration.objects.filter(connected=True).order_by("name", "pk")


def collaboration_get_public(*, slug: str) -> Collaboration:
    collaboration = collaborations_directory().filter(slug=slug).first()
    if collaboration is None:
        raise Http404
    return collaboration


def community_is_coordinator(*, user: Any, community: Community) -> bool:
    """An active coordinator of `community` (coordinators are always people, never organisations)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return CommunityMembership.objects.filter(
        community=community,
        user_id=user.pk,
        role=CommunityMembership.MemberRole.COORDINATOR,
        status=CommunityMembership.Status.ACTIVE,
    ).exists()


def community_is_active_member(*, user: Any, community: Community) -> bool:
    """An active member of `community`, in person or through one of their organisations."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return visibility.community_memberships_active_for(user.pk).filter(community=community).exists()


def communities_of(*, user: Any) -> QuerySet[Community]:
    """The communities `user` is an active member of."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Community.objects.none()
    ids = visibility.community_memberships_active_for(user.pk).values("community_id")
    return visibility.communities_visible_to(user=user).filter(pk__in=ids).order_by("name", "pk")


def community_items_visible_to(*, user: Any, community: Community) -> QuerySet[Item]:
    """The community's feed: visible items with `community` in their audience, newest first.
    Http404 when the community itself is hidden from `user`."""
    if not visibility.communities_visible_to(user=user).filter(pk=community.pk).exists():
        raise Http404
    items = visibility.items_in_community(visibility.items_visible_to(user=user), community=community)
    return items.select_related("author_organisation").order_by("-published_at", "-created_at", "-pk")


def item_author_for(*, user: Any, item: Item) -> Any | None:
    """The author to show `user`: None for an anonymous post (members see only the community),
    unless `user` is its author."""
    if item.anonymous and getattr(user, "pk", None) != item.author_id:
        return None
    return item.author


def organisation_is_admin(*, user: Any, organisation_id: int | None) -> bool:
    if organisation_id is None or not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user_id=user.pk, organisation_id=organisation_id, role=Membership.OrgRole.ADMIN
    ).exists()


def organisation_has_member(*, user: Any, organisation_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(user_id=user.pk, organisation_id=organisation_id).exists()
