"""Factories and helpers for the self-assessment.

- `QuestionSetFactory`, `QuestionFactory(scored=True | context=True, key_question=True)`,
  `OptionFactory`: hand-built sets for tests of publishing rules (a `ladder(question, rungs=...)`
  helper adds a valid option ladder).
- `ResultFactory(finished=True, anonymous=...)`: a row only, not scored; to get a scored, finished
  result use `result_finish_with(...)` (through the services) or the `finished_result` fixture.
- `answers_at(...)`: one answer per applicable question, at (or just below) a chosen rung.
"""

from __future__ import annotations

import secrets

import factory
from django.utils import timezone

from dtc.assessment import scoring, selectors, services
from dtc.assessment.models import Option, Question, QuestionSet, Result
from dtc.organisations.models import Organisation

# Context answers under which every question of 2026.1 except the "only if …" ones is shown.
DEFAULT_CONTEXT = {"size": "2-9", "it_by": "self", "cloud_suite": "no", "webshop": "no", "remote": "no"}


class QuestionSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionSet

    version = factory.Sequence(lambda n: f"9{n:03d}.1")
    title = factory.Sequence(lambda n: f"Testvragenlijst {n}")

    class Params:
        published = factory.Trait(status=QuestionSet.Status.PUBLISHED, published_at=factory.LazyFunction(timezone.now))


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    question_set = factory.SubFactory(QuestionSetFactory)
    key = factory.Sequence(lambda n: f"vraag-{n}")
    kind = Question.Kind.SCORED
    principle = 1
    order = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Vraag {n}?")

    class Params:
        context = factory.Trait(kind=Question.Kind.CONTEXT, principle=None)
        key_question = factory.Trait(is_key=True)


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    key = factory.Sequence(lambda n: f"antwoord-{n}")
    order = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Antwoord {n}")
    rung = 0
    step = "Doe de volgende stap."


def ladder(question: Question, *, rungs: tuple[int, ...] = (0, 1, 2, 3, 4)) -> list[Option]:
    """Options o0, o1, … for a scored question with these rungs, each but the last with a next step."""
    return [
        OptionFactory(question=question, key=f"o{index}", order=index, rung=rung,
                      step="" if index == len(rungs) - 1 else f"Stap vanaf trede {rung}.")
        for index, rung in enumerate(rungs)
    ]


class ResultFactory(factory.django.DjangoModelFactory):
    """A result row (not scored). Default: anonymous and in progress."""

    class Meta:
        model = Result

    question_set = factory.LazyFunction(lambda: selectors.questionset_current() or QuestionSetFactory())
    token_hash = factory.LazyFunction(lambda: services.token_hash(secrets.token_urlsafe(24)))

    class Params:
        finished = factory.Trait(status=Result.Status.FINISHED, finished_at=factory.LazyFunction(timezone.now))


def answers_at(
    question_set: QuestionSet, *, rung: int, context: dict[str, str] | None = None,
    overrides: dict[str, str] | None = None,
) -> dict[str, str]:
    """For every applicable scored question, the option with the highest rung <= `rung` (the lowest
    option if none is that low); `overrides` replaces single answers (e.g. {"q": "dont_know"})."""
    question_set = selectors.questionset_with_questions(question_set_id=question_set.pk)
    context = DEFAULT_CONTEXT if context is None else context
    answers: dict[str, str] = {}
    for spec in scoring.applicable_questions(selectors.questionset_specs(question_set), context):
        fitting = [option for option in spec.options if option.rung <= rung]
        chosen = max(fitting, key=lambda o: o.rung) if fitting else min(spec.options, key=lambda o: o.rung)
        answers[spec.key] = chosen.key
    answers.update(overrides or {})
    return answers


def result_finish_with(
    *, rung: int = 2, overrides: dict[str, str] | None = None, context: dict[str, str] | None = None,
    organisation: Organisation | None = None, peer_opt_in: bool = False, sector: str = "",
) -> services.Started:
    """A finished result on the current (published) set, taken through the services as a visitor
    would: start, context, one page of answers, finish. Returns `Started` (`.result`, `.token`)."""
    started = services.result_start(organisation=organisation)
    context = dict(DEFAULT_CONTEXT if context is None else context)
    services.result_context_save(result=started.result, context=context, peer_opt_in=peer_opt_in, sector=sector)
    answers = answers_at(started.result.question_set, rung=rung, context=context, overrides=overrides)
    services.result_answers_save(result=started.result, answers=answers, step=2)
    services.result_finish(result=started.result)
    started.result.refresh_from_db()
    return started
