"""Benchmark `community`: a member's community feed and a search over 1 000 000 shared items.

Issue 3: 10 000 organisations, 500 communities, 1 000 000 items on PostgreSQL; the feed
(`community:detail`) and a search (`community:search`) of a typical member with p95 <= 50 ms
server-side and a constant number of SQL queries per page, visibility filtered in SQL.

How: `bench.communitydata` generates the platform in PostgreSQL (database `dtc_bench_community`,
`_small` for SIZE=small; never a development or test database). Then a child Django process with
production settings (`bench.settings`, DEBUG off, cached templates, manifest static files) logs the
member in with Django's test `Client` and requests the real pages through the whole middleware
stack, timing each request in-process (server-side time: no network, no HTTP server). Per surface:
warm-up requests, then BENCH_REQUESTS timed ones (p50/p95/max), and the SQL queries of a few requests
counted with `CaptureQueriesContext` (they must all be equal; small and full size must report the
same number). Baseline in the same run: `bare`, the bare view `/bench/bare` through the same stack.

Output: one JSON line per surface (`bare`, `feed`, `search`, `search_community`), or one line with
`"skipped": true` when there is no PostgreSQL (the data generator is PostgreSQL SQL).

Environment: SIZE (full|small), BENCH_REQUESTS (300 full, 200 small), BENCH_WARMUP (30 full, 10 small),
BENCH_QUIET_WAIT (seconds to wait for other work to stop: 120 full, 0 small),
BENCH_DATABASE_URL / DATABASE_URL (server; the database name is the benchmark's own).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from urllib.parse import urlencode

from bench.common import (
    BENCH_DATABASE_NAME,
    BENCH_VAR_DIR,
    REPO_DIR,
    BenchError,
    Database,
    _ensure_postgres_database,
    _postgres_url,
    django_env,
    emit,
    env_float,
    env_int,
    log,
    wait_until_quiet,
)

NAME = "community"
FULL = {"requests": 300, "warmup": 30, "quiet_wait": 120.0}
SMALL = {"requests": 200, "warmup": 10, "quiet_wait": 0.0}
P95_TARGET_MS = 50.0
SURFACES = ["bare", "feed", "search", "search_community", "bare_end"]
QUERY_SAMPLES = 16  # requests per surface whose SQL queries are counted (not timed)


def _database(size: str) -> Database | None:
    """Its own PostgreSQL database (a million items do not belong in the web benchmark's); None
    when PostgreSQL is not configured or not reachable."""
    name = f"{BENCH_DATABASE_NAME}_community" + ("" if size == "full" else f"_{size}")
    url = _postgres_url(name)
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    try:
        _ensure_postgres_database(url)
    except Exception as error:  # any connection problem: skip, say why
        log(f"!! PostgreSQL not reachable ({type(error).__name__}: {str(error).strip()[:160]})")
        return None
    return Database("postgresql", url)


def run(size: str) -> bool:
    preset = SMALL if size == "small" else FULL
    database = _database(size)
    if database is None:
        emit(NAME, surface="all", skipped=True, size=size,
             reason="needs PostgreSQL (BENCH_DATABASE_URL / DATABASE_URL or a local server); "
                    "the generator writes a million rows with PostgreSQL SQL")
        return False
    BENCH_VAR_DIR.mkdir(parents=True, exist_ok=True)
    env = django_env(database)
    marker = BENCH_VAR_DIR / f"community-data-{database.key}.json"
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "bench.communitydata", size, str(marker)],
        env=env, cwd=REPO_DIR, stdout=subprocess.PIPE, text=True,
    )
    if completed.returncode != 0:
        raise BenchError(f"preparing the data failed (exit {completed.returncode})")
    info = json.loads(completed.stdout.strip().splitlines()[-1])
    log(f"-- data ready in {time.perf_counter() - started:.1f} s: {info['counts']}")

    idle = wait_until_quiet(env_float("BENCH_QUIET_WAIT", preset["quiet_wait"]))
    load_before = os.getloadavg()[0]
    settings = {
        "requests": env_int("BENCH_REQUESTS", preset["requests"]),
        "warmup": env_int("BENCH_WARMUP", preset["warmup"]),
    }
    completed = subprocess.run(
        [sys.executable, "-m", "bench.community", json.dumps(info | settings)],
        env=env, cwd=REPO_DIR, stdout=subprocess.PIPE, text=True,
    )
    if completed.returncode != 0:
        raise BenchError(f"measuring failed (exit {completed.returncode})")
    results = json.loads(completed.stdout.strip().splitlines()[-1])
    load_after = os.getloadavg()[0]

    common = {
        "db": database.vendor,
        "size": size,
        "items": info["counts"]["item"],
        "organisations": info["counts"]["organisation"],
        "communities": info["counts"]["community"],
        "requests": settings["requests"],
        "cpus": os.cpu_count(),
        "loadavg": [round(load_before, 2), round(load_after, 2)],
    }
    if idle is not None:
        common["cpu_idle_before"] = round(idle, 2)
    bare = results["bare"]
    for surface in ["bare", "feed", "search", "search_community"]:
        result = results[surface]
        line = {"surface": surface, **common, **result}
        if surface == "bare":
            # Mean of the first and the last run: the drift between them shows other work.
            line["p50_ms"] = round((bare["p50_ms"] + results["bare_end"]["p50_ms"]) / 2, 2)
            line["p95_ms"] = round((bare["p95_ms"] + results["bare_end"]["p95_ms"]) / 2, 2)
            line["max_ms"] = max(bare["max_ms"], results["bare_end"]["max_ms"])
            line["p95_ms_first"], line["p95_ms_last"] = bare["p95_ms"], results["bare_end"]["p95_ms"]
        else:
            line["target"] = f"p95_ms <= {P95_TARGET_MS:g} with 1000000 items, constant queries"
            line["met"] = (
                result["p95_ms"] <= P95_TARGET_MS and common["items"] >= 1_000_000 and result["queries_constant"]
            )
        emit(NAME, **line)
    return True


# --- the measuring child process ----------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def measure(info: dict) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from dtc.community import selectors
    from dtc.community.models import Community
    from dtc.organisations.models import User

    member = User.objects.get(pk=info["member_id"])
    community = Community.objects.get(pk=info["community_id"])
    # What the pages show (items the member may see), counted outside the timed requests.
    visible = {
        "feed": [selectors.community_items_visible_to(user=member, community=community).count()],
        "search": [selectors.community_items_search(user=member, query=q).count() for q in info["search_queries"]],
        "search_community": [
            selectors.community_items_search(user=member, query=q, community=community).count()
            for q in info["search_queries"]
        ],
    }
    client = Client(HTTP_HOST="localhost")
    client.force_login(member)
    community_id = info["community_id"]
    queries = info["search_queries"]
    search = reverse("community:search")
    paths = {
        "bare": ["/bench/bare"],
        "feed": [reverse("community:detail", args=[community_id])],
        "search": [f"{search}?{urlencode({'q': query})}" for query in queries],
        "search_community": [
            f"{search}?{urlencode({'q': query, 'community': community_id})}" for query in queries
        ],
    }
    paths["bare_end"] = paths["bare"]
    results: dict[str, dict] = {}
    for surface in SURFACES:
        urls = paths[surface]
        for i in range(info["warmup"]):
            _get(client, urls[i % len(urls)])
        counts, sql_ms = [], []
        for i in range(QUERY_SAMPLES):
            with CaptureQueriesContext(connection) as captured:
                _get(client, urls[i % len(urls)])
            sql_ms.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
            # A page with no result skips the query for its (empty) list; compare pages with results.
            if surface not in visible or visible[surface][i % len(urls)] > 0:
                counts.append(len(captured.captured_queries))
        timings = []
        for i in range(info["requests"]):
            started = time.perf_counter()
            _get(client, urls[i % len(urls)])
            timings.append((time.perf_counter() - started) * 1000)
        results[surface] = {
            "path": urls[0] if len(urls) == 1 else f"{urls[0]} (+{len(urls) - 1} more queries)",
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(_percentile(timings, 0.95), 2),
            "max_ms": round(max(timings), 2),
            "queries": max(counts),
            "queries_constant": len(set(counts)) == 1,
            "sql_ms_p50": round(statistics.median(sql_ms), 2),
        }
        if surface in visible:
            results[surface]["visible_items"] = visible[surface] if len(visible[surface]) > 1 else visible[surface][0]
        if len(set(counts)) != 1:
            results[surface]["queries_seen"] = sorted(set(counts))
        print(f"   {surface}: {results[surface]}", file=sys.stderr, flush=True)
    return results


def _get(client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise BenchError(f"{url} answered {response.status_code}")
    return response


if __name__ == "__main__":
    result = measure(json.loads(sys.argv[1]))
    print(json.dumps(result), flush=True)
