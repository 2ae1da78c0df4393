"""TLS-RPT: does the domain ask other mail servers to report failed encrypted deliveries?

Advice only (not scored), like MTA-STS. Rules, RFC 8460 §3:
- The policy is one TXT record at `_smtp._tls.<domain>` starting with `v=TLSRPTv1;`. Records that do not
  start that way are discarded; when not exactly one remains, or it does not parse, senders MUST act as if
  the domain has no TLS-RPT.
- `rua=` is required, exactly once: one or more report URIs, comma separated, each `mailto:` (an address)
  or `https:` (a URL). Other `name=value` fields are extensions and are ignored.

checkdmarc has a TLS-RPT parser, but it rejects the extension fields the RFC allows, and its lookup uses a
process-wide DNS cache keyed by name only; the rule is a few lines, so it is implemented here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from dtc.scans.checks.base import Advice, Finding, Outcome, ScanContext
from dtc.scans.checks.dnsutil import FAILED, lookup_txt
from dtc.scans.checks.registry import register

CHECK_ID = "mail.tlsrpt"
_FIELD = re.compile(r"([A-Za-z0-9_.-]+)=(.*)", re.DOTALL)   # RFC 8460 tlsrpt-ext-name "=" value


@dataclass(frozen=True)
class TlsRptData:
    domain: str
    name: str                        # _smtp._tls.<domain>
    status: str                      # "ok", "nodata", "nxdomain", or an error: "timeout", "servfail", ...
    records: tuple[str, ...] = ()


# --- network ---------------------------------------------------------------------------------------


def collect(target: str, *, context: ScanContext) -> TlsRptData:
    domain = target.lower().rstrip(".")
    lookup = lookup_txt(context, f"_smtp._tls.{domain}")
    return TlsRptData(domain=domain, name=lookup.name, status=lookup.status, records=lookup.records)


# --- judgement (pure) ------------------------------------------------------------------------------


def is_tlsrpt_record(text: str) -> bool:
    return text.startswith("v=TLSRPTv1")


def record_problems(text: str) -> tuple[list[str], list[str]]:
    """(report URIs, problems) for one `v=TLSRPTv1` record, after the RFC 8460 §3 grammar."""
    fields = [field.strip(" \t") for field in text.split(";")]
    problems: list[str] = []
    if fields[0] != "v=TLSRPTv1" or len(fields) < 2:
        problems.append("version")  # the version must be followed by ";" and at least one field
    rua_values: list[str] = []
    for field in fields[1:]:
        if not field:
            continue  # the optional trailing ";"
        match = _FIELD.fullmatch(field)
        if not match:
            problems.append(f"unreadable: {field}")
        elif match.group(1) == "rua":
            rua_values.append(match.group(2))
    if len(rua_values) != 1:
        problems.append("rua_missing" if not rua_values else "rua_repeated")
    uris = [uri.strip(" \t") for value in rua_values[:1] for uri in value.split(",")]
    for uri in uris:
        scheme, _sep, rest = uri.partition(":")
        if scheme == "mailto" and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", rest):
            continue
        if scheme == "https" and urlsplit(uri).hostname:
            continue
        problems.append(f"bad_uri: {uri}")
    return uris, problems


def _finding(outcome: Outcome, code: str, subject: str = "", **detail: object) -> Finding:
    return Finding(check=CHECK_ID, outcome=outcome, code=code, subject=subject, detail=dict(detail))


@register(id=CHECK_ID, category="mail", scored=False)
def evaluate(data: TlsRptData) -> list[Finding]:
    if data.status in FAILED:
        return [_finding(Outcome.NOT_TESTED, "tlsrpt.not_tested", data.name, error=data.status)]
    records = [record for record in data.records if is_tlsrpt_record(record)]
    if not records:
        return [_finding(Outcome.INFO, "tlsrpt.missing", data.name, status=data.status,
                         other_records=list(data.records))]
    if len(records) > 1:
        return [_finding(Outcome.WARN, "tlsrpt.multiple", data.name, records=records)]
    uris, problems = record_problems(records[0])
    if problems:
        return [_finding(Outcome.WARN, "tlsrpt.invalid", data.name, record=records[0], problems=problems)]
    return [_finding(Outcome.PASS, "tlsrpt.ok", data.name, record=records[0], rua=uris)]


# --- advice ----------------------------------------------------------------------------------------

ADVICE: dict[str, Advice] = {
    "tlsrpt.ok": Advice(
        title=_("Je ontvangt rapporten over versleutelde mailaflevering (TLS-RPT)"),
        meaning=_("Andere mailservers sturen je een rapport als het niet lukt om versleuteld e-mail bij je af "
                  "te leveren. Zo zie je problemen met je mailserver op tijd."),
        urgency="low",
        fixer="dns",
    ),
    "tlsrpt.missing": Advice(
        title=_("Je ontvangt geen rapporten over versleutelde mailaflevering (TLS-RPT)"),
        meaning=_("Met een TLS-RPT-record vraag je andere mailservers om een rapport als versleuteld afleveren "
                  "bij jou mislukt. Het is niet verplicht, maar wel handig, vooral samen met MTA-STS."),
        urgency="low",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nWilt u voor ons domein een TLS-RPT-record toevoegen?\n\n"
                  "_smtp._tls.<ons-domein>  TXT  \"v=TLSRPTv1; rua=mailto:tlsrpt@<ons-domein>\"\n\n"
                  "Alvast bedankt."),
    ),
    "tlsrpt.multiple": Advice(
        title=_("Je domein heeft meer dan één TLS-RPT-record"),
        meaning=_("Er mag maar één TLS-RPT-record zijn. Staan er meer, dan negeren andere mailservers ze "
                  "allemaal en krijg je geen rapporten."),
        urgency="low",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOp _smtp._tls.<ons-domein> staan meerdere records die met "
                  "\"v=TLSRPTv1\" beginnen. Wilt u ze samenvoegen tot één record, bijvoorbeeld "
                  "\"v=TLSRPTv1; rua=mailto:tlsrpt@<ons-domein>\"?\n\nAlvast bedankt."),
    ),
    "tlsrpt.invalid": Advice(
        title=_("Je TLS-RPT-record bevat een fout"),
        meaning=_("Je TLS-RPT-record is niet goed opgebouwd, bijvoorbeeld omdat het rapportadres (rua=) "
                  "ontbreekt of niet met mailto: of https: begint. Andere mailservers negeren het dan."),
        urgency="low",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nHet TLS-RPT-record van ons domein (_smtp._tls.<ons-domein>) is "
                  "ongeldig. Wilt u het vervangen door:\n\n\"v=TLSRPTv1; rua=mailto:tlsrpt@<ons-domein>\"\n\n"
                  "Alvast bedankt."),
    ),
    "tlsrpt.not_tested": Advice(
        title=_("We konden TLS-RPT niet controleren"),
        meaning=_("De DNS gaf geen antwoord op tijd, of gaf een foutmelding. Dat zegt nog niets over je "
                  "beveiliging. We proberen het bij de volgende scan opnieuw."),
        urgency="low",
        fixer="dns",
    ),
}
