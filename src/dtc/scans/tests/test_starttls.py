"""mail.starttls: every MX host (or, without MX, the domain itself; a null MX: not applicable) offers STARTTLS
(RFC 3207) and the handshake works, on each of its addresses; the TLS quality of each MX is tls.py's judgement
re-emitted as "starttls.tls_*" with the MX host as subject, certificate flaws milder than on the web
(opportunistic TLS, RFC 7672 §1.3). A 421 answer, a timeout or a refused connection is "not tested", never
"no STARTTLS". One plain SMTP session per address; results per (ip, port) are cached, so two domains sharing
an MX cause one probe. End to end: real SMTP servers (aiosmtpd) on 127.0.0.1 and a LoopbackDNS zone."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import ssl
import tempfile
from types import SimpleNamespace

import pytest

from dtc.scans.checks import starttls, tls
from dtc.scans.checks.base import Outcome, ScanContext
from dtc.scans.testing.assertions import (
    assert_advice_complete,
    assert_every_code_tested,
    assert_registered,
    outcomes,
    scan,
)
from dtc.scans.testing.dnsserver import LoopbackDNS, zone
from dtc.scans.testing.httpserver import closed_port
from dtc.scans.testing.smtpserver import LoopbackSMTP
from dtc.scans.testing.tlscerts import LoopbackTLS, TestCA

LABELS = ["good", "weak", "selfca", "plain", "busy", "busylater", "refused", "silent", "broken", "shared"]


def zones() -> str:
    parts = [zone(f"{label}.test", f"@ 300 IN MX 10 mail.{label}.test.", "mail 300 IN A 127.0.0.1")
             for label in LABELS]
    parts += [
        zone("share2.test", "@ 300 IN MX 10 mail.shared.test."),
        zone("nullmx.test", "@ 300 IN MX 0 ."),
        zone("nomail.test", '@ 300 IN TXT "no mail here"'),
        zone("implicit.test", "@ 300 IN A 127.0.0.1"),
        zone("dnsfail.test", "@ 300 IN MX 10 mail.good.test."),
    ]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def lab():
    ca = TestCA()
    client_cert_only = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    client_cert_only.maximum_version = ssl.TLSVersion.TLSv1_2
    client_cert_only.verify_mode = ssl.CERT_REQUIRED  # the handshake fails: we send no client certificate
    client_cert_only.load_verify_locations(ca.ca_file)
    _load_chain(client_cert_only, ca.issue(["mail.broken.test"]))
    servers = {
        "good": LoopbackSMTP(issued=ca.issue(["mail.good.test"]), minimum_version=ssl.TLSVersion.TLSv1_3),
        "weak": LoopbackSMTP(issued=ca.issue(["mail.weak.test"], key_type="rsa", rsa_bits=2048),
                             maximum_version=ssl.TLSVersion.TLSv1_2),
        "selfca": LoopbackSMTP(["mail.selfca.test"]),  # trustme: not trusted by tls.py's verifier
        "plain": LoopbackSMTP(starttls=False),
        "busy": LoopbackSMTP(busy_after=0),
        "busylater": LoopbackSMTP(issued=ca.issue(["mail.busylater.test"]), busy_after=1),
        "broken": LoopbackSMTP(tls_context=client_cert_only),
        "shared": LoopbackSMTP(issued=ca.issue(["mail.shared.test"]), minimum_version=ssl.TLSVersion.TLSv1_3),
        "silent": LoopbackTLS(silent=True),
    }
    with LoopbackDNS(zones(), refuse=["dnsfail.test"]) as dns_server:
        for server in servers.values():
            server.__enter__()
        try:
            def context(label: str, **overrides) -> ScanContext:
                port = servers[label].port if label in servers else closed_port()
                # 3 s: generous enough for a loaded CI machine (1 s made the TLS scan of the weak server flaky)
                settings = {"smtp_port": port, "ca_file": ca.ca_file, "timeout": 3.0} | overrides
                return ScanContext.loopback(dns_port=dns_server.port, **settings)

            yield SimpleNamespace(servers=servers, context=context, ca=ca)
        finally:
            for server in servers.values():
                server.__exit__(None, None, None)
            ca.cleanup()


def _load_chain(context: ssl.SSLContext, issued) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = (os.path.join(folder, "chain.pem"), os.path.join(folder, "key.pem"))
        for path, data in zip(paths, (issued.chain_pem, issued.key_pem), strict=True):
            with open(path, "wb") as file:
                file.write(data)
        context.load_cert_chain(*paths)


@pytest.fixture(autouse=True)
def fresh_cache():
    starttls.cache_clear()
    yield
    starttls.cache_clear()


def run(lab, domain: str, server: str | None = None, **overrides):
    label = server or domain.split(".")[0]
    if label in lab.servers:
        lab.servers[label].reset_count()  # "busy after N connections" counts from here
    return scan(starttls, domain, context=lab.context(label, **overrides))


# domain -> codes it must give (a subset for the TLS quality part), with outcomes
CASES = [
    ("good.test", "starttls.ok", Outcome.PASS),
    ("good.test", "starttls.tls_versions_ok", Outcome.PASS),
    ("good.test", "starttls.tls_cert_ok", Outcome.PASS),
    ("weak.test", "starttls.ok", Outcome.PASS),
    ("weak.test", "starttls.tls_ciphers_phase_out", Outcome.WARN),
    ("weak.test", "starttls.tls_cert_key_phase_out", Outcome.WARN),
    ("selfca.test", "starttls.tls_cert_untrusted", Outcome.INFO),  # opportunistic TLS: not a fail for mail
    ("plain.test", "starttls.missing", Outcome.FAIL),
    ("implicit.test", "starttls.missing", Outcome.FAIL),  # no MX: the domain's own address (RFC 5321 §5.1)
    ("broken.test", "starttls.handshake_failed", Outcome.FAIL),
    ("busy.test", "starttls.not_tested", Outcome.NOT_TESTED),
    ("busylater.test", "starttls.ok", Outcome.PASS),
    ("busylater.test", "starttls.tls_not_tested", Outcome.NOT_TESTED),  # sslyze's sessions got 421
    ("refused.test", "starttls.not_tested", Outcome.NOT_TESTED),
    ("silent.test", "starttls.not_tested", Outcome.NOT_TESTED),
    ("dnsfail.test", "starttls.not_tested", Outcome.NOT_TESTED),
    ("nullmx.test", "starttls.not_applicable", Outcome.NOT_APPLICABLE),
    ("nomail.test", "starttls.no_mail_server", Outcome.NOT_APPLICABLE),
]
SERVER_OF = {"implicit.test": "plain", "nullmx.test": "good", "nomail.test": "good", "dnsfail.test": "good"}


@pytest.mark.parametrize(("domain", "code", "outcome"), CASES)
def test_case_end_to_end(lab, domain, code, outcome):
    found = outcomes(run(lab, domain, SERVER_OF.get(domain)))
    assert found.get(code) == outcome, found


def test_good_server_passes_everything_with_the_mx_as_subject(lab):
    findings = run(lab, "good.test")
    assert {f.outcome for f in findings} == {Outcome.PASS}
    assert {f.subject for f in findings} == {"mail.good.test"}
    ok = next(f for f in findings if f.code == "starttls.ok")
    assert ok.detail["tls_version"] == "TLSv1.3" and ok.detail["address"] == "127.0.0.1"


def test_could_not_test_is_never_a_fail(lab):
    for domain in ("busy.test", "refused.test", "silent.test", "dnsfail.test"):
        findings = run(lab, domain)
        assert [f.code for f in findings] == ["starttls.not_tested"], domain
    assert run(lab, "busy.test")[0].detail["error"] == "busy"
    assert run(lab, "refused.test")[0].detail["error"] == "refused"
    assert run(lab, "silent.test")[0].detail["error"] == "timeout"
    assert run(lab, "dnsfail.test")[0].detail["error"] == "dns_refused"


def test_rate_limit_during_the_tls_scan_is_not_a_fail(lab):
    findings = run(lab, "busylater.test")
    assert Outcome.FAIL not in {f.outcome for f in findings}


def test_one_plain_session_per_address(lab):
    server = lab.servers["plain"]
    server.reset_count()
    run(lab, "plain.test")
    assert server.connections == 1  # no STARTTLS: no TLS scan either


def test_domains_sharing_an_mx_cause_one_probe(lab):
    server, context = lab.servers["shared"], lab.context("shared")
    server.reset_count()
    first = scan(starttls, "shared.test", context=context)
    after_first = server.connections
    second = scan(starttls, "share2.test", context=context)
    assert server.connections == after_first  # probe and TLS scan both came from the cache
    assert outcomes(first) == outcomes(second) and server.starttls_count > 0
    # One STARTTLS probe plus sslyze's TLS scan; a TLS 1.3-only server needs about 50 connections.
    assert 1 < after_first < 80, after_first
    starttls.cache_clear()
    scan(starttls, "share2.test", context=context)
    assert server.connections == 2 * after_first


def test_null_mx_means_not_applicable(lab):
    assert [f.outcome for f in run(lab, "nullmx.test", "good")] == [Outcome.NOT_APPLICABLE]


# --- pure evaluate() on canned data ---------------------------------------------------------------

def _tls_data(**changes) -> tls.TlsData:
    now = dt.datetime.now(dt.UTC)
    cert = tls.CertData(names=("other.test",), hostname_match=False, not_before=now - dt.timedelta(days=100),
                        not_after=now - dt.timedelta(days=1), trusted=False, trust_error="self signed",
                        chain=(tls.CertKey("CN=other.test", "EC", 256, "secp256r1", "sha256"),))
    data = tls.TlsData(host="mx.x.test", port=25, address="192.0.2.1", versions=("TLS 1.2", "TLS 1.0"),
                       ciphers=(("TLS 1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),), groups=("X25519",),
                       cert=cert, compression=False, secure_renegotiation=True, client_renegotiation=False,
                       early_data=False)
    return dataclasses.replace(data, **changes)


def _judge(tls_data=None, *probes: starttls.Probe) -> dict[str, Outcome]:
    server = starttls.MailServer(host="mx.x.test", preference=10, status="ok",
                                 probes=probes or (starttls.Probe("192.0.2.1", 25, starttls.OK),), tls=tls_data)
    return outcomes(starttls.evaluate(starttls.StarttlsData(domain="x.test", status="ok", servers=(server,))))


def test_certificate_flaws_are_milder_for_mail_but_weak_versions_still_fail():
    found = _judge(_tls_data())
    assert found["starttls.tls_cert_untrusted"] is Outcome.INFO
    assert found["starttls.tls_cert_hostname"] is Outcome.INFO
    assert found["starttls.tls_cert_expired"] is Outcome.WARN
    assert found["starttls.tls_versions_insufficient"] is Outcome.FAIL


@pytest.mark.parametrize("status", ["busy", "timeout", "refused", "closed", "rejected", "tls_unavailable", "error"])
def test_every_inconclusive_probe_is_not_tested(status):
    assert _judge(None, starttls.Probe("192.0.2.1", 25, status)) == {"starttls.not_tested": Outcome.NOT_TESTED}


def test_each_address_is_judged_on_its_own():
    found = starttls.evaluate(starttls.StarttlsData(domain="x.test", status="ok", servers=(starttls.MailServer(
        host="mx.x.test", preference=10, status="ok", probes=(starttls.Probe("192.0.2.1", 25, starttls.OK),
                                                              starttls.Probe("2001:db8::1", 25, "timeout"))),)))
    assert [(f.code, f.detail["address"]) for f in found] == [("starttls.ok", "192.0.2.1"),
                                                              ("starttls.not_tested", "2001:db8::1")]


def test_host_without_address_is_not_tested():
    server = starttls.MailServer(host="gone.x.test", preference=10, status="nxdomain")
    [finding] = starttls.evaluate(starttls.StarttlsData(domain="x.test", status="ok", servers=(server,)))
    assert (finding.code, finding.outcome, finding.detail["error"]) == ("starttls.not_tested", Outcome.NOT_TESTED,
                                                                        "no_address")


def test_cache_entries_expire(monkeypatch):
    starttls._store("probe", "192.0.2.9", 25, starttls.Probe("192.0.2.9", 25, starttls.OK), conclusive=True)
    assert starttls._cached("probe", "192.0.2.9", 25) is not None
    monkeypatch.setattr(starttls.time, "monotonic", lambda: 10**12)
    assert starttls._cached("probe", "192.0.2.9", 25) is None


# --- registry and advice --------------------------------------------------------------------------


def test_registered_as_scored_mail_check():
    assert_registered(starttls, category="mail", scored=True)


def test_every_code_has_an_end_to_end_test():
    assert_every_code_tested(starttls, __name__, before="# --- pure evaluate()")


def test_every_code_has_advice_and_every_tls_code_is_mapped():
    tls_codes = {starttls.tls_code(code) for code in tls.ADVICE}
    literal = {"starttls.ok", "starttls.missing", "starttls.handshake_failed", "starttls.not_tested",
               "starttls.not_applicable", "starttls.no_mail_server"}
    assert_advice_complete(starttls, literal | tls_codes,
                           with_message={c for c, a in starttls.ADVICE.items() if a.urgency != "low"} | {
                               "starttls.tls_ciphers_phase_out"},
                           without_message={"starttls.ok", "starttls.not_tested", "starttls.tls_versions_ok"})
