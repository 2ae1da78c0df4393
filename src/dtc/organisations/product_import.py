"""Importing an organisation's product list from a file: CSV here, SBOMs in `sbom`.

Flow: a format parser turns the uploaded bytes into `ImportRow`s or refuses the whole file with one
Dutch message per bad line (`ImportFileError`: all or nothing, nothing is stored). `preview_build`
maps each row to the catalogue and compares with the organisation's list; the admin sees matched
rows, unmatched rows with their reason, and confirms. Only the confirmed (product id, version) pairs
travel to `services.organisation_products_import`, which writes them in one transaction.

Matching, in this order (the first rule that finds exactly one product wins):
1. PURL type/namespace/name equals `Product.purl_prefix` (SBOM components);
2. CPE `cpe:2.3:part:vendor:product` equals `Product.cpe_prefix` (SBOM components);
3. exact vendor + name (case-insensitive);
4. an alias equal to "vendor product" or, for the same vendor, to the product name;
5. normalised vendor + name: lower case, accents and punctuation dropped, trailing legal forms
   (Inc, LLC, B.V., GmbH, …) removed — "Johnson Controls, Inc." equals "Johnson Controls Inc".
A row without a vendor matches on its name only when exactly one product fits, and never when it
carries a PURL: a package identifier that is not in the catalogue is a different package, not a
guess by name ("exchange" on npm is not Microsoft Exchange).

Names, PURLs and CPEs become keys by the rules of `dtc.organisations.catalogue`, the same rules the
advisories' intake uses, so an alias an analyst adds in the review queue matches here too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from packageurl import PackageURL

from dtc.organisations import catalogue as catalogue_rules
from dtc.organisations.catalogue import cpe_key, cpe_parts, normalise, product_key, purl_key
from dtc.organisations.models import Organisation, OrganisationProduct, Product, ProductAlias

CSV_MAX_BYTES = 1024 * 1024
MAX_ROWS = 20_000
# At most this many line errors are listed; the rest is counted.
MAX_ERRORS_SHOWN = 25
VENDOR_MAX, NAME_MAX, VERSION_MAX = 200, 200, 100

CSV_COLUMNS = {
    "vendor": "vendor",
    "leverancier": "vendor",
    "fabrikant": "vendor",
    "product": "product",
    "productnaam": "product",
    "version": "version",
    "versie": "version",
}

# How a row found its product, for the preview (keys as in AdvisoryProduct.matched_by where shared).
MATCHED_BY_LABELS = {
    "purl": "PURL",
    "cpe": "CPE",
    "exact": gettext_lazy("leverancier en naam"),
    "alias": gettext_lazy("andere naam"),
    "name": gettext_lazy("naam (zonder leestekens en rechtsvorm)"),
}


class ImportFileError(Exception):
    """The whole file is refused. `errors` are Dutch, one per problem, with the line where known."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


@dataclass(frozen=True)
class ImportRow:
    """One product named in the file: a CSV line or an SBOM component (`line` is its number)."""

    line: int
    vendor: str
    name: str
    version: str = ""
    purl: str = ""
    cpe: str = ""


@dataclass(frozen=True)
class ParsedFile:
    kind: str  # "csv", "cyclonedx" or "spdx"
    label: str  # shown to the user, e.g. "CycloneDX 1.5"
    rows: list[ImportRow]


@dataclass(frozen=True)
class PreviewRow:
    row: ImportRow
    product_id: int | None = None
    product_label: str = ""
    matched_by: str = ""
    # Unmatched rows: why. Matched rows: a note (e.g. several versions, or a duplicate).
    reason: str = ""
    # "add", "update", "unchanged" for the row that carries its product; "" for duplicates/unmatched.
    action: str = ""
    version: str | None = None
    current_version: str = ""

    @property
    def matched_by_label(self) -> str:
        return str(MATCHED_BY_LABELS.get(self.matched_by, ""))


