"""Test certificates and a bare TLS server on loopback, for the TLS check's tests and the offline demo.

`TestCA` issues certificates with exactly the flaw a test needs — an RSA or ECDSA key of a chosen size,
a SHA-1 signature, a validity window in the past, the wrong host name — or a self-signed one, all made
with `cryptography` (trustme cannot sign with SHA-1 or pick an RSA size). Its `ca_file` is the PEM to put
in `ScanContext.ca_file`.

`LoopbackTLS` is a TLS server on 127.0.0.1:<free port> built on Python's `ssl` module: choose the
protocol versions, the TLS ≤1.2 cipher string (`@SECLEVEL=0` lets the system OpenSSL offer TLS 1.0, SHA-1
certificates and CBC suites), the one ECDHE curve, DH parameters and extra options, and (`by_name`)
other certificates for chosen SNI names. Every accepted TCP
connection is counted in `connections`, so tests can report how many connections a scanner needed.
After the handshake the server keeps reading until the client hangs up (so a client may renegotiate).
`silent=True` accepts connections and never answers (to test timeouts).

    ca = TestCA()
    with LoopbackTLS(ca.issue(["www.example.test"]), maximum_version=ssl.TLSVersion.TLSv1_2) as server:
        context = ScanContext.loopback(dns_port=..., https_port=server.port, ca_file=ca.ca_file)
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import socket
import ssl
import tempfile
import threading
import warnings
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# OpenSSL 3 refuses client-initiated renegotiation unless this option (SSL_OP_BIT(8), not exported by
# Python's ssl module) is set; tests use it to play an old server that still allows it.
OP_ALLOW_CLIENT_RENEGOTIATION = 1 << 8

# RFC 7919 Appendix A.1: the ffdhe2048 group (generator 2).
FFDHE2048_PRIME = int(
    "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF9"
    "7D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935"
    "984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FB"
    "B96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2EC C03404CD28342F61"
    "9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA"
    "886B423861285C97FFFFFFFFFFFFFFFF".replace(" ", ""), 16)


def ffdhe2048_pem() -> bytes:
    """The RFC 7919 ffdhe2048 parameters as a PKCS #3 "DH PARAMETERS" PEM (for `SSLContext.load_dh_params`)."""

    def der(tag: int, body: bytes) -> bytes:
        size = len(body)
        length = bytes([size]) if size < 128 else bytes([0x80 | ((size.bit_length() + 7) // 8)]) + size.to_bytes(
            (size.bit_length() + 7) // 8, "big")
        return bytes([tag]) + length + body

    def integer(value: int) -> bytes:
        return der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))  # leading 0: stays positive

    body = base64.encodebytes(der(0x30, integer(FFDHE2048_PRIME) + integer(2))).decode().replace("\n", "")
    lines = [body[index:index + 64] for index in range(0, len(body), 64)]
    return ("-----BEGIN DH PARAMETERS-----\n" + "\n".join(lines) + "\n-----END DH PARAMETERS-----\n").encode()


def _der(tag: int, body: bytes) -> bytes:
    size = len(body)
    if size < 128:
        return bytes([tag, size]) + body
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + body


def _der_children(data: bytes) -> list[bytes]:
    """The DER elements (tag, length and value) inside one constructed value, in order."""
    children, index = [], 0
    while index < len(data):
        start = index
        index += 1
        first = data[index]
        index += 1
        if first < 128:
            size = first
        else:
            count = first & 0x7F
            size = int.from_bytes(data[index:index + count], "big")
            index += count
        index += size
        children.append(data[start:index])
    return children


def _der_value(element: bytes) -> bytes:
    first = element[1]
    return element[2:] if first < 128 else element[2 + (first & 0x7F):]


# ecdsa-with-SHA1 (RFC 3279 §2.2.3): AlgorithmIdentifier without parameters.
_ECDSA_WITH_SHA1 = _der(0x30, bytes.fromhex("06072a8648ce3d0401"))


def resign_with_sha1(cert: x509.Certificate, issuer_key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    """The same certificate signed with ECDSA-SHA1. cryptography 46 no longer signs certificates with
    SHA-1, so swap the signature algorithm in the TBSCertificate (RFC 5280 §4.1.1.2, §4.1.2.3) and sign it
    again with the plain ECDSA primitive, which still takes SHA-1."""
    tbs_fields = _der_children(_der_value(cert.tbs_certificate_bytes))
    tbs_fields[2] = _ECDSA_WITH_SHA1  # version [0], serialNumber, signature, ...
    tbs = _der(0x30, b"".join(tbs_fields))
    signature = issuer_key.sign(tbs, ec.ECDSA(hashes.SHA1()))  # noqa: S303 - the weak signature is the point
    der = _der(0x30, tbs + _ECDSA_WITH_SHA1 + _der(0x03, b"\x00" + signature))
    return x509.load_der_x509_certificate(der)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_key(key_type: str, rsa_bits: int, curve: ec.EllipticCurve | None):
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    return ec.generate_private_key(curve or ec.SECP256R1())


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@dataclass(frozen=True)
class Issued:
    """A server certificate chain (leaf first, PEM) and its private key (PEM)."""

    chain_pem: bytes
    key_pem: bytes


class TestCA:
    """A root CA for tests; `ca_file` (a temporary PEM file) holds its certificate until `cleanup()`."""

    __test__ = False  # not a pytest test class

    def __init__(self, name: str = "DTC test root") -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = _now()
        self.cert = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=3650)).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.cert_pem = self.cert.public_bytes(serialization.Encoding.PEM)
        handle, self.ca_file = tempfile.mkstemp(prefix="dtc-test-ca-", suffix=".pem")
        with os.fdopen(handle, "wb") as pem:
            pem.write(self.cert_pem)

    def cleanup(self) -> None:
        if os.path.exists(self.ca_file):
            os.unlink(self.ca_file)

    def issue(self, hostnames: list[str], *, key_type: str = "ec", rsa_bits: int = 2048,
              curve: ec.EllipticCurve | None = None, signature_hash: hashes.HashAlgorithm | None = None,
              not_before: dt.datetime | None = None, not_after: dt.datetime | None = None,
              self_signed: bool = False) -> Issued:
        """A leaf certificate for `hostnames` (subjectAltName dNSNames, the first also the CN).

        key_type "ec" (curve, default P-256) or "rsa" (rsa_bits); signature_hash defaults to SHA-256
        (SHA-1 is allowed: that is the point); self_signed makes the leaf its own issuer."""
        key = _new_key(key_type, rsa_bits, curve)
        now = _now()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0])])
        issuer_key = key if self_signed else self.key
        builder = (
            x509.CertificateBuilder().subject_name(subject)
            .issuer_name(subject if self_signed else self.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - dt.timedelta(days=1))
            .not_valid_after(not_after or now + dt.timedelta(days=90))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in hostnames]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        )
        if not self_signed:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
        if isinstance(signature_hash, hashes.SHA1):
            assert not self_signed, "SHA-1 is only offered for CA-issued certificates"
            cert = resign_with_sha1(builder.sign(self.key, hashes.SHA256()), self.key)
        else:
            cert = builder.sign(issuer_key, signature_hash or hashes.SHA256())
        return Issued(chain_pem=cert.public_bytes(serialization.Encoding.PEM), key_pem=_pem_key(key))


