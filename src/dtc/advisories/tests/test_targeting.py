"""The audience of an advisory revision: organisations whose products (through the catalogue: alias,
CPE, PURL) are affected, minus only those whose version lies certainly outside every affected range;
narrowed by sector, province and size; written in one statement, once per (advisory, revision,
organisation); never for an advisory that is not TLP:CLEAR."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dtc.advisories import targeting
from dtc.advisories.intake import products_map
from dtc.advisories.models import Alert, Delivery, VersionVerdict
from dtc.advisories.tests.factories import (
    AdvisoryFactory,
    AdvisoryProductFactory,
    AdvisoryRevisionFactory,
    MessageFactory,
)
from dtc.advisories.versions import range_from_product
from dtc.organisations.models import OrganisationProduct
from dtc.organisations.tests.factories import MembershipFactory, OrganisationFactory, ProductFactory

pytestmark = pytest.mark.django_db


def vers(text: str) -> str:
    """The canonical range intake would store for a CSAF product_version_range."""
    parsed = range_from_product(text, True)
    assert parsed is not None, text
    return parsed.vers


def uses(product, version: str = "", **org_fields):
    organisation = OrganisationFactory(**org_fields)
    OrganisationProduct.objects.create(organisation=organisation, product=product, version=version)
    return organisation


def alerted(revision) -> set[int]:
    return set(Alert.objects.filter(revision=revision).values_list("organisation_id", flat=True))


@pytest.fixture
def revision():
    return AdvisoryRevisionFactory()


@pytest.fixture
def message(revision):
    return MessageFactory(advisory=revision.advisory)


def test_alias_cpe_and_purl_mapped_products_reach_their_organisations(revision, message):
    by_alias = ProductFactory(
        vendor="Johnson Controls", name="Metasys", aliases=["Johnson Controls, Inc. Metasys"]
    )
    by_cpe = ProductFactory(
        vendor="Siemens", name="SIMATIC S7-1500", cpe_prefix="cpe:2.3:h:siemens:simatic_s7-1500"
    )
    by_purl = ProductFactory(vendor="Python", name="Requests", purl_prefix="pkg:pypi/requests")
    unrelated = ProductFactory()
    AdvisoryProductFactory(
        revision=revision, catalogue_product=None, vendor="Johnson Controls, Inc.", product_name="Metasys"
    )
    AdvisoryProductFactory(
        revision=revision,
        catalogue_product=None,
        vendor="Siemens AG",
        product_name="S7-1500 CPU family",
        cpe="cpe:2.3:h:siemens:simatic_s7-1500:*:*:*:*:*:*:*:*",
    )
    AdvisoryProductFactory(
        revision=revision,
        catalogue_product=None,
        vendor="PSF",
        product_name="requests library",
        purl="pkg:pypi/requests@2.31.0",
    )
    assert products_map(revision) == 3
    alias_org, cpe_org, purl_org = uses(by_alias), uses(by_cpe), uses(by_purl)
    bystander = uses(unrelated)

    assert targeting.alerts_write(message=message, revision=revision) == 3
    assert alerted(revision) == {alias_org.pk, cpe_org.pk, purl_org.pk}
    assert bystander.pk not in alerted(revision)


def test_version_inside_gets_an_alert_outside_none_unknown_always(revision, message):
    product = ProductFactory()
    AdvisoryProductFactory(revision=revision, catalogue_product=product, vers=vers("<2.0.0"))
    inside = uses(product, "1.5.2")
    outside = uses(product, "2.1")
    boundary = uses(product, "2.0.0")
    no_version = uses(product, "")
    odd_version = uses(product, "build van vorige week")

    targeting.alerts_write(message=message, revision=revision)

    assert alerted(revision) == {inside.pk, no_version.pk, odd_version.pk}
    assert {outside.pk, boundary.pk}.isdisjoint(alerted(revision))
    # Only certain verdicts are stored; the unreadable version is never stored as "not affected".
    stored = dict(VersionVerdict.objects.filter(revision=revision).values_list("version", "affected"))
    assert stored == {"1.5.2": True, "2.1": False, "2.0.0": False}


def test_unreadable_or_unknown_range_excludes_no_one(revision, message):
    free_text = ProductFactory()
    unknown = ProductFactory()
    AdvisoryProductFactory(revision=revision, catalogue_product=free_text, version_text="<8/30/2024", vers="")
    AdvisoryProductFactory(revision=revision, catalogue_product=unknown, vers="vers:unknown/*")
    orgs = {uses(free_text, "9.9").pk, uses(unknown, "1.01").pk, uses(unknown, "").pk}

    targeting.alerts_write(message=message, revision=revision)

    assert alerted(revision) == orgs


def test_any_affected_range_of_a_product_counts_and_exact_versions_match_exactly(revision, message):
    product = ProductFactory()
    exact = ProductFactory()
    AdvisoryProductFactory(revision=revision, catalogue_product=product, vers=vers("<2.0"))
    AdvisoryProductFactory(revision=revision, catalogue_product=product, vers=vers(">=5.0|<6.0"))
    AdvisoryProductFactory(
        revision=revision, catalogue_product=exact, vers=range_from_product("1.01", False).vers
    )
    in_second = uses(product, "5.5")
    between = uses(product, "3.0")
    exact_hit = uses(exact, "1.01")
    exact_miss = uses(exact, "1.02")

    targeting.alerts_write(message=message, revision=revision)

    assert alerted(revision) == {in_second.pk, exact_hit.pk}
    assert {between.pk, exact_miss.pk}.isdisjoint(alerted(revision))


@pytest.mark.parametrize(
    ("narrowing", "expected"),
    [
        ({"sectors": ["C"]}, {"c_ut_small", "c_nh_large"}),
        ({"provinces": ["UT"]}, {"c_ut_small", "g_ut_large"}),
        ({"size_classes": ["250+"]}, {"c_nh_large", "g_ut_large"}),
        ({"sectors": ["C"], "provinces": ["UT"], "size_classes": ["2-9"]}, {"c_ut_small"}),
        ({"sectors": ["Q"]}, set()),
        ({}, {"c_ut_small", "c_nh_large", "g_ut_large"}),
    ],
)
def test_sector_province_and_size_narrow_the_audience(revision, narrowing, expected):
    product = ProductFactory()
    AdvisoryProductFactory(revision=revision, catalogue_product=product)
    orgs = {
        "c_ut_small": uses(product, sector="C", province="UT", size_class="2-9"),
        "c_nh_large": uses(product, sector="C", province="NH", size_class="250+"),
        "g_ut_large": uses(product, sector="G", province="UT", size_class="250+"),
    }
    message = MessageFactory(advisory=revision.advisory, **narrowing)

    assert targeting.audience_count(message=message, revision=revision) == len(expected)
    assert targeting.alerts_write(message=message, revision=revision) == len(expected)
    assert alerted(revision) == {orgs[name].pk for name in expected}


def test_one_statement_writes_the_whole_audience_and_running_again_inserts_nothing(revision, message):
    product = ProductFactory()
    other = ProductFactory()
    AdvisoryProductFactory(revision=revision, catalogue_product=product)
    AdvisoryProductFactory(revision=revision, catalogue_product=other)
    organisations = [uses(product, f"1.{n}") for n in range(25)]
    both = organisations[0]
    OrganisationProduct.objects.create(organisation=both, product=other)  # two products, one alert

    with CaptureQueriesContext(connection) as queries:
        assert targeting.alerts_write(message=message, revision=revision) == 25
    alert_inserts = [
        q
        for q in queries.captured_queries
        if q["sql"].lstrip().startswith(f"INSERT INTO {Alert._meta.db_table} ")
    ]
    assert len(alert_inserts) == 1

    assert targeting.alerts_write(message=message, revision=revision) == 0
    assert Alert.objects.filter(revision=revision).count() == 25
    message.refresh_from_db()
    assert message.published_revision == revision


def test_a_significant_new_revision_writes_new_alerts(revision, message):
    product = ProductFactory()
    added = ProductFactory()
    AdvisoryProductFactory(revision=revision, catalogue_product=product)
    first = uses(product, "1.0")
    newcomer = uses(added, "3.0")
    assert targeting.alerts_write(message=message, revision=revision) == 1

    second = AdvisoryRevisionFactory(advisory=revision.advisory, version="2.00", changes=["new_products"])
    AdvisoryProductFactory(revision=second, catalogue_product=product)
    AdvisoryProductFactory(revision=second, catalogue_product=added)

    assert targeting.alerts_write(message=message, revision=second) == 2
    assert alerted(second) == {first.pk, newcomer.pk}
    assert Alert.objects.filter(advisory=revision.advisory).count() == 3
    message.refresh_from_db()
    assert message.published_revision == second


def test_advisories_other_than_tlp_clear_are_refused_and_write_nothing():
    revision = AdvisoryRevisionFactory(advisory=AdvisoryFactory(amber=True))
    product = ProductFactory()
    AdvisoryProductFactory(revision=revision, catalogue_product=product)
    uses(product)
    message = MessageFactory(advisory=revision.advisory)

    with pytest.raises(ValidationError) as refused:
        targeting.alerts_write(message=message, revision=revision)
    assert "TLP:CLEAR" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        targeting.audience_count(message=message, revision=revision)
    assert not Alert.objects.exists()
    message.refresh_from_db()
    assert message.published_revision is None


def test_a_revision_of_another_advisory_is_refused(revision, message):
    stranger = AdvisoryRevisionFactory()
    with pytest.raises(ValidationError):
        targeting.alerts_write(message=message, revision=stranger)
    assert not Alert.objects.exists()


def test_writing_alerts_plans_their_delivery_after_commit(
    revision, message, django_capture_on_commit_callbacks
):
    product = ProductFactory()
    AdvisoryProductFactory(revision=revision, catalogue_product=product)
    membership = MembershipFactory()
    OrganisationProduct.objects.create(organisation=membership.organisation, product=product)
    message.status = message.Status.PUBLISHED
    message.save()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        targeting.alerts_write(message=message, revision=revision)
    assert not Delivery.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    # Normal urgency, no settings: the default is the daily overview.
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.user_id) == ("digest", membership.user_id)


def test_does_this_concern_me_answers_from_the_organisations_products(revision, message):
    ranged = ProductFactory(vendor="Fortinet", name="FortiOS")
    unknown = ProductFactory(vendor="Zyxel", name="USG Flex")
    AdvisoryProductFactory(revision=revision, catalogue_product=ranged, vers=vers("<7.2.5"))
    AdvisoryProductFactory(revision=revision, catalogue_product=ranged, fixed=True, version_text="7.2.5")
    AdvisoryProductFactory(revision=revision, catalogue_product=unknown, vers="")
    organisation = uses(ranged, "7.2.4")
    OrganisationProduct.objects.create(organisation=organisation, product=unknown, version="")
    safe = uses(ranged, "7.4.0")
    targeting.alerts_write(message=message, revision=revision)
    alert = Alert.objects.get(organisation=organisation)

    concern = targeting.revision_concern(alert=alert)

    assert concern["verdict"] == "affected"
    assert [(e["product"].name, e["version"], e["verdict"], e["fixed"]) for e in concern["products"]] == [
        ("FortiOS", "7.2.4", "affected", "7.2.5"),
        ("USG Flex", "", "unknown", ""),
    ]
    # A version changed after publishing is judged anew.
    OrganisationProduct.objects.filter(organisation=organisation, product=ranged).update(version="7.2.6")
    OrganisationProduct.objects.filter(organisation=organisation, product=unknown).delete()
    assert targeting.revision_concern(alert=alert)["verdict"] == "not_affected"
    assert not Alert.objects.filter(organisation=safe).exists()