@dataclass
class ImportPreview:
    kind: str
    label: str
    matched: list[PreviewRow] = field(default_factory=list)
    unmatched: list[PreviewRow] = field(default_factory=list)
    # What confirming writes: (product id, version); version None keeps the version already listed.
    items: list[tuple[int, str | None]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        actions = [row.action for row in self.matched]
        return {
            "rows": len(self.matched) + len(self.unmatched),
            "matched": len(self.matched),
            "unmatched": len(self.unmatched),
            "add": actions.count("add"),
            "update": actions.count("update"),
            "unchanged": actions.count("unchanged"),
        }


# --- normalisation ------------------------------------------------------------------------------
# The rules live in `dtc.organisations.catalogue`; these names stay for callers.

LEGAL_SUFFIXES = catalogue_rules.LEGAL_SUFFIXES
# Vendors and product names are normalised alike (trailing legal forms dropped from both).
normalise_vendor = normalise


def purl_version(purl: str) -> str:
    try:
        return PackageURL.from_string((purl or "").strip()).version or ""
    except ValueError:
        return ""


def cpe_version(cpe: str) -> str:
    parts = cpe_parts(cpe)
    version = parts[5] if len(parts) > 5 else ""
    return "" if version in {"*", "-"} else version.replace("\\", "")


# --- the catalogue, held once per import ---------------------------------------------------------


class Catalogue:
    """Lookup tables over the whole product catalogue (tens of thousands of rows, read in two queries)."""

    def __init__(
        self, products: Iterable[tuple[int, str, str, str, str]], aliases: Iterable[tuple[int, str]]
    ):
        self.labels: dict[int, str] = {}
        self.vendors: dict[int, str] = {}
        self.exact: dict[tuple[str, str], set[int]] = {}
        self.keys: dict[str, set[int]] = {}
        self.names: dict[str, set[int]] = {}
        self.aliases: dict[str, set[int]] = {}
        self.cpes: dict[str, set[int]] = {}
        self.purls: dict[str, set[int]] = {}
        for pk, vendor, name, cpe_prefix, purl_prefix in products:
            self.labels[pk] = f"{vendor} {name}"
            self.vendors[pk] = normalise_vendor(vendor)
            self.exact.setdefault((vendor.strip().lower(), name.strip().lower()), set()).add(pk)
            self.keys.setdefault(product_key(vendor, name), set()).add(pk)
            self.names.setdefault(normalise(name), set()).add(pk)
            if cpe_key(cpe_prefix):
                self.cpes.setdefault(cpe_key(cpe_prefix), set()).add(pk)
            if purl_key(purl_prefix):
                self.purls.setdefault(purl_key(purl_prefix), set()).add(pk)
        for pk, alias in aliases:
            self.aliases.setdefault(normalise(alias), set()).add(pk)

    @classmethod
    def load(cls) -> Catalogue:
        return cls(
            Product.objects.values_list("pk", "vendor", "name", "cpe_prefix", "purl_prefix").iterator(),
            ProductAlias.objects.values_list("product_id", "alias").iterator(),
        )

    def match(self, row: ImportRow) -> tuple[int | None, str, str]:
        """(product id, matched_by, "") or (None, "", Dutch reason)."""
        candidates: set[int] = set()
        if row.purl:
            found = self.purls.get(purl_key(row.purl), set())
            if len(found) == 1:
                return next(iter(found)), "purl", ""
            candidates |= found
        if row.cpe:
            found = self.cpes.get(cpe_key(row.cpe), set())
            if len(found) == 1:
                return next(iter(found)), "cpe", ""
            candidates |= found
        vendor = normalise_vendor(row.vendor)
        if not row.name.strip():
            return None, "", _("Geen productnaam.")
        if not vendor and row.purl:
            return None, "", _("Dit pakket staat niet in de catalogus.")
        for matched_by, found in self._by_name(row, vendor):
            if len(found) == 1:
                return next(iter(found)), matched_by, ""
            candidates |= found
        if len(candidates) > 1:
            names = ", ".join(sorted(self.labels[pk] for pk in candidates)[:5])
            return (
                None,
                "",
                _("Meerdere producten passen: %(names)s. Voeg het juiste product zelf toe.")
                % {"names": names},
            )
        return None, "", _("Niet gevonden in de catalogus.")

    def _by_name(self, row: ImportRow, vendor: str) -> Iterable[tuple[str, set[int]]]:
        key, name = product_key(row.vendor, row.name), normalise(row.name)
        if row.vendor.strip():
            yield "exact", self.exact.get((row.vendor.strip().lower(), row.name.strip().lower()), set())
        same_vendor = {pk for pk in self.aliases.get(name, set()) if not vendor or self.vendors[pk] == vendor}
        yield "alias", self.aliases.get(key, set()) | same_vendor
        by_key = self.keys.get(key, set())
        if not vendor:
            by_key = by_key | self.names.get(name, set())
        yield "name", by_key


# --- CSV ----------------------------------------------------------------------------------------


def _decode(data: bytes, *, max_bytes: int, what: str) -> str:
    if len(data) > max_bytes:
        raise ImportFileError(
            [
                _("Het bestand is te groot (%(size)s kB); een %(what)s mag hoogstens %(max)s kB zijn.")
                % {"size": (len(data) + 1023) // 1024, "what": what, "max": max_bytes // 1024}
            ]
        )
    if not data.strip():
        raise ImportFileError([_("Het bestand is leeg.")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            [
                _(
                    "Regel %(line)d: dit is geen UTF-8-tekst. Sla het bestand op als ‘CSV UTF-8’ "
                    "(Excel) of kies de tekenset UTF-8."
                )
                % {"line": line}
            ]
        ) from None


def errors_capped(errors: list[str]) -> list[str]:
    if len(errors) <= MAX_ERRORS_SHOWN:
        return errors
    rest = len(errors) - MAX_ERRORS_SHOWN
    return errors[:MAX_ERRORS_SHOWN] + [
        ngettext("En nog %(count)d fout.", "En nog %(count)d fouten.", rest) % {"count": rest}
    ]


def csv_parse(data: bytes) -> ParsedFile:
    """Rows of a CSV product list: a header with leverancier/vendor, product and (optional) versie/version,
    separated by `;` (Dutch Excel) or `,`, UTF-8 with or without BOM. Refuses the whole file on any bad
    line, listing every bad line."""
    text = _decode(data, max_bytes=CSV_MAX_BYTES, what=_("CSV-bestand"))
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    errors: list[str] = []
    rows: list[ImportRow] = []
    columns: dict[str, int] = {}
    width = 0
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if not columns:
                columns, width = _csv_header(record, line)
                continue
            if len(record) > width:
                errors.append(
                    _(
                        "Regel %(line)d: %(found)d kolommen, de kopregel heeft er %(expected)d. Staat er een "
                        "‘%(delimiter)s’ in een naam? Zet die naam dan tussen aanhalingstekens."
                    )
                    % {"line": line, "found": len(record), "expected": width, "delimiter": delimiter}
                )
                continue
            row, row_errors = _csv_row(record, columns, line)
            errors += row_errors
            if row is not None:
                rows.append(row)
            if len(rows) > MAX_ROWS:
                raise ImportFileError([_("Het bestand heeft meer dan %(max)d regels.") % {"max": MAX_ROWS}])
    except csv.Error:
        # Python's messages ("unexpected end of data", "',' expected after '\"'") are about quotes.
        errors.append(
            _(
                "Regel %(line)d: het bestand is hier geen geldige CSV. Controleer de aanhalingstekens: "
                'een naam die met " begint, moet ook met " eindigen.'
            )
            % {"line": reader.line_num}
        )
    if errors:
        raise ImportFileError(errors_capped(errors))
    if not rows:
        raise ImportFileError([_("Het bestand bevat geen producten, alleen een kopregel.")])
    return ParsedFile(kind="csv", label="CSV", rows=rows)


def _csv_header(record: list[str], line: int) -> tuple[dict[str, int], int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(record):
        column = CSV_COLUMNS.get(cell.strip().lower())
        if column and column not in columns:
            columns[column] = index
    missing = [
        label
        for column, label in [("vendor", "leverancier"), ("product", "product")]
        if column not in columns
    ]
    if missing:
        raise ImportFileError(
            [
                _(
                    "Regel %(line)d (de kopregel) mist de kolom(men) %(columns)s. Verwacht: leverancier, "
                    "product en eventueel versie (of in het Engels: vendor, product, version)."
                )
                % {"line": line, "columns": ", ".join(f"‘{label}’" for label in missing)}
            ]
        )
    return columns, len(record)


def _csv_row(record: list[str], columns: dict[str, int], line: int) -> tuple[ImportRow | None, list[str]]:
    def cell(column: str) -> str:
        index = columns.get(column)
        return record[index].strip() if index is not None and index < len(record) else ""

    vendor, name, version = cell("vendor"), cell("product"), cell("version")
    errors = []
    if not name:
        errors.append(_("Regel %(line)d: de productnaam ontbreekt.") % {"line": line})
    for value, limit, label in [(vendor, VENDOR_MAX, _("leverancier")), (name, NAME_MAX, _("productnaam"))]:
        if len(value) > limit:
            errors.append(
                _("Regel %(line)d: de %(what)s is langer dan %(max)d tekens.")
                % {"line": line, "what": label, "max": limit}
            )
    if len(version) > VERSION_MAX:
        errors.append(
            _("Regel %(line)d: de versie is langer dan %(max)d tekens.") % {"line": line, "max": VERSION_MAX}
        )
    if errors:
        return None, errors
    return ImportRow(line=line, vendor=vendor, name=name, version=version), []


# --- formats and the preview ------------------------------------------------------------------


def _sbom_parse(data: bytes) -> ParsedFile:
    from dtc.organisations.sbom import sbom_parse

    return sbom_parse(data)


# Import formats the upload form offers: name → parser (bytes → ParsedFile, or ImportFileError).
FORMATS: dict[str, Callable[[bytes], ParsedFile]] = {"csv": csv_parse, "sbom": _sbom_parse}


def file_parse(*, kind: str, data: bytes) -> ParsedFile:
    parser = FORMATS.get(kind)
    if parser is None:
        raise ImportFileError([_("Onbekend soort bestand.")])
    return parser(data)


def preview_build(
    *, organisation: Organisation, parsed: ParsedFile, catalogue: Catalogue | None = None
) -> ImportPreview:
    """Map the rows to the catalogue and compare with the organisation's list. Reads only.

    One product named on several rows is written once. When those rows name different versions the
    version is left empty ("unknown"): alerts then treat every version as possibly affected, which
    is safer than keeping one of them at random.
    """
    catalogue = catalogue or Catalogue.load()
    current = dict(
        OrganisationProduct.objects.filter(organisation=organisation).values_list("product_id", "version")
    )
    preview = ImportPreview(kind=parsed.kind, label=parsed.label)
    by_product: dict[int, list[tuple[ImportRow, str]]] = {}
    for row in parsed.rows:
        product_id, matched_by, reason = catalogue.match(row)
        if product_id is None:
            preview.unmatched.append(PreviewRow(row=row, reason=reason))
        else:
            by_product.setdefault(product_id, []).append((row, matched_by))
    for product_id, hits in by_product.items():
        versions = sorted({row.version for row, _by in hits if row.version})
        version: str | None = versions[0] if len(versions) == 1 else ("" if versions else None)
        note = ""
        if len(versions) > 1:
            note = _(
                "Meerdere versies in het bestand (%(versions)s): opgeslagen zonder versie, zodat u bij elke "
                "kwetsbaarheid in dit product gewaarschuwd wordt."
            ) % {"versions": ", ".join(versions[:5])}
        if product_id not in current:
            action = "add"
        elif version is not None and version != current[product_id]:
            action = "update"
        else:
            action = "unchanged"
        first_row, matched_by = hits[0]
        preview.matched.append(
            PreviewRow(
                row=first_row,
                product_id=product_id,
                product_label=catalogue.labels[product_id],
                matched_by=matched_by,
                reason=note,
                action=action,
                version=version,
                current_version=current.get(product_id, ""),
            )
        )
        preview.items.append((product_id, version))
        for row, by in hits[1:]:
            preview.matched.append(
                PreviewRow(
                    row=row,
                    product_id=product_id,
                    product_label=catalogue.labels[product_id],
                    matched_by=by,
                    reason=_("Hetzelfde product als regel %(line)d.") % {"line": first_row.line},
                )
            )
    preview.matched.sort(key=lambda item: item.row.line)
    return preview
