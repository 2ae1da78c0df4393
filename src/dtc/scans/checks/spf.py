"""SPF (RFC 7208): may other servers tell which mail servers are allowed to send for this domain?

Rules checked (network in `collect`, judgement in `evaluate`):
- §4.5: exactly one TXT record that starts with "v=spf1" (none: no SPF; more than one: permerror).
- §4.6 and §12: the record must be free of syntax errors, also in every record reached through
  include/redirect (a syntax error anywhere is a permerror).
- §4.6.4: at most 10 terms that make DNS queries (include, a, mx, ptr, exists, redirect), counted
  through include and redirect; at most 2 "void lookups" (an answer that is empty or NXDOMAIN);
  an "mx" term must not name more than 10 mail servers.
- §5.2 / §6.1: an include or redirect target without an SPF record is a permerror; loops never end.
- §5.5: "ptr" SHOULD NOT be used (slow, unreliable) — a warning.
- The policy for everyone else, the "all" at the end (or the one reached through "redirect"):
  "-all" and "~all" pass, as internet.nl judges them (with DMARC, ~all is enough and forwards better);
  "?all", no "all" (neutral) and "+all" fail.
- A domain that receives no mail (null MX, RFC 7505, or no MX at all) and sends none should publish
  "v=spf1 -all" (M3AAWG "Protecting Parked Domains"; internet.nl checks this for null-MX domains).

Why not checkdmarc: it accepts a dnspython Resolver, but its recursive parser mixes DNS and judgement,
keeps a process-wide DNS cache keyed by name (answers leak between scans and test zones), looks up
"exp" targets with the system resolver instead of ours, turns a timeout into "no SPF record" (a
false fail; we need "could not test"), and stops at the first permerror. So the RFC rules are
implemented here on dnspython: `collect` walks the include/redirect tree and records every DNS
answer it needed ("facts"); `evaluate` walks the same tree again over those facts, purely.
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from dtc.scans.checks.base import Advice, Finding, Outcome, ScanContext
from dtc.scans.checks.dnsutil import FAILED, lookup_txt, resolve
from dtc.scans.checks.registry import register

CHECK_ID = "mail.spf"
LOOKUP_LIMIT = 10         # RFC 7208 §4.6.4
VOID_LIMIT = 2            # RFC 7208 §4.6.4
MX_HOST_LIMIT = 10        # RFC 7208 §4.6.4, per "mx" term
WALK_STOP = 20            # we keep counting past the limit up to here, to tell the business how far over
ERROR_STATUSES = FAILED | {"missing"}   # "missing": a fact the walk needed was not collected
VOID_STATUSES = frozenset({"nxdomain", "nodata"})


@dataclass(frozen=True)
class Lookup:
    """One DNS answer: status "ok" (values), "nodata", "nxdomain", or an error status."""

    status: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class SpfData:
    domain: str
    # Every DNS answer the walk needed, keyed "TXT name", "MX name", "A name", "AAAA name" (name lower
    # case, no trailing dot). TXT values are the record's strings joined (RFC 7208 §3.3).
    facts: Mapping[str, Lookup] = field(default_factory=dict)


# --- the record grammar (RFC 7208 §12), shared by both halves -----------------------------------------

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
DNS_TERMS = frozenset({"include", "a", "mx", "ptr", "exists", "redirect"})
_DIRECTIVE = re.compile(r"^([+\-~?]?)([a-z][a-z0-9_.\-]*)(.*)$", re.IGNORECASE)
_MODIFIER = re.compile(r"^([a-z][a-z0-9_.\-]*)=(.*)$", re.IGNORECASE)
_MACRO = re.compile(r"%\{([a-z])(\d*)(r?)([.\-+,/_=]*)\}|%%|%_|%-", re.IGNORECASE)
_DOMAIN_LETTERS = set("slodiphv")
_EXP_LETTERS = _DOMAIN_LETTERS | set("crt")
_TOPLABEL = re.compile(r"^(?=.*[a-z\-])[a-z0-9]([a-z0-9\-]*[a-z0-9])?$", re.IGNORECASE)  # not all digits


@dataclass(frozen=True)
class Term:
    name: str          # lower case: a mechanism ("all", "include", ...) or a modifier ("redirect", "exp", ...)
    modifier: bool
    qualifier: str     # "+", "-", "~", "?" (mechanisms; "+" when omitted), "" for modifiers
    value: str         # domain-spec or network, without ":"/"=" and without CIDR lengths ("" if none)
    text: str


def is_spf(txt: str) -> bool:
    """RFC 7208 §4.5: exactly "v=spf1", alone or followed by a space (so "v=spf10" is not SPF)."""
    lowered = txt.lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def _check_macro_string(value: str, letters: set[str]) -> str:
    """'' if `value` is a valid macro-string (§7.1), else the reason."""
    rest = value
    for match in _MACRO.finditer(value):
        if match.group(1) and match.group(1).lower() not in letters:
            return f"macro letter '{match.group(1)}' not allowed here"
        rest = rest.replace(match.group(0), "", 1)
    if "%" in rest:
        return "invalid macro (a lone '%')"
    if any(not 0x21 <= ord(char) <= 0x7E for char in rest):
        return "invalid character"
    return ""


def _check_domain_spec(value: str) -> str:
    """'' if `value` is a valid domain-spec (§7.1: macro-string ending in a real top label or a macro)."""
    if not value:
        return "missing domain"
    problem = _check_macro_string(value, _DOMAIN_LETTERS)
    if problem:
        return problem
    if "%" in value:
        return ""
    labels = value.rstrip(".").split(".")
    if len(labels) < 2 or any(not label or len(label) > 63 for label in labels):
        return "not a domain name"
    if not _TOPLABEL.match(labels[-1]):
        return "not a domain name"
    return ""


def _split_cidr(rest: str) -> tuple[str, str]:
    """Split "example.com/24//64" into ("example.com", "/24//64") (the domain-spec may not contain '/'
    as a CIDR; a macro delimiter '/' lives inside %{...})."""
    match = re.search(r"(/\d*)?(//\d*)?$", rest)
    if match and match.group(0) and not rest[: match.start()].endswith("/"):
        return rest[: match.start()], match.group(0)
    return rest, ""


def _check_dual_cidr(cidr: str) -> str:
    match = re.fullmatch(r"(/\d+)?(//\d+)?", cidr)
    if not match:
        return "invalid CIDR length"
    ip4, ip6 = match.group(1), match.group(2)
    if ip4 and not _valid_length(ip4, 32):
        return "invalid IPv4 CIDR length"
    if ip6 and not _valid_length(ip6[1:], 128):
        return "invalid IPv6 CIDR length"
    return ""


def _valid_length(text: str, maximum: int) -> bool:
    """"/n" with no leading zeros and n <= maximum (§12 ip4-cidr-length, ip6-cidr-length; §5.6)."""
    return bool(re.fullmatch(r"/(0|[1-9]\d*)", text)) and int(text[1:]) <= maximum


def _parse_term(text: str) -> tuple[Term | None, str]:
    # A known mechanism name followed by "=" ("include=x", "ip4=...") is read as a broken mechanism, not as
    # an unknown modifier that receivers silently ignore: it is nearly always a typo for ":".
    modifier = _MODIFIER.match(text)
    if modifier and modifier.group(1).lower() not in MECHANISMS:
        name, value = modifier.group(1).lower(), modifier.group(2)
        if name in ("redirect", "exp"):
            problem = _check_domain_spec(value)
        else:
            problem = _check_macro_string(value, _EXP_LETTERS)
        return (None, problem) if problem else (Term(name, True, "", value, text), "")
    directive = _DIRECTIVE.match(text)
    if not directive or directive.group(2).lower() not in MECHANISMS:
        return None, "unknown mechanism"
    qualifier, name, rest = directive.group(1) or "+", directive.group(2).lower(), directive.group(3)
    if name == "all":
        return (Term(name, False, qualifier, "", text), "") if not rest else (None, "text after 'all'")
    if name in ("include", "exists"):
        if not rest.startswith(":"):
            return None, f"'{name}' needs ':' and a domain"
        problem = _check_domain_spec(rest[1:])
        return (None, problem) if problem else (Term(name, False, qualifier, rest[1:], text), "")
    if name in ("ip4", "ip6"):
        if not rest.startswith(":"):
            return None, f"'{name}' needs ':' and an address"
        address, _slash, length = rest[1:].partition("/")
        try:
            network = ipaddress.ip_address(address)
        except ValueError:
            return None, f"not a valid {name} address"
        if (name == "ip4") != (network.version == 4):
            return None, f"not a valid {name} address"
        if _slash and not _valid_length("/" + length, 32 if name == "ip4" else 128):
            return None, "invalid CIDR length"
        return Term(name, False, qualifier, rest[1:], text), ""
    # a, mx, ptr: optional ":domain-spec"; a and mx also an optional dual CIDR length
    domain, cidr = (_split_cidr(rest) if name in ("a", "mx") else (rest, ""))
    problem = _check_dual_cidr(cidr) if cidr else ""
    if not problem and domain:
        problem = "expected ':'" if not domain.startswith(":") else _check_domain_spec(domain[1:])
    if problem:
        return None, problem
    return Term(name, False, qualifier, domain[1:], text), ""


def parse_record(record: str) -> tuple[list[Term], list[str]]:
    """Terms of an SPF record and its syntax errors (RFC 7208 §4.6, §12). Terms are separated by spaces."""
    parts = record.split(" ")
    if parts[0].lower() != "v=spf1":
        return [], ["does not start with 'v=spf1'"]
    terms, errors = [], []
    for text in parts[1:]:
        if not text:
            continue  # 1*SP between terms
        term, problem = _parse_term(text)
        if problem:
            errors.append(f"{text}: {problem}")
        elif term:
            terms.append(term)
    for name in ("redirect", "exp"):  # §6: each at most once
        if sum(1 for term in terms if term.modifier and term.name == name) > 1:
            errors.append(f"'{name}' appears more than once")
    return terms, errors


# --- the walk over include/redirect, shared by both halves -----------------------------------------


@dataclass
class Walk:
    """What walking the record tree found. `fetch(rdtype, name)` answers the DNS questions."""

    fetch: Callable[[str, str], Lookup]
    lookups: int = 0
    voids: list[str] = field(default_factory=list)               # the names that gave a void answer
    syntax: list[tuple[str, list[str]]] = field(default_factory=list)
    missing: list[tuple[str, str, str]] = field(default_factory=list)  # (domain, "include"/"redirect", target)
    loops: list[str] = field(default_factory=list)
    ptr: list[str] = field(default_factory=list)
    mx_many: list[tuple[str, int]] = field(default_factory=list)
    incomplete: list[tuple[str, str]] = field(default_factory=list)  # (name, status)
    stopped: bool = False                                         # over WALK_STOP: the rest was not walked

    def _void(self, name: str, *answers: Lookup) -> None:
        if all(answer.status in VOID_STATUSES for answer in answers):
            self.voids.append(name)

    def _errors(self, name: str, *answers: Lookup) -> bool:
        bad = [answer.status for answer in answers if answer.status in ERROR_STATUSES]
        if bad and not any(answer.status == "ok" for answer in answers):
            self.incomplete.append((name, bad[0]))
            return True
        return False

    def _target(self, rdtype: str, name: str, kind: str, domain: str, stack: tuple[str, ...]) -> str | None:
        """Fetch the SPF record an include/redirect points to; walk it; return its "all" qualifier."""
        if name in stack:
            self.loops.append(" -> ".join((*stack, name)))
            return None
        answer = self.fetch(rdtype, name)
        if self._errors(name, answer):
            return None
        self._void(name, answer)
        records = [value for value in answer.values if is_spf(value)]
        if not records:
            self.missing.append((domain, kind, name))
            return None
        if len(records) > 1:
            self.syntax.append((name, ["more than one SPF record"]))
            return None
        return self.record(name, records[0], (*stack, name))

    def record(self, domain: str, record: str, stack: tuple[str, ...]) -> str | None:
        """Walk one record. Returns the qualifier of the "all" that applies ("" = none, i.e. neutral),
        or None when it cannot be known (error, missing target)."""
        terms, errors = parse_record(record)
        if errors:
            self.syntax.append((domain, errors))
            return None
        qualifier = ""
        has_all = any(term.name == "all" and not term.modifier for term in terms)
        mechanisms = [term for term in terms if not term.modifier]
        for term in mechanisms:
            if term.name == "all":
                qualifier = term.qualifier
                break  # §5.1: mechanisms after "all" are never evaluated
            self._term(domain, term, stack)
        redirect = next((term for term in terms if term.modifier and term.name == "redirect"), None)
        if redirect is not None and not has_all:  # §6.1: redirect is ignored when there is an "all"
            if not self._count():
                return None
            if "%" in redirect.value:
                return None
            return self._target("TXT", _name(redirect.value), "redirect", domain, stack)
        return qualifier

    def _count(self) -> bool:
        self.lookups += 1
        if self.lookups > WALK_STOP:
            self.stopped = True
            return False
        return True

    def _term(self, domain: str, term: Term, stack: tuple[str, ...]) -> None:
        if term.name not in DNS_TERMS:
            return
        if not self._count():
            return
        if term.name == "ptr":
            self.ptr.append(domain)  # §5.5; its lookups depend on the sender's address: not followed
            return
        if "%" in term.value:
            return  # macros need the sender's details: counted, not followed
        name = _name(term.value) if term.value else domain
        if term.name == "include":
            self._target("TXT", name, "include", domain, stack)
        elif term.name == "a":
            answers = (self.fetch("A", name), self.fetch("AAAA", name))
            if not self._errors(name, *answers):
                self._void(name, *answers)
        elif term.name == "exists":
            answer = self.fetch("A", name)
            if not self._errors(name, answer):
                self._void(name, answer)
        elif term.name == "mx":
            answer = self.fetch("MX", name)
            if not self._errors(name, answer):
                self._void(name, answer)
                if len(answer.values) > MX_HOST_LIMIT:
                    self.mx_many.append((name, len(answer.values)))


def _name(value: str) -> str:
    return value.lower().rstrip(".")


# --- network ---------------------------------------------------------------------------------------


def _query(context: ScanContext, rdtype: str, name: str) -> Lookup:
    if rdtype == "TXT":
        txt = lookup_txt(context, name)
        return Lookup(txt.status, txt.records)
    status, answer = resolve(context, name, rdtype)
    if answer is None or answer.rrset is None:
        return Lookup(status)
    if rdtype == "MX":
        return Lookup("ok", tuple(f"{rr.preference} {rr.exchange.to_text().lower()}" for rr in answer.rrset))
    return Lookup("ok", tuple(rr.to_text() for rr in answer.rrset))


def collect(target: str, *, context: ScanContext) -> SpfData:
    domain = _name(target)
    facts: dict[str, Lookup] = {}
    deadline = time.monotonic() + 3 * context.timeout  # a slow DNS must not hold the whole scan

    def fetch(rdtype: str, name: str) -> Lookup:
        key = f"{rdtype} {name}"
        if key not in facts:
            facts[key] = Lookup("timeout") if time.monotonic() > deadline else _query(context, rdtype, name)
        return facts[key]

    top = fetch("TXT", domain)
    fetch("MX", domain)  # does the domain receive mail? (for the "v=spf1 -all" advice)
    records = [value for value in top.values if is_spf(value)]
    if top.status == "ok" and len(records) == 1:
        Walk(fetch).record(domain, records[0], (domain,))
    return SpfData(domain=domain, facts=facts)


# --- judgement -------------------------------------------------------------------------------------


def _finding(outcome: Outcome, code: str, subject: str = "", **detail: object) -> Finding:
    return Finding(check=CHECK_ID, outcome=outcome, code=code, subject=subject, detail=dict(detail))


def _receives_mail(data: SpfData) -> bool | None:
    """False for a null MX (RFC 7505) or no MX at all; None when the MX lookup failed."""
    mx = data.facts.get(f"MX {data.domain}", Lookup("missing"))
    if mx.status in VOID_STATUSES:
        return False
    if mx.status != "ok":
        return None
    return mx.values != ("0 .",)


def _only_dash_all(record: str) -> bool:
    terms, errors = parse_record(record)
    mechanisms = [term for term in terms if not term.modifier or term.name == "redirect"]
    return not errors and len(mechanisms) == 1 and mechanisms[0].name == "all" and mechanisms[0].qualifier == "-"


@register(id=CHECK_ID, category="mail", scored=True)
def evaluate(data: SpfData) -> list[Finding]:
    domain = data.domain
    top = data.facts.get(f"TXT {domain}", Lookup("missing"))
    if top.status in ERROR_STATUSES:
        return [_finding(Outcome.NOT_TESTED, "spf.error", domain, error=top.status)]
    receives_mail = _receives_mail(data)
    records = [value for value in top.values if is_spf(value)]
    if not records:
        code = "spf.missing_no_mail" if receives_mail is False else "spf.missing"
        return [_finding(Outcome.FAIL, code, domain, suggested="v=spf1 -all" if receives_mail is False else "")]
    if len(records) > 1:
        return [_finding(Outcome.FAIL, "spf.multiple", domain, records=records)]
    record = records[0]

    def fetch(rdtype: str, name: str) -> Lookup:
        return data.facts.get(f"{rdtype} {name}", Lookup("missing"))

    walk = Walk(fetch)
    qualifier = walk.record(domain, record, (domain,))
    findings = []
    for where, errors in walk.syntax:
        findings.append(_finding(Outcome.FAIL, "spf.syntax", where, record=record if where == domain else "",
                                 errors=errors))
    if walk.syntax and walk.syntax[0][0] == domain:
        return findings  # the domain's own record is unusable: nothing else to judge

    for where, kind, target in walk.missing:
        findings.append(_finding(Outcome.FAIL, "spf.include_missing", target, mechanism=kind, in_record_of=where))
    for loop in walk.loops:
        findings.append(_finding(Outcome.FAIL, "spf.loop", domain, loop=loop))
    if walk.lookups > LOOKUP_LIMIT:
        findings.append(_finding(Outcome.FAIL, "spf.too_many_lookups", domain, limit=LOOKUP_LIMIT,
                                 lookups=walk.lookups if not walk.stopped else f">{WALK_STOP}"))
    if len(walk.voids) > VOID_LIMIT:
        findings.append(_finding(Outcome.FAIL, "spf.too_many_void_lookups", domain, limit=VOID_LIMIT,
                                 void_lookups=len(walk.voids), names=walk.voids))
    for name, count in walk.mx_many:
        findings.append(_finding(Outcome.FAIL, "spf.mx_too_many_hosts", name, mx_records=count,
                                 limit=MX_HOST_LIMIT))
    for where in sorted(set(walk.ptr)):
        findings.append(_finding(Outcome.WARN, "spf.ptr", where))
    for name, status in walk.incomplete:
        findings.append(_finding(Outcome.NOT_TESTED, "spf.incomplete", name, error=status))

    if not any(f.outcome in (Outcome.FAIL, Outcome.NOT_TESTED) for f in findings):
        findings.insert(0, _finding(Outcome.PASS, "spf.valid", domain, record=record, lookups=walk.lookups,
                                    void_lookups=len(walk.voids)))
    # The policy for all other senders (§5.1 "all"; through redirect per §6.1).
    if qualifier is not None:
        shown = {"-": "-all", "~": "~all", "?": "?all", "+": "+all", "": "(geen all)"}[qualifier]
        if qualifier in ("-", "~"):
            findings.append(_finding(Outcome.PASS, "spf.policy_ok", domain, all=shown))
        elif qualifier == "+":
            findings.append(_finding(Outcome.FAIL, "spf.all_pass", domain, all=shown))
        else:
            findings.append(_finding(Outcome.FAIL, "spf.all_neutral", domain, all=shown))
    if receives_mail is False and not _only_dash_all(record):
        findings.append(_finding(Outcome.INFO, "spf.no_mail_advice", domain, record=record,
                                 suggested="v=spf1 -all"))
    return findings


ADVICE: dict[str, Advice] = {
    "spf.valid": Advice(
        title=_("Je domein heeft een geldig SPF-record"),
        meaning=_("In de DNS staat één SPF-record zonder fouten. Andere mailservers kunnen zien welke servers "
                  "e-mail namens jouw domein mogen sturen."),
        urgency="low",
        fixer="dns",
    ),
    "spf.policy_ok": Advice(
        title=_("Je SPF-record zegt wat er met andere afzenders moet gebeuren"),
        meaning=_("Het SPF-record eindigt met '-all' of '~all'. Mail van servers die niet in de lijst staan, "
                  "wordt dan geweigerd of als verdacht gezien. Dat maakt misbruik van je naam moeilijker."),
        urgency="low",
        fixer="dns",
    ),
    "spf.missing": Advice(
        title=_("Je domein heeft geen SPF-record"),
        meaning=_("Iedereen kan e-mail sturen die van jouw domein lijkt te komen. Ontvangers kunnen niet "
                  "controleren welke servers namens jou mogen mailen. Zo worden phishingmails met jouw naam "
                  "makkelijker."),
        urgency="high",
        fixer="mail",
        message=_("Beste e-mailprovider,\n\nOns domein heeft nog geen SPF-record. Wilt u een TXT-record maken "
                  "met daarin alle servers die e-mail namens ons sturen, bijvoorbeeld "
                  "'v=spf1 include:<uw SPF-domein> -all'? Denk ook aan andere diensten die namens ons mailen, "
                  "zoals een nieuwsbrief- of factuurdienst.\n\nAlvast bedankt."),
    ),
    "spf.missing_no_mail": Advice(
        title=_("Je domein heeft geen SPF-record, maar verstuurt ook geen e-mail"),
        meaning=_("Dit domein ontvangt geen e-mail. Maar criminelen kunnen wel mail sturen die van dit domein "
                  "lijkt te komen. Met het record 'v=spf1 -all' zeg je: niemand mag namens dit domein mailen."),
        urgency="medium",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns domein verstuurt en ontvangt geen e-mail. Wilt u dit TXT-record "
                  "toevoegen op het domein zelf (@):\n\nv=spf1 -all\n\nDan mag geen enkele server namens ons "
                  "domein mailen.\n\nAlvast bedankt."),
    ),
    "spf.multiple": Advice(
        title=_("Je domein heeft meer dan één SPF-record"),
        meaning=_("Er mag maar één SPF-record zijn. Met twee of meer records negeren ontvangers je SPF helemaal. "
                  "Je mail wordt dan minder goed beschermd en komt soms in de spam."),
        urgency="high",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns domein heeft meerdere TXT-records die met 'v=spf1' beginnen. Er "
                  "mag er maar één zijn. Wilt u ze samenvoegen tot één record, bijvoorbeeld "
                  "'v=spf1 include:<provider 1> include:<provider 2> -all', en de andere verwijderen?\n\n"
                  "Alvast bedankt."),
    ),
    "spf.syntax": Advice(
        title=_("Er staat een fout in een SPF-record"),
        meaning=_("Een SPF-record (van je domein of van een record waar het naar verwijst) heeft een "
                  "schrijffout. Ontvangers negeren dan je hele SPF. Je mail is dan minder goed beschermd."),
        urgency="high",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nIn het SPF-record van ons domein (of een record waar het naar "
                  "verwijst) staat een fout; de technische details staan hieronder. Wilt u het record "
                  "verbeteren?\n\nAlvast bedankt."),
    ),
    "spf.include_missing": Advice(
        title=_("Je SPF-record verwijst naar een domein zonder SPF-record"),
        meaning=_("Je SPF-record zegt 'kijk ook bij dit andere domein' (include of redirect), maar daar staat "
                  "geen SPF-record. Ontvangers zien je SPF dan als fout. Vaak is dit een oude of verkeerd "
                  "getypte verwijzing naar een provider."),
        urgency="high",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns SPF-record verwijst met 'include:' of 'redirect=' naar een domein "
                  "waar geen SPF-record staat (zie de technische details). Wilt u deze verwijzing verbeteren "
                  "(de juiste naam van de provider gebruiken) of verwijderen als we die dienst niet meer "
                  "gebruiken?\n\nAlvast bedankt."),
    ),
    "spf.loop": Advice(
        title=_("Je SPF-record verwijst in een kringetje"),
        meaning=_("Je SPF-record verwijst via andere records uiteindelijk weer naar zichzelf. Ontvangers kunnen "
                  "het dan niet controleren en zien je SPF als fout."),
        urgency="high",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns SPF-record verwijst via 'include:' of 'redirect=' in een kringetje "
                  "terug naar zichzelf (zie de technische details). Wilt u die verwijzing weghalen?\n\n"
                  "Alvast bedankt."),
    ),
    "spf.too_many_lookups": Advice(
        title=_("Je SPF-record heeft te veel verwijzingen"),
        meaning=_("Een ontvanger mag voor SPF hoogstens 10 keer iets extra's opzoeken (include, a, mx, ptr, "
                  "exists, redirect, ook in de records waar je naar verwijst). Je record heeft er meer. Dan "
                  "geldt je SPF als fout en komt echte mail soms in de spam."),
        urgency="high",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns SPF-record heeft meer dan 10 DNS-opzoekingen nodig (zie de "
                  "technische details). Wilt u het record inkorten? Bijvoorbeeld door diensten die we niet meer "
                  "gebruiken te verwijderen, of door 'a' en 'mx' te vervangen door vaste 'ip4:'- en "
                  "'ip6:'-adressen.\n\nAlvast bedankt."),
    ),
    "spf.too_many_void_lookups": Advice(
        title=_("Je SPF-record verwijst naar namen die niet bestaan"),
        meaning=_("Meer dan twee verwijzingen in je SPF-record leveren niets op: de naam bestaat niet of heeft "
                  "geen adres. Ontvangers zien je SPF dan als fout."),
        urgency="high",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nIn ons SPF-record staan meer dan twee verwijzingen naar namen die "
                  "niet bestaan of geen adres hebben (zie de technische details). Wilt u die verwijzingen "
                  "verwijderen of verbeteren?\n\nAlvast bedankt."),
    ),
    "spf.mx_too_many_hosts": Advice(
        title=_("Je SPF-record gebruikt 'mx' bij een domein met meer dan 10 mailservers"),
        meaning=_("Met 'mx' in je SPF-record zoekt de ontvanger alle mailservers van een domein op. Dat mogen er "
                  "hoogstens 10 zijn. Hier zijn het er meer, dus ontvangers zien je SPF als fout."),
        urgency="high",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns SPF-record gebruikt het 'mx'-mechanisme bij een domein met meer dan "
                  "10 MX-records. Wilt u 'mx' vervangen door de vaste adressen ('ip4:'/'ip6:') of de "
                  "'include:' van de mailprovider?\n\nAlvast bedankt."),
    ),
    "spf.ptr": Advice(
        title=_("Je SPF-record gebruikt het verouderde 'ptr'"),
        meaning=_("'ptr' is traag en onbetrouwbaar. Sommige ontvangers slaan het over. Dan wordt echte mail "
                  "van jouw servers misschien niet herkend."),
        urgency="low",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns SPF-record gebruikt het mechanisme 'ptr', dat volgens de "
                  "standaard niet meer gebruikt moet worden. Wilt u het vervangen door de vaste adressen van "
                  "onze mailservers ('ip4:'/'ip6:') of de 'include:' van onze mailprovider?\n\nAlvast bedankt."),
    ),
    "spf.all_pass": Advice(
        title=_("Je SPF-record geeft iedereen toestemming om namens jou te mailen"),
        meaning=_("Je SPF-record eindigt met '+all'. Dat betekent: elke server ter wereld mag e-mail sturen "
                  "namens jouw domein. Je SPF beschermt dan niets."),
        urgency="high",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns SPF-record eindigt met '+all' (of 'all'), waardoor elke server "
                  "namens ons mag mailen. Wilt u dit veranderen in '-all' (of '~all' als we eerst willen "
                  "testen), nadat alle servers die namens ons mailen in het record staan?\n\nAlvast bedankt."),
    ),
    "spf.all_neutral": Advice(
        title=_("Je SPF-record zegt niet wat er met andere afzenders moet gebeuren"),
        meaning=_("Je SPF-record eindigt met '?all' of heeft geen 'all'. Ontvangers weten dan niet wat ze moeten "
                  "doen met mail van andere servers. Misbruik van je domeinnaam wordt zo niet tegengehouden."),
        urgency="medium",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns SPF-record eindigt met '?all' of heeft geen 'all' aan het eind. "
                  "Wilt u '-all' (of '~all') aan het eind zetten, nadat alle servers die namens ons mailen in "
                  "het record staan?\n\nAlvast bedankt."),
    ),
    "spf.no_mail_advice": Advice(
        title=_("Verstuurt dit domein geen e-mail? Zet dan 'v=spf1 -all'"),
        meaning=_("Dit domein ontvangt geen e-mail. Als het ook geen e-mail verstuurt, is 'v=spf1 -all' het "
                  "beste SPF-record. Dan mag geen enkele server namens dit domein mailen."),
        urgency="low",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns domein verstuurt en ontvangt geen e-mail. Wilt u het SPF-record "
                  "vervangen door:\n\nv=spf1 -all\n\nAlvast bedankt."),
    ),
    "spf.incomplete": Advice(
        title=_("We konden niet alle SPF-verwijzingen controleren"),
        meaning=_("Een DNS-server gaf geen antwoord op tijd over een naam in je SPF-record. Dat zegt nog niets "
                  "over je beveiliging. We proberen het bij de volgende scan opnieuw."),
        urgency="low",
        fixer="dns",
    ),
    "spf.error": Advice(
        title=_("We konden het SPF-record van je domein niet opvragen"),
        meaning=_("De DNS-servers van je domein gaven geen (bruikbaar) antwoord. Dat zegt nog niets over je "
                  "beveiliging. We proberen het bij de volgende scan opnieuw."),
        urgency="low",
        fixer="dns",
    ),
}
