"""Generated organisation profiles for the `alerts` benchmark, written by PostgreSQL itself.

`python -m bench.alertsdata SIZE MARKER` (a child process with the benchmark's environment): migrates,
generates the profiles with `INSERT … SELECT … FROM generate_series` (no row crosses the Python
boundary), rebuilds the indexes once after loading, VACUUM ANALYZEs, then makes sure the benchmark's
two advisories exist (ORM, idempotent) and prints as its last stdout line a JSON object with what the
measurement needs.

Shape (full; small in brackets):
- 1 600 000 organisations [20 000], each with one person (its admin) — the e-mail recipients;
- a catalogue of 20 000 products [2 000]; product id = popularity rank;
- each organisation uses 3–15 draws (uniform) from the catalogue with Zipf-like popularity: rank r is
  drawn with weight 1/r^s, s = 0.825 [0.72], duplicates within a profile dropped; expected 8.9 products per
  profile (≈ 14.2 M rows), the most common product in ≈ 28 % of the profiles. The draw is an inverse
  CDF: `width_bucket(u, cumulative weights)` (a binary search in one array per statement);
- 60 % of the uses have no version, the rest one of 1.0.0, 1.1.0, 2.0.0, 2.1.0, 3.0.0.

The advisory measured (`BENCH-ALERTS-1`, TLP:CLEAR, urgent) names three catalogue products of very
different popularity: the most common one (~28 %), the one closest to 1 % of the profiles and the one
closest to 0.01 %, each `affected` with range `vers:semver/<2.1.0`: organisations on 2.1.0 or 3.0.0
are left out by the version verdicts, those without a version are in (version unknown = possibly
affected). A second advisory (`BENCH-MAIL-1`, published, urgent) carries the e-mail measurement.

Deterministic: every choice is a hash of the row number (`bench_rand(n, salt)`). Idempotent: MARKER
records what was generated; a second run with the same shape and VERSION only migrates.
"""

from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench.common import log

VERSION = 1
SIZES: dict[str, dict[str, int]] = {
    "full": {"organisations": 1_600_000, "products": 20_000},
    "small": {"organisations": 20_000, "products": 2_000},
}
# Zipf exponent per size, so that the most common product is in ~28 % of the profiles either way.
ZIPF_S = {"full": 0.825, "small": 0.72}
DRAWS_MIN, DRAWS_MAX = 3, 15
VERSIONS = ["1.0.0", "1.1.0", "2.0.0", "2.1.0", "3.0.0"]
AFFECTED_RANGE = "vers:semver/<2.1.0"
# Shares of the profiles the advisory's three products are chosen for.
TARGET_SHARES = (None, 0.01, 0.0001)  # None: the most common product
CHUNK = 200_000  # organisations per INSERT of their products (progress lines)
NAMESPACE = "https://bench.example/csaf"
ALERTS_TRACKING_ID = "BENCH-ALERTS-1"
MAIL_TRACKING_ID = "BENCH-MAIL-1"

# Tables generated here, emptied (with everything pointing at them: alerts, deliveries…) first.
TABLES = [
    "organisations_organisationproduct",
    "organisations_membership",
    "organisations_productalias",
    "organisations_product",
    "organisations_organisation",
    "organisations_user",
]


@contextmanager
def step(name: str, timings: dict[str, float]):
    started = time.perf_counter()
    log(f"-- {name} …")
    yield
    timings[name] = round(time.perf_counter() - started, 1)
    log(f"-- {name}: {timings[name]:.1f} s")


def zipf_thresholds(products: int, s: float) -> list[float]:
    """Lower bound of each rank's slice of [0, 1): `width_bucket(u, thresholds)` is then the rank."""
    weights = [1 / rank**s for rank in range(1, products + 1)]
    total = sum(weights)
    thresholds, cumulative = [], 0.0
    for weight in weights:
        thresholds.append(cumulative)
        cumulative += weight / total
    return thresholds


