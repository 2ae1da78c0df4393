"""Forms: input parsing and field-level messages only; rules live in `services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dtc.advisories.models import AlertSettings, Message, Tlp, Urgency
from dtc.advisories.selectors import NO_MESSAGE
from dtc.organisations.models import Province, Sector, SizeClass

YES_NO = [("", _("Alle")), ("1", _("Ja")), ("0", _("Nee"))]


def _yes_no(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


class AdvisoryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Zoek op kenmerk of titel"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    tlp = forms.ChoiceField(
        label=_("TLP"),
        required=False,
        choices=[("", _("Alle")), *[(value or "none", label) for value, label in Tlp.choices]],
    )
    status = forms.ChoiceField(
        label=_("Bericht"),
        required=False,
        choices=[("", _("Alle")), (NO_MESSAGE, _("Nog geen bericht")), *Message.Status.choices],
    )
    exploited = forms.ChoiceField(label=_("Actief misbruikt"), required=False, choices=YES_NO)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        tlp = data["tlp"]
        return {
            "query": data["q"],
            "tlp": ("" if tlp == "none" else tlp) if tlp else None,
            "status": data["status"],
            "exploited": _yes_no(data["exploited"]),
        }

    def query_string(self) -> str:
        """The filters as a query string ending in "&", for the pagination links."""
        from urllib.parse import urlencode

        if not self.is_valid():
            return ""
        pairs = {key: value for key, value in self.cleaned_data.items() if value}
        return urlencode(pairs) + "&" if pairs else ""


class MessageForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    what = forms.CharField(label=_("Wat is er aan de hand?"), widget=forms.Textarea(attrs={"rows": 7}))
    who = forms.CharField(label=_("Wie loopt risico?"), widget=forms.Textarea(attrs={"rows": 5}))
    steps = forms.CharField(
        label=_("Wat moet u nu doen?"),
        help_text=_("Eén stap per regel."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    principle = forms.CharField(label=_("Basisprincipe"), max_length=100, required=False)
    links = forms.CharField(
        label=_("Meer lezen"),
        required=False,
        help_text=_("Eén adres per regel (artikelen op deze site)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    urgency = forms.ChoiceField(label=_("Urgentie"), choices=Urgency.choices, widget=forms.RadioSelect)
    sectors = forms.MultipleChoiceField(
        label=_("Alleen deze sectoren"),
        required=False,
        choices=Sector.choices,
        help_text=_("Niets gekozen: alle sectoren."),
        widget=forms.CheckboxSelectMultiple,
    )
    provinces = forms.MultipleChoiceField(
        label=_("Alleen deze provincies"),
        required=False,
        choices=Province.choices,
        help_text=_("Niets gekozen: heel Nederland."),
        widget=forms.CheckboxSelectMultiple,
    )
    size_classes = forms.MultipleChoiceField(
        label=_("Alleen deze grootteklassen"),
        required=False,
        choices=SizeClass.choices,
        help_text=_("Niets gekozen: alle groottes."),
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_links(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        for line in lines:
            if not line.startswith("/"):
                raise forms.ValidationError(
                    _(
                        "Alleen adressen op deze site, beginnend met /. Links naar andere sites lijken op phishing."
                    ),
                    code="external_link",
                )
        return "\n".join(lines)

    @staticmethod
    def initial_for(message: Message) -> dict[str, Any]:
        return {
            field: getattr(message, field)
            for field in [
                "title",
                "what",
                "who",
                "steps",
                "principle",
                "links",
                "urgency",
                "sectors",
                "provinces",
                "size_classes",
            ]
        }


class CatalogueSearchForm(forms.Form):
    sleutel = forms.CharField(widget=forms.HiddenInput, max_length=800)
    zoek = forms.CharField(
        label=_("Zoek in de catalogus"), max_length=100, widget=forms.TextInput(attrs={"type": "search"})
    )


class AliasForm(forms.Form):
    match_key = forms.CharField(widget=forms.HiddenInput, max_length=800)
    product = forms.IntegerField(label=_("Product in de catalogus"))


class DismissForm(forms.Form):
    match_key = forms.CharField(widget=forms.HiddenInput, max_length=800)


class RespondForm(forms.Form):
    response = forms.ChoiceField(choices=[("done", _("Gedaan")), ("not_relevant", _("Niet van toepassing"))])


class ForwardForm(forms.Form):
    to_email = forms.EmailField(
        label=_("E-mailadres van uw IT-leverancier"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("Bericht erbij"),
        required=False,
        max_length=2000,
        help_text=_("Bijvoorbeeld: ‘Kun je dit deze week regelen?’"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AlertSettingsForm(forms.Form):
    email_urgent = forms.ChoiceField(
        label=_("E-mail bij urgente waarschuwingen"),
        choices=AlertSettings.EmailUrgent.choices,
        widget=forms.RadioSelect,
    )
    email_other = forms.ChoiceField(
        label=_("E-mail bij andere waarschuwingen"),
        choices=AlertSettings.EmailOther.choices,
        widget=forms.RadioSelect,
    )
    webhook_url = forms.URLField(
        label=_("Webhook-adres"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Voor uw eigen systemen: wij sturen elke waarschuwing als ondertekend JSON-bericht (https)."
        ),
    )
    webhook_urgent_only = forms.BooleanField(
        label=_("Webhook alleen bij urgente waarschuwingen"), required=False
    )

    @staticmethod
    def initial_for(current: AlertSettings) -> dict[str, Any]:
        return {
            "email_urgent": current.email_urgent,
            "email_other": current.email_other,
            "webhook_url": current.webhook_url,
            "webhook_urgent_only": current.webhook_urgent_only,
        }


class OptOutForm(forms.Form):
    opted_out = forms.BooleanField(
        label=_("Ik wil voor deze organisatie geen waarschuwingen per e-mail"), required=False
    )
