"""security.txt: can someone who finds a weakness in the website tell the business? (RFC 9116)

Rules (network in `collect`, judgement in `evaluate`):
- RFC 9116 §3: the file lives at `https://host/.well-known/security.txt`, MUST be served over HTTPS
  (a redirect that ends on http, or a file found only over http, fails) as `text/plain`, with
  charset utf-8 if a charset is given (§3 and §4).
- §2.5.3 Contact is required (one or more); §2.5.5 Expires is required exactly once, MUST NOT lie in the
  past and SHOULD lie less than a year ahead (warn).
- Everything else the `sectxt` library (the parser internet.nl uses) reports as an error — syntax,
  http:// URIs, a Canonical that does not match where the file was found (§2.5.2), a broken PGP
  envelope — fails as "invalid". Its recommendations are reported in the detail.
- §2.3: a PGP cleartext signature is a plus (reported, never scored against). The envelope is
  checked; the signature is not verified against a key (we do not know the business's key).

The file is fetched by our own client (webclient: the scan's resolver, ports and trust store) and the
text fed to `sectxt.Parser`, which parses content without fetching; sectxt's own `SecurityTXT` class
would fetch with `requests` and the system resolver. Expiry is judged against the moment of fetching
(`fetched_at`), not the moment of evaluation, so a stored scan keeps its verdict; sectxt's clock-based
"expired"/"long_expiry" notes are left out for that reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import Message

import sectxt
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dtc.scans.checks.base import Advice, Finding, Outcome, ScanContext
from dtc.scans.checks.registry import register
from dtc.scans.checks.webclient import DNS_ERRORS, Chain, WebClient

CHECK_ID = "web.securitytxt"
PATH = "/.well-known/security.txt"
MAX_SIZE = 32 * 1024
# Errors a connection gives when HTTPS is definitely not on offer (then we look over http).
NO_HTTPS_ERRORS = frozenset({"refused", "tls", "tls_verify"})
# sectxt codes judged by their own finding (or by fetched_at instead of the clock).
OWN_CODES = frozenset({"no_contact", "no_expire", "expired", "long_expiry", "not_signed"})


@dataclass(frozen=True)
class SecurityTxtData:
    host: str
    https: Chain                       # https://host/.well-known/security.txt and its redirects
    http: Chain | None = None          # the same over http, only when HTTPS was not on offer
    fetched_at: dt.datetime | None = None


def collect(target: str, *, context: ScanContext) -> SecurityTxtData:
    host = target.strip().lower().rstrip(".")
    fetched_at = timezone.now()
    with WebClient(context) as client:
        https = client.follow(f"https://{host}{PATH}", max_body=MAX_SIZE)
        http = None
        if https.first.error in NO_HTTPS_ERRORS:
            http = client.follow(f"http://{host}{PATH}", max_body=MAX_SIZE)
    return SecurityTxtData(host=host, https=https, http=http, fetched_at=fetched_at)


# --- judgement ------------------------------------------------------------------------------------


def _finding(outcome: Outcome, code: str, host: str, **detail: object) -> Finding:
    return Finding(check=CHECK_ID, outcome=outcome, code=code, subject=host, detail=detail)


def _found(chain: Chain | None) -> bool:
    return chain is not None and chain.final.ok and chain.final.status == 200


def _content_type(value: str | None) -> tuple[str, str | None]:
    """(media type, charset) of a Content-Type header, parsed as sectxt does."""
    if not value:
        return "", None
    message = Message()
    message["content-type"] = value
    charset = message.get_param("charset")
    return message.get_content_type(), str(charset).lower() if isinstance(charset, str) else None


def _one_year_after(moment: dt.datetime) -> dt.datetime:
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + 1, day=28)


def _expires(parser: sectxt.Parser) -> tuple[str | None, dt.datetime | None]:
    values = [line["value"] for line in parser.lines if line.get("field_name") == "expires"]
    if not values:
        return None, None
    try:
        moment = dt.datetime.fromisoformat(values[0].strip())
    except ValueError:
        return values[0], None  # sectxt reports the format error
    return values[0], moment if moment.tzinfo else None


def _judge_content(data: SecurityTxtData, chain: Chain, *, over_https: bool) -> list[Finding]:
    host, final = data.host, chain.final
    media_type, charset = _content_type(final.header("content-type"))
    parser = sectxt.Parser(final.body, urls=list(dict.fromkeys([chain.first.url, final.url])))
    codes = {error["code"] for error in parser.errors}
    where = {"url": final.url, "first_url": chain.first.url}
    if media_type != "text/plain" and {"no_contact", "no_expire"} <= codes:
        # A web page where the file should be (a "soft 404"): there is no security.txt.
        return [_finding(Outcome.FAIL, "securitytxt.missing", host, **where, status=final.status,
                         content_type=final.header("content-type"))]
    findings: list[Finding] = []
    if not over_https:
        findings.append(_finding(Outcome.FAIL, "securitytxt.not_https", host, **where,
                                 chain=chain.urls, https_error=data.https.first.error))
    if media_type != "text/plain" or charset not in (None, "utf-8", "csutf8"):
        findings.append(_finding(Outcome.FAIL, "securitytxt.wrong_content_type", host, **where,
                                 content_type=final.header("content-type")))
    if "no_contact" in codes:
        findings.append(_finding(Outcome.FAIL, "securitytxt.no_contact", host, **where))
    expires_value, expires = _expires(parser)
    fetched_at = data.fetched_at or timezone.now()
    if "no_expire" in codes:
        findings.append(_finding(Outcome.FAIL, "securitytxt.no_expires", host, **where))
    elif expires is not None and expires < fetched_at:
        findings.append(_finding(Outcome.FAIL, "securitytxt.expired", host, **where, expires=expires_value,
                                 checked_at=fetched_at.isoformat()))
    elif expires is not None and expires > _one_year_after(fetched_at):
        findings.append(_finding(Outcome.WARN, "securitytxt.expires_too_far", host, **where,
                                 expires=expires_value, checked_at=fetched_at.isoformat()))
    other = [dict(error) for error in parser.errors if error["code"] not in OWN_CODES]
    if other:
        findings.append(_finding(Outcome.FAIL, "securitytxt.invalid", host, **where, errors=other))
    recommendations = [dict(note) for note in parser.recommendations if note["code"] not in OWN_CODES]
    if not findings:
        findings.append(_finding(Outcome.PASS, "securitytxt.ok", host, **where, expires=expires_value,
                                 contact=[line["value"] for line in parser.lines
                                          if line.get("field_name") == "contact"],
                                 recommendations=recommendations))
    signed = not any(note["code"] == "not_signed" for note in parser.recommendations)
    findings.append(_finding(Outcome.INFO, "securitytxt.signed" if signed else "securitytxt.not_signed",
                             host, **where))
    return findings


@register(id=CHECK_ID, category="web", scored=True)
def evaluate(data: SecurityTxtData) -> list[Finding]:
    host, https = data.host, data.https
    first = https.first
    if first.error == "no_address":
        return [_finding(Outcome.NOT_APPLICABLE, "securitytxt.no_address", host)]
    if first.error in DNS_ERRORS or first.error not in ("", *NO_HTTPS_ERRORS):
        return [_finding(Outcome.NOT_TESTED, "securitytxt.not_tested", host, url=first.url, error=first.error,
                         reason=first.error_detail)]
    if first.ok:
        if _found(https):
            return _judge_content(data, https, over_https=not https.downgrades())
        if not https.final.ok:  # lost on the way, e.g. a redirect to a server that does not answer
            return [_finding(Outcome.NOT_TESTED, "securitytxt.not_tested", host, url=https.final.url,
                             error=https.final.error, reason=https.final.error_detail)]
        return [_finding(Outcome.FAIL, "securitytxt.missing", host, url=https.final.url, status=https.final.status)]
    # HTTPS is not on offer (refused, broken TLS, invalid certificate): is the file there over http?
    if _found(data.http):
        assert data.http is not None
        return _judge_content(data, data.http, over_https=False)
    if data.http is not None and data.http.final.ok:
        return [_finding(Outcome.FAIL, "securitytxt.missing", host, url=data.http.final.url,
                         status=data.http.final.status, https_error=first.error)]
    return [_finding(Outcome.NOT_TESTED, "securitytxt.not_tested", host, url=first.url, error=first.error,
                     reason=first.error_detail)]


# --- advice (plain Dutch, B1, "je" form) ----------------------------------------------------------

ADVICE: dict[str, Advice] = {
    "securitytxt.ok": Advice(
        title=_("Je website heeft een goed security.txt-bestand"),
        meaning=_("Wie een zwakke plek in je website vindt, ziet meteen hoe hij jou kan waarschuwen."),
        urgency="low",
        fixer="you",
    ),
    "securitytxt.missing": Advice(
        title=_("Je website heeft geen security.txt-bestand"),
        meaning=_("Vindt iemand een zwakke plek in je website, dan weet hij niet bij wie hij die kan melden. "
                  "De melding komt dan misschien nooit bij jou aan."),
        urgency="medium",
        fixer="you",
        message=_("Beste websitebeheerder,\n\nWilt u op onze website het bestand "
                  "/.well-known/security.txt zetten (platte tekst, via HTTPS)? Bijvoorbeeld:\n"
                  "Contact: mailto:security@<ons-domein>\nExpires: <datum en tijd minder dan een jaar "
                  "vooruit, in de vorm JJJJ-MM-DDTUU:MM:SSZ>\nPreferred-Languages: nl, en\n\nAlvast bedankt."),
    ),
    "securitytxt.not_https": Advice(
        title=_("Je security.txt is niet beveiligd te bereiken"),
        meaning=_("Het bestand staat er wel, maar niet via een beveiligde verbinding (HTTPS). Iemand kan "
                  "onderweg het contactadres veranderen, zodat meldingen bij de verkeerde terechtkomen."),
        urgency="medium",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nOns bestand /.well-known/security.txt is alleen via http:// te "
                  "bereiken, of wordt doorgestuurd naar http://. Wilt u ervoor zorgen dat het via https:// "
                  "met een geldig certificaat wordt geleverd?\n\nAlvast bedankt."),
    ),
    "securitytxt.wrong_content_type": Advice(
        title=_("Je security.txt wordt niet als gewone tekst geleverd"),
        meaning=_("Het bestand moet als platte tekst worden aangeboden. Anders kunnen programma's die zulke "
                  "bestanden lezen het weigeren."),
        urgency="low",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nWilt u ons bestand /.well-known/security.txt laten leveren met de "
                  "header 'Content-Type: text/plain; charset=utf-8'?\n\nAlvast bedankt."),
    ),
    "securitytxt.no_contact": Advice(
        title=_("Er staat geen contactadres in je security.txt"),
        meaning=_("Het bestand zegt niet hoe iemand een zwakke plek kan melden. Daarmee mist het zijn doel."),
        urgency="medium",
        fixer="you",
        message=_("Beste websitebeheerder,\n\nWilt u in ons bestand /.well-known/security.txt een regel met "
                  "een contactadres zetten, bijvoorbeeld 'Contact: mailto:security@<ons-domein>'?\n\n"
                  "Alvast bedankt."),
    ),
    "securitytxt.no_expires": Advice(
        title=_("Er staat geen einddatum in je security.txt"),
        meaning=_("Het bestand moet zeggen tot wanneer het klopt. Zo weet een melder dat de gegevens niet "
                  "verouderd zijn."),
        urgency="low",
        fixer="you",
        message=_("Beste websitebeheerder,\n\nWilt u in ons bestand /.well-known/security.txt een einddatum "
                  "zetten, minder dan een jaar vooruit, in de vorm 'Expires: JJJJ-MM-DDTUU:MM:SSZ'? Zet in de "
                  "agenda wanneer die moet worden vernieuwd.\n\nAlvast bedankt."),
    ),
    "securitytxt.expired": Advice(
        title=_("Je security.txt is verlopen"),
        meaning=_("De einddatum in het bestand is voorbij. Melders kunnen denken dat de contactgegevens niet "
                  "meer kloppen."),
        urgency="medium",
        fixer="you",
        message=_("Beste websitebeheerder,\n\nDe regel 'Expires' in ons bestand /.well-known/security.txt "
                  "ligt in het verleden. Wilt u de contactgegevens nakijken en een nieuwe datum zetten, "
                  "minder dan een jaar vooruit?\n\nAlvast bedankt."),
    ),
    "securitytxt.expires_too_far": Advice(
        title=_("De einddatum van je security.txt ligt te ver weg"),
        meaning=_("De einddatum ligt meer dan een jaar vooruit. Dan wordt het bestand makkelijk vergeten en "
                  "kloppen de gegevens na een tijd niet meer."),
        urgency="low",
        fixer="you",
        message=_("Beste websitebeheerder,\n\nWilt u de regel 'Expires' in ons bestand "
                  "/.well-known/security.txt op een datum zetten die minder dan een jaar vooruit ligt?\n\n"
                  "Alvast bedankt."),
    ),
    "securitytxt.invalid": Advice(
        title=_("Je security.txt bevat fouten"),
        meaning=_("Het bestand volgt de afspraken niet helemaal (zie de technische details). Programma's die "
                  "het lezen, kunnen het daardoor verkeerd begrijpen of negeren."),
        urgency="low",
        fixer="you",
        message=_("Beste websitebeheerder,\n\nOns bestand /.well-known/security.txt bevat fouten (zie de "
                  "technische details hieronder). Wilt u die herstellen? Elke regel is 'Veld: waarde', "
                  "adressen beginnen met https:// of mailto:, en 'Canonical' moet het adres van het bestand "
                  "zelf zijn.\n\nAlvast bedankt."),
    ),
    "securitytxt.signed": Advice(
        title=_("Je security.txt is ondertekend"),
        meaning=_("Het bestand heeft een digitale handtekening (PGP). Melders kunnen zo nagaan dat het echt "
                  "van jou komt."),
        urgency="low",
        fixer="you",
    ),
    "securitytxt.not_signed": Advice(
        title=_("Je security.txt is niet ondertekend"),
        meaning=_("Een digitale handtekening (PGP) is niet verplicht, maar laat melders nagaan dat het bestand "
                  "echt van jou komt. Dit is een tip, geen fout."),
        urgency="low",
        fixer="you",
    ),
    "securitytxt.not_tested": Advice(
        title=_("We konden je security.txt niet testen"),
        meaning=_("Je webserver gaf geen antwoord op tijd. Dit is geen oordeel over je website. Probeer de scan "
                  "later nog eens."),
        urgency="low",
        fixer="hosting",
    ),
    "securitytxt.no_address": Advice(
        title=_("Op deze naam staat geen website"),
        meaning=_("Deze naam verwijst in de DNS niet naar een webserver. Deze test is daarom niet van "
                  "toepassing."),
        urgency="low",
        fixer="dns",
    ),
}
