"""The trust platform over the API: communities, memberships, items and comments with exactly the
visibility of `dtc.core.visibility` (TLP 2.0 rule table there).

What may not be seen is a 404 (the same answer as for an id that does not exist), never appears in a
list, and never counts; an id in a request body that the user may not see is "unknown" (400), never
a 403. Lists take a constant number of queries, however many rows they show.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dtc.api.tests.conftest import token_client
from dtc.community.models import Comment, CommunityMembership, Indicator, Item, ItemAudience, Reaction
from dtc.community.tests.factories import (
    CommunityFactory,
    CommunityMembershipFactory,
    ItemAudienceFactory,
    ItemFactory,
)
from dtc.core import visibility
from dtc.core.models import AuditLogEntry
from dtc.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ABSENT = 999_999


def titles(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["title"] for row in response.json()["results"]]


def names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


# --- authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/communities/"), ("get", "/api/v1/communities/1/"),
        ("get", "/api/v1/communities/1/memberships/"), ("post", "/api/v1/communities/1/join/"),
        ("get", "/api/v1/communities/1/items/"), ("get", "/api/v1/items/"), ("post", "/api/v1/items/"),
        ("get", "/api/v1/items/1/"), ("post", "/api/v1/items/1/publish/"), ("patch", "/api/v1/items/1/marking/"),
        ("get", "/api/v1/items/1/comments/"), ("post", "/api/v1/items/1/comments/"),
    ],
)
def test_anonymous_gets_json_401(api, platform, method, path):
    response = getattr(api, method)(path, {}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_inactive_user_sees_nothing(orgs, platform):
    orgs["member"].is_active = False
    orgs["member"].save(update_fields=["is_active"])

    response = token_client(orgs["member"]).get("/api/v1/items/")

    assert response.status_code == 401  # the token of an inactive user is refused


# --- communities ----------------------------------------------------------------------------------


def test_community_list_hides_confidential_communities_of_others(orgs, platform):
    assert names(token_client(orgs["member"]).get("/api/v1/communities/")) == ["Regio Utrecht", "Thema Phishing"]
    assert names(token_client(orgs["admin"]).get("/api/v1/communities/")) == [
        "ISAC Bakkers", "Regio Utrecht", "Thema Phishing",
    ]
    assert names(token_client(orgs["outsider"]).get("/api/v1/communities/")) == [
        "Garage-overleg", "Regio Utrecht", "Thema Phishing",
    ]


def test_community_list_fields_and_own_flags(orgs, platform):
    rows = {row["name"]: row for row in token_client(orgs["admin"]).get("/api/v1/communities/").json()["results"]}

    assert rows["Regio Utrecht"] == {
        "id": platform["regio"].pk, "name": "Regio Utrecht", "slug": "regio-utrecht",
        "description": "Ondernemers in de regio.", "owner": "Ondernemend Utrecht", "join_policy": "request",
        "confidential_membership": False, "counts_as_tlp_organisation": False,
        "is_member": True,  # through the bakery
        "is_coordinator": False,
    }
    assert rows["ISAC Bakkers"]["owner"] is None
    assert (rows["ISAC Bakkers"]["is_member"], rows["ISAC Bakkers"]["confidential_membership"]) == (True, True)
    assert rows["Thema Phishing"]["is_member"] is False
    coordinator_rows = token_client(platform["coordinator"]).get("/api/v1/communities/").json()["results"]
    assert all(row["is_coordinator"] for row in coordinator_rows)


@pytest.mark.parametrize("suffix", ["", "memberships/", "items/"])
def test_hidden_community_is_404_like_a_missing_one(orgs, platform, suffix):
    client = token_client(orgs["member"])

    hidden = client.get(f"/api/v1/communities/{platform['isac'].pk}/{suffix}")
    missing = client.get(f"/api/v1/communities/{ABSENT}/{suffix}")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert token_client(orgs["admin"]).get(f"/api/v1/communities/{platform['isac'].pk}/{suffix}").status_code == 200


def test_community_detail(orgs, platform):
    response = token_client(orgs["member"]).get(f"/api/v1/communities/{platform['thema'].pk}/")

    assert response.status_code == 200
    assert response.json()["name"] == "Thema Phishing"
    assert response.json()["is_member"] is False


# --- memberships ----------------------------------------------------------------------------------


def _members(user, community) -> list[str]:
    response = token_client(user).get(f"/api/v1/communities/{community.pk}/memberships/")
    assert response.status_code == 200, response.json()
    return sorted(
        (row["organisation"] or row["user"])["name"] + f" ({row['role']}, {row['status']})"
        for row in response.json()["results"]
    )


def test_members_of_an_open_community_see_the_active_members(orgs, platform):
    assert _members(orgs["member"], platform["regio"]) == [
        "Bakkerij De Korst (member, active)", "Coco Coördinator (coordinator, active)",
    ]


def test_confidential_community_reveals_only_own_membership(orgs, platform):
    assert _members(orgs["admin"], platform["isac"]) == [f"{orgs['admin'].name} (member, active)"]
    assert _members(platform["peer"], platform["isac"]) == ["Petra Peer (member, active)"]
    # The coordinator sees everyone.
    assert len(_members(platform["coordinator"], platform["isac"])) == 3


def test_non_member_sees_only_own_rows(orgs, platform):
    assert _members(orgs["outsider"], platform["regio"]) == []
    CommunityMembershipFactory(community=platform["regio"], user=orgs["outsider"], requested=True)
    assert _members(orgs["outsider"], platform["regio"]) == [f"{orgs['outsider'].name} (member, requested)"]


def test_membership_rows_show_person_or_organisation(orgs, platform):
    rows = token_client(orgs["member"]).get(f"/api/v1/communities/{platform['regio'].pk}/memberships/").json()
    by_kind = {("organisation" if row["organisation"] else "user"): row for row in rows["results"]}

    assert by_kind["organisation"]["organisation"] == {"id": orgs["bakery"].pk, "name": "Bakkerij De Korst"}
    assert by_kind["organisation"]["user"] is None
    assert by_kind["user"]["user"] == {"id": platform["coordinator"].pk, "name": "Coco Coördinator"}


# --- joining --------------------------------------------------------------------------------------


def test_request_to_join_in_person(orgs, platform):
    client = token_client(orgs["member"])
    response = client.post(f"/api/v1/communities/{platform['thema'].pk}/join/", {}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "requested"
    assert response.json()["user"]["id"] == orgs["member"].pk
    assert AuditLogEntry.objects.filter(action="community_membership.request", actor=orgs["member"]).exists()

    again = client.post(f"/api/v1/communities/{platform['thema'].pk}/join/", {}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "invalid"
    assert again.json()["errors"]["non_field_errors"] == ["Er is al een lidmaatschap of aanvraag."]


def test_join_for_an_organisation_needs_its_admin(orgs, platform):
    url = f"/api/v1/communities/{platform['thema'].pk}/join/"

    as_member = token_client(orgs["member"]).post(url, {"organisation": orgs["bakery"].pk}, format="json")
    someone_elses = token_client(orgs["admin"]).post(url, {"organisation": orgs["garage"].pk}, format="json")
    as_admin = token_client(orgs["admin"]).post(url, {"organisation": orgs["bakery"].pk}, format="json")

    assert as_member.status_code == 403
    assert someone_elses.status_code == 400
    assert list(someone_elses.json()["errors"]) == ["organisation"]
    assert as_admin.status_code == 201
    assert as_admin.json()["organisation"]["name"] == "Bakkerij De Korst"


def test_join_accepts_an_open_invitation(orgs, platform):
    invited = CommunityMembershipFactory(community=platform["garage_room"], user=orgs["member"], invited=True)

    response = token_client(orgs["member"]).post(
        f"/api/v1/communities/{platform['garage_room'].pk}/join/", {}, format="json"
    )

    assert response.status_code == 200
    assert response.json() | {"created_at": None} == {
        "id": invited.pk, "organisation": None, "user": {"id": orgs["member"].pk, "name": orgs["member"].name},
        "role": "member", "status": "active", "created_at": None,
    }


def test_join_refusals(orgs, platform):
    invitation_only = CommunityFactory(name="Op uitnodiging")
    client = token_client(orgs["member"])

    hidden = client.post(f"/api/v1/communities/{platform['isac'].pk}/join/", {}, format="json")
    refused = client.post(f"/api/v1/communities/{invitation_only.pk}/join/", {}, format="json")

    assert hidden.status_code == 404
    assert refused.status_code == 400
    assert refused.json()["errors"]["non_field_errors"] == ["Deze community werkt alleen op uitnodiging."]
    assert not CommunityMembership.objects.filter(user=orgs["member"]).exists()


# --- reading items --------------------------------------------------------------------------------


def test_item_list_per_tlp_and_membership(orgs, platform):
    assert sorted(titles(token_client(orgs["member"]).get("/api/v1/items/"))) == sorted([
        "Phishing met nepfacturen",  # GREEN, in a community of the member's organisation
        "Anoniem: inbraak bij een lid",  # the member's own anonymous post
        "Onze ervaring met back-ups",
        "Alleen voor het lid",  # RED, named in person
    ])
    assert sorted(titles(token_client(orgs["admin"]).get("/api/v1/items/"))) == sorted([
        "Phishing met nepfacturen", "Anoniem: inbraak bij een lid", "Onze ervaring met back-ups",
        "Concept van de beheerder",  # own draft
        "Kwetsbaarheid in kassasoftware",  # AMBER in a community that counts as a TLP organisation
    ])
    assert titles(token_client(orgs["outsider"]).get("/api/v1/items/")) == ["Alleen voor de garage"]


@pytest.mark.parametrize("who", ["admin", "member", "outsider", "coordinator", "peer"])
def test_item_list_and_detail_equal_the_visibility_module(orgs, platform, who):
    user = orgs.get(who) or platform[who]
    client = token_client(user)
    expected = set(visibility.items_visible_to(user=user).values_list("pk", flat=True))

    listed = client.get("/api/v1/items/", {"page_size": 100}).json()

    assert {row["id"] for row in listed["results"]} == expected
    assert listed["count"] == len(expected)
    for item in Item.objects.all():
        status = client.get(f"/api/v1/items/{item.pk}/").status_code
        assert status == (200 if item.pk in expected else 404), item.title


def test_hidden_item_is_404_like_a_missing_one(orgs, platform):
    client = token_client(orgs["member"])

    for hidden in ("draft", "amber_isac", "amber_garage"):
        response = client.get(f"/api/v1/items/{platform[hidden].pk}/")
        assert response.status_code == 404
        assert response.json() == client.get(f"/api/v1/items/{ABSENT}/").json()


def test_community_feed_shows_only_visible_items(orgs, platform):
    url = f"/api/v1/communities/{platform['regio'].pk}/items/"

    member_feed = token_client(orgs["member"]).get(url)
    admin_feed = token_client(orgs["admin"]).get(url)
    outsider_feed = token_client(orgs["outsider"]).get(url)

    assert sorted(titles(member_feed)) == sorted(
        ["Phishing met nepfacturen", "Anoniem: inbraak bij een lid", "Onze ervaring met back-ups"]
    )
    assert member_feed.json()["count"] == 3
    assert "Concept van de beheerder" in titles(admin_feed)
    assert titles(outsider_feed) == []  # visible community, but GREEN reaches its members only


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"tlp": "AMBER"}, ["Kwetsbaarheid in kassasoftware"]),
        ({"kind": "question"}, []),
        ({"status": "draft"}, ["Concept van de beheerder"]),
        ({"community": "isac", "tlp": "AMBER"}, ["Kwetsbaarheid in kassasoftware"]),
    ],
)
def test_item_filters(orgs, platform, query, expected):
    if "community" in query:
        query = query | {"community": platform[query["community"]].pk}

    assert titles(token_client(orgs["admin"]).get("/api/v1/items/", query)) == expected


def test_filter_by_hidden_community_is_empty_like_a_missing_one(orgs, platform):
    # The RED item names the member; putting it in the confidential ISAC must not let the member find
    # out, by filtering, that the ISAC exists or that the item went there.
    ItemAudienceFactory(item=platform["red"], community=platform["isac"])
    client = token_client(orgs["member"])

    assert titles(client.get("/api/v1/items/", {"community": platform["isac"].pk})) == []
    assert titles(client.get("/api/v1/items/", {"community": ABSENT})) == []
    assert titles(client.get("/api/v1/items/", {"status": "draft"})) == []  # nobody else's drafts


def test_search_finds_only_visible_items(orgs, platform):
    # "kassasoftware" is in an AMBER item of the confidential ISAC: the admin finds it, the member not.
    assert titles(token_client(orgs["admin"]).get("/api/v1/items/", {"q": "kassasoftware"})) == [
        "Kwetsbaarheid in kassasoftware",
    ]
    assert titles(token_client(orgs["member"]).get("/api/v1/items/", {"q": "kassasoftware"})) == []
    assert titles(token_client(orgs["member"]).get("/api/v1/items/", {"q": "nepfacturen", "tlp": "RED"})) == [
        "Alleen voor het lid",
    ]


@pytest.mark.parametrize("query", [{"tlp": "PURPLE"}, {"community": "abc"}, {"status": "deleted"}])
def test_invalid_filter_is_json_400(orgs, platform, query):
    response = token_client(orgs["admin"]).get("/api/v1/items/", query)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(query)


def test_anonymous_post_hides_its_author_except_from_the_author(orgs, platform):
    url = f"/api/v1/items/{platform['anonymous'].pk}/"

    seen_by_admin = token_client(orgs["admin"]).get(url).json()
    seen_by_author = token_client(orgs["member"]).get(url).json()
    listed = token_client(platform["coordinator"]).get("/api/v1/items/", {"page_size": 100}).json()

    assert seen_by_admin["author"] is None
    assert seen_by_admin["anonymous"] is True
    assert orgs["member"].name not in json.dumps(seen_by_admin)
    assert orgs["member"].email not in json.dumps(listed)
    assert seen_by_author["author"] == {"id": orgs["member"].pk, "name": orgs["member"].name}


def test_item_fields(orgs, platform):
    own = platform["own"]
    Indicator.objects.create(item=own, kind=Indicator.Kind.DOMAIN, value="nepfactuur.example", comment="afzender")
    Comment.objects.create(item=own, author=orgs["member"], body_markdown="Dank!", body_html="<p>Dank!</p>")
    Reaction.objects.create(item=own, user=orgs["member"], kind=Reaction.Kind.SEEN)
    Reaction.objects.create(item=own, user=platform["coordinator"], kind=Reaction.Kind.SEEN)
    Reaction.objects.create(item=own, user=platform["coordinator"], kind=Reaction.Kind.USEFUL)

    data = token_client(orgs["member"]).get(f"/api/v1/items/{own.pk}/").json()

    assert {key: data[key] for key in ("kind", "title", "tlp", "status", "anonymous", "public_approved")} == {
        "kind": "threat", "title": "Onze ervaring met back-ups", "tlp": "GREEN", "status": "published",
        "anonymous": False, "public_approved": False,
    }
    assert data["body_html"] == "<p>Phishing-golf met nepfacturen.</p>"
    assert data["author"] == {"id": orgs["admin"].pk, "name": orgs["admin"].name}
    assert data["author_organisation"] == {"id": orgs["bakery"].pk, "name": "Bakkerij De Korst"}
    assert data["audience"] == {
        "communities": [{"id": platform["regio"].pk, "name": "Regio Utrecht"}], "organisations": [], "users": [],
        "names_shown": False, "others_named": 0,
    }
    assert data["indicators"] == [{"kind": "domain", "value": "nepfactuur.example", "comment": "afzender"}]
    assert data["comment_count"] == 1
    assert data["reaction_counts"] == {"seen": 2, "useful": 1}


def test_audience_never_reveals_a_confidential_community_or_other_recipients(orgs, platform):
    # GREEN to Regio Utrecht and the confidential ISAC, and to the member and the peer in person.
    both = ItemFactory(author=platform["coordinator"], published=True, green=True, title="Twee communities")
    for target in ({"community": platform["regio"]}, {"community": platform["isac"]}, {"user": orgs["member"]},
                   {"user": platform["peer"]}):
        ItemAudienceFactory(item=both, **target)

    by_member = token_client(orgs["member"]).get(f"/api/v1/items/{both.pk}/").json()["audience"]
    by_admin = token_client(orgs["admin"]).get(f"/api/v1/items/{both.pk}/").json()["audience"]
    by_author = token_client(platform["coordinator"]).get(f"/api/v1/items/{both.pk}/").json()["audience"]

    assert by_member == {
        "communities": [{"id": platform["regio"].pk, "name": "Regio Utrecht"}], "organisations": [],
        "users": [{"id": orgs["member"].pk, "name": orgs["member"].name}],  # only themselves
        "names_shown": False, "others_named": 1,
    }
    assert [c["name"] for c in by_admin["communities"]] == ["ISAC Bakkers", "Regio Utrecht"]
    assert (by_admin["users"], by_admin["others_named"]) == ([], 2)
    assert by_author["names_shown"] is True
    assert [u["name"] for u in by_author["users"]] == [platform["peer"].name, orgs["member"].name]  # by e-mail


@pytest.mark.parametrize("who", ["admin", "member", "outsider", "coordinator", "peer"])
def test_audience_equals_the_item_page_selector(orgs, platform, who):
    """The list shows each item's audience as the item page does (community.selectors), in SQL."""
    from dtc.community.selectors import item_audience_visible_to

    user = orgs.get(who) or platform[who]
    ItemAudienceFactory(item=platform["own"], organisation=orgs["garage"])
    ItemAudienceFactory(item=platform["own"], user=platform["peer"])
    ItemAudienceFactory(item=platform["amber_isac"], organisation=orgs["bakery"])
    ItemAudienceFactory(item=platform["green"], community=platform["isac"])
    rows = token_client(user).get("/api/v1/items/", {"page_size": 100}).json()["results"]

    assert rows
    for row in rows:
        expected = item_audience_visible_to(user=user, item=Item.objects.get(pk=row["id"]))
        assert row["audience"] == {
            "communities": [{"id": c.pk, "name": c.name} for c in expected.communities],
            "organisations": [{"id": o.pk, "name": o.name} for o in expected.organisations],
            "users": [{"id": u.pk, "name": str(u)} for u in expected.users],
            "names_shown": expected.names_shown, "others_named": expected.others_named,
        }, row["title"]


