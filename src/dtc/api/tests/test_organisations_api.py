"""Organisation profiles over the API: members read their own organisations; another
organisation is 404 (its existence stays hidden); only the organisation's admins change the profile,
through organisations.services (validated, audit-logged); errors are JSON with messages per field."""

from __future__ import annotations

import pytest

from dtc.api.tests.conftest import token_client
from dtc.core.models import AuditLogEntry

pytestmark = pytest.mark.django_db


def url(organisation) -> str:
    return f"/api/v1/organisations/{organisation.pk}/"


def test_anonymous_gets_json_401(api, orgs):
    response = api.get("/api/v1/organisations/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_list_shows_only_own_organisations(orgs):
    response = token_client(orgs["member"]).get("/api/v1/organisations/")

    assert response.status_code == 200
    assert [item["name"] for item in response.json()["results"]] == ["Bakkerij De Korst"]


def test_own_organisation_with_domains_and_products(orgs):
    response = token_client(orgs["member"]).get(url(orgs["bakery"]))

    assert response.status_code == 200
    data = response.json()
    assert data["kvk_number"] == "12345678"
    assert data["municipality"] == {"code": "GM0344", "name": "Utrecht", "province": "UT"}
    assert data["domains"] == [{"name": "korst.nl", "verified": False, "verified_at": None}]
    assert data["products"] == [{"vendor": "Microsoft", "name": "365", "version": "2024"}]
    assert "verification_token" not in str(data)


@pytest.mark.parametrize("method", ["get", "patch"])
def test_other_organisation_is_404(orgs, method):
    response = getattr(token_client(orgs["member"]), method)(url(orgs["garage"]), {"name": "Overgenomen"},
                                                               format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_member_cannot_patch(orgs):
    response = token_client(orgs["member"]).patch(url(orgs["bakery"]), {"name": "Nieuw"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    orgs["bakery"].refresh_from_db()
    assert orgs["bakery"].name == "Bakkerij De Korst"


def test_admin_patch_changes_only_given_fields_and_is_audited(orgs, municipalities):
    response = token_client(orgs["admin"]).patch(
        url(orgs["bakery"]), {"name": "Bakkerij De Gouden Korst", "province": "OV", "municipality": "GM0193"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["name"] == "Bakkerij De Gouden Korst"
    assert data["municipality"]["name"] == "Zwolle"
    assert data["kvk_number"] == "12345678"  # left out, so unchanged
    assert data["size_class"] == "2-9"
    entry = AuditLogEntry.objects.get(action="organisation.update_profile")
    assert entry.actor == orgs["admin"]
    assert entry.before["name"] == "Bakkerij De Korst"
    assert entry.after["name"] == "Bakkerij De Gouden Korst"


def test_invalid_kvk_is_json_400_with_field_error(orgs):
    response = token_client(orgs["admin"]).patch(url(orgs["bakery"]), {"kvk_number": "1234"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == ["kvk_number"]
    assert "8 cijfers" in body["errors"]["kvk_number"][0]
    assert not AuditLogEntry.objects.filter(action="organisation.update_profile").exists()


def test_kvk_of_another_organisation_is_400_not_500(orgs):
    response = token_client(orgs["admin"]).patch(url(orgs["bakery"]), {"kvk_number": "87654321"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]  # message quality is organisations' business (see report)


def test_municipality_outside_province_is_400(orgs):
    response = token_client(orgs["admin"]).patch(url(orgs["bakery"]), {"municipality": "GM0193"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["municipality"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"sector": "Z"}, "sector"), ({"municipality": "GM9999"}, "municipality"), ({"name": ""}, "name")],
)
def test_input_errors_name_the_field(orgs, body, field):
    response = token_client(orgs["admin"]).patch(url(orgs["bakery"]), body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_malformed_json_is_json_400(orgs):
    response = token_client(orgs["admin"]).patch(url(orgs["bakery"]), "{nope", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_session_patch_without_csrf_token_is_refused(orgs):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(orgs["admin"])
    response = client.patch(url(orgs["bakery"]), {"name": "Via de browser"}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_huge_id_is_json_404_not_overflow(orgs):
    response = token_client(orgs["admin"]).get("/api/v1/organisations/99999999999999999999999/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
