"""Searching shared items: a search only ever finds what `core.visibility` lets the user see — a hidden
item that matches is neither listed nor counted, in all communities or narrowed to one; a hidden
community is a 404. Too short or empty queries search nothing and say so in Dutch; an over-long query
is cut. On PostgreSQL the search is full text (`dutch` configuration: stemming, web-search syntax)
through the GIN index of migration 0003; the page runs a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dtc.community import selectors
from dtc.community.tests.factories import (
    CommunityFactory,
    CommunityMembershipFactory,
    ItemAudienceFactory,
    ItemFactory,
)
from dtc.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("community:search")


@pytest.fixture
def community(db):
    return CommunityFactory(name="Zorg-ISAC")


@pytest.fixture
def member(community):
    return CommunityMembershipFactory(community=community).user


def shared(community, title, body="", **traits):
    item = ItemFactory(published=True, title=title, body_markdown=body or title, **traits)
    ItemAudienceFactory(item=item, community=community)
    return item


def titles(items):
    return sorted(item.title for item in items)


@pytest.fixture
def platform(community, member):
    """Matching items the member may see, and matching items hidden from them for every reason."""
    other = CommunityFactory(name="Regio Noord")
    organisation = OrganisationFactory()
    visible = [
        shared(community, "Ransomware bij een ziekenhuis", green=True),
        shared(community, "Geleerde les", body="Na de ransomware-aanval herstelden we uit back-ups.", clear=True),
    ]
    named = ItemFactory(published=True, red=True, title="Ransomware-onderhandelaar gezocht")
    ItemAudienceFactory(item=named, user=member)
    visible.append(named)
    hidden = [
        shared(other, "Ransomware in de regio", green=True),  # not a member of `other`
        shared(community, "Ransomware: AMBER zonder TLP-organisatie", amber=True),  # community gives no AMBER reach
        ItemFactory(title="Ransomware-concept van een ander"),  # someone else's draft
    ]
    red = ItemFactory(published=True, red=True, title="Ransomware alleen voor een ander")
    ItemAudienceFactory(item=red, user=UserFactory())
    org_item = ItemFactory(published=True, amber=True, title="Ransomware voor een organisatie")
    ItemAudienceFactory(item=org_item, organisation=organisation)
    hidden += [red, org_item]
    shared(community, "Phishing-golf", green=True)  # visible, does not match
    return {"visible": visible, "hidden": hidden, "other": other}


def test_search_finds_visible_matches_only(member, platform):
    found = selectors.community_items_search(user=member, query="ransomware")
    assert titles(found) == titles(platform["visible"])
    assert found.count() == len(platform["visible"])  # hidden items never count


def test_search_narrowed_to_a_community(member, community, platform):
    found = selectors.community_items_search(user=member, query="ransomware", community=community)
    assert titles(found) == ["Geleerde les", "Ransomware bij een ziekenhuis"]
    # A community the member is not in: visible (not confidential), but none of its items reach them.
    assert not selectors.community_items_search(user=member, query="ransomware", community=platform["other"])


def test_search_in_a_hidden_community_is_404(member):
    confidential = CommunityFactory(confidential=True)
    shared(confidential, "Ransomware in het geheim", green=True)
    with pytest.raises(Http404):
        selectors.community_items_search(user=member, query="ransomware", community=confidential)


def test_search_as_member_through_organisation(community):
    organisation = OrganisationFactory()
    person = MembershipFactory(organisation=organisation).user
    CommunityMembershipFactory(community=community, for_organisation=True, user=None, organisation=organisation)
    shared(community, "Ransomware via de organisatie", green=True)
    assert titles(selectors.community_items_search(user=person, query="Ransomware")) == [
        "Ransomware via de organisatie"
    ]
    assert not selectors.community_items_search(user=UserFactory(), query="ransomware")


def test_too_short_and_empty_queries_find_nothing(member, platform):
    assert not selectors.community_items_search(user=member, query="")
    assert not selectors.community_items_search(user=member, query="   r  ")
    assert selectors.item_search_query_clean("  twee   woorden ") == "twee woorden"
    assert len(selectors.item_search_query_clean("x" * 1000)) == selectors.SEARCH_QUERY_MAX_LENGTH


def test_every_word_must_match_and_minus_excludes(member, community):
    shared(community, "Ransomware bij een ziekenhuis", green=True)
    shared(community, "Ransomware bij een gemeente", green=True)
    assert titles(selectors.community_items_search(user=member, query="ransomware ziekenhuis")) == [
        "Ransomware bij een ziekenhuis"
    ]
    assert titles(selectors.community_items_search(user=member, query="ransomware -ziekenhuis")) == [
        "Ransomware bij een gemeente"
    ]


# --- the page -------------------------------------------------------------------------------------


def test_search_page_lists_and_counts_visible_items(client, member, platform):
    client.force_login(member)
    response = client.get(SEARCH, {"q": "ransomware"})
    assert response.status_code == 200
    assert "3 items gevonden voor ‘ransomware’" in response.text
    for item in platform["visible"]:
        assert item.title in response.text
    for item in platform["hidden"]:
        assert item.title not in response.text
        assert reverse("community:item_detail", args=[item.pk]) not in response.text


def test_search_page_empty_too_short_and_no_results(client, member, community):
    client.force_login(member)
    empty = client.get(SEARCH)
    assert empty.status_code == 200
    assert "Typ een zoekterm" in empty.text
    assert "Typ minstens 2 tekens om te zoeken." in client.get(SEARCH, {"q": "x"}).text
    nothing = client.get(SEARCH, {"q": "onvindbaar", "community": community.pk})
    assert "0 items gevonden" in nothing.text and "Geen items gevonden" in nothing.text
    assert "Zoek in alle communities" in nothing.text


def test_search_page_in_a_hidden_or_bad_community_is_404(client, member):
    client.force_login(member)
    confidential = CommunityFactory(confidential=True)
    assert client.get(SEARCH, {"q": "ransomware", "community": confidential.pk}).status_code == 404
    assert client.get(SEARCH, {"q": "ransomware", "community": "x"}).status_code == 404


def test_search_page_needs_login(client):
    response = client.get(SEARCH, {"q": "ransomware"})
    assert response.status_code == 302


def test_search_page_cuts_an_overlong_query(client, member, community):
    shared(community, "Ransomware bij een ziekenhuis", green=True)
    client.force_login(member)
    response = client.get(SEARCH, {"q": "ransomware " + "x" * 500})
    assert response.status_code == 200
    assert response.context["query"] == ("ransomware " + "x" * 500)[: selectors.SEARCH_QUERY_MAX_LENGTH]
    assert 'maxlength="200"' in response.text


def test_search_boxes_on_list_and_detail(client, member, community):
    client.force_login(member)
    assert f'action="{SEARCH}"' in client.get(reverse("community:list")).text
    detail = client.get(reverse("community:detail", args=[community.pk])).text
    assert f'action="{SEARCH}"' in detail and f'name="community" value="{community.pk}"' in detail


def test_search_page_runs_a_constant_number_of_queries(client, member, community):
    client.force_login(member)
    shared(community, "Ransomware 1", green=True)
    client.get(SEARCH, {"q": "ransomware"})  # warm-up (session, content types)
    with CaptureQueriesContext(connection) as few:
        client.get(SEARCH, {"q": "ransomware"})
    for number in range(2, 15):
        item = shared(community, f"Ransomware {number}", green=True)
        ItemAudienceFactory(item=item, organisation=OrganisationFactory())
    with CaptureQueriesContext(connection) as many:
        response = client.get(SEARCH, {"q": "ransomware"})
    assert "14 items gevonden" in response.text
    assert len(many.captured_queries) == len(few.captured_queries)


# --- PostgreSQL full text -------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_dutch_stemming_and_phrases(member, community):
    shared(community, "Nepfacturen", body="Meerdere gemeente kreeg een valse factuur.", green=True)
    shared(community, "Actief misbruik", body="Misbruik is actief waargenomen.", green=True)
    # 'gemeenten' and 'gemeente' share the stem: found by meaning, not by substring.
    assert titles(selectors.community_items_search(user=member, query="gemeenten")) == ["Nepfacturen"]
    assert titles(selectors.community_items_search(user=member, query='"actief misbruik"')) == ["Actief misbruik"]
    assert titles(selectors.community_items_search(user=member, query="misbruik or factuur")) == [
        "Actief misbruik", "Nepfacturen",
    ]


@pytest.mark.postgres
def test_postgres_search_uses_the_gin_index_of_migration_0003(member, community):
    """The search's text condition (`items_full_text_match`, which `community_items_search` applies)
    can be answered by the GIN index — only possible when its expression is exactly the index's.
    The rest of the search's plan is the planner's choice and depends on the data, so it is not
    tested here; `bench/README.md` shows the plans at a million items."""
    from dtc.community.models import Item

    shared(community, "Ransomware", green=True)
    assert titles(selectors.community_items_search(user=member, query="ransomware")) == ["Ransomware"]
    sql, params = selectors.items_full_text_match(Item.objects.all(), query="ransomware").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "community_item_search_gin" in plan, plan
