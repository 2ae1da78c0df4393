"""The self-assessment's write paths and read models.

- Question sets: loading is idempotent and publishes; publishing a new version retires the old one
  (one published set at a time); a set the scoring cannot handle is never published; a copy is an
  independent draft. The real 2026.1 content is checked here (25-30 scored questions, 5-6 per
  principle, a key question in each, no problems).
- Results: started, given context and answers, finished only when complete; a result keeps the set
  it was taken with, whatever is published later; ticking an action off moves one option up and
  rescores; claiming, purging anonymous results after the retention period; the resume token is
  stored only as a hash.
- Peer groups are shown only from DTC_ASSESSMENT_MIN_PEERS finished, opted-in results of the same
  sector and size class; the figures count without identities.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections import Counter

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from dtc.assessment import scoring, selectors, services
from dtc.assessment.models import ActionDone, Question, QuestionSet, Result
from dtc.assessment.tests.factories import (
    DEFAULT_CONTEXT,
    OptionFactory,
    QuestionFactory,
    QuestionSetFactory,
    ResultFactory,
    answers_at,
    ladder,
)
from dtc.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

SOURCE_DIR = services.QUESTIONSETS_DIR / django_settings.DTC_ASSESSMENT_QUESTIONSET


def specs_of(question_set: QuestionSet) -> dict[str, scoring.QuestionSpec]:
    question_set = selectors.questionset_with_questions(question_set_id=question_set.pk)
    return {spec.key: spec for spec in selectors.questionset_specs(question_set)}


def copy_of_source(tmp_path, *, version: str):
    directory = tmp_path / version
    shutil.copytree(SOURCE_DIR, directory)
    meta_path = directory / "context.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["version"] = version
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    return directory


# --- Loading and publishing ----------------------------------------------------------------------


def test_load_is_idempotent_and_publishes(db):
    first, created = services.questionset_load()
    questions = Question.objects.filter(question_set=first).count()
    first.title = "Door een redacteur aangepast"
    first.save(update_fields=["title"])

    again, created_again = services.questionset_load()

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert QuestionSet.objects.count() == 1
    assert Question.objects.filter(question_set=first).count() == questions
    assert QuestionSet.objects.get().title == "Door een redacteur aangepast"  # not overwritten
    assert selectors.questionset_current().pk == first.pk


def test_loading_a_new_version_retires_the_old_one(question_set, tmp_path):
    newer, created = services.questionset_load(directory=copy_of_source(tmp_path, version="2099.1"))

    assert created
    question_set.refresh_from_db()
    assert question_set.status == QuestionSet.Status.RETIRED
    assert newer.status == QuestionSet.Status.PUBLISHED
    assert list(QuestionSet.objects.filter(status=QuestionSet.Status.PUBLISHED)) == [newer]
    assert selectors.questionset_current().pk == newer.pk


def test_load_without_publish_leaves_a_draft(question_set, tmp_path):
    draft, _created = services.questionset_load(directory=copy_of_source(tmp_path, version="2099.1"), publish=False)
    assert draft.status == QuestionSet.Status.DRAFT
    assert selectors.questionset_current().pk == question_set.pk


def test_a_broken_set_is_not_loaded_at_all(question_set, tmp_path):
    directory = copy_of_source(tmp_path, version="2099.1")
    path = sorted(directory.glob("principle-*.json"))[0]
    data = json.loads(path.read_text(encoding="utf-8"))
    data["questions"][0]["options"][-1]["rung"] = 3  # the best answer no longer reaches rung 4
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(ValidationError):
        services.questionset_load(directory=directory)
    assert not QuestionSet.objects.filter(version="2099.1").exists()
    assert selectors.questionset_current().pk == question_set.pk


# --- What stops publishing -----------------------------------------------------------------------


@pytest.fixture
def draft(db) -> QuestionSet:
    """A small valid draft: one context question (webshop yes/no) and one always-shown question."""
    question_set = QuestionSetFactory()
    webshop = QuestionFactory(question_set=question_set, context=True, key="webshop")
    OptionFactory(question=webshop, key="yes", rung=None, step="")
    OptionFactory(question=webshop, key="no", rung=None, step="")
    ladder(QuestionFactory(question_set=question_set, key="basis", principle=1))
    return question_set


def problems(question_set: QuestionSet) -> list[str]:
    with translation.override("nl"):
        return [str(problem) for problem in services.questionset_problems(question_set)]


def test_a_valid_draft_has_no_problems_and_publishes(draft):
    assert problems(draft) == []
    services.questionset_publish(question_set=draft, acting_user=None)
    draft.refresh_from_db()
    assert draft.status == QuestionSet.Status.PUBLISHED


@pytest.mark.parametrize(
    ("rungs", "marker"),
    [
        ((0, 2, 2, 4), "lopen niet op"),
        ((0, 3, 1, 4), "lopen niet op"),
        ((0, 1, 2, 3), "niet trede 4"),
        ((0, None, 2, 4), "geen trede"),
    ],
)
def test_problem_rungs(draft, rungs, marker):
    ladder(QuestionFactory(question_set=draft, key="fout", principle=1), rungs=rungs)
    found = problems(draft)
    assert len(found) == 1
    assert "fout" in found[0] and marker in found[0]
    with pytest.raises(ValidationError):
        services.questionset_publish(question_set=draft, acting_user=None)
    draft.refresh_from_db()
    assert draft.status == QuestionSet.Status.DRAFT


def test_problem_missing_step(draft):
    options = ladder(QuestionFactory(question_set=draft, key="fout", principle=1))
    options[1].step = ""
    options[1].save()
    found = problems(draft)
    assert len(found) == 1
    assert "fout" in found[0] and options[1].key in found[0] and "volgende stap" in found[0]


def test_problem_key_question_with_show_if(draft):
    ladder(QuestionFactory(question_set=draft, key="fout", principle=1, is_key=True, show_if={"webshop": ["yes"]}))
    found = problems(draft)
    assert len(found) == 1
    assert "fout" in found[0] and "Sleutelvraag" in found[0]


@pytest.mark.parametrize("show_if", [{"bestaat-niet": ["yes"]}, {"webshop": ["misschien"]}])
def test_problem_unknown_show_if_context(draft, show_if):
    ladder(QuestionFactory(question_set=draft, key="fout", principle=1, show_if=show_if))
    found = problems(draft)
    assert len(found) == 1
    assert "fout" in found[0] and "onbekend contextantwoord" in found[0]


def test_copy_is_an_independent_draft(question_set):
    copy = services.questionset_copy(question_set=question_set, version="2099.1", acting_user=None)

    assert copy.status == QuestionSet.Status.DRAFT
    assert selectors.questionset_current().pk == question_set.pk
    assert specs_of(copy) == specs_of(question_set)
    assert problems(copy) == []

    question = Question.objects.get(question_set=copy, key=next(iter(specs_of(copy))))
    question.text = "Gewijzigd in het concept"
    question.save()
    option = question.options.first()
    option.rung = 1 if option.rung != 1 else 0
    option.save()
    Question.objects.filter(question_set=copy, kind=Question.Kind.SCORED).exclude(pk=question.pk).first().delete()

    source_question = Question.objects.get(question_set=question_set, key=question.key)
    assert source_question.text != "Gewijzigd in het concept"
    assert source_question.options.first().rung != option.rung
    assert len(specs_of(question_set)) == len(specs_of(copy)) + 1


def test_the_real_question_set_is_sound(question_set):
    """The content's guard: whoever edits the JSON files of the current set must keep this green."""
    assert problems(question_set) == []
    specs = list(specs_of(question_set).values())
    assert 25 <= len(specs) <= 30
    per_principle = Counter(spec.principle for spec in specs)
    assert sorted(per_principle) == [1, 2, 3, 4, 5]
    for principle, count in per_principle.items():
        assert 5 <= count <= 6, principle
        assert any(spec.is_key for spec in specs if spec.principle == principle), principle
    for spec in specs:
        assert spec.options[0].rung == 0 and spec.top_rung == scoring.TOP_RUNG, spec.key


