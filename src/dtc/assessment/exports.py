"""Downloads of a self-assessment result: a PDF to print, a CSV for a spreadsheet and a calendar file
(ICS) that plans the actions. Each renders one `report.Report`, so they say what the page says.

- PDF (fpdf2, A4, core fonts only so the file stays small; the set-up and `pdf_text`, which makes any
  text printable by the Latin-1 core fonts and never raises, are shared in `dtc.core.pdf`).
- CSV: UTF-8 with a byte-order mark and ";" between cells, because that is what Excel with Dutch
  regional settings opens without an import wizard. Cells that a spreadsheet would read as a formula
  get a leading apostrophe (OWASP, "CSV Injection").
- ICS (RFC 5545): one all-day event per action; the first three actions on the first three working
  days, the others one per week after that.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from dtc.assessment.models import TOP_RUNG
from dtc.assessment.report import ActionLine, Report
from dtc.core.pdf import ACCENT, FONT, GRID, INK, LINK, MUTED, new_pdf, pdf_text
from dtc.core.pdf import heading as _heading
from dtc.core.pdf import paragraph as _paragraph

# --- shared helpers ---------------------------------------------------------------------------


def base_url_from(url: str) -> str:
    """scheme://host[:port] of an absolute http(s) URL; the site's own address otherwise."""
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return settings.SITE_URL.rstrip("/")


def absolute_url(url: str, *, base_url: str) -> str:
    """A site-relative URL ("/kennisbank/…") made absolute with `base_url`; other URLs unchanged."""
    if not url:
        return ""
    if url.startswith("/") and not url.startswith("//") and base_url:
        return base_url.rstrip("/") + url
    return url


def _principle(action: ActionLine) -> str:
    return f"{action.principle}. {action.principle_title}"


# --- PDF ----------------------------------------------------------------------------------------

def _rung_heading(report: Report) -> str:
    if report.overall_rung is None:
        return _("Nog geen uitslag: er zijn geen vragen beantwoord die meetellen.")
    return _("Trede %(rung)s van %(top)s: %(label)s") % {
        "rung": report.overall_rung, "top": TOP_RUNG, "label": report.overall_label,
    }


def _chart(pdf: FPDF, report: Report) -> None:
    """Horizontal bars, one per principle, against vertical gridlines labelled with the rung names."""
    label_w, value_w = 58.0, 30.0
    plot_w = pdf.epw - label_w - value_w
    step = plot_w / TOP_RUNG
    left = pdf.l_margin + label_w
    row_h, bar_h, line_h = 10.0, 5.0, 3.6
    needed = 10 + row_h * max(1, len(report.principles))
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()

    # Gridline labels: "0 Onbeschermd" … "4 Weerbaar", shrunk until each fits between two lines.
    names = [pdf_text(f"{rung} {label}") for rung, label in report.rungs]
    size = 7.0
    pdf.set_font(FONT, size=size)
    while size > 4.5 and max(pdf.get_string_width(name) for name in names) > step - 1:
        size -= 0.5
        pdf.set_font(FONT, size=size)
    top = pdf.get_y()
    pdf.set_text_color(*MUTED)
    for rung, name in enumerate(names):
        x = left + rung * step
        pdf.text(x - pdf.get_string_width(name) / 2, top + 3, name)
    grid_top = top + 5
    grid_bottom = grid_top + row_h * max(1, len(report.principles))

    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.2)
    for rung in range(TOP_RUNG + 1):
        x = left + rung * step
        pdf.line(x, grid_top, x, grid_bottom)

    for index, principle in enumerate(report.principles):
        y = grid_top + index * row_h
        pdf.set_text_color(*INK)
        pdf.set_font(FONT, size=8)
        lines: list[str] = list(pdf.multi_cell(  # type: ignore[arg-type]  # output="LINES": a list
            label_w - 3, line_h, pdf_text(f"{principle.number}. {principle.title}"),
            align="L", dry_run=True, output="LINES",
        ))
        text_y = y + (row_h - line_h * min(len(lines), 2)) / 2
        pdf.set_xy(pdf.l_margin, text_y)
        pdf.multi_cell(label_w - 3, line_h, "\n".join(lines[:2]), align="L",
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        bar_y = y + (row_h - bar_h) / 2
        pdf.set_fill_color(*ACCENT)
        if principle.rung is not None:
            # Rung 0 still gets a sliver, so "no bar" never reads as "no data".
            pdf.rect(left, bar_y, max(principle.rung * step, 0.8), bar_h, style="F")
        pdf.set_font(FONT, "B" if principle.rung is not None else "", 8)
        value = f"{principle.rung} {principle.rung_label}" if principle.rung is not None else principle.rung_label
        pdf.set_xy(left + plot_w + 3, bar_y)
        pdf.cell(value_w - 3, bar_h, pdf_text(value), align="L")
    pdf.set_draw_color(*INK)
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin, grid_bottom + 3)


