"""DNSSEC: is the domain signed, does the chain of trust from the root hold, and are the algorithms sound?

Rules (network in `collect`, judgement in `evaluate`):
- RFC 4035 §5: we validate the chain ourselves, as a validating resolver does. From a trust anchor (by
  default the IANA root key-signing keys, KSK-2017 and KSK-2024; `ScanContext.dnssec_trust_anchors`
  overrides them) down to the domain: at every zone cut the DS RRset at the parent, signed by the parent's
  keys; the child's DNSKEY RRset, signed by a key that a DS matches (RFC 4034 §5.1.4); finally the
  domain's own SOA (or, below the apex, its A or CNAME) RRset, signed by the zone's keys.
- Outcomes: secure (pass); insecure, no DS anywhere on the way (fail: internet.nl fails it too); bogus,
  a signature or DS that does not match (fail, urgent: validating resolvers, such as those of most Dutch
  providers, then refuse the domain altogether); an expired signature (fail, its own advice: the signing
  stopped); a lookup that timed out or failed is "could not test", never a fail.
- RFC 4035 §5.2: a DS that names only algorithms or digest types we cannot validate makes the zone
  insecure. An absent DS is taken at its word; we do not check the NSEC/NSEC3 proof of its absence (a
  scanner grades what the domain publishes, it does not guard a resolver against an attacker).
- RFC 8624 §3.1 (DNSKEY algorithms, column "DNSSEC signing") and §3.3 (DS digest types): MUST,
  RECOMMENDED and MAY pass; NOT RECOMMENDED (RSASHA1, RSASHA1-NSEC3-SHA1, RSASHA512) warns; MUST NOT
  (RSAMD5, DSA, DSA-NSEC3-SHA1, ECC-GOST; SHA-1 and GOST DS digests) fails. Graded for the domain's own
  zone, the part the business controls.
Queries go to the context's resolver with the DO bit (RFC 3225, so RRSIGs come along) and the CD bit
(RFC 4035 §3.2.2, so a validating resolver hands over bogus data instead of SERVFAIL); dnspython retries
over TCP when an answer is truncated.

Signatures are checked with dnspython's per-algorithm key classes (`dns.dnssecalgs.*`) over the signed
data of RFC 4034 §3.1.8.1 built here: dnspython 2.9 switches `dns.dnssec.validate` off unless cryptography
>= 50 is installed, and sslyze still pins cryptography < 47.
"""

from __future__ import annotations

import copy
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone
from cryptography.exceptions import InvalidSignature
from django.utils.translation import gettext_lazy as _
from dns.dnssecalgs import dsa, ecdsa, eddsa, rsa
from dns.dnssectypes import Algorithm, DSDigest
from dns.rdtypes.dnskeybase import Flag

from dtc.scans.checks import dnsutil
from dtc.scans.checks.base import Advice, Finding, Outcome, ScanContext
from dtc.scans.checks.registry import register

CHECK_ID = "web.dnssec"
SECURE, INSECURE, BOGUS, EXPIRED = "secure", "insecure", "bogus", "expired"

# The IANA root zone trust anchors (https://data.iana.org/root-anchors/root-anchors.xml): KSK-2017 and KSK-2024.
ROOT_TRUST_ANCHORS = (
    ". 172800 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
    ". 172800 IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
)

# RFC 8624 §3.1, column "DNSSEC signing", and §3.3, column "DNSSEC delegation" (DS digest types).
SIGNING_LEVELS = {
    1: "MUST NOT", 3: "MUST NOT", 5: "NOT RECOMMENDED", 6: "MUST NOT", 7: "NOT RECOMMENDED", 8: "MUST",
    10: "NOT RECOMMENDED", 12: "MUST NOT", 13: "MUST", 14: "MAY", 15: "RECOMMENDED", 16: "MAY",
}
DIGEST_LEVELS = {0: "MUST NOT", 1: "MUST NOT", 2: "MUST", 3: "MUST NOT", 4: "MAY"}
PHASE_OUT, FORBIDDEN = "NOT RECOMMENDED", "MUST NOT"

