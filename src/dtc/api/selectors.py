"""Reading for the API: compositions of the knowledge selectors (only live, public pages), the
user's personal API token, and the trust platform as `dtc.core.visibility` lets the user see it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from rest_framework.authtoken.models import Token
from wagtail.models import Page

from dtc.community import selectors as community_selectors
from dtc.community.models import Comment, Community, CommunityMembership, Item, ItemAudience, Reaction
from dtc.core import visibility
from dtc.core.visibility import pages_visible
from dtc.knowledge import selectors as knowledge_selectors
from dtc.knowledge.models import ArticlePage, CategoryPage, PrinciplePage
from dtc.organisations.models import Membership, Organisation, User


def api_token_for_user(*, user) -> Token | None:
    return Token.objects.filter(user=user).first()


def principle_get_public(*, slug: str) -> PrinciplePage:
    principle = knowledge_selectors.principles_list().filter(slug=slug).first()
    if principle is None:
        raise Http404
    return principle


def articles_filtered(
    *, category: str | None = None, principle: str | None = None, query: str | None = None
) -> QuerySet[ArticlePage]:
    """Live public articles, optionally in one category, about one principle, matching a search.

    With a search query the order is relevance (as the knowledge search ranks it), otherwise newest
    first. An unknown category or principle gives an empty list, not an error.
    """
    articles = knowledge_selectors.articles_public()
    if category:
        category_page = pages_visible(CategoryPage.objects.all()).filter(category=category).first()
        if category_page is None:
            return articles.none()
        articles = articles.filter(path__startswith=category_page.path, depth__gt=category_page.depth)
    if principle:
        articles = articles.filter(principles__in=knowledge_selectors.principles_list().filter(slug=principle))
    query = (query or "").strip()  # query syntax characters are removed by search_pages
    if query:
        ranked_ids = [page.id for page in knowledge_selectors.search_pages(query=query) if isinstance(page, ArticlePage)]
        if not ranked_ids:
            return articles.none()
        rank = Case(*[When(id=page_id, then=position) for position, page_id in enumerate(ranked_ids)],
                    output_field=IntegerField())
        articles = articles.filter(id__in=ranked_ids).order_by(rank, "-id")
    return articles.prefetch_related("principles")


def article_get_public(*, slug: str) -> ArticlePage:
    """The newest live public article with this slug.

    Wagtail keeps slugs unique among siblings only; two categories could each hold an article with
    the same slug. The API then answers with the most recently published one rather than failing.
    """
    article = knowledge_selectors.articles_public().filter(slug=slug).prefetch_related("principles").first()
    if article is None:
        raise Http404
    return article


def article_categories_by_path() -> dict[str, str]:
    """Tree path of each live category page → its category, to name an article's category without a
    query per article (an article's parent path is its own path minus one step)."""
    return {page.path: page.category for page in pages_visible(CategoryPage.objects.all()).only("path", "category")}


def article_category(*, article: ArticlePage, categories_by_path: dict[str, str]) -> str | None:
    return categories_by_path.get(article.path[: -Page.steplen])


# --- Trust platform: communities, memberships, items, comments -------------------------------
# What a user may see is decided by dtc.core.visibility only; these functions add what the API
# shows with each row (flags, counts, audience, indicators) in a fixed number of queries per page.


def communities_for_api(*, user: Any) -> QuerySet[Community]:
    """The communities `user` may see, each annotated with `is_member` and `is_coordinator`."""
    mine = visibility.community_memberships_active_for(user.pk).filter(community_id=OuterRef("pk"))
    coordinating = CommunityMembership.objects.filter(
        community_id=OuterRef("pk"), user_id=user.pk,
        role=CommunityMembership.MemberRole.COORDINATOR, status=CommunityMembership.Status.ACTIVE,
    )
    return (
        visibility.communities_visible_to(user=user)
        .select_related("owner")
        .annotate(is_member=Exists(mine), is_coordinator=Exists(coordinating))
        .order_by("name", "pk")
    )


def community_get_for_api(*, user: Any, community_id: int) -> Community:
    """One community as `communities_for_api` shows it; Http404 when hidden from `user`."""
    community = communities_for_api(user=user).filter(pk=community_id).first()
    if community is None:
        raise Http404
    return community


def community_memberships_for_api(*, user: Any, community: Community) -> QuerySet[CommunityMembership]:
    """The memberships `user` may see listed (rules in visibility.community_members_visible_to)."""
    return (
        visibility.community_members_visible_to(user=user, community=community)
        .select_related("organisation", "user")
        .order_by("status", "-role", "organisation__name", "user__email", "pk")
    )


def _marking_editable_condition(user: Any, item_ref: str) -> Q:
    """SQL for community_selectors.item_marking_editable_by (the same rule, for a whole list): the
    item's author, an active coordinator of one of its audience communities, an admin of the
    author's organisation. `item_ref` names the item's id in the query ("pk" on Item, "item_id" on
    its audience rows)."""
    prefix = "" if item_ref == "pk" else "item__"
    coordinated = CommunityMembership.objects.filter(
        user_id=user.pk, role=CommunityMembership.MemberRole.COORDINATOR, status=CommunityMembership.Status.ACTIVE,
    ).values("community_id")
    admin_of = Membership.objects.filter(user_id=user.pk, role=Membership.OrgRole.ADMIN).values("organisation_id")
    return (
        Q(**{f"{prefix}author_id": user.pk})
        | Q(**{f"{prefix}author_organisation_id__in": admin_of})
        | Q(Exists(ItemAudience.objects.filter(item_id=OuterRef(item_ref), community_id__in=coordinated)))
    )


def _item_rows_for_api(items: QuerySet[Item], *, user: Any) -> QuerySet[Item]:
    """`items` (already visibility-filtered) with what the API shows of each, without a query per item.

    The audience as community_selectors.item_audience_visible_to shows it: the communities `user`
    may see (a confidential one is never named); named organisations and people in full to those who
    may change the marking (`marking_editable`), to everyone else only themselves and their own
    organisations, plus how many others are named (`named_count` minus those shown)."""
    my_orgs = Membership.objects.filter(user_id=user.pk).values("organisation_id")
    own_row = Q(user_id=user.pk) | Q(organisation_id__in=my_orgs)
    audience = ItemAudience.objects.filter(
        Q(community__in=visibility.communities_visible_to(user=user))
        | (Q(community__isnull=True) & (own_row | _marking_editable_condition(user, "item_id")))
    ).select_related("community", "organisation", "user").order_by("pk")
    comments = Comment.objects.filter(item_id=OuterRef("pk")).order_by().values("item_id")
    reactions = Reaction.objects.filter(item_id=OuterRef("pk")).order_by().values("item_id")
    named = ItemAudience.objects.filter(item_id=OuterRef("pk"), community__isnull=True).order_by().values("item_id")

    def counted(rows: QuerySet[Any]) -> Coalesce:
        return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)

    return (
        items.select_related("author", "author_organisation")
        .prefetch_related(Prefetch("audience", queryset=audience, to_attr="audience_shown"), "indicators")
        .annotate(
            comment_count=counted(comments),
            seen_count=counted(reactions.filter(kind=Reaction.Kind.SEEN)),
            useful_count=counted(reactions.filter(kind=Reaction.Kind.USEFUL)),
            named_count=counted(named),
            # CASE, not the bare condition: a NULL author organisation would make it NULL, not false.
            marking_editable=Case(
                When(_marking_editable_condition(user, "pk"), then=Value(True)),
                default=Value(False), output_field=BooleanField(),
            ),
        )
    )


