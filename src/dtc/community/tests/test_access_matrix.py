"""THE ACCESS MATRIX: over random small platforms, what `core.visibility` lets each person see equals
a plainly written oracle of the rule table (core/visibility.py docstring, FIRST TLP 2.0).

Hypothesis generates 3–6 organisations with people (some in two organisations, some in none, some
inactive), 2–4 communities with random confidential / counts-as-TLP-organisation flags, memberships
in person and by organisation — active, requested and invited —, declared clients, and items with a
random label × audience shape (communities, organisations, people, or none) × draft/published ×
public approval (also shapes the services would refuse, e.g. TLP:RED to a community). For every
person and an anonymous visitor it checks the item list, `item_get_visible` (404 exactly for the
hidden ones), the counts (overall and per community), the communities and the member lists.
Zero leaks (and zero wrongful hides) is the only pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dtc.community.models import Community, CommunityMembership, Item, ItemAudience, OrganisationClient
from dtc.core import visibility
from dtc.organisations.models import Membership, Organisation, User

LABELS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
STATUSES = ["active", "requested", "invited"]


@dataclass
class PlanItem:
    author: int | None  # None: the author's account was deleted
    tlp: str
    published: bool
    public_approved: bool
    communities: set[int]
    organisations: set[int]
    users: set[int]


@dataclass
class Plan:
    organisations: int
    users: list[tuple[bool, set[int]]]  # (is_active, organisation indexes)
    communities: list[tuple[bool, bool]]  # (confidential_membership, counts_as_tlp_organisation)
    # (community, "user" | "org", index) -> (status, is_coordinator)
    memberships: dict[tuple[int, str, int], tuple[str, bool]]
    clients: set[tuple[int, int]]  # (organisation, its declared client)
    items: list[PlanItem] = field(default_factory=list)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    n_orgs = draw(st.integers(3, 6))
    n_users = draw(st.integers(3, 10))
    n_comms = draw(st.integers(2, 4))
    org = st.integers(0, n_orgs - 1)
    users = [
        (draw(st.sampled_from([True, True, True, False])), draw(st.sets(org, max_size=2)))
        for _ in range(n_users)
    ]
    communities = [(draw(st.booleans()), draw(st.booleans())) for _ in range(n_comms)]
    memberships: dict[tuple[int, str, int], tuple[str, bool]] = {}
    for _ in range(draw(st.integers(0, 12))):
        community = draw(st.integers(0, n_comms - 1))
        if draw(st.booleans()):
            key = (community, "user", draw(st.integers(0, n_users - 1)))
            memberships[key] = (draw(st.sampled_from(STATUSES)), draw(st.booleans()))
        else:
            key = (community, "org", draw(org))
            memberships[key] = (draw(st.sampled_from(STATUSES)), False)
    clients = {(a, b) for a, b in draw(st.sets(st.tuples(org, org), max_size=4)) if a != b}
    items = []
    for _ in range(draw(st.integers(1, 12))):
        tlp = draw(st.sampled_from(LABELS))
        items.append(
            PlanItem(
                author=draw(st.one_of(st.none(), st.integers(0, n_users - 1))) if draw(st.integers(0, 9)) == 0
                else draw(st.integers(0, n_users - 1)),
                tlp=tlp,
                published=draw(st.sampled_from([True, True, True, False])),
                public_approved=tlp == "CLEAR" and draw(st.booleans()),
                communities=draw(st.sets(st.integers(0, n_comms - 1), max_size=2)),
                organisations=draw(st.sets(org, max_size=2)),
                users=draw(st.sets(st.integers(0, n_users - 1), max_size=2)),
            )
        )
    return Plan(n_orgs, users, communities, memberships, clients, items)


# --- the oracle: the rule table, written out plainly ----------------------------------------


def oracle_items(plan: Plan, u: int | None) -> set[int]:
    """Indexes of the items person `u` (None: anonymous visitor) may see."""
    seen: set[int] = set()
    for index, item in enumerate(plan.items):
        publicly = item.published and item.tlp == "CLEAR" and item.public_approved
        if u is None:
            if publicly:
                seen.add(index)
            continue
        active, my_orgs = plan.users[u]
        if not active:
            continue
        if item.author == u:
            seen.add(index)
            continue
        if not item.published:
            continue
        if publicly:
            seen.add(index)
            continue
        my_communities = {
            c for (c, kind, who), (status, _coord) in plan.memberships.items()
            if status == "active" and ((kind == "user" and who == u) or (kind == "org" and who in my_orgs))
        }
        named_me = u in item.users
        named_my_org = bool(item.organisations & my_orgs)
        in_my_community = bool(item.communities & my_communities)
        in_my_tlp_org_community = any(plan.communities[c][1] for c in item.communities & my_communities)
        client_of_named_org = any((o, mine) in plan.clients for o in item.organisations for mine in my_orgs)
        if item.tlp == "RED":
            allowed = named_me
        elif item.tlp == "AMBER+STRICT":
            allowed = named_me or named_my_org or in_my_tlp_org_community
        elif item.tlp == "AMBER":
            allowed = named_me or named_my_org or in_my_tlp_org_community or client_of_named_org
        else:  # GREEN, CLEAR without public approval
            allowed = named_me or named_my_org or in_my_community
        if allowed:
            seen.add(index)
    return seen


def _own_membership_keys(plan: Plan, u: int, community: int) -> set[tuple[int, str, int]]:
    my_orgs = plan.users[u][1]
    return {
        key for key in plan.memberships
        if key[0] == community and ((key[1] == "user" and key[2] == u) or (key[1] == "org" and key[2] in my_orgs))
    }


def oracle_communities(plan: Plan, u: int | None) -> set[int]:
    if u is None or not plan.users[u][0]:
        return set()
    visible = set()
    for c, (confidential, _tlp_org) in enumerate(plan.communities):
        mine = [plan.memberships[k][0] for k in _own_membership_keys(plan, u, c)]
        if not confidential or any(status in ("active", "invited") for status in mine):
            visible.add(c)
    return visible


def oracle_member_list(plan: Plan, u: int, c: int) -> set[tuple[int, str, int]]:
    rows = {k for k in plan.memberships if k[0] == c}
    own = _own_membership_keys(plan, u, c)
    if plan.memberships.get((c, "user", u), ("", False)) == ("active", True):
        return rows
    if not plan.communities[c][0] and any(plan.memberships[k][0] == "active" for k in own):
        return {k for k in rows if plan.memberships[k][0] == "active"} | own
    return own


# --- building the platform in the database --------------------------------------------------


def build(plan: Plan) -> tuple[list[User], list[Community], list[Item], dict[int, tuple[int, str, int]]]:
    orgs = Organisation.objects.bulk_create([Organisation(name=f"Org {i}") for i in range(plan.organisations)])
    users = User.objects.bulk_create(
        [User(email=f"p{i}@matrix.test", password="!", is_active=active) for i, (active, _) in enumerate(plan.users)]
    )
    Membership.objects.bulk_create(
        [Membership(user=users[i], organisation=orgs[o]) for i, (_, my) in enumerate(plan.users) for o in my]
    )
    OrganisationClient.objects.bulk_create(
        [OrganisationClient(organisation=orgs[a], client=orgs[b]) for a, b in plan.clients]
    )
    communities = Community.objects.bulk_create(
        [
            Community(name=f"C{i}", slug=f"c{i}", confidential_membership=conf, counts_as_tlp_organisation=tlp_org)
            for i, (conf, tlp_org) in enumerate(plan.communities)
        ]
    )
    keys = list(plan.memberships)
    rows = CommunityMembership.objects.bulk_create(
        [
            CommunityMembership(
                community=communities[c],
                user=users[who] if kind == "user" else None,
                organisation=orgs[who] if kind == "org" else None,
                status=plan.memberships[(c, kind, who)][0],
                role="coordinator" if plan.memberships[(c, kind, who)][1] else "member",
            )
            for c, kind, who in keys
        ]
    )
    key_of_row = {row.pk: key for row, key in zip(rows, keys, strict=True)}
    items = Item.objects.bulk_create(
        [
            Item(
                kind="threat", title=f"I{i}", tlp=it.tlp, status="published" if it.published else "draft",
                public_approved=it.public_approved, author=users[it.author] if it.author is not None else None,
            )
            for i, it in enumerate(plan.items)
        ]
    )
    ItemAudience.objects.bulk_create(
        [ItemAudience(item=items[i], community=communities[c]) for i, it in enumerate(plan.items) for c in it.communities]
        + [ItemAudience(item=items[i], organisation=orgs[o]) for i, it in enumerate(plan.items) for o in it.organisations]
        + [ItemAudience(item=items[i], user=users[p]) for i, it in enumerate(plan.items) for p in it.users]
    )
    return users, communities, items, key_of_row


def check_platform(plan: Plan) -> None:
    with transaction.atomic():
        users, communities, items, key_of_row = build(plan)
        viewers: list[tuple[int | None, object]] = [(None, AnonymousUser())]
        viewers += [(i, User.objects.get(pk=user.pk)) for i, user in enumerate(users)]
        for u, viewer in viewers:
            expected = {items[i].pk for i in oracle_items(plan, u)}
            got = set(visibility.items_visible_to(user=viewer).values_list("pk", flat=True))
            assert got == expected, f"viewer {u}: leaked {got - expected}, wrongly hidden {expected - got}"
            assert visibility.item_count_visible_to(user=viewer) == len(expected)
            for item in items:
                if item.pk in expected:
                    assert visibility.item_get_visible(user=viewer, item_id=item.pk).pk == item.pk
                else:
                    with pytest.raises(Http404):
                        visibility.item_get_visible(user=viewer, item_id=item.pk)
            for c, community in enumerate(communities):
                in_c = {items[i].pk for i in oracle_items(plan, u) if c in plan.items[i].communities}
                assert visibility.item_count_visible_to(user=viewer, community=community) == len(in_c)
            visible_communities = {communities[c].pk for c in oracle_communities(plan, u)}
            assert set(visibility.communities_visible_to(user=viewer).values_list("pk", flat=True)) == visible_communities
            for c, community in enumerate(communities):
                if community.pk not in visible_communities:
                    with pytest.raises(Http404):
                        visibility.community_members_visible_to(user=viewer, community=community)
                    continue
                assert u is not None
                listed = visibility.community_members_visible_to(user=viewer, community=community)
                assert {key_of_row[pk] for pk in listed.values_list("pk", flat=True)} == oracle_member_list(plan, u, c)
        transaction.set_rollback(True)


MATRIX_SETTINGS = {
    "deadline": None,
    "database": None,  # no .hypothesis directory in the repository
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}


@pytest.mark.django_db
@settings(max_examples=100, **MATRIX_SETTINGS)
@given(plan=plans())
def test_access_matrix(plan: Plan) -> None:
    check_platform(plan)


@pytest.mark.postgres
@pytest.mark.django_db
@settings(max_examples=150, **MATRIX_SETTINGS)
@given(plan=plans())
def test_access_matrix_postgres_more_examples(plan: Plan) -> None:
    check_platform(plan)


def test_oracle_is_not_trivial() -> None:
    """The oracle itself tells hidden from visible (a matrix that always agrees proves nothing)."""
    plan = Plan(
        organisations=3,
        users=[(True, {0}), (True, {1}), (True, {2}), (False, {0})],
        communities=[(False, True), (True, False)],
        memberships={(0, "org", 0): ("active", False), (1, "user", 1): ("active", True), (0, "user", 2): ("requested", False)},
        clients={(0, 2)},
        items=[
            PlanItem(0, "AMBER", True, False, set(), {0}, set()),
            PlanItem(1, "RED", True, False, {1}, set(), {2}),
            PlanItem(1, "GREEN", False, False, {1}, set(), set()),
            PlanItem(0, "CLEAR", True, True, set(), set(), set()),
        ],
    )
    assert oracle_items(plan, None) == {3}
    assert oracle_items(plan, 2) == {0, 1, 3}  # client of org 0 (AMBER), named (RED), public
    assert oracle_items(plan, 3) == set()  # inactive
    assert oracle_items(plan, 1) == {1, 2, 3}  # own draft and own RED, public
    assert oracle_communities(plan, 2) == {0}  # confidential community 1 hidden
    assert oracle_member_list(plan, 1, 1) == {(1, "user", 1)}