class LoopbackTLS:
    """A TLS server on 127.0.0.1:<free port> while the context is open; see the module docstring."""

    def __init__(self, issued: Issued | None = None, *, minimum_version: ssl.TLSVersion | None = None,
                 maximum_version: ssl.TLSVersion | None = None, ciphers: str | None = None,
                 options: int = 0, dh_params: bytes | None = None, ecdh_curve: str | None = None,
                 by_name: dict[str, Issued] | None = None, silent: bool = False, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.silent = silent
        self.connections = 0
        self.handshakes = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._files: list[str] = []
        self.ssl_context: ssl.SSLContext | None = None
        if silent:
            return
        assert issued is not None
        settings = {"minimum_version": minimum_version, "maximum_version": maximum_version, "ciphers": ciphers,
                    "options": options, "dh_params": dh_params, "ecdh_curve": ecdh_curve}
        self.ssl_context = self._context(issued, **settings)
        if by_name:  # another certificate for these SNI names, same settings
            contexts = {name.lower(): self._context(other, **settings) for name, other in by_name.items()}

            def choose(tls_socket: ssl.SSLSocket, server_name: str | None, _context: ssl.SSLContext) -> None:
                if server_name and server_name.lower() in contexts:
                    tls_socket.context = contexts[server_name.lower()]

            self.ssl_context.sni_callback = choose

    def _context(self, issued: Issued, *, minimum_version, maximum_version, ciphers, options, dh_params,
                 ecdh_curve) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if ciphers:
            context.set_ciphers(ciphers)  # before loading the certificate: @SECLEVEL=0 admits SHA-1 certificates
        if minimum_version is not None:
            with warnings.catch_warnings():  # TLS 1.0/1.1 are deprecated: serving them is the point here
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = minimum_version
        if maximum_version is not None:
            context.maximum_version = maximum_version
        context.options |= options
        if ecdh_curve:
            context.set_ecdh_curve(ecdh_curve)
        if dh_params:
            context.load_dh_params(self._temp(dh_params))
        context.load_cert_chain(self._temp(issued.chain_pem), self._temp(issued.key_pem))
        return context

    def _temp(self, data: bytes) -> str:
        handle, path = tempfile.mkstemp(prefix="dtc-test-tls-", suffix=".pem")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        self._files.append(path)
        return path

    def __enter__(self) -> LoopbackTLS:
        self._listener = socket.create_server((self.host, 0), backlog=64)
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.close()
                except OSError:
                    pass
        for path in self._files:
            if os.path.exists(path):
                os.unlink(path)

    def reset_count(self) -> None:
        with self._lock:
            self.connections = 0
            self.handshakes = 0

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                raw, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._sockets.append(raw)
            threading.Thread(target=self._handle, args=(raw,), daemon=True).start()

    def _handle(self, raw: socket.socket) -> None:
        if self.silent:
            self._stop.wait(30)  # say nothing; the client times out
            return
        assert self.ssl_context is not None
        raw.settimeout(10)
        try:
            tls = self.ssl_context.wrap_socket(raw, server_side=True)
            with self._lock:
                self.handshakes += 1
            while tls.recv(4096):  # keep reading: a client may renegotiate or send a request
                pass
        except (OSError, ssl.SSLError, ValueError):
            pass
        finally:
            try:
                raw.close()
            except OSError:
                pass
