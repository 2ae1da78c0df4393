"""Shapes of the self-assessment API (/api/v1/assessment/). Serializers only translate; the rules
(which answers are valid, how they score) live in dtc.assessment.services and scoring."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dtc.api.serializers import ID_MAX
from dtc.assessment.models import TOP_RUNG, Option
from dtc.assessment.report import REASON_LABELS
from dtc.organisations.models import Sector

# --- The question set -------------------------------------------------------------------------


class AssessmentRungSerializer(serializers.Serializer):
    rung = serializers.IntegerField(min_value=0, max_value=TOP_RUNG)
    label = serializers.CharField()


class AssessmentSpecialAnswerSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("dont_know of na"))
    text = serializers.CharField()
    explanation = serializers.CharField()


class AssessmentOptionSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField(source="display_text")


class AssessmentScoredOptionSerializer(AssessmentOptionSerializer):
    rung = serializers.IntegerField(min_value=0, max_value=TOP_RUNG, help_text=_("De trede die dit antwoord laat zien."))


class AssessmentContextQuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField(source="display_text")
    help = serializers.CharField(source="display_help")
    options = AssessmentOptionSerializer(many=True, source="options.all")


class AssessmentQuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    principle = serializers.IntegerField(min_value=1, max_value=5)
    order = serializers.IntegerField()
    text = serializers.CharField(source="display_text")
    help = serializers.CharField(source="display_help")
    is_key = serializers.BooleanField(
        help_text=_("Sleutelvraag: het basisprincipe komt nooit hoger dan het antwoord op deze vraag."),
    )
    allow_not_applicable = serializers.BooleanField(help_text=_("true: het antwoord \"na\" is toegestaan."))
    show_if = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Alleen tonen (en beantwoorden) als elk genoemd contextantwoord een van deze waarden "
                    "heeft; een contextvraag die niet beantwoord is, verbergt niets. Leeg: altijd tonen."),
    )
    article_slug = serializers.CharField(help_text=_("Slug van het kennisartikel bij deze vraag; leeg: geen."))
    options = AssessmentScoredOptionSerializer(many=True, source="options.all")


class AssessmentQuestionSetSerializer(serializers.Serializer):
    version = serializers.CharField()
    title = serializers.CharField()
    rungs = AssessmentRungSerializer(many=True)
    special_answers = AssessmentSpecialAnswerSerializer(
        many=True, help_text=_("De twee antwoorden die bij elke vraag mogen, naast de antwoordopties."),
    )
    context_questions = AssessmentContextQuestionSerializer(
        many=True, help_text=_("Tellen niet mee; ze bepalen welke vragen getoond worden en wie een actie uitvoert."),
    )
    questions = AssessmentQuestionSerializer(many=True, help_text=_("De vragen die meetellen, per basisprincipe."))


# --- A result ---------------------------------------------------------------------------------


class _Text(serializers.CharField):
    """A string and nothing else: a number or a list is refused, not turned into text."""

    default_error_messages = {"invalid": _("Geef een tekst: de sleutel van een antwoordoptie.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
class _Answers(serializers.DictField):
    """Question key → option key, "dont_know" or "na". A value that is no string is passed on, so the
    service says, with its own message, why it is not an answer."""

    child = serializers.JSONField(allow_null=True)


class AssessmentResultCreateSerializer(serializers.Serializer):
    context = serializers.DictField(
        child=_Text(allow_blank=True), required=False, default=dict,
        help_text=_("Contextvraag → sleutel van een optie (zie context_questions). Een vraag die u weglaat, "
                    "verbergt niets."),
    )
    answers = _Answers(
        help_text=_("Vraag → sleutel van een antwoordoptie, \"dont_know\" (weet ik niet) of \"na\" (niet van "
                    "toepassing, alleen waar allow_not_applicable). Elke getoonde vraag moet een antwoord "
                    "hebben; vragen die show_if verbergt, laat u weg."),
    )
    peer_opt_in = serializers.BooleanField(
        required=False, default=False,
        help_text=_("true: de uitslag telt (anoniem) mee in de vergelijking met vergelijkbare bedrijven."),
    )
    sector = serializers.ChoiceField(
        choices=Sector.choices, required=False, allow_blank=True, default="",
        help_text=_("SBI-sectie, alleen bewaard met peer_opt_in. Bij een organisatie geldt haar eigen sector."),
    )
    organisation = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, required=False, allow_null=True, default=None,
        help_text=_("Bewaar de uitslag in de geschiedenis van deze organisatie (u bent er lid van; "
                    "inloggen nodig). Weglaten: een anonieme uitslag."),
    )


class AssessmentPrincipleSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    rung = serializers.IntegerField(
        min_value=0, max_value=TOP_RUNG, allow_null=True, help_text=_("null: geen enkele vraag was van toepassing."),
    )
    label = serializers.CharField(source="rung_label")


class AssessmentActionSerializer(serializers.Serializer):
    question_key = serializers.CharField()
    principle = serializers.IntegerField()
    step = serializers.CharField(help_text=_("Wat te doen, in de taal van het verzoek."))
    effort = serializers.ChoiceField(choices=[("", ""), *Option.Effort.choices])
    cost = serializers.ChoiceField(choices=[("", ""), *Option.Cost.choices])
    who = serializers.ChoiceField(choices=[("", ""), *Option.Who.choices])
    is_key = serializers.BooleanField()
    reason = serializers.ChoiceField(
        choices=list(REASON_LABELS.items()),
        help_text=_("Waarom deze actie op deze plaats staat: key, weakest, quick of other (in die volgorde)."),
    )
    article_url = serializers.SerializerMethodField(help_text=_("Het kennisartikel erbij; null: geen."))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_article_url(self, action: Any) -> str | None:
        if not action.article_url:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(action.article_url) if request else action.article_url


class AssessmentResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    resume_token = serializers.CharField(
        help_text=_("Geheim: wie het token heeft, opent de uitslag. Alleen nu te zien; bewaar het."),
    )
    resume_url = serializers.URLField(help_text=_("De uitslag op de website (dezelfde geheime link)."))
    version = serializers.CharField(help_text=_("Versie van de vragenlijst"))
    overall_rung = serializers.IntegerField(
        min_value=0, max_value=TOP_RUNG, allow_null=True, help_text=_("De trede van het zwakste basisprincipe."),
    )
    overall_label = serializers.CharField()
    progress = serializers.IntegerField(
        min_value=0, max_value=100, help_text=_("Aandeel van de haalbare punten, 0-100."),
    )
    principles = AssessmentPrincipleSerializer(many=True)
    actions = AssessmentActionSerializer(many=True, help_text=_("Op volgorde: de eerste drie eerst doen."))
