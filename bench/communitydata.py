"""Generated trust platform for the `community` benchmark, written by PostgreSQL itself.

`python -m bench.communitydata SIZE MARKER` (a child process with the benchmark's environment):
migrates, generates organisations, people, communities, memberships, items and their audiences with
`INSERT … SELECT … FROM generate_series` (no row crosses the Python boundary except the text pool),
rebuilds the indexes once after loading, ANALYZEs, and prints as its last stdout line a JSON object
with what the measurement needs (the member, the feed's community, the search queries, counts).

Deterministic: every choice is a hash of the row number (`bench_rand(n, salt)`), the text pool comes
from a seeded `random.Random`. Idempotent: MARKER records what was generated; a second run with the
same size and generator version only migrates and reads the info back.

Shape (full size; small is the same at 1/50 of the items):
- 10 000 organisations, 2 people each (10 % of people also in a second organisation);
- 500 communities: every 10th has confidential membership, 30 % count as one TLP organisation;
  each organisation is a member of 3 communities (95 % active, the rest requested or invited),
  20 % of people also in person, one coordinator per community; 2 000 declared clients;
- 1 000 000 items spread unevenly over the communities (a few busy ones, many quiet ones); labels
  CLEAR 15 % (a fifth of those approved for the public), GREEN 40 %, AMBER 30 %, AMBER+STRICT 10 %,
  RED 5 % (RED goes to 1–2 named people, never a community); 3 % drafts; 10 % go to a second
  community, 5 % also name 1–2 organisations, 2 % also name a person.
"""

from __future__ import annotations

import json
import random
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench.common import log

VERSION = 2
SIZES: dict[str, dict[str, int]] = {
    "full": {"organisations": 10_000, "communities": 500, "items": 1_000_000, "clients": 2_000},
    "small": {"organisations": 400, "communities": 20, "items": 20_000, "clients": 80},
}
TEXT_POOL = 5_000  # distinct bodies; items pick one each (with their own title)

# Search vocabulary: what members of a threat-sharing community look for. Weighted Zipf-like: the
# first words occur in a few percent of the items, the last ones in a few hundredths of a percent.
KEYWORDS = (
    "phishing ransomware kwetsbaarheid datalek wachtwoord malware ddos-aanval factuurfraude "
    "ceo-fraude spoofing botnet exploit patch firewall vpn citrix fortinet exchange sharepoint "
    "log4j emotet qakbot lockbit cobalt-strike webshell backdoor keylogger credential-stuffing "
    "smishing vishing deepfake skimming typosquatting dns-hijacking bgp certificaat tls dmarc "
    "spf dkim mfa-bombing sim-swap supply-chain leverancier cloudopslag back-up herstelplan "
    "incidentrespons forensisch onderzoek aangifte politie zorginstelling gemeente haven logistiek "
    "energie waterschap onderwijs webshop betaalterminal kassasysteem scada plc ot-netwerk "
    "iot-camera router nas-server printer laptop smartphone usb-stick thuiswerken gastennetwerk "
    "wifi rdp ssh beheerdersaccount toegangsbeheer zero-day cve-2024-3400 cve-2023-4966 "
    "cve-2024-21762 cve-2023-34362 moveit ivanti confluence vmware esxi veeam sonicwall"
).split()
FILLER = (
    "de het een en van in op voor met aan bij door naar over onder als dan ook maar wel niet "
    "wij zij deze dit die dat wat waar hoe wanneer vandaag gisteren vannacht afgelopen week "
    "organisatie bedrijf leden klanten medewerkers systeem systemen server servers netwerk "
    "aanval aanvaller aanvallers melding signaal waargenomen gezien ontvangen gedeeld bevestigd "
    "advies maatregel maatregelen controleer blokkeer update installeer meld verwijder herstel "
    "verdacht verdachte kwaadaardig kwaadaardige bekend onbekend nieuwe actief actieve misbruik "
    "sector regio keten partners leverancier leveranciers contact informatie indicatoren "
    "tijdlijn impact omvang oorzaak gevolg schade uitval storing verstoring vertrouwelijk"
).split()
TITLES = [
    "Waarschuwing: {kw} bij een lid",
    "{Kw} waargenomen in de sector",
    "Actief misbruik van {kw}",
    "Geleerde les na {kw}",
    "Maatregel tegen {kw}",
    "Vraag: ervaring met {kw}?",
    "{Kw}: indicatoren en advies",
    "Update over {kw} en {term}",
]
SYLLABLES = "kra vo lix tor zen mar qui dex ban ol rum sef tak pyr vel gon fa ris mon ek".split()
# What the benchmark searches for, round-robin: a popular word (in ~8 % of all items), middle and
# rare keywords, two words that must both occur, and two of the specific terms (malware families,
# host names: each in ~0.05 % of the items).
SEARCH_QUERIES = [
    "ransomware", "citrix", "lockbit", "webshop", "sonicwall", "datalek wachtwoord", "{term7}", "{term123}",
]