def _action_block(pdf: FPDF, action: ActionLine, *, base_url: str, full: bool) -> None:
    with pdf.unbreakable() as block:  # one action never runs over two pages
        _action_lines(block, action, base_url=base_url, full=full)
    pdf.ln(2.5)


def _action_lines(pdf: Any, action: ActionLine, *, base_url: str, full: bool) -> None:
    _paragraph(pdf, f"{action.number}. {action.step}", size=10.5, style="B")
    details = " | ".join(part for part in (
        _("Wie: %(who)s") % {"who": action.who_label},
        _("Inspanning: %(effort)s") % {"effort": action.effort_label} if action.effort_label else "",
        _("Kosten: %(cost)s") % {"cost": action.cost_label} if action.cost_label else "",
    ) if part)
    if full:
        _paragraph(pdf, _("Basisprincipe %(principle)s") % {"principle": _principle(action)}, size=9, color=MUTED)
        _paragraph(pdf, _("Vraag: %(question)s") % {"question": action.question}, size=9, color=MUTED)
        _paragraph(pdf, _("Jouw antwoord: %(answer)s") % {"answer": action.answer}, size=9, color=MUTED)
    _paragraph(pdf, details, size=9)
    why = action.reason_label
    if action.is_key and action.reason != "key":
        why = f"{why} ({_('sleutelmaatregel')})"
    _paragraph(pdf, _("Waarom nu: %(why)s") % {"why": why}, size=9)
    url = absolute_url(action.article_url, base_url=base_url)
    if url:
        _paragraph(pdf, _("Lees meer: %(title)s") % {"title": action.article_title}, size=9)
        _paragraph(pdf, url, size=9, style="U", color=LINK, link=url)


def rule_text() -> str:
    """The scoring rule (scoring.py) in one paragraph, as the results page explains it."""
    return _(
        "Elk antwoord hoort bij een trede, van 0 (Onbeschermd) tot 4 (Weerbaar). De trede van een "
        "basisprincipe is het gemiddelde van je antwoorden, naar beneden afgerond, en nooit hoger dan het "
        "antwoord op een sleutelvraag. 'Niet van toepassing' telt niet mee; 'weet ik niet' telt als trede 0 "
        "en wordt een taak. Je totale trede is die van je zwakste basisprincipe: een ketting is zo sterk als "
        "de zwakste schakel. Het voortgangscijfer (0 tot 100) is het deel van alle punten dat je op de "
        "beantwoorde vragen kunt halen; het stijgt bij elke verbetering, ook als je trede nog niet verandert."
    )


def report_pdf(report: Report, *, result_url: str, compress: bool = True) -> bytes:
    """The result as an A4 PDF in the active language. `result_url` (the resume link of an anonymous
    result) is printed at the end only when given; pass "" for an organisation's result.
    `compress=False` leaves the page content readable, for tests."""
    base_url = base_url_from(result_url)
    title = _("Zelftest veilig digitaal ondernemen")
    pdf = new_pdf(title=title, subject=_("Uitslag en actielijst"), compress=compress)

    pdf.set_font(FONT, "B", 18)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 8, pdf_text(title), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    when = report.result.finished_at or report.result.updated_at
    _paragraph(pdf, _("%(date)s | vragenlijst %(version)s") % {
        "date": formats.date_format(timezone.localtime(when), "DATE_FORMAT"), "version": report.version,
    }, size=9, color=MUTED)

    _heading(pdf, _("Je uitslag"))
    _paragraph(pdf, _rung_heading(report), size=14, style="B", color=ACCENT)
    _paragraph(pdf, _("Voortgang: %(progress)s van 100") % {"progress": report.progress}, size=11)
    _paragraph(pdf, _("Beantwoord: %(answered)s van %(applicable)s vragen") % {
        "answered": report.answered, "applicable": report.applicable,
    }, size=9, color=MUTED)

    _heading(pdf, _("Per basisprincipe"))
    _chart(pdf, report)

    _heading(pdf, _("Zo komt de uitslag tot stand"), size=11)
    _paragraph(pdf, rule_text(), size=9)

    _heading(pdf, _("Doe deze drie eerst"))
    if not report.actions:
        _paragraph(pdf, _("Er staan geen acties open: alles staat op de hoogste trede."))
    for action in report.top_three:
        _action_block(pdf, action, base_url=base_url, full=False)

    if report.actions:
        _heading(pdf, _("Alle acties, in volgorde"))
        for action in report.actions:
            _action_block(pdf, action, base_url=base_url, full=True)

    if result_url:
        _heading(pdf, _("Je uitslag online"), size=11)
        _paragraph(pdf, _("Met deze link open je je uitslag weer en vink je acties af. Deel hem alleen met "
                          "wie je uitslag mag zien."), size=9)
        _paragraph(pdf, result_url, size=9, style="U", color=LINK, link=result_url)
    return bytes(pdf.output())


