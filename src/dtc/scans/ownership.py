"""Proof that an organisation controls a domain, and what that proof unlocks (issue 6).

Anyone may run an on-demand scan of public information. Only a domain whose owner has shown control
gets the rest: scans kept on the organisation's timeline, a rescan every DTC_SCAN_RESCAN_DAYS days,
and an e-mail to the organisation's admins when a scan is worse than the one before.

The proof is the domain's random `verification_token`, published in one of two places only the
domain's owner can write to (the same two places ACME, RFC 8555 §8.3/§8.4, uses for certificates):
- a DNS TXT record `dtc-verificatie=<token>` at `_dtc-verificatie.<domain>` (or at the domain itself);
- a file `https://<domain>/.well-known/dtc-verificatie.txt` (RFC 8615) holding the token. Only over
  HTTPS with a valid certificate (plain http could be answered by anyone on the path), following
  redirects only to https addresses within the domain itself.

Network is split from judgement (house style): `verification_collect` asks DNS and the website and
returns plain data; `verification_evaluate` judges it and says in plain Dutch what was looked for and
what was found. A check that could not be done (timeout, SERVFAIL, a server error) is "unknown", never
"absent", and changes nothing.

Re-verification: the daily job checks every verified domain again. A verified domain whose proof is
gone (absent, not merely unknown) at two consecutive scheduled checks loses `verified_at`; a success in
between starts the count again. The count lives in the audit log ("domain.verify_missing"), so it needs
no extra column; two misses less than MISS_ROUND apart are one round (a second scheduler by mistake
must not cost a domain its proof). Every change of state is in the audit log with the method used.

Regression alerts: when an organisation scan of a verified domain finishes, it is compared with the
previous finished scan of that domain for that organisation; if a check got worse (pass → warn or
fail, warn → fail) the admins get one e-mail. `regression_alerted_at` is claimed with a conditional
UPDATE before the mails are queued, so a retry or a second worker never sends them twice.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import enum
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dtc.core.audit import audit_log_record
from dtc.organisations.models import Domain
from dtc.scans.checks.base import ScanContext
from dtc.scans.checks.dnsutil import TxtLookup, lookup_txt
from dtc.scans.checks.webclient import Exchange, WebClient
from dtc.scans.models import Scan

TXT_LABEL = "_dtc-verificatie"
TXT_PREFIX = "dtc-verificatie="
FILE_PATH = "/.well-known/dtc-verificatie.txt"
FILE_MAX_BODY = 4096
FILE_MAX_REDIRECTS = 3
MISSES_TO_LOSE = 2
MISS_ROUND = dt.timedelta(hours=20)
STUCK_AFTER = dt.timedelta(hours=1)  # a queued or running scan older than this is not waited for
EMAIL_DIR = "scans/email"

# Audit actions on a Domain.
VERIFIED = "domain.verify"              # proof shown: verified_at set (after: method)
CONFIRMED = "domain.verify_confirmed"   # proof back after a miss: the count starts again
MISSING = "domain.verify_missing"       # a scheduled check found no proof (first miss)
LOST = "domain.verify_lost"             # second consecutive miss: verified_at cleared
PROOF_EVENTS = (VERIFIED, CONFIRMED, MISSING, LOST)

# Outcomes of a scan check, best first; "worse" is a move to the right (info, n/a, not tested are
# no judgement and never count as a regression).
RANK = {"pass": 0, "warn": 1, "fail": 2}


class Method(enum.StrEnum):
    DNS_TXT = "dns_txt"
    DNS_TXT_APEX = "dns_txt_apex"
    HTTPS_FILE = "https_file"


METHOD_LABELS = {
    Method.DNS_TXT: gettext_lazy("een TXT-record bij _dtc-verificatie in de DNS"),
    Method.DNS_TXT_APEX: gettext_lazy("een TXT-record op het domein zelf in de DNS"),
    Method.HTTPS_FILE: gettext_lazy("een bestand op de website"),
}


class Status(enum.StrEnum):
    VERIFIED = "verified"   # the token was found
    ABSENT = "absent"       # every place answered, and none held the token
    UNKNOWN = "unknown"     # not found, and at least one place could not be checked


# --- the network step ------------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationData:
    """What DNS and the website said; `web` are the HTTPS exchanges in order (redirects followed)."""

    domain: str
    txt: TxtLookup
    txt_apex: TxtLookup
    web: tuple[Exchange, ...]
    web_stopped_at: str = ""  # a redirect we did not follow (outside the domain, or not https)


def txt_name(domain: str) -> str:
    return f"{TXT_LABEL}.{domain}"


def txt_value(token: str) -> str:
    return f"{TXT_PREFIX}{token}"


def file_url(domain: str) -> str:
    return f"https://{domain}{FILE_PATH}"


def _within(url: str, domain: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    return parts.scheme == "https" and (host == domain or host.endswith("." + domain))


def _fetch_file(domain: str, context: ScanContext) -> tuple[tuple[Exchange, ...], str]:
    steps: list[Exchange] = []
    url = file_url(domain)
    with WebClient(context) as client:
        while True:
            exchange = client.fetch(url, max_body=FILE_MAX_BODY)
            steps.append(exchange)
            target = exchange.redirect_to if exchange.ok else None
            if target is None:
                return tuple(steps), ""
            if not _within(target, domain) or len(steps) > FILE_MAX_REDIRECTS:
                return tuple(steps), target
            url = target


def verification_collect(domain: str, *, context: ScanContext) -> VerificationData:
    """Ask DNS (both names) and the website at once; never raises for a network failure."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=3, thread_name_prefix="verify") as pool:
        txt = pool.submit(lookup_txt, context, txt_name(domain))
        txt_apex = pool.submit(lookup_txt, context, domain)
        web = pool.submit(_fetch_file, domain, context)
        steps, stopped_at = web.result()
        return VerificationData(domain=domain, txt=txt.result(), txt_apex=txt_apex.result(), web=steps,
                                web_stopped_at=stopped_at)


