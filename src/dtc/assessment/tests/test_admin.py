"""The back office for editors (/beheer/): the question set is edited only while it is a draft.

Rules under test:
- The set list loads with its question and result counts, in a fixed number of queries.
- "Publiceren" publishes a valid draft (retiring the set in use) and refuses an invalid one, showing
  every problem from `questionset_problems` as an error message and publishing nothing; it never
  re-publishes a set that is not a draft.
- "Kopiëren naar nieuwe conceptversie" makes a draft "<version>-concept-<n>" with the same questions.
- A published set is read-only, with its questions and answers: the pages show it, a POST changes
  nothing, it cannot be deleted.
- In a draft, questions and answers can be edited, and each change is audit-logged.
- Results are not in the back office at all (their answers show an organisation's weak spots).
- A staff member who is not a superuser needs the assessment model permissions (what the editor role
  should be given).
Staff reach the back office only with a second factor (StaffMFAMiddleware); the users here have one.
"""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dtc.assessment import services
from dtc.assessment.admin import draft_version_for
from dtc.assessment.models import Option, Question, QuestionSet, ReferenceFigure
from dtc.assessment.tests.factories import QuestionFactory, QuestionSetFactory, ladder, result_finish_with
from dtc.core.models import AuditLogEntry
from dtc.organisations.tests.factories import UserFactory

CHANGELIST = "/beheer/assessment/questionset/"

# What the editor role needs to work on the question set and the reference figures.
EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in ["questionset", "question", "option", "referencefigure"]
    for action in ["view", "add", "change", "delete"]
]


def _with_mfa(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@pytest.fixture
def superuser(db):
    return _with_mfa(UserFactory(is_staff=True, is_superuser=True))


@pytest.fixture
def admin(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def draft(question_set) -> QuestionSet:
    """A valid draft: a copy of the real, published set."""
    return services.questionset_copy(question_set=question_set, version="2026.2", acting_user=None)


@pytest.fixture
def invalid_draft(db) -> QuestionSet:
    draft = QuestionSetFactory(version="kapot.1")
    ladder(QuestionFactory(question_set=draft, key="geen-top"), rungs=(0, 1, 2))
    ladder(QuestionFactory(question_set=draft, key="dalend"), rungs=(0, 2, 1, 4))
    return draft


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _act(client, action: str, *sets: QuestionSet):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [s.pk for s in sets]}, follow=True
    )