# --- Taking the test -----------------------------------------------------------------------------


def test_start_context_answers_finish(question_set):
    started = services.result_start()
    result = started.result
    assert result.question_set_id == question_set.pk
    assert result.status == Result.Status.IN_PROGRESS

    services.result_context_save(
        result=result, context={**DEFAULT_CONTEXT, "webshop": "misschien", "verzonnen": "ja"},
        peer_opt_in=True, sector="G",
    )
    result.refresh_from_db()
    assert result.context == {k: v for k, v in DEFAULT_CONTEXT.items() if k != "webshop"}
    assert (result.sector, result.size_class) == ("G", DEFAULT_CONTEXT["size"])

    answers = answers_at(question_set, rung=3, context=result.context)
    first, *rest = list(answers)
    services.result_answers_save(result=result, answers={first: answers[first], "verzonnen": "r1"}, step=2)
    with pytest.raises(ValidationError):
        services.result_finish(result=result)
    result.refresh_from_db()
    assert result.status == Result.Status.IN_PROGRESS
    assert result.answers == {first: answers[first]}

    services.result_answers_save(result=result, answers={key: answers[key] for key in rest}, step=3)
    services.result_finish(result=result)
    result.refresh_from_db()
    expected = scoring.score(list(specs_of(question_set).values()), result.context, answers)
    assert result.status == Result.Status.FINISHED and result.finished_at is not None
    assert result.answers == answers
    assert result.overall_rung == expected.overall_rung
    assert result.progress == expected.progress
    assert result.principle_rungs == {str(p): r for p, r in expected.principle_rungs.items()}


