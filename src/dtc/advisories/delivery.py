"""The alert outbox: from `Alert` rows to e-mails, overview e-mails (digests) and webhooks.

A crashed or killed worker loses nothing and duplicates nothing (issue 4):
- `deliveries_plan` writes the `Delivery` rows of new alerts set-based (INSERT … SELECT … ON CONFLICT
  DO NOTHING on the key (alert, channel, recipient)) and marks those alerts planned in the same
  transaction, per chunk: a crash between chunks leaves the rest unplanned, a re-run adds nothing twice.
- Senders claim due rows (`pending` and due, or `sending` whose lease ran out) with SELECT … FOR UPDATE
  SKIP LOCKED on PostgreSQL, mark them `sending` with a lease and commit — so two workers never claim
  the same row. They then commit `sent` right after the receiving server accepted each message. A
  row left `sending` when its lease ends was therefore never acknowledged and is sent again; the only
  duplicate possible is a message accepted in the instant before its commit (at-least-once; the
  window is one UPDATE).
- Temporary failures (SMTP 4xx, connection errors, HTTP 5xx/408/429, timeouts) go back to `pending`
  with exponential back-off; permanent ones (SMTP 5xx, HTTP 4xx, a recipient who left the
  organisation) and rows that reached DTC_ALERT_MAX_ATTEMPTS become `failed` with the reason.

Just before sending, each row is checked again: the recipient is still an active member
(`visibility.alert_recipient_is_member`) and has not unsubscribed, the advisory is still TLP:CLEAR and
the message still published.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import smtplib
import socket
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
from django.conf import settings
from django.core.mail import mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from dtc.advisories import mail
from dtc.advisories.models import (
    AdvisoryProduct,
    Alert,
    AlertOptOut,
    AlertSettings,
    Delivery,
    Message,
    ProductStatus,
    Tlp,
    Urgency,
)
from dtc.core.visibility import alert_recipients_members
from dtc.organisations.models import Membership, OrganisationProduct, User

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 6 * 3600
DIGEST_TZ = ZoneInfo("Europe/Amsterdam")
DIGEST_HOUR = 7
WEBHOOK_TIMEOUT_SECONDS = 10

PENDING = Delivery.State.PENDING.value
SENDING = Delivery.State.SENDING.value
SENT = Delivery.State.SENT.value
FAILED = Delivery.State.FAILED.value


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _in_ids(column: str) -> str:
    """`column` in one list parameter of ids (see `_ids_param`), whatever the length of the list."""
    if _is_postgres():
        return f"{column} = ANY(%s)"
    return f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608 - a column name of ours


def _ids_param(ids: list[int]) -> Any:
    return ids if _is_postgres() else json.dumps(ids)


def _dt(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def backoff(attempts: int) -> dt.timedelta:
    """1 minute · 2^attempts, at most 6 hours."""
    return dt.timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts, 0), BACKOFF_CAP_SECONDS))


def next_digest_times(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(next daily, next weekly) overview moment after `now`: 07:00 Amsterdam time, weekly on Mondays."""
    local = now.astimezone(DIGEST_TZ)
    at_seven = dt.time(DIGEST_HOUR)
    daily = dt.datetime.combine(local.date(), at_seven, tzinfo=DIGEST_TZ)
    if daily <= local:
        daily = dt.datetime.combine(local.date() + dt.timedelta(days=1), at_seven, tzinfo=DIGEST_TZ)
    monday = local.date() - dt.timedelta(days=local.weekday())
    weekly = dt.datetime.combine(monday, at_seven, tzinfo=DIGEST_TZ)
    if weekly <= local:
        weekly = dt.datetime.combine(monday + dt.timedelta(days=7), at_seven, tzinfo=DIGEST_TZ)
    return daily, weekly


# --- Planning ---------------------------------------------------------------------------------------


