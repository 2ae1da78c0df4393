"""IPv6: can visitors and resolvers that use IPv6 reach the domain's name servers and website?

Rules (network in `collect`, judgement in `evaluate`), after internet.nl's "Modern address (IPv6)" test:
- Name servers: the NS records of the zone that holds the host (found by climbing from the host to the
  zone apex, where the SOA is: RFC 1034 §4.3.2 / RFC 2181 §6.1). At least two of them need an IPv6
  address (AAAA, RFC 3596): two or more pass, one warns, none fails. internet.nl also asks that they
  answer over IPv6; we only check that the AAAA records are there.
- Web server address: the host has an AAAA record (RFC 3596). A host with an IPv4 address (A) but no
  AAAA fails; a name without any address is no website, so this check does not apply to it.
- Reachability: every AAAA address accepts a TCP connection (RFC 9293 §3.5) on the HTTPS or the HTTP
  port (`context.https_port` / `context.http_port`). Like internet.nl, an address that is published but
  refuses both ports fails: visitors on IPv6 cannot open the site there. A timeout, or an error on our
  side (e.g. the scanner has no IPv6 route: ENETUNREACH), is "not tested", never a fail.
- Same content over IPv6 and IPv4 (internet.nl compares the two pages): not done here, on purpose; it
  needs an HTTP fetch per address family and a fuzzy page comparison, and is left for later.

The caller scans the apex and www separately; both give the name-server finding, whose `subject` is
the zone apex, so the orchestration can show it once.
"""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dtc.scans.checks.base import Advice, Finding, Outcome, ScanContext
from dtc.scans.checks.dnsutil import FAILED, resolve
from dtc.scans.checks.registry import register

CHECK_ID = "web.ipv6"
MAX_NAMESERVERS = 10   # at most this many NS names are looked up
MAX_ADDRESSES = 8      # at most this many AAAA addresses of the host are connected to
MAX_LEVELS = 10        # labels climbed from the host to find the zone apex


@dataclass(frozen=True)
class NameServer:
    name: str                       # lower case, no trailing dot
    ipv6: tuple[str, ...] = ()
    status: str = "ok"              # of the AAAA query: "ok", "nodata", "nxdomain", or an error status


@dataclass(frozen=True)
class Connect:
    """One TCP connection attempt to an IPv6 address."""

    address: str
    port: int
    scheme: str                     # "https" or "http": which of the context's ports this is
    result: str                     # "open", "refused", "timeout", "no_route" (our side), "error"


@dataclass(frozen=True)
class Ipv6Data:
    host: str
    zone: str = ""                  # the zone apex (where the SOA is); "" when not found
    zone_status: str = "ok"         # of the SOA climb / NS query: "ok", "nodata", or an error status
    nameservers: tuple[NameServer, ...] = ()
    aaaa_status: str = "ok"         # of the host's AAAA query
    ipv6: tuple[str, ...] = ()
    a_status: str = "ok"            # of the host's A query
    ipv4: tuple[str, ...] = ()
    connects: tuple[Connect, ...] = ()


# --- network ---------------------------------------------------------------------------------------


def _find_zone(context: ScanContext, host: str) -> tuple[str, str]:
    """(status, apex): climb from `host` until a name owns an SOA record itself (not via a CNAME)."""
    labels = host.split(".")
    for index in range(min(len(labels), MAX_LEVELS)):
        name = ".".join(labels[index:])
        status, answer = resolve(context, name, "SOA")
        if status in FAILED:
            return status, ""
        if answer is not None and answer.rrset is not None and answer.rrset.name.to_text().rstrip(".").lower() == name:
            return "ok", name
        # "nodata", "nxdomain", or an SOA reached through a CNAME: the apex is higher up
    return "nodata", ""


def _nameserver(context: ScanContext, name: str) -> NameServer:
    status, answer = resolve(context, name, "AAAA")
    if answer is None or answer.rrset is None:
        return NameServer(name=name, status=status)
    return NameServer(name=name, ipv6=tuple(sorted(rr.to_text() for rr in answer.rrset)))


