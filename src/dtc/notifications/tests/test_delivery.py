"""E-mail delivery: immediate mails and digests say no more than the recipient may see, respect TLP
(FIRST TLP 2.0: label in the subject and at the top; restricted labels as title-less pointers unless
the person opted in), check visibility again at send time, and send nothing twice — also when a
send crashes after the claim or two workers race."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail as django_mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from dtc.community import services as community_services
from dtc.community.models import Tlp
from dtc.community.tests.factories import CommunityFactory, CommunityMembershipFactory
from dtc.notifications import selectors, services
from dtc.notifications.models import Notification, NotificationPreference
from dtc.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

TITLE = "Phishing met nepfacturen"
BODY_WORD = "Bakkersbond"


def full_text(message) -> str:
    return message.subject + "\n" + message.body + "\n" + message.alternatives[0][0]


def test_immediate_green_mail_has_label_title_and_excerpt(share, immediate, alice, bob, mailoutbox):
    immediate(bob)
    item = share(alice, tlp=Tlp.GREEN)
    [message] = mailoutbox
    assert message.to == [bob.email]
    assert message.subject == f"[TLP:GREEN] Nieuw item: {TITLE}"
    assert message.body.startswith("TLP:GREEN")
    assert TITLE in message.body and BODY_WORD in message.body and "ISAC Bakkers" in message.body
    assert "Alice" not in full_text(message)  # authors are never named in mail
    entry = Notification.objects.get(user=bob, item=item)
    assert entry.emailed_at is not None and entry.email_outcome == "sent"
    assert f"/mijn/meldingen/{entry.pk}/" in message.body


@pytest.mark.parametrize("tlp", [Tlp.AMBER, Tlp.AMBER_STRICT])
def test_restricted_items_are_pointers_without_title_or_text(share, immediate, alice, bob, mailoutbox, tlp):
    immediate(bob)
    share(alice, tlp=tlp)
    [message] = mailoutbox
    label = Tlp(tlp).label
    assert message.subject == f"Nieuw bericht met label {label} in ISAC Bakkers"
    assert f"Er is een nieuw bericht met label {label} in ISAC Bakkers" in message.body
    text = full_text(message)
    assert TITLE not in text and BODY_WORD not in text and "nepfacturen" not in text


def test_red_pointer_and_opted_in_full_text(share, immediate, alice, bob, carol, mailoutbox):
    immediate(bob)
    immediate(carol, full_text=True)
    share(alice, tlp=Tlp.RED, communities=[], users=[bob, carol])
    by_recipient = {message.to[0]: message for message in mailoutbox}
    pointer, opted_in = by_recipient[bob.email], by_recipient[carol.email]
    assert TITLE not in full_text(pointer) and BODY_WORD not in full_text(pointer)
    assert pointer.subject == "Nieuw bericht met label TLP:RED voor u"
    assert opted_in.subject == f"[TLP:RED] Nieuw item: {TITLE}"
    assert opted_in.body.startswith("TLP:RED") and BODY_WORD in opted_in.body


def test_a_community_the_recipient_cannot_see_is_not_named(share, immediate, community, alice, mailoutbox):
    """GREEN to a confidential community and to an organisation: the organisation's person (no member
    of the confidential community) is told, without the community's name."""
    secret = CommunityFactory(confidential=True, name="Geheime kring")
    CommunityMembershipFactory(community=secret, user=alice)
    organisation = OrganisationFactory()
    reader = MembershipFactory(organisation=organisation, user=UserFactory(verified=True)).user
    immediate(reader)
    share(alice, tlp=Tlp.GREEN, communities=[secret], organisations=[organisation])
    [message] = mailoutbox
    assert message.to == [reader.email]
    assert "Geheime kring" not in full_text(message)


def test_anonymous_post_mail_names_nobody(django_capture_on_commit_callbacks, immediate, community, coordinator,
                                          alice, bob, mailoutbox):
    immediate(bob, full_text=True)
    with django_capture_on_commit_callbacks(execute=True):
        community_services.item_post_anonymously_for(
            actor=coordinator, on_behalf_of=alice, community=community, kind="incident",
            title="Inbraak bij een lid", tlp=Tlp.AMBER, body_markdown="Details volgen.",
        )
    [message] = mailoutbox
    text = full_text(message)
    for trace in (alice.name, alice.email, coordinator.name, coordinator.email):
        assert trace not in text


def test_an_item_narrowed_after_the_notification_is_not_mailed(share, community, alice, bob, mailoutbox):
    """Bob (daily digest, the default) is told; then the author narrows the item to TLP:RED for Carol.
    The digest mentions nothing, the entry is not listed or counted, and opening it is a 404."""
    item = share(alice, tlp=Tlp.GREEN)
    entry = Notification.objects.get(user=bob, item=item)
    assert selectors.notification_unread_count(user=bob) == 1
    carol = UserFactory(verified=True)
    community_services.item_change_marking(actor=alice, item=item, tlp=Tlp.RED, users=[carol])
    assert services.notification_digest_send(user_id=bob.pk, frequency="daily") == 0
    assert mailoutbox == []
    entry.refresh_from_db()
    assert entry.emailed_at is not None and entry.email_outcome == "skipped"
    assert selectors.notification_unread_count(user=bob) == 0
    assert list(selectors.notifications_visible_for(user=bob)) == []


