"""DMARC: does the domain tell receivers what to do with mail that fakes its name?

Rules (network in `collect`, judgement in `evaluate`), after RFC 9989 (DMARCbis, which obsoletes RFC 7489):
- §4.10 DNS Tree Walk: query `_dmarc.<domain>`, then walk up one label at a time (a name of 8 or more
  labels is first cut to its 7 right-most labels), at most 8 queries, stopping at a record with psd=y or
  psd=n. No Public Suffix List: the walk itself finds the Organizational Domain (§4.10.2).
- §4.10 step 2: TXT records that do not start with `v=DMARC1` are discarded; when more than one DMARC
  record remains at a name, all of them are discarded (so a domain must publish exactly one).
- §4.10.1 Policy Discovery: the record at the domain itself applies (its `p`); otherwise the record of the
  Organizational Domain (or of the Public Suffix Domain) applies, with its `sp` (the domain exists).
  A missing `p` means p=none; an invalid p/sp/np makes receivers act as p=none (when `rua` is valid) or
  ignore DMARC altogether.
- §4.7 tags: p=none is monitoring only (warn); quarantine and reject protect (pass). `sp` is the policy for
  existing subdomains, `np` for non-existent subdomains (default: sp, else p); `t=y` is test mode —
  receivers apply one level less (reject → quarantine, quarantine → none).
- External report destinations (RFC 9990 §3, formerly RFC 7489 §7.1): when a `rua`/`ruf` address lies
  outside the Organizational Domain, the receiving domain must publish
  `<policy domain>._report._dmarc.<destination host>` TXT "v=DMARC1", or reports are not sent there.

Why not checkdmarc: it does accept a dnspython resolver, but (1) it caches every answer in a process-wide
cache keyed by name only, so answers from one scan (or one test server) leak into the next; (2) timeouts and
SERVFAIL become the same DMARCError strings as a broken record, so "could not test" cannot be told from
"fail"; (3) it decides "same organisation" for report destinations with the Public Suffix List, where RFC
9989 uses the tree walk; (4) its parser does DNS lookups and stops at the first problem. The rules above
are short, so they are implemented here on dnspython.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from dtc.scans.checks.base import Advice, Finding, Outcome, ScanContext
from dtc.scans.checks.dnsutil import TxtLookup, lookup_txt
from dtc.scans.checks.registry import register

CHECK_ID = "mail.dmarc"
MAX_WALK_QUERIES = 8           # RFC 9989 §4.10
POLICIES = ("none", "quarantine", "reject")
_VERSION = re.compile(r"v[ \t]*=[ \t]*DMARC1[ \t]*(;|$)")   # case-sensitive value, RFC 9989 §4.8
_TAG = re.compile(r"([A-Za-z]+)[ \t]*=[ \t]*(.*)", re.DOTALL)
_SIZE_SUFFIX = re.compile(r"![0-9]+[kmgt]?$", re.IGNORECASE)  # obsolete "!size" on report URIs


# --- data ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DmarcData:
    domain: str
    walk: tuple[TxtLookup, ...]                         # _dmarc lookups in tree-walk order, the domain first
    authorisations: tuple[TxtLookup, ...] = ()          # <policy domain>._report._dmarc.<destination>


@dataclass(frozen=True)
class DmarcRecord:
    text: str
    tags: dict[str, str] = field(default_factory=dict)  # tag names lower case, first occurrence wins
    problems: tuple[str, ...] = ()                      # parts that are not "tag=value", duplicate tags

    def policy(self, tag: str) -> str | None:
        """The value of p/sp/np in lower case, or None when absent."""
        value = self.tags.get(tag)
        return value.strip().lower() if value is not None else None


@dataclass(frozen=True)
class Discovery:
    """What the tree walk found: the record that applies to the domain, and the Organizational Domain."""

    record: DmarcRecord | None
    policy_domain: str = ""           # where the applicable record was published
    inherited: bool = False           # the record belongs to a parent (Organizational or Public Suffix Domain)
    from_psd: bool = False            # ... and it is a Public Suffix Operator's record (psd=y)
    organisational_domain: str = ""
    unresolved: tuple[str, ...] = ()  # walk names that could not be read and could change the answer


# --- record parsing (pure) -------------------------------------------------------------------------


def is_dmarc_record(text: str) -> bool:
    """RFC 9989 §4.10 step 2 / §4.7 `v`: the record must start with the v tag, value exactly "DMARC1"."""
    return bool(_VERSION.match(text))


def parse_record(text: str) -> DmarcRecord:
    tags: dict[str, str] = {}
    problems: list[str] = []
    for part in text.split(";")[1:]:
        part = part.strip(" \t")
        if not part:
            continue
        match = _TAG.fullmatch(part)
        if not match or not match.group(2).strip():
            problems.append(f"unreadable: {part}")
            continue
        name, value = match.group(1).lower(), match.group(2).strip()
        if name in tags:
            problems.append(f"duplicate: {name}")
            continue
        tags[name] = value
    return DmarcRecord(text=text, tags=tags, problems=tuple(problems))


def dmarc_records(lookup: TxtLookup) -> list[str]:
    return [record for record in lookup.records if is_dmarc_record(record)]


def _single_record(lookup: TxtLookup) -> DmarcRecord | None:
    """The one valid DMARC record at this name; none, or several (all discarded), give None."""
    found = dmarc_records(lookup)
    return parse_record(found[0]) if len(found) == 1 else None


def tree_walk_names(domain: str) -> list[str]:
    """RFC 9989 §4.10 steps 3-7: the domain, then its parents; at most 8 names."""
    labels = domain.split(".")
    names = [domain]
    start = 1 if len(labels) < 8 else len(labels) - 7
    names += [".".join(labels[index:]) for index in range(start, len(labels))]
    return names[:MAX_WALK_QUERIES]


def _child_towards(domain: str, ancestor: str) -> str:
    """The name one label below `ancestor` on the way to `domain`."""
    extra = domain[: -len(ancestor) - 1].split(".")
    return f"{extra[-1]}.{ancestor}"


def discover(domain: str, walk: tuple[TxtLookup, ...]) -> Discovery:
    """RFC 9989 §4.10.1 (policy) and §4.10.2 (Organizational Domain) on the looked-up walk."""
    found = [(lookup.name, record) for lookup in walk if (record := _single_record(lookup)) is not None]
    by_name = dict(found)

    organisational = ""
    for name, record in found:  # longest to shortest
        psd = (record.tags.get("psd") or "").strip().lower()
        if psd == "n":
            organisational = name
            break
        if psd == "y" and name != domain:
            organisational = _child_towards(domain, name)
            break
    if not organisational:
        organisational = found[-1][0] if found else domain

    # A failed lookup matters when it could hide a record that would change the answer. Single-label
    # names (top-level domains) are skipped here: a business domain needs its own record anyway.
    unresolved = tuple(lookup.name for lookup in walk if lookup.failed and "." in lookup.name)

    if domain in by_name:
        return Discovery(record=by_name[domain], policy_domain=domain, organisational_domain=organisational)
    if unresolved:
        return Discovery(record=None, organisational_domain=organisational, unresolved=unresolved)
    if organisational in by_name and organisational != domain:
        return Discovery(record=by_name[organisational], policy_domain=organisational, inherited=True,
                         organisational_domain=organisational)
    for name, record in found:
        if (record.tags.get("psd") or "").strip().lower() == "y":
            return Discovery(record=record, policy_domain=name, inherited=True, from_psd=True,
                             organisational_domain=organisational)
    return Discovery(record=None, organisational_domain=organisational)


@dataclass(frozen=True)
class ReportUri:
    uri: str
    tag: str                 # "rua" or "ruf"
    host: str = ""           # the destination host ("" when the URI is not usable)


def report_uris(record: DmarcRecord) -> list[ReportUri]:
    """RFC 9989 §4.7 rua/ruf: comma-separated URIs; `mailto:` is what every receiver supports."""
    uris = []
    for tag in ("rua", "ruf"):
        for raw in (record.tags.get(tag) or "").split(","):
            uri = _SIZE_SUFFIX.sub("", raw.strip())
            if not uri:
                continue
            host = ""
            scheme, _sep, rest = uri.partition(":")
            if scheme.lower() == "mailto" and "@" in rest:
                host = rest.split("?", 1)[0].rsplit("@", 1)[1]
            elif scheme.lower() == "https":
                host = urlsplit(uri).hostname or ""
            host = host.strip().lower().rstrip(".")
            if host and "." not in host:
                host = ""
            uris.append(ReportUri(uri=raw.strip(), tag=tag, host=host))
    return uris


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def authorisation_name(policy_domain: str, destination: str) -> str:
    return f"{policy_domain}._report._dmarc.{destination}"


# --- network ---------------------------------------------------------------------------------------


def collect(target: str, *, context: ScanContext) -> DmarcData:
    domain = target.lower().rstrip(".")
    walk: list[TxtLookup] = []
    for name in tree_walk_names(domain):
        lookup = lookup_txt(context, f"_dmarc.{name}")
        walk.append(TxtLookup(name=name, status=lookup.status, records=lookup.records))
        record = _single_record(walk[-1])
        if record is not None and (record.tags.get("psd") or "").strip().lower() in ("y", "n"):
            break  # RFC 9989 §4.10 step 6
    discovery = discover(domain, tuple(walk))
    authorisations = []
    if discovery.record is not None:
        asked: set[str] = set()
        for uri in report_uris(discovery.record):
            if not uri.host or _within(uri.host, discovery.organisational_domain) or uri.host in asked:
                continue
            asked.add(uri.host)
            authorisations.append(lookup_txt(context, authorisation_name(discovery.policy_domain, uri.host)))
    return DmarcData(domain=domain, walk=tuple(walk), authorisations=tuple(authorisations))


# --- judgement -------------------------------------------------------------------------------------


def _finding(outcome: Outcome, code: str, subject: str = "", **detail: object) -> Finding:
    return Finding(check=CHECK_ID, outcome=outcome, code=code, subject=subject, detail=dict(detail))


def _walk_detail(data: DmarcData) -> list[dict[str, object]]:
    return [{"name": f"_dmarc.{lookup.name}", "status": lookup.status, "records": list(lookup.records)}
            for lookup in data.walk]


@register(id=CHECK_ID, category="mail", scored=True)
def evaluate(data: DmarcData) -> list[Finding]:
    domain = data.domain
    own = data.walk[0] if data.walk else TxtLookup(name=domain, status="error")
    if own.failed:
        return [_finding(Outcome.NOT_TESTED, "dmarc.not_tested", f"_dmarc.{domain}", error=own.status)]
    own_records = dmarc_records(own)
    if len(own_records) > 1:
        # RFC 9989 §4.10 step 2: all of them are discarded, as if the domain published none.
        return [_finding(Outcome.FAIL, "dmarc.multiple", f"_dmarc.{domain}", records=own_records)]

    discovery = discover(domain, data.walk)
    if discovery.record is None:
        if discovery.unresolved:
            return [_finding(Outcome.NOT_TESTED, "dmarc.not_tested", f"_dmarc.{discovery.unresolved[0]}",
                             error="unresolved", names=[f"_dmarc.{name}" for name in discovery.unresolved])]
        return [_finding(Outcome.FAIL, "dmarc.missing", f"_dmarc.{domain}", lookups=_walk_detail(data))]
    if discovery.from_psd:
        # A Public Suffix Operator's policy covers the name, but the business publishes nothing itself.
        return [_finding(Outcome.FAIL, "dmarc.missing", f"_dmarc.{domain}", lookups=_walk_detail(data),
                         psd_record_at=f"_dmarc.{discovery.policy_domain}", psd_record=discovery.record.text)]

    record = discovery.record
    subject = f"_dmarc.{discovery.policy_domain}"
    base: dict[str, object] = {"record": record.text, "location": subject,
                               "organisational_domain": discovery.organisational_domain}
    findings: list[Finding] = []
    if discovery.inherited:
        findings.append(_finding(Outcome.INFO, "dmarc.inherited", subject, **base,
                                 policy_tag="sp" if record.policy("sp") is not None else "p"))

    p, sp, np = record.policy("p"), record.policy("sp"), record.policy("np")
    invalid = [f"{tag}={value}" for tag, value in (("p", p), ("sp", sp), ("np", np))
               if value is not None and value not in POLICIES]
    uris = report_uris(record)
    if invalid:
        # RFC 9989 §4.10.1: with a usable rua receivers act as p=none, otherwise they ignore DMARC.
        findings.append(_finding(Outcome.FAIL, "dmarc.invalid", subject, **base, invalid=invalid,
                                 problems=list(record.problems),
                                 treated_as="p=none" if any(u.host for u in uris if u.tag == "rua") else "ignored"))
    else:
        findings += _policy_findings(record, discovery, subject, base)
    findings += _report_findings(data, record, discovery, uris, subject)
    return findings


def _policy_findings(record: DmarcRecord, discovery: Discovery, subject: str,
                     base: dict[str, object]) -> list[Finding]:
    p, sp, np = record.policy("p"), record.policy("sp"), record.policy("np")
    applied_tag = "sp" if discovery.inherited and sp is not None else "p"
    policy = (sp if applied_tag == "sp" else p) or "none"  # RFC 9989 §4.7: no p means p=none
    testing = (record.tags.get("t") or "n").strip().lower() == "y"
    detail = {**base, "policy": policy, "policy_tag": applied_tag, "p": p, "sp": sp, "np": np,
              "testing": testing}
    findings = []
    if policy == "none":
        findings.append(_finding(Outcome.WARN, "dmarc.policy_none", subject, **detail, p_missing=p is None))
    else:
        findings.append(_finding(Outcome.PASS, "dmarc.policy_enforced", subject, **detail))
        if testing:
            applied = {"reject": "quarantine", "quarantine": "none"}[policy]
            findings.append(_finding(Outcome.WARN, "dmarc.testing", subject, **detail, applied_as=applied))
    # sp and np speak about subdomains of the Organizational Domain (RFC 9989 §4.7): judge them when the
    # business's own record is that domain's record.
    own_org = not discovery.inherited and discovery.policy_domain == discovery.organisational_domain
    if own_org and (p or "none") != "none":
        if sp == "none":
            findings.append(_finding(Outcome.WARN, "dmarc.subdomain_none", subject, **detail))
        effective_np = np or sp or p
        if effective_np == "none":
            findings.append(_finding(Outcome.WARN, "dmarc.nonexistent_none", subject, **detail,
                                     np_from="np" if np else "sp"))
    return findings


def _report_findings(data: DmarcData, record: DmarcRecord, discovery: Discovery, uris: list[ReportUri],
                     subject: str) -> list[Finding]:
    findings = []
    if not any(uri.tag == "rua" for uri in uris):
        findings.append(_finding(Outcome.INFO, "dmarc.no_reports", subject, record=record.text))
    lookups = {lookup.name: lookup for lookup in data.authorisations}
    authorised: list[str] = []
    problems = False
    judged: set[str] = set()
    for uri in uris:
        if not uri.host:
            findings.append(_finding(Outcome.WARN, "dmarc.report_uri_invalid", uri.uri, tag=uri.tag,
                                     record=record.text))
            problems = True
            continue
        if _within(uri.host, discovery.organisational_domain) or uri.host in judged:
            continue
        judged.add(uri.host)
        name = authorisation_name(discovery.policy_domain, uri.host)
        lookup = lookups.get(name)
        if lookup is None or lookup.failed:
            findings.append(_finding(Outcome.NOT_TESTED, "dmarc.not_tested", name,
                                     error=lookup.status if lookup else "not_looked_up", destination=uri.host))
            problems = True
        elif not dmarc_records(lookup):
            findings.append(_finding(Outcome.WARN, "dmarc.report_unauthorised", uri.host, tag=uri.tag,
                                     uri=uri.uri, authorisation_name=name, expected='v=DMARC1',
                                     found=list(lookup.records), status=lookup.status))
            problems = True
        else:
            authorised.append(uri.host)
    if uris and not problems:
        findings.append(_finding(Outcome.PASS, "dmarc.reports_ok", subject,
                                 rua=[u.uri for u in uris if u.tag == "rua"],
                                 ruf=[u.uri for u in uris if u.tag == "ruf"], external_authorised=authorised))
    return findings


# --- advice ----------------------------------------------------------------------------------------

ADVICE: dict[str, Advice] = {
    "dmarc.policy_enforced": Advice(
        title=_("Je domein vraagt ontvangers om nep-mail te weigeren of apart te zetten (DMARC)"),
        meaning=_("Je DMARC-record vraagt andere mailservers om e-mail die zich voordoet als jouw domein, maar "
                  "niet echt van jou komt, in quarantaine te zetten of te weigeren. Zo is het moeilijker om "
                  "met jouw naam te phishen."),
        urgency="low",
        fixer="dns",
    ),
    "dmarc.missing": Advice(
        title=_("Je domein heeft geen DMARC-record"),
        meaning=_("Zonder DMARC weten ontvangers niet wat ze moeten doen met e-mail die zich voordoet als jouw "
                  "domein. Oplichters kunnen dan makkelijker phishingmail uit jouw naam sturen. Je krijgt ook "
                  "geen rapporten over wie mail verstuurt met jouw domein."),
        urgency="high",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns domein heeft nog geen DMARC-record. Wilt u dit TXT-record "
                  "toevoegen?\n\n_dmarc.<ons-domein>  TXT  \"v=DMARC1; p=none; rua=mailto:dmarc@<ons-domein>\"\n\n"
                  "We beginnen met p=none om rapporten te ontvangen. Als alle echte e-mail goed door SPF en "
                  "DKIM komt, willen we naar p=quarantine en daarna p=reject.\n\nAlvast bedankt."),
    ),
    "dmarc.multiple": Advice(
        title=_("Je domein heeft meer dan één DMARC-record"),
        meaning=_("Er mag maar één DMARC-record zijn. Staan er meer, dan negeren ontvangers ze allemaal. Je "
                  "domein is dan net zo onbeschermd als zonder DMARC."),
        urgency="high",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOp _dmarc.<ons-domein> staan meerdere TXT-records die met "
                  "\"v=DMARC1\" beginnen. Ontvangers negeren ze dan allemaal. Wilt u ze samenvoegen tot één "
                  "record en de andere verwijderen?\n\nAlvast bedankt."),
    ),
    "dmarc.invalid": Advice(
        title=_("Je DMARC-record bevat een fout"),
        meaning=_("Een waarde in je DMARC-record klopt niet (bijvoorbeeld bij p=, sp= of np=). Ontvangers doen "
                  "dan alsof er p=none staat, of negeren het record helemaal. Nep-mail uit jouw naam wordt dan "
                  "niet tegengehouden."),
        urgency="high",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nHet DMARC-record van ons domein (_dmarc.<ons-domein>) bevat een "
                  "ongeldige waarde. Bij p=, sp= en np= mag alleen none, quarantine of reject staan. Wilt u het "
                  "record corrigeren, bijvoorbeeld naar:\n\n\"v=DMARC1; p=quarantine; "
                  "rua=mailto:dmarc@<ons-domein>\"\n\nAlvast bedankt."),
    ),
    "dmarc.policy_none": Advice(
        title=_("Je DMARC-record kijkt alleen mee (p=none)"),
        meaning=_("Met p=none krijg je rapporten, maar ontvangers houden nep-mail uit jouw naam niet tegen. Dat "
                  "is goed als eerste stap. Kijk in de rapporten of al je echte e-mail goed wordt herkend, en "
                  "stap dan over op quarantine of reject."),
        urgency="medium",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns DMARC-record staat op p=none (alleen meekijken). Onze echte "
                  "e-mail komt goed door SPF en DKIM. Wilt u het beleid aanscherpen naar p=quarantine, en later "
                  "naar p=reject? Bijvoorbeeld:\n\n_dmarc.<ons-domein>  TXT  \"v=DMARC1; p=quarantine; "
                  "rua=mailto:dmarc@<ons-domein>\"\n\nAlvast bedankt."),
    ),
    "dmarc.testing": Advice(
        title=_("Je DMARC-beleid staat in testmodus (t=y)"),
        meaning=_("Met t=y passen ontvangers een lichtere stap toe dan je vraagt: reject wordt quarantine, en "
                  "quarantine wordt alleen meekijken. Nep-mail wordt dan minder goed tegengehouden. Zet de "
                  "testmodus uit als je klaar bent met testen."),
        urgency="medium",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nIn ons DMARC-record (_dmarc.<ons-domein>) staat t=y (testmodus). "
                  "Wilt u \"t=y\" uit het record halen (of t=n zetten), zodat ontvangers ons beleid volledig "
                  "toepassen?\n\nAlvast bedankt."),
    ),
    "dmarc.subdomain_none": Advice(
        title=_("Je subdomeinen zijn niet beschermd door DMARC (sp=none)"),
        meaning=_("Je hoofddomein is beschermd, maar met sp=none mogen oplichters wel mail sturen vanaf "
                  "subdomeinen, zoals factuur.jouwdomein.nl. Voor ontvangers lijkt dat nog steeds op jou."),
        urgency="medium",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nIn ons DMARC-record (_dmarc.<ons-domein>) staat sp=none. Daardoor "
                  "zijn onze subdomeinen niet beschermd. Wilt u sp=none verwijderen, of vervangen door "
                  "sp=quarantine of sp=reject?\n\nAlvast bedankt."),
    ),
    "dmarc.nonexistent_none": Advice(
        title=_("Niet-bestaande subdomeinen zijn niet beschermd (np=none)"),
        meaning=_("Oplichters verzinnen vaak een subdomein dat niet bestaat, zoals betalen.jouwdomein.nl. Je "
                  "DMARC-record vraagt ontvangers om mail van zulke namen niet tegen te houden. Dat is "
                  "onnodig: vanaf die namen stuur je zelf nooit mail."),
        urgency="medium",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nOns DMARC-record (_dmarc.<ons-domein>) laat mail van niet-bestaande "
                  "subdomeinen door (np=none, of sp=none zonder np). Wilt u np=reject aan het record "
                  "toevoegen?\n\nAlvast bedankt."),
    ),
    "dmarc.inherited": Advice(
        title=_("Dit domein gebruikt het DMARC-record van het hoofddomein"),
        meaning=_("Dit domein heeft geen eigen DMARC-record. Ontvangers gebruiken daarom het record van het "
                  "hoofddomein, en dan geldt het beleid voor subdomeinen (sp=). Dat is prima, zolang dat "
                  "beleid streng genoeg is."),
        urgency="low",
        fixer="dns",
    ),
    "dmarc.no_reports": Advice(
        title=_("Je ontvangt geen DMARC-rapporten"),
        meaning=_("Er staat geen rua=-adres in je DMARC-record. Ontvangers sturen je dan geen rapporten. Je "
                  "ziet dus niet wie er mail met jouw domein verstuurt, en of je eigen mail goed wordt "
                  "herkend."),
        urgency="low",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nWilt u aan ons DMARC-record (_dmarc.<ons-domein>) een adres voor "
                  "rapporten toevoegen, bijvoorbeeld \"rua=mailto:dmarc@<ons-domein>\"?\n\nAlvast bedankt."),
    ),
    "dmarc.report_uri_invalid": Advice(
        title=_("Een rapportadres in je DMARC-record is ongeldig"),
        meaning=_("Een adres achter rua= of ruf= is geen geldig adres, bijvoorbeeld omdat 'mailto:' ontbreekt. "
                  "Ontvangers slaan het over, dus rapporten komen daar niet aan."),
        urgency="low",
        fixer="dns",
        message=_("Beste DNS-beheerder,\n\nIn ons DMARC-record (_dmarc.<ons-domein>) staat een rapportadres dat "
                  "niet geldig is. Elk adres moet beginnen met 'mailto:', bijvoorbeeld "
                  "\"rua=mailto:dmarc@<ons-domein>\". Wilt u dit aanpassen?\n\nAlvast bedankt."),
    ),
    "dmarc.report_unauthorised": Advice(
        title=_("Je DMARC-rapporten gaan naar een ander domein dat ze niet wil ontvangen"),
        meaning=_("Je laat DMARC-rapporten naar een adres bij een ander domein sturen. Dat andere domein moet "
                  "in de DNS laten zien dat het rapporten voor jouw domein accepteert. Dat ontbreekt, dus "
                  "ontvangers sturen die rapporten niet."),
        urgency="low",
        fixer="mail",
        message=_("Beste leverancier,\n\nWe laten onze DMARC-rapporten naar uw domein sturen. Ontvangers "
                  "sturen ze alleen als u dit toestaat met een TXT-record:\n\n"
                  "<ons-domein>._report._dmarc.<uw-domein>  TXT  \"v=DMARC1\"\n\nWilt u dit record toevoegen? "
                  "Of geef ons het juiste rapportadres.\n\nAlvast bedankt."),
    ),
    "dmarc.reports_ok": Advice(
        title=_("Je DMARC-rapporten komen goed aan"),
        meaning=_("De rapportadressen in je DMARC-record zijn geldig. Rapporten naar een ander domein zijn door "
                  "dat domein toegestaan."),
        urgency="low",
        fixer="dns",
    ),
    "dmarc.not_tested": Advice(
        title=_("We konden DMARC niet (helemaal) controleren"),
        meaning=_("De DNS gaf geen antwoord op tijd, of gaf een foutmelding. Dat zegt nog niets over je "
                  "beveiliging. We proberen het bij de volgende scan opnieuw."),
        urgency="low",
        fixer="dns",
    ),
}
