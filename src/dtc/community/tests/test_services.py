"""The write paths of the trust platform: who may create, invite, admit, share, publish, re-mark,
post anonymously and approve for the public — each rule, each refusal, and the audit trail."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from dtc.community import selectors, services
from dtc.community.models import Community, CommunityMembership, Item, Tlp
from dtc.community.tests.factories import CommunityMembershipFactory
from dtc.core import visibility
from dtc.core.models import AuditLogEntry
from dtc.organisations.models import Role
from dtc.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    user = UserFactory(verified=True)
    user.groups.add(Group.objects.get_or_create(name=Role.COMMUNITY_COORDINATOR.value)[0])
    return user


@pytest.fixture
def community(coordinator):
    return services.community_create(
        actor=coordinator, name="ISAC Bakkers", slug="isac-bakkers", counts_as_tlp_organisation=True,
        join_policy=Community.JoinPolicy.REQUEST,
    )


@pytest.fixture
def org_admin():
    return MembershipFactory(admin=True)


@pytest.fixture
def member(community, org_admin, coordinator):
    """A person at an organisation that is an active member of the community."""
    membership = services.community_invite_organisation(
        actor=coordinator, community=community, organisation=org_admin.organisation
    )
    services.community_invitation_accept(actor=org_admin.user, membership=membership)
    return MembershipFactory(organisation=org_admin.organisation).user


# --- collaborations and communities ----------------------------------------------------------


def test_only_community_coordinators_register_collaborations(coordinator):
    with pytest.raises(PermissionDenied):
        services.collaboration_create(actor=UserFactory(), name="Regio", slug="regio", kind="regional")
    collaboration = services.collaboration_create(actor=coordinator, name="Regio", slug="regio", kind="regional")
    assert list(collaboration.coordinators.all()) == [coordinator]
    assert AuditLogEntry.objects.filter(action="collaboration.create", target_id=str(collaboration.pk)).exists()


def test_community_creator_becomes_coordinator_and_collaboration_owners_only(coordinator):
    collaboration = services.collaboration_create(actor=coordinator, name="ISAC", slug="isac", kind="isac")
    with pytest.raises(PermissionDenied):
        services.community_create(actor=UserFactory(), name="X", slug="x", owner=collaboration)
    community = services.community_create(actor=coordinator, name="X", slug="x", owner=collaboration)
    assert selectors.community_is_coordinator(user=coordinator, community=community)


def test_invitation_only_community_refuses_requests(coordinator):
    community = services.community_create(actor=coordinator, name="Dicht", slug="dicht")
    with pytest.raises(ValidationError) as exc:
        services.community_request_join(actor=UserFactory(), community=community)
    assert exc.value.code == "invitation_only"


def test_request_approve_and_only_coordinators_approve(community, coordinator):
    person = UserFactory()
    membership = services.community_request_join(actor=person, community=community)
    assert membership.status == CommunityMembership.Status.REQUESTED
    assert not selectors.community_is_active_member(user=person, community=community)
    with pytest.raises(PermissionDenied):
        services.community_membership_approve(actor=person, membership=membership)
    services.community_membership_approve(actor=coordinator, membership=membership)
    assert selectors.community_is_active_member(user=person, community=community)


def test_request_for_an_organisation_needs_its_admin(community, org_admin):
    colleague = MembershipFactory(organisation=org_admin.organisation).user
    with pytest.raises(PermissionDenied):
        services.community_request_join(actor=colleague, community=community, organisation=org_admin.organisation)
    membership = services.community_request_join(
        actor=org_admin.user, community=community, organisation=org_admin.organisation
    )
    assert membership.organisation == org_admin.organisation and membership.user is None


def test_confidential_community_is_a_404_for_outsiders(coordinator):
    secret = services.community_create(
        actor=coordinator, name="Geheim", slug="geheim", confidential_membership=True,
        join_policy=Community.JoinPolicy.REQUEST,
    )
    with pytest.raises(Http404):
        services.community_request_join(actor=UserFactory(), community=secret)


def test_invited_person_accepts_and_nobody_else_can(community, coordinator):
    invitee = UserFactory()
    membership = services.community_invite_user(actor=coordinator, community=community, user=invitee)
    with pytest.raises(PermissionDenied):
        services.community_invitation_accept(actor=UserFactory(), membership=membership)
    services.community_invitation_accept(actor=invitee, membership=membership)
    assert selectors.community_is_active_member(user=invitee, community=community)


def test_non_coordinator_cannot_invite(community, member):
    with pytest.raises(PermissionDenied):
        services.community_invite_user(actor=member, community=community, user=UserFactory())


def test_last_coordinator_cannot_leave_but_members_can(community, coordinator):
    own = CommunityMembership.objects.get(community=community, user=coordinator)
    with pytest.raises(ValidationError):
        services.community_membership_remove(actor=coordinator, membership=own)
    person = UserFactory()
    membership = services.community_invite_user(actor=coordinator, community=community, user=person)
    with pytest.raises(PermissionDenied):
        services.community_membership_remove(actor=UserFactory(), membership=membership)
    services.community_membership_remove(actor=person, membership=membership)
    assert not CommunityMembership.objects.filter(pk=membership.pk).exists()


# --- items -----------------------------------------------------------------------------------


def test_item_is_a_draft_for_its_author_only_until_published(community, member):
    colleague = MembershipFactory(organisation=member.memberships.get().organisation).user
    item = services.item_create(
        actor=member, kind="threat", title="Nepfacturen", tlp=Tlp.AMBER, communities=[community],
        body_markdown="Let op <script>alert(1)</script>",
    )
    assert item.status == Item.Status.DRAFT
    assert "<script" not in item.body_html
    with pytest.raises(Http404):
        visibility.item_get_visible(user=colleague, item_id=item.pk)
    with pytest.raises(Http404):
        services.item_publish(actor=colleague, item=item)
    services.item_publish(actor=member, item=item)
    assert visibility.item_get_visible(user=colleague, item_id=item.pk) == item
    with pytest.raises(Http404):
        visibility.item_get_visible(user=UserFactory(), item_id=item.pk)


def test_sharing_only_into_own_communities_and_for_own_organisation(community):
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        services.item_create(actor=outsider, kind="threat", title="x", tlp=Tlp.GREEN, communities=[community])
    with pytest.raises(PermissionDenied):
        services.item_create(
            actor=outsider, kind="threat", title="x", tlp=Tlp.RED, users=[UserFactory()],
            author_organisation=OrganisationFactory(),
        )


@pytest.mark.parametrize(
    ("tlp", "shape", "code"),
    [
        (Tlp.RED, "community", "red_people_only"),
        (Tlp.RED, "organisation", "red_people_only"),
        (Tlp.AMBER, "loose_community", "amber_community_not_organisation"),
        (Tlp.AMBER_STRICT, "loose_community", "amber_community_not_organisation"),
        (Tlp.GREEN, "nobody", "audience_empty"),
    ],
)
def test_labels_refuse_audiences_they_cannot_honour(community, member, coordinator, tlp, shape, code):
    loose = services.community_create(actor=coordinator, name="Los", slug="los")
    services.community_invite_user(actor=coordinator, community=loose, user=member)
    services.community_invitation_accept(actor=member, membership=CommunityMembership.objects.get(community=loose, user=member))
    audience = {
        "community": {"communities": [community]},
        "organisation": {"organisations": [OrganisationFactory()]},
        "loose_community": {"communities": [loose]},
        "nobody": {},
    }[shape]
    with pytest.raises(ValidationError) as exc:
        services.item_create(actor=member, kind="threat", title="x", tlp=tlp, **audience)
    assert code in str(exc.value.error_dict["audience"][0].code)


@pytest.fixture
def shared(community, member):
    """A published TLP:GREEN item from `member` (on behalf of their organisation) to the community."""
    return services.item_create(
        actor=member, kind="incident", title="Ransomware bij leverancier", tlp=Tlp.GREEN, communities=[community],
        author_organisation=member.memberships.get().organisation, publish=True,
    )


def test_author_and_coordinator_may_widen_and_lower(shared, member, coordinator):
    other_org = OrganisationFactory()
    community = shared.audience.get().community
    services.item_change_marking(
        actor=member, item=shared, tlp=Tlp.CLEAR, communities=[community], organisations=[other_org]
    )
    shared.refresh_from_db()
    assert shared.tlp == Tlp.CLEAR
    services.item_change_marking(
        actor=coordinator, item=shared, tlp=Tlp.GREEN, communities=[community],
        organisations=[other_org, OrganisationFactory()],
    )
    entry = AuditLogEntry.objects.filter(action="item.change_marking", actor=coordinator).get()
    assert entry.before["tlp"] == "CLEAR" and entry.after["tlp"] == "GREEN"
    assert len(entry.after["audience"]["organisations"]) == 2


def test_others_may_never_widen_or_lower(shared, member, community):
    organisation = member.memberships.get().organisation
    org_admin = organisation.memberships.get(role="admin").user
    colleague = MembershipFactory(organisation=organisation).user
    # A plain recipient may not change the marking at all.
    with pytest.raises(PermissionDenied):
        services.item_change_marking(actor=colleague, item=shared, tlp=Tlp.RED, users=[colleague])
    # The admin of the author's organisation may not widen the audience …
    with pytest.raises(PermissionDenied):
        services.item_change_marking(
            actor=org_admin, item=shared, tlp=Tlp.GREEN, communities=[community], organisations=[OrganisationFactory()]
        )
    # … nor lower the label …
    with pytest.raises(PermissionDenied):
        services.item_change_marking(actor=org_admin, item=shared, tlp=Tlp.CLEAR, communities=[community])
    # … nor move GREEN to AMBER, which would reach the declared clients of named organisations.
    with pytest.raises(PermissionDenied):
        services.item_change_marking(actor=org_admin, item=shared, tlp=Tlp.AMBER, communities=[community])
    shared.refresh_from_db()
    assert shared.tlp == Tlp.GREEN
    # Narrowing is allowed: a stricter label for the same audience.
    services.item_change_marking(actor=org_admin, item=shared, tlp=Tlp.AMBER_STRICT, communities=[community])
    shared.refresh_from_db()
    assert shared.tlp == Tlp.AMBER_STRICT


def test_marking_a_hidden_item_is_a_404(shared):
    with pytest.raises(Http404):
        services.item_change_marking(actor=UserFactory(), item=shared, tlp=Tlp.RED, users=[UserFactory()])


def test_leaving_clear_withdraws_public_approval(community, member, coordinator):
    item = services.item_create(
        actor=member, kind="lesson", title="Back-ups", tlp=Tlp.CLEAR, communities=[community], publish=True
    )
    services.item_approve_public(actor=coordinator, item=item)
    assert item in visibility.items_visible_to(user=None)
    services.item_change_marking(actor=member, item=item, tlp=Tlp.GREEN, communities=[community])
    item.refresh_from_db()
    assert not item.public_approved
    assert item not in visibility.items_visible_to(user=None)


def test_public_approval_is_for_clear_and_for_coordinators(community, member, coordinator, shared):
    with pytest.raises(ValidationError):
        services.item_approve_public(actor=coordinator, item=shared)  # GREEN
    clear = services.item_create(
        actor=member, kind="lesson", title="x", tlp=Tlp.CLEAR, communities=[community], publish=True
    )
    with pytest.raises(PermissionDenied):
        services.item_approve_public(actor=member, item=clear)
    with pytest.raises(Http404):
        visibility.item_get_visible(user=None, item_id=clear.pk)
    services.item_approve_public(actor=coordinator, item=clear)
    assert visibility.item_get_visible(user=None, item_id=clear.pk) == clear


def test_anonymous_post_hides_the_author_from_members_but_the_log_knows(community, member, coordinator):
    colleague = MembershipFactory(organisation=member.memberships.get().organisation).user
    with pytest.raises(PermissionDenied):
        services.item_post_anonymously_for(
            actor=colleague, on_behalf_of=member, community=community, kind="incident", title="x", tlp=Tlp.AMBER
        )
    with pytest.raises(ValidationError):
        services.item_post_anonymously_for(
            actor=coordinator, on_behalf_of=UserFactory(), community=community, kind="incident", title="x",
            tlp=Tlp.AMBER,
        )
    item = services.item_post_anonymously_for(
        actor=coordinator, on_behalf_of=member, community=community, kind="incident", title="Inbraak", tlp=Tlp.AMBER
    )
    seen = visibility.item_get_visible(user=colleague, item_id=item.pk)
    assert selectors.item_author_for(user=colleague, item=seen) is None
    assert selectors.item_author_for(user=coordinator, item=seen) is None
    assert seen.author_organisation is None
    assert selectors.item_author_for(user=member, item=seen) == member
    entry = AuditLogEntry.objects.get(action="item.post_anonymously", target_id=str(item.pk))
    assert entry.actor == coordinator
    assert entry.after["on_behalf_of"] == member.pk and entry.after["posted_by"] == coordinator.pk


def test_every_item_change_is_audited(community, member):
    item = services.item_create(actor=member, kind="question", title="Vraag", tlp=Tlp.GREEN, communities=[community])
    services.item_publish(actor=member, item=item)
    actions = set(AuditLogEntry.objects.filter(target_id=str(item.pk), target_type="community.item")
                  .values_list("action", flat=True))
    assert actions == {"item.create", "item.publish"}


def test_confidential_community_hides_its_member_list_from_members(coordinator):
    secret = services.community_create(actor=coordinator, name="Geheim", slug="geheim", confidential_membership=True)
    one = CommunityMembershipFactory(community=secret)
    two = CommunityMembershipFactory(community=secret)
    assert list(visibility.community_members_visible_to(user=one.user, community=secret)) == [one]
    assert set(visibility.community_members_visible_to(user=coordinator, community=secret)) >= {one, two}
    with pytest.raises(Http404):
        visibility.community_members_visible_to(user=UserFactory(), community=secret)


def test_declared_clients_are_managed_by_the_organisation_admin(org_admin):
    client = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        services.organisation_client_add(actor=UserFactory(), organisation=org_admin.organisation, client=client)
    declared = services.organisation_client_add(actor=org_admin.user, organisation=org_admin.organisation, client=client)
    assert declared.client == client


def test_community_feed_lists_only_visible_items(community, member, shared):
    assert list(selectors.community_items_visible_to(user=member, community=community)) == [shared]
    outsider = UserFactory()
    assert list(selectors.community_items_visible_to(user=outsider, community=community)) == []
    assert visibility.item_count_visible_to(user=outsider, community=community) == 0
