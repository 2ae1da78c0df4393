"""A real SMTP server on loopback (aiosmtpd), for the mail checks' tests and the offline demo.

`LoopbackSMTP` listens on an ephemeral port of 127.0.0.1 and offers STARTTLS (RFC 3207) with a certificate
from a `trustme` CA for the host names you give, so a scanner sees what it sees on a real mail server:
a 220 banner, EHLO with the STARTTLS extension, the TLS handshake. Point a check at it through the scan
context: the DNS zone (LoopbackDNS) maps the MX host to 127.0.0.1 and `smtp_port` is the server's port;
`ca_file` is the CA (for the TLS quality check).

    with LoopbackSMTP(["mail.example.test"]) as smtp:
        context = ScanContext.loopback(dns_port=..., smtp_port=smtp.port, ca_file=smtp.ca_file)

Modes:
- `starttls=False`: a server that does not offer STARTTLS at all (plain text only).
- `busy_after=N`: the first N connections are served; every later one gets "421 too busy" as its banner
  and is closed (what rate-limiting mail servers do). `busy_after=0` is always busy.
- `tls_context=`: your own server SSLContext (old versions, weak ciphers) instead of the trustme one;
  `ca=` shares a trustme CA between servers; `key_type=` picks the leaf key (trustme.KeyType).
- `issued=`: a `tlscerts.Issued` chain (from `tlscerts.TestCA`) instead of a trustme leaf, with
  `minimum_version`/`maximum_version`. Use it when the TLS check must find the certificate trusted:
  trustme marks subjectAltName critical, which the verifier behind tls.py rejects ("EE subjectAltName
  MUST NOT be critical"), so trustme certificates are always "untrusted" there. `ca_file` is then None:
  use the TestCA's.
`connections` counts accepted TCP connections (aiosmtpd's own start-up check excluded), `starttls_count`
the completed STARTTLS handshakes; `reset_count()` zeroes both.
"""

from __future__ import annotations

import os
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Sequence

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from dtc.scans.testing.tlscerts import Issued


class _Sink:
    """Accepts and forgets every message (the checks never send one)."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        return "250 OK"


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class _CountingSMTP(SMTP):
    def __init__(self, owner: LoopbackSMTP, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._owner = owner
        self._busy = False

    def connection_made(self, transport) -> None:
        starttls_done = self._original_transport is not None
        super().connection_made(transport)
        if starttls_done:  # the same session, now over TLS
            with self._owner._lock:
                self._owner.starttls_count += 1
            return
        self._busy = self._owner._accept()

    async def _handle_client(self) -> None:
        if self._busy:
            await self.push("421 4.7.0 mail.example.test too busy, try again later")
            assert self.transport is not None
            self.transport.close()
            return
        await super()._handle_client()


class _Controller(Controller):
    def __init__(self, owner: LoopbackSMTP, **kwargs) -> None:
        self._owner = owner
        super().__init__(_Sink(), **kwargs)

    def factory(self):
        return _CountingSMTP(self._owner, self.handler, **self.SMTP_kwargs)


class LoopbackSMTP:
    """An SMTP server on 127.0.0.1:<free port> while the context is open; see the module docstring."""

    def __init__(self, hostnames: Sequence[str] = ("mail.example.test",), *, starttls: bool = True,
                 busy_after: int | None = None, tls_context: ssl.SSLContext | None = None,
                 ca: trustme.CA | None = None, key_type: trustme.KeyType = trustme.KeyType.ECDSA,
                 issued: Issued | None = None, minimum_version: ssl.TLSVersion | None = None,
                 maximum_version: ssl.TLSVersion | None = None, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.host = host
        self.port = 0
        self._fixed_port = port  # 0: a free port is found
        self.busy_after = busy_after
        self.connections = 0
        self.starttls_count = 0
        self._lock = threading.Lock()
        self._counting = False
        self.ca = ca or trustme.CA()
        self._ca_file = self.ca.cert_pem.tempfile()
        self.ca_file: str | None = None if issued else self._ca_file.__enter__()
        self.chain_der: list[bytes] = []  # the chain the server sends (leaf first), DER: for TLSA records
        self.tls_context: ssl.SSLContext | None = None
        if not starttls:
            return
        if tls_context is None:
            tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            if minimum_version is not None:
                tls_context.minimum_version = minimum_version
            if maximum_version is not None:
                tls_context.maximum_version = maximum_version
            if issued is not None:
                with tempfile.TemporaryDirectory() as folder:
                    chain, key = os.path.join(folder, "chain.pem"), os.path.join(folder, "key.pem")
                    for path, data in ((chain, issued.chain_pem), (key, issued.key_pem)):
                        with open(path, "wb") as file:
                            file.write(data)
                    tls_context.load_cert_chain(chain, key)
                pems = issued.chain_pem.decode().split("-----END CERTIFICATE-----")
                self.chain_der = [ssl.PEM_cert_to_DER_cert(pem + "-----END CERTIFICATE-----\n")
                                  for pem in pems if "BEGIN CERTIFICATE" in pem]
            else:
                leaf = self.ca.issue_cert(*hostnames, key_type=key_type)
                leaf.configure_cert(tls_context)
                self.chain_der = [ssl.PEM_cert_to_DER_cert(blob.bytes().decode()) for blob in leaf.cert_chain_pems]
        self.tls_context = tls_context

    def _accept(self) -> bool:
        """Count a new connection; True when it must get the 421 answer."""
        with self._lock:
            if not self._counting:
                return False
            self.connections += 1
            return self.busy_after is not None and self.connections > self.busy_after

    def reset_count(self) -> None:
        with self._lock:
            self.connections = 0
            self.starttls_count = 0

    def __enter__(self) -> LoopbackSMTP:
        for attempt in range(20):
            port = self._fixed_port or _free_port(self.host)
            self._controller = _Controller(self, hostname=self.host, port=port, tls_context=self.tls_context,
                                           require_starttls=False, ready_timeout=5.0)
            try:
                self._controller.start()
            except OSError:
                if attempt == 19 or self._fixed_port:
                    raise
                time.sleep(0.05)
                continue
            break
        self.port = port
        with self._lock:
            self._counting = True  # aiosmtpd's own start-up connection is not counted
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()
        if self.ca_file is not None:
            self._ca_file.__exit__(None, None, None)
