"""Demo domains for the scanner on a machine without internet: a DNS server, a web server (HTTP and
HTTPS) on loopback, serving three made-up businesses — one well set up, one halfway, one not at all —
so a newcomer sees passes, warnings and fails with their advice.

`dtc scan_demo_servers` runs them; `make run SCAN_DEMO=1` starts them and points the scanner at them
(DTC_SCAN_DNS, DTC_SCAN_HTTP_PORT, DTC_SCAN_HTTPS_PORT, DTC_SCAN_CA_FILE). The `.test` top-level
domain is reserved (RFC 2606), so these names can never be real ones.
"""

from __future__ import annotations

import base64
import datetime as dt
import ssl
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from dtc.scans.testing.dnsserver import LoopbackDNS, zone
from dtc.scans.testing.httpserver import LoopbackHTTP, LoopbackHTTPS, Response, redirect
from dtc.scans.testing.tlscerts import TestCA

GOOD, FAIR, WEAK = "goed.demo.test", "matig.demo.test", "zwak.demo.test"
DOMAINS = (GOOD, FAIR, WEAK)
STRONG_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Content-Type": "text/html; charset=utf-8",
}
PAGE = "<!doctype html><html lang='nl'><title>Demo</title><p>Demo-website voor de scan.</p></html>"


def _dkim_txt() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    value = f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"
    return " ".join(f'"{value[i:i + 200]}"' for i in range(0, len(value), 200))  # TXT strings ≤ 255 bytes


def zones() -> str:
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=180)).strftime("%Y%m%d")
    return "\n".join([
        zone("test"),
        zone("demo.test"),
        zone(
            GOOD,
            "@ 300 IN A 127.0.0.1", "www 300 IN A 127.0.0.1", "mail 300 IN A 127.0.0.1",
            "mta-sts 300 IN A 127.0.0.1",
            f"@ 300 IN MX 10 mail.{GOOD}.",
            '@ 300 IN TXT "v=spf1 mx -all"',
            f'_dmarc 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@{GOOD}"',
            f"selector1._domainkey 300 IN TXT {_dkim_txt()}",
            f'_mta-sts 300 IN TXT "v=STSv1; id={expires}"',
            f'_smtp._tls 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@{GOOD}"',
            '@ 300 IN CAA 0 issue "letsencrypt.org"',
        ),
        zone(
            FAIR,
            "@ 300 IN A 127.0.0.1", "www 300 IN A 127.0.0.1", "mail 300 IN A 127.0.0.1",
            f"@ 300 IN MX 10 mail.{FAIR}.",
            '@ 300 IN TXT "v=spf1 mx ~all"',
            '_dmarc 300 IN TXT "v=DMARC1; p=none"',
        ),
        zone(
            WEAK,
            "@ 300 IN A 127.0.0.1", "www 300 IN A 127.0.0.1", "mail 300 IN A 127.0.0.1",
            f"@ 300 IN MX 10 mail.{WEAK}.",
            '@ 300 IN TXT "v=spf1 +all"',
        ),
    ])


def routes() -> dict[str, Response]:
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=180)).strftime("%Y-%m-%dT%H:%M:%SZ")
    security_txt = f"Contact: mailto:security@{GOOD}\nExpires: {expires}\nPreferred-Languages: nl, en\n"
    policy = f"version: STSv1\nmode: enforce\nmx: mail.{GOOD}\nmax_age: 1209600\n"
    table: dict[str, Response] = {}
    for host in (GOOD, f"www.{GOOD}"):
        table[f"{host}/"] = Response(body=PAGE, headers=STRONG_HEADERS)
        table[f"{host}/.well-known/security.txt"] = Response(
            body=security_txt, headers={"Content-Type": "text/plain; charset=utf-8"})
    table[f"mta-sts.{GOOD}/.well-known/mta-sts.txt"] = Response(body=policy, headers={"Content-Type": "text/plain"})
    for host in (FAIR, f"www.{FAIR}"):
        table[f"{host}/"] = Response(body=PAGE, headers={
            "Content-Type": "text/html; charset=utf-8", "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "SAMEORIGIN", "Strict-Transport-Security": "max-age=86400",  # a day: too short
        })
    for host in (WEAK, f"www.{WEAK}"):
        table[f"{host}/"] = Response(body=PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    return table


def http_routes(https_port: int) -> dict[str, Response]:
    """Plain HTTP: the good and fair sites send visitors to HTTPS on the same host; the weak one has no HTTPS."""
    suffix = "" if https_port == 443 else f":{https_port}"
    table: dict[str, Response] = {}
    for host in (GOOD, f"www.{GOOD}", FAIR, f"www.{FAIR}"):
        table[f"{host}/"] = redirect(f"https://{host}{suffix}/")
    for host in (WEAK, f"www.{WEAK}"):
        table[f"{host}/"] = Response(body=PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    return table


class DemoServers:
    """DNS on `dns_port`, HTTP on `http_port`, HTTPS on `https_port` (all 127.0.0.1); the CA in `ca_file`."""

    def __init__(self, *, dns_port: int = 5353, http_port: int = 8080, https_port: int = 8443,
                 ca_file: Path) -> None:
        self.ca_file = ca_file
        self.dns = LoopbackDNS(zones(), port=dns_port)
        self.http = LoopbackHTTP({}, port=http_port)  # its redirects name the HTTPS port, known once it runs
        hostnames = [GOOD, f"www.{GOOD}", f"mta-sts.{GOOD}", FAIR, f"www.{FAIR}"]
        self.https = LoopbackHTTPS(hostnames, routes(), port=https_port)
        # One certificate (ECDSA P-256, SHA-256, from our own demo CA) and only modern AEAD suites, so the
        # well-built site can pass the TLS check; the trustme default is meant for tests, not for grading.
        self.test_ca = TestCA("DTC scan demo CA")
        issued = self.test_ca.issue(hostnames)
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.minimum_version = ssl.TLSVersion.TLSv1_2
        tls.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20")
        with tempfile.TemporaryDirectory() as folder:
            chain, key = Path(folder) / "chain.pem", Path(folder) / "key.pem"
            chain.write_bytes(issued.chain_pem)
            key.write_bytes(issued.key_pem)
            tls.load_cert_chain(chain, key)
        tls.sni_callback = self.https.ssl_context.sni_callback  # type: ignore[union-attr]
        self.https.ssl_context = tls

    def __enter__(self) -> DemoServers:
        self.ca_file.parent.mkdir(parents=True, exist_ok=True)
        self.ca_file.write_bytes(self.test_ca.cert_pem)
        self.dns.__enter__()
        self.https.__enter__()
        self.http.routes.update(http_routes(self.https.port))  # type: ignore[attr-defined]
        self.http.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.https.__exit__(*exc)
        self.http.__exit__(*exc)
        self.dns.__exit__(*exc)
        self.test_ca.cleanup()
