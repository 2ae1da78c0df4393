"""Forms of the directory (collaborations, experts, events): input parsing and field messages only;
rules live in `services_directory`, who may see what in `dtc.core.visibility`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dtc.community.models import Collaboration, Community, Event, Expert, ExpertSpecialty
from dtc.organisations.models import Organisation, Province

PUBLIC = ""


class CollaborationFilterForm(forms.Form):
    soort = forms.ChoiceField(
        label=_("Soort samenwerkingsverband"),
        required=False,
        choices=[("", _("Alle soorten")), *Collaboration.Kind.choices],
    )


class CollaborationJoinForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisatie"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        help_text=_("De organisatie die u aanmeldt. U bent er beheerder van."),
    )
    message = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Wie bent u en waarom wilt u meedoen? Zet hier geen vertrouwelijke informatie in."),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class ExpertFilterForm(forms.Form):
    specialisme = forms.ChoiceField(label=_("Specialisme"), required=False)
    provincie = forms.ChoiceField(
        label=_("Regio (provincie)"),
        required=False,
        choices=[("", _("Heel Nederland")), *Province.choices],
        help_text=_("Experts in die provincie en experts die in heel Nederland werken."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialisme"].choices = [  # type: ignore[attr-defined]
            ("", _("Alle specialismen")),
            *ExpertSpecialty.objects.order_by("name").values_list("slug", "name"),
        ]


class ExpertProfileForm(forms.ModelForm):
    class Meta:
        model = Expert
        fields = ["display_name", "headline", "bio", "specialties", "province", "accepts_questions", "listed"]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 6}),
            "specialties": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "display_name": _("Zoals leden u in de gids zien."),
            "bio": _("Uw ervaring en waarmee u ondernemers kunt helpen."),
            "listed": _("Uit: uw profiel staat niet in de gids; vragen die al gesteld zijn kunt u nog beantwoorden."),
        }


class ExpertQuestionForm(forms.Form):
    subject = forms.CharField(label=_("Onderwerp"), max_length=200)
    body = forms.CharField(
        label=_("Uw vraag"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "De expert krijgt uw vraag per e-mail. Deel hier geen vertrouwelijke (TLP-gemarkeerde) informatie."
        ),
    )
    share_email = forms.BooleanField(
        label=_("De expert mag mijn e-mailadres zien om mij rechtstreeks te antwoorden"),
        required=False,
        help_text=_("Zonder dit vinkje antwoordt de expert alleen via het platform."),
    )


class ExpertAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Uw antwoord"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8}))


class ExpertInviteForm(forms.Form):
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Community.objects.none(), empty_label=None,
        help_text=_("De expert krijgt een uitnodiging en beslist zelf."),
    )

    def __init__(self, *args: Any, communities: QuerySet[Community], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]


class EventForm(forms.Form):
    community = forms.ChoiceField(
        label=_("Voor wie"),
        help_text=_("Een bijeenkomst van een community ziet alleen haar leden; een openbare ziet iedereen."),
    )
    kind = forms.ChoiceField(label=_("Soort"), choices=Event.Kind.choices)
    title = forms.CharField(label=_("Titel"), max_length=200)
    description = forms.CharField(
        label=_("Beschrijving"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    starts_at = forms.DateTimeField(
        label=_("Begint om"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Nederlandse tijd."),
    )
    ends_at = forms.DateTimeField(
        label=_("Eindigt om"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=_("Locatie"), required=False, max_length=300)
    online_url = forms.URLField(
        label=_("Online deelnemen via"),
        required=False,
        assume_scheme="https",
        help_text=_("Alleen aangemelde deelnemers zien deze link."),
    )
    capacity = forms.IntegerField(
        label=_("Maximaal aantal deelnemers"), required=False, min_value=1,
        help_text=_("Leeg: geen maximum."),
    )

    def __init__(
        self, *args: Any, communities: QuerySet[Community], may_create_public: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.communities = communities
        choices: list[tuple[str, Any]] = []
        if may_create_public:
            choices.append((PUBLIC, _("Openbaar (iedereen)")))
        choices += [(str(c.pk), c.name) for c in communities]
        self.fields["community"].choices = choices  # type: ignore[attr-defined]

    def clean_community(self) -> Community | None:
        value = self.cleaned_data["community"]
        if value == PUBLIC:
            return None
        return self.communities.get(pk=int(value))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("Het einde ligt na het begin."))
        if starts_at and starts_at < timezone.now():
            self.add_error("starts_at", _("Kies een moment in de toekomst."))
        if not data.get("location") and not data.get("online_url"):
            self.add_error("location", _("Vul een locatie of een link om online deel te nemen in."))
        return data
