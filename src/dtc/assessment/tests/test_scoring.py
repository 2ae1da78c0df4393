"""The ladder rule (scoring.py), checked over random question sets and random answers.

- A principle's rung is the average of its answered questions' rungs, rounded down, and never higher
  than any of its answered key questions.
- "Not applicable" is the same as the question not being there; "don't know" counts as rung 0 and
  always becomes a find-out task (no next answer).
- The overall rung is the weakest principle's rung.
- A better answer never makes anything worse (principle rungs, overall rung, progress).
- One action per applicable answered question below its top answer, grouped key -> weakest -> quick
  -> other; "do these three first" are the first three.
- A skip rule hides a question only when the business gave a different context answer; a missing
  context answer never hides anything.

Pure functions: no database.
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dtc.assessment import scoring
from dtc.assessment.scoring import DONT_KNOW, NOT_APPLICABLE, OptionSpec, QuestionSpec

SETTINGS = {
    "deadline": None,
    "database": None,  # no .hypothesis directory in the repository
    "max_examples": 300,
    "suppress_health_check": [HealthCheck.too_slow],
}

CONTEXT_KEYS = ("size", "webshop")
CONTEXT_VALUES = ("a", "b", "c")
EFFORTS = ("minutes", "hours", "days", "project", "")
COSTS = ("free", "low", "medium", "high", "")
GROUP_ORDER = {"key": 0, "weakest": 1, "quick": 2, "other": 3}


# --- Strategies ----------------------------------------------------------------------------------


@st.composite
def ladders(draw) -> tuple[int, ...]:
    """Strictly increasing rungs, at least two (what questionset_problems enforces, top not forced)."""
    return tuple(sorted(draw(st.sets(st.integers(0, scoring.TOP_RUNG), min_size=2, max_size=5))))


@st.composite
def option_specs(draw, rungs: tuple[int, ...]) -> tuple[OptionSpec, ...]:
    return tuple(
        OptionSpec(key=f"o{rung}", rung=rung, effort=draw(st.sampled_from(EFFORTS)),
                   cost=draw(st.sampled_from(COSTS)), who=draw(st.sampled_from(("you", "supplier", "both", ""))))
        for rung in rungs
    )


show_ifs = st.dictionaries(
    st.sampled_from(CONTEXT_KEYS),
    st.lists(st.sampled_from(CONTEXT_VALUES), min_size=1, max_size=3, unique=True).map(tuple),
    max_size=2,
)
contexts = st.dictionaries(st.sampled_from(CONTEXT_KEYS), st.sampled_from((*CONTEXT_VALUES, "")), max_size=2)


@st.composite
def question_sets(draw, min_size: int = 1) -> list[QuestionSpec]:
    count = draw(st.integers(min_size, 12))
    questions = []
    for index in range(count):
        is_key = draw(st.booleans())
        questions.append(QuestionSpec(
            key=f"q{index}",
            principle=draw(st.integers(1, 3)),  # few principles, so several questions share one
            options=draw(option_specs(draw(ladders()))),
            is_key=is_key,
            allow_na=draw(st.booleans()),
            show_if={} if is_key else draw(show_ifs),  # a key question is always shown (problems rule)
            order=index,
            unknown_who=draw(st.sampled_from(("you", "supplier"))),
        ))
    return questions


@st.composite
def answer_sets(draw, questions: list[QuestionSpec]) -> dict[str, str]:
    """Per question: an option, don't know, not applicable (where allowed), nothing, or rubbish."""
    answers: dict[str, str] = {}
    for question in questions:
        choices = [option.key for option in question.options] + [DONT_KNOW, "", "bestaat-niet"]
        if question.allow_na:
            choices.append(NOT_APPLICABLE)
        answer = draw(st.sampled_from(choices))
        if answer:
            answers[question.key] = answer
    return answers


@st.composite
def scenarios(draw, min_size: int = 1):
    questions = draw(question_sets(min_size=min_size))
    return questions, draw(contexts), draw(answer_sets(questions))


def shown_answered(questions, context, answers):
    """(question, rung) for every applicable question whose answer counts."""
    pairs = []
    for question in scoring.applicable_questions(questions, context):
        rung = scoring.answer_rung(question, answers.get(question.key, ""))
        if rung is not None:
            pairs.append((question, rung))
    return pairs


# --- Properties ----------------------------------------------------------------------------------


@settings(**SETTINGS)
@given(scenarios())
def test_principle_is_the_rounded_down_average_capped_by_every_key_question(scenario):
    questions, context, answers = scenario
    outcome = scoring.score(questions, context, answers)
    pairs = shown_answered(questions, context, answers)
    for principle, rung in outcome.principle_rungs.items():
        in_principle = [(q, r) for q, r in pairs if q.principle == principle]
        if not in_principle:
            assert rung is None
            continue
        assert rung is not None
        for question, answer_rung in in_principle:
            if question.is_key:
                assert rung <= answer_rung, (question.key, rung, answer_rung)
        average = sum(r for _q, r in in_principle) // len(in_principle)
        keys = [r for q, r in in_principle if q.is_key]
        assert rung == min([average, *keys])