def _plan_chunk(alert_ids: list[int], *, now: dt.datetime) -> int:
    delivery = Delivery._meta.db_table
    alert = Alert._meta.db_table
    message = Message._meta.db_table
    membership = Membership._meta.db_table
    user = User._meta.db_table
    alert_settings = AlertSettings._meta.db_table
    opt_out = AlertOptOut._meta.db_table
    daily, weekly = next_digest_times(now)
    default_urgent = AlertSettings._meta.get_field("email_urgent").default
    default_other = AlertSettings._meta.get_field("email_other").default
    ids = _ids_param(alert_ids)
    # E-mail per active member who did not opt out; the timing from the organisation's settings
    # (no settings row: the defaults). "immediate" → an e-mail now, "daily"/"weekly" → an overview row
    # due at the next overview moment, "off" → nothing.
    email_sql = f"""
        INSERT INTO {delivery} (alert_id, channel, recipient, user_id, state, available_at, lease_until,
                                attempts, last_error, sent_at, created_at)
        SELECT t.alert_id,
               CASE WHEN t.timing = 'immediate' THEN %s ELSE %s END,
               'u' || CAST(t.user_id AS TEXT), t.user_id, %s,
               CASE t.timing WHEN 'immediate' THEN %s WHEN 'daily' THEN %s ELSE %s END,
               NULL, 0, '', NULL, %s
        FROM (
            SELECT a.id AS alert_id, m.user_id AS user_id,
                   CASE WHEN msg.urgency = %s THEN COALESCE(s.email_urgent, %s)
                        ELSE COALESCE(s.email_other, %s) END AS timing
            FROM {alert} a
            JOIN {message} msg ON msg.advisory_id = a.advisory_id
            JOIN {membership} m ON m.organisation_id = a.organisation_id
            JOIN {user} u ON u.id = m.user_id
            LEFT JOIN {alert_settings} s ON s.organisation_id = a.organisation_id
            WHERE {_in_ids("a.id")} AND u.is_active
              AND NOT EXISTS (SELECT 1 FROM {opt_out} x
                              WHERE x.user_id = m.user_id AND x.organisation_id = a.organisation_id)
        ) t
        WHERE t.timing IN ('immediate', 'daily', 'weekly')
        ON CONFLICT (alert_id, channel, recipient) DO NOTHING"""  # noqa: S608 - names from _meta, values as parameters
    email_params = [
        Delivery.Channel.EMAIL.value,
        Delivery.Channel.DIGEST.value,
        PENDING,
        _dt(now),
        _dt(daily),
        _dt(weekly),
        _dt(now),
        Urgency.URGENT.value,
        default_urgent,
        default_other,
        ids,
    ]
    webhook_sql = f"""
        INSERT INTO {delivery} (alert_id, channel, recipient, user_id, state, available_at, lease_until,
                                attempts, last_error, sent_at, created_at)
        SELECT a.id, %s, %s, NULL, %s, %s, NULL, 0, '', NULL, %s
        FROM {alert} a
        JOIN {alert_settings} s ON s.organisation_id = a.organisation_id
        JOIN {message} msg ON msg.advisory_id = a.advisory_id
        WHERE {_in_ids("a.id")} AND s.webhook_url <> '' AND (NOT s.webhook_urgent_only OR msg.urgency = %s)
        ON CONFLICT (alert_id, channel, recipient) DO NOTHING"""  # noqa: S608 - names from _meta, values as parameters
    channel = Delivery.Channel.WEBHOOK.value
    webhook_params = [channel, channel, PENDING, _dt(now), _dt(now), ids, Urgency.URGENT.value]
    with connection.cursor() as cursor:
        cursor.execute(email_sql, email_params)
        written = max(cursor.rowcount, 0)
        cursor.execute(webhook_sql, webhook_params)
        written += max(cursor.rowcount, 0)
        cursor.execute(f"UPDATE {alert} SET planned = %s WHERE {_in_ids('id')}", [True, ids])  # noqa: S608
    return written


def deliveries_plan(*, chunk: int = 20000) -> int:
    """Write the outbox rows of all unplanned alerts, `chunk` alerts per transaction; returns the
    number of rows written. Safe to run concurrently and again after a crash."""
    written = 0
    while True:
        with transaction.atomic():
            unplanned = Alert.objects.filter(planned=False).order_by("id")
            if _is_postgres():
                unplanned = unplanned.select_for_update(skip_locked=True)
            alert_ids = list(unplanned.values_list("id", flat=True)[:chunk])
            if not alert_ids:
                return written
            written += _plan_chunk(alert_ids, now=timezone.now())
        if len(alert_ids) < chunk:
            return written