# The algorithms we can validate (everything in RFC 8624 but ECC-GOST), with dnspython's key classes.
PUBLIC_KEYS: dict[int, Any] = {
    1: rsa.PublicRSAMD5, 3: dsa.PublicDSA, 5: rsa.PublicRSASHA1, 6: dsa.PublicDSANSEC3SHA1,
    7: rsa.PublicRSASHA1NSEC3SHA1, 8: rsa.PublicRSASHA256, 10: rsa.PublicRSASHA512,
    13: ecdsa.PublicECDSAP256SHA256, 14: ecdsa.PublicECDSAP384SHA384, 15: eddsa.PublicED25519,
    16: eddsa.PublicED448,
}
DIGESTS = frozenset({DSDigest.SHA1, DSDigest.SHA256, DSDigest.SHA384})


def algorithm_name(number: int) -> str:
    return Algorithm.to_text(number)


def digest_name(number: int) -> str:
    return {1: "SHA-1", 2: "SHA-256", 3: "GOST R 34.11-94", 4: "SHA-384"}.get(number, str(number))


@dataclass(frozen=True)
class Delegation:
    """One secure zone cut on the way down: the DS at the parent and the child's keys."""

    zone: str
    ds: tuple[str, ...]                  # "key tag, algorithm, digest type, digest…" as published
    dnskeys: tuple[str, ...]             # "tag 2371 ECDSAP256SHA256 KSK"
    algorithms: tuple[int, ...]          # of the DNSKEY RRset
    digest_types: tuple[int, ...]        # of the DS RRset


@dataclass(frozen=True)
class DnssecData:
    domain: str
    status: str          # SECURE, INSECURE, BOGUS, EXPIRED, a dnsutil failure, "nxdomain" or "no_anchor"
    anchor: str = ""                     # the trust anchor's zone
    zone: str = ""                       # the domain's zone, as far as the walk got
    chain: tuple[Delegation, ...] = ()
    reason: str = ""                     # e.g. "ds_mismatch", "signature_invalid", "no_signature", "no_ds"
    failed_at: str = ""                  # "<name> <type>" where the chain broke
    signed_without_ds: bool = False      # insecure, yet the zone has DNSKEYs: the DS is missing at the parent

    @property
    def own_zone(self) -> Delegation | None:
        """The domain's own zone, when the chain reached it."""
        return self.chain[-1] if self.chain and self.chain[-1].zone == self.zone else None


# --- signatures (RFC 4034 §3.1.8.1, §6) -----------------------------------------------------------


def signature_data(rrset: dns.rrset.RRset, rrsig: Any) -> bytes:
    """The data an RRSIG signs: its own fields without the signature, then the RRset in canonical form
    (owner lower case, wildcard restored from the label count, original TTL, RDATA sorted)."""
    data = struct.pack("!HBBIIIH", rrsig.type_covered, rrsig.algorithm, rrsig.labels, rrsig.original_ttl,
                       rrsig.expiration, rrsig.inception, rrsig.key_tag) + _wire(rrsig.signer)
    owner = rrset.name
    if rrsig.labels < len(owner) - 1:  # RFC 4035 §5.3.2: an answer synthesised from a wildcard
        owner = dns.name.Name((b"*", *owner.labels[-(rrsig.labels + 1):]))
    head = _wire(owner) + struct.pack("!HHI", rrset.rdtype, rrset.rdclass, rrsig.original_ttl)
    for rdata in sorted({rdata.to_digestable() for rdata in rrset}):
        data += head + struct.pack("!H", len(rdata)) + rdata
    return data


def _wire(name: dns.name.Name) -> bytes:
    return name.canonicalize().to_wire() or b""


