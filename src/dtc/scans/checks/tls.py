"""TLS: which protocol versions, cipher suites and key-exchange groups a server accepts, whether its
certificate holds up, and whether compression, renegotiation and 0-RTT are handled safely.

Network (`collect`) runs sslyze 6 against one host and one address (resolved through the scan's
resolver; SNI and certificate checks use the real name). Like internet.nl (`checks/tasks/tls/scans.py`)
it first asks which versions the server speaks — one handshake per version — and runs the per-version
cipher-suite scans only for those: each cipher-suite scan opens one connection per suite sslyze knows
(121 for SSL 3.0/TLS 1.0/1.1, 158 for TLS 1.2), so skipping the versions a server refuses saves
hundreds of connections. Compression and renegotiation exist only up to TLS 1.2 (RFC 8446 §4.1.2,
§4.1.2 "renegotiation is not permitted") and 0-RTT only in TLS 1.3 (RFC 8446 §2.3), so those scans run
only when the version that has them is offered. `evaluate` judges the plain data.

Levels follow the NCSC-NL "ICT-beveiligingsrichtlijnen voor Transport Layer Security" (2025-05) as
internet.nl implements them (`checks/tasks/tls/tls_constants.py`): good and sufficient pass, phase-out
warns, insufficient fails; see the tables below. Port and STARTTLS come from a keyword or from
`context.extra["tls_port"]` / `context.extra["tls_starttls"]` ("smtp"), so the same collect serves
mail servers later. A host that refuses, times out or has no address is "not tested", never a fail.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import ssl
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from django.utils.translation import gettext_lazy as _

from dtc.scans.checks import dnsutil, reuse
from dtc.scans.checks.base import Advice, Finding, Outcome, ScanContext
from dtc.scans.checks.registry import register

CHECK_ID = "web.tls"

GOOD, SUFFICIENT, PHASE_OUT, INSUFFICIENT = "good", "sufficient", "phase_out", "insufficient"
PASSING = frozenset({GOOD, SUFFICIENT})

# --- levels (NCSC-NL TLS guidelines 2025-05; internet.nl tls_constants.py) -------------------------

# §3.3.1 (table "Versie"): TLS 1.3 good, TLS 1.2 sufficient; TLS 1.1, 1.0 and SSL insufficient (2025:
# no longer phase-out).
VERSION_LEVELS = {"TLS 1.3": GOOD, "TLS 1.2": SUFFICIENT}

# §3.3.3-3.3.4 and appendix B (cipher suites by IANA name). Anything not listed — RC4, 3DES, NULL,
# EXPORT, anonymous, static RSA key exchange, CBC with SHA-1 — is insufficient.
CIPHER_LEVELS: dict[str, str] = {
    "TLS_AES_256_GCM_SHA384": GOOD,
    "TLS_CHACHA20_POLY1305_SHA256": GOOD,
    **dict.fromkeys([
        "TLS_AES_128_GCM_SHA256", "TLS_AES_128_CCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_CCM", "TLS_ECDHE_RSA_WITH_AES_128_CCM",
    ], SUFFICIENT),
    # Phase-out: ECDHE with CBC and SHA-2, CAMELLIA/ARIA, and every finite-field DHE suite (2025).
    **dict.fromkeys([
        f"TLS_ECDHE_{auth}_WITH_{cipher}" for auth in ("ECDSA", "RSA") for cipher in (
            "CAMELLIA_256_GCM_SHA384", "CAMELLIA_256_CBC_SHA384", "CAMELLIA_128_GCM_SHA256",
            "CAMELLIA_128_CBC_SHA256", "ARIA_256_GCM_SHA384", "ARIA_256_CBC_SHA384", "ARIA_128_GCM_SHA256",
            "ARIA_128_CBC_SHA256", "AES_256_CBC_SHA384", "AES_128_CBC_SHA256")
    ], PHASE_OUT),
    **dict.fromkeys([f"TLS_DHE_RSA_WITH_{cipher}" for cipher in (
        "CHACHA20_POLY1305_SHA256", "CAMELLIA_256_GCM_SHA384", "CAMELLIA_256_CBC_SHA256",
        "CAMELLIA_128_GCM_SHA256", "CAMELLIA_128_CBC_SHA256", "ARIA_256_GCM_SHA384", "ARIA_256_CBC_SHA384",
        "ARIA_128_GCM_SHA256", "ARIA_128_CBC_SHA256", "AES_256_GCM_SHA384", "AES_256_CCM", "AES_256_CBC_SHA256",
        "AES_128_GCM_SHA256", "AES_128_CCM", "AES_128_CBC_SHA256")], PHASE_OUT),
}

# §3.3.2 (key exchange, table "Sleuteluitwisseling"): named EC groups; finite-field groups of RFC 7919
# ffdhe3072 and up are phase-out, every other DH group (ffdhe2048, custom primes) is insufficient.
GROUP_LEVELS: dict[str, str] = {
    **dict.fromkeys(["X25519", "X448", "secp256r1", "secp384r1", "secp521r1", "brainpoolP256r1",
                     "brainpoolP384r1", "brainpoolP512r1"], GOOD),
    "secp224r1": PHASE_OUT,
    **dict.fromkeys(["ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192"], PHASE_OUT),
}

# §3.3.2.1 (certificate keys): RSA ≥ 3072 good, 2048 phase-out (2025), smaller insufficient; ECDSA on
# the curves below good, P-224 phase-out; Ed25519/Ed448 good.
RSA_GOOD_BITS, RSA_PHASE_OUT_BITS = 3072, 2048
CERT_CURVE_LEVELS = {**dict.fromkeys(["secp256r1", "secp384r1", "secp521r1", "brainpoolP256r1",
                                      "brainpoolP384r1", "brainpoolP512r1"], GOOD), "secp224r1": PHASE_OUT}
# §3.3.5 (hash functions): SHA-2 for signatures; SHA-1 and MD5 are insufficient.
SIGNATURE_HASHES_OK = frozenset({"sha256", "sha384", "sha512", None})  # None: EdDSA (no separate hash)

# RFC 7919 Appendix A: every ffdhe prime starts with these 128 bits (from e) after the 64 one-bits; the
# MODP groups of RFC 3526 start differently (C90FDAA2...), so prefix + size names the group.
_FFDHE_PREFIX = "ffffffffffffffffadf85458a2bb4a9a"
_CURVE_ALIASES = {"prime256v1": "secp256r1", "secp256r1": "secp256r1", "secp384r1": "secp384r1",
                  "secp521r1": "secp521r1", "secp224r1": "secp224r1", "x25519": "X25519", "x448": "X448"}


def curve_name(name: str) -> str:
    """One spelling per curve: sslyze and cryptography say "prime256v1"/"SECP256R1"/"secp256r1"."""
    return _CURVE_ALIASES.get(name.lower(), name)


# --- data -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertKey:
    """One certificate of the received chain (leaf first; self-signed roots left out)."""

    subject: str
    key_type: str                  # "RSA", "EC", "Ed25519", "Ed448", "DSA"
    key_bits: int
    curve: str | None
    signature_hash: str | None     # "sha256", "sha1", ...; None for EdDSA


@dataclass(frozen=True)
class CertData:
    names: tuple[str, ...]         # subjectAltName dNSNames (or the CN when there are none)
    hostname_match: bool           # RFC 6125 / RFC 9525 matching, wildcards included
    not_before: dt.datetime
    not_after: dt.datetime
    trusted: bool                  # a chain to a trust anchor (Mozilla, the system store or context.ca_file)
    trust_error: str | None
    chain: tuple[CertKey, ...]


@dataclass(frozen=True)
class TlsData:
    host: str
    port: int
    address: str | None = None
    error: str | None = None       # "no_address", "timeout", "refused", "no_tls", "dns_<status>"; set: nothing judged
    error_detail: str = ""
    scanned_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    versions: tuple[str, ...] = ()                 # "TLS 1.3", "TLS 1.2", ...
    ciphers: tuple[tuple[str, str], ...] = ()      # (version, IANA name) accepted
    groups: tuple[str, ...] = ()                   # key-exchange groups: "X25519", "secp256r1", "ffdhe2048", "DH-1024"
    cert: CertData | None = None
    compression: bool | None = None                # None: not known
    secure_renegotiation: bool | None = None       # RFC 5746
    client_renegotiation: bool | None = None       # the server honours client-initiated renegotiation
    early_data: bool | None = None                 # 0-RTT accepted (RFC 8446 §2.3)
    failed_aspects: tuple[tuple[str, str], ...] = ()  # (aspect, error) for scans that broke off


# --- network --------------------------------------------------------------------------------------

_VERSION_LABELS = {"SSL_2_0": "SSL 2.0", "SSL_3_0": "SSL 3.0", "TLS_1_0": "TLS 1.0", "TLS_1_1": "TLS 1.1",
                   "TLS_1_2": "TLS 1.2", "TLS_1_3": "TLS 1.3"}


def _pick_address(found: list[str]) -> str:
    # sslyze's own lookup prefers IPv4 on dual-stack hosts; do the same (an IPv6 check comes later).
    return next((address for address in found if ":" not in address), found[0])


def collect(target: str, *, context: ScanContext, port: int | None = None,
            starttls: str | None = None) -> TlsData:
    from sslyze import ProtocolWithOpportunisticTlsEnum, ServerNetworkConfiguration, ServerNetworkLocation

    host = target.strip().lower().rstrip(".")
    port = port or context.extra.get("tls_port") or context.https_port
    starttls = starttls or context.extra.get("tls_starttls")
    status, found = dnsutil.addresses(context, host)
    if status != "ok":
        error = "no_address" if status in ("nodata", "nxdomain") else f"dns_{status}"
        return TlsData(host=host, port=port, error=error)
    address = _pick_address(found)
    location = ServerNetworkLocation(hostname=host, port=port, ip_address=address)
    network = ServerNetworkConfiguration(
        tls_server_name_indication=host,
        tls_opportunistic_encryption=ProtocolWithOpportunisticTlsEnum.SMTP if starttls == "smtp" else None,
        network_timeout=max(1, math.ceil(context.timeout)),
        network_max_retries=1,
    )
    # The enumeration is a property of the endpoint: reuse it per (address, port) (see reuse.py).
    probed: list[bool] = []

    def enumerate_endpoint() -> tuple[TlsData, tuple[str, ...]]:
        probed.append(True)
        return _scan(host, port, address, location, network, starttls, context)

    data, chain = reuse.reuse(("tls", address, port, starttls or ""), enumerate_endpoint,
                              conclusive=lambda found: found[0].error is None)
    if probed:
        return data
    return _for_host(data, chain, host, location, network, starttls, context)


def _for_host(data: TlsData, chain: tuple[str, ...], host: str, location, network, starttls: str | None,
              context: ScanContext) -> TlsData:
    """A reused endpoint result, made this host's: its own certificate (web: fetched with this host's SNI,
    one connection; mail: the endpoint's certificate judged for this name), judged now with this scan's
    trust anchors."""
    if data.error:
        return dataclasses.replace(data, host=host)
    failed = [(aspect, error) for aspect, error in data.failed_aspects if aspect != "cert"]
    if data.host != host and not starttls:
        version = next(v for v in _version_enums() if _VERSION_LABELS[v.name] == data.versions[0])
        chain, error = _fetch_chain(location, network, version)
        if error:
            failed.append(("cert", error))
    cert = _cert_data(host, list(chain), context) if chain else None
    if cert is None and not any(aspect == "cert" for aspect, _error in failed):
        failed.append(("cert", "no certificate received"))
    return dataclasses.replace(data, host=host, cert=cert, failed_aspects=tuple(failed),
                               scanned_at=dt.datetime.now(dt.UTC))


def _version_enums() -> list:
    from sslyze import TlsVersionEnum

    return sorted(TlsVersionEnum, key=lambda v: v.value, reverse=True)


def _scan(host, port, address, location, network, starttls, context) -> tuple[TlsData, tuple[str, ...]]:
    """The full enumeration of one endpoint, for `host`: (data, the certificate chain received, PEM)."""
    from sslyze import (
        ScanCommand,
        ScanCommandsExtraArguments,
        Scanner,
        ServerScanRequest,
        ServerScanStatusEnum,
        SessionRenegotiationExtraArgument,
        TlsVersionEnum,
    )

    versions, error, detail, chain = _probe_versions(location, network)
    if not versions:
        return TlsData(host=host, port=port, address=address, error=error or "no_tls", error_detail=detail), ()

    labels = tuple(_VERSION_LABELS[version.name] for version in versions)
    below_13 = any(version != TlsVersionEnum.TLS_1_3 for version in versions)
    # The certificate came with the version probe's first handshake (same SNI): no CERTIFICATE_INFO scan.
    commands = {ScanCommand.ELLIPTIC_CURVES}
    commands |= {getattr(ScanCommand, f"{version.name}_CIPHER_SUITES") for version in versions}
    extra: dict[str, object] = {}
    if below_13:
        commands |= {ScanCommand.TLS_COMPRESSION, ScanCommand.SESSION_RENEGOTIATION}
        # One renegotiation shows the server honours it; sslyze's default of 10 only adds handshakes.
        extra["session_renegotiation"] = SessionRenegotiationExtraArgument(client_renegotiation_attempts=1)
    if TlsVersionEnum.TLS_1_3 in versions:
        commands.add(ScanCommand.TLS_1_3_EARLY_DATA)

    scanner = Scanner(per_server_concurrent_connections_limit=context.extra.get("tls_concurrency", 5))
    scanner.queue_scans([ServerScanRequest(server_location=location, network_configuration=network,
                                           scan_commands=commands,
                                           scan_commands_extra_arguments=ScanCommandsExtraArguments(**extra))])
    result = next(iter(scanner.get_results()))
    if result.scan_status == ServerScanStatusEnum.ERROR_NO_CONNECTIVITY or result.scan_result is None:
        trace = result.connectivity_error_trace
        text = "".join(trace.format_exception_only()).strip() if trace else ""
        return TlsData(host=host, port=port, address=address, error=_error_kind(text), error_detail=text[:300]), ()
    return _from_scan(host, port, address, labels, result.scan_result, below_13, context, chain), chain


def _fetch_chain(location, network, version) -> tuple[tuple[str, ...], str]:
    """The certificate chain (PEM) the server sends for this location's SNI name: one handshake."""
    from sslyze import ClientAuthRequirementEnum, ServerTlsProbingResult, TlsVersionEnum
    from sslyze.server_connectivity import ServerConnectivityInfo

    info = ServerConnectivityInfo(
        server_location=location, network_configuration=network,
        tls_probing_result=ServerTlsProbingResult(
            highest_tls_version_supported=TlsVersionEnum.TLS_1_3, cipher_suite_supported="",
            client_auth_requirement=ClientAuthRequirementEnum.DISABLED, supports_ecdh_key_exchange=True))
    legacy = version not in (TlsVersionEnum.TLS_1_2, TlsVersionEnum.TLS_1_3)
    connection = info.get_preconfigured_tls_connection(override_tls_version=version,
                                                       should_use_legacy_openssl=legacy)
    try:
        connection.connect()
        return tuple(connection.ssl_client.get_received_chain()), ""
    except Exception as exc:  # nassl's OpenSSLError, sslyze's connection errors, OSError
        return (), str(exc)[:300] or type(exc).__name__
    finally:
        connection.close()