# --- CSV ----------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet will never run: text starting like a formula gets a leading apostrophe."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_header() -> list[str]:
    return [
        _("nr"), _("basisprincipe"), _("vraag"), _("jouw antwoord"), _("volgende stap"), _("wie"),
        _("inspanning"), _("kosten"), _("sleutelmaatregel"), _("waarom nu"), _("artikel"),
    ]


def report_csv(report: Report, *, base_url: str = "", actions: Iterable[ActionLine] | None = None) -> str:
    """The action list as CSV for Excel (Dutch settings): BOM, ";" between cells, header translated.
    Article links are absolute when `base_url` (any URL on the site: its scheme and host count) is
    given. `actions`: a part of the list (default: all)."""
    base_url = base_url_from(base_url) if base_url else ""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([csv_cell(cell) for cell in csv_header()])
    yes, no = _("ja"), _("nee")
    for action in report.actions if actions is None else actions:
        writer.writerow([csv_cell(cell) for cell in (
            action.number,
            _principle(action),
            action.question,
            action.answer,
            action.step,
            action.who_label,
            action.effort_label,
            action.cost_label,
            yes if action.is_key else no,
            action.reason_label,
            absolute_url(action.article_url, base_url=base_url),
        )])
    return "\ufeff" + buffer.getvalue()


# --- ICS ----------------------------------------------------------------------------------------


def _working_day_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def action_dates(count: int, *, start: dt.date) -> list[dt.date]:
    """The first three on consecutive working days from `start` (a weekend start moves to Monday),
    then one per week, on the weekday of the first."""
    dates: list[dt.date] = []
    first = day = _working_day_on_or_after(start)
    for index in range(count):
        if index < 3:
            if index:
                day = _working_day_on_or_after(day + dt.timedelta(days=1))
            dates.append(day)
        else:
            dates.append(first + dt.timedelta(weeks=index - 2))
    return dates


def short_step(step: str, *, limit: int = 80) -> str:
    """The first sentence of a step, cut at a word boundary to at most `limit` characters."""
    text = " ".join(step.split())
    for end in (". ", "? ", "! "):
        if end in text:
            text = text.split(end, 1)[0] + end.strip()
            break
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def report_ics(report: Report, *, start: dt.date, base_url: str) -> bytes:
    """The actions as all-day events (RFC 5545). UIDs are stable per (result, question), so importing
    the file again updates the events instead of adding copies. `base_url`: any URL on the site; its
    scheme and host make the article links absolute and its host is the UIDs' domain."""
    base_url = base_url_from(base_url)
    domain = urlsplit(base_url).hostname or "localhost"
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.WAGTAIL_SITE_NAME}//{_('Zelftest')} {report.version}//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("Acties zelftest veilig digitaal ondernemen"))
    now = timezone.now().astimezone(dt.UTC)
    for action, day in zip(report.actions, action_dates(len(report.actions), start=start), strict=True):
        event = icalendar.Event()
        event.add("uid", f"assessment-{report.result.pk}-{action.question_key}@{domain}")
        event.add("dtstamp", now)
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", short_step(action.step))
        url = absolute_url(action.article_url, base_url=base_url)
        lines = [
            action.step,
            "",
            _("Wie: %(who)s") % {"who": action.who_label},
        ]
        if action.effort_label:
            lines.append(_("Inspanning: %(effort)s") % {"effort": action.effort_label})
        if action.cost_label:
            lines.append(_("Kosten: %(cost)s") % {"cost": action.cost_label})
        if url:
            lines += ["", _("Lees meer: %(url)s") % {"url": url}]
            event.add("url", url)
        event.add("description", "\n".join(lines))
        event.add("transp", "TRANSPARENT")  # a reminder, not a meeting: the day stays free
        calendar.add_component(event)
    return calendar.to_ical()
