"""The loopback internet of the `scans` benchmark: 1 000 (small: 40) made-up domains with mixed set-ups,
served by real servers on loopback addresses, in one child process.

`python -m bench.scansdata serve DOMAINS WEB_IPS MAIL_IPS` starts them and prints one JSON line with the
ports and the CA file; then it reads commands on stdin: `counts` (prints the connection counters as JSON),
`reset` (zeroes them), `stop`.

The shape (all by the domain's number N, deterministic):
- `dN.bench.test` and `www.dN.bench.test` point at one of WEB_IPS hosting addresses 127.0.1.k (N mod
  WEB_IPS), as small-business sites share a hosting party's address. Each address has one TLS
  configuration (modern TLS 1.2+1.3, TLS 1.3 only, legacy TLS 1.0-1.2 with CBC and RSA-2048, or no
  HTTPS at all); the certificate is chosen per SNI name (issued on first use) and may be expired,
  self-signed or for another name. Sites differ in headers, HTTP→HTTPS redirect, security.txt, and 4 %
  answer every request 1.5 s late. Some have no www record, some a www CNAME.
- Mail: most domains use one of MAIL_IPS providers' MX (`mx.mailK.test`, 127.0.2.K); some have their own
  MX name on a provider address, some a null MX, some no MX (implicit MX: nothing listens on port 25 of
  the web address). Providers offer modern or legacy STARTTLS, no STARTTLS, or answer "421 busy".
- DNS records vary: SPF, DMARC, DKIM (selector1), MTA-STS (+ policy), TLS-RPT, CAA.
All ports are the same on every address (DTC_SCAN_*_PORT); 127.0.0.0/8 is loopback on Linux.

Counters: TCP connections accepted on the HTTPS and SMTP ports (every one of them is a TLS attempt by
the scanner, except SMTP sessions to servers without STARTTLS) and completed TLS handshakes.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.server
import json
import os
import re
import socket
import ssl
import sys
import tempfile
import threading
import time

from dnslib import RR

SUFFIX = "bench.test"
DOMAIN_RE = re.compile(r"(?:^|\.)d(\d+)\.bench\.test\.$")
MAIL_RE = re.compile(r"(?:^|\.)mail(\d+)\.test\.$")
WEB_KINDS = ("modern", "tls13", "modern", "legacy", "modern", "tls13", "modern", "legacy", "modern", "none")
MAIL_KINDS = ("modern", "modern", "legacy", "no_starttls", "modern", "modern", "legacy", "busy")
STRONG_HEADERS = [
    ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Content-Type", "text/html; charset=utf-8"),
]
SOME_HEADERS = [("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "SAMEORIGIN"),
                ("Strict-Transport-Security", "max-age=86400"), ("Content-Type", "text/html; charset=utf-8")]
PAGE = "<!doctype html><html lang='nl'><title>Bench</title><p>Een website voor de benchmark.</p></html>"


def domain(n: int) -> str:
    return f"d{n:04d}.{SUFFIX}"


def web_ip(n: int, web_ips: int) -> tuple[int, str]:
    k = 1 + n % web_ips
    return k, f"127.0.1.{k}"


def mail_ip(k: int) -> str:
    return f"127.0.2.{k}"


def web_kind(k: int) -> str:
    return WEB_KINDS[k % len(WEB_KINDS)]


def mail_kind(k: int) -> str:
    return MAIL_KINDS[k % len(MAIL_KINDS)]


def cert_kind(n: int) -> str:
    return {3: "expired", 7: "self_signed", 11: "wrong_name"}.get(n % 20, "ok")


def mail_provider(n: int, mail_ips: int) -> int:
    return 1 + (n * 7) % mail_ips


def zone_text(n: int, web_ips: int, mail_ips: int, dkim: str) -> str:
    name = domain(n)
    _k, ip = web_ip(n, web_ips)
    provider = mail_provider(n, mail_ips)
    records = [f"$ORIGIN {name}.", f"@ 300 IN SOA ns1.dns.test. hostmaster.{name}. 1 3600 600 86400 300",
               "@ 300 IN NS ns1.dns.test.", "@ 300 IN NS ns2.dns.test.", f"@ 300 IN A {ip}"]
    if n % 10 == 8:
        records.append(f"www 300 IN CNAME {name}.")
    elif n % 10 != 9:
        records.append(f"www 300 IN A {ip}")
    if n % 20 == 19:
        records.append("@ 300 IN MX 0 .")
    elif n % 20 == 18:
        pass  # no MX: the domain's own address receives mail (implicit MX), where nothing listens
    elif n % 10 == 5:
        records += [f"@ 300 IN MX 10 mail.{name}.", f"mail 300 IN A {mail_ip(provider)}"]
    else:
        records.append(f"@ 300 IN MX 10 mx.mail{provider}.test.")
    spf = {0: "v=spf1 mx -all", 1: f"v=spf1 include:_spf.mail{provider}.test ~all", 2: "v=spf1 +all"}.get(n % 4)
    if spf:
        records.append(f'@ 300 IN TXT "{spf}"')
    dmarc = {0: f"v=DMARC1; p=reject; rua=mailto:dmarc@{name}", 1: "v=DMARC1; p=none"}.get(n % 3)
    if dmarc:
        records.append(f'_dmarc 300 IN TXT "{dmarc}"')
    if n % 2 == 0:
        records.append(f"selector1._domainkey 300 IN TXT {dkim}")
    if n % 6 == 0:
        records += [f"mta-sts 300 IN A {ip}", '_mta-sts 300 IN TXT "v=STSv1; id=20260101"',
                    f'_smtp._tls 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@{name}"']
    if n % 5 == 0:
        records.append('@ 300 IN CAA 0 issue "letsencrypt.org"')
    return "\n".join(records) + "\n"


def base_zones(mail_ips: int) -> str:
    lines = []
    for origin in ("test", SUFFIX, "dns.test"):
        lines += [f"$ORIGIN {origin}.", f"@ 300 IN SOA ns1.dns.test. hostmaster.{origin}. 1 3600 600 86400 300",
                  "@ 300 IN NS ns1.dns.test.", "@ 300 IN NS ns2.dns.test."]
    lines += ["$ORIGIN dns.test.", "ns1 300 IN A 127.0.0.1", "ns1 300 IN AAAA ::1", "ns2 300 IN A 127.0.0.1",
              "ns2 300 IN AAAA ::1"]
    for k in range(1, mail_ips + 1):
        origin = f"mail{k}.test"
        lines += [f"$ORIGIN {origin}.", f"@ 300 IN SOA ns1.dns.test. hostmaster.{origin}. 1 3600 600 86400 300",
                  "@ 300 IN NS ns1.dns.test.", f"mx 300 IN A {mail_ip(k)}",
                  f'_spf 300 IN TXT "v=spf1 ip4:{mail_ip(k)} -all"']
    return "\n".join(lines) + "\n"


def _dkim_txt() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    value = f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"
    return " ".join(f'"{value[i:i + 200]}"' for i in range(0, len(value), 200))


# --- DNS ------------------------------------------------------------------------------------------


class _NoRecord(list):
    def append(self, item) -> None:
        pass


def make_resolver(web_ips: int, mail_ips: int):
    from dtc.scans.testing.dnsserver import ZoneResolver

    class BenchResolver(ZoneResolver):
        """ZoneResolver whose bench domains are generated on their first query (a zone per domain),
        with a set of existing names (incl. empty non-terminals) instead of a scan of all records."""

        def __init__(self) -> None:
            self.existing: set[str] = set()
            self.loaded: set[int] = set()
            self.dkim = _dkim_txt()
            self.count = 0
            super().__init__(base_zones(mail_ips))
            self.queries = _NoRecord()  # the base class records every query; the bench only counts them

        def load(self, zone_text: str) -> None:
            for rr in RR.fromZone(zone_text):
                name = str(rr.rname).lower().rstrip(".") + "."
                self.records[name].append(rr)
                if rr.rtype == 6:  # SOA
                    self.soas[name] = rr
                labels = name.rstrip(".").split(".")
                self.existing.update(".".join(labels[i:]) + "." for i in range(len(labels)))

        def _name_exists(self, name: str) -> bool:
            return name in self.existing

        def resolve(self, request, handler):
            qname = str(request.q.qname).lower()
            match = DOMAIN_RE.search(qname)
            if match:
                n = int(match.group(1))
                with self._lock:
                    if n not in self.loaded:
                        self.loaded.add(n)
                        self.load(zone_text(n, web_ips, mail_ips, self.dkim))
            self.count += 1
            return super().resolve(request, handler)

    return BenchResolver()


# --- HTTPS, HTTP ----------------------------------------------------------------------------------


class Counters:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: dict[str, int] = {}

    def add(self, key: str, amount: int = 1) -> None:
        with self.lock:
            self.values[key] = self.values.get(key, 0) + amount

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.values)

    def reset(self) -> None:
        with self.lock:
            self.values.clear()


COUNTERS = Counters()


def site_response(host: str, path: str, *, tls: bool, mail_ips: int):
    from dtc.scans.testing.httpserver import NOT_FOUND, Response, redirect

    match = DOMAIN_RE.search(host + ".")
    if not match:
        return NOT_FOUND
    n = int(match.group(1))
    name = domain(n)
    delay = 1.5 if n % 25 == 13 else 0.0
    if host == f"mta-sts.{name}":
        if path == "/.well-known/mta-sts.txt" and tls:
            body = f"version: STSv1\nmode: testing\nmx: mx.mail{mail_provider(n, mail_ips)}.test\nmax_age: 86400\n"
            return Response(body=body, headers={"Content-Type": "text/plain"})
        return NOT_FOUND
    if not tls and n % 5 != 4:
        return redirect(f"https://{host}{path}")
    if path == "/.well-known/security.txt":
        if n % 4 != 0:
            return NOT_FOUND
        expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=180)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return Response(body=f"Contact: mailto:security@{name}\nExpires: {expires}\n",
                        headers={"Content-Type": "text/plain; charset=utf-8"}, delay=delay)
    headers = {0: STRONG_HEADERS, 1: SOME_HEADERS}.get(n % 3, [("Content-Type", "text/html; charset=utf-8")])
    return Response(body=PAGE, headers=headers, delay=delay)


def _write_temp(data: bytes) -> str:
    handle, path = tempfile.mkstemp(prefix="dtc-bench-", suffix=".pem")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    return path


class CertMaker:
    """SSL contexts per (configuration, SNI name), certificates issued on first use by one TestCA."""

    def __init__(self) -> None:
        from dtc.scans.testing.tlscerts import TestCA

        self.ca = TestCA("DTC bench CA")
        self.lock = threading.Lock()
        self.contexts: dict[tuple[str, str], ssl.SSLContext] = {}
        self.files: list[str] = []

    def context(self, kind: str, name: str) -> ssl.SSLContext:
        key = (kind, name)
        with self.lock:
            found = self.contexts.get(key)
        if found is not None:
            return found
        n_match = DOMAIN_RE.search(name + ".")
        flaw = cert_kind(int(n_match.group(1))) if n_match and not name.startswith("mta-sts.") else "ok"
        rsa = kind == "legacy"
        options: dict[str, object] = {"key_type": "rsa" if rsa else "ec", "rsa_bits": 2048}
        now = dt.datetime.now(dt.UTC)
        names = [name]
        if flaw == "expired":
            options |= {"not_before": now - dt.timedelta(days=400), "not_after": now - dt.timedelta(days=10)}
        elif flaw == "self_signed":
            options["self_signed"] = True
        elif flaw == "wrong_name":
            names = ["andere-naam.example.test"]
        issued = self.ca.issue(names, **options)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if kind == "legacy":
            context.set_ciphers("ALL:@SECLEVEL=0")
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_2
        else:
            context.minimum_version = ssl.TLSVersion.TLSv1_3 if kind == "tls13" else ssl.TLSVersion.TLSv1_2
            context.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20")
        chain, key_file = _write_temp(issued.chain_pem), _write_temp(issued.key_pem)
        context.load_cert_chain(chain, key_file)
        os.unlink(chain)
        os.unlink(key_file)
        with self.lock:
            return self.contexts.setdefault(key, context)


def start_web(ip: str, kind: str, http_port: int, https_port: int, certs: CertMaker, mail_ips: int) -> list:
    from dtc.scans.testing import httpserver

    class Handler(httpserver._RequestHandler):
        def setup(self) -> None:
            super().setup()  # the TLS handshake, for the HTTPS server; raises when it fails
            if self.server.owner.ssl_context is not None:
                COUNTERS.add("https_handshakes")

    class Server(httpserver._Server):
        def __init__(self, address, owner) -> None:
            self.owner = owner
            http.server.ThreadingHTTPServer.__init__(self, address, Handler)

        def verify_request(self, request, client_address) -> bool:
            if self.owner.ssl_context is not None:
                COUNTERS.add("https_connections")
            return True

    def start(server_object):
        server_object._server = Server((server_object.host, server_object.port), server_object)
        server_object.port = server_object._server.server_address[1]
        server_object._thread = threading.Thread(target=server_object._server.serve_forever,
                                                 kwargs={"poll_interval": 0.5}, daemon=True)
        server_object._thread.start()
        return server_object

    def handle(tls: bool):
        return lambda request: site_response(request.host, request.path.split("?", 1)[0], tls=tls,
                                             mail_ips=mail_ips)

    servers = [start(httpserver.LoopbackHTTP(handler=handle(False), host=ip, port=http_port))]
    if kind != "none":
        https = httpserver.LoopbackHTTPS([f"hosting-{ip}.test"], handler=handle(True), host=ip, port=https_port)
        default = certs.context(kind, f"hosting-{ip}.test")

        def choose(tls_socket: ssl.SSLSocket, server_name: str | None, _context: ssl.SSLContext) -> None:
            if server_name:
                tls_socket.context = certs.context(kind, server_name.lower())
            https.sni_by_socket[id(tls_socket)] = server_name

        default.sni_callback = choose
        https.ssl_context = default
        servers.append(start(https))
    return servers


# --- SMTP -----------------------------------------------------------------------------------------


def start_mail(k: int, port: int, certs: CertMaker) -> object | None:
    from dtc.scans.testing.smtpserver import LoopbackSMTP, _Controller
    from dtc.scans.testing.tlscerts import Issued

    kind = mail_kind(k)
    host = f"mx.mail{k}.test"
    issued: Issued = certs.ca.issue([host], key_type="rsa" if kind == "legacy" else "ec", rsa_bits=2048)
    versions: dict[str, object] = {}
    if kind == "legacy":
        versions = {"minimum_version": ssl.TLSVersion.TLSv1, "maximum_version": ssl.TLSVersion.TLSv1_2}
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        server = LoopbackSMTP([host], starttls=kind != "no_starttls", issued=issued,
                              busy_after=0 if kind == "busy" else None, host=mail_ip(k), **versions)
    if kind == "legacy" and server.tls_context is not None:
        server.tls_context.set_ciphers("ALL:@SECLEVEL=0")
        chain, key_file = _write_temp(issued.chain_pem), _write_temp(issued.key_pem)
        server.tls_context.load_cert_chain(chain, key_file)  # again: @SECLEVEL=0 admits the legacy suites
        os.unlink(chain)
        os.unlink(key_file)
    server._controller = _Controller(server, hostname=server.host, port=port, tls_context=server.tls_context,
                                     require_starttls=False, ready_timeout=5.0)
    server._controller.start()
    server.port = port
    with server._lock:
        server._counting = True
    return server


# --- the process ----------------------------------------------------------------------------------


def _common_free_port(addresses: list[str]) -> int:
    """A port free on every address (the scanner uses one port number for all)."""
    for _attempt in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        sockets = []
        try:
            for address in addresses:
                sock = socket.socket()
                sockets.append(sock)
                sock.bind((address, port))
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
        return port
    raise RuntimeError("no common free port")


def serve(domains: int, web_ips: int, mail_ips: int) -> None:
    import logging

    import django

    django.setup()
    from dtc.scans.testing.dnsserver import LoopbackDNS

    logging.getLogger("mail.log").setLevel(logging.CRITICAL)  # aiosmtpd: failed handshakes are the point

    started = time.perf_counter()
    certs = CertMaker()
    dns = LoopbackDNS("")
    dns.resolver = make_resolver(web_ips, mail_ips)
    dns.__enter__()
    web_addresses = [web_ip(k - 1, web_ips)[1] for k in range(1, web_ips + 1)]
    mail_addresses = [mail_ip(k) for k in range(1, mail_ips + 1)]
    http_port = _common_free_port(web_addresses)
    https_port = _common_free_port(web_addresses)
    smtp_port = _common_free_port(mail_addresses + web_addresses)
    servers: list = []
    for k in range(1, web_ips + 1):
        servers += start_web(f"127.0.1.{k}", web_kind(k), http_port, https_port, certs, mail_ips)
    mail_servers = [start_mail(k, smtp_port, certs) for k in range(1, mail_ips + 1)]
    print(json.dumps({"dns": f"127.0.0.1:{dns.port}", "http_port": http_port, "https_port": https_port,
                      "smtp_port": smtp_port, "ca_file": certs.ca.ca_file, "pid": os.getpid(),
                      "start_s": round(time.perf_counter() - started, 2)}), flush=True)

    def counts() -> dict[str, int]:
        values = COUNTERS.snapshot()
        values["smtp_connections"] = sum(server.connections for server in mail_servers)
        values["smtp_starttls"] = sum(server.starttls_count for server in mail_servers)
        values["dns_queries"] = dns.resolver.count
        usage = os.times()
        values["cpu_s"] = round(usage.user + usage.system, 2)
        return values

    for line in sys.stdin:
        command = line.strip()
        if command == "counts":
            print(json.dumps(counts()), flush=True)
        elif command == "reset":
            COUNTERS.reset()
            for server in mail_servers:
                server.reset_count()
            dns.resolver.count = 0
            print("{}", flush=True)
        elif command == "stop":
            break
    for server in mail_servers:
        server._controller.stop()
    certs.ca.cleanup()
    os._exit(0)  # threads of the HTTP servers are daemons; do not wait for slow clients


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