def _error_kind(text: str) -> str:
    lowered = text.lower()
    if "timed out" in lowered or "timeout" in lowered:
        return "timeout"
    if "rejected the connection" in lowered or "refused" in lowered:
        return "refused"
    return "no_tls"


def _probe_versions(location, network) -> tuple[list, str | None, str, tuple[str, ...]]:
    """The versions the server completes a handshake for, newest first (one connection each), as
    internet.nl's check_supported_tls_versions, and the certificate chain (PEM) received in the first
    completed handshake. A refused or timed-out TCP connection stops the probe."""
    from sslyze import ClientAuthRequirementEnum, ServerTlsProbingResult, TlsVersionEnum
    from sslyze.errors import (
        ConnectionToServerFailed,
        ConnectionToServerTimedOut,
        ServerRejectedConnection,
        TlsHandshakeTimedOut,
    )
    from sslyze.server_connectivity import ServerConnectivityInfo

    # get_preconfigured_tls_connection needs a probing result; with an explicit version per connection
    # its values are not used (the same trick as internet.nl's FAKE_SERVER_TLS_PROBING_RESULT).
    info = ServerConnectivityInfo(
        server_location=location, network_configuration=network,
        tls_probing_result=ServerTlsProbingResult(
            highest_tls_version_supported=TlsVersionEnum.TLS_1_3, cipher_suite_supported="",
            client_auth_requirement=ClientAuthRequirementEnum.DISABLED, supports_ecdh_key_exchange=True))
    supported = []
    timeouts = 0
    last = ""
    chain: tuple[str, ...] = ()
    for version in _version_enums():
        legacy = version not in (TlsVersionEnum.TLS_1_2, TlsVersionEnum.TLS_1_3)
        connection = info.get_preconfigured_tls_connection(override_tls_version=version,
                                                           should_use_legacy_openssl=legacy)
        try:
            connection.connect()
            supported.append(version)
            if not chain:
                chain = tuple(connection.ssl_client.get_received_chain())
        except ServerRejectedConnection as exc:
            return [], "refused", str(exc)[:300], ()
        except ConnectionToServerTimedOut as exc:
            return [], "timeout", str(exc)[:300], ()
        except TlsHandshakeTimedOut as exc:
            timeouts += 1
            last = str(exc)
            if timeouts >= 2 and not supported:  # TLS 1.3 and 1.2 hellos both unanswered: the server is mute
                return [], "timeout", last[:300], ()
        except (ConnectionToServerFailed, OSError, Exception) as exc:  # nassl's OpenSSLError and friends
            last = str(exc)
        finally:
            connection.close()
    return supported, None, last[:300], chain


