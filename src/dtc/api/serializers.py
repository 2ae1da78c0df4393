"""Shapes of the API's requests and responses. Serializers only translate; rules live in services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from wagtail.rich_text import expand_db_html

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


# --- Tokens -----------------------------------------------------------------------------------


class TokenObtainSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Stuur mee als header: Authorization: Token <token>"))