# --- the judgement ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """One place we looked: whether the token was there, and what we found, in plain Dutch."""

    method: Method
    status: Status
    message: str


@dataclass(frozen=True)
class Verification:
    domain: str
    status: Status
    method: Method | None = None   # where the token was found
    places: tuple[Place, ...] = field(default_factory=tuple)

    @property
    def verified(self) -> bool:
        return self.status == Status.VERIFIED

    @property
    def summary(self) -> str:
        if self.method is not None:
            return _("Eigendom van %(domain)s is aangetoond via %(method)s.") % {
                "domain": self.domain, "method": METHOD_LABELS[self.method]}
        if self.status == Status.UNKNOWN:
            return _("We konden het bewijs voor %(domain)s nu niet volledig controleren. Er is niets veranderd; "
                     "probeer het later opnieuw.") % {"domain": self.domain}
        return _("We vonden geen bewijs dat uw organisatie %(domain)s beheert.") % {"domain": self.domain}

    @property
    def messages(self) -> list[str]:
        """What we looked for and found: the place that held the token, or every place."""
        shown = [place for place in self.places if place.method == self.method] if self.method else self.places
        return [place.message for place in shown]


def _quote_list(values: tuple[str, ...], *, limit: int = 5, chars: int = 80) -> str:
    shown = [f"„{value[:chars]}{'…' if len(value) > chars else ''}”" for value in values[:limit]]
    more = len(values) - limit
    if more > 0:
        shown.append(_("en nog %(count)s") % {"count": more})
    return ", ".join(shown)


def _judge_txt(lookup: TxtLookup, method: Method, token: str) -> Place:
    expected = txt_value(token)
    wanted = {"name": lookup.name, "record": expected}
    if lookup.status == "ok" and any(record.strip() == expected for record in lookup.records):
        return Place(method, Status.VERIFIED, _("DNS: het TXT-record „%(record)s” staat bij %(name)s.") % wanted)
    if lookup.status == "ok":
        return Place(method, Status.ABSENT, _(
            "DNS: bij %(name)s zochten we het TXT-record „%(record)s”. Daar staan wel TXT-records, maar niet "
            "dit: %(found)s.") % (wanted | {"found": _quote_list(lookup.records)}))
    if lookup.status == "nxdomain":
        return Place(method, Status.ABSENT, _(
            "DNS: bij %(name)s zochten we het TXT-record „%(record)s”. Die naam bestaat niet in de DNS.") % wanted)
    if lookup.status == "nodata":
        return Place(method, Status.ABSENT, _(
            "DNS: bij %(name)s zochten we het TXT-record „%(record)s”. Daar staat geen enkel TXT-record.") % wanted)
    reason = (_("de DNS-server antwoordde niet op tijd") if lookup.status == "timeout"
              else _("de DNS-server gaf een fout (%(status)s)") % {"status": lookup.status})
    return Place(method, Status.UNKNOWN, _(
        "DNS: bij %(name)s konden we niet zoeken naar het TXT-record „%(record)s”: %(reason)s.")
        % (wanted | {"reason": reason}))