def _dh_group(key) -> str:
    prime = bytes(key.prime).hex()
    if prime.startswith(_FFDHE_PREFIX):
        return f"ffdhe{key.size}"
    return f"DH-{key.size}"


def _from_scan(host, port, address, labels, scan, below_13, context, chain: tuple[str, ...]) -> TlsData:
    from nassl.ephemeral_key_info import DhEphemeralKeyInfo, EcDhEphemeralKeyInfo

    failed: list[tuple[str, str]] = []

    def result_of(aspect: str, attempt):
        if attempt is None or attempt.status.name == "NOT_SCHEDULED":
            return None
        if attempt.result is None:
            trace = attempt.error_trace
            failed.append((aspect, "".join(trace.format_exception_only()).strip()[:300] if trace else "error"))
        return attempt.result

    ciphers: list[tuple[str, str]] = []
    groups: set[str] = set()
    for name in ("ssl_2_0", "ssl_3_0", "tls_1_0", "tls_1_1", "tls_1_2", "tls_1_3"):
        suites = result_of("ciphers", getattr(scan, f"{name}_cipher_suites"))
        if suites is None:
            continue
        version = _VERSION_LABELS[suites.tls_version_used.name]
        for accepted in suites.accepted_cipher_suites:
            ciphers.append((version, accepted.cipher_suite.name))
            key = accepted.ephemeral_key
            if isinstance(key, DhEphemeralKeyInfo):
                groups.add(_dh_group(key))
            elif isinstance(key, EcDhEphemeralKeyInfo):
                groups.add(curve_name(key.curve_name))
    curves = result_of("groups", scan.elliptic_curves)
    if curves is not None and curves.supported_curves:
        groups |= {curve_name(curve.name) for curve in curves.supported_curves}

    compression = secure_reneg = client_reneg = early = None
    if below_13:
        comp = result_of("compression", scan.tls_compression)
        compression = comp.supports_compression if comp else None
        reneg = result_of("renegotiation", scan.session_renegotiation)
        if reneg:
            secure_reneg = reneg.supports_secure_renegotiation
            client_reneg = reneg.client_renegotiations_success_count > 0
    else:  # TLS 1.3 only: no compression and no renegotiation exist (RFC 8446 §4.1.2, §4.1.2)
        compression, secure_reneg, client_reneg = False, True, False
    if "TLS 1.3" in labels:
        data = result_of("zero_rtt", scan.tls_1_3_early_data)
        early = data.supports_early_data if data else None
    else:
        early = False  # 0-RTT exists only in TLS 1.3

    cert = _cert_data(host, list(chain), context) if chain else None
    if cert is None:
        failed.append(("cert", "no certificate received"))
    return TlsData(host=host, port=port, address=address, versions=labels,
                   ciphers=tuple(dict.fromkeys(ciphers)), groups=tuple(sorted(groups)), cert=cert,
                   compression=compression, secure_renegotiation=secure_reneg, client_renegotiation=client_reneg,
                   early_data=early, failed_aspects=tuple(failed))


