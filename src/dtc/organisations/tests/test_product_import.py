"""Businesses keep their product list current: CSV import, and the "is this still right?" prompt.

A CSV file is read whole or refused whole (a Dutch error per bad line, nothing stored); each row is
matched to the catalogue by exact name, alias or normalised name, and the admin sees matched and
unmatched rows before confirming. Confirming adds or updates the list in one transaction. Only admins
import and confirm; members see the list and when it was last confirmed. The dashboard asks admins to
check a list never confirmed or confirmed longer ago than DTC_PRODUCTS_CONFIRM_DAYS.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dtc.advisories.models import AlertSettings
from dtc.core.models import AuditLogEntry
from dtc.organisations import selectors, services
from dtc.organisations.models import OrganisationProduct
from dtc.organisations.product_import import (
    ImportFileError,
    csv_parse,
    normalise_vendor,
    preview_build,
    product_key,
)
from dtc.organisations.tests.factories import MembershipFactory, OrganisationFactory, ProductFactory
from dtc.organisations.views import IMPORT_SESSION_KEY

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"organisations:{name}", args=args)


@pytest.fixture
def catalogue(db):
    return {
        "m365": ProductFactory(
            vendor="Microsoft",
            name="Microsoft 365 Apps",
            aliases=["Office 365"],
            cpe_prefix="cpe:2.3:a:microsoft:365_apps",
        ),
        "metasys": ProductFactory(vendor="Johnson Controls Inc", name="Metasys"),
        "fortios": ProductFactory(vendor="Fortinet", name="FortiOS", cpe_prefix="cpe:2.3:o:fortinet:fortios"),
        "acme": ProductFactory(vendor="Acme", name="Kassa"),
        "acme_bv": ProductFactory(vendor="Acme B.V.", name="Kassa"),
    }


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def preview_of(organisation, content: bytes):
    return preview_build(organisation=organisation, parsed=csv_parse(content))


def errors_of(content: bytes) -> list[str]:
    with pytest.raises(ImportFileError) as caught:
        csv_parse(content)
    return caught.value.errors


# --- normalisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Johnson Controls Inc", "Johnson Controls, Inc."),
        ("Rockwell Automation ", "rockwell automation"),
        ("Siemens AG", "SIEMENS"),
        ("Acme B.V.", "ACME BV"),
        ("Bücher GmbH", "Bucher"),
    ],
)
def test_vendor_names_normalise_alike(left, right):
    assert normalise_vendor(left) == normalise_vendor(right)


def test_product_key_does_not_repeat_the_vendor():
    assert product_key("Microsoft", "Microsoft 365 Apps") == product_key("Microsoft Corporation", "365 Apps")
    assert product_key("Co", "Co") == "co"  # a vendor made only of a "legal form" keeps its name


# --- CSV: reading -----------------------------------------------------------------------------


def test_csv_with_commas_matches_exact_alias_and_normalised(organisation, catalogue):
    preview = preview_of(
        organisation,
        b"vendor,product,version\n"
        b"Microsoft,Microsoft 365 Apps,2302\n"
        b'"Johnson Controls, Inc.",metasys,12.0\n'
        b"Fortinet,FortiOS,7.2.5\n"
        b"Onbekend BV,Ding,1\n",
    )
    matched = {row.row.line: (row.product_id, row.matched_by, row.version) for row in preview.matched}
    assert matched == {
        2: (catalogue["m365"].pk, "exact", "2302"),
        3: (catalogue["metasys"].pk, "name", "12.0"),
        4: (catalogue["fortios"].pk, "exact", "7.2.5"),
    }
    assert [(row.row.line, row.reason) for row in preview.unmatched] == [
        (5, "Niet gevonden in de catalogus.")
    ]
    assert preview.counts["add"] == 3


def test_csv_with_semicolons_bom_dutch_header_and_crlf(organisation, catalogue):
    content = "leverancier;product;versie\r\nMicrosoft;Office 365;\r\n\r\nFortinet;FortiOS;7.4.1\r\n"
    preview = preview_of(organisation, b"\xef\xbb\xbf" + content.encode())
    assert [(row.product_id, row.matched_by) for row in preview.matched] == [
        (catalogue["m365"].pk, "alias"),
        (catalogue["fortios"].pk, "exact"),
    ]
    # An empty version means "not given": confirming keeps whatever version is listed already.
    assert preview.items == [(catalogue["m365"].pk, None), (catalogue["fortios"].pk, "7.4.1")]


def test_csv_version_column_is_optional_and_extra_columns_are_ignored(organisation, catalogue):
    preview = preview_of(organisation, b"Leverancier;Product;Afdeling\nFortinet;FortiOS;ICT\n")
    assert preview.items == [(catalogue["fortios"].pk, None)]


def test_alias_of_another_vendor_does_not_match(organisation, catalogue):
    preview = preview_of(organisation, b"leverancier;product\nAcme;Office 365\n")
    assert preview.matched == []
    assert preview.unmatched[0].reason == "Niet gevonden in de catalogus."


def test_two_products_fitting_one_row_are_not_guessed(organisation, catalogue):
    preview = preview_of(organisation, b"leverancier;product\nACME b.v.;kassa\n")
    # "Acme B.V." is an exact match; "ACME" matches both after normalisation.
    assert [row.product_id for row in preview.matched] == [catalogue["acme_bv"].pk]
    preview = preview_of(organisation, b"leverancier;product\nAcme Inc;Kassa\n")
    assert preview.matched == []
    assert "Meerdere producten passen: Acme B.V. Kassa, Acme Kassa" in preview.unmatched[0].reason


def test_one_product_on_several_rows_is_written_once(organisation, catalogue):
    preview = preview_of(
        organisation,
        b"leverancier;product;versie\nFortinet;FortiOS;7.2.5\nFortinet;FortiOS;7.4.1\nMicrosoft;Office 365;1\n"
        b"Microsoft;Microsoft 365 Apps;1\n",
    )
    assert dict(preview.items) == {catalogue["fortios"].pk: "", catalogue["m365"].pk: "1"}
    fortios = [row for row in preview.matched if row.product_id == catalogue["fortios"].pk]
    assert "Meerdere versies in het bestand (7.2.5, 7.4.1)" in fortios[0].reason
    assert fortios[1].reason == "Hetzelfde product als regel 2."


def test_preview_compares_with_the_current_list(organisation, catalogue):
    OrganisationProduct.objects.create(organisation=organisation, product=catalogue["fortios"], version="7.0")
    OrganisationProduct.objects.create(organisation=organisation, product=catalogue["metasys"], version="12")
    preview = preview_of(
        organisation, b"leverancier;product;versie\nFortinet;FortiOS;7.2\nJohnson Controls;Metasys;\n"
    )
    assert [(row.action, row.current_version) for row in preview.matched] == [
        ("update", "7.0"),
        ("unchanged", "12"),
    ]


def test_preview_reads_the_catalogue_in_a_fixed_number_of_queries(
    organisation, catalogue, django_assert_num_queries
):
    rows = b"".join(b"Fortinet;FortiOS;%d\nOnbekend;Ding %d;\n" % (n, n) for n in range(200))
    parsed = csv_parse(b"leverancier;product;versie\n" + rows)
    with django_assert_num_queries(3):
        preview_build(organisation=organisation, parsed=parsed)


# --- CSV: refused files -------------------------------------------------------------------------


def test_malformed_lines_are_all_listed():
    errors = errors_of(
        b"leverancier;product;versie\n"
        b"Microsoft;Office 365;1\n"
        b"Microsoft;Office;365;2016\n"
        b"Fortinet;;7\n" + b"Fortinet;FortiOS;" + b"9" * 101 + b"\n"
    )
    assert errors == [
        "Regel 3: 4 kolommen, de kopregel heeft er 3. Staat er een ‘;’ in een naam? Zet die naam dan tussen "
        "aanhalingstekens.",
        "Regel 4: de productnaam ontbreekt.",
        "Regel 5: de versie is langer dan 100 tekens.",
    ]


def test_not_utf8_names_the_line():
    errors = errors_of("leverancier;product\nMicrosoft;Office\nCafé;Kassa\n".encode("latin-1"))
    assert errors[0].startswith("Regel 3: dit is geen UTF-8-tekst.")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Het bestand is leeg."),
        (b"  \n\n", "Het bestand is leeg."),
        (b"leverancier;product;versie\n", "Het bestand bevat geen producten, alleen een kopregel."),
        (b"Microsoft;Office;2016\n", "Regel 1 (de kopregel) mist de kolom(men) ‘leverancier’, ‘product’."),
        (b"leverancier;naam\nMicrosoft;Office\n", "Regel 1 (de kopregel) mist de kolom(men) ‘product’."),
        (
            b'leverancier;product\n"Microsoft;Office\n',
            "Regel 2: het bestand is hier geen geldige CSV. Controleer de aanhalingstekens",
        ),
    ],
)
def test_refused_files(content, message):
    assert errors_of(content)[0].startswith(message)


def test_oversized_csv_is_refused():
    content = b"leverancier;product\n" + b"Fortinet;FortiOS\n" * 70_000
    assert len(content) > 1024 * 1024
    assert errors_of(content)[0].startswith("Het bestand is te groot")


def test_error_list_is_capped():
    content = b"leverancier;product\n" + b"a;b;c\n" * 40
    errors = errors_of(content)
    assert len(errors) == 26
    assert errors[-1] == "En nog 15 fouten."


# --- services -----------------------------------------------------------------------------------


def test_import_adds_updates_and_keeps_versions(admin_user, organisation, catalogue):
    OrganisationProduct.objects.create(organisation=organisation, product=catalogue["fortios"], version="7.0")
    OrganisationProduct.objects.create(organisation=organisation, product=catalogue["metasys"], version="12")
    OrganisationProduct.objects.create(organisation=organisation, product=catalogue["acme"], version="3")
    counts = services.organisation_products_import(
        actor=admin_user,
        organisation=organisation,
        items=[
            (catalogue["m365"].pk, "2302"),
            (catalogue["fortios"].pk, "7.2.5"),
            (catalogue["metasys"].pk, None),
        ],
        source="csv",
    )
    assert counts == {"added": 1, "updated": 1, "unchanged": 1}
    versions = dict(
        OrganisationProduct.objects.filter(organisation=organisation).values_list("product__name", "version")
    )
    # Products not in the file stay on the list; None keeps the listed version.
    assert versions == {"Microsoft 365 Apps": "2302", "FortiOS": "7.2.5", "Metasys": "12", "Kassa": "3"}
    entry = AuditLogEntry.objects.get(action="product_use.import")
    assert entry.after["added_product_ids"] == [catalogue["m365"].pk]
    assert entry.after["source"] == "csv"


def test_import_is_all_or_nothing(admin_user, organisation, catalogue):
    with pytest.raises(ValidationError):
        services.organisation_products_import(
            actor=admin_user,
            organisation=organisation,
            items=[(catalogue["m365"].pk, "1"), (999_999, "1")],
            source="csv",
        )
    with pytest.raises(ValidationError):
        services.organisation_products_import(
            actor=admin_user,
            organisation=organisation,
            items=[(catalogue["m365"].pk, "1"), (catalogue["fortios"].pk, "x" * 101)],
            source="csv",
        )
    assert not OrganisationProduct.objects.exists()
    assert not AuditLogEntry.objects.filter(action="product_use.import").exists()


def test_members_cannot_import_or_confirm(member, organisation, catalogue):
    with pytest.raises(PermissionDenied):
        services.organisation_products_import(
            actor=member, organisation=organisation, items=[(catalogue["m365"].pk, "1")], source="csv"
        )
    with pytest.raises(PermissionDenied):
        services.products_confirm(organisation=organisation, actor=member)
    assert not OrganisationProduct.objects.exists()
    assert not AlertSettings.objects.exists()


def test_products_confirm_creates_or_updates_alert_settings(admin_user, organisation):
    first = timezone.now() - dt.timedelta(days=200)
    services.products_confirm(organisation=organisation, actor=admin_user, now=first)
    assert AlertSettings.objects.get(organisation=organisation).products_confirmed_at == first
    services.products_confirm(organisation=organisation, actor=admin_user)
    settings_row = AlertSettings.objects.get(organisation=organisation)
    assert settings_row.products_confirmed_at > first
    assert settings_row.email_urgent == AlertSettings.EmailUrgent.IMMEDIATE  # the rest keeps its defaults
    assert AuditLogEntry.objects.filter(action="products.confirm").count() == 2


def test_stale_organisations_for_the_reminder_job(admin_user, organisation):
    now = timezone.now()
    recent, old = OrganisationFactory(), OrganisationFactory()
    AlertSettings.objects.create(organisation=recent, products_confirmed_at=now - dt.timedelta(days=10))
    AlertSettings.objects.create(organisation=old, products_confirmed_at=now - dt.timedelta(days=181))
    stale = set(selectors.organisations_products_stale(days=180, now=now))
    assert stale == {organisation, old}  # `organisation` has no alert settings: never confirmed
    assert set(selectors.organisations_products_stale(days=5, now=now)) == {organisation, old, recent}


# --- pages --------------------------------------------------------------------------------------


def csv_upload(content: bytes, name="producten.csv"):
    return {"format": "csv", "csv-file": SimpleUploadedFile(name, content, content_type="text/csv")}


def test_import_page_for_admins_only(client, admin_client, organisation, member, outsider):
    response = admin_client.get(url("products_import", organisation.pk))
    assert response.status_code == 200
    assert "Een lijst als CSV" in response.text
    assert "Een SBOM (CycloneDX of SPDX)" in response.text
    assert response.text.count('enctype="multipart/form-data"') == 2
    client.force_login(member)
    assert client.get(url("products_import", organisation.pk)).status_code == 403
    assert client.post(url("products_import", organisation.pk), csv_upload(b"x")).status_code == 403
    assert client.post(url("products_import_confirm", organisation.pk)).status_code == 403
    client.force_login(outsider)
    assert client.get(url("products_import", organisation.pk)).status_code == 404


def test_upload_preview_then_confirm(admin_client, organisation, catalogue):
    response = admin_client.post(
        url("products_import", organisation.pk),
        csv_upload(b"leverancier;product;versie\nMicrosoft;Office 365;2302\nOnbekend;Spaakspanner;1\n"),
    )
    assert response.status_code == 200
    page = response.text
    assert "Controleer de import" in page
    assert "Microsoft 365 Apps" in page
    assert "Wordt toegevoegd, versie 2302" in page
    assert "Niet herkend (1)" in page
    assert "Spaakspanner" in page
    assert f"{url('products', organisation.pk)}?q=Spaakspanner#zoeken" in page
    assert not OrganisationProduct.objects.exists()  # nothing stored before confirming

    token = response.context["token"]
    response = admin_client.post(url("products_import_confirm", organisation.pk), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == url("products", organisation.pk)
    use = OrganisationProduct.objects.get(organisation=organisation)
    assert (use.product, use.version) == (catalogue["m365"], "2302")
    page = admin_client.get(url("products", organisation.pk)).text
    assert "Import verwerkt: 1 product toegevoegd, 0 bijgewerkt." in page
    assert IMPORT_SESSION_KEY not in admin_client.session

    # The token is used up: a second confirm (double click, back button) changes nothing.
    response = admin_client.post(
        url("products_import_confirm", organisation.pk), {"token": token}, follow=True
    )
    assert "Deze controle is verlopen of al gebruikt" in response.text
    assert OrganisationProduct.objects.count() == 1


def test_confirm_needs_the_token_of_this_organisations_preview(
    admin_client, admin_user, organisation, catalogue
):
    other = MembershipFactory(user=admin_user, admin=True).organisation
    response = admin_client.post(
        url("products_import", other.pk), csv_upload(b"leverancier;product\nFortinet;FortiOS\n")
    )
    token = response.context["token"]
    response = admin_client.post(
        url("products_import_confirm", organisation.pk), {"token": token}, follow=True
    )
    assert "Deze controle is verlopen of al gebruikt" in response.text
    response = admin_client.post(url("products_import_confirm", other.pk), {"token": "geraden"}, follow=True)
    assert "Deze controle is verlopen of al gebruikt" in response.text
    assert not OrganisationProduct.objects.exists()


def test_malformed_upload_shows_errors_and_stores_nothing(admin_client, organisation, catalogue):
    response = admin_client.post(
        url("products_import", organisation.pk), csv_upload(b"leverancier;product\nFortinet;FortiOS;7;x\n")
    )
    assert response.status_code == 400
    assert "Het bestand is niet ingelezen; er is niets opgeslagen." in response.text
    assert "Regel 2: 4 kolommen, de kopregel heeft er 2." in response.text
    assert IMPORT_SESSION_KEY not in admin_client.session
    assert not OrganisationProduct.objects.exists()


def test_oversized_upload_is_refused_before_reading(admin_client, organisation):
    big = b"leverancier;product\n" + b"x" * (1024 * 1024)
    response = admin_client.post(url("products_import", organisation.pk), csv_upload(big))
    assert response.status_code == 400
    assert "Het bestand is te groot (1025 kB); hoogstens 1024 kB." in response.text


def test_preview_without_any_match_offers_no_confirm(admin_client, organisation, catalogue):
    response = admin_client.post(
        url("products_import", organisation.pk), csv_upload(b"leverancier;product\nOnbekend;Ding\n")
    )
    assert response.status_code == 200
    assert "Wij herkennen geen enkel product uit dit bestand" in response.text
    assert url("products_import_confirm", organisation.pk) not in response.text


def test_products_page_shows_confirmation_and_button_for_admins(admin_client, client, organisation, member):
    page = admin_client.get(url("products", organisation.pk)).text
    assert "Is dit nog juist?" in page
    assert "Deze lijst is nog nooit bevestigd." in page
    assert url("products_confirm", organisation.pk) in page
    assert url("products_import", organisation.pk) in page

    response = admin_client.post(url("products_confirm", organisation.pk), follow=True)
    assert response.status_code == 200
    assert "Deze lijst is voor het laatst bevestigd op" in response.text
    assert "Kijkt u hem even na?" not in response.text
    assert AlertSettings.objects.get(organisation=organisation).products_confirmed_at is not None

    client.force_login(member)
    page = client.get(url("products", organisation.pk)).text
    assert "Deze lijst is voor het laatst bevestigd op" in page
    assert url("products_confirm", organisation.pk) not in page
    assert url("products_import", organisation.pk) not in page
    assert client.post(url("products_confirm", organisation.pk)).status_code == 403


def test_dashboard_prompts_admins_when_the_list_is_stale(admin_client, admin_user, organisation, settings):
    prompt = "Kloppen uw producten nog?"
    page = admin_client.get(url("dashboard")).text
    assert prompt in page
    assert f"Producten van {organisation.name} (nog nooit bevestigd)" in page

    services.products_confirm(
        organisation=organisation, actor=admin_user, now=timezone.now() - dt.timedelta(days=30)
    )
    assert prompt not in admin_client.get(url("dashboard")).text

    settings.DTC_PRODUCTS_CONFIRM_DAYS = 20
    page = admin_client.get(url("dashboard")).text
    assert prompt in page
    assert "(laatst bevestigd op" in page


def test_dashboard_does_not_prompt_members(client, member, organisation):
    client.force_login(member)
    page = client.get(url("dashboard")).text
    assert organisation.name in page
    assert "Kloppen uw producten nog?" not in page
