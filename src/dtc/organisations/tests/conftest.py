import pytest

from dtc.organisations.tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def admin_membership(db):
    return MembershipFactory(admin=True)


@pytest.fixture
def admin_user(admin_membership):
    return admin_membership.user


@pytest.fixture
def organisation(admin_membership):
    return admin_membership.organisation


@pytest.fixture
def member(organisation):
    return MembershipFactory(organisation=organisation).user


@pytest.fixture
def outsider(db):
    return UserFactory(verified=True)
