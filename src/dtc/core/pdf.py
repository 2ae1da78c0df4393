"""What every PDF download of the platform shares (fpdf2, A4, core fonts only so the file stays small):
the page set-up with its metadata and footer, headings and paragraphs, and `pdf_text`.

The built-in fonts know only Latin-1, so every text goes through `pdf_text`, which replaces what they
cannot show ("€" → "EUR", curly quotes → straight ones, anything else unknown → "?") and never raises,
whatever the input. Used by the self-assessment report and the scan report.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

# What the PDF core fonts (Latin-1) cannot show, written so that it still reads right.
_PDF_REPLACEMENTS = {
    "€": "EUR ",
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
    "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "−": "-",
    "…": "...", "•": "-", "→": "->", "←": "<-", "™": "(TM)", "≤": "<=", "≥": ">=", "≈": "~",
    "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ", "\u200b": "", "\u200d": "", "\ufeff": "",
    "\t": " ",
}


def pdf_text(text: object) -> str:
    """Any text as Latin-1 that the PDF core fonts can show; never raises (emoji, CJK → "?")."""
    out: list[str] = []
    for char in unicodedata.normalize("NFC", str(text).replace("\r\n", "\n")):
        if char in _PDF_REPLACEMENTS:
            out.append(_PDF_REPLACEMENTS[char])
            continue
        if char == "\n":
            out.append(char)
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            # Control characters become spaces, invisible format marks vanish, the rest is unknown.
            out.append({"Cc": " ", "Cf": ""}.get(category, "?"))
            continue
        if unicodedata.combining(char):
            continue  # a mark left over after NFC: it had nothing to combine with that Latin-1 knows
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            # "ﬁ" → "fi", "ő" → "o": the compatibility decomposition without its accents, if Latin-1.
            plain = "".join(
                part for part in unicodedata.normalize("NFKD", char)
                if not unicodedata.combining(part) and _is_latin1(part)
            )
            out.append(plain or "?")
        else:
            out.append(char)
    return "".join(out).replace("EUR  ", "EUR ")


def _is_latin1(char: str) -> bool:
    try:
        char.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return " " <= char and not ("\x7f" <= char <= "\x9f")


FONT = "Helvetica"
INK = (33, 33, 33)
MUTED = (90, 90, 90)
ACCENT = (21, 66, 115)  # dark blue: contrast 10:1 on white
GRID = (190, 190, 190)
LINK = (0, 70, 160)


class ReportPdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        page = pdf_text(_("Pagina %(page)s van %(pages)s") % {"page": self.page_no(), "pages": "{nb}"})
        self.cell(0, 5, pdf_text(self.footer_text), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, page, align="R")


def new_pdf(*, title: str, subject: str, compress: bool = True) -> ReportPdf:
    """An A4 document in the active language with its metadata, the site and `title` in the footer,
    and its first page added. `compress=False` leaves the page content readable, for tests."""
    pdf = ReportPdf(orientation="portrait", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(title)
    pdf.set_lang((get_language() or settings.LANGUAGE_CODE).split("-")[0])
    pdf.set_author(str(settings.WAGTAIL_SITE_NAME))
    pdf.set_subject(subject)
    pdf.set_creator(str(settings.WAGTAIL_SITE_NAME))
    pdf.set_creation_date(timezone.now())
    pdf.footer_text = f"{settings.WAGTAIL_SITE_NAME} - {title}"
    pdf.add_page()
    return pdf


def heading(pdf: Any, text: str, *, size: float = 13) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - 30:  # keep a heading with what follows it
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font(FONT, "B", size)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, size * 0.5, pdf_text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)
    pdf.set_text_color(*INK)


def paragraph(pdf: Any, text: str, *, size: float = 10, style: str = "", color=INK, link: str = "") -> None:
    pdf.set_font(FONT, style, size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, size * 0.48, pdf_text(text), align="L", link=link or None,
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
