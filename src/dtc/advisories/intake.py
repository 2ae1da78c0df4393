"""CSAF intake: store a validated document as a revision of its advisory, and map its products to the
catalogue.

Identity is (publisher namespace, tracking id); every revision is kept (CSAF 2.0 section 3.2.1.12.8:
a new version is a new document, the old one stays valid history). A revision is *significant* —
worth sending again — when it adds affected products, a fix, or an "exploited" flag compared with the
revision before it in time; a typo fix is not. Products are mapped to the catalogue in a fixed order:
alias, CPE vendor:product, PURL type/namespace/name, normalised vendor + product name (keys as in
`dtc.organisations.catalogue`). What stays unmapped waits in the analysts' review queue under its
`match_key` (`catalogue.product_key`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.db import transaction
from django.db.models import Max, Q

from dtc.advisories import csaf
from dtc.advisories.models import (
    Advisory,
    AdvisoryProduct,
    AdvisoryRevision,
    KnownExploited,
    ProductStatus,
    Vulnerability,
)
from dtc.advisories.versions import range_from_product
from dtc.core.audit import audit_log_record
from dtc.organisations.catalogue import LEGAL_SUFFIXES, cpe_key, normalise, product_key, purl_key

ImportStatus = Literal["imported", "updated", "unchanged", "rejected"]


@dataclass
class ImportOutcome:
    status: ImportStatus
    advisory: Advisory | None = None
    revision: AdvisoryRevision | None = None
    reason: str = ""


# --- normalising names ---------------------------------------------------------------------------
# The rules live in `dtc.organisations.catalogue`, shared with the organisations' product import so that
# an alias added in the review queue also matches a CSV or SBOM row. The old names stay for callers.

_LEGAL_SUFFIXES = LEGAL_SUFFIXES
match_key = product_key
_cpe_key = cpe_key
_purl_key = purl_key


# --- catalogue mapping ---------------------------------------------------------------------------


class _Catalogue:
    """The product catalogue as lookup tables, loaded once per import (20 000 products ≈ 2 MB)."""

    def __init__(self) -> None:
        from dtc.organisations.models import Product, ProductAlias

        self.alias: dict[str, int] = {}
        for alias, product_id in ProductAlias.objects.values_list("alias", "product_id").order_by("id"):
            self.alias.setdefault(normalise(alias), product_id)
        self.cpe: dict[str, int] = {}
        self.purl: dict[str, int] = {}
        self.name: dict[str, int] = {}
        for pk, vendor, name, cpe_prefix, purl_prefix in Product.objects.values_list(
            "pk", "vendor", "name", "cpe_prefix", "purl_prefix"
        ).order_by("pk"):
            if key := cpe_key(cpe_prefix):
                self.cpe.setdefault(key, pk)
            if key := purl_key(purl_prefix):
                self.purl.setdefault(key, pk)
            self.name.setdefault(product_key(vendor, name), pk)

    def match(self, *, vendor: str, product_name: str, cpe: str, purl: str) -> tuple[int | None, str]:
        key = product_key(vendor, product_name)
        for candidate in (key, normalise(product_name)):
            if candidate and candidate in self.alias:
                return self.alias[candidate], "alias"
        if (cpe_found := cpe_key(cpe)) and cpe_found in self.cpe:
            return self.cpe[cpe_found], "cpe"
        if (purl_found := purl_key(purl)) and purl_found in self.purl:
            return self.purl[purl_found], "purl"
        if key and key in self.name:
            return self.name[key], "name"
        return None, ""


def _map_rows(rows: Iterable[AdvisoryProduct], catalogue: _Catalogue) -> list[AdvisoryProduct]:
    mapped = []
    for row in rows:
        product_id, how = catalogue.match(
            vendor=row.vendor, product_name=row.product_name, cpe=row.cpe, purl=row.purl
        )
        if product_id is not None:
            row.catalogue_product_id = product_id
            row.matched_by = how
            mapped.append(row)
    return mapped


def products_map(revision: AdvisoryRevision) -> int:
    """Map the revision's unmapped products to the catalogue; returns how many got mapped."""
    rows = list(revision.products.filter(catalogue_product__isnull=True))
    mapped = _map_rows(rows, _Catalogue())
    AdvisoryProduct.objects.bulk_update(mapped, ["catalogue_product", "matched_by"], batch_size=500)
    return len(mapped)


