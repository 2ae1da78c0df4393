"""Forms: input parsing and field-level messages only; rules live in `services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dtc.organisations.models import (
    Membership,
    Municipality,
    Province,
    Sector,
    SizeClass,
    validate_kvk_number,
)
from dtc.organisations.product_import import CSV_MAX_BYTES
from dtc.organisations.sbom import SBOM_MAX_BYTES
from dtc.organisations.selectors import municipalities_by_province

EMPTY = [("", _("— kies —"))]


class OrganisationProfileForm(forms.Form):
    name = forms.CharField(label=_("Naam van de organisatie"), max_length=200)
    kvk_number = forms.CharField(
        label=_("KvK-nummer"),
        required=False,
        max_length=12,
        help_text=_("8 cijfers, te vinden op uw uittreksel van de Kamer van Koophandel."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=EMPTY + list(Sector.choices))
    province = forms.ChoiceField(label=_("Provincie"), required=False, choices=EMPTY + list(Province.choices))
    municipality = forms.ChoiceField(
        label=_("Gemeente"),
        required=False,
        help_text=_("De gemeente waar uw organisatie gevestigd is. Zij moet in de gekozen provincie liggen."),
    )
    size_class = forms.ChoiceField(
        label=_("Aantal medewerkers"), required=False, choices=EMPTY + list(SizeClass.choices)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grouped = municipalities_by_province()
        self._municipalities = {str(m.pk): m for items in grouped.values() for m in items}
        self.fields["municipality"].choices = EMPTY + [
            (Province(code).label, [(str(m.pk), m.name) for m in items]) for code, items in grouped.items()
        ]

    def clean_kvk_number(self) -> str:
        value = self.cleaned_data["kvk_number"].replace(" ", "").strip()
        if value:
            validate_kvk_number(value)
        return value

    def clean_municipality(self) -> Municipality | None:
        value = self.cleaned_data["municipality"]
        return self._municipalities.get(value) if value else None

    @staticmethod
    def initial_for(organisation: Any) -> dict[str, Any]:
        return {
            "name": organisation.name,
            "kvk_number": organisation.kvk_number,
            "sector": organisation.sector,
            "province": organisation.province,
            "municipality": str(organisation.municipality_id or ""),
            "size_class": organisation.size_class,
        }


class DomainForm(forms.Form):
    name = forms.CharField(
        label=_("Domeinnaam"),
        max_length=300,
        help_text=_(
            "Bijvoorbeeld voorbeeld.nl. Een volledig webadres mag ook; wij halen de domeinnaam eruit."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "url", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )


class ProductSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Zoek een product"),
        required=False,
        max_length=100,
        help_text=_("Zoek op leverancier, productnaam of een andere naam, bijvoorbeeld ‘Office 365’."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class ProductAddForm(forms.Form):
    product = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.CharField(label=_("Versie"), required=False, max_length=100)


class ProductImportForm(forms.Form):
    """One file to import; `kind` is a key of `product_import.FORMATS` ("csv" or "sbom")."""

    file = forms.FileField(label=_("Bestand"), allow_empty_file=True)

    LABELS = {
        "csv": (
            _("CSV-bestand"),
            _(
                "Een kopregel met leverancier, product en versie (of vendor, product, version), gescheiden "
                "door puntkomma’s of komma’s. Hoogstens 1 MB."
            ),
            ".csv,text/csv",
        ),
        "sbom": (
            _("SBOM-bestand (CycloneDX of SPDX, JSON)"),
            _(
                "Een software bill of materials van uw leverancier of uit uw eigen tooling: CycloneDX 1.4 tot "
                "en met 1.6 of SPDX 2.2/2.3, als JSON. Hoogstens 5 MB."
            ),
            ".json,application/json",
        ),
    }
    MAX_BYTES = {"csv": CSV_MAX_BYTES, "sbom": SBOM_MAX_BYTES}

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, prefix=kind, **kwargs)
        self.kind = kind
        label, help_text, accept = self.LABELS[kind]
        self.fields["file"].label = label
        self.fields["file"].help_text = help_text
        self.fields["file"].widget.attrs["accept"] = accept

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES[self.kind]:
            raise forms.ValidationError(
                _("Het bestand is te groot (%(size)s kB); hoogstens %(max)s kB.")
                % {"size": (upload.size + 1023) // 1024, "max": self.MAX_BYTES[self.kind] // 1024},
                code="file_too_large",
            )
        return upload


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(
        label=_("Rol"),
        choices=Membership.OrgRole.choices,
        initial=Membership.OrgRole.MEMBER,
        widget=forms.RadioSelect,
        help_text=_("Beheerders kunnen het profiel wijzigen en leden uitnodigen of verwijderen."),
    )


class AccountDeleteForm(forms.Form):
    email = forms.EmailField(
        label=_("Typ uw e-mailadres ter bevestiging"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        value = self.cleaned_data["email"].strip()
        if value.lower() != self.user.email.lower():
            raise forms.ValidationError(
                _("Dit is niet het e-mailadres van uw account. Uw account is niet verwijderd."),
                code="email_mismatch",
            )
        return value
