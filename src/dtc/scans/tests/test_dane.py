"""mail.dane (advice, unscored): TLSA records at _25._tcp.<mx> (RFC 7672); only DANE-TA(2) and DANE-EE(3) are
usable for SMTP; the TLSA RRset must be DNSSEC-secure: then a match passes and a mismatch fails; from an
unsigned zone it warns (senders ignore it), with a bogus or expired signature it fails; TLSA without working
STARTTLS FAIL; DNS or server trouble is "not tested". End to end: real SMTP servers (aiosmtpd, trustme
certificates) on 127.0.0.1 and TLSA records in zones signed under the test anchor "test.", served by a
LoopbackDNS."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace
from typing import Any

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from dtc.scans.checks import dane, starttls
from dtc.scans.checks.base import Outcome, ScanContext
from dtc.scans.testing.assertions import (
    assert_advice_complete,
    assert_every_code_tested,
    assert_registered,
    outcomes,
    scan,
)
from dtc.scans.testing.dnssec import Child, signed_tree
from dtc.scans.testing.dnsserver import LoopbackDNS
from dtc.scans.testing.smtpserver import LoopbackSMTP


def spki_sha256(der: bytes) -> str:
    key = x509.load_der_x509_certificate(der).public_key()
    return hashlib.sha256(key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).hexdigest()


def mx_zone(label: str, *tlsa: str, **signing: Any) -> Child:
    """A child zone of the signed test tree: MX, the mail host's address and its TLSA records."""
    return Child(label, records=(f"@ 300 IN MX 10 mail.{label}.test.", "mail 300 IN A 127.0.0.1",
                                 *(f"_25._tcp.mail 300 IN TLSA {record}" for record in tlsa)), **signing)


@pytest.fixture(scope="module")
def lab():
    intermediate = trustme.CA().create_child_ca()
    servers = {
        "ee": LoopbackSMTP(["mail.ee.test", "mail.wrong.test", "mail.nodane.test", "mail.pkix.test",
                            "mail.refusedtlsa.test"]),
        "ta": LoopbackSMTP(["mail.ta.test"], ca=intermediate),
        "plain": LoopbackSMTP(starttls=False),
        "busy": LoopbackSMTP(busy_after=0),
    }
    leaf = servers["ee"].chain_der[0]
    ta_leaf, ta_issuer = servers["ta"].chain_der[:2]
    tree = signed_tree("test", [
        mx_zone("ee", f"3 1 1 {spki_sha256(leaf)}"),
        mx_zone("ta", f"2 0 1 {hashlib.sha256(ta_issuer).hexdigest()}"),
        mx_zone("wrong", f"3 1 1 {'00' * 32}", f"2 0 1 {hashlib.sha256(ta_leaf).hexdigest()}"),
        mx_zone("nodane"),
        mx_zone("pkix", f"1 1 1 {spki_sha256(leaf)}"),
        mx_zone("plain", f"3 1 1 {spki_sha256(leaf)}"),
        mx_zone("busy", f"3 1 1 {spki_sha256(leaf)}"),
        mx_zone("refusedtlsa"),
        mx_zone("unsigned", f"3 1 1 {spki_sha256(leaf)}", algorithm=None),
        mx_zone("bogus", f"3 1 1 {spki_sha256(leaf)}", ds="other"),
        mx_zone("expired", f"3 1 1 {spki_sha256(leaf)}", expired=True),
        Child("nullmx", records=("@ 300 IN MX 0 .",)),
    ])
    with LoopbackDNS(tree.zone_text, refuse=["_25._tcp.mail.refusedtlsa.test"]) as dns_server:
        for server in servers.values():
            server.__enter__()
        try:
            def context(label: str) -> ScanContext:
                return ScanContext.loopback(dns_port=dns_server.port, smtp_port=servers[label].port, timeout=1.0,
                                            dnssec_trust_anchors=tree.trust_anchor)

            yield SimpleNamespace(servers=servers, context=context, leaf=leaf, ta_chain=(ta_leaf, ta_issuer))
        finally:
            for server in servers.values():
                server.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def fresh_cache():
    starttls.cache_clear()
    yield
    starttls.cache_clear()


SERVER_OF = {"wrong": "ee", "nodane": "ee", "pkix": "ee", "refusedtlsa": "ee", "nullmx": "ee", "unsigned": "ee",
             "bogus": "ee", "expired": "ee"}
