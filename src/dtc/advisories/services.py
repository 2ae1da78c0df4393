"""Changing messages, review-queue mappings and what businesses do with their alerts.

One write path per change: each function runs in one transaction, takes the acting user, checks the
right to act, and writes its audit record inside that transaction. Rule violations raise
`ValidationError` (translated message and a code); acting without the right raises `PermissionDenied`
or, for things the actor may not see, `Http404` (never revealing that they exist).

The four-eyes rule for urgent messages: an urgent message reaches many businesses at once with "act
now", so a second analyst — not the one who wrote or last edited it — approves it before it can be
published. A normal message can be published by its writer.
"""

from __future__ import annotations

import secrets
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dtc.advisories import selectors
from dtc.advisories.drafting import message_draft
from dtc.advisories.models import (
    Advisory,
    Alert,
    AlertOptOut,
    AlertSettings,
    Message,
    ReviewDismissal,
    Urgency,
)
from dtc.advisories.tokens import feed_key_new, unsubscribe_token_read
from dtc.core import visibility
from dtc.core.audit import audit_log_record, audit_snapshot
from dtc.core.ratelimit import window_count, window_count_up
from dtc.organisations.models import Organisation, Product, ProductAlias, Province, Sector, SizeClass, User
from dtc.organisations.selectors import organisation_get_for_admin, organisation_get_for_member

MESSAGE_FIELDS = [
    "title",
    "what",
    "who",
    "steps",
    "principle",
    "links",
    "urgency",
    "sectors",
    "provinces",
    "size_classes",
]
FORWARD_WINDOW_SECONDS = 24 * 3600


def _require_analyst(actor: Any) -> None:
    if not visibility.is_analyst(actor):
        raise PermissionDenied(_("Alleen analisten mogen dit doen."))


def _message_snapshot(message: Message) -> dict[str, Any]:
    return audit_snapshot(
        message,
        fields=[*MESSAGE_FIELDS, "status", "written_by", "approved_by", "published_by", "published_revision"],
    )


def _locked(message: Message) -> Message:
    return Message.objects.select_for_update(of=("self",)).select_related("advisory").get(pk=message.pk)


# --- messages --------------------------------------------------------------------------------


@transaction.atomic
def message_get_or_draft(*, advisory: Advisory, actor: User) -> Message:
    """The advisory's message; on first open a draft made by `drafting.message_draft`."""
    _require_analyst(actor)
    existing = Message.objects.filter(advisory=advisory).first()
    if existing is not None:
        return existing
    fields = message_draft(advisory=advisory)
    try:
        with transaction.atomic():
            message = Message.objects.create(advisory=advisory, written_by=actor, **fields)
    except IntegrityError:  # another analyst opened it at the same moment
        return Message.objects.get(advisory=advisory)
    audit_log_record(actor=actor, action="message.draft", target=message, after=_message_snapshot(message))
    return message


def _choices_check(values: list[str], allowed: list[str], field: str) -> list[str]:
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise ValidationError(
            {
                field: ValidationError(
                    _("Onbekende keuze: %(value)s") % {"value": unknown[0]}, code="invalid_choice"
                )
            }
        )
    return sorted(set(values))


@transaction.atomic
def message_update(
    *,
    message: Message,
    actor: User,
    title: str,
    what: str,
    who: str,
    steps: str,
    principle: str = "",
    links: str = "",
    urgency: str = Urgency.NORMAL,
    sectors: list[str] | None = None,
    provinces: list[str] | None = None,
    size_classes: list[str] | None = None,
) -> Message:
    """Save the analyst's text. The editor becomes the writer, and any approval lapses: a second
    analyst approves what will be sent, not an earlier text."""
    _require_analyst(actor)
    message = _locked(message)
    before = _message_snapshot(message)
    message.title = title.strip()
    message.what = what.strip()
    message.who = who.strip()
    message.steps = steps.strip()
    message.principle = principle.strip()
    message.links = links.strip()
    message.urgency = urgency
    message.sectors = _choices_check(list(sectors or []), list(Sector.values), "sectors")
    message.provinces = _choices_check(list(provinces or []), list(Province.values), "provinces")
    message.size_classes = _choices_check(list(size_classes or []), list(SizeClass.values), "size_classes")
    message.full_clean(
        exclude=["advisory", "written_by", "approved_by", "published_by", "published_revision"]
    )
    message.written_by = actor
    message.approved_by = None
    message.status = Message.Status.DRAFT
    message.save()
    audit_log_record(
        actor=actor, action="message.update", target=message, before=before, after=_message_snapshot(message)
    )
    return message


