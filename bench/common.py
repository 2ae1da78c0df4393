"""Helpers shared by all benchmarks: size, output, the database and the environment of a Django process."""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
# Benchmark state kept between runs (generated-data markers, SQLite fallback); /var/ is git-ignored.
BENCH_VAR_DIR = Path(os.environ.get("BENCH_VAR_DIR", REPO_DIR / "var" / "bench"))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dtc_bench"
BENCH_DATABASE_NAME = "dtc_bench"
SIZES = ("full", "small")


class BenchError(RuntimeError):
    """A benchmark could not run or measured something wrong (non-200 response, server down…)."""


def get_size() -> str:
    size = os.environ.get("SIZE", "").strip().lower() or "full"
    if size not in SIZES:
        raise SystemExit(f"SIZE must be one of {', '.join(SIZES)}, not {size!r}")
    return size


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def emit(bench: str, **fields: object) -> None:
    """One measurement: one JSON line on stdout, `"bench"` first."""
    print(json.dumps({"bench": bench, **fields}), flush=True)


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_idle(seconds: float = 2.0) -> float | None:
    """Share of all CPUs idle over `seconds` (from /proc/stat; None where there is none)."""
    import time

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            values = [int(value) for value in stat.readline().split()[1:]]
        return values[3] + values[4], sum(values[:8])  # idle + iowait, total

    try:
        idle_0, total_0 = sample()
        time.sleep(seconds)
        idle_1, total_1 = sample()
    except OSError:
        return None
    return (idle_1 - idle_0) / max(1, total_1 - total_0)


def wait_until_quiet(max_wait: float, idle_share: float = 0.85) -> float | None:
    """Other work on the machine distorts every figure: wait up to `max_wait` seconds until at least
    `idle_share` of the CPU is idle. Returns the last idle share measured (reported with the results)."""
    import time

    deadline = time.monotonic() + max_wait
    idle = cpu_idle()
    while idle is not None and idle < idle_share and time.monotonic() < deadline:
        log(f"-- machine busy ({100 * (1 - idle):.0f}% CPU used by other work); waiting for it to calm down")
        idle = cpu_idle(5.0)
    if idle is not None and idle < idle_share:
        log(f"!! measuring on a busy machine ({100 * (1 - idle):.0f}% CPU used by other work): figures are low")
    return idle


@dataclass
class Database:
    vendor: str  # "postgresql" or "sqlite"
    url: str  # DATABASE_URL for the Django processes ("" for SQLite)
    sqlite_path: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        """Identifies the database for the data markers (no password in it)."""
        if self.vendor == "sqlite":
            return "sqlite-" + Path(self.sqlite_path).stem
        import dj_database_url

        conf = dj_database_url.parse(self.url)
        return f"pg-{conf.get('HOST') or 'local'}-{conf.get('PORT') or 5432}-{conf['NAME']}"

    def env(self) -> dict[str, str]:
        if self.vendor == "sqlite":
            return {"DATABASE_URL": "", "DTC_SQLITE_PATH": self.sqlite_path}
        return {"DATABASE_URL": self.url}


def _postgres_url(name: str) -> str:
    """BENCH_DATABASE_URL as given; else DATABASE_URL's server with the database `name` (so a run never
    fills a development or test database with generated articles); else the local server."""
    explicit = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if explicit:
        return explicit
    url = os.environ.get("DATABASE_URL", "").strip()
    if url.startswith(("postgres://", "postgresql://")):
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(url)
        return urlunsplit(parts._replace(path=f"/{name}"))
    return DEFAULT_DATABASE_URL.rsplit("/", 1)[0] + f"/{name}"


def select_database(size: str = "full") -> Database:
    """PostgreSQL (created when missing) when reachable, else SQLite in a temporary directory.
    Each size has its own database (`dtc_bench`, `dtc_bench_small`): a small run measures a small site."""
    name = BENCH_DATABASE_NAME if size == "full" else f"{BENCH_DATABASE_NAME}_{size}"
    url = _postgres_url(name)
    if not url.startswith(("postgres://", "postgresql://")):
        path = url.split(":///", 1)[-1] if url.startswith("sqlite") else ""
        return Database("sqlite", "", path or _sqlite_path(name), note="BENCH_DATABASE_URL is not PostgreSQL")
    try:
        _ensure_postgres_database(url)
    except Exception as error:  # any connection problem means: fall back
        note = f"PostgreSQL not reachable ({type(error).__name__}: {str(error).strip()[:160]}); using SQLite"
        log(f"!! {note}")
        return Database("sqlite", "", _sqlite_path(name), note=note)
    return Database("postgresql", url)


def _sqlite_path(name: str) -> str:
    directory = Path(tempfile.gettempdir()) / "dtc-bench"
    directory.mkdir(parents=True, exist_ok=True)
    return str(directory / f"{name}.sqlite3")


def _ensure_postgres_database(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    conf = dj_database_url.parse(url)
    params = {
        "host": conf.get("HOST") or None,
        "port": conf.get("PORT") or None,
        "user": conf.get("USER") or None,
        "password": conf.get("PASSWORD") or None,
        "connect_timeout": 3,
    }
    params = {key: value for key, value in params.items() if value is not None}
    name = conf["NAME"]
    try:
        with psycopg.connect(dbname=name, **params):
            return
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            log(f"-- creating PostgreSQL database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def django_env(database: Database, **extra: str) -> dict[str, str]:
    """The environment of a Django process of the benchmark: production settings plus the bare view."""
    BENCH_VAR_DIR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.pop("DTC_TESTING", None)
    pythonpath = [str(REPO_DIR), str(REPO_DIR / "src")]
    if env.get("PYTHONPATH"):
        pythonpath.append(env["PYTHONPATH"])
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(pythonpath),
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DTC_DEBUG": "0",
            "DTC_SECURE_COOKIES": "0",
            "DTC_SECRET_KEY": env.get("DTC_SECRET_KEY") or "bench-not-secret-" + "x" * 40,
            "DTC_VAR_DIR": str(BENCH_VAR_DIR),
            "DTC_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DTC_LOG_LEVEL": env.get("DTC_LOG_LEVEL") or "WARNING",
        }
    )
    env.update(database.env())
    env.update(extra)
    return env