@settings(**SETTINGS)
@given(scenarios(), st.data())
def test_not_applicable_is_the_same_as_the_question_not_being_there(scenario, data):
    questions, context, answers = scenario
    allowing = [q for q in questions if q.allow_na]
    assume(allowing)
    question = data.draw(st.sampled_from(allowing))
    with_na = scoring.score(questions, context, {**answers, question.key: NOT_APPLICABLE})
    without = scoring.score(
        [q for q in questions if q.key != question.key], context,
        {k: v for k, v in answers.items() if k != question.key},
    )
    assert with_na.overall_rung == without.overall_rung
    assert with_na.progress == without.progress
    assert with_na.actions == without.actions
    # The one difference allowed: a principle left without questions is absent instead of None.
    expected = dict(without.principle_rungs)
    if scoring.is_applicable(question, context):
        expected.setdefault(question.principle, None)
    assert with_na.principle_rungs == dict(sorted(expected.items()))


@settings(**SETTINGS)
@given(scenarios(), st.data())
def test_dont_know_counts_as_rung_zero_and_becomes_a_find_out_task(scenario, data):
    questions, context, answers = scenario
    shown = scoring.applicable_questions(questions, context)
    assume(shown)
    question = data.draw(st.sampled_from(shown))
    outcome = scoring.score(questions, context, {**answers, question.key: DONT_KNOW})

    tasks = [action for action in outcome.actions if action.question_key == question.key]
    assert len(tasks) == 1
    task = tasks[0]
    assert task.is_unknown
    assert task.next_answer is None
    assert task.rung == 0
    assert (task.effort, task.cost, task.who) == ("minutes", "free", question.unknown_who)

    zero = [option for option in question.options if option.rung == 0]
    if zero:
        as_zero = scoring.score(questions, context, {**answers, question.key: zero[0].key})
        assert outcome.principle_rungs == as_zero.principle_rungs
        assert outcome.overall_rung == as_zero.overall_rung
        assert outcome.progress == as_zero.progress


@settings(**SETTINGS)
@given(scenarios())
def test_overall_is_the_weakest_principle(scenario):
    outcome = scoring.score(*scenario)
    known = [rung for rung in outcome.principle_rungs.values() if rung is not None]
    assert outcome.overall_rung == (min(known) if known else None)


@settings(**SETTINGS)
@given(scenarios(), st.data())
def test_a_better_answer_never_lowers_anything(scenario, data):
    questions, context, answers = scenario
    improvable = []
    for question in questions:
        answer = answers.get(question.key, "")
        if answer == DONT_KNOW:
            improvable.append((question, list(question.options)))
        elif question.option(answer):
            current = question.option(answer).rung
            higher = [option for option in question.options if option.rung > current]
            if higher:
                improvable.append((question, higher))
    assume(improvable)
    question, better = data.draw(st.sampled_from(improvable))
    option = data.draw(st.sampled_from(better))

    before = scoring.score(questions, context, answers)
    after = scoring.score(questions, context, {**answers, question.key: option.key})
    assert before.principle_rungs.keys() == after.principle_rungs.keys()
    for principle, rung in before.principle_rungs.items():
        if rung is None:
            assert after.principle_rungs[principle] is None
        else:
            assert after.principle_rungs[principle] >= rung
    if before.overall_rung is not None:
        assert after.overall_rung >= before.overall_rung
    assert after.progress >= before.progress


@settings(**SETTINGS)
@given(scenarios())
def test_one_action_per_answer_below_the_top_in_group_order(scenario):
    questions, context, answers = scenario
    outcome = scoring.score(questions, context, answers)
    pairs = shown_answered(questions, context, answers)

    expected = {q.key for q, rung in pairs if rung < q.top_rung}
    keys = [action.question_key for action in outcome.actions]
    assert len(keys) == len(set(keys))
    assert set(keys) == expected  # so: none for top answers, N/A, unanswered or hidden questions

    by_key = {q.key: q for q in questions}
    for action in outcome.actions:
        question = by_key[action.question_key]
        principle_rung = outcome.principle_rungs[question.principle]
        if action.answer != DONT_KNOW:
            # one option up: the next one on the (increasing) ladder
            index = [o.key for o in question.options].index(action.answer)
            assert action.next_answer == question.options[index + 1].key
        holds_back = question.is_key and action.rung == principle_rung
        if holds_back:
            assert action.reason == "key"
        elif principle_rung == outcome.overall_rung:
            assert action.reason == "weakest"
        elif action.effort in ("minutes", "hours") and action.cost == "free":
            assert action.reason == "quick"
        else:
            assert action.reason == "other"

    groups = [GROUP_ORDER[action.reason] for action in outcome.actions]
    assert groups == sorted(groups)
    assert outcome.top_three == outcome.actions[:3]


