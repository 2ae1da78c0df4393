"""Demo domains for the scanner on a machine without internet: a DNS server, a web server (HTTP and
HTTPS) and mail servers (SMTP) on loopback, serving three made-up businesses — one well set up, one halfway, one not at all —
so a newcomer sees passes, warnings and fails with their advice.

`dtc scan_demo_servers` runs them; `make run SCAN_DEMO=1` starts them and points the scanner at them
(DTC_SCAN_DNS, DTC_SCAN_HTTP_PORT, DTC_SCAN_HTTPS_PORT, DTC_SCAN_SMTP_PORT, DTC_SCAN_CA_FILE,
DTC_SCAN_DNSSEC_ANCHOR_FILE: `demo.test` is signed and stands in for the DNS root). Each
business's mail server listens on its own loopback address (127.0.0.2-4: the scanner reuses STARTTLS
results per mail-server address, as it would for a hosting party's shared server). The `.test` top-level
domain is reserved (RFC 2606), so these names can never be real ones.
"""

from __future__ import annotations

import base64
import datetime as dt
import ssl
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from dtc.scans.checks.dane import association
from dtc.scans.testing.dnssec import Child, signed_tree
from dtc.scans.testing.dnsserver import LoopbackDNS, zone
from dtc.scans.testing.httpserver import LoopbackHTTP, LoopbackHTTPS, Response, redirect
from dtc.scans.testing.smtpserver import LoopbackSMTP
from dtc.scans.testing.tlscerts import TestCA

GOOD, FAIR, WEAK = "goed.demo.test", "matig.demo.test", "zwak.demo.test"
DOMAINS = (GOOD, FAIR, WEAK)
MAIL_ADDRESSES = {GOOD: "127.0.0.2", FAIR: "127.0.0.3", WEAK: "127.0.0.4"}
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


def zones(*, tlsa: str = "") -> tuple[str, str]:
    """The demo zones and the DNSSEC trust anchor (a DS line for `demo.test`, the scanner's stand-in for
    the root). The good business signs with ECDSA (algorithm 13), the fair one with RSA/SHA-1
    (algorithm 5, being phased out), the weak one not at all. `tlsa` (DANE-EE, SPKI, SHA-256, hex) pins
    the good business's mail server key."""
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=180)).strftime("%Y%m%d")
    tree = signed_tree("demo.test", [
        Child("goed", algorithm=13, records=(
            "@ 300 IN A 127.0.0.1", "www 300 IN A 127.0.0.1", f"mail 300 IN A {MAIL_ADDRESSES[GOOD]}",
            "mta-sts 300 IN A 127.0.0.1",
            *([f"_25._tcp.mail 300 IN TLSA 3 1 1 {tlsa}"] if tlsa else []),
            f"@ 300 IN MX 10 mail.{GOOD}.",
            '@ 300 IN TXT "v=spf1 mx -all"',
            f'_dmarc 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@{GOOD}"',
            f"selector1._domainkey 300 IN TXT {_dkim_txt()}",
            f'_mta-sts 300 IN TXT "v=STSv1; id={expires}"',
            f'_smtp._tls 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@{GOOD}"',
            '@ 300 IN CAA 0 issue "letsencrypt.org"',
        )),
        Child("matig", algorithm=5, records=(
            "@ 300 IN A 127.0.0.1", "www 300 IN A 127.0.0.1", f"mail 300 IN A {MAIL_ADDRESSES[FAIR]}",
            f"@ 300 IN MX 10 mail.{FAIR}.",
            '@ 300 IN TXT "v=spf1 mx ~all"',
            '_dmarc 300 IN TXT "v=DMARC1; p=none"',
        )),
        Child("zwak", algorithm=None, records=(
            "@ 300 IN A 127.0.0.1", "www 300 IN A 127.0.0.1", f"mail 300 IN A {MAIL_ADDRESSES[WEAK]}",
            f"@ 300 IN MX 10 mail.{WEAK}.",
            '@ 300 IN TXT "v=spf1 +all"',
        )),
    ])
    return zone("test") + "\n" + tree.zone_text, tree.trust_anchor


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


