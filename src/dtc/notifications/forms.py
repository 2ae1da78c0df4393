from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dtc.notifications.models import NotificationPreference, WatchLevel

WATCH_LEVEL_HELP = {
    WatchLevel.WATCHING: _("elk nieuw item en elke reactie"),
    WatchLevel.TRACKING: _("nieuwe items, en reacties waar u aan meedoet"),
    WatchLevel.NORMAL: _("alleen wat aan u of uw organisatie is gericht, en reacties op uw eigen items"),
    WatchLevel.MUTED: _("niets"),
}


def watch_level_choices() -> list[tuple[int, str]]:
    return [(level.value, f"{level.label}: {WATCH_LEVEL_HELP[level]}") for level in reversed(WatchLevel)]


class PreferenceForm(forms.Form):
    delivery = forms.ChoiceField(
        label=_("E-mail over meldingen"),
        choices=NotificationPreference.Delivery.choices,
        widget=forms.RadioSelect,
        help_text=_("Meldingen staan altijd in uw overzicht op het platform."),
    )
    full_text_for_restricted = forms.BooleanField(
        label=_("Zet ook de titel en tekst van berichten met TLP:AMBER, TLP:AMBER+STRICT en TLP:RED in de e-mail"),
        required=False,
        help_text=NotificationPreference._meta.get_field("full_text_for_restricted").help_text,
    )


class WatchForm(forms.Form):
    level = forms.TypedChoiceField(label=_("Meldingen"), choices=watch_level_choices, coerce=int)
    community = forms.IntegerField(required=False, widget=forms.HiddenInput)
    item = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("community")) == bool(cleaned.get("item")):
            raise forms.ValidationError(_("Kies een community of een item."), code="target")
        return cleaned