@contextmanager
def step(name: str, timings: dict[str, float]):
    started = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - started, 1)
    log(f"-- {name}: {timings[name]:.1f} s")


def specific_terms(count: int = 2_000, seed: int = 20260302) -> list[str]:
    """Made-up specific terms (malware families, host names): rare words, as real searches often are."""
    rng = random.Random(seed)
    terms: list[str] = []
    while len(terms) < count:
        term = "".join(rng.choice(SYLLABLES) for _ in range(3))
        if term not in terms:
            terms.append(term)
    return terms


def search_queries() -> list[str]:
    terms = specific_terms()
    return [query.format(term7=terms[7], term123=terms[123]) for query in SEARCH_QUERIES]


def text_pool(seed: int = 20260301) -> tuple[list[str], list[str]]:
    """TEXT_POOL titles and bodies, Dutch-like: 1–2 keywords (Zipf-like) and one specific term each."""
    rng = random.Random(seed)
    weights = [1 / (rank + 10) for rank in range(len(KEYWORDS))]
    terms = specific_terms()

    def sentence(word: str) -> str:
        text = [rng.choice(FILLER) for _ in range(rng.randint(7, 14))]
        text.insert(rng.randrange(len(text) + 1), word)
        line = " ".join(text)
        return line[0].upper() + line[1:] + "."

    bodies, titles = [], []
    for number in range(TEXT_POOL):
        words = rng.choices(KEYWORDS, weights=weights, k=rng.randint(1, 2))
        term = terms[number % len(terms)]
        sentences = [sentence(words[i % len(words)]) for i in range(rng.randint(3, 5))]
        sentences.insert(rng.randrange(len(sentences) + 1), sentence(term))
        bodies.append(" ".join(sentences))
        kw = words[0]
        titles.append(rng.choice(TITLES).format(kw=kw, Kw=kw[0].upper() + kw[1:], term=term))
    return titles, bodies


TABLES = [  # emptied (with everything that points at them) before generating
    "community_itemaudience", "community_item", "community_communitymembership",
    "community_organisationclient", "community_community", "organisations_membership",
    "organisations_organisation", "organisations_user",
]