def _file_holds(body: bytes, token: str) -> bool:
    lines = {line.strip() for line in body.decode("utf-8", "replace").lstrip("\ufeff").splitlines()}
    return token in lines or txt_value(token) in lines


def _judge_file(data: VerificationData, token: str) -> Place:
    method = Method.HTTPS_FILE
    first = file_url(data.domain)
    last = data.web[-1]
    wanted = {"url": first, "token": token}
    if data.web_stopped_at:
        return Place(method, Status.ABSENT, _(
            "Website: %(url)s stuurt door naar %(target)s. Wij volgen alleen doorverwijzingen via https binnen "
            "%(domain)s (hoogstens %(count)s).") % {"url": last.url, "target": data.web_stopped_at,
                                                  "domain": data.domain, "count": FILE_MAX_REDIRECTS})
    if last.ok and last.status == 200 and _file_holds(last.body, token):
        return Place(method, Status.VERIFIED, _("Website: het bestand %(url)s bevat de code.") % {"url": last.url})
    if last.ok and last.status == 200:
        text = last.body.decode("utf-8", "replace").strip()
        found = _quote_list((text,)) if text else _("een leeg bestand")
        return Place(method, Status.ABSENT, _(
            "Website: op %(url)s zochten we een bestand met de code %(token)s. Daar staat iets anders: "
            "%(found)s.") % (wanted | {"url": last.url, "found": found}))
    if last.ok:
        status = Status.UNKNOWN if (last.status or 0) >= 500 else Status.ABSENT
        return Place(method, status, _(
            "Website: op %(url)s zochten we een bestand met de code %(token)s. De server antwoordde met "
            "status %(status)s%(meaning)s.") % (wanted | {
                "url": last.url, "status": last.status,
                "meaning": _(" (bestand niet gevonden)") if last.status == 404 else ""}))
    if last.error in ("timeout", "dns_timeout", "dns_error"):
        return Place(method, Status.UNKNOWN, _(
            "Website: %(url)s reageerde niet op tijd (%(error)s); we konden het bestand niet ophalen.")
            % {"url": last.url, "error": last.error})
    reasons = {
        "tls_verify": _("het certificaat is niet geldig (%(detail)s); wij accepteren het bestand alleen via "
                        "https met een geldig certificaat"),
        "tls": _("de beveiligde verbinding (TLS) mislukte (%(detail)s)"),
        "no_address": _("de naam heeft geen IP-adres in de DNS"),
        "refused": _("de website neemt geen https-verbindingen aan"),
    }
    reason = reasons.get(last.error, _("er kwam geen verbinding tot stand (%(detail)s)")) % {
        "detail": last.error_detail or last.error}
    return Place(method, Status.ABSENT, _(
        "Website: op %(url)s zochten we een bestand met de code %(token)s, maar %(reason)s.")
        % (wanted | {"url": last.url, "reason": reason}))


def verification_evaluate(data: VerificationData, *, token: str) -> Verification:
    """Judge what `verification_collect` found: verified when any place holds the token; absent only
    when every place answered without it; else unknown."""
    places = (
        _judge_txt(data.txt, Method.DNS_TXT, token),
        _judge_txt(data.txt_apex, Method.DNS_TXT_APEX, token),
        _judge_file(data, token),
    )
    found = next((place for place in places if place.status == Status.VERIFIED), None)
    if found is not None:
        return Verification(domain=data.domain, status=Status.VERIFIED, method=found.method, places=places)
    unknown = any(place.status == Status.UNKNOWN for place in places)
    return Verification(domain=data.domain, status=Status.UNKNOWN if unknown else Status.ABSENT, places=places)


# --- changing the state ----------------------------------------------------------------------


def _require_admin(actor: Any, domain: Domain) -> None:
    from dtc.organisations.selectors import organisation_is_admin

    if not organisation_is_admin(user=actor, organisation=domain.organisation):
        raise PermissionDenied(_("Alleen beheerders van de organisatie mogen dit doen."))


def _last_proof_event(domain: Domain) -> Any:
    from dtc.core.models import AuditLogEntry

    return (
        AuditLogEntry.objects.filter(target_type=domain._meta.label_lower, target_id=str(domain.pk),
                                     action__in=PROOF_EVENTS)
        .order_by("-created_at", "-id").first()
    )


