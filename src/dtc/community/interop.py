"""Interoperability: a community's items as MISP event JSON and as a STIX 2.1 bundle, and back.

Export (what the user may see, nothing more):
- The items come from `selectors.community_items_visible_to` — the visibility module decides — and
  only published ones (a draft is not shared, not even the user's own). Indicators are prefetched, so
  the number of queries does not grow with the number of items.
- No author appears in either format, neither a person nor an organisation: an anonymous post must
  not leak who wrote it, and the safest rule is one rule. The creator is the community.
- MISP: `{"response": [{"Event": …}, …]}`, one event per item (the shape MISP's own REST search
  returns), with `info` = title, a `tlp:…` tag (MISP "tlp" taxonomy, TLP 2.0 names), a machine tag
  `dtc:item-kind="…"`, the body as a `text` attribute, and one attribute per indicator
  (ip → ip-dst, domain, url, md5, sha1, sha256, cve → vulnerability).
- STIX 2.1: one bundle; per item a `report` whose `object_refs` point at `indicator` objects (STIX
  patterns) and `vulnerability` objects (CVEs). Every object except the marking definitions carries
  the item's TLP 2.0 marking (the OASIS "TLP 2.0" extension, fixed ids below); the identity (the
  community) carries TLP:GREEN. Ids are UUIDv5 from the site URL and the row's primary key, so
  exporting again gives the same ids and a receiving MISP or OpenCTI updates instead of duplicating.

Import (into one community, by an active member of it):
- Parse and validate the whole file first (`interop_file_parse`, pure, no database): JSON, format,
  STIX spec version, TLP labels, every indicator (through `indicators.indicator_normalise`). Any
  problem → one ValidationError listing every problem found; nothing is stored.
- Then `community_import` creates all items in one transaction through the ordinary services
  (`item_create`, `indicator_add`), so the community's label rules apply (e.g. TLP:RED is for named
  people only). If any item is refused, the whole import is rolled back and every refusal listed.
- Imported items are DRAFTS of the importer: they check them and publish them themselves. The TLP
  label comes from the file (the strictest label on the event/report and what it contains); a file
  without a TLP label gets TLP:AMBER and the importer is told so.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import stix2
import stix2.exceptions
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from pymisp import MISPEvent, MISPOrganisation
from stix2patterns.v21.pattern import Pattern

from dtc.community import selectors, services
from dtc.community.indicators import indicator_normalise
from dtc.community.models import TLP_ORDER, Community, Indicator, Item, Tlp
from dtc.core.audit import audit_log_record
from dtc.organisations.models import User

# --- limits -----------------------------------------------------------------------------------

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ITEMS = 200
MAX_INDICATORS_PER_ITEM = 1000
MAX_IMPORT_INDICATORS = 5000  # per file: each is written (and audit-logged) through the service
MAX_ERRORS_REPORTED = 50
TITLE_MAX_LENGTH = Item._meta.get_field("title").max_length or 300
COMMENT_MAX_LENGTH = Indicator._meta.get_field("comment").max_length or 300

# --- TLP 2.0 ----------------------------------------------------------------------------------

# OASIS CTI TC, "STIX 2.1 TLP 2.0 marking definitions" (cti-stix-common-objects,
# extension-definition-specifications/tlp-2.0): a property extension on marking-definition with
# fixed ids, created 2022-10-01. stix2 3.0 ships only the TLP 1.0 objects (WHITE/GREEN/AMBER/RED).
TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
TLP2_MARKING_IDS: dict[str, str] = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# The extension's `tlp_2_0` values.
TLP2_VALUES: dict[str, str] = {
    Tlp.CLEAR: "clear", Tlp.GREEN: "green", Tlp.AMBER: "amber", Tlp.AMBER_STRICT: "amber+strict", Tlp.RED: "red",
}
TLP2_MARKINGS: dict[str, stix2.v21.MarkingDefinition] = {
    label: stix2.v21.MarkingDefinition(
        id=marking_id,
        created=TLP2_CREATED,
        name=f"TLP:{label}",
        extensions={TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": TLP2_VALUES[label]}},
    )
    for label, marking_id in TLP2_MARKING_IDS.items()
}
# On import, TLP 1.0 markings (STIX 2.1 section 7.2.1.4, shipped by stix2) are understood too;
# TLP:WHITE became TLP:CLEAR in TLP 2.0.
TLP1_MARKING_IDS: dict[str, str] = {
    stix2.v21.TLP_WHITE.id: Tlp.CLEAR,
    stix2.v21.TLP_GREEN.id: Tlp.GREEN,
    stix2.v21.TLP_AMBER.id: Tlp.AMBER,
    stix2.v21.TLP_RED.id: Tlp.RED,
}
TLP_BY_NAME: dict[str, str] = {value: label for label, value in TLP2_VALUES.items()} | {"white": Tlp.CLEAR}
# MISP "tlp" taxonomy tags (version 2: clear, amber+strict; white kept for TLP 1.0).
MISP_TLP_TAGS: dict[str, str] = {f"tlp:{value}": label for value, label in TLP_BY_NAME.items()}
TLP_STRICTNESS: list[str] = list(TLP_ORDER)
DEFAULT_IMPORT_TLP = Tlp.AMBER

# --- indicator mappings -----------------------------------------------------------------------

MISP_TYPE_FOR_KIND: dict[str, str] = {
    Indicator.Kind.IP: "ip-dst",
    Indicator.Kind.DOMAIN: "domain",
    Indicator.Kind.URL: "url",
    Indicator.Kind.MD5: "md5",
    Indicator.Kind.SHA1: "sha1",
    Indicator.Kind.SHA256: "sha256",
    Indicator.Kind.CVE: "vulnerability",
}
KIND_FOR_MISP_TYPE: dict[str, str] = {misp_type: kind for kind, misp_type in MISP_TYPE_FOR_KIND.items()} | {
    "ip-src": Indicator.Kind.IP,
    "hostname": Indicator.Kind.DOMAIN,
}
MISP_BODY_TYPES = ("text", "comment")
# MISP distribution levels: 0 your organisation only, 1 this community only, 3 all communities.
# Only labels that may travel further than the recipient organisation get a wider one.
MISP_DISTRIBUTION: dict[str, int] = {Tlp.CLEAR: 3, Tlp.GREEN: 1}
MISP_KIND_TAG = re.compile(r'^dtc:item-kind="([a-z]+)"$')
STIX_KIND_LABEL = "dtc-item-kind:"

# STIX object path (type, property path) → indicator kind. Hash names as in the STIX 2.1 hashing
# algorithm vocabulary ("SHA-256"), and the unhyphenated spellings seen in the wild.
KIND_FOR_STIX_PATH: dict[tuple[str, str], str] = {
    ("ipv4-addr", "value"): Indicator.Kind.IP,
    ("ipv6-addr", "value"): Indicator.Kind.IP,
    ("domain-name", "value"): Indicator.Kind.DOMAIN,
    ("url", "value"): Indicator.Kind.URL,
    ("file", "hashes.MD5"): Indicator.Kind.MD5,
    ("file", "hashes.SHA-1"): Indicator.Kind.SHA1,
    ("file", "hashes.SHA1"): Indicator.Kind.SHA1,
    ("file", "hashes.SHA-256"): Indicator.Kind.SHA256,
    ("file", "hashes.SHA256"): Indicator.Kind.SHA256,
}
STIX_HASH_NAMES: dict[str, str] = {
    Indicator.Kind.MD5: "MD5", Indicator.Kind.SHA1: "SHA-1", Indicator.Kind.SHA256: "SHA-256",
}
_CVE_NAME_RE = re.compile(r"^CVE-\d{4}-\d{4,}$", re.IGNORECASE)


# --- parsed data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedIndicator:
    kind: str
    value: str  # normalised (indicators.indicator_normalise)
    comment: str = ""


@dataclass
class ParsedItem:
    source: str  # where in the file, for messages: "MISP-event 2 (“Titel”)"
    title: str
    kind: str
    tlp: str
    body_markdown: str = ""
    indicators: list[ParsedIndicator] = field(default_factory=list)
    tlp_defaulted: bool = False


@dataclass
class ParsedFile:
    format: str  # "misp" | "stix"
    items: list[ParsedItem]
    notices: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    format: str
    items: list[Item]
    indicator_count: int
    notices: list[str]


class _Problems:
    """Collects every problem in a file, so the user can fix them all in one go."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)

    def raise_if_any(self) -> None:
        if self.messages:
            raise _invalid(self.messages)


