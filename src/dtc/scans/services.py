"""Running scans: the plan (which check against which target), the run with a time limit per check,
and the score.

The score rule (shown on the result page): per category (website, e-mail) every scored check counts
once per target; a check passes (1), warns (½) or fails (0) by its worst finding; checks that could
not be tested, do not apply, or are advice only do not count. The score is the average, 0-100.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from dtc.core.ratelimit import window_count, window_count_up
from dtc.organisations.models import validate_domain_name
from dtc.scans.checks import registry
from dtc.scans.checks.base import Finding, Outcome, ScanContext
from dtc.scans.models import Scan, ScanCheck

# Order matters for the worst-of rule: the first listed wins.
SEVERITY = [Outcome.FAIL, Outcome.WARN, Outcome.PASS, Outcome.NOT_TESTED, Outcome.INFO, Outcome.NOT_APPLICABLE]
POINTS = {Outcome.PASS: 1.0, Outcome.WARN: 0.5, Outcome.FAIL: 0.0}
WEB_HOST_CHECKS = ("web.https", "web.headers", "web.securitytxt", "web.tls", "web.ipv6")
WEB_DOMAIN_CHECKS = ("web.caa", "web.dnssec")
MAIL_CHECKS = ("mail.mx", "mail.spf", "mail.dmarc", "mail.dkim", "mail.starttls", "mail.dane", "mail.mtasts",
               "mail.tlsrpt")
CHECK_TIME_LIMIT_SECONDS = 60.0


def scan_plan(*, domain: str, web: bool, mail: bool) -> list[tuple[str, str]]:
    """(check id, target) pairs: web checks on the apex and on www, mail checks on the domain."""
    import dtc.scans.checks  # noqa: F401 - registers every check module

    plan: list[tuple[str, str]] = []
    if web:
        for host in (domain, f"www.{domain}"):
            plan += [(check_id, host) for check_id in WEB_HOST_CHECKS if check_id in registry.CHECKS]
        plan += [(check_id, domain) for check_id in WEB_DOMAIN_CHECKS if check_id in registry.CHECKS]
    if mail:
        plan += [(check_id, domain) for check_id in MAIL_CHECKS if check_id in registry.CHECKS]
    return plan


def worst_outcome(findings: list[Finding]) -> Outcome:
    if not findings:
        return Outcome.NOT_TESTED
    return min((finding.outcome for finding in findings), key=SEVERITY.index)


def category_score(checks: list[tuple[str, Outcome]]) -> int | None:
    """The score of one category from (check id, worst outcome) pairs; None when nothing counted."""
    points = [
        POINTS[outcome] for check_id, outcome in checks
        if outcome in POINTS and registry.CHECKS.get(check_id) is not None and registry.CHECKS[check_id].scored
    ]
    return round(100 * sum(points) / len(points)) if points else None


def scan_context() -> ScanContext:
    """The scanner's network settings: the system resolver, or (offline demo, closed networks) only the
    DNS server in DTC_SCAN_DNS, and extra trust anchors in DTC_SCAN_CA_FILE."""
    options: dict[str, Any] = {
        "timeout": settings.DTC_SCAN_TIMEOUT, "ca_file": settings.DTC_SCAN_CA_FILE or None,
        "http_port": settings.DTC_SCAN_HTTP_PORT, "https_port": settings.DTC_SCAN_HTTPS_PORT,
        "smtp_port": settings.DTC_SCAN_SMTP_PORT,
    }
    if settings.DTC_SCAN_DNSSEC_ANCHOR_FILE:
        options["dnssec_trust_anchors"] = Path(settings.DTC_SCAN_DNSSEC_ANCHOR_FILE).read_text()
    if settings.DTC_SCAN_DNS:
        host, _sep, port = settings.DTC_SCAN_DNS.rpartition(":")
        return ScanContext.loopback(dns_host=host or "127.0.0.1", dns_port=int(port), **options)
    return ScanContext.system(**options)


def scan_request(*, domain: str, client: str, web: bool = True, mail: bool = True, organisation: Any = None,
                 requested_by: Any = None) -> Scan:
    """An on-demand scan of public information, rate-limited per visitor and per target.

    A domain scanned in the last DTC_SCAN_REUSE_SECONDS is not scanned again: the visitor gets that
    scan (kinder to the scanned servers, and the answer is the same). A visitor (IP address as a keyed
    hash in the cache, never stored) may start DTC_SCANS_PER_VISITOR_PER_HOUR scans an hour."""
    domain = domain.strip().lower().rstrip(".")
    validate_domain_name(domain)
    recent = (
        Scan.objects.filter(domain=domain, web=web, mail=mail, organisation=organisation,
                            created_at__gte=timezone.now() - dt.timedelta(seconds=settings.DTC_SCAN_REUSE_SECONDS))
        .exclude(status=Scan.Status.FAILED).order_by("-created_at").first()
    )
    if recent is not None:
        return recent
    key = "dtc:scans:visitor:" + hashlib.sha256(f"{settings.SECRET_KEY}:{client}".encode()).hexdigest()[:32]
    if window_count(key) >= settings.DTC_SCANS_PER_VISITOR_PER_HOUR:
        raise ValidationError(_("Je hebt het afgelopen uur al veel scans gestart. Probeer het over een uur opnieuw."),
                              code="rate_limited")
    window_count_up(key, seconds=3600)
    scan = scan_create(domain=domain, web=web, mail=mail, organisation=organisation, requested_by=requested_by)

    from dtc.scans.tasks import scan_execute  # tasks imports this module

    transaction.on_commit(lambda: scan_execute.enqueue(scan.pk))
    return scan


def scan_create(*, domain: str, web: bool = True, mail: bool = True, organisation: Any = None,
                requested_by: Any = None, batch_round: Any = None, scheduled: bool = False) -> Scan:
    domain = domain.lower().rstrip(".")
    return Scan.objects.create(
        domain=domain, web=web, mail=mail, organisation=organisation, requested_by=requested_by,
        batch_round=batch_round, scheduled=scheduled,
        checks_total=len(scan_plan(domain=domain, web=web, mail=mail)),
    )


def _finding_data(finding: Finding) -> dict[str, Any]:
    return {
        "outcome": str(finding.outcome), "code": finding.code, "subject": finding.subject,
        "detail": _json_safe(finding.detail),
    }


def _json_safe(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _json_safe(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(item) for item in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _run_one(check_id: str, target: str, context: ScanContext, began: dict[tuple[str, str], float]) -> list[Finding]:
    began[(check_id, target)] = time.monotonic()  # the time limit counts from here, not from the queue
    try:
        return registry.run(check_id, target, context=context)
    except Exception as error:  # a bug in one check must not cost the other checks
        return [Finding(check=check_id, outcome=Outcome.NOT_TESTED, code="check.crashed", subject=target,
                        detail={"error": type(error).__name__})]


def scan_run(*, scan: Scan, context: ScanContext, time_limit: float = CHECK_TIME_LIMIT_SECONDS,
             workers: int = 4, on_progress: Callable[[Scan], None] | None = None) -> Scan:
    """Run every planned check that has no stored result yet, a few at a time, each within its time limit;
    store each check's findings as soon as it ends. Safe to call again after a crash: done checks stay."""
    Scan.objects.filter(pk=scan.pk, started_at=None).update(started_at=timezone.now())
    Scan.objects.filter(pk=scan.pk).update(status=Scan.Status.RUNNING)
    done = set(ScanCheck.objects.filter(scan=scan).values_list("check_id", "target"))
    todo = [pair for pair in scan_plan(domain=scan.domain, web=scan.web, mail=scan.mail) if pair not in done]
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scan")
    try:
        began: dict[tuple[str, str], float] = {}
        started = {pool.submit(_run_one, check_id, target, context, began): (check_id, target)
                   for check_id, target in todo}
        pending = set(started)
        while pending:
            finished, pending = concurrent.futures.wait(pending, timeout=1.0,
                                                        return_when=concurrent.futures.FIRST_COMPLETED)
            now = time.monotonic()
            for future in finished:
                check_id, target = started[future]
                _store(scan, check_id, target, future.result(), seconds=now - began[(check_id, target)])
            for future in list(pending):
                check_id, target = started[future]
                if (check_id, target) not in began:
                    continue  # still waiting for a free thread
                if now - began[(check_id, target)] > time_limit:  # the server is too slow: record it, do not wait
                    future.cancel()
                    pending.discard(future)
                    _store(scan, check_id, target, [Finding(
                        check=check_id, outcome=Outcome.NOT_TESTED, code="check.timeout", subject=target,
                        detail={"seconds": round(time_limit)},
                    )], seconds=now - began[(check_id, target)])
            if finished and on_progress is not None:
                scan.refresh_from_db()
                on_progress(scan)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return scan_finish(scan=scan)


