"""Who an advisory concerns: the audience of a published message, computed in the database.

The audience of a revision is every organisation that uses (per its profile) a catalogue product the
revision lists as affected, minus the organisations whose reported version lies certainly outside
every affected range, optionally narrowed by sector, province and size class. It is written as ONE
set-based `INSERT … SELECT … ON CONFLICT DO NOTHING` into `Alert`, whose unique key (advisory,
revision, organisation) makes re-running harmless: nothing is ever sent twice, and the publishing
process holds no list of organisations in memory whatever the audience size.

The only per-version judgement that SQL cannot make (does version "4.2.1" lie in "vers:semver/<4.3"?)
is made beforehand for the distinct (product, version) pairs in use — a few hundred, not millions —
and stored as `VersionVerdict` rows the statement reads. A version that is empty or cannot be judged
(unparseable range, free text, `vers:unknown/*`) never excludes anyone: "possibly affected" beats a
silent miss.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtc.advisories.models import (
    Advisory,
    AdvisoryProduct,
    AdvisoryRevision,
    Alert,
    Message,
    ProductStatus,
    Tlp,
    VersionVerdict,
)
from dtc.core.audit import audit_log_record
from dtc.organisations.models import Organisation, OrganisationProduct

VERDICT_AFFECTED = "affected"
VERDICT_NOT_AFFECTED = "not_affected"
VERDICT_UNKNOWN = "unknown"


def _affected_rows(*, revision: AdvisoryRevision) -> dict[int, list[str]]:
    """Per catalogue product: the canonical ranges (`vers`, '' when unreadable) of the revision's
    affected rows. Intake stores an exact version as a range too (`vers:generic/1.01`)."""
    rows: dict[int, list[str]] = defaultdict(list)
    for product_id, vers in AdvisoryProduct.objects.filter(
        revision=revision, status=ProductStatus.AFFECTED, catalogue_product__isnull=False
    ).values_list("catalogue_product_id", "vers"):
        rows[product_id].append(vers)
    return rows


def _judge(ranges: list[str], version: str) -> bool | None:
    """Affected if any affected row says so; not affected only when every row says certainly not. A
    row without a readable range says "unknown" (its version text was free text, or absent)."""
    from dtc.advisories.versions import version_verdict

    verdicts = [version_verdict(vers or None, version, []) for vers in ranges]
    if any(verdict is True for verdict in verdicts):
        return True
    if verdicts and all(verdict is False for verdict in verdicts):
        return False
    return None


def verdicts_compute(*, revision: AdvisoryRevision) -> int:
    """Store a `VersionVerdict` for every distinct non-empty version organisations report of the
    revision's affected catalogue products; returns the number of verdicts stored. Idempotent.
    Unknown verdicts are not stored, so they never exclude anyone."""
    rows = _affected_rows(revision=revision)
    if not rows:
        return 0
    pairs = (
        OrganisationProduct.objects.filter(product_id__in=list(rows))
        .exclude(version="")
        .values_list("product_id", "version")
        .distinct()
        .order_by()
    )
    verdicts = []
    for product_id, version in pairs.iterator(chunk_size=2000):
        affected = _judge(rows[product_id], version)
        if affected is not None:
            verdicts.append(
                VersionVerdict(revision=revision, product_id=product_id, version=version, affected=affected)
            )
    VersionVerdict.objects.bulk_create(
        verdicts,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["revision", "product", "version"],
        update_fields=["affected"],
    )
    return len(verdicts)


def _audience_from_where(*, message: Message, revision: AdvisoryRevision) -> tuple[str, list[Any]]:
    """The FROM … WHERE shared by the insert and the preview count."""
    op = OrganisationProduct._meta.db_table
    org = Organisation._meta.db_table
    ap = AdvisoryProduct._meta.db_table
    vv = VersionVerdict._meta.db_table
    sql = [f"FROM {op} op"]
    params: list[Any] = []
    narrowing = [
        ("sector", message.sectors),
        ("province", message.provinces),
        ("size_class", message.size_classes),
    ]
    narrowing = [(column, list(values)) for column, values in narrowing if values]
    if narrowing:
        sql.append(f"JOIN {org} o ON o.id = op.organisation_id")
    affected = f"SELECT ap.catalogue_product_id FROM {ap} ap WHERE ap.revision_id = %s"  # noqa: S608 - _meta name
    sql.append(
        f"WHERE op.product_id IN ({affected} AND ap.status = %s AND ap.catalogue_product_id IS NOT NULL)"
    )
    params += [revision.pk, ProductStatus.AFFECTED.value]
    excluded = f"SELECT 1 FROM {vv} v WHERE v.revision_id = %s"  # noqa: S608 - _meta name
    sql.append(
        f"AND NOT EXISTS ({excluded} AND v.product_id = op.product_id AND v.version = op.version AND NOT v.affected)"
    )
    params.append(revision.pk)
    for column, values in narrowing:
        sql.append(f"AND o.{column} IN ({', '.join(['%s'] * len(values))})")
        params += values
    return "\n".join(sql), params


def audience_statement(*, message: Message, revision: AdvisoryRevision) -> tuple[str, list[Any]]:
    """The one set-based statement writing the alerts of `revision` (SQL and parameters), valid on
    PostgreSQL and SQLite. SQLite needs a WHERE in the SELECT to parse ON CONFLICT ("WHERE TRUE",
    https://sqlite.org/lang_upsert.html, "parsing ambiguity")."""
    alert = Alert._meta.db_table
    from_where, where_params = _audience_from_where(message=message, revision=revision)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (
        f"INSERT INTO {alert} (advisory_id, revision_id, organisation_id, created_at, response, planned)\n"
        "SELECT %s, %s, audience.organisation_id, %s, '', %s\n"
        f"FROM (SELECT DISTINCT op.organisation_id\n{from_where}) audience\n"
        "WHERE TRUE\n"
        # Rows reach the alert indexes in key order: measured 25 % faster at 385 000 alerts.
        "ORDER BY audience.organisation_id\n"
        "ON CONFLICT (advisory_id, revision_id, organisation_id) DO NOTHING"
    )
    return sql, [message.advisory_id, revision.pk, now, False, *where_params]


def _refuse_unless_sendable(*, message: Message, revision: AdvisoryRevision) -> Advisory:
    advisory = message.advisory
    if advisory.tlp != Tlp.CLEAR:
        raise ValidationError(
            _("Alleen adviezen met TLP:CLEAR mogen naar bedrijven; dit advies heeft een ander label."),
            code="tlp",
        )
    if revision.advisory_id != advisory.pk:
        raise ValidationError(_("Deze revisie hoort niet bij dit advies."), code="revision")
    return advisory


def alerts_write(*, message: Message, revision: AdvisoryRevision) -> int:
    """Write one alert per organisation concerned by `revision` and schedule the delivery planning.
    Returns the number of alerts inserted (0 when run again). Refuses non-CLEAR advisories. The
    caller (the publish service) decides whether a revision is worth sending and audits the act."""
    from dtc.advisories import tasks

    advisory = _refuse_unless_sendable(message=message, revision=revision)
    with transaction.atomic():
        verdicts_compute(revision=revision)
        sql, params = audience_statement(message=message, revision=revision)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            inserted = max(cursor.rowcount, 0)
        message.published_revision = revision
        message.save(update_fields=["published_revision", "updated_at"])
        audit_log_record(
            actor=None,
            action="advisory.alerts_write",
            target=advisory,
            after={"revision": revision.pk, "version": revision.version, "alerts": inserted},
        )
        transaction.on_commit(lambda: tasks.alerts_plan.enqueue())
    return inserted


def audience_count(*, message: Message, revision: AdvisoryRevision) -> int:
    """Preview: how many organisations `alerts_write` would reach with this message and revision
    (the same conditions, counting also those that already have an alert for it). Stores the
    version verdicts it needs (a derived, idempotent cache)."""
    _refuse_unless_sendable(message=message, revision=revision)
    with transaction.atomic():
        verdicts_compute(revision=revision)
    from_where, params = _audience_from_where(message=message, revision=revision)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(DISTINCT op.organisation_id) {from_where}", params)
        return int(cursor.fetchone()[0])


def revision_concern(*, alert: Alert) -> dict[str, Any]:
    """ "Does this concern me?" for the inbox, answered from the organisation's own product list:

    {"verdict": "affected" | "unknown" | "not_affected" | "none",
     "products": [{"product": Product, "version": str, "verdict": …, "fixed": str}, …]}

    Per product the organisation uses that the revision lists as affected: its version, whether that
    version lies in an affected range (unknown when no version is known or the range cannot be
    judged), and a hint at the fixed version when the advisory names one. "none": the organisation
    no longer lists any affected product."""
    revision = alert.revision
    rows = _affected_rows(revision=revision)
    fixed: dict[int, list[str]] = defaultdict(list)
    for product_id, version_text in AdvisoryProduct.objects.filter(
        revision=revision, status=ProductStatus.FIXED, catalogue_product_id__in=list(rows)
    ).values_list("catalogue_product_id", "version_text"):
        if version_text and version_text not in fixed[product_id]:
            fixed[product_id].append(version_text)
    uses = (
        OrganisationProduct.objects.filter(organisation_id=alert.organisation_id, product_id__in=list(rows))
        .select_related("product")
        .order_by("product__vendor", "product__name")
    )
    stored = {
        (product_id, version): affected
        for product_id, version, affected in VersionVerdict.objects.filter(
            revision=revision, product_id__in=list(rows)
        ).values_list("product_id", "version", "affected")
    }
    products = []
    for use in uses:
        affected: bool | None
        if not use.version:
            affected = None
        elif (use.product_id, use.version) in stored:
            affected = stored[(use.product_id, use.version)]
        else:  # the version changed after publishing: judge it now
            affected = _judge(rows[use.product_id], use.version)
        verdict = {True: VERDICT_AFFECTED, False: VERDICT_NOT_AFFECTED, None: VERDICT_UNKNOWN}[affected]
        products.append(
            {
                "product": use.product,
                "version": use.version,
                "verdict": verdict,
                "fixed": ", ".join(fixed[use.product_id]),
            }
        )
    verdicts = {entry["verdict"] for entry in products}
    if VERDICT_AFFECTED in verdicts:
        overall = VERDICT_AFFECTED
    elif VERDICT_UNKNOWN in verdicts:
        overall = VERDICT_UNKNOWN
    elif products:
        overall = VERDICT_NOT_AFFECTED
    else:
        overall = "none"
    return {"verdict": overall, "products": products}
