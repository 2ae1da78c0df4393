"""Benchmark `alerts`: publishing an advisory to 1 600 000 organisation profiles, and mailing alerts.

Issue 4: on PostgreSQL, 1.6 M profiles with ~9 products each from a 20 000-product catalogue
(skewed: the most common product in ~28 % of the profiles) and an advisory on three products of very
different popularity. One JSON line:

    {"bench": "alerts", "profiles": …, "audience": …, "publish_s": …, "floor_s": …, "ratio": …,
     "peak_rss_mb": …, "mail_per_s_1": …, "mail_per_s_2": …, …}

- `publish_s`: `targeting.alerts_write` (verdicts, the one INSERT … SELECT, commit) timed in a child
  process that does nothing else; `peak_rss_mb` is that process's `ru_maxrss` (incl. Django itself).
- `floor_s`: the same alert rows written by one hand-written `INSERT … SELECT` (below, `FLOOR_SQL`)
  into the same table, in a child process of the same kind. Before every run the alert table is
  emptied (TRUNCATE) and a CHECKPOINT is forced, so each run starts from the same state; the order is
  publish, floor, floor, publish, publish, floor (each kind first once, last once) and the medians of
  the three are compared: `ratio = publish_s / floor_s` (target <= 1.5).
- `mail_per_s_1` / `mail_per_s_2`: e-mail deliveries per second of one / two `dtc deliver_alerts
  --once --channel email` worker processes, over a fixed set of planned deliveries (20 000; small
  1 000: the alerts of `BENCH-MAIL-1` for every n-th organisation, planned by
  `delivery.deliveries_plan`), reset to pending before each run, sent to a local SMTP sink: aiosmtpd in
  separate processes (BENCH_SMTP_SINKS, default 2) sharing one port with SO_REUSEPORT. The sink's own
  capacity is measured first (`sink_per_s`: two plain smtplib clients) so that it is known not to be
  the limit. Time is wall time from starting the worker process(es) until the last exits (Django
  start-up included); `mail_per_s_*_steady` leaves out the start-up (first to last `sent_at`).

Environment: SIZE (full|small), BENCH_QUIET_WAIT (seconds to wait for a quiet machine: 120 full, 0
small), BENCH_ALERTS_PARTS (`publish,mail`; `mail` alone re-measures the mail figures),
BENCH_MAIL_RUNS (rounds of 1-then-2 workers, alternating; medians; default 1), BENCH_MAIL_BATCH
(rows claimed per batch, default 200), BENCH_SMTP_SINKS, BENCH_DATABASE_URL / DATABASE_URL.
Internal child modes: `python -m bench.alerts prepare|publish|floor|mailplan INFO_JSON`, `sink PORT`,
`blast PORT COUNT`.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

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
    free_port,
    log,
    wait_until_quiet,
)

NAME = "alerts"
FULL = {"mail": 20_000, "quiet_wait": 120.0, "sink_test": 4_000}
SMALL = {"mail": 1_000, "quiet_wait": 0.0, "sink_test": 1_000}
RATIO_TARGET = 1.5
RSS_TARGET_MB = 300
MAIL_TARGET_PER_S = 500
MAIL_SCALING_TARGET = 1.8
ORDER = ["publish", "floor", "floor", "publish", "publish", "floor"]

# The floor: what the audience statement must do, written by hand with the products as literals.
FLOOR_SQL = """
INSERT INTO advisories_alert (advisory_id, revision_id, organisation_id, created_at, read_at, response,
                              responded_at, planned)
SELECT DISTINCT %(advisory)s, %(revision)s, op.organisation_id, now(), NULL::timestamptz, '', NULL::timestamptz, false
FROM organisations_organisationproduct AS op
WHERE op.product_id = ANY(%(products)s)
  AND NOT EXISTS (SELECT 1 FROM advisories_versionverdict AS v
                  WHERE v.revision_id = %(revision)s AND v.product_id = op.product_id
                    AND v.version = op.version AND NOT v.affected)
