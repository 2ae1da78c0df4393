"""The e-mail a business sends its IT supplier from the results page: "these are the actions for you".

Like the advisories' "forward to my IT supplier" (advisories.services.alert_forward) it is a plain
text e-mail, hard to mistake for phishing: it says who asks for help and why, holds only the actions
meant for the supplier, the overall rung and the same actions as a CSV attachment, and carries no
login link and no resume token (the supplier needs neither). Links point only at this platform's
articles. The supplier's address is used for this one message and stored nowhere (not in the
result, not in a log).

A result may send at most `DTC_ASSESSMENT_SUPPLIER_MAILS_PER_DAY` of these per 24 hours, counted in
the cache with core.ratelimit, like the advisories' forwards (a window that starts with the first message).
"""

from __future__ import annotations

import hashlib
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from dtc.assessment.exports import absolute_url, report_csv
from dtc.assessment.report import Report
from dtc.core.ratelimit import window_count, window_count_up

SUPPLIER_MAIL_WINDOW_SECONDS = 24 * 3600
REPLY_NAME_MAX = 100
NOTE_MAX = 2000


def _supplier_mail_key(result_id: int) -> str:
    return f"dtc:assessment:supplier-mails:{int(result_id)}"


def supplier_mails_left(*, result_id: int) -> int:
    sent = window_count(_supplier_mail_key(result_id))
    return max(0, settings.DTC_ASSESSMENT_SUPPLIER_MAILS_PER_DAY - sent)


def supplier_mail_allowed(*, result_id: int) -> bool:
    """Whether this result may send another e-mail to an IT supplier today."""
    return supplier_mails_left(result_id=result_id) > 0


def _supplier_mail_count_up(result_id: int) -> int:
    return _count_up(_supplier_mail_key(result_id))


def _count_up(key: str) -> int:
    return window_count_up(key, seconds=SUPPLIER_MAIL_WINDOW_SECONDS)


def _client_key(client: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{client}".encode()).hexdigest()[:32]
    return f"dtc:assessment:supplier-mails-client:{digest}"


def supplier_mail_send(*, report: Report, to: str, reply_name: str, note: str, client: str = "") -> None:
    """Send the supplier's actions of this result to `to`, after the transaction commits.

    Raises ValidationError: per field for a bad address ("to") or a missing name ("reply_name");
    code "no_supplier_actions" when no action is meant for the supplier; code "rate_limited" past the
    daily limit (a refused message does not count)."""
    to = (to or "").strip()
    try:
        validate_email(to)
    except ValidationError as exc:
        raise ValidationError({"to": ValidationError(_("Vul een geldig e-mailadres in."), code="invalid")}) from exc
    reply_name = " ".join((reply_name or "").split())[:REPLY_NAME_MAX]
    if not reply_name:
        raise ValidationError(
            {"reply_name": ValidationError(_("Vul je naam in, zodat je IT-leverancier weet van wie dit komt."),
                                           code="required")}
        )
    note = (note or "").strip()[:NOTE_MAX]
    actions = report.supplier_actions
    if not actions:
        raise ValidationError(_("Er zijn geen acties voor je IT-leverancier."), code="no_supplier_actions")
    # A fresh anonymous result has a fresh quota, so the sender (its IP address, only as a keyed hash in
    # the cache for 24 hours, never in the database) has a limit of its own too. Both limits are checked
    # before either is counted, so a message refused by one limit does not use up the other.
    result_id = report.result.pk
    result_limit = settings.DTC_ASSESSMENT_SUPPLIER_MAILS_PER_DAY
    client_limit = settings.DTC_ASSESSMENT_SUPPLIER_MAILS_PER_CLIENT_PER_DAY
    result_refusal = ValidationError(
        _("Je hebt vandaag al %(limit)s e-mails naar een IT-leverancier gestuurd, het maximum per dag.")
        % {"limit": result_limit},
        code="rate_limited",
    )
    client_refusal = ValidationError(
        _("Er zijn vandaag al te veel e-mails naar IT-leveranciers verstuurd. Probeer het morgen opnieuw."),
        code="rate_limited",
    )
    if not supplier_mail_allowed(result_id=result_id):
        raise result_refusal
    if client and window_count(_client_key(client)) >= client_limit:
        raise client_refusal
    if _supplier_mail_count_up(result_id) > result_limit:  # lost a race with a simultaneous request
        raise result_refusal
    if client and _count_up(_client_key(client)) > client_limit:
        raise client_refusal
    site_url = settings.SITE_URL.rstrip("/")
    context = {
        "reply_name": reply_name,
        "note": note,
        "report": report,
        "actions": [
            {"action": action, "article_url": absolute_url(action.article_url, base_url=site_url)}
            for action in actions
        ],
        "site_name": settings.WAGTAIL_SITE_NAME,
        "site_url": site_url,
    }
    subject = _("%(name)s vraagt je om hulp bij de digitale beveiliging") % {"name": reply_name}
    body = render_to_string("assessment/email/supplier.txt", context)
    email = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated"},  # RFC 3834: no out-of-office replies, please
    )
    email.attach(
        _("acties-voor-it-leverancier") + ".csv",
        report_csv(report, base_url=site_url, actions=actions).encode("utf-8"),
        "text/csv; charset=utf-8",
    )
    transaction.on_commit(partial(email.send, fail_silently=False))
