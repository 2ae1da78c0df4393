"""How names, PURLs and CPEs become catalogue keys: the one set of rules for every matcher.

The product catalogue (`Product`, `ProductAlias`) belongs to this app. Advisories' products
(`dtc.advisories.intake`) and organisations' product lists (`product_import`, `sbom`) are both matched
against it, and analysts add aliases in the review queue as a `product_key`; so both sides must turn
the same name into the same key. Change these rules here only, and remember that review-queue keys
(`AdvisoryProduct.match_key`) and aliases made from them are stored.

Rules:
- `normalise`: accents dropped (NFKD), lower case, every run of characters other than letters and
  digits is one space: "Node.js" → "node js", "ASP.NET" → "asp net", "O'Reilly" → "o reilly",
  "NI-PAL" → "ni pal". ("NodeJS" stays "nodejs": add an alias for such spellings.) Then trailing
  legal forms are dropped, repeatedly, keeping at least one word: "Johnson Controls, Inc." →
  "johnson controls", "Acme B.V." → "acme", "Foo GmbH & Co. KG" → "foo", "Co" → "co".
- `product_key`: normalised "vendor product", without the vendor twice when the product name
  starts with it: ("Microsoft", "Microsoft Edge") → "microsoft edge".
- `purl_key`: "pkg:type/namespace/name" in lower case, without version, qualifiers or subpath.
- `cpe_key`: "cpe:2.3:part:vendor:product" of a CPE 2.3 string or a CPE 2.2 URI.
"""

from __future__ import annotations

import re
import unicodedata

from packageurl import PackageURL

# Legal forms, written without dots or spaces ("B.V." and "BV" both give "bv"). A trailing word in
# this set is dropped; so is a trailing run of single letters that spells one ("b v", "s p a", "a s").
LEGAL_SUFFIXES = frozenset(
    "inc incorporated llc llp lp ltd limited gmbh mbh bv nv vof corp corporation co company ag sa sas sarl "
    "se plc srl spa oy oyj ab asa as aps kg kgaa pty pte sl bvba cv".split()
)
# Longest run of single letters tried as an abbreviated legal form ("s a r l", "b v b a").
_INITIALS_MAX = 4
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def words(text: str) -> list[str]:
    """The lower-case words of `text` without accents; punctuation and `_` separate words."""
    folded = unicodedata.normalize("NFKD", text or "")
    folded = "".join(char for char in folded if not unicodedata.combining(char)).lower()
    return _WORD_RE.findall(folded)


def _legal_suffix_length(name_words: list[str]) -> int:
    """How many trailing words form a legal form (0 if none), leaving at least one word."""
    if len(name_words) > 1 and name_words[-1] in LEGAL_SUFFIXES:
        return 1
    for count in range(min(_INITIALS_MAX, len(name_words) - 1), 1, -1):
        tail = name_words[-count:]
        if all(len(word) == 1 for word in tail) and "".join(tail) in LEGAL_SUFFIXES:
            return count
    return 0


def legal_suffixes_strip(name_words: list[str]) -> list[str]:
    """`name_words` without trailing legal forms ("johnson controls inc" → "johnson controls")."""
    result = list(name_words)
    while count := _legal_suffix_length(result):
        del result[-count:]
    return result


def normalise(text: str) -> str:
    """Lower-case words without punctuation, accents or trailing legal forms, single-spaced."""
    return " ".join(legal_suffixes_strip(words(text)))


def product_key(vendor: str, name: str) -> str:
    """The normalised "vendor product", without repeating a vendor the product name starts with
    ("Microsoft" + "Microsoft Edge" → "microsoft edge"). The advisories' review queue groups by it,
    and aliases added there are stored as it."""
    vendor_part, name_part = normalise(vendor), normalise(name)
    if not vendor_part:
        return name_part
    if not name_part:
        return vendor_part
    if name_part == vendor_part or name_part.startswith(vendor_part + " "):
        return name_part
    return f"{vendor_part} {name_part}"


def purl_key(purl: str) -> str:
    """ "pkg:type/namespace/name" of a package URL in lower case (no version, qualifiers or subpath);
    "" if it is not a valid PURL."""
    try:
        parsed = PackageURL.from_string((purl or "").strip())
    except ValueError:  # malformed PURLs are common in the wild
        return ""
    parts = [parsed.namespace, parsed.name] if parsed.namespace else [parsed.name]
    return f"pkg:{parsed.type}/" + "/".join(parts).lower()


_CPE23_SPLIT_RE = re.compile(r"(?<!\\):")


def cpe_parts(cpe: str) -> list[str]:
    """The fields of a CPE 2.3 formatted string or a CPE 2.2 URI, as CPE 2.3 fields, lower case;
    [] if neither, or if the part is unknown or the vendor or product is empty."""
    text = (cpe or "").strip().lower()
    if text.startswith("cpe:2.3:"):
        parts = _CPE23_SPLIT_RE.split(text)
        valid = len(parts) >= 5 and parts[2] in {"a", "o", "h", "*"}
    elif text.startswith("cpe:/"):
        parts = ["cpe", "2.3", *text[5:].split(":")]
        valid = len(parts) >= 5 and parts[2] in {"a", "o", "h"}
    else:
        return []
    return parts if valid and parts[3] and parts[4] else []


def cpe_key(cpe: str) -> str:
    """ "cpe:2.3:part:vendor:product" of a CPE (the fields that name the product); "" if invalid."""
    parts = cpe_parts(cpe)
    return ":".join(parts[:5]) if parts else ""