ORDER BY op.organisation_id
ON CONFLICT (advisory_id, revision_id, organisation_id) DO NOTHING
"""


def _database(size: str) -> Database | None:
    """Its own PostgreSQL database (`dtc_bench_alerts`, `_small`); None without PostgreSQL."""
    name = f"{BENCH_DATABASE_NAME}_alerts" + ("" if size == "full" else f"_{size}")
    url = _postgres_url(name)
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    try:
        _ensure_postgres_database(url)
    except Exception as error:  # any connection problem: skip, say why
        log(f"!! PostgreSQL not reachable ({type(error).__name__}: {str(error).strip()[:160]})")
        return None
    return Database("postgresql", url)


def _env(database: Database) -> dict[str, str]:
    """The Django processes' environment. Python's bytecode cache is kept (in var/bench/pycache) even
    where the shell sets PYTHONDONTWRITEBYTECODE: otherwise every worker compiles the whole of
    Django and Wagtail on start-up (~15 s here), which no production worker does."""
    env = django_env(database)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(BENCH_VAR_DIR / "pycache")
    return env


def _connect(database: Database):
    import psycopg

    return psycopg.connect(database.url, autocommit=True)


def _child(mode: str, payload: dict, env: dict[str, str]) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.alerts", mode, json.dumps(payload)],
        env=env,
        cwd=REPO_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    if completed.returncode != 0:
        raise BenchError(f"child `{mode}` failed (exit {completed.returncode})")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run(size: str) -> bool:
    preset = SMALL if size == "small" else FULL
    database = _database(size)
    if database is None:
        emit(
            NAME,
            skipped=True,
            size=size,
            reason="needs PostgreSQL (BENCH_DATABASE_URL / DATABASE_URL or a local server); "
            "the generator writes 14 million rows with PostgreSQL SQL",
        )
        return False
    parts = {p.strip() for p in os.environ.get("BENCH_ALERTS_PARTS", "publish,mail").split(",") if p.strip()}
    BENCH_VAR_DIR.mkdir(parents=True, exist_ok=True)
    env = _env(database)
    marker = BENCH_VAR_DIR / f"alerts-data-{database.key}.json"
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "bench.alertsdata", size, str(marker)],
        env=env,
        cwd=REPO_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    if completed.returncode != 0:
        raise BenchError(f"preparing the data failed (exit {completed.returncode})")
    info = json.loads(completed.stdout.strip().splitlines()[-1])
    log(
        f"-- data ready in {time.perf_counter() - started:.1f} s: {info['counts']}, "
        f"advisory products {info['advisory_products']}"
    )
    info["mail_messages"] = env_int("BENCH_MAIL_MESSAGES", preset["mail"])

    line: dict[str, object] = {
        "profiles": info["counts"]["organisation"],
        "audience": None,
        "publish_s": None,
        "floor_s": None,
        "ratio": None,
        "peak_rss_mb": None,
        "mail_per_s_1": None,
        "mail_per_s_2": None,
        "db": database.vendor,
        "size": size,
        "cpus": os.cpu_count(),
        "products": info["counts"]["product"],
        "profile_products": info["counts"]["organisationproduct"],
        "products_per_profile": info["products_per_profile"],
        "advisory_product_shares": [row["share"] for row in info["advisory_products"]],
    }
    with _connect(database) as conn:
        if "publish" in parts:
            line |= _measure_publish(conn, info, env, preset)
        if "mail" in parts:
            line |= _measure_mail(conn, info, env, preset)
    met = {}
    if line["ratio"] is not None:
        met["ratio"] = line["ratio"] <= RATIO_TARGET
        met["peak_rss_mb"] = line["peak_rss_mb"] <= RSS_TARGET_MB
    if line["mail_per_s_1"] is not None:
        met["mail_per_s_1"] = line["mail_per_s_1"] >= MAIL_TARGET_PER_S
        met["mail_per_s_2"] = line["mail_per_s_2"] >= MAIL_SCALING_TARGET * line["mail_per_s_1"]
    line["targets"] = (
        f"ratio <= {RATIO_TARGET}, peak_rss_mb <= {RSS_TARGET_MB}, mail_per_s_1 >= {MAIL_TARGET_PER_S}, "
        f"mail_per_s_2 >= {MAIL_SCALING_TARGET} x mail_per_s_1"
    )
    line["met"] = met
    emit(NAME, **line)
    return True


# --- publishing ---------------------------------------------------------------------------------


def _alerts_reset(conn) -> None:
    """Every run starts alike: no alert rows (TRUNCATE also empties the outbox that points at them),
    dirty pages written out (CHECKPOINT), so no run pays for the previous one's writes."""
    conn.execute("TRUNCATE advisories_alert CASCADE")
    conn.execute("CHECKPOINT")


