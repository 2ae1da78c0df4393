"""Changing the self-assessment: loading and publishing question sets, taking and updating results."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtc.assessment import scoring, selectors
from dtc.assessment.models import ActionDone, Option, Question, QuestionSet, ReferenceFigure, Result
from dtc.core.audit import audit_log_record
from dtc.organisations.models import Organisation, Sector, SizeClass, User

QUESTIONSETS_DIR = Path(__file__).resolve().parent / "questionsets"
CONTEXT_SIZE = "size"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Question sets -------------------------------------------------------------------------------


def questionset_problems(question_set: QuestionSet) -> list[str]:
    """What stops a set from being published: the scoring assumes these hold."""
    question_set = selectors.questionset_with_questions(question_set_id=question_set.pk)
    problems: list[str] = []
    scored = selectors.scored_questions(question_set)
    context = selectors.context_questions(question_set)
    context_keys = {q.key: {o.key for o in q.options.all()} for q in context}
    if not scored:
        problems.append(_("De vragenlijst heeft geen vragen die meetellen."))
    for question in scored:
        options = list(question.options.all())
        rungs = [option.rung for option in options]
        if question.principle is None:
            problems.append(_("Vraag %(key)s hoort bij geen basisprincipe.") % {"key": question.key})
        if len(options) < 2:
            problems.append(_("Vraag %(key)s heeft minder dan twee antwoorden.") % {"key": question.key})
            continue
        known = [rung for rung in rungs if rung is not None]
        if len(known) != len(rungs):
            problems.append(_("Bij vraag %(key)s heeft een antwoord geen trede.") % {"key": question.key})
            continue
        if any(a >= b for a, b in zip(known, known[1:], strict=False)):
            problems.append(_("De treden van vraag %(key)s lopen niet op.") % {"key": question.key})
        if rungs[-1] != scoring.TOP_RUNG:
            problems.append(_("Het beste antwoord op vraag %(key)s is niet trede 4.") % {"key": question.key})
        for option in options[:-1]:
            if not option.step:
                problems.append(_("Antwoord %(option)s van vraag %(key)s heeft geen volgende stap.")
                                % {"option": option.key, "key": question.key})
        for context_key, values in (question.show_if or {}).items():
            if context_key not in context_keys or not set(values) <= context_keys[context_key]:
                problems.append(_("De toon-regel van vraag %(key)s noemt een onbekend contextantwoord.")
                                % {"key": question.key})
        if question.is_key and question.show_if:
            problems.append(_("Sleutelvraag %(key)s moet altijd getoond worden.") % {"key": question.key})
    for principle in sorted({q.principle for q in scored if q.principle}):
        if not any(q.principle == principle and not q.show_if and not q.allow_not_applicable for q in scored):
            problems.append(_("Basisprincipe %(n)s heeft geen vraag die iedereen moet beantwoorden.")
                            % {"n": principle})
    return problems


@transaction.atomic
def questionset_publish(*, question_set: QuestionSet, acting_user: User | None) -> QuestionSet:
    if question_set.status != QuestionSet.Status.DRAFT:
        raise ValidationError(_("Alleen een concept kan in gebruik worden genomen."), code="not_draft")
    problems = questionset_problems(question_set)
    if problems:
        raise ValidationError(problems)
    QuestionSet.objects.filter(status=QuestionSet.Status.PUBLISHED).exclude(pk=question_set.pk).update(
        status=QuestionSet.Status.RETIRED
    )
    question_set.status = QuestionSet.Status.PUBLISHED
    question_set.published_at = timezone.now()
    question_set.save(update_fields=["status", "published_at"])
    audit_log_record(actor=acting_user, action="assessment.questionset_publish", target=question_set,
              after={"version": question_set.version})
    return question_set


@transaction.atomic
def questionset_copy(*, question_set: QuestionSet, version: str, acting_user: User | None) -> QuestionSet:
    """A new draft with the same questions and answers, for editors to change."""
    source = selectors.questionset_with_questions(question_set_id=question_set.pk)
    copy = QuestionSet.objects.create(version=version, title=source.title, title_en=source.title_en)
    for question in source.questions.all():
        options = list(question.options.all())
        question.pk = None
        question.question_set = copy
        question.save()
        for option in options:
            option.pk = None
            option.question = question
            option.save()
    audit_log_record(actor=acting_user, action="assessment.questionset_copy", target=copy,
              after={"from": source.version, "version": version})
    return copy


def _text(value: Any, language: str) -> str:
    if isinstance(value, dict):
        return str(value.get(language, "") or "")
    return str(value or "") if language == "nl" else ""


@transaction.atomic
def questionset_load(*, directory: Path | None = None, publish: bool = True) -> tuple[QuestionSet, bool]:
    """Load a question set written as JSON files (context.json + principle-N.json) into the database.

    Idempotent: a version that already exists is left as it is (editors may have changed it).
    Returns the set and whether it was created."""
    directory = directory or QUESTIONSETS_DIR / settings.DTC_ASSESSMENT_QUESTIONSET
    meta = json.loads((directory / "context.json").read_text(encoding="utf-8"))
    existing = QuestionSet.objects.filter(version=meta["version"]).first()
    if existing:
        return existing, False
    question_set = QuestionSet.objects.create(
        version=meta["version"], title=_text(meta["title"], "nl"), title_en=_text(meta["title"], "en")
    )
    for order, item in enumerate(meta["context"]):
        question = Question.objects.create(
            question_set=question_set, key=item["key"], kind=Question.Kind.CONTEXT, order=order,
            text=_text(item["text"], "nl"), text_en=_text(item["text"], "en"),
            help=_text(item.get("help"), "nl"), help_en=_text(item.get("help"), "en"),
        )
        Option.objects.bulk_create([
            Option(question=question, key=option["key"], order=index,
                   text=_text(option["text"], "nl"), text_en=_text(option["text"], "en"))
            for index, option in enumerate(item["options"])
        ])
    for path in sorted(directory.glob("principle-*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for order, item in enumerate(data["questions"]):
            question = Question.objects.create(
                question_set=question_set, key=item["key"], kind=Question.Kind.SCORED,
                principle=data["principle"], order=order,
                text=_text(item["text"], "nl"), text_en=_text(item["text"], "en"),
                help=_text(item.get("help"), "nl"), help_en=_text(item.get("help"), "en"),
                is_key=bool(item.get("key_question")), allow_not_applicable=bool(item.get("not_applicable")),
                show_if=item.get("show_if") or {}, article_slug=item.get("article") or "",
                unknown_step=_text(item.get("unknown_step"), "nl"),
                unknown_step_en=_text(item.get("unknown_step"), "en"),
                unknown_who=item.get("unknown_who") or "you",
            )
            Option.objects.bulk_create([
                Option(
                    question=question, key=option["key"], order=index, rung=option["rung"],
                    text=_text(option["text"], "nl"), text_en=_text(option["text"], "en"),
                    step=_text(option.get("step"), "nl"), step_en=_text(option.get("step"), "en"),
                    effort=option.get("effort", ""), cost=option.get("cost", ""), who=option.get("who", ""),
                )
                for index, option in enumerate(item["options"])
            ])
    if publish:
        questionset_publish(question_set=question_set, acting_user=None)
    return question_set, True


@transaction.atomic
def reference_figures_load(*, path: Path | None = None) -> int:
    """Load the reference figures of the JSON file (each with its published source) when there are none
    yet; once there are, editors keep them up to date in the back office and a reload changes nothing."""
    path = path or QUESTIONSETS_DIR / "reference-figures.json"
    if not path.exists() or ReferenceFigure.objects.exists():
        return 0
    figures = json.loads(path.read_text(encoding="utf-8"))["figures"]
    ReferenceFigure.objects.bulk_create([
        ReferenceFigure(
            measure=item.get("measure", ""), label=_text(item["label"], "nl"), label_en=_text(item["label"], "en"),
            value_percent=Decimal(str(item["value_percent"])), population=_text(item["population"], "nl"),
            population_en=_text(item["population"], "en"), size_class=item.get("size_class", ""),
            year=item["year"], source=item["source"], url=item["url"], order=index,
        )
        for index, item in enumerate(figures)
    ])
    return len(figures)


# --- Results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    result: Result
    token: str


def result_start(*, organisation: Organisation | None = None, acting_user: User | None = None) -> Started:
    """Start a run through the current question set. The resume token is returned once; only its hash is kept."""
    question_set = selectors.questionset_current()
    if question_set is None:
        raise ValidationError(_("Er is nog geen vragenlijst gepubliceerd."))
    token = secrets.token_urlsafe(24)
    context: dict[str, str] = {}
    if organisation is not None and organisation.size_class:
        context[CONTEXT_SIZE] = organisation.size_class
    result = Result.objects.create(
        question_set=question_set, organisation=organisation, token_hash=token_hash(token), context=context
    )
    if organisation is not None:
        audit_log_record(actor=acting_user, action="assessment.start", target=result, after={})
    return Started(result=result, token=token)


def result_token_renew(*, result: Result) -> str:
    """A new resume link (the old one stops working): the only way to show a link again."""
    token = secrets.token_urlsafe(24)
    result.token_hash = token_hash(token)
    result.save(update_fields=["token_hash"])
    return token


def _rescore(result: Result, question_set: QuestionSet | None = None) -> scoring.Score:
    question_set = question_set or selectors.questionset_with_questions(question_set_id=result.question_set_id)
    outcome = scoring.score(selectors.questionset_specs(question_set), result.context, result.answers)
    result.overall_rung = outcome.overall_rung
    result.progress = outcome.progress
    result.principle_rungs = {str(p): rung for p, rung in outcome.principle_rungs.items()}
    return outcome


def result_context_save(
    *, result: Result, context: dict[str, str], peer_opt_in: bool, sector: str = "",
) -> Result:
    """Store the context answers (they decide which questions follow) and the peer-comparison choice."""
    question_set = selectors.questionset_with_questions(question_set_id=result.question_set_id)
    allowed = {q.key: {o.key for o in q.options.all()} for q in selectors.context_questions(question_set)}
    clean = {
        key: value for key, value in context.items()
        if key in allowed and isinstance(value, str) and value in allowed[key]
    }
    if CONTEXT_SIZE not in clean and result.context.get(CONTEXT_SIZE):
        clean[CONTEXT_SIZE] = result.context[CONTEXT_SIZE]  # from the organisation profile
    result.context = clean
    result.peer_opt_in = peer_opt_in
    if result.organisation_id:
        organisation = result.organisation
        assert organisation is not None
        sector = organisation.sector
    result.sector = sector if peer_opt_in and sector in Sector.values else ""
    size = clean.get(CONTEXT_SIZE, "")
    result.size_class = size if peer_opt_in and size in SizeClass.values else ""
    result.step = max(result.step, 1)
    result.updated_at = timezone.now()
    _rescore(result, question_set)
    result.save()
    return result


def result_answers_save(*, result: Result, answers: dict[str, str], step: int) -> Result:
    """Merge one page of answers. Only valid answers to questions of this set are kept."""
    question_set = selectors.questionset_with_questions(question_set_id=result.question_set_id)
    specs = {spec.key: spec for spec in selectors.questionset_specs(question_set)}
    merged = dict(result.answers)
    for key, answer in answers.items():
        spec = specs.get(key)
        if spec is not None and scoring.answer_error(spec, answer) is None:
            merged[key] = answer
    result.answers = merged
    result.step = max(result.step, step)
    result.updated_at = timezone.now()
    _rescore(result, question_set)
    result.save()
    return result


def result_missing(*, result: Result) -> list[str]:
    """The applicable questions still without an answer, in order."""
    question_set = selectors.questionset_with_questions(question_set_id=result.question_set_id)
    shown = scoring.applicable_questions(selectors.questionset_specs(question_set), result.context)
    return [spec.key for spec in shown if scoring.answer_error(spec, result.answers.get(spec.key)) is not None]


def result_finish(*, result: Result) -> Result:
    missing = result_missing(result=result)
    if missing:
        raise ValidationError(_("Nog niet alle vragen zijn beantwoord."), code="incomplete")
    now = timezone.now()
    result.status = Result.Status.FINISHED
    result.finished_at = result.finished_at or now
    result.updated_at = now
    _rescore(result)
    result.save()
    return result


def answers_errors(*, question_set: QuestionSet, context: dict, answers: dict) -> dict[str, str]:
    """Per field, why the answers cannot be scored (translated). Empty when everything is fine."""
    messages = {
        "missing": _("Deze vraag is niet beantwoord."),
        "invalid": _("Een antwoord is de sleutel van een antwoordoptie, als tekst."),
        "na_not_allowed": _("'Niet van toepassing' kan bij deze vraag niet."),
        "unknown_option": _("Dit antwoord bestaat niet bij deze vraag."),
        "unknown_question": _("Deze vraag bestaat niet in de huidige vragenlijst."),
        "unknown_context": _("Dit contextantwoord bestaat niet."),
    }
    errors: dict[str, str] = {}
    context_options = {q.key: {o.key for o in q.options.all()} for q in selectors.context_questions(question_set)}
    for key, value in context.items():
        if key not in context_options:
            errors[f"context.{key}"] = messages["unknown_question"]
        elif not isinstance(value, str) or value not in context_options[key]:
            errors[f"context.{key}"] = messages["unknown_context"]
    specs = selectors.questionset_specs(question_set)
    known = {spec.key for spec in specs}
    for key in answers:
        if key not in known:
            errors[f"answers.{key}"] = messages["unknown_question"]
    for spec in scoring.applicable_questions(specs, {k: v for k, v in context.items() if isinstance(v, str)}):
        code = scoring.answer_error(spec, answers.get(spec.key))
        if code:
            errors[f"answers.{spec.key}"] = messages[code]
    return errors


@transaction.atomic
def result_create_complete(
    *, context: dict[str, str], answers: dict[str, str], peer_opt_in: bool = False, sector: str = "",
    organisation: Organisation | None = None, acting_user: User | None = None,
) -> tuple[Started, scoring.Score]:
    """Score a complete set of answers in one go (the API). Raises ValidationError with a dict per field."""
    question_set = selectors.questionset_current()
    if question_set is None:
        raise ValidationError(_("Er is nog geen vragenlijst gepubliceerd."))
    errors = answers_errors(question_set=question_set, context=context, answers=answers)
    if errors:
        raise ValidationError(errors)
    started = result_start(organisation=organisation, acting_user=acting_user)
    result = started.result
    result_context_save(result=result, context=context, peer_opt_in=peer_opt_in, sector=sector)
    shown = {s.key for s in scoring.applicable_questions(selectors.questionset_specs(question_set), context)}
    result.answers = {key: value for key, value in answers.items() if key in shown}
    result_finish(result=result)
    outcome = scoring.score(selectors.questionset_specs(question_set), result.context, result.answers)
    return started, outcome


@transaction.atomic
def result_action_done(*, result: Result, question_key: str, acting_user: User | None) -> Result:
    """Tick an action off: the answer moves one option up and the result is scored again, without retaking.

    A don't-know task cannot be ticked off (what is the answer?); the business answers the question instead."""
    result = Result.objects.select_for_update().get(pk=result.pk)
    if not result.is_finished:
        raise ValidationError(_("Maak de zelftest eerst af."))
    question_set = selectors.questionset_with_questions(question_set_id=result.question_set_id)
    specs = {spec.key: spec for spec in selectors.questionset_specs(question_set)}
    spec = specs.get(question_key)
    answer = result.answers.get(question_key, "")
    step_to = scoring.next_option(spec, answer) if spec else None
    if spec is None or step_to is None:
        raise ValidationError(_("Deze actie kan niet worden afgevinkt."))
    result.answers = {**result.answers, question_key: step_to.key}
    result.actions_done += 1
    result.updated_at = timezone.now()
    _rescore(result, question_set)
    result.save()
    ActionDone.objects.create(result=result, question_key=question_key, from_answer=answer, to_answer=step_to.key)
    if result.organisation_id:
        audit_log_record(actor=acting_user, action="assessment.action_done", target=result,
                  after={"question": question_key, "to": step_to.key})
    return result