def test_counts_count_only_what_the_user_may_see(orgs, platform):
    # 25 hidden AMBER items in the garage's community do not show up in anyone else's count.
    for _n in range(25):
        ItemAudienceFactory(item=ItemFactory(author=orgs["outsider"], published=True, amber=True),
                            community=platform["garage_room"])

    assert token_client(orgs["member"]).get("/api/v1/items/").json()["count"] == 4
    assert token_client(orgs["outsider"]).get("/api/v1/items/").json()["count"] == 26


# --- constant number of queries -------------------------------------------------------------------


def _fill(orgs, platform, n: int) -> None:
    """n more published items in Regio Utrecht, each with audience rows, an indicator, a comment and
    a reaction, half of them anonymous and half on behalf of the bakery; and n members and comments."""
    for number in range(n):
        item = ItemFactory(author=platform["coordinator"] if number % 2 else orgs["member"], published=True,
                           green=True, anonymous=bool(number % 2),
                           author_organisation=None if number % 2 else orgs["bakery"])
        ItemAudienceFactory(item=item, community=platform["regio"])
        ItemAudienceFactory(item=item, user=UserFactory())
        Indicator.objects.create(item=item, kind=Indicator.Kind.IP, value=f"192.0.2.{number}")
        Comment.objects.create(item=item, author=orgs["admin"], body_markdown="x", body_html="<p>x</p>")
        Reaction.objects.create(item=item, user=orgs["admin"], kind=Reaction.Kind.USEFUL)
        Comment.objects.create(item=platform["green"], author=UserFactory(), body_markdown="y", body_html="<p>y</p>")
        CommunityMembershipFactory(community=platform["regio"])
        CommunityFactory()


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, {"page_size": 100})
    assert response.status_code == 200, response.json()
    return len(queries)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/communities/", "/api/v1/communities/{regio}/memberships/", "/api/v1/communities/{regio}/items/",
        "/api/v1/items/", "/api/v1/items/{green}/comments/",
    ],
)
def test_lists_take_a_constant_number_of_queries(orgs, platform, django_assert_max_num_queries, path):
    path = path.format(regio=platform["regio"].pk, green=platform["green"].pk)
    client = token_client(orgs["admin"])
    _fill(orgs, platform, 5)
    with_five = _queries(client, path)
    _fill(orgs, platform, 25)

    with django_assert_max_num_queries(with_five):
        response = client.get(path, {"page_size": 100})

    assert response.json()["count"] >= 30