def test_invalid_answers_are_not_kept(question_set):
    result = services.result_start().result
    specs = specs_of(question_set)
    no_na = next(spec for spec in specs.values() if not spec.allow_na)
    services.result_answers_save(result=result, answers={no_na.key: "na"}, step=1)
    services.result_answers_save(result=result, answers={no_na.key: "bestaat-niet"}, step=1)
    result.refresh_from_db()
    assert result.answers == {}


def test_without_peer_opt_in_no_sector_or_size_is_kept(question_set):
    result = services.result_start().result
    services.result_context_save(result=result, context=DEFAULT_CONTEXT, peer_opt_in=False, sector="G")
    result.refresh_from_db()
    assert (result.sector, result.size_class) == ("", "")


def test_a_result_keeps_its_own_set_when_a_new_version_is_published(question_set, finished_result):
    result = finished_result(rung=1).result
    before = (result.overall_rung, result.progress, result.principle_rungs, result.answers)
    removed = next(key for key, spec in specs_of(question_set).items() if not spec.is_key)

    newer = services.questionset_copy(question_set=question_set, version="2099.1", acting_user=None)
    Question.objects.filter(question_set=newer, key=removed).delete()
    services.questionset_publish(question_set=newer, acting_user=None)

    result.refresh_from_db()
    assert result.question_set_id == question_set.pk
    assert (result.overall_rung, result.progress, result.principle_rungs, result.answers) == before
    # It is still scored with its own set: the question the new version dropped can be answered.
    services.result_answer_change(result=result, question_key=removed, answer="dont_know", acting_user=None)
    result.refresh_from_db()
    assert result.answers[removed] == "dont_know"
    assert services.result_start().result.question_set_id == newer.pk


# --- After the test ------------------------------------------------------------------------------


