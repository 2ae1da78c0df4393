"""Counting in a window that starts with the first event, in the shared cache (e.g. "at most 5
e-mails per 24 hours"). Atomic in every cache backend: `add` creates the counter only once, `incr`
counts; nothing is written to the database."""

from __future__ import annotations

from django.core.cache import cache


def window_count(key: str) -> int:
    """How many events the window holds now (0 when it has expired or never started)."""
    return int(cache.get(key) or 0)


def window_count_up(key: str, *, seconds: int) -> int:
    """Count one event; returns the count including it."""
    cache.add(key, 0, timeout=seconds)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        return 1