def _modern_tls(issued) -> ssl.SSLContext:
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.minimum_version = ssl.TLSVersion.TLSv1_2
    tls.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20")
    with tempfile.TemporaryDirectory() as folder:
        chain, key = Path(folder) / "chain.pem", Path(folder) / "key.pem"
        chain.write_bytes(issued.chain_pem)
        key.write_bytes(issued.key_pem)
        tls.load_cert_chain(chain, key)
    return tls


class DemoServers:
    """DNS on `dns_port`, HTTP on `http_port`, HTTPS on `https_port` (all 127.0.0.1), SMTP on `smtp_port`
    of each business's mail address (0: a free port, the same for all three); the CA in `ca_file`, the
    DNSSEC trust anchor in `anchor.txt` beside it."""

    def __init__(self, *, dns_port: int = 5353, http_port: int = 8080, https_port: int = 8443,
                 smtp_port: int = 2525, ca_file: Path) -> None:
        self.ca_file = ca_file
        self.smtp_port = smtp_port
        self.test_ca = TestCA("DTC scan demo CA")
        # Mail: the good business has STARTTLS with a modern set-up and a DANE record for its key; the
        # fair one STARTTLS with the library defaults; the weak one no STARTTLS at all.
        good_mail = self.test_ca.issue([f"mail.{GOOD}"])
        spki = association(x509.load_pem_x509_certificate(good_mail.chain_pem), 1, 1).hex()
        self.smtp = [
            LoopbackSMTP([f"mail.{GOOD}"], issued=good_mail, tls_context=_modern_tls(good_mail),
                         host=MAIL_ADDRESSES[GOOD], port=smtp_port),
            LoopbackSMTP([f"mail.{FAIR}"], issued=self.test_ca.issue([f"mail.{FAIR}"], key_type="rsa"),
                         host=MAIL_ADDRESSES[FAIR], port=smtp_port),
            LoopbackSMTP([f"mail.{WEAK}"], starttls=False, host=MAIL_ADDRESSES[WEAK], port=smtp_port),
        ]
        zone_text, self.dnssec_anchor = zones(tlsa=spki)
        self.anchor_file = ca_file.parent / "anchor.txt"
        self.dns = LoopbackDNS(zone_text, port=dns_port)
        self.http = LoopbackHTTP({}, port=http_port)  # its redirects name the HTTPS port, known once it runs
        hostnames = [GOOD, f"www.{GOOD}", f"mta-sts.{GOOD}", FAIR, f"www.{FAIR}"]
        self.https = LoopbackHTTPS(hostnames, routes(), port=https_port)
        # One certificate (ECDSA P-256, SHA-256, from our own demo CA) and only modern AEAD suites, so the
        # well-built site can pass the TLS check; the trustme default is meant for tests, not for grading.
        tls = _modern_tls(self.test_ca.issue(hostnames))
        tls.sni_callback = self.https.ssl_context.sni_callback  # type: ignore[union-attr]
        self.https.ssl_context = tls

    def __enter__(self) -> DemoServers:
        self.ca_file.parent.mkdir(parents=True, exist_ok=True)
        self.ca_file.write_bytes(self.test_ca.cert_pem)
        self.anchor_file.write_text(self.dnssec_anchor + "\n")
        self.dns.__enter__()
        self.https.__enter__()
        self.http.routes.update(http_routes(self.https.port))  # type: ignore[attr-defined]
        self.http.__enter__()
        first, *others = self.smtp
        first.__enter__()
        for server in others:  # the scanner has one SMTP port: every mail server listens on the same one
            server._fixed_port = first.port
            server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self.smtp:
            server.__exit__(*exc)
        self.https.__exit__(*exc)
        self.http.__exit__(*exc)
        self.dns.__exit__(*exc)
        self.test_ca.cleanup()
