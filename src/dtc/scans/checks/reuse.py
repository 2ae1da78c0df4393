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
domain are scanned at the same time and usually share an address), instead of probing twice. Two
tiers: this process's memory, and Django's default cache (Redis, or the database cache), which the
scan workers share: the first worker to need an address takes a short lock there (`cache.add`), the
others wait for its result, so an address is probed once per window by all workers together, not once
per worker. Without a shared cache (a plain script) the process tier alone works as before.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

FAILURE_SECONDS = 300.0     # a "could not test" result is reused at most this long
WAIT_SECONDS = 120.0        # a waiter gives up on a stuck prober after this and probes itself
DEFAULT_SECONDS = 3600.0    # without Django settings (scripts, canned tests)
POLL_SECONDS = 0.1          # how often a worker waiting for another worker's probe looks again
_GENERATION_KEY = "dtc:scans:reuse:generation"
_generation: str | None = None
_warned = False

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


def _shared() -> Any | None:
    """Django's default cache, shared by the workers; None outside a configured Django, or when the
    cache does not answer (then said once in the log: each worker probes for itself)."""
    global _warned
    try:
        from django.core.cache import cache

        cache.get(_GENERATION_KEY)  # raises when the cache (or settings) is not usable
        return cache
    except Exception as error:
        if not _warned:
            _warned = True
            logging.getLogger(__name__).warning("TLS results are not shared between workers: %s", error)
        return None


def _shared_key(key: Hashable, shared: Any) -> str:
    """The shared-cache key: a generation (new after `clear()`) and a digest of `key`."""
    global _generation
    if _generation is None:
        _generation = str(shared.get_or_set(_GENERATION_KEY, secrets.token_hex(4), None))
    return f"dtc:scans:reuse:{_generation}:{hashlib.sha256(repr(key).encode()).hexdigest()[:32]}"


def clear() -> None:
    """Forget every stored result, here and in the shared cache (tests; a scan that must look again)."""
    global _generation
    with _lock:
        _entries.clear()
    shared = _shared()
    _generation = secrets.token_hex(4)
    if shared is not None:
        shared.set(_GENERATION_KEY, _generation, None)


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
            value = _probe_once_for_all(key, probe, conclusive, window)
            put(key, value, conclusive=conclusive(value), window=window)
            return value
        finally:
            with _lock:
                _probing.pop(key, None)
            busy.set()


def _probe_once_for_all[T](key: Hashable, probe: Callable[[], T], conclusive: Callable[[T], bool],
                           window: float) -> T:
    """`probe()` unless another worker has the result (shared cache) or is getting it (its lock): then
    that result. A worker that finds neither the result nor a live lock probes itself."""
    shared = _shared()
    if shared is None:
        return probe()
    name = _shared_key(key, shared)
    found = shared.get(name)
    if found is not None:
        return found[0]  # type: ignore[no-any-return]
    deadline = time.monotonic() + WAIT_SECONDS
    while not shared.add(name + ":lock", 1, WAIT_SECONDS):
        time.sleep(POLL_SECONDS)
        found = shared.get(name)
        if found is not None:
            return found[0]  # type: ignore[no-any-return]
        if time.monotonic() > deadline:
            return probe()
    try:
        found = shared.get(name)  # the lock was free because its holder has just finished
        if found is not None:
            return found[0]  # type: ignore[no-any-return]
        value = probe()
        seconds = window if conclusive(value) else min(window, FAILURE_SECONDS)
        shared.set(name, (value,), max(1, int(seconds)))
        return value
    finally:
        shared.delete(name + ":lock")