# --- Claiming and recording -------------------------------------------------------------------------


def _claim(*, channel: str, ids_query: Any = None, limit: int, now: dt.datetime) -> list[int]:
    """Claim up to `limit` due rows of `channel` for this worker; commits before returning."""
    lease = dt.timedelta(seconds=settings.DTC_ALERT_LEASE_SECONDS)
    with transaction.atomic():
        due = Delivery.objects.filter(
            channel=channel, state__in=[PENDING, SENDING], available_at__lte=now
        ).filter(Q(state=PENDING) | Q(lease_until__lt=now))
        if ids_query is not None:
            due = due.filter(ids_query)
        due = due.order_by("available_at", "id")
        if _is_postgres():
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            Delivery.objects.filter(id__in=ids).update(
                state=SENDING, lease_until=now + lease, attempts=F("attempts") + 1
            )
    return ids


def _mark_sent(ids: list[int]) -> None:
    """Committed at once (autocommit), right after the server accepted the message."""
    Delivery.objects.filter(id__in=ids, state=SENDING).update(
        state=SENT, sent_at=timezone.now(), lease_until=None, last_error=""
    )


class _CommitWithoutFlushWait:
    """While sending a batch, PostgreSQL commits without waiting for the disk flush
    (`synchronous_commit off`, this session only, reset afterwards). A commit is still visible to
    every other worker at once and in order, so a killed worker changes nothing; only a crash of the
    database server itself could lose the last fraction of a second of "sent" marks, and those few
    messages would be sent again. Saves a flush per message (bench/README.md)."""

    def __enter__(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")

    def __exit__(self, *exc: object) -> None:
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO DEFAULT")


def _mark_failure(ids: list[int], *, attempts: int, permanent: bool, error: str) -> None:
    now = timezone.now()
    error = error[:500]
    if permanent or attempts >= settings.DTC_ALERT_MAX_ATTEMPTS:
        Delivery.objects.filter(id__in=ids).update(state=FAILED, lease_until=None, last_error=error)
    else:
        Delivery.objects.filter(id__in=ids).update(
            state=PENDING, available_at=now + backoff(attempts), lease_until=None, last_error=error
        )


def _release(ids: list[int]) -> None:
    """Give claimed rows back untried (the lease is about to run out)."""
    Delivery.objects.filter(id__in=ids, state=SENDING).update(
        state=PENDING, lease_until=None, attempts=F("attempts") - 1
    )


# --- Judging outcomes (no network here) -------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    permanent: bool
    error: str
    reconnect: bool = False  # the connection is gone or unusable: open a new one for the next message
    abort: bool = False  # the same would happen to every message of the batch: stop


def smtp_outcome(exc: BaseException) -> Outcome:
    """Judge a failed SMTP send. 5xx for the recipient or the message: permanent; 4xx: try again
    later (RFC 5321 §4.2.1); 421 means the server closes the channel. Problems with the connection,
    our sender address or login concern every message: retried, and the batch stops."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (0, b""))
        return Outcome(
            permanent=500 <= code < 600,
            error=f"SMTP {code} {_text(text)}",
            reconnect=code == 421,
        )
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPHeloError | smtplib.SMTPAuthenticationError):
        return Outcome(permanent=False, error=f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}", abort=True)
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        return Outcome(
            permanent=500 <= code < 600, error=f"SMTP {code} {_text(exc.smtp_error)}", reconnect=code == 421
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return Outcome(permanent=False, error="SMTP connection closed", reconnect=True)
    if isinstance(exc, ValueError):  # an address Django refuses to put in an envelope
        return Outcome(permanent=True, error=f"invalid address: {exc}")
    return Outcome(permanent=False, error=f"{type(exc).__name__}: {exc}", reconnect=True)


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def webhook_outcome(*, status: int | None, error: str = "") -> Outcome | None:
    """None: delivered (2xx). 408/429/5xx and network errors: try again; other answers (4xx, and
    redirects, which are not followed): permanent."""
    if status is None:
        return Outcome(permanent=False, error=error or "no answer")
    if 200 <= status < 300:
        return None
    if status in (408, 429) or status >= 500:
        return Outcome(permanent=False, error=f"HTTP {status}")
    return Outcome(permanent=True, error=f"HTTP {status}")


# --- Fetching a batch -------------------------------------------------------------------------------

_ROW_FIELDS = (
    "id",
    "attempts",
    "lease_until",
    "user_id",
    "user__email",
    "user__name",
    "user__language",
    "alert_id",
    "alert__revision_id",
    "alert__organisation_id",
    "alert__organisation__name",
    "alert__advisory__tlp",
    "alert__advisory__tracking_id",
    "alert__advisory__title",
    "alert__advisory__message__id",
)
_MESSAGE_FIELDS = ("id", "title", "what", "who", "steps", "links", "urgency", "status")


def _batch(ids: list[int]) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
    """The claimed rows (plain dicts) and their messages by id: two queries for the whole batch."""
    rows = list(Delivery.objects.filter(id__in=ids).order_by("available_at", "id").values(*_ROW_FIELDS))
    message_ids = {row["alert__advisory__message__id"] for row in rows} - {None}
    messages = {m["id"]: m for m in Message.objects.filter(id__in=message_ids).values(*_MESSAGE_FIELDS)}
    for row in rows:
        message = messages.get(row["alert__advisory__message__id"])
        if message is not None:
            message["tracking_id"] = row["alert__advisory__tracking_id"]
    return rows, messages


def _products_used(rows: Iterable[dict[str, Any]]) -> dict[tuple[int, int], list[tuple[str, str, str]]]:
    """Per (organisation, revision): the affected products it uses per its profile, as (vendor, name,
    version) — "why you get this". Two queries for the whole batch."""
    rows = list(rows)
    revisions = {row["alert__revision_id"] for row in rows}
    organisations = {row["alert__organisation_id"] for row in rows}
    affected: dict[int, set[int]] = defaultdict(set)
    for revision_id, product_id in AdvisoryProduct.objects.filter(
        revision_id__in=revisions, status=ProductStatus.AFFECTED, catalogue_product__isnull=False
    ).values_list("revision_id", "catalogue_product_id"):
        affected[revision_id].add(product_id)
    all_products = set().union(*affected.values()) if affected else set()
    uses: dict[int, list[tuple[int, tuple[str, str, str]]]] = defaultdict(list)
    for organisation_id, product_id, vendor, name, version in (
        OrganisationProduct.objects.filter(organisation_id__in=organisations, product_id__in=all_products)
        .order_by("product__vendor", "product__name")
        .values_list("organisation_id", "product_id", "product__vendor", "product__name", "version")
    ):
        uses[organisation_id].append((product_id, (vendor, name, version)))
    result = {}
    for organisation_id in organisations:
        for revision_id in revisions:
            result[(organisation_id, revision_id)] = [
                triple for product_id, triple in uses[organisation_id] if product_id in affected[revision_id]
            ]
    return result


def _opted_out(rows: list[dict[str, Any]]) -> set[tuple[int, int]]:
    users = {row["user_id"] for row in rows}
    organisations = {row["alert__organisation_id"] for row in rows}
    return set(
        AlertOptOut.objects.filter(user_id__in=users, organisation_id__in=organisations).values_list(
            "user_id", "organisation_id"
        )
    )


def _members(rows: list[dict[str, Any]]) -> set[tuple[int, int]]:
    """Which recipients of the batch are still members, asked of the visibility module in one query."""
    return alert_recipients_members(
        pairs={(row["user_id"], row["alert__organisation_id"]) for row in rows if row["user_id"] is not None}
    )


def _why_not(
    row: dict[str, Any],
    messages: dict[int, dict[str, Any]],
    opted_out: set[tuple[int, int]],
    members: set[tuple[int, int]],
) -> str:
    """'' when the row may still be sent, else the reason it may not (checked just before sending)."""
    message = messages.get(row["alert__advisory__message__id"])
    if row["alert__advisory__tlp"] != Tlp.CLEAR:
        return "advisory no longer TLP:CLEAR"
    if message is None or message["status"] != Message.Status.PUBLISHED:
        return "message no longer published"
    if row["user_id"] is not None:
        if (row["user_id"], row["alert__organisation_id"]) in opted_out:
            return "unsubscribed"
        if (row["user_id"], row["alert__organisation_id"]) not in members:
            return "no longer a recipient"
    return ""


def _lease_ok(row: dict[str, Any]) -> bool:
    """Never send on a lease that ran out: another worker may have claimed the row by now."""
    return row["lease_until"] is None or timezone.now() < row["lease_until"]


# --- E-mail -----------------------------------------------------------------------------------------


class _ConnectFailed(Exception):
    """Opening the SMTP connection failed: every message of the batch would fail the same way."""


class _Smtp:
    """One connection of the configured mailer, reused for a whole batch; reopened after the server
    dropped it. `opened` counts the connections made."""

    def __init__(self) -> None:
        self.backend: Any = mailers.default
        self.is_open = False
        self.opened = 0
        # A real SMTP server gets bytes assembled by `mail.alert_mail_raw`; other backends (console,
        # in-memory) get Django messages.
        self.raw = isinstance(self.backend, SmtpBackend)

    def send(self, message: Any) -> None:
        if not self.is_open:
            try:
                self.backend.open()
            except OSError as exc:
                raise _ConnectFailed(f"{type(exc).__name__}: {exc}") from exc
            self.is_open = True
            self.opened += 1
        if isinstance(message, mail.RawMail):
            self.backend.connection.sendmail(message.sender, [message.to], message.data)
        else:
            self.backend.send_messages([message])

    def close(self) -> None:
        if not self.is_open:
            return
        self.is_open = False
        try:
            self.backend.close()
        except Exception:  # noqa: BLE001 - a broken connection may fail to say goodbye
            if hasattr(self.backend, "connection"):
                self.backend.connection = None


def _smtp_send(smtp: _Smtp, email: Any) -> Outcome | None:
    """Send one message; None when the server accepted it, else how it failed."""
    try:
        smtp.send(email)
    except _ConnectFailed as exc:
        return Outcome(permanent=False, error=str(exc), abort=True)
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        outcome = smtp_outcome(exc)
        if outcome.reconnect or outcome.abort:
            smtp.close()
        return outcome
    return None


def email_batch_send(*, batch_size: int | None = None, worker: str = "") -> int:
    """Send one batch of due alert e-mails over one SMTP connection; returns messages sent."""
    limit = batch_size or settings.DTC_ALERT_BATCH_SIZE
    ids = _claim(channel=Delivery.Channel.EMAIL, limit=limit, now=timezone.now())
    if not ids:
        return 0
    rows, messages = _batch(ids)
    opted_out = _opted_out(rows)
    members = _members(rows)
    products = _products_used(rows)
    smtp = _Smtp()
    with _CommitWithoutFlushWait():
        sent = _email_rows_send(rows, messages, opted_out, members, products, smtp, worker)
    return sent


def _email_rows_send(
    rows: list[dict[str, Any]],
    messages: dict[int, dict[str, Any]],
    opted_out: set[tuple[int, int]],
    members: set[tuple[int, int]],
    products: dict[tuple[int, int], list[tuple[str, str, str]]],
    smtp: Any,
    worker: str,
) -> int:
    parts: dict[tuple[int, str], mail.AlertMailParts] = {}
    sent = 0
    try:
        for index, row in enumerate(rows):
            if not _lease_ok(row):
                _release([other["id"] for other in rows[index:]])
                logger.warning("alert e-mail batch stopped: its lease ran out (worker %s)", worker)
                break
            reason = _why_not(row, messages, opted_out, members)
            if reason:
                _mark_failure([row["id"]], attempts=row["attempts"], permanent=True, error=reason)
                continue
            message = messages[row["alert__advisory__message__id"]]
            language = row["user__language"] or settings.LANGUAGE_CODE
            if (message["id"], language) not in parts:
                parts[(message["id"], language)] = mail.alert_mail_parts(message=message, language=language)
            organisation_id = row["alert__organisation_id"]
            build = mail.alert_mail_raw if smtp.raw else mail.alert_mail_build
            email = build(
                parts=parts[(message["id"], language)],
                to=row["user__email"],
                name=row["user__name"],
                organisation=row["alert__organisation__name"],
                products=products[(organisation_id, row["alert__revision_id"])],
                alert_url=mail.alert_url(alert_id=row["alert_id"]),
                unsubscribe_url=mail.unsubscribe_url(user_id=row["user_id"], organisation_id=organisation_id),
            )
            outcome = _smtp_send(smtp, email)
            if outcome is None:
                _mark_sent([row["id"]])
                sent += 1
                continue
            _mark_failure(
                [row["id"]], attempts=row["attempts"], permanent=outcome.permanent, error=outcome.error
            )
            if outcome.abort:
                for other in rows[index + 1 :]:
                    _mark_failure(
                        [other["id"]], attempts=other["attempts"], permanent=False, error=outcome.error
                    )
                logger.warning("alert e-mail batch stopped: %s (worker %s)", outcome.error, worker)
                break
    finally:
        smtp.close()
    return sent


def digest_send(*, batch_users: int = 100) -> int:
    """Send due overview e-mails: one per person and organisation, listing all their due alerts (a
    person in two organisations gets two, each with its own unsubscribe link). All rows of one e-mail
    are marked sent in one commit after the server accepted it. Returns e-mails sent."""
    now = timezone.now()
    due = Delivery.objects.filter(
        channel=Delivery.Channel.DIGEST, state__in=[PENDING, SENDING], available_at__lte=now
    ).filter(Q(state=PENDING) | Q(lease_until__lt=now))
    users = list(due.order_by("user_id").values_list("user_id", flat=True).distinct()[:batch_users])
    if not users:
        return 0
    ids = _claim(
        channel=Delivery.Channel.DIGEST, ids_query=Q(user_id__in=users), limit=batch_users * 1000, now=now
    )
    if not ids:
        return 0
    rows, messages = _batch(ids)
    opted_out = _opted_out(rows)
    members = _members(rows)
    products = _products_used(rows)
    groups: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        reason = _why_not(row, messages, opted_out, members)
        if reason:
            _mark_failure([row["id"]], attempts=row["attempts"], permanent=True, error=reason)
        else:
            groups[(row["user_id"], row["alert__organisation_id"])].append(row)
    smtp = _Smtp()
    sent = 0
    try:
        for (user_id, organisation_id), group in groups.items():
            group_ids = [row["id"] for row in group]
            if not all(_lease_ok(row) for row in group):
                _release(group_ids)
                continue
            group.sort(
                key=lambda row: (
                    messages[row["alert__advisory__message__id"]]["urgency"] != Urgency.URGENT,
                    row["id"],
                )
            )
            first = group[0]
            email = mail.digest_mail_build(
                to=first["user__email"],
                name=first["user__name"],
                language=first["user__language"] or settings.LANGUAGE_CODE,
                organisation=first["alert__organisation__name"],
                entries=[
                    {
                        "message": messages[row["alert__advisory__message__id"]],
                        "alert_url": mail.alert_url(alert_id=row["alert_id"]),
                        "products": products[(organisation_id, row["alert__revision_id"])],
                    }
                    for row in group
                ],
                unsubscribe_url=mail.unsubscribe_url(user_id=user_id, organisation_id=organisation_id),
            )
            outcome = _smtp_send(smtp, email)
            if outcome is not None:
                for row in group:
                    _mark_failure(
                        [row["id"]],
                        attempts=row["attempts"],
                        permanent=outcome.permanent,
                        error=outcome.error,
                    )
                if outcome.abort:
                    break
                continue
            _mark_sent(group_ids)
            sent += 1
    finally:
        smtp.close()
    return sent


# --- Webhooks (Standard Webhooks, https://www.standardwebhooks.com/) ---------------------------------


def webhook_signature(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`. A secret in the Standard Webhooks form
    `whsec_<base64>` is used as its decoded bytes, any other secret as its UTF-8 bytes."""
    key = base64.b64decode(secret.removeprefix("whsec_")) if secret.startswith("whsec_") else secret.encode()
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def webhook_target_refused(url: str) -> str:
    """'' when we may POST to `url`, else why not: http(s) only, and — unless
    DTC_WEBHOOK_ALLOW_PRIVATE — no address inside our own networks (loopback, private, link-local),
    so a webhook cannot be used to reach the platform's internal services."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "webhook address must be http(s)"
    if getattr(settings, "DTC_WEBHOOK_ALLOW_PRIVATE", False):
        return ""
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError:
        return ""  # resolving failed: the POST will fail too and be retried
    for info in infos:
        if not ipaddress.ip_address(info[4][0]).is_global:
            return "webhook address is not public"
    return ""


def _webhook_payload(
    row: dict[str, Any], message: dict[str, Any], products: list[tuple[str, str, str]]
) -> dict:
    context = mail.message_context(message)
    return {
        "type": "alert.published",
        "timestamp": timezone.now().isoformat(),
        "data": {
            "alert_id": row["alert_id"],
            "alert_url": mail.alert_url(alert_id=row["alert_id"]),
            "advisory_id": row["alert__advisory__tracking_id"],
            "tracking_id": row["alert__advisory__tracking_id"],
            "advisory_title": row["alert__advisory__title"],
            "title": message["title"],
            "urgency": message["urgency"],
            "what": message["what"],
            "who": message["who"],
            "steps": context["steps"],
            "links": context["links"],
            "organisation": {"id": row["alert__organisation_id"], "name": row["alert__organisation__name"]},
            "products": [{"vendor": v, "product": n, "version": ver} for v, n, ver in products],
            "tlp": "CLEAR",
        },
    }


def webhook_batch_send(*, batch_size: int | None = None) -> int:
    """POST one batch of due webhook deliveries (JSON, signed); returns deliveries accepted (2xx)."""
    limit = batch_size or settings.DTC_ALERT_BATCH_SIZE
    ids = _claim(channel=Delivery.Channel.WEBHOOK, limit=limit, now=timezone.now())
    if not ids:
        return 0
    rows, messages = _batch(ids)
    products = _products_used(rows)
    targets = {
        s["organisation_id"]: s
        for s in AlertSettings.objects.filter(
            organisation_id__in={row["alert__organisation_id"] for row in rows}
        ).values("organisation_id", "webhook_url", "webhook_secret")
    }
    sent = 0
    with httpx.Client(follow_redirects=False, timeout=WEBHOOK_TIMEOUT_SECONDS) as client:
        for row in rows:
            target = targets.get(row["alert__organisation_id"]) or {"webhook_url": "", "webhook_secret": ""}
            reason = _why_not(row, messages, set(), set())
            if not reason and not target["webhook_url"]:
                reason = "webhook removed"
            if not reason:
                reason = webhook_target_refused(target["webhook_url"])
            if reason:
                _mark_failure([row["id"]], attempts=row["attempts"], permanent=True, error=reason)
                continue
            if not _lease_ok(row):
                _release([row["id"]])
                continue
            message = messages[row["alert__advisory__message__id"]]
            payload = _webhook_payload(
                row, message, products[(row["alert__organisation_id"], row["alert__revision_id"])]
            )
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
            msg_id = str(row["id"])
            timestamp = int(timezone.now().timestamp())
            headers = {
                "content-type": "application/json",
                "user-agent": "DTC-alerts/1",
                "webhook-id": msg_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": webhook_signature(
                    secret=target["webhook_secret"], msg_id=msg_id, timestamp=timestamp, body=body
                ),
            }
            try:
                response = client.post(target["webhook_url"], content=body, headers=headers)
                outcome = webhook_outcome(status=response.status_code)
            except httpx.HTTPError as exc:
                outcome = webhook_outcome(status=None, error=f"{type(exc).__name__}: {exc}")
            if outcome is None:
                _mark_sent([row["id"]])
                sent += 1
            else:
                _mark_failure(
                    [row["id"]], attempts=row["attempts"], permanent=outcome.permanent, error=outcome.error
                )
    return sent


def deliveries_due(*, channel: str = "all") -> bool:
    """Whether anything is waiting: unplanned alerts, or outbox rows of `channel` due now."""
    if Alert.objects.filter(planned=False).exists():
        return True
    now = timezone.now()
    due = Delivery.objects.filter(state__in=[PENDING, SENDING], available_at__lte=now).filter(
        Q(state=PENDING) | Q(lease_until__lt=now)
    )
    if channel != "all":
        due = due.filter(channel=channel)
    return due.exists()


def deliveries_run_once() -> dict[str, int]:
    """Plan, then one batch of every channel (the background task's unit of work)."""
    return {
        "planned": deliveries_plan(),
        "email": email_batch_send(),
        "digest": digest_send(),
        "webhook": webhook_batch_send(),
    }
