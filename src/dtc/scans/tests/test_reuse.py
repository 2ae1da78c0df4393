"""TLS results are reused per (IP address, port) — the enumeration once per endpoint, the certificate
still per host name (SNI) — within DTC_SCAN_TLS_CACHE_SECONDS; concurrent askers wait for one probe.

Real loopback TLS servers (tlscerts.LoopbackTLS counts every accepted connection); see reuse.py."""

from __future__ import annotations

import datetime as dt
import threading
import time
from types import SimpleNamespace

import pytest

from dtc.scans.checks import reuse, tls
from dtc.scans.checks.base import ScanContext
from dtc.scans.testing.dnsserver import LoopbackDNS, zone
from dtc.scans.testing.tlscerts import LoopbackTLS, TestCA

HOSTS = ("site.test", "www.site.test", "other.test", "expired.test")
ZONE = zone("test", *(f"{host.removesuffix('.test')} 300 IN A 127.0.0.1" for host in HOSTS))


@pytest.fixture(scope="module")
def lab():
    ca = TestCA()
    now = dt.datetime.now(dt.UTC)
    server = LoopbackTLS(ca.issue(["site.test", "www.site.test"]), by_name={
        "other.test": ca.issue(["other.test"]),
        "expired.test": ca.issue(["expired.test"], not_before=now - dt.timedelta(days=400),
                                 not_after=now - dt.timedelta(days=10)),
    })
    with LoopbackDNS(ZONE) as dns_server, server:
        def context(**overrides) -> ScanContext:
            return ScanContext.loopback(dns_port=dns_server.port, **({"https_port": server.port,
                                                                       "ca_file": ca.ca_file, "timeout": 2.0}
                                                                      | overrides))

        yield SimpleNamespace(server=server, context=context)
    ca.cleanup()


def codes(data: tls.TlsData) -> set[str]:
    return {finding.code for finding in tls.evaluate(data)}


def test_second_host_on_the_endpoint_costs_one_connection_and_gets_its_own_certificate(lab):
    lab.server.reset_count()
    first = tls.collect("site.test", context=lab.context())
    full = lab.server.connections
    assert full > 20  # versions, suites, groups: the enumeration
    second = tls.collect("expired.test", context=lab.context())
    assert lab.server.connections == full + 1  # only its certificate, with its own SNI
    assert second.host == "expired.test" and second.cert.names == ("expired.test",)
    assert "tls.cert_expired" in codes(second) and "tls.cert_expired" not in codes(first)
    assert (second.versions, second.ciphers, second.groups) == (first.versions, first.ciphers, first.groups)


def test_same_host_again_is_rejudged_without_connecting(lab):
    tls.collect("site.test", context=lab.context())
    lab.server.reset_count()
    again = tls.collect("site.test", context=lab.context(ca_file=None))
    assert lab.server.connections == 0
    assert "tls.cert_untrusted" in codes(again)  # this scan's trust anchors, not the cached verdict


def test_apex_and_www_at_the_same_time_enumerate_once(lab):
    lab.server.reset_count()
    results: dict[str, tls.TlsData] = {}

    def scan(host: str) -> None:
        results[host] = tls.collect(host, context=lab.context())

    threads = [threading.Thread(target=scan, args=(host,)) for host in ("site.test", "www.site.test")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    both = lab.server.connections
    reuse.clear()
    lab.server.reset_count()
    tls.collect("site.test", context=lab.context())
    assert both == lab.server.connections + 1
    assert all("tls.cert_ok" in codes(data) for data in results.values())


def test_window_zero_switches_reuse_off(lab, settings):
    settings.DTC_SCAN_TLS_CACHE_SECONDS = 0
    lab.server.reset_count()
    tls.collect("site.test", context=lab.context())
    once = lab.server.connections
    tls.collect("other.test", context=lab.context())
    assert lab.server.connections >= 2 * once - 2  # a full enumeration again (give or take a retry)


def test_unreachable_endpoint_is_kept_only_briefly(monkeypatch):
    reuse.put(("tls", "192.0.2.1", 443, ""), "refused", conclusive=False, window=3600)
    reuse.put(("tls", "192.0.2.2", 443, ""), "judged", conclusive=True, window=3600)
    later = time.monotonic() + reuse.FAILURE_SECONDS + 1
    monkeypatch.setattr(reuse.time, "monotonic", lambda: later)
    assert reuse.get(("tls", "192.0.2.1", 443, "")) is None
    assert reuse.get(("tls", "192.0.2.2", 443, "")) == "judged"


def test_a_failed_prober_leaves_the_key_to_the_next_asker():
    started, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def failing() -> str:
        started.set()
        release.wait(5)
        raise OSError("network broke")

    def first() -> None:
        try:
            reuse.reuse("key", failing)
        except OSError as error:
            outcome["first"] = str(error)

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(5)
    waiter = threading.Thread(target=lambda: outcome.update(second=reuse.reuse("key", lambda: "probed again")))
    waiter.start()
    release.set()
    thread.join(5)
    waiter.join(5)
    assert outcome == {"first": "network broke", "second": "probed again"}
    assert reuse.reuse("key", lambda: "not asked") == "probed again"


def _another_worker() -> None:
    """What a second worker process sees: the shared cache, but none of this process's memory."""
    with reuse._lock:
        reuse._entries.clear()


def test_a_result_probed_by_one_worker_is_reused_by_the_others():
    calls: list[str] = []
    assert reuse.reuse(("tls", "192.0.2.7", 443, ""), lambda: calls.append("first") or "endpoint A") == "endpoint A"
    _another_worker()
    assert reuse.reuse(("tls", "192.0.2.7", 443, ""), lambda: calls.append("second") or "other") == "endpoint A"
    assert calls == ["first"]
    reuse.clear()  # clears the shared tier too
    assert reuse.reuse(("tls", "192.0.2.7", 443, ""), lambda: calls.append("third") or "again") == "again"


def test_a_worker_waits_for_the_worker_that_is_probing_instead_of_probing_too(monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(reuse, "POLL_SECONDS", 0.02)
    key = ("probe", "192.0.2.8", 25)
    name = reuse._shared_key(key, cache)
    cache.add(name + ":lock", 1, 30)  # another worker holds the lock while it probes

    def other_worker_finishes() -> None:
        time.sleep(0.3)
        cache.set(name, ("their result",), 60)
        cache.delete(name + ":lock")

    threading.Thread(target=other_worker_finishes).start()
    probed: list[bool] = []
    assert reuse.reuse(key, lambda: probed.append(True) or "mine") == "their result"
    assert probed == []


def test_a_could_not_test_result_is_shared_only_briefly(monkeypatch):
    from django.core.cache import cache

    key = ("probe", "192.0.2.9", 25)
    seen: dict[str, float] = {}
    real_set = cache.set
    monkeypatch.setattr(cache, "set", lambda name, value, timeout=None: seen.update({name: timeout})
                        or real_set(name, value, timeout))
    reuse.reuse(key, lambda: "421 busy", conclusive=lambda value: False)
    assert seen[reuse._shared_key(key, cache)] == reuse.FAILURE_SECONDS
