"""The one module that decides what a user may see.

Every surface — pages, search, API, feeds, sitemaps, e-mails, exports — asks here; no surface filters
on its own. For this release that is the public knowledge site; marked (TLP) information and its
audiences are added here when the trust platform arrives, behind the same kind of functions.

Rules for knowledge pages (Wagtail):
- only live pages (drafts, pages scheduled for later and expired pages are never shown);
- only pages without a view restriction on themselves or an ancestor (Wagtail privacy settings);
- only pages whose ancestors are all live (an unpublished category hides its articles).

Marked information: shared items of the trust platform (`dtc.community.models.Item`)
=====================================================================================

Every item carries a TLP 2.0 label (FIRST, "Traffic Light Protocol (TLP) Version 2.0",
https://www.first.org/tlp/) and an audience: rows naming communities, organisations and/or people.
The platform enforces the label; it does not merely show it. Decided in one SQL query
(`items_visible_to`), never by looping over items in Python.

Terms (for an active, logged-in user U):
- *U's organisations*: the organisations U is a member of (any organisation role).
- *active member of community C*: an ACTIVE community membership of U in person, or of one of U's
  organisations. Requested and invited memberships count for nothing.
- *TLP-organisation community*: a community with `counts_as_tlp_organisation` — FIRST defines an
  organisation as "a group who share a common affiliation by formal membership and are bound by
  common policies"; such a community is one recipient organisation, so AMBER+STRICT reaches all of it.
- *declared client*: `OrganisationClient(organisation=O, client=K)`: K's people are clients of O
  (FIRST: TLP:AMBER may go to "members of their own organization and its clients").

| item                          | who sees it                                                        |
|-------------------------------|--------------------------------------------------------------------|
| any item                      | its author (always, also as draft); nobody when the user is        |
|                               | inactive; an anonymous visitor only the last row                   |
| draft                         | its author only                                                    |
| published TLP:RED             | the people named in the audience ("for the eyes and ears of        |
|                               | individual recipients only")                                       |
| published TLP:AMBER+STRICT    | named people; members of a named organisation; active members of an |
|                               | audience community that counts as a TLP organisation ("members of  |
|                               | their own organization only")                                      |
| published TLP:AMBER           | as AMBER+STRICT, plus the people of the declared clients of a named |
|                               | organisation ("their own organization and its clients")            |
| published TLP:GREEN           | named people; members of a named organisation; active members of    |
|                               | any audience community ("within their community")                  |
| published TLP:CLEAR           | as GREEN; and when a coordinator approved it for public            |
|                               | publication (`public_approved`), everyone, also anonymous visitors  |

Notes: a community that does not count as a TLP organisation gives no reach under AMBER or
AMBER+STRICT (its members are not one organisation; name the organisations or people instead). Named
people are recipients under every label; naming a person does not extend to their organisation.
The author of an anonymous post sees it as its author; others see only the community (selectors).

Hidden items are a 404, never a 403 (`item_get_visible`), and counts only count visible items.

Communities: a community is visible to every active, logged-in user unless its membership is
confidential; a confidential community only to its active and invited members (in person or via an
organisation). Its member list: coordinators see all memberships; in a non-confidential community an
active member sees the active memberships; everyone else only their own (in person or of their
organisations) — in a confidential community members never see who the others are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from wagtail.models import Page, PageQuerySet

if TYPE_CHECKING:
    from dtc.community.models import Community, CommunityMembership, Event, Item

P = TypeVar("P", bound=Page)


def pages_visible(queryset: PageQuerySet, *, user: Any = None) -> PageQuerySet:
    """The pages of `queryset` that `user` (anonymous when None) may see on the public site."""
    visible = queryset.live().public()
    for hidden in Page.objects.not_live().filter(numchild__gt=0).only("path", "depth"):
        visible = visible.not_descendant_of(hidden)
    return visible


def page_is_visible(page: Page, *, user: Any = None) -> bool:
    return pages_visible(Page.objects.filter(pk=page.pk), user=user).exists()


def hidden_ancestors_exist(page: Page) -> bool:
    """True when an ancestor of `page` is not live (its content must then not be served)."""
    return Page.objects.not_live().ancestor_of(page).exists()


# --- marked information: trust-platform items -------------------------------------------------


def _is_active_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _user_organisation_ids(user_id: int) -> QuerySet[Any]:
    from dtc.organisations.models import Membership

    return Membership.objects.filter(user_id=user_id).values("organisation_id")


def community_memberships_active_for(user_id: int) -> QuerySet[CommunityMembership]:
    """The ACTIVE community memberships that make `user_id` an active member (in person or via org)."""
    from dtc.community.models import CommunityMembership

    return CommunityMembership.objects.filter(status=CommunityMembership.Status.ACTIVE).filter(
        Q(user_id=user_id) | Q(organisation_id__in=_user_organisation_ids(user_id))
    )


def _user_reach(user_id: int) -> tuple[list[int], list[int], list[int], list[int]]:
    """What the rule table needs to know about `user_id`, read in three small queries: their
    organisations, the organisations that declared one of those as a client, their active
    communities and, of those, the ones that count as a TLP organisation."""
    from dtc.community.models import CommunityMembership, OrganisationClient
    from dtc.organisations.models import Membership

    my_orgs = list(Membership.objects.filter(user_id=user_id).values_list("organisation_id", flat=True))
    orgs_i_am_client_of = (
        list(
            OrganisationClient.objects.filter(client_id__in=my_orgs)
            .values_list("organisation_id", flat=True)
            .distinct()
        )
        if my_orgs
        else []
    )
    my_communities: list[int] = []
    my_tlp_org_communities: list[int] = []
    # With the organisations as a literal list (not a subquery), PostgreSQL combines the two
    # membership indexes (BitmapOr) instead of scanning every membership.
    active = CommunityMembership.objects.filter(status=CommunityMembership.Status.ACTIVE).filter(
        Q(user_id=user_id) | Q(organisation_id__in=my_orgs)
    )
    for community_id, counts_as_tlp_organisation in (
        active.values_list("community_id", "community__counts_as_tlp_organisation")
        .distinct()
    ):
        my_communities.append(community_id)
        if counts_as_tlp_organisation:
            my_tlp_org_communities.append(community_id)
    return my_orgs, orgs_i_am_client_of, my_communities, my_tlp_org_communities


def _item_visible_condition(
    user_id: int, known_reach: tuple[list[int], list[int], list[int], list[int]] | None = None
) -> Q:
    """The rule table as one SQL condition on Item, for the active user `user_id`.

    The user's reach is read first (`_user_reach`) and written into the condition as short literal
    lists: with nested subqueries instead, PostgreSQL joined the community memberships again for every
    candidate item (bench/README.md, `community`). A branch whose list is empty is left out; its
    EXISTS could never be true."""
    from dtc.community.models import Item, ItemAudience, Tlp

    my_orgs, orgs_i_am_client_of, my_communities, my_tlp_org_communities = known_reach or _user_reach(user_id)
    audience = ItemAudience.objects.filter(item_id=OuterRef("pk"))
    published = Q(status=Item.Status.PUBLISHED)
    # Cheapest first: PostgreSQL evaluates an OR left to right and stops at the first true branch.
    reach = Q(tlp=Tlp.CLEAR, public_approved=True) | Q(Exists(audience.filter(user_id=user_id)))
    if my_communities:
        reach |= Q(tlp__in=[Tlp.CLEAR, Tlp.GREEN]) & Q(
            Exists(audience.filter(community_id__in=my_communities))
        )
    if my_tlp_org_communities:
        reach |= Q(tlp__in=[Tlp.AMBER, Tlp.AMBER_STRICT]) & Q(
            Exists(audience.filter(community_id__in=my_tlp_org_communities))
        )
    if my_orgs:
        reach |= ~Q(tlp=Tlp.RED) & Q(Exists(audience.filter(organisation_id__in=my_orgs)))
    if orgs_i_am_client_of:
        reach |= Q(tlp=Tlp.AMBER) & Q(Exists(audience.filter(organisation_id__in=orgs_i_am_client_of)))
    return Q(author_id=user_id) | (published & reach)


def items_visible_to(*, user: Any) -> QuerySet[Item]:
    """The items `user` (AnonymousUser or None for a visitor) may see, per the rule table above."""
    from dtc.community.models import Item, Tlp

    if not getattr(user, "is_authenticated", False):
        return Item.objects.filter(status=Item.Status.PUBLISHED, tlp=Tlp.CLEAR, public_approved=True)
    if not _is_active_user(user):
        return Item.objects.none()
    return Item.objects.filter(_item_visible_condition(user.pk))


class _InSubqueryArray(Func):
    """`expression = ANY(ARRAY(subquery))` on PostgreSQL: the subquery runs once (an InitPlan) and
    the comparison can use an index as a bitmap, combined with other indexes (BitmapAnd/BitmapOr).
    Elsewhere the plain `expression IN (subquery)`."""

    arity = 2
    output_field = BooleanField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        (lhs, lhs_params), (rhs, rhs_params) = (compiler.compile(e) for e in self.get_source_expressions())
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)


def items_visible_to_indexed(*, user: Any) -> QuerySet[Item]:
    """The same items as `items_visible_to`, plus a condition PostgreSQL answers from indexes alone:
    a superset of what `user` may see (their own items, public ones, and the items addressed to them,
    their organisations, the organisations they are a client of or their communities, whatever the
    label). For scans that start from another index, such as full-text search: PostgreSQL combines
    the text index with these (BitmapAnd) and reads only rows that can be both, instead of every
    matching row of the platform (bench/README.md, `community`). It widens nothing: the rule table
    above still decides every row."""
    from dtc.community.models import Item, ItemAudience, Tlp

    if not _is_active_user(user):
        return items_visible_to(user=user)
    reach = _user_reach(user.pk)
    my_orgs, orgs_i_am_client_of, my_communities, _ = reach
    # One index-only scan per kind of recipient (a UNION ALL; an OR would read the table's rows).
    addressed = ItemAudience.objects.filter(user_id=user.pk).values("item_id")
    if my_orgs or orgs_i_am_client_of:
        named = ItemAudience.objects.filter(organisation_id__in=[*my_orgs, *orgs_i_am_client_of])
        addressed = addressed.union(named.values("item_id"), all=True)
    if my_communities:
        shared = ItemAudience.objects.filter(community_id__in=my_communities)
        addressed = addressed.union(shared.values("item_id"), all=True)
    candidates = (
        Q(author_id=user.pk)
        | Q(status=Item.Status.PUBLISHED, tlp=Tlp.CLEAR, public_approved=True)
        | Q(_InSubqueryArray(F("pk"), Subquery(addressed)))
    )
    return Item.objects.filter(candidates).filter(_item_visible_condition(user.pk, reach))


def item_get_visible(*, user: Any, item_id: int) -> Item:
    """The item if `user` may see it; else Http404 — whether or not it exists (never a 403)."""
    item = items_visible_to(user=user).filter(pk=item_id).first()
    if item is None:
        raise Http404
    return item


def item_is_visible(*, user: Any, item: Item) -> bool:
    return items_visible_to(user=user).filter(pk=item.pk).exists()


def item_count_visible_to(*, user: Any, community: Community | None = None) -> int:
    """How many items `user` may see (within `community`'s audience when given). Hidden items never count."""
    items = items_visible_to(user=user)
    if community is not None:
        items = items_in_community(items, community=community)
    return items.count()


def items_in_community(items: QuerySet[Item], *, community: Community) -> QuerySet[Item]:
    """Narrow `items` (already visibility-filtered) to those with `community` in their audience."""
    from dtc.community.models import ItemAudience

    return items.filter(
        Exists(ItemAudience.objects.filter(item_id=OuterRef("pk"), community_id=community.pk))
    )


def community_items_visible_to(*, user: Any, community: Community) -> QuerySet[Item]:
    """Exactly `items_in_community(items_visible_to(user=user), community=community)`, written so that
    PostgreSQL decides most rows of a community's feed from the item's own columns: when `user` is an
    active member of `community`, its published CLEAR/GREEN items (and, if it counts as one TLP
    organisation, its AMBER/AMBER+STRICT items) are visible by the rule table's community rows, so
    that test comes first and the full rule (with its audience look-ups) runs only for the rest
    (bench/README.md, `community`). Same rows; the surface access matrix checks it on every feed page."""
    from dtc.community.models import Item, Tlp

    if not _is_active_user(user):
        return items_in_community(items_visible_to(user=user), community=community)
    reach = _user_reach(user.pk)
    _my_orgs, _client_of, my_communities, my_tlp_org_communities = reach
    labels: list[str] = []
    if community.pk in my_communities:
        labels += [Tlp.CLEAR, Tlp.GREEN]
    if community.pk in my_tlp_org_communities:
        labels += [Tlp.AMBER, Tlp.AMBER_STRICT]
    condition = _item_visible_condition(user.pk, reach)
    if labels:
        condition = Q(status=Item.Status.PUBLISHED, tlp__in=labels) | condition
    return items_in_community(Item.objects.filter(condition), community=community)


def communities_visible_to(*, user: Any) -> QuerySet[Community]:
    """Non-confidential communities for every active user; confidential ones for their active and
    invited members (in person or via an organisation). Visitors see none."""
    from dtc.community.models import Community, CommunityMembership

    if not _is_active_user(user):
        return Community.objects.none()
    mine = CommunityMembership.objects.filter(
        status__in=[CommunityMembership.Status.ACTIVE, CommunityMembership.Status.INVITED]
    ).filter(Q(user_id=user.pk) | Q(organisation_id__in=_user_organisation_ids(user.pk)))
    return Community.objects.filter(
        Q(confidential_membership=False) | Exists(mine.filter(community_id=OuterRef("pk")))
    )


def community_get_visible(*, user: Any, community_id: int) -> Community:
    community = communities_visible_to(user=user).filter(pk=community_id).first()
    if community is None:
        raise Http404
    return community


def community_memberships_own(*, user: Any, community: Community) -> QuerySet[CommunityMembership]:
    """`user`'s own memberships of `community` (in person or of their organisations), in any status.
    One's own rows are always visible to oneself (last line of the member-list rule above), so this
    needs no check beyond the caller having shown the community (`community_get_visible`)."""
    from dtc.community.models import CommunityMembership

    if not _is_active_user(user):
        return CommunityMembership.objects.none()
    return CommunityMembership.objects.filter(community=community).filter(
        Q(user_id=user.pk) | Q(organisation_id__in=_user_organisation_ids(user.pk))
    )


def community_members_visible_to(*, user: Any, community: Community) -> QuerySet[CommunityMembership]:
    """The memberships of `community` that `user` may see listed; Http404 if the community is hidden.

    Coordinators: all. Non-confidential community, active member: the active ones (plus their own).
    Otherwise (confidential membership, or not an active member): only their own rows.
    """
    from dtc.community.models import CommunityMembership

    if not communities_visible_to(user=user).filter(pk=community.pk).exists():
        raise Http404
    rows = CommunityMembership.objects.filter(community=community)
    own = Q(user_id=user.pk) | Q(organisation_id__in=_user_organisation_ids(user.pk))
    is_coordinator = rows.filter(
        user_id=user.pk,
        role=CommunityMembership.MemberRole.COORDINATOR,
        status=CommunityMembership.Status.ACTIVE,
    ).exists()
    if is_coordinator:
        return rows
    is_active_member = rows.filter(status=CommunityMembership.Status.ACTIVE).filter(own).exists()
    if not community.confidential_membership and is_active_member:
        return rows.filter(Q(status=CommunityMembership.Status.ACTIVE) | own)
    return rows.filter(own)


# --- events (awareness sessions, intervision meetings, crisis exercises) ----------------------


def events_visible_to(*, user: Any) -> QuerySet[Event]:
    """The events `user` (AnonymousUser or None for a visitor) may see.

    | event                         | who sees it                                               |
    |-------------------------------|-----------------------------------------------------------|
    | public (no community)         | everyone, also anonymous visitors and inactive accounts   |
    | of a community                | the community's ACTIVE members, in person or through one  |
    |                               | of their organisations (requested/invited: nothing)       |

    A cancelled event stays visible to whoever could see it (pages mark it as cancelled); hidden
    events are a 404 (`event_get_visible`) and never counted. One SQL query, no Python loop.
    """
    from dtc.community.models import Event

    public = Q(community__isnull=True)
    if not _is_active_user(user):
        return Event.objects.filter(public)
    my_communities = community_memberships_active_for(user.pk).values("community_id")
    return Event.objects.filter(public | Q(community_id__in=my_communities))


def event_get_visible(*, user: Any, event_id: int) -> Event:
    """The event if `user` may see it; else Http404 — whether or not it exists (never a 403)."""
    event = events_visible_to(user=user).filter(pk=event_id).first()
    if event is None:
        raise Http404
    return event


def item_recipients(*, item: Item) -> QuerySet[Any]:
    """The active users who may see `item` — the rule table above read the other way round, in SQL.

    Used by notifications (who may be told about an item) and kept consistent with `items_visible_to`
    by a property test (`u in item_recipients(item=i)` iff `i in items_visible_to(user=u)`). Which rows
    of the table apply depends only on the item, so they are chosen here; the people are one query.
    A draft reaches nobody but its (active) author.
    """
    from django.contrib.auth import get_user_model

    from dtc.community.models import CommunityMembership, Item, ItemAudience, OrganisationClient, Tlp
    from dtc.organisations.models import Membership

    users = get_user_model().objects.filter(is_active=True)
    reach = Q(pk=item.author_id) if item.author_id is not None else Q(pk__in=[])
    if item.status != Item.Status.PUBLISHED:
        return users.filter(reach)
    if item.tlp == Tlp.CLEAR and item.public_approved:
        return users
    audience = ItemAudience.objects.filter(item_id=item.pk)
    named_orgs = audience.filter(organisation__isnull=False).values("organisation_id")
    reach |= Q(pk__in=audience.filter(user__isnull=False).values("user_id"))
    if item.tlp != Tlp.RED:
        reach |= Q(pk__in=Membership.objects.filter(organisation_id__in=named_orgs).values("user_id"))
    if item.tlp in (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT):
        communities = audience.filter(community__isnull=False)
        if item.tlp in (Tlp.AMBER, Tlp.AMBER_STRICT):
            communities = communities.filter(community__counts_as_tlp_organisation=True)
        active = CommunityMembership.objects.filter(
            status=CommunityMembership.Status.ACTIVE, community_id__in=communities.values("community_id")
        )
        reach |= Q(pk__in=active.filter(user__isnull=False).values("user_id"))
        reach |= Q(pk__in=Membership.objects.filter(
            organisation_id__in=active.filter(organisation__isnull=False).values("organisation_id")
        ).values("user_id"))
    if item.tlp == Tlp.AMBER:
        clients = OrganisationClient.objects.filter(organisation_id__in=named_orgs).values("client_id")
        reach |= Q(pk__in=Membership.objects.filter(organisation_id__in=clients).values("user_id"))
    return users.filter(reach)


# --- tailored alerts (dtc.advisories) ------------------------------------------------------------
#
# | object                          | who sees it                                                  |
# |---------------------------------|--------------------------------------------------------------|
# | advisory, revision, products,   | analysts only (group `analyst`, or superuser), active users  |
# | message drafts, review queue    |                                                              |
# | an alert (an organisation told  | the members of that organisation (any organisation role),    |
# | about an advisory)              | active users; never other organisations, never anonymous     |
# | an organisation's alert feed    | whoever holds the feed's secret URL (only its hash is stored)|
# |                                 | — the feed carries TLP:CLEAR messages only                   |
# | alert settings, webhook, feed   | admins of that organisation                                  |
#
# An alert can only exist for a TLP:CLEAR advisory (publishing refuses anything else), so an alert's
# message may travel by e-mail, webhook and feed. Hidden alerts are a 404, never a 403.


def is_analyst(user: Any) -> bool:
    """Whether `user` works with raw advisories (all TLP labels) and messages."""
    from dtc.organisations.models import Role

    if not _is_active_user(user):
        return False
    return bool(user.is_superuser or user.groups.filter(name=Role.ANALYST.value).exists())


def advisories_visible_to(*, user: Any) -> QuerySet[Any]:
    """Raw advisories (any TLP): analysts see all, everyone else none."""
    from dtc.advisories.models import Advisory

    if not is_analyst(user):
        return Advisory.objects.none()
    return Advisory.objects.all()


def advisory_get_visible(*, user: Any, advisory_id: int) -> Any:
    advisory = advisories_visible_to(user=user).filter(pk=advisory_id).first()
    if advisory is None:
        raise Http404
    return advisory


def alerts_visible_to(*, user: Any) -> QuerySet[Any]:
    """The alerts of the organisations `user` is a member of; nothing for visitors or inactive users."""
    from dtc.advisories.models import Alert

    if not _is_active_user(user):
        return Alert.objects.none()
    return Alert.objects.filter(organisation_id__in=_user_organisation_ids(user.pk))


def alert_get_visible(*, user: Any, alert_id: int) -> Any:
    """The alert if `user` may see it; else Http404 — whether or not it exists."""
    alert = alerts_visible_to(user=user).filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    return alert


def alert_recipient_is_member(*, user_id: int, organisation_id: int) -> bool:
    """Checked again at send time: a person who left the organisation gets nothing more."""
    from dtc.organisations.models import Membership

    return Membership.objects.filter(user_id=user_id, organisation_id=organisation_id, user__is_active=True).exists()


def alert_recipients_members(*, pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (user id, organisation id) pairs whose user is still an active member of that organisation:
    `alert_recipient_is_member` for a whole batch in one query."""
    from dtc.organisations.models import Membership

    if not pairs:
        return set()
    rows = Membership.objects.filter(
        user_id__in={user_id for user_id, _ in pairs},
        organisation_id__in={organisation_id for _, organisation_id in pairs},
        user__is_active=True,
    ).values_list("user_id", "organisation_id")
    return set(rows) & pairs


# Self-assessment results (dtc.assessment)
# ========================================
# An anonymous result is reached by its resume token only (an unguessable secret in the link; only
# its hash is stored). An organisation's result is reached by its members only — by id from the
# history, or by token, and then only when the visitor is logged in as a member: a forwarded link
# does not reveal an organisation's weak spots.


def assessment_results_visible_to(*, user: Any) -> QuerySet[Any]:
    """The organisation results `user` may open by id: those of the organisations they are a member of."""
    from dtc.assessment.models import Result

    if not _is_active_user(user):
        return Result.objects.none()
    return Result.objects.filter(organisation_id__in=_user_organisation_ids(user.pk))


def assessment_result_get_visible(*, user: Any, result_id: int | None = None, token: str | None = None) -> Any:
    """The result by id (members) or by resume token (anyone for anonymous results); else Http404."""
    from dtc.assessment.models import Result
    from dtc.assessment.services import token_hash

    if result_id is not None:
        result = assessment_results_visible_to(user=user).filter(pk=result_id).first()
    elif token:
        result = Result.objects.filter(token_hash=token_hash(token)).first()
        if result is not None and result.organisation_id is not None:
            if not assessment_results_visible_to(user=user).filter(pk=result.pk).exists():
                result = None
    else:
        result = None
    if result is None:
        raise Http404
    return result


# --- batch scans of a collaboration ------------------------------------------------------------------
#
# | who                                   | may                                                      |
# |---------------------------------------|----------------------------------------------------------|
# | coordinators of the collaboration     | start batches, see them, start a round, export           |
# | analysts of the centre                | see every batch (read only)                              |
# | everyone else                         | nothing (a 404); a member sees its own report through    |
# |                                       | the scan link the coordinator shares                      |


def scan_batch_may_create(*, user: Any, collaboration: Any) -> bool:
    if not _is_active_user(user):
        return False
    return bool(collaboration.connected and collaboration.coordinators.filter(pk=user.pk).exists())


def scan_batch_collaborations(*, user: Any) -> QuerySet[Any]:
    """The connected collaborations `user` may start a batch for."""
    from dtc.community.models import Collaboration

    if not _is_active_user(user):
        return Collaboration.objects.none()
    return Collaboration.objects.filter(connected=True, coordinators=user)


def scan_batches_visible_to(*, user: Any) -> QuerySet[Any]:
    from dtc.scans.models import ScanBatch

    if not _is_active_user(user):
        return ScanBatch.objects.none()
    if is_analyst(user):
        return ScanBatch.objects.all()
    return ScanBatch.objects.filter(collaboration__coordinators=user)


def scan_batch_get_visible(*, user: Any, batch_id: int, manage: bool = False) -> Any:
    """The batch if `user` may see it (with `manage`: may also start rounds and change it); else 404."""
    from dtc.scans.models import ScanBatch

    batches = (ScanBatch.objects.filter(collaboration__coordinators=user, collaboration__connected=True)
               if manage and _is_active_user(user) else scan_batches_visible_to(user=user))
    batch = batches.select_related("collaboration").filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    return batch


# --- scans of an organisation's domains ------------------------------------------------------------
# | who                                   | sees                                                      |
# |---------------------------------------|-----------------------------------------------------------|
# | a member of the organisation (any     | every scan of the organisation's domains, and its         |
# | role)                                 | timeline                                                  |
# | everyone else                         | nothing (a 404, whether or not the scan exists)           |
# | e-mails about them (regressions)      | the organisation's admins: active, with a verified address |
# Starting a scan and showing proof of ownership are for the organisation's admins (dtc.scans.ownership).


def organisation_scans_visible_to(*, user: Any, organisation_id: int) -> QuerySet[Any]:
    """The scans of organisation `organisation_id` that `user` may see: all of them for its members."""
    from dtc.scans.models import Scan

    if not _is_active_user(user):
        return Scan.objects.none()
    return Scan.objects.filter(organisation_id=organisation_id,
                               organisation__memberships__user_id=user.pk)


def organisation_scan_get_visible(*, user: Any, organisation_id: int, key: str) -> Any:
    """One scan of the organisation by its key if `user` may see it; else 404."""
    scan = organisation_scans_visible_to(user=user, organisation_id=organisation_id).filter(key=key).first()
    if scan is None:
        raise Http404
    return scan


def organisation_scan_alert_recipients(*, organisation_id: int) -> QuerySet[Any]:
    """Who is told about a scan of the organisation that got worse: its admins, if active and their
    e-mail address is verified (an unverified address may not be theirs)."""
    from allauth.account.models import EmailAddress

    from dtc.organisations.models import Membership, User

    verified = EmailAddress.objects.filter(user_id=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True)
    return (
        User.objects.filter(is_active=True, memberships__organisation_id=organisation_id,
                            memberships__role=Membership.OrgRole.ADMIN)
        .exclude(email="").filter(Exists(verified)).order_by("pk")
    )