def _addresses(context: ScanContext, host: str, rdtype: str) -> tuple[str, tuple[str, ...]]:
    status, answer = resolve(context, host, rdtype)
    if answer is None or answer.rrset is None:
        return status, ()
    return "ok", tuple(sorted(rr.to_text() for rr in answer.rrset))


# Errors that say the scanner itself cannot reach IPv6 (no route, no address), not that the site is down.
_OUR_SIDE = frozenset({errno.ENETUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT, errno.EHOSTUNREACH})


def _connect(address: str, port: int, timeout: float) -> str:
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return "open"
    except ConnectionRefusedError:
        return "refused"
    except TimeoutError:
        return "timeout"
    except OSError as error:
        return "no_route" if error.errno in _OUR_SIDE else "error"


def collect(target: str, *, context: ScanContext) -> Ipv6Data:
    host = target.lower().rstrip(".")
    zone_status, apex = _find_zone(context, host)
    nameservers: tuple[NameServer, ...] = ()
    if zone_status == "ok":
        status, answer = resolve(context, apex, "NS")
        if answer is None or answer.rrset is None:
            zone_status = status
        else:
            names = sorted({rr.target.to_text().rstrip(".").lower() for rr in answer.rrset})
            nameservers = tuple(_nameserver(context, name) for name in names[:MAX_NAMESERVERS])
    aaaa_status, ipv6 = _addresses(context, host, "AAAA")
    a_status, ipv4 = _addresses(context, host, "A")
    connects = []
    for address in ipv6[:MAX_ADDRESSES]:
        for scheme, port in (("https", context.https_port), ("http", context.http_port)):
            connects.append(Connect(address, port, scheme, _connect(address, port, context.timeout)))
    return Ipv6Data(host=host, zone=apex, zone_status=zone_status, nameservers=nameservers,
                    aaaa_status=aaaa_status, ipv6=ipv6, a_status=a_status, ipv4=ipv4, connects=tuple(connects))


# --- judgement -------------------------------------------------------------------------------------


def _finding(outcome: Outcome, code: str, subject: str = "", **detail: object) -> Finding:
    return Finding(check=CHECK_ID, outcome=outcome, code=code, subject=subject, detail=dict(detail))


def _judge_nameservers(data: Ipv6Data) -> Finding:
    subject = data.zone or data.host
    if data.zone_status != "ok" or not data.nameservers:
        return _finding(Outcome.NOT_TESTED, "ipv6.ns_error", subject, error=data.zone_status)
    servers = [{"name": ns.name, "ipv6": list(ns.ipv6), "status": ns.status} for ns in data.nameservers]
    with_ipv6 = [ns.name for ns in data.nameservers if ns.ipv6]
    failed = [ns.name for ns in data.nameservers if ns.status in FAILED]
    if len(with_ipv6) >= 2:
        return _finding(Outcome.PASS, "ipv6.ns_ok", subject, nameservers=servers)
    if failed:  # the ones we could not look up might have IPv6: no verdict
        return _finding(Outcome.NOT_TESTED, "ipv6.ns_error", subject, error="nameserver_lookup",
                        nameservers=servers)
    if with_ipv6:
        return _finding(Outcome.WARN, "ipv6.ns_one", subject, nameservers=servers)
    return _finding(Outcome.FAIL, "ipv6.ns_none", subject, nameservers=servers)


def _address_result(results: list[str]) -> str:
    """One address: open if any port is open; refused if every port refused; else not known."""
    if "open" in results:
        return "open"
    if results and all(result == "refused" for result in results):
        return "refused"
    return "unknown"


