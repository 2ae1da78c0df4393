"""Services: every change to an organisation goes through one function that enforces its rule
(admins only, the last admin stays, KvK is 8 digits, the municipality lies in the province, domains
are normalised) and writes an audit record with the state before and after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dtc.core.models import AuditLogEntry
from dtc.organisations import services
from dtc.organisations.models import Domain, Invitation, Membership, Municipality, Organisation
from dtc.organisations.tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def last_audit(action: str) -> AuditLogEntry:
    return AuditLogEntry.objects.filter(action=action).latest("id")


# --- organisation_create / organisation_update_profile ------------------------------------------


def test_creator_becomes_admin_and_creation_is_audited():
    user = UserFactory(verified=True)
    utrecht = MunicipalityFactory()
    organisation = services.organisation_create(
        actor=user, name=" Bakkerij Test ", kvk_number="1234 5678", sector="C", municipality=utrecht
    )
    assert organisation.name == "Bakkerij Test"
    assert organisation.kvk_number == "12345678"
    assert organisation.province == "UT"  # follows from the municipality
    assert Membership.objects.get(organisation=organisation).user == user
    assert Membership.objects.get(organisation=organisation).role == "admin"
    entry = last_audit("organisation.create")
    assert entry.actor == user
    assert entry.after["name"] == "Bakkerij Test"
    assert entry.target_id == str(organisation.pk)


@pytest.mark.parametrize("kvk", ["1234567", "123456789", "1234abcd", "12-34-56-78"])
def test_kvk_number_must_be_eight_digits(kvk):
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(actor=UserFactory(), name="X", kvk_number=kvk)
    assert "kvk_number" in exc.value.error_dict
    assert not Organisation.objects.exists()


def test_kvk_number_is_unique():
    OrganisationFactory(kvk_number="12345678")
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(actor=UserFactory(), name="X", kvk_number="12345678")
    [error] = exc.value.error_dict["kvk_number"]  # on the field, with a message that helps
    assert error.code == "kvk_taken"
    assert "uit te nodigen" in error.messages[0]


def test_municipality_must_lie_in_the_chosen_province(admin_user, organisation):
    utrecht = MunicipalityFactory()
    with pytest.raises(ValidationError) as exc:
        services.organisation_update_profile(
            actor=admin_user, organisation=organisation, name="X", province="GR", municipality=utrecht
        )
    [error] = exc.value.error_dict["municipality"]
    assert error.code == "municipality_province_mismatch"
    organisation.refresh_from_db()
    assert organisation.province != "GR"


def test_profile_update_records_before_and_after(admin_user, organisation):
    old_name = organisation.name
    services.organisation_update_profile(
        actor=admin_user,
        organisation=organisation,
        name="Nieuwe naam",
        kvk_number="87654321",
        sector="I",
        province="UT",
        municipality=MunicipalityFactory(),
        size_class="1",
    )
    organisation.refresh_from_db()
    assert (organisation.name, organisation.sector, organisation.size_class) == ("Nieuwe naam", "I", "1")
    entry = last_audit("organisation.update_profile")
    assert entry.before["name"] == old_name
    assert entry.after["name"] == "Nieuwe naam"
    assert entry.after["sector"] == "I"


def test_members_cannot_change_the_profile(member, organisation):
    with pytest.raises(PermissionDenied):
        services.organisation_update_profile(actor=member, organisation=organisation, name="Gekaapt")
    organisation.refresh_from_db()
    assert organisation.name != "Gekaapt"


# --- domains --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Voorbeeld.NL", "voorbeeld.nl"),
        ("https://www.voorbeeld.nl/contact?x=1", "www.voorbeeld.nl"),
        ("voorbeeld.nl.", "voorbeeld.nl"),
        ("http://user@shop.voorbeeld.nl:8443/", "shop.voorbeeld.nl"),
        ("  bücher.de ", "xn--bcher-kva.de"),
        ("https://Bäckerei.example/", "xn--bckerei-5wa.example"),
    ],
)
def test_domain_normalisation(raw, expected):
    assert services.domain_normalise(raw) == expected


@pytest.mark.parametrize("raw", ["", "localhost", "-bad.nl", "voor beeld.nl", "https://", "1.2.3.4"])
def test_invalid_domains_are_refused(raw):
    with pytest.raises(ValidationError):
        services.domain_normalise(raw)


def test_domain_add_and_remove_are_audited(admin_user, organisation):
    domain = services.organisation_domain_add(
        actor=admin_user, organisation=organisation, name="HTTPS://Voorbeeld.nl/"
    )
    assert domain.name == "voorbeeld.nl"
    assert last_audit("domain.add").after["name"] == "voorbeeld.nl"
    with pytest.raises(ValidationError):
        services.organisation_domain_add(actor=admin_user, organisation=organisation, name="voorbeeld.nl")
    services.organisation_domain_remove(actor=admin_user, domain=domain)
    assert not Domain.objects.exists()
    assert last_audit("domain.remove").before["name"] == "voorbeeld.nl"


def test_members_cannot_add_domains(member, organisation):
    with pytest.raises(PermissionDenied):
        services.organisation_domain_add(actor=member, organisation=organisation, name="voorbeeld.nl")


# --- products -------------------------------------------------------------------------------


def test_product_add_again_updates_version(admin_user, organisation):
    product = ProductFactory()
    use = services.organisation_product_add(
        actor=admin_user, organisation=organisation, product=product, version="1.0"
    )
    again = services.organisation_product_add(
        actor=admin_user, organisation=organisation, product=product, version=" 2.0 "
    )
    assert again.pk == use.pk
    assert again.version == "2.0"
    entry = last_audit("product_use.update")
    assert (entry.before["version"], entry.after["version"]) == ("1.0", "2.0")
    services.organisation_product_remove(actor=admin_user, organisation_product=again)
    assert not organisation.product_uses.exists()
    assert last_audit("product_use.remove").before["product_id"] == product.pk


def test_members_cannot_add_products(member, organisation):
    with pytest.raises(PermissionDenied):
        services.organisation_product_add(actor=member, organisation=organisation, product=ProductFactory())


# --- invitations ----------------------------------------------------------------------------


def test_only_admins_invite(member, organisation):
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=member, organisation=organisation, email="nieuw@voorbeeld.nl")


def test_inviting_an_existing_member_is_refused(admin_user, member, organisation):
    with pytest.raises(ValidationError) as exc:
        services.invitation_create(actor=admin_user, organisation=organisation, email=member.email.upper())
    assert exc.value.error_dict["email"][0].code == "already_member"


def test_invitation_mail_goes_out_through_the_task(
    admin_user, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            actor=admin_user, organisation=organisation, email="Nieuw@Voorbeeld.nl", role="admin"
        )
    assert invitation.email == "nieuw@voorbeeld.nl"
    [mail] = mailoutbox
    assert mail.to == ["nieuw@voorbeeld.nl"]
    assert organisation.name in mail.subject
    assert f"/mijn/uitnodiging/{invitation.token}/" in mail.body
    assert last_audit("invitation.create").after["email"] == "nieuw@voorbeeld.nl"


def test_mail_waits_for_the_commit(admin_user, organisation, mailoutbox):
    # Inside the (test) transaction nothing is sent yet; mail only follows a commit.
    services.invitation_create(actor=admin_user, organisation=organisation, email="nieuw@voorbeeld.nl")
    assert mailoutbox == []


def test_a_new_invitation_replaces_the_open_one(admin_user, organisation):
    first = services.invitation_create(actor=admin_user, organisation=organisation, email="a@voorbeeld.nl")
    second = services.invitation_create(actor=admin_user, organisation=organisation, email="a@voorbeeld.nl")
    assert list(Invitation.objects.values_list("token", flat=True)) == [second.token]
    assert first.token != second.token


def test_accept_requires_the_verified_invited_address(admin_user, organisation):
    invitation = services.invitation_create(
        actor=admin_user, organisation=organisation, email="a@voorbeeld.nl"
    )
    stranger = UserFactory(verified=True)
    with pytest.raises(ValidationError) as exc:
        services.invitation_accept(actor=stranger, token=invitation.token)
    assert exc.value.code == "invitation_email_mismatch"
    unverified = UserFactory(email="a@voorbeeld.nl")  # no verified EmailAddress
    with pytest.raises(ValidationError):
        services.invitation_accept(actor=unverified, token=invitation.token)
    assert not Membership.objects.filter(user__in=[stranger, unverified]).exists()


def test_accept_creates_the_membership_once(admin_user, organisation):
    invitation = services.invitation_create(
        actor=admin_user, organisation=organisation, email="a@voorbeeld.nl", role="admin"
    )
    invitee = UserFactory(email="a@voorbeeld.nl", verified=True)
    membership = services.invitation_accept(actor=invitee, token=invitation.token)
    assert (membership.organisation, membership.role) == (organisation, "admin")
    assert last_audit("invitation.accept").after["role"] == "admin"
    with pytest.raises(ValidationError) as exc:
        services.invitation_accept(actor=invitee, token=invitation.token)
    assert exc.value.code == "invitation_invalid"


def test_expired_invitations_cannot_be_accepted(admin_user, organisation, settings):
    invitation = services.invitation_create(
        actor=admin_user, organisation=organisation, email="a@voorbeeld.nl"
    )
    invitee = UserFactory(email="a@voorbeeld.nl", verified=True)
    later = timezone.now() + dt.timedelta(days=settings.DTC_RETENTION["invitations"] + 1)
    with pytest.raises(ValidationError) as exc:
        services.invitation_accept(actor=invitee, token=invitation.token, now=later)
    assert exc.value.code == "invitation_expired"


# --- memberships: the last admin stays ------------------------------------------------------


def test_the_last_admin_cannot_leave_or_be_removed(admin_membership, admin_user, organisation, member):
    with pytest.raises(ValidationError) as exc:
        services.membership_leave(actor=admin_user, organisation=organisation)
    assert exc.value.code == "last_admin"
    with pytest.raises(ValidationError):
        services.membership_remove(actor=admin_user, membership=admin_membership)
    with pytest.raises(ValidationError):
        services.membership_role_set(actor=admin_user, membership=admin_membership, role="member")
    assert Membership.objects.filter(pk=admin_membership.pk, role="admin").exists()


def test_an_admin_can_leave_when_another_admin_remains(admin_user, organisation, member):
    other = Membership.objects.get(user=member, organisation=organisation)
    services.membership_role_set(actor=admin_user, membership=other, role="admin")
    services.membership_leave(actor=admin_user, organisation=organisation)
    assert not Membership.objects.filter(user=admin_user).exists()
    assert last_audit("membership.leave").before["user_id"] == admin_user.pk


def test_only_admins_remove_members(admin_user, organisation, member):
    target = MembershipFactory(organisation=organisation)
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=member, membership=target)
    services.membership_remove(actor=admin_user, membership=target)
    assert not Membership.objects.filter(pk=target.pk).exists()
    assert last_audit("membership.remove").before["role"] == "member"


# --- user data: export and deletion ---------------------------------------------------------


def test_export_holds_everything_about_the_user(admin_user, organisation):
    import json

    services.organisation_domain_add(actor=admin_user, organisation=organisation, name="voorbeeld.nl")
    services.invitation_create(actor=admin_user, organisation=organisation, email="a@voorbeeld.nl")
    data = services.user_data_export(user=admin_user)
    json.dumps(data)  # JSON-serialisable
    assert data["account"]["email"] == admin_user.email
    assert data["email_addresses"] == [{"email": admin_user.email, "verified": True, "primary": True}]
    [membership] = data["memberships"]
    assert membership["role"] == "admin"
    assert membership["organisation"]["domains"] == ["voorbeeld.nl"]
    assert data["invitations_sent"][0]["email"] == "a@voorbeeld.nl"
    assert {"domain.add", "invitation.create"} <= {a["action"] for a in data["audit_log"]}


def test_user_delete_removes_orphaned_organisations_only(admin_user, organisation):
    solo = services.organisation_create(actor=admin_user, name="Eenmanszaak")
    shared_other = MembershipFactory(organisation=organisation, admin=True)
    services.organisation_domain_add(actor=admin_user, organisation=solo, name="solo.nl")
    email = admin_user.email
    counts = services.user_delete(actor=admin_user, user=admin_user)
    assert counts["organisations_deleted"] == 1
    assert not Organisation.objects.filter(pk=solo.pk).exists()
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert Membership.objects.filter(organisation=organisation).get() == shared_other
    entry = last_audit("user.delete")
    assert entry.actor is None
    # No personal data left behind in the audit log.
    for row in AuditLogEntry.objects.all():
        assert email not in f"{row.actor_label} {row.target_label} {row.before} {row.after}"


def test_users_cannot_delete_others(admin_user, member):
    with pytest.raises(PermissionDenied):
        services.user_delete(actor=member, user=admin_user)


# --- role groups and reference data ---------------------------------------------------------


def test_roles_ensure_groups_is_idempotent():
    from django.contrib.auth.models import Group

    first = services.roles_ensure_groups()
    second = services.roles_ensure_groups()
    assert first["groups_created"] == 6
    assert second["groups_created"] == 0
    assert set(Group.objects.values_list("name", flat=True)) >= {"editor", "analyst", "expert"}


def test_municipalities_load_is_idempotent_and_complete():
    from dtc.organisations.demo import MUNICIPALITIES_CSV

    first = services.municipalities_load_from_csv(MUNICIPALITIES_CSV)
    second = services.municipalities_load_from_csv(MUNICIPALITIES_CSV)
    assert first["created"] == 342
    assert second == {"created": 0, "updated": 0, "total": 342}
    assert Municipality.objects.get(code="GM0344").province == "UT"
    assert Municipality.objects.filter(province="FL").count() == 6


def test_export_holds_what_the_trust_platform_keeps_about_the_user(admin_user):
    import json

    from dtc.community.models import Comment, Expert
    from dtc.community.tests.factories import CommunityMembershipFactory, ItemFactory
    from dtc.notifications.models import NotificationPreference

    CommunityMembershipFactory(user=admin_user)
    item = ItemFactory(author=admin_user, title="Mijn melding")
    Comment.objects.create(item=item, author=admin_user, body_markdown="Mijn reactie")
    Expert.objects.create(user=admin_user, display_name="Mijn gidsnaam")
    NotificationPreference.objects.create(user=admin_user, delivery="weekly")
    services.feed_token_rotate(actor=admin_user)
    data = services.user_data_export(user=admin_user)
    json.dumps(data)
    platform = data["trust_platform"]
    assert len(platform["community_memberships"]) == 1
    assert platform["items_written"][0]["title"] == "Mijn melding"
    assert platform["comments"][0]["body_markdown"] == "Mijn reactie"
    assert platform["expert_profile"]["display_name"] == "Mijn gidsnaam"
    assert data["notifications"]["preferences"]["delivery"] == "weekly"
    assert data["feed_token"] is True
