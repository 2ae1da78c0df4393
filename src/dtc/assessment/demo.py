"""Demo content for the self-assessment: the question set, the reference figures, and two results of
the demo bakery half a year apart, so its history shows progress. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dtc.assessment import scoring, selectors, services
from dtc.assessment.models import Result
from dtc.organisations.demo import DEMO_ORGANISATION
from dtc.organisations.models import Organisation

BAKERY_CONTEXT = {"size": "2-9", "it_by": "supplier", "cloud_suite": "yes", "webshop": "yes", "remote": "no"}


def _answers(question_set, *, level: int) -> dict[str, str]:
    """Plausible answers: at level 0 mostly the weakest options and a few "don't know"s, at level 1 one
    or two options better, the key measures fixed first (as the action list advises)."""
    answers: dict[str, str] = {}
    specs = scoring.applicable_questions(selectors.questionset_specs(question_set), BAKERY_CONTEXT)
    for index, spec in enumerate(specs):
        options = spec.options
        if level == 0:
            answers[spec.key] = scoring.DONT_KNOW if index % 7 == 3 else options[min(index % 2, len(options) - 1)].key
        else:
            position = len(options) - 2 if spec.is_key else min(1 + index % 3, len(options) - 1)
            answers[spec.key] = options[position].key
    return answers


def assessment_demo_load() -> dict[str, int]:
    question_set, created = services.questionset_load()
    figures = services.reference_figures_load()
    bakery = Organisation.objects.filter(kvk_number=DEMO_ORGANISATION["kvk_number"]).first()
    results = 0
    if bakery is not None and not Result.objects.filter(organisation=bakery).exists():
        question_set = selectors.questionset_with_questions(question_set_id=question_set.pk)
        now = timezone.now()
        for level, days_ago in ((0, 182), (1, 14)):
            started = services.result_start(organisation=bakery)
            result = started.result
            services.result_context_save(result=result, context=BAKERY_CONTEXT, peer_opt_in=True)
            services.result_answers_save(result=result, answers=_answers(question_set, level=level), step=5)
            services.result_finish(result=result)
            moment = now - dt.timedelta(days=days_ago)
            Result.objects.filter(pk=result.pk).update(created_at=moment, updated_at=moment, finished_at=moment)
            results += 1
    return {"question_sets": int(created), "reference_figures": figures, "results": results}