def check_rrset(rrset: dns.rrset.RRset, rrsigs: Iterable[Any], keys: Iterable[Any], signer: dns.name.Name,
                *, now: float | None = None) -> tuple[str, str]:
    """("ok", ""), or (EXPIRED | BOGUS, reason): does a signature by one of `keys` of zone `signer` hold?"""
    now = time.time() if now is None else now
    keys = list(keys)
    reasons = []
    for rrsig in rrsigs:
        candidates = [key for key in keys if key.algorithm == rrsig.algorithm and key.key_id() == rrsig.key_tag
                      and key.flags & Flag.ZONE and key.protocol == 3]  # RFC 4034 §2.1.1, §2.1.2
        if rrsig.signer != signer or rrsig.type_covered != rrset.rdtype or not candidates:
            reasons.append("unknown_key")
        elif rrsig.algorithm not in PUBLIC_KEYS:
            reasons.append("unsupported_algorithm")
        elif rrsig.expiration < now:
            reasons.append("expired")
        elif rrsig.inception > now:
            reasons.append("not_yet_valid")
        elif any(_verifies(key, rrsig, signature_data(rrset, rrsig)) for key in candidates):
            return "ok", ""
        else:
            reasons.append("signature_invalid")
    if not reasons:
        return BOGUS, "no_signature"
    if "expired" in reasons:
        return EXPIRED, "expired"
    return BOGUS, next((r for r in reasons if r != "unknown_key"), "unknown_key")


def _verifies(key: Any, rrsig: Any, data: bytes) -> bool:
    try:
        PUBLIC_KEYS[rrsig.algorithm].from_dnskey(key).verify(rrsig.signature, data)
    except (InvalidSignature, ValueError, TypeError, dns.exception.DNSException):
        return False
    return True


def ds_matches(owner: dns.name.Name, ds: Any, key: Any) -> bool:
    """RFC 4034 §5.1.4: the DS digest is over the owner name and the DNSKEY RDATA."""
    if ds.algorithm != key.algorithm or ds.key_tag != key.key_id():
        return False
    made = dns.dnssec.make_ds(owner, key, ds.digest_type, policy=dns.dnssec.allow_all_policy, validating=True)
    return bool(made.digest == ds.digest)


# --- trust anchors --------------------------------------------------------------------------------


def trust_anchors(value: Any = None) -> dict[dns.name.Name, list[Any]]:
    """DS or DNSKEY rdata per anchor zone, from master-file text (one string or several), dnspython RRsets,
    or None for the IANA root anchors."""
    items = ROOT_TRUST_ANCHORS if value is None else [value] if isinstance(value, str | dns.rrset.RRset) else value
    anchors: dict[dns.name.Name, list[Any]] = {}
    for item in items:
        rdatasets: list[tuple[dns.name.Name, Any]]
        if isinstance(item, dns.rrset.RRset):
            rdatasets = [(item.name, item)]
        else:
            parsed = dns.zone.from_text(item, origin=dns.name.root, relativize=False, check_origin=False)
            rdatasets = list(parsed.iterate_rdatasets())
        for name, rdataset in rdatasets:
            if rdataset.rdtype in (dns.rdatatype.DS, dns.rdatatype.DNSKEY):
                anchors.setdefault(name, []).extend(rdataset)
    return anchors


# --- network --------------------------------------------------------------------------------------


@dataclass
class _Reply:
    status: str                          # "ok", "nodata", "nxdomain" or a dnsutil failure
    rrset: dns.rrset.RRset | None = None
    rrsigs: tuple[Any, ...] = ()


