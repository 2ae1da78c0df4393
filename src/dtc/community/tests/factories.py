"""Factories for the trust platform. Traits:
CommunityFactory(confidential=True, tlp_organisation=True, by_request=True);
CommunityMembershipFactory(coordinator=True, requested=True, invited=True, for_organisation=True);
ItemFactory(published=True, red=True, amber=True, amber_strict=True, green=True, clear=True, public=True).
Audience rows: ItemAudienceFactory(item=…, community=… | organisation=… | user=…).
"""

from __future__ import annotations

import factory
from django.utils import timezone

from dtc.community.models import (
    Collaboration,
    Community,
    CommunityMembership,
    Item,
    ItemAudience,
    OrganisationClient,
    Tlp,
)
from dtc.organisations.tests.factories import OrganisationFactory, UserFactory


class CollaborationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collaboration

    name = factory.Sequence(lambda n: f"Samenwerkingsverband {n}")
    slug = factory.Sequence(lambda n: f"samenwerking-{n}")
    kind = Collaboration.Kind.REGIONAL
    connected = True


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    join_policy = Community.JoinPolicy.INVITATION

    class Params:
        confidential = factory.Trait(confidential_membership=True)
        tlp_organisation = factory.Trait(counts_as_tlp_organisation=True)
        by_request = factory.Trait(join_policy=Community.JoinPolicy.REQUEST)


class CommunityMembershipFactory(factory.django.DjangoModelFactory):
    """A person's active membership; `for_organisation=True` makes it an organisation's instead."""

    class Meta:
        model = CommunityMembership

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory, verified=True)
    organisation = None
    role = CommunityMembership.MemberRole.MEMBER
    status = CommunityMembership.Status.ACTIVE

    class Params:
        coordinator = factory.Trait(role=CommunityMembership.MemberRole.COORDINATOR)
        requested = factory.Trait(status=CommunityMembership.Status.REQUESTED)
        invited = factory.Trait(status=CommunityMembership.Status.INVITED)
        for_organisation = factory.Trait(user=None, organisation=factory.SubFactory(OrganisationFactory))


class OrganisationClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationClient

    organisation = factory.SubFactory(OrganisationFactory)
    client = factory.SubFactory(OrganisationFactory)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    kind = Item.Kind.THREAT
    title = factory.Sequence(lambda n: f"Gedeeld item {n}")
    body_markdown = "Phishing-golf met nepfacturen."
    body_html = "<p>Phishing-golf met nepfacturen.</p>"
    tlp = Tlp.AMBER
    status = Item.Status.DRAFT
    author = factory.SubFactory(UserFactory, verified=True)

    class Params:
        published = factory.Trait(status=Item.Status.PUBLISHED, published_at=factory.LazyFunction(timezone.now))
        red = factory.Trait(tlp=Tlp.RED)
        amber = factory.Trait(tlp=Tlp.AMBER)
        amber_strict = factory.Trait(tlp=Tlp.AMBER_STRICT)
        green = factory.Trait(tlp=Tlp.GREEN)
        clear = factory.Trait(tlp=Tlp.CLEAR)
        public = factory.Trait(tlp=Tlp.CLEAR, public_approved=True)


class ItemAudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemAudience

    item = factory.SubFactory(ItemFactory)
    community = None
    organisation = None
    user = None
