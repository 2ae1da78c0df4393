"""Shapes of the API's requests and responses. Serializers only translate; rules live in services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from wagtail.rich_text import expand_db_html

from dtc.community.models import Community, CommunityMembership, Indicator, Item, Tlp
from dtc.knowledge.models import Category
from dtc.organisations.models import Municipality, Province, Sector, SizeClass

# --- Errors (documentation only: exceptions.exception_handler builds these bodies) ----------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("Uitleg voor mensen, in de taal van het verzoek."))
    code = serializers.CharField(help_text=_("Vaste code voor programma's, bijvoorbeeld not_found."))


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Foutmeldingen per veld; non_field_errors voor fouten die niet bij één veld horen."),
    )


class ErrorWithOptionalFieldsSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text=_("Alleen bij invoerfouten (code invalid): de meldingen per veld."),
    )


# --- Knowledge --------------------------------------------------------------------------------


def _full_url(page: Any, context: dict[str, Any]) -> str | None:
    return page.get_full_url(context.get("request"))


class PrincipleRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()


class StepSerializer(serializers.Serializer):
    title = serializers.CharField()
    text = serializers.CharField(help_text=_("HTML"))


class PrincipleSerializer(serializers.Serializer):
    title = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.SerializerMethodField()
    number = serializers.IntegerField()
    summary = serializers.CharField()
    first_published_at = serializers.DateTimeField(allow_null=True)
    last_published_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, page) -> str | None:
        return _full_url(page, self.context)


class PrincipleDetailSerializer(PrincipleSerializer):
    why = serializers.SerializerMethodField(help_text=_("HTML"))
    steps = serializers.SerializerMethodField()

    def get_why(self, page) -> str:
        return expand_db_html(page.why)

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, page) -> list[dict[str, str]]:
        return [
            {"title": block.value["title"], "text": expand_db_html(block.value["text"].source)}
            for block in page.steps
        ]


class ArticleSerializer(serializers.Serializer):
    title = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    principles = PrincipleRefSerializer(many=True, source="principles.all")
    intro = serializers.CharField()
    first_published_at = serializers.DateTimeField(allow_null=True)
    last_published_at = serializers.DateTimeField(allow_null=True)
    reading_minutes = serializers.IntegerField()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, page) -> str | None:
        return _full_url(page, self.context)

    @extend_schema_field(serializers.ChoiceField(choices=Category.choices, allow_null=True))
    def get_category(self, page) -> str | None:
        from dtc.api.selectors import article_category

        return article_category(article=page, categories_by_path=self.context["categories_by_path"])


class ArticleDetailSerializer(ArticleSerializer):
    body = serializers.SerializerMethodField(help_text=_("HTML, door de redactie opgemaakt en opgeschoond."))

    def get_body(self, page) -> str:
        return expand_db_html(page.body)


class ArticleFilterSerializer(serializers.Serializer):
    """Query parameters of the article list."""

    category = serializers.ChoiceField(choices=Category.choices, required=False)
    principle = serializers.CharField(required=False, max_length=255)
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)


# --- Organisations ----------------------------------------------------------------------------


class MunicipalitySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    province = serializers.CharField()


class DomainSerializer(serializers.Serializer):
    name = serializers.CharField()
    verified = serializers.SerializerMethodField()
    verified_at = serializers.DateTimeField(allow_null=True)

    def get_verified(self, domain) -> bool:
        return domain.verified_at is not None


class ProductUseSerializer(serializers.Serializer):
    vendor = serializers.CharField(source="product.vendor")
    name = serializers.CharField(source="product.name")
    version = serializers.CharField()


class OrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kvk_number = serializers.CharField()
    sector = serializers.ChoiceField(choices=[("", ""), *Sector.choices])
    province = serializers.ChoiceField(choices=[("", ""), *Province.choices])
    municipality = MunicipalitySerializer(allow_null=True)
    size_class = serializers.ChoiceField(choices=[("", ""), *SizeClass.choices])
    domains = DomainSerializer(many=True, source="domains.all")
    products = ProductUseSerializer(many=True, source="product_uses.all")
    updated_at = serializers.DateTimeField()


class OrganisationUpdateSerializer(serializers.Serializer):
    """The profile fields an organisation's admin may change; all optional (PATCH)."""

    name = serializers.CharField(max_length=200, required=False)
    kvk_number = serializers.CharField(max_length=8, required=False, allow_blank=True)
    sector = serializers.ChoiceField(choices=Sector.choices, required=False, allow_blank=True)
    province = serializers.ChoiceField(choices=Province.choices, required=False, allow_blank=True)
    municipality = serializers.SlugRelatedField(
        slug_field="code", queryset=Municipality.objects.all(), required=False, allow_null=True,
        help_text=_("CBS-gemeentecode, bijvoorbeeld GM0344."),
    )
    size_class = serializers.ChoiceField(choices=SizeClass.choices, required=False, allow_blank=True)