# --- creating items -------------------------------------------------------------------------------


def _create(user, **body):
    return token_client(user).post("/api/v1/items/", {"kind": "threat", "title": "Nepfacturen", **body},
                                   format="json")


def test_create_draft_in_a_community(orgs, platform):
    response = _create(orgs["member"], tlp="GREEN", body_markdown="Let op **nepfacturen**.",
                       communities=[platform["regio"].pk])

    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["published_at"], data["tlp"]) == ("draft", None, "GREEN")
    assert data["body_html"] == "<p>Let op <strong>nepfacturen</strong>.</p>"
    assert data["audience"]["communities"] == [{"id": platform["regio"].pk, "name": "Regio Utrecht"}]
    entry = AuditLogEntry.objects.get(action="item.create")
    assert entry.actor == orgs["member"]
    # A draft: only its author sees it.
    assert token_client(platform["coordinator"]).get(f"/api/v1/items/{data['id']}/").status_code == 404


def test_create_published_for_people_and_organisations(orgs, platform):
    response = _create(orgs["admin"], tlp="AMBER", publish=True, communities=[platform["isac"].pk],
                       organisations=[orgs["bakery"].pk], users=[platform["peer"].pk],
                       author_organisation=orgs["bakery"].pk)

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "published"
    assert data["author_organisation"]["id"] == orgs["bakery"].pk
    assert data["audience"]["organisations"] == [{"id": orgs["bakery"].pk, "name": "Bakkerij De Korst"}]
    assert data["audience"]["users"] == [{"id": platform["peer"].pk, "name": "Petra Peer"}]
    assert token_client(orgs["member"]).get(f"/api/v1/items/{data['id']}/").status_code == 200  # via bakery


