"""A small platform for the notification tests: one community that counts as a TLP organisation,
its coordinator, and active members in person (alice, bob, carol, dave); an outsider who sees nothing.

`share(...)` creates an item through the community services the way a page does, and runs the
on-commit hooks (the outbox fan-out, then the immediate mails) as a real commit would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group

from dtc.community import services as community_services
from dtc.community.models import Community, Item, Tlp
from dtc.community.tests.factories import CommunityMembershipFactory
from dtc.notifications.models import NotificationPreference
from dtc.organisations.models import Role
from dtc.organisations.tests.factories import UserFactory


@pytest.fixture
def coordinator(db):
    user = UserFactory(verified=True, name="Coördinator Cor")
    user.groups.add(Group.objects.get_or_create(name=Role.COMMUNITY_COORDINATOR.value)[0])
    return user


@pytest.fixture
def community(coordinator) -> Community:
    return community_services.community_create(
        actor=coordinator, name="ISAC Bakkers", slug="isac-bakkers", counts_as_tlp_organisation=True
    )


def _member(community: Community, name: str) -> Any:
    user = UserFactory(verified=True, name=name)
    CommunityMembershipFactory(community=community, user=user)
    return user


@pytest.fixture
def alice(community):
    return _member(community, "Alice Auteur")


@pytest.fixture
def bob(community):
    return _member(community, "Bob Bakker")


@pytest.fixture
def carol(community):
    return _member(community, "Carol Controle")


@pytest.fixture
def dave(community):
    return _member(community, "Dave Dijk")


@pytest.fixture
def outsider(db):
    return UserFactory(verified=True, name="Olga Buiten")


@pytest.fixture
def share(django_capture_on_commit_callbacks, community) -> Callable[..., Item]:
    def _share(author: Any, *, tlp: str = Tlp.GREEN, title: str = "Phishing met nepfacturen",
               body: str = "Let op: facturen van *Bakkersbond* met een kwaadaardige link.",
               communities: list[Community] | None = None, **audience: Any) -> Item:
        with django_capture_on_commit_callbacks(execute=True):
            return community_services.item_create(
                actor=author, kind=Item.Kind.THREAT, title=title, tlp=tlp, body_markdown=body,
                communities=[community] if communities is None else communities, publish=True, **audience,
            )

    return _share


@pytest.fixture
def immediate() -> Callable[..., NotificationPreference]:
    def _immediate(user: Any, *, full_text: bool = False) -> NotificationPreference:
        return NotificationPreference.objects.update_or_create(
            user=user, defaults={"delivery": NotificationPreference.Delivery.IMMEDIATE,
                                 "full_text_for_restricted": full_text},
        )[0]

    return _immediate
