"""English second: every Dutch message of the interface has an English translation in the catalogue
(none left empty, none fuzzy), and the compiled catalogue is in step with it."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries() -> list[str]:
    return [block for block in PO.read_text(encoding="utf-8").split("\n\n") if "msgid" in block]


def _strings(block: str, keyword: str) -> list[str]:
    """The joined text of every `keyword` (e.g. msgstr, msgstr[0]) in one entry."""
    found = []
    for match in re.finditer(rf'^{re.escape(keyword)}(\[\d+\])? (".*"(?:\n".*")*)', block, re.MULTILINE):
        found.append("".join(re.findall(r'"(.*)"', match.group(2))))
    return found


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    untranslated, fuzzy = [], []
    for block in _entries():
        if block.lstrip().startswith("#~"):
            continue  # obsolete entries are kept by makemessages and not used
        msgid = "".join(_strings(block, "msgid"))
        if not msgid:
            continue  # the header
        if re.search(r"^#,.*\bfuzzy\b", block, re.MULTILINE):
            fuzzy.append(msgid)
        if any(not text for text in _strings(block, "msgstr")):
            untranslated.append(msgid)
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:3]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:3]}"


def test_compiled_catalogue_is_current() -> None:
    with translation.override("en"):
        assert translation.gettext("Gedeelde items") == "Shared items"
        assert translation.gettext("Meldingen") != "Meldingen"
