"""DANE for mail: do the MX hosts publish TLSA records, and do they match the certificate the server sends?

Rules (network in `collect`, judgement in `evaluate`):
- RFC 7672 §2.2: the TLSA records of an MX host are at _25._tcp.<mx host> (port 25, whatever port we
  test on); without MX the domain itself (implicit MX, RFC 5321 §5.1). A null MX: not applicable.
- RFC 6698 §2.1: usage, selector (0 full certificate, 1 SubjectPublicKeyInfo) and matching type (0 exact,
  1 SHA-256, 2 SHA-512). RFC 7672 §3.1.3: for SMTP only DANE-TA(2) and DANE-EE(3) are usable; PKIX-TA(0)
  and PKIX-EE(1) records, and unknown selectors or matching types, are unusable.
- DANE-EE(3) matches the leaf certificate; name and expiry do not matter (RFC 7672 §3.1.1). DANE-TA(2)
  matches an issuer certificate in the chain the server sends; the leaf must chain up to it, carry the MX
  host name and be valid (RFC 7672 §3.1.2, §3.2.2).
- RFC 7672 §2.2: with usable TLSA records a sender must use TLS; a server without working STARTTLS gets
  no mail from DANE senders.
- DANE needs DNSSEC (RFC 7672 §2.1, §2.2): the TLSA RRset is validated with the DNSSEC check's chain walk
  (checks/dnssec.py). Only from a secure zone do TLSA records count: a match then passes, a mismatch fails.
  From an insecure zone senders ignore them (warn); a bogus or expired TLSA RRset makes DANE senders hold
  the mail back (RFC 7672 §2.2.2: fail). DNS trouble during the walk is "could not test". Unscored.
The certificate chain comes from starttls.probe (one plain SMTP session per address, cached per (ip,
port)), so after mail.starttls this check opens no new connection.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.utils.translation import gettext_lazy as _

from dtc.scans.checks import dnssec, dnsutil, starttls
from dtc.scans.checks.base import Advice, Finding, Outcome, ScanContext
from dtc.scans.checks.registry import register
from dtc.scans.checks.tls import hostname_matches

CHECK_ID = "mail.dane"
DANE_TA, DANE_EE = 2, 3
USAGES = {0: "PKIX-TA", 1: "PKIX-EE", 2: "DANE-TA", 3: "DANE-EE"}
SELECTORS = {0: "Cert", 1: "SPKI"}
MATCHING = {0: "Full", 1: "SHA2-256", 2: "SHA2-512"}


@dataclass(frozen=True)
class Tlsa:
    usage: int
    selector: int
    matching_type: int
    data: str                      # hex, lower case

    @property
    def usable(self) -> bool:
        return self.usage in (DANE_TA, DANE_EE) and self.selector in SELECTORS and self.matching_type in MATCHING

    def describe(self) -> str:
        return (f"{self.usage} ({USAGES.get(self.usage, '?')}) {self.selector} ({SELECTORS.get(self.selector, '?')}) "
                f"{self.matching_type} ({MATCHING.get(self.matching_type, '?')}) {self.data[:16]}…")


@dataclass(frozen=True)
class DaneHost:
    host: str
    tlsa_name: str
    status: str                    # TLSA query: "ok", "nodata", "nxdomain", or a failure; or the address failure
    records: tuple[Tlsa, ...] = ()
    probes: tuple[starttls.Probe, ...] = ()
    dnssec: str = ""               # the TLSA RRset's DNSSEC status (dnssec.DnssecData.status), when records exist
    dnssec_reason: str = ""


@dataclass(frozen=True)
class DaneData:
    domain: str
    status: str                    # as StarttlsData.status
    hosts: tuple[DaneHost, ...] = ()


# --- network --------------------------------------------------------------------------------------


def collect(target: str, *, context: ScanContext) -> DaneData:
    domain = target.strip().lower().rstrip(".")
    status, _implicit, hosts, _not_checked = starttls.mail_hosts(context, domain)
    if status != "ok":
        return DaneData(domain=domain, status=status)
    found = []
    for _preference, host in hosts:
        name = f"_25._tcp.{host}"
        tlsa_status, answer = dnsutil.resolve(context, name, "TLSA")
        records = tuple(Tlsa(int(rr.usage), int(rr.selector), int(rr.mtype), rr.cert.hex())
                        for rr in (answer.rrset if answer is not None and answer.rrset is not None else ()))
        probes: tuple[starttls.Probe, ...] = ()
        validation = dnssec.walk(context, name, "TLSA") if records else None
        if records:  # only then is the certificate needed (from the STARTTLS probe's cache when it ran)
            address_status, addresses = dnsutil.addresses(context, host)
            if address_status != "ok":
                tlsa_status = address_status if address_status in dnsutil.FAILED else "no_address"
            probes = tuple(starttls.probe(context, host, address) for address in addresses[:starttls.MAX_ADDRESSES])
        found.append(DaneHost(host=host, tlsa_name=name, status=tlsa_status, records=records, probes=probes,
                              dnssec=validation.status if validation else "",
                              dnssec_reason=validation.reason if validation else ""))
    return DaneData(domain=domain, status="ok", hosts=tuple(found))


# --- matching (RFC 6698 §2.1, RFC 7671 §5) --------------------------------------------------------


def association(cert: x509.Certificate, selector: int, matching_type: int) -> bytes:
    """The certificate association data a TLSA record with this selector and matching type holds."""
    data = cert.public_bytes(Encoding.DER) if selector == 0 else cert.public_key().public_bytes(
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    if matching_type == 1:
        return hashlib.sha256(data).digest()
    if matching_type == 2:
        return hashlib.sha512(data).digest()
    return data


def _matches(record: Tlsa, cert: x509.Certificate) -> bool:
    return association(cert, record.selector, record.matching_type).hex() == record.data


def _ta_path_ok(host: str, chain: list[x509.Certificate], anchor: int, now: dt.datetime) -> bool:
    """The leaf chains up to chain[anchor] through the certificates in between, and names the host."""
    try:
        for index in range(anchor):
            chain[index].verify_directly_issued_by(chain[index + 1])
    except (ValueError, TypeError, x509.InvalidSignature):
        return False
    leaf = chain[0]
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName) if _has_san(leaf) else []
    return (hostname_matches(host, tuple(n.lower() for n in names))
            and leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc)


def _has_san(cert: x509.Certificate) -> bool:
    try:
        cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return False
    return True


def matching_records(host: str, records: tuple[Tlsa, ...], chain_der: tuple[bytes, ...],
                     now: dt.datetime | None = None) -> list[Tlsa]:
    """The usable records that authenticate this chain (RFC 7672 §3.1)."""
    now = now or dt.datetime.now(dt.UTC)
    chain = [x509.load_der_x509_certificate(der) for der in chain_der]
    found = []
    for record in records:
        if not record.usable or not chain:
            continue
        if record.usage == DANE_EE and _matches(record, chain[0]):
            found.append(record)
        elif record.usage == DANE_TA and any(_matches(record, chain[index]) and _ta_path_ok(host, chain, index, now)
                                             for index in range(1, len(chain))):
            found.append(record)
    return found


# --- judgement ------------------------------------------------------------------------------------


def _finding(outcome: Outcome, code: str, subject: str, **detail: object) -> Finding:
    return Finding(check=CHECK_ID, outcome=outcome, code=code, subject=subject, detail=dict(detail))


def _judge_host(host: DaneHost) -> list[Finding]:
    if host.status in dnsutil.FAILED:
        return [_finding(Outcome.NOT_TESTED, "dane.not_tested", host.host, error=f"dns_{host.status}",
                         tlsa_name=host.tlsa_name)]
    if not host.records:
        return [_finding(Outcome.INFO, "dane.missing", host.host, tlsa_name=host.tlsa_name)]
    records = [record.describe() for record in host.records]
    if not any(record.usable for record in host.records):
        return [_finding(Outcome.WARN, "dane.unusable", host.host, tlsa_name=host.tlsa_name, records=records)]
    if host.dnssec == dnssec.INSECURE:
        return [_finding(Outcome.WARN, "dane.not_signed", host.host, tlsa_name=host.tlsa_name, records=records)]
    if host.dnssec in (dnssec.BOGUS, dnssec.EXPIRED):
        return [_finding(Outcome.FAIL, "dane.bogus", host.host, tlsa_name=host.tlsa_name, records=records,
                         dnssec=host.dnssec, reason=host.dnssec_reason)]
    if host.dnssec != dnssec.SECURE:
        return [_finding(Outcome.NOT_TESTED, "dane.not_tested", host.host, error=f"dnssec_{host.dnssec}",
                         tlsa_name=host.tlsa_name, records=records)]
    if not host.probes:
        return [_finding(Outcome.NOT_TESTED, "dane.not_tested", host.host, error=host.status, records=records)]
    findings = []
    for probe in host.probes:
        detail = {"address": probe.address, "tlsa_name": host.tlsa_name, "records": records}
        if probe.status in (starttls.NO_STARTTLS, starttls.TLS_FAILED):
            findings.append(_finding(Outcome.FAIL, "dane.no_tls", host.host, **detail, error=probe.status))
        elif probe.status != starttls.OK:
            findings.append(_finding(Outcome.NOT_TESTED, "dane.not_tested", host.host, **detail, error=probe.status))
        elif matched := matching_records(host.host, host.records, probe.chain_der):
            findings.append(_finding(Outcome.PASS, "dane.match", host.host, **detail,
                                     matched=[record.describe() for record in matched], dnssec_verified=True))
        else:
            findings.append(_finding(Outcome.FAIL, "dane.mismatch", host.host, **detail))
    return findings


@register(id=CHECK_ID, category="mail", scored=False)
def evaluate(data: DaneData) -> list[Finding]:
    if data.status in ("null_mx", "no_mail_server"):
        return [_finding(Outcome.NOT_APPLICABLE, "dane.not_applicable", data.domain, reason=data.status)]
    if data.status != "ok":
        return [_finding(Outcome.NOT_TESTED, "dane.not_tested", data.domain, error=f"dns_{data.status}")]
    return [finding for host in data.hosts for finding in _judge_host(host)]


ADVICE: dict[str, Advice] = {
    "dane.match": Advice(
        title=_("Je mailserver gebruikt DANE en het TLSA-record klopt"),
        meaning=_("Het TLSA-record in de DNS is met DNSSEC ondertekend en past bij het certificaat van je "
                  "mailserver. Verzenders die DANE gebruiken, weten zo zeker dat ze met jouw echte mailserver "
                  "praten."),
        urgency="low", fixer="dns"),
    "dane.not_signed": Advice(
        title=_("Het TLSA-record van je mailserver telt niet, want DNSSEC ontbreekt"),
        meaning=_("Je mailserver heeft een TLSA-record (DANE), maar dat staat in een deel van de DNS zonder DNSSEC. "
                  "Verzenders negeren het dan, omdat een aanvaller het zou kunnen vervalsen. DANE beschermt je "
                  "e-mail dus nog niet."),
        urgency="medium", fixer="dns",
        message=_("Beste DNS-beheerder,\n\nVoor onze mailserver staat een TLSA-record (DANE) in de DNS, maar de zone "
                  "waarin het staat, is niet met DNSSEC beveiligd (zie de technische details). Willen jullie DNSSEC "
                  "aanzetten voor die zone, inclusief het DS-record bij de registry?\n\nAlvast bedankt.")),
    "dane.bogus": Advice(
        title=_("Het TLSA-record van je mailserver heeft een ongeldige DNSSEC-handtekening"),
        meaning=_("De DNSSEC-handtekening op het TLSA-record (DANE) klopt niet of is verlopen. Verzenders die DANE "
                  "gebruiken, houden je e-mail dan vast en leveren niet af."),
        urgency="high", fixer="dns",
        message=_("Beste DNS-beheerder,\n\nDe DNSSEC-handtekening op het TLSA-record van onze mailserver klopt niet "
                  "of is verlopen (zie de technische details). Verzenders met DANE leveren daardoor geen e-mail af. "
                  "Willen jullie met spoed de zone opnieuw ondertekenen en de DNSSEC-keten controleren?\n\n"
                  "Alvast bedankt.")),
    "dane.missing": Advice(
        title=_("Je mailserver gebruikt geen DANE"),
        meaning=_("Met DANE (een TLSA-record, samen met DNSSEC) kunnen verzenders controleren dat ze echt met jouw "
                  "mailserver praten. Zo kan niemand je e-mail onderweg omleiden. Het is een extra; veel "
                  "e-mailproviders bieden het nog niet aan."),
        urgency="low", fixer="mail",
        message=_("Beste e-mailprovider,\n\nOndersteunen jullie DANE voor onze mailserver? Daarvoor zijn DNSSEC op "
                  "ons domein en een TLSA-record nodig, bijvoorbeeld '_25._tcp.<mailserver> TLSA 3 1 1 <hash van "
                  "de publieke sleutel>'. Als jullie het ondersteunen, willen jullie dan laten weten welk record "
                  "we moeten zetten?\n\nAlvast bedankt.")),
    "dane.mismatch": Advice(
        title=_("Het TLSA-record past niet bij het certificaat van je mailserver"),
        meaning=_("Je TLSA-record (DANE) noemt een ander certificaat dan je mailserver laat zien. Verzenders die "
                  "DANE controleren, leveren je e-mail dan niet af. Dit gebeurt vaak na het vernieuwen van een "
                  "certificaat."),
        urgency="high", fixer="dns",
        message=_("Beste DNS-beheerder,\n\nHet TLSA-record van onze mailserver (zie de technische details) past niet "
                  "bij het certificaat dat de mailserver nu gebruikt. Willen jullie het TLSA-record bijwerken naar "
                  "het huidige certificaat, bij voorkeur als '3 1 1' (hash van de publieke sleutel)? Zet bij een "
                  "volgende vernieuwing eerst het nieuwe record naast het oude.\n\nAlvast bedankt.")),
    "dane.unusable": Advice(
        title=_("Het TLSA-record van je mailserver is niet bruikbaar voor e-mail"),
        meaning=_("Je mailserver heeft een TLSA-record, maar van een soort die verzenders voor e-mail niet "
                  "gebruiken (alleen '2' en '3' als eerste getal tellen). DANE beschermt je e-mail dus niet."),
        urgency="medium", fixer="dns",
        message=_("Beste DNS-beheerder,\n\nHet TLSA-record van onze mailserver gebruikt een soort die voor e-mail "
                  "niet geldt (zie de technische details). Willen jullie het vervangen door een record van het "
                  "type '3 1 1' (hash van de publieke sleutel van het certificaat van de mailserver)?\n\n"
                  "Alvast bedankt.")),
    "dane.no_tls": Advice(
        title=_("Je mailserver heeft DANE, maar de versleuteling werkt niet"),
        meaning=_("Door het TLSA-record eisen verzenders een versleutelde verbinding. Je mailserver biedt die niet "
                  "(goed) aan. Verzenders die DANE gebruiken, leveren je e-mail dan niet af."),
        urgency="high", fixer="mail",
        message=_("Beste e-mailprovider,\n\nVoor onze mailserver staat een TLSA-record (DANE) in de DNS, maar de "
                  "server biedt geen werkende STARTTLS aan op poort 25. Willen jullie STARTTLS aanzetten met het "
                  "certificaat dat bij het TLSA-record past, of anders het TLSA-record laten verwijderen?\n\n"
                  "Alvast bedankt.")),
    "dane.not_tested": Advice(
        title=_("We konden DANE voor je mailserver niet testen"),
        meaning=_("De DNS of je mailserver gaf geen antwoord, of de mailserver was te druk. Dat zegt niets over je "
                  "beveiliging. We proberen het later opnieuw."),
        urgency="low", fixer="mail"),
    "dane.not_applicable": Advice(
        title=_("DANE is niet van toepassing"),
        meaning=_("Je domein ontvangt geen e-mail (of heeft geen mailserver), dus er is niets om met DANE te "
                  "beschermen."),
        urgency="low", fixer="dns"),
}