# --- certificate facts ----------------------------------------------------------------------------


def _names(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = san.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        names = []
    if not names:  # RFC 9525 §6.3: the CN only counts when there are no DNS-ID/subjectAltNames
        names = [attr.value for attr in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]
    return tuple(str(name).lower() for name in names)


def hostname_matches(host: str, names: tuple[str, ...]) -> bool:
    """RFC 6125 §6.4.3 / RFC 9525 §6.3: exact match, or a wildcard as the whole left-most label."""
    host = host.lower().rstrip(".")
    for name in names:
        name = name.rstrip(".")
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
    return False


def _key_facts(cert: x509.Certificate) -> CertKey:
    key = cert.public_key()
    curve = None
    if isinstance(key, rsa.RSAPublicKey):
        kind, bits = "RSA", key.key_size
    elif isinstance(key, ec.EllipticCurvePublicKey):
        kind, bits, curve = "EC", key.key_size, curve_name(key.curve.name)
    elif isinstance(key, ed25519.Ed25519PublicKey):
        kind, bits = "Ed25519", 256
    elif isinstance(key, ed448.Ed448PublicKey):
        kind, bits = "Ed448", 448
    elif isinstance(key, dsa.DSAPublicKey):
        kind, bits = "DSA", key.key_size
    else:
        kind, bits = type(key).__name__, 0
    algorithm = cert.signature_hash_algorithm
    subject = cert.subject.rfc4514_string()
    return CertKey(subject=subject, key_type=kind, key_bits=bits, curve=curve,
                   signature_hash=algorithm.name if algorithm else None)


@functools.cache
def _store(path: str, name: str):
    from sslyze.plugins.certificate_info.trust_stores.trust_store import TrustStore

    with warnings.catch_warnings():  # old roots with odd serial numbers; not ours to judge
        warnings.simplefilter("ignore")
        return TrustStore(Path(path), name, "n/a")


def _trust_stores(context: ScanContext) -> list:
    """Mozilla's roots (shipped with sslyze, what browsers trust), the system store and context.ca_file."""
    from sslyze.plugins.certificate_info.trust_stores.trust_store_repository import TrustStoresRepository

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stores = [TrustStoresRepository.get_default().get_main_store()]
    system = ssl.get_default_verify_paths().cafile
    for path, name in ((system, "system"), (context.ca_file, "ca_file")):
        if path and Path(path).is_file():
            try:
                stores.append(_store(str(path), name))
            except ValueError:
                continue
    return stores


def _cert_data(host: str, chain_pem: list[str], context: ScanContext) -> CertData:
    """Facts about the received chain. Trust is tested on its own: at a moment inside the leaf's
    validity and for a name it carries, so an expired or misnamed certificate from a trusted CA still
    counts as trusted (those flaws get their own findings)."""
    chain = [x509.load_pem_x509_certificate(pem.encode()) for pem in chain_pem]
    leaf = chain[0]
    names = _names(leaf)
    match = hostname_matches(host, names)
    now = dt.datetime.now(dt.UTC)
    moment = min(max(now, leaf.not_valid_before_utc + dt.timedelta(seconds=1)),
                 leaf.not_valid_after_utc - dt.timedelta(seconds=1))
    subject_name = host if match else next((name for name in names if not name.startswith("*.")),
                                           names[0][2:] if names else host)
    trusted, error = False, None
    for store in _trust_stores(context):
        try:
            outcome = store.verify_certificate_chain(chain_pem, x509.DNSName(subject_name), validation_time=moment)
        except ValueError as exc:  # an unusable name or certificate
            error = str(exc)
            continue
        if outcome.was_validation_successful:
            trusted, error = True, None
            break
        error = outcome.validation_error
    keys = tuple(_key_facts(cert) for cert in chain
                 if not (cert.issuer == cert.subject and cert is not leaf))  # roots are trusted as they are
    return CertData(names=names, hostname_match=match, not_before=leaf.not_valid_before_utc,
                    not_after=leaf.not_valid_after_utc, trusted=trusted, trust_error=error, chain=keys)


# --- judgement ------------------------------------------------------------------------------------

_OUTCOME = {GOOD: Outcome.PASS, SUFFICIENT: Outcome.PASS, PHASE_OUT: Outcome.WARN, INSUFFICIENT: Outcome.FAIL}


def _finding(data: TlsData, outcome: Outcome, code: str, **detail: object) -> Finding:
    return Finding(check=CHECK_ID, outcome=outcome, code=code, subject=data.host,
                   detail={"port": data.port, "address": data.address, **detail})


def _graded(items, levels: dict[str, str], key=lambda item: item) -> dict[str, list]:
    graded: dict[str, list] = {GOOD: [], SUFFICIENT: [], PHASE_OUT: [], INSUFFICIENT: []}
    for item in items:
        graded[levels.get(key(item), INSUFFICIENT)].append(item)
    return graded


def _aspect(data: TlsData, prefix: str, graded: dict[str, list], **detail: object) -> Finding:
    if graded[INSUFFICIENT]:
        return _finding(data, Outcome.FAIL, f"{prefix}_insufficient", insufficient=graded[INSUFFICIENT],
                        phase_out=graded[PHASE_OUT], **detail)
    if graded[PHASE_OUT]:
        return _finding(data, Outcome.WARN, f"{prefix}_phase_out", phase_out=graded[PHASE_OUT], **detail)
    return _finding(data, Outcome.PASS, f"{prefix}_ok", good=graded[GOOD], sufficient=graded[SUFFICIENT], **detail)


def cert_key_level(key: CertKey) -> str:
    if key.key_type == "RSA":
        return GOOD if key.key_bits >= RSA_GOOD_BITS else PHASE_OUT if key.key_bits >= RSA_PHASE_OUT_BITS \
            else INSUFFICIENT
    if key.key_type == "EC":
        return CERT_CURVE_LEVELS.get(key.curve or "", INSUFFICIENT)
    if key.key_type in ("Ed25519", "Ed448"):
        return GOOD
    return INSUFFICIENT  # DSA and anything unknown


def _judge_cert(data: TlsData) -> list[Finding]:
    cert = data.cert
    if cert is None:
        return [_finding(data, Outcome.NOT_TESTED, "tls.not_tested", aspect="cert",
                         error=dict(data.failed_aspects).get("cert", "no certificate"))]
    findings = []
    if not cert.trusted:
        findings.append(_finding(data, Outcome.FAIL, "tls.cert_untrusted", reason=cert.trust_error))
    if not cert.hostname_match:
        findings.append(_finding(data, Outcome.FAIL, "tls.cert_hostname", names=list(cert.names)))
    if data.scanned_at > cert.not_after or data.scanned_at < cert.not_before:
        findings.append(_finding(data, Outcome.FAIL, "tls.cert_expired", not_before=cert.not_before.isoformat(),
                                 not_after=cert.not_after.isoformat()))
    levels = {key.subject: cert_key_level(key) for key in cert.chain}
    describe = {key.subject: f"{key.key_type}-{key.key_bits}" + (f" ({key.curve})" if key.curve else "")
                for key in cert.chain}
    bad = [describe[subject] for subject, level in levels.items() if level == INSUFFICIENT]
    phase_out = [describe[subject] for subject, level in levels.items() if level == PHASE_OUT]
    if bad:
        findings.append(_finding(data, Outcome.FAIL, "tls.cert_key_insufficient", keys=bad))
    elif phase_out:
        findings.append(_finding(data, Outcome.WARN, "tls.cert_key_phase_out", keys=phase_out))
    weak = [f"{key.subject}: {key.signature_hash}" for key in cert.chain if key.signature_hash not in SIGNATURE_HASHES_OK]
    if weak:
        findings.append(_finding(data, Outcome.FAIL, "tls.cert_signature_insufficient", signatures=weak))
    if not findings:
        findings.append(_finding(data, Outcome.PASS, "tls.cert_ok", names=list(cert.names),
                                 not_after=cert.not_after.isoformat(), keys=list(describe.values())))
    return findings


def _flag(data: TlsData, aspect: str, value: bool | None, ok: tuple[Outcome, str], bad: tuple[Outcome, str],
          **detail: object) -> Finding:
    if value is None:
        return _finding(data, Outcome.NOT_TESTED, "tls.not_tested", aspect=aspect,
                        error=dict(data.failed_aspects).get(aspect, "unknown"))
    outcome, code = bad if value else ok
    return _finding(data, outcome, code, **detail)


@register(id=CHECK_ID, category="web")
def evaluate(data: TlsData) -> list[Finding]:
    if data.error:
        return [_finding(data, Outcome.NOT_TESTED, "tls.not_tested", error=data.error, reason=data.error_detail)]
    failed = dict(data.failed_aspects)
    findings = [_aspect(data, "tls.versions", _graded(data.versions, VERSION_LEVELS), versions=list(data.versions))]
    if "ciphers" in failed:
        findings.append(_finding(data, Outcome.NOT_TESTED, "tls.not_tested", aspect="ciphers",
                                 error=failed["ciphers"]))
    else:
        graded = _graded(data.ciphers, CIPHER_LEVELS, key=lambda item: item[1])
        findings.append(_aspect(data, "tls.ciphers", {level: [f"{version} {name}" for version, name in items]
                                                      for level, items in graded.items()}))
    if "groups" in failed and not data.groups:
        findings.append(_finding(data, Outcome.NOT_TESTED, "tls.not_tested", aspect="groups", error=failed["groups"]))
    else:
        findings.append(_aspect(data, "tls.groups", _graded(data.groups, GROUP_LEVELS)))
    findings.extend(_judge_cert(data))
    findings.append(_flag(data, "compression", data.compression, (Outcome.PASS, "tls.compression_ok"),
                          (Outcome.FAIL, "tls.compression_enabled")))
    # RFC 5746: without secure renegotiation a man in the middle can splice requests (insufficient);
    # client-initiated renegotiation costs the server work on demand (NCSC: phase-out → warn).
    if data.secure_renegotiation is False:
        findings.append(_finding(data, Outcome.FAIL, "tls.renegotiation_insecure"))
    else:
        findings.append(_flag(data, "renegotiation",
                              None if data.secure_renegotiation is None else data.client_renegotiation,
                              (Outcome.PASS, "tls.renegotiation_ok"), (Outcome.WARN, "tls.renegotiation_client")))
    findings.append(_flag(data, "zero_rtt", data.early_data, (Outcome.PASS, "tls.zero_rtt_ok"),
                          (Outcome.WARN, "tls.zero_rtt_enabled")))
    return findings


# --- advice ---------------------------------------------------------------------------------------

_HOSTING = "hosting"


def _pass(title: str, meaning: str) -> Advice:
    return Advice(title=title, meaning=meaning, urgency="low", fixer=_HOSTING)


ADVICE: dict[str, Advice] = {
    "tls.versions_ok": _pass(
        _("Je server gebruikt alleen veilige TLS-versies"),
        _("Bezoekers maken verbinding met TLS 1.3 of 1.2. Die versies zijn op dit moment veilig.")),
    "tls.versions_insufficient": Advice(
        title=_("Je server staat oude, onveilige TLS-versies toe"),
        meaning=_("Je server accepteert nog SSL, TLS 1.0 of TLS 1.1. Met die oude versies kan een aanvaller "
                  "het verkeer van je bezoekers soms meelezen of veranderen."),
        urgency="high", fixer=_HOSTING,
        message=_("Beste hostingpartij, willen jullie op onze server SSL 2.0, SSL 3.0, TLS 1.0 en TLS 1.1 "
                  "uitzetten? Alleen TLS 1.3 en TLS 1.2 mogen aan blijven. Bij voorbaat dank!")),
    "tls.ciphers_ok": _pass(
        _("Je server gebruikt veilige versleuteling"),
        _("De versleutelingsmethoden (cipher suites) die je server aanbiedt, zijn goed of voldoende.")),
    "tls.ciphers_phase_out": Advice(
        title=_("Je server biedt versleuteling aan die binnenkort niet meer goed genoeg is"),
        meaning=_("Een deel van de versleutelingsmethoden is nog niet onveilig, maar wordt afgebouwd. Het is "
                  "verstandig die nu al uit te zetten."),
        urgency="medium", fixer=_HOSTING,
        message=_("Beste hostingpartij, onze server biedt nog cipher suites aan die volgens de NCSC-richtlijnen "
                  "worden uitgefaseerd (bijvoorbeeld CBC-suites of DHE). Willen jullie alleen AES-GCM- en "
                  "ChaCha20-suites met ECDHE aanzetten? Dank jullie wel!")),
    "tls.ciphers_insufficient": Advice(
        title=_("Je server biedt onveilige versleuteling aan"),
        meaning=_("Je server accepteert versleutelingsmethoden die te zwak zijn, zoals RC4, 3DES of CBC met "
                  "SHA-1. Een aanvaller kan daardoor mogelijk gegevens van je bezoekers achterhalen."),
        urgency="high", fixer=_HOSTING,
        message=_("Beste hostingpartij, onze server accepteert onveilige cipher suites (zie de technische details). "
                  "Willen jullie die uitzetten en alleen AES-GCM- en ChaCha20-suites met ECDHE toestaan? Dank!")),
    "tls.groups_ok": _pass(
        _("De sleuteluitwisseling van je server is veilig"),
        _("Je server spreekt geheime sleutels af met sterke methoden, zoals X25519 of P-256.")),
    "tls.groups_phase_out": Advice(
        title=_("Je server gebruikt een sleuteluitwisseling die wordt afgebouwd"),
        meaning=_("Een deel van de methoden om sleutels af te spreken (zoals finite-field Diffie-Hellman) is "
                  "nog niet onveilig, maar wordt afgebouwd."),
        urgency="medium", fixer=_HOSTING,
        message=_("Beste hostingpartij, onze server gebruikt nog groepen voor sleuteluitwisseling die worden "
                  "uitgefaseerd (zie de technische details). Willen jullie alleen X25519, secp256r1 en secp384r1 "
                  "aanbieden? Dank jullie wel!")),
    "tls.groups_insufficient": Advice(
        title=_("Je server gebruikt een zwakke sleuteluitwisseling"),
        meaning=_("Je server spreekt sleutels af met een methode die te zwak is. Dan is de versleuteling "
                  "minder sterk dan hij lijkt."),
        urgency="high", fixer=_HOSTING,
        message=_("Beste hostingpartij, onze server gebruikt een zwakke groep voor sleuteluitwisseling (zie de "
                  "technische details, bijvoorbeeld ffdhe2048). Willen jullie die uitzetten en X25519, secp256r1 "
                  "of secp384r1 gebruiken? Dank!")),
    "tls.cert_ok": _pass(
        _("Het certificaat van je website is in orde"),
        _("Het certificaat is geldig, past bij je domeinnaam en komt van een vertrouwde uitgever.")),
    "tls.cert_untrusted": Advice(
        title=_("Het certificaat van je website wordt niet vertrouwd"),
        meaning=_("Browsers kunnen niet nagaan wie het certificaat heeft uitgegeven. Je bezoekers krijgen een "
                  "waarschuwing en haken af."),
        urgency="high", fixer=_HOSTING,
        message=_("Beste hostingpartij, het certificaat van onze website wordt niet vertrouwd (het is bijvoorbeeld "
                  "zelf ondertekend, of het tussencertificaat ontbreekt). Willen jullie een certificaat van een "
                  "erkende uitgever plaatsen, bijvoorbeeld Let's Encrypt, met de volledige keten? Dank!")),
    "tls.cert_hostname": Advice(
        title=_("Het certificaat past niet bij je domeinnaam"),
        meaning=_("Het certificaat is voor een andere naam gemaakt. Browsers tonen je bezoekers dan een "
                  "waarschuwing."),
        urgency="high", fixer=_HOSTING,
        message=_("Beste hostingpartij, het certificaat op onze server staat niet op onze domeinnaam. Willen "
                  "jullie een certificaat plaatsen met onze domeinnaam (en www) erin? Dank jullie wel!")),
    "tls.cert_expired": Advice(
        title=_("Het certificaat van je website is verlopen"),
        meaning=_("Een verlopen (of nog niet geldig) certificaat geeft je bezoekers een waarschuwing. Veel "
                  "mensen gaan dan weg."),
        urgency="high", fixer=_HOSTING,
        message=_("Beste hostingpartij, het certificaat van onze website is verlopen. Willen jullie het vernieuwen "
                  "en automatisch laten verlengen? Dank jullie wel!")),
    "tls.cert_key_phase_out": Advice(
        title=_("De sleutel van je certificaat is binnenkort niet meer sterk genoeg"),
        meaning=_("De sleutel is nu nog goed genoeg (bijvoorbeeld RSA met 2048 bits), maar wordt afgebouwd. "
                  "Kies bij de volgende vernieuwing een sterkere sleutel."),
        urgency="low", fixer=_HOSTING,
        message=_("Beste hostingpartij, willen jullie bij de volgende vernieuwing van ons certificaat een "
                  "ECDSA-sleutel (P-256 of P-384) of een RSA-sleutel van minstens 3072 bits gebruiken? Dank!")),
    "tls.cert_key_insufficient": Advice(
        title=_("De sleutel van je certificaat is te zwak"),
        meaning=_("Met een te korte sleutel kan een aanvaller zich mogelijk voordoen als jouw website."),
        urgency="high", fixer=_HOSTING,
        message=_("Beste hostingpartij, de sleutel van ons certificaat is te zwak. Willen jullie een nieuw "
                  "certificaat maken met een ECDSA-sleutel (P-256 of P-384) of RSA van minstens 3072 bits? Dank!")),
    "tls.cert_signature_insufficient": Advice(
        title=_("Het certificaat is ondertekend met een verouderde methode"),
        meaning=_("Het certificaat gebruikt SHA-1 of een andere zwakke handtekening. Die kan worden nagemaakt, "
                  "en browsers vertrouwen zo'n certificaat niet meer."),
        urgency="high", fixer=_HOSTING,
        message=_("Beste hostingpartij, ons certificaat (of een tussencertificaat) is ondertekend met SHA-1. "
                  "Willen jullie een nieuw certificaat plaatsen dat met SHA-256 of sterker is ondertekend? Dank!")),
    "tls.compression_ok": _pass(
        _("Je server gebruikt geen TLS-compressie"),
        _("Goed zo: compressie in TLS maakt aanvallen mogelijk en staat bij jou uit.")),
    "tls.compression_enabled": Advice(
        title=_("Je server gebruikt TLS-compressie"),
        meaning=_("Met compressie in TLS kan een aanvaller soms geheime gegevens, zoals inlogcookies, raden."),
        urgency="high", fixer=_HOSTING,
        message=_("Beste hostingpartij, onze server ondersteunt TLS-compressie. Willen jullie die uitzetten "
                  "(in OpenSSL: SSL_OP_NO_COMPRESSION)? Dank jullie wel!")),
    "tls.renegotiation_ok": _pass(
        _("Je server regelt heronderhandeling veilig"),
        _("Je server ondersteunt alleen de veilige vorm van heronderhandeling en laat bezoekers die niet zelf "
          "starten.")),
    "tls.renegotiation_insecure": Advice(
        title=_("Je server staat onveilige heronderhandeling toe"),
        meaning=_("Een aanvaller kan daardoor eigen gegevens in de verbinding van een bezoeker smokkelen."),
        urgency="high", fixer=_HOSTING,
        message=_("Beste hostingpartij, onze server ondersteunt geen veilige heronderhandeling (RFC 5746). Willen "
                  "jullie de TLS-software bijwerken of onveilige heronderhandeling uitzetten? Dank!")),
    "tls.renegotiation_client": Advice(
        title=_("Bezoekers kunnen heronderhandeling op je server starten"),
        meaning=_("Iedereen kan je server steeds opnieuw laten onderhandelen. Dat kost de server veel rekenkracht "
                  "en kan hem zo vertragen of platleggen."),
        urgency="medium", fixer=_HOSTING,
        message=_("Beste hostingpartij, onze server staat door de client gestarte heronderhandeling toe. Willen "
                  "jullie die uitzetten (bijvoorbeeld met SSL_OP_NO_RENEGOTIATION)? Dank jullie wel!")),
    "tls.zero_rtt_ok": _pass(
        _("Je server gebruikt geen 0-RTT"),
        _("Je server accepteert geen gegevens vóór het einde van de handdruk. Zo kunnen verzoeken niet worden "
          "herhaald door een aanvaller.")),
    "tls.zero_rtt_enabled": Advice(
        title=_("Je server accepteert 0-RTT-gegevens"),
        meaning=_("Met 0-RTT kan een aanvaller een verzoek van een bezoeker nog eens versturen, bijvoorbeeld een "
                  "bestelling. Zet het uit, tenzij je website daar echt tegen kan."),
        urgency="medium", fixer=_HOSTING,
        message=_("Beste hostingpartij, onze server accepteert TLS 1.3 early data (0-RTT). Willen jullie dat "
                  "uitzetten (bijvoorbeeld ssl_early_data off in nginx)? Dank jullie wel!")),
    "tls.not_tested": Advice(
        title=_("We konden de beveiligde verbinding niet testen"),
        meaning=_("Je server gaf geen of geen bruikbaar antwoord. Dat zegt niet dat er iets mis is; probeer het "
                  "later nog eens."),
        urgency="low", fixer=_HOSTING,
        message=_("Beste hostingpartij, een TLS-test van onze website lukte niet: de server antwoordde niet of "
                  "weigerde de verbinding. Kunnen jullie kijken of poort 443 bereikbaar is? Dank jullie wel!")),
}