def _measure_publish(conn, info: dict, env: dict[str, str], preset: dict) -> dict:
    prepared = _child("prepare", info, env)
    log(
        f"-- audience {prepared['audience']} organisations; {prepared['verdicts']} version verdicts; "
        f"warm-up read of the audience {prepared['warmup_s']} s"
    )
    idle = wait_until_quiet(env_float("BENCH_QUIET_WAIT", preset["quiet_wait"]))
    load_before = os.getloadavg()[0]
    runs: dict[str, list[dict]] = {"publish": [], "floor": []}
    for kind in ORDER:
        _alerts_reset(conn)
        result = _child(kind, info, env)
        stored = conn.execute(
            "SELECT count(*) FROM advisories_alert WHERE revision_id = %s", [info["alerts"]["revision_id"]]
        ).fetchone()[0]
        if result["rows"] != prepared["audience"] or stored != prepared["audience"]:
            raise BenchError(
                f"{kind} wrote {result['rows']} rows ({stored} stored), audience is {prepared['audience']}"
            )
        log(
            f"   {kind}: {result['seconds']:.3f} s, {result['rows']} rows, peak RSS {result['peak_rss_mb']} MB"
        )
        runs[kind].append(result)
    _alerts_reset(conn)
    publish_s = statistics.median(r["seconds"] for r in runs["publish"])
    floor_s = statistics.median(r["seconds"] for r in runs["floor"])
    figures = {
        "audience": prepared["audience"],
        "publish_s": round(publish_s, 3),
        "floor_s": round(floor_s, 3),
        "ratio": round(publish_s / floor_s, 2),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs["publish"]),
        "publish_runs_s": [round(r["seconds"], 3) for r in runs["publish"]],
        "floor_runs_s": [round(r["seconds"], 3) for r in runs["floor"]],
        "rss_before_publish_mb": max(r["rss_before_mb"] for r in runs["publish"]),
        "floor_peak_rss_mb": max(r["peak_rss_mb"] for r in runs["floor"]),
        "publish_loadavg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    if idle is not None:
        figures["publish_cpu_idle_before"] = round(idle, 2)
    return figures


# --- mail ---------------------------------------------------------------------------------------