def test_action_done_moves_one_option_up_and_rescores(question_set, finished_result):
    result = finished_result(rung=1).result
    specs = specs_of(question_set)
    key, answer = next((k, a) for k, a in result.answers.items() if specs[k].option(a).rung == 1)
    option_keys = [option.key for option in specs[key].options]
    before = (result.progress, result.principle_rungs)

    services.result_action_done(result=result, question_key=key, acting_user=None)

    result.refresh_from_db()
    assert result.answers[key] == option_keys[option_keys.index(answer) + 1]
    assert result.actions_done == 1
    assert result.progress > before[0]
    expected = scoring.score(list(specs.values()), result.context, result.answers)
    assert result.principle_rungs == {str(p): r for p, r in expected.principle_rungs.items()}
    assert result.principle_rungs != before[1] or result.progress != before[0]
    done = ActionDone.objects.get(result=result)
    assert (done.question_key, done.from_answer, done.to_answer) == (key, answer, result.answers[key])


def test_action_done_refuses_dont_know_top_answers_and_unfinished_results(question_set, finished_result):
    key = next(iter(answers_at(question_set, rung=0)))
    unknown = finished_result(rung=1, overrides={key: "dont_know"}).result
    with pytest.raises(ValidationError):
        services.result_action_done(result=unknown, question_key=key, acting_user=None)

    best = finished_result(rung=4).result
    with pytest.raises(ValidationError):
        services.result_action_done(result=best, question_key=key, acting_user=None)

    unfinished = services.result_start().result
    services.result_answers_save(result=unfinished, answers={key: answers_at(question_set, rung=0)[key]}, step=1)
    with pytest.raises(ValidationError):
        services.result_action_done(result=unfinished, question_key=key, acting_user=None)

    for result in (unknown, best, unfinished):
        before = dict(result.answers)
        result.refresh_from_db()
        assert result.answers == before
        assert result.actions_done == 0
    assert not ActionDone.objects.exists()


def test_answer_change_after_finding_out(question_set, finished_result):
    specs = specs_of(question_set)
    key = next(k for k, spec in specs.items() if spec.is_key)
    result = finished_result(rung=4, overrides={key: "dont_know"}).result
    assert result.overall_rung == 0  # don't know on a key question counts as rung 0 and caps

    top = specs[key].options[-1].key
    services.result_answer_change(result=result, question_key=key, answer=top, acting_user=None)
    result.refresh_from_db()
    assert result.answers[key] == top
    assert (result.overall_rung, result.progress) == (4, 100)

    for wrong in ("bestaat-niet", ""):
        with pytest.raises(ValidationError):
            services.result_answer_change(result=result, question_key=key, answer=wrong, acting_user=None)
    with pytest.raises(ValidationError):
        services.result_answer_change(result=result, question_key="bestaat-niet", answer=top, acting_user=None)
    result.refresh_from_db()
    assert result.answers[key] == top


def test_claim_keeps_an_anonymous_result_in_the_history(finished_result):
    organisation = OrganisationFactory(sector="C")
    user = UserFactory()
    result = finished_result(peer_opt_in=True, sector="G").result
    with pytest.raises(ValidationError):  # only a member can keep it in the organisation's history
        services.result_claim(result=result, organisation=organisation, acting_user=user)
    MembershipFactory(user=user, organisation=organisation)

    services.result_claim(result=result, organisation=organisation, acting_user=user)
    result.refresh_from_db()
    assert result.organisation_id == organisation.pk
    assert result.sector == "C"  # the organisation's own sector from now on
    assert list(selectors.results_of_organisation(organisation_id=organisation.pk)) == [result]

    elsewhere = MembershipFactory(user=user).organisation
    with pytest.raises(ValidationError):
        services.result_claim(result=result, organisation=elsewhere, acting_user=user)
    result.refresh_from_db()
    assert result.organisation_id == organisation.pk


def test_purge_deletes_only_old_anonymous_results(finished_result, settings):
    settings.DTC_RETENTION = {**settings.DTC_RETENTION, "assessment_anonymous": 30}
    now = timezone.now()
    old = finished_result().result
    recent = finished_result().result
    old_of_organisation = finished_result(organisation=OrganisationFactory()).result
    Result.objects.filter(pk__in=[old.pk, old_of_organisation.pk]).update(updated_at=now - dt.timedelta(days=31))
    Result.objects.filter(pk=recent.pk).update(updated_at=now - dt.timedelta(days=29))

    assert services.results_purge(now=now) == 1
    assert set(Result.objects.values_list("pk", flat=True)) == {recent.pk, old_of_organisation.pk}


