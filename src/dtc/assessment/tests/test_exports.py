"""Downloads of a result and the e-mail to the IT supplier render the same `Report` as the page.

Rules under test:
- PDF: A4, in the active language (metadata title and language set), with the overall rung, the
  progress figure, a bar per principle against gridlines labelled with the rung names, the rule,
  "Doe deze drie eerst" and every action in order with its article as an absolute, clickable URL.
  The resume link is printed only when passed. Any Unicode text renders (the core fonts know only
  Latin-1: "€" becomes "EUR", curly quotes straight ones, the rest "?"), never an exception.
- CSV: UTF-8 with BOM, ";" between cells, a translated header, one row per action, absolute article
  links; cells that a spreadsheet would run as a formula (= + - @) start with an apostrophe.
- ICS: one all-day event per action; the first three on consecutive working days from the start
  date, then one per week; UIDs stable per (result, question) at the site's domain.
- E-mail to the IT supplier: only the supplier's actions (and a CSV of them), the overall rung and who
  asks, no resume token and no login link, the address stored nowhere; at most
  DTC_ASSESSMENT_SUPPLIER_MAILS_PER_DAY per result per day; refused without supplier actions.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from email import message_from_bytes, policy

import icalendar
import pytest
from django.core import mail as django_mail
from django.core.exceptions import ValidationError
from django.utils import translation
from fpdf import FPDF
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dtc.assessment import exports
from dtc.assessment import report as report_module
from dtc.assessment.mail import supplier_mail_allowed, supplier_mail_send, supplier_mails_left
from dtc.assessment.models import Option, Question, Result
from dtc.assessment.tests.factories import DEFAULT_CONTEXT
from dtc.core.models import AuditLogEntry
from dtc.knowledge.tests.factories import ArticlePageFactory, CategoryPageFactory, HomePageFactory

SUPPLIER_CONTEXT = DEFAULT_CONTEXT | {"it_by": "supplier"}


# --- helpers --------------------------------------------------------------------------------------


def pdf_strings(data: bytes) -> list[str]:
    """The text shown on the pages of an uncompressed fpdf2 PDF, one entry per `Tj` operator."""
    shown = re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", data, flags=re.S)
    unescaped = [re.sub(rb"\\(.)", rb"\1", text, flags=re.S) for text in shown]
    return [text.decode("latin-1") for text in unescaped]


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", data))


def pdf_uris(data: bytes) -> list[str]:
    return [uri.decode("latin-1") for uri in re.findall(rb"/URI \(([^)]*)\)", data)]


def build(started) -> report_module.Report:
    return report_module.result_report(result=Result.objects.get(pk=started.result.pk))


def with_article(report: report_module.Report) -> tuple[str, str]:
    """Publish the knowledge article of the first action that names one; (question key, page path)."""
    keys = [action.question_key for action in report.actions]
    questions = {q.key: q for q in Question.objects.filter(question_set__version=report.version, key__in=keys)}
    key = next(k for k in keys if questions[k].article_slug)
    home = HomePageFactory()
    category = CategoryPageFactory(parent=home)
    page = ArticlePageFactory(parent=category, slug=questions[key].article_slug, title="Updates installeren")
    return key, page.url


@pytest.fixture
def supplier_report(finished_result):
    started = finished_result(rung=1, context=SUPPLIER_CONTEXT)
    report = build(started)
    assert report.supplier_actions and len(report.supplier_actions) < len(report.actions)
    return started, report


# --- PDF --------------------------------------------------------------------------------------


def test_pdf_shows_rung_chart_rule_and_every_action_in_order(finished_result):
    started = finished_result(rung=3, overrides={"p3-os-updates": "dont_know"})
    report = build(started)
    assert {p.rung for p in report.principles} >= {0, 3}, "the test needs bars of different lengths"
    data = exports.report_pdf(report, result_url="", compress=False)

    assert data.startswith(b"%PDF-1.")
    assert b"/MediaBox [0 0 595.28 841.89]" in data  # A4
    assert 1 <= pdf_pages(data) <= 12
    assert b"/Lang (nl)" in data
    assert b"/Title (" in data or b"/Title <" in data
    text = "\n".join(pdf_strings(data))
    assert "Zelftest veilig digitaal ondernemen" in text
    assert report.version in text
    assert f"Trede 0 van 4: {report.overall_label}" in text
    assert f"Voortgang: {report.progress} van 100" in text
    for rung, label in report.rungs:  # the gridlines are labelled with the rung names
        assert f"{rung} {label}" in text
    assert "een ketting is zo sterk als" in text  # the rule, one paragraph
    # One bar per principle, its length proportional to the rung (rung 0: a sliver, not nothing).
    bars = [float(w) for w in re.findall(rb"[\d.]+ [\d.]+ ([\d.]+) -?[\d.]+ re f", data)]
    assert len(bars) == len(report.principles)
    per_rung = {round(width / p.rung, 2) for width, p in zip(bars, report.principles, strict=True) if p.rung}
    assert len(per_rung) == 1
    assert min(bars) < min(per_rung)

    top = text.index("Doe deze drie eerst")
    everything = text.index("Alle acties, in volgorde")
    assert top < everything
    positions = [text.index(f"{a.number}. {a.step[:30]}", everything) for a in report.actions]
    assert positions == sorted(positions) and len(positions) == len(report.actions)
    for action in report.top_three:
        assert top < text.index(f"{action.number}. {action.step[:30]}", top) < everything


def test_pdf_prints_the_resume_link_only_when_given_and_links_articles_absolutely(finished_result, settings):
    settings.SITE_URL = "https://dtc.example"
    started = finished_result(rung=1)
    key, path = with_article(build(started))
    report = build(started)
    assert path.startswith("/") and any(a.article_url == path for a in report.actions)

    resume = f"https://zelftest.example.nl/zelftest/verder/{started.token}/"
    with_link = exports.report_pdf(report, result_url=resume, compress=False)
    assert started.token in "".join(pdf_strings(with_link))
    assert resume in pdf_uris(with_link)
    assert f"https://zelftest.example.nl{path}" in pdf_uris(with_link)  # base taken from result_url

    without = exports.report_pdf(report, result_url="", compress=False)
    assert started.token.encode() not in without
    assert "Je uitslag online" not in "\n".join(pdf_strings(without))
    assert set(pdf_uris(without)) == {f"https://dtc.example{path}"}  # every link on this platform


def test_pdf_renders_any_unicode_and_transliterates_what_latin1_lacks(finished_result):
    started = finished_result(rung=1)
    report = build(started)
    first = report.actions[0]
    question = Question.objects.get(question_set__version=report.version, key=first.question_key)
    Option.objects.filter(question=question).update(
        step="Kost “bijna” niets – €5 per jaar 🔒 漢字 ﬁx e\u0301 \x07 \u200b klaar."
    )
    Question.objects.filter(pk=question.pk).update(unknown_step="Kost “bijna” niets – €5 per jaar 🔒 漢字.")
    report = build(started)
    data = exports.report_pdf(report, result_url="", compress=False)
    text = "\n".join(pdf_strings(data))
    assert 'Kost "bijna" niets - EUR 5 per jaar ? ??' in text


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text())
def test_pdf_text_is_always_latin1_and_printable_by_the_core_fonts(value):
    shown = exports.pdf_text(value)
    shown.encode("latin-1")
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, 5, shown)
    assert bytes(pdf.output()).startswith(b"%PDF")


def test_pdf_text_transliterations():
    assert exports.pdf_text("€10 ‘a’ “b” – — … ﬁ ő ë") == "EUR 10 'a' \"b\" - - ... fi o ë"
    assert exports.pdf_text("日本 😀") == "?? ?"


def test_pdf_follows_the_active_language(finished_result):
    started = finished_result(rung=1)
    with translation.override("en"):
        report = build(started)
        data = exports.report_pdf(report, result_url="", compress=False)
    first = report.actions[0]
    option = Option.objects.get(question__question_set__version=report.version, question__key=first.question_key,
                                key=started.result.answers[first.question_key])
    assert option.step_en and report.actions[0].step == option.step_en
    assert b"/Lang (en)" in data
    text = "\n".join(pdf_strings(data))
    assert option.step_en[:30] in text and option.step[:30] not in text


# --- CSV --------------------------------------------------------------------------------------


def test_csv_is_excel_friendly_with_one_row_per_action(finished_result):
    started = finished_result(rung=1)
    with_article(build(started))
    report = build(started)
    text = exports.report_csv(report, base_url="https://dtc.example")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    assert rows[0] == ["nr", "basisprincipe", "vraag", "jouw antwoord", "volgende stap", "wie", "inspanning",
                       "kosten", "sleutelmaatregel", "waarom nu", "artikel"]
    assert len(rows) == 1 + len(report.actions)
    for row, action in zip(rows[1:], report.actions, strict=True):
        assert row[0] == str(action.number)
        assert row[1] == f"{action.principle}. {action.principle_title}"
        assert row[2:6] == [action.question, action.answer, action.step, action.who_label]
        assert row[6:8] == [action.effort_label, action.cost_label]
        assert row[8] == ("ja" if action.is_key else "nee")
        assert row[9] == action.reason_label
        assert row[10] == (f"https://dtc.example{action.article_url}" if action.article_url else "")
    assert any(row[10].startswith("https://dtc.example/") for row in rows[1:])


def test_csv_neutralises_formulas_and_survives_separators(finished_result):
    started = finished_result(rung=1)
    report = build(started)
    first = report.actions[0]
    assert not first.is_unknown
    Option.objects.filter(question__question_set__version=report.version, question__key=first.question_key,
                          key=started.result.answers[first.question_key]).update(step='=HYPERLINK("http://x.example";"klik")',
                                                   text='+31 6; "bel" ons\nmorgen')
    report = build(started)
    rows = list(csv.reader(io.StringIO(exports.report_csv(report)[1:], newline=""), delimiter=";"))
    row = next(r for r in rows[1:] if r[0] == str(first.number))
    assert row[4] == '\'=HYPERLINK("http://x.example";"klik")'
    assert row[3] == '\'+31 6; "bel" ons\nmorgen'
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1"):
        assert exports.csv_cell(value) == "'" + value
    assert exports.csv_cell("Gewoon tekst") == "Gewoon tekst"


# --- ICS --------------------------------------------------------------------------------------


def test_ics_plans_three_on_working_days_then_one_a_week(finished_result):
    started = finished_result(rung=1)
    with_article(build(started))
    report = build(started)
    assert len(report.actions) >= 5
    saturday = dt.date(2026, 3, 14)
    data = exports.report_ics(report, start=saturday, base_url="https://dtc.example/zelftest/")

    calendar = icalendar.Calendar.from_ical(data)
    assert "PRODID" in calendar and str(calendar["VERSION"]) == "2.0"
    events = calendar.walk("VEVENT")
    assert len(events) == len(report.actions)
    starts = [event.decoded("DTSTART") for event in events]
    assert all(type(day) is dt.date for day in starts)  # all-day
    assert starts[:5] == [dt.date(2026, 3, 16), dt.date(2026, 3, 17), dt.date(2026, 3, 18),
                          dt.date(2026, 3, 23), dt.date(2026, 3, 30)]
    assert starts == sorted(starts)
    for event, action, day in zip(events, report.actions, starts, strict=True):
        assert event.decoded("DTEND") == day + dt.timedelta(days=1)
        assert str(event["UID"]) == f"assessment-{started.result.pk}-{action.question_key}@dtc.example"
        assert "DTSTAMP" in event
        summary, description = str(event["SUMMARY"]), str(event["DESCRIPTION"])
        assert summary == exports.short_step(action.step) and len(summary) <= 80
        assert action.step in description and action.who_label in description
        if action.effort_label:
            assert action.effort_label in description
        if action.article_url:
            assert f"https://dtc.example{action.article_url}" in description
    assert any(action.article_url for action in report.actions)
    again = icalendar.Calendar.from_ical(exports.report_ics(report, start=saturday, base_url="https://dtc.example"))
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [str(e["UID"]) for e in events]


def test_action_dates_from_a_thursday():
    thursday = dt.date(2026, 3, 12)
    assert exports.action_dates(5, start=thursday) == [
        dt.date(2026, 3, 12), dt.date(2026, 3, 13), dt.date(2026, 3, 16), dt.date(2026, 3, 19),
        dt.date(2026, 3, 26),
    ]
    assert exports.action_dates(0, start=thursday) == []


def test_short_step_takes_the_first_sentence_within_the_limit():
    assert exports.short_step("Zet back-ups aan. Controleer ze elke maand.") == "Zet back-ups aan."
    long = "woord " * 40
    short = exports.short_step(long)
    assert len(short) <= 80 and short.endswith("…") and not short.endswith(" …")


# --- e-mail to the IT supplier -----------------------------------------------------------------


def test_supplier_mail_over_smtp_holds_only_the_supplier_actions(
    supplier_report, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://dtc.example"
    started, report = supplier_report
    with django_capture_on_commit_callbacks(execute=True):
        supplier_mail_send(report=report, to="beheer@it-leverancier.example", reply_name="Jan  de\nVries",
                           note="Kun je hier deze maand naar kijken?")

    assert len(smtp_server.messages) == 1
    _sender, recipients, content = smtp_server.messages[0]
    assert recipients == ["beheer@it-leverancier.example"]
    message = message_from_bytes(content, policy=policy.default)
    assert message["Subject"] == "Jan de Vries vraagt je om hulp bij de digitale beveiliging"
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Jan de Vries vraagt je om hulp." in body
    assert "Kun je hier deze maand naar kijken?" in body
    assert f"trede {report.overall_rung} van 4 ({report.overall_label})" in body
    for action in report.supplier_actions:
        assert f"{action.number}. {action.step}" in body
    for action in report.actions:
        if not action.for_supplier:
            assert action.step not in body
    # No way into the result: no token, no link but the site itself.
    assert started.token.encode() not in content
    assert re.findall(r"https?://\S+", body) == ["https://dtc.example"]

    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename().endswith(".csv")
    rows = list(csv.reader(io.StringIO(attachment.get_content().lstrip("\ufeff"), newline=""), delimiter=";"))
    assert [row[0] for row in rows[1:]] == [str(a.number) for a in report.supplier_actions]

    # The address is kept nowhere.
    stored = str(list(Result.objects.values())) + str(list(AuditLogEntry.objects.values()))
    assert "it-leverancier.example" not in stored
    assert supplier_mails_left(result_id=started.result.pk) == settings.DTC_ASSESSMENT_SUPPLIER_MAILS_PER_DAY - 1


def test_supplier_mail_is_limited_per_result_per_day(
    supplier_report, finished_result, settings, django_capture_on_commit_callbacks
):
    settings.DTC_ASSESSMENT_SUPPLIER_MAILS_PER_DAY = 2
    started, report = supplier_report
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            supplier_mail_send(report=report, to="it@leverancier.example", reply_name="Jan", note="")
        assert not supplier_mail_allowed(result_id=started.result.pk)
        with pytest.raises(ValidationError) as limited:
            supplier_mail_send(report=report, to="it@leverancier.example", reply_name="Jan", note="")
    assert limited.value.code == "rate_limited"
    assert len(django_mail.outbox) == 2
    other = finished_result(rung=1, context=SUPPLIER_CONTEXT)
    assert supplier_mail_allowed(result_id=other.result.pk)


def test_supplier_mail_is_refused_without_supplier_actions_or_with_a_bad_address(
    finished_result, supplier_report, settings, django_capture_on_commit_callbacks
):
    done = build(finished_result(rung=4, context=SUPPLIER_CONTEXT))
    assert not done.supplier_actions
    started, report = supplier_report
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError) as empty:
            supplier_mail_send(report=done, to="it@leverancier.example", reply_name="Jan", note="")
        with pytest.raises(ValidationError) as bad_address:
            supplier_mail_send(report=report, to="it@leverancier.example\nBcc: x@y.example", reply_name="Jan",
                               note="")
        with pytest.raises(ValidationError) as no_name:
            supplier_mail_send(report=report, to="it@leverancier.example", reply_name="  ", note="")
    assert empty.value.code == "no_supplier_actions"
    assert "to" in bad_address.value.error_dict
    assert "reply_name" in no_name.value.error_dict
    assert django_mail.outbox == []
    assert supplier_mail_allowed(result_id=done.result.pk)
    assert supplier_mails_left(result_id=started.result.pk) == settings.DTC_ASSESSMENT_SUPPLIER_MAILS_PER_DAY