def test_hidden_community_is_unknown_like_a_missing_one(orgs, platform):
    hidden = _create(orgs["member"], tlp="GREEN", communities=[platform["isac"].pk])
    missing = _create(orgs["member"], tlp="GREEN", communities=[ABSENT])

    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["code"] == "invalid"
    message = hidden.json()["errors"]["communities"][0]
    assert message == f"Onbekend (of niet zichtbaar voor u): {platform['isac'].pk}."
    assert missing.json()["errors"]["communities"][0] == message.replace(str(platform["isac"].pk), str(ABSENT))
    assert "ISAC" not in json.dumps(hidden.json())
    assert not Item.objects.filter(title="Nepfacturen").exists()


def test_visible_community_without_membership_is_403(orgs, platform):
    response = _create(orgs["member"], tlp="GREEN", communities=[platform["thema"].pk])

    assert response.status_code == 403
    assert response.json() == {
        "detail": "U kunt alleen delen in communities waarvan u lid bent.", "code": "permission_denied",
    }
    assert not Item.objects.filter(title="Nepfacturen").exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"tlp": "GREEN"}, "audience", "Kies minstens één ontvanger."),
        ({"tlp": "RED", "communities": ["regio"]}, "audience", "TLP:RED is alleen voor met naam genoemde personen."),
        ({"tlp": "AMBER", "communities": ["regio"]}, "audience",
         "Regio Utrecht telt niet als één TLP-organisatie: kies TLP:GREEN of noem de organisaties of personen."),
        ({"tlp": "GREEN", "users": [ABSENT]}, "users", f"Onbekend (of niet zichtbaar voor u): {ABSENT}."),
        ({"tlp": "GREEN", "organisations": ["garage"]}, "organisations", None),
        ({"tlp": "GREEN", "communities": ["regio"], "author_organisation": "garage"}, "author_organisation", None),
        ({"tlp": "ORANGE", "communities": ["regio"]}, "tlp", None),
        ({"tlp": "GREEN", "communities": ["regio"], "title": ""}, "title", None),
        ({"tlp": "GREEN", "communities": [0]}, "communities", None),
    ],
)
def test_creation_errors_are_json_400_per_field(orgs, platform, body, field, message):
    objects = {"regio": platform["regio"].pk, "garage": orgs["garage"].pk}
    body = {key: ([objects.get(v, v) for v in value] if isinstance(value, list) else objects.get(value, value))
            for key, value in body.items()}

    response = _create(orgs["member"], **body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == [field]
    if message:
        assert response.json()["errors"][field] == [message]
    assert not Item.objects.filter(author=orgs["member"], title="Nepfacturen").exists()


def test_malformed_json_is_json_400(orgs, platform):
    response = token_client(orgs["member"]).post("/api/v1/items/", "{nee", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


# --- publishing and marking -----------------------------------------------------------------------


def test_author_publishes_a_draft(orgs, platform):
    url = f"/api/v1/items/{platform['draft'].pk}/publish/"

    assert token_client(orgs["member"]).post(url).status_code == 404  # someone else's draft: hidden
    response = token_client(orgs["admin"]).post(url)

    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert response.json()["published_at"]
    assert AuditLogEntry.objects.filter(action="item.publish", actor=orgs["admin"]).exists()
    assert token_client(orgs["member"]).get(f"/api/v1/items/{platform['draft'].pk}/").status_code == 200


def test_only_the_author_publishes(orgs, platform):
    response = token_client(orgs["member"]).post(f"/api/v1/items/{platform['green'].pk}/publish/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_author_changes_the_marking(orgs, platform):
    url = f"/api/v1/items/{platform['own'].pk}/marking/"

    response = token_client(orgs["admin"]).patch(url, {"tlp": "CLEAR"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["tlp"] == "CLEAR"
    assert response.json()["audience"]["communities"] == [{"id": platform["regio"].pk, "name": "Regio Utrecht"}]
    entry = AuditLogEntry.objects.get(action="item.change_marking")
    assert (entry.before["tlp"], entry.after["tlp"]) == ("GREEN", "CLEAR")


def test_marking_refusals(orgs, platform):
    own_url = f"/api/v1/items/{platform['own'].pk}/marking/"

    reader = token_client(orgs["member"]).patch(f"/api/v1/items/{platform['green'].pk}/marking/",
                                                {"tlp": "CLEAR"}, format="json")
    hidden = token_client(orgs["member"]).patch(f"/api/v1/items/{platform['amber_isac'].pk}/marking/",
                                                {"tlp": "RED"}, format="json")
    amber = token_client(orgs["admin"]).patch(own_url, {"tlp": "AMBER"}, format="json")
    unknown = token_client(orgs["admin"]).patch(own_url, {"communities": [platform["garage_room"].pk]},
                                                format="json")

    assert reader.status_code == 403
    assert hidden.status_code == 404
    assert amber.status_code == 400
    assert list(amber.json()["errors"]) == ["audience"]
    assert unknown.status_code == 400
    assert list(unknown.json()["errors"]) == ["communities"]
    assert Item.objects.get(pk=platform["own"].pk).tlp == "GREEN"


def test_marking_keeps_communities_the_user_cannot_see(orgs, platform):
    quiet = CommunityFactory(name="Stil overleg", confidential=True)
    item = platform["own"]
    ItemAudienceFactory(item=item, community=quiet)  # the admin is no member of it (any longer)
    url = f"/api/v1/items/{item.pk}/marking/"

    response = token_client(orgs["admin"]).patch(url, {"communities": [], "users": [orgs["admin"].pk]},
                                                 format="json")
    amber = token_client(orgs["admin"]).patch(url, {"tlp": "AMBER", "communities": []}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["audience"]["communities"] == []
    assert set(ItemAudience.objects.filter(item=item).values_list("community_id", "user_id")) == {
        (quiet.pk, None), (None, orgs["admin"].pk),
    }
    assert amber.status_code == 400
    assert "Stil overleg" not in json.dumps(amber.json())


# --- comments -------------------------------------------------------------------------------------


def test_comments_follow_the_item(orgs, platform):
    green = platform["green"]
    Comment.objects.create(item=green, author=platform["coordinator"], body_markdown="Eerst", body_html="<p>Eerst</p>")

    listed = token_client(orgs["member"]).get(f"/api/v1/items/{green.pk}/comments/")
    hidden = token_client(orgs["outsider"]).get(f"/api/v1/items/{green.pk}/comments/")
    hidden_post = token_client(orgs["outsider"]).post(f"/api/v1/items/{green.pk}/comments/",
                                                      {"body_markdown": "Hallo"}, format="json")

    assert listed.status_code == 200
    assert [(c["author"]["name"], c["body_html"]) for c in listed.json()["results"]] == [
        ("Coco Coördinator", "<p>Eerst</p>"),
    ]
    assert hidden.status_code == hidden_post.status_code == 404
    assert Comment.objects.filter(item=green).count() == 1


def test_comment_create(orgs, platform):
    green = platform["green"]

    response = token_client(orgs["member"]).post(f"/api/v1/items/{green.pk}/comments/",
                                                 {"body_markdown": "Ook **gezien** <script>x</script>"},
                                                 format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["author"] == {"id": orgs["member"].pk, "name": orgs["member"].name}
    assert "<strong>gezien</strong>" in data["body_html"]
    assert "<script" not in data["body_html"]
    assert token_client(orgs["admin"]).get(f"/api/v1/items/{green.pk}/").json()["comment_count"] == 1


def test_empty_comment_is_400(orgs, platform):
    response = token_client(orgs["member"]).post(f"/api/v1/items/{platform['green'].pk}/comments/",
                                                 {"body_markdown": ""}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["body_markdown"]
