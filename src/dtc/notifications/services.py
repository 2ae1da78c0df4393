"""Notifications: recording activity, the fan-out to inbox entries, e-mail delivery, watch levels.

Flow: a community service calls `item_activity_record` inside its own transaction → an `Activity`
row (outbox) commits together with the change → on commit the fan-out task runs
`item_activity_notify` (one set-based insert of inbox entries over the people who may see the item
and listen at the right level) → e-mail: immediately per entry, or in a daily/weekly digest.

Guarantees ("a crash or a killed worker loses no data and sends nothing twice"):
- the outbox row commits with the change; a fan-out that did not finish is run again by the
  catch-up job, and the unique key (user, item, event, comment) keeps a re-run from duplicating;
- an e-mail is claimed (`emailed_at` set by an UPDATE … WHERE emailed_at IS NULL) in the same
  transaction that sends it: an exception while sending rolls the claim back (a later run retries)
  and a second worker finds the entry claimed. Only a worker killed in the instant between the mail
  server accepting the message and the commit can cause a repeat (at-least-once, never silent loss);
- what may be said is decided at send time: `visibility.item_is_visible` is asked again, so an item
  whose label or audience narrowed since the entry was made is not mentioned.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from itertools import batched
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dtc.community.models import Comment, Community, Item, ItemAudience
from dtc.core import visibility
from dtc.core.audit import audit_log_record, audit_snapshot
from dtc.notifications import mail, selectors
from dtc.notifications.models import Activity, Notification, NotificationPreference, Watch, WatchLevel
from dtc.organisations.models import Membership

logger = logging.getLogger(__name__)

ITEM_NEW = Notification.Event.ITEM_NEW
COMMENT_NEW = Notification.Event.COMMENT_NEW
Delivery = NotificationPreference.Delivery
BATCH = 2000
# Older unsent entries are not mailed any more (they stay in the inbox): no flood after a long pause.
IMMEDIATE_MAX_AGE = dt.timedelta(days=2)
DIGEST_MAX_AGE = dt.timedelta(days=8)
# A digest is due a day (week) after the previous one; the slack absorbs the hourly job's drift.
DIGEST_EVERY = {Delivery.DAILY: dt.timedelta(hours=23), Delivery.WEEKLY: dt.timedelta(days=7) - dt.timedelta(hours=1)}
# An outbox row not fanned out after this long is taken up again by the catch-up job.
OUTBOX_GRACE = dt.timedelta(minutes=2)


# --- recording activity (called by the community services, inside their transaction) --------------


def item_activity_record(*, item: Item, event: str, actor: Any, comment: Comment | None = None) -> Activity:
    """Remember that something happened (in the caller's transaction) and fan it out once it commits."""
    from dtc.notifications import tasks

    activity = Activity.objects.create(
        item=item, event=event, comment=comment, actor=actor if getattr(actor, "pk", None) else None
    )
    transaction.on_commit(partial(tasks.activity_fan_out.enqueue, activity_id=activity.pk))
    return activity


@transaction.atomic
def activity_fan_out(*, activity_id: int) -> int:
    """Fan one outbox row out (once: the row is locked and marked in the same transaction)."""
    activity = Activity.objects.select_for_update().filter(pk=activity_id, notified_at__isnull=True).first()
    if activity is None:
        return 0
    count = item_activity_notify(
        item_id=activity.item_id, event=activity.event, comment_id=activity.comment_id, actor_id=activity.actor_id
    )
    activity.notified_at = timezone.now()
    activity.save(update_fields=["notified_at"])
    return count


# --- the fan-out ------------------------------------------------------------------------------


def item_activity_listeners(*, item: Item, event: str, actor_id: int | None = None) -> QuerySet[Any]:
    """The people to tell about `event` on `item`: who may see it (core.visibility) × who listens
    at that level (module docstring of models), never the actor. One SQL query."""
    users = visibility.item_recipients(item=item)
    if actor_id is not None:
        users = users.exclude(pk=actor_id)
    users = selectors.users_with_watch_level(users, item=item)
    is_author = Q(pk=item.author_id) if item.author_id is not None else Q(pk__in=[])
    if event == ITEM_NEW:
        audience = ItemAudience.objects.filter(item_id=item.pk)
        addressed = Q(pk__in=audience.filter(user__isnull=False).values("user_id")) | Q(
            pk__in=Membership.objects.filter(
                organisation_id__in=audience.filter(organisation__isnull=False).values("organisation_id")
            ).values("user_id")
        )
        listens = Q(watch_level__gte=WatchLevel.TRACKING) | (Q(watch_level=WatchLevel.NORMAL) & addressed)
        return users.filter(listens).exclude(is_author)
    if event == COMMENT_NEW:
        takes_part = is_author | Q(pk__in=Comment.objects.filter(item_id=item.pk).values("author_id"))
        listens = (
            Q(watch_level=WatchLevel.WATCHING)
            | (Q(watch_level=WatchLevel.TRACKING) & takes_part)
            | (Q(watch_level=WatchLevel.NORMAL) & is_author)
        )
        return users.filter(listens)
    raise ValueError(f"unknown notification event {event!r}")


@transaction.atomic
def item_activity_notify(*, item_id: int, event: str, comment_id: int | None = None, actor_id: int | None) -> int:
    """Insert one inbox entry per listener (idempotent: the unique key ignores repeats) and schedule
    the immediate e-mails. Returns how many people listen."""
    item = Item.objects.filter(pk=item_id).first()
    if item is None or item.status != Item.Status.PUBLISHED:
        return 0
    if event == COMMENT_NEW and (
        comment_id is None or not Comment.objects.filter(pk=comment_id, item_id=item_id).exists()
    ):
        return 0
    listeners = item_activity_listeners(item=item, event=event, actor_id=actor_id).order_by("pk")
    total, last = 0, 0
    while True:  # keyset pages of ids: a constant memory footprint, however large the audience
        ids = list(listeners.filter(pk__gt=last).values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        for chunk in batched(ids, 500):
            Notification.objects.bulk_create(
                [Notification(user_id=uid, item_id=item_id, event=event, comment_id=comment_id) for uid in chunk],
                ignore_conflicts=True,
            )
        total += len(ids)
        last = ids[-1]
    transaction.on_commit(partial(immediate_emails_enqueue, item_id=item_id, event=event, comment_id=comment_id))
    return total


def _immediate_pending() -> QuerySet[Notification]:
    immediate = NotificationPreference.objects.filter(user_id=OuterRef("user_id"), delivery=Delivery.IMMEDIATE)
    return Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True).filter(Exists(immediate))


def immediate_emails_enqueue(*, item_id: int | None = None, event: str | None = None,
                             comment_id: int | None = None, older_than: dt.datetime | None = None) -> int:
    """Enqueue one mail task per unsent entry of people who want immediate mail (all entries of one
    activity, or — for the catch-up — every entry left unsent since `older_than`)."""
    from dtc.notifications import tasks

    pending = _immediate_pending().filter(created_at__gte=timezone.now() - IMMEDIATE_MAX_AGE)
    if item_id is not None:
        pending = pending.filter(item_id=item_id, event=event)
        pending = pending.filter(comment__isnull=True) if comment_id is None else pending.filter(comment_id=comment_id)
    if older_than is not None:
        pending = pending.filter(created_at__lt=older_than)
    count = 0
    for notification_id in pending.values_list("pk", flat=True).iterator(chunk_size=BATCH):
        tasks.notification_email_send.enqueue(notification_id=notification_id)
        count += 1
    return count


# --- e-mail delivery --------------------------------------------------------------------------


def _may_receive_mail(user: Any) -> bool:
    from allauth.account.models import EmailAddress

    return bool(
        user.is_active
        and user.email
        and EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
    )


@transaction.atomic
def notification_email_send(*, notification_id: int) -> bool:
    """Send the e-mail for one inbox entry, at most once. True when a mail went out."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None:
        return False
    if selectors.notification_preference_for(user=notification.user).delivery != Delivery.IMMEDIATE:
        return False  # changed to a digest meanwhile: the digest takes it
    now = timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=now, email_outcome=Notification.EmailOutcome.SKIPPED
    )
    if not claimed:
        return False  # another worker has it
    notification = Notification.objects.select_related("user", "item", "comment").get(pk=notification_id)
    user = notification.user
    if (
        notification.read_at is not None
        or not _may_receive_mail(user)
        or not visibility.item_is_visible(user=user, item=notification.item)
    ):
        return False
    message = mail.notification_mail_build(user=user, notifications=[notification], digest=None)
    message.send()  # an exception here rolls the claim back: a later run sends it
    Notification.objects.filter(pk=notification_id).update(email_outcome=Notification.EmailOutcome.SENT)
    return True


def _digest_due(frequency: str, now: dt.datetime) -> Q:
    """SQL on Notification: its user wants `frequency` digests and is due for one."""
    prefs = NotificationPreference.objects.filter(user_id=OuterRef("user_id"))
    due = Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=now - DIGEST_EVERY[Delivery(frequency)])
    wants = Exists(prefs.filter(delivery=frequency).filter(due))
    if frequency == Delivery.DAILY:  # no row: the default, a daily digest
        return Q(wants) | ~Q(Exists(prefs))
    return Q(wants)


def _digest_pending(now: dt.datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(
        emailed_at__isnull=True, read_at__isnull=True, created_at__gte=now - DIGEST_MAX_AGE
    )


def digests_due_enqueue(*, frequency: str, now: dt.datetime | None = None) -> int:
    """Enqueue one digest task per person due for a `frequency` digest with something unsent."""
    from dtc.notifications import tasks

    now = now or timezone.now()
    user_ids = _digest_pending(now).filter(_digest_due(frequency, now)).values_list("user_id", flat=True)
    count = 0
    for user_id in user_ids.distinct().order_by("user_id").iterator(chunk_size=BATCH):
        tasks.notification_digest_send.enqueue(user_id=user_id, frequency=frequency)
        count += 1
    return count


@transaction.atomic
def notification_digest_send(*, user_id: int, frequency: str, now: dt.datetime | None = None) -> int:
    """One digest e-mail with all of the person's unsent, unread entries they may still see.
    Returns the number of entries in the mail (0: nothing sent)."""
    from django.contrib.auth import get_user_model

    now = now or timezone.now()
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return 0
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    if preference.delivery != frequency:
        return 0
    if preference.last_digest_at is not None and preference.last_digest_at > now - DIGEST_EVERY[Delivery(frequency)]:
        return 0  # a second task for the same period (the row lock made us wait for the first)
    pending = _digest_pending(now).filter(user=user)
    ids = list(pending.values_list("pk", flat=True))
    if not ids:
        return 0
    # The claim: these entries are this digest's, whatever happens next, unless the send fails.
    Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(
        emailed_at=now, email_outcome=Notification.EmailOutcome.SKIPPED
    )
    if not _may_receive_mail(user):
        return 0
    visible = list(
        Notification.objects.filter(pk__in=ids, item_id__in=visibility.items_visible_to(user=user).values("pk"))
        .select_related("item", "comment")
        .order_by("created_at", "pk")
    )
    if not visible:
        return 0
    message = mail.notification_mail_build(user=user, notifications=visible, digest=frequency)
    message.send()  # an exception rolls back the claim and the digest time: retried next run
    Notification.objects.filter(pk__in=[n.pk for n in visible]).update(email_outcome=Notification.EmailOutcome.SENT)
    preference.last_digest_at = now
    preference.save(update_fields=["last_digest_at", "updated_at"])
    return len(visible)


def notifications_catch_up(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Take up what a crashed or killed worker left: outbox rows not fanned out, immediate mails not
    sent. Safe to run any number of times."""
    from dtc.notifications import tasks

    now = now or timezone.now()
    stale = Activity.objects.filter(notified_at__isnull=True, created_at__lt=now - OUTBOX_GRACE)
    fan_outs = 0
    for activity_id in stale.values_list("pk", flat=True).iterator(chunk_size=BATCH):
        tasks.activity_fan_out.enqueue(activity_id=activity_id)
        fan_outs += 1
    mails = immediate_emails_enqueue(older_than=now - OUTBOX_GRACE)
    return {"fan_outs": fan_outs, "mails": mails}


def notifications_purge_expired(*, now: dt.datetime) -> dict[str, int]:
    """Retention (models docstring): inbox entries after DTC_RETENTION["notifications"] days; outbox
    rows a week after their fan-out."""
    cutoff = now - dt.timedelta(days=settings.DTC_RETENTION["notifications"])
    return {
        "notifications": Notification.objects.filter(created_at__lt=cutoff).delete()[0],
        "notification_activity": Activity.objects.filter(notified_at__lt=now - dt.timedelta(days=7)).delete()[0],
    }


# --- what a person does: watch levels, preferences, reading ------------------------------------


def _require_active_user(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Log in om dit te doen."))


@transaction.atomic
def watch_set(*, actor: Any, level: int, community: Community | None = None, item: Item | None = None) -> Watch:
    """Set the actor's watch level for a community or an item they may see (else Http404)."""
    _require_active_user(actor)
    if (community is None) == (item is None):
        raise ValueError("watch_set needs exactly one of community and item")
    if level not in WatchLevel.values:
        raise ValidationError({"level": ValidationError(_("Kies een niveau."), code="level_invalid")})
    if community is not None:
        visibility.community_get_visible(user=actor, community_id=community.pk)
        target: dict[str, Any] = {"community": community}
    else:
        assert item is not None
        visibility.item_get_visible(user=actor, item_id=item.pk)
        target = {"item": item}
    watch = Watch.objects.select_for_update().filter(user=actor, **target).first()
    before = audit_snapshot(watch) if watch is not None else None
    if watch is None:
        watch = Watch.objects.create(user=actor, level=level, **target)
    else:
        watch.level = level
        watch.save(update_fields=["level", "updated_at"])
    audit_log_record(actor=actor, action="notification_watch.set", target=watch, before=before,
                     after=audit_snapshot(watch))
    return watch


@transaction.atomic
def notification_preference_update(*, actor: Any, delivery: str, full_text_for_restricted: bool) -> NotificationPreference:
    _require_active_user(actor)
    if delivery not in Delivery.values:
        raise ValidationError({"delivery": ValidationError(_("Kies hoe u e-mail wilt krijgen."), code="delivery_invalid")})
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=actor)
    before = audit_snapshot(preference, fields=["delivery", "full_text_for_restricted"])
    preference.delivery = delivery
    preference.full_text_for_restricted = full_text_for_restricted
    preference.save(update_fields=["delivery", "full_text_for_restricted", "updated_at"])
    audit_log_record(actor=actor, action="notification_preference.update", target=preference, before=before,
                     after=audit_snapshot(preference, fields=["delivery", "full_text_for_restricted"]))
    return preference


@transaction.atomic
def notification_open(*, actor: Any, notification_id: int) -> Notification:
    """Mark one of the actor's entries read (404 when it is not theirs or its item is hidden now)."""
    _require_active_user(actor)
    notification = selectors.notification_get_visible(user=actor, notification_id=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: Any) -> int:
    _require_active_user(actor)
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())
