"""The ladder: pure functions that turn answers into rungs and an ordered action list.

No database, no request: the questions come in as plain `QuestionSpec`s, so the rules can be tested
exhaustively (see tests/test_scoring.py, property-based).

The rule (also shown on the results page):
- Rungs: 0 Unprotected, 1 Getting started, 2 Basics in place, 3 In control, 4 Resilient. Each answer
  to a question demonstrates one rung.
- A principle's rung is the average of the rungs of its answered questions, rounded down, and never
  higher than its lowest key question ("key measures gate a level instead of being averaged away", as
  in CyberFundamentals and the CRR).
- "Not applicable" leaves the question out (it neither raises nor lowers anything, as in CIS CSAT);
  "don't know" counts as rung 0 and becomes a task (as in the Cyber Essentials readiness tool).
- The overall rung is the weakest principle's rung: a chain is as strong as its weakest link.
- The progress figure (0-100) is the share of all points reachable on the applicable, answered
  questions: sum of rungs / (4 x questions). It moves with every improvement, also when the rung does
  not yet.
- Actions, in this order: key questions that hold a principle back, then the weakest principle's
  questions, then quick wins (under a few hours and free), then the rest. "Do these three first" are
  the first three.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

TOP_RUNG = 4
DONT_KNOW = "dont_know"
NOT_APPLICABLE = "na"
EFFORT_ORDER = {"minutes": 0, "hours": 1, "days": 2, "project": 3, "": 1}
QUICK_EFFORTS = frozenset({"minutes", "hours"})


@dataclass(frozen=True)
class OptionSpec:
    key: str
    rung: int
    effort: str = ""
    cost: str = ""
    who: str = ""


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    principle: int
    options: tuple[OptionSpec, ...]
    is_key: bool = False
    allow_na: bool = False
    show_if: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    order: int = 0
    unknown_who: str = "you"

    def option(self, key: str) -> OptionSpec | None:
        for option in self.options:
            if option.key == key:
                return option
        return None

    @property
    def top_rung(self) -> int:
        return max(option.rung for option in self.options)


@dataclass(frozen=True)
class Action:
    question_key: str
    principle: int
    answer: str  # the option key given, or DONT_KNOW
    rung: int  # the rung the answer shows now (0 for don't know)
    next_answer: str | None  # the option the step leads to; None for a don't-know task (find out first)
    is_key: bool
    effort: str
    cost: str
    who: str
    reason: str  # "key", "weakest", "quick" or "other"

    @property
    def is_unknown(self) -> bool:
        return self.answer == DONT_KNOW


@dataclass(frozen=True)
class Score:
    principle_rungs: dict[int, int | None]
    overall_rung: int | None
    progress: int
    actions: tuple[Action, ...]
    applicable: tuple[str, ...]

    @property
    def top_three(self) -> tuple[Action, ...]:
        return self.actions[:3]


def is_applicable(question: QuestionSpec, context: Mapping[str, str]) -> bool:
    """Shown unless a skip rule names a context answer the business gave otherwise.

    A context question left unanswered never hides a question: better one question too many than a
    gap in the advice."""
    for context_key, allowed in question.show_if.items():
        given = context.get(context_key)
        if given and given not in allowed:
            return False
    return True


def applicable_questions(questions: Iterable[QuestionSpec], context: Mapping[str, str]) -> list[QuestionSpec]:
    return [question for question in questions if is_applicable(question, context)]


def answer_rung(question: QuestionSpec, answer: str) -> int | None:
    """The rung an answer shows; None for "not applicable" (left out) and for an invalid answer."""
    if answer == DONT_KNOW:
        return 0
    if answer == NOT_APPLICABLE:
        return None
    option = question.option(answer)
    return option.rung if option else None


def answer_error(question: QuestionSpec, answer: object) -> str | None:
    """Why an answer is not acceptable (a code the caller translates), or None when it is fine."""
    if answer is None or answer == "":
        return "missing"
    if not isinstance(answer, str):
        return "invalid"
    if answer == DONT_KNOW:
        return None
    if answer == NOT_APPLICABLE:
        return None if question.allow_na else "na_not_allowed"
    return None if question.option(answer) else "unknown_option"


def next_option(question: QuestionSpec, answer: str) -> OptionSpec | None:
    """The option one step up from the given answer (the lowest option with a higher rung)."""
    current = answer_rung(question, answer)
    if current is None or answer == DONT_KNOW:
        return None
    higher = [option for option in question.options if option.rung > current]
    return min(higher, key=lambda option: option.rung) if higher else None


def score(
    questions: Iterable[QuestionSpec], context: Mapping[str, str], answers: Mapping[str, str]
) -> Score:
    """Score a complete (or partial) set of answers. Unanswered and invalid answers count as not given."""
    shown = applicable_questions(questions, context)
    rungs_by_principle: dict[int, list[int]] = {}
    key_rungs: dict[int, list[int]] = {}
    points = 0
    counted = 0
    for question in shown:
        rungs_by_principle.setdefault(question.principle, [])
        rung = answer_rung(question, answers.get(question.key, ""))
        if rung is None:
            continue
        rungs_by_principle[question.principle].append(rung)
        if question.is_key:
            key_rungs.setdefault(question.principle, []).append(rung)
        points += rung
        counted += 1

    principle_rungs: dict[int, int | None] = {}
    for principle, rungs in sorted(rungs_by_principle.items()):
        if not rungs:
            principle_rungs[principle] = None
            continue
        rung = sum(rungs) // len(rungs)
        if key_rungs.get(principle):
            rung = min(rung, min(key_rungs[principle]))
        principle_rungs[principle] = rung
    known = [rung for rung in principle_rungs.values() if rung is not None]
    overall = min(known) if known else None
    progress = (points * 100) // (TOP_RUNG * counted) if counted else 0

    actions = _actions(shown, answers, principle_rungs, overall)
    return Score(
        principle_rungs=principle_rungs,
        overall_rung=overall,
        progress=progress,
        actions=tuple(actions),
        applicable=tuple(question.key for question in shown),
    )


def _actions(
    shown: list[QuestionSpec],
    answers: Mapping[str, str],
    principle_rungs: Mapping[int, int | None],
    overall: int | None,
) -> list[Action]:
    ranked: list[tuple[tuple, Action]] = []
    for question in shown:
        answer = answers.get(question.key, "")
        rung = answer_rung(question, answer)
        if rung is None or rung >= question.top_rung:
            continue
        principle_rung = principle_rungs.get(question.principle)
        principle_rung = TOP_RUNG if principle_rung is None else principle_rung
        if answer == DONT_KNOW:
            effort, cost, who, next_key = "minutes", "free", question.unknown_who, None
        else:
            option = question.option(answer)
            step_to = next_option(question, answer)
            assert option is not None and step_to is not None
            effort, cost, who, next_key = option.effort, option.cost, option.who, step_to.key
        if question.is_key and rung <= principle_rung:
            reason, group = "key", 0
        elif overall is not None and principle_rung == overall:
            reason, group = "weakest", 1
        elif effort in QUICK_EFFORTS and cost == "free":
            reason, group = "quick", 2
        else:
            reason, group = "other", 3
        sort_key = (group, principle_rung, rung, EFFORT_ORDER.get(effort, 1), question.principle, question.order)
        ranked.append((sort_key, Action(
            question_key=question.key, principle=question.principle, answer=answer, rung=rung,
            next_answer=next_key, is_key=question.is_key, effort=effort, cost=cost, who=who, reason=reason,
        )))
    ranked.sort(key=lambda pair: pair[0])
    return [action for _sort_key, action in ranked]
