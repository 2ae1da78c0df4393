"""Security headers: does the website tell browsers to block the common attacks on its pages?

Checked on the first and the final response of `https://host/` (plain `http://host/` when HTTPS cannot
be reached), after internet.nl's "security options":
- Content-Security-Policy (CSP Level 3, W3C) must be present. 'unsafe-inline' in a script or style
  directive without a nonce or hash (CSP3 §6.6.2.2: a nonce/hash makes browsers ignore 'unsafe-inline'),
  or 'unsafe-eval' anywhere (a nonce does not neutralise it), weakens it: warn. Report-Only does not count.
- Framing (clickjacking): `frame-ancestors` in the CSP (CSP3 §6.4.2) without `*` or bare schemes, or
  X-Frame-Options DENY / SAMEORIGIN (RFC 7034; several conflicting values are invalid, HTML §7.1.1).
- X-Content-Type-Options: nosniff (WHATWG Fetch §3.5).
- Referrer-Policy (W3C Referrer Policy §4, the last recognised token wins): no-referrer, same-origin,
  strict-origin and strict-origin-when-cross-origin pass; origin and origin-when-cross-origin warn (the
  origin leaks on HTTPS→HTTP); no-referrer-when-downgrade and unsafe-url fail (full URLs leak to every
  site); missing warns (browsers then default to strict-origin-when-cross-origin).

Which response: the content headers (CSP, framing, nosniff) act only on a page the browser renders, so
they are judged on the final response. The first response counts too when it is that same page, and
its Referrer-Policy is judged whenever it sets one: on a redirect it changes the policy of the next
request (Fetch §4.4 "HTTP-redirect fetch", step 14).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dtc.scans.checks.base import Advice, Finding, Outcome, ScanContext
from dtc.scans.checks.registry import register
from dtc.scans.checks.webclient import DNS_ERRORS, Chain, Exchange, WebClient

CHECK_ID = "web.headers"

UNSAFE_CHECKED_DIRECTIVES = frozenset({
    "default-src", "script-src", "script-src-elem", "script-src-attr",
    "style-src", "style-src-elem", "style-src-attr",
})
REFERRER_SAFE = frozenset({"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"})
REFERRER_WEAK = frozenset({"origin", "origin-when-cross-origin"})
REFERRER_UNSAFE = frozenset({"no-referrer-when-downgrade", "unsafe-url"})
REFERRER_TOKENS = REFERRER_SAFE | REFERRER_WEAK | REFERRER_UNSAFE


@dataclass(frozen=True)
class HeadersData:
    host: str
    chain: Chain              # the responses judged
    https_error: str = ""     # set when HTTPS could not be reached and `chain` is the plain-HTTP fallback


def collect(target: str, *, context: ScanContext) -> HeadersData:
    host = target.strip().lower().rstrip(".")
    with WebClient(context) as client:
        chain = client.follow(f"https://{host}/", max_body=0)
        if chain.first.ok or chain.first.error in DNS_ERRORS:
            return HeadersData(host=host, chain=chain)
        fallback = client.follow(f"http://{host}/", max_body=0)
    return HeadersData(host=host, chain=fallback, https_error=chain.first.error)


# --- parsing --------------------------------------------------------------------------------------

Policy = dict[str, list[str]]  # directive name -> source expressions (as written)


def parse_csp(values: list[str]) -> list[Policy]:
    """The enforced policies of all Content-Security-Policy header values (CSP3 §2.2.1 and §2.2.2:
    a value may hold several comma-separated policies; a repeated directive is ignored)."""
    policies: list[Policy] = []
    for value in values:
        for serialized in value.split(","):
            policy: Policy = {}
            for token in serialized.split(";"):
                parts = token.split()
                if not parts:
                    continue
                name = parts[0].lower()
                if name not in policy:
                    policy[name] = parts[1:]
            if policy:
                policies.append(policy)
    return policies


def _unsafe_sources(policies: list[Policy]) -> list[str]:
    found: list[str] = []
    for policy in policies:
        for name, sources in policy.items():
            lowered = [source.lower() for source in sources]
            if "'unsafe-eval'" in lowered:
                found.append(f"{name} 'unsafe-eval'")
            if name in UNSAFE_CHECKED_DIRECTIVES and "'unsafe-inline'" in lowered and not any(
                    source.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for source in lowered):
                found.append(f"{name} 'unsafe-inline'")
    return found


def _frame_protection(response: Exchange, policies: list[Policy]) -> str | None:
    """How the response forbids framing by other sites, or None."""
    for policy in policies:
        ancestors = policy.get("frame-ancestors")
        if ancestors is None:
            continue
        if not any(source == "*" or source.endswith(":") for source in ancestors):
            return "frame-ancestors " + (" ".join(ancestors) or "'none'")
    values = {part.strip().lower() for value in response.header_values("x-frame-options")
              for part in value.split(",") if part.strip()}
    if values in ({"deny"}, {"sameorigin"}):
        return "X-Frame-Options " + values.pop().upper()
    return None


def referrer_policy(response: Exchange) -> str | None:
    """The effective Referrer-Policy of a response: the last recognised token, or None."""
    tokens = [token.strip().lower() for value in response.header_values("referrer-policy")
              for token in value.split(",")]
    recognised = [token for token in tokens if token in REFERRER_TOKENS]
    return recognised[-1] if recognised else None


def _nosniff(response: Exchange) -> bool:
    value = response.header("x-content-type-options")
    return value is not None and value.split(",")[0].strip().lower() == "nosniff"


# --- judgement ------------------------------------------------------------------------------------


def _finding(outcome: Outcome, code: str, host: str, **detail: object) -> Finding:
    return Finding(check=CHECK_ID, outcome=outcome, code=code, subject=host, detail=detail)


def _referrer_state(policy: str | None) -> str:
    if policy is None:
        return "missing"
    if policy in REFERRER_UNSAFE:
        return "unsafe"
    if policy in REFERRER_WEAK:
        return "weak"
    return "ok"


@register(id=CHECK_ID, category="web", scored=True)
def evaluate(data: HeadersData) -> list[Finding]:
    host, chain = data.host, data.chain
    first = chain.first
    if first.error == "no_address":
        return [_finding(Outcome.NOT_APPLICABLE, "headers.no_address", host)]
    if not first.ok:
        return [_finding(Outcome.NOT_TESTED, "headers.not_tested", host, url=first.url, error=first.error,
                         reason=first.error_detail, https_error=data.https_error)]
    answered = [step for step in chain.steps if step.ok]
    final = answered[-1]
    where = {"url": final.url, "first_url": first.url, "https_error": data.https_error}
    findings: list[Finding] = []

    csp_values = final.header_values("content-security-policy")
    policies = parse_csp(csp_values)
    if not policies:
        findings.append(_finding(Outcome.FAIL, "headers.csp_missing", host, **where,
                                 report_only=final.header("content-security-policy-report-only")))
    elif unsafe := _unsafe_sources(policies):
        findings.append(_finding(Outcome.WARN, "headers.csp_unsafe", host, **where, csp=csp_values, unsafe=unsafe))
    else:
        findings.append(_finding(Outcome.PASS, "headers.csp_ok", host, **where, csp=csp_values))

    protection = _frame_protection(final, policies)
    if protection:
        findings.append(_finding(Outcome.PASS, "headers.frame_ok", host, **where, protection=protection))
    else:
        findings.append(_finding(Outcome.FAIL, "headers.frame_missing", host, **where,
                                 x_frame_options=final.header_values("x-frame-options")))

    if _nosniff(final):
        findings.append(_finding(Outcome.PASS, "headers.nosniff_ok", host, **where))
    else:
        findings.append(_finding(Outcome.FAIL, "headers.nosniff_missing", host, **where,
                                 value=final.header("x-content-type-options")))

    # Referrer-Policy: the final page's policy, and the first response's when it sets one.
    judged = [("final", final, referrer_policy(final))]
    if first is not final and referrer_policy(first) is not None:
        judged.append(("first", first, referrer_policy(first)))
    rank = {"ok": 0, "missing": 1, "weak": 2, "unsafe": 3}
    states = [(label, response, policy, _referrer_state(policy)) for label, response, policy in judged]
    _label, _response, _policy, worst = max(states, key=lambda item: rank[item[3]])
    outcome, code = {"ok": (Outcome.PASS, "headers.referrer_ok"),
                     "missing": (Outcome.WARN, "headers.referrer_missing"),
                     "weak": (Outcome.WARN, "headers.referrer_weak"),
                     "unsafe": (Outcome.FAIL, "headers.referrer_unsafe")}[worst]
    findings.append(_finding(outcome, code, host, **where, responses=[
        {"response": label, "url": response.url, "policy": policy, "state": state}
        for label, response, policy, state in states]))
    return findings


# --- advice (plain Dutch, B1, "je" form) ----------------------------------------------------------

ADVICE: dict[str, Advice] = {
    "headers.csp_ok": Advice(
        title=_("Je website heeft een Content-Security-Policy"),
        meaning=_("Je website vertelt browsers welke scripts en andere onderdelen ze mogen laden. Ingevoegde "
                  "kwaadaardige code wordt dan tegengehouden."),
        urgency="low",
        fixer="hosting",
    ),
    "headers.csp_missing": Advice(
        title=_("Je website heeft geen Content-Security-Policy"),
        meaning=_("Je website vertelt browsers niet welke scripts ze mogen laden. Lukt het iemand om code in "
                  "je site te krijgen, dan voert de browser van je bezoekers die gewoon uit."),
        urgency="medium",
        fixer="hosting",
        message=_("Beste websitebouwer of hostingpartij,\n\nOnze website stuurt geen Content-Security-Policy "
                  "mee. Wilt u deze header instellen, zo streng als de site toelaat? Een goed begin is: "
                  "\"Content-Security-Policy: default-src 'self'; frame-ancestors 'self'; object-src 'none'; "
                  "base-uri 'self'\".\n\nAlvast bedankt."),
    ),
    "headers.csp_unsafe": Advice(
        title=_("De Content-Security-Policy van je website staat onveilige code toe"),
        meaning=_("Je website heeft een Content-Security-Policy, maar die staat 'unsafe-inline' of "
                  "'unsafe-eval' toe. Daarmee houdt de browser ingevoegde code toch niet tegen."),
        urgency="low",
        fixer="hosting",
        message=_("Beste websitebouwer,\n\nDe Content-Security-Policy van onze website bevat 'unsafe-inline' of "
                  "'unsafe-eval' (zie de technische details). Wilt u de scripts en stijlen in aparte bestanden "
                  "zetten of een nonce of hash gebruiken, en deze woorden uit de policy halen?\n\n"
                  "Alvast bedankt."),
    ),
    "headers.frame_ok": Advice(
        title=_("Andere websites kunnen jouw website niet in een kader tonen"),
        meaning=_("Je website verbiedt dat andere sites haar onzichtbaar in hun eigen pagina laden. Zo kunnen "
                  "bezoekers niet worden misleid om op iets te klikken."),
        urgency="low",
        fixer="hosting",
    ),
    "headers.frame_missing": Advice(
        title=_("Andere websites kunnen jouw website in een kader tonen"),
        meaning=_("Een kwaadwillende site kan jouw website onzichtbaar in haar eigen pagina laden en je "
                  "bezoekers zo op knoppen laten klikken die ze niet zien (clickjacking)."),
        urgency="medium",
        fixer="hosting",
        message=_("Beste websitebouwer of hostingpartij,\n\nOnze website verbiedt niet dat andere sites haar in "
                  "een frame laden. Wilt u 'frame-ancestors 'self'' toevoegen aan de Content-Security-Policy, "
                  "of de header 'X-Frame-Options: SAMEORIGIN' (of DENY) meesturen?\n\nAlvast bedankt."),
    ),
    "headers.nosniff_ok": Advice(
        title=_("Browsers raden het soort bestand niet zelf"),
        meaning=_("Je website stuurt 'X-Content-Type-Options: nosniff' mee. Een geüpload bestand kan daardoor "
                  "niet stiekem als script worden uitgevoerd."),
        urgency="low",
        fixer="hosting",
    ),
    "headers.nosniff_missing": Advice(
        title=_("Browsers mogen zelf raden wat voor bestand ze krijgen"),
        meaning=_("Zonder 'X-Content-Type-Options: nosniff' kan een browser een gewoon bestand, bijvoorbeeld "
                  "een upload, toch als script uitvoeren. Dat is makkelijk te voorkomen."),
        urgency="medium",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nWilt u op alle antwoorden van onze website de header "
                  "'X-Content-Type-Options: nosniff' meesturen?\n\nAlvast bedankt."),
    ),
    "headers.referrer_ok": Advice(
        title=_("Je website geeft niet te veel door aan andere sites"),
        meaning=_("Klikt een bezoeker op een link naar een andere site, dan krijgt die site hooguit je domeinnaam "
                  "te zien, niet de hele pagina-adressen."),
        urgency="low",
        fixer="hosting",
    ),
    "headers.referrer_missing": Advice(
        title=_("Je website zegt niet wat andere sites over je bezoekers te zien krijgen"),
        meaning=_("Er staat geen Referrer-Policy. Nieuwe browsers geven dan alleen je domeinnaam door, maar "
                  "oudere browsers soms het hele adres van de pagina, met wat daarin staat."),
        urgency="low",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nWilt u op alle antwoorden van onze website de header "
                  "'Referrer-Policy: strict-origin-when-cross-origin' (of 'no-referrer') meesturen?\n\n"
                  "Alvast bedankt."),
    ),
    "headers.referrer_weak": Advice(
        title=_("Je website geeft je domeinnaam ook via onbeveiligde verbindingen door"),
        meaning=_("De Referrer-Policy van je website geeft je domeinnaam door aan andere sites, ook als die "
                  "geen HTTPS gebruiken. Een strengere instelling is eenvoudig."),
        urgency="low",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nWilt u de header Referrer-Policy van onze website veranderen in "
                  "'Referrer-Policy: strict-origin-when-cross-origin'?\n\nAlvast bedankt."),
    ),
    "headers.referrer_unsafe": Advice(
        title=_("Je website geeft volledige pagina-adressen door aan andere sites"),
        meaning=_("Door de Referrer-Policy van je website krijgt elke site waar een bezoeker naartoe klikt het "
                  "volledige adres van je pagina. Daarin kunnen gegevens van je bezoekers staan."),
        urgency="medium",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nOnze website stuurt een onveilige Referrer-Policy mee (zie de "
                  "technische details). Wilt u die veranderen in 'Referrer-Policy: "
                  "strict-origin-when-cross-origin' (of 'no-referrer')?\n\nAlvast bedankt."),
    ),
    "headers.not_tested": Advice(
        title=_("We konden de beveiligingsinstellingen van je website niet testen"),
        meaning=_("Je webserver gaf geen antwoord op tijd. Dit is geen oordeel over je website. Probeer de scan "
                  "later nog eens."),
        urgency="low",
        fixer="hosting",
    ),
    "headers.no_address": Advice(
        title=_("Op deze naam staat geen website"),
        meaning=_("Deze naam verwijst in de DNS niet naar een webserver. Deze test is daarom niet van "
                  "toepassing."),
        urgency="low",
        fixer="dns",
    ),
}
