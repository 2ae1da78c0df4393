"""One set of catalogue keys (`dtc.organisations.catalogue`) for advisories and product lists.

The advisories' intake (review-queue keys, aliases added there) and the organisations' CSV/SBOM import
must turn the same messy name into the same key, or an alias made on one side would not match on the
other. Both modules keep their old names as thin re-exports of the catalogue's rules.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from dtc.advisories import intake, services
from dtc.advisories.tests.factories import AdvisoryProductFactory
from dtc.organisations import catalogue, product_import
from dtc.organisations.models import ProductAlias, Role
from dtc.organisations.product_import import Catalogue, ImportRow, csv_parse, preview_build
from dtc.organisations.tests.factories import ProductFactory, UserFactory

MESSY_NAMES = [
    ("Johnson Controls Inc", "johnson controls"),
    ("Johnson Controls, Inc.", "johnson controls"),
    ("JOHNSON CONTROLS INCORPORATED", "johnson controls"),
    ("Rockwell Automation ", "rockwell automation"),
    ("rockwell  automation", "rockwell automation"),
    ("Schneider Electric Software, LLC", "schneider electric software"),
    ("Schneider Electric SE", "schneider electric"),
    ("Node.js", "node js"),
    ("node.js", "node js"),
    ("NODE.JS ", "node js"),
    ("Microsoft Corporation", "microsoft"),
    ("Microsoft Corp.", "microsoft"),
    ("SAP SE", "sap"),
    ("Siemens AG", "siemens"),
    ("Bücher GmbH", "bucher"),
    ("Société Générale S.A.", "societe generale"),
    ("Škoda Auto a.s.", "skoda auto"),
    ("Acme B.V.", "acme"),
    ("ACME BV", "acme"),
    ("Acme S.p.A.", "acme"),
    ("Acme A/S", "acme"),
    ("Acme Pty. Ltd.", "acme"),
    ("Acme GmbH & Co. KG", "acme"),
    ("Acme Holding B.V.B.A.", "acme holding"),
    ("NI-PAL", "ni pal"),
    ("Co", "co"),  # a name made only of a legal form keeps it
    ("Inc.", "inc"),
    ("", ""),
]


@pytest.mark.parametrize(("messy", "expected"), MESSY_NAMES)
def test_both_sides_normalise_a_name_alike(messy, expected):
    assert catalogue.normalise(messy) == expected
    assert intake.normalise(messy) == expected
    assert product_import.normalise(messy) == expected
    assert product_import.normalise_vendor(messy) == expected


@pytest.mark.parametrize("vendor", [messy for messy, _expected in MESSY_NAMES])
@pytest.mark.parametrize("name", ["Node.js", "Metasys ADS", "Microsoft Edge", "1756-EN2T Series A", ""])
def test_both_sides_give_the_same_product_key(vendor, name):
    assert intake.match_key(vendor, name) == product_import.product_key(vendor, name)
    assert intake.match_key(vendor, name) == catalogue.product_key(vendor, name)


def test_product_key_does_not_repeat_the_vendor():
    assert catalogue.product_key("Microsoft Corporation", "Microsoft Edge") == "microsoft edge"
    assert catalogue.product_key("Microsoft", "Edge") == "microsoft edge"
    assert catalogue.product_key("Johnson Controls, Inc.", "Metasys ADS") == "johnson controls metasys ads"
    assert catalogue.product_key("OpenJS Foundation", "Node.js") == "openjs foundation node js"
    assert catalogue.product_key("", "NI-PAL") == "ni pal"
    assert catalogue.product_key("SAP SE", "") == "sap"


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*", "cpe:2.3:o:fortinet:fortios"),
        ("CPE:/o:Fortinet:FortiOS:7.2.5", "cpe:2.3:o:fortinet:fortios"),
        ("cpe:2.3:a::fortios:7.2.5", ""),
        ("cpe:2.3:x:kapot", ""),
        ("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", ""),
    ],
)
def test_both_sides_give_the_same_cpe_key(identifier, expected):
    assert catalogue.cpe_key(identifier) == expected
    assert intake._cpe_key(identifier) == product_import.cpe_key(identifier) == expected


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        (
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar",
            "pkg:maven/org.apache.logging.log4j/log4j-core",
        ),
        ("pkg:npm/%40angular/core@17.0.0", "pkg:npm/@angular/core"),
        ("pkg:generic/openssl@3.0.13", "pkg:generic/openssl"),
        ("geen purl", ""),
        ("", ""),
    ],
)
def test_both_sides_give_the_same_purl_key(identifier, expected):
    assert catalogue.purl_key(identifier) == expected
    assert intake._purl_key(identifier) == product_import.purl_key(identifier) == expected


# --- an alias made on one side matches on the other ---------------------------------------------


@pytest.fixture
def analyst(db):
    user = UserFactory(verified=True)
    user.groups.add(Group.objects.get_or_create(name=Role.ANALYST.value)[0])
    return user


@pytest.mark.django_db
def test_review_queue_alias_is_found_by_the_product_import(analyst, organisation):
    node = ProductFactory(vendor="OpenJS", name="Node")
    key = intake.match_key("OpenJS Foundation", "Node.js")
    AdvisoryProductFactory(
        catalogue_product=None,
        vendor="OpenJS Foundation",
        product_name="Node.js",
        match_key=key,
        matched_by="",
    )
    services.alias_add(match_key=key, product=node, actor=analyst)
    assert ProductAlias.objects.filter(product=node, alias="openjs foundation node js").exists()

    preview = preview_build(
        organisation=organisation,
        parsed=csv_parse(b'leverancier;product;versie\n"OpenJS Foundation, Inc.";node.js;20.11.0\n'),
    )
    assert [(row.product_id, row.matched_by) for row in preview.matched] == [(node.pk, "alias")]
    sbom_row = ImportRow(
        line=1, vendor="OpenJS Foundation", name="Node.js", version="20.11.0", purl="pkg:generic/node@20.11.0"
    )
    assert Catalogue.load().match(sbom_row) == (node.pk, "alias", "")


@pytest.mark.django_db
def test_catalogue_alias_is_found_by_the_advisory_intake():
    node = ProductFactory(vendor="OpenJS", name="Node", aliases=["Node.js"])
    found = intake._Catalogue().match(vendor="", product_name="node.js", cpe="", purl="")
    assert found == (node.pk, "alias")
    row = ImportRow(line=1, vendor="", name="NODE.JS")
    assert Catalogue.load().match(row) == (node.pk, "alias", "")
