"""HTTPS: is the website reachable over HTTPS with a valid certificate, does plain HTTP send visitors
there, and does the site tell browsers to stick to HTTPS (HSTS)?

Rules (network in `collect`, judgement in `evaluate`), after internet.nl's web test:
- HTTPS available: a TLS connection to the host on port 443 whose certificate chains to a trusted root
  and carries the host name (RFC 9110 §4.3.4, RFC 6125 / RFC 9525). Certificate details (key, signature,
  chain) are graded by the TLS checks; here only "would a browser open it".
- HTTP→HTTPS redirect: `http://host/` must redirect, and its *first* redirect should go to HTTPS on the
  same host — only then can that host's HSTS policy be set before anything else (internet.nl rule;
  RFC 6797 §7.2 and §12.1). A first hop to another host (or to http on the same host) warns.
- The whole chain, up to 10 redirects, is followed and graded: any step from https to http is a
  downgrade (the visitor silently loses HTTPS) and fails; still redirecting after 10 hops fails.
- HSTS (RFC 6797): the Strict-Transport-Security header with max-age ≥ 31536000 s (one year; NCSC-NL)
  passes, shorter warns, missing/invalid/max-age=0 fails. Judged on the final HTTPS response and, when
  the chain leaves the host, also on the last response from this host: a browser records HSTS only for
  the host that sent it (RFC 6797 §8.1), so another host's header does not protect this one.
  includeSubDomains and preload are reported.

A host without A/AAAA records is not applicable; DNS failures and timeouts are "not tested". A refused
HTTPS connection counts as "no HTTPS" only when the same host answers plain HTTP — the server is there
and says no — otherwise nothing could be tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from dtc.scans.checks.base import Advice, Finding, Outcome, ScanContext
from dtc.scans.checks.registry import register
from dtc.scans.checks.webclient import DNS_ERRORS, Chain, Exchange, WebClient

CHECK_ID = "web.https"
HSTS_MIN_AGE = 31536000  # one year, in seconds (NCSC-NL, internet.nl)


@dataclass(frozen=True)
class HttpsData:
    host: str
    https: Chain   # from https://host/
    http: Chain    # from http://host/


def collect(target: str, *, context: ScanContext) -> HttpsData:
    host = target.strip().lower().rstrip(".")
    with WebClient(context) as client:
        https = client.follow(f"https://{host}/", max_body=0)
        http = client.follow(f"http://{host}/", max_body=0)
    return HttpsData(host=host, https=https, http=http)


# --- HSTS (RFC 6797 §6.1) -------------------------------------------------------------------------

_DIRECTIVE = re.compile(r'^\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^\s;"]*)\s*)?$')


@dataclass(frozen=True)
class Hsts:
    max_age: int
    include_subdomains: bool
    preload: bool


def parse_hsts(value: str | None) -> Hsts | None:
    """The policy of one Strict-Transport-Security header value, or None when it is invalid.

    RFC 6797 §6.1: directives are separated by ";", names are case-insensitive, each may appear at most
    once, and max-age (delta-seconds) is required; a header that breaks these rules is ignored."""
    if value is None:
        return None
    directives: dict[str, str | None] = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        match = _DIRECTIVE.match(part)
        if not match:
            return None
        name = match.group(1).lower()
        if name in directives:
            return None
        raw = match.group(2)
        directives[name] = raw[1:-1] if raw and raw.startswith('"') else raw
    max_age = directives.get("max-age")
    if max_age is None or not max_age.isdigit():
        return None
    return Hsts(max_age=int(max_age), include_subdomains="includesubdomains" in directives,
                preload="preload" in directives)


def _hsts_state(response: Exchange) -> dict[str, object]:
    # RFC 6797 §8.1: with several STS headers, the browser processes only the first.
    header = response.header("strict-transport-security")
    policy = parse_hsts(header)
    if policy is None or policy.max_age == 0:  # max-age=0 tells the browser to forget HSTS (§6.1.1)
        state = "missing"
    elif policy.max_age < HSTS_MIN_AGE:
        state = "short"
    else:
        state = "ok"
    return {"url": response.url, "header": header, "state": state,
            "max_age": policy.max_age if policy else None,
            "include_subdomains": bool(policy and policy.include_subdomains),
            "preload": bool(policy and policy.preload)}


# --- judgement ------------------------------------------------------------------------------------


def _same_host(url: str | None, host: str) -> bool:
    if not url:
        return False
    return (urlsplit(url).hostname or "").rstrip(".").lower() == host


def _chain_detail(chain: Chain) -> list[dict[str, object]]:
    return [{"url": step.url, "status": step.status, "error": step.error} for step in chain.steps]


def _finding(outcome: Outcome, code: str, host: str, **detail: object) -> Finding:
    return Finding(check=CHECK_ID, outcome=outcome, code=code, subject=host, detail=detail)


def _judge_https(data: HttpsData) -> Finding:
    first = data.https.first
    if first.ok:
        return _finding(Outcome.PASS, "https.ok", data.host, url=first.url, status=first.status,
                        address=first.address)
    if first.error == "tls_verify":
        return _finding(Outcome.FAIL, "https.cert_invalid", data.host, url=first.url, reason=first.error_detail)
    # "tls": something answers on 443 but no usable TLS handshake; "refused" while HTTP answers: no HTTPS.
    if first.error == "tls" or (first.error == "refused" and data.http.first.ok):
        return _finding(Outcome.FAIL, "https.unavailable", data.host, url=first.url, error=first.error,
                        reason=first.error_detail)
    return _finding(Outcome.NOT_TESTED, "https.not_tested", data.host, url=first.url, error=first.error,
                    reason=first.error_detail)


def _judge_redirect(data: HttpsData) -> Finding | None:
    chain, host = data.http, data.host
    first = chain.first
    if not first.ok:
        if first.error == "refused" and data.https.first.ok:
            return _finding(Outcome.NOT_APPLICABLE, "https.http_closed", host, url=first.url)
        if data.https.first.ok:
            return _finding(Outcome.NOT_TESTED, "https.redirect_not_tested", host, url=first.url,
                            error=first.error, reason=first.error_detail)
        return None  # neither answered: https.not_tested says it all
    steps = _chain_detail(chain)
    if chain.downgrades():
        return None  # reported once, for both chains, by _judge_downgrades
    if chain.too_many_redirects:
        return _finding(Outcome.FAIL, "https.too_many_redirects", host, chain=steps)
    if chain.final.scheme != "https":
        return _finding(Outcome.FAIL, "https.no_redirect", host, chain=steps, status=first.status)
    target = first.redirect_to
    if not _same_host(target, host):
        return _finding(Outcome.WARN, "https.redirect_other_host", host, first_redirect=target, chain=steps)
    if urlsplit(target).scheme != "https":
        return _finding(Outcome.WARN, "https.redirect_indirect", host, first_redirect=target, chain=steps)
    return _finding(Outcome.PASS, "https.redirect_ok", host, first_redirect=target, chain=steps)


def _judge_downgrades(data: HttpsData) -> Finding | None:
    hops = data.http.downgrades() + data.https.downgrades()
    if not hops:
        return None
    return _finding(Outcome.FAIL, "https.redirect_downgrade", data.host,
                    downgrades=[{"from": src, "to": dst} for src, dst in dict.fromkeys(hops)],
                    chain=_chain_detail(data.https) + _chain_detail(data.http))


def _judge_hsts(data: HttpsData) -> Finding | None:
    answered = [step for step in data.https.steps if step.ok and step.scheme == "https"]
    if not answered:
        return None
    judged: list[Exchange] = []
    own = [step for step in answered if step.host == data.host]
    if own and own[-1] is not answered[-1]:
        judged.append(own[-1])   # the chain left the host: this host's own header counts too
    judged.append(answered[-1])  # the final HTTPS response
    states = [_hsts_state(response) for response in judged]
    rank = {"ok": 0, "short": 1, "missing": 2}
    worst = max(states, key=lambda state: rank[str(state["state"])])
    outcome, code = {"ok": (Outcome.PASS, "https.hsts_ok"), "short": (Outcome.WARN, "https.hsts_short"),
                     "missing": (Outcome.FAIL, "https.hsts_missing")}[str(worst["state"])]
    final = states[-1]
    return _finding(outcome, code, data.host, max_age=worst["max_age"], minimum=HSTS_MIN_AGE,
                    include_subdomains=final["include_subdomains"], preload=final["preload"], responses=states)


@register(id=CHECK_ID, category="web", scored=True)
def evaluate(data: HttpsData) -> list[Finding]:
    https_error, http_error = data.https.first.error, data.http.first.error
    if https_error in DNS_ERRORS and http_error in DNS_ERRORS:
        if https_error == "no_address":
            return [_finding(Outcome.NOT_APPLICABLE, "https.no_address", data.host)]
        return [_finding(Outcome.NOT_TESTED, "https.not_tested", data.host, error=https_error,
                         reason=data.https.first.error_detail)]
    findings = [_judge_https(data)]
    for judge in (_judge_redirect, _judge_downgrades, _judge_hsts):
        finding = judge(data)
        if finding is not None:
            findings.append(finding)
    return findings


# --- advice (plain Dutch, B1, "je" form) ----------------------------------------------------------

ADVICE: dict[str, Advice] = {
    "https.ok": Advice(
        title=_("Je website werkt met HTTPS"),
        meaning=_("Bezoekers maken een beveiligde verbinding met je website. Anderen kunnen niet meelezen of "
                  "iets veranderen aan wat ze zien of invullen."),
        urgency="low",
        fixer="hosting",
    ),
    "https.cert_invalid": Advice(
        title=_("Het certificaat van je website is niet geldig"),
        meaning=_("Browsers vertrouwen de beveiligde verbinding niet. Bezoekers krijgen een waarschuwing en "
                  "haken af. Het certificaat is verlopen, hoort bij een andere naam of is niet door een bekende "
                  "partij uitgegeven."),
        urgency="high",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nHet HTTPS-certificaat van onze website is niet geldig voor deze naam "
                  "(zie de technische details). Wilt u een geldig certificaat installeren, bijvoorbeeld gratis "
                  "via Let's Encrypt, voor zowel het domein zelf als 'www'? Wilt u ook het automatisch "
                  "vernieuwen aanzetten?\n\nAlvast bedankt."),
    ),
    "https.unavailable": Advice(
        title=_("Je website werkt niet met HTTPS"),
        meaning=_("Je website is alleen zonder beveiliging te bereiken. Wat bezoekers zien of invullen, kan "
                  "onderweg worden meegelezen of veranderd. Browsers tonen je site als 'niet veilig'."),
        urgency="high",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nOnze website is niet bereikbaar via HTTPS (poort 443). Wilt u HTTPS "
                  "aanzetten met een geldig certificaat, bijvoorbeeld gratis via Let's Encrypt, voor het domein "
                  "en voor 'www'?\n\nAlvast bedankt."),
    ),
    "https.not_tested": Advice(
        title=_("We konden HTTPS op je website niet testen"),
        meaning=_("Je webserver gaf geen antwoord, of de DNS gaf geen antwoord op tijd. Dit is geen oordeel "
                  "over je website. Probeer de scan later nog eens."),
        urgency="low",
        fixer="hosting",
    ),
    "https.no_address": Advice(
        title=_("Op deze naam staat geen website"),
        meaning=_("Deze naam verwijst in de DNS niet naar een webserver. De webtests zijn daarom niet van "
                  "toepassing. Hoort hier wel een website? Laat dan een A-record (IPv4) of AAAA-record (IPv6) "
                  "aanmaken."),
        urgency="low",
        fixer="dns",
    ),
    "https.redirect_ok": Advice(
        title=_("Bezoekers gaan vanzelf naar de beveiligde versie van je website"),
        meaning=_("Wie je website zonder 'https' opent, wordt meteen doorgestuurd naar de beveiligde versie "
                  "op dezelfde naam."),
        urgency="low",
        fixer="hosting",
    ),
    "https.redirect_other_host": Advice(
        title=_("Je website stuurt eerst door naar een andere naam"),
        meaning=_("Wie je website zonder 'https' opent, gaat eerst naar een andere naam (bijvoorbeeld van "
                  "je domein naar 'www'). Beter is: eerst naar de beveiligde versie van dezelfde naam, en pas "
                  "daarna verder. Dan kan de browser voor deze naam onthouden dat hij altijd HTTPS moet "
                  "gebruiken."),
        urgency="low",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nOnze website stuurt bezoekers van http:// eerst naar een andere naam "
                  "door. Wilt u de doorverwijzing zo instellen dat http://<naam>/ eerst naar https://<naam>/ "
                  "(dezelfde naam) gaat, en pas daarna naar de andere naam? Zo kan ook deze naam "
                  "'Strict-Transport-Security' (HSTS) meesturen.\n\nAlvast bedankt."),
    ),
    "https.redirect_indirect": Advice(
        title=_("Je website stuurt niet meteen door naar HTTPS"),
        meaning=_("Wie je website zonder 'https' opent, komt eerst nog op een andere onbeveiligde pagina en pas "
                  "later op de beveiligde versie. Die extra stap is onnodig en kan worden misbruikt."),
        urgency="low",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nOnze website stuurt bezoekers van http:// niet direct naar https://. "
                  "Wilt u de eerste doorverwijzing (301) meteen naar https:// op dezelfde naam laten "
                  "gaan?\n\nAlvast bedankt."),
    ),
    "https.no_redirect": Advice(
        title=_("Je website stuurt bezoekers niet naar HTTPS"),
        meaning=_("Wie je website zonder 'https' opent, blijft op de onbeveiligde versie. Wat die bezoekers "
                  "zien of invullen, kan onderweg worden meegelezen of veranderd."),
        urgency="high",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nOnze website stuurt bezoekers van http:// niet door naar https://. "
                  "Wilt u een permanente doorverwijzing (301) instellen van http://<naam>/ naar "
                  "https://<naam>/ (dezelfde naam), voor het domein en voor 'www'?\n\nAlvast bedankt."),
    ),
    "https.redirect_downgrade": Advice(
        title=_("Je website stuurt bezoekers terug naar een onbeveiligde pagina"),
        meaning=_("Ergens in de doorverwijzingen gaat een bezoeker van een beveiligde (https) naar een "
                  "onbeveiligde (http) pagina. Zonder dat de bezoeker het merkt, is de verbinding dan niet meer "
                  "beveiligd."),
        urgency="high",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nEen doorverwijzing op onze website gaat van https:// naar http:// "
                  "(zie de technische details). Wilt u alle doorverwijzingen naar https:// laten "
                  "wijzen?\n\nAlvast bedankt."),
    ),
    "https.too_many_redirects": Advice(
        title=_("Je website blijft bezoekers doorsturen"),
        meaning=_("Na tien doorverwijzingen kwam er nog steeds geen pagina. Browsers geven dan een foutmelding "
                  "en bezoekers zien je website niet."),
        urgency="high",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nOnze website stuurt bezoekers meer dan tien keer door (mogelijk een "
                  "lus, zie de technische details). Wilt u de doorverwijzingen nakijken, zodat een bezoeker in "
                  "één stap op de beveiligde pagina komt?\n\nAlvast bedankt."),
    ),
    "https.http_closed": Advice(
        title=_("Je website is alleen met HTTPS te bereiken"),
        meaning=_("Je webserver geeft geen antwoord zonder beveiliging. Dat is veilig. Een doorverwijzing van "
                  "http:// naar https:// is dan niet nodig."),
        urgency="low",
        fixer="hosting",
    ),
    "https.redirect_not_tested": Advice(
        title=_("We konden de doorverwijzing naar HTTPS niet testen"),
        meaning=_("Je webserver gaf zonder beveiliging (http://) geen antwoord op tijd. Dit is geen oordeel "
                  "over je website. Probeer de scan later nog eens."),
        urgency="low",
        fixer="hosting",
    ),
    "https.hsts_ok": Advice(
        title=_("Browsers onthouden dat je website alleen HTTPS gebruikt"),
        meaning=_("Je website stuurt 'Strict-Transport-Security' (HSTS) mee, voor minstens een jaar. "
                  "Browsers maken daarna zelf altijd een beveiligde verbinding."),
        urgency="low",
        fixer="hosting",
    ),
    "https.hsts_short": Advice(
        title=_("Browsers onthouden maar kort dat je website HTTPS gebruikt"),
        meaning=_("Je website stuurt 'Strict-Transport-Security' (HSTS) mee, maar voor minder dan een jaar. "
                  "Na die tijd kan een bezoeker weer via een onbeveiligde verbinding binnenkomen."),
        urgency="medium",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nOnze website stuurt de header Strict-Transport-Security mee met een "
                  "korte max-age. Wilt u die verhogen naar minstens een jaar: "
                  "'Strict-Transport-Security: max-age=31536000; includeSubDomains' (includeSubDomains alleen "
                  "als alle subdomeinen HTTPS hebben)?\n\nAlvast bedankt."),
    ),
    "https.hsts_missing": Advice(
        title=_("Browsers weten niet dat je website altijd HTTPS gebruikt"),
        meaning=_("Je website stuurt geen (geldige) 'Strict-Transport-Security' (HSTS) mee. Een bezoeker kan "
                  "daardoor via een onbeveiligde verbinding worden omgeleid, bijvoorbeeld op openbare wifi."),
        urgency="medium",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nOnze website stuurt geen HSTS-header mee. Wilt u op alle "
                  "HTTPS-antwoorden deze header toevoegen: 'Strict-Transport-Security: max-age=31536000; "
                  "includeSubDomains' (includeSubDomains alleen als alle subdomeinen HTTPS "
                  "hebben)?\n\nAlvast bedankt."),
    ),
}
