"""web.ipv6: at least two name servers with an AAAA record, the host has an AAAA record, and the web server
accepts a TCP connection on that IPv6 address (HTTPS or HTTP port). Published but refused is a fail (as
internet.nl); timeouts and DNS errors are "not tested", never a fail. End to end against a real DNS server
on loopback and real TCP listeners on ::1 (LoopbackHTTP binds IPv4 only, so a tiny listener lives here)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace

import pytest

from dtc.scans.checks import ipv6
from dtc.scans.checks.base import Outcome, ScanContext
from dtc.scans.checks.registry import run
from dtc.scans.testing.assertions import (
    assert_advice_complete,
    assert_every_code_tested,
    assert_registered,
    codes_of,
    outcomes,
    scan,
)
from dtc.scans.testing.dnsserver import zone


def _ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


HAS_IPV6 = _ipv6_loopback_available()
needs_ipv6 = pytest.mark.skipif(not HAS_IPV6, reason="this machine has no IPv6 loopback (::1) to listen on")


class Listener:
    """A TCP server on [::1]:<free port> that accepts and closes every connection (an "open" web port)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        self.sock.bind(("::1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.port = int(self.sock.getsockname()[1])
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


class Stalled:
    """A port on ::1 whose accept queue is full: the kernel drops new SYNs, so a connect times out."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        self.sock.bind(("::1", 0))
        self.sock.listen(0)
        self.port = int(self.sock.getsockname()[1])
        self.held = socket.create_connection(("::1", self.port), timeout=1)  # fills the queue, never accepted

    def close(self) -> None:
        self.held.close()
        self.sock.close()


def closed_port_v6() -> int:
    """A port on ::1 nothing listens on (connections are refused)."""
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
        sock.bind(("::1", 0))
        return int(sock.getsockname()[1])


PROVIDER = zone("provider.test", "ns1 300 IN AAAA 2001:db8::53", "ns1 300 IN A 192.0.2.53",
                "ns2 300 IN AAAA 2001:db8::54", "ns4 300 IN A 192.0.2.55", "ns5 300 IN A 192.0.2.56",
                "nsslow 300 IN AAAA 2001:db8::57")
ZONES = "\n".join([
    PROVIDER,
    zone("good.test", "@ 300 IN NS ns1.provider.test.", "@ 300 IN NS ns2.provider.test.",
         "@ 300 IN AAAA ::1", "@ 300 IN A 127.0.0.1", "www 300 IN CNAME good.test.",
         'empty 300 IN TXT "no address here"'),
    zone("onens.test", "@ 300 IN NS ns1.provider.test.", "@ 300 IN NS ns4.provider.test.",
         "@ 300 IN AAAA ::1"),
    zone("v4only.test", "@ 300 IN NS ns4.provider.test.", "@ 300 IN NS ns5.provider.test.",
         "@ 300 IN A 192.0.2.1", "www 300 IN A 192.0.2.1"),
    zone("slowns.test", "@ 300 IN NS ns4.provider.test.", "@ 300 IN NS nsslow.provider.test.",
         "@ 300 IN AAAA ::1"),
    zone("slow.test", "@ 300 IN NS ns1.provider.test.", "www 300 IN AAAA ::1"),
    zone("refused.test", "@ 300 IN NS ns1.provider.test.", "www 300 IN AAAA ::1"),
])


@pytest.fixture(scope="module")
def dns(dns_zone):
    return dns_zone(ZONES, delays={"nsslow.provider.test": 1.5, "www.slow.test": 1.5},
                    refuse=["www.refused.test"], timeout=0.5)


@pytest.fixture(scope="module")
def ports() -> Iterator[dict[str, int]]:
    """Named ports on ::1: "open" (accepts), "closed" (refuses), "stalled" (connect times out)."""
    if not HAS_IPV6:
        pytest.skip("this machine has no IPv6 loopback (::1) to listen on")
    with ExitStack() as stack:
        listener, stalled = Listener(), Stalled()
        stack.callback(listener.close)
        stack.callback(stalled.close)
        yield {"open": listener.port, "closed": closed_port_v6(), "stalled": stalled.port}


def web_context(dns, ports, https: str, http: str) -> ScanContext:
    return ScanContext.loopback(dns_port=dns.server.port, https_port=ports[https], http_port=ports[http],
                                timeout=0.5)


# (host, https port, http port) -> every finding code it gives, and its outcome
CASES = {
    ("good.test", "open", "closed"): {"ipv6.ns_ok": Outcome.PASS, "ipv6.aaaa_ok": Outcome.PASS,
                                      "ipv6.web_reachable": Outcome.PASS},
    ("www.good.test", "closed", "open"): {"ipv6.ns_ok": Outcome.PASS, "ipv6.aaaa_ok": Outcome.PASS,
                                          "ipv6.web_reachable": Outcome.PASS},
    ("good.test", "closed", "closed"): {"ipv6.ns_ok": Outcome.PASS, "ipv6.aaaa_ok": Outcome.PASS,
                                        "ipv6.web_unreachable": Outcome.FAIL},
    ("good.test", "stalled", "stalled"): {"ipv6.ns_ok": Outcome.PASS, "ipv6.aaaa_ok": Outcome.PASS,
                                          "ipv6.web_not_tested": Outcome.NOT_TESTED},
    ("good.test", "stalled", "closed"): {"ipv6.ns_ok": Outcome.PASS, "ipv6.aaaa_ok": Outcome.PASS,
                                         "ipv6.web_not_tested": Outcome.NOT_TESTED},
    ("onens.test", "open", "open"): {"ipv6.ns_one": Outcome.WARN, "ipv6.aaaa_ok": Outcome.PASS,
                                     "ipv6.web_reachable": Outcome.PASS},
    ("v4only.test", "open", "open"): {"ipv6.ns_none": Outcome.FAIL, "ipv6.aaaa_missing": Outcome.FAIL},
    ("www.v4only.test", "open", "open"): {"ipv6.ns_none": Outcome.FAIL, "ipv6.aaaa_missing": Outcome.FAIL},
    ("empty.good.test", "open", "open"): {"ipv6.ns_ok": Outcome.PASS, "ipv6.no_website": Outcome.NOT_APPLICABLE},
    ("nowhere.good.test", "open", "open"): {"ipv6.ns_ok": Outcome.PASS,
                                            "ipv6.no_website": Outcome.NOT_APPLICABLE},
    ("slowns.test", "open", "open"): {"ipv6.ns_error": Outcome.NOT_TESTED, "ipv6.aaaa_ok": Outcome.PASS,
                                      "ipv6.web_reachable": Outcome.PASS},
    ("www.slow.test", "open", "open"): {"ipv6.ns_error": Outcome.NOT_TESTED,
                                        "ipv6.aaaa_error": Outcome.NOT_TESTED},
    ("www.refused.test", "open", "open"): {"ipv6.ns_error": Outcome.NOT_TESTED,
                                           "ipv6.aaaa_error": Outcome.NOT_TESTED},
}


@needs_ipv6
@pytest.mark.parametrize("case", sorted(CASES), ids="-".join)
def test_case_end_to_end(case, dns, ports):
    host, https, http = case
    context = web_context(dns, ports, https, http)
    assert outcomes(scan(ipv6, host, context=context)) == CASES[case]


@needs_ipv6
def test_name_server_finding_is_about_the_zone_and_lists_the_servers(dns, ports):
    findings = run("web.ipv6", "www.good.test", context=web_context(dns, ports, "open", "open"))
    ns = findings[0]
    assert (ns.code, ns.subject) == ("ipv6.ns_ok", "good.test")
    assert ns.detail["nameservers"] == [
        {"name": "ns1.provider.test", "ipv6": ["2001:db8::53"], "status": "ok"},
        {"name": "ns2.provider.test", "ipv6": ["2001:db8::54"], "status": "ok"}]


@needs_ipv6
def test_reachable_host_was_really_connected_to_over_ipv6(dns, ports):
    data = ipv6.collect("good.test", context=web_context(dns, ports, "open", "closed"))
    assert data.ipv6 == ("::1",) and data.ipv4 == ("127.0.0.1",)
    assert [(c.scheme, c.result) for c in data.connects] == [("https", "open"), ("http", "refused")]


@needs_ipv6
def test_refused_and_timeouts_are_told_apart(dns, ports):
    refused = ipv6.collect("good.test", context=web_context(dns, ports, "closed", "closed"))
    assert {c.result for c in refused.connects} == {"refused"}
    stalled = ipv6.collect("good.test", context=web_context(dns, ports, "stalled", "stalled"))
    assert {c.result for c in stalled.connects} == {"timeout"}


@needs_ipv6
def test_dns_failures_and_timeouts_are_never_a_fail(dns, ports):
    for host, https, http in [("www.slow.test", "open", "open"), ("www.refused.test", "open", "open"),
                              ("slowns.test", "open", "open"), ("good.test", "stalled", "stalled")]:
        findings = run("web.ipv6", host, context=web_context(dns, ports, https, http))
        assert Outcome.FAIL not in {f.outcome for f in findings}
        assert Outcome.NOT_TESTED in {f.outcome for f in findings}
    data = ipv6.collect("www.refused.test", context=web_context(dns, ports, "open", "open"))
    assert (data.zone_status, data.aaaa_status) == ("refused", "refused")


# --- pure evaluate() on canned data ---------------------------------------------------------------

NS2 = (ipv6.NameServer("ns1.x.test", ("2001:db8::1",)), ipv6.NameServer("ns2.x.test", ("2001:db8::2",)))
BASE = ipv6.Ipv6Data(host="x.test", zone="x.test", nameservers=NS2, ipv6=("2001:db8::80",))


def codes(data: ipv6.Ipv6Data) -> dict[str, Outcome]:
    return outcomes(ipv6.evaluate(data))


def test_scanner_without_ipv6_route_is_not_tested():
    data = replace(BASE, connects=(ipv6.Connect("2001:db8::80", 443, "https", "no_route"),
                                   ipv6.Connect("2001:db8::80", 80, "http", "no_route")))
    assert codes(data)["ipv6.web_not_tested"] == Outcome.NOT_TESTED


def test_one_refusing_address_among_good_ones_fails():
    data = replace(BASE, ipv6=("2001:db8::80", "2001:db8::81"), connects=(
        ipv6.Connect("2001:db8::80", 443, "https", "open"), ipv6.Connect("2001:db8::80", 80, "http", "open"),
        ipv6.Connect("2001:db8::81", 443, "https", "refused"), ipv6.Connect("2001:db8::81", 80, "http", "refused")))
    [finding] = [f for f in ipv6.evaluate(data) if f.code == "ipv6.web_unreachable"]
    assert finding.outcome == Outcome.FAIL and finding.detail["unreachable"] == ["2001:db8::81"]


def test_missing_aaaa_with_failed_a_lookup_is_not_tested():
    data = replace(BASE, aaaa_status="nodata", ipv6=(), a_status="timeout")
    assert codes(data)["ipv6.aaaa_error"] == Outcome.NOT_TESTED


def test_two_name_servers_with_ipv6_pass_even_if_a_third_timed_out():
    data = replace(BASE, nameservers=(*NS2, ipv6.NameServer("ns3.x.test", status="timeout")))
    assert codes(data)["ipv6.ns_ok"] == Outcome.PASS


def test_zone_without_ns_records_is_not_tested():
    data = replace(BASE, zone_status="nodata", nameservers=())
    assert codes(data)["ipv6.ns_error"] == Outcome.NOT_TESTED


def test_no_connection_attempts_is_not_tested():
    assert codes(BASE)["ipv6.web_not_tested"] == Outcome.NOT_TESTED


# --- registry and advice --------------------------------------------------------------------------


def test_registered_as_scored_web_check():
    assert_registered(ipv6, category="web", scored=True)


def test_every_code_has_an_end_to_end_case():
    assert_every_code_tested(ipv6, __name__, before="# --- pure evaluate()")


def test_every_code_has_advice_and_every_advice_is_reachable():
    rows = [(host, code, outcome) for (host, _https, _http), found in CASES.items() for code, outcome in found.items()]
    assert_advice_complete(ipv6, codes_of(rows), with_message=codes_of(rows, Outcome.FAIL, Outcome.WARN))
