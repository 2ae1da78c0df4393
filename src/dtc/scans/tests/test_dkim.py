"""DKIM: keys at common selectors are found and judged (RSA < 1024 fails, 1024 warns, >= 2048 and Ed25519
pass, empty p= is revoked); without a common selector the verdict is a guess with a stated confidence —
`_domainkey` exists: low, info; `_domainkey` NXDOMAIN (RFC 8020): medium, warn. A wildcard under
`_domainkey` is detected. DNS failures are "not tested", never a fail."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from dtc.scans.checks import dkim
from dtc.scans.checks.base import Outcome
from dtc.scans.checks.dkim import DkimData, TxtLookup
from dtc.scans.testing.assertions import (
    assert_advice_complete,
    assert_finding,
    assert_registered,
    by_code,
    codes_of,
)
from dtc.scans.testing.assertions import scan as scan_check


def rsa_key(bits: int) -> str:
    if bits < 1024:  # cryptography will not generate such keys; a public modulus of that size will do
        public = rsa.RSAPublicNumbers(65537, (1 << (bits - 1)) | 0xF00D1).public_key()
    else:
        public = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def ed25519_key() -> str:
    raw = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def txt(text: str) -> str:
    """Zone-file TXT data: strings of at most 255 characters (RFC 1035 §3.3.14)."""
    return " ".join(f'"{text[i:i + 255]}"' for i in range(0, len(text), 255))


RSA_2048, RSA_1024, RSA_768 = rsa_key(2048), rsa_key(1024), rsa_key(768)
ED25519 = ed25519_key()

ZONE = f"""
$ORIGIN test.
@ 300 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300
google._domainkey.strong 300 IN TXT {txt("v=DKIM1; k=rsa; p=" + RSA_2048)}
selector1._domainkey.m365 300 IN CNAME selector1-m365-test._domainkey.tenant.onmicrosoft.test.
selector1-m365-test._domainkey.tenant.onmicrosoft 300 IN TXT {txt("v=DKIM1; k=ed25519; p=" + ED25519)}
k1._domainkey.medium 300 IN TXT {txt("v=DKIM1; k=rsa; p=" + RSA_1024)}
s1._domainkey.weak 300 IN TXT {txt("v=DKIM1; p=" + RSA_768)}
default._domainkey.invalid 300 IN TXT "v=DKIM1; k=rsa; p=this-is-not-base64!"
mail._domainkey.revoked 300 IN TXT "v=DKIM1; p="
*._domainkey.wild 300 IN TXT "v=DKIM1; p="
dkim._domainkey.wild 300 IN TXT {txt("v=DKIM1; p=" + RSA_2048)}
*._domainkey.wildonly 300 IN TXT {txt("v=DKIM1; p=" + RSA_2048)}
custom2024._domainkey.unknown 300 IN TXT {txt("v=DKIM1; p=" + RSA_2048)}
nodkim 300 IN A 192.0.2.1
custom2024._domainkey.slowsel 300 IN TXT "v=DKIM1; p="
"""

SLOW_NODE = "_domainkey.slow.test"
SLOW_SELECTOR = "default._domainkey.slowsel.test"


@pytest.fixture(scope="module")
def dns(dns_zone):
    return dns_zone(ZONE, delays={SLOW_NODE: 3.0, SLOW_SELECTOR: 3.0}, refuse=["_domainkey.refused.test"],
                    timeout=1.0)


def scan(domain, context):
    findings = scan_check(dkim, domain, context=context)
    assert all(finding.detail["confidence"] in {"high", "medium", "low", "none"} for finding in findings)
    return findings


CASES = [
    ("strong.test", "dkim.key_strong", Outcome.PASS),
    ("medium.test", "dkim.key_1024", Outcome.WARN),
    ("weak.test", "dkim.key_weak", Outcome.FAIL),
    ("invalid.test", "dkim.key_invalid", Outcome.FAIL),
    ("revoked.test", "dkim.key_revoked", Outcome.INFO),
    ("wild.test", "dkim.wildcard", Outcome.INFO),
    ("unknown.test", "dkim.unknown_selector", Outcome.INFO),
    ("nodkim.test", "dkim.probably_missing", Outcome.WARN),
    ("slow.test", "dkim.not_tested", Outcome.NOT_TESTED),
]


@pytest.mark.parametrize(("domain", "code", "outcome"), CASES)
def test_zone_fixture_produces_code(domain, code, outcome, context):
    assert_finding(scan(domain, context), code, outcome)


def test_every_advice_code_has_a_zone_fixture_and_complete_advice():
    assert_advice_complete(dkim, codes_of(CASES))


def test_registered_as_scored_mail_check():
    assert_registered(dkim, category="mail", scored=True)


def test_common_selectors_are_a_module_constant():
    assert dkim.COMMON_SELECTORS[:3] == ("default", "selector1", "selector2")
    assert {"google", "k1", "s1", "s2", "mail", "dkim", "mandrill", "everlytic", "mxvault"} <= set(
        dkim.COMMON_SELECTORS)


# --- found selectors: high confidence --------------------------------------------------------------


def test_found_selector_is_high_confidence_with_key_size(context):
    finding = by_code(scan("strong.test", context))["dkim.key_strong"]
    assert finding.subject == "google._domainkey.strong.test"
    assert finding.detail["confidence"] == "high" and finding.detail["key_bits"] == 2048


def test_microsoft_365_selector_through_cname_with_ed25519(context):
    finding = by_code(scan("m365.test", context))["dkim.key_strong"]
    assert finding.detail["selector"] == "selector1"
    assert finding.detail["key_type"] == "ed25519"


def test_sizes_1024_and_768(context):
    assert by_code(scan("medium.test", context))["dkim.key_1024"].detail["key_bits"] == 1024
    assert by_code(scan("weak.test", context))["dkim.key_weak"].detail["key_bits"] == 768


def test_only_revoked_key_adds_a_low_confidence_guess(context):
    findings = by_code(scan("revoked.test", context))
    assert findings["dkim.unknown_selector"].detail["confidence"] == "low"
    assert findings["dkim.unknown_selector"].outcome == Outcome.INFO


# --- guesses: stated confidence, never a fail ------------------------------------------------------


def test_domainkey_node_without_common_selector_is_low_confidence_info(context):
    findings = scan("unknown.test", context)
    assert [(f.code, f.outcome, f.detail["confidence"]) for f in findings] == [
        ("dkim.unknown_selector", Outcome.INFO, "low")]


def test_nxdomain_node_is_probably_no_dkim(context):
    findings = scan("nodkim.test", context)
    assert [(f.code, f.outcome, f.detail["confidence"]) for f in findings] == [
        ("dkim.probably_missing", Outcome.WARN, "medium")]


def test_wildcard_is_detected_and_distinct_selector_still_judged(dns, context):
    before = len(dns.server.queries)
    findings = by_code(scan("wild.test", context))
    assert findings["dkim.wildcard"].detail["confidence"] == "low"
    assert findings["dkim.key_strong"].detail["selector"] == "dkim"
    assert "dkim.key_revoked" not in findings  # the wildcard's own answer judges no selector
    probes = [name for name, _type in dns.server.queries[before:] if name.startswith("dtc-probe-")]
    assert len(probes) == 1 and probes[0].endswith("._domainkey.wild.test.")


def test_wildcard_key_alone_is_not_reported_as_found(context):
    findings = scan("wildonly.test", context)
    assert [f.code for f in findings] == ["dkim.wildcard"]


# --- could not test --------------------------------------------------------------------------------


def test_slow_domainkey_node_is_not_tested(context):
    findings = scan("slow.test", context)
    assert [(f.code, f.outcome) for f in findings] == [("dkim.not_tested", Outcome.NOT_TESTED)]


def test_refused_is_not_tested(context):
    findings = scan("refused.test", context)
    assert [f.outcome for f in findings] == [Outcome.NOT_TESTED]


def test_slow_selector_stops_further_lookups_and_is_not_tested(dns, context):
    before = len(dns.server.queries)
    findings = by_code(scan("slowsel.test", context))
    assert findings["dkim.not_tested"].outcome == Outcome.NOT_TESTED
    assert set(findings["dkim.not_tested"].detail["selectors"]) == set(dkim.COMMON_SELECTORS)
    assert not any(f.outcome == Outcome.FAIL for f in findings.values())
    selector_queries = [n for n, _t in dns.server.queries[before:] if n.endswith("._domainkey.slowsel.test.")
                        and not n.startswith("dtc-probe-")]
    assert len(selector_queries) == 1  # "default" timed out; the other selectors were not asked


# --- pure judgement --------------------------------------------------------------------------------


@pytest.mark.parametrize(("record", "code", "reason"), [
    ("v=DKIM2; p=AAAA", "dkim.key_invalid", "version"),
    ("k=rsa; v=DKIM1; p=AAAA", "dkim.key_invalid", "version"),
    ("v=DKIM1; k=rsa", "dkim.key_invalid", "no_public_key"),
    ("v=DKIM1; k=dsa; p=AAAA", "dkim.key_invalid", "unknown_key_type"),
    ("v=DKIM1; h=sha1; p=AAAA", "dkim.key_invalid", "sha1_only"),
    ("v=DKIM1; k=ed25519; p=AAAA", "dkim.key_invalid", "bad_key"),
    ("v=DKIM1; p=", "dkim.key_revoked", None),
])
def test_judge_key_edge_cases(record, code, reason):
    verdict = dkim.judge_key(record)
    assert verdict.code == code
    assert verdict.detail.get("reason") == reason


def test_key_without_version_tag_and_with_whitespace_in_p_is_accepted():
    key = RSA_2048[:100] + " \t " + RSA_2048[100:]
    assert dkim.judge_key(f"k=rsa; h=sha1:sha256; p={key}").code == "dkim.key_strong"


def test_selectors_answering_despite_nxdomain_node_are_trusted():
    data = DkimData(domain="example.nl", node=TxtLookup("_domainkey.example.nl", "nxdomain"),
                    probe=TxtLookup("dtc-probe-1._domainkey.example.nl", "nxdomain"),
                    selectors=(("s1", TxtLookup("s1._domainkey.example.nl", "ok", ("v=DKIM1; p=" + RSA_2048,))),))
    assert [f.code for f in dkim.evaluate(data)] == ["dkim.key_strong"]


def test_non_key_txt_at_selector_is_ignored():
    data = DkimData(domain="example.nl", node=TxtLookup("_domainkey.example.nl", "nodata"),
                    probe=TxtLookup("dtc-probe-1._domainkey.example.nl", "nxdomain"),
                    selectors=(("mail", TxtLookup("mail._domainkey.example.nl", "ok", ("google-site-verification=x",))),))
    assert [f.code for f in dkim.evaluate(data)] == ["dkim.unknown_selector"]
