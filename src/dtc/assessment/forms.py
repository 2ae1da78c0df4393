"""Forms of the self-assessment, built from the question set (data), not written per question."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dtc.assessment import scoring
from dtc.assessment.models import Question
from dtc.organisations.models import Sector


def _option_choices(question: Question) -> list[tuple[str, str]]:
    return [(option.key, option.display_text) for option in question.options.all()]


class ContextForm(forms.Form):
    """The unscored questions first: they decide which questions follow and who does what."""

    def __init__(self, *args, questions: list[Question], ask_sector: bool, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question.key] = forms.ChoiceField(
                label=question.display_text, help_text=question.display_help, required=False,
                choices=_option_choices(question), widget=forms.RadioSelect,
            )
        self.fields["peer_opt_in"] = forms.BooleanField(
            label=_("Mijn uitkomst mag anoniem meetellen in de vergelijking met bedrijven van dezelfde sector en "
                    "grootte"),
            required=False,
            help_text=_("Er wordt dan alleen je sector en grootteklasse bij de uitkomst bewaard; groepen worden pas "
                        "getoond vanaf 10 uitkomsten."),
        )
        if ask_sector:
            self.fields["sector"] = forms.ChoiceField(
                label=_("Sector (alleen nodig voor de vergelijking)"), required=False,
                choices=[("", _("Kies een sector")), *Sector.choices],
            )


class AnswersForm(forms.Form):
    """One page of questions: one basic principle. Every question has "weet ik niet"; "niet van
    toepassing" only where it can be true."""

    def __init__(self, *args, questions: list[Question], require_all: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_all = require_all
        for question in questions:
            choices = _option_choices(question)
            choices.append((scoring.DONT_KNOW, str(_("Weet ik niet"))))
            if question.allow_not_applicable:
                choices.append((scoring.NOT_APPLICABLE, str(_("Niet van toepassing"))))
            label = question.display_text
            self.fields[question.key] = forms.ChoiceField(
                label=label, help_text=question.display_help, required=False, choices=choices,
                widget=forms.RadioSelect,
            )
            self.fields[question.key].is_key = question.is_key  # type: ignore[attr-defined]

    def clean(self):
        cleaned = super().clean()
        if self.require_all:
            for name in self.fields:
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Kies een antwoord. Weet je het niet, kies dan 'Weet ik niet'."))
        return cleaned


class SupplierMailForm(forms.Form):
    to = forms.EmailField(
        label=_("E-mailadres van je IT-leverancier"),
        help_text=_("We gebruiken dit adres alleen voor dit ene bericht en bewaren het niet."),
    )
    reply_name = forms.CharField(
        label=_("Je naam of de naam van je bedrijf"), max_length=100,
        help_text=_("Zo weet je leverancier van wie het verzoek komt."),
    )
    note = forms.CharField(
        label=_("Persoonlijk bericht"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
    )


class AnswerChangeForm(forms.Form):
    question = forms.SlugField(max_length=60)
