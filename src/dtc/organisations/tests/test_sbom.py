"""SBOM import: CycloneDX (1.4–1.6) and SPDX (2.2/2.3) JSON documents become product-list previews.

Components map to catalogue products by PURL (type/namespace/name), CPE (part:vendor:product) and then
by vendor and name; a component whose PURL is not in the catalogue is never guessed by name. A file
that is too large, not JSON, not a CycloneDX or SPDX document, or malformed is refused with a Dutch
reason and nothing is stored. The SBOMs here are generated in the test, in the shapes the specs give.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dtc.organisations.models import OrganisationProduct
from dtc.organisations.product_import import ImportFileError, cpe_key, preview_build, purl_key
from dtc.organisations.sbom import SBOM_MAX_BYTES, sbom_parse
from dtc.organisations.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    return {
        "log4j": ProductFactory(
            vendor="Apache Software Foundation",
            name="Log4j",
            purl_prefix="pkg:maven/org.apache.logging.log4j/log4j-core",
        ),
        "fortios": ProductFactory(vendor="Fortinet", name="FortiOS", cpe_prefix="cpe:2.3:o:fortinet:fortios"),
        "m365": ProductFactory(vendor="Microsoft", name="Microsoft 365 Apps", aliases=["Office 365"]),
        "metasys": ProductFactory(vendor="Johnson Controls Inc", name="Metasys"),
        "openssl": ProductFactory(vendor="OpenSSL", name="OpenSSL", purl_prefix="pkg:generic/openssl"),
    }


def cyclonedx(components, spec="1.5", **extra) -> dict:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": spec,
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "components": components,
        **extra,
    }


def spdx(packages, version="SPDX-2.3") -> dict:
    return {
        "spdxVersion": version,
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "kassasysteem",
        "documentNamespace": "https://voorbeeld.nl/spdx/kassasysteem-1",
        "creationInfo": {"created": "2026-01-15T10:00:00Z", "creators": ["Tool: test"]},
        "packages": [
            {"SPDXID": f"SPDXRef-Package-{n}", "downloadLocation": "NOASSERTION", **package}
            for n, package in enumerate(packages)
        ],
    }


def dumps(document) -> bytes:
    return json.dumps(document).encode()


def preview_of(organisation, document):
    return preview_build(organisation=organisation, parsed=sbom_parse(dumps(document)))


def errors_of(content: bytes) -> list[str]:
    with pytest.raises(ImportFileError) as caught:
        sbom_parse(content)
    return caught.value.errors


def test_keys_of_purls_and_cpes():
    assert purl_key("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar") == (
        "pkg:maven/org.apache.logging.log4j/log4j-core"
    )
    assert purl_key("geen purl") == ""
    assert cpe_key("cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*") == "cpe:2.3:o:fortinet:fortios"
    assert cpe_key("cpe:/o:fortinet:fortios:7.2.5") == "cpe:2.3:o:fortinet:fortios"
    assert cpe_key("cpe:2.3:x:kapot") == ""


@pytest.mark.parametrize("spec", ["1.4", "1.5", "1.6"])
def test_cyclonedx_components_by_purl_cpe_and_name(organisation, catalogue, spec):
    document = cyclonedx(
        [
            {
                "type": "library",
                "group": "org.apache.logging.log4j",
                "name": "log4j-core",
                "version": "2.14.1",
                "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            },
            {
                "type": "operating-system",
                "name": "fortios",
                "cpe": "cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*",
                "components": [
                    # Nested; the version comes from the PURL when the component gives none.
                    {"type": "library", "name": "openssl", "purl": "pkg:generic/openssl@3.0.13"}
                ],
            },
            {"type": "application", "supplier": {"name": "Microsoft Corporation"}, "name": "Office 365"},
            {"type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"},
            # A package that happens to carry a catalogue alias as its name is not that product.
            {"type": "library", "name": "office 365", "version": "0.0.1", "purl": "pkg:npm/office-365@0.0.1"},
        ],
        spec=spec,
        metadata={
            "component": {"type": "device", "name": "Metasys", "manufacturer": {"name": "Johnson Controls"}}
        }
        if spec == "1.6"
        else {"component": {"type": "device", "name": "Metasys", "publisher": "Johnson Controls, Inc."}},
    )
    preview = preview_of(organisation, document)
    assert preview.label == f"CycloneDX {spec}"
    matched = {(row.product_id, row.matched_by, row.version) for row in preview.matched}
    assert matched == {
        (catalogue["metasys"].pk, "name", None),
        (catalogue["log4j"].pk, "purl", "2.14.1"),
        (catalogue["fortios"].pk, "cpe", "7.2.5"),
        (catalogue["openssl"].pk, "purl", "3.0.13"),
        (catalogue["m365"].pk, "alias", None),
    }
    assert [(row.row.name, row.reason) for row in preview.unmatched] == [
        ("left-pad", "Dit pakket staat niet in de catalogus."),
        ("office 365", "Dit pakket staat niet in de catalogus."),
    ]


def test_spdx_23_packages_by_purl_and_supplier(organisation, catalogue):
    document = spdx(
        [
            {
                "name": "log4j-core",
                "versionInfo": "2.17.1",
                "supplier": "Organization: Apache Software Foundation",
                "externalRefs": [
                    {
                        "referenceCategory": "PACKAGE-MANAGER",
                        "referenceType": "purl",
                        "referenceLocator": "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1",
                    }
                ],
            },
            {"name": "Metasys", "versionInfo": "12.0", "supplier": "Organization: Johnson Controls, Inc."},
            {"name": "zlib", "versionInfo": "1.3", "supplier": "NOASSERTION"},
        ]
    )
    preview = preview_of(organisation, document)
    assert preview.label == "SPDX-2.3"
    assert {(row.product_id, row.matched_by, row.version) for row in preview.matched} == {
        (catalogue["log4j"].pk, "purl", "2.17.1"),
        (catalogue["metasys"].pk, "name", "12.0"),
    }
    assert [(row.row.name, row.reason) for row in preview.unmatched] == [
        ("zlib", "Niet gevonden in de catalogus.")
    ]


def test_spdx_22_with_cpe(organisation, catalogue):
    document = spdx(
        [
            {
                "name": "FortiGate firmware",
                "versionInfo": "7.4.1",
                "externalRefs": [
                    {
                        "referenceCategory": "SECURITY",
                        "referenceType": "cpe23Type",
                        "referenceLocator": "cpe:2.3:o:fortinet:fortios:7.4.1:*:*:*:*:*:*:*",
                    }
                ],
            }
        ],
        version="SPDX-2.2",
    )
    preview = preview_of(organisation, document)
    assert [(row.product_id, row.matched_by, row.version) for row in preview.matched] == [
        (catalogue["fortios"].pk, "cpe", "7.4.1")
    ]


# --- refused files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Het bestand is leeg."),
        (b"leverancier;product\n", "Dit is geen geldig JSON-bestand (regel 1, kolom 1"),
        (b'{"bomFormat": "CycloneDX",', "Dit is geen geldig JSON-bestand"),
        (b"\xff\xfe{}", "Dit is geen JSON-bestand: het is geen UTF-8-tekst."),
        (b"[1, 2]", "Dit JSON-bestand is geen SBOM: het bevat geen object op het hoogste niveau."),
        (b"[" * 100_000 + b"]" * 100_000, "Dit JSON-bestand is te diep genest om te lezen."),
        (b'{"document": {"tracking": {}}}', "Dit JSON-bestand is geen SBOM die wij kennen."),
        (dumps(cyclonedx([], spec="1.2")), "CycloneDX-versie 1.2 wordt niet ondersteund"),
        (dumps(cyclonedx([])), "De SBOM noemt geen onderdelen"),
        (dumps(cyclonedx({"name": "x"})), "De CycloneDX-SBOM klopt niet: ‘components’ moet een lijst zijn."),
        (
            dumps(cyclonedx([{"type": "library"}])),
            "De CycloneDX-SBOM klopt niet: components[0]: ‘name’ ontbreekt",
        ),
        (
            dumps(cyclonedx([{"type": "library", "name": "a", "components": [{"name": "b", "version": 2}]}])),
            "De CycloneDX-SBOM klopt niet: components[0].components[0]: ‘version’ moet tekst zijn.",
        ),
        (
            dumps(cyclonedx([{"type": "library", "name": "a", "supplier": "Acme"}])),
            "De CycloneDX-SBOM klopt niet: components[0]: ‘supplier’ moet een object",
        ),
        (dumps(spdx([], version="SPDX-2.1")), "SPDX-versie SPDX-2.1 wordt niet ondersteund"),
        (dumps(spdx([])), "Het SPDX-bestand noemt geen pakketten"),
        (
            dumps({key: value for key, value in spdx([{"name": "a"}]).items() if key != "creationInfo"}),
            "Het SPDX-bestand klopt niet:",
        ),
        (dumps(spdx([{"name": "a"}]) | {"packages": "alles"}), "Het SPDX-bestand heeft niet de opbouw"),
    ],
)
def test_refused_files(content, message):
    assert errors_of(content)[0].startswith(message)


def test_oversized_sbom_is_refused():
    component = {"type": "library", "name": "x" * 100, "version": "1"}
    content = dumps(cyclonedx([component] * 40_000))
    assert len(content) > SBOM_MAX_BYTES
    assert errors_of(content)[0].startswith("Het bestand is te groot")


# --- pages --------------------------------------------------------------------------------------


def sbom_upload(content: bytes, name="sbom.json"):
    return {"format": "sbom", "sbom-file": SimpleUploadedFile(name, content, content_type="application/json")}


def test_upload_cyclonedx_preview_and_confirm(client, admin_user, organisation, catalogue):
    client.force_login(admin_user)
    document = cyclonedx(
        [
            {
                "type": "library",
                "name": "log4j-core",
                "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            },
            {"type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"},
        ]
    )
    response = client.post(
        reverse("organisations:products_import", args=[organisation.pk]), sbom_upload(dumps(document))
    )
    assert response.status_code == 200
    assert "CycloneDX 1.5: 2 onderdelen, waarvan 1 herkend en 1 niet herkend." in response.text
    assert "Onderdeel" in response.text
    assert "pkg:npm/left-pad@1.3.0" in response.text
    assert not OrganisationProduct.objects.exists()
    response = client.post(
        reverse("organisations:products_import_confirm", args=[organisation.pk]),
        {"token": response.context["token"]},
    )
    assert response.status_code == 302
    use = OrganisationProduct.objects.get(organisation=organisation)
    assert (use.product, use.version) == (catalogue["log4j"], "2.14.1")


def test_upload_of_wrong_type_or_size_stores_nothing(client, admin_user, organisation, catalogue):
    client.force_login(admin_user)
    page = reverse("organisations:products_import", args=[organisation.pk])
    response = client.post(page, sbom_upload(b'{"hello": "world"}'))
    assert response.status_code == 400
    assert "Dit JSON-bestand is geen SBOM die wij kennen." in response.text
    response = client.post(page, sbom_upload(b" " * (SBOM_MAX_BYTES + 1)))
    assert response.status_code == 400
    assert "Het bestand is te groot (5121 kB); hoogstens 5120 kB." in response.text
    assert not OrganisationProduct.objects.exists()
