"""Batch scans for a collaboration: a coordinator uploads the member domains (CSV), the workers scan
them, every member gets its own report (the scan page of its domain) and the coordinator a summary;
rescans on a schedule make a timeline of improvement, which feeds the effect figures.

Who may do what is asked of `dtc.core.visibility` (coordinators of the collaboration, and analysts
of the centre for reading). Retention: a batch's scans live as long as the batch; the on-demand purge
leaves them alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dtc.core.audit import audit_log_record
from dtc.organisations.models import Domain, validate_domain_name
from dtc.scans.models import Scan, ScanBatch, ScanBatchEntry, ScanCheck, ScanRound
from dtc.scans.services import scan_create

CSV_MAX_BYTES = 1_000_000
DOMAIN_HEADERS = {"domein", "domeinnaam", "domain", "website", "url"}
MEMBER_HEADERS = {"deelnemer", "naam", "lid", "bedrijf", "organisatie", "member", "name", "company"}


@dataclass
class CsvResult:
    """The rows read from an upload: (domain, member) pairs, the line errors, the duplicates skipped."""

    rows: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    duplicates: int = 0


def _clean_domain(value: str) -> str:
    value = value.strip().lower().rstrip(".")
    for prefix in ("https://", "http://"):
        value = value.removeprefix(prefix)
    value = value.split("/", 1)[0].removeprefix("www.")
    validate_domain_name(value)
    return value


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows saves CSV as cp1252 unless told otherwise
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("Het bestand is geen leesbare tekst (CSV). Sla het op als CSV (UTF-8) en probeer het opnieuw."),
                          code="encoding")


def csv_read(data: bytes) -> CsvResult:
    """Read a list of member domains: one domain per line, optionally the member's name beside it;
    separated by `;`, `,` or a tab; a header line is recognised and skipped. Every bad line is
    reported with its number; nothing is stored while any line is wrong."""
    if len(data) > CSV_MAX_BYTES:
        raise ValidationError(_("Het bestand is groter dan 1 MB. Splits de lijst in delen."), code="too_big")
    text = _decode(data)
    if "\x00" in text:
        raise ValidationError(_("Het bestand is geen CSV-bestand."), code="binary")
    sample = text[:4096]
    delimiter = max(";,\t", key=sample.count) if any(sep in sample for sep in ";,\t") else ";"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    result = CsvResult()
    seen: set[str] = set()
    domain_col, member_col = 0, 1
    for number, row in enumerate(reader, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1:
            lowered = [cell.lower() for cell in cells]
            if any(cell in DOMAIN_HEADERS for cell in lowered):
                domain_col = next(i for i, cell in enumerate(lowered) if cell in DOMAIN_HEADERS)
                member_col = next((i for i, cell in enumerate(lowered) if cell in MEMBER_HEADERS), -1)
                continue
        raw = cells[domain_col] if domain_col < len(cells) else ""
        member = cells[member_col][:200] if 0 <= member_col < len(cells) else ""
        if member_col == 1 and len(cells) == 1:
            member = ""
        try:
            domain = _clean_domain(raw)
        except ValidationError:
            result.errors.append(_("Regel %(line)d: “%(value)s” is geen domeinnaam.") % {"line": number,
                                                                                       "value": raw[:80]})
            continue
        if domain in seen:
            result.duplicates += 1
            continue
        seen.add(domain)
        result.rows.append((domain, member))
    if len(result.rows) > settings.DTC_SCAN_BATCH_MAX_DOMAINS:
        raise ValidationError(
            _("De lijst heeft %(count)d domeinen; een batch mag er hoogstens %(max)d hebben.")
            % {"count": len(result.rows), "max": settings.DTC_SCAN_BATCH_MAX_DOMAINS}, code="too_many")
    if not result.rows and not result.errors:
        raise ValidationError(_("Het bestand bevat geen domeinen."), code="empty")
    return result


@transaction.atomic
def batch_create(*, collaboration: Any, name: str, rows: list[tuple[str, str]], user: Any, web: bool = True,
                 mail: bool = True, rescan_every_days: int | None = None) -> ScanBatch:
    """Store the list and start the first round. Member domains known on the platform (a domain of an
    organisation in the collaboration) are linked to that organisation."""
    from dtc.core.visibility import scan_batch_may_create

    if not scan_batch_may_create(user=user, collaboration=collaboration):
        raise ValidationError(_("Alleen coördinatoren van het samenwerkingsverband kunnen een batchscan starten."),
                              code="forbidden")
    batch = ScanBatch.objects.create(collaboration=collaboration, name=name, web=web, mail=mail,
                                     rescan_every_days=rescan_every_days, created_by=user)
    known = dict(
        Domain.objects.filter(organisation__in=collaboration.member_organisations.all(),
                              name__in=[domain for domain, _member in rows])
        .values_list("name", "organisation_id")
    )
    ScanBatchEntry.objects.bulk_create([
        ScanBatchEntry(batch=batch, domain=domain, member=member, organisation_id=known.get(domain))
        for domain, member in rows
    ])
    audit_log_record(actor=user, action="scan_batch.create", target=batch,
                     after={"collaboration": collaboration.pk, "domains": len(rows)})
    batch_round_start(batch=batch, user=user)
    return batch


def batch_round_start(*, batch: ScanBatch, user: Any = None, scheduled: bool = False) -> ScanRound:
    """A new round over the whole list: one scan per domain, queued for the workers. Refused while the
    previous round still runs (it would only scan the same servers twice)."""
    from dtc.scans.tasks import scan_execute

    with transaction.atomic():
        batch = ScanBatch.objects.select_for_update().get(pk=batch.pk)
        last = batch.rounds.order_by("-number").first()
        if last is not None and round_running(last):
            raise ValidationError(_("De vorige ronde loopt nog. Start een nieuwe ronde als die klaar is."),
                                  code="running")
        try:
            scan_round = ScanRound.objects.create(batch=batch, number=(last.number + 1) if last else 1,
                                                  scheduled=scheduled)
        except IntegrityError as error:  # pragma: no cover - the row lock above serialises rounds
            raise ValidationError(_("Er is net al een ronde gestart."), code="running") from error
        scans = [
            scan_create(domain=entry.domain, web=batch.web, mail=batch.mail, requested_by=user,
                        batch_round=scan_round, scheduled=scheduled)
            for entry in batch.entries.all()
        ]
        if user is not None:
            audit_log_record(actor=user, action="scan_batch.round", target=batch, after={"round": scan_round.number})
        ids = [scan.pk for scan in scans]
        transaction.on_commit(lambda: [scan_execute.enqueue(scan_id) for scan_id in ids])
    return scan_round


def round_running(scan_round: ScanRound) -> bool:
    return scan_round.finished_at is None and scan_round.scans.filter(
        status__in=[Scan.Status.QUEUED, Scan.Status.RUNNING]).exists()


def round_finish_if_done(*, round_id: int) -> bool:
    """Called when a scan of the round finishes: the round is done when none of its scans is left."""
    if Scan.objects.filter(batch_round_id=round_id, status__in=[Scan.Status.QUEUED, Scan.Status.RUNNING]).exists():
        return False
    return bool(ScanRound.objects.filter(pk=round_id, finished_at=None).update(finished_at=timezone.now()))


def batches_rescan_due(*, now: dt.datetime | None = None) -> int:
    """Start a scheduled round for every batch whose rescan interval has passed (idempotent: a batch
    whose last round is recent, or still running, is left alone)."""
    now = now or timezone.now()
    started = 0
    batches = ScanBatch.objects.filter(rescan_every_days__isnull=False).annotate(last=Max("rounds__created_at"))
    for batch in batches:
        if batch.last is not None and now - batch.last < dt.timedelta(days=batch.rescan_every_days):
            continue
        try:
            batch_round_start(batch=batch, scheduled=True)
        except ValidationError:
            continue
        started += 1
    return started


# --- what the coordinator sees ---------------------------------------------------------------------


@dataclass
class MemberLine:
    entry: ScanBatchEntry
    scan: Scan | None
    previous: Scan | None

    @property
    def change_web(self) -> int | None:
        return _delta(self.scan, self.previous, "score_web")

    @property
    def change_mail(self) -> int | None:
        return _delta(self.scan, self.previous, "score_mail")


def _delta(scan: Scan | None, previous: Scan | None, attr: str) -> int | None:
    if scan is None or previous is None:
        return None
    now, before = getattr(scan, attr), getattr(previous, attr)
    return None if now is None or before is None else now - before


def _round_scans(scan_round: ScanRound | None) -> dict[str, Scan]:
    if scan_round is None:
        return {}
    return {scan.domain: scan for scan in scan_round.scans.all()}


def batch_members(*, batch: ScanBatch, scan_round: ScanRound | None) -> list[MemberLine]:
    """One line per member domain: its scan in `scan_round` and in the round before (2 queries)."""
    previous_round = (batch.rounds.filter(number__lt=scan_round.number).order_by("-number").first()
                      if scan_round is not None else None)
    current, before = _round_scans(scan_round), _round_scans(previous_round)
    return [MemberLine(entry=entry, scan=current.get(entry.domain), previous=before.get(entry.domain))
            for entry in batch.entries.all()]


def round_progress(scan_round: ScanRound) -> dict[str, int]:
    figures = scan_round.scans.aggregate(
        domains=Count("id"), done=Count("id", filter=Q(status__in=[Scan.Status.DONE, Scan.Status.FAILED])),
        checks_total=Sum("checks_total"), checks_done=Sum("checks_done"),
    )
    return {key: value or 0 for key, value in figures.items()}


def round_summary(scan_round: ScanRound) -> dict[str, Any]:
    """The coordinator's summary: average scores, how many domains are in good order, and the checks
    that fail most often (with how many domains), so a collaboration knows where to help first."""
    scans = scan_round.scans.filter(status=Scan.Status.DONE)
    averages = scans.aggregate(web=Avg("score_web"), mail=Avg("score_mail"))
    failing = Counter(  # domains per failing check: apex and www of one domain count once
        check_id for check_id, _scan_id in set(
            ScanCheck.objects.filter(scan__in=scans, outcome="fail").values_list("check_id", "scan_id"))
    )
    return {
        "domains": scans.count(),
        "average_web": round(averages["web"]) if averages["web"] is not None else None,
        "average_mail": round(averages["mail"]) if averages["mail"] is not None else None,
        "good_web": scans.filter(score_web__gte=80).count(),
        "good_mail": scans.filter(score_mail__gte=80).count(),
        "top_failing": failing.most_common(5),
    }


def _timelines(rounds: Any) -> dict[int, list[dict[str, Any]]]:
    """Per batch id, per round in order: date, domains scanned, average web and mail score (one query)."""
    done = Q(scans__status=Scan.Status.DONE)
    rows = rounds.annotate(
        domains=Count("scans", filter=done),
        average_web=Avg("scans__score_web", filter=done),
        average_mail=Avg("scans__score_mail", filter=done),
    ).order_by("batch_id", "number")
    timelines: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        timelines.setdefault(r.batch_id, []).append({
            "number": r.number, "date": r.created_at, "finished": r.finished_at, "domains": r.domains,
            "average_web": round(r.average_web) if r.average_web is not None else None,
            "average_mail": round(r.average_mail) if r.average_mail is not None else None,
        })
    return timelines


def batch_timeline(*, batch: ScanBatch) -> list[dict[str, Any]]:
    """Per round: date, domains scanned, average web and mail score — the timeline of improvement."""
    return _timelines(batch.rounds.all()).get(batch.pk, [])


def batch_csv(*, batch: ScanBatch, scan_round: ScanRound | None) -> str:
    """The round as CSV for Dutch Excel (`;`, a BOM), one line per member domain; cells that a
    spreadsheet would run as a formula are quoted with a leading apostrophe."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("deelnemer"), _("domein"), _("status"), _("score website"), _("score e-mail"),
                     _("verschil website"), _("verschil e-mail"), _("niet in orde"), _("rapport")])
    fails = _fails_per_scan(scan_round)
    base = settings.SITE_URL
    for line in batch_members(batch=batch, scan_round=scan_round):
        scan = line.scan
        writer.writerow([_safe(cell) for cell in (
            line.entry.member, line.entry.domain, scan.get_status_display() if scan else "",
            _blank(scan.score_web if scan else None), _blank(scan.score_mail if scan else None),
            _blank(line.change_web), _blank(line.change_mail),
            ", ".join(sorted(fails.get(scan.pk, []))) if scan else "",
            f"{base}/scan/{scan.key}/" if scan else "",
        )])
    return out.getvalue()


def _fails_per_scan(scan_round: ScanRound | None) -> dict[int, set[str]]:
    fails: dict[int, set[str]] = {}
    if scan_round is None:
        return fails
    for scan_id, check_id in ScanCheck.objects.filter(scan__batch_round=scan_round, outcome="fail").values_list(
            "scan_id", "check_id"):
        fails.setdefault(scan_id, set()).add(check_id)
    return fails


def _blank(value: Any) -> Any:
    return "" if value is None else value


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def scan_figures() -> dict[str, Any]:
    """For the reach-and-effect figures: domains scanned, and per batch the first and latest average
    score (improvement over rescans). No domain names."""
    done = Scan.objects.filter(status=Scan.Status.DONE)
    improvement = []
    for rows in _timelines(ScanRound.objects.all()).values():
        timeline = [row for row in rows if row["domains"]]
        if len(timeline) >= 2:
            improvement.append({
                "rounds": len(timeline),
                "web": (timeline[0]["average_web"], timeline[-1]["average_web"]),
                "mail": (timeline[0]["average_mail"], timeline[-1]["average_mail"]),
            })
    return {"scans": done.count(), "domains": done.values("domain").distinct().count(), "batches": improvement}
