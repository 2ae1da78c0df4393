"""Benchmark `scans`: a full web + mail scan of 1 000 domains (small: 40) by 2 real task workers, against
the loopback internet of `bench.scansdata` (DNS, HTTP, HTTPS and SMTP servers on 127.0.x.y).

Issue 6: domains per minute (target >= 300 on 2 cores), TLS connections per domain (fewer is kinder to
the scanned servers) and peak memory per worker. One JSON line:

    {"bench": "scans", "domains": …, "domains_per_min": …, "tls_connections_per_domain": …,
     "peak_rss_mb": …, "baseline_…": …, …}

- The scans are made with `scans.services.scan_create` and queued with `scan_execute.enqueue` (the
  django-tasks database backend, as in production); then BENCH_SCAN_WORKERS (2) processes `dtc db_worker
  --queue-name scans --batch` run them and exit when the queue is empty. `domains_per_min` is domains
  divided by the wall time from starting the workers until the last one exits (start-up included);
  `domains_per_min_steady` uses the first `started_at` to the last `finished_at`.
- `tls_connections_per_domain`: TCP connections accepted by the HTTPS and SMTP servers (each one a TLS
  or STARTTLS attempt by the scanner) divided by the domains; the completed handshakes are reported too.
- `peak_rss_mb`: the largest VmHWM of the workers (/proc/<pid>/status, read while they run, and
  `ru_maxrss` from wait4 when they exit).
- Baseline, in the same run: the first BENCH_SCANS_BASELINE domains (full 40, small 8) scanned the same
  way with the scanner's reuse of TLS results switched off (`DTC_SCAN_TLS_CACHE_SECONDS=0`: every host
  and mail server gets its full TLS enumeration, as before the cache existed).

Environment: SIZE, BENCH_SCANS_DOMAINS, BENCH_SCANS_WEB_IPS / BENCH_SCANS_MAIL_IPS (hosting and mail
addresses the domains share; full 100 / 25), BENCH_SCANS_BASELINE, BENCH_SCAN_WORKERS, BENCH_QUIET_WAIT,
BENCH_SCANS_PROFILE=1 (workers write cProfile output to var/bench/scans-worker-N.prof),
BENCH_DATABASE_URL / DATABASE_URL (its own database `dtc_bench_scans`, `_small`).
Internal child modes: `python -m bench.scans prepare|report JSON`.
"""

from __future__ import annotations

import json
import os
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
    log,
    wait_until_quiet,
)

NAME = "scans"
FULL = {"domains": 1000, "web_ips": 100, "mail_ips": 25, "baseline": 40, "quiet_wait": 120.0}
SMALL = {"domains": 40, "web_ips": 10, "mail_ips": 5, "baseline": 8, "quiet_wait": 0.0}
TARGET_PER_MIN = 300


def _database(size: str) -> Database:
    name = f"{BENCH_DATABASE_NAME}_scans" + ("" if size == "full" else f"_{size}")
    url = _postgres_url(name)
    if not url.startswith(("postgres://", "postgresql://")):
        raise BenchError("the scans benchmark needs PostgreSQL (BENCH_DATABASE_URL / DATABASE_URL)")
    _ensure_postgres_database(url)
    return Database("postgresql", url)


def _env(database: Database) -> dict[str, str]:
    env = django_env(database)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(BENCH_VAR_DIR / "pycache")
    return env


def _dtc() -> list[str]:
    script = Path(sys.executable).parent / "dtc"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dtc.manage"]


def _child(mode: str, payload: dict, env: dict[str, str]) -> dict:
    completed = subprocess.run([sys.executable, "-m", "bench.scans", mode, json.dumps(payload)], env=env,
                               cwd=REPO_DIR, stdout=subprocess.PIPE, text=True)
    if completed.returncode != 0:
        raise BenchError(f"child `{mode}` failed (exit {completed.returncode})")
    return json.loads(completed.stdout.strip().splitlines()[-1])


