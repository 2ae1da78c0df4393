"""HTTP load generators: wrk (C, cheap, used when installed) or a small asyncio client.

Both keep `connections` connections busy for `duration` seconds after `warmup` seconds, each connection
sending its next request as soon as the previous answer is complete (closed loop), with HTTP/1.1
keep-alive (a server that closes the connection, as gunicorn's sync worker does, is reconnected).
Paths are taken round-robin from a list. Any status other than 200 fails the measurement.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

from bench.common import BenchError


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    client: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def choose_client() -> str:
    wanted = os.environ.get("BENCH_CLIENT", "auto").strip().lower() or "auto"
    if wanted not in {"auto", "wrk", "python"}:
        raise BenchError(f"BENCH_CLIENT must be auto, wrk or python, not {wanted!r}")
    if wanted == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if wanted == "wrk" and not shutil.which("wrk"):
        raise BenchError("BENCH_CLIENT=wrk but wrk is not installed (apt-get install wrk)")
    return wanted


def measure(client: str, host: str, port: int, paths: list[str], *, connections: int, duration: float,
            warmup: float) -> Result:
    if client == "wrk":
        if warmup > 0:
            _wrk(host, port, paths, connections=connections, duration=warmup, warmup=True)
        return _wrk(host, port, paths, connections=connections, duration=duration)
    return asyncio.run(_python(host, port, paths, connections=connections, duration=duration, warmup=warmup))


# --- wrk ----------------------------------------------------------------------------------------

WRK_SCRIPT = """
local paths = {%(paths)s}
local index = 0
local threads = {}
bad = 0
bad_status = 0
function setup(thread) table.insert(threads, thread) end
function request()
  index = index %% #paths + 1
  return wrk.format("GET", paths[index])
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1; bad_status = status end
end
function done(summary, latency, requests)
  local errors, status = 0, 0
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("bad")
    if thread:get("bad_status") ~= 0 then status = thread:get("bad_status") end
  end
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "max_us": %%d, ' ..
    '"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d, "non200": %%d, "status": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, errors, status))
end
"""


def _wrk(host: str, port: int, paths: list[str], *, connections: int, duration: float,
         warmup: bool = False) -> Result:
    quoted = ", ".join(json.dumps(path) for path in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"paths": quoted})
    try:
        # One thread: it keeps 32 connections busy at a few thousand requests/s using little CPU,
        # leaving the second core to the server.
        command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "10s",
                   "-s", script.name, f"http://{host}:{port}{paths[0]}"]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    finally:
        os.unlink(script.name)
    line = next((line for line in completed.stdout.splitlines() if line.startswith("WRKJSON ")), None)
    if completed.returncode != 0 or line is None:
        raise BenchError(f"wrk failed ({completed.returncode}): {completed.stdout[-500:]} {completed.stderr[-500:]}")
    data = json.loads(line.removeprefix("WRKJSON "))
    if data["non200"]:
        raise BenchError(f"{data['non200']} responses were not 200 (e.g. {data['status']}) for {paths[0]}")
    if data["timeout"] or data["connect"] or data["read"] > connections or data["write"]:
        raise BenchError(f"wrk reported errors for {paths[0]}: {data}")
    if data["requests"] == 0 and not warmup:
        raise BenchError(f"no request completed in {duration:g} s for {paths[0]}: server overloaded or "
                         "the machine busy (see cpu_idle_before)")
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        client="wrk",
    )


# --- asyncio client -----------------------------------------------------------------------------

async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked, close = None, False, lines[0].startswith("HTTP/1.0")
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection":
            close = value == "close"
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length is not None:
        await reader.readexactly(length)
    else:
        await reader.read()  # body until the server closes
        close = True
    return status, close


async def _python(host: str, port: int, paths: list[str], *, connections: int, duration: float,
                  warmup: float) -> Result:
    requests = [
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: dtc-bench\r\nAccept: text/html\r\n\r\n".encode()
        for path in paths
    ]
    cycle = itertools.cycle(requests)
    start = time.perf_counter()
    measure_from = start + warmup
    end = measure_from + duration
    latencies: list[float] = []
    failures: list[str] = []

    async def connection() -> None:
        reader = writer = None
        try:
            while time.perf_counter() < end and not failures:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                request = next(cycle)
                sent = time.perf_counter()
                writer.write(request)
                status, close = await _read_response(reader)
                done = time.perf_counter()
                if status != 200:
                    failures.append(f"status {status} for {request.split(b' ')[1].decode()}")
                    return
                if sent >= measure_from and done <= end:
                    latencies.append(done - sent)
                if close:
                    writer.close()
                    writer = None
        finally:
            if writer is not None:
                writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    if failures:
        raise BenchError(failures[0])
    if not latencies:
        raise BenchError(f"no request completed in {duration:g} s for {paths[0]}")
    latencies.sort()
    return Result(
        requests=len(latencies),
        seconds=duration,
        p50_ms=_percentile(latencies, 50) * 1000,
        p99_ms=_percentile(latencies, 99) * 1000,
        max_ms=latencies[-1] * 1000,
        client="python",
    )


def _percentile(sorted_values: list[float], percent: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(percent / 100 * len(sorted_values)) - 1))
    return sorted_values[index]