def items_filtered(
    *,
    user: Any,
    tlp: str | None = None,
    kind: str | None = None,
    community_id: int | None = None,
    status: str | None = None,
    query: str | None = None,
) -> QuerySet[Item]:
    """The items `user` may see (own drafts included), newest first, optionally narrowed.

    A community the user may not see narrows to nothing (the same answer as an empty community, so
    the filter reveals no hidden community). With a `query`: community_selectors.community_items_search
    (on top of the same visibility; its order), which finds nothing for a query of one character.
    """
    query = (query or "").strip()
    if query:
        items = community_selectors.community_items_search(user=user, query=query)
    else:
        items = visibility.items_visible_to(user=user).order_by(
            F("published_at").desc(nulls_first=True), "-created_at", "-pk"
        )
    if community_id is not None:
        community = visibility.communities_visible_to(user=user).filter(pk=community_id).first()
        if community is None:
            return Item.objects.none()
        items = visibility.items_in_community(items, community=community)
    if tlp:
        items = items.filter(tlp=tlp)
    if kind:
        items = items.filter(kind=kind)
    if status:
        items = items.filter(status=status)
    return _item_rows_for_api(items, user=user)


def community_items_for_api(*, user: Any, community: Community) -> QuerySet[Item]:
    """The community's feed (community_selectors.community_items_visible_to), as the API shows it."""
    return _item_rows_for_api(community_selectors.community_items_visible_to(user=user, community=community),
                              user=user)


