"""MTA-STS: does the domain require other mail servers to deliver to it only over verified TLS?

Advice only (not scored), like TLS-RPT. Rules, RFC 8461:
- §3.1: a TXT record at `_mta-sts.<domain>`: `v=STSv1; id=<1-32 letters/digits>;` (other fields are
  extensions). Records not starting with `v=STSv1;` are discarded; when not exactly one remains, or it does
  not parse, senders act as if there is no policy.
- §3.3: the policy itself is fetched from `https://mta-sts.<domain>/.well-known/mta-sts.txt` with a
  certificate valid for that host; only a 200 answer counts, redirects MUST NOT be followed, and the body is
  `text/plain`.
- §3.2: the policy has lines `key: value`: `version: STSv1`, `mode: enforce|testing|none`,
  `max_age: <seconds, at most 31557600>` and, for testing and enforce, one or more `mx:` patterns; unknown
  keys are ignored. The RFC recommends a max_age of weeks; below one day we warn.
- §4.1: every MX host must match an `mx` pattern (exactly, or `*.` matching one left-most label);
  in enforce mode senders refuse to deliver to a host that does not match.

The policy is fetched with the scans' one HTTP client (`webclient.WebClient`): the host name resolves
through `context.resolver`, the connection goes to `context.https_port`, and the certificate is checked
against the public roots plus `context.ca_file`, with the real name in SNI and the Host header.
checkdmarc's MTA-STS code downloads with `requests` (no resolver, port or trust store to inject) and
rejects the extension keys the RFC allows, so the rules are implemented here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dtc.scans.checks.base import Advice, Finding, Outcome, ScanContext
from dtc.scans.checks.dnsutil import FAILED, lookup_txt, mx_records
from dtc.scans.checks.registry import register
from dtc.scans.checks.webclient import WebClient

CHECK_ID = "mail.mtasts"
MAX_POLICY_BYTES = 64 * 1024
MAX_AGE_LIMIT = 31_557_600           # RFC 8461 §3.2
MAX_AGE_ADVISED = 86_400             # below one day the policy protects little between fetches
# webclient error codes that mean "we could not test", not "the domain is wrong"
NOT_TESTED_ERRORS = frozenset({"dns_timeout", "dns_error", "timeout", "refused", "connect"})
_ID = re.compile(r"[A-Za-z0-9]{1,32}")
_MX_PATTERN = re.compile(r"(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?")


@dataclass(frozen=True)
class MtaStsData:
    domain: str
    txt_status: str                          # of _mta-sts.<domain> TXT: "ok", "nodata", "nxdomain", or an error
    txt_records: tuple[str, ...] = ()
    mx_status: str = ""                      # of <domain> MX ("" = not looked up)
    mx_hosts: tuple[str, ...] = ()           # lower case, no trailing dot; "." is a null MX
    policy_url: str = ""                     # "" = the policy was not fetched
    policy_error: str = ""                   # webclient error code; "" when an HTTP response came
    policy_error_detail: str = ""
    policy_status: int | None = None
    policy_content_type: str = ""
    policy_location: str = ""                # Location of a redirect (which senders must not follow)
    policy_body: str = ""


@dataclass(frozen=True)
class Policy:
    version: str = ""
    mode: str = ""
    max_age: int | None = None
    mx: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


# --- parsing (pure) --------------------------------------------------------------------------------


def sts_records(records: tuple[str, ...]) -> list[str]:
    """RFC 8461 §3.1: records that do not begin with "v=STSv1;" are discarded."""
    return [record for record in records if re.match(r"v=STSv1[ \t]*;", record)]


def txt_problems(record: str) -> list[str]:
    fields = [field.strip(" \t") for field in record.split(";")[1:]]
    ids = [field[3:] for field in fields if field.startswith("id=")]
    if len(ids) != 1:
        return ["id_missing" if not ids else "id_repeated"]
    if not _ID.fullmatch(ids[0]):
        return [f"id_invalid: {ids[0]}"]
    return []


def parse_policy(body: str) -> Policy:
    """RFC 8461 §3.2: `key: value` lines (LF or CRLF); version, mode and max_age required."""
    values: dict[str, str] = {}
    mx: list[str] = []
    problems: list[str] = []
    for line in body.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip(" \t")
        if not sep or not key:
            problems.append(f"unreadable: {line[:80]}")
        elif key == "mx":
            if _MX_PATTERN.fullmatch(value):
                mx.append(value.lower().rstrip("."))
            else:
                problems.append(f"bad_mx: {value[:80]}")
        elif key in ("version", "mode", "max_age"):
            if key in values:
                problems.append(f"repeated: {key}")
            else:
                values[key] = value
    version, mode, max_age_text = values.get("version", ""), values.get("mode", ""), values.get("max_age", "")
    if version != "STSv1":
        problems.append(f"version: {version or 'missing'}")
    if mode not in ("enforce", "testing", "none"):
        problems.append(f"mode: {mode or 'missing'}")
    max_age = int(max_age_text) if re.fullmatch(r"[0-9]{1,10}", max_age_text) else None
    if max_age is None or max_age > MAX_AGE_LIMIT:
        problems.append(f"max_age: {max_age_text or 'missing'}")
    if mode in ("enforce", "testing") and not mx:
        problems.append("mx_missing")
    return Policy(version=version, mode=mode, max_age=max_age, mx=tuple(mx), problems=tuple(problems))


def mx_matches(host: str, pattern: str) -> bool:
    """RFC 8461 §4.1: an exact match, or "*." standing for exactly one left-most label."""
    host, pattern = host.lower().rstrip("."), pattern.lower().rstrip(".")
    if pattern.startswith("*."):
        label, dot, rest = host.partition(".")
        return bool(label and dot) and rest == pattern[2:]
    return host == pattern


# --- network ---------------------------------------------------------------------------------------


def collect(target: str, *, context: ScanContext) -> MtaStsData:
    domain = target.lower().rstrip(".")
    txt = lookup_txt(context, f"_mta-sts.{domain}")
    txt_status, records = txt.status, txt.records
    found = sts_records(records)
    if len(found) != 1 or txt_problems(found[0]):
        return MtaStsData(domain=domain, txt_status=txt_status, txt_records=records)  # senders stop here

    mx_status, mx = mx_records(context, domain)
    mx_hosts = tuple(sorted({exchange for _preference, exchange in mx}))

    url = f"https://mta-sts.{domain}/.well-known/mta-sts.txt"
    with WebClient(context) as client:
        exchange = client.fetch(url, max_body=MAX_POLICY_BYTES)
    return MtaStsData(
        domain=domain, txt_status=txt_status, txt_records=records, mx_status=mx_status, mx_hosts=mx_hosts,
        policy_url=url, policy_error=exchange.error, policy_error_detail=exchange.error_detail,
        policy_status=exchange.status, policy_content_type=exchange.header("content-type") or "",
        policy_location=exchange.header("location") or "",
        policy_body=exchange.body.decode("utf-8", "replace"),
    )


# --- judgement -------------------------------------------------------------------------------------


def _finding(outcome: Outcome, code: str, subject: str = "", **detail: object) -> Finding:
    return Finding(check=CHECK_ID, outcome=outcome, code=code, subject=subject, detail=dict(detail))


@register(id=CHECK_ID, category="mail", scored=False)
def evaluate(data: MtaStsData) -> list[Finding]:
    txt_name = f"_mta-sts.{data.domain}"
    if data.txt_status in FAILED:
        return [_finding(Outcome.NOT_TESTED, "mtasts.not_tested", txt_name, error=data.txt_status)]
    found = sts_records(data.txt_records)
    if not found:
        return [_finding(Outcome.INFO, "mtasts.missing", txt_name, status=data.txt_status,
                         other_records=list(data.txt_records))]
    problems = ["multiple_records"] if len(found) > 1 else txt_problems(found[0])
    if problems:
        return [_finding(Outcome.WARN, "mtasts.invalid_record", txt_name, records=found, problems=problems)]

    url = data.policy_url
    if data.policy_error in NOT_TESTED_ERRORS:
        return [_finding(Outcome.NOT_TESTED, "mtasts.not_tested", url, error=data.policy_error,
                         error_detail=data.policy_error_detail)]
    if data.policy_error or data.policy_status != 200:
        reason = data.policy_error or ("redirect" if data.policy_location else f"http_{data.policy_status}")
        return [_finding(Outcome.WARN, "mtasts.policy_unavailable", url, reason=reason,
                         error_detail=data.policy_error_detail, status=data.policy_status,
                         location=data.policy_location)]

    policy = parse_policy(data.policy_body)
    media_type = data.policy_content_type.split(";", 1)[0].strip().lower()
    policy_problems = list(policy.problems) + ([f"content_type: {media_type or 'missing'}"]
                                               if media_type != "text/plain" else [])
    if policy_problems:
        return [_finding(Outcome.WARN, "mtasts.policy_invalid", url, problems=policy_problems,
                         policy=data.policy_body[:2000])]

    detail = {"record": found[0], "mode": policy.mode, "max_age": policy.max_age, "mx": list(policy.mx)}
    findings: list[Finding] = []
    if policy.mode == "none":
        # "none" withdraws the policy (RFC 8461 §5); nothing else to judge.
        return [_finding(Outcome.WARN, "mtasts.mode_none", url, **detail)]
    if policy.mode == "testing":
        findings.append(_finding(Outcome.WARN, "mtasts.mode_testing", url, **detail))
    if data.mx_status in FAILED:
        findings.append(_finding(Outcome.NOT_TESTED, "mtasts.not_tested", data.domain, error=data.mx_status,
                                 step="mx"))
    else:
        hosts = [host for host in data.mx_hosts if host != "."]
        uncovered = [host for host in hosts if not any(mx_matches(host, pattern) for pattern in policy.mx)]
        if uncovered:
            # In enforce mode senders will not deliver to these hosts (RFC 8461 §5.1): mail is lost.
            outcome = Outcome.FAIL if policy.mode == "enforce" else Outcome.WARN
            findings.append(_finding(outcome, "mtasts.mx_not_covered", data.domain, **detail,
                                     mx_hosts=hosts, uncovered=uncovered))
    if policy.max_age is not None and policy.max_age < MAX_AGE_ADVISED:
        findings.append(_finding(Outcome.WARN, "mtasts.max_age_short", url, **detail,
                                 advised_minimum=MAX_AGE_ADVISED))
    if not findings:
        findings.append(_finding(Outcome.PASS, "mtasts.ok", url, **detail, mx_hosts=list(data.mx_hosts)))
    return findings


# --- advice ----------------------------------------------------------------------------------------

ADVICE: dict[str, Advice] = {
    "mtasts.ok": Advice(
        title=_("Je domein eist versleutelde aflevering van e-mail (MTA-STS)"),
        meaning=_("Andere mailservers leveren e-mail voor jouw domein alleen af over een versleutelde "
                  "verbinding met een geldig certificaat. Zo kan niemand je mail onderweg meelezen of "
                  "omleiden."),
        urgency="low",
        fixer="mail",
    ),
    "mtasts.missing": Advice(
        title=_("Je domein gebruikt geen MTA-STS"),
        meaning=_("Met MTA-STS vraag je andere mailservers om e-mail alleen versleuteld en aan de echte "
                  "mailserver af te leveren. Het is niet verplicht, maar het maakt meelezen en omleiden van je "
                  "mail veel moeilijker. Je mailprovider kan je helpen het in te stellen."),
        urgency="low",
        fixer="mail",
        message=_("Beste mailprovider,\n\nWe willen MTA-STS gebruiken voor ons domein. Wilt u ons helpen met:\n"
                  "1. een beleidsbestand op https://mta-sts.<ons-domein>/.well-known/mta-sts.txt (met een "
                  "geldig certificaat), bijvoorbeeld:\nversion: STSv1\nmode: testing\nmx: <onze mailserver>\n"
                  "max_age: 604800\n2. het DNS-record _mta-sts.<ons-domein> TXT \"v=STSv1; id=<datum>\".\n"
                  "Na een testperiode zetten we mode op enforce.\n\nAlvast bedankt."),
    ),
    "mtasts.invalid_record": Advice(
        title=_("Het MTA-STS-record van je domein bevat een fout"),
        meaning=_("Het DNS-record voor MTA-STS ontbreekt een geldig id=, of er staan meerdere records. Andere "
                  "mailservers gebruiken je MTA-STS-beleid dan niet."),
        urgency="medium",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nHet MTA-STS-record van ons domein (_mta-sts.<ons-domein>) is "
                  "ongeldig. Er mag één TXT-record staan, in deze vorm:\n\n\"v=STSv1; id=20250101000000\"\n\n"
                  "(het id bestaat uit maximaal 32 letters en cijfers). Wilt u dit aanpassen?\n\n"
                  "Alvast bedankt."),
    ),
    "mtasts.policy_unavailable": Advice(
        title=_("Het MTA-STS-beleid van je domein is niet op te halen"),
        meaning=_("Je domein zegt dat het MTA-STS gebruikt, maar het beleidsbestand op "
                  "https://mta-sts.<jouw-domein>/.well-known/mta-sts.txt is niet bereikbaar, heeft een "
                  "ongeldig certificaat of stuurt door. Andere mailservers negeren MTA-STS dan."),
        urgency="medium",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nOns MTA-STS-beleid moet bereikbaar zijn op "
                  "https://mta-sts.<ons-domein>/.well-known/mta-sts.txt, met een geldig certificaat voor "
                  "mta-sts.<ons-domein>, direct (zonder doorverwijzing) en met status 200. Dat lukt nu niet "
                  "(zie de technische details). Wilt u dit nakijken?\n\nAlvast bedankt."),
    ),
    "mtasts.policy_invalid": Advice(
        title=_("Het MTA-STS-beleid van je domein bevat een fout"),
        meaning=_("Het beleidsbestand voor MTA-STS is niet goed opgebouwd (bijvoorbeeld een ontbrekende "
                  "'mode', 'max_age' of 'mx', of een verkeerd bestandstype). Andere mailservers gebruiken het "
                  "dan niet."),
        urgency="medium",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nHet bestand https://mta-sts.<ons-domein>/.well-known/mta-sts.txt "
                  "bevat een fout (zie de technische details). Het moet als text/plain worden geleverd en er zo "
                  "uitzien:\n\nversion: STSv1\nmode: enforce\nmx: <onze mailserver>\nmax_age: 604800\n\n"
                  "Wilt u dit aanpassen?\n\nAlvast bedankt."),
    ),
    "mtasts.mode_testing": Advice(
        title=_("Je MTA-STS-beleid staat nog in testmodus"),
        meaning=_("In testmodus leveren andere mailservers je mail ook af als de verbinding niet veilig is; ze "
                  "melden het alleen (via TLS-RPT). Kloppen de rapporten? Zet dan mode op enforce."),
        urgency="low",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nWilt u in ons MTA-STS-beleid "
                  "(https://mta-sts.<ons-domein>/.well-known/mta-sts.txt) 'mode: testing' veranderen in "
                  "'mode: enforce', en daarna het id in het DNS-record _mta-sts.<ons-domein> verhogen?\n\n"
                  "Alvast bedankt."),
    ),
    "mtasts.mode_none": Advice(
        title=_("Je MTA-STS-beleid staat uit (mode: none)"),
        meaning=_("Je domein heeft MTA-STS, maar het beleid staat op 'none'. Dat betekent: geen bescherming. "
                  "Dat is alleen bedoeld om MTA-STS netjes te stoppen."),
        urgency="low",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nOns MTA-STS-beleid staat op 'mode: none'. Wilt u het op 'mode: "
                  "testing' (en later 'mode: enforce') zetten, met de juiste mx-regels, en daarna het id in het "
                  "DNS-record _mta-sts.<ons-domein> verhogen?\n\nAlvast bedankt."),
    ),
    "mtasts.mx_not_covered": Advice(
        title=_("Je MTA-STS-beleid noemt niet al je mailservers"),
        meaning=_("Een mailserver uit je MX-records staat niet in het MTA-STS-beleid. In de stand 'enforce' "
                  "leveren andere mailservers daar geen e-mail meer af. Zo kun je mail mislopen."),
        urgency="high",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nIn ons MTA-STS-beleid (https://mta-sts.<ons-domein>/.well-known/"
                  "mta-sts.txt) ontbreekt een mailserver uit onze MX-records (zie de technische details). Wilt "
                  "u voor elke mailserver een regel 'mx: <servernaam>' toevoegen, en daarna het id in het "
                  "DNS-record _mta-sts.<ons-domein> verhogen?\n\nAlvast bedankt."),
    ),
    "mtasts.max_age_short": Advice(
        title=_("Je MTA-STS-beleid geldt maar kort (max_age)"),
        meaning=_("Andere mailservers onthouden je beleid maar heel kort. Een aanvaller heeft dan vaker de kans "
                  "om de beveiliging te omzeilen. Een week of langer is beter."),
        urgency="low",
        fixer="hosting",
        message=_("Beste hostingpartij,\n\nWilt u in ons MTA-STS-beleid "
                  "(https://mta-sts.<ons-domein>/.well-known/mta-sts.txt) max_age verhogen naar ten minste "
                  "604800 (een week)?\n\nAlvast bedankt."),
    ),
    "mtasts.not_tested": Advice(
        title=_("We konden MTA-STS niet (helemaal) controleren"),
        meaning=_("De DNS of de webserver van mta-sts gaf geen antwoord op tijd, of weigerde de verbinding. Dat "
                  "zegt nog niets over je beveiliging. We proberen het bij de volgende scan opnieuw."),
        urgency="low",
        fixer="hosting",
    ),
}
