"""Reading CSAF 2.0 documents: load and validate raw bytes, then parse into plain dataclasses.

Network-free and database-free: `document_load` judges bytes (size, JSON, nesting, the OASIS schema and
the mandatory tests of CSAF 2.0 section 6.1 through the pinned `csaf` library), `document_parse` turns a
validated document into a `CsafDocument`. Intake (`intake.py`) stores what these return.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime

from dtc.advisories.models import ProductStatus, Tlp

# Deeper than any real product tree (CISA's deepest is ~6 branch levels, ~20 JSON levels).
MAX_NESTING = 64


class CsafRejected(Exception):
    """The document is not accepted; `reason` says why (shown to analysts and in import output)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RevisionEntry:
    number: str
    date: str
    summary: str


@dataclass(frozen=True)
class Note:
    category: str
    title: str
    text: str


@dataclass
class CsafProduct:
    """One product id of the product tree. For a relationship ("X default_component_of Y") the
    identity fields are those of the component X; `platform_*` name Y as a fallback for matching."""

    product_id: str
    full_name: str
    vendor: str = ""
    product_name: str = ""
    version_text: str = ""
    is_range: bool = False
    cpe: str = ""
    purl: str = ""
    platform_vendor: str = ""
    platform_name: str = ""


@dataclass(frozen=True)
class Remediation:
    category: str
    details: str
    product_ids: frozenset[str]


@dataclass
class CsafVulnerability:
    cve: str
    title: str
    cvss_score: Decimal | None
    statuses: dict[str, str]  # product id → ProductStatus value
    remediations: list[Remediation]
    exploited: bool


@dataclass
class CsafDocument:
    publisher_name: str
    publisher_namespace: str
    tracking_id: str
    version: str
    current_release_date: datetime
    revision_history: list[RevisionEntry]
    title: str
    tlp: str
    lang: str
    notes: list[Note]
    products: dict[str, CsafProduct]
    vulnerabilities: list[CsafVulnerability]
    category: str = ""

    @property
    def summary(self) -> str:
        """The document summary note, else the first description note, else ""."""
        for wanted in ("summary", "description"):
            for note in self.notes:
                if note.category == wanted and note.text.strip():
                    return note.text.strip()
        return ""

    @property
    def product_statuses(self) -> dict[str, str]:
        """Status per product id over all vulnerabilities; "affected" wins over any other status."""
        merged: dict[str, str] = {}
        for vulnerability in self.vulnerabilities:
            for product_id, status in vulnerability.statuses.items():
                previous = merged.get(product_id)
                if previous is None or _STATUS_RANK[status] < _STATUS_RANK[previous]:
                    merged[product_id] = status
        return merged

    @property
    def cvss_max(self) -> Decimal | None:
        scores = [v.cvss_score for v in self.vulnerabilities if v.cvss_score is not None]
        return max(scores) if scores else None

    @property
    def exploited(self) -> bool:
        return any(v.exploited for v in self.vulnerabilities)

    @property
    def fixed_product_ids(self) -> set[str]:
        """Product ids with a fix: a `vendor_fix` remediation or a fixed / first_fixed status."""
        ids: set[str] = set()
        for vulnerability in self.vulnerabilities:
            ids |= {
                pid for pid, status in vulnerability.statuses.items() if status == ProductStatus.FIXED.value
            }
            for remediation in vulnerability.remediations:
                if remediation.category == "vendor_fix":
                    ids |= remediation.product_ids
        return ids

    @property
    def cves(self) -> list[str]:
        return [v.cve for v in self.vulnerabilities if v.cve]