def _invalid(messages: Sequence[str]) -> ValidationError:
    shown = list(messages[:MAX_ERRORS_REPORTED])
    if len(messages) > MAX_ERRORS_REPORTED:
        shown.append(_("… en nog %(count)d andere problemen.") % {"count": len(messages) - MAX_ERRORS_REPORTED})
    return ValidationError([ValidationError(message, code="import_invalid") for message in shown])


def _strictest(labels: Iterable[str]) -> str | None:
    found = [label for label in labels if label in TLP_STRICTNESS]
    return max(found, key=TLP_STRICTNESS.index) if found else None


def _title_clean(title: str) -> str:
    title = " ".join((title or "").split())
    if len(title) > TITLE_MAX_LENGTH:
        title = title[: TITLE_MAX_LENGTH - 1] + "…"
    return title


def _source(prefix: str, title: str) -> str:
    return f"{prefix} (“{title[:80]}”)" if title else prefix


def _indicator_add(
    problems: _Problems, item: ParsedItem, seen: set[tuple[str, str]], *, kind: str, value: str, comment: str = ""
) -> None:
    """Validate one indicator into `item`, or record why it is refused; duplicates are merged."""
    try:
        normalised = indicator_normalise(kind=kind, value=value)
    except ValidationError as exc:
        problems.add(_("%(source)s: indicator %(value)s: %(reason)s") % {
            "source": item.source, "value": f"“{str(value)[:100]}”", "reason": " ".join(exc.messages),
        })
        return
    if (kind, normalised) in seen:
        return
    seen.add((kind, normalised))
    item.indicators.append(
        ParsedIndicator(kind=kind, value=normalised, comment=(comment or "").strip()[:COMMENT_MAX_LENGTH])
    )


