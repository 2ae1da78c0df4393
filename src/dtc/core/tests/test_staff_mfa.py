"""Staff must use a second factor: without an activated authenticator they cannot open the Wagtail
CMS or the Django admin, and are sent to set one up; with one they get in. Business users are not
affected, and the back-office logins go through allauth's rate-limited login."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from dtc.organisations.models import User


@pytest.fixture
def staff(db):
    return User.objects.create_user(email="redacteur@example.org", password="x", is_staff=True, is_superuser=True)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/cms/", "/beheer/"])
def test_staff_without_mfa_is_sent_to_mfa_setup(client, staff, path):
    client.force_login(staff)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/account/2fa/totp/activate/"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/cms/", "/beheer/"])
def test_staff_with_mfa_gets_into_the_back_office(client, staff, path):
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(staff)
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_recovery_codes_alone_do_not_count_as_a_second_factor(client, staff):
    Authenticator.objects.create(user=staff, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"})
    client.force_login(staff)
    assert client.get("/cms/").status_code == 302


@pytest.mark.django_db
def test_business_users_are_not_asked_for_mfa_on_their_own_pages(client):
    user = User.objects.create_user(email="ondernemer@example.org", password="x")
    client.force_login(user)
    assert client.get("/mijn/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "expected"), [
    ("/beheer/login/?next=/beheer/", "/account/login/?next=/beheer/"),
])
def test_back_office_login_goes_through_allauth(client, path, expected):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == expected


@pytest.mark.django_db
def test_cms_login_redirects_to_allauth(client):
    response = client.get("/cms/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


@pytest.mark.django_db
def test_editors_let_in_by_wagtail_group_permission_also_need_mfa(client):
    from django.contrib.auth.models import Group, Permission

    editors = Group.objects.create(name="Redactie-test")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    editor = User.objects.create_user(email="editor@example.org", password="x")
    editor.groups.add(editors)
    client.force_login(editor)
    response = client.get("/cms/")
    assert response.status_code == 302
    assert response["Location"] == "/account/2fa/totp/activate/"