# CSAF 2.0 section 3.2.3.9 product_status groups → our statuses.
STATUS_MAP = {
    "first_affected": ProductStatus.AFFECTED,
    "known_affected": ProductStatus.AFFECTED,
    "last_affected": ProductStatus.AFFECTED,
    "first_fixed": ProductStatus.FIXED,
    "fixed": ProductStatus.FIXED,
    "known_not_affected": ProductStatus.NOT_AFFECTED,
    "under_investigation": ProductStatus.UNDER_INVESTIGATION,
    "recommended": ProductStatus.RECOMMENDED,
}
_STATUS_RANK = {
    ProductStatus.AFFECTED.value: 0,
    ProductStatus.UNDER_INVESTIGATION.value: 1,
    ProductStatus.FIXED.value: 2,
    ProductStatus.RECOMMENDED.value: 3,
    ProductStatus.NOT_AFFECTED.value: 4,
}
# TLP 1.0 (CSAF 2.0 uses it) and TLP 2.0 labels → our choices.
_TLP_MAP = {
    "WHITE": Tlp.CLEAR,
    "CLEAR": Tlp.CLEAR,
    "GREEN": Tlp.GREEN,
    "AMBER": Tlp.AMBER,
    "AMBER+STRICT": Tlp.AMBER_STRICT,
    "RED": Tlp.RED,
}
# An exploit_status threat that says there is no exploitation is not an "exploited" flag.
_NO_EXPLOIT_RE = re.compile(
    r"\b(no|not|none|geen|niet)\b.{0,40}\b(known|exploit\w*|bekend|misbruik\w*)", re.IGNORECASE | re.DOTALL
)


# --- loading and validation ----------------------------------------------------------------------


