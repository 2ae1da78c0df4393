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
