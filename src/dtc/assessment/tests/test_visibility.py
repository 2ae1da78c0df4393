"""Who may open a self-assessment result (core.visibility.assessment_result_get_visible).

- An anonymous result is reached by its resume token only, by anyone holding it; never by id.
- An organisation's result is reached by id only by an active member of that organisation.
- An organisation's result reached by token needs a logged-in active member too: a forwarded link
  does not reveal an organisation's weak spots.
- Everything else is 404, the same as for a result that does not exist.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from dtc.assessment import services
from dtc.core.visibility import assessment_result_get_visible
from dtc.organisations.tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def membership(db):
    return MembershipFactory()


@pytest.fixture
def organisation_result(membership, finished_result):
    return finished_result(organisation=membership.organisation)


@pytest.fixture
def anonymous_result(finished_result):
    return finished_result()


@pytest.fixture
def viewers(membership):
    """Everyone who is not an active member of the organisation."""
    inactive = MembershipFactory(organisation=membership.organisation).user
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    return {
        "visitor": AnonymousUser(),
        "outsider": UserFactory(verified=True),
        "member elsewhere": MembershipFactory().user,
        "inactive member": inactive,
    }


def test_anonymous_result_by_token_for_anyone(anonymous_result, membership, viewers):
    for user in [membership.user, *viewers.values()]:
        found = assessment_result_get_visible(user=user, token=anonymous_result.token)
        assert found.pk == anonymous_result.result.pk


def test_anonymous_result_never_by_id(anonymous_result, membership, viewers):
    for user in [membership.user, *viewers.values()]:
        with pytest.raises(Http404):
            assessment_result_get_visible(user=user, result_id=anonymous_result.result.pk)


@pytest.mark.parametrize("token", ["verkeerd", "", None])
def test_wrong_or_missing_token_is_404(anonymous_result, membership, token):
    for user in (AnonymousUser(), membership.user):
        with pytest.raises(Http404):
            assessment_result_get_visible(user=user, token=token)


def test_a_renewed_token_replaces_the_old_one(anonymous_result):
    renewed = services.result_token_renew(result=anonymous_result.result)
    assert assessment_result_get_visible(user=AnonymousUser(), token=renewed).pk == anonymous_result.result.pk
    with pytest.raises(Http404):
        assessment_result_get_visible(user=AnonymousUser(), token=anonymous_result.token)


def test_organisation_result_by_id_only_for_members(organisation_result, membership, viewers):
    result = organisation_result.result
    assert assessment_result_get_visible(user=membership.user, result_id=result.pk).pk == result.pk
    for name, user in viewers.items():
        with pytest.raises(Http404):
            assessment_result_get_visible(user=user, result_id=result.pk)
            pytest.fail(f"{name} opened the result by id")


def test_organisation_result_by_token_only_for_logged_in_members(organisation_result, membership, viewers):
    result = organisation_result.result
    assert assessment_result_get_visible(user=membership.user, token=organisation_result.token).pk == result.pk
    for name, user in viewers.items():
        with pytest.raises(Http404):
            assessment_result_get_visible(user=user, token=organisation_result.token)
            pytest.fail(f"{name} opened the result by token")


def test_a_result_that_does_not_exist_is_404(organisation_result, membership):
    with pytest.raises(Http404):
        assessment_result_get_visible(user=membership.user, result_id=organisation_result.result.pk + 1000)