class _Dns:
    """The context's resolver, asking with DO and CD set, without a cache (RRSIGs must come along)."""

    def __init__(self, context: ScanContext) -> None:
        self.resolver = copy.copy(context.resolver)
        self.resolver.cache = None
        self.resolver.use_edns(0, dns.flags.DO, 1232)
        self.resolver.flags = dns.flags.RD | dns.flags.CD

    def query(self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType, *,
              or_cname: bool = False) -> _Reply:
        try:
            answer = self.resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False)
        except (dns.exception.DNSException, OSError) as error:
            return _Reply(dnsutil.status_of(error))
        response = answer.response
        for wanted in (rdtype, dns.rdatatype.CNAME) if or_cname else (rdtype,):
            rrset = response.get_rrset(response.answer, name, dns.rdataclass.IN, wanted)
            if rrset is not None:
                sigs = response.get_rrset(response.answer, name, dns.rdataclass.IN, dns.rdatatype.RRSIG,
                                          covers=wanted)
                return _Reply("ok", rrset, tuple(sigs) if sigs is not None else ())
        return _Reply("nodata")


def _dnskey_text(key: Any) -> str:
    role = "KSK" if key.flags & Flag.SEP else "ZSK"
    return f"tag {key.key_id()} {algorithm_name(key.algorithm)} {role}"


def _ds_text(ds: Any) -> str:
    return f"{ds.key_tag} {ds.algorithm} {ds.digest_type} {ds.digest.hex()[:16]}…"


def _zone_keys(zone: dns.name.Name, trusted: list[Any], dnskey: _Reply, *,
               now: float) -> tuple[str, str, Delegation | None]:
    """Validate a zone's DNSKEY RRset against DS (or DNSKEY) rdata from the parent or the trust anchor."""
    ds_set = [rd for rd in trusted if rd.rdtype == dns.rdatatype.DS]
    supported = [ds for ds in ds_set if ds.algorithm in PUBLIC_KEYS and ds.digest_type in DIGESTS]
    anchor_keys = [rd for rd in trusted if rd.rdtype == dns.rdatatype.DNSKEY]
    if ds_set and not supported and not anchor_keys:
        return INSECURE, "unsupported_algorithm", None  # RFC 4035 §5.2
    if dnskey.rrset is None:
        return BOGUS, "no_dnskey", None
    keys = list(dnskey.rrset)
    entry = [key for key in keys if key in anchor_keys or any(ds_matches(zone, ds, key) for ds in supported)]
    delegation = Delegation(zone=zone.to_text(omit_final_dot=True) or ".", ds=tuple(_ds_text(ds) for ds in ds_set),
                            dnskeys=tuple(_dnskey_text(key) for key in keys),
                            algorithms=tuple(sorted({key.algorithm for key in keys})),
                            digest_types=tuple(sorted({ds.digest_type for ds in ds_set})))
    if not entry:
        return BOGUS, "ds_mismatch", delegation
    status, reason = check_rrset(dnskey.rrset, dnskey.rrsigs, entry, zone, now=now)
    return ("ok" if status == "ok" else status), reason, delegation