@transaction.atomic
def message_submit(*, message: Message, actor: User) -> Message:
    """Ask a second analyst to approve (needed before an urgent message can be published)."""
    _require_analyst(actor)
    message = _locked(message)
    if message.status != Message.Status.DRAFT:
        raise ValidationError(
            _("Alleen een concept kan ter goedkeuring worden aangeboden."), code="not_draft"
        )
    before = _message_snapshot(message)
    message.status = Message.Status.AWAITING_APPROVAL
    message.save(update_fields=["status", "updated_at"])
    audit_log_record(
        actor=actor, action="message.submit", target=message, before=before, after=_message_snapshot(message)
    )
    return message


@transaction.atomic
def message_approve(*, message: Message, actor: User) -> Message:
    """A second analyst approves the text as it is now."""
    _require_analyst(actor)
    message = _locked(message)
    if message.status not in (Message.Status.DRAFT, Message.Status.AWAITING_APPROVAL):
        raise ValidationError(_("Dit bericht wacht niet op goedkeuring."), code="not_awaiting")
    if message.written_by_id is None or message.written_by_id == actor.pk:
        raise ValidationError(
            _("Een tweede analist keurt goed: niet degene die het bericht schreef of als laatste wijzigde."),
            code="same_person",
        )
    before = _message_snapshot(message)
    message.status = Message.Status.APPROVED
    message.approved_by = actor
    message.save(update_fields=["status", "approved_by", "updated_at"])
    audit_log_record(
        actor=actor, action="message.approve", target=message, before=before, after=_message_snapshot(message)
    )
    return message


@transaction.atomic
def message_publish(*, message: Message, actor: User) -> Message:
    """Send the message for the advisory's current revision: write one alert per organisation it
    concerns (`targeting.alerts_write`, set-based, unique per revision), after the rules hold:
    TLP:CLEAR only; urgent needs a second analyst's approval; once per revision, again only for a
    newer significant revision."""
    from dtc.advisories import targeting

    _require_analyst(actor)
    message = _locked(message)
    advisory = (
        Advisory.objects.select_for_update(of=("self",))
        .select_related("current_revision")
        .get(pk=message.advisory_id)
    )
    if not advisory.may_reach_businesses:
        raise ValidationError(
            _("Dit advies heeft %(tlp)s en blijft bij analisten; het kan niet naar bedrijven.")
            % {"tlp": advisory.get_tlp_display()},
            code="tlp",
        )
    revision = advisory.current_revision
    if revision is None:
        raise ValidationError(_("Dit advies heeft geen revisie."), code="no_revision")
    if (
        message.published_revision_id is not None
        and selectors.message_resend_revision(message=message) is None
    ):
        raise ValidationError(
            _("Dit bericht is al verstuurd en er is geen nieuwere belangrijke revisie."),
            code="already_published",
        )
    if message.urgency == Urgency.URGENT and (
        message.status != Message.Status.APPROVED or message.approved_by_id in (None, message.written_by_id)
    ):
        raise ValidationError(
            _("Een urgent bericht moet eerst worden goedgekeurd door een tweede analist."),
            code="needs_approval",
        )
    before = _message_snapshot(message)
    written = targeting.alerts_write(message=message, revision=revision)
    message.status = Message.Status.PUBLISHED
    message.published_by = actor
    message.published_at = timezone.now()
    message.published_revision = revision
    message.save(update_fields=["status", "published_by", "published_at", "published_revision", "updated_at"])
    after = _message_snapshot(message) | {"revision": revision.version}
    if isinstance(written, int):
        after["alerts"] = written
    audit_log_record(actor=actor, action="message.publish", target=message, before=before, after=after)
    return message