@transaction.atomic
def products_remap(*, match_key: str | None = None) -> int:
    """Map again the unmapped products (of all revisions, or those with `match_key`), e.g. after an
    analyst added an alias in the review queue. Returns how many got mapped."""
    rows = AdvisoryProduct.objects.filter(catalogue_product__isnull=True)
    if match_key is not None:
        rows = rows.filter(match_key=match_key)
    catalogue = _Catalogue()
    total = 0
    batch: list[AdvisoryProduct] = []
    for row in rows.only("id", "vendor", "product_name", "cpe", "purl").iterator(chunk_size=2000):
        batch.append(row)
        if len(batch) >= 2000:
            total += _remap_batch(batch, catalogue)
            batch = []
    total += _remap_batch(batch, catalogue)
    return total


def _remap_batch(batch: list[AdvisoryProduct], catalogue: _Catalogue) -> int:
    mapped = _map_rows(batch, catalogue)
    AdvisoryProduct.objects.bulk_update(mapped, ["catalogue_product", "matched_by"], batch_size=500)
    return len(mapped)


# --- comparing revisions -------------------------------------------------------------------------


def _affected_names(doc: csaf.CsafDocument) -> set[str]:
    """Affected products, catalogue-agnostic: normalised full name with the version text."""
    names = set()
    for product_id, status in doc.product_statuses.items():
        if status != ProductStatus.AFFECTED.value:
            continue
        product = doc.products.get(product_id)
        names.add(normalise(product.full_name) if product else normalise(product_id))
    return names


def _fixed_names(doc: csaf.CsafDocument) -> set[str]:
    names = set()
    for product_id in doc.fixed_product_ids:
        product = doc.products.get(product_id)
        names.add(normalise(product.full_name) if product else normalise(product_id))
    return names


def revision_changes(
    previous: csaf.CsafDocument | None,
    current: csaf.CsafDocument,
    *,
    previous_exploited: bool,
    current_exploited: bool,
) -> list[str]:
    """Why `current` is worth sending compared with `previous` ([] for e.g. a typo fix)."""
    if previous is None:
        return ["first"]
    changes = []
    if _affected_names(current) - _affected_names(previous):
        changes.append("new_products")
    if _fixed_names(current) - _fixed_names(previous):
        changes.append("new_fix")
    if current_exploited and not previous_exploited:
        changes.append("exploited")
    return changes


# --- import --------------------------------------------------------------------------------------


def _clip(value: str, field: str, model: Any = AdvisoryProduct) -> str:
    return (value or "")[: model._meta.get_field(field).max_length]