def walk(context: ScanContext, name: str, rdtype: str | None = None) -> DnssecData:
    """Validate the chain of trust down to `name` and its `rdtype` RRset (None: the SOA at a zone apex,
    else the A record, else the zone's SOA)."""
    domain = name.strip().lower().rstrip(".")
    target = dns.name.from_text(domain)
    anchors = trust_anchors(context.dnssec_trust_anchors)
    anchor = max((zone for zone in anchors if target.is_subdomain(zone)), key=len, default=None)
    if anchor is None:
        return DnssecData(domain=domain, status="no_anchor")
    found: dict[str, Any] = {"domain": domain, "anchor": anchor.to_text(omit_final_dot=True) or "."}
    client = _Dns(context)
    now = time.time()

    def stop(status: str, zone: dns.name.Name, chain: list[Delegation], reason: str = "", failed_at: str = "",
             **more: Any) -> DnssecData:
        return DnssecData(status=status, zone=zone.to_text(omit_final_dot=True) or ".", chain=tuple(chain),
                          reason=reason, failed_at=failed_at, **found, **more)

    zone, chain = anchor, list[Delegation]()
    dnskey = client.query(anchor, dns.rdatatype.DNSKEY)
    if dnskey.status in dnsutil.FAILED:
        return stop(dnskey.status, zone, chain, failed_at=f"{anchor} DNSKEY")
    status, reason, delegation = _zone_keys(anchor, anchors[anchor], dnskey, now=now)
    chain += [delegation] if delegation else []
    if status != "ok":
        return stop(status, zone, chain, reason, f"{anchor} DNSKEY")
    keys = list(dnskey.rrset or ())

    for depth in range(len(anchor) + 1, len(target) + 1):
        child = target.split(depth)[1]
        ds = client.query(child, dns.rdatatype.DS)
        if ds.status in dnsutil.FAILED or ds.status == "nxdomain":
            return stop(ds.status, zone, chain, failed_at=f"{child} DS")
        if ds.rrset is None:
            soa = client.query(child, dns.rdatatype.SOA)
            if soa.status in dnsutil.FAILED:
                return stop(soa.status, zone, chain, failed_at=f"{child} SOA")
            if soa.rrset is not None:  # a zone cut without DS: the chain of trust ends here
                island = client.query(child, dns.rdatatype.DNSKEY).rrset is not None
                return stop(INSECURE, child, chain, "no_ds", f"{child} DS", signed_without_ds=island)
            continue
        status, reason = check_rrset(ds.rrset, ds.rrsigs, keys, zone, now=now)
        if status != "ok":
            return stop(status, zone, chain, reason, f"{child} DS")
        dnskey = client.query(child, dns.rdatatype.DNSKEY)
        if dnskey.status in dnsutil.FAILED:
            return stop(dnskey.status, child, chain, failed_at=f"{child} DNSKEY")
        status, reason, delegation = _zone_keys(child, list(ds.rrset), dnskey, now=now)
        chain += [delegation] if delegation else []
        if status != "ok":
            return stop(status, child, chain, reason, f"{child} DNSKEY")
        zone, keys = child, list(dnskey.rrset or ())

    wanted = dns.rdatatype.from_text(rdtype or ("SOA" if zone == target else "A"))
    reply = client.query(target, wanted, or_cname=True)
    if reply.status in dnsutil.FAILED or reply.status == "nxdomain":
        return stop(reply.status, zone, chain, failed_at=f"{target} {dns.rdatatype.to_text(wanted)}")
    if reply.rrset is None:
        reply = client.query(zone, dns.rdatatype.SOA)
        if reply.rrset is None:
            return stop(reply.status if reply.status in dnsutil.FAILED else BOGUS, zone, chain, "no_soa",
                        f"{zone} SOA")
    status, reason = check_rrset(reply.rrset, reply.rrsigs, keys, zone, now=now)
    checked = f"{reply.rrset.name} {dns.rdatatype.to_text(reply.rrset.rdtype)}"
    if status != "ok":
        return stop(status, zone, chain, reason, checked)
    return stop(SECURE, zone, chain)


def collect(target: str, *, context: ScanContext) -> DnssecData:
    return walk(context, target)


# --- judgement ------------------------------------------------------------------------------------


def _finding(outcome: Outcome, code: str, subject: str, **detail: object) -> Finding:
    return Finding(check=CHECK_ID, outcome=outcome, code=code, subject=subject, detail=dict(detail))


def _chain_detail(data: DnssecData) -> dict[str, object]:
    return {"anchor": data.anchor, "zone": data.zone,
            "chain": [{"zone": step.zone, "ds": list(step.ds), "dnskeys": list(step.dnskeys)} for step in data.chain]}


