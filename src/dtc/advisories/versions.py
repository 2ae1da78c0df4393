"""Version ranges behind one adapter over `univers` (https://github.com/aboutcode-org/univers).

CSAF products carry a `product_version` (one exact version) or a `product_version_range` that is meant
to be a `vers` string (https://github.com/package-url/vers-spec) but in practice is often free text
(`<= 16.00`, `<R511.5_TCU4_HF4`, `<8/30/2024`) or non-canonical (`vers:all/<V3.1.4`). We normalise
what can be read without guessing and give up on the rest: a range we cannot read, or a version we
cannot compare, is `None` — "version unknown, possibly affected" — never "not affected".

Nothing here raises on any input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from univers.version_range import VersionRange

# Schemes univers does not know are read as `generic`: `semver` (NI, NCSC) and `all` (CISA).
_SCHEME_ALIASES = {"semver": "generic", "all": "generic"}
# univers reads `generic` as semver and coerces 4-part versions (12.2.8.410 → 12.2.8+410, build metadata
# that semver ignores when comparing): a silent miss. Dotted versions of any length compare correctly
# with PEP 440 rules (16.00 == 16.0, 1.0.0-rc1 < 1.0.0), so generic ranges are evaluated with those.
_GENERIC_AS = "pypi"
# The schemes whose version class accepts the dotted numeric versions we let through.
_SCHEMES = {"generic", "npm", "pypi", "maven", "nuget", "composer", "cargo", "golang", "gem", "deb", "rpm"}
_UNKNOWN = {"unknown", "none"}
# A version we are willing to compare: dotted numbers with an optional pre-release suffix that
# semver and PEP 440 order alike (1.0.0-rc1 < 1.0.0). A bare numeric suffix ("6.1.1-2", "2026-04")
# means a pre-release in semver but a post-release in PEP 440, so it is not compared at all.
_VERSION_RE = re.compile(
    r"^\d{1,9}(?:\.\d{1,9}){0,5}(?:[-.]?(?:alpha|beta|rc|pre|preview|dev|a|b|c)\.?\d{0,9})?$", re.IGNORECASE
)
# Prefixes that mean "version"/"revision" in front of digits: V3.1.4, v2.5.2, rev. 8.3.0, R9.01.
_PREFIX_RE = re.compile(r"^(?:rev\.?\s*|v(?:ersion)?\.?\s*|r)(?=\d)", re.IGNORECASE)
_COMPARATOR_RE = re.compile(r"^(<=|>=|!=|<|>|=)?\s*(.*)$", re.DOTALL)
_MAX_TEXT = 500


@dataclass(frozen=True)
class ParsedRange:
    """A readable range: `vers` is canonical (`vers:generic/>=1.0.0|<2.0.0`, `vers:generic/*`)."""

    vers: str
    exact: bool = False  # a single product_version, compared for equality


def version_normalise(text: str) -> str:
    """`V3.1.4` → `3.1.4`, `rev. 8.3.0` → `8.3.0`, `1.10.00.005.` → `1.10.00.005`; else stripped text."""
    value = (text or "").strip()
    value = _PREFIX_RE.sub("", value).strip().rstrip(".")
    return value


def _comparable(version: str) -> bool:
    return bool(_VERSION_RE.fullmatch(version))


def range_from_product(version_text: str, is_range: bool) -> ParsedRange | None:
    """The canonical range for a CSAF product's version text, or None when it cannot be read."""
    try:
        return _range_from_product(version_text or "", is_range)
    except Exception:  # noqa: BLE001 - the adapter never raises; unreadable means unknown
        return None


def _range_from_product(version_text: str, is_range: bool) -> ParsedRange | None:
    text = version_text.strip()
    if not text or len(text) > _MAX_TEXT:
        return None
    if not is_range:
        version = version_normalise(text)
        if not _comparable(version):
            return None
        return _canonical("generic", version, exact=True)
    if text.lower() in ("all versions", "all", "*"):
        return ParsedRange(vers="vers:generic/*")
    if text.lower().startswith("vers:"):
        scheme, _, constraints = text[5:].partition("/")
        scheme = scheme.strip().lower()
        if scheme in _UNKNOWN:
            return None
        scheme = _SCHEME_ALIASES.get(scheme, scheme)
        if scheme not in _SCHEMES:
            return None
    else:
        scheme, constraints = "generic", text
        # CISA IT writes "0 < 8.0.1" for "from 0, below 8.0.1".
        match = re.fullmatch(r"0\s*<\s*(=?)\s*(.+)", constraints)
        if match:
            constraints = f"<{match.group(1)}{match.group(2)}"
    parts = []
    for raw in constraints.split("|"):
        raw = raw.strip()
        if raw == "*":
            if len(constraints.split("|")) != 1:
                return None
            return ParsedRange(vers=f"vers:{scheme}/*")
        match = _COMPARATOR_RE.match(raw)
        if match is None:
            return None
        comparator, version = match.group(1) or "", version_normalise(match.group(2))
        if not _comparable(version):
            return None
        parts.append(f"{comparator}{version}")
    if not parts:
        return None
    return _canonical(scheme, "|".join(parts), exact=False)


