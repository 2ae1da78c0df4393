"""The self-assessment pages through HTTP (Django's test client; the browser test is tests/e2e/test_assessment.py).

Rules under test:
- Anyone takes the test without an account: start -> context -> one page per basic principle -> check
  -> finish -> result. A page with unanswered questions answers 400 with an error at each unanswered
  question and keeps (and stores) the answers already given; "Bewaren en later verder" stores what
  was given, without demanding the rest, and shows the resume link, which leads back to the next page.
- Skip rules come from the context: no website/webshop hides the website questions; a business of
  one person gets no questions about staff.
- An anonymous result is reached by its resume token only; an unknown token is a 404. An
  organisation's result is reached by its members only: by id (others 404, visitors are sent to log
  in) and by token (non-members 404: a forwarded link reveals nothing).
- Ticking an action off (organisation results only; 404 on an anonymous one) moves the answer one
  option up and raises the progress figure; a member can keep an anonymous result in their
  organisation (claim), after which the bare link no longer opens it for others.
- Downloads (PDF, CSV, ICS) are attachments with the right content type, and 404 until the test is
  finished. The supplier e-mail goes to one address, holds only the supplier's actions and no resume
  token, refuses an invalid address and stops at the daily limit of the result and of the sender;
  without supplier actions the page leads back to the result.
- An organisation's history lists every result and charts the finished ones oldest first.
- No page of a result is ever kept by a cache (Cache-Control: private, no-store), so the public page
  cache can never hand someone else's resume-link page out.
- The landing page says so when no question set is published.
- The result page costs a fixed number of queries, however many actions it lists.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dtc.assessment import scoring, selectors, services
from dtc.assessment.models import RUNG_LABELS, ActionDone, Question, QuestionSet, Result
from dtc.assessment.report import result_report
from dtc.assessment.tests.factories import DEFAULT_CONTEXT, answers_at, result_finish_with
from dtc.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

LANDING = "/zelftest/"
START = "/zelftest/starten/"
FIELD_ERROR = "Kies een antwoord. Weet je het niet, kies dan &#x27;Weet ik niet&#x27;."


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """The supplier-mail counter lives in the cache, keyed by result id (SQLite reuses ids)."""
    cache.clear()
    caches["pages"].clear()
    yield
    cache.clear()
    caches["pages"].clear()


@pytest.fixture
def member(db):
    """A verified user, member of a bakery (sector G, 2-9 people)."""
    membership = MembershipFactory(organisation=OrganisationFactory(name="Bakkerij De Vries"))
    return membership.user


@pytest.fixture
def organisation(member):
    return member.memberships.get().organisation


def anonymous_start(client: Client) -> tuple[str, str]:
    """POST start as a visitor; returns (token, base path of the run)."""
    response = client.post(START)
    assert response.status_code == 302
    match = re.fullmatch(r"/zelftest/t/([A-Za-z0-9_-]{20,})/stap/0/", response["Location"])
    assert match, response["Location"]
    return match.group(1), f"/zelftest/t/{match.group(1)}/"


def result_of(token: str) -> Result:
    return Result.objects.get(token_hash=services.token_hash(token))


def context_post(client: Client, base: str, context: dict[str, str] | None = None, **extra):
    data = {**(DEFAULT_CONTEXT if context is None else context), "action": "next", **extra}
    return client.post(f"{base}stap/0/", data)


def form_fields(response) -> list[str]:
    return list(response.context["form"].fields)


def scored_keys_where(question_set: QuestionSet, context_key: str) -> list[Question]:
    """The scored questions whose show_if names `context_key` (read from the set, not hard-coded)."""
    question_set = selectors.questionset_with_questions(question_set_id=question_set.pk)
    return [q for q in selectors.scored_questions(question_set) if context_key in (q.show_if or {})]


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def assert_not_cacheable(response) -> None:
    assert {"no-store", "private"} <= cache_control(response), response.get("Cache-Control")


# --- the landing page --------------------------------------------------------------------------


def test_landing_without_a_published_set_says_the_test_is_not_available(client):
    response = client.get(LANDING)
    assert response.status_code == 200
    assert "De zelftest is op dit moment niet beschikbaar" in response.content.decode()
    assert START not in response.content.decode()
    # Starting anyway (an old form) lands back on the page with the reason.
    response = client.post(START, follow=True)
    assert response.redirect_chain[-1][0] == LANDING
    assert "Er is nog geen vragenlijst gepubliceerd." in response.content.decode()
    assert not Result.objects.exists()


def test_landing_offers_the_test_and_the_member_their_organisations(client, question_set, member, organisation):
    html = client.get(LANDING).content.decode()
    assert "Start de zelftest" in html
    assert "niet beschikbaar" not in html
    assert "Start voor Bakkerij De Vries" not in html

    client.force_login(member)
    html = client.get(LANDING).content.decode()
    assert "Start voor Bakkerij De Vries" in html
    assert reverse("assessment:history", args=[organisation.pk]) in html


# --- the anonymous run, page by page -------------------------------------------------------------


def test_anonymous_run_from_start_to_result(client, question_set):
    token, base = anonymous_start(client)
    response = client.get(f"{base}stap/0/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Over je bedrijf" in html
    assert "Hoeveel mensen werken er in je bedrijf" in html
    assert f"/zelftest/hervat/{token}/" in html  # the resume link, shown on every page

    dont_know_key = "p1-backup-separate"
    answers = answers_at(question_set, rung=3, overrides={dont_know_key: scoring.DONT_KNOW})
    response = context_post(client, base)
    assert response.status_code == 302
    visited = []
    location = response["Location"]
    while location != f"{base}controle/":
        match = re.fullmatch(re.escape(base) + r"stap/(\d)/", location)
        assert match, location
        visited.append(int(match.group(1)))
        page = client.get(location)
        assert page.status_code == 200
        fields = form_fields(page)
        assert 4 <= len(fields) <= 6  # 5-6 per principle, less what the context hides
        response = client.post(location, {**{key: answers[key] for key in fields}, "action": "next"})
        assert response.status_code == 302, response.context["form"].errors if response.context else ""
        location = response["Location"]
    assert visited == [1, 2, 3, 4, 5]

    check = client.get(f"{base}controle/")
    assert check.status_code == 200
    assert "Alle vragen zijn beantwoord" in check.content.decode()
    # The result page is not there before finishing: it sends the visitor to the check.
    assert client.get(f"{base}uitslag/")["Location"] == f"{base}controle/"

    response = client.post(f"{base}controle/")
    assert response.status_code == 302
    assert response["Location"] == f"{base}uitslag/"
    result = result_of(token)
    assert result.status == Result.Status.FINISHED
    assert result.context == DEFAULT_CONTEXT
    assert result.answers == answers

    expected = scoring.score(
        selectors.questionset_specs(selectors.questionset_with_questions(question_set_id=question_set.pk)),
        DEFAULT_CONTEXT, answers,
    )
    page = client.get(f"{base}uitslag/")
    assert page.status_code == 200
    html = page.content.decode()
    assert expected.overall_rung == 0  # a don't-know on a key question holds principle 1 at rung 0
    assert f"Trede 0 van 4: {RUNG_LABELS[0]}" in html
    assert f"Voortgangscijfer: {expected.progress} van 100" in html
    assert "Doe deze drie eerst" in html
    top = page.context["report"].top_three
    assert [action.question_key for action in top] == [a.question_key for a in expected.top_three]
    assert top[0].question_key == dont_know_key and top[0].is_unknown
    assert 'role="img"' in html and "dtc-chart-table" in html
    for link in ("rapport.pdf", "acties.csv", "acties.ics"):
        assert f'href="{base}{link}"' in html


def test_check_page_lists_what_is_missing_and_refuses_to_finish(client, question_set):
    token, base = anonymous_start(client)
    context_post(client, base)
    response = client.get(f"{base}controle/")
    assert response.status_code == 200
    assert response.context["missing"]  # nothing answered yet
    response = client.post(f"{base}controle/")
    assert response.status_code == 400
    assert "Nog niet alle vragen zijn beantwoord." in response.content.decode()
    assert result_of(token).status == Result.Status.IN_PROGRESS


def test_a_page_with_missing_answers_is_400_with_an_error_per_question_and_keeps_the_answers(client, question_set):
    token, base = anonymous_start(client)
    context_post(client, base)
    fields = form_fields(client.get(f"{base}stap/1/"))
    given_key, *missing = fields
    answers = answers_at(question_set, rung=2)

    response = client.post(f"{base}stap/1/", {given_key: answers[given_key], "action": "next"})

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == set(missing)
    html = response.content.decode()
    assert html.count(FIELD_ERROR) == len(missing)
    assert 'role="alert"' in html
    for key in missing:  # the summary links to each unanswered question
        assert f'href="#id_{key}_0"' in html
    # The answer given is still chosen on the page, and stored.
    checked = re.search(rf'<input[^>]*name="{given_key}"[^>]*value="{answers[given_key]}"[^>]*>', html)
    assert checked and "checked" in checked.group(0)
    assert result_of(token).answers == {given_key: answers[given_key]}


def test_later_stores_a_partial_page_and_shows_the_resume_link(client, question_set):
    token, base = anonymous_start(client)
    context_post(client, base)
    key = form_fields(client.get(f"{base}stap/1/"))[0]

    response = client.post(f"{base}stap/1/", {key: scoring.DONT_KNOW, "action": "later"})

    assert response.status_code == 200
    assert_not_cacheable(response)
    html = response.content.decode()
    assert "Je antwoorden zijn bewaard" in html
    link = re.search(r'<code[^>]*id="hervat-link"[^>]*>([^<]+)</code>', html)
    assert link and link.group(1).endswith(f"/zelftest/hervat/{token}/")
    result = result_of(token)
    assert result.answers == {key: scoring.DONT_KNOW}
    assert result.status == Result.Status.IN_PROGRESS

    # The link, opened later without cookies, continues where the visitor stopped.
    later = Client()
    resumed = later.get(f"/zelftest/hervat/{token}/")
    assert resumed.status_code == 302
    assert resumed["Location"] == f"{base}stap/1/"
    page = later.get(resumed["Location"])
    assert page.status_code == 200
    assert page.context["form"][key].value() == scoring.DONT_KNOW


def test_later_on_the_context_page_keeps_the_context(client, question_set):
    token, base = anonymous_start(client)
    response = context_post(client, base, {"size": "1"}, action="later")
    assert response.status_code == 200
    assert "hervat-link" in response.content.decode()
    assert result_of(token).context == {"size": "1"}


@pytest.mark.parametrize("webshop", ["yes", "no"])
def test_webshop_answer_decides_whether_the_website_questions_are_asked(client, question_set, webshop):
    website_questions = scored_keys_where(question_set, "webshop")
    assert website_questions, "the set has questions for businesses with a website"
    token, base = anonymous_start(client)
    context_post(client, base, {**DEFAULT_CONTEXT, "webshop": webshop})
    for question in website_questions:
        fields = form_fields(client.get(f"{base}stap/{question.principle}/"))
        assert (question.key in fields) is (webshop == "yes")
    assert any(q.key in services.result_missing(result=result_of(token)) for q in website_questions) is (
        webshop == "yes"
    )


@pytest.mark.parametrize("size", ["1", "2-9"])
def test_a_business_of_one_gets_no_staff_questions(client, question_set, size):
    staff_questions = scored_keys_where(question_set, "size")
    assert staff_questions
    token, base = anonymous_start(client)
    context_post(client, base, {**DEFAULT_CONTEXT, "size": size})
    for question in staff_questions:
        fields = form_fields(client.get(f"{base}stap/{question.principle}/"))
        assert (question.key in fields) is (size != "1")


def test_unknown_tokens_and_steps_are_404(client, question_set):
    for path in (
        "/zelftest/hervat/bestaat-niet-bestaat-niet/",
        "/zelftest/t/bestaat-niet-bestaat-niet/",
        "/zelftest/t/bestaat-niet-bestaat-niet/stap/0/",
        "/zelftest/t/bestaat-niet-bestaat-niet/uitslag/",
        "/zelftest/t/bestaat-niet-bestaat-niet/rapport.pdf",
    ):
        assert client.get(path).status_code == 404, path
    _token, base = anonymous_start(client)
    context_post(client, base)
    assert client.get(f"{base}stap/9/").status_code == 404


# --- organisation results: who may open them ---------------------------------------------------------


ORG_PAGES = ["", "stap/0/", "controle/", "uitslag/", "rapport.pdf", "acties.csv", "acties.ics", "leverancier/"]


@pytest.fixture
def org_result(organisation, question_set) -> services.Started:
    return result_finish_with(rung=1, organisation=organisation, context={**DEFAULT_CONTEXT, "it_by": "supplier"})


@pytest.mark.parametrize("suffix", ORG_PAGES)
def test_organisation_result_by_id_members_only(client, org_result, member, suffix):
    path = f"/mijn/zelftest/{org_result.result.pk}/{suffix}"

    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={path}"

    client.force_login(UserFactory(verified=True))
    assert client.get(path).status_code == 404

    client.force_login(member)
    response = client.get(path)
    assert response.status_code in (200, 302)
    if response.status_code == 302:  # the root and the check page of a finished run lead to the result
        assert response["Location"] == f"/mijn/zelftest/{org_result.result.pk}/uitslag/"
    assert_not_cacheable(response)


def test_organisation_result_by_token_not_for_non_members(client, org_result, member):
    path = f"/zelftest/t/{org_result.token}/uitslag/"
    assert client.get(path).status_code == 404
    assert client.get(f"/zelftest/hervat/{org_result.token}/").status_code == 404
    client.force_login(UserFactory(verified=True))
    assert client.get(path).status_code == 404
    client.force_login(member)
    assert client.get(path).status_code == 200


def test_member_starts_for_the_organisation_others_cannot(client, question_set, member, organisation):
    data = {"organisation": organisation.pk}
    response = client.post(START, data)
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory(verified=True))
    assert client.post(START, data).status_code == 404
    assert not Result.objects.exists()

    client.force_login(member)
    response = client.post(START, data)
    result = Result.objects.get()
    assert response["Location"] == f"/mijn/zelftest/{result.pk}/stap/0/"
    assert result.organisation == organisation
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "sector" not in form_fields(page)  # the organisation's own sector is used
    assert "hervat-link" not in page.content.decode()  # members find it in the history instead


# --- tick off and claim -----------------------------------------------------------------------------


def test_member_ticks_an_action_off_and_the_answer_moves_up(client, org_result, member):
    result = org_result.result
    action = next(a for a in result_report(result=result).actions if a.can_tick)
    spec = next(s for s in selectors.questionset_specs(
        selectors.questionset_with_questions(question_set_id=result.question_set_id)) if s.key == action.question_key)
    before_answer, before_progress = result.answers[action.question_key], result.progress
    base = f"/mijn/zelftest/{result.pk}/"

    client.force_login(UserFactory(verified=True))
    assert client.post(f"{base}afvinken/", {"question": action.question_key}).status_code == 404

    client.force_login(member)
    response = client.post(f"{base}afvinken/", {"question": action.question_key})

    assert response.status_code == 302
    assert response["Location"] == f"{base}uitslag/#acties"
    result.refresh_from_db()
    assert result.answers[action.question_key] == scoring.next_option(spec, before_answer).key
    assert result.progress > before_progress
    assert result.actions_done == 1
    done = ActionDone.objects.get(result=result)
    assert (done.from_answer, done.to_answer) == (before_answer, result.answers[action.question_key])
    page = client.get(f"{base}uitslag/").content.decode()
    assert "Afgevinkt. Je uitkomst is opnieuw berekend." in page
    assert f"Voortgangscijfer: {result.progress} van 100" in page


def test_ticking_off_is_refused_on_an_anonymous_result(client, question_set, member):
    started = result_finish_with(rung=1)
    key = next(a for a in result_report(result=started.result).actions if a.can_tick).question_key
    answers = dict(started.result.answers)
    for who in (None, member):
        if who:
            client.force_login(who)
        response = client.post(f"/zelftest/t/{started.token}/afvinken/", {"question": key})
        assert response.status_code == 404
    started.result.refresh_from_db()
    assert started.result.answers == answers
    assert not ActionDone.objects.exists()


def test_member_keeps_an_anonymous_result_in_the_organisation(client, question_set, member, organisation):
    started = result_finish_with(rung=2)
    base = f"/zelftest/t/{started.token}/"
    # A visitor is asked to log in first; nothing changes.
    response = client.post(f"{base}bewaren/", {"organisation": organisation.pk})
    assert response["Location"].startswith(reverse("account_login"))
    # Someone else's organisation: 404, nothing changes.
    client.force_login(member)
    other = OrganisationFactory()
    assert client.post(f"{base}bewaren/", {"organisation": other.pk}).status_code == 404
    started.result.refresh_from_db()
    assert started.result.organisation_id is None

    page = client.get(f"{base}uitslag/").content.decode()
    assert "Bewaar bij Bakkerij De Vries" in page
    response = client.post(f"{base}bewaren/", {"organisation": organisation.pk})

    assert response.status_code == 302
    assert response["Location"] == f"/mijn/zelftest/{started.result.pk}/uitslag/"
    started.result.refresh_from_db()
    assert started.result.organisation == organisation
    history = client.get(reverse("assessment:history", args=[organisation.pk])).content.decode()
    assert f"/mijn/zelftest/{started.result.pk}/" in history
    # The bare link now reveals the organisation's result to nobody else.
    assert Client().get(f"{base}uitslag/").status_code == 404


# --- downloads ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "start", "extension"),
    [
        ("rapport.pdf", "application/pdf", b"%PDF", "pdf"),
        ("acties.csv", "text/csv; charset=utf-8", None, "csv"),
        ("acties.ics", "text/calendar; charset=utf-8", b"BEGIN:VCALENDAR", "ics"),
    ],
)
def test_downloads_are_attachments_of_the_finished_result_only(client, question_set, name, content_type, start,
                                                              extension):
    token, base = anonymous_start(client)
    context_post(client, base)
    assert client.get(f"{base}{name}").status_code == 404  # not finished yet

    started = result_finish_with(rung=1)
    response = client.get(f"/zelftest/t/{started.token}/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    date = timezone.localdate(started.result.finished_at).isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="zelftest-{date}.{extension}"'
    assert_not_cacheable(response)
    body = response.content
    if start:
        assert body.startswith(start)
    if extension == "csv":
        text = body.decode("utf-8-sig")
        first_step = result_report(result=started.result).actions[0].step
        assert first_step.split("\n")[0][:40] in text
    if extension != "pdf":  # the PDF prints the resume link on purpose; the files people pass on do not
        assert started.token not in body.decode("utf-8")


# --- the e-mail to the IT supplier --------------------------------------------------------------------


@pytest.fixture
def supplier_result(question_set) -> services.Started:
    """A business whose IT is run by a supplier, answering at rung 1: several supplier actions."""
    return result_finish_with(rung=1, context={**DEFAULT_CONTEXT, "it_by": "supplier"})


def test_supplier_mail_holds_only_the_suppliers_actions(client, supplier_result, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    base = f"/zelftest/t/{supplier_result.token}/"
    report = result_report(result=supplier_result.result)
    mine = [a for a in report.actions if not a.for_supplier]
    theirs = report.supplier_actions
    assert mine and theirs
    page = client.get(f"{base}leverancier/")
    assert page.status_code == 200
    assert_not_cacheable(page)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}leverancier/", {
            "to": "helpdesk@it-partner.nl", "reply_name": "Bakkerij De Vries", "note": "Graag deze week.",
        })

    assert response.status_code == 302
    assert response["Location"] == f"{base}uitslag/"
    [mail] = mailoutbox
    assert mail.to == ["helpdesk@it-partner.nl"]
    body = mail.body
    assert "Bakkerij De Vries" in body and "Graag deze week." in body
    for action in theirs:
        assert action.step in body
    for action in mine:
        assert action.step not in body, action.question_key
    assert supplier_result.token not in body
    assert "/zelftest/t/" not in body and "/hervat/" not in body
    for _name, content, _mimetype in mail.attachments:
        assert supplier_result.token not in str(content)


def test_supplier_mail_refuses_an_invalid_address(client, supplier_result, mailoutbox,
                                                  django_capture_on_commit_callbacks):
    base = f"/zelftest/t/{supplier_result.token}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}leverancier/", {"to": "geen-adres", "reply_name": "Bakkerij"})
    assert response.status_code == 400
    assert response.context["form"].errors["to"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert mailoutbox == []


def test_supplier_mail_stops_at_the_daily_limit_per_result_and_per_sender(
    client, supplier_result, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.DTC_ASSESSMENT_SUPPLIER_MAILS_PER_DAY = 2
    settings.DTC_ASSESSMENT_SUPPLIER_MAILS_PER_CLIENT_PER_DAY = 3
    base = f"/zelftest/t/{supplier_result.token}/"
    data = {"to": "helpdesk@it-partner.nl", "reply_name": "Bakkerij"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{base}leverancier/", data).status_code == 302
        assert client.post(f"{base}leverancier/", data).status_code == 302
        refused = client.post(f"{base}leverancier/", data)
    assert refused.status_code == 400
    assert "het maximum per dag" in refused.content.decode()
    assert len(mailoutbox) == 2
    # A fresh result has its own allowance, but the same sender reaches a limit of its own.
    other = result_finish_with(rung=1, context={**DEFAULT_CONTEXT, "it_by": "supplier"})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/zelftest/t/{other.token}/leverancier/", data).status_code == 302
        refused = client.post(f"/zelftest/t/{other.token}/leverancier/", data)
    assert len(mailoutbox) == 3
    assert refused.status_code == 400
    assert "te veel e-mails" in refused.content.decode()


def test_supplier_page_without_supplier_actions_leads_back_to_the_result(client, question_set, mailoutbox):
    started = result_finish_with(rung=4)  # the best answer everywhere: no action at all
    base = f"/zelftest/t/{started.token}/"
    for response in (client.get(f"{base}leverancier/"),
                     client.post(f"{base}leverancier/", {"to": "helpdesk@it-partner.nl", "reply_name": "B"})):
        assert response.status_code == 302
        assert response["Location"] == f"{base}uitslag/"
    assert mailoutbox == []


def test_supplier_page_is_404_before_finishing(client, question_set):
    _token, base = anonymous_start(client)
    assert client.get(f"{base}leverancier/").status_code == 404


# --- history -----------------------------------------------------------------------------------------


def test_history_lists_both_results_and_charts_them_oldest_first(client, organisation, member, question_set):
    older = result_finish_with(rung=0, organisation=organisation).result
    newer = result_finish_with(rung=3, organisation=organisation).result
    Result.objects.filter(pk=older.pk).update(created_at=dt.datetime(2025, 1, 15, 10, tzinfo=dt.UTC),
                                              finished_at=dt.datetime(2025, 1, 15, 10, 30, tzinfo=dt.UTC))
    Result.objects.filter(pk=newer.pk).update(created_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC),
                                              finished_at=dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC))
    path = reverse("assessment:history", args=[organisation.pk])

    assert client.get(path)["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory(verified=True))
    assert client.get(path).status_code == 404

    client.force_login(member)
    response = client.get(path)
    assert response.status_code == 200
    assert_not_cacheable(response)
    html = response.content.decode()
    for result in (older, newer):
        assert f'href="/mijn/zelftest/{result.pk}/"' in html
    chart = html[html.index("<svg"):html.index("</svg>")]
    assert chart.index("15-1-2025") < chart.index("2-3-2026")  # oldest on the left
    assert [p["result"].pk for p in response.context["points"]] == [older.pk, newer.pk]
    table = html[html.index("<table"):html.index("</table>")]
    assert table.index("2 maart 2026") < table.index("15 januari 2025")  # the table: newest first


# --- caching -----------------------------------------------------------------------------------------


def test_result_pages_are_never_kept_by_the_public_page_cache(question_set, settings):
    """With the public page cache on, the same resume-link page asked twice is rendered twice."""
    settings.DTC_PAGE_CACHE_SECONDS = 60
    started = result_finish_with(rung=2)
    base = f"/zelftest/t/{started.token}/"
    paths = [f"/zelftest/hervat/{started.token}/", base, f"{base}stap/0/", f"{base}stap/1/", f"{base}controle/",
             f"{base}uitslag/", f"{base}rapport.pdf", f"{base}acties.csv", f"{base}acties.ics"]
    for path in paths:
        first = Client().get(path)
        assert_not_cacheable(first)
        second = Client().get(path)
        assert "X-Cache" not in second, path
    # The cache itself is on: a public page is kept.
    Client().get("/robots.txt")
    assert Client().get("/robots.txt").get("X-Cache") == "hit"


# --- query count -------------------------------------------------------------------------------------


@pytest.mark.parametrize("organisation_result", [False, True])
def test_result_page_query_count_does_not_grow_with_the_actions(client, question_set, organisation, member,
                                                               organisation_result,
                                                               django_assert_max_num_queries):
    if organisation_result:
        client.force_login(member)
    owner = organisation if organisation_result else None

    def page(rung: int) -> str:
        started = result_finish_with(rung=rung, organisation=owner, peer_opt_in=True, sector="G")
        if organisation_result:
            return f"/mijn/zelftest/{started.result.pk}/uitslag/"
        return f"/zelftest/t/{started.token}/uitslag/"

    few, many = page(4), page(0)  # no action at all; an action at every question
    client.get(few)  # warm up (session, content types)
    with django_assert_max_num_queries(18) as counted:
        response = client.get(few)
    assert response.status_code == 200
    assert response.context["report"].actions == []
    with django_assert_max_num_queries(len(counted.captured_queries)):
        response = client.get(many)
    assert response.status_code == 200
    assert len(response.context["report"].actions) > 20