@settings(**SETTINGS)
@given(question_sets(), contexts)
def test_a_skip_rule_hides_only_on_a_different_given_answer(questions, context):
    for question in questions:
        differs = any(context.get(key) and context[key] not in allowed for key, allowed in question.show_if.items())
        assert scoring.is_applicable(question, context) is not differs
        assert scoring.is_applicable(question, {})  # no context answers: everything is shown
    outcome = scoring.score(questions, context, {})
    assert outcome.applicable == tuple(q.key for q in questions if scoring.is_applicable(q, context))


@settings(**SETTINGS)
@given(scenarios(), st.data())
def test_answers_to_hidden_questions_change_nothing(scenario, data):
    questions, context, answers = scenario
    hidden = [q for q in questions if not scoring.is_applicable(q, context)]
    assume(hidden)
    question = data.draw(st.sampled_from(hidden))
    answer = data.draw(st.sampled_from([o.key for o in question.options] + [DONT_KNOW]))
    assert scoring.score(questions, context, {**answers, question.key: answer}) == scoring.score(
        questions, context, {k: v for k, v in answers.items() if k != question.key}
    )


# --- Worked examples -----------------------------------------------------------------------------


def q(key: str, principle: int = 1, *, is_key: bool = False, allow_na: bool = False, order: int = 0,
      effort: str = "days", cost: str = "low", show_if=None) -> QuestionSpec:
    """A question with a full ladder r0..r4 (keys "r0".."r4")."""
    return QuestionSpec(
        key=key, principle=principle, is_key=is_key, allow_na=allow_na, order=order, show_if=show_if or {},
        options=tuple(OptionSpec(key=f"r{rung}", rung=rung, effort=effort, cost=cost) for rung in range(5)),
    )


def test_average_rounds_down():
    outcome = scoring.score([q("a"), q("b"), q("c")], {}, {"a": "r3", "b": "r3", "c": "r2"})
    assert outcome.principle_rungs == {1: 2}  # 8 / 3 = 2.67
    assert outcome.overall_rung == 2
    assert outcome.progress == 66  # 8 of 12 points


def test_key_question_caps_the_principle():
    questions = [q("a"), q("b"), q("c"), q("k", is_key=True)]
    outcome = scoring.score(questions, {}, {"a": "r4", "b": "r4", "c": "r4", "k": "r1"})
    assert outcome.principle_rungs == {1: 1}  # the average would be 13 / 4 = 3
    assert outcome.progress == 81  # 13 of 16 points
    assert [(a.question_key, a.reason, a.next_answer) for a in outcome.actions] == [("k", "key", "r2")]


def test_progress_dont_know_and_not_applicable():
    questions = [q("a"), q("b", allow_na=True), q("c", 2), q("d", 2)]
    outcome = scoring.score(questions, {}, {"a": "r4", "b": "na", "c": "dont_know", "d": "r3"})
    assert outcome.principle_rungs == {1: 4, 2: 1}  # 2: (0 + 3) // 2
    assert outcome.overall_rung == 1
    assert outcome.progress == 58  # 7 of 12 points; b is left out
    assert [(a.question_key, a.is_unknown, a.next_answer) for a in outcome.actions] == [
        ("c", True, None), ("d", False, "r4"),
    ]


def test_action_order_key_weakest_quick_other():
    questions = [
        q("k1", 1, is_key=True, order=0),
        q("a1", 1, order=1),
        q("w1", 2, order=0), q("w2", 2, order=1),
        q("quick", 3, order=0, effort="minutes", cost="free"),
        q("slow", 3, order=1, effort="project", cost="high"),
    ]
    answers = {"k1": "r2", "a1": "r4", "w1": "r1", "w2": "r1", "quick": "r3", "slow": "r3"}
    outcome = scoring.score(questions, {}, answers)
    assert outcome.principle_rungs == {1: 2, 2: 1, 3: 3}
    assert outcome.overall_rung == 1
    assert [(a.question_key, a.reason) for a in outcome.actions] == [
        ("k1", "key"), ("w1", "weakest"), ("w2", "weakest"), ("quick", "quick"), ("slow", "other"),
    ]
    assert [a.question_key for a in outcome.top_three] == ["k1", "w1", "w2"]


def test_skip_rule_example():
    website = q("web", show_if={"webshop": ("yes",)})
    assert scoring.is_applicable(website, {"webshop": "yes"})
    assert not scoring.is_applicable(website, {"webshop": "no"})
    assert scoring.is_applicable(website, {})
    assert scoring.is_applicable(website, {"webshop": ""})
    assert scoring.is_applicable(website, {"size": "1"})  # another context answer does not matter
    outcome = scoring.score([q("a"), website], {"webshop": "no"}, {"a": "r4", "web": "r0"})
    assert outcome.applicable == ("a",)
    assert (outcome.principle_rungs, outcome.progress, outcome.actions) == ({1: 4}, 100, ())


def test_nothing_answered():
    outcome = scoring.score([q("a"), q("b", 2)], {}, {})
    assert outcome.principle_rungs == {1: None, 2: None}
    assert outcome.overall_rung is None
    assert outcome.progress == 0
    assert outcome.actions == ()

