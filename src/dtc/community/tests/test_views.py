"""Pages of the trust platform: members see their community's feed and items with the TLP label written
out; whatever the visibility module hides is a 404 on every page (an outsider's item URL, another
person's draft, a confidential community); coordinators alone manage members and confidential member
lists stay hidden; forms re-render with a translated error and keep what the user typed; POSTs need
a CSRF token; the feed runs a constant number of queries however many items it shows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from dtc.community.models import Community, CommunityMembership, Item, ItemAudience, Tlp
from dtc.community.tests.factories import (
    CommunityFactory,
    CommunityMembershipFactory,
    ItemAudienceFactory,
    ItemFactory,
)
from dtc.organisations.models import Role
from dtc.organisations.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"community:{name}", args=args)


@pytest.fixture
def community(db):
    return CommunityFactory(tlp_organisation=True, name="Zorg-ISAC")


@pytest.fixture
def coordinator(community):
    return CommunityMembershipFactory(community=community, coordinator=True).user


@pytest.fixture
def member(community, coordinator):
    return CommunityMembershipFactory(community=community).user


@pytest.fixture
def outsider(db):
    return UserFactory(verified=True)


def logged_in(client, user):
    client.force_login(user)
    return client


def shared(community, **kwargs):
    item = ItemFactory(published=True, **kwargs)
    ItemAudienceFactory(item=item, community=community)
    return item


def item_post(**overrides):
    data = {
        "kind": "threat",
        "title": "Nepfacturen uit naam van leverancier",
        "body_markdown": "Let op **nepfacturen**.",
        "tlp": Tlp.AMBER,
        "in_community": "on",
        "people": "",
        "author_organisation": "",
        "action": "publish",
    }
    return data | overrides


# --- pages render for members -------------------------------------------------------------------


def test_pages_need_login(client, community):
    response = client.get(url("detail", community.pk))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_member_sees_every_page(client, community, member):
    item = shared(community, title="Phishing bij zorginstellingen")
    client = logged_in(client, member)
    for path in [
        url("list"),
        url("detail", community.pk),
        url("members", community.pk),
        url("item_create", community.pk),
        url("item_detail", item.pk),
        url("drafts"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
    assert "Phishing bij zorginstellingen" in client.get(url("detail", community.pk)).text


def test_list_shows_my_and_other_communities_not_confidential_ones(client, community, member):
    other = CommunityFactory(name="Regio Twente")
    hidden = CommunityFactory(confidential=True, name="Geheime kring")
    response = logged_in(client, member).get(url("list"))
    assert community.name in response.text and other.name in response.text
    assert hidden.name not in response.text
    assert url("create") not in response.text  # only coordinators open communities


def test_list_empty_state(client, outsider):
    response = logged_in(client, outsider).get(url("list"))
    assert "U bent nog geen lid van een community" in response.text
    assert "Er zijn geen andere communities." in response.text


def test_feed_shows_tlp_label_in_text_newest_first(client, community, member):
    shared(community, title="Oud bericht", green=True)
    shared(community, title="Nieuw bericht", amber_strict=True)
    response = logged_in(client, member).get(url("detail", community.pk))
    assert "TLP:GREEN" in response.text and "TLP:AMBER+STRICT" in response.text
    assert 'class="dtc-tlp dtc-tlp--amberstrict"' in response.text
    assert response.text.index("Nieuw bericht") < response.text.index("Oud bericht")


def test_feed_is_paginated(client, community, member):
    for n in range(23):
        shared(community, title=f"Melding {n:02d}")
    client = logged_in(client, member)
    first = client.get(url("detail", community.pk))
    assert "Pagina 1 van 2" in first.text
    second = client.get(url("detail", community.pk), {"pagina": 2})
    assert "Melding 00" in second.text and "Melding 00" not in first.text


def test_feed_empty_state(client, community, member):
    response = logged_in(client, member).get(url("detail", community.pk))
    assert "Er is hier nog niets gedeeld" in response.text


# --- hidden is a 404 ------------------------------------------------------------------------------


def test_outsider_gets_404_for_a_community_item(client, community, outsider):
    item = shared(community, title="Alleen voor leden")
    client = logged_in(client, outsider)
    assert client.get(url("item_detail", item.pk)).status_code == 404
    assert client.get(url("item_detail", 987654)).status_code == 404
    assert client.post(url("item_publish", item.pk)).status_code == 404
    feed = client.get(url("detail", community.pk))  # visible community, but not its items
    assert feed.status_code == 200
    assert "Alleen voor leden" not in feed.text


def test_confidential_community_is_404_for_outsiders(client, outsider):
    hidden = CommunityFactory(confidential=True)
    client = logged_in(client, outsider)
    for name in ["detail", "members", "item_create"]:
        assert client.get(url(name, hidden.pk)).status_code == 404, name
    assert client.post(url("join_request", hidden.pk)).status_code == 404


def test_draft_is_visible_to_its_author_only(client, community, member, coordinator):
    draft = ItemFactory(author=member, title="Mijn halve tekst")
    ItemAudienceFactory(item=draft, community=community)
    author = logged_in(Client(), member)
    assert author.get(url("item_detail", draft.pk)).status_code == 200
    assert "Mijn halve tekst" in author.get(url("drafts")).text
    other = logged_in(client, coordinator)
    assert other.get(url("item_detail", draft.pk)).status_code == 404
    assert "Mijn halve tekst" not in other.get(url("detail", community.pk)).text
    assert "Mijn halve tekst" not in other.get(url("drafts")).text


def test_author_publishes_a_draft(client, community, member, coordinator):
    draft = ItemFactory(author=member)
    ItemAudienceFactory(item=draft, community=community)
    response = logged_in(client, member).post(url("item_publish", draft.pk))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Item.Status.PUBLISHED
    assert logged_in(Client(), coordinator).get(url("item_detail", draft.pk)).status_code == 200


# --- item pages ---------------------------------------------------------------------------------


def test_item_detail_banner_sanitised_markdown_and_anonymous_author(client, community, member):
    item = shared(
        community,
        title="Lek in VPN",
        body_markdown="**Patch nu**\n\n<script>alert(1)</script> [x](javascript:alert(1))",
        body_html="<script>alert('stored')</script>",
        anonymous=True,
    )
    response = logged_in(client, member).get(url("item_detail", item.pk))
    assert "TLP:AMBER" in response.text
    assert "Wat mag u ermee:" in response.text
    assert "<strong>Patch nu</strong>" in response.text
    assert "<script>alert" not in response.text
    assert 'href="javascript:' not in response.text
    assert "Anoniem namens de community" in response.text
    assert item.author.email not in response.text


def test_member_creates_and_publishes_an_item(client, community, member):
    response = logged_in(client, member).post(url("item_create", community.pk), item_post())
    item = Item.objects.get(title="Nepfacturen uit naam van leverancier")
    assert response.status_code == 302
    assert response["Location"] == url("item_detail", item.pk)
    assert item.status == Item.Status.PUBLISHED and item.tlp == Tlp.AMBER and item.author == member
    assert list(ItemAudience.objects.filter(item=item).values_list("community_id", flat=True)) == [
        community.pk
    ]


def test_item_saved_as_draft(client, community, member):
    logged_in(client, member).post(url("item_create", community.pk), item_post(action="draft"))
    assert Item.objects.get().status == Item.Status.DRAFT


def test_item_form_errors_are_shown_and_keep_input(client, community, member):
    response = logged_in(client, member).post(
        url("item_create", community.pk), item_post(kind="", body_markdown="Mijn *eigen* tekst")
    )
    assert response.status_code == 400
    assert "Niet alles is goed ingevuld" in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="Nepfacturen uit naam van leverancier"' in response.text
    assert "Mijn *eigen* tekst" in response.text
    assert not Item.objects.exists()


def test_service_rule_is_explained_and_input_kept(client, member):
    loose = CommunityFactory(name="Losse kring")
    CommunityMembershipFactory(community=loose, user=member)
    response = logged_in(client, member).post(url("item_create", loose.pk), item_post(tlp=Tlp.AMBER))
    assert response.status_code == 400
    assert "Losse kring telt niet als één TLP-organisatie" in response.text
    assert 'value="Nepfacturen uit naam van leverancier"' in response.text
    assert not Item.objects.exists()


def test_unknown_person_in_audience_is_explained(client, community, member):
    response = logged_in(client, member).post(
        url("item_create", community.pk), item_post(tlp=Tlp.RED, in_community="", people="niemand@nergens.nl")
    )
    assert response.status_code == 400
    assert "Geen account met dit e-mailadres: niemand@nergens.nl" in response.text
    assert "niemand@nergens.nl</textarea>" in response.text


def test_non_member_may_not_share_in_a_visible_community(client, community, outsider):
    assert logged_in(client, outsider).get(url("item_create", community.pk)).status_code == 403


def test_posts_need_a_csrf_token(community, member):
    csrf_client = logged_in(Client(enforce_csrf_checks=True), member)
    html = csrf_client.get(url("item_create", community.pk)).text
    assert 'name="csrfmiddlewaretoken"' in html
    assert csrf_client.post(url("item_create", community.pk), item_post()).status_code == 403
    assert not Item.objects.exists()


def test_feed_runs_a_constant_number_of_queries(client, community, member, django_assert_max_num_queries):
    client = logged_in(client, member)
    for n in range(3):
        shared(community, title=f"Melding {n}", author=UserFactory())
    with django_assert_max_num_queries(17) as few:
        client.get(url("detail", community.pk))
    for n in range(20):
        shared(community, title=f"Extra {n}", author=UserFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("detail", community.pk))
    assert response.text.count('class="dtc-tlp ') == 20


# --- members --------------------------------------------------------------------------------------


def test_coordinator_sees_management_and_member_sees_list(client, community, coordinator, member):
    as_coordinator = logged_in(Client(), coordinator).get(url("members", community.pk))
    assert "Uitnodigen" in as_coordinator.text and member.email in as_coordinator.text
    as_member = logged_in(client, member).get(url("members", community.pk))
    assert coordinator.email in as_member.text
    assert 'name="organisation"' not in as_member.text
    assert (
        logged_in(client, member).post(url("members", community.pk), {"email": "x@y.nl"}).status_code == 403
    )


def test_confidential_membership_hides_other_members(client):
    community = CommunityFactory(confidential=True, tlp_organisation=True)
    coordinator = CommunityMembershipFactory(community=community, coordinator=True).user
    member = CommunityMembershipFactory(community=community).user
    other = CommunityMembershipFactory(community=community).user
    response = logged_in(client, member).get(url("members", community.pk))
    assert response.status_code == 200
    assert "vertrouwelijk" in response.text
    assert member.email in response.text
    assert other.email not in response.text and coordinator.email not in response.text
    assert other.email in logged_in(Client(), coordinator).get(url("members", community.pk)).text


def test_coordinator_invites_an_organisation_its_admin_accepts(client, community, coordinator):
    admin = MembershipFactory(admin=True)
    colleague = MembershipFactory(organisation=admin.organisation).user
    response = logged_in(client, coordinator).post(
        url("members", community.pk), {"organisation": admin.organisation.name, "email": ""}
    )
    assert response.status_code == 302
    invited = CommunityMembership.objects.get(organisation=admin.organisation)
    assert invited.status == CommunityMembership.Status.INVITED

    page = logged_in(Client(), admin.user).get(url("detail", community.pk))
    assert url("invitation_accept", community.pk, invited.pk) in page.text
    logged_in(Client(), admin.user).post(url("invitation_accept", community.pk, invited.pk))
    invited.refresh_from_db()
    assert invited.status == CommunityMembership.Status.ACTIVE
    assert logged_in(Client(), colleague).get(url("item_create", community.pk)).status_code == 200


def test_invite_form_errors_keep_input(client, community, coordinator):
    response = logged_in(client, coordinator).post(
        url("members", community.pk), {"organisation": "Bestaat Niet B.V.", "email": ""}
    )
    assert response.status_code == 400
    assert "Wij vinden geen organisatie" in response.text
    assert 'value="Bestaat Niet B.V."' in response.text
    both = logged_in(client, coordinator).post(
        url("members", community.pk), {"organisation": "", "email": ""}
    )
    assert "één van beide" in both.text


def test_join_request_and_approval(client, outsider):
    community = CommunityFactory(by_request=True)
    coordinator = CommunityMembershipFactory(community=community, coordinator=True).user
    client = logged_in(client, outsider)
    assert "Lidmaatschap aanvragen" in client.get(url("detail", community.pk)).text
    client.post(url("join_request", community.pk))
    request = CommunityMembership.objects.get(user=outsider)
    assert request.status == CommunityMembership.Status.REQUESTED
    assert "wacht op een coördinator" in client.get(url("detail", community.pk)).text

    coordinator_client = logged_in(Client(), coordinator)
    assert f"{outsider.email} toelaten" in coordinator_client.get(url("members", community.pk)).text
    coordinator_client.post(url("membership_approve", community.pk, request.pk))
    request.refresh_from_db()
    assert request.status == CommunityMembership.Status.ACTIVE


def test_invitation_only_community_has_no_request_button(client, community, outsider):
    response = logged_in(client, outsider).get(url("detail", community.pk))
    assert "Lidmaatschap aanvragen" not in response.text
    assert "alleen op uitnodiging" in response.text


def test_coordinator_removes_a_member(client, community, coordinator, member):
    membership = CommunityMembership.objects.get(user=member)
    logged_in(client, coordinator).post(url("membership_remove", community.pk, membership.pk))
    assert not CommunityMembership.objects.filter(pk=membership.pk).exists()


def test_member_cannot_remove_another_member(client, community, coordinator, member):
    membership = CommunityMembership.objects.get(user=coordinator)
    response = logged_in(client, member).post(url("membership_remove", community.pk, membership.pk))
    assert response.status_code == 403
    assert CommunityMembership.objects.filter(pk=membership.pk).exists()


# --- opening a community --------------------------------------------------------------------------


def test_community_coordinator_opens_a_community(client):
    user = UserFactory(verified=True)
    user.groups.add(Group.objects.get_or_create(name=Role.COMMUNITY_COORDINATOR.value)[0])
    client = logged_in(client, user)
    assert url("create") in client.get(url("list")).text
    response = client.post(
        url("create"),
        {"name": "Water-ISAC", "owner": "", "join_policy": "request", "counts_as_tlp_organisation": "on"},
    )
    community = Community.objects.get(name="Water-ISAC")
    assert response["Location"] == url("detail", community.pk)
    assert community.counts_as_tlp_organisation and community.join_policy == "request"
    assert CommunityMembership.objects.get(community=community).user == user
    assert CommunityMembership.objects.get(community=community).role == "coordinator"

    again = client.post(url("create"), {"name": "Water ISAC", "owner": "", "join_policy": "request"})
    assert again.status_code == 400
    assert "Er is al een community" in again.text
    assert 'value="Water ISAC"' in again.text


def test_others_cannot_open_a_community(client, outsider):
    assert logged_in(client, outsider).get(url("create")).status_code == 403


def test_feed_pages_count_only_visible_items_and_clamp_the_page_number(client, community, member):
    """The feed's two-step pages (ids with a window count, then rows): numbering as Django's own."""
    for n in range(23):
        shared(community, title=f"Zichtbaar {n:02d}", green=True, author=UserFactory())
    for n in range(4):
        shared(community, title=f"Verborgen {n}", red=True, author=UserFactory())  # RED to nobody named
    client = logged_in(client, member)
    first = client.get(url("detail", community.pk))
    assert first.context["page"].paginator.count == 23 and first.context["page"].number == 1
    assert len(first.context["entries"]) == 20 and "Verborgen" not in first.text
    second = client.get(url("detail", community.pk), {"pagina": 2})
    assert [item.title for item, _author in second.context["entries"]] == ["Zichtbaar 02", "Zichtbaar 01", "Zichtbaar 00"]
    assert client.get(url("detail", community.pk), {"pagina": 9}).context["page"].number == 2
    assert client.get(url("detail", community.pk), {"pagina": "abc"}).context["page"].number == 1
    empty = CommunityFactory()
    CommunityMembershipFactory(community=empty, user=member)
    page = client.get(url("detail", empty.pk), {"pagina": 3}).context["page"]
    assert page.paginator.count == 0 and page.number == 1 and list(page.object_list) == []
