"""Entry point: `python -m bench.run all|NAME [NAME…]`.

A benchmark is a module with `run(size: str) -> bool` (True when it ran; it prints its own JSON lines).
Register a new one in BENCHMARKS; `make bench` runs them all in this order, `make bench-NAME` one.
SIZE=full (default) is the real measurement, SIZE=small a quick version for CI.
"""

from __future__ import annotations

import importlib
import sys
import time

from bench.common import BenchError, get_size, log

# name -> module with run(size). Later benchmarks (alerts, scans, …) plug in here.
BENCHMARKS: dict[str, str] = {
    "web": "bench.web",
    "community": "bench.community",
    "alerts": "bench.alerts",
    "scans": "bench.scans",
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv) or ["all"]
    names = list(BENCHMARKS) if args == ["all"] else args
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        log(f"unknown benchmark(s): {', '.join(unknown)}; known: all, {', '.join(BENCHMARKS)}")
        return 2
    size = get_size()
    failed = []
    for name in names:
        started = time.perf_counter()
        log(f"== bench {name} (SIZE={size})")
        try:
            importlib.import_module(BENCHMARKS[name]).run(size)
        except BenchError as error:
            log(f"!! bench {name} failed: {error}")
            failed.append(name)
        log(f"== bench {name} took {time.perf_counter() - started:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