def _judge_reachability(data: Ipv6Data) -> Finding:
    per_address: dict[str, list[str]] = {}
    for attempt in data.connects:
        per_address.setdefault(attempt.address, []).append(attempt.result)
    verdicts = {address: _address_result(results) for address, results in per_address.items()}
    attempts = [{"address": c.address, "port": c.port, "scheme": c.scheme, "result": c.result}
                for c in data.connects]
    unreachable = sorted(address for address, verdict in verdicts.items() if verdict == "refused")
    if unreachable:
        return _finding(Outcome.FAIL, "ipv6.web_unreachable", data.host, unreachable=unreachable,
                        attempts=attempts)
    if not verdicts or any(verdict != "open" for verdict in verdicts.values()):
        return _finding(Outcome.NOT_TESTED, "ipv6.web_not_tested", data.host, attempts=attempts)
    return _finding(Outcome.PASS, "ipv6.web_reachable", data.host, attempts=attempts,
                    addresses_not_checked=max(0, len(data.ipv6) - MAX_ADDRESSES))


@register(id=CHECK_ID, category="web", scored=True)
def evaluate(data: Ipv6Data) -> list[Finding]:
    findings = [_judge_nameservers(data)]
    if data.aaaa_status in FAILED:
        findings.append(_finding(Outcome.NOT_TESTED, "ipv6.aaaa_error", data.host, error=data.aaaa_status))
    elif data.aaaa_status == "ok" and data.ipv6:
        findings.append(_finding(Outcome.PASS, "ipv6.aaaa_ok", data.host, ipv6=list(data.ipv6),
                                 ipv4=list(data.ipv4)))
        findings.append(_judge_reachability(data))
    elif data.a_status in FAILED:  # no AAAA, and we do not know whether there is a website at all
        findings.append(_finding(Outcome.NOT_TESTED, "ipv6.aaaa_error", data.host, error=data.a_status))
    elif data.a_status == "ok" and data.ipv4:
        findings.append(_finding(Outcome.FAIL, "ipv6.aaaa_missing", data.host, ipv4=list(data.ipv4)))
    else:  # no A and no AAAA (or the name does not exist): there is no website at this name
        findings.append(_finding(Outcome.NOT_APPLICABLE, "ipv6.no_website", data.host,
                                 rcode=data.aaaa_status.upper()))
    return findings