def _measure_mail(conn, info: dict, env: dict[str, str], preset: dict) -> dict:
    _alerts_reset(conn)
    planned = _child("mailplan", info, env)
    deliveries = planned["deliveries"]
    if deliveries != info["mail_messages"]:
        raise BenchError(f"planned {deliveries} e-mail deliveries, expected {info['mail_messages']}")
    log(f"-- {deliveries} e-mail deliveries planned in {planned['plan_s']:.2f} s")
    port = free_port()
    kind = os.environ.get("BENCH_SMTP_SINK", "").strip() or "aiosmtpd"
    if kind not in ("aiosmtpd", "lean"):
        raise BenchError(f"BENCH_SMTP_SINK must be aiosmtpd or lean, not {kind!r}")
    sinks = [_sink_start(port, env, kind) for _ in range(env_int("BENCH_SMTP_SINKS", 2))]
    received_expected = 0
    try:
        idle = wait_until_quiet(env_float("BENCH_QUIET_WAIT", preset["quiet_wait"]))
        load_before = os.getloadavg()[0]
        sink_per_s = _sink_capacity(port, env, preset["sink_test"])
        received_expected += 2 * preset["sink_test"]
        log(
            f"-- SMTP sink capacity ({kind}, {len(sinks)} processes, 2 smtplib clients): {sink_per_s:.0f} msg/s"
        )
        worker_env = env | {"DTC_EMAIL_HOST": "127.0.0.1", "DTC_EMAIL_PORT": str(port)}
        batch = env_int("BENCH_MAIL_BATCH", 200)
        results: dict[int, list[dict]] = {1: [], 2: []}
        for round_number in range(env_int("BENCH_MAIL_RUNS", 1)):
            for workers in [1, 2] if round_number % 2 == 0 else [2, 1]:
                _deliveries_reset(conn)
                result = _mail_run(conn, workers, batch, deliveries, worker_env)
                received_expected += deliveries
                log(
                    f"   {workers} worker(s): {result['per_s']:.0f} msg/s ({result['seconds']:.1f} s; "
                    f"without start-up {result['per_s_steady']:.0f} msg/s)"
                )
                results[workers].append(result)
    finally:
        received = sum(_sink_stop(sink) for sink in sinks)
    if received != received_expected:
        raise BenchError(f"the SMTP sink received {received} messages, {received_expected} were sent")
    one = statistics.median(r["per_s"] for r in results[1])
    two = statistics.median(r["per_s"] for r in results[2])
    figures = {
        "mail_per_s_1": round(one, 1),
        "mail_per_s_2": round(two, 1),
        "mail_scaling": round(two / one, 2),
        "mail_per_s_1_steady": round(statistics.median(r["per_s_steady"] for r in results[1]), 1),
        "mail_per_s_2_steady": round(statistics.median(r["per_s_steady"] for r in results[2]), 1),
        "mail_messages": deliveries,
        "mail_batch": batch,
        "mail_plan_s": planned["plan_s"],
        "sink": kind,
        "sink_processes": len(sinks),
        "sink_per_s": round(sink_per_s, 1),
        "mail_loadavg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    if idle is not None:
        figures["mail_cpu_idle_before"] = round(idle, 2)
    return figures


def _deliveries_reset(conn) -> None:
    conn.execute(
        "UPDATE advisories_delivery SET state = 'pending', sent_at = NULL, lease_until = NULL, attempts = 0,"
        " last_error = '', available_at = now() - interval '1 second'"
    )
    conn.execute("VACUUM ANALYZE advisories_delivery")
    conn.execute("CHECKPOINT")


def _worker_command() -> list[str]:
    script = Path(sys.executable).parent / "dtc"
    prefix = [str(script)] if script.exists() else [sys.executable, "-m", "dtc.manage"]
    return prefix


def _mail_run(conn, workers: int, batch: int, deliveries: int, env: dict[str, str]) -> dict:
    command = [*_worker_command(), "deliver_alerts", "--once", "--channel", "email", "--batch", str(batch)]
    started_wall = time.time()
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            command,
            env=env | {"DTC_WORKER_NAME": f"bench-{n}"},
            cwd=REPO_DIR,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(workers)
    ]
    outputs = [process.communicate()[0] for process in processes]
    seconds = time.perf_counter() - started
    failed = [process.returncode for process in processes if process.returncode != 0]
    if failed:
        raise BenchError(f"deliver_alerts exited with {failed}")
    states = dict(conn.execute("SELECT state, count(*) FROM advisories_delivery GROUP BY state").fetchall())
    if states.get("sent", 0) != deliveries or len(states) != 1:
        raise BenchError(f"after {workers} worker(s) the outbox holds {states}, expected {deliveries} sent")
    first, last = conn.execute(
        "SELECT extract(epoch FROM min(sent_at)), extract(epoch FROM max(sent_at)) FROM advisories_delivery"
    ).fetchone()
    summaries = [out.strip().splitlines()[-1] if out.strip() else "" for out in outputs]
    log(f"   worker summaries: {summaries}")
    return {
        "seconds": seconds,
        "per_s": deliveries / seconds,
        "per_s_steady": deliveries / max(1e-6, float(last) - float(first)),
        "start_up_s": round(float(first) - started_wall, 2),
    }


# --- SMTP sink ----------------------------------------------------------------------------------


