from django import forms
from django.utils.translation import gettext_lazy as _


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Zoekterm"),
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        error_messages={"required": _("Vul een zoekterm in, bijvoorbeeld ‘phishing’ of ‘back-up’.")},
    )

    def clean_q(self) -> str:
        value = self.cleaned_data["q"].strip()
        if not value:
            raise forms.ValidationError(_("Vul een zoekterm in, bijvoorbeeld ‘phishing’ of ‘back-up’."))
        return value
