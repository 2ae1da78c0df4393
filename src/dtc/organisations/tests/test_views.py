"""Pages of "Mijn omgeving": only members see an organisation (404 otherwise), only admins see and
use the management controls, forms re-render with a translated error and keep what the user typed,
the data export is a JSON attachment and account deletion needs the typed e-mail address."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from dtc.organisations.models import Domain, Invitation, Membership, Organisation, User
from dtc.organisations.tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"organisations:{name}", args=args)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def test_pages_need_login(client, organisation):
    response = client.get(url("detail", organisation.pk))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_dashboard_empty_state_invites_to_register(client, outsider):
    client.force_login(outsider)
    response = client.get(url("dashboard"))
    assert response.status_code == 200
    assert "nog geen organisatie" in response.text
    assert url("create") in response.text


def test_dashboard_lists_my_organisations(admin_client, organisation):
    other = MembershipFactory().organisation
    response = admin_client.get(url("dashboard"))
    assert organisation.name in response.text
    assert other.name not in response.text


def test_create_organisation(admin_client):
    utrecht = MunicipalityFactory()
    response = admin_client.post(
        url("create"),
        {
            "name": "Fietsenmaker Spaak",
            "kvk_number": "55512345",
            "sector": "G",
            "province": "UT",
            "municipality": str(utrecht.pk),
            "size_class": "1",
        },
    )
    organisation = Organisation.objects.get(name="Fietsenmaker Spaak")
    assert response.status_code == 302
    assert response["Location"] == url("detail", organisation.pk)
    assert organisation.municipality == utrecht


def test_create_form_keeps_input_on_error(admin_client):
    response = admin_client.post(
        url("create"), {"name": "Fietsenmaker Spaak", "kvk_number": "123", "sector": "G"}
    )
    assert response.status_code == 200
    assert "precies 8 cijfers" in response.text
    assert 'value="Fietsenmaker Spaak"' in response.text
    assert 'value="123"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert not Organisation.objects.filter(name="Fietsenmaker Spaak").exists()


def test_profile_municipality_outside_province_is_explained(admin_client, organisation):
    utrecht = MunicipalityFactory()
    response = admin_client.post(
        url("detail", organisation.pk),
        {"name": "Andere naam", "province": "GR", "municipality": str(utrecht.pk)},
    )
    assert response.status_code == 200
    assert "ligt niet in de provincie Groningen" in response.text
    assert 'value="Andere naam"' in response.text
    organisation.refresh_from_db()
    assert organisation.name != "Andere naam"


def test_non_members_get_404_everywhere(client, outsider, organisation):
    client.force_login(outsider)
    for name in ["detail", "domains", "products", "members"]:
        assert client.get(url(name, organisation.pk)).status_code == 404
    assert client.post(url("leave", organisation.pk)).status_code == 404
    assert client.get(url("detail", 987654)).status_code == 404


def test_members_see_no_management_controls(member_client, organisation):
    response = member_client.get(url("members", organisation.pk))
    assert response.status_code == 200
    assert "Collega uitnodigen" not in response.text
    assert "/verwijderen/" not in response.text
    profile = member_client.get(url("detail", organisation.pk))
    assert "Profiel wijzigen" not in profile.text
    assert 'name="kvk_number"' not in profile.text
    assert organisation.kvk_number in profile.text  # read-only profile instead


def test_members_cannot_invite_or_remove(member_client, organisation, admin_membership):
    response = member_client.post(
        url("members", organisation.pk), {"email": "x@voorbeeld.nl", "role": "admin"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    response = member_client.post(url("membership_remove", organisation.pk, admin_membership.pk))
    assert response.status_code == 403
    assert Membership.objects.filter(pk=admin_membership.pk).exists()
    assert member_client.post(url("detail", organisation.pk), {"name": "Gekaapt"}).status_code == 403


def test_admin_invites_and_mail_goes_out(
    admin_client, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url("members", organisation.pk), {"email": "nieuw@voorbeeld.nl", "role": "member"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert len(mailoutbox) == 1
    assert url("invitation_accept", invitation.token) in mailoutbox[0].body
    page = admin_client.get(url("members", organisation.pk))
    assert "nieuw@voorbeeld.nl" in page.text  # listed as open invitation


def test_invite_form_keeps_input_on_error(admin_client, organisation, member):
    response = admin_client.post(url("members", organisation.pk), {"email": member.email, "role": "admin"})
    assert response.status_code == 200
    assert "al lid" in response.text
    assert f'value="{member.email}"' in response.text


def test_admin_removes_member(admin_client, organisation, member):
    membership = Membership.objects.get(user=member)
    response = admin_client.post(url("membership_remove", organisation.pk, membership.pk))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_last_admin_cannot_leave_and_is_told_why(admin_client, organisation):
    response = admin_client.post(url("leave", organisation.pk), follow=True)
    assert "enige beheerder" in response.text
    assert Membership.objects.filter(organisation=organisation).exists()


def test_members_page_query_count_does_not_grow(admin_client, organisation, django_assert_max_num_queries):
    for _ in range(3):
        MembershipFactory(organisation=organisation)
    with django_assert_max_num_queries(12) as small:
        admin_client.get(url("members", organisation.pk))
    for _ in range(15):
        MembershipFactory(organisation=organisation)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = admin_client.get(url("members", organisation.pk))
    assert response.text.count("Verwijder persoon") >= 18


def test_domain_add_normalises_and_keeps_input_on_error(admin_client, organisation):
    admin_client.post(url("domains", organisation.pk), {"name": "https://WWW.Voorbeeld.nl/contact"})
    assert Domain.objects.get().name == "www.voorbeeld.nl"
    response = admin_client.post(url("domains", organisation.pk), {"name": "geen domein"})
    assert response.status_code == 200
    assert "Vul een domeinnaam in" in response.text
    assert 'value="geen domein"' in response.text


def test_product_search_by_alias_and_add_with_version(admin_client, organisation):
    office = ProductFactory(vendor="Microsoft", name="Microsoft 365 Apps", aliases=["Office 365"])
    response = admin_client.get(url("products", organisation.pk), {"q": "office 365"})
    assert "Microsoft 365 Apps" in response.text
    assert f'name="product" value="{office.pk}"' in response.text
    response = admin_client.post(
        url("products", organisation.pk) + "?q=office+365", {"product": office.pk, "version": "2408"}
    )
    assert response.status_code == 302
    assert organisation.product_uses.get().version == "2408"


def test_product_search_empty_state(admin_client, organisation):
    response = admin_client.get(url("products", organisation.pk), {"q": "bestaatniet"})
    assert "Geen producten gevonden" in response.text


def test_product_add_error_keeps_version(admin_client, organisation):
    office = ProductFactory(vendor="Microsoft", name="Office", aliases=[])
    response = admin_client.post(
        url("products", organisation.pk) + "?q=office", {"product": office.pk, "version": "x" * 101}
    )
    assert response.status_code == 200
    assert "x" * 101 in response.text
    assert not organisation.product_uses.exists()


def test_invitation_accept_flow(client, organisation, admin_user):
    from dtc.organisations import services

    invitation = services.invitation_create(
        actor=admin_user, organisation=organisation, email="a@voorbeeld.nl"
    )
    wrong = UserFactory(verified=True)
    client.force_login(wrong)
    response = client.post(url("invitation_accept", invitation.token))
    assert response.status_code == 400
    assert "ander e-mailadres" in response.text
    invitee = UserFactory(email="a@voorbeeld.nl", verified=True)
    client.force_login(invitee)
    assert "Uitnodiging aannemen" in client.get(url("invitation_accept", invitation.token)).text
    response = client.post(url("invitation_accept", invitation.token))
    assert response.status_code == 302
    assert Membership.objects.filter(user=invitee, organisation=organisation).exists()
    assert client.get(url("invitation_accept", "onbekend-token")).status_code == 404


def test_privacy_page_and_export(admin_client, admin_user, organisation):
    page = admin_client.get(url("privacy"))
    assert page.status_code == 200
    assert url("privacy_export") in page.text
    response = admin_client.get(url("privacy_export"))
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == admin_user.email
    assert data["memberships"][0]["organisation"]["name"] == organisation.name


def test_account_deletion_needs_the_typed_email(admin_client, admin_user, organisation):
    response = admin_client.post(url("account_delete"), {"email": "iemand@anders.nl"})
    assert response.status_code == 400
    assert "niet het e-mailadres van uw account" in response.text
    assert 'value="iemand@anders.nl"' in response.text
    assert User.objects.filter(pk=admin_user.pk).exists()
    response = admin_client.post(url("account_delete"), {"email": admin_user.email.upper()})
    assert response.status_code == 302
    assert not User.objects.filter(pk=admin_user.pk).exists()
    assert not Organisation.objects.filter(pk=organisation.pk).exists()  # it had no other members
    assert admin_client.get(url("dashboard")).status_code == 302  # logged out
