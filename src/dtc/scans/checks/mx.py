"""MX: does the domain say where its mail goes, and can a sender actually reach those servers?

Rules (network in `collect`, judgement in `evaluate`):
- RFC 5321 §5.1: senders look up the MX records and deliver to the listed hosts; each host must
  resolve to an address (A/AAAA). Without MX a sender falls back to the domain's own address
  ("implicit MX"), which is rarely what a business wants.
- RFC 7505: a single "MX 0 ." (null MX) says "this domain receives no mail". It must be the only MX
  record. With a null MX the other mail checks (STARTTLS, DANE, ...) do not apply.
- RFC 2181 §10.3: an MX must name a host, not an alias (CNAME); many mail servers cope, some do not.
- RFC 5321 §5.1 / RFC 1035 §3.3.9: the exchange is a domain name; an IP address written there is
  looked up as a (non-existent) name, so mail cannot be delivered.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dtc.scans.checks.base import Advice, Finding, Outcome, ScanContext
from dtc.scans.checks.dnsutil import FAILED, mx_records, resolve
from dtc.scans.checks.registry import register

CHECK_ID = "mail.mx"
MAX_HOSTS = 10  # at most this many MX hosts are looked up (bounds the work per domain)


@dataclass(frozen=True)
class MxHost:
    name: str                      # exchange, lower case, no trailing dot
    preference: int
    ip_literal: bool = False       # the exchange is an IP address, not a host name
    cname: str = ""                # the alias target when the exchange is a CNAME
    ipv4: tuple[str, ...] = ()
    ipv6: tuple[str, ...] = ()
    status: str = "ok"             # "ok", "nxdomain", "nodata", or an error status (timeout, servfail, ...)


@dataclass(frozen=True)
class MxData:
    domain: str
    status: str                    # of the MX query: "ok", "nodata", "nxdomain", "timeout", "servfail", ...
    records: tuple[tuple[int, str], ...] = ()  # (preference, exchange); the root is written "."
    hosts: tuple[MxHost, ...] = ()
    hosts_not_checked: int = 0     # MX records beyond MAX_HOSTS

    @property
    def null_mx(self) -> bool:
        """RFC 7505: the domain publishes only "MX 0 ." — it receives no mail."""
        return self.status == "ok" and any(exchange == "." for _pref, exchange in self.records)

    @property
    def receives_mail(self) -> bool | None:
        """For the orchestration: False skips the other mail checks (not applicable); None = unknown."""
        if self.status in FAILED:
            return None
        if self.null_mx and len(self.records) == 1:
            return False
        return self.status == "ok"


# --- network ---------------------------------------------------------------------------------------


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def _host(context: ScanContext, name: str, preference: int) -> MxHost:
    if _is_ip_literal(name):
        return MxHost(name=name, preference=preference, ip_literal=True, status="nxdomain")
    statuses, addresses, cname = [], {}, ""
    for rdtype in ("A", "AAAA"):
        status, answer = resolve(context, name, rdtype, keep_nodata=True)  # a CNAME shows on "nodata" too
        statuses.append(status)
        rrset = answer.rrset if answer is not None else None
        addresses[rdtype] = tuple(sorted(rr.to_text() for rr in rrset)) if rrset is not None else ()
        if answer is not None and not cname:
            canonical = answer.canonical_name.to_text().rstrip(".").lower()
            if canonical != name:
                cname = canonical
    if addresses["A"] or addresses["AAAA"]:
        status = "ok"
    else:
        errors = [s for s in statuses if s in FAILED]
        status = errors[0] if errors else ("nxdomain" if "nxdomain" in statuses else "nodata")
    return MxHost(name=name, preference=preference, cname=cname, ipv4=addresses["A"],
                  ipv6=addresses["AAAA"], status=status)


def collect(target: str, *, context: ScanContext) -> MxData:
    domain = target.lower().rstrip(".")
    status, records = mx_records(context, domain)
    if status != "ok":
        return MxData(domain=domain, status=status)
    real = [(pref, exchange) for pref, exchange in records if exchange != "."]
    hosts = tuple(_host(context, exchange, pref) for pref, exchange in real[:MAX_HOSTS])
    return MxData(domain=domain, status="ok", records=tuple(records), hosts=hosts,
                  hosts_not_checked=max(0, len(real) - MAX_HOSTS))


# --- judgement -------------------------------------------------------------------------------------


def _finding(outcome: Outcome, code: str, subject: str = "", **detail: object) -> Finding:
    return Finding(check=CHECK_ID, outcome=outcome, code=code, subject=subject, detail=dict(detail))


@register(id=CHECK_ID, category="mail", scored=True)
def evaluate(data: MxData) -> list[Finding]:
    if data.status in FAILED:
        return [_finding(Outcome.NOT_TESTED, "mx.error", data.domain, error=data.status)]
    if data.status == "nxdomain":
        return [_finding(Outcome.NOT_TESTED, "mx.no_domain", data.domain)]
    if data.status == "nodata" or not data.records:
        return [_finding(Outcome.WARN, "mx.missing", data.domain)]
    records = [f"{pref} {exchange}" for pref, exchange in data.records]
    if data.null_mx:
        # RFC 7505 §3: a null MX has preference 0 and is the domain's only MX record.
        if len(data.records) == 1 and data.records[0][0] == 0:
            return [_finding(Outcome.PASS, "mx.null", data.domain, records=records, receives_mail=False)]
        return [_finding(Outcome.FAIL, "mx.null_invalid", data.domain, records=records)]

    findings = []
    for host in data.hosts:
        if host.ip_literal:
            findings.append(_finding(Outcome.FAIL, "mx.ip_literal", host.name, preference=host.preference))
            continue
        if host.status in FAILED:
            findings.append(_finding(Outcome.NOT_TESTED, "mx.host_error", host.name, error=host.status))
            continue
        if host.status != "ok":
            findings.append(_finding(Outcome.FAIL, "mx.host_no_address", host.name, preference=host.preference,
                                     rcode=host.status.upper()))
        if host.cname:
            findings.append(_finding(Outcome.WARN, "mx.cname", host.name, alias_of=host.cname))
    if not findings:
        hosts = [{"name": h.name, "preference": h.preference, "ipv4": list(h.ipv4), "ipv6": list(h.ipv6)}
                 for h in data.hosts]
        findings.append(_finding(Outcome.PASS, "mx.ok", data.domain, records=records, hosts=hosts,
                                 hosts_not_checked=data.hosts_not_checked, receives_mail=True))
    return findings


ADVICE: dict[str, Advice] = {
    "mx.ok": Advice(
        title=_("Je domein heeft goede mailservers (MX)"),
        meaning=_("Andere mailservers kunnen vinden waar ze e-mail voor jouw domein moeten afleveren."),
        urgency="low",
        fixer="dns",
    ),
    "mx.null": Advice(
        title=_("Je domein meldt dat het geen e-mail ontvangt"),
        meaning=_("Je domein heeft een 'null MX'-record. Dat is de juiste manier om te zeggen dat er geen e-mail "
                  "binnenkomt. Verzenders krijgen meteen een duidelijke foutmelding. De andere mailtests zijn "
                  "daarom niet van toepassing."),
        urgency="low",
        fixer="dns",
    ),
    "mx.missing": Advice(
        title=_("Je domein heeft geen MX-record"),
        meaning=_("Er staat niet in de DNS welke server e-mail voor je domein ontvangt. Verzenders proberen dan "
                  "je webserver, of geven het na een paar dagen op. Ontvang je geen e-mail op dit domein? Zeg dat "
                  "dan duidelijk met een 'null MX'-record."),
        urgency="medium",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nVoor ons domein staat geen MX-record in de DNS. Wilt u dit regelen?\n"
                  "- Ontvangen we e-mail op dit domein: zet dan een MX-record naar onze mailserver, bijvoorbeeld "
                  "'@ MX 10 mail.onzeprovider.nl.'.\n- Ontvangen we geen e-mail op dit domein: zet dan het "
                  "null-MX-record '@ MX 0 .' (een punt als servernaam).\n\nAlvast bedankt."),
    ),
    "mx.null_invalid": Advice(
        title=_("Het 'geen e-mail'-record van je domein staat niet goed"),
        meaning=_("Je domein zegt met een 'null MX' dat het geen e-mail ontvangt, maar er staan nog andere "
                  "MX-records naast, of de voorkeurswaarde is niet 0. Verzenders weten dan niet wat ze moeten "
                  "doen. Mail kan verloren gaan."),
        urgency="high",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns domein heeft een null-MX-record ('MX 0 .') samen met andere "
                  "MX-records, of met een andere voorkeur dan 0. Wilt u kiezen:\n- ontvangen we e-mail, verwijder "
                  "dan het record met de punt ('.');\n- ontvangen we geen e-mail, laat dan alleen '@ MX 0 .' "
                  "staan.\n\nAlvast bedankt."),
    ),
    "mx.ip_literal": Advice(
        title=_("Een MX-record verwijst naar een IP-adres in plaats van een servernaam"),
        meaning=_("In een MX-record moet de naam van een mailserver staan, geen IP-adres. Verzenders zoeken het "
                  "IP-adres op als naam en vinden niets. E-mail via dit record komt niet aan."),
        urgency="high",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nIn een MX-record van ons domein staat een IP-adres in plaats van een "
                  "servernaam. Wilt u een naam maken voor de mailserver, bijvoorbeeld 'mail IN A <ip-adres>', en "
                  "het MX-record daarnaar laten wijzen: '@ MX 10 mail.ons-domein.nl.'?\n\nAlvast bedankt."),
    ),
    "mx.host_no_address": Advice(
        title=_("Een mailserver van je domein heeft geen IP-adres"),
        meaning=_("Een MX-record noemt een server die niet bestaat of geen IP-adres (A/AAAA) heeft. Verzenders "
                  "kunnen daar geen e-mail afleveren. Is dit je enige mailserver, dan komt er geen e-mail aan."),
        urgency="high",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nHet MX-record van ons domein verwijst naar een mailserver zonder "
                  "IP-adres (geen A- of AAAA-record). Wilt u een A-record (en zo mogelijk AAAA-record) voor deze "
                  "server aanmaken, of het MX-record laten wijzen naar de juiste mailserver van onze "
                  "e-mailprovider?\n\nAlvast bedankt."),
    ),
    "mx.cname": Advice(
        title=_("Een MX-record verwijst naar een alias (CNAME)"),
        meaning=_("Volgens de standaard moet een MX-record naar de echte naam van de mailserver wijzen, niet naar "
                  "een alias. De meeste servers kunnen ermee omgaan, maar sommige niet. Dan komt e-mail soms niet "
                  "aan."),
        urgency="low",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nEen MX-record van ons domein verwijst naar een naam die een alias "
                  "(CNAME) is. Wilt u het MX-record direct naar de echte servernaam laten wijzen (de naam waar de "
                  "CNAME naar verwijst)?\n\nAlvast bedankt."),
    ),
    "mx.host_error": Advice(
        title=_("We konden een mailserver van je domein niet controleren"),
        meaning=_("De DNS gaf geen antwoord op tijd over deze mailserver. Dat zegt nog niets over je beveiliging. "
                  "We proberen het bij de volgende scan opnieuw."),
        urgency="low",
        fixer="dns",
    ),
    "mx.error": Advice(
        title=_("We konden de mailservers van je domein niet opvragen"),
        meaning=_("De DNS-servers van je domein gaven geen (bruikbaar) antwoord. Dat zegt nog niets over je "
                  "beveiliging. Blijft dit zo, dan kunnen ook verzenders je mailservers niet vinden."),
        urgency="low",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nBij het opvragen van de MX-records van ons domein gaven de "
                  "DNS-servers geen antwoord of een foutmelding. Wilt u controleren of de DNS-servers van ons "
                  "domein goed werken?\n\nAlvast bedankt."),
    ),
    "mx.no_domain": Advice(
        title=_("Dit domein bestaat niet in de DNS"),
        meaning=_("De DNS zegt dat deze domeinnaam niet bestaat. Controleer of je de naam goed hebt getypt. We "
                  "konden de e-mailinstellingen daarom niet testen."),
        urgency="low",
        fixer="you",
    ),
}
