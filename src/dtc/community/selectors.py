"""Reading the trust platform. Which items and communities a user may see is decided by
`dtc.core.visibility` only; these functions narrow, order and present what it allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from dtc.community.models import (
    Attachment,
    Collaboration,
    Comment,
    Community,
    CommunityMembership,
    Indicator,
    Item,
    ItemAudience,
    Reaction,
)
from dtc.core import visibility
from dtc.organisations.models import Membership, Organisation, User


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
    items = visibility.community_items_visible_to(user=user, community=community)
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


# --- search -----------------------------------------------------------------------------------

SEARCH_CONFIG = "dutch"  # PostgreSQL text-search configuration, as on the knowledge site
SEARCH_QUERY_MIN_LENGTH = 2
SEARCH_QUERY_MAX_LENGTH = 200


def item_search_query_clean(query: str) -> str:
    """The query as searched: whitespace collapsed, at most SEARCH_QUERY_MAX_LENGTH characters."""
    return " ".join((query or "").split())[:SEARCH_QUERY_MAX_LENGTH].strip()


def items_full_text_match(items: QuerySet[Item], *, query: str) -> QuerySet[Item]:
    """PostgreSQL: narrow `items` to those whose title + body match `query` (web-search syntax), with
    exactly the expression of migration 0003's GIN index, so that PostgreSQL can use it."""
    from django.contrib.postgres.search import SearchQuery, SearchVector

    return items.alias(
        search=SearchVector("title", "body_markdown", config=SEARCH_CONFIG)  # = migration 0003's index
    ).filter(search=SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch"))


def community_items_search(*, user: Any, query: str, community: Community | None = None) -> QuerySet[Item]:
    """The items `user` may see that match `query`, newest first; within `community`'s audience when
    given (Http404 when that community is hidden from `user`). Empty for a query shorter than
    SEARCH_QUERY_MIN_LENGTH characters.

    Always on top of `visibility.items_visible_to`: a hidden item is never matched, never counted.
    PostgreSQL: full text over title + body with the `dutch` configuration and web-search syntax
    (`"exact phrase"`, `or`, `-word`), served by the GIN index of migration 0003 (same expression).
    SQLite: every word must occur in the title or the body (case-insensitive; `-word` excludes), a
    fallback for small installations.
    """
    query = item_search_query_clean(query)
    if community is not None and not visibility.communities_visible_to(user=user).filter(pk=community.pk).exists():
        raise Http404
    if connection.vendor == "postgresql":
        # Let PostgreSQL intersect the text index with the user's reach before reading any item.
        items = visibility.items_visible_to_indexed(user=user)
    else:
        items = visibility.items_visible_to(user=user)
    if community is not None:
        items = visibility.items_in_community(items, community=community)
    if len(query) < SEARCH_QUERY_MIN_LENGTH:
        return items.none()
    if connection.vendor == "postgresql":
        items = items_full_text_match(items, query=query)
    else:
        for word in query.replace('"', " ").split():
            term = word.removeprefix("-")
            if not term or word.lower() == "or":
                continue
            matches = Q(title__icontains=term) | Q(body_markdown__icontains=term)
            items = items.exclude(matches) if word.startswith("-") else items.filter(matches)
    return items.order_by(F("published_at").desc(nulls_last=True), "-created_at", "-pk")


# --- item pages: audience, similar items, comments, reactions, who may do what ------------------


@dataclass(frozen=True)
class ItemAudienceDisplay:
    """An item's audience as one viewer may see it.

    - communities: only those `communities_visible_to` the viewer — a confidential community the
      viewer cannot see is never named, and never counted;
    - named organisations and people: listed in full to those who may change the item's marking (its
      author, a coordinator of an audience community, an admin of the author's organisation), who need
      them to narrow or widen it. Everyone else sees only themselves and their own organisations when
      named, plus how many other organisations/people are named (`others_named`) — the author chose
      to name them, but not to tell each recipient who else received it.
    """

    communities: list[Community]
    organisations: list[Organisation]
    users: list[Any]
    others_named: int
    names_shown: bool


def item_audience_visible_to(*, user: Any, item: Item) -> ItemAudienceDisplay:
    communities = list(
        visibility.communities_visible_to(user=user).filter(item_audience__item=item).order_by("name", "pk")
    )
    rows = ItemAudience.objects.filter(item=item).filter(Q(organisation__isnull=False) | Q(user__isnull=False))
    rows = rows.select_related("organisation", "user")
    if item_marking_editable_by(user=user, item=item):
        named = list(rows)
        return ItemAudienceDisplay(
            communities=communities,
            organisations=sorted((r.organisation for r in named if r.organisation is not None), key=lambda o: o.name),
            users=sorted((r.user for r in named if r.user is not None), key=lambda u: u.email),
            others_named=0,
            names_shown=True,
        )
    if not getattr(user, "is_authenticated", False):
        return ItemAudienceDisplay(
            communities=communities, organisations=[], users=[], others_named=rows.count(), names_shown=False
        )
    own = Q(user_id=user.pk) | Q(organisation_id__in=Membership.objects.filter(user_id=user.pk).values("organisation_id"))
    mine = list(rows.filter(own))
    return ItemAudienceDisplay(
        communities=communities,
        organisations=[r.organisation for r in mine if r.organisation is not None],
        users=[r.user for r in mine if r.user is not None],
        others_named=rows.exclude(own).count(),
        names_shown=False,
    )


def item_coordinated_by(*, user: Any, item: Item) -> bool:
    """`user` is an active coordinator of one of the item's audience communities."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return CommunityMembership.objects.filter(
        community__item_audience__item=item,
        user_id=user.pk,
        role=CommunityMembership.MemberRole.COORDINATOR,
        status=CommunityMembership.Status.ACTIVE,
    ).exists()


def item_marking_editable_by(*, user: Any, item: Item) -> bool:
    """May open the change-marking form (services.item_change_marking decides what they may change):
    the author, a coordinator of an audience community, an admin of the author's organisation."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return (
        item.author_id == user.pk
        or item_coordinated_by(user=user, item=item)
        or organisation_is_admin(user=user, organisation_id=item.author_organisation_id)
    )