def generate(cursor, shape: dict[str, int], timings: dict[str, float]) -> None:
    orgs, products, zipf_s = shape["organisations"], shape["products"], shape["zipf_s_x1000"] / 1000
    params = {
        "orgs": orgs,
        "products": products,
        "vendors": max(10, products // 10),
        "draws_min": DRAWS_MIN,
        "draws_span": DRAWS_MAX - DRAWS_MIN + 1,
        "versions": VERSIONS,
        "thresholds": zipf_thresholds(products, zipf_s),
    }

    def sql(statement: str) -> None:
        cursor.execute(statement, params)

    with step("empty the generated tables", timings):
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        cursor.execute(
            "CREATE OR REPLACE FUNCTION bench_rand(n bigint, salt int) RETURNS double precision "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
            "$$ SELECT (hashint8(n * 1009 + salt) & 2147483647)::double precision / 2147483648.0 $$"
        )
        # Generated rows are consistent by construction: skip the per-row foreign-key triggers
        # (a bulk-load setting, this transaction only; the constraints stay in place).
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL work_mem = '64MB'")
    rebuild = _drop_indexes(cursor, [table for table in TABLES if table != "organisations_productalias"])

    with step(f"{orgs} organisations, {orgs} people, memberships", timings):
        sql("""
            INSERT INTO organisations_organisation
                (id, name, kvk_number, sector, province, municipality_id, size_class, created_at, updated_at)
            SELECT n, 'Bench-organisatie ' || n, '',
                   substr('ABCDEFGHIJKLMNOPQRSTU', 1 + (bench_rand(n, 1) * 21)::int %% 21, 1),
                   (ARRAY['GR','FR','DR','OV','FL','GE','UT','NH','ZH','ZE','NB','LI'])[1 + (n %% 12)],
                   NULL, (ARRAY['1','2-9','10-49','50-249','250+'])[1 + (n %% 5)], now(), now()
            FROM generate_series(1, %(orgs)s) AS n
        """)
        sql("""
            INSERT INTO organisations_user
                (id, password, last_login, is_superuser, is_staff, is_active, date_joined, email, name, language)
            SELECT n, '!bench-unusable', NULL, false, false, true, now(),
                   'persoon' || n || '@bench.example', 'Persoon ' || n, 'nl'
            FROM generate_series(1, %(orgs)s) AS n
        """)
        sql("""
            INSERT INTO organisations_membership (user_id, organisation_id, role, created_at)
            SELECT n, n, 'admin', now() FROM generate_series(1, %(orgs)s) AS n
        """)

    with step(f"catalogue of {products} products", timings):
        sql("""
            INSERT INTO organisations_product (id, vendor, name, category, cpe_prefix, purl_prefix, search_text)
            SELECT r, 'Leverancier ' || (1 + (r * 7919) %% %(vendors)s), 'Product ' || r, 'software', '', '',
                   lower('Leverancier ' || (1 + (r * 7919) %% %(vendors)s) || ' Product ' || r)
            FROM generate_series(1, %(products)s) AS r
        """)

    with step("products used (Zipf-like popularity)", timings):
        # Organisation o draws DRAWS_MIN..DRAWS_MAX ranks; DISTINCT drops repeats within the profile.
        # In slices of organisations, to show progress.
        for first in range(1, orgs + 1, CHUNK):
            params["first"], params["last"] = first, min(orgs, first + CHUNK - 1)
            _uses_insert(cursor, params)
            log(f"   profiles {params['last']} / {orgs}")

    with step(f"indexes and unique constraints rebuilt ({len(rebuild)})", timings):
        for statement in rebuild:
            cursor.execute(statement)
    with step("sequences", timings):
        for table in [
            "organisations_organisation",
            "organisations_user",
            "organisations_product",
            "organisations_membership",
            "organisations_organisationproduct",
        ]:
            sql_setval = (
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            )
            cursor.execute(sql_setval)


def _uses_insert(cursor, params: dict) -> None:
    cursor.execute(
        """
        INSERT INTO organisations_organisationproduct (organisation_id, product_id, version, created_at)
        SELECT o, p.rank,
               CASE WHEN bench_rand(o * 32 + p.rank, 6) < 0.6 THEN ''
                    ELSE (%(versions)s::text[])[1 + (bench_rand(o * 32 + p.rank, 7) * 5)::int %% 5] END,
               now()
        FROM generate_series(%(first)s, %(last)s) AS o
        CROSS JOIN LATERAL (
            SELECT DISTINCT width_bucket(bench_rand(o * 32 + j, 5), %(thresholds)s::float8[]) AS rank
            FROM generate_series(1, %(draws_min)s + (bench_rand(o, 4) * %(draws_span)s)::int %% %(draws_span)s) AS j
        ) AS p
        """,
        params,
    )


def _drop_indexes(cursor, tables: list[str]) -> list[str]:
    """Drop every index of `tables` but the primary keys (unique constraints too); returns the
    statements that recreate them. Building an index once after loading is several times faster
    than maintaining it row by row."""
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint AS c
        WHERE c.contype = 'u' AND c.conrelid::regclass::text = ANY(%s)
        """,
        [tables],
    )
    constraints = cursor.fetchall()
    statements = []
    for table, name, definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        statements.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes AS i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conname = i.indexname)
        """,
        [tables],
    )
    for name, definition in cursor.fetchall():
        cursor.execute(f'DROP INDEX "{name}"')
        statements.append(definition)
    return statements


