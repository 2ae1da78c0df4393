"""`visibility.item_recipients` is `items_visible_to` read the other way round: over random small
platforms (the access matrix's generator: organisations, people, communities, memberships of every
status, declared clients, items of every label × audience shape × draft/published), a person is a
recipient of an item exactly when the item is among the items they may see. Zero differences is
the only pass — a recipient too many is a leak by e-mail, one too few a silent miss."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import given, settings

from dtc.community.tests.test_access_matrix import MATRIX_SETTINGS, Plan, PlanItem, build, plans
from dtc.core import visibility
from dtc.organisations.models import User


def check_recipients(plan: Plan) -> None:
    with transaction.atomic():
        users, _communities, items, _keys = build(plan)
        people = [User.objects.get(pk=user.pk) for user in users]
        seen_by = {
            person.pk: set(visibility.items_visible_to(user=person).values_list("pk", flat=True)) for person in people
        }
        for item in items:
            recipients = set(visibility.item_recipients(item=item).values_list("pk", flat=True))
            expected = {person.pk for person in people if item.pk in seen_by[person.pk]}
            # Only the platform's people: every active account outside the plan sees a public item too.
            recipients &= {person.pk for person in people}
            assert recipients == expected, (
                f"item {item.pk} ({item.tlp}, {item.status}): "
                f"leaked to {recipients - expected}, missed {expected - recipients}"
            )
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(max_examples=100, **MATRIX_SETTINGS)
@given(plan=plans())
def test_item_recipients_equal_items_visible_to(plan: Plan) -> None:
    check_recipients(plan)


@pytest.mark.postgres
@pytest.mark.django_db
@settings(max_examples=150, **MATRIX_SETTINGS)
@given(plan=plans())
def test_item_recipients_equal_items_visible_to_postgres(plan: Plan) -> None:
    check_recipients(plan)


@pytest.mark.django_db
def test_recipients_of_a_draft_and_of_red() -> None:
    """Two shapes spelled out (the property test above could pass vacuously on an empty platform)."""
    plan = Plan(
        organisations=2,
        users=[(True, {0}), (True, {0}), (True, {1}), (False, {0})],
        communities=[(False, True)],
        memberships={(0, "org", 0): ("active", False), (0, "user", 2): ("active", False)},
        clients=set(),
        items=[
            PlanItem(0, "GREEN", False, False, {0}, set(), set()),  # draft: its author only
            PlanItem(0, "RED", True, False, set(), set(), {2, 3}),  # RED: named people (active ones)
            PlanItem(1, "AMBER", True, False, {0}, set(), set()),  # AMBER in a TLP-organisation community
        ],
    )
    with transaction.atomic():
        users, _c, items, _k = build(plan)
        recipients = [set(visibility.item_recipients(item=item).values_list("pk", flat=True)) for item in items]
        assert recipients[0] == {users[0].pk}
        assert recipients[1] == {users[0].pk, users[2].pk}
        assert recipients[2] == {users[0].pk, users[1].pk, users[2].pk}
        transaction.set_rollback(True)
