from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _MultipleFileInput(attrs={"accept": ".json,application/json"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = _MultipleFileField(
        label=_("CSAF-bestanden"),
        help_text=_("Eén of meer CSAF 2.0-documenten (JSON). Elk bestand wordt apart gecontroleerd."),
    )


class ProviderForm(forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=200, required=False)
    url = forms.URLField(
        label=_("Adres"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Het adres van provider-metadata.json, of van een map met changes.csv."),
    )