# --- Trust platform ---------------------------------------------------------------------------

ID_MAX = 10**18 - 1  # as the URL converter: no id overflows a 64-bit integer column


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


def _id_list(help_text: str) -> serializers.ListField:
    return serializers.ListField(child=_id_field(), required=False, max_length=100, help_text=help_text)


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__", help_text=_("Naam, of anders het e-mailadres."))


class CommunitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    owner = serializers.CharField(
        source="owner.name", allow_null=True, default=None,
        help_text=_("Naam van het samenwerkingsverband dat de community beheert; null: het centrum zelf."),
    )
    join_policy = serializers.ChoiceField(choices=Community.JoinPolicy.choices)
    confidential_membership = serializers.BooleanField()
    counts_as_tlp_organisation = serializers.BooleanField()
    is_member = serializers.BooleanField(help_text=_("U bent actief lid (zelf of via uw organisatie)."))
    is_coordinator = serializers.BooleanField(help_text=_("U bent coördinator van deze community."))


class CommunityMembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = NamedRefSerializer(allow_null=True, help_text=_("Lid als organisatie (al haar medewerkers)."))
    user = serializers.SerializerMethodField(help_text=_("Lid als persoon."))
    role = serializers.ChoiceField(choices=CommunityMembership.MemberRole.choices)
    status = serializers.ChoiceField(choices=CommunityMembership.Status.choices)
    created_at = serializers.DateTimeField()

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_user(self, membership) -> dict[str, Any] | None:
        return PersonRefSerializer(membership.user).data if membership.user_id else None


class CommunityJoinSerializer(serializers.Serializer):
    organisation = _id_field(
        required=False, allow_null=True,
        help_text=_("Lid worden namens deze organisatie (u bent er beheerder); weglaten: als persoon."),
    )


class IndicatorSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Indicator.Kind.choices)
    value = serializers.CharField()
    comment = serializers.CharField()


class AudienceSerializer(serializers.Serializer):
    communities = NamedRefSerializer(many=True, help_text=_("Alleen de communities die u mag zien."))
    organisations = NamedRefSerializer(
        many=True, help_text=_("Genoemde organisaties: alle als u de markering mag wijzigen, anders alleen de uwe."),
    )
    users = PersonRefSerializer(
        many=True, help_text=_("Genoemde personen: alle als u de markering mag wijzigen, anders alleen uzelf."),
    )
    names_shown = serializers.BooleanField(
        help_text=_("true: alle genoemde organisaties en personen staan erbij (u mag de markering wijzigen)."),
    )
    others_named = serializers.IntegerField(help_text=_("Hoeveel andere organisaties en personen genoemd zijn."))


class ReactionCountsSerializer(serializers.Serializer):
    seen = serializers.IntegerField(help_text=_("Aantal keer 'ook gezien'."))
    useful = serializers.IntegerField(help_text=_("Aantal keer 'nuttig'."))