def document_load(raw: bytes) -> dict[str, Any]:
    """The validated CSAF 2.0 document in `raw`, or `CsafRejected` with the reason."""
    max_bytes = settings.DTC_CSAF_MAX_BYTES
    if len(raw) > max_bytes:
        raise CsafRejected(f"too large: {len(raw)} bytes, at most {max_bytes}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsafRejected("not JSON: not UTF-8") from None
    try:
        doc = json.loads(text)
    except RecursionError:
        raise CsafRejected("nesting too deep") from None
    except ValueError as exc:
        raise CsafRejected(f"not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise CsafRejected("not a JSON object")
    if _nesting_depth(doc, MAX_NESTING) > MAX_NESTING:
        raise CsafRejected(f"nesting too deep (more than {MAX_NESTING} levels)")
    if problem := _unstorable_text(doc):
        raise CsafRejected(problem)
    reason = document_validate(doc)
    if reason:
        raise CsafRejected(reason)
    return doc


def _nesting_depth(value: Any, limit: int) -> int:
    """Depth of nested arrays/objects, iteratively; stops counting past `limit`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values() if isinstance(child, dict | list))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node if isinstance(child, dict | list))
    return deepest


def _unstorable_text(value: Any) -> str:
    """A reason when a key or string holds what no database can store as text (JSON allows the
    escapes \\u0000 and lone surrogates like \\ud800; PostgreSQL refuses both), else ""."""
    stack = [value]
    while stack:
        node = stack.pop()
        texts: list[Any] = []
        if isinstance(node, dict):
            texts = list(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            texts = [node]
        for text in texts:
            if "\x00" in text:
                return "not storable: contains a NUL character"
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return "not storable: contains an unpaired surrogate"
    return ""


_LEGACY_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.([0-9]{2})$")


def _legacy_versions_as_semver(doc: dict[str, Any]) -> dict[str, Any]:
    """NCSC-NL numbers revisions "1.00", "1.01", … (major.two-digit minor), which CSAF 2.0's version
    pattern (an integer or semantic versioning) does not allow. Its advisories are the centre's main
    source, so for validation only such numbers become "1.0.0", "1.1.0", … (same order); every other
    rule still applies and the document is stored exactly as published. Any other deviation rejects."""
    tracking = (doc.get("document") or {}).get("tracking") if isinstance(doc.get("document"), dict) else None
    if not isinstance(tracking, dict):
        return doc
    numbers = [tracking.get("version")] + [
        entry.get("number") for entry in tracking.get("revision_history") or [] if isinstance(entry, dict)
    ]
    if not any(isinstance(n, str) and _LEGACY_VERSION.match(n) for n in numbers):
        return doc

    def semver(value: Any) -> Any:
        match = _LEGACY_VERSION.match(value) if isinstance(value, str) else None
        return f"{match[1]}.{int(match[2])}.0" if match else value

    copy = {**doc, "document": {**doc["document"], "tracking": {**tracking}}}
    copy["document"]["tracking"]["version"] = semver(tracking.get("version"))
    if isinstance(tracking.get("revision_history"), list):
        copy["document"]["tracking"]["revision_history"] = [
            {**entry, "number": semver(entry.get("number"))} if isinstance(entry, dict) else entry
            for entry in tracking["revision_history"]
        ]
    return copy


def _kind_of(doc: dict[str, Any]) -> str:
    """What a JSON object without `document` looks like, for a reason a person understands."""
    if "canonical_url" in doc and "metadata_version" in doc:
        return "CSAF provider metadata (import it as a source, not as an advisory)"
    if "aggregator" in doc and "csaf_providers" in doc:
        return "CSAF aggregator metadata"
    if isinstance(doc.get("feed"), dict):
        return "a ROLIE feed"
    if "$schema" in doc or "$id" in doc:
        return "a JSON schema"
    return "no 'document' object"


def document_validate(doc: dict[str, Any]) -> str:
    """ "" when `doc` is valid CSAF 2.0 (schema + mandatory tests), else the reason: the failing test
    ids with their first messages, e.g. "6.1.31: product_version name `R210.X` appears to be a version
    range (/product_tree/…)". Runs offline with the schemas bundled in the `csaf` library."""
    from csaf.csaf.v20 import validate

    if "document" not in doc:
        return f"not a CSAF document: {_kind_of(doc)}"
    try:
        report = validate(_legacy_versions_as_semver(doc), path="<import>")
    except Exception as exc:  # noqa: BLE001 - a validator crash on hostile input is a rejection, not ours
        return f"validator error: {type(exc).__name__}"
    if report.overall_valid:
        return ""
    parts = []
    for result in report.results:
        if result.passed or result.skipped or result.group not in ("schema", "mandatory"):
            continue
        messages = [f"{error.message[:200]} ({error.instance_path})" for error in result.errors[:2]]
        parts.append(f"{result.id}: " + "; ".join(messages or [result.title]))
    return " | ".join(parts)[:1000] or "not valid CSAF 2.0"


# --- parsing -------------------------------------------------------------------------------------


def document_parse(doc: dict[str, Any]) -> CsafDocument:
    """Plain data from a validated document. Raises `CsafRejected` only for what the schema allows
    but we cannot store (an unreadable release date)."""
    document = doc["document"]
    tracking = document["tracking"]
    release = datetime_parse(tracking["current_release_date"])
    if release is None:
        raise CsafRejected("tracking.current_release_date is not a date-time")
    tlp_label = str(((document.get("distribution") or {}).get("tlp") or {}).get("label") or "")
    tlp_label = tlp_label.upper().removeprefix("TLP:").strip()
    group_map = {
        group["group_id"]: frozenset(group["product_ids"])
        for group in (doc.get("product_tree") or {}).get("product_groups", [])
    }
    return CsafDocument(
        publisher_name=document["publisher"]["name"],
        publisher_namespace=document["publisher"]["namespace"],
        tracking_id=tracking["id"],
        version=tracking["version"],
        current_release_date=release,
        revision_history=[
            RevisionEntry(number=r["number"], date=r["date"], summary=r.get("summary", ""))
            for r in tracking.get("revision_history", [])
        ],
        title=document["title"],
        tlp=_TLP_MAP.get(tlp_label, Tlp.UNKNOWN).value,
        lang=document.get("lang", ""),
        notes=[_note(n) for n in document.get("notes", [])],
        products=products_parse(doc.get("product_tree") or {}),
        vulnerabilities=[_vulnerability(v, group_map) for v in doc.get("vulnerabilities", [])],
        category=document.get("category", ""),
    )


def datetime_parse(text: str) -> datetime | None:
    """An aware datetime from an RFC 3339 / ISO 8601 string (naive means UTC), else None."""
    try:
        value = parse_datetime(text)
    except ValueError:
        return None
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _note(note: dict[str, Any]) -> Note:
    return Note(category=note.get("category", ""), title=note.get("title", ""), text=note.get("text", ""))


def products_parse(tree: dict[str, Any]) -> dict[str, CsafProduct]:
    """Every product id of a product tree: branches (vendor › product_name › version or range),
    full_product_names, and relationships, which name the composed product."""
    products: dict[str, CsafProduct] = {}
    # Branches, walked iteratively: each stack item carries what the path above it said.
    stack: list[tuple[dict[str, Any], dict[str, Any]]] = [(b, {}) for b in reversed(tree.get("branches", []))]
    while stack:
        branch, path = stack.pop()
        category, name = branch.get("category", ""), branch.get("name", "")
        here = dict(path)
        if category == "vendor":
            here["vendor"] = name
        elif category == "product_family":
            here.setdefault("family", name)
        elif category == "product_name":
            here["product_name"] = name
        elif category in ("product_version", "product_version_range"):
            here["version_text"] = name
            here["is_range"] = category == "product_version_range"
        if "product" in branch:
            products[branch["product"]["product_id"]] = _product(branch["product"], here)
        stack.extend((child, here) for child in reversed(branch.get("branches", [])))
    for full in tree.get("full_product_names", []):
        products.setdefault(full["product_id"], _product(full, {}))
    for relationship in tree.get("relationships", []):
        full = relationship["full_product_name"]
        component = products.get(relationship["product_reference"])
        platform = products.get(relationship["relates_to_product_reference"])
        base = component or _product(full, {})
        products[full["product_id"]] = CsafProduct(
            product_id=full["product_id"],
            full_name=full["name"],
            vendor=base.vendor,
            product_name=base.product_name,
            version_text=base.version_text,
            is_range=base.is_range,
            cpe=_helper(full, "cpe") or base.cpe,
            purl=_helper(full, "purl") or base.purl,
            platform_vendor=platform.vendor if platform else "",
            platform_name=platform.product_name if platform else "",
        )
    return products


def _helper(product: dict[str, Any], key: str) -> str:
    return str((product.get("product_identification_helper") or {}).get(key) or "")


def _product(product: dict[str, Any], path: dict[str, Any]) -> CsafProduct:
    return CsafProduct(
        product_id=product["product_id"],
        full_name=product.get("name", ""),
        vendor=path.get("vendor", ""),
        product_name=path.get("product_name")
        or path.get("family")
        or ("" if path else product.get("name", "")),
        version_text=path.get("version_text", ""),
        is_range=path.get("is_range", False),
        cpe=_helper(product, "cpe"),
        purl=_helper(product, "purl"),
    )


def _vulnerability(vulnerability: dict[str, Any], groups: dict[str, frozenset[str]]) -> CsafVulnerability:
    statuses: dict[str, str] = {}
    for key, ids in (vulnerability.get("product_status") or {}).items():
        status = STATUS_MAP.get(key)
        if status is None:
            continue
        for product_id in ids:
            previous = statuses.get(product_id)
            if previous is None or _STATUS_RANK[status.value] < _STATUS_RANK[previous]:
                statuses[product_id] = status.value
    remediations = [
        Remediation(
            category=r.get("category", ""),
            details=r.get("details", ""),
            product_ids=_expand(r, groups),
        )
        for r in vulnerability.get("remediations", [])
    ]
    exploited = any(
        threat.get("category") == "exploit_status" and not _NO_EXPLOIT_RE.search(threat.get("details", ""))
        for threat in vulnerability.get("threats", [])
    )
    return CsafVulnerability(
        cve=vulnerability.get("cve", ""),
        title=vulnerability.get("title", ""),
        cvss_score=_cvss_max(vulnerability.get("scores", [])),
        statuses=statuses,
        remediations=remediations,
        exploited=exploited,
    )


def _expand(item: dict[str, Any], groups: dict[str, frozenset[str]]) -> frozenset[str]:
    ids = set(item.get("product_ids", []))
    for group_id in item.get("group_ids", []):
        ids |= groups.get(group_id, frozenset())
    return frozenset(ids)


def _cvss_max(scores: list[dict[str, Any]]) -> Decimal | None:
    """Highest CVSS v3.x / v4.0 base score (v2 is ignored: a different scale of severity)."""
    best: Decimal | None = None
    for score in scores:
        for key in ("cvss_v3", "cvss_v4"):
            raw = (score.get(key) or {}).get("baseScore")
            if isinstance(raw, bool) or not isinstance(raw, int | float | str):
                continue
            try:
                value = Decimal(str(raw)).quantize(Decimal("0.1"))
            except InvalidOperation:
                continue
            if Decimal(0) <= value <= Decimal(10) and (best is None or value > best):
                best = value
    return best


__all__ = [
    "CsafDocument",
    "CsafProduct",
    "CsafRejected",
    "CsafVulnerability",
    "Note",
    "Remediation",
    "RevisionEntry",
    "STATUS_MAP",
    "datetime_parse",
    "document_load",
    "document_parse",
    "document_validate",
    "products_parse",
]
