"""Small data for the API tests: a knowledge tree with live, draft and private pages, two
organisations with an admin, a member and an outsider, and a trust platform around them."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from wagtail.models import Page, PageViewRestriction

from dtc.community.tests.factories import (
    CollaborationFactory,
    CommunityFactory,
    CommunityMembershipFactory,
    ItemAudienceFactory,
    ItemFactory,
)
from dtc.knowledge.tests.factories import (
    ArticlePageFactory,
    CategoryPageFactory,
    HomePageFactory,
    PrincipleIndexPageFactory,
    PrinciplePageFactory,
)
from dtc.organisations.models import Domain, OrganisationProduct, User
from dtc.organisations.tests.factories import (
    PASSWORD,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ProductFactory,
    UserFactory,
)

__all__ = ["PASSWORD", "make_user", "token_client"]


@pytest.fixture
def knowledge(db):
    """Home → principles (2) and categories (voorkomen, reageren) → articles: 3 live, 1 draft, 1 private."""
    home = HomePageFactory()
    index = PrincipleIndexPageFactory(parent=home)
    backups = PrinciplePageFactory(
        parent=index, title="Maak back-ups", slug="back-ups", number=1, summary="Bewaar kopieën.",
        why="<p>Gijzelsoftware.</p>",
        steps=[("step", {"title": "Kies een schijf", "text": "<p>Een <b>externe</b> schijf.</p>"})],
    )
    updates = PrinciplePageFactory(parent=index, title="Installeer updates", slug="updates", number=2)
    prevent = CategoryPageFactory(parent=home, category="voorkomen")
    respond = CategoryPageFactory(parent=home, category="reageren")

    def article(parent, slug, title, **kwargs):
        return ArticlePageFactory(
            parent=parent, slug=slug, title=title, intro=f"Over {title.lower()}.", reading_minutes=4, **kwargs
        )

    return {
        "home": home,
        "principles": [backups, updates],
        "backup_article": article(prevent, "back-ups-maken", "Back-ups maken", principles=[backups],
                                  body='<p>Maak <a href="https://example.org/">elke dag</a> een back-up.</p>'),
        "update_article": article(prevent, "updates-automatisch", "Updates automatisch", principles=[updates]),
        "ransomware_article": article(respond, "gijzelsoftware", "Gijzelsoftware: wat nu", principles=[backups]),
        "draft_article": article(prevent, "concept-wachtwoorden", "Concept over wachtwoorden", draft=True),
        "private_article": _restricted(article(respond, "intern-draaiboek", "Intern draaiboek")),
    }


def _restricted(page: Page) -> Page:
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD, password="geheim")
    return page


def make_user(email: str, *, verified: bool = True) -> User:
    return UserFactory(email=email, verified=verified)


@pytest.fixture
def municipalities(db):
    return {
        "utrecht": MunicipalityFactory(code="GM0344", name="Utrecht", province="UT"),
        "zwolle": MunicipalityFactory(code="GM0193", name="Zwolle", province="OV"),
    }


@pytest.fixture
def orgs(db, municipalities):
    """Bakkerij (admin + member, with a domain and a product) and Garage (outsider is its admin)."""
    bakery = OrganisationFactory(
        name="Bakkerij De Korst", kvk_number="12345678", sector="G", province="UT",
        municipality=municipalities["utrecht"], size_class="2-9",
    )
    garage = OrganisationFactory(name="Garage Snel", kvk_number="87654321")
    admin = MembershipFactory(organisation=bakery, user__email="admin@korst.nl", admin=True).user
    member = MembershipFactory(organisation=bakery, user__email="lid@korst.nl").user
    outsider = MembershipFactory(organisation=garage, user__email="baas@snel.nl", admin=True).user
    Domain.objects.create(organisation=bakery, name="korst.nl")
    OrganisationProduct.objects.create(
        organisation=bakery, product=ProductFactory(vendor="Microsoft", name="365"), version="2024"
    )
    return {"bakery": bakery, "garage": garage, "admin": admin, "member": member, "outsider": outsider}


@pytest.fixture
def api():
    return APIClient()


def token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def platform(orgs):
    """The trust platform around `orgs`:

    - "Regio Utrecht" (open membership list, by request): the bakery (as organisation) and its
      coordinator `coordinator`; items: GREEN by the coordinator, an anonymous GREEN post by the
      bakery's member, the bakery admin's own published GREEN item and draft.
    - "ISAC Bakkers" (confidential membership, counts as a TLP organisation): the bakery admin and a
      `peer` in person; an AMBER item by the peer.
    - "Thema Phishing" (by request): no members from the bakery (to ask to join).
    - "Garage-overleg" (confidential): only the garage; an AMBER item the bakery never sees.
    - A TLP:RED item for the bakery member in person.
    """
    coordinator = UserFactory(email="coordinator@regio.nl", name="Coco Coördinator", verified=True)
    peer = UserFactory(email="collega@isac.nl", name="Petra Peer", verified=True)
    owner = CollaborationFactory(name="Ondernemend Utrecht")
    regio = CommunityFactory(name="Regio Utrecht", slug="regio-utrecht", owner=owner, by_request=True,
                             description="Ondernemers in de regio.")
    isac = CommunityFactory(name="ISAC Bakkers", slug="isac-bakkers", confidential=True, tlp_organisation=True)
    thema = CommunityFactory(name="Thema Phishing", slug="thema-phishing", by_request=True)
    garage_room = CommunityFactory(name="Garage-overleg", slug="garage-overleg", confidential=True,
                                   tlp_organisation=True)
    CommunityMembershipFactory(community=regio, user=coordinator, coordinator=True)
    CommunityMembershipFactory(community=regio, user=None, organisation=orgs["bakery"])
    CommunityMembershipFactory(community=isac, user=coordinator, coordinator=True)
    CommunityMembershipFactory(community=isac, user=orgs["admin"])
    CommunityMembershipFactory(community=isac, user=peer)
    CommunityMembershipFactory(community=thema, user=coordinator, coordinator=True)
    CommunityMembershipFactory(community=garage_room, user=orgs["outsider"], coordinator=True)

    def item(audience: dict, **kwargs):
        created = ItemFactory(**kwargs)
        ItemAudienceFactory(item=created, **audience)
        return created

    return {
        "coordinator": coordinator, "peer": peer,
        "regio": regio, "isac": isac, "thema": thema, "garage_room": garage_room,
        "green": item({"community": regio}, author=coordinator, published=True, green=True,
                      title="Phishing met nepfacturen"),
        "anonymous": item({"community": regio}, author=orgs["member"], published=True, green=True,
                          anonymous=True, title="Anoniem: inbraak bij een lid"),
        "own": item({"community": regio}, author=orgs["admin"], author_organisation=orgs["bakery"],
                    published=True, green=True, title="Onze ervaring met back-ups"),
        "draft": item({"community": regio}, author=orgs["admin"], green=True, title="Concept van de beheerder"),
        "amber_isac": item({"community": isac}, author=peer, published=True, amber=True,
                           title="Kwetsbaarheid in kassasoftware"),
        "amber_garage": item({"community": garage_room}, author=orgs["outsider"], published=True, amber=True,
                             title="Alleen voor de garage"),
        "red": item({"user": orgs["member"]}, author=coordinator, published=True, red=True,
                    title="Alleen voor het lid"),
    }
