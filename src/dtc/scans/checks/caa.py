"""CAA (RFC 8659): does the domain say which certificate authorities may issue certificates for it?

Advice only (not scored), as internet.nl shows it. Rules (network in `collect`, judgement in `evaluate`):
- §3: the "relevant RRset" is found by climbing the tree from the name up to, not including, the root;
  the first non-empty CAA RRset applies (CNAMEs are followed by the resolver as for any query).
  A lookup failure is "could not test": CAs must not issue then either, but it says nothing about
  the records the business published.
- §4.2/§4.3: "issue" and "issuewild" values: an issuer domain name and optional parameters, or ";"
  alone (no CA at all). A malformed value may make CAs refuse or ignore it.
- §4.4: "iodef" is a mailto:, http: or https: URL where CAs report refused requests.
- §4.1: flag 128 ("issuer critical") on a tag the CA does not understand makes it refuse to issue;
  on a tag outside the RFC's own (issue, issuewild, iodef) that blocks certificate renewals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from dtc.scans.checks.base import Advice, Finding, Outcome, ScanContext
from dtc.scans.checks.dnsutil import FAILED, resolve
from dtc.scans.checks.registry import register

CHECK_ID = "web.caa"
CRITICAL = 128                               # RFC 8659 §4.1, the "issuer critical" flag
KNOWN_TAGS = frozenset({"issue", "issuewild", "iodef"})

_LABEL = r"[A-Za-z0-9](?:-*[A-Za-z0-9])*"
_PARAMETER = rf"{_LABEL}[ \t]*=[ \t]*[\x21-\x3a\x3c-\x7e]*"
_ISSUE_VALUE = re.compile(  # RFC 8659 §4.2 issue-value
    rf"^[ \t]*(?:{_LABEL}(?:\.{_LABEL})*[ \t]*)?(?:;[ \t]*(?:{_PARAMETER}(?:[ \t]*;[ \t]*{_PARAMETER})*[ \t]*)?)?$"
)


@dataclass(frozen=True)
class CaaRecord:
    flags: int
    tag: str              # as published
    value: str


@dataclass(frozen=True)
class CaaData:
    domain: str
    status: str                          # "found", "none", or an error status (timeout, servfail, ...)
    found_at: str = ""                   # the name whose CAA RRset applies
    records: tuple[CaaRecord, ...] = ()
    error_at: str = ""                   # the name whose lookup failed


# --- network ---------------------------------------------------------------------------------------


def collect(target: str, *, context: ScanContext) -> CaaData:
    domain = target.lower().rstrip(".")
    labels = domain.split(".")
    for index in range(len(labels)):  # RFC 8659 §3: climb towards, but not including, the root
        name = ".".join(labels[index:])
        status, answer = resolve(context, name, "CAA")
        if status in ("nxdomain", "nodata"):
            continue
        if answer is None or answer.rrset is None:
            return CaaData(domain=domain, status=status, error_at=name)
        records = tuple(CaaRecord(flags=int(rr.flags), tag=rr.tag.decode("ascii", "replace"),
                                  value=rr.value.decode("utf-8", "replace")) for rr in answer.rrset)
        return CaaData(domain=domain, status="found", found_at=name, records=records)
    return CaaData(domain=domain, status="none")


# --- judgement -------------------------------------------------------------------------------------


def _finding(outcome: Outcome, code: str, subject: str = "", **detail: object) -> Finding:
    return Finding(check=CHECK_ID, outcome=outcome, code=code, subject=subject, detail=dict(detail))


def _valid_iodef(value: str) -> bool:
    """RFC 8659 §4.4: a mailto: URL with an address, or an http(s): URL with a host."""
    parts = urlsplit(value.strip())
    if parts.scheme.lower() == "mailto":
        return "@" in parts.path
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def issuer_of(value: str) -> str:
    """The issuer domain name of a valid issue/issuewild value ("" = no CA may issue)."""
    return value.split(";", 1)[0].strip().lower()


@register(id=CHECK_ID, category="web", scored=False)
def evaluate(data: CaaData) -> list[Finding]:
    if data.status in FAILED:
        return [_finding(Outcome.NOT_TESTED, "caa.error", data.domain, error=data.status, name=data.error_at)]
    if data.status != "found":
        return [_finding(Outcome.WARN, "caa.missing", data.domain)]

    findings = []
    issue: list[str] = []
    issuewild: list[str] = []
    iodef: list[str] = []
    for record in data.records:
        tag = record.tag.lower()  # §4.1.1: tags match case-insensitively
        shown = f"{record.flags} {record.tag} \"{record.value}\""
        if tag not in KNOWN_TAGS:
            if record.flags & CRITICAL:
                findings.append(_finding(Outcome.FAIL, "caa.unknown_critical", data.found_at, record=shown))
            continue
        valid = _valid_iodef(record.value) if tag == "iodef" else bool(_ISSUE_VALUE.match(record.value))
        if not valid:
            findings.append(_finding(Outcome.WARN, "caa.invalid", data.found_at, record=shown))
            continue
        if tag == "iodef":
            iodef.append(record.value.strip())
        else:
            (issue if tag == "issue" else issuewild).append(issuer_of(record.value) or ";")
    detail = {"found_at": data.found_at, "inherited": data.found_at != data.domain, "issue": issue,
              "issuewild": issuewild, "iodef": iodef}
    if not issue and not any(f.code == "caa.invalid" for f in findings):
        # §4.2: without "issue" any CA may issue ordinary certificates; the records restrict little.
        findings.append(_finding(Outcome.WARN, "caa.no_issue", data.found_at, **detail))
    if not findings:
        findings.append(_finding(Outcome.PASS, "caa.ok", data.found_at, **detail))
    return findings


ADVICE: dict[str, Advice] = {
    "caa.ok": Advice(
        title=_("Je domein zegt welke organisaties certificaten mogen uitgeven"),
        meaning=_("Met CAA-records staat in de DNS welke certificaatuitgevers een certificaat voor je website "
                  "mogen maken. Een andere uitgever weigert dan. Zo is het moeilijker om een vals certificaat "
                  "voor je domein te krijgen."),
        urgency="low",
        fixer="dns",
    ),
    "caa.missing": Advice(
        title=_("Je domein heeft geen CAA-record"),
        meaning=_("Elke certificaatuitgever mag nu een certificaat voor je website maken. Met een CAA-record "
                  "beperk je dat tot de uitgever die je echt gebruikt. Dit is een extra maatregel, geen "
                  "verplichting."),
        urgency="low",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nWilt u voor ons domein een CAA-record toevoegen met de "
                  "certificaatuitgever die we gebruiken, bijvoorbeeld:\n\n@ CAA 0 issue \"letsencrypt.org\"\n\n"
                  "(vervang letsencrypt.org door de uitgever van ons certificaat). Controleer eerst welke "
                  "uitgever onze website en andere diensten gebruiken, anders lukt het vernieuwen van een "
                  "certificaat niet meer.\n\nAlvast bedankt."),
    ),
    "caa.no_issue": Advice(
        title=_("Je CAA-records beperken niet wie certificaten mag uitgeven"),
        meaning=_("Je domein heeft CAA-records, maar geen 'issue'-record. Daardoor mag nog steeds elke "
                  "certificaatuitgever een gewoon certificaat voor je website maken."),
        urgency="low",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns domein heeft CAA-records, maar geen 'issue'-record. Wilt u een "
                  "record toevoegen met de certificaatuitgever die we gebruiken, bijvoorbeeld:\n\n"
                  "@ CAA 0 issue \"letsencrypt.org\"\n\nAlvast bedankt."),
    ),
    "caa.invalid": Advice(
        title=_("Een CAA-record van je domein is niet goed geschreven"),
        meaning=_("Een CAA-record heeft een schrijffout. Certificaatuitgevers kunnen het verkeerd lezen. Dan "
                  "lukt het vernieuwen van je certificaat misschien niet, of het record beschermt niets."),
        urgency="medium",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nEen CAA-record van ons domein is niet goed geschreven (zie de "
                  "technische details). Een goed 'issue'-record ziet er zo uit: '@ CAA 0 issue "
                  "\"letsencrypt.org\"'; een 'iodef'-record bevat een mailto:- of https:-adres. Wilt u het "
                  "record verbeteren?\n\nAlvast bedankt."),
    ),
    "caa.unknown_critical": Advice(
        title=_("Een CAA-record blokkeert mogelijk al je certificaten"),
        meaning=_("Een CAA-record is als 'kritiek' gemarkeerd (vlag 128), maar gebruikt een onbekend soort "
                  "record. Certificaatuitgevers die het niet kennen, moeten dan weigeren. Je certificaat kan dan "
                  "niet vernieuwd worden en je website wordt onbereikbaar via https."),
        urgency="high",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns domein heeft een CAA-record met vlag 128 ('kritiek') bij een "
                  "onbekende tag (zie de technische details). Daardoor mogen certificaatuitgevers geen "
                  "certificaat meer maken. Wilt u de vlag op 0 zetten of het record verwijderen?\n\n"
                  "Alvast bedankt."),
    ),
    "caa.error": Advice(
        title=_("We konden de CAA-records van je domein niet opvragen"),
        meaning=_("De DNS gaf geen (bruikbaar) antwoord. Dat zegt nog niets over je beveiliging. Blijft dit zo, "
                  "dan kunnen certificaatuitgevers ook geen certificaat voor je maken."),
        urgency="low",
        fixer="dns",
    ),
}