def content_sha256(doc: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON dump (sorted keys), so whitespace-only differences are equal."""
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def document_import(raw: bytes, *, source: str) -> ImportOutcome:
    """Validate and store one CSAF document; "rejected" (with the reason) stores nothing."""
    try:
        doc = csaf.document_load(raw)
        parsed = csaf.document_parse(doc)
    except csaf.CsafRejected as exc:
        return ImportOutcome(status="rejected", reason=exc.reason)
    sha256 = content_sha256(doc)
    with transaction.atomic():
        return _store(doc, parsed, sha256=sha256, source=source)


def _store(doc: dict[str, Any], parsed: csaf.CsafDocument, *, sha256: str, source: str) -> ImportOutcome:
    namespace = _clip(parsed.publisher_namespace, "publisher_namespace", Advisory)
    tracking_id = _clip(parsed.tracking_id, "tracking_id", Advisory)
    advisory, created = Advisory.objects.select_for_update().get_or_create(
        publisher_namespace=namespace,
        tracking_id=tracking_id,
        defaults={
            "publisher_name": _clip(parsed.publisher_name, "publisher_name", Advisory),
            "title": _clip(parsed.title, "title", Advisory),
            "tlp": parsed.tlp,
        },
    )
    existing = advisory.revisions.filter(sha256=sha256).first()
    if existing is not None:
        return ImportOutcome(status="unchanged", advisory=advisory, revision=existing)

    known_exploited = set(
        KnownExploited.objects.filter(cve__in=[c[:30] for c in parsed.cves]).values_list("cve", flat=True)
    )
    current_exploited = parsed.exploited or bool(known_exploited)
    previous = (
        advisory.revisions.filter(release_date__lte=parsed.current_release_date)
        .order_by("-release_date", "-id")
        .first()
    )
    previous_exploited = previous is not None and previous.vulnerabilities.filter(exploited=True).exists()
    changes = revision_changes(
        csaf.document_parse(previous.document) if previous is not None else None,
        parsed,
        previous_exploited=previous_exploited,
        current_exploited=current_exploited,
    )
    revision = AdvisoryRevision.objects.create(
        advisory=advisory,
        version=_clip(parsed.version, "version", AdvisoryRevision),
        release_date=parsed.current_release_date,
        document=doc,
        sha256=sha256,
        source=_clip(source, "source", AdvisoryRevision),
        significant=bool(changes),
        changes=changes,
    )
    _write_vulnerabilities(revision, parsed, known_exploited)
    mapped = _write_products(revision, parsed)

    newest = advisory.revisions.aggregate(newest=Max("release_date"))["newest"]
    is_current = advisory.current_revision_id is None or parsed.current_release_date >= newest
    if is_current:
        advisory.current_revision = revision
        advisory.publisher_name = _clip(parsed.publisher_name, "publisher_name", Advisory)
        advisory.title = _clip(parsed.title, "title", Advisory)
        advisory.tlp = parsed.tlp
        advisory.cvss_max = parsed.cvss_max
        advisory.exploited = current_exploited
        advisory.save(
            update_fields=[
                "current_revision", "publisher_name", "title", "tlp", "cvss_max", "exploited", "updated_at"
            ]
        )  # fmt: skip
    audit_log_record(
        actor=None,
        action="advisory.import" if created else "advisory.revision",
        target=advisory,
        after={
            "revision": revision.pk,
            "version": revision.version,
            "source": revision.source,
            "sha256": sha256,
            "current": is_current,
            "changes": changes,
            "products": revision.products.count(),
            "mapped": mapped,
        },
    )
    return ImportOutcome(status="imported" if created else "updated", advisory=advisory, revision=revision)


def _write_vulnerabilities(revision: AdvisoryRevision, parsed: csaf.CsafDocument, kev: set[str]) -> None:
    Vulnerability.objects.bulk_create(
        [
            Vulnerability(
                revision=revision,
                cve=_clip(v.cve, "cve", Vulnerability),
                title=_clip(v.title, "title", Vulnerability),
                cvss_score=v.cvss_score,
                exploited=v.exploited or (v.cve[:30] in kev),
            )
            for v in parsed.vulnerabilities
        ],
        batch_size=500,
    )


def _write_products(revision: AdvisoryRevision, parsed: csaf.CsafDocument) -> int:
    """One row per product id that has a status; mapped in memory before the insert. Returns mapped."""
    catalogue = _Catalogue()
    rows = []
    mapped = 0
    for product_id, status in parsed.product_statuses.items():
        product = parsed.products.get(product_id) or csaf.CsafProduct(
            product_id=product_id, full_name=product_id
        )
        parsed_range = range_from_product(product.version_text, product.is_range)
        row = AdvisoryProduct(
            revision=revision,
            csaf_product_id=_clip(product_id, "csaf_product_id"),
            full_name=_clip(product.full_name, "full_name"),
            vendor=_clip(product.vendor, "vendor"),
            product_name=_clip(product.product_name, "product_name"),
            version_text=_clip(product.version_text, "version_text"),
            cpe=_clip(product.cpe, "cpe"),
            purl=_clip(product.purl, "purl"),
            status=status,
            match_key=_clip(product_key(product.vendor, product.product_name), "match_key"),
            vers=_clip(parsed_range.vers if parsed_range else "", "vers"),
        )
        found, how = catalogue.match(
            vendor=product.vendor, product_name=product.product_name, cpe=row.cpe, purl=row.purl
        )
        if found is None and (product.platform_vendor or product.platform_name):
            # "component default_component_of platform": the business may only know the platform.
            found, how = catalogue.match(
                vendor=product.platform_vendor, product_name=product.platform_name, cpe="", purl=""
            )
        if found is not None:
            row.catalogue_product_id, row.matched_by = found, how
            mapped += 1
        rows.append(row)
    AdvisoryProduct.objects.bulk_create(rows, batch_size=500)
    return mapped


def advisories_flag_exploited(cves: Iterable[str]) -> tuple[int, int]:
    """Flag the vulnerabilities with these CVEs, and the advisories whose current revision has one,
    as exploited. Returns (vulnerabilities flagged, advisories flagged). Call inside a transaction."""
    vulnerabilities = advisories = 0
    cve_list = sorted(set(cves))
    for start in range(0, len(cve_list), 500):
        chunk = cve_list[start : start + 500]
        vulnerabilities += Vulnerability.objects.filter(cve__in=chunk, exploited=False).update(exploited=True)
        advisories += Advisory.objects.filter(
            Q(current_revision__vulnerabilities__cve__in=chunk), exploited=False
        ).update(exploited=True)
    return vulnerabilities, advisories