# --- review queue ----------------------------------------------------------------------------


@transaction.atomic
def alias_add(*, match_key: str, product: Product, actor: User) -> ProductAlias:
    """Map a review-queue key to a catalogue product: a new alias, then every advisory product with
    that key is mapped again (`intake.products_remap`). The key leaves the queue."""
    from dtc.advisories import intake
    from dtc.organisations.services import product_search_text_refresh

    _require_analyst(actor)
    match_key = " ".join((match_key or "").split())
    if not match_key:
        raise ValidationError(_("Deze sleutel is leeg."), code="empty")
    existing = ProductAlias.objects.filter(alias__iexact=match_key).select_related("product").first()
    if existing is not None and existing.product_id != product.pk:
        raise ValidationError(
            _("Deze naam is al een alias van %(product)s.") % {"product": existing.product},
            code="alias_taken",
        )
    alias = existing or ProductAlias.objects.create(product=product, alias=match_key)
    product_search_text_refresh(product)
    ReviewDismissal.objects.filter(match_key=match_key).delete()
    remapped = intake.products_remap(match_key=match_key)
    audit_log_record(
        actor=actor,
        action="product_alias.add",
        target=product,
        after={"alias": match_key, "remapped": remapped if isinstance(remapped, int) else None},
    )
    return alias


@transaction.atomic
def review_dismiss(*, match_key: str, actor: User) -> ReviewDismissal:
    """ "Not in our catalogue": the key leaves the review queue."""
    _require_analyst(actor)
    match_key = " ".join((match_key or "").split())
    if not match_key:
        raise ValidationError(_("Deze sleutel is leeg."), code="empty")
    dismissal, created = ReviewDismissal.objects.get_or_create(
        match_key=match_key, defaults={"dismissed_by": actor}
    )
    if created:
        audit_log_record(
            actor=actor, action="review.dismiss", target=dismissal, after={"match_key": match_key}
        )
    return dismissal


# --- what a business does with an alert ------------------------------------------------------


def _visible_alert(*, alert: Alert, actor: Any) -> Alert:
    return visibility.alert_get_visible(user=actor, alert_id=alert.pk)


@transaction.atomic
def alert_mark_read(*, alert: Alert, actor: User) -> bool:
    """Mark the alert read for its organisation (the first opening counts). True when it changed."""
    alert = _visible_alert(alert=alert, actor=actor)
    return bool(Alert.objects.filter(pk=alert.pk, read_at__isnull=True).update(read_at=timezone.now()))


@transaction.atomic
def alert_respond(*, alert: Alert, actor: User, response: str) -> Alert:
    """ "Done" or "not relevant", once per alert for the organisation (the last answer counts); feeds the
    effect figures."""
    alert = Alert.objects.select_for_update().get(pk=_visible_alert(alert=alert, actor=actor).pk)
    if response not in (Alert.Response.DONE, Alert.Response.NOT_RELEVANT):
        raise ValidationError(_("Kies 'Gedaan' of 'Niet van toepassing'."), code="invalid_response")
    before = audit_snapshot(alert, fields=["response", "responded_at"])
    now = timezone.now()
    alert.response = response
    alert.responded_at = now
    alert.read_at = alert.read_at or now
    alert.save(update_fields=["response", "responded_at", "read_at"])
    audit_log_record(
        actor=actor,
        action="alert.respond",
        target=alert,
        before=before,
        after=audit_snapshot(alert, fields=["response", "responded_at"]),
    )
    return alert


def forwards_left(*, user: Any) -> int:
    return max(0, settings.DTC_ALERT_FORWARDS_PER_DAY - window_count(_forward_key(user.pk)))