ADVICE: dict[str, Advice] = {
    "ipv6.ns_ok": Advice(
        title=_("De DNS-servers van je domein zijn bereikbaar via IPv6"),
        meaning=_("Minstens twee DNS-servers van je domein hebben een IPv6-adres. Ook computers die alleen het "
                  "nieuwe internetadres (IPv6) gebruiken, kunnen je domein vinden."),
        urgency="low",
        fixer="dns",
    ),
    "ipv6.ns_one": Advice(
        title=_("Maar één DNS-server van je domein heeft een IPv6-adres"),
        meaning=_("Computers die alleen IPv6 gebruiken, kunnen je domein maar via één DNS-server vinden. Valt die "
                  "uit, dan is je website of e-mail voor hen onvindbaar. Twee is de norm."),
        urgency="low",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nVan de DNS-servers (NS-records) van ons domein heeft er maar één een "
                  "IPv6-adres (AAAA-record). Wilt u ervoor zorgen dat minstens twee DNS-servers van ons domein "
                  "een AAAA-record hebben en via IPv6 antwoorden? Kan dat niet op uw huidige servers, wilt u "
                  "dan laten weten welke DNS-servers met IPv6 we kunnen gebruiken?\n\nAlvast bedankt."),
    ),
    "ipv6.ns_none": Advice(
        title=_("De DNS-servers van je domein zijn niet bereikbaar via IPv6"),
        meaning=_("Geen enkele DNS-server van je domein heeft een IPv6-adres. Computers en netwerken die alleen "
                  "het nieuwe internetadres (IPv6) gebruiken, kunnen je domein niet vinden."),
        urgency="medium",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nGeen van de DNS-servers (NS-records) van ons domein heeft een "
                  "IPv6-adres (AAAA-record). Wilt u ervoor zorgen dat minstens twee DNS-servers van ons domein "
                  "een AAAA-record hebben en via IPv6 antwoorden? Kan dat niet, wilt u dan laten weten welke "
                  "DNS-servers met IPv6 we kunnen gebruiken?\n\nAlvast bedankt."),
    ),
    "ipv6.ns_error": Advice(
        title=_("We konden de DNS-servers van je domein niet controleren"),
        meaning=_("De DNS gaf geen (bruikbaar) antwoord over de DNS-servers van je domein. Dat zegt nog niets "
                  "over je IPv6. We proberen het bij de volgende scan opnieuw."),
        urgency="low",
        fixer="dns",
    ),
    "ipv6.aaaa_ok": Advice(
        title=_("Je website heeft een IPv6-adres"),
        meaning=_("Je website heeft een adres op het nieuwe internet (IPv6). Bezoekers met alleen IPv6 kunnen "
                  "je website vinden."),
        urgency="low",
        fixer="hosting",
    ),
    "ipv6.aaaa_missing": Advice(
        title=_("Je website heeft geen IPv6-adres"),
        meaning=_("Je website heeft alleen een oud internetadres (IPv4), geen nieuw adres (IPv6). Steeds meer "
                  "bezoekers, vooral op mobiel internet, gebruiken IPv6. Zonder IPv6 hangt je website af van "
                  "omwegen bij hun provider."),
        urgency="medium",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nOnze website heeft geen IPv6-adres (geen AAAA-record in de DNS). "
                  "Wilt u IPv6 aanzetten voor onze website en ons het IPv6-adres geven? Dan zetten wij (of onze "
                  "DNS-beheerder) het AAAA-record erbij, bijvoorbeeld 'www IN AAAA <ipv6-adres>' en "
                  "'@ IN AAAA <ipv6-adres>'.\n\nAlvast bedankt."),
    ),
    "ipv6.aaaa_error": Advice(
        title=_("We konden het IPv6-adres van je website niet opvragen"),
        meaning=_("De DNS gaf geen antwoord op tijd over het adres van je website. Dat zegt nog niets over je "
                  "IPv6. We proberen het bij de volgende scan opnieuw."),
        urgency="low",
        fixer="dns",
    ),
    "ipv6.no_website": Advice(
        title=_("Op deze naam staat geen website"),
        meaning=_("Deze naam heeft geen internetadres (geen IPv4 en geen IPv6). Er staat dus geen website op. "
                  "Controleer of je de naam goed hebt getypt. De IPv6-test voor de website is daarom niet van "
                  "toepassing."),
        urgency="low",
        fixer="you",
    ),
    "ipv6.web_reachable": Advice(
        title=_("Je website is bereikbaar via IPv6"),
        meaning=_("Je webserver neemt verbindingen aan op zijn IPv6-adres. Bezoekers met IPv6 kunnen je website "
                  "openen."),
        urgency="low",
        fixer="hosting",
    ),
    "ipv6.web_unreachable": Advice(
        title=_("Je website heeft een IPv6-adres, maar is daar niet bereikbaar"),
        meaning=_("In de DNS staat een IPv6-adres voor je website, maar de webserver weigert daar verbindingen. "
                  "Bezoekers met IPv6 krijgen je website dan soms traag of helemaal niet te zien. Dat is erger "
                  "dan geen IPv6-adres."),
        urgency="high",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nIn de DNS van onze website staat een IPv6-adres (AAAA-record), maar "
                  "de webserver neemt op dat adres geen verbindingen aan op poort 443 (HTTPS) en poort 80 (HTTP). "
                  "Wilt u de webserver ook op dit IPv6-adres laten luisteren (en de firewall openzetten)? Lukt "
                  "dat niet snel, wilt u dan laten weten welk IPv6-adres wel klopt, of het AAAA-record "
                  "weghalen tot het werkt?\n\nAlvast bedankt."),
    ),
    "ipv6.web_not_tested": Advice(
        title=_("We konden niet testen of je website via IPv6 bereikbaar is"),
        meaning=_("Je webserver gaf op zijn IPv6-adres niet op tijd antwoord, of ons testsysteem kon het adres "
                  "niet bereiken. Dat zegt nog niets over je website. We proberen het bij de volgende scan "
                  "opnieuw."),
        urgency="low",
        fixer="hosting",
    ),
}