def _sink_start(port: int, env: dict[str, str], kind: str = "aiosmtpd") -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.alerts", "sink", str(port), kind],
        env=env,
        cwd=REPO_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    ready = process.stdout.readline().strip()
    if ready != "ready":
        process.kill()
        raise BenchError(f"SMTP sink did not start ({ready!r})")
    return process


def _sink_stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    out, _err = process.communicate(timeout=30)
    return int(out.strip().splitlines()[-1]) if out.strip() else 0


def _sink_capacity(port: int, env: dict[str, str], per_client: int) -> float:
    """Messages per second the sink accepts from two plain smtplib clients (one connection per 200
    messages, as the workers do): an upper bound the workers are compared with."""
    started = time.perf_counter()
    clients = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.alerts", "blast", str(port), str(per_client)],
            env=env,
            cwd=REPO_DIR,
        )
        for _ in range(2)
    ]
    for client in clients:
        if client.wait() != 0:
            raise BenchError("SMTP sink capacity test failed")
    return 2 * per_client / (time.perf_counter() - started)


def sink_main(port: int) -> None:
    """An SMTP server that accepts every message and counts it (aiosmtpd, its own event loop). Several
    processes share `port` (SO_REUSEPORT: the kernel spreads the connections). On SIGTERM it prints
    the number of messages received and exits."""
    import asyncio
    import socket

    from aiosmtpd.smtp import SMTP

    received = 0

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
            nonlocal received
            received += len(envelope.rcpt_tos)
            return "250 OK"

    async def serve() -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(256)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        handler = Handler()
        server = await loop.create_server(lambda: SMTP(handler, hostname="sink.bench"), sock=sock)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        print("ready", flush=True)
        await stop.wait()
        server.close()

    asyncio.run(serve())
    print(received, flush=True)


def sink_lean_main(port: int) -> None:
    """The same contract as `sink_main` (accept and count every message) without aiosmtpd: a plain
    asyncio protocol speaking the part of SMTP (RFC 5321) a client needs to deliver — greeting, EHLO/
    HELO, MAIL, RCPT, DATA with the dot-terminated body, RSET, NOOP, QUIT. About a fifth of
    aiosmtpd's CPU per message, so on a small machine the sink takes less CPU from the workers."""
    import asyncio
    import socket

    received = 0

    class Session(asyncio.Protocol):
        def connection_made(self, transport) -> None:
            self.transport = transport
            self.buffer = bytearray()
            self.in_data = False
            self.recipients = 0
            transport.write(b"220 sink.bench ESMTP\r\n")

        def data_received(self, data: bytes) -> None:
            nonlocal received
            self.buffer += data
            while self.buffer:
                if self.in_data:
                    end = self.buffer.find(b"\r\n.\r\n")
                    if end < 0:
                        return
                    del self.buffer[: end + 5]
                    self.in_data = False
                    received += self.recipients
                    self.recipients = 0
                    self.transport.write(b"250 OK\r\n")
                    continue
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    return
                verb = bytes(self.buffer[:4]).upper()
                del self.buffer[: end + 2]
                if verb == b"EHLO":
                    self.transport.write(b"250-sink.bench\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                elif verb == b"RCPT":
                    self.recipients += 1
                    self.transport.write(b"250 OK\r\n")
                elif verb == b"DATA":
                    self.in_data = True
                    # The body's terminator "\r\n.\r\n" includes the line end before the dot.
                    self.buffer[:0] = b"\r\n"
                    self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                elif verb == b"QUIT":
                    self.transport.write(b"221 Bye\r\n")
                    self.transport.close()
                    return
                elif verb in (b"HELO", b"MAIL", b"RSET", b"NOOP"):
                    if verb == b"RSET":
                        self.recipients = 0
                    self.transport.write(b"250 OK\r\n")
                else:
                    self.transport.write(b"502 Command not implemented\r\n")

    async def serve() -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(256)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Session, sock=sock)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        print("ready", flush=True)
        await stop.wait()
        server.close()

    asyncio.run(serve())
    print(received, flush=True)


