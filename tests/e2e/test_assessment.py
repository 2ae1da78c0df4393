"""The self-assessment through a real browser, from the keyboard only.

A visitor without an account takes the test with Tab, the arrow keys, Space and Enter (no mouse):
starts it, answers the context page and principle 1, chooses "Bewaren en later verder", copies the
resume link from the page, opens it in a new browser (no cookies), finishes every page (with at least
one "Weet ik niet"), and reaches the result: the overall rung, the chart (an SVG image with the same
data in a table), "Doe deze drie eerst" with three actions, and the PDF, CSV and calendar downloads.
The IT-supplier page sends its e-mail. A member of an organisation sees its two results over time and
ticks an action off, and the progress figure rises.

axe (WCAG 2.1 A/AA) finds nothing on the landing page, a question page (also showing validation
errors), the result page, the supplier form and the organisation history; the question and result
pages reflow at 320 CSS px (WCAG 1.4.10) without anything sticking out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_support import PageWatch, login, user_create
from playwright.sync_api import expect
from test_trust_platform_pages import assert_accessible_and_reflows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUPPLIER = "helpdesk@it-partner.nl"
# The context of a bakery of 2-9 people whose IT is run by a supplier and that has a website.
CONTEXT = {"size": "2-9", "it_by": "supplier", "cloud_suite": "no", "webshop": "yes", "remote": "no"}


@pytest.fixture
def question_set(transactional_db):
    from dtc.assessment import services

    question_set, _created = services.questionset_load()
    services.reference_figures_load()
    return question_set


# --- the keyboard -------------------------------------------------------------------------------


def focused(page) -> dict[str, str]:
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            return {tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '', value: e.value || '',
                    text: (e.innerText || '').trim(), checked: String(!!e.checked)};
        }"""
    )


def tab_until(page, wanted: Callable[[dict[str, str]], bool], *, what: str, limit: int = 250) -> None:
    """Press Tab until the focused element is the one wanted (a person tabbing through the page)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if wanted(focused(page)):
            return
    raise AssertionError(f"{page.url}: Tab never reached {what}")


def press_button(page, label: str) -> None:
    """Tab to the button or link whose text starts with `label` and press Enter."""
    tab_until(page, lambda f: f["tag"] in {"button", "a"} and f["text"].startswith(label), what=label)
    page.keyboard.press("Enter")


def choose(page, name: str, value: str) -> None:
    """Tab into the radio group `name`, then move to `value` with the arrow keys (Space if already there)."""
    tab_until(page, lambda f: f["type"] == "radio" and f["name"] == name, what=f"the question {name}")
    values = page.locator(f"main input[type=radio][name='{name}']").evaluate_all("els => els.map(e => e.value)")
    moves = values.index(value) - values.index(focused(page)["value"])
    if moves == 0:
        page.keyboard.press("Space")
    for _ in range(abs(moves)):
        page.keyboard.press("ArrowDown" if moves > 0 else "ArrowUp")
    expect(page.locator(f"main input[type=radio][name='{name}'][value='{value}']")).to_be_checked()


def questions_on(page) -> list[str]:
    """The radio groups of the page, in order."""
    names = page.locator("main fieldset input[type=radio]").evaluate_all("els => els.map(e => e.name)")
    return list(dict.fromkeys(names))


def answer_page(page, chosen: dict[str, str], *, dont_know: str | None = None) -> None:
    """Answer every question on the page: the third answer (the middle of the ladder), or 'Weet ik niet'."""
    for name in questions_on(page):
        values = page.locator(f"main input[type=radio][name='{name}']").evaluate_all("els => els.map(e => e.value)")
        value = "dont_know" if name == dont_know else values[2]
        choose(page, name, value)
        chosen[name] = value


STICKING_OUT = """() => {
    // Visible boxes and words whose right edge lies beyond the viewport (a long word overflows its box
    // without widening the page). Text hidden for sight but kept for screen readers is left out.
    const limit = document.documentElement.clientWidth + 1;
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node && out.length < 5; node = walker.nextNode()) {
        const el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
        if (el.closest('.dtc-visually-hidden, .dtc-skip-link, [hidden]')) continue;
        let right;
        if (node.nodeType === Node.TEXT_NODE) {
            if (!node.textContent.trim()) continue;
            range.selectNodeContents(node);
            right = range.getBoundingClientRect().right;
        } else {
            right = node.getBoundingClientRect().right;
        }
        if (right > limit) {
            out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '')
                     + (node.nodeType === Node.TEXT_NODE ? ' "' + node.textContent.trim().slice(0, 40) + '"' : ''));
        }
    }
    return out;
}"""


def assert_question_page_checks(page) -> None:
    """At 320 CSS px nothing sticks out (stricter than no sideways scrolling: a long word in a box
    with hidden overflow is cut off without widening the page); then axe and the shared reflow check."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        wide = page.evaluate(STICKING_OUT)
        assert not wide, f"{page.url}: at 320 CSS px these stick out: {wide}"
    finally:
        page.set_viewport_size(size)
    assert_accessible_and_reflows(page)