def describe(cursor, shape: dict[str, int]) -> dict:
    """Counts, and the three products of the advisory: the most common one, and the ones whose share
    of the profiles is closest to 1 % and to 0.01 %."""
    cursor.execute(
        "SELECT product_id, count(*) FROM organisations_organisationproduct GROUP BY product_id ORDER BY 2 DESC, 1"
    )
    uses = cursor.fetchall()
    orgs = shape["organisations"]
    chosen = [uses[0]]
    for share in TARGET_SHARES[1:]:
        candidates = [row for row in uses if row[0] not in {c[0] for c in chosen}]
        chosen.append(min(candidates, key=lambda row, share=share: (abs(row[1] - share * orgs), row[0])))
    counts = {}
    for table in [
        "organisations_organisation",
        "organisations_user",
        "organisations_product",
        "organisations_organisationproduct",
    ]:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        counts[table.split("_", 1)[1]] = cursor.fetchone()[0]
    return {
        "counts": counts,
        "products_per_profile": round(counts["organisationproduct"] / max(1, counts["organisation"]), 2),
        "advisory_products": [
            {"product_id": product_id, "profiles": n, "share": round(n / orgs, 5)} for product_id, n in chosen
        ],
    }


def advisories_ensure(info: dict) -> dict:
    """The two benchmark advisories with their revision, products and message (idempotent)."""
    from django.utils import timezone

    from dtc.advisories.models import Advisory, AdvisoryProduct, AdvisoryRevision, Message, ProductStatus, Tlp

    now = timezone.now()
    ids = {}
    for tracking_id, products, status in [
        (
            ALERTS_TRACKING_ID,
            [row["product_id"] for row in info["advisory_products"]],
            Message.Status.APPROVED,
        ),
        (MAIL_TRACKING_ID, [info["advisory_products"][1]["product_id"]], Message.Status.PUBLISHED),
    ]:
        advisory, _created = Advisory.objects.get_or_create(
            publisher_namespace=NAMESPACE,
            tracking_id=tracking_id,
            defaults={
                "publisher_name": "Benchmark",
                "title": f"Kwetsbaarheden in benchmarkproducten ({tracking_id})",
                "tlp": Tlp.CLEAR,
            },
        )
        revision, _created = AdvisoryRevision.objects.get_or_create(
            advisory=advisory,
            sha256="0" * 64,
            defaults={"version": "1", "release_date": now, "document": {}, "source": "bench"},
        )
        if advisory.current_revision_id != revision.pk:
            advisory.current_revision = revision
            advisory.save(update_fields=["current_revision"])
        if sorted(revision.products.values_list("catalogue_product_id", flat=True)) != sorted(products):
            revision.products.all().delete()
            AdvisoryProduct.objects.bulk_create(
                AdvisoryProduct(
                    revision=revision,
                    csaf_product_id=f"CSAFPID-{n}",
                    full_name=f"Product {product_id} < 2.1.0",
                    product_name=f"Product {product_id}",
                    status=ProductStatus.AFFECTED,
                    catalogue_product_id=product_id,
                    matched_by="name",
                    vers=AFFECTED_RANGE,
                )
                for n, product_id in enumerate(products, start=1)
            )
        message, _created = Message.objects.get_or_create(
            advisory=advisory,
            defaults={
                "title": "Werk uw software bij",
                "what": "Er zijn kwetsbaarheden gevonden in software die u gebruikt.",
                "who": "Organisaties die een van deze producten gebruiken.",
                "steps": "Installeer de update.\nControleer of de update gelukt is.",
                "urgency": "urgent",
            },
        )
        published = status == Message.Status.PUBLISHED
        message.status = status
        message.published_at = now if published else None
        message.published_revision = revision if published else None
        message.save(update_fields=["status", "published_at", "published_revision", "updated_at"])
        key = "alerts" if tracking_id == ALERTS_TRACKING_ID else "mail"
        ids[key] = {"advisory_id": advisory.pk, "revision_id": revision.pk, "message_id": message.pk}
    return ids


def main(argv: list[str]) -> int:
    size, marker_path = argv[0], Path(argv[1])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        log("!! the alerts benchmark needs PostgreSQL")
        return 3
    shape = SIZES[size] | {"zipf_s_x1000": round(ZIPF_S[size] * 1000)}
    timings: dict[str, float] = {}
    with step("migrate", timings):
        call_command("migrate", interactive=False, verbosity=0)
    try:
        marker = json.loads(marker_path.read_text())
    except (OSError, ValueError):
        marker = {}
    wanted = {"version": VERSION, "shape": shape}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM organisations_organisation")
        present = cursor.fetchone()[0]
    generated = False
    if (
        {k: marker.get(k) for k in wanted} == wanted
        and present == shape["organisations"]
        and "info" in marker
    ):
        log(f"-- data already generated (marker {marker_path}); skipped")
        info = marker["info"]
    else:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            generate(cursor, shape, timings)
        with connection.cursor() as cursor, step("vacuum analyze", timings):
            # As autovacuum would after a while: statistics, and the visibility map that lets the
            # audience lookups be index-only scans.
            for table in TABLES:
                cursor.execute(f"VACUUM ANALYZE {table}")
        with connection.cursor() as cursor, step("describe", timings):
            info = describe(cursor, shape)
        marker_path.write_text(json.dumps(wanted | {"info": info}))
        generated = True
        log(f"-- generated in {time.perf_counter() - started:.1f} s")
    info = info | advisories_ensure(info) | {"size": size, "generated_now": generated, "timings": timings}
    print(json.dumps(info), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
