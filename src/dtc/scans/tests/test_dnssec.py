"""web.dnssec: the chain of trust from the trust anchor down to the domain is validated (RFC 4035 §5): secure
passes, insecure (no DS) fails, bogus (a DS or signature that does not match) and expired signatures fail with
their own advice, DNS trouble is "not tested"; the algorithms of a secure zone are graded per RFC 8624.
End to end: zones signed with dnspython and cryptography under a test anchor "test.", served by a LoopbackDNS."""

from __future__ import annotations

import time

import dns.name
import dns.rdata
import dns.rrset
import pytest
from dns.resolver import Resolver

from dtc.scans.checks import dnssec
from dtc.scans.checks.base import Outcome, ScanContext
from dtc.scans.testing.assertions import (
    assert_advice_complete,
    assert_every_code_tested,
    assert_registered,
    codes_of,
    outcomes,
    scan,
)
from dtc.scans.testing.dnssec import Child, ZoneKey, sign_rrset, signed_tree, signed_zone
from dtc.scans.testing.dnsserver import LoopbackDNS

CHILDREN = [
    Child("secure"),                                   # ECDSAP256SHA256 (13): MUST
    Child("rsa", algorithm=8),                         # RSASHA256: MUST
    Child("ed25519", algorithm=15),                    # ED25519: RECOMMENDED
    Child("rsasha1", algorithm=5),                     # RSASHA1: NOT RECOMMENDED
    Child("dsa", algorithm=3),                         # DSA: MUST NOT
    Child("sha1ds", digest_type=1),                    # DS with SHA-1: MUST NOT
    Child("insecure", algorithm=None),                 # not signed, no DS
    Child("island", ds="none"),                        # signed, but the DS was never sent to the registry
    Child("badds", ds="other"),                        # the DS names another key (a botched key rollover)
    Child("expired", expired=True),                    # the signing stopped a while ago
    Child("edited", edited_after_signing=True),        # the zone changed after it was signed
    Child("slow"),
    Child("refused"),
]


@pytest.fixture(scope="module")
def tree():
    return signed_tree("test", CHILDREN)


@pytest.fixture(scope="module", name="dns")
def lab_dns(dns_zone, tree):
    return dns_zone(tree.zone_text, delays={"slow.test": 1.5}, refuse=["refused.test"], timeout=0.5,
                    dnssec_trust_anchors=tree.trust_anchor)


SCENARIOS = {
    "secure.test": {"dnssec.secure": Outcome.PASS, "dnssec.algorithm_ok": Outcome.PASS},
    "www.secure.test": {"dnssec.secure": Outcome.PASS, "dnssec.algorithm_ok": Outcome.PASS},
    "rsa.test": {"dnssec.secure": Outcome.PASS, "dnssec.algorithm_ok": Outcome.PASS},
    "ed25519.test": {"dnssec.secure": Outcome.PASS, "dnssec.algorithm_ok": Outcome.PASS},
    "rsasha1.test": {"dnssec.secure": Outcome.PASS, "dnssec.algorithm_phaseout": Outcome.WARN},
    "dsa.test": {"dnssec.secure": Outcome.PASS, "dnssec.algorithm_forbidden": Outcome.FAIL},
    "sha1ds.test": {"dnssec.secure": Outcome.PASS, "dnssec.digest_forbidden": Outcome.FAIL},
    "insecure.test": {"dnssec.insecure": Outcome.FAIL},
    "www.insecure.test": {"dnssec.insecure": Outcome.FAIL},
    "island.test": {"dnssec.insecure": Outcome.FAIL},
    "badds.test": {"dnssec.bogus": Outcome.FAIL},
    "edited.test": {"dnssec.bogus": Outcome.FAIL},
    "expired.test": {"dnssec.expired": Outcome.FAIL},
    "slow.test": {"dnssec.not_tested": Outcome.NOT_TESTED},
    "refused.test": {"dnssec.not_tested": Outcome.NOT_TESTED},
    "nonexistent.test": {"dnssec.not_tested": Outcome.NOT_TESTED},
}