def generate(cursor, shape: dict[str, int], timings: dict[str, float]) -> None:  # noqa: PLR0915
    orgs, comms, items, clients = (shape[k] for k in ("organisations", "communities", "items", "clients"))
    users = 2 * orgs
    params = {"orgs": orgs, "users": users, "comms": comms, "items": items, "clients": clients, "pool": TEXT_POOL}

    def sql(statement: str) -> None:
        cursor.execute(statement, params)

    with step("empty the generated tables", timings):
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        # Deterministic pseudo-random number in [0, 1) per (row, purpose).
        cursor.execute(
            "CREATE OR REPLACE FUNCTION bench_rand(n bigint, salt int) RETURNS double precision "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
            "$$ SELECT (hashint8(n * 1009 + salt) & 2147483647)::double precision / 2147483648.0 $$"
        )
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED; check them per statement instead,
        # or the indexes cannot be rebuilt inside this transaction ("pending trigger events").
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL work_mem = '64MB'")

    with step(f"{orgs} organisations, {users} people, memberships", timings):
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
            FROM generate_series(1, %(users)s) AS n
        """)
        # Person n works at organisation ((n - 1) % orgs) + 1; every tenth also at a second one.
        sql("""
            INSERT INTO organisations_membership (user_id, organisation_id, role, created_at)
            SELECT n, ((n - 1) %% %(orgs)s) + 1, CASE WHEN n <= %(orgs)s THEN 'admin' ELSE 'member' END, now()
            FROM generate_series(1, %(users)s) AS n
            UNION ALL
            SELECT n, ((n + floor(bench_rand(n, 2) * (%(orgs)s - 1))::int) %% %(orgs)s) + 1, 'member', now()
            FROM generate_series(1, %(users)s) AS n WHERE n %% 10 = 3
            ON CONFLICT DO NOTHING
        """)

    with step(f"{comms} communities, memberships, {clients} declared clients", timings):
        sql("""
            INSERT INTO community_community (id, name, slug, owner_id, description, join_policy,
                confidential_membership, counts_as_tlp_organisation, created_at, updated_at)
            SELECT c, 'Bench-community ' || c, 'bench-community-' || c, NULL,
                   'Gegenereerde community voor de benchmark.',
                   CASE WHEN c %% 2 = 0 THEN 'request' ELSE 'invitation' END,
                   c %% 10 = 0, bench_rand(c, 3) < 0.3, now(), now()
            FROM generate_series(1, %(comms)s) AS c
        """)
        # Each organisation in 3 distinct communities; one coordinator per community; 20 % of the
        # people also in person (conflicts with the coordinator row are skipped).
        sql("""
            INSERT INTO community_communitymembership
                (community_id, organisation_id, user_id, role, status, created_at, updated_at)
            SELECT ((o * 7 + k * 131 + (bench_rand(o, 4) * %(comms)s)::int) %% %(comms)s) + 1, o, NULL, 'member',
                   CASE WHEN bench_rand(o * 3 + k, 5) < 0.95 THEN 'active'
                        WHEN bench_rand(o * 3 + k, 6) < 0.6 THEN 'requested' ELSE 'invited' END,
                   now(), now()
            FROM generate_series(1, %(orgs)s) AS o, generate_series(0, 2) AS k
            ON CONFLICT DO NOTHING
        """)
        sql("""
            INSERT INTO community_communitymembership
                (community_id, organisation_id, user_id, role, status, created_at, updated_at)
            SELECT c, NULL, %(orgs)s + c, 'coordinator', 'active', now(), now()
            FROM generate_series(1, %(comms)s) AS c
        """)
        sql("""
            INSERT INTO community_communitymembership
                (community_id, organisation_id, user_id, role, status, created_at, updated_at)
            SELECT 1 + (bench_rand(u, 7) * %(comms)s)::int %% %(comms)s, NULL, u, 'member',
                   CASE WHEN bench_rand(u, 8) < 0.9 THEN 'active' ELSE 'invited' END, now(), now()
            FROM generate_series(1, %(users)s) AS u WHERE bench_rand(u, 9) < 0.2
            ON CONFLICT DO NOTHING
        """)
        sql("""
            INSERT INTO community_organisationclient (organisation_id, client_id, created_at)
            SELECT DISTINCT o, client, now() FROM (
                SELECT 1 + (bench_rand(n, 10) * %(orgs)s)::int %% %(orgs)s AS o,
                       1 + (bench_rand(n, 11) * %(orgs)s)::int %% %(orgs)s AS client
                FROM generate_series(1, %(clients)s) AS n) AS pairs
            WHERE o <> client
            ON CONFLICT DO NOTHING
        """)

    titles, bodies = text_pool()
    with step(f"text pool ({TEXT_POOL} titles and bodies)", timings):
        cursor.execute("CREATE TEMPORARY TABLE bench_text (pos int PRIMARY KEY, title text, body text) ON COMMIT DROP")
        cursor.executemany(
            "INSERT INTO bench_text (pos, title, body) VALUES (%s, %s, %s)",
            [(n, title, body) for n, (title, body) in enumerate(zip(titles, bodies, strict=True))],
        )

    indexes = _drop_indexes(cursor, ["community_item", "community_itemaudience"])
    with step(f"{items} items", timings):
        # Item n: label and status from its hashes; published over the last three years (newer with
        # n); author a random person, their first organisation as author organisation.
        sql("""
            INSERT INTO community_item (id, kind, title, body_markdown, body_html, tlp, status, author_id,
                author_organisation_id, anonymous, public_approved, published_at, created_at, updated_at)
            SELECT n,
                   (ARRAY['threat','incident','vulnerability','measure','lesson','question','document'])
                       [1 + (bench_rand(n, 20) * 7)::int %% 7],
                   t.title || ' (' || n || ')', t.body, '<p>' || t.body || '</p>',
                   lbl.tlp,
                   CASE WHEN bench_rand(n, 22) < 0.03 THEN 'draft' ELSE 'published' END,
                   a.author, ((a.author - 1) %% %(orgs)s) + 1,
                   bench_rand(n, 23) < 0.01,
                   lbl.tlp = 'CLEAR' AND bench_rand(n, 24) < 0.2,
                   CASE WHEN bench_rand(n, 22) < 0.03 THEN NULL ELSE w.at END,
                   w.at - interval '5 minutes', w.at
            FROM generate_series(1, %(items)s) AS n
            JOIN bench_text AS t ON t.pos = (bench_rand(n, 25) * %(pool)s)::int %% %(pool)s
            CROSS JOIN LATERAL (SELECT CASE
                WHEN bench_rand(n, 21) < 0.15 THEN 'CLEAR' WHEN bench_rand(n, 21) < 0.55 THEN 'GREEN'
                WHEN bench_rand(n, 21) < 0.85 THEN 'AMBER' WHEN bench_rand(n, 21) < 0.95 THEN 'AMBER+STRICT'
                ELSE 'RED' END AS tlp) AS lbl
            CROSS JOIN LATERAL (SELECT 1 + (bench_rand(n, 26) * %(users)s)::int %% %(users)s AS author) AS a
            CROSS JOIN LATERAL (SELECT now() - interval '3 years' * (1 - n::double precision / %(items)s)
                                       - interval '1 hour' * bench_rand(n, 27) AS at) AS w
        """)
    with step("audience rows", timings):
        # Main community, uneven: community = ceil(comms * u^1.6) (a few busy, many quiet ones).
        # RED items go to named people only.
        sql("""
            INSERT INTO community_itemaudience (item_id, community_id, organisation_id, user_id)
            SELECT i.id, 1 + LEAST(%(comms)s - 1, floor(%(comms)s * power(bench_rand(i.id, 30), 1.6))::int),
                   NULL::bigint, NULL::bigint
            FROM community_item AS i WHERE i.tlp <> 'RED'
            UNION ALL
            SELECT i.id, NULL::bigint, NULL::bigint, 1 + (bench_rand(i.id, 31) * %(users)s)::int %% %(users)s
            FROM community_item AS i WHERE i.tlp = 'RED' OR bench_rand(i.id, 32) < 0.02
            ON CONFLICT DO NOTHING
        """)
        sql("""
            INSERT INTO community_itemaudience (item_id, community_id, organisation_id, user_id)
            SELECT i.id, 1 + (bench_rand(i.id, 33) * %(comms)s)::int %% %(comms)s, NULL::bigint, NULL::bigint
            FROM community_item AS i WHERE i.tlp <> 'RED' AND bench_rand(i.id, 34) < 0.10
            UNION ALL
            SELECT i.id, NULL::bigint, NULL::bigint, 1 + (bench_rand(i.id, 35) * %(users)s)::int %% %(users)s
            FROM community_item AS i WHERE i.tlp = 'RED' AND bench_rand(i.id, 36) < 0.5
            UNION ALL
            SELECT i.id, NULL::bigint, 1 + (bench_rand(i.id * 2 + k, 37) * %(orgs)s)::int %% %(orgs)s, NULL::bigint
            FROM community_item AS i, generate_series(0, 1) AS k
            WHERE i.tlp <> 'RED' AND bench_rand(i.id, 38) < 0.05 AND (k = 0 OR bench_rand(i.id, 39) < 0.5)
            ON CONFLICT DO NOTHING
        """)
    with step("indexes rebuilt (incl. the full-text GIN index)", timings):
        for statement in indexes:
            cursor.execute(statement)
    with step("sequences", timings):
        for table in ["organisations_organisation", "organisations_user", "community_community", "community_item"]:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608


def _drop_indexes(cursor, tables: list[str]) -> list[str]:
    """Drop the plain (non-unique) indexes of `tables`; returns the statements that recreate them.
    Building an index once after loading is several times faster than maintaining it row by row."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes AS i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conname = i.indexname)
          AND i.indexdef NOT LIKE 'CREATE UNIQUE%%'
        """,
        [tables],
    )
    rows = cursor.fetchall()
    for name, _definition in rows:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]


def describe(cursor) -> dict:
    """The measured member and their feed: a person whose organisation is an active member of three
    communities, who is also a member in person of one; the feed is the busiest of their communities."""
    cursor.execute(
        """
        WITH org_comms AS (
            SELECT m.user_id, count(*) AS n FROM organisations_membership AS m
            JOIN community_communitymembership AS cm ON cm.organisation_id = m.organisation_id AND cm.status = 'active'
            GROUP BY m.user_id)
        SELECT u.id, u.email FROM organisations_user AS u
        JOIN org_comms ON org_comms.user_id = u.id AND org_comms.n = 3
        WHERE (SELECT count(*) FROM organisations_membership AS m WHERE m.user_id = u.id) = 1
          AND EXISTS (SELECT 1 FROM community_communitymembership AS cm
                      WHERE cm.user_id = u.id AND cm.status = 'active' AND cm.role = 'member')
        ORDER BY u.id LIMIT 1
        """
    )
    member_id, email = cursor.fetchone()
    cursor.execute(
        """
        SELECT a.community_id, count(*) FROM community_itemaudience AS a
        WHERE a.community_id IN (
            SELECT cm.community_id FROM community_communitymembership AS cm
            WHERE cm.status = 'active' AND (cm.user_id = %(u)s OR cm.organisation_id IN (
                SELECT organisation_id FROM organisations_membership WHERE user_id = %(u)s)))
        GROUP BY a.community_id ORDER BY count(*) DESC, a.community_id LIMIT 1
        """,
        {"u": member_id},
    )
    community_id, community_items = cursor.fetchone()
    counts = {}
    for table in ["organisations_organisation", "organisations_user", "community_community",
                  "community_communitymembership", "community_item", "community_itemaudience"]:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        counts[table.split("_", 1)[1]] = cursor.fetchone()[0]
    return {
        "member_id": member_id,
        "member_email": email,
        "community_id": community_id,
        "community_items": community_items,
        "search_queries": search_queries(),
        "counts": counts,
    }


def main(argv: list[str]) -> int:
    size, marker_path = argv[0], Path(argv[1])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        log("!! the community benchmark needs PostgreSQL")
        return 3
    shape = SIZES[size]
    timings: dict[str, float] = {}
    with step("migrate", timings):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
    with step("collectstatic", timings):
        # Production settings serve hashed names from the manifest; kept in var/bench/ between runs.
        call_command("collectstatic", interactive=False, verbosity=0)
    try:
        marker = json.loads(marker_path.read_text())
    except (OSError, ValueError):
        marker = {}
    wanted = {"version": VERSION, "shape": shape}
    generated = False
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM community_item")
        present = cursor.fetchone()[0]
    if {k: marker.get(k) for k in wanted} == wanted and present == shape["items"]:
        log(f"-- data already generated (marker {marker_path}); skipped")
    else:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            generate(cursor, shape, timings)
        with connection.cursor() as cursor, step("vacuum analyze", timings):
            # As autovacuum would after a while: statistics, and the visibility map that lets the
            # audience and membership lookups be index-only scans.
            cursor.execute("VACUUM ANALYZE")
        marker_path.write_text(json.dumps(wanted))
        generated = True
        log(f"-- generated in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        info = describe(cursor)
    info |= {"size": size, "generated_now": generated, "timings": timings}
    print(json.dumps(info), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
