"""The self-assessment API (/api/v1/assessment/).

Rules under test:
- GET questions/ gives anyone the published question set (rungs, the two special answers, context
  questions, scored questions with their options) in the language of the request — Dutch unless the
  visitor chose English (the language cookie; the browser's Accept-Language is not followed, as on
  the rest of the site) — and a JSON 404 while no set is published.
- POST results/ scores a complete set of answers exactly as scoring.score() does on the same input
  and answers 201 with the Report (principles, ordered actions) and a resume link that opens the
  result. Every invalid value is refused with 400 and a reason under its own key in `errors`
  (answers.<question>, context.<question>), and then nothing is stored. A question that show_if hides
  needs no answer; a context question left out hides nothing.
- A result goes into an organisation's history only when a signed-in member names it; any other
  organisation id is "unknown" (400), and a forwarded resume link does not open it for others.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dtc.assessment import scoring, selectors
from dtc.assessment.models import RUNG_LABELS, Question, QuestionSet, Result
from dtc.assessment.tests.factories import DEFAULT_CONTEXT, answers_at
from dtc.core import visibility
from dtc.organisations.tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

QUESTIONS = "/api/v1/assessment/questions/"
RESULTS = "/api/v1/assessment/results/"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _scored(question_set: QuestionSet) -> list[Question]:
    return selectors.scored_questions(selectors.questionset_with_questions(question_set_id=question_set.pk))


def _specs(question_set: QuestionSet) -> list[scoring.QuestionSpec]:
    return selectors.questionset_specs(selectors.questionset_with_questions(question_set_id=question_set.pk))


def _first(question_set: QuestionSet, **wanted) -> scoring.QuestionSpec:
    """The first scored question (as a spec) with the given attributes, e.g. allow_na=False."""
    return next(spec for spec in _specs(question_set) if all(getattr(spec, k) == v for k, v in wanted.items()))


def _post(client: APIClient, body, **extra):
    return client.post(RESULTS, body, format="json", **extra)


# --- The questions ----------------------------------------------------------------------------


def test_questions_give_the_published_set_with_everything_a_client_needs(api, question_set):
    response = api.get(QUESTIONS)

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == question_set.version
    assert body["title"] == question_set.title
    assert body["rungs"] == [{"rung": rung, "label": str(label)} for rung, label in RUNG_LABELS.items()]
    assert [answer["key"] for answer in body["special_answers"]] == ["dont_know", "na"]
    assert all(answer["text"] and answer["explanation"] for answer in body["special_answers"])
    assert [q["key"] for q in body["context_questions"]] == list(DEFAULT_CONTEXT)
    size = body["context_questions"][0]
    assert size["text"] and "2-9" in [option["key"] for option in size["options"]]
    assert set(size["options"][0]) == {"key", "text"}

    scored = _scored(question_set)
    assert [q["key"] for q in body["questions"]] == [q.key for q in scored]
    per_principle = {n: sum(1 for q in body["questions"] if q["principle"] == n) for n in range(1, 6)}
    assert all(5 <= count <= 6 for count in per_principle.values()), per_principle
    shown = {q["key"]: q for q in body["questions"]}
    for question in scored:
        listed = shown[question.key]
        assert listed["text"] == question.text
        assert listed["help"] == question.help
        assert (listed["principle"], listed["order"]) == (question.principle, question.order)
        assert listed["is_key"] == question.is_key
        assert listed["allow_not_applicable"] == question.allow_not_applicable
        assert listed["show_if"] == question.show_if
        assert listed["article_slug"] == question.article_slug
        assert listed["options"] == [
            {"key": option.key, "text": option.text, "rung": option.rung} for option in question.options.all()
        ]
    assert any(q["show_if"] for q in body["questions"]) and any(q["is_key"] for q in body["questions"])


def test_questions_in_english_when_the_visitor_chose_english(api, question_set):
    api.cookies["django_language"] = "en"

    body = api.get(QUESTIONS).json()

    question = _scored(question_set)[0]
    assert body["title"] == question_set.title_en
    listed = body["questions"][0]
    assert listed["text"] == question.text_en != question.text
    assert listed["options"][0]["text"] == question.options.all()[0].text_en
    assert body["context_questions"][0]["text"].startswith("How many people")


def test_questions_stay_dutch_for_a_browser_that_prefers_english(api, question_set):
    # The site's rule (core.middleware.DutchFirstLocaleMiddleware): only the language switch counts.
    body = api.get(QUESTIONS, HTTP_ACCEPT_LANGUAGE="en").json()

    assert body["questions"][0]["text"] == _scored(question_set)[0].text


@pytest.mark.parametrize("method", ["get", "post"])
def test_not_found_while_no_question_set_is_published(api, method, db):
    response = api.get(QUESTIONS) if method == "get" else _post(api, {"context": {}, "answers": {}})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    assert Result.objects.count() == 0


# --- A complete result ------------------------------------------------------------------------


def _mixed_answers(question_set: QuestionSet, context: dict[str, str]) -> dict[str, str]:
    """Rung 3 overall, one key question held at rung 1, one don't-know, one not-applicable: every
    scoring rule (gate, average, don't know, NA, actions' order) has something to do."""
    key_question = _first(question_set, is_key=True, principle=1)
    plain = next(s for s in _specs(question_set) if not s.is_key and s.principle == 3 and not s.show_if)
    na_question = _first(question_set, allow_na=True, show_if={})
    low = min((option for option in key_question.options if option.rung > 0), key=lambda option: option.rung)
    return answers_at(question_set, rung=3, context=context, overrides={
        key_question.key: low.key, plain.key: "dont_know", na_question.key: "na",
    })


def test_a_complete_post_is_scored_exactly_as_the_scoring_rules_say(api, question_set):
    context = {**DEFAULT_CONTEXT, "size": "10-49"}
    answers = _mixed_answers(question_set, context)
    expected = scoring.score(_specs(question_set), context, answers)

    response = _post(api, {"context": context, "answers": answers})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"] == question_set.version
    gate = min(o.rung for o in _first(question_set, is_key=True, principle=1).options if o.rung > 0)
    assert body["overall_rung"] == expected.overall_rung == gate
    assert body["overall_label"] == str(RUNG_LABELS[gate])
    assert body["progress"] == expected.progress
    assert {p["number"]: p["rung"] for p in body["principles"]} == expected.principle_rungs
    assert all(p["title"] and p["label"] for p in body["principles"])
    assert [a["question_key"] for a in body["actions"]] == [a.question_key for a in expected.actions]
    assert [a["reason"] for a in body["actions"]] == [a.reason for a in expected.actions]
    assert body["actions"][0]["reason"] == "key" and body["actions"][0]["is_key"]
    assert all(a["step"] for a in body["actions"])
    result = Result.objects.get(pk=body["id"])
    assert result.is_finished and result.organisation is None
    assert result.overall_rung == expected.overall_rung
    assert result.answers == answers
    assert (result.peer_opt_in, result.sector, result.size_class) == (False, "", "")


def test_peer_comparison_keeps_sector_and_size_only_when_opted_in(api, question_set):
    answers = answers_at(question_set, rung=2)

    opted = _post(api, {"context": DEFAULT_CONTEXT, "answers": answers, "peer_opt_in": True, "sector": "Q"})
    not_opted = _post(api, {"context": DEFAULT_CONTEXT, "answers": answers, "sector": "Q"})

    assert (opted.status_code, not_opted.status_code) == (201, 201)
    result = Result.objects.get(pk=opted.json()["id"])
    assert (result.peer_opt_in, result.sector, result.size_class) == (True, "Q", DEFAULT_CONTEXT["size"])
    result = Result.objects.get(pk=not_opted.json()["id"])
    assert (result.peer_opt_in, result.sector, result.size_class) == (False, "", "")


def test_the_resume_token_opens_the_result_and_the_link_leads_to_the_resume_page(api, question_set):
    body = _post(api, {"context": DEFAULT_CONTEXT, "answers": answers_at(question_set, rung=2)}).json()

    found = visibility.assessment_result_get_visible(user=AnonymousUser(), token=body["resume_token"])
    assert found.pk == body["id"]
    path = reverse("assessment:resume", args=[body["resume_token"]])
    assert body["resume_url"] == f"http://testserver{path}"
    assert "/zelftest/hervat/" in path


# --- Invalid input ----------------------------------------------------------------------------


def test_every_invalid_answer_is_refused_with_its_own_reason(api, question_set):
    must_answer = _first(question_set, allow_na=False, show_if={})
    other = next(s for s in _specs(question_set) if s.key != must_answer.key and not s.show_if)
    missing = next(s for s in _specs(question_set) if s.key not in {must_answer.key, other.key} and not s.show_if)
    answers = answers_at(question_set, rung=2, overrides={must_answer.key: "na", other.key: "bestaat-niet"})
    del answers[missing.key]
    answers["vraag-die-niet-bestaat"] = "dont_know"

    response = _post(api, {"context": {**DEFAULT_CONTEXT, "it_by": "de-buurman"}, "answers": answers})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == {
        f"answers.{must_answer.key}": ["'Niet van toepassing' kan bij deze vraag niet."],
        f"answers.{other.key}": ["Dit antwoord bestaat niet bij deze vraag."],
        f"answers.{missing.key}": ["Deze vraag is niet beantwoord."],
        "answers.vraag-die-niet-bestaat": ["Deze vraag bestaat niet in de huidige vragenlijst."],
        "context.it_by": ["Dit contextantwoord bestaat niet."],
    }
    assert Result.objects.count() == 0


def test_an_unknown_context_question_is_refused(api, question_set):
    response = _post(api, {"context": {**DEFAULT_CONTEXT, "schoenmaat": "43"},
                           "answers": answers_at(question_set, rung=2)})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"context.schoenmaat"}


@pytest.mark.parametrize("value", [3, True, ["dont_know"], {"key": "x"}, None, ""])
def test_an_answer_that_is_no_option_key_as_text_is_refused(api, question_set, value):
    spec = _first(question_set, show_if={})
    answers = answers_at(question_set, rung=2, overrides={spec.key: value})

    response = _post(api, {"context": DEFAULT_CONTEXT, "answers": answers})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [f"answers.{spec.key}"]
    assert errors[f"answers.{spec.key}"][0] in {
        "Een antwoord is de sleutel van een antwoordoptie, als tekst.", "Deze vraag is niet beantwoord.",
    }
    assert Result.objects.count() == 0


@pytest.mark.parametrize("value", [2, ["2-9"], {"a": "b"}, None])
def test_a_context_value_that_is_no_text_is_refused(api, question_set, value):
    response = _post(api, {"context": {**DEFAULT_CONTEXT, "size": value}, "answers": answers_at(question_set, rung=2)})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["context.size"]


@pytest.mark.parametrize("body, field", [
    (["dont_know"], "non_field_errors"),
    ("antwoorden", "non_field_errors"),
    ({"context": DEFAULT_CONTEXT}, "answers"),
    ({"context": "klein", "answers": {}}, "context"),
    ({"answers": ["dont_know"]}, "answers"),
    ({"answers": {}, "sector": "Z"}, "sector"),
    ({"answers": {}, "organisation": "mijn bedrijf"}, "organisation"),
])
def test_a_body_of_the_wrong_shape_is_refused_per_field(api, question_set, body, field):
    response = _post(api, body)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"] and all(body["errors"][field])


def test_the_reasons_follow_the_language_of_the_request(api, question_set):
    api.cookies["django_language"] = "en"
    spec = _first(question_set, show_if={})

    response = _post(api, {"context": DEFAULT_CONTEXT,
                           "answers": answers_at(question_set, rung=2, overrides={spec.key: "bestaat-niet"})})

    assert response.status_code == 400
    assert response.json()["detail"] == "The input is not valid."


# --- Questions shown or skipped ---------------------------------------------------------------


def test_a_question_hidden_by_the_context_needs_no_answer(api, question_set):
    hidden = next(s for s in _specs(question_set) if s.show_if)
    context_key, allowed = next(iter(hidden.show_if.items()))
    other_value = next(option.key for option in selectors.questionset_current().questions.get(
        key=context_key).options.all() if option.key not in allowed)
    context = {**DEFAULT_CONTEXT, context_key: other_value}
    answers = answers_at(question_set, rung=2, context=context)
    assert hidden.key not in answers

    response = _post(api, {"context": context, "answers": answers})

    assert response.status_code == 201, response.json()
    assert hidden.key not in Result.objects.get(pk=response.json()["id"]).answers
    assert hidden.key not in [action["question_key"] for action in response.json()["actions"]]


def test_a_context_question_left_out_hides_nothing(api, question_set):
    hidden = next(s for s in _specs(question_set) if s.show_if)
    context_key = next(iter(hidden.show_if))
    context = {key: value for key, value in DEFAULT_CONTEXT.items() if key != context_key}
    answers = answers_at(question_set, rung=2, context=DEFAULT_CONTEXT)
    answers.pop(hidden.key, None)

    response = _post(api, {"context": context, "answers": answers})

    assert response.status_code == 400
    assert f"answers.{hidden.key}" in response.json()["errors"]


# --- Organisations ----------------------------------------------------------------------------


@pytest.fixture
def bakery(db):
    organisation = OrganisationFactory(name="Bakkerij De Korst", sector="G", size_class="2-9")
    member = MembershipFactory(organisation=organisation).user
    outsider = MembershipFactory(organisation=OrganisationFactory(name="Garage Snel")).user
    return {"organisation": organisation, "member": member, "outsider": outsider}


def test_a_member_keeps_the_result_in_the_organisation_history(question_set, bakery):
    organisation = bakery["organisation"]

    response = _post(token_client(bakery["member"]), {
        "context": DEFAULT_CONTEXT, "answers": answers_at(question_set, rung=2), "organisation": organisation.pk,
        "peer_opt_in": True, "sector": "Q",
    })

    assert response.status_code == 201, response.json()
    result = Result.objects.get(pk=response.json()["id"])
    assert result.organisation == organisation
    assert result.sector == organisation.sector  # the organisation's own sector, not the one sent
    assert list(selectors.results_of_organisation(organisation_id=organisation.pk)) == [result]
    # A forwarded resume link does not open an organisation's result for anyone else.
    with pytest.raises(Http404):
        visibility.assessment_result_get_visible(user=AnonymousUser(), token=response.json()["resume_token"])
    with pytest.raises(Http404):
        visibility.assessment_result_get_visible(user=bakery["outsider"], token=response.json()["resume_token"])
    assert visibility.assessment_result_get_visible(
        user=bakery["member"], token=response.json()["resume_token"]
    ).pk == result.pk


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_no_result_for_an_organisation_one_is_not_a_member_of(api, question_set, bakery, who):
    client = api if who == "anonymous" else token_client(bakery["outsider"])

    response = _post(client, {"context": DEFAULT_CONTEXT, "answers": answers_at(question_set, rung=2),
                              "organisation": bakery["organisation"].pk})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["organisation"]
    assert Result.objects.count() == 0


def test_a_signed_in_user_without_organisation_gets_an_anonymous_result(question_set, bakery):
    response = _post(token_client(bakery["member"]), {"context": DEFAULT_CONTEXT,
                                                      "answers": answers_at(question_set, rung=2)})

    assert response.status_code == 201
    assert Result.objects.get(pk=response.json()["id"]).organisation is None
