"""Atom feeds: who may read them (session or personal feed token), what they contain (the visibility
module decides; restricted labels as title-less pointers), and that a hidden community is a 404."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from dtc.community.models import Tlp
from dtc.community.tests.factories import (
    CommunityFactory,
    CommunityMembershipFactory,
    ItemAudienceFactory,
    ItemFactory,
)
from dtc.organisations import services as organisation_services
from dtc.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(response) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed, parsed in a test
    return [
        (entry.findtext(f"{ATOM}title") or "", entry.findtext(f"{ATOM}summary") or "")
        for entry in root.findall(f"{ATOM}entry")
    ]


@pytest.fixture
def setup():
    community = CommunityFactory(counts_as_tlp_organisation=True)
    member = CommunityMembershipFactory(community=community).user
    outsider = UserFactory(verified=True)
    green = ItemFactory(published=True, green=True, title="Groen nieuws over phishing")
    amber = ItemFactory(published=True, amber=True, title="Geheime AMBER-titel", body_html="<p>geheime tekst</p>")
    draft = ItemFactory(green=True, title="Concept dat niemand ziet")
    for item in (green, amber, draft):
        ItemAudienceFactory(item=item, community=community)
    return community, member, outsider


def test_feed_by_token_shows_visible_items_and_hides_restricted_text(setup) -> None:
    community, member, _outsider = setup
    key = organisation_services.feed_token_rotate(actor=member)
    entries = _entries(Client().get(reverse("community:feed", args=[community.pk]), {"token": key}))
    titles = [title for title, _summary in entries]
    assert "[TLP:GREEN] Groen nieuws over phishing" in titles
    assert "Nieuw bericht met label TLP:AMBER" in titles
    body = "".join(title + summary for title, summary in entries)
    assert "Geheime AMBER-titel" not in body and "geheime tekst" not in body
    assert "Concept dat niemand ziet" not in body
    assert len(entries) == 2


def test_all_items_feed_by_session(setup) -> None:
    _community, member, _outsider = setup
    client = Client()
    client.force_login(member)
    response = client.get(reverse("community:feed_all"))
    assert len(_entries(response)) == 2
    assert "no-store" in response["Cache-Control"]


def test_feed_without_reader_or_for_hidden_community_is_404(setup) -> None:
    community, _member, outsider = setup
    confidential = CommunityFactory(confidential=True)
    assert Client().get(reverse("community:feed_all")).status_code == 404
    assert Client().get(reverse("community:feed_all"), {"token": "wrong"}).status_code == 404
    key = organisation_services.feed_token_rotate(actor=outsider)
    assert Client().get(reverse("community:feed", args=[confidential.pk]), {"token": key}).status_code == 404
    # The outsider sees the (non-confidential) community, but none of its items.
    assert _entries(Client().get(reverse("community:feed", args=[community.pk]), {"token": key})) == []


def test_rotated_and_revoked_tokens_stop_working(setup) -> None:
    _community, member, _outsider = setup
    old = organisation_services.feed_token_rotate(actor=member)
    new = organisation_services.feed_token_rotate(actor=member)
    url = reverse("community:feed_all")
    assert Client().get(url, {"token": old}).status_code == 404
    assert Client().get(url, {"token": new}).status_code == 200
    organisation_services.feed_token_revoke(actor=member)
    assert Client().get(url, {"token": new}).status_code == 404
    member.is_active = False
    member.save()
    assert Client().get(url, {"token": organisation_services.feed_token_rotate(actor=member)}).status_code == 404


def test_feed_token_page_shows_token_once(setup) -> None:
    _community, member, _outsider = setup
    client = Client()
    client.force_login(member)
    page = client.get(reverse("organisations:feed_token"))
    assert "nog geen persoonlijke feedlink" in page.content.decode()
    made = client.post(reverse("organisations:feed_token"), {"action": "rotate"}).content.decode()
    assert "?token=" in made
    again = client.get(reverse("organisations:feed_token")).content.decode()
    assert "?token=" not in again and "U heeft een persoonlijke feedlink" in again
    client.post(reverse("organisations:feed_token"), {"action": "revoke"})
    assert "nog geen persoonlijke feedlink" in client.get(reverse("organisations:feed_token")).content.decode()


def test_public_item_appears_in_no_page_cache(setup, settings) -> None:
    """Items can be withdrawn from public view at any moment, so /communities/ is never page-cached."""
    settings.DTC_PAGE_CACHE_SECONDS = 60
    public = ItemFactory(published=True, public=True, title="Openbaar advies")
    url = reverse("community:item_detail", args=[public.pk])
    assert Client().get(url).status_code == 200
    public.tlp = Tlp.GREEN
    public.public_approved = False
    public.save()
    assert Client().get(url).status_code == 302  # no longer public: the visitor is asked to log in


def test_public_item_page_names_no_one_to_visitors() -> None:
    item = ItemFactory(published=True, public=True, title="Openbaar advies")
    ItemAudienceFactory(item=item, community=CommunityFactory(name="Zorg-ISAC Noord"))
    html = Client().get(reverse("community:item_detail", args=[item.pk])).content.decode()
    assert "Openbaar advies" in html
    assert item.author.email not in html and "Zorg-ISAC Noord" not in html
    assert "Reactie plaatsen" not in html
    hidden = ItemFactory(published=True, green=True)
    response = Client().get(reverse("community:item_detail", args=[hidden.pk]))
    assert response.status_code == 302 and "/account/login/" in response["Location"]