def _grade_algorithms(data: DnssecData, own: Delegation) -> list[Finding]:
    algorithms = [{"number": number, "name": algorithm_name(number),
                   "rfc8624": SIGNING_LEVELS.get(number, "—")} for number in own.algorithms]
    digests = [{"number": number, "name": digest_name(number), "rfc8624": DIGEST_LEVELS.get(number, "—")}
               for number in own.digest_types]
    detail = {"zone": own.zone, "algorithms": algorithms, "digests": digests}
    findings = []
    if forbidden := [a["name"] for a in algorithms if a["rfc8624"] == FORBIDDEN]:
        findings.append(_finding(Outcome.FAIL, "dnssec.algorithm_forbidden", data.domain, **detail, found=forbidden))
    if phase_out := [a["name"] for a in algorithms if a["rfc8624"] == PHASE_OUT]:
        findings.append(_finding(Outcome.WARN, "dnssec.algorithm_phaseout", data.domain, **detail, found=phase_out))
    if weak := [d["name"] for d in digests if d["rfc8624"] == FORBIDDEN]:
        findings.append(_finding(Outcome.FAIL, "dnssec.digest_forbidden", data.domain, **detail, found=weak))
    return findings or [_finding(Outcome.PASS, "dnssec.algorithm_ok", data.domain, **detail)]


@register(id=CHECK_ID, category="web")
def evaluate(data: DnssecData) -> list[Finding]:
    if data.status not in (SECURE, INSECURE, BOGUS, EXPIRED):
        error = data.status if data.status in ("no_anchor", "nxdomain") else f"dns_{data.status}"
        return [_finding(Outcome.NOT_TESTED, "dnssec.not_tested", data.domain, error=error, failed_at=data.failed_at)]
    detail = _chain_detail(data)
    if data.status == INSECURE:
        return [_finding(Outcome.FAIL, "dnssec.insecure", data.domain, **detail, reason=data.reason,
                         signed_without_ds=data.signed_without_ds)]
    if data.status in (BOGUS, EXPIRED):
        code = "dnssec.expired" if data.status == EXPIRED else "dnssec.bogus"
        return [_finding(Outcome.FAIL, code, data.domain, **detail, reason=data.reason, failed_at=data.failed_at)]
    findings = [_finding(Outcome.PASS, "dnssec.secure", data.domain, **detail)]
    own = data.own_zone
    return findings + (_grade_algorithms(data, own) if own else [])


