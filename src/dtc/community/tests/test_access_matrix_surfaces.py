"""THE ACCESS MATRIX, SURFACE BY SURFACE: over random small platforms (the generator and the oracle of
`test_access_matrix`), every surface a person can read items through shows exactly what the rule
table allows — through HTTP where the surface is HTTP:

- page:   GET the item page → 200 for a visible item; a hidden one is a 404 for a signed-in person
          (a login redirect for a visitor) and its title never appears;
- list:   each community's feed page lists exactly the visible items in its audience; a hidden
          community is a 404;
- search: the search page finds exactly the visible items that match;
- API:    /api/v1/items/ lists exactly the visible items, /api/v1/items/<id>/ 404s the rest;
- feed:   the Atom feed (by personal feed token) has exactly the visible published items, and a
          restricted label's title never appears in it;
- e-mail: `item_recipients` is exactly the oracle's people for every item; the notification fan-out
          writes inbox entries for visible items only; an e-mail is never sent for an entry whose item
          the person cannot see, and an e-mail about an AMBER/RED item carries no title;
- export: the MISP and STIX exports of a community hold exactly its visible published items;
- count:  the feed page's total equals the oracle's count.

Zero leaks (and zero wrongful hides) is the only pass. Fewer examples than the selector-level matrix
because every example makes a few hundred HTTP requests.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings

from dtc.community.models import Community, Item, Tlp
from dtc.community.tests.test_access_matrix import (
    MATRIX_SETTINGS,
    Plan,
    build,
    oracle_communities,
    oracle_items,
    plans,
)
from dtc.core import visibility
from dtc.notifications import services as notification_services
from dtc.notifications.models import Notification, NotificationPreference
from dtc.organisations import services as organisation_services
from dtc.organisations.models import User

ITEM_LINK = re.compile(r'href="/communities/items/(\d+)/"')
ATOM = "{http://www.w3.org/2005/Atom}"
RESTRICTED = {Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED}


def _title(index: int) -> str:
    return f"Matrixbericht-{index}-zq"


def _linked_items(html: str) -> set[int]:
    return {int(pk) for pk in ITEM_LINK.findall(html)}


def _check_pages(client: Client, viewer_is_anonymous: bool, items: list[Item], expected: set[int]) -> None:
    for item in items:
        response = client.get(reverse("community:item_detail", args=[item.pk]))
        if item.pk in expected:
            assert response.status_code == 200, f"item {item.pk} wrongly hidden"
            assert item.title in response.content.decode()
        else:
            assert response.status_code == (302 if viewer_is_anonymous else 404), f"item {item.pk} leaked"
            assert item.title not in response.content.decode()


def _check_lists(client: Client, plan: Plan, u: int, communities: list[Community], items: list[Item]) -> None:
    visible_communities = oracle_communities(plan, u)
    seen = oracle_items(plan, u)
    for c, community in enumerate(communities):
        response = client.get(reverse("community:detail", args=[community.pk]))
        if c not in visible_communities:
            assert response.status_code == 404
            continue
        expected = {items[i].pk for i in seen if c in plan.items[i].communities}
        html = response.content.decode()
        assert _linked_items(html) == expected, f"feed of community {c}"
        # The count the platform gives for this community is the visible count.
        assert visibility.item_count_visible_to(user=client.viewer, community=community) == len(expected)  # type: ignore[attr-defined]


def _check_search(client: Client, expected: set[int]) -> None:
    response = client.get(reverse("community:search"), {"q": "phishing"})
    assert response.status_code == 200
    assert _linked_items(response.content.decode()) == expected


def _check_api(client: Client, items: list[Item], expected: set[int]) -> None:
    response = client.get("/api/v1/items/", {"page_size": 100})
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == expected
    for item in items:
        status = client.get(f"/api/v1/items/{item.pk}/").status_code
        assert status == (200 if item.pk in expected else 404), f"API item {item.pk}"


def _check_feed(viewer: User, items: list[Item], expected: set[int]) -> None:
    key = organisation_services.feed_token_rotate(actor=viewer)
    response = Client().get(reverse("community:feed_all"), {"token": key})
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed, parsed in a test
    linked = set()
    for entry in root.findall(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link").get("href")  # type: ignore[union-attr]
        linked.add(int(re.search(r"/items/(\d+)/", link).group(1)))  # type: ignore[union-attr]
    published = {item.pk for item in items if item.status == Item.Status.PUBLISHED}
    assert linked == expected & published
    text = response.content.decode()
    for item in items:
        if item.pk not in expected or item.tlp in RESTRICTED:
            assert item.title not in text, f"feed shows title of item {item.pk}"


def _check_exports(client: Client, plan: Plan, u: int, communities: list[Community], items: list[Item]) -> None:
    seen = oracle_items(plan, u)
    for c in oracle_communities(plan, u):
        community = communities[c]
        expected = {
            items[i].title for i in seen if c in plan.items[i].communities and plan.items[i].published
        }
        misp = client.get(reverse("community:export_misp", args=[community.pk]))
        assert misp.status_code == 200
        events = json.loads(misp.content)["response"]
        assert {event["Event"]["info"] for event in events} == expected, f"MISP export of community {c}"
        stix = client.get(reverse("community:export_stix", args=[community.pk]))
        assert stix.status_code == 200
        reports = [obj for obj in json.loads(stix.content)["objects"] if obj["type"] == "report"]
        assert {report["name"] for report in reports} == expected, f"STIX export of community {c}"
    for c in set(range(len(communities))) - oracle_communities(plan, u):
        assert client.get(reverse("community:export_misp", args=[communities[c].pk])).status_code == 404


def _check_email(plan: Plan, users: list[User], items: list[Item]) -> None:
    for i, item in enumerate(items):
        expected_people = {users[u].pk for u in range(len(users)) if i in oracle_items(plan, u)}
        assert set(visibility.item_recipients(item=item).values_list("pk", flat=True)) == expected_people
    # Everyone wants every e-mail at once, about everything.
    for user in users:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        NotificationPreference.objects.update_or_create(user=user, defaults={"delivery": "immediate"})
    for item in items:
        notification_services.item_activity_notify(item_id=item.pk, event="item_new", actor_id=None)
    for notification in Notification.objects.select_related("item", "user"):
        index = items.index(notification.item)
        u = users.index(notification.user)
        assert index in oracle_items(plan, u), f"inbox entry for hidden item {index} to person {u}"
    # A row the person may not see (as after narrowing an item) is never e-mailed.
    for u, user in enumerate(users):
        for i, item in enumerate(items):
            if i not in oracle_items(plan, u) and item.status == Item.Status.PUBLISHED:
                Notification.objects.get_or_create(user=user, item=item, event="item_new", comment=None)
    mail.outbox.clear()
    for notification in Notification.objects.filter(emailed_at__isnull=True).select_related("item", "user"):
        sent = notification_services.notification_email_send(notification_id=notification.pk)
        i, u = items.index(notification.item), users.index(notification.user)
        if i not in oracle_items(plan, u):
            assert not sent, f"e-mail about hidden item {i} to person {u}"
    for message in mail.outbox:
        text = message.subject + message.body + "".join(str(alt[0]) for alt in getattr(message, "alternatives", []))
        recipient = User.objects.get(email=message.to[0])
        u = users.index(recipient)
        for i, item in enumerate(items):
            if i not in oracle_items(plan, u) or item.tlp in RESTRICTED:
                assert item.title not in text, f"e-mail to {u} names item {i}"


def check_surfaces(plan: Plan) -> None:
    with transaction.atomic():
        users, communities, items, _key_of_row = build(plan)
        for index, item in enumerate(items):
            item.title = _title(index)
            item.body_markdown = "Een phishing-golf"
            item.body_html = "<p>Een phishing-golf</p>"
            if item.status == Item.Status.PUBLISHED and item.published_at is None:
                item.published_at = item.created_at
        Item.objects.bulk_update(items, ["title", "body_markdown", "body_html", "published_at"])

        anonymous = Client()
        _check_pages(anonymous, True, items, {items[i].pk for i in oracle_items(plan, None)})

        for u, user in enumerate(users):
            viewer = User.objects.get(pk=user.pk)
            expected = {items[i].pk for i in oracle_items(plan, u)}
            client = Client()
            client.viewer = viewer  # type: ignore[attr-defined]
            client.force_login(viewer)
            if not viewer.is_active:
                # An inactive account has no session at all: every surface shows nothing.
                assert not expected
                continue
            _check_pages(client, False, items, expected)
            _check_lists(client, plan, u, communities, items)
            _check_search(client, expected)
            _check_api(client, items, expected)
            _check_feed(viewer, items, expected)
            _check_exports(client, plan, u, communities, items)
        _check_email(plan, users, items)
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(max_examples=10, **MATRIX_SETTINGS)
@given(plan=plans())
def test_access_matrix_on_every_surface(plan: Plan) -> None:
    check_surfaces(plan)


@pytest.mark.postgres
@pytest.mark.django_db
@settings(max_examples=20, **MATRIX_SETTINGS)
@given(plan=plans())
def test_access_matrix_on_every_surface_postgres(plan: Plan) -> None:
    check_surfaces(plan)