def blast_main(port: int, count: int) -> None:
    """Send `count` alert-sized messages to the sink over one connection per 200."""
    import smtplib

    body = ("Onderwerp van de waarschuwing.\r\n" + "x" * 76 + "\r\n") * 30
    message = f"From: bench@dtc.example\r\nTo: lid@bench.example\r\nSubject: bench\r\n\r\n{body}"
    sent = 0
    while sent < count:
        with smtplib.SMTP("127.0.0.1", port, local_hostname="bench") as client:
            for _ in range(min(200, count - sent)):
                client.sendmail("bench@dtc.example", ["lid@bench.example"], message)
                sent += 1


# --- child processes with Django ----------------------------------------------------------------


def _objects(info: dict):
    from dtc.advisories.models import AdvisoryRevision, Message

    ids = info["alerts"]
    message = Message.objects.select_related("advisory").get(pk=ids["message_id"])
    revision = AdvisoryRevision.objects.get(pk=ids["revision_id"])
    return message, revision


def _rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def prepare(info: dict) -> dict:
    """Version verdicts (what `alerts_write` computes first; idempotent) and the audience size; one
    untimed read of the audience warms PostgreSQL's cache for both kinds of runs alike."""
    from django.db import connection

    from dtc.advisories import targeting

    message, revision = _objects(info)
    verdicts = targeting.verdicts_compute(revision=revision)
    audience = targeting.audience_count(message=message, revision=revision)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT organisation_id) FROM organisations_organisationproduct WHERE product_id = ANY(%s)",
            [[row["product_id"] for row in info["advisory_products"]]],
        )
    return {"verdicts": verdicts, "audience": audience, "warmup_s": round(time.perf_counter() - started, 2)}


def publish(info: dict) -> dict:
    from django.db import connection

    from dtc.advisories import targeting

    message, revision = _objects(info)
    message.published_revision = None  # as before a first publication
    message.save(update_fields=["published_revision"])
    connection.ensure_connection()
    rss_before = _rss_mb()
    if connection.in_atomic_block:
        raise BenchError("publish must run outside a transaction (its commit is part of the time)")
    started = time.perf_counter()
    rows = targeting.alerts_write(message=message, revision=revision)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": rows, "peak_rss_mb": _rss_mb(), "rss_before_mb": rss_before}


def floor(info: dict) -> dict:
    from django.db import connection, transaction

    ids = info["alerts"]
    params = {
        "advisory": ids["advisory_id"],
        "revision": ids["revision_id"],
        "products": [row["product_id"] for row in info["advisory_products"]],
    }
    connection.ensure_connection()
    rss_before = _rss_mb()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, params)
        rows = cursor.rowcount
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": rows, "peak_rss_mb": _rss_mb(), "rss_before_mb": rss_before}


def mailplan(info: dict) -> dict:
    """Alerts of the mail advisory for every n-th organisation (written directly: the targeting is
    measured above), then the outbox planned by `delivery.deliveries_plan` as in production."""
    from django.db import connection, transaction

    from dtc.advisories import delivery

    ids, count, orgs = info["mail"], info["mail_messages"], info["counts"]["organisation"]
    stride = max(1, orgs // count)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO advisories_alert (advisory_id, revision_id, organisation_id, created_at, read_at,
                                          response, responded_at, planned)
            SELECT %s, %s, 1 + k * %s, now(), NULL, '', NULL, false FROM generate_series(0, %s - 1) AS k
            """,
            [ids["advisory_id"], ids["revision_id"], stride, count],
        )
    started = time.perf_counter()
    delivery.deliveries_plan()
    plan_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM advisories_delivery WHERE channel = 'email'")
        deliveries = cursor.fetchone()[0]
    return {"deliveries": deliveries, "plan_s": round(plan_s, 2)}


CHILD_MODES = {"prepare": prepare, "publish": publish, "floor": floor, "mailplan": mailplan}


def main(argv: list[str]) -> int:
    mode = argv[0]
    if mode == "sink":
        (sink_lean_main if argv[2:] == ["lean"] else sink_main)(int(argv[1]))
        return 0
    if mode == "blast":
        blast_main(int(argv[1]), int(argv[2]))
        return 0
    import django

    django.setup()
    result = CHILD_MODES[mode](json.loads(argv[1]))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
