"""web.tls: versions, cipher suites, key-exchange groups, certificate, compression, renegotiation and 0-RTT,
judged by the NCSC-NL TLS guidelines (2025-05) — good/sufficient pass, phase-out warns, insufficient fails —
and a host that refuses, stays silent or has no address is "not tested", never a fail.

End-to-end tests scan real TLS servers on 127.0.0.1 (Python's ssl, certificates from tlscerts.TestCA) with
sslyze, the host name resolved through a LoopbackDNS zone and the test CA given as `ca_file`. Each server
configuration is scanned once per module. What the local OpenSSL 3 cannot serve — TLS compression, missing
secure renegotiation, 0-RTT, a phase-out group — is judged on canned data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import ssl
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives import hashes

from dtc.scans.checks import tls
from dtc.scans.checks.base import Outcome, ScanContext
from dtc.scans.checks.registry import CHECKS
from dtc.scans.testing.dnsserver import LoopbackDNS
from dtc.scans.testing.httpserver import closed_port
from dtc.scans.testing.tlscerts import OP_ALLOW_CLIENT_RENEGOTIATION, LoopbackTLS, TestCA, ffdhe2048_pem

NAMES = ["modern", "tls12", "legacy", "dhe", "expired", "wrong", "self", "refused", "silent"]
ZONE = "$ORIGIN example.test.\n@ 300 IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 300\n" + "".join(
    f"{label} 300 IN A 127.0.0.1\n" for label in NAMES)

EVERY_CODE = {
    "tls.versions_ok", "tls.versions_insufficient",
    "tls.ciphers_ok", "tls.ciphers_phase_out", "tls.ciphers_insufficient",
    "tls.groups_ok", "tls.groups_phase_out", "tls.groups_insufficient",
    "tls.cert_ok", "tls.cert_untrusted", "tls.cert_hostname", "tls.cert_expired", "tls.cert_key_phase_out",
    "tls.cert_key_insufficient", "tls.cert_signature_insufficient",
    "tls.compression_ok", "tls.compression_enabled",
    "tls.renegotiation_ok", "tls.renegotiation_insecure", "tls.renegotiation_client",
    "tls.zero_rtt_ok", "tls.zero_rtt_enabled",
    "tls.not_tested",
}


def name(label: str) -> str:
    return f"{label}.example.test"


def codes(findings) -> dict[str, object]:
    return {finding.code: finding for finding in findings}


@pytest.fixture(scope="module")
def lab():
    """Servers, DNS and CA; every scan runs once and is kept (scans take seconds)."""
    ca = TestCA()
    now = dt.datetime.now(dt.UTC)
    TLS12, TLS13, TLS10 = ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1
    servers = {
        # TLS 1.3 only, ECDSA P-256 from the trusted CA; bad certificates for other SNI names.
        "modern": LoopbackTLS(ca.issue([name("modern")]), minimum_version=TLS13, by_name={
            name("expired"): ca.issue([name("expired")], not_before=now - dt.timedelta(days=400),
                                      not_after=now - dt.timedelta(days=10)),
            name("wrong"): ca.issue(["elders.example.test"]),
            name("self"): ca.issue([name("self")], self_signed=True),
        }),
        # TLS 1.2 only with CBC-SHA2 next to AEAD suites, RSA-2048, allows client-initiated renegotiation.
        "tls12": LoopbackTLS(ca.issue([name("tls12")], key_type="rsa", rsa_bits=2048), maximum_version=TLS12,
                             ciphers="ECDHE+AESGCM:ECDHE+CHACHA20:ECDHE+AES+SHA256",
                             options=OP_ALLOW_CLIENT_RENEGOTIATION),
        # TLS 1.0-1.2 with everything OpenSSL still has, RSA-1024 signed with SHA-1.
        "legacy": LoopbackTLS(ca.issue([name("legacy")], key_type="rsa", rsa_bits=1024,
                                       signature_hash=hashes.SHA1()),  # noqa: S303
                              minimum_version=TLS10, maximum_version=TLS12, ciphers="ALL:@SECLEVEL=0"),
        # TLS 1.2, finite-field DHE only, with the RFC 7919 ffdhe2048 group.
        "dhe": LoopbackTLS(ca.issue([name("dhe")], key_type="rsa", rsa_bits=3072), maximum_version=TLS12,
                           ciphers="DHE-RSA-AES128-GCM-SHA256", dh_params=ffdhe2048_pem()),
        "silent": LoopbackTLS(silent=True),
    }
    with LoopbackDNS(ZONE) as dns_server:
        for server in servers.values():
            server.__enter__()
        try:
            def context(server: str, **overrides) -> ScanContext:
                port = servers[server].port if server in servers else closed_port()
                settings = {"https_port": port, "ca_file": ca.ca_file, "timeout": 2.0} | overrides
                return ScanContext.loopback(dns_port=dns_server.port, **settings)

            scans: dict[str, tls.TlsData] = {}
            connections: dict[str, int] = {}

            def scan(label: str, server: str | None = None, key: str | None = None, **overrides) -> tls.TlsData:
                key = key or label
                if key not in scans:
                    server = server or label
                    if server in servers:
                        servers[server].reset_count()
                    scans[key] = tls.collect(name(label), context=context(server, **overrides))
                    if server in servers:
                        connections[key] = servers[server].connections
                return scans[key]

            yield SimpleNamespace(scan=scan, connections=connections, ca=ca)
        finally:
            for server in servers.values():
                server.__exit__(None, None, None)
            ca.cleanup()


# --- end to end -----------------------------------------------------------------------------------


def test_modern_tls13_server_passes_everything(lab):
    data = lab.scan("modern")
    assert data.error is None and data.address == "127.0.0.1"
    assert data.versions == ("TLS 1.3",)
    found = codes(tls.evaluate(data))
    assert {code: finding.outcome for code, finding in found.items()} == {
        "tls.versions_ok": Outcome.PASS, "tls.ciphers_ok": Outcome.PASS, "tls.groups_ok": Outcome.PASS,
        "tls.cert_ok": Outcome.PASS, "tls.compression_ok": Outcome.PASS, "tls.renegotiation_ok": Outcome.PASS,
        "tls.zero_rtt_ok": Outcome.PASS}
    assert "X25519" in data.groups
    assert found["tls.cert_ok"].detail["keys"] == ["EC-256 (secp256r1)"]
    # sslyze's SSL 2.0-TLS 1.2 scans are skipped after the version probe: a handful of connections per suite
    # and group, not hundreds.
    assert lab.connections["modern"] < 80


def test_tls12_server_with_cbc_and_rsa2048_warns(lab):
    data = lab.scan("tls12")
    found = codes(tls.evaluate(data))
    assert found["tls.versions_ok"].detail["sufficient"] == ["TLS 1.2"]
    assert found["tls.ciphers_phase_out"].outcome is Outcome.WARN
    assert any("CBC_SHA256" in suite or "CBC_SHA384" in suite
               for suite in found["tls.ciphers_phase_out"].detail["phase_out"])
    assert found["tls.cert_key_phase_out"].outcome is Outcome.WARN
    assert found["tls.cert_key_phase_out"].detail["keys"] == ["RSA-2048"]
    assert "tls.cert_ok" not in found and "tls.cert_untrusted" not in found
    assert found["tls.renegotiation_client"].outcome is Outcome.WARN
    assert found["tls.zero_rtt_ok"].outcome is Outcome.PASS  # no TLS 1.3, so no 0-RTT
    assert found["tls.compression_ok"].outcome is Outcome.PASS


def test_legacy_server_fails_versions_ciphers_key_and_signature(lab):
    data = lab.scan("legacy")
    found = codes(tls.evaluate(data))
    assert {"TLS 1.0", "TLS 1.1"} <= set(found["tls.versions_insufficient"].detail["insufficient"])
    assert found["tls.versions_insufficient"].outcome is Outcome.FAIL
    assert found["tls.ciphers_insufficient"].outcome is Outcome.FAIL
    assert found["tls.cert_key_insufficient"].detail["keys"] == ["RSA-1024"]
    assert found["tls.cert_signature_insufficient"].outcome is Outcome.FAIL
    assert "sha1" in found["tls.cert_signature_insufficient"].detail["signatures"][0]


def test_ffdhe2048_only_server_fails_groups(lab):
    data = lab.scan("dhe")
    assert "ffdhe2048" in data.groups
    found = codes(tls.evaluate(data))
    assert found["tls.groups_insufficient"].detail["insufficient"] == ["ffdhe2048"]
    assert found["tls.ciphers_phase_out"].detail["phase_out"] == ["TLS 1.2 TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"]
    assert "tls.cert_ok" in found  # RSA-3072 is good


@pytest.mark.parametrize(("label", "code"), [
    ("expired", "tls.cert_expired"), ("wrong", "tls.cert_hostname"), ("self", "tls.cert_untrusted")])
def test_bad_certificates_fail(lab, label, code):
    found = codes(tls.evaluate(lab.scan(label, server="modern")))
    assert found[code].outcome is Outcome.FAIL
    bad = {c for c, finding in found.items() if c.startswith("tls.cert_") and finding.outcome is Outcome.FAIL}
    assert bad == {code}  # an expired or misnamed certificate from the trusted CA is still trusted


def test_untrusted_without_ca_file(lab):
    """The test CA is trusted only through context.ca_file (the Mozilla and system stores do not know it)."""
    found = codes(tls.evaluate(lab.scan("modern", key="modern-no-ca", ca_file=None)))
    assert found["tls.cert_untrusted"].outcome is Outcome.FAIL
    assert "tls.cert_hostname" not in found and "tls.cert_expired" not in found


@pytest.mark.parametrize(("label", "error"), [("refused", "refused"), ("silent", "timeout"), ("nothere", "no_address")])
def test_unreachable_host_is_not_tested_never_failed(lab, label, error):
    data = lab.scan(label, server=label, timeout=1.0)
    assert data.error == error
    findings = tls.evaluate(data)
    assert [(finding.code, finding.outcome) for finding in findings] == [("tls.not_tested", Outcome.NOT_TESTED)]


# --- canned data ----------------------------------------------------------------------------------

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
GOOD_CERT = tls.CertData(names=("www.example.test",), hostname_match=True, not_before=NOW - dt.timedelta(days=10),
                         not_after=NOW + dt.timedelta(days=80), trusted=True, trust_error=None,
                         chain=(tls.CertKey("CN=www.example.test", "EC", 256, "secp256r1", "sha256"),))
GOOD = tls.TlsData(host="www.example.test", port=443, address="192.0.2.1", scanned_at=NOW,
                   versions=("TLS 1.3", "TLS 1.2"),
                   ciphers=(("TLS 1.3", "TLS_AES_256_GCM_SHA384"), ("TLS 1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")),
                   groups=("X25519", "secp256r1"), cert=GOOD_CERT, compression=False, secure_renegotiation=True,
                   client_renegotiation=False, early_data=False)


def judge(**changes) -> dict[str, object]:
    return codes(tls.evaluate(dataclasses.replace(GOOD, **changes)))


def test_canned_good_host_passes():
    found = judge()
    assert all(finding.outcome is Outcome.PASS for finding in found.values())
    assert all(finding.check == "web.tls" and finding.subject == "www.example.test" for finding in found.values())


def test_compression_fails():
    assert judge(compression=True)["tls.compression_enabled"].outcome is Outcome.FAIL


def test_missing_secure_renegotiation_fails_and_hides_client_renegotiation():
    found = judge(secure_renegotiation=False, client_renegotiation=True)
    assert found["tls.renegotiation_insecure"].outcome is Outcome.FAIL
    assert "tls.renegotiation_client" not in found


def test_zero_rtt_warns():
    assert judge(early_data=True)["tls.zero_rtt_enabled"].outcome is Outcome.WARN


@pytest.mark.parametrize(("groups", "code"), [
    (("X25519", "ffdhe3072"), "tls.groups_phase_out"), (("secp224r1",), "tls.groups_phase_out"),
    (("X25519", "DH-1024"), "tls.groups_insufficient"), (("sect163k1",), "tls.groups_insufficient")])
def test_group_levels(groups, code):
    assert code in judge(groups=groups)


@pytest.mark.parametrize(("suite", "code"), [
    ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "tls.ciphers_insufficient"),   # CBC with SHA-1
    ("TLS_RSA_WITH_AES_128_GCM_SHA256", "tls.ciphers_insufficient"),      # no forward secrecy
    ("TLS_ECDHE_RSA_WITH_RC4_128_SHA", "tls.ciphers_insufficient"),
    ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "tls.ciphers_insufficient"),
    ("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "tls.ciphers_phase_out"),
    ("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "tls.ciphers_phase_out"),
    ("TLS_CHACHA20_POLY1305_SHA256", "tls.ciphers_ok")])
def test_cipher_levels(suite, code):
    assert code in judge(ciphers=(("TLS 1.2", suite),))


@pytest.mark.parametrize(("versions", "code"), [
    (("TLS 1.3",), "tls.versions_ok"), (("TLS 1.2", "TLS 1.1"), "tls.versions_insufficient"),
    (("TLS 1.2", "TLS 1.0"), "tls.versions_insufficient"), (("SSL 3.0",), "tls.versions_insufficient")])
def test_version_levels(versions, code):
    assert code in judge(versions=versions)


@pytest.mark.parametrize(("key", "code"), [
    (tls.CertKey("CN=x", "RSA", 4096, None, "sha256"), "tls.cert_ok"),
    (tls.CertKey("CN=x", "RSA", 3072, None, "sha256"), "tls.cert_ok"),
    (tls.CertKey("CN=x", "RSA", 2048, None, "sha256"), "tls.cert_key_phase_out"),
    (tls.CertKey("CN=x", "EC", 224, "secp224r1", "sha256"), "tls.cert_key_phase_out"),
    (tls.CertKey("CN=x", "EC", 192, "secp192r1", "sha256"), "tls.cert_key_insufficient"),
    (tls.CertKey("CN=x", "Ed25519", 256, None, None), "tls.cert_ok"),
    (tls.CertKey("CN=x", "EC", 256, "secp256r1", "md5"), "tls.cert_signature_insufficient")])
def test_certificate_key_and_signature_levels(key, code):
    assert code in judge(cert=dataclasses.replace(GOOD_CERT, chain=(key,)))


def test_not_yet_valid_certificate_counts_as_expired():
    cert = dataclasses.replace(GOOD_CERT, not_before=NOW + dt.timedelta(days=1))
    assert judge(cert=cert)["tls.cert_expired"].outcome is Outcome.FAIL


def test_a_broken_off_scan_is_not_tested_for_that_aspect_only():
    found = tls.evaluate(dataclasses.replace(GOOD, early_data=None, failed_aspects=(("zero_rtt", "timeout"),)))
    not_tested = [finding for finding in found if finding.code == "tls.not_tested"]
    assert [finding.detail["aspect"] for finding in not_tested] == ["zero_rtt"]
    assert all(finding.outcome is not Outcome.FAIL for finding in found)


def test_hostname_matching():
    assert tls.hostname_matches("www.example.test", ("*.example.test",))
    assert not tls.hostname_matches("a.b.example.test", ("*.example.test",))
    assert not tls.hostname_matches("example.test", ("*.example.test",))
    assert tls.hostname_matches("WWW.Example.Test.", ("www.example.test",))


# --- registry and advice --------------------------------------------------------------------------


def test_registered_as_web_check():
    check = CHECKS["web.tls"]
    assert check.category == "web" and check.evaluate is tls.evaluate and check.collect is tls.collect


def test_every_code_has_advice_and_a_fixture(lab):
    assert set(tls.ADVICE) == EVERY_CODE
    produced: set[str] = set()
    for label, server in [("modern", None), ("tls12", None), ("legacy", None), ("dhe", None),
                          ("expired", "modern"), ("wrong", "modern"), ("self", "modern"), ("refused", "refused")]:
        produced |= set(codes(tls.evaluate(lab.scan(label, server=server))))
    canned = [judge(compression=True), judge(secure_renegotiation=False), judge(early_data=True),
              judge(groups=("ffdhe3072",))]
    for found in canned:
        produced |= set(found)
    assert produced == EVERY_CODE
    for code, advice in tls.ADVICE.items():
        assert advice.fixer == "hosting" and advice.urgency in {"high", "medium", "low"}
        assert str(advice.title) and str(advice.meaning)
        if not code.endswith("_ok"):
            assert str(advice.message), code