class ItemSerializer(serializers.Serializer):
    """An item as the requester may see it (rows from dtc.api.selectors: annotated and prefetched)."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Item.Kind.choices)
    title = serializers.CharField()
    body_markdown = serializers.CharField()
    body_html = serializers.CharField(help_text=_("HTML, uit de Markdown opgemaakt en opgeschoond."))
    tlp = serializers.ChoiceField(choices=Tlp.choices)
    status = serializers.ChoiceField(choices=Item.Status.choices)
    public_approved = serializers.BooleanField()
    anonymous = serializers.BooleanField(help_text=_("Anoniem geplaatst: alleen de auteur ziet wie."))
    published_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    author = serializers.SerializerMethodField(help_text=_("null bij een anoniem item (tenzij u de auteur bent)."))
    author_organisation = serializers.SerializerMethodField()
    audience = serializers.SerializerMethodField()
    indicators = IndicatorSerializer(many=True, source="indicators.all")
    comment_count = serializers.IntegerField()
    reaction_counts = serializers.SerializerMethodField()

    def _author(self, item) -> Any:
        from dtc.community.selectors import item_author_for

        return item_author_for(user=self.context["request"].user, item=item)

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_author(self, item) -> dict[str, Any] | None:
        author = self._author(item)
        return PersonRefSerializer(author).data if author is not None else None

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_author_organisation(self, item) -> dict[str, Any] | None:
        if item.author_organisation_id is None or self._author(item) is None:
            return None
        return NamedRefSerializer(item.author_organisation).data

    @extend_schema_field(AudienceSerializer)
    def get_audience(self, item) -> dict[str, Any]:
        # Rows and counts as dtc.api.selectors fetched them (item_audience_visible_to's rule).
        rows = item.audience_shown
        organisations = [row.organisation for row in rows if row.organisation_id]
        users = [row.user for row in rows if row.user_id]
        return AudienceSerializer({
            "communities": sorted((row.community for row in rows if row.community_id), key=lambda c: (c.name, c.pk)),
            "organisations": sorted(organisations, key=lambda o: (o.name, o.pk)),
            "users": sorted(users, key=lambda u: (u.email, u.pk)),
            "names_shown": item.marking_editable,
            "others_named": 0 if item.marking_editable else item.named_count - len(organisations) - len(users),
        }).data

    @extend_schema_field(ReactionCountsSerializer)
    def get_reaction_counts(self, item) -> dict[str, int]:
        return {"seen": item.seen_count, "useful": item.useful_count}


class ItemFilterSerializer(serializers.Serializer):
    """Query parameters of the item list."""

    tlp = serializers.ChoiceField(choices=Tlp.choices, required=False)
    kind = serializers.ChoiceField(choices=Item.Kind.choices, required=False)
    community = _id_field(required=False, help_text=_("Alleen items met deze community als ontvanger."))
    status = serializers.ChoiceField(
        choices=Item.Status.choices, required=False,
        help_text=_("draft: alleen uw eigen concepten (andermans concepten ziet niemand)."),
    )
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200,
        help_text=_("Zoeken in titel en tekst (minstens twee tekens); dan in volgorde van de zoekopdracht."),
    )


class ItemAudienceInputSerializer(serializers.Serializer):
    communities = _id_list(_("Nummers van communities waarvan u actief lid bent."))
    organisations = _id_list(_("Nummers van organisaties: uw eigen, of leden van uw communities."))
    users = _id_list(_("Nummers van personen (nodig voor TLP:RED)."))


class ItemCreateSerializer(ItemAudienceInputSerializer):
    kind = serializers.ChoiceField(choices=Item.Kind.choices)
    title = serializers.CharField(max_length=300)
    body_markdown = serializers.CharField(required=False, allow_blank=True, max_length=100_000)
    tlp = serializers.ChoiceField(choices=Tlp.choices)
    author_organisation = _id_field(
        required=False, allow_null=True, help_text=_("Delen namens deze organisatie (u bent er lid van)."),
    )
    publish = serializers.BooleanField(
        required=False, default=False, help_text=_("true: meteen publiceren; anders een concept dat alleen u ziet."),
    )


class ItemMarkingSerializer(ItemAudienceInputSerializer):
    """A new label and/or audience; a list left out stays as it is."""

    tlp = serializers.ChoiceField(choices=Tlp.choices, required=False)


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = PersonRefSerializer(allow_null=True)
    body_markdown = serializers.CharField()
    body_html = serializers.CharField(help_text=_("HTML, uit de Markdown opgemaakt en opgeschoond."))
    created_at = serializers.DateTimeField()


class CommentCreateSerializer(serializers.Serializer):
    body_markdown = serializers.CharField(max_length=20_000)


# --- Tokens -----------------------------------------------------------------------------------


class TokenObtainSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Stuur mee als header: Authorization: Token <token>"))