def _forward_key(user_id: int) -> str:
    return f"dtc:advisories:forwards:{user_id}"


def _forward_count_up(user_id: int) -> int:
    """Count a forward in a 24-hour window that starts with the first one."""
    return window_count_up(_forward_key(user_id), seconds=FORWARD_WINDOW_SECONDS)


@transaction.atomic
def alert_forward(*, alert: Alert, actor: User, to_email: str, note: str = "") -> None:
    """Send the message and its steps as a plain e-mail to the member's IT supplier: no login link, no
    personal data but the member's name and address as Reply-To, so the supplier can answer them.
    At most `DTC_ALERT_FORWARDS_PER_DAY` per person per 24 hours. The audit entry leaves out the
    supplier's address (stored nowhere)."""
    alert = selectors.alert_detail(user=actor, alert_id=alert.pk)
    to_email = (to_email or "").strip()
    try:
        validate_email(to_email)
    except ValidationError as exc:
        raise ValidationError(
            {"to_email": ValidationError(_("Vul een geldig e-mailadres in."), code="invalid")}
        ) from exc
    note = (note or "").strip()[:2000]
    message = getattr(alert.advisory, "message", None)
    if message is None:
        raise ValidationError(_("Bij deze waarschuwing hoort geen bericht."), code="no_message")
    if _forward_count_up(actor.pk) > settings.DTC_ALERT_FORWARDS_PER_DAY:
        raise ValidationError(
            _("U heeft vandaag al %(limit)s waarschuwingen doorgestuurd, het maximum per 24 uur.")
            % {"limit": settings.DTC_ALERT_FORWARDS_PER_DAY},
            code="rate_limited",
        )
    context = {
        "message": message,
        "steps": [line.strip() for line in message.steps.splitlines() if line.strip()],
        "sender": actor.name or actor.email,
        "organisation": alert.organisation.name,
        "note": note,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "site_url": settings.SITE_URL,
        "advisory": alert.advisory,
    }
    with translation.override(actor.language or settings.LANGUAGE_CODE):
        subject = _("Beveiligingswaarschuwing voor %(organisation)s: %(title)s") % {
            "organisation": alert.organisation.name,
            "title": message.title,
        }
        body = render_to_string("advisories/forward_email.txt", context)
    email = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to_email],
        reply_to=[actor.email],
    )
    audit_log_record(actor=actor, action="alert.forward", target=alert, after={"note": bool(note)})
    transaction.on_commit(partial(email.send, fail_silently=False))


# --- settings, feed, opt-out -----------------------------------------------------------------


def _settings_locked(organisation: Organisation) -> AlertSettings:
    AlertSettings.objects.get_or_create(organisation=organisation)
    return AlertSettings.objects.select_for_update().get(organisation=organisation)


def webhook_url_check(url: str) -> str:
    """HTTPS only, except on a development machine (DEBUG) where a local receiver may use HTTP."""
    url = (url or "").strip()
    if url and not url.lower().startswith("https://") and not settings.DEBUG:
        raise ValidationError(
            {"webhook_url": ValidationError(_("Een webhook-adres begint met https://."), code="https_only")}
        )
    return url


@transaction.atomic
def alert_settings_update(
    *,
    organisation: Organisation,
    actor: User,
    email_urgent: str,
    email_other: str,
    webhook_url: str = "",
    webhook_urgent_only: bool = False,
) -> tuple[AlertSettings, str | None]:
    """Save an organisation's alert settings (its admins only). Returns the settings and, when a
    webhook was set up just now, its new signing secret (shown once)."""
    organisation = organisation_get_for_admin(user=actor, organisation_id=organisation.pk)
    current = _settings_locked(organisation)
    before = audit_snapshot(
        current, fields=["email_urgent", "email_other", "webhook_url", "webhook_urgent_only"]
    )
    current.email_urgent = email_urgent
    current.email_other = email_other
    current.webhook_url = webhook_url_check(webhook_url)
    current.webhook_urgent_only = webhook_urgent_only
    new_secret = None
    if current.webhook_url and not current.webhook_secret:
        new_secret = current.webhook_secret = secrets.token_hex(32)
    if not current.webhook_url:
        current.webhook_secret = ""
    current.full_clean(exclude=["organisation"])
    current.save()
    audit_log_record(
        actor=actor,
        action="alert_settings.update",
        target=organisation,
        before=before,
        after=audit_snapshot(
            current, fields=["email_urgent", "email_other", "webhook_url", "webhook_urgent_only"]
        ),
    )
    return current, new_secret