@transaction.atomic
def result_answer_change(*, result: Result, question_key: str, answer: str, acting_user: User | None) -> Result:
    """Answer one question again on a finished result (e.g. after finding out a don't-know)."""
    result = Result.objects.select_for_update().get(pk=result.pk)
    if not result.is_finished:
        raise ValidationError(_("Maak de zelftest eerst af."))
    question_set = selectors.questionset_with_questions(question_set_id=result.question_set_id)
    specs = {spec.key: spec for spec in selectors.questionset_specs(question_set)}
    spec = specs.get(question_key)
    if spec is None or scoring.answer_error(spec, answer) is not None:
        raise ValidationError(_("Kies een van de antwoorden."))
    result.answers = {**result.answers, question_key: answer}
    result.updated_at = timezone.now()
    _rescore(result, question_set)
    result.save()
    return result


@transaction.atomic
def result_claim(*, result: Result, organisation: Organisation, acting_user: User) -> Result:
    """Keep an anonymous result in the organisation's history (the member chooses to)."""
    from dtc.organisations.selectors import membership_for

    if membership_for(user=acting_user, organisation=organisation) is None:
        raise ValidationError(_("Je bent geen lid van deze organisatie."))
    result = Result.objects.select_for_update().get(pk=result.pk)
    if result.organisation_id and result.organisation_id != organisation.pk:
        raise ValidationError(_("Deze uitslag hoort al bij een andere organisatie."))
    result.organisation = organisation
    if result.peer_opt_in:
        result.sector = organisation.sector
    result.save(update_fields=["organisation", "sector"])
    audit_log_record(actor=acting_user, action="assessment.claim", target=result, after={})
    return result


def results_purge(*, now: dt.datetime | None = None) -> int:
    """Delete anonymous results not changed for DTC_RETENTION["assessment_anonymous"] days."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.DTC_RETENTION["assessment_anonymous"])
    deleted, _detail = Result.objects.filter(organisation=None, updated_at__lt=cutoff).delete()
    return deleted
