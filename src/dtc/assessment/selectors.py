"""Reading the self-assessment: the current question set, results, peer groups and figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet

from dtc.assessment import scoring
from dtc.assessment.models import Option, Question, QuestionSet, ReferenceFigure, Result


def questionset_current() -> QuestionSet | None:
    """The published question set, with its questions and options loaded (three queries)."""
    return (
        QuestionSet.objects.filter(status=QuestionSet.Status.PUBLISHED)
        .prefetch_related(Prefetch("questions", queryset=Question.objects.prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("order", "id"))
        ).order_by("kind", "principle", "order", "id")))
        .first()
    )


def questionset_with_questions(*, question_set_id: int) -> QuestionSet:
    return (
        QuestionSet.objects.prefetch_related(Prefetch("questions", queryset=Question.objects.prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("order", "id"))
        ).order_by("kind", "principle", "order", "id")))
        .get(pk=question_set_id)
    )


def context_questions(question_set: QuestionSet) -> list[Question]:
    return [q for q in question_set.questions.all() if q.kind == Question.Kind.CONTEXT]


def scored_questions(question_set: QuestionSet) -> list[Question]:
    return [q for q in question_set.questions.all() if q.kind == Question.Kind.SCORED]


def question_spec(question: Question) -> scoring.QuestionSpec:
    return scoring.QuestionSpec(
        key=question.key,
        principle=question.principle or 0,
        options=tuple(
            scoring.OptionSpec(
                key=option.key, rung=option.rung or 0, effort=option.effort, cost=option.cost, who=option.who
            )
            for option in question.options.all()
        ),
        is_key=question.is_key,
        allow_na=question.allow_not_applicable,
        show_if={key: tuple(values) for key, values in (question.show_if or {}).items()},
        order=question.order,
        unknown_who=question.unknown_who,
    )


def questionset_specs(question_set: QuestionSet) -> list[scoring.QuestionSpec]:
    return [question_spec(question) for question in scored_questions(question_set)]


def principles_of(question_set: QuestionSet) -> list[int]:
    return sorted({q.principle for q in scored_questions(question_set) if q.principle})


def results_of_organisation(*, organisation_id: int) -> QuerySet[Result]:
    """An organisation's history, oldest first (so a chart reads left to right)."""
    return Result.objects.filter(organisation_id=organisation_id).select_related("question_set").order_by(
        "created_at", "id"
    )


@dataclass(frozen=True)
class PeerGroup:
    sector: str
    size_class: str
    count: int
    overall_distribution: dict[int, int]
    principle_average: dict[int, float]
    shown: bool  # False below the minimum group size: then nothing of the group is revealed


def peer_group(*, sector: str, size_class: str) -> PeerGroup:
    """Anonymous aggregates over finished, opted-in results of one sector and size class.

    Only groups of at least DTC_ASSESSMENT_MIN_PEERS results are shown, so no single result can be
    recognised; smaller groups reveal not even their count."""
    minimum = settings.DTC_ASSESSMENT_MIN_PEERS
    rows = list(
        Result.objects.filter(
            status=Result.Status.FINISHED, peer_opt_in=True, sector=sector, size_class=size_class
        ).values_list("overall_rung", "principle_rungs")
    )
    if not sector or not size_class or len(rows) < minimum:
        return PeerGroup(sector, size_class, 0, {}, {}, False)
    distribution = Counter(rung for rung, _principles in rows if rung is not None)
    sums: Counter[int] = Counter()
    counts: Counter[int] = Counter()
    for _rung, principles in rows:
        for principle, rung in (principles or {}).items():
            if rung is not None:
                sums[int(principle)] += rung
                counts[int(principle)] += 1
    return PeerGroup(
        sector=sector,
        size_class=size_class,
        count=len(rows),
        overall_distribution={rung: distribution.get(rung, 0) for rung in range(scoring.TOP_RUNG + 1)},
        principle_average={p: round(sums[p] / counts[p], 1) for p in sorted(counts)},
        shown=True,
    )


def reference_figures() -> QuerySet[ReferenceFigure]:
    return ReferenceFigure.objects.all()


def assessment_figures() -> dict:
    """Counts and rung distributions for the reach-and-effect figures. No identities, no answers."""
    finished = Result.objects.filter(status=Result.Status.FINISHED)
    by_rung = dict(finished.values_list("overall_rung").annotate(n=Count("id")).order_by())
    return {
        "started": Result.objects.count(),
        "finished": finished.count(),
        "organisations_with_history": (
            finished.exclude(organisation=None).values("organisation").annotate(n=Count("id"))
            .filter(n__gte=2).count()
        ),
        "overall_rung_distribution": {rung: by_rung.get(rung, 0) for rung in range(scoring.TOP_RUNG + 1)},
        "actions_done": sum(finished.values_list("actions_done", flat=True)),
    }


def assessment_user_data(*, user) -> list[dict]:
    """For the personal data export: the self-assessments of the user's organisations (anonymous runs are
    not linked to anyone, so they cannot be found for a person)."""
    from dtc.core.visibility import assessment_results_visible_to

    results = assessment_results_visible_to(user=user).select_related("organisation", "question_set").order_by(
        "created_at", "id"
    )
    return [
        {
            "organisation": result.organisation.name if result.organisation else None,
            "question_set": result.question_set.version,
            "status": result.status,
            "created_at": result.created_at.isoformat(),
            "finished_at": result.finished_at.isoformat() if result.finished_at else None,
            "overall_rung": result.overall_rung,
            "progress": result.progress,
            "principle_rungs": result.principle_rungs,
            "context": result.context,
            "answers": result.answers,
            "actions_done": result.actions_done,
        }
        for result in results
    ]