# --- the anonymous run --------------------------------------------------------------------------


def test_anonymous_run_by_keyboard_with_resume_link_downloads_and_supplier_mail(
    page, browser, live_server, question_set, smtp_server
):
    from dtc.assessment import scoring, selectors
    from dtc.assessment.models import RUNG_LABELS, Question, Result

    page.goto("/zelftest/")
    expect(page.locator("h1")).to_have_text("Zelftest: hoe veilig onderneem jij digitaal?")
    assert_accessible_and_reflows(page)
    press_button(page, "Start de zelftest")
    page.wait_for_url(re.compile(r"/zelftest/t/[^/]+/stap/0/$"))

    # Context: about the business.
    expect(page.locator("h1")).to_have_text("Over je bedrijf")
    for name, value in CONTEXT.items():
        choose(page, name, value)
    press_button(page, "Volgende")
    page.wait_for_url(re.compile(r"/stap/1/$"))

    # Principle 1, then "later": the page keeps the answers and shows the resume link.
    chosen: dict[str, str] = {}
    key_question = Question.objects.filter(question_set=question_set, principle=1, is_key=True).order_by("order")[0].key
    answer_page(page, chosen, dont_know=key_question)
    press_button(page, "Bewaren en later verder")
    expect(page.locator("h1")).to_have_text("Je antwoorden zijn bewaard")
    resume_link = page.locator("#hervat-link").inner_text().strip()
    assert re.fullmatch(re.escape(live_server.url) + r"/zelftest/hervat/[A-Za-z0-9_-]+/", resume_link), resume_link

    # Later, in another browser: no cookies, only the link.
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", accept_downloads=True)
    context.set_default_timeout(10_000)
    later = context.new_page()
    later.watch = PageWatch(origin=live_server.url)
    later.watch.attach(later)
    try:
        assert context.cookies() == []
        later.goto(resume_link)
        later.wait_for_url(re.compile(r"/zelftest/t/[^/]+/stap/1/$"))
        base = re.sub(r"stap/1/$", "", later.url)
        expect(later.locator(f"main input[name='{key_question}'][value='dont_know']")).to_be_checked()
        press_button(later, "Volgende")
        later.wait_for_url(re.compile(r"/stap/2/$"))

        # A page sent without answers: every question says why, the summary is announced.
        press_button(later, "Volgende")
        expect(later.locator("main [role=alert]")).to_contain_text("Nog niet alle vragen zijn beantwoord")
        errors = later.locator("main .utrecht-form-field-error-message")
        expect(errors).to_have_count(len(questions_on(later)))
        assert_question_page_checks(later)

        for number in (2, 3, 4, 5):
            expect(later.locator("h1")).to_contain_text(f"Basisprincipe {number}")
            if number == 3:
                assert_question_page_checks(later)
            answer_page(later, chosen)
            press_button(later, "Volgende")
            next_page = f"stap/{number + 1}/" if number < 5 else "controle/"
            later.wait_for_url(re.compile(re.escape(next_page) + "$"))

        expect(later.locator("main")).to_contain_text("Alle vragen zijn beantwoord")
        press_button(later, "Bekijk mijn uitkomst")
        later.wait_for_url(re.compile(r"/uitslag/$"))

        # The result: what the keyboard chose is what was stored and scored.
        result = Result.objects.get()
        assert result.is_finished
        assert result.context == CONTEXT
        assert result.answers == chosen
        specs = selectors.questionset_specs(selectors.questionset_with_questions(question_set_id=question_set.pk))
        expected = scoring.score(specs, CONTEXT, chosen)
        later_main = later.locator("main")
        expect(later_main.locator(".dtc-overall__rung")).to_have_text(
            f"Trede {expected.overall_rung} van 4: {RUNG_LABELS[expected.overall_rung]}"
        )
        expect(later_main).to_contain_text(f"Voortgangscijfer: {expected.progress} van 100")
        chart = later_main.locator("figure.dtc-chart svg[role=img]")
        expect(chart).to_be_visible()
        assert chart.get_attribute("aria-labelledby")
        rows = later_main.locator("table.dtc-chart-table tbody tr")
        expect(rows).to_have_count(len(expected.principle_rungs))
        for number, rung in expected.principle_rungs.items():
            expect(rows.nth(number - 1)).to_contain_text(f"{rung} – {RUNG_LABELS[rung]}")
        first = later_main.locator("section[aria-labelledby=eerst]")
        expect(first.locator("h2")).to_have_text("Doe deze drie eerst")
        expect(first.locator("ol > li")).to_have_count(3)
        expect(first.locator("ol > li").first).to_contain_text("Uitzoeken")  # the don't-know of a key question
        assert_question_page_checks(later)

        # Downloads, each from the keyboard.
        downloads = (("Rapport (pdf)", b"%PDF"), ("Actielijst (csv", "\ufeffnr;basisprincipe;".encode()),
                     ("Acties in je agenda", b"BEGIN:VCALENDAR"))
        for label, starts in downloads:
            with later.expect_download() as download_info:
                press_button(later, label)
            download = download_info.value
            body = Path(download.path()).read_bytes()
            assert body.startswith(starts), (label, body[:20])
            assert download.suggested_filename.startswith("zelftest-")

        # The supplier's part by e-mail: a wrong address first, then the right one.
        press_button(later, "Stuur de")
        later.wait_for_url(re.compile(r"/leverancier/$"))
        expect(later.locator("h1")).to_have_text("Stuur de taken naar je IT-leverancier")
        assert_accessible_and_reflows(later)
        tab_until(later, lambda f: f["name"] == "to", what="the address field")
        later.keyboard.type("geen-adres")
        tab_until(later, lambda f: f["name"] == "reply_name", what="the name field")
        later.keyboard.type("Bakkerij De Vries")
        press_button(later, "Versturen")
        expect(later.locator("main [name=to]")).to_have_attribute("aria-invalid", "true")
        assert_accessible_and_reflows(later)
        tab_until(later, lambda f: f["name"] == "to", what="the address field")
        later.keyboard.press("Control+A")
        later.keyboard.type(SUPPLIER)
        press_button(later, "Versturen")
        later.wait_for_url(re.compile(r"/uitslag/$"))
        expect(later.locator(".dtc-messages")).to_contain_text("verstuurd")
        sent = smtp_server.wait_for(to=SUPPLIER)
        text = smtp_server.text(sent)
        assert "Bakkerij De Vries" in text
        assert base.split("/zelftest/t/")[1].strip("/") not in text  # no resume token in the mail
    finally:
        context.close()
    problems = later.watch.problems()
    assert not problems, "\n".join(problems)