def _parse(scheme: str, constraints: str) -> VersionRange:
    scheme = _SCHEME_ALIASES.get(scheme.lower(), scheme.lower())
    return VersionRange.from_string(f"vers:{_GENERIC_AS if scheme == 'generic' else scheme}/{constraints}")


def _canonical(scheme: str, constraints: str, *, exact: bool) -> ParsedRange | None:
    try:
        text = str(_parse(scheme, constraints))
    except Exception:  # noqa: BLE001 - univers raises many types on odd input
        return None
    if scheme == "generic":
        text = text.replace(f"vers:{_GENERIC_AS}/", "vers:generic/", 1)
    return ParsedRange(vers=text, exact=exact)


def version_verdict(vers: str | None, version: str, exact_versions: list[str]) -> bool | None:
    """Whether `version` (as an organisation reported it) is affected.

    True: inside `vers`, or equal to one of `exact_versions` (the affected product_versions).
    False: certainly outside — a readable range that does not contain it, or a list of exact versions
    it is none of. None: unknown ("version unknown — possibly affected"): no version given, an
    unreadable or `vers:unknown/*` range, or a version that cannot be compared."""
    try:
        return _version_verdict(vers, version, exact_versions)
    except Exception:  # noqa: BLE001 - the adapter never raises; unreadable means unknown
        return None


def _version_verdict(vers: str | None, version: str, exact_versions: list[str]) -> bool | None:
    wanted = version_normalise(version or "")
    if not wanted or len(wanted) > 100:
        return None
    exact_normalised = [version_normalise(v).lower() for v in exact_versions or [] if v and v.strip()]
    if wanted.lower() in exact_normalised:
        return True
    comparable = _comparable(wanted)
    if comparable and exact_normalised:
        for exact in exact_normalised:
            if _comparable(exact) and _contains(f"vers:generic/{exact}", wanted):
                return True
    if vers:
        scheme = vers[5:].partition("/")[0].lower() if vers.lower().startswith("vers:") else ""
        if scheme in _UNKNOWN or not scheme:
            return None
        if vers.endswith("/*"):
            return True
        if not comparable:
            return None
        return _contains(vers, wanted)
    if exact_normalised and comparable:
        return False
    return None


def _contains(vers: str, version: str) -> bool | None:
    scheme, _, constraints = vers[5:].partition("/")
    try:
        parsed = _parse(scheme, constraints)
        version_class: Any = parsed.version_class
        return bool(version_class(version) in parsed)
    except Exception:  # noqa: BLE001 - univers raises many types on odd input
        return None



def range_describe(version_text: str) -> str:
    """A version range in plain Dutch for a business owner: "vers:semver/>=6.8.0|<6.8.3" →
    "vanaf 6.8.0 tot 6.8.3"; "vers:unknown/*" → "alle versies"; free text stays the vendor's own
    wording except for a leading comparator ("<R511.5_TCU4_HF4" → "ouder dan R511.5_TCU4_HF4")."""
    from django.utils.translation import gettext as _

    text = (version_text or "").strip()
    if not text:
        return _("versie niet opgegeven")
    is_vers = text.startswith("vers:") and "/" in text
    constraints = text.split("/", 1)[1].strip() if is_vers else text
    if constraints in ("*", ""):
        return _("alle versies")
    words = {
        "<": _("ouder dan %(v)s"),
        "<=": _("%(v)s en ouder"),
        ">": _("nieuwer dan %(v)s"),
        ">=": _("vanaf %(v)s"),
        "!=": _("behalve %(v)s"),
        "=": _("versie %(v)s"),
    }
    pieces: list[tuple[str, str]] = []
    for raw in constraints.split("|") if is_vers else [constraints]:
        raw = raw.strip()
        operator = next((op for op in ("<=", ">=", "!=", "<", ">", "=") if raw.startswith(op)), "")
        version = raw[len(operator) :].strip()
        if not operator and is_vers:
            operator = "="
        pieces.append((operator, version))
    if len(pieces) == 2 and pieces[0][0] == ">=" and pieces[1][0] == "<":
        return _("vanaf %(a)s tot %(b)s") % {"a": pieces[0][1], "b": pieces[1][1]}
    return ", ".join(words[op] % {"v": version} if op else version for op, version in pieces)
