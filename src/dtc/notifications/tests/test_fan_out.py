"""The fan-out: who gets an inbox entry for a new item or comment, per watch level (Discourse's model,
models docstring), never the actor, never someone who may not see the item — and never twice,
however often it runs (a retry, the catch-up after a killed worker)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from dtc.community import services as community_services
from dtc.community.models import Tlp
from dtc.community.tests.factories import CommunityFactory, CommunityMembershipFactory
from dtc.core.models import AuditLogEntry
from dtc.notifications import services
from dtc.notifications.models import Activity, Notification, Watch, WatchLevel
from dtc.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

ITEM_NEW = Notification.Event.ITEM_NEW
COMMENT_NEW = Notification.Event.COMMENT_NEW


def told(item, event=ITEM_NEW) -> set[int]:
    return set(Notification.objects.filter(item=item, event=event).values_list("user_id", flat=True))


def comment(django_capture_on_commit_callbacks, actor, item, text="Wij zagen dit ook."):
    with django_capture_on_commit_callbacks(execute=True):
        return community_services.comment_create(actor=actor, item=item, body_markdown=text)


def test_new_item_defaults_members_track_the_community(share, alice, bob, carol, coordinator, outsider):
    item = share(alice)
    assert told(item) == {bob.pk, carol.pk, coordinator.pk}  # not the author, not the outsider
    assert Activity.objects.get(item=item).notified_at is not None


def test_new_item_per_community_watch_level(share, community, alice, bob, carol, dave):
    Watch.objects.create(user=bob, community=community, level=WatchLevel.WATCHING)
    Watch.objects.create(user=carol, community=community, level=WatchLevel.MUTED)
    Watch.objects.create(user=dave, community=community, level=WatchLevel.NORMAL)
    item = share(alice)
    assert bob.pk in told(item)
    assert carol.pk not in told(item)  # muted: nothing
    assert dave.pk not in told(item)  # normal: only what is addressed to them


def test_normal_level_still_hears_what_is_addressed_to_them_or_their_organisation(share, community, alice, carol, dave):
    organisation = OrganisationFactory()
    colleague = MembershipFactory(organisation=organisation).user
    for user in (carol, dave):
        Watch.objects.create(user=user, community=community, level=WatchLevel.NORMAL)
    MembershipFactory(organisation=organisation, user=dave)
    item = share(alice, users=[carol], organisations=[organisation])
    assert {carol.pk, dave.pk, colleague.pk} <= told(item)


def test_nobody_hears_of_what_they_may_not_see(share, community, alice, bob, carol):
    """TLP:RED for Bob only: Carol watches the whole community, yet hears nothing."""
    Watch.objects.create(user=carol, community=community, level=WatchLevel.WATCHING)
    item = share(alice, tlp=Tlp.RED, communities=[], users=[bob])
    assert told(item) == {bob.pk}


def test_a_draft_tells_nobody_until_it_is_published(django_capture_on_commit_callbacks, community, alice, bob):
    with django_capture_on_commit_callbacks(execute=True):
        draft = community_services.item_create(
            actor=alice, kind="threat", title="Concept", tlp=Tlp.GREEN, communities=[community]
        )
    assert services.item_activity_notify(item_id=draft.pk, event=ITEM_NEW, actor_id=alice.pk) == 0
    assert told(draft) == set()
    with django_capture_on_commit_callbacks(execute=True):
        community_services.item_publish(actor=alice, item=draft)
    assert bob.pk in told(draft)


def test_anonymous_post_tells_the_community_not_the_posting_coordinator(
    django_capture_on_commit_callbacks, community, coordinator, alice, bob
):
    with django_capture_on_commit_callbacks(execute=True):
        item = community_services.item_post_anonymously_for(
            actor=coordinator, on_behalf_of=alice, community=community, kind="incident", title="Inbraak",
            tlp=Tlp.GREEN,
        )
    assert bob.pk in told(item)
    assert coordinator.pk not in told(item) and alice.pk not in told(item)


def test_comment_levels(share, django_capture_on_commit_callbacks, community, alice, bob, carol, dave, coordinator):
    """Author watches own item; tracking hears comments only where they take part; watching hears all."""
    Watch.objects.create(user=dave, community=community, level=WatchLevel.WATCHING)
    item = share(alice)
    first = comment(django_capture_on_commit_callbacks, bob, item)
    assert told(item, COMMENT_NEW) == {alice.pk, dave.pk}  # not bob (the actor), not carol (tracking, not taking part)
    second = comment(django_capture_on_commit_callbacks, carol, item)
    heard_second = set(Notification.objects.filter(comment=second).values_list("user_id", flat=True))
    assert heard_second == {alice.pk, bob.pk, dave.pk}  # bob now takes part
    assert coordinator.pk not in heard_second
    assert Notification.objects.filter(comment=first).count() == 2


def test_item_row_beats_community_row_and_normal_author_still_hears_comments(
    share, django_capture_on_commit_callbacks, community, alice, bob, carol
):
    Watch.objects.create(user=carol, community=community, level=WatchLevel.MUTED)
    item = share(alice)
    services.watch_set(actor=carol, item=item, level=WatchLevel.WATCHING)
    services.watch_set(actor=alice, item=item, level=WatchLevel.NORMAL)
    note = comment(django_capture_on_commit_callbacks, bob, item)
    assert set(Notification.objects.filter(comment=note).values_list("user_id", flat=True)) == {alice.pk, carol.pk}
    services.watch_set(actor=alice, item=item, level=WatchLevel.MUTED)
    later = comment(django_capture_on_commit_callbacks, bob, item, "Nog iets.")
    assert alice.pk not in set(Notification.objects.filter(comment=later).values_list("user_id", flat=True))


def test_highest_level_across_the_items_communities(share, community, alice, bob):
    other = CommunityFactory(tlp_organisation=True)
    CommunityMembershipFactory(community=other, user=alice)
    CommunityMembershipFactory(community=other, user=bob)
    Watch.objects.create(user=bob, community=community, level=WatchLevel.MUTED)
    item = share(alice, communities=[community, other])
    assert bob.pk in told(item)  # muted here, tracking (member's default) there


def test_fan_out_runs_again_without_duplicates(share, alice, bob, carol):
    item = share(alice)
    before = Notification.objects.count()
    for _ in range(3):
        services.item_activity_notify(item_id=item.pk, event=ITEM_NEW, actor_id=alice.pk)
    assert Notification.objects.count() == before == 3  # bob, carol, the coordinator


def test_a_lost_fan_out_is_taken_up_by_the_catch_up(community, alice, bob):
    """The worker died before fanning out (the on-commit hook never ran): the outbox row remains,
    and the catch-up job does the work once."""
    item = community_services.item_create(
        actor=alice, kind="threat", title="Verloren", tlp=Tlp.GREEN, communities=[community], publish=True
    )  # no on-commit callbacks run here
    activity = Activity.objects.get(item=item)
    assert activity.notified_at is None and told(item) == set()
    assert services.notifications_catch_up()["fan_outs"] == 0  # within the grace period: the worker may be on it
    later = timezone.now() + dt.timedelta(minutes=5)
    assert services.notifications_catch_up(now=later)["fan_outs"] == 1
    assert bob.pk in told(item)
    assert services.notifications_catch_up(now=later)["fan_outs"] == 0
    assert services.activity_fan_out(activity_id=activity.pk) == 0  # marked: a late duplicate task does nothing


def test_watch_set_is_audited_and_hidden_things_are_404(share, community, alice, bob, outsider):
    item = share(alice, tlp=Tlp.RED, communities=[], users=[bob])
    with pytest.raises(Http404):
        services.watch_set(actor=outsider, item=item, level=WatchLevel.WATCHING)
    secret = CommunityFactory(confidential=True)
    with pytest.raises(Http404):
        services.watch_set(actor=outsider, community=secret, level=WatchLevel.WATCHING)
    watch = services.watch_set(actor=bob, item=item, level=WatchLevel.MUTED)
    assert AuditLogEntry.objects.filter(action="notification_watch.set", target_id=str(watch.pk)).exists()
    assert Watch.objects.filter(user=outsider).count() == 0


def test_inactive_people_are_not_told(share, community, alice):
    gone = UserFactory(verified=True, is_active=False)
    CommunityMembershipFactory(community=community, user=gone)
    item = share(alice)
    assert gone.pk not in told(item)
