from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dtc.organisations.models import validate_domain_name


class ScanForm(forms.Form):
    domain = forms.CharField(
        label=_("Domeinnaam"), max_length=300,
        help_text=_("Bijvoorbeeld bakkerij-jansen.nl, zonder https:// of www."),
    )
    web = forms.BooleanField(label=_("Website testen"), required=False, initial=True)
    mail = forms.BooleanField(label=_("E-mail testen"), required=False, initial=True)

    def clean_domain(self) -> str:
        value = self.cleaned_data["domain"].strip().lower().rstrip(".")
        for prefix in ("https://", "http://"):
            value = value.removeprefix(prefix)
        value = value.split("/", 1)[0].removeprefix("www.")
        validate_domain_name(value)
        return value

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("web") and not cleaned.get("mail"):
            raise forms.ValidationError(_("Kies wat je wilt testen: je website, je e-mail of allebei."))
        return cleaned


class BatchForm(forms.Form):
    """A coordinator's list of member domains (CSV) for a batch scan."""

    RESCAN_CHOICES = [("", _("Niet automatisch")), ("30", _("Elke maand")), ("91", _("Elk kwartaal")),
                      ("182", _("Elk half jaar"))]

    collaboration = forms.ModelChoiceField(label=_("Samenwerkingsverband"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Naam van de batch"), max_length=200,
                           help_text=_("Bijvoorbeeld ‘Winkeliersvereniging centrum, voorjaar 2027’."))
    file = forms.FileField(
        label=_("Lijst met domeinen (CSV)"),
        help_text=_("Eén domein per regel, eventueel met de naam van de deelnemer ernaast (gescheiden door ; of ,). "
                    "Een kopregel zoals ‘domein;deelnemer’ mag. Hoogstens 1 MB."),
    )
    web = forms.BooleanField(label=_("Websites testen"), required=False, initial=True)
    mail = forms.BooleanField(label=_("E-mail testen"), required=False, initial=True)
    rescan_every_days = forms.TypedChoiceField(label=_("Opnieuw scannen"), choices=RESCAN_CHOICES, required=False,
                                               coerce=int, empty_value=None)

    def __init__(self, *args, collaborations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collaboration"].queryset = collaborations
        self.rows: list[tuple[str, str]] = []
        self.duplicates = 0

    def clean_file(self):
        from dtc.scans.batches import CSV_MAX_BYTES, csv_read

        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Kies een CSV-bestand (.csv of .txt)."), code="type")
        if upload.size > CSV_MAX_BYTES:
            raise forms.ValidationError(_("Het bestand is groter dan 1 MB. Splits de lijst in delen."), code="too_big")
        result = csv_read(upload.read())
        if result.errors:
            shown = result.errors[:20]
            if len(result.errors) > 20:
                shown.append(_("… en nog %(count)d regels.") % {"count": len(result.errors) - 20})
            raise forms.ValidationError(
                [_("Er is niets opgeslagen. Verbeter deze regels en kies het bestand opnieuw:"), *shown], code="lines")
        self.rows, self.duplicates = result.rows, result.duplicates
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("web") and not cleaned.get("mail"):
            raise forms.ValidationError(_("Kies wat je wilt testen: websites, e-mail of allebei."))
        return cleaned
