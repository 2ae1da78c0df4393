"""The self-assessment in the JSON API (/api/v1/assessment/). Thin: parse input, call one selector or
service, serialize.

Anyone may read the current question set and submit a complete set of answers; the answer is the
same Report the results page renders (dtc.assessment.report), with the resume link that is shown
only this once. A result is anonymous unless a signed-in member names their organisation.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dtc.api import serializers_assessment as serializers
from dtc.api.views import PRIVATE_ERRORS, PUBLIC_ERRORS, JSONOnly, _unknown
from dtc.assessment import selectors, services
from dtc.assessment.models import DONT_KNOW, NOT_APPLICABLE, RUNG_LABELS
from dtc.assessment.report import result_report
from dtc.organisations import selectors as organisation_selectors

TAGS = [gettext_lazy("zelftest")]


def _current_question_set():
    question_set = selectors.questionset_current()
    if question_set is None:
        raise exceptions.NotFound(_("Er is nog geen vragenlijst gepubliceerd."))
    return question_set


def _special_answers() -> list[dict[str, str]]:
    return [
        {"key": DONT_KNOW, "text": _("Weet ik niet"),
         "explanation": _("Kan bij elke vraag. Telt als trede 0 en wordt een taak: zoek uit hoe het bij "
                          "jullie geregeld is.")},
        {"key": NOT_APPLICABLE, "text": _("Niet van toepassing"),
         "explanation": _("Alleen bij vragen met allow_not_applicable. De vraag telt dan niet mee: hij "
                          "verhoogt en verlaagt niets.")},
    ]


def _field_errors(errors: Any) -> dict[str, Any]:
    """Serializer errors with one entry per field, a key inside an object named as the service names
    it ("answers.<question>", "context.<question>"), so a client finds every reason in one place."""
    if not isinstance(errors, dict):
        return {"non_field_errors": errors}
    flat: dict[str, Any] = {}
    for field, messages in errors.items():
        if isinstance(messages, dict):
            for key, inner in messages.items():
                flat[f"{field}.{key}"] = inner
        else:
            flat[field] = messages
    return flat


class AssessmentQuestionsView(JSONOnly, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS, summary=gettext_lazy("De vragen van de zelftest"),
        description=gettext_lazy(
            "De vragenlijst die nu in gebruik is, in de taal van het verzoek: de treden, de contextvragen "
            "(tellen niet mee) en de vragen die meetellen, met hun antwoordopties. 404 als er nog geen "
            "vragenlijst gepubliceerd is."
        ),
        responses={200: serializers.AssessmentQuestionSetSerializer, **PUBLIC_ERRORS},
    )
    def get(self, request: Request) -> Response:
        question_set = _current_question_set()
        body = serializers.AssessmentQuestionSetSerializer({
            "version": question_set.version,
            "title": question_set.display_title,
            "rungs": [{"rung": rung, "label": str(label)} for rung, label in RUNG_LABELS.items()],
            "special_answers": _special_answers(),
            "context_questions": selectors.context_questions(question_set),
            "questions": selectors.scored_questions(question_set),
        }).data
        return Response(body)


class AssessmentResultCreateView(JSONOnly, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS, summary=gettext_lazy("Een zelftest invullen en de uitslag krijgen"),
        description=gettext_lazy(
            "Alle antwoorden in één keer; de uitslag is meteen af. Zonder organisation is de uitslag "
            "anoniem en alleen te openen met resume_token (via resume_url); met organisation (u bent "
            "ingelogd en lid) komt hij in de geschiedenis van de organisatie. Elke ongeldige of "
            "ontbrekende waarde staat in `errors`, onder answers.<vraag> of context.<vraag>."
        ),
        request=serializers.AssessmentResultCreateSerializer,
        responses={201: serializers.AssessmentResultSerializer, **PRIVATE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = serializers.AssessmentResultCreateSerializer(data=request.data)
        if not data.is_valid():
            raise exceptions.ValidationError(_field_errors(data.errors))
        values = data.validated_data
        _current_question_set()
        organisation = None
        if values["organisation"] is not None:
            # Only the user's own organisations; any other id is "unknown", whether or not it exists.
            organisation = organisation_selectors.organisations_for_user(user=request.user).filter(
                pk=values["organisation"]
            ).first()
            if organisation is None:
                raise exceptions.ValidationError({"organisation": [_unknown([values["organisation"]])]})
        started, _outcome = services.result_create_complete(
            context=values["context"], answers=values["answers"], peer_opt_in=values["peer_opt_in"],
            sector=values["sector"], organisation=organisation,
            acting_user=request.user if request.user.is_authenticated else None,
        )
        report = result_report(result=started.result)
        body = serializers.AssessmentResultSerializer({
            "id": started.result.pk,
            "resume_token": started.token,
            "resume_url": request.build_absolute_uri(reverse("assessment:resume", args=[started.token])),
            "version": report.version,
            "overall_rung": report.overall_rung,
            "overall_label": report.overall_label,
            "progress": report.progress,
            "principles": report.principles,
            "actions": report.actions,
        }, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)
