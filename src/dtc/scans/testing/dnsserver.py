"""A real authoritative DNS server on loopback, for the scan tests and the offline demo.

Zones are written in master-file syntax (RFC 1035 §5) and served over UDP and TCP by dnslib on an
ephemeral port of 127.0.0.1. Answers follow RFC 1034 §4.3.2 closely enough for resolvers: exact
matches, wildcards (RFC 4592: a wildcard never matches a name that exists), CNAME chasing within the
served zones, NXDOMAIN vs NODATA with the zone's SOA in the authority section.

    with LoopbackDNS('''
        $ORIGIN example.test.
        @ 300 IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 300
        @ 300 IN MX 10 mail.example.test.
        @ 300 IN TXT "v=spf1 -all"
    ''') as dns_server:
        context = ScanContext.loopback(dns_port=dns_server.port)

Write record targets in full (`www CNAME example.test.`): dnslib does not expand `@` inside rdata.
`zone(origin, *records)` writes the $ORIGIN and SOA lines for you.
Names can also be made slow (`delays`) or refused (`refuse`) to test timeouts and SERVFAIL handling.
DNSSEC (RFC 4035 §3.1): DNSKEY, DS and RRSIG records are served like any other; a query with the DO bit
gets, with every RRset in the answer and authority sections, the RRSIGs at that name covering its type,
and an OPT record with DO set (RFC 3225). `testing/dnssec.py` writes signed zones.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable

from dnslib import EDNS0, QTYPE, RCODE, RR, DNSRecord
from dnslib.server import BaseResolver, DNSServer


def zone(origin: str, *records: str) -> str:
    """Master-file text for one zone: `$ORIGIN`, an SOA and the records, e.g.
    `zone("example.test", '@ 300 IN MX 10 mail.example.test.')`. Join several with newlines."""
    soa = f"@ 300 IN SOA ns.{origin}. hostmaster.{origin}. 1 3600 600 86400 300"
    return "\n".join([f"$ORIGIN {origin}.", soa, *records, ""])


def _key(name: object) -> str:
    return str(name).lower().rstrip(".") + "."


class ZoneResolver(BaseResolver):
    def __init__(self, zone_text: str, *, delays: dict[str, float] | None = None,
                 refuse: Iterable[str] = ()) -> None:
        self.records: dict[str, list[RR]] = defaultdict(list)
        self.soas: dict[str, RR] = {}
        self.load(zone_text)
        self.delays = {_key(name): seconds for name, seconds in (delays or {}).items()}
        self.refuse = {_key(name) for name in refuse}
        self.queries: list[tuple[str, str]] = []  # (name, type) as asked, for tests that count lookups
        self._lock = threading.Lock()

    def load(self, zone_text: str) -> None:
        for rr in RR.fromZone(zone_text):
            name = _key(rr.rname)
            self.records[name].append(rr)
            if rr.rtype == QTYPE.SOA:
                self.soas[name] = rr

    def _zone_soa(self, name: str) -> RR | None:
        labels = name.rstrip(".").split(".")
        for index in range(len(labels)):
            candidate = ".".join(labels[index:]) + "."
            if candidate in self.soas:
                return self.soas[candidate]
        return None

    def _name_exists(self, name: str) -> bool:
        if name in self.records:
            return True
        suffix = "." + name
        return any(existing.endswith(suffix) for existing in self.records)  # empty non-terminal

    def _lookup(self, name: str) -> list[RR]:
        if name in self.records:
            return self.records[name]
        if self._name_exists(name):
            return []
        labels = name.rstrip(".").split(".")
        for index in range(1, len(labels)):
            wildcard = "*." + ".".join(labels[index:]) + "."
            if wildcard in self.records:
                return [RR(rname=name, rtype=rr.rtype, rclass=rr.rclass, ttl=rr.ttl, rdata=rr.rdata)
                        for rr in self.records[wildcard]]
            if self._name_exists(".".join(labels[index:]) + "."):
                break
        return []

    def resolve(self, request: DNSRecord, handler: object) -> DNSRecord:
        reply = self._answer(request)
        edns = [rr for rr in request.ar if rr.rtype == QTYPE.OPT]
        if edns and reply.header.rcode != RCODE.REFUSED:
            dnssec_ok = bool(edns[0].edns_do)
            if dnssec_ok:
                self._add_signatures(reply)
            reply.add_ar(EDNS0(flags="do" if dnssec_ok else "", udp_len=1232))
        return reply

    def _add_signatures(self, reply: DNSRecord) -> None:
        for section in (reply.rr, reply.auth):
            rrsets = {(_key(rr.rname), rr.rtype) for rr in section if rr.rtype != QTYPE.RRSIG}
            for name, rtype in sorted(rrsets):
                section.extend(rr for rr in self.records.get(name, ())
                               if rr.rtype == QTYPE.RRSIG and rr.rdata.covered == rtype)
        reply.set_header_qa()

    def _answer(self, request: DNSRecord) -> DNSRecord:
        reply = request.reply()
        qname = _key(request.q.qname)
        qtype = request.q.qtype
        with self._lock:
            self.queries.append((qname, QTYPE[qtype]))
        if qname in self.delays:
            time.sleep(self.delays[qname])
        if qname in self.refuse:
            reply.header.rcode = RCODE.REFUSED
            return reply
        soa = self._zone_soa(qname)
        if soa is None:
            reply.header.rcode = RCODE.REFUSED  # not authoritative for this name
            return reply
        reply.header.aa = 1
        name = qname
        for _hop in range(8):  # follow CNAMEs inside our zones
            found = self._lookup(name)
            matching = [rr for rr in found if rr.rtype == qtype or qtype == QTYPE.ANY]
            cnames = [rr for rr in found if rr.rtype == QTYPE.CNAME]
            if matching:
                for rr in matching:
                    reply.add_answer(rr)
                return reply
            if cnames and qtype != QTYPE.CNAME:
                reply.add_answer(cnames[0])
                name = _key(cnames[0].rdata.label)
                if self._zone_soa(name) is None:
                    return reply
                continue
            if not found and not self._name_exists(name) and not self._lookup(name):
                if name == qname:
                    reply.header.rcode = RCODE.NXDOMAIN
            reply.add_auth(self._zone_soa(name) or soa)
            return reply
        return reply


class LoopbackDNS:
    """Serve `zone_text` on 127.0.0.1:<free port> over UDP and TCP while the context is open."""

    def __init__(self, zone_text: str, *, delays: dict[str, float] | None = None,
                 refuse: Iterable[str] = (), host: str = "127.0.0.1", port: int = 0) -> None:
        self.resolver = ZoneResolver(zone_text, delays=delays, refuse=refuse)
        self.host = host
        self.port = port  # 0: a free port, chosen when the server starts
        self._fixed_port = port
        self._servers: list[DNSServer] = []

    def __enter__(self) -> LoopbackDNS:
        logger = _QuietLogger()
        # UDP and TCP must share one port number; the free UDP port may be taken for TCP, so retry.
        for attempt in range(50):
            udp = DNSServer(self.resolver, address=self.host, port=self._fixed_port, logger=logger)
            self.port = udp.server.server_address[1]
            try:
                tcp = DNSServer(self.resolver, address=self.host, port=self.port, tcp=True, logger=logger)
            except OSError:
                udp.server.server_close()
                if attempt == 49 or self._fixed_port:
                    raise
                continue
            break
        self._servers = [udp, tcp]
        for server in self._servers:
            # A delayed answer that finds the socket closed after the test is not an error worth printing.
            server.server.handle_error = lambda *args: None  # type: ignore[method-assign]
            server.start_thread()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers:
            server.stop()
            server.server.server_close()

    @property
    def queries(self) -> list[tuple[str, str]]:
        return self.resolver.queries


class _QuietLogger:
    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None
