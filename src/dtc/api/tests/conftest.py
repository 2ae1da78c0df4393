"""Small data for the API tests: a knowledge tree with live, draft and private pages, and two
organisations with an admin, a member and an outsider."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from wagtail.models import Page, PageViewRestriction

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