def domain_verify(domain: Domain, *, context: ScanContext, actor: Any = None, scheduled: bool = False,
                  now: dt.datetime | None = None) -> Verification:
    """Look for the domain's proof and record the outcome.

    Found: `verified_at` is set (kept when it was set already) and the method goes into the audit log.
    Not found at a scheduled check (`scheduled=True`) of a verified domain: the first miss is recorded,
    the second consecutive one clears `verified_at`. A person's check (`actor`) never takes the proof
    away, and an "unknown" outcome changes nothing."""
    if actor is not None:
        _require_admin(actor, domain)
    result = verification_evaluate(verification_collect(domain.name, context=context),
                                   token=domain.verification_token)  # the network, outside the transaction
    now = now or timezone.now()
    with transaction.atomic():
        locked = Domain.objects.select_for_update().filter(pk=domain.pk).first()
        if locked is None:  # removed meanwhile
            return result
        last = _last_proof_event(locked)
        if result.verified and locked.verified_at is None:
            locked.verified_at = now
            locked.save(update_fields=["verified_at"])
            audit_log_record(actor=actor, action=VERIFIED, target=locked, before={"verified_at": None},
                             after={"verified_at": now.isoformat(), "method": str(result.method),
                                    "scheduled": scheduled})
        elif result.verified and last is not None and last.action == MISSING:
            audit_log_record(actor=actor, action=CONFIRMED, target=locked, after={"method": str(result.method)})
        elif result.status == Status.ABSENT and scheduled and locked.verified_at is not None:
            if last is None or last.action != MISSING:
                audit_log_record(actor=None, action=MISSING, target=locked, after={"misses": 1})
            elif now - last.created_at >= MISS_ROUND:
                before = {"verified_at": locked.verified_at.isoformat()}
                locked.verified_at = None
                locked.save(update_fields=["verified_at"])
                audit_log_record(actor=None, action=LOST, target=locked, before=before,
                                 after={"verified_at": None, "misses": MISSES_TO_LOSE})
    domain.verified_at = locked.verified_at
    return result


# --- organisation scans ----------------------------------------------------------------------


def domain_latest_scan(*, domain: Domain) -> Scan | None:
    """The organisation's latest scan of `domain` that did not fail (queued and running ones count)."""
    return (
        Scan.objects.filter(organisation_id=domain.organisation_id, domain=domain.name)
        .exclude(status=Scan.Status.FAILED).order_by("-created_at").first()
    )


def _scan_start(*, domain: Domain, scheduled: bool, requested_by: Any = None) -> Scan:
    from dtc.scans.services import scan_create
    from dtc.scans.tasks import scan_execute

    scan = scan_create(domain=domain.name, organisation=domain.organisation, requested_by=requested_by,
                       scheduled=scheduled)
    transaction.on_commit(partial(scan_execute.enqueue, scan.pk))
    return scan


@transaction.atomic
def organisation_scan_request(*, actor: Any, domain: Domain) -> Scan:
    """An admin's "scan now" of a verified domain of their organisation. A scan of it that is still
    queued or running (for less than STUCK_AFTER), or finished less than DTC_SCAN_REUSE_SECONDS ago, is
    reused."""
    _require_admin(actor, domain)
    locked = Domain.objects.select_for_update().get(pk=domain.pk)
    if locked.verified_at is None:
        raise ValidationError(_("Toon eerst aan dat uw organisatie %(domain)s beheert; daarna kunt u het domein "
                                "scannen.") % {"domain": locked.name}, code="not_verified")
    latest = domain_latest_scan(domain=locked)
    now = timezone.now()
    fresh = now - dt.timedelta(seconds=settings.DTC_SCAN_REUSE_SECONDS)
    if latest is not None and latest.status != Scan.Status.DONE and latest.created_at > now - STUCK_AFTER:
        return latest  # still on its way
    if latest is not None and latest.status == Scan.Status.DONE and (latest.finished_at or fresh) > fresh:
        return latest
    return _scan_start(domain=locked, scheduled=False, requested_by=actor)


