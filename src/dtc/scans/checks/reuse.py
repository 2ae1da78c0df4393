"""Results of expensive server probes, reused per (kind, IP address, port) for a while, in this process.

Why: a full TLS enumeration (which versions, cipher suites and key-exchange groups a server accepts)
opens 50-450 connections to the server. Hosting parties put thousands of small-business sites on one
address, and mail providers serve thousands of domains from a few mail servers; scanning a batch of
domains would otherwise repeat the same enumeration against the same server hundreds of times — slow
for us and unkind to them. So tls.py (web) and starttls.py (mail) ask the enumeration of an (IP, port)
once and reuse it for DTC_SCAN_TLS_CACHE_SECONDS (default an hour; 0 switches reuse off).

Why that is sound: protocol versions, cipher suites, groups, compression, renegotiation and 0-RTT are
settings of the TLS endpoint (the server software listening on that address and port), not of the site.
Where it is not: a server can pick a different TLS configuration per SNI name (nginx/Apache `server`
blocks with their own `ssl_protocols`/`ssl_ciphers`; CDNs with per-customer settings). For such a
server a name reached through the cache is shown the configuration seen for the first name scanned on
that address, until the window ends. The certificate, which does differ per name on shared hosting, is
therefore never taken from the cache for the web: tls.py fetches it for every host name with its own
SNI (one connection). Mail servers are judged per address (senders connect to the address of the MX,
usually without caring for SNI); starttls.py re-judges the certificate's name for each MX name.

A "could not test" result (timeout, refused, 421) is kept only FAILURE_SECONDS (or the window, when
shorter): long enough not to hammer a busy server, short enough to try again soon.

Concurrent askers for the same key wait for the one that is already probing (the apex and www of a
domain are scanned at the same time and usually share an address), instead of probing twice. The
cache is per process: each scan worker probes an address at most once per window.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

FAILURE_SECONDS = 300.0     # a "could not test" result is reused at most this long
WAIT_SECONDS = 120.0        # a waiter gives up on a stuck prober after this and probes itself
DEFAULT_SECONDS = 3600.0    # without Django settings (scripts, canned tests)

_entries: dict[Hashable, tuple[float, Any]] = {}
_probing: dict[Hashable, threading.Event] = {}
_lock = threading.Lock()


def window_seconds() -> float:
    """DTC_SCAN_TLS_CACHE_SECONDS: how long a conclusive result is reused (0: never)."""
    try:
        from django.conf import settings

        return float(getattr(settings, "DTC_SCAN_TLS_CACHE_SECONDS", DEFAULT_SECONDS))
    except Exception:  # settings not configured: a plain script
        return DEFAULT_SECONDS


def clear() -> None:
    """Forget every stored result (tests; a scan that must look again)."""
    with _lock:
        _entries.clear()


def get(key: Hashable) -> Any | None:
    """The stored result for `key` while it is fresh, else None."""
    with _lock:
        hit = _entries.get(key)
        if hit is None:
            return None
        if hit[0] < time.monotonic():
            del _entries[key]
            return None
        return hit[1]


def put(key: Hashable, value: Any, *, conclusive: bool, window: float | None = None) -> None:
    window = window_seconds() if window is None else window
    seconds = window if conclusive else min(window, FAILURE_SECONDS)
    if seconds <= 0:
        return
    with _lock:
        _entries[key] = (time.monotonic() + seconds, value)


def reuse[T](key: Hashable, probe: Callable[[], T], *, conclusive: Callable[[T], bool] = lambda _value: True) -> T:
    """The fresh stored result for `key`, or `probe()` (stored afterwards). While one thread probes a key,
    others asking for it wait for that result. With the window at 0 every call probes."""
    window = window_seconds()
    if window <= 0:
        return probe()
    while True:
        with _lock:
            hit = _entries.get(key)
            if hit is not None and hit[0] >= time.monotonic():
                return hit[1]  # type: ignore[no-any-return]
            busy = _probing.get(key)
            if busy is None:
                busy = _probing[key] = threading.Event()
                mine = True
            else:
                mine = False
        if not mine:
            if not busy.wait(WAIT_SECONDS):
                return probe()
            continue  # the prober stored its result (or failed with an exception: then probe ourselves)
        try:
            value = probe()
            put(key, value, conclusive=conclusive(value), window=window)
            return value
        finally:
            with _lock:
                _probing.pop(key, None)
            busy.set()