ADVICE: dict[str, Advice] = {
    "dnssec.secure": Advice(
        title=_("Je domein is beveiligd met DNSSEC"),
        meaning=_("De gegevens van je domein in de DNS zijn digitaal ondertekend, en de keten van handtekeningen "
                  "klopt tot aan de basis van het internet. Niemand kan bezoekers dan ongemerkt naar een vals "
                  "adres sturen."),
        urgency="low", fixer="dns"),
    "dnssec.insecure": Advice(
        title=_("Je domein gebruikt geen DNSSEC"),
        meaning=_("De gegevens van je domein in de DNS zijn niet ondertekend. Een aanvaller kan bezoekers of e-mail "
                  "dan ongemerkt naar een vals adres sturen. De meeste DNS-providers zetten DNSSEC met één klik "
                  "of op verzoek aan, zonder extra kosten."),
        urgency="medium", fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns domein is nog niet beveiligd met DNSSEC (zie de technische details). "
                  "Willen jullie DNSSEC aanzetten: de zone ondertekenen, bij voorkeur met algoritme 13 "
                  "(ECDSAP256SHA256), en het DS-record bij de registry (voor .nl: SIDN) laten zetten? Als de zone "
                  "al ondertekend is, ontbreekt alleen nog het DS-record.\n\nAlvast bedankt.")),
    "dnssec.bogus": Advice(
        title=_("De DNSSEC-handtekeningen van je domein kloppen niet"),
        meaning=_("Je domein gebruikt DNSSEC, maar een handtekening of de sleutel bij de registry past niet. "
                  "Internetproviders die DNSSEC controleren, weigeren je domein dan helemaal: je website en je "
                  "e-mail zijn voor hun klanten onbereikbaar. Dit moet vandaag nog opgelost worden."),
        urgency="high", fixer="dns",
        message=_("Beste DNS-beheerder,\n\nDe DNSSEC-keten van ons domein is kapot (zie de technische details: "
                  "waar het misgaat en waarom). Resolvers die DNSSEC controleren, geven daardoor een foutmelding "
                  "voor ons domein. Willen jullie met spoed de zone opnieuw ondertekenen en controleren of het "
                  "DS-record bij de registry bij de huidige sleutel past? Lukt dat niet snel, haal dan eerst het "
                  "DS-record weg.\n\nAlvast bedankt.")),
    "dnssec.expired": Advice(
        title=_("De DNSSEC-handtekeningen van je domein zijn verlopen"),
        meaning=_("DNSSEC-handtekeningen gelden maar een paar dagen of weken en moeten steeds vernieuwd worden. "
                  "Bij je domein is dat gestopt. Internetproviders die DNSSEC controleren, weigeren je domein nu: je "
                  "website en je e-mail zijn voor hun klanten onbereikbaar."),
        urgency="high", fixer="dns",
        message=_("Beste DNS-beheerder,\n\nDe DNSSEC-handtekeningen (RRSIG-records) van ons domein zijn verlopen "
                  "(zie de technische details). Willen jullie met spoed de zone opnieuw ondertekenen en nagaan "
                  "waarom het automatisch vernieuwen is gestopt?\n\nAlvast bedankt.")),
    "dnssec.algorithm_ok": Advice(
        title=_("Je domein gebruikt een goed DNSSEC-algoritme"),
        meaning=_("De sleutels en de verwijzing bij de registry gebruiken algoritmen die volgens de standaard "
                  "(RFC 8624) veilig zijn."),
        urgency="low", fixer="dns"),
    "dnssec.algorithm_phaseout": Advice(
        title=_("Je domein gebruikt een verouderd DNSSEC-algoritme"),
        meaning=_("Je DNSSEC-sleutels gebruiken een algoritme dat niet meer wordt aangeraden (bijvoorbeeld met "
                  "SHA-1). Het werkt nog, maar wordt uitgefaseerd. Plan een overstap."),
        urgency="medium", fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns domein gebruikt voor DNSSEC een algoritme dat volgens RFC 8624 niet "
                  "meer wordt aangeraden (zie de technische details). Willen jullie een algoritme-rollover plannen "
                  "naar algoritme 13 (ECDSAP256SHA256)?\n\nAlvast bedankt.")),
    "dnssec.algorithm_forbidden": Advice(
        title=_("Je domein gebruikt een onveilig DNSSEC-algoritme"),
        meaning=_("Je DNSSEC-sleutels gebruiken een algoritme dat niet meer gebruikt mag worden. Veel "
                  "internetproviders controleren het niet meer, zodat je domein in feite onbeschermd is."),
        urgency="high", fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns domein gebruikt voor DNSSEC een algoritme dat volgens RFC 8624 niet "
                  "meer gebruikt mag worden (zie de technische details). Willen jullie een algoritme-rollover doen "
                  "naar algoritme 13 (ECDSAP256SHA256)?\n\nAlvast bedankt.")),
    "dnssec.digest_forbidden": Advice(
        title=_("De DNSSEC-verwijzing bij de registry gebruikt een onveilige hash"),
        meaning=_("Het DS-record van je domein (de verwijzing naar je sleutel bij de registry) gebruikt SHA-1 of "
                  "een andere hash die niet meer gebruikt mag worden."),
        urgency="medium", fixer="dns",
        message=_("Beste DNS-beheerder,\n\nHet DS-record van ons domein gebruikt een hash die volgens RFC 8624 niet "
                  "meer gebruikt mag worden (zie de technische details). Willen jullie bij de registry een DS-record "
                  "met SHA-256 (digest type 2) zetten en het oude weghalen?\n\nAlvast bedankt.")),
    "dnssec.not_tested": Advice(
        title=_("We konden DNSSEC voor je domein niet testen"),
        meaning=_("De DNS gaf geen (bruikbaar) antwoord. Dat zegt nog niets over je beveiliging. We proberen het "
                  "later opnieuw."),
        urgency="low", fixer="dns"),
}
