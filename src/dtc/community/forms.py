"""Forms of the trust platform: input parsing and field-level messages only; rules live in `services`
and who may see what in `dtc.core.visibility`."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from dtc.community.attachments import attachment_max_bytes
from dtc.community.indicators import indicator_kind_guess, indicator_normalise
from dtc.community.models import Collaboration, Community, Indicator, Item, Tlp
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


# --- item pages: indicators, attachments, comments, marking, anonymous posting -------------------

INDICATOR_LINES_MAX = 500
# "kind: value" (or "kind value", "kind,value") on a pasted line; names as in Indicator.Kind, plus Dutch.
_INDICATOR_PREFIX_RE = re.compile(
    r"^(ip|domain|domein|url|md5|sha1|sha-1|sha256|sha-256|cve)\s*[:=,;\t ]\s*(\S.*)$", re.IGNORECASE
)
_INDICATOR_PREFIX_KIND = {"domein": "domain", "sha-1": "sha1", "sha-256": "sha256"}


def indicator_lines_parse(text: str, *, kind: str = "") -> list[tuple[str, str]]:
    """A pasted list, one indicator per line, as (kind, canonical value) pairs.

    A line may start with its kind (`ip: 192.0.2.1`, `sha256 e3b0…`); otherwise `kind` is used, or
    the kind is guessed (`indicators.indicator_kind_guess`). Blank lines and lines starting with `#`
    are skipped. Every bad line is reported with its number, so nothing is added half."""
    lines = (text or "").splitlines()
    if len(lines) > INDICATOR_LINES_MAX:
        raise forms.ValidationError(
            _("Hoogstens %(max)d regels tegelijk.") % {"max": INDICATOR_LINES_MAX}, code="too_many_lines"
        )
    entries: list[tuple[str, str]] = []
    errors: list[forms.ValidationError] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line_kind, value = kind, line
        prefixed = _INDICATOR_PREFIX_RE.match(line)
        if prefixed and not kind:
            name = prefixed.group(1).lower()
            line_kind, value = _INDICATOR_PREFIX_KIND.get(name, name), prefixed.group(2).strip()
        if not line_kind:
            line_kind = indicator_kind_guess(value) or ""
        if not line_kind:
            errors.append(forms.ValidationError(
                _("Regel %(number)d: niet herkend als IP-adres, domeinnaam, URL, hash of CVE. Zet de soort "
                  "ervoor, bijvoorbeeld “domain: voorbeeld.nl”.") % {"number": number},
                code="kind_unknown",
            ))
            continue
        try:
            entries.append((line_kind, indicator_normalise(kind=line_kind, value=value)))
        except ValidationError as exc:
            errors.extend(
                forms.ValidationError(
                    _("Regel %(number)d: %(error)s") % {"number": number, "error": message}, code=exc.code
                )
                for message in exc.messages
            )
    if errors:
        raise forms.ValidationError(errors)
    return entries


class IndicatorsForm(forms.Form):
    """One or more indicators, one per line."""

    entries = forms.CharField(
        label=_("Indicatoren, één per regel"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocapitalize": "off"}),
        help_text=_(
            "IP-adressen, domeinnamen, URL's, MD5/SHA-1/SHA-256-hashes of CVE-nummers. De soort wordt "
            "herkend; zet haar er anders voor, zoals “domain: voorbeeld.nl”. Onschadelijk gemaakte "
            "waarden (hxxp://, [.]) worden goed gelezen."
        ),
    )
    kind = forms.ChoiceField(
        label=_("Soort"),
        required=False,
        choices=[("", _("Automatisch herkennen"))] + list(Indicator.Kind.choices),
    )
    comment = forms.CharField(
        label=_("Toelichting"), required=False, max_length=300,
        help_text=_("Bijvoorbeeld: afzender van de phishingmail, command-and-control-server."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "entries" in data:
            try:
                data["parsed"] = indicator_lines_parse(data["entries"], kind=data.get("kind", ""))
            except forms.ValidationError as exc:
                self.add_error("entries", exc)
            else:
                if not data["parsed"]:
                    self.add_error("entries", _("Vul minstens één indicator in."))
        return data


def _attachment_help_text() -> str:
    return _(
        "PDF, PNG, JPEG, GIF, tekst (.txt), CSV, JSON, ZIP of een kantoorbestand (.docx, .xlsx, .pptx, "
        ".odt, .ods), hoogstens %(max)s. Het bestand wordt op zijn inhoud gecontroleerd."
    ) % {"max": filesizeformat(attachment_max_bytes())}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Bestand"), allow_empty_file=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _attachment_help_text()


class ItemExtrasForm(forms.Form):
    """Optional, when writing an item: indicators and one attachment."""

    indicators = forms.CharField(
        label=_("Indicatoren, één per regel"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocapitalize": "off"}),
        help_text=_("IP-adressen, domeinnamen, URL's, hashes of CVE-nummers; de soort wordt herkend. "
                    "Later toevoegen kan ook."),
    )
    attachment = forms.FileField(label=_("Bijlage"), required=False, allow_empty_file=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = _attachment_help_text()

    def clean_indicators(self) -> list[tuple[str, str]]:
        return indicator_lines_parse(self.cleaned_data["indicators"])


class CommentForm(forms.Form):
    body_markdown = forms.CharField(
        label=_("Uw reactie"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In Markdown. Iedereen die dit item mag zien, leest uw reactie."),
    )


class MarkingForm(forms.Form):
    """Change an item's TLP label and audience (services.item_change_marking decides who may what)."""

    tlp = forms.ChoiceField(label=_("TLP-label"), widget=forms.RadioSelect)
    communities = forms.MultipleChoiceField(
        label=_("Communities"), required=False, widget=forms.CheckboxSelectMultiple
    )
    organisations = forms.MultipleChoiceField(
        label=_("Organisaties"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Alle medewerkers van een gekozen organisatie zijn ontvanger (niet bij TLP:RED)."),
    )
    people = forms.CharField(
        label=_("Personen (e-mailadressen)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Eén of meer e-mailadressen, gescheiden door komma's of regels. Nodig voor TLP:RED."),
    )

    clean_people = ItemForm.clean_people

    def __init__(
        self,
        *args: Any,
        communities: QuerySet[Community] | list[Community],
        organisations: QuerySet[Organisation] | list[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tlp"].choices = tlp_choices()
        self._communities = {str(c.pk): c for c in communities}
        self._organisations = {str(o.pk): o for o in organisations}
        self.fields["communities"].choices = [(k, c.name) for k, c in self._communities.items()]
        self.fields["organisations"].choices = [(k, o.name) for k, o in self._organisations.items()]
        if not self._communities:
            del self.fields["communities"]
        if not self._organisations:
            del self.fields["organisations"]

    def clean_communities(self) -> list[Community]:
        return [self._communities[key] for key in self.cleaned_data["communities"]]

    def clean_organisations(self) -> list[Organisation]:
        return [self._organisations[key] for key in self.cleaned_data["organisations"]]


class AnonymousPostForm(forms.Form):
    """A coordinator posts for a member; members see only the community."""

    on_behalf_of = forms.ChoiceField(
        label=_("Namens welk lid?"),
        help_text=_("Het lid blijft de auteur en kan het item beheren; andere leden zien alleen de community."),
    )
    kind = forms.ChoiceField(label=_("Soort"), choices=[("", _("— kies —"))] + list(Item.Kind.choices))
    title = forms.CharField(label=_("Titel"), max_length=300)
    body_markdown = forms.CharField(
        label=_("Tekst"), required=False, widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("In Markdown. Noem geen namen of details die het lid alsnog herkenbaar maken."),
    )
    tlp = forms.ChoiceField(label=_("TLP-label"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tlp"].choices = tlp_choices()
        self._candidates = {str(u.pk): u for u in candidates}
        self.fields["on_behalf_of"].choices = [("", _("— kies —"))] + [
            (key, f"{u.name} ({u.email})" if u.name else u.email) for key, u in self._candidates.items()
        ]

    def clean_on_behalf_of(self) -> User:
        return self._candidates[self.cleaned_data["on_behalf_of"]]
