"""Benchmark `web`: public pages served as in production (gunicorn, several workers, PostgreSQL).

Measured in one run, one page after the other with the same server: the bare view (`/bench/bare`,
a fixed string through the full middleware stack), the home page, an article, a search, and the
bare view again (its two runs are averaged for the ratio, which also shows drift). Targets:
home and article >= 0.5 x the bare view's throughput; search p99 <= 100 ms with 10 000 articles.

Environment: SIZE (full|small), BENCH_WORKERS (4), BENCH_CONNECTIONS (32), BENCH_DURATION and
BENCH_WARMUP (seconds), BENCH_QUIET_WAIT (seconds to wait before each page for other work on the
machine to stop: 180 full, 0 small), BENCH_ARTICLES, BENCH_CLIENT (auto|wrk|python), BENCH_WORKER_CLASS (sync),
BENCH_THREADS (1), BENCH_DATABASE_URL / DATABASE_URL, REDIS_URL (passed through to the server).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from urllib.parse import quote

from bench.common import (
    BENCH_VAR_DIR,
    REPO_DIR,
    BenchError,
    django_env,
    emit,
    env_float,
    env_int,
    free_port,
    log,
    select_database,
    wait_until_quiet,
)
from bench.loadgen import choose_client, measure

NAME = "web"
FULL = {"articles": 10_000, "duration": 15.0, "warmup": 3.0, "quiet_wait": 180.0}
SMALL = {"articles": 500, "duration": 3.0, "warmup": 1.0, "quiet_wait": 0.0}
RATIO_TARGET = 0.5
SEARCH_P99_TARGET_MS = 100.0


def run(size: str) -> None:
    preset = SMALL if size == "small" else FULL
    articles = env_int("BENCH_ARTICLES", preset["articles"])
    duration = env_float("BENCH_DURATION", preset["duration"])
    warmup = env_float("BENCH_WARMUP", preset["warmup"])
    quiet_wait = env_float("BENCH_QUIET_WAIT", preset["quiet_wait"])
    workers = env_int("BENCH_WORKERS", 4)
    connections = env_int("BENCH_CONNECTIONS", 32)
    worker_class = os.environ.get("BENCH_WORKER_CLASS", "sync")
    threads = env_int("BENCH_THREADS", 1)
    client = choose_client()

    database = select_database(size)
    static_root = tempfile.mkdtemp(prefix="dtc-bench-static-")
    try:
        env = django_env(database, DTC_STATIC_ROOT=static_root, DTC_MEDIA_ROOT=os.path.join(static_root, "media"))
        info = prepare(env, articles, database.key)
        load_before = os.getloadavg()[0]
        port = free_port()
        with gunicorn(env, port, workers=workers, worker_class=worker_class, threads=threads):
            words = info["search_words"]
            pages = {
                "bare": ["/bench/bare"],
                "home": ["/"],
                "article": [info["article_url"]],
                "search": [f"/zoeken/?q={quote(word)}" for word in info["search_words"]],
                # The same searches with a parameter the page cache does not accept: every request
                # runs the full-text query and renders (the cost of a search nobody made before).
                "search_uncached": [
                    f"/zoeken/?q={quote(words[i % len(words)])}&n={i}" for i in range(5000)
                ],
            }
            check_pages(port, pages)
            results, idle = {}, {}
            for page in ["bare", "home", "article", "search", "search_uncached", "bare_end"]:
                paths = pages[page.removesuffix("_end")]
                idle[page] = wait_until_quiet(quiet_wait)
                log(f"-- measuring {page} {paths[0]}{' …' if len(paths) > 1 else ''} "
                    f"({connections} connections, {warmup:g}+{duration:g} s, {client})")
                results[page] = measure(client, "127.0.0.1", port, paths, connections=connections,
                                        duration=duration, warmup=warmup)
                log(f"   {results[page].rps:.0f} req/s, p50 {results[page].p50_ms:.1f} ms, "
                    f"p99 {results[page].p99_ms:.1f} ms")
    finally:
        shutil.rmtree(static_root, ignore_errors=True)

    load_after = os.getloadavg()[0]
    bare_rps = (results["bare"].rps + results["bare_end"].rps) / 2
    common = {
        "db": database.vendor,
        "cache": "redis" if env.get("REDIS_URL") else "database",
        "articles": info["articles"],
        "size": size,
        "workers": workers,
        "worker_class": worker_class if threads == 1 else f"{worker_class}x{threads}",
        "connections": connections,
        "duration_s": duration,
        "client": client,
        "cpus": os.cpu_count(),
        # Other work on the machine skews the figures: the 1-minute load average before and after.
        "loadavg": [round(load_before, 2), round(load_after, 2)],
    }
    if database.note:
        common["note"] = database.note
    for page in ["bare", "home", "article", "search", "search_uncached"]:
        result = results[page]
        line: dict[str, object] = {
            "page": page,
            **common,
            "path": pages[page][0] if not page.startswith("search") else f"/zoeken/?q=<{len(pages[page])} queries>",
            "rps": round(result.rps, 1),
            "p50_ms": round(result.p50_ms, 2),
            "p99_ms": round(result.p99_ms, 2),
            "bare_rps": round(bare_rps, 1),
            "ratio": round(result.rps / bare_rps, 3) if bare_rps else None,
        }
        if idle[page] is not None:
            line["cpu_idle_before"] = round(idle[page], 2)
        if page == "bare":
            line["rps"] = round(bare_rps, 1)
            line["rps_first"] = round(results["bare"].rps, 1)
            line["rps_last"] = round(results["bare_end"].rps, 1)
        elif page in ("home", "article"):
            line["target"] = f"rps >= {RATIO_TARGET} x bare_rps"
            line["met"] = line["ratio"] >= RATIO_TARGET
        elif page == "search_uncached":
            line["target"] = "informative: page cache bypassed, every request runs the search"
        else:
            line["target"] = f"p99_ms <= {SEARCH_P99_TARGET_MS:g} with 10000 articles"
            line["met"] = result.p99_ms <= SEARCH_P99_TARGET_MS and info["articles"] >= 10_000
        emit(NAME, **line)


def prepare(env: dict[str, str], articles: int, database_key: str) -> dict:
    """Migrate, collect static files, load demo content and generated articles (child process)."""
    marker = BENCH_VAR_DIR / f"web-data-{database_key}.json"
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "bench.webdata", str(articles), str(marker)],
        env=env, cwd=REPO_DIR, stdout=subprocess.PIPE, text=True,
    )
    if completed.returncode != 0:
        raise BenchError(f"preparing the data failed (exit {completed.returncode})")
    info = json.loads(completed.stdout.strip().splitlines()[-1])
    log(f"-- data ready in {time.perf_counter() - started:.1f} s: {info['articles']} articles "
        f"({info['generated_now']} generated now), demo: {info['demo']}, article {info['article_url']}")
    if not info.get("article_url"):
        raise BenchError("no live article to measure")
    return info


class gunicorn:  # noqa: N801 - used as a context manager, reads like a function
    """The production server: gunicorn with the project's WSGI app; always stopped on exit."""

    def __init__(self, env: dict[str, str], port: int, *, workers: int, worker_class: str, threads: int):
        self.env, self.port = env, port
        self.command = [
            sys.executable, "-m", "gunicorn", "dtc.wsgi:application",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers),
            "--worker-class", worker_class,
            "--threads", str(threads),
            "--log-level", "warning",
            "--backlog", "2048",
        ]  # no --access-logfile: no access log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> gunicorn:
        log(f"-- starting {' '.join(self.command[2:])}")
        self.process = subprocess.Popen(self.command, env=self.env, cwd=REPO_DIR, start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/bench/bare"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise BenchError(f"gunicorn not ready after {timeout:g} s")

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def check_pages(port: int, pages: dict[str, list[str]]) -> None:
    """Every path answers 200 (and a search finds something) before anything is measured; of long
    lists (the uncached searches) the first ten are checked."""
    for page, paths in pages.items():
        for path in paths[:10]:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
                    body = response.read().decode("utf-8", "replace")
            except urllib.error.HTTPError as error:
                raise BenchError(f"{page} {path} answered {error.code}") from error
            if page == "search" and "geen resultaten" in body.lower():
                log(f"!! search {path} found nothing")
