"""The result of a scan as an A4 PDF to keep, print or pass on to whoever fixes things.

It says what the result page says, from the same `presentation.scan_report`: the score per category
with the rule behind it, then per category every check with its outcome in words (never colour
alone), each finding's advice (what it means, how urgent, who fixes it, the text to send them) and
its technical detail in short, and what changed since the previous finished scan of the domain.
The set-up and `pdf_text` (any text printable by the Latin-1 core fonts) come from `dtc.core.pdf`.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fpdf.enums import XPos, YPos

from dtc.core.pdf import ACCENT, FONT, INK, MUTED, heading, new_pdf, paragraph, pdf_text
from dtc.scans.models import Scan
from dtc.scans.presentation import (
    CATEGORY_TITLES,
    CheckLine,
    FindingLine,
    scan_previous,
    scan_report,
    score_rule,
)

URGENCY_LABELS = {"high": gettext_lazy("hoog"), "medium": gettext_lazy("gemiddeld"), "low": gettext_lazy("laag")}
DETAIL_ITEMS = 8     # technical details per finding, the rest is counted
DETAIL_CHARS = 160   # per value: a DKIM key or a certificate chain is cut short


def domain_label(domain: str) -> str:
    """The domain as people write it: an internationalised name (xn--…) decoded, its ASCII form after it,
    because the PDF fonts cannot show every script and the ASCII form is what DNS administrators type."""
    try:
        readable = domain.encode("ascii").decode("idna")
    except UnicodeError:
        return domain
    return domain if readable == domain else f"{readable} ({domain})"


def scan_pdf_filename(scan: Scan) -> str:
    day = timezone.localdate(scan.finished_at or scan.created_at).isoformat()
    return f"scan-{scan.domain}-{day}.pdf"


def _when(moment: Any, fmt: str = "j F Y H:i") -> str:
    return formats.date_format(timezone.localtime(moment), fmt)


def _score_text(score: int | None) -> str:
    if score is None:
        return _("geen score: geen enkele test telde mee")
    return _("score %(score)s van 100") % {"score": score}


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    text = " ".join(text.split())
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 3].rstrip() + "..."


def _detail_lines(detail: dict[str, Any]) -> list[str]:
    lines = [f"{name}: {_short(value)}" for name, value in list(detail.items())[:DETAIL_ITEMS]]
    if len(detail) > DETAIL_ITEMS:
        lines.append(_("en nog %(count)s gegevens; alles staat op de pagina") % {"count": len(detail) - DETAIL_ITEMS})
    return lines


def _check_block(pdf: Any, check: CheckLine) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - 25:  # a check's title stays with its first lines
        pdf.add_page()
    pdf.ln(2)
    paragraph(pdf, f"{check.title}: {check.outcome_label}", size=10.5, style="B")
    about = [check.target]
    if not check.scored:
        about.append(_("advies, telt niet mee in de score"))
    if check.previous_label:
        about.append(_("vorige keer: %(before)s") % {"before": check.previous_label})
    paragraph(pdf, " | ".join(about), size=9, color=MUTED)
    for finding in check.findings:
        _finding_block(pdf, finding, target=check.target)
    if not check.findings:
        paragraph(pdf, _("Geen uitkomsten."), size=9)


def _finding_block(pdf: Any, finding: FindingLine, *, target: str) -> None:
    pdf.ln(1)
    subject = f" ({finding.subject})" if finding.subject and finding.subject != target else ""
    paragraph(pdf, f"{finding.outcome_label}: {finding.title}{subject}", size=9.5, style="B")
    if finding.meaning:
        paragraph(pdf, finding.meaning, size=9)
    if finding.outcome != "pass":
        facts = []
        if finding.urgency:
            facts.append(_("Urgentie: %(urgency)s") % {"urgency": URGENCY_LABELS.get(finding.urgency, finding.urgency)})
        if finding.fixer_label:
            facts.append(_("Wie lost het op: %(who)s") % {"who": finding.fixer_label})
        if facts:
            paragraph(pdf, " | ".join(facts), size=9)
        if finding.message:
            paragraph(pdf, _("Tekst om te sturen:"), size=9, style="B")
            _indented(pdf, finding.message, size=9)
    if finding.detail:
        paragraph(pdf, _("Technische details:"), size=8.5, style="B", color=MUTED)
        _indented(pdf, "\n".join(_detail_lines(finding.detail)), size=8, color=MUTED)


def _indented(pdf: Any, text: str, *, size: float, color: tuple[int, int, int] = INK) -> None:
    """A quoted block: indented, with a line in the margin."""
    indent = 4.0
    top = pdf.get_y()
    page = pdf.page
    pdf.set_left_margin(pdf.l_margin + indent)
    pdf.set_x(pdf.l_margin)
    try:
        paragraph(pdf, text, size=size, color=color)
    finally:
        pdf.set_left_margin(pdf.l_margin - indent)
        pdf.set_x(pdf.l_margin)
    if pdf.page == page:  # the block stayed on one page: draw its margin line
        pdf.set_draw_color(*MUTED)
        pdf.set_line_width(0.3)
        pdf.line(pdf.l_margin + 1, top + 0.5, pdf.l_margin + 1, pdf.get_y() - 0.5)


def scan_pdf(scan: Scan, *, compress: bool = True) -> bytes:
    """The report of a finished scan, in the active language. `compress=False` leaves the page content
    readable, for tests."""
    previous = scan_previous(scan=scan)
    report = scan_report(scan=scan, previous=previous)
    sections = [
        (category, str(CATEGORY_TITLES[category]), report[category],
         scan.score_web if category == "web" else scan.score_mail,
         (previous.score_web if category == "web" else previous.score_mail) if previous else None)
        for category in ("web", "mail") if (scan.web if category == "web" else scan.mail)
    ]
    title = _("Scan van %(domain)s") % {"domain": domain_label(scan.domain)}
    pdf = new_pdf(title=title, subject=_("Uitslag van de scan met advies"), compress=compress)

    pdf.set_font(FONT, "B", 18)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 8, pdf_text(title), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    names = [name.lower() for _category, name, *_rest in sections]
    tested = _("%(first)s en %(second)s") % {"first": names[0], "second": names[1]} if len(names) == 2 else "".join(names)
    paragraph(pdf, _("Klaar op %(date)s | getest: %(what)s") % {
        "date": _when(scan.finished_at or scan.created_at), "what": tested,
    }, size=9, color=MUTED)
    if previous is not None:
        paragraph(pdf, _("Vergeleken met de vorige test van %(date)s.") % {
            "date": _when(previous.finished_at or previous.created_at, "j F Y"),
        }, size=9, color=MUTED)

    heading(pdf, _("Scores"))
    for _category, name, _checks, score, before in sections:
        line = f"{name}: {_score_text(score)}"
        if previous is not None and before != score:
            line += " (" + _("vorige keer: %(before)s") % {
                "before": before if before is not None else _("geen score"),
            } + ")"
        paragraph(pdf, line, size=12, style="B", color=ACCENT)
    heading(pdf, _("Zo berekenen we de score"), size=11)
    paragraph(pdf, score_rule(), size=9)

    if previous is not None:
        heading(pdf, _("Wat veranderde sinds de vorige test"), size=11)
        changed = [check for _category, _name, checks, *_rest in sections for check in checks if check.previous_label]
        for check in changed:
            paragraph(pdf, _("%(check)s (%(target)s): eerst %(before)s, nu %(now)s") % {
                "check": check.title, "target": check.target, "before": check.previous_label,
                "now": check.outcome_label,
            }, size=9)
        if not changed:
            paragraph(pdf, _("Geen enkele uitkomst is veranderd."), size=9)

    for _category, name, checks, score, _before in sections:
        heading(pdf, f"{name} - {_score_text(score)}")
        for check in checks:
            _check_block(pdf, check)
        if not checks:
            paragraph(pdf, _("Geen uitkomsten."), size=9)
    return bytes(pdf.output())