class Servers:
    def __init__(self, domains: int, web_ips: int, mail_ips: int, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.scansdata", "serve", str(domains), str(web_ips), str(mail_ips)],
            env=env, cwd=REPO_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.strip():
            self.process.kill()
            raise BenchError("the loopback servers did not start")
        self.info = json.loads(line)

    def ask(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def stop(self) -> None:
        try:
            self.process.stdin.write("stop\n")
            self.process.stdin.flush()
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()


def _vmhwm_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _run_workers(count: int, env: dict[str, str]) -> dict:
    command = [*_dtc(), "db_worker", "--queue-name", "scans", "--batch", "--no-startup-delay", "--interval", "0.2",
               "--verbosity", "0"]
    profile = os.environ.get("BENCH_SCANS_PROFILE") == "1"
    started = time.perf_counter()
    processes = []
    for n in range(count):
        argv = command
        if profile:
            argv = [sys.executable, "-m", "cProfile", "-o", str(BENCH_VAR_DIR / f"scans-worker-{n}.prof"),
                    *_dtc()[-1:], *command[len(_dtc()):]]
        processes.append(subprocess.Popen(argv, env=env | {"DTC_WORKER_NAME": f"bench-scans-{n}"}, cwd=REPO_DIR))
    peak = {process.pid: 0 for process in processes}
    ended: dict[int, float] = {}
    maxrss: dict[int, int] = {}
    while len(ended) < len(processes):
        for process in processes:
            if process.pid in ended:
                continue
            peak[process.pid] = max(peak[process.pid], _vmhwm_kb(process.pid))
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                ended[process.pid] = time.perf_counter() - started
                maxrss[process.pid] = usage.ru_maxrss
                process.returncode = os.waitstatus_to_exitcode(status)
                if process.returncode != 0:
                    raise BenchError(f"worker exited with {process.returncode}")
        time.sleep(0.2)
    peak_kb = max(max(peak.values()), max(maxrss.values()))
    return {"seconds": max(ended.values()), "peak_rss_mb": round(peak_kb / 1024, 1),
            "worker_rss_mb": [round(max(peak[p.pid], maxrss[p.pid]) / 1024, 1) for p in processes]}


def _measure(label: str, domains: int, servers: Servers, env: dict[str, str], workers: int) -> dict:
    prepared = _child("prepare", {"domains": domains}, env)
    log(f"-- {label}: {prepared['scans']} scans queued ({prepared['checks_total']} checks)")
    servers.ask("reset")
    before = servers.ask("counts")
    load = os.getloadavg()[0]
    run = _run_workers(workers, env)
    counts = servers.ask("counts")
    report = _child("report", {}, env)
    if report["done"] != domains:
        raise BenchError(f"{label}: {report['done']} of {domains} scans done")
    tls_connections = counts.get("https_connections", 0) + counts.get("smtp_connections", 0)
    handshakes = counts.get("https_handshakes", 0) + counts.get("smtp_starttls", 0)
    figures = {
        "domains": domains,
        "seconds": round(run["seconds"], 1),
        "domains_per_min": round(60 * domains / run["seconds"], 1),
        "domains_per_min_steady": round(60 * domains / max(0.001, report["span_s"]), 1),
        "tls_connections_per_domain": round(tls_connections / domains, 1),
        "tls_handshakes_per_domain": round(handshakes / domains, 1),
        "https_connections": counts.get("https_connections", 0),
        "smtp_connections": counts.get("smtp_connections", 0),
        "dns_queries_per_domain": round(counts.get("dns_queries", 0) / domains, 1),
        "server_cpu_s": round(counts.get("cpu_s", 0) - before.get("cpu_s", 0), 1),
        "peak_rss_mb": run["peak_rss_mb"],
        "worker_rss_mb": run["worker_rss_mb"],
        "loadavg": [round(load, 2), round(os.getloadavg()[0], 2)],
        "check_seconds": report["check_seconds"],
        "outcomes": report["outcomes"],
        "check_timeouts": report["check_timeouts"],
    }
    log(f"   {label}: {figures['domains_per_min']} domains/min ({figures['seconds']} s), "
        f"{figures['tls_connections_per_domain']} TLS connections/domain, peak RSS {figures['peak_rss_mb']} MB")
    return figures


def run(size: str) -> bool:
    preset = SMALL if size == "small" else FULL
    domains = env_int("BENCH_SCANS_DOMAINS", preset["domains"])
    web_ips = env_int("BENCH_SCANS_WEB_IPS", preset["web_ips"])
    mail_ips = env_int("BENCH_SCANS_MAIL_IPS", preset["mail_ips"])
    baseline = min(domains, env_int("BENCH_SCANS_BASELINE", preset["baseline"]))
    workers = env_int("BENCH_SCAN_WORKERS", 2)
    database = _database(size)
    BENCH_VAR_DIR.mkdir(parents=True, exist_ok=True)
    env = _env(database)
    started = time.perf_counter()
    if subprocess.run([*_dtc(), "migrate", "--verbosity", "0"], env=env, cwd=REPO_DIR).returncode != 0:
        raise BenchError("migrate failed")
    # The workers share TLS results through Django's cache: the database cache without REDIS_URL.
    if subprocess.run([*_dtc(), "createcachetable"], env=env, cwd=REPO_DIR).returncode != 0:
        raise BenchError("createcachetable failed")
    log(f"-- database {database.key} migrated in {time.perf_counter() - started:.1f} s")
    servers = Servers(domains, web_ips, mail_ips, env)
    info = servers.info
    log(f"-- loopback servers up in {info['start_s']} s: {web_ips} web and {mail_ips} mail addresses")
    scan_env = env | {
        "DTC_SCAN_DNS": info["dns"], "DTC_SCAN_HTTP_PORT": str(info["http_port"]),
        "DTC_SCAN_HTTPS_PORT": str(info["https_port"]), "DTC_SCAN_SMTP_PORT": str(info["smtp_port"]),
        "DTC_SCAN_CA_FILE": info["ca_file"], "DTC_SCAN_TIMEOUT": os.environ.get("DTC_SCAN_TIMEOUT", "5"),
    }
    try:
        idle = wait_until_quiet(env_float("BENCH_QUIET_WAIT", preset["quiet_wait"]))
        base = _measure("baseline (TLS reuse off)", baseline, servers,
                        scan_env | {"DTC_SCAN_TLS_CACHE_SECONDS": "0"}, workers) if baseline else None
        main = _measure("batch", domains, servers, scan_env, workers)
    finally:
        servers.stop()
    line: dict[str, object] = {
        "domains": domains,
        "domains_per_min": main["domains_per_min"],
        "tls_connections_per_domain": main["tls_connections_per_domain"],
        "peak_rss_mb": main["peak_rss_mb"],
        "size": size, "workers": workers, "cpus": os.cpu_count(), "web_ips": web_ips, "mail_ips": mail_ips,
        **{key: value for key, value in main.items() if key not in ("domains", "domains_per_min",
                                                                      "tls_connections_per_domain", "peak_rss_mb")},
    }
    if base is not None:
        line |= {
            "baseline": "same scanner, DTC_SCAN_TLS_CACHE_SECONDS=0 (no reuse of TLS results), first domains",
            "baseline_domains": base["domains"],
            "baseline_domains_per_min": base["domains_per_min"],
            "baseline_tls_connections_per_domain": base["tls_connections_per_domain"],
            "baseline_peak_rss_mb": base["peak_rss_mb"],
            "baseline_check_seconds": base["check_seconds"],
        }
    if idle is not None:
        line["cpu_idle_before"] = round(idle, 2)
    line["target"] = f"domains_per_min >= {TARGET_PER_MIN}"
    line["met"] = main["domains_per_min"] >= TARGET_PER_MIN
    emit(NAME, **line)
    return True


# --- child processes with Django ----------------------------------------------------------------


def prepare(payload: dict) -> dict:
    """A clean slate (no scans, no queued tasks), then one scan per domain, queued for the workers."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from bench.scansdata import domain
    from dtc.scans.checks import reuse
    from dtc.scans.models import Scan
    from dtc.scans.services import scan_create
    from dtc.scans.tasks import scan_execute

    DBTaskResult.objects.all().delete()
    Scan.objects.all().delete()
    reuse.clear()  # no TLS results from an earlier run in the workers' shared cache
    total = 0
    for n in range(payload["domains"]):
        scan = scan_create(domain=domain(n), web=True, mail=True)
        total += scan.checks_total
        scan_execute.enqueue(scan.pk)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"scans": payload["domains"], "checks_total": total}


def report(payload: dict) -> dict:
    import statistics
    from collections import Counter, defaultdict

    from django.db.models import Max, Min

    from dtc.scans.models import Scan, ScanCheck

    scans = Scan.objects.filter(status=Scan.Status.DONE)
    span = scans.aggregate(first=Min("started_at"), last=Max("finished_at"))
    seconds: dict[str, list[float]] = defaultdict(list)
    outcomes: Counter[str] = Counter()
    timeouts = 0
    for check_id, outcome, took, findings in ScanCheck.objects.values_list("check_id", "outcome", "seconds",
                                                                          "findings"):
        seconds[check_id].append(took or 0.0)
        outcomes[outcome] += 1
        timeouts += any(f.get("code") == "check.timeout" for f in findings)
    check_seconds = {
        check_id: {"mean": round(statistics.fmean(values), 3), "max": round(max(values), 2)}
        for check_id, values in sorted(seconds.items())
    }
    span_s = (span["last"] - span["first"]).total_seconds() if span["first"] and span["last"] else 0.0
    return {"done": scans.count(), "span_s": span_s, "check_seconds": check_seconds, "outcomes": dict(outcomes),
            "check_timeouts": timeouts}


def main(argv: list[str]) -> int:
    import django

    django.setup()
    result = {"prepare": prepare, "report": report}[argv[0]](json.loads(argv[1]))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