@transaction.atomic
def webhook_secret_rotate(*, organisation: Organisation, actor: User) -> str:
    """A new signing secret for the webhook; the old one stops working at once. Shown once."""
    organisation = organisation_get_for_admin(user=actor, organisation_id=organisation.pk)
    current = _settings_locked(organisation)
    if not current.webhook_url:
        raise ValidationError(_("Stel eerst een webhook-adres in."), code="no_webhook")
    current.webhook_secret = secrets.token_hex(32)
    current.save(update_fields=["webhook_secret"])
    audit_log_record(actor=actor, action="alert_settings.webhook_secret_rotate", target=organisation)
    return current.webhook_secret


@transaction.atomic
def feed_key_rotate(*, organisation: Organisation, actor: User) -> str:
    """A new secret feed key for the organisation (the old link stops working). Returns the key, which
    is not stored: only its hash is."""
    organisation = organisation_get_for_admin(user=actor, organisation_id=organisation.pk)
    current = _settings_locked(organisation)
    created = not current.feed_key_sha256
    key, digest = feed_key_new()
    current.feed_key_sha256 = digest
    current.save(update_fields=["feed_key_sha256"])
    audit_log_record(
        actor=actor, action="alert_feed.create" if created else "alert_feed.rotate", target=organisation
    )
    return key


@transaction.atomic
def feed_key_revoke(*, organisation: Organisation, actor: User) -> bool:
    organisation = organisation_get_for_admin(user=actor, organisation_id=organisation.pk)
    revoked = bool(
        AlertSettings.objects.filter(organisation=organisation, feed_key_sha256__isnull=False).update(
            feed_key_sha256=None
        )
    )
    if revoked:
        audit_log_record(actor=actor, action="alert_feed.revoke", target=organisation)
    return revoked


@transaction.atomic
def alert_opt_out_set(*, organisation: Organisation, actor: User, opted_out: bool) -> bool:
    """A member's own choice: no alert e-mail for this organisation (the inbox stays). True when changed."""
    organisation = organisation_get_for_member(user=actor, organisation_id=organisation.pk)
    if opted_out:
        _, changed = AlertOptOut.objects.get_or_create(user=actor, organisation=organisation)
    else:
        changed = AlertOptOut.objects.filter(user=actor, organisation=organisation).delete()[0] > 0
    if changed:
        audit_log_record(
            actor=actor,
            action="alert_opt_out.set" if opted_out else "alert_opt_out.clear",
            target=organisation,
        )
    return changed


@transaction.atomic
def alert_unsubscribe(*, token: str) -> AlertOptOut | None:
    """The signed link in an alert e-mail (RFC 8058 one-click too): no more alert e-mail for that
    person from that organisation. None for a bad token or a person or organisation that is gone."""
    read = unsubscribe_token_read(token)
    if read is None:
        return None
    user_id, organisation_id = read
    user = User.objects.filter(pk=user_id).first()
    if user is None or not Organisation.objects.filter(pk=organisation_id).exists():
        return None
    opt_out, created = AlertOptOut.objects.get_or_create(user=user, organisation_id=organisation_id)
    if created:
        audit_log_record(
            actor=user,
            action="alert_opt_out.unsubscribe",
            target=opt_out,
            after={"organisation": organisation_id},
        )
    return opt_out