@pytest.mark.parametrize("domain", sorted(SCENARIOS))
def test_scenario_end_to_end(domain, context):
    assert outcomes(scan(dnssec, domain, context=context)) == SCENARIOS[domain]


def test_the_algorithms_are_reported(context):
    findings = {f.code: f for f in scan(dnssec, "rsa.test", context=context)}
    assert findings["dnssec.algorithm_ok"].detail["algorithms"] == [
        {"number": 8, "name": "RSASHA256", "rfc8624": "MUST"}]
    assert findings["dnssec.algorithm_ok"].detail["digests"] == [{"number": 2, "name": "SHA-256", "rfc8624": "MUST"}]
    chain = findings["dnssec.secure"].detail["chain"]
    assert [step["zone"] for step in chain] == ["test", "rsa.test"]
    assert chain[1]["dnskeys"][0].endswith("RSASHA256 KSK")


def test_deprecated_and_forbidden_algorithms_are_named(context):
    by_code = {f.code: f for f in scan(dnssec, "rsasha1.test", context=context)}
    assert by_code["dnssec.algorithm_phaseout"].detail["found"] == ["RSASHA1"]
    by_code = {f.code: f for f in scan(dnssec, "sha1ds.test", context=context)}
    assert by_code["dnssec.digest_forbidden"].detail["found"] == ["SHA-1"]


def test_why_the_chain_breaks_is_in_the_detail(context):
    bad_ds = dnssec.collect("badds.test", context=context)
    assert (bad_ds.status, bad_ds.reason, bad_ds.failed_at) == ("bogus", "ds_mismatch", "badds.test. DNSKEY")
    edited = dnssec.collect("edited.test", context=context)
    assert (edited.status, edited.reason, edited.failed_at) == ("bogus", "signature_invalid", "edited.test. SOA")
    expired = dnssec.collect("expired.test", context=context)
    assert (expired.status, expired.reason) == ("expired", "expired")


def test_a_signed_zone_without_ds_is_told_apart(context):
    assert dnssec.collect("island.test", context=context).signed_without_ds is True
    assert dnssec.collect("insecure.test", context=context).signed_without_ds is False


def test_the_walk_asks_for_ds_at_every_level_below_the_anchor(dns, context):
    before = len(dns.server.queries)
    dnssec.collect("www.secure.test", context=context)
    asked = dns.server.queries[before:]
    assert asked[:3] == [("test.", "DNSKEY"), ("secure.test.", "DS"), ("secure.test.", "DNSKEY")]
    assert ("www.secure.test.", "DS") in asked and asked[-1] == ("www.secure.test.", "A")


def test_without_the_do_bit_no_signatures_come_along(dns):
    plain = Resolver(configure=False)
    plain.nameservers, plain.port = ["127.0.0.1"], dns.server.port
    answer = plain.resolve("secure.test.", "SOA")
    assert not [rrset for rrset in answer.response.answer if rrset.rdtype == 46]  # RRSIG
    plain.use_edns(0, 0x8000, 1232)
    answer = plain.resolve("secure.test.", "SOA")
    assert [rrset for rrset in answer.response.answer if rrset.rdtype == 46]


def test_a_dnskey_can_be_the_trust_anchor(dns, tree):
    key = tree.keys["test"].dnskey
    context = ScanContext.loopback(dns_port=dns.server.port, timeout=0.5,
                                   dnssec_trust_anchors=f"test. 300 IN DNSKEY {key.to_text()}")
    assert dnssec.collect("secure.test", context=context).status == "secure"


def test_a_wrong_trust_anchor_makes_everything_bogus(dns):
    context = ScanContext.loopback(dns_port=dns.server.port, timeout=0.5,
                                   dnssec_trust_anchors=ZoneKey.generate(13).ds("test"))
    data = dnssec.collect("secure.test", context=context)
    assert (data.status, data.failed_at) == ("bogus", "test. DNSKEY")