def item_similar_visible_to(*, user: Any, item: Item) -> QuerySet[Item]:
    """Other items `user` may see that share at least one indicator (same kind and canonical value)
    with `item`, most shared indicators first, annotated with `shared_indicators`.

    One query on top of `visibility.items_visible_to`: a hidden item is never returned, never counted.
    """
    same_indicator = Indicator.objects.filter(item_id=item.pk, kind=OuterRef("kind"), value=OuterRef("value"))
    shared = (
        Indicator.objects.filter(item_id=OuterRef("pk"))
        .filter(Exists(same_indicator))
        .order_by()
        .values("item_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        visibility.items_visible_to(user=user)
        .exclude(pk=item.pk)
        .annotate(shared_indicators=Coalesce(Subquery(shared), 0))
        .filter(shared_indicators__gt=0)
        .order_by("-shared_indicators", F("published_at").desc(nulls_last=True), "-pk")
    )


def item_indicators(*, item: Item) -> QuerySet[Indicator]:
    return Indicator.objects.filter(item=item).order_by("kind", "value", "pk")


def item_attachments(*, item: Item) -> QuerySet[Attachment]:
    return Attachment.objects.filter(item=item).order_by("created_at", "pk")


def item_attachment_get_visible(*, user: Any, item_id: int, attachment_id: int) -> Attachment:
    """An attachment of an item `user` may see; else Http404 (also when the item is hidden)."""
    item = visibility.item_get_visible(user=user, item_id=item_id)
    attachment = Attachment.objects.filter(item=item, pk=attachment_id).select_related("item").first()
    if attachment is None:
        raise Http404
    return attachment


def item_comments(*, item: Item) -> QuerySet[Comment]:
    """The comments under `item`, oldest first. Call only for an item the viewer may see."""
    return Comment.objects.filter(item=item).select_related("author").order_by("created_at", "pk")


def comment_author_for(*, user: Any, item: Item, comment: Comment) -> Any | None:
    """The comment's author to show `user`: None when the author of an anonymous post replies under
    it (naming them would undo the anonymity), unless `user` is that author."""
    if item.anonymous and comment.author_id == item.author_id and getattr(user, "pk", None) != item.author_id:
        return None
    return comment.author


@dataclass(frozen=True)
class ReactionCount:
    kind: str
    label: str
    count: int
    mine: bool


def item_reaction_counts(*, item: Item, user: Any) -> list[ReactionCount]:
    """Per reaction kind, how many people gave it and whether `user` did (one query)."""
    user_id = getattr(user, "pk", None)
    rows = {
        row["kind"]: row
        for row in Reaction.objects.filter(item=item)
        .values("kind")
        .annotate(n=Count("pk"), mine=Count("pk", filter=Q(user_id=user_id)))
        .order_by()
    }
    return [
        ReactionCount(
            kind=kind,
            label=str(label),
            count=rows[kind]["n"] if kind in rows else 0,
            mine=bool(rows[kind]["mine"]) if kind in rows else False,
        )
        for kind, label in Reaction.Kind.choices
    ]


def community_anonymous_post_candidates(*, community: Community) -> QuerySet[User]:
    """Whom a coordinator may post for anonymously: active users who are active members of
    `community`, in person or through an active member organisation."""
    active = CommunityMembership.objects.filter(community=community, status=CommunityMembership.Status.ACTIVE)
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(pk__in=active.filter(user__isnull=False).values("user_id"))
            | Q(pk__in=Membership.objects.filter(
                organisation_id__in=active.filter(organisation__isnull=False).values("organisation_id")
            ).values("user_id"))
        )
        .order_by("email", "pk")
    )


def item_audience_communities_hidden_from(*, user: Any, item: Item) -> QuerySet[Community]:
    """Audience communities of `item` that `user` may not see. Only for keeping them in the audience
    when `user` changes the marking (never shown, never counted)."""
    visible = visibility.communities_visible_to(user=user).values("pk")
    return Community.objects.filter(item_audience__item=item).exclude(pk__in=visible)
