"""DNSSEC-signed test zones for LoopbackDNS: keys, signatures and DS records made with dnspython and cryptography.

    tree = signed_tree("test", [Child("secure"), Child("rsa", algorithm=8), Child("plain", algorithm=None)])
    with LoopbackDNS(tree.zone_text) as server:
        context = ScanContext.loopback(dns_port=server.port, dnssec_trust_anchors=tree.trust_anchor)

The zone "test." plays the root: its key-signing key is the trust anchor the test injects. Each child is a
zone of its own (own SOA and keys) with a DS at the parent, unless told otherwise: unsigned, no DS, a DS
for another key, a SHA-1 DS, signatures that expired, or data edited after signing. The signed data is
built by dnspython (`dns.dnssec._make_rrsig_signature_data`), not by the check under test, so every
end-to-end test also checks our own canonical form against dnspython's.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.RRSIG
import dns.rrset
import dns.zone
from cryptography.hazmat.primitives.asymmetric import dsa as dsa_keys
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519
from cryptography.hazmat.primitives.asymmetric import rsa as rsa_keys
from dns.dnssecalgs import dsa, ecdsa, eddsa, rsa
from dns.dnssectypes import DSDigest

from dtc.scans.testing.dnsserver import zone

PRIVATE_KEYS: dict[int, Any] = {
    1: rsa.PrivateRSAMD5, 3: dsa.PrivateDSA, 5: rsa.PrivateRSASHA1, 7: rsa.PrivateRSASHA1NSEC3SHA1,
    8: rsa.PrivateRSASHA256, 10: rsa.PrivateRSASHA512, 13: ecdsa.PrivateECDSAP256SHA256,
    14: ecdsa.PrivateECDSAP384SHA384, 15: eddsa.PrivateED25519, 16: eddsa.PrivateED448,
}
DAY = 86400


def _generate(algorithm: int) -> Any:
    if algorithm in (1, 5, 7, 8, 10):
        return rsa_keys.generate_private_key(65537, 1024 if algorithm == 1 else 2048)
    if algorithm == 3:
        return dsa_keys.generate_private_key(1024)  # noqa: S505 - DSA in DNSSEC is 1024 bits at most (RFC 2536), a test of a MUST NOT
    if algorithm in (13, 14):
        return ec.generate_private_key(ec.SECP256R1() if algorithm == 13 else ec.SECP384R1())
    return ed25519.Ed25519PrivateKey.generate() if algorithm == 15 else ed448.Ed448PrivateKey.generate()


@dataclass(frozen=True)
class ZoneKey:
    private: Any                 # a dns.dnssecalgs private key
    dnskey: Any                  # its DNSKEY rdata

    @classmethod
    def generate(cls, algorithm: int = 13, *, flags: int = 257) -> ZoneKey:
        private = PRIVATE_KEYS[algorithm](key=_generate(algorithm))
        return cls(private=private, dnskey=private.public_key().to_dnskey(flags=flags))

    def ds(self, owner: str, digest_type: int = 2) -> str:
        """The DS record for this key, as a master-file line."""
        ds = dns.dnssec.make_ds(owner + ".", self.dnskey, DSDigest(digest_type), policy=dns.dnssec.allow_all_policy)
        return f"{owner}. 300 IN DS {ds.to_text()}"


def sign_rrset(rrset: dns.rrset.RRset, key: ZoneKey, signer: str, *, inception: int, expiration: int) -> Any:
    labels = len(rrset.name) - 1 - rrset.name.is_wild()  # RFC 4034 §3.1.3: neither the root nor "*" counts
    template = dns.rdtypes.ANY.RRSIG.RRSIG(
        dns.rdataclass.IN, dns.rdatatype.RRSIG, rrset.rdtype, key.dnskey.algorithm, labels,
        rrset.ttl, expiration, inception, key.dnskey.key_id(), dns.name.from_text(signer), b"")
    data = dns.dnssec._make_rrsig_signature_data(rrset, template)
    return template.replace(signature=key.private.sign(data))


def signed_zone(origin: str, *records: str, key: ZoneKey | None, expired: bool = False,
                edited_after_signing: bool = False) -> str:
    """Master-file text of the zone `origin` (SOA added, as `zone()`), with its DNSKEY and an RRSIG per RRset.
    `expired`: every signature expired yesterday. `edited_after_signing`: the served SOA has a serial other
    than the signed one, as when someone edits a zone file and forgets to sign it again."""
    text = zone(origin, *records)
    if key is None:
        return text
    parsed = dns.zone.from_text(text, origin=origin + ".", relativize=False, check_origin=False)
    now = int(time.time())
    inception, expiration = (now - 30 * DAY, now - DAY) if expired else (now - 3600, now + 14 * DAY)
    rrsets = [dns.rrset.from_rdata(origin + ".", 300, key.dnskey)]
    rrsets += [dns.rrset.from_rdata_list(name, rdataset.ttl, list(rdataset))
               for name, rdataset in parsed.iterate_rdatasets()]
    lines = [f"$ORIGIN {origin}."]
    for rrset in rrsets:
        rrsig = sign_rrset(rrset, key, origin + ".", inception=inception, expiration=expiration)
        if edited_after_signing and rrset.rdtype == dns.rdatatype.SOA:
            rrset = dns.rrset.from_rdata(rrset.name, rrset.ttl, rrset[0].replace(serial=rrset[0].serial + 1))
        lines += rrset.to_text().splitlines()
        lines.append(f"{rrset.name} {rrset.ttl} IN RRSIG {rrsig.to_text()}")
    return "\n".join([*lines, ""])


@dataclass(frozen=True)
class Child:
    """A child zone `<label>.<anchor>` and how its delegation is (mis)configured."""

    label: str
    algorithm: int | None = 13        # None: unsigned
    records: tuple[str, ...] = ("@ 300 IN A 192.0.2.10", "www 300 IN A 192.0.2.10")
    ds: str = "match"                 # "match", "none" (no DS at the parent), "other" (DS of another key)
    digest_type: int = 2
    expired: bool = False
    edited_after_signing: bool = False


@dataclass(frozen=True)
class SignedTree:
    zone_text: str                    # every zone, for LoopbackDNS
    trust_anchor: str                 # the anchor zone's DS line, for ScanContext.dnssec_trust_anchors
    keys: dict[str, ZoneKey]          # per zone origin


def signed_tree(anchor: str, children: Iterable[Child], *, anchor_records: Iterable[str] = (),
                algorithm: int = 13) -> SignedTree:
    keys = {anchor: ZoneKey.generate(algorithm)}
    texts, delegations = [], list(anchor_records)
    for child in children:
        origin = f"{child.label}.{anchor}"
        key = ZoneKey.generate(child.algorithm) if child.algorithm is not None else None
        texts.append(signed_zone(origin, *child.records, key=key, expired=child.expired,
                                 edited_after_signing=child.edited_after_signing))
        if key is not None:
            keys[origin] = key
            if child.ds == "match":
                delegations.append(key.ds(origin, child.digest_type))
            elif child.ds == "other":
                delegations.append(ZoneKey.generate(child.algorithm or 13).ds(origin, child.digest_type))
    texts.insert(0, signed_zone(anchor, *delegations, key=keys[anchor]))
    return SignedTree(zone_text="\n".join(texts), trust_anchor=keys[anchor].ds(anchor), keys=keys)