def test_token_is_stored_hashed(question_set):
    started = services.result_start()
    row = Result.objects.filter(pk=started.result.pk).values().get()
    assert started.token not in json.dumps(row, default=str)
    assert row["token_hash"] == hashlib.sha256(started.token.encode()).hexdigest()

    renewed = services.result_token_renew(result=started.result)
    row = Result.objects.filter(pk=started.result.pk).values().get()
    assert renewed != started.token
    assert row["token_hash"] == hashlib.sha256(renewed.encode()).hexdigest()


# --- Peers and figures ---------------------------------------------------------------------------


def test_peer_group_is_hidden_below_the_minimum(finished_result, settings):
    settings.DTC_ASSESSMENT_MIN_PEERS = 10
    size = DEFAULT_CONTEXT["size"]
    peers = [finished_result(rung=rung, peer_opt_in=True, sector="G").result for rung in (0, 1, 2, 2, 3, 3, 4, 4, 4)]
    # Not counted: no opt-in, another sector, another size class, not finished.
    finished_result(rung=4, peer_opt_in=False, sector="G")
    finished_result(rung=4, peer_opt_in=True, sector="C")
    finished_result(rung=4, peer_opt_in=True, sector="G", context={**DEFAULT_CONTEXT, "size": "10-49"})
    unfinished = services.result_start().result
    services.result_context_save(result=unfinished, context=DEFAULT_CONTEXT, peer_opt_in=True, sector="G")
    # The services never keep a sector without opt-in, but such a row must not count either.
    ResultFactory(finished=True, peer_opt_in=False, sector="G", size_class=size, overall_rung=4,
                  principle_rungs={str(p): 4 for p in range(1, 6)})

    hidden = selectors.peer_group(sector="G", size_class=size)
    assert (hidden.shown, hidden.count, hidden.overall_distribution, hidden.principle_average) == (False, 0, {}, {})

    peers.append(finished_result(rung=2, peer_opt_in=True, sector="G").result)
    group = selectors.peer_group(sector="G", size_class=size)
    assert group.shown
    assert group.count == 10
    overall = Counter(peer.overall_rung for peer in peers)
    assert group.overall_distribution == {rung: overall[rung] for rung in range(5)}
    assert len(set(overall)) > 1  # the answers differ, so a wrong filter would show
    assert group.principle_average == {
        p: round(sum(peer.principle_rungs[str(p)] for peer in peers) / 10, 1) for p in range(1, 6)
    }


def test_peer_group_without_sector_or_size_is_never_shown(finished_result, settings):
    settings.DTC_ASSESSMENT_MIN_PEERS = 1
    finished_result(peer_opt_in=True, sector="G")
    assert selectors.peer_group(sector="G", size_class=DEFAULT_CONTEXT["size"]).shown
    assert not selectors.peer_group(sector="", size_class=DEFAULT_CONTEXT["size"]).shown
    assert not selectors.peer_group(sector="G", size_class="").shown


def test_assessment_figures(question_set, finished_result):
    with_history = OrganisationFactory()
    finished_result(rung=0, organisation=with_history)
    finished_result(rung=4, organisation=with_history)
    finished_result(rung=4, organisation=OrganisationFactory())
    anonymous = finished_result(rung=0).result  # one action done still leaves it at rung 0
    services.result_action_done(result=anonymous, question_key=next(iter(anonymous.answers)), acting_user=None)
    services.result_start()

    assert selectors.assessment_figures() == {
        "started": 5,
        "finished": 4,
        "organisations_with_history": 1,
        "overall_rung_distribution": {0: 2, 1: 0, 2: 0, 3: 0, 4: 2},
        "actions_done": 1,
    }
