"""Notifications of trust-platform activity: watch levels, delivery preferences and the inbox.

Modelled after Discourse's watch levels. A person sets a level per community or per item:
- watching: every new item and every new comment;
- tracking: new items, and comments on items they take part in (wrote it or commented on it);
- normal: only items addressed to them by name (they or their organisation in the audience) and
  comments on their own items;
- muted: nothing.
Without a row: an item's author watches it; an active member of a community tracks it; anyone else
is at normal. The most specific row wins (item over community); across an item's communities the
highest level counts.

Who may be told anything at all is decided by `dtc.core.visibility.item_recipients`; delivery checks
`item_is_visible` again at send time, because a label or audience may have narrowed since.

Retention (AVG):
- Inbox entries (`Notification`): deleted `DTC_RETENTION["notifications"]` days (default 180) after
  they were created, read or not, by the daily purge (`dtc.core.tasks.purge_expired`); and with the
  account, the item or the comment (CASCADE).
- Watch rows and preferences: kept while the account exists, removed with it (CASCADE); a watch row
  also goes with its community or item.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WatchLevel(models.IntegerChoices):
    """Ordered: a higher level hears more (so the highest of several rows is a MAX in SQL)."""

    MUTED = 0, _("Genegeerd")
    NORMAL = 1, _("Normaal")
    TRACKING = 2, _("Volgen")
    WATCHING = 3, _("Alles volgen")


class Watch(models.Model):
    """A person's watch level for one community OR one item."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches")
    community = models.ForeignKey(
        "community.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey("community.Item", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(_("niveau"), choices=WatchLevel.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("volginstelling")
        verbose_name_plural = _("volginstellingen")
        constraints = [
            models.CheckConstraint(
                condition=Q(community__isnull=False, item__isnull=True) | Q(community__isnull=True, item__isnull=False),
                name="notifications_watch_community_xor_item",
            ),
            models.UniqueConstraint(
                fields=["user", "community"], condition=Q(community__isnull=False),
                name="notifications_watch_unique_community",
            ),
            models.UniqueConstraint(
                fields=["user", "item"], condition=Q(item__isnull=False), name="notifications_watch_unique_item"
            ),
        ]
        # The fan-out looks up (community or item) → people; the user side is the unique indexes.
        indexes = [
            models.Index(fields=["community", "user"], name="notifications_watch_comm_idx"),
            models.Index(fields=["item", "user"], name="notifications_watch_item_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.community_id or self.item_id}: {self.level}"


class NotificationPreference(models.Model):
    """How a person wants to hear. No row means the defaults: a daily digest, pointers only for
    restricted (TLP:AMBER, AMBER+STRICT, RED) items."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("Direct, een e-mail per melding")
        DAILY = "daily", _("Dagelijks overzicht")
        WEEKLY = "weekly", _("Wekelijks overzicht")
        NONE = "none", _("Geen e-mail, alleen in mijn meldingen")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    delivery = models.CharField(_("e-mail"), max_length=10, choices=Delivery.choices, default=Delivery.DAILY)
    full_text_for_restricted = models.BooleanField(
        _("volledige tekst van TLP:AMBER- en TLP:RED-berichten in e-mails"), default=False,
        help_text=_("Standaard meldt de e-mail alleen dat er een bericht is, zonder titel of tekst. Kies dit "
                    "alleen als uw mailbox even goed beschermd is als dit platform."),
    )
    # When the last digest went out: a digest is due once a day (week) after it, whatever the scheduler does.
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meldingsvoorkeur")
        verbose_name_plural = _("meldingsvoorkeuren")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.delivery}"


class Notification(models.Model):
    """One inbox entry: something happened to an item a person may see and listens to.

    The unique key (user, item, event, comment) makes the fan-out idempotent: running it again (a retry,
    a catch-up) inserts nothing twice. `emailed_at` is the e-mail claim: it is set in the same
    transaction that sends the mail (or decides not to), so a crash sends nothing and a retry sends once.
    """

    class Event(models.TextChoices):
        ITEM_NEW = "item_new", _("Nieuw item")
        COMMENT_NEW = "comment_new", _("Nieuwe reactie")

    class EmailOutcome(models.TextChoices):
        SENT = "sent", _("Verstuurd")
        SKIPPED = "skipped", _("Niet verstuurd (niet meer zichtbaar, al gelezen of geen e-mail gewenst)")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    item = models.ForeignKey("community.Item", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(_("gebeurtenis"), max_length=20, choices=Event.choices)
    comment = models.ForeignKey("community.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("gelezen op"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mail afgehandeld op"), null=True, blank=True)
    email_outcome = models.CharField(max_length=10, choices=EmailOutcome.choices, blank=True)

    class Meta:
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # NULLs are distinct in a unique index, so the item event (no comment) needs its own key.
            models.UniqueConstraint(
                fields=["user", "item", "event"], condition=Q(comment__isnull=True),
                name="notifications_unique_item_event",
            ),
            models.UniqueConstraint(
                fields=["user", "item", "event", "comment"], condition=Q(comment__isnull=False),
                name="notifications_unique_comment_event",
            ),
        ]
        indexes = [
            # The inbox and the unread count, per person.
            models.Index(fields=["user", "read_at", "-created_at"], name="notifications_inbox_idx"),
            # The digest and the retry sweep: what is still to be e-mailed.
            models.Index(fields=["emailed_at", "user"], name="notifications_pending_idx"),
            models.Index(fields=["item", "event"], name="notifications_item_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.event} {self.item_id}"


class Activity(models.Model):
    """Something to tell people about (an outbox row): written in the same transaction as the change
    itself, so a crash before the fan-out loses nothing. `notified_at` is set in the transaction that
    inserts the inbox entries; rows still empty after a few minutes are fanned out again by the
    catch-up job (the fan-out is idempotent). Retention: removed 7 days after the fan-out (purge)."""

    item = models.ForeignKey("community.Item", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=20, choices=Notification.Event.choices)
    comment = models.ForeignKey("community.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # Who acted (never told about their own act). Kept only as long as the row (days).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("activiteit")
        verbose_name_plural = _("activiteiten")
        indexes = [models.Index(fields=["notified_at", "created_at"], name="notifications_outbox_idx")]

    def __str__(self) -> str:
        return f"{self.event} {self.item_id} ({self.notified_at or 'pending'})"
