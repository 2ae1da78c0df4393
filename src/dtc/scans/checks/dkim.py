"""DKIM: does the domain publish keys that receivers can use to check its mail signatures?

DKIM keys live at `<selector>._domainkey.<domain>` (RFC 6376 §3.6.2.1), and the selector is chosen by
whoever signs the mail: it appears in each message's signature, not in the DNS. A scanner that sees no mail
can only *guess*. internet.nl guesses from the `_domainkey` node alone; we combine three signals and say how
sure we are (`detail["confidence"]`):

- A key found at one of COMMON_SELECTORS (the names big mail providers and tools use): high confidence,
  and the key itself is judged (RFC 6376 §3.6.1 key record; RFC 8301 key sizes; RFC 8463 Ed25519).
- No common selector, but `_domainkey.<domain>` exists (NOERROR, with or without data): DKIM may well be
  in use with a selector we cannot guess — low confidence, information only, never a fail.
- `_domainkey.<domain>` does not exist (NXDOMAIN): RFC 8020 §2 says nothing exists below a name that
  answers NXDOMAIN, so no selector can exist either: "probably no DKIM" (medium confidence, warn). We still
  ask the common selectors, because some DNS servers wrongly answer NXDOMAIN for empty non-terminals.
- Wildcards (RFC 4592): when a random label under `_domainkey` answers, every selector "exists" and the
  answers say nothing; selectors whose answer differs from the wildcard's were published on purpose and are
  still judged.

Key judgement (RFC 8301 §3.2: signers MUST use RSA keys of at least 1024 bits and SHOULD use 2048):
RSA < 1024 bits fails, 1024-2047 warns (phase-out), >= 2048 and Ed25519 pass. An empty `p=` is a
revoked key (RFC 6376 §3.6.1): information, not a fault. A key that only allows SHA-1 (`h=sha1`) is
unusable: RFC 8301 §3.1 forbids verifiers to accept rsa-sha1 signatures.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key
from django.utils.translation import gettext_lazy as _

from dtc.scans.checks.base import Advice, Finding, Outcome, ScanContext
from dtc.scans.checks.dnsutil import TxtLookup, lookup_txt
from dtc.scans.checks.registry import register

CHECK_ID = "mail.dkim"

# Selectors in common use, asked in this order. Microsoft 365 uses selector1/selector2 (CNAMEs to the
# tenant's onmicrosoft.com keys), Google Workspace "google", Mailchimp/Mandrill k1 and mandrill.
COMMON_SELECTORS: tuple[str, ...] = (
    "default", "selector1", "selector2", "google", "k1", "s1", "s2", "mail", "dkim", "mandrill",
    "everlytic", "mxvault",
)
RSA_MINIMUM = 1024     # below: fail (RFC 8301 §3.2 MUST)
RSA_GOOD = 2048        # from here: pass (RFC 8301 §3.2 SHOULD); in between: warn


@dataclass(frozen=True)
class DkimData:
    domain: str
    node: TxtLookup                               # _domainkey.<domain>
    probe: TxtLookup | None = None                # <random label>._domainkey.<domain> (wildcard test)
    selectors: tuple[tuple[str, TxtLookup], ...] = ()   # (selector, lookup), in COMMON_SELECTORS order
    not_asked: tuple[str, ...] = ()               # selectors skipped after a DNS timeout

    @property
    def wildcard(self) -> bool:
        return self.probe is not None and self.probe.status == "ok" and bool(self.probe.records)


@dataclass(frozen=True)
class KeyVerdict:
    code: str                       # dkim.key_strong / key_1024 / key_weak / key_invalid / key_revoked
    outcome: Outcome
    detail: dict[str, object]


# --- network ---------------------------------------------------------------------------------------


def collect(target: str, *, context: ScanContext) -> DkimData:
    domain = target.lower().rstrip(".")
    node = lookup_txt(context, f"_domainkey.{domain}")
    if node.failed:
        return DkimData(domain=domain, node=node)
    # A label no one publishes: 12 random hex digits (a DNS label may not start with "_" here by chance).
    probe = lookup_txt(context, f"dtc-probe-{secrets.token_hex(6)}._domainkey.{domain}")
    selectors: list[tuple[str, TxtLookup]] = []
    not_asked: list[str] = []
    for selector in COMMON_SELECTORS:
        if selectors and selectors[-1][1].status == "timeout":
            not_asked.append(selector)  # one slow answer is enough: do not wait 12 times
            continue
        selectors.append((selector, lookup_txt(context, f"{selector}._domainkey.{domain}")))
    return DkimData(domain=domain, node=node, probe=probe, selectors=tuple(selectors),
                    not_asked=tuple(not_asked))


# --- key records (pure) ----------------------------------------------------------------------------


def parse_tags(text: str) -> list[tuple[str, str]]:
    """RFC 6376 §3.2 tag-list: `name=value` separated by ";", whitespace around both ignored."""
    tags = []
    for part in text.split(";"):
        name, sep, value = part.partition("=")
        if sep and name.strip():
            tags.append((name.strip(), value.strip()))
    return tags


def looks_like_key(text: str) -> bool:
    names = [name for name, _value in parse_tags(text)]
    return text.lstrip().startswith("v=DKIM1") or "p" in names


def judge_key(text: str) -> KeyVerdict:
    """RFC 6376 §3.6.1 key record: v (optional, first, "DKIM1"), k (default rsa), h, p (base64 key)."""
    tags = parse_tags(text)
    values = dict(reversed(tags))  # the first occurrence wins
    detail: dict[str, object] = {"record": text}
    if "v" in values and (tags[0][0] != "v" or values["v"] != "DKIM1"):
        return KeyVerdict("dkim.key_invalid", Outcome.FAIL, {**detail, "reason": "version"})
    if "p" not in values:
        return KeyVerdict("dkim.key_invalid", Outcome.FAIL, {**detail, "reason": "no_public_key"})
    key_data = re.sub(r"\s", "", values["p"])
    if not key_data:
        return KeyVerdict("dkim.key_revoked", Outcome.INFO, detail)
    key_type = values.get("k", "rsa").strip().lower()
    detail["key_type"] = key_type
    hashes = [h.strip().lower() for h in values.get("h", "sha256").split(":") if h.strip()]
    if "sha256" not in hashes:
        return KeyVerdict("dkim.key_invalid", Outcome.FAIL, {**detail, "reason": "sha1_only", "h": hashes})
    try:
        der = base64.b64decode(key_data, validate=True)
    except (binascii.Error, ValueError):
        return KeyVerdict("dkim.key_invalid", Outcome.FAIL, {**detail, "reason": "not_base64"})
    if key_type == "ed25519":
        # RFC 8463 §4.2: the raw 32-byte public key, not a DER structure.
        try:
            ed25519.Ed25519PublicKey.from_public_bytes(der)
        except ValueError:
            return KeyVerdict("dkim.key_invalid", Outcome.FAIL, {**detail, "reason": "bad_key"})
        return KeyVerdict("dkim.key_strong", Outcome.PASS, {**detail, "key_bits": 256})
    if key_type != "rsa":
        return KeyVerdict("dkim.key_invalid", Outcome.FAIL, {**detail, "reason": "unknown_key_type"})
    try:
        key = load_der_public_key(der)
    except (ValueError, TypeError):
        return KeyVerdict("dkim.key_invalid", Outcome.FAIL, {**detail, "reason": "bad_key"})
    if not isinstance(key, rsa.RSAPublicKey):
        return KeyVerdict("dkim.key_invalid", Outcome.FAIL, {**detail, "reason": "not_rsa"})
    bits = key.key_size
    detail["key_bits"] = bits
    if bits < RSA_MINIMUM:
        return KeyVerdict("dkim.key_weak", Outcome.FAIL, detail)
    if bits < RSA_GOOD:
        return KeyVerdict("dkim.key_1024", Outcome.WARN, detail)
    return KeyVerdict("dkim.key_strong", Outcome.PASS, detail)


# --- judgement -------------------------------------------------------------------------------------


def _finding(outcome: Outcome, code: str, subject: str = "", **detail: object) -> Finding:
    return Finding(check=CHECK_ID, outcome=outcome, code=code, subject=subject, detail=dict(detail))


@register(id=CHECK_ID, category="mail", scored=True)
def evaluate(data: DkimData) -> list[Finding]:
    domain = data.domain
    if data.node.failed:
        return [_finding(Outcome.NOT_TESTED, "dkim.not_tested", data.node.name, error=data.node.status,
                         confidence="none")]
    wildcard_records = set(data.probe.records) if data.wildcard and data.probe else set()
    findings: list[Finding] = []
    if data.wildcard and data.probe:
        findings.append(_finding(Outcome.INFO, "dkim.wildcard", f"*._domainkey.{domain}", confidence="low",
                                 probe=data.probe.name, answer=list(data.probe.records)))

    answered: list[str] = []
    active: list[str] = []
    for selector, lookup in data.selectors:
        if lookup.status != "ok" or not lookup.records:
            continue
        if wildcard_records and set(lookup.records) == wildcard_records:
            continue  # the wildcard's answer: says nothing about this selector
        keys = [record for record in lookup.records if looks_like_key(record)]
        if not keys:
            continue
        answered.append(selector)
        verdict = judge_key(keys[0])
        if verdict.code not in ("dkim.key_revoked", "dkim.key_invalid"):
            active.append(selector)
        findings.append(_finding(verdict.outcome, verdict.code, lookup.name, selector=selector,
                                 confidence="high", records_at_name=len(keys), **verdict.detail))
    if active or any(finding.code == "dkim.key_invalid" for finding in findings):
        return findings  # a verdict with high confidence; a guess would only blur it

    failed = [selector for selector, lookup in data.selectors if lookup.failed] + list(data.not_asked)
    asked = [selector for selector, _lookup in data.selectors]
    if failed:
        findings.append(_finding(Outcome.NOT_TESTED, "dkim.not_tested", f"_domainkey.{domain}",
                                 error="selectors_unanswered", selectors=failed, confidence="none"))
    elif data.wildcard:
        pass  # the wildcard finding already says the selector answers are unreliable
    elif data.node.status == "nxdomain" and not answered:
        # RFC 8020: nothing exists below a name that does not exist.
        findings.append(_finding(Outcome.WARN, "dkim.probably_missing", data.node.name, confidence="medium",
                                 rcode="NXDOMAIN", selectors_asked=asked))
    else:
        findings.append(_finding(Outcome.INFO, "dkim.unknown_selector", data.node.name, confidence="low",
                                 rcode="NOERROR", selectors_asked=asked, revoked_or_invalid=answered))
    return findings


# --- advice ----------------------------------------------------------------------------------------

ADVICE: dict[str, Advice] = {
    "dkim.key_strong": Advice(
        title=_("Je domein heeft een sterke DKIM-sleutel"),
        meaning=_("We vonden een DKIM-sleutel van voldoende lengte. Ontvangers kunnen daarmee controleren dat "
                  "je e-mail echt van jou komt en onderweg niet is veranderd."),
        urgency="low",
        fixer="mail",
    ),
    "dkim.key_1024": Advice(
        title=_("Je DKIM-sleutel is aan vervanging toe (1024 bits)"),
        meaning=_("Je DKIM-sleutel werkt nog, maar 1024 bits wordt als te zwak gezien voor de komende jaren. "
                  "Vraag je mailprovider om een nieuwe sleutel van 2048 bits."),
        urgency="medium",
        fixer="mail",
        message=_("Beste mailprovider,\n\nDe DKIM-sleutel van ons domein (selector zie hieronder) is 1024 bits. "
                  "Wilt u een nieuwe RSA-sleutel van 2048 bits voor ons maken en ons laten weten welk "
                  "DNS-record we moeten publiceren? Het oude record kan weg zodra de nieuwe sleutel in gebruik "
                  "is.\n\nAlvast bedankt."),
    ),
    "dkim.key_weak": Advice(
        title=_("Je DKIM-sleutel is te zwak"),
        meaning=_("Je DKIM-sleutel is korter dan 1024 bits. Ontvangers mogen zulke handtekeningen afkeuren, en "
                  "een aanvaller kan zo'n sleutel mogelijk kraken en mail uit jouw naam ondertekenen."),
        urgency="high",
        fixer="mail",
        message=_("Beste mailprovider,\n\nDe DKIM-sleutel van ons domein is korter dan 1024 bits. Wilt u zo snel "
                  "mogelijk een nieuwe RSA-sleutel van 2048 bits voor ons maken, en ons laten weten welk "
                  "DNS-record we moeten publiceren?\n\nAlvast bedankt."),
    ),
    "dkim.key_invalid": Advice(
        title=_("Een DKIM-record van je domein is onbruikbaar"),
        meaning=_("We vonden een DKIM-record, maar de sleutel erin klopt niet (bijvoorbeeld een typefout, een "
                  "onbekend sleuteltype of alleen het verouderde SHA-1). Ontvangers kunnen handtekeningen met "
                  "deze sleutel niet controleren, dus je mail telt als niet ondertekend."),
        urgency="high",
        fixer="mail",
        message=_("Beste mailprovider,\n\nHet DKIM-record van ons domein (selector zie hieronder) bevat geen "
                  "bruikbare sleutel. Wilt u controleren welk record we moeten publiceren en ons de juiste "
                  "waarde sturen (\"v=DKIM1; k=rsa; p=...\" met een sleutel van 2048 bits)?\n\nAlvast bedankt."),
    ),
    "dkim.key_revoked": Advice(
        title=_("Een oude DKIM-sleutel van je domein is ingetrokken"),
        meaning=_("Dit DKIM-record heeft een lege sleutel. Zo trek je een oude sleutel in. Dat is prima, zolang "
                  "je mail met een andere, actieve sleutel wordt ondertekend."),
        urgency="low",
        fixer="mail",
    ),
    "dkim.wildcard": Advice(
        title=_("We konden DKIM niet betrouwbaar controleren (wildcard in de DNS)"),
        meaning=_("Je DNS geeft een antwoord op elke naam onder _domainkey, ook op namen die niet bestaan. Daardoor "
                  "kunnen we niet zien welke DKIM-sleutels je echt gebruikt. Dat is geen fout, maar het kan "
                  "ontvangers in verwarring brengen."),
        urgency="low",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOnder _domainkey.<ons-domein> staat een wildcard-record (*), waardoor "
                  "elke DKIM-selector een antwoord krijgt. Wilt u nagaan of die wildcard nodig is, en zo niet, "
                  "hem verwijderen en alleen de echte DKIM-selectors laten staan?\n\nAlvast bedankt."),
    ),
    "dkim.unknown_selector": Advice(
        title=_("We konden je DKIM-sleutel niet vinden, maar DKIM is waarschijnlijk wel ingericht"),
        meaning=_("Je domein heeft een _domainkey-deel in de DNS, dus er is vermoedelijk DKIM ingericht. De "
                  "naam van de sleutel (de 'selector') kiest je mailprovider zelf, en die kunnen we niet raden. "
                  "Controleer bij je mailprovider of je uitgaande mail met DKIM wordt ondertekend."),
        urgency="low",
        fixer="mail",
        message=_("Beste mailprovider,\n\nWilt u bevestigen dat de uitgaande e-mail van ons domein met DKIM "
                  "wordt ondertekend, en ons laten weten welke selector en sleutellengte (bij voorkeur 2048 "
                  "bits) daarbij horen?\n\nAlvast bedankt."),
    ),
    "dkim.probably_missing": Advice(
        title=_("Je domein gebruikt waarschijnlijk geen DKIM"),
        meaning=_("We vonden geen DKIM-gegevens in de DNS van je domein. Zonder DKIM kunnen ontvangers niet "
                  "controleren of je e-mail echt van jou komt. Je mail belandt dan eerder in de spam, en "
                  "DMARC werkt minder goed."),
        urgency="high",
        fixer="mail",
        message=_("Beste mailprovider,\n\nWe willen dat de uitgaande e-mail van ons domein met DKIM wordt "
                  "ondertekend. Wilt u DKIM voor ons domein aanzetten (met een RSA-sleutel van 2048 bits) en "
                  "ons laten weten welk DNS-record we moeten publiceren?\n\nAlvast bedankt."),
    ),
    "dkim.not_tested": Advice(
        title=_("We konden DKIM niet controleren"),
        meaning=_("De DNS gaf geen antwoord op tijd, of gaf een foutmelding. Dat zegt nog niets over je "
                  "beveiliging. We proberen het bij de volgende scan opnieuw."),
        urgency="low",
        fixer="dns",
    ),
}
