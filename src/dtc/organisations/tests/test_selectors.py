"""Selectors: an organisation is reached only by its members (404 for everyone else, whether or not
it exists; 403 for members who need to be admin), and the catalogue is searchable by vendor, name
and alias, case-insensitively."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dtc.organisations import selectors, services
from dtc.organisations.tests.factories import MembershipFactory, MunicipalityFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_member_gets_the_organisation(member, organisation):
    found = selectors.organisation_get_for_member(user=member, organisation_id=organisation.pk)
    assert found == organisation
    assert found.my_role == "member"


def test_non_member_gets_404(outsider, organisation):
    with pytest.raises(Http404):
        selectors.organisation_get_for_member(user=outsider, organisation_id=organisation.pk)


def test_missing_organisation_gets_the_same_404(outsider):
    with pytest.raises(Http404):
        selectors.organisation_get_for_member(user=outsider, organisation_id=999_999)


def test_anonymous_gets_404(organisation):
    with pytest.raises(Http404):
        selectors.organisation_get_for_member(user=AnonymousUser(), organisation_id=organisation.pk)


def test_admin_selector(admin_user, member, outsider, organisation):
    assert (
        selectors.organisation_get_for_admin(user=admin_user, organisation_id=organisation.pk) == organisation
    )
    with pytest.raises(PermissionDenied):
        selectors.organisation_get_for_admin(user=member, organisation_id=organisation.pk)
    with pytest.raises(Http404):
        selectors.organisation_get_for_admin(user=outsider, organisation_id=organisation.pk)


def test_organisations_for_user_lists_only_own_with_role(admin_user, organisation):
    MembershipFactory()  # someone else's organisation
    second = MembershipFactory(user=admin_user).organisation
    MembershipFactory(organisation=second)
    rows = {o.pk: (o.my_role, o.member_count) for o in selectors.organisations_for_user(user=admin_user)}
    assert rows == {organisation.pk: ("admin", 1), second.pk: ("member", 2)}


def test_catalogue_search_by_alias_vendor_and_name():
    office = ProductFactory(vendor="Microsoft", name="Microsoft 365 Apps", aliases=["Office 365", "M365"])
    ProductFactory(vendor="Google", name="Workspace", aliases=["G Suite"])
    assert list(selectors.product_catalogue_search(query="office 365")) == [office]
    assert list(selectors.product_catalogue_search(query="M365")) == [office]
    assert list(selectors.product_catalogue_search(query="MICROSOFT apps")) == [office]
    assert list(selectors.product_catalogue_search(query="  ")) == []
    assert list(selectors.product_catalogue_search(query="oracle")) == []


def test_catalogue_search_limit():
    for _ in range(5):
        ProductFactory(vendor="Acme")
    assert len(selectors.product_catalogue_search(query="acme", limit=3)) == 3


def test_catalogue_load_keeps_search_text_filled(tmp_path):
    csv_file = tmp_path / "p.csv"
    csv_file.write_text(
        "vendor,product,category,aliases,cpe_prefix,purl_prefix\n"
        "Adobe,Commerce,Webwinkel,Magento;Magento 2,cpe:2.3:a:adobe:commerce,\n",
        encoding="utf-8",
    )
    assert services.catalogue_load_from_csv(csv_file)["created"] == 1
    assert services.catalogue_load_from_csv(csv_file) == {"created": 0, "updated": 0, "total": 1}
    [product] = selectors.product_catalogue_search(query="magento")
    assert product.search_text == "adobe commerce magento magento 2"


def test_shipped_catalogue_loads_and_finds_common_products():
    from dtc.organisations.demo import CATALOGUE_CSV

    counts = services.catalogue_load_from_csv(CATALOGUE_CSV)
    assert counts["total"] >= 80
    assert [p.name for p in selectors.product_catalogue_search(query="fortigate")] == ["FortiOS"]
    assert selectors.product_catalogue_search(query="log4j")[0].purl_prefix.startswith("pkg:maven/")


def test_municipalities_for_province():
    MunicipalityFactory()
    MunicipalityFactory(code="GM0014", name="Groningen", province="GR")
    assert [m.name for m in selectors.municipalities_for_province(province="GR")] == ["Groningen"]