def test_the_iana_root_is_the_default_anchor_and_a_server_that_refuses_is_not_a_fail(dns):
    anchors = dnssec.trust_anchors(None)
    assert list(anchors) == [dns_name(".")]
    assert sorted(ds.key_tag for ds in anchors[dns_name(".")]) == [20326, 38696]
    context = ScanContext.loopback(dns_port=dns.server.port, timeout=0.5)  # loopback refuses the root
    assert outcomes(scan(dnssec, "secure.test", context=context)) == {"dnssec.not_tested": Outcome.NOT_TESTED}


def test_a_domain_outside_every_anchor_is_not_tested(context):
    [finding] = scan(dnssec, "example.org", context=context)
    assert (finding.outcome, finding.detail["error"]) == (Outcome.NOT_TESTED, "no_anchor")


def dns_name(text: str) -> dns.name.Name:
    return dns.name.from_text(text)


# --- pure evaluate() and validation on canned data ------------------------------------------------

# RFC 8080 §6.1 (with erratum 4935): an Ed25519 key, its DS, and an MX RRset signed in August 2015.
RFC8080_DNSKEY = "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="
RFC8080_DS = "3613 15 2 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b"
RFC8080_RRSIG = ("MX 15 2 3600 1440021600 1438207200 3613 example.com. oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeR"
                 "AvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==")
EXAMPLE = dns.name.from_text("example.com.")


def _rfc8080():
    key = dns.rdata.from_text("IN", "DNSKEY", RFC8080_DNSKEY)
    mx = dns.rrset.from_text("example.com.", 3600, "IN", "MX", "10 mail.example.com.")
    return key, mx, dns.rdata.from_text("IN", "RRSIG", RFC8080_RRSIG)


def test_rfc8080_example_validates():
    key, mx, rrsig = _rfc8080()
    assert dnssec.check_rrset(mx, [rrsig], [key], EXAMPLE, now=1439000000) == ("ok", "")
    assert dnssec.ds_matches(EXAMPLE, dns.rdata.from_text("IN", "DS", RFC8080_DS), key)


def test_rfc8080_example_with_other_data_or_time_fails():
    key, mx, rrsig = _rfc8080()
    other = dns.rrset.from_text("example.com.", 3600, "IN", "MX", "20 mail.example.com.")
    assert dnssec.check_rrset(other, [rrsig], [key], EXAMPLE, now=1439000000) == ("bogus", "signature_invalid")
    assert dnssec.check_rrset(mx, [rrsig], [key], EXAMPLE, now=1440021601) == ("expired", "expired")
    assert dnssec.check_rrset(mx, [rrsig], [key], EXAMPLE, now=1438207199) == ("bogus", "not_yet_valid")
    assert dnssec.check_rrset(mx, [], [key], EXAMPLE, now=1439000000) == ("bogus", "no_signature")
    assert dnssec.check_rrset(mx, [rrsig], [key], dns.name.from_text("com."), now=1439000000) == (
        "bogus", "unknown_key")


def test_owner_name_case_does_not_matter():
    key, _mx, rrsig = _rfc8080()
    upper = dns.rrset.from_text("EXAMPLE.com.", 3600, "IN", "MX", "10 MAIL.example.com.")
    assert dnssec.check_rrset(upper, [rrsig], [key], EXAMPLE, now=1439000000) == ("ok", "")


def test_a_wildcard_answer_is_validated_against_the_wildcard():
    key = ZoneKey.generate(13)
    wildcard = dns.rrset.from_text("*.w.test.", 300, "IN", "A", "192.0.2.1")
    now = int(time.time())
    rrsig = sign_rrset(wildcard, key, "w.test.", inception=now - 60, expiration=now + 3600)
    expanded = dns.rrset.from_text("anything.w.test.", 300, "IN", "A", "192.0.2.1")
    assert dnssec.check_rrset(expanded, [rrsig], [key.dnskey], dns.name.from_text("w.test.")) == ("ok", "")