def domain_rescan_if_due(*, domain_id: int, now: dt.datetime | None = None) -> Scan | None:
    """A scheduled scan of a verified domain whose latest organisation scan is older than
    DTC_SCAN_RESCAN_DAYS (or that has none). Idempotent: the domain row is locked, and the new scan is
    then the latest, so a second run (also a concurrent one) creates nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        domain = (Domain.objects.select_for_update(of=("self",)).select_related("organisation")
                  .filter(pk=domain_id, verified_at__isnull=False).first())
        if domain is None:
            return None
        latest = domain_latest_scan(domain=domain)
        if latest is not None and latest.created_at > now - dt.timedelta(days=settings.DTC_SCAN_RESCAN_DAYS):
            return None
        return _scan_start(domain=domain, scheduled=True)


def domain_scheduled_check(*, domain_id: int, context: ScanContext, now: dt.datetime | None = None) -> dict:
    """The daily work for one verified domain: look at its proof again, then rescan it when due."""
    domain = Domain.objects.select_related("organisation").filter(pk=domain_id, verified_at__isnull=False).first()
    if domain is None:
        return {"domain": domain_id, "skipped": True}
    result = domain_verify(domain, context=context, scheduled=True, now=now)
    scan = domain_rescan_if_due(domain_id=domain_id, now=now)
    return {"domain": domain_id, "proof": str(result.status), "verified": domain.verified_at is not None,
            "scan": scan.pk if scan is not None else None}


def domains_scheduled_checks_enqueue() -> int:
    """One background task per verified domain (see `domain_scheduled_check`)."""
    from dtc.scans.tasks import domain_scheduled_check as check_task

    ids = list(Domain.objects.filter(verified_at__isnull=False).order_by("pk").values_list("pk", flat=True))
    for domain_id in ids:
        check_task.enqueue(domain_id)
    return len(ids)


# --- regression alerts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Regression:
    title: str
    target: str
    before: str
    after: str


def scan_regressions(*, scan: Scan, previous: Scan) -> list[Regression]:
    """The checks that got worse from `previous` to `scan` (pass → warn/fail, warn → fail)."""
    from dtc.scans.presentation import OUTCOME_LABELS, scan_report

    worse = []
    for lines in scan_report(scan=scan, previous=previous).values():
        for line in lines:
            before, after = RANK.get(line.previous_outcome), RANK.get(line.outcome)
            if before is not None and after is not None and after > before:
                worse.append(Regression(title=line.title, target=line.target,
                                        before=str(OUTCOME_LABELS[line.previous_outcome]),
                                        after=str(OUTCOME_LABELS[line.outcome])))
    return worse


def scan_url(scan: Scan) -> str:
    return settings.SITE_URL + reverse("organisations:scan_detail", args=[scan.organisation_id, scan.key])


def scan_regressions_alert(*, scan: Scan, now: dt.datetime | None = None) -> int:
    """After an organisation scan of a verified domain finishes: e-mail the organisation's admins once
    when a check got worse than in the previous finished scan. Returns the number of mails queued."""
    from dtc.core import visibility
    from dtc.core.tasks import email_send
    from dtc.scans.presentation import scan_previous

    if scan.organisation_id is None or scan.status != Scan.Status.DONE or scan.regression_alerted_at is not None:
        return 0
    if not Domain.objects.filter(organisation_id=scan.organisation_id, name=scan.domain,
                                 verified_at__isnull=False).exists():
        return 0
    previous = scan_previous(scan=scan)
    if previous is None:
        return 0
    worse = scan_regressions(scan=scan, previous=previous)
    if not worse:
        return 0
    recipients = list(visibility.organisation_scan_alert_recipients(organisation_id=scan.organisation_id))
    with transaction.atomic():
        claimed = Scan.objects.filter(pk=scan.pk, regression_alerted_at__isnull=True).update(
            regression_alerted_at=now or timezone.now())
        if not claimed:
            return 0  # another run has it: never twice
        for user in recipients:
            subject, body = _regression_mail(scan=scan, previous=previous, worse=worse, user=user)
            transaction.on_commit(partial(email_send.enqueue, subject=subject, body=body, to=[user.email]))
    return len(recipients)


def _regression_mail(*, scan: Scan, previous: Scan, worse: list[Regression], user: Any) -> tuple[str, str]:
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        context = {"scan": scan, "previous": previous, "worse": worse, "organisation": scan.organisation,
                   "url": scan_url(scan), "site_name": settings.WAGTAIL_SITE_NAME}
        subject = " ".join(render_to_string(f"{EMAIL_DIR}/regression_subject.txt", context).split())
        body = render_to_string(f"{EMAIL_DIR}/regression_body.txt", context)
    return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body