SCENARIOS = {
    "ee.test": {"dane.match": Outcome.PASS},
    "ta.test": {"dane.match": Outcome.PASS},
    "wrong.test": {"dane.mismatch": Outcome.FAIL},  # a TA record for the leaf itself is no trust anchor either
    "nodane.test": {"dane.missing": Outcome.INFO},
    "pkix.test": {"dane.unusable": Outcome.WARN},
    "plain.test": {"dane.no_tls": Outcome.FAIL},
    "busy.test": {"dane.not_tested": Outcome.NOT_TESTED},
    "refusedtlsa.test": {"dane.not_tested": Outcome.NOT_TESTED},
    "nullmx.test": {"dane.not_applicable": Outcome.NOT_APPLICABLE},
    "unsigned.test": {"dane.not_signed": Outcome.WARN},   # RFC 7672 §2.2: senders ignore insecure TLSA records
    "bogus.test": {"dane.bogus": Outcome.FAIL},           # the DS at the parent names another key
    "expired.test": {"dane.bogus": Outcome.FAIL},
}


def run(lab, domain: str):
    label = domain.split(".")[0]
    return scan(dane, domain, context=lab.context(SERVER_OF.get(label, label)))


@pytest.mark.parametrize("domain", sorted(SCENARIOS))
def test_scenario_end_to_end(lab, domain):
    assert outcomes(run(lab, domain)) == SCENARIOS[domain]


def test_match_says_dnssec_is_verified(lab):
    [finding] = run(lab, "ee.test")
    assert finding.detail["dnssec_verified"] is True
    assert finding.detail["tlsa_name"] == "_25._tcp.mail.ee.test"
    assert finding.detail["matched"][0].startswith("3 (DANE-EE) 1 (SPKI) 1 (SHA2-256)")


def test_dane_reuses_the_starttls_probe(lab):
    server, context = lab.servers["ee"], lab.context("ee")
    server.reset_count()
    data = starttls.collect("ee.test", context=context)
    before = server.connections
    assert data.servers[0].probes[0].chain_der[0] == lab.leaf
    scan(dane, "ee.test", context=context)
    assert server.connections == before  # the certificate came from the cached STARTTLS session


def test_bogus_tlsa_names_the_dnssec_problem(lab):
    details = {domain: run(lab, domain)[0].detail for domain in ("bogus.test", "expired.test")}
    assert (details["bogus.test"]["dnssec"], details["bogus.test"]["reason"]) == ("bogus", "ds_mismatch")
    assert (details["expired.test"]["dnssec"], details["expired.test"]["reason"]) == ("expired", "expired")


def test_without_a_trust_anchor_for_the_tlsa_zone_dane_is_not_tested(lab):
    context = ScanContext.loopback(dns_port=lab.context("ee").resolver.port, smtp_port=lab.servers["ee"].port,
                                   timeout=1.0, dnssec_trust_anchors=[])
    [finding] = scan(dane, "ee.test", context=context)
    assert (finding.code, finding.detail["error"]) == ("dane.not_tested", "dnssec_no_anchor")


def test_not_tested_is_never_a_fail(lab):
    for domain in ("busy.test", "refusedtlsa.test"):
        assert {f.outcome for f in run(lab, domain)} == {Outcome.NOT_TESTED}


# --- pure evaluate() and matching on canned data ----------------------------------------------------


def test_every_selector_and_matching_type(lab):
    cert = x509.load_der_x509_certificate(lab.leaf)
    for selector in (0, 1):
        for matching in (0, 1, 2):
            record = dane.Tlsa(3, selector, matching, dane.association(cert, selector, matching).hex())
            assert dane.matching_records("mail.ee.test", (record,), (lab.leaf,)) == [record]


def test_dane_ta_needs_the_mx_name_on_the_leaf(lab):
    record = dane.Tlsa(2, 0, 1, hashlib.sha256(lab.ta_chain[1]).hexdigest())
    assert dane.matching_records("mail.ta.test", (record,), lab.ta_chain) == [record]
    assert dane.matching_records("other.ta.test", (record,), lab.ta_chain) == []


def test_unknown_matching_type_is_unusable():
    host = dane.DaneHost(host="mx.x.test", tlsa_name="_25._tcp.mx.x.test", status="ok",
                         records=(dane.Tlsa(3, 1, 9, "ab"),))
    assert outcomes(dane.evaluate(dane.DaneData("x.test", "ok", (host,)))) == {"dane.unusable": Outcome.WARN}


def test_dns_failure_for_the_mx_is_not_tested():
    assert outcomes(dane.evaluate(dane.DaneData("x.test", "timeout"))) == {"dane.not_tested": Outcome.NOT_TESTED}


# --- registry and advice --------------------------------------------------------------------------


def test_registered_as_unscored_mail_check():
    assert_registered(dane, category="mail", scored=False)


def test_every_code_has_an_end_to_end_test():
    assert_every_code_tested(dane, __name__, before="# --- pure evaluate()")


def test_every_code_has_advice():
    codes = {code for codes in SCENARIOS.values() for code in codes}
    assert_advice_complete(dane, codes, with_message={"dane.mismatch", "dane.unusable", "dane.no_tls",
                                                      "dane.missing", "dane.not_signed", "dane.bogus"},
                           without_message={"dane.not_tested", "dane.not_applicable", "dane.match"})