def test_signed_zone_text_is_served_as_signed():
    key = ZoneKey.generate(13)
    with LoopbackDNS(signed_zone("solo.test", "@ 300 IN TXT \"hallo\"", key=key)) as server:
        context = ScanContext.loopback(dns_port=server.port, timeout=0.5, dnssec_trust_anchors=key.ds("solo.test"))
        assert dnssec.collect("solo.test", context=context).status == "secure"


def _data(status: str, *, algorithms=(13,), digests=(2,), **more) -> dnssec.DnssecData:
    own = dnssec.Delegation(zone="x.test", ds=("1 13 2 ab…",), dnskeys=("tag 1 X KSK",), algorithms=algorithms,
                            digest_types=digests)
    return dnssec.DnssecData(domain="x.test", status=status, anchor=".", zone="x.test", chain=(own,), **more)


@pytest.mark.parametrize(("algorithms", "digests", "expected"), [
    ((13,), (2,), {"dnssec.algorithm_ok": Outcome.PASS}),
    ((8, 13, 14, 15, 16), (2, 4), {"dnssec.algorithm_ok": Outcome.PASS}),
    ((7,), (2,), {"dnssec.algorithm_phaseout": Outcome.WARN}),
    ((10,), (2,), {"dnssec.algorithm_phaseout": Outcome.WARN}),
    ((1,), (2,), {"dnssec.algorithm_forbidden": Outcome.FAIL}),
    ((6, 12), (2,), {"dnssec.algorithm_forbidden": Outcome.FAIL}),
    ((13,), (3,), {"dnssec.digest_forbidden": Outcome.FAIL}),
    ((5, 3), (1, 2), {"dnssec.algorithm_forbidden": Outcome.FAIL, "dnssec.algorithm_phaseout": Outcome.WARN,
                      "dnssec.digest_forbidden": Outcome.FAIL}),
])
def test_rfc8624_grading(algorithms, digests, expected):
    found = outcomes(dnssec.evaluate(_data("secure", algorithms=algorithms, digests=digests)))
    assert found == {"dnssec.secure": Outcome.PASS, **expected}


def test_an_algorithm_outside_rfc8624_is_listed_not_graded():
    findings = dnssec.evaluate(_data("secure", algorithms=(17,)))
    assert findings[-1].code == "dnssec.algorithm_ok"
    assert findings[-1].detail["algorithms"][0]["rfc8624"] == "—"


def test_algorithms_are_graded_only_when_the_chain_reaches_the_domains_zone():
    data = dnssec.DnssecData(domain="www.x.test", status="secure", anchor=".", zone="test", chain=())
    assert outcomes(dnssec.evaluate(data)) == {"dnssec.secure": Outcome.PASS}


@pytest.mark.parametrize("status", ["timeout", "servfail", "refused", "error", "nxdomain", "no_anchor"])
def test_lookup_trouble_is_never_a_fail(status):
    assert outcomes(dnssec.evaluate(_data(status))) == {"dnssec.not_tested": Outcome.NOT_TESTED}


def test_only_unsupported_ds_algorithms_make_the_zone_insecure():
    ds = dns.rdata.from_text("IN", "DS", "1234 12 3 " + "ab" * 32)
    status, reason, _delegation = dnssec._zone_keys(dns.name.from_text("x.test."), [ds], dnssec._Reply("nodata"),
                                                    now=time.time())
    assert (status, reason) == ("insecure", "unsupported_algorithm")


# --- registry and advice --------------------------------------------------------------------------


def test_registered_as_scored_web_check():
    assert_registered(dnssec, category="web", scored=True)


def test_every_code_has_an_end_to_end_test():
    assert_every_code_tested(dnssec, __name__, before="# --- pure evaluate()")


def test_every_code_has_advice_and_every_advice_is_reachable():
    assert_advice_complete(dnssec, codes_of(SCENARIOS),
                           with_message=codes_of(SCENARIOS, Outcome.FAIL, Outcome.WARN),
                           without_message=codes_of(SCENARIOS, Outcome.PASS, Outcome.NOT_TESTED))