def item_get_for_api(*, user: Any, item_id: int) -> Item:
    """One item as the API shows it; Http404 when hidden from `user` (whether or not it exists)."""
    item = _item_rows_for_api(visibility.items_visible_to(user=user), user=user).filter(pk=item_id).first()
    if item is None:
        raise Http404
    return item


def item_comments_for_api(*, user: Any, item_id: int) -> QuerySet[Comment]:
    """The comments under an item, oldest first; Http404 when the item is hidden from `user`."""
    item = visibility.item_get_visible(user=user, item_id=item_id)
    return Comment.objects.filter(item=item).select_related("author").order_by("created_at", "pk")


# --- Trust platform: resolving ids in requests ------------------------------------------------


def communities_by_ids_for(*, user: Any, ids: list[int]) -> tuple[list[Community], list[int]]:
    """The communities with these ids that `user` may see, and the ids that are unknown to them
    (missing and hidden alike: the answer never tells which)."""
    found = {c.pk: c for c in visibility.communities_visible_to(user=user).filter(pk__in=ids)}
    return [found[i] for i in dict.fromkeys(ids) if i in found], sorted({i for i in ids if i not in found})


def organisations_nameable_by(*, user: Any) -> QuerySet[Organisation]:
    """Organisations `user` may name as recipients: their own, and the member organisations they may
    see listed in the communities they are an active member of (as on the website's item form)."""
    member_orgs = CommunityMembership.objects.none()
    for community in community_selectors.communities_of(user=user):
        member_orgs = member_orgs | visibility.community_members_visible_to(user=user, community=community).filter(
            status=CommunityMembership.Status.ACTIVE, organisation__isnull=False
        )
    return Organisation.objects.filter(
        Q(pk__in=Membership.objects.filter(user_id=user.pk).values("organisation_id"))
        | Q(pk__in=member_orgs.values("organisation_id"))
    )


def organisations_by_ids_for(
    *, user: Any, ids: list[int], also_allowed: Iterable[int] = ()
) -> tuple[list[Organisation], list[int]]:
    """The organisations with these ids that `user` may name (or that are in `also_allowed`, e.g. the
    current audience), and the ids that are unknown to them."""
    if not ids:
        return [], []
    allowed = organisations_nameable_by(user=user) | Organisation.objects.filter(pk__in=list(also_allowed))
    found = {o.pk: o for o in allowed.filter(pk__in=ids).distinct()}
    return [found[i] for i in dict.fromkeys(ids) if i in found], sorted({i for i in ids if i not in found})


def users_by_ids(*, ids: list[int]) -> tuple[list[User], list[int]]:
    """Active people with these ids (anyone may be named, as on the website by e-mail address), and
    the ids that are unknown."""
    found = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True)}
    return [found[i] for i in dict.fromkeys(ids) if i in found], sorted({i for i in ids if i not in found})


def item_audience_ids(*, item: Item) -> dict[str, list[int]]:
    """The ids of all of an item's audience rows (for keeping what a PATCH leaves out)."""
    rows = list(ItemAudience.objects.filter(item=item).values_list("community_id", "organisation_id", "user_id"))
    return {
        "communities": sorted(c for c, _o, _u in rows if c is not None),
        "organisations": sorted(o for _c, o, _u in rows if o is not None),
        "users": sorted(u for _c, _o, u in rows if u is not None),
    }


def item_audience_for_marking(*, user: Any, item: Item) -> dict[str, list[Any]]:
    """An item's whole current audience as objects, split into the communities `user` may see and
    those hidden from them (a marking change keeps the hidden ones: the user cannot know them)."""
    ids = item_audience_ids(item=item)
    visible_ids = set(
        visibility.communities_visible_to(user=user).filter(pk__in=ids["communities"]).values_list("pk", flat=True)
    )
    communities = list(Community.objects.filter(pk__in=ids["communities"]).order_by("pk"))
    return {
        "communities": [c for c in communities if c.pk in visible_ids],
        "communities_hidden": [c for c in communities if c.pk not in visible_ids],
        "organisations": list(Organisation.objects.filter(pk__in=ids["organisations"]).order_by("pk")),
        "users": list(User.objects.filter(pk__in=ids["users"]).order_by("pk")),
    }