def _form_data(form: forms.BaseForm) -> dict[str, Any]:
    """What a browser would send back for this form, unchanged."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[form.add_prefix(name)] = "on"
            continue
        data[form.add_prefix(name)] = "" if value is None else value
    return data


def _change_page_data(response) -> dict[str, Any]:
    """The whole change page (the object's form and every inline) as a browser would post it."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(_form_data(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(_form_data(form))
    data["_save"] = "Opslaan"
    return data


# --- the list ------------------------------------------------------------------------------------


def test_set_list_shows_counts_of_questions_and_results(admin, question_set):
    result_finish_with()
    result_finish_with()
    QuestionSetFactory(version="leeg.1")

    response = admin.get(CHANGELIST)

    assert response.status_code == 200
    rows = {s.version: (s.question_count, s.result_count) for s in response.context["cl"].result_list}
    assert rows == {"2026.1": (question_set.questions.count(), 2), "leeg.1": (0, 0)}
    assert question_set.questions.count() > 10


def test_set_list_queries_do_not_grow_with_sets(admin, question_set):
    admin.get(CHANGELIST)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as one:
        assert admin.get(CHANGELIST).status_code == 200
    for n in range(3):
        copy = services.questionset_copy(question_set=question_set, version=f"k{n}", acting_user=None)
        result_finish_with()
        assert copy.questions.exists()
    with CaptureQueriesContext(connection) as four:
        assert admin.get(CHANGELIST).status_code == 200
    assert len(four) == len(one)


def test_bulk_delete_is_not_offered(admin, question_set):
    response = admin.get(CHANGELIST)
    actions = [value for value, _label in response.context["action_form"].fields["action"].choices]
    assert "publish" in actions
    assert "copy_to_draft" in actions
    assert "delete_selected" not in actions


# --- publishing ----------------------------------------------------------------------------------


def test_publish_action_publishes_a_valid_draft_and_retires_the_set_in_use(admin, superuser, question_set, draft):
    response = _act(admin, "publish", draft)

    assert response.status_code == 200
    draft.refresh_from_db()
    question_set.refresh_from_db()
    assert draft.status == QuestionSet.Status.PUBLISHED
    assert draft.published_at is not None
    assert question_set.status == QuestionSet.Status.RETIRED
    assert any("2026.2 is gepubliceerd" in m for m in _messages(response))
    assert AuditLogEntry.objects.filter(
        action="assessment.questionset_publish", target_id=str(draft.pk), actor=superuser
    ).exists()


def test_publish_action_refuses_an_invalid_draft_and_shows_every_problem(admin, question_set, invalid_draft):
    expected = services.questionset_problems(invalid_draft)
    assert len(expected) >= 2

    response = _act(admin, "publish", invalid_draft)

    invalid_draft.refresh_from_db()
    question_set.refresh_from_db()
    assert invalid_draft.status == QuestionSet.Status.DRAFT
    assert invalid_draft.published_at is None
    assert question_set.status == QuestionSet.Status.PUBLISHED
    shown = _messages(response)
    assert any("kapot.1 is niet gepubliceerd" in m for m in shown)
    for problem in expected:
        assert problem in shown
    assert all(m.level_tag == "error" for m in response.context["messages"])
    content = response.content.decode()
    assert "geen-top" in content
    assert "dalend" in content


def test_publish_action_never_republishes_a_retired_set(admin, question_set, draft):
    services.questionset_publish(question_set=draft, acting_user=None)
    question_set.refresh_from_db()
    retired_at = question_set.published_at

    response = _act(admin, "publish", question_set)

    question_set.refresh_from_db()
    draft.refresh_from_db()
    assert question_set.status == QuestionSet.Status.RETIRED
    assert question_set.published_at == retired_at
    assert draft.status == QuestionSet.Status.PUBLISHED
    assert any("geen concept" in m for m in _messages(response))


def test_publish_action_takes_one_set_at_a_time(admin, question_set, draft):
    other = services.questionset_copy(question_set=question_set, version="2026.3", acting_user=None)

    response = _act(admin, "publish", draft, other)

    assert set(QuestionSet.objects.filter(status=QuestionSet.Status.PUBLISHED)) == {question_set}
    assert any("precies één" in m for m in _messages(response))


# --- copying -------------------------------------------------------------------------------------


def test_copy_action_creates_a_draft_with_the_same_questions(admin, superuser, question_set):
    response = admin.post(CHANGELIST, {"action": "copy_to_draft", "_selected_action": [question_set.pk]})

    copy = QuestionSet.objects.get(version="2026.1-concept-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:assessment_questionset_change", args=[copy.pk])
    assert copy.status == QuestionSet.Status.DRAFT
    assert sorted(copy.questions.values_list("key", flat=True)) == sorted(
        question_set.questions.values_list("key", flat=True)
    )
    assert Option.objects.filter(question__question_set=copy).count() == Option.objects.filter(
        question__question_set=question_set
    ).count()
    question_set.refresh_from_db()
    assert question_set.status == QuestionSet.Status.PUBLISHED
    assert AuditLogEntry.objects.filter(action="assessment.questionset_copy", actor=superuser).exists()


def test_copy_versions_count_up_without_piling_up_suffixes(admin, question_set):
    _act(admin, "copy_to_draft", question_set)
    first = QuestionSet.objects.get(version="2026.1-concept-1")
    _act(admin, "copy_to_draft", first)

    assert QuestionSet.objects.filter(version="2026.1-concept-2").exists()
    assert draft_version_for(QuestionSetFactory(version="x" * 20)) == "x" * 10 + "-concept-1"


def test_a_published_set_can_be_copied_from_its_own_read_only_page(admin, question_set):
    url = reverse("admin:assessment_questionset_change", args=[question_set.pk])
    page = admin.get(url)
    assert "Kopiëren naar nieuwe conceptversie" in page.content.decode()

    response = admin.post(url, {"CHANGE_FORM-action": "copy_to_draft", "_selected_action": [question_set.pk]})

    copy = QuestionSet.objects.get(version="2026.1-concept-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:assessment_questionset_change", args=[copy.pk])
    assert copy.questions.count() == question_set.questions.count()


# --- read-only once published --------------------------------------------------------------------


def test_published_set_page_is_read_only_and_a_post_changes_nothing(admin, question_set):
    url = reverse("admin:assessment_questionset_change", args=[question_set.pk])
    question = question_set.questions.order_by("pk").first()

    page = admin.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="_save"' not in content
    assert 'name="title"' not in content
    assert 'name="questions-0-text"' not in content
    assert question.text in content  # shown, not editable

    response = admin.post(url, {
        "version": question_set.version, "title": "Gewijzigd", "title_en": "",
        "questions-TOTAL_FORMS": "1", "questions-INITIAL_FORMS": "1",
        "questions-MIN_NUM_FORMS": "0", "questions-MAX_NUM_FORMS": "1000",
        "questions-0-id": question.pk, "questions-0-question_set": question_set.pk,
        "questions-0-key": question.key, "questions-0-kind": question.kind,
        "questions-0-principle": question.principle or "", "questions-0-order": question.order,
        "questions-0-text": "Gewijzigde vraag", "_save": "Opslaan",
    })

    assert response.status_code == 403
    question_set.refresh_from_db()
    question.refresh_from_db()
    assert question_set.title != "Gewijzigd"
    assert question.text != "Gewijzigde vraag"


def test_published_set_cannot_be_deleted_but_a_draft_can(admin, question_set, draft):
    published_url = reverse("admin:assessment_questionset_delete", args=[question_set.pk])
    assert admin.post(published_url, {"post": "yes"}).status_code == 403
    assert QuestionSet.objects.filter(pk=question_set.pk).exists()

    draft_url = reverse("admin:assessment_questionset_delete", args=[draft.pk])
    assert admin.post(draft_url, {"post": "yes"}).status_code == 302
    assert not QuestionSet.objects.filter(pk=draft.pk).exists()
    assert Question.objects.filter(question_set=question_set).exists()


def test_questions_and_answers_of_a_published_set_are_read_only(admin, question_set, draft):
    question = question_set.questions.filter(kind=Question.Kind.SCORED).order_by("pk").first()
    option = question.options.order_by("order").first()
    url = reverse("admin:assessment_question_change", args=[question.pk])
    # The same page of a draft question, as a browser would post it, aimed at the published one.
    twin = draft.questions.get(key=question.key)
    data = _change_page_data(admin.get(reverse("admin:assessment_question_change", args=[twin.pk])))
    published_options = list(question.options.order_by("order", "id"))
    for index, published_option in enumerate(published_options):
        data[f"options-{index}-id"] = published_option.pk
        data[f"options-{index}-question"] = question.pk
    data["text"] = "Gewijzigde vraag"
    data["options-0-text"] = "Gewijzigd antwoord"

    page = admin.get(url)
    assert page.status_code == 200
    assert 'name="options-0-text"' not in page.content.decode()
    assert admin.post(url, data).status_code == 403
    assert admin.post(reverse("admin:assessment_question_delete", args=[question.pk]),
                      {"post": "yes"}).status_code == 403

    question.refresh_from_db()
    option.refresh_from_db()
    assert question.text != "Gewijzigde vraag"
    assert option.text != "Gewijzigd antwoord"


# --- editing a draft -----------------------------------------------------------------------------


def test_editing_an_option_in_a_draft_works_and_is_audit_logged(admin, superuser, draft):
    question = draft.questions.filter(kind=Question.Kind.SCORED).order_by("pk").first()
    url = reverse("admin:assessment_question_change", args=[question.pk])
    page = admin.get(url)
    assert page.status_code == 200
    assert 'name="options-0-text"' in page.content.decode()
    data = _change_page_data(page)
    option = Option.objects.get(pk=data["options-0-id"])
    data["options-0-text"] = "Nieuwe tekst van het antwoord"
    data["options-0-step"] = "Een nieuwe volgende stap."

    response = admin.post(url, data)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    option.refresh_from_db()
    assert option.text == "Nieuwe tekst van het antwoord"
    assert option.step == "Een nieuwe volgende stap."
    entry = AuditLogEntry.objects.get(action="admin.change", target_type="assessment.option", actor=superuser)
    assert entry.target_id == str(option.pk)
    assert entry.after["text"] == "Nieuwe tekst van het antwoord"
    assert entry.before["text"] != "Nieuwe tekst van het antwoord"


def test_editing_a_question_in_the_draft_set_page_works(admin, draft):
    url = reverse("admin:assessment_questionset_change", args=[draft.pk])
    page = admin.get(url)
    data = _change_page_data(page)
    question = Question.objects.get(pk=data["questions-0-id"])
    data["questions-0-text"] = "Een herschreven vraag?"
    data["title"] = "Nieuwe titel"
    data["status"] = QuestionSet.Status.PUBLISHED  # a crafted status is ignored: only publishing sets it

    response = admin.post(url, data)

    assert response.status_code == 302
    question.refresh_from_db()
    draft.refresh_from_db()
    assert question.text == "Een herschreven vraag?"
    assert draft.title == "Nieuwe titel"
    assert draft.status == QuestionSet.Status.DRAFT
    assert draft.published_at is None


def test_a_new_question_can_only_go_into_a_draft(admin, question_set, draft):
    page = admin.get(reverse("admin:assessment_question_add"))
    choices = set(page.context["adminform"].form.fields["question_set"].queryset)
    assert choices == {draft}


# --- results and reference figures ---------------------------------------------------------------


def test_results_are_not_in_the_back_office(admin, question_set):
    result_finish_with()
    assert admin.get("/beheer/assessment/result/").status_code == 404
    assert "/beheer/assessment/result/" not in admin.get("/beheer/").content.decode()


def test_reference_figure_can_be_edited(admin):
    figure = ReferenceFigure.objects.create(
        label="Bedrijven met een back-up", value_percent="61.0", population="mkb", year=2024,
        source="CBS", url="https://www.cbs.nl/",
    )
    url = reverse("admin:assessment_referencefigure_change", args=[figure.pk])
    data = _change_page_data(admin.get(url))
    data["value_percent"] = "63.5"
    data["year"] = "2025"

    assert admin.post(url, data).status_code == 302
    figure.refresh_from_db()
    assert str(figure.value_percent) == "63.5"
    assert figure.year == 2025


# --- who may ------------------------------------------------------------------------------------


def test_editor_with_the_assessment_permissions_can_publish(client, question_set, draft):
    editor = _with_mfa(UserFactory(is_staff=True))
    editor.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="assessment", codename__in=EDITOR_PERMISSIONS)
    )
    client.force_login(editor)

    assert client.get(CHANGELIST).status_code == 200
    _act(client, "publish", draft)

    draft.refresh_from_db()
    assert draft.status == QuestionSet.Status.PUBLISHED


def test_staff_without_the_permissions_cannot_see_or_publish(client, question_set, draft):
    staff = _with_mfa(UserFactory(is_staff=True))
    client.force_login(staff)

    assert client.get(CHANGELIST).status_code == 403
    client.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]})

    draft.refresh_from_db()
    assert draft.status == QuestionSet.Status.DRAFT


def test_staff_without_a_second_factor_is_sent_to_set_one_up(client, question_set):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"] == "/account/2fa/totp/activate/"