def _store(scan: Scan, check_id: str, target: str, findings: list[Finding], *, seconds: float) -> None:
    """Two statements, each idempotent on its own: the row (a repeat after a crash is ignored by the
    unique key) and the progress counter recounted from the rows."""
    ScanCheck.objects.bulk_create([ScanCheck(
        scan=scan, check_id=check_id, target=target, outcome=str(worst_outcome(findings)),
        findings=[_finding_data(f) for f in findings], seconds=round(seconds, 3),
    )], ignore_conflicts=True)
    Scan.objects.filter(pk=scan.pk).update(checks_done=Subquery(
        ScanCheck.objects.filter(scan_id=scan.pk).order_by().values("scan_id").annotate(n=Count("id")).values("n")
    ))


def scan_finish(*, scan: Scan) -> Scan:
    rows = list(ScanCheck.objects.filter(scan=scan).values_list("check_id", "outcome"))
    by_category: dict[str, list[tuple[str, Outcome]]] = {"web": [], "mail": []}
    for check_id, outcome in rows:
        check = registry.CHECKS.get(check_id)
        if check is not None:
            by_category[check.category].append((check_id, Outcome(outcome)))
    scan.score_web = category_score(by_category["web"]) if scan.web else None
    scan.score_mail = category_score(by_category["mail"]) if scan.mail else None
    scan.checks_done = len(rows)
    scan.status = Scan.Status.DONE
    scan.finished_at = timezone.now()
    scan.save(update_fields=["score_web", "score_mail", "checks_done", "status", "finished_at"])
    if scan.batch_round_id is not None:
        from dtc.scans.batches import round_finish_if_done  # batches and ownership build on this module

        round_finish_if_done(round_id=scan.batch_round_id)
    from dtc.scans.ownership import scan_regressions_alert

    scan_regressions_alert(scan=scan)  # the organisation of a verified domain hears when it got worse
    return scan


def scans_purge(*, now: Any = None) -> int:
    """Delete on-demand scans (no organisation) older than DTC_RETENTION["scans_on_demand"] days."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.DTC_RETENTION["scans_on_demand"])
    # A collaboration's batch scans live as long as the batch (its timeline of improvement).
    return Scan.objects.filter(organisation=None, batch_round=None, created_at__lt=cutoff).delete()[0]