def _skipped_notice(skipped: dict[str, int], what: str) -> str | None:
    if not skipped:
        return None
    listing = ", ".join(f"{name} ({count}×)" for name, count in sorted(skipped.items()))
    return _("Niet overgenomen %(what)s (geen soort indicator die het platform kent): %(listing)s.") % {
        "what": what, "listing": listing,
    }


# --- reading a file ---------------------------------------------------------------------------


def interop_file_parse(*, data: bytes) -> ParsedFile:
    """Validate a MISP event (or a MISP `response` list of events) or a STIX 2.1 bundle completely
    and return what it would import. Raises one ValidationError that lists every problem found."""
    if len(data) > MAX_IMPORT_BYTES:
        raise _invalid([_("Het bestand is groter dan %(max)d MiB.") % {"max": MAX_IMPORT_BYTES // (1024 * 1024)}])
    if not data.strip():
        raise _invalid([_("Het bestand is leeg.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _invalid([_("Het bestand is geen UTF-8-tekst; MISP- en STIX-bestanden zijn JSON in UTF-8.")]) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _invalid([
            _("Het bestand is geen geldige JSON (regel %(line)d, kolom %(column)d: %(reason)s).")
            % {"line": exc.lineno, "column": exc.colno, "reason": exc.msg}
        ]) from None
    except (RecursionError, ValueError):  # nested too deep, or a number too long to convert
        raise _invalid([_("Het bestand is te diep genest of bevat een te lang getal om te lezen.")]) from None
    if isinstance(document, dict) and document.get("type") == "bundle":
        parsed = stix_bundle_parse(document)
    elif isinstance(document, dict) and ("Event" in document or "response" in document):
        parsed = misp_events_parse(document)
    elif isinstance(document, list) and document and all(isinstance(e, dict) and "Event" in e for e in document):
        parsed = misp_events_parse({"response": document})
    else:
        raise _unknown_format()
    if sum(len(item.indicators) for item in parsed.items) > MAX_IMPORT_INDICATORS:
        raise _invalid([_("Hoogstens %(max)d indicatoren per bestand; splits het bestand.") % {
            "max": MAX_IMPORT_INDICATORS,
        }])
    return parsed


def _unknown_format() -> ValidationError:
    return _invalid([
        _("Dit is geen MISP-event en geen STIX-bundel. Verwacht: MISP-JSON met “Event” (of een "
          "“response”-lijst van events), of een STIX 2.1-bundel met “type”: “bundle”.")
    ])


def misp_events_parse(document: dict[str, Any]) -> ParsedFile:
    """MISP event JSON → items. Pure; raises ValidationError listing every problem."""
    problems = _Problems()
    if "Event" in document:
        raw_events: list[Any] = [document["Event"]]
    else:
        response = document.get("response")
        if not isinstance(response, list):
            raise _invalid([_("MISP: “response” moet een lijst van events zijn.")])
        raw_events = [entry.get("Event") if isinstance(entry, dict) else None for entry in response]
    if not raw_events:
        raise _invalid([_("Het MISP-bestand bevat geen events.")])
    if len(raw_events) > MAX_IMPORT_ITEMS:
        raise _invalid([_("Hoogstens %(max)d events per bestand.") % {"max": MAX_IMPORT_ITEMS}])

    items: list[ParsedItem] = []
    skipped: dict[str, int] = {}
    for number, raw in enumerate(raw_events, start=1):
        prefix = _("MISP-event %(number)d") % {"number": number}
        if not isinstance(raw, dict):
            problems.add(_("%(source)s: geen geldig event-object.") % {"source": prefix})
            continue
        info = raw.get("info")
        title = _title_clean(info if isinstance(info, str) else "")
        source = _source(prefix, title)
        if not title:
            problems.add(_("%(source)s: de titel (“info”) ontbreekt.") % {"source": source})
            continue
        event = MISPEvent()
        try:
            event.load({"Event": raw})
        except Exception as exc:  # untrusted input: whatever pymisp raises, it is invalid
            problems.add(_("%(source)s: geen geldig MISP-event: %(reason)s") % {
                "source": source, "reason": str(exc)[:300] or type(exc).__name__,
            })
            continue
        item = ParsedItem(source=source, title=title, kind=Item.Kind.THREAT.value, tlp=DEFAULT_IMPORT_TLP)
        # (attribute, on the event itself): free text counts as the body only on the event itself.
        attributes = [(attribute, True) for attribute in event.attributes] + [
            (attribute, False) for misp_object in event.objects for attribute in misp_object.attributes
        ]
        if len(attributes) > MAX_INDICATORS_PER_ITEM:
            problems.add(_("%(source)s: hoogstens %(max)d attributen per event.") % {
                "source": source, "max": MAX_INDICATORS_PER_ITEM,
            })
            continue

        tags = list(event.tags) + [tag for attribute, _top in attributes for tag in getattr(attribute, "tags", [])]
        tag_names = [str(getattr(tag, "name", "") or "") for tag in tags]
        labels: list[str] = []
        for name in tag_names:
            lowered = name.strip().lower()
            if lowered.startswith("tlp:"):
                if lowered in MISP_TLP_TAGS:
                    labels.append(MISP_TLP_TAGS[lowered])
                else:
                    problems.add(_("%(source)s: onbekend TLP-label “%(tag)s” (bekend: %(known)s).") % {
                        "source": source, "tag": name[:50], "known": ", ".join(MISP_TLP_TAGS),
                    })
            kind_tag = MISP_KIND_TAG.match(name.strip())
            if kind_tag and kind_tag.group(1) in Item.Kind.values:
                item.kind = kind_tag.group(1)
        strictest = _strictest(labels)
        item.tlp = strictest or DEFAULT_IMPORT_TLP
        item.tlp_defaulted = strictest is None

        body: list[str] = []
        seen: set[tuple[str, str]] = set()
        for attribute, on_event in attributes:
            misp_type = getattr(attribute, "type", "")
            value = str(getattr(attribute, "value", "") or "")
            if misp_type in MISP_BODY_TYPES and on_event:
                if value.strip():
                    body.append(value.strip())
            elif misp_type in KIND_FOR_MISP_TYPE:
                _indicator_add(problems, item, seen, kind=KIND_FOR_MISP_TYPE[misp_type], value=value,
                               comment=str(getattr(attribute, "comment", "") or ""))
            else:
                skipped[misp_type] = skipped.get(misp_type, 0) + 1
        item.body_markdown = "\n\n".join(body)
        items.append(item)
    problems.raise_if_any()
    notices = [notice for notice in [_skipped_notice(skipped, _("MISP-attributen"))] if notice]
    return ParsedFile(format="misp", items=items, notices=notices)


def _stix_unquote(literal: str) -> str:
    """A STIX pattern string literal ('…', with \\' and \\\\ escaped) → its value."""
    if len(literal) >= 2 and literal[0] == literal[-1] == "'":
        literal = literal[1:-1]
    return re.sub(r"\\(['\\])", r"\1", literal)


def _stix_marking_labels(
    refs: Iterable[str], markings: dict[str, dict[str, Any]], problems: _Problems, source: str
) -> list[str]:
    """The TLP labels that marking-definition ids stand for. Unknown or unresolvable markings are
    refused: a restriction we cannot read must not be dropped silently. Non-TLP markings (statements)
    impose no TLP label."""
    labels: list[str] = []
    for ref in refs:
        if ref in TLP2_MARKING_IDS.values():
            labels.append(next(label for label, mid in TLP2_MARKING_IDS.items() if mid == ref))
            continue
        if ref in TLP1_MARKING_IDS:
            labels.append(TLP1_MARKING_IDS[ref])
            continue
        definition = markings.get(ref)
        if definition is None:
            problems.add(_("%(source)s: de markering %(ref)s staat niet in de bundel en is geen bekende "
                           "TLP-markering.") % {"source": source, "ref": ref[:100]})
            continue
        extension = (definition.get("extensions") or {}).get(TLP2_EXTENSION_ID)
        value = None
        if isinstance(extension, dict):
            value = str(extension.get("tlp_2_0", ""))
        elif definition.get("definition_type") == "tlp":
            value = str((definition.get("definition") or {}).get("tlp", ""))
        if value is None:
            continue  # a statement or other non-TLP marking
        if value.lower() in TLP_BY_NAME:
            labels.append(TLP_BY_NAME[value.lower()])
        else:
            problems.add(_("%(source)s: onbekend TLP-label “%(value)s”.") % {"source": source, "value": value[:50]})
    return labels


def stix_bundle_parse(document: dict[str, Any]) -> ParsedFile:
    """A STIX 2.1 bundle → one item per `report`. Pure; raises ValidationError listing every problem."""
    if "spec_version" in document:
        raise _invalid([_("Dit is een STIX %(version)s-bundel; alleen STIX 2.1 wordt ondersteund.") % {
            "version": str(document.get("spec_version"))[:10],
        }])
    objects = document.get("objects")
    if not isinstance(objects, list) or not objects:
        raise _invalid([_("De STIX-bundel bevat geen objecten.")])
    problems = _Problems()
    for number, obj in enumerate(objects, start=1):
        if not isinstance(obj, dict):
            problems.add(_("STIX-object %(number)d is geen JSON-object.") % {"number": number})
        elif not isinstance(obj.get("type"), str):
            problems.add(_("STIX-object %(number)d heeft geen geldig “type”.") % {"number": number})
        elif obj.get("spec_version") != "2.1" and obj.get("type") in {
            "report", "indicator", "vulnerability", "marking-definition", "identity", "note",
        }:
            problems.add(_("STIX-object %(number)d (%(type)s): spec_version moet “2.1” zijn, niet “%(found)s”.") % {
                "number": number, "type": str(obj.get("type"))[:40], "found": str(obj.get("spec_version", ""))[:10],
            })
    problems.raise_if_any()
    try:
        stix2.parse(document, allow_custom=True, version="2.1")
    except (stix2.exceptions.STIXError, ValueError, TypeError, KeyError) as exc:
        raise _invalid([_("Geen geldige STIX 2.1-bundel: %(reason)s") % {"reason": str(exc)[:400]}]) from None

    by_id: dict[str, dict[str, Any]] = {obj["id"]: obj for obj in objects if isinstance(obj.get("id"), str)}
    markings = {oid: obj for oid, obj in by_id.items() if obj.get("type") == "marking-definition"}
    reports = [obj for obj in objects if obj.get("type") == "report"]
    if not reports:
        raise _invalid([_("De STIX-bundel bevat geen “report”-objecten; het platform importeert één item per report.")])
    if len(reports) > MAX_IMPORT_ITEMS:
        raise _invalid([_("Hoogstens %(max)d reports per bundel.") % {"max": MAX_IMPORT_ITEMS}])
    notes_about: dict[str, list[str]] = {}
    for obj in objects:
        if obj.get("type") == "note":
            for ref in obj.get("object_refs") or []:
                notes_about.setdefault(ref, []).append(str(obj.get("content") or "").strip())

    items: list[ParsedItem] = []
    skipped: dict[str, int] = {}
    for number, report in enumerate(reports, start=1):
        title = _title_clean(str(report.get("name") or ""))
        source = _source(_("STIX-report %(number)d") % {"number": number}, title)
        kind = Item.Kind.THREAT.value
        for label in report.get("labels") or []:
            if str(label).startswith(STIX_KIND_LABEL) and str(label)[len(STIX_KIND_LABEL):] in Item.Kind.values:
                kind = str(label)[len(STIX_KIND_LABEL):]
                break
        else:
            if "vulnerability" in (report.get("report_types") or []):
                kind = Item.Kind.VULNERABILITY.value
        body = [str(report.get("description") or "").strip()] + notes_about.get(report["id"], [])
        item = ParsedItem(
            source=source, title=title, kind=kind, tlp=DEFAULT_IMPORT_TLP,
            body_markdown="\n\n".join(part for part in body if part),
        )
        referenced = [by_id[ref] for ref in report.get("object_refs") or [] if ref in by_id]
        if len(referenced) > MAX_INDICATORS_PER_ITEM:
            problems.add(_("%(source)s: hoogstens %(max)d objecten per report.") % {
                "source": source, "max": MAX_INDICATORS_PER_ITEM,
            })
            continue
        marking_refs = list(report.get("object_marking_refs") or [])
        seen: set[tuple[str, str]] = set()
        for obj in referenced:
            if obj.get("type") == "indicator":
                marking_refs += obj.get("object_marking_refs") or []
                _stix_indicator_read(problems, item, seen, obj, skipped)
            elif obj.get("type") == "vulnerability":
                marking_refs += obj.get("object_marking_refs") or []
                cves = [
                    str(ref.get("external_id")) for ref in obj.get("external_references") or []
                    if str(ref.get("source_name", "")).lower() == "cve" and ref.get("external_id")
                ]
                if not cves and _CVE_NAME_RE.match(str(obj.get("name", ""))):
                    cves = [str(obj["name"])]
                if not cves:
                    skipped["vulnerability"] = skipped.get("vulnerability", 0) + 1
                for cve in cves:
                    _indicator_add(problems, item, seen, kind=Indicator.Kind.CVE, value=cve,
                                   comment=str(obj.get("description") or ""))
        labels = _stix_marking_labels(marking_refs, markings, problems, source)
        strictest = _strictest(labels)
        item.tlp = strictest or DEFAULT_IMPORT_TLP
        item.tlp_defaulted = strictest is None
        items.append(item)
    problems.raise_if_any()
    notices = [notice for notice in [_skipped_notice(skipped, _("STIX-onderdelen"))] if notice]
    return ParsedFile(format="stix", items=items, notices=notices)


def _stix_indicator_read(
    problems: _Problems, item: ParsedItem, seen: set[tuple[str, str]], obj: dict[str, Any], skipped: dict[str, int]
) -> None:
    """Take every equality comparison on a known observable from a STIX pattern (`[a = 'x' OR …]`)."""
    if obj.get("pattern_type") != "stix":
        key = f"indicator ({obj.get('pattern_type')})"
        skipped[key] = skipped.get(key, 0) + 1
        return
    try:
        comparisons = Pattern(str(obj.get("pattern", ""))).inspect().comparisons
    except Exception:  # the pattern library raises its own errors and ANTLR's
        problems.add(_("%(source)s: ongeldig STIX-patroon.") % {"source": item.source})
        return
    comment = str(obj.get("description") or "")
    found = False
    for object_type, entries in comparisons.items():
        for path, operator, literal in entries:
            kind = KIND_FOR_STIX_PATH.get((object_type, ".".join(str(part) for part in path)))
            if kind is None or operator != "=":
                key = f"{object_type}:{'.'.join(str(part) for part in path)} {operator}"
                skipped[key] = skipped.get(key, 0) + 1
                continue
            found = True
            _indicator_add(problems, item, seen, kind=kind, value=_stix_unquote(str(literal)), comment=comment)
    if not found and not comparisons:
        skipped["indicator"] = skipped.get("indicator", 0) + 1


# --- export -----------------------------------------------------------------------------------


def community_items_for_export(*, user: Any, community: Community) -> QuerySet[Item]:
    """What the community's feed shows `user`, published only, indicators prefetched. Http404 when
    the community is hidden from `user` (the visibility module decides, via the selector)."""
    return (
        selectors.community_items_visible_to(user=user, community=community)
        .filter(status=Item.Status.PUBLISHED)
        .prefetch_related("indicators")
    )


def _uuid_for(kind: str, key: Any) -> uuid.UUID:
    """A stable UUIDv5 per platform (site URL) and row, so re-exports keep their ids."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.SITE_URL}/interop/{kind}/{key}")


def _when(value: datetime | None, fallback: datetime) -> datetime:
    return value or fallback


def misp_events_build(*, community: Community, items: Iterable[Item]) -> dict[str, Any]:
    """`{"response": [{"Event": …}, …]}`: one MISP event per item; no author, the community as creator."""
    organisation = MISPOrganisation()
    organisation.name = community.name
    organisation.uuid = str(_uuid_for("community", community.pk))
    events: list[dict[str, Any]] = []
    for item in items:
        event = MISPEvent()
        event.uuid = str(_uuid_for("item", item.pk))
        event.info = item.title
        event.Orgc = organisation
        published = _when(item.published_at, item.created_at)
        event.set_date(published.date())
        event.published = False  # let the receiving MISP's own review decide
        event.distribution = MISP_DISTRIBUTION.get(item.tlp, 0)
        event.threat_level_id = 4  # undefined
        event.analysis = 2  # completed
        event.add_tag(f"tlp:{TLP2_VALUES[item.tlp]}")
        event.add_tag(f'dtc:item-kind="{item.kind}"')
        if item.body_markdown.strip():
            event.add_attribute(
                "text", item.body_markdown, category="Other", to_ids=False,
                uuid=str(_uuid_for("item-body", item.pk)), comment="body",
            )
        for indicator in item.indicators.all():
            event.add_attribute(
                MISP_TYPE_FOR_KIND[indicator.kind], indicator.value,
                to_ids=indicator.kind != Indicator.Kind.CVE,
                comment=indicator.comment, uuid=str(_uuid_for("indicator", indicator.pk)),
            )
        events.append(json.loads(event.to_json()))
    return {"response": [{"Event": event} for event in events]}


def _stix_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def stix_pattern_for(*, kind: str, value: str) -> str:
    """The STIX 2.1 pattern for one indicator (not for CVEs: those become vulnerability objects)."""
    literal = _stix_escape(value)
    if kind == Indicator.Kind.IP:
        object_type = "ipv6-addr" if ipaddress.ip_address(value).version == 6 else "ipv4-addr"
        return f"[{object_type}:value = '{literal}']"
    if kind == Indicator.Kind.DOMAIN:
        return f"[domain-name:value = '{literal}']"
    if kind == Indicator.Kind.URL:
        return f"[url:value = '{literal}']"
    if kind in STIX_HASH_NAMES:
        return f"[file:hashes.'{STIX_HASH_NAMES[kind]}' = '{literal}']"
    raise ValueError(f"no STIX pattern for indicator kind {kind!r}")


def stix_bundle_build(*, community: Community, items: Iterable[Item]) -> stix2.v21.Bundle:
    """One STIX 2.1 bundle: per item a report with its indicators and vulnerabilities, every object
    marked with the item's TLP 2.0 marking definition; the community is the identity that created them."""
    identity = stix2.v21.Identity(
        id=f"identity--{_uuid_for('community', community.pk)}",
        created=community.created_at,
        modified=max(community.created_at, community.updated_at),
        name=community.name,
        identity_class="group",
        object_marking_refs=[TLP2_MARKING_IDS[Tlp.GREEN]],
    )
    used_labels: set[str] = {Tlp.GREEN}
    objects: list[Any] = [identity]
    for item in items:
        marking = [TLP2_MARKING_IDS[item.tlp]]
        used_labels.add(item.tlp)
        published = _when(item.published_at, item.created_at)
        common = {"created_by_ref": identity.id, "object_marking_refs": marking}
        refs: list[str] = []
        for indicator in item.indicators.all():
            created = indicator.created_at
            if indicator.kind == Indicator.Kind.CVE:
                vulnerability = stix2.v21.Vulnerability(
                    id=f"vulnerability--{_uuid_for('indicator', indicator.pk)}",
                    created=created, modified=created, name=indicator.value,
                    description=indicator.comment or None,
                    external_references=[{"source_name": "cve", "external_id": indicator.value}],
                    **common,
                )
                objects.append(vulnerability)
                refs.append(vulnerability.id)
                continue
            stix_indicator = stix2.v21.Indicator(
                id=f"indicator--{_uuid_for('indicator', indicator.pk)}",
                created=created, modified=created,
                name=f"{Indicator.Kind(indicator.kind).label}: {indicator.value}"[:300],
                description=indicator.comment or None,
                pattern=stix_pattern_for(kind=indicator.kind, value=indicator.value),
                pattern_type="stix",
                valid_from=published,
                **common,
            )
            objects.append(stix_indicator)
            refs.append(stix_indicator.id)
        report = stix2.v21.Report(
            id=f"report--{_uuid_for('item', item.pk)}",
            created=item.created_at,
            modified=max(item.created_at, item.updated_at),
            name=item.title,
            description=item.body_markdown or None,
            published=published,
            report_types=["vulnerability" if item.kind == Item.Kind.VULNERABILITY else "threat-report"],
            labels=[f"{STIX_KIND_LABEL}{item.kind}"],
            # STIX requires at least one reference; an item without indicators refers to its creator.
            object_refs=refs or [identity.id],
            **common,
        )
        objects.append(report)
    marking_definitions = [TLP2_MARKINGS[label] for label in TLP_STRICTNESS if label in used_labels]
    return stix2.v21.Bundle(objects=marking_definitions + objects)


def community_export_misp(*, actor: User, community: Community) -> dict[str, Any]:
    """The MISP export of what `actor` may see in `community`, audit-logged (who took which items)."""
    items = list(community_items_for_export(user=actor, community=community))
    document = misp_events_build(community=community, items=items)
    audit_log_record(actor=actor, action="community.export", target=community,
                     after={"format": "misp", "items": [item.pk for item in items]})
    return document


def community_export_stix(*, actor: User, community: Community) -> str:
    """The STIX 2.1 export (serialised JSON) of what `actor` may see in `community`, audit-logged."""
    items = list(community_items_for_export(user=actor, community=community))
    bundle = stix_bundle_build(community=community, items=items)
    audit_log_record(actor=actor, action="community.export", target=community,
                     after={"format": "stix", "items": [item.pk for item in items]})
    return str(bundle.serialize(pretty=True))


# --- import -----------------------------------------------------------------------------------


def community_import(*, actor: User, community: Community, data: bytes, filename: str = "") -> ImportResult:
    """Import a MISP event or STIX 2.1 bundle into `community` as drafts of `actor`.

    All or nothing: the file is validated completely first; then every item is created through the
    services in one transaction, and if any is refused (e.g. the community's label rules), the whole
    import is rolled back and every refusal is listed in one ValidationError. Only active members of
    the community may import (PermissionDenied otherwise)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Log in om dit te doen."))
    if not selectors.community_is_active_member(user=actor, community=community):
        raise PermissionDenied(_("Alleen leden van de community kunnen importeren."))
    parsed = interop_file_parse(data=data)
    return _import_parsed(actor=actor, community=community, parsed=parsed, data=data, filename=filename)


@transaction.atomic
def _import_parsed(
    *, actor: User, community: Community, parsed: ParsedFile, data: bytes, filename: str
) -> ImportResult:
    problems = _Problems()
    created: list[Item] = []
    indicator_count = 0
    for parsed_item in parsed.items:
        try:
            # Each service call runs in its own savepoint: a refused item is rolled back on its own,
            # so every refusal can be reported; any refusal then rolls back the whole import below.
            with transaction.atomic():
                item = services.item_create(
                    actor=actor, kind=parsed_item.kind, title=parsed_item.title, tlp=parsed_item.tlp,
                    body_markdown=parsed_item.body_markdown, communities=[community], publish=False,
                )
                for indicator in parsed_item.indicators:
                    services.indicator_add(
                        actor=actor, item=item, kind=indicator.kind, value=indicator.value,
                        comment=indicator.comment,
                    )
        except (ValidationError, PermissionDenied) as exc:
            reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            label = Tlp(parsed_item.tlp).label
            problems.add(_("%(source)s (%(label)s): %(reason)s") % {
                "source": parsed_item.source, "label": label, "reason": " ".join(reasons),
            })
            continue
        created.append(item)
        indicator_count += len(parsed_item.indicators)
    if problems.messages:
        raise _invalid(problems.messages)  # leaving the atomic block with an error rolls it all back

    notices = list(parsed.notices)
    defaulted = [item.source for item in parsed.items if item.tlp_defaulted]
    if defaulted:
        notices.insert(0, _("Zonder TLP-label in het bestand, daarom TLP:AMBER gekregen: %(items)s.") % {
            "items": "; ".join(defaulted),
        })
    audit_log_record(
        actor=actor, action="community.import", target=community,
        after={
            "format": parsed.format,
            "filename": filename[:255],
            "sha256": hashlib.sha256(data).hexdigest(),
            "items": [item.pk for item in created],
            "indicators": indicator_count,
        },
    )
    return ImportResult(format=parsed.format, items=created, indicator_count=indicator_count, notices=notices)
