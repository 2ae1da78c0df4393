"""Forms of the trust platform: input parsing and field-level messages only; rules live in `services`
and who may see what in `dtc.core.visibility`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from dtc.community.models import Collaboration, Community, Item, Tlp
from dtc.organisations.models import Organisation, User

CENTRE = ""

# Plain-language explanations of the labels (FIRST TLP 2.0, https://www.first.org/tlp/), as this
# platform enforces them (rule table in dtc.core.visibility).
TLP_EXPLANATIONS: dict[str, Any] = {
    Tlp.CLEAR: _(
        "Openbaar. Iedereen mag dit weten en verder vertellen. Op het platform zien de ontvangers het; "
        "na goedkeuring van een coördinator mag het ook openbaar."
    ),
    Tlp.GREEN: _(
        "Voor de community. De ontvangers mogen het delen met anderen in hun community of sector, "
        "maar niet openbaar (geen website, geen sociale media)."
    ),
    Tlp.AMBER: _(
        "Beperkt. Alleen voor de ontvangende organisaties en hun klanten, en dan alleen voor wie het "
        "nodig heeft om zich te beschermen of schade te voorkomen."
    ),
    Tlp.AMBER_STRICT: _(
        "Strikt beperkt. Alleen binnen de ontvangende organisatie zelf, niet met klanten of anderen, "
        "en alleen voor wie het nodig heeft."
    ),
    Tlp.RED: _(
        "Alleen voor de met naam genoemde personen. Niet verder vertellen, ook niet binnen uw eigen "
        "organisatie."
    ),
}

# What a reader of an item may do with it, per label (the banner on the item page).
TLP_READER_RULES: dict[str, Any] = {
    Tlp.CLEAR: _("U mag deze informatie zonder beperking delen."),
    Tlp.GREEN: _(
        "U mag deze informatie delen met anderen in uw community of sector, maar niet openbaar maken."
    ),
    Tlp.AMBER: _(
        "U mag deze informatie alleen delen binnen uw eigen organisatie en met haar klanten, met wie "
        "het nodig heeft om te handelen."
    ),
    Tlp.AMBER_STRICT: _(
        "U mag deze informatie alleen delen binnen uw eigen organisatie, met wie het nodig heeft om "
        "te handelen. Niet met klanten."
    ),
    Tlp.RED: _("Deze informatie is alleen voor u. Deel haar met niemand, ook niet met collega's."),
}


def tlp_choices() -> list[tuple[str, str]]:
    return [(value, f"{label} — {TLP_EXPLANATIONS[value]}") for value, label in Tlp.choices]


class CommunityCreateForm(forms.Form):
    name = forms.CharField(label=_("Naam van de community"), max_length=200)
    description = forms.CharField(
        label=_("Beschrijving"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Waar gaat de community over en voor wie is zij bedoeld?"),
    )
    owner = forms.ChoiceField(
        label=_("Eigenaar"),
        required=False,
        help_text=_("Het samenwerkingsverband dat de community beheert, of het centrum zelf."),
    )
    join_policy = forms.ChoiceField(
        label=_("Hoe wordt men lid?"),
        choices=Community.JoinPolicy.choices,
        initial=Community.JoinPolicy.INVITATION,
        widget=forms.RadioSelect,
    )
    confidential_membership = forms.BooleanField(
        label=_("Vertrouwelijk lidmaatschap: leden zien de bijdragen, niet wie de andere leden zijn"),
        required=False,
    )
    counts_as_tlp_organisation = forms.BooleanField(
        label=_("De community telt als één TLP-organisatie (formeel lidmaatschap en gezamenlijke afspraken)"),
        required=False,
        help_text=_("Alleen dan kunnen leden TLP:AMBER en TLP:AMBER+STRICT met de hele community delen."),
    )

    def __init__(
        self, *args: Any, owners: QuerySet[Collaboration], may_use_centre: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._owners = {str(c.pk): c for c in owners}
        choices = [(CENTRE, _("Het Digital Trust Center"))] if may_use_centre else []
        choices += [(key, c.name) for key, c in self._owners.items()]
        self.fields["owner"].choices = choices
        if choices:
            self.fields["owner"].initial = choices[0][0]

    def clean_owner(self) -> Collaboration | None:
        value = self.cleaned_data["owner"]
        return self._owners.get(value) if value else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        name = data.get("name", "")
        slug = slugify(name)[:200]
        if name and not slug:
            self.add_error("name", _("Gebruik in de naam ook letters of cijfers."))
        elif slug and Community.objects.filter(slug=slug).exists():
            self.add_error("name", _("Er is al een community met (bijna) deze naam. Kies een andere naam."))
        data["slug"] = slug
        return data


class InviteForm(forms.Form):
    """Invite an organisation (by KvK number or exact name) or a person (by e-mail address)."""

    organisation = forms.CharField(
        label=_("Organisatie: KvK-nummer of precieze naam"),
        required=False,
        max_length=200,
        help_text=_("Alle medewerkers van de organisatie worden lid zodra een beheerder ervan accepteert."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Of een persoon: e-mailadres"),
        required=False,
        help_text=_("De persoon moet al een account hebben."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def clean_organisation(self) -> Organisation | None:
        value = self.cleaned_data["organisation"].strip()
        if not value:
            return None
        digits = value.replace(" ", "")
        if digits.isdigit():
            matches = list(Organisation.objects.filter(kvk_number=digits)[:2])
        else:
            matches = list(Organisation.objects.filter(name__iexact=value)[:2])
        if not matches:
            raise forms.ValidationError(
                _("Wij vinden geen organisatie met dit KvK-nummer of deze naam."), code="organisation_unknown"
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                _("Meerdere organisaties heten zo. Gebruik het KvK-nummer."), code="organisation_ambiguous"
            )
        return matches[0]

    def clean_email(self) -> User | None:
        value = self.cleaned_data["email"]
        if not value:
            return None
        user = User.objects.filter(email__iexact=value, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("Er is geen account met dit e-mailadres. Vraag de persoon eerst een account aan te maken."),
                code="user_unknown",
            )
        return user

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        if bool(data.get("organisation")) == bool(data.get("email")):
            raise forms.ValidationError(
                _("Vul een organisatie óf een e-mailadres in (één van beide)."), code="invite_one"
            )
        return data


class ItemForm(forms.Form):
    """A new item: what, the text, its TLP label and its audience."""

    kind = forms.ChoiceField(label=_("Soort"), choices=[("", _("— kies —"))] + list(Item.Kind.choices))
    title = forms.CharField(label=_("Titel"), max_length=300)
    body_markdown = forms.CharField(
        label=_("Tekst"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "In Markdown: **vet**, *cursief*, lijstjes met een streepje, koppelingen als "
            "[tekst](https://…). Afbeeldingen en HTML worden niet getoond."
        ),
    )
    tlp = forms.ChoiceField(
        label=_("TLP-label: wie mag dit zien en wat mag de lezer ermee?"),
        widget=forms.RadioSelect,
        help_text=_(
            "Het platform dwingt het label af: alleen wie het label toelaat, ziet het item. "
            "TLP:AMBER met een community kan alleen als die community telt als één organisatie."
        ),
    )
    in_community = forms.BooleanField(label=_("Delen in deze community"), required=False, initial=True)
    communities = forms.MultipleChoiceField(
        label=_("Ook delen in"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Andere communities waarvan u lid bent."),
    )
    organisations = forms.MultipleChoiceField(
        label=_("Ook met deze organisaties"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Alle medewerkers van een gekozen organisatie zijn ontvanger (niet bij TLP:RED)."),
    )
    people = forms.CharField(
        label=_("Met deze personen (e-mailadressen)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Eén of meer e-mailadressen, gescheiden door komma's of regels. Nodig voor TLP:RED."),
    )
    author_organisation = forms.ChoiceField(label=_("Namens"), required=False)

    def __init__(
        self,
        *args: Any,
        other_communities: QuerySet[Community],
        organisations: QuerySet[Organisation],
        my_organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tlp"].choices = tlp_choices()
        self._communities = {str(c.pk): c for c in other_communities}
        self._organisations = {str(o.pk): o for o in organisations}
        self._my_organisations = {str(o.pk): o for o in my_organisations}
        self.fields["communities"].choices = [(k, c.name) for k, c in self._communities.items()]
        self.fields["organisations"].choices = [(k, o.name) for k, o in self._organisations.items()]
        self.fields["author_organisation"].choices = [("", _("Alleen mijzelf"))] + [
            (k, o.name) for k, o in self._my_organisations.items()
        ]
        if not self._communities:
            del self.fields["communities"]
        if not self._organisations:
            del self.fields["organisations"]

    def clean_communities(self) -> list[Community]:
        return [self._communities[key] for key in self.cleaned_data["communities"]]

    def clean_organisations(self) -> list[Organisation]:
        return [self._organisations[key] for key in self.cleaned_data["organisations"]]

    def clean_author_organisation(self) -> Organisation | None:
        value = self.cleaned_data["author_organisation"]
        return self._my_organisations.get(value) if value else None

    def clean_people(self) -> list[User]:
        raw = self.cleaned_data["people"].replace(";", ",").replace("\n", ",")
        emails = sorted({part.strip().lower() for part in raw.split(",") if part.strip()})
        validator = forms.EmailField()
        for email in emails:
            try:
                validator.clean(email)
            except forms.ValidationError as exc:
                raise forms.ValidationError(
                    _("%(email)s is geen geldig e-mailadres.") % {"email": email}, code="email_invalid"
                ) from exc
        users = list(User.objects.filter(email__in=emails, is_active=True))
        unknown = sorted(set(emails) - {u.email.lower() for u in users})
        if unknown:
            raise forms.ValidationError(
                _("Geen account met dit e-mailadres: %(emails)s.") % {"emails": ", ".join(unknown)},
                code="user_unknown",
            )
        return users


class JoinRequestForm(forms.Form):
    """Ask to join in person or, as its admin, for an organisation."""

    organisation = forms.ChoiceField(label=_("Lid worden als"), required=False)

    def __init__(self, *args: Any, admin_organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._organisations = {str(o.pk): o for o in admin_organisations}
        self.fields["organisation"].choices = [("", _("Mijzelf (als persoon)"))] + [
            (k, o.name) for k, o in self._organisations.items()
        ]

    def clean_organisation(self) -> Organisation | None:
        value = self.cleaned_data["organisation"]
        return self._organisations.get(value) if value else None