# --- an organisation's history and ticking off ----------------------------------------------------


@pytest.fixture
def bakery_history(question_set):
    """A member of a bakery with two finished results (a year apart), built through the services."""
    from dtc.assessment.models import Result
    from dtc.assessment.tests.factories import DEFAULT_CONTEXT, result_finish_with
    from dtc.organisations.models import Membership, Organisation

    member = user_create("eigenaar@bakkerij-de-vries.nl", name="Anne de Vries")
    bakery = Organisation.objects.create(name="Bakkerij De Vries", kvk_number="12345678", sector="G",
                                         size_class="2-9")
    Membership.objects.create(user=member, organisation=bakery, role=Membership.OrgRole.ADMIN)
    context = {**DEFAULT_CONTEXT, "it_by": "supplier"}
    older = result_finish_with(rung=0, organisation=bakery, context=context).result
    newer = result_finish_with(rung=1, organisation=bakery, context=context).result
    a_year_ago = dt.datetime(2025, 3, 2, 9, tzinfo=dt.UTC)
    Result.objects.filter(pk=older.pk).update(created_at=a_year_ago, finished_at=a_year_ago)
    return {"member": member.email, "organisation": bakery.pk, "older": older.pk, "newer": newer.pk}


def progress_figure(page) -> int:
    text = page.locator("main .dtc-overall").inner_text()
    match = re.search(r"Voortgangscijfer: (\d+) van 100", text)
    assert match, text
    return int(match.group(1))


def test_member_sees_the_history_and_ticks_an_action_off(page, bakery_history):
    main = page.locator("main")
    login(page, bakery_history["member"])
    page.goto(f"/mijn/zelftest/organisatie/{bakery_history['organisation']}/")
    expect(page.locator("h1")).to_have_text("Zelftest van Bakkerij De Vries")
    expect(main.locator("svg[role=img] rect")).to_have_count(2)
    expect(main.locator(".dtc-table tbody tr")).to_have_count(2)
    assert_accessible_and_reflows(page)

    page.goto(f"/mijn/zelftest/{bakery_history['newer']}/uitslag/")
    before = progress_figure(page)
    assert_accessible_and_reflows(page)
    tab_until(page, lambda f: f["tag"] == "button" and f["text"].startswith("Gedaan: afvinken"),
              what="the first 'Gedaan: afvinken' button")
    page.keyboard.press("Enter")
    expect(page.locator(".dtc-messages")).to_contain_text("Afgevinkt")
    assert progress_figure(page) > before
    page.goto(f"/mijn/zelftest/organisatie/{bakery_history['organisation']}/")
    expect(main.locator(".dtc-table tbody tr").first.locator("td").last).to_have_text("1")
