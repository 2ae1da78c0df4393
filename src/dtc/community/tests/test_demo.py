"""The trust platform's demo: the demo business owner coordinates a community with two shared items
they can read (and the public one is public); loading twice adds nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from dtc.community import selectors
from dtc.community.models import Community, Item
from dtc.core import visibility
from dtc.organisations.demo import DEMO_BUSINESS_EMAIL
from dtc.organisations.models import User

pytestmark = pytest.mark.django_db


def test_demo_community_is_loaded_once_and_visible_to_the_business_owner(capsys):
    call_command("load_demo", "--with-demo-users")
    call_command("load_demo", "--with-demo-users")
    assert Community.objects.filter(slug="ondernemers-midden-nederland").count() == 1
    assert Item.objects.count() == 2
    business = User.objects.get(email=DEMO_BUSINESS_EMAIL)
    community = Community.objects.get(slug="ondernemers-midden-nederland")
    assert selectors.community_is_coordinator(user=business, community=community)
    assert selectors.community_items_visible_to(user=business, community=community).count() == 2
    assert visibility.items_visible_to(user=AnonymousUser()).count() == 1
    assert '"items_created": 0' in capsys.readouterr().out.strip().splitlines()[-1]
