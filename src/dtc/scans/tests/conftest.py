"""Loopback servers for the check tests, started once per test module.

    @pytest.fixture(scope="module")
    def dns(dns_zone):
        return dns_zone(ZONE, delays={"slow.test": 1.5}, refuse=["refused.test"], timeout=0.5)

`dns_zone(zone_text, delays=, refuse=, **context)` starts a LoopbackDNS (it finds its own free port) and
returns (server, context): a ScanContext that asks only that server, with `context` as its settings.
A module that defines `dns` so gets the fixture `context` (that context) for free.
`loopback_web(zone_text, http_routes, https_routes, ...)` adds a LoopbackHTTP and LoopbackHTTPS server whose
names the zone maps to 127.0.0.1; its `context(**overrides)` points the scan at all three.
Everything a factory started stops when the test module is done.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest

from dtc.scans.checks import reuse
from dtc.scans.checks.base import ScanContext
from dtc.scans.testing.dnsserver import LoopbackDNS
from dtc.scans.testing.httpserver import LoopbackHTTP, LoopbackHTTPS, Response


class DnsZone(NamedTuple):
    server: LoopbackDNS
    context: ScanContext


@dataclass(frozen=True)
class LoopbackWeb:
    dns: LoopbackDNS
    http: LoopbackHTTP
    https: LoopbackHTTPS
    timeout: float = 1.0

    def context(self, **overrides: Any) -> ScanContext:
        settings: dict[str, Any] = {"http_port": self.http.port, "https_port": self.https.port,
                                    "ca_file": self.https.ca_file, "timeout": self.timeout} | overrides
        return ScanContext.loopback(dns_port=self.dns.port, **settings)


@pytest.fixture(autouse=True)
def _fresh_reuse_cache() -> None:
    """TLS results reused per (address, port) must not cross tests: loopback ports are recycled."""
    reuse.clear()


@pytest.fixture(scope="module")
def dns_zone() -> Iterator[Any]:
    with ExitStack() as stack:

        def start(zone_text: str, *, delays: dict[str, float] | None = None, refuse: Iterable[str] = (),
                  **context: Any) -> DnsZone:
            server = stack.enter_context(LoopbackDNS(zone_text, delays=delays, refuse=refuse))
            return DnsZone(server, ScanContext.loopback(dns_port=server.port, **context))

        yield start


@pytest.fixture(scope="module")
def context(dns: DnsZone) -> ScanContext:
    """The scan context of the test module's `dns` fixture (a `dns_zone(...)`)."""
    return dns.context


@pytest.fixture(scope="module")
def loopback_web() -> Iterator[Any]:
    with ExitStack() as stack:

        def start(zone_text: str, http_routes: Mapping[str, Response], https_routes: Mapping[str, Response], *,
                  https_hosts: Iterable[str], delays: dict[str, float] | None = None) -> LoopbackWeb:
            return LoopbackWeb(dns=stack.enter_context(LoopbackDNS(zone_text, delays=delays)),
                               http=stack.enter_context(LoopbackHTTP(http_routes)),
                               https=stack.enter_context(LoopbackHTTPS(list(https_hosts), https_routes)))

        yield start
