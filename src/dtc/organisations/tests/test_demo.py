"""Demo data: loading twice gives the same result; the demo business user administers the demo
bakery with a domain and five products, the editor is staff in the editor group."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from dtc.organisations.demo import (
    DEMO_BUSINESS_EMAIL,
    DEMO_EDITOR_EMAIL,
    DEMO_PASSWORD,
    organisations_demo_load,
)
from dtc.organisations.models import Organisation, User

pytestmark = pytest.mark.django_db


def test_demo_load_is_idempotent():
    first = organisations_demo_load(with_users=True)
    second = organisations_demo_load(with_users=True)
    assert first["users_created"] == 2 and second["users_created"] == 0
    assert first["municipalities"] == 342
    organisation = Organisation.objects.get(name="Bakkerij De Korenschoof")
    assert organisation.memberships.get().user.email == DEMO_BUSINESS_EMAIL
    assert organisation.product_uses.count() == 5
    assert organisation.domains.count() == 1
    assert organisation.municipality.name == "Utrecht"
    business = User.objects.get(email=DEMO_BUSINESS_EMAIL)
    assert business.check_password(DEMO_PASSWORD)
    assert EmailAddress.objects.get(user=business).verified
    editor = User.objects.get(email=DEMO_EDITOR_EMAIL)
    assert editor.is_staff and not editor.is_superuser
    assert editor.groups.filter(name="editor").exists()


def test_demo_without_users_loads_reference_data_only():
    counts = organisations_demo_load(with_users=False)
    assert counts["products"] >= 80
    assert not User.objects.exists()
