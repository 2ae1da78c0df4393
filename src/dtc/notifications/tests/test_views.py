"""The pages: the inbox (visible entries only, unread first and marked, mark all read, empty state),
the preferences, the watch control on community and item pages, and the unread count in the account
navigation — a hidden item is a 404 and never counted."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from dtc.community import services as community_services
from dtc.community.models import Tlp
from dtc.community.tests.factories import CommunityFactory
from dtc.notifications.models import Notification, NotificationPreference, Watch, WatchLevel

pytestmark = pytest.mark.django_db

INBOX = "/mijn/meldingen/"


def test_inbox_lists_unread_first_and_marks_them(client, share, alice, bob):
    first, second = share(alice, title="Eerste melding"), share(alice, title="Tweede melding")
    Notification.objects.filter(user=bob, item=second).update(read_at="2026-01-01T00:00:00Z")
    client.force_login(bob)
    response = client.get(INBOX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Eerste melding") < html.index("Tweede melding")  # unread first, though older
    assert html.count('class="dtc-unread"') == 1
    assert "U hebt 1 ongelezen melding." in html
    assert "Meldingen (1)" in html  # account navigation
    assert reverse("notifications:open", args=[Notification.objects.get(user=bob, item=first).pk]) in html


def test_open_marks_read_and_goes_to_the_item(client, share, alice, bob):
    item = share(alice)
    entry = Notification.objects.get(user=bob, item=item)
    client.force_login(bob)
    response = client.get(reverse("notifications:open", args=[entry.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("community:item_detail", args=[item.pk])
    entry.refresh_from_db()
    assert entry.read_at is not None


def test_someone_elses_entry_and_a_narrowed_item_are_404(client, share, alice, bob, carol):
    item = share(alice)
    bobs = Notification.objects.get(user=bob, item=item)
    client.force_login(carol)
    assert client.get(reverse("notifications:open", args=[bobs.pk])).status_code == 404
    community_services.item_change_marking(actor=alice, item=item, tlp=Tlp.RED, users=[carol])
    client.force_login(bob)
    assert client.get(reverse("notifications:open", args=[bobs.pk])).status_code == 404
    html = client.get(INBOX).content.decode()
    assert item.title not in html and "Meldingen (0)" in html


def test_mark_all_read_and_empty_state(client, share, alice, bob, outsider):
    share(alice)
    client.force_login(bob)
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=bob, read_at__isnull=True).exists()
    client.force_login(outsider)
    assert "U hebt geen meldingen." in client.get(INBOX).content.decode()


def test_inbox_needs_login(client):
    assert client.get(INBOX).status_code == 302


def test_preferences_page_saves_and_audits(client, bob):
    client.force_login(bob)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    assert re.search(r'value="daily"[^>]*checked', page.content.decode())  # the default: a daily digest
    response = client.post(reverse("notifications:preferences"),
                           {"delivery": "weekly", "full_text_for_restricted": "on"})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=bob)
    assert preference.delivery == "weekly" and preference.full_text_for_restricted is True
    assert client.post(reverse("notifications:preferences"), {"delivery": "hourly"}).status_code == 400


def test_watch_control_on_community_and_item_pages(client, share, community, alice, bob):
    item = share(alice)
    client.force_login(bob)
    html = client.get(reverse("community:detail", args=[community.pk])).content.decode()
    assert reverse("notifications:watch") in html and 'name="community"' in html
    assert '<option value="2" selected>' in html  # a member tracks by default
    response = client.post(reverse("notifications:watch"), {"community": community.pk, "level": WatchLevel.MUTED})
    assert response.status_code == 302 and response["Location"] == reverse("community:detail", args=[community.pk])
    assert Watch.objects.get(user=bob, community=community).level == WatchLevel.MUTED
    html = client.get(reverse("community:item_detail", args=[item.pk])).content.decode()
    assert 'name="item"' in html and '<option value="0" selected>' in html  # muted community → item muted
    client.post(reverse("notifications:watch"), {"item": item.pk, "level": WatchLevel.WATCHING})
    assert Watch.objects.get(user=bob, item=item).level == WatchLevel.WATCHING


def test_watch_control_404_for_what_the_user_may_not_see(client, share, alice, bob, outsider):
    red = share(alice, tlp=Tlp.RED, communities=[], users=[bob])
    secret = CommunityFactory(confidential=True)
    client.force_login(outsider)
    assert client.post(reverse("notifications:watch"), {"item": red.pk, "level": 3}).status_code == 404
    assert client.post(reverse("notifications:watch"), {"community": secret.pk, "level": 3}).status_code == 404
    assert client.post(reverse("notifications:watch"), {"item": 999999, "level": 3}).status_code == 404
    assert not Watch.objects.filter(user=outsider).exists()


def test_inbox_query_count_does_not_grow_with_entries(client, share, alice, bob, django_assert_max_num_queries):
    for n in range(12):
        share(alice, title=f"Item {n}")
    client.force_login(bob)
    with django_assert_max_num_queries(15):
        assert client.get(INBOX).status_code == 200
