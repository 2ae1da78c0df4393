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

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from wagtail.models import Page, PageQuerySet

if TYPE_CHECKING:
    from dtc.community.models import Community, CommunityMembership, Item

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


def _item_visible_condition(user_id: int) -> Q:
    """The rule table as one SQL condition on Item, for the active user `user_id`."""
    from dtc.community.models import Item, ItemAudience, OrganisationClient, Tlp

    my_orgs = _user_organisation_ids(user_id)
    my_communities = community_memberships_active_for(user_id).values("community_id")
    my_tlp_org_communities = (
        community_memberships_active_for(user_id)
        .filter(community__counts_as_tlp_organisation=True)
        .values("community_id")
    )
    # Organisations that declared one of my organisations as their client.
    orgs_i_am_client_of = OrganisationClient.objects.filter(client_id__in=my_orgs).values("organisation_id")

    audience = ItemAudience.objects.filter(item_id=OuterRef("pk"))
    names_me = Q(Exists(audience.filter(user_id=user_id)))
    names_my_org = Q(Exists(audience.filter(organisation_id__in=my_orgs)))
    names_org_i_am_client_of = Q(Exists(audience.filter(organisation_id__in=orgs_i_am_client_of)))
    in_my_community = Q(Exists(audience.filter(community_id__in=my_communities)))
    in_my_tlp_org_community = Q(Exists(audience.filter(community_id__in=my_tlp_org_communities)))

    published = Q(status=Item.Status.PUBLISHED)
    community_labels = Q(tlp__in=[Tlp.CLEAR, Tlp.GREEN])
    organisation_labels = Q(tlp__in=[Tlp.AMBER, Tlp.AMBER_STRICT])
    return (
        Q(author_id=user_id)
        | (published & Q(tlp=Tlp.CLEAR, public_approved=True))
        | (published & names_me)
        | (published & ~Q(tlp=Tlp.RED) & names_my_org)
        | (published & community_labels & in_my_community)
        | (published & organisation_labels & in_my_tlp_org_community)
        | (published & Q(tlp=Tlp.AMBER) & names_org_i_am_client_of)
    )


def items_visible_to(*, user: Any) -> QuerySet[Item]:
    """The items `user` (AnonymousUser or None for a visitor) may see, per the rule table above."""
    from dtc.community.models import Item, Tlp

    if not getattr(user, "is_authenticated", False):
        return Item.objects.filter(status=Item.Status.PUBLISHED, tlp=Tlp.CLEAR, public_approved=True)
    if not _is_active_user(user):
        return Item.objects.none()
    return Item.objects.filter(_item_visible_condition(user.pk))


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