def test_immediate_mail_rechecks_visibility_at_send_time(share, immediate, django_capture_on_commit_callbacks,
                                                          community, alice, bob, mailoutbox):
    immediate(bob)
    item = community_services.item_create(
        actor=alice, kind="threat", title=TITLE, tlp=Tlp.GREEN, communities=[community], publish=True
    )
    services.item_activity_notify(item_id=item.pk, event="item_new", actor_id=alice.pk)
    entry = Notification.objects.get(user=bob, item=item)
    community_services.item_change_marking(actor=alice, item=item, tlp=Tlp.RED, users=[alice])
    assert services.notification_email_send(notification_id=entry.pk) is False
    assert mailoutbox == []


def test_a_crash_after_the_claim_is_retried_and_sends_once(share, immediate, alice, bob, mailoutbox, monkeypatch):
    immediate(bob)
    calls = {"n": 0}
    real_send = EmailBackend.send_messages

    def crash_once(self, messages):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("mail server went away mid-send")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", crash_once)
    item = share(alice)  # the immediate task runs and crashes after claiming
    entry = Notification.objects.get(user=bob, item=item)
    assert calls["n"] == 1 and mailoutbox == []
    assert entry.emailed_at is None  # the claim was rolled back with the failed send
    later = timezone.now() + dt.timedelta(minutes=5)
    assert services.notifications_catch_up(now=later)["mails"] == 1  # the sweep re-enqueues (and sends)
    assert len(mailoutbox) == 1
    assert services.notification_email_send(notification_id=entry.pk) is False  # a late duplicate task
    assert services.notifications_catch_up(now=later)["mails"] == 0
    assert len(mailoutbox) == 1


def test_digest_is_one_mail_per_person_and_marks_entries_sent(share, community, alice, bob, carol, mailoutbox):
    items = [share(alice, title=f"Melding {n}", tlp=tlp) for n, tlp in enumerate([Tlp.GREEN, Tlp.CLEAR, Tlp.AMBER])]
    NotificationPreference.objects.create(user=carol, delivery=NotificationPreference.Delivery.WEEKLY)
    assert services.digests_due_enqueue(frequency="daily") == 2  # bob and the coordinator (carol: weekly)
    digests = {message.to[0]: message for message in mailoutbox}
    assert set(digests) == {bob.email, community.memberships.get(role="coordinator").user.email}
    digest = digests[bob.email]
    assert digest.subject == "[TLP:GREEN] Uw dagoverzicht: 3 meldingen"  # strictest label whose text is in it
    assert digest.body.startswith("TLP:GREEN")
    assert "Melding 0" in digest.body and "Melding 1" in digest.body
    assert "Melding 2" not in full_text(digest)  # the AMBER one is a pointer
    assert "Er is een nieuw bericht met label TLP:AMBER in ISAC Bakkers" in digest.body
    assert set(Notification.objects.filter(user=bob).values_list("email_outcome", flat=True)) == {"sent"}
    assert Notification.objects.filter(user=carol, emailed_at__isnull=True).count() == len(items)
    # Again at once: nothing (sent, and not due); a new entry waits for tomorrow.
    django_mail.outbox.clear()
    assert services.digests_due_enqueue(frequency="daily") == 0
    share(alice, title="Nog een")
    assert services.digests_due_enqueue(frequency="daily") == 0
    assert mailoutbox == []
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert services.notification_digest_send(user_id=bob.pk, frequency="daily", now=tomorrow) == 1
    # The weekly reader gets hers once.
    assert services.notification_digest_send(user_id=carol.pk, frequency="weekly") == 4
    assert services.notification_digest_send(user_id=carol.pk, frequency="weekly") == 0


def test_a_digest_that_fails_to_send_is_retried_whole(share, alice, bob, mailoutbox, monkeypatch):
    share(alice)
    monkeypatch.setattr(EmailBackend, "send_messages", lambda self, messages: (_ for _ in ()).throw(OSError("down")))
    with pytest.raises(OSError):
        services.notification_digest_send(user_id=bob.pk, frequency="daily")
    assert Notification.objects.get(user=bob).emailed_at is None
    assert NotificationPreference.objects.filter(user=bob, last_digest_at__isnull=False).count() == 0
    monkeypatch.undo()
    assert services.notification_digest_send(user_id=bob.pk, frequency="daily") == 1
    assert len(mailoutbox) == 1


def test_read_entries_and_no_mail_preference_send_nothing(share, immediate, alice, bob, carol, mailoutbox):
    NotificationPreference.objects.create(user=carol, delivery=NotificationPreference.Delivery.NONE)
    item = share(alice)
    services.notification_open(actor=bob, notification_id=Notification.objects.get(user=bob, item=item).pk)
    assert services.notification_digest_send(user_id=bob.pk, frequency="daily") == 0
    assert services.notification_digest_send(user_id=carol.pk, frequency="daily") == 0
    assert mailoutbox == []
    assert Notification.objects.filter(user=carol).exists()  # still in her inbox


def test_retention_purges_old_entries(share, alice, bob, settings):
    item = share(alice)
    entries = Notification.objects.filter(item=item)
    assert entries.count() == 2  # bob and the coordinator
    entries.filter(user=bob).update(created_at=timezone.now() - dt.timedelta(days=181))
    counts = services.notifications_purge_expired(now=timezone.now())
    assert counts["notifications"] == 1
    assert not entries.filter(user=bob).exists() and entries.count() == 1
