"""The "is this product list still right?" reminder goes to the admins of an organisation whose list
was never confirmed (or long ago), once per period; not to members, not to a recently confirmed one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from dtc.advisories.maintenance import products_reminders_send
from dtc.advisories.models import AlertSettings
from dtc.organisations.models import OrganisationProduct
from dtc.organisations.tests.factories import MembershipFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _organisation_with_products():
    admin = MembershipFactory(admin=True)
    MembershipFactory(organisation=admin.organisation)  # a plain member: no reminder
    OrganisationProduct.objects.create(organisation=admin.organisation, product=ProductFactory(), version="")
    return admin


def test_reminder_once_per_period_to_admins_only(settings):
    settings.DTC_PRODUCTS_CONFIRM_DAYS = 180
    admin = _organisation_with_products()
    now = timezone.now()
    assert products_reminders_send(now=now) == 1
    assert [m.to for m in mail.outbox] == [[admin.user.email]]
    assert admin.organisation.name in mail.outbox[0].subject
    assert f"/mijn/organisaties/{admin.organisation.pk}/producten/" in mail.outbox[0].body
    assert products_reminders_send(now=now + dt.timedelta(days=10)) == 0  # already reminded
    assert products_reminders_send(now=now + dt.timedelta(days=181)) == 1  # next period


def test_recently_confirmed_list_gets_no_reminder():
    admin = _organisation_with_products()
    AlertSettings.objects.create(organisation=admin.organisation, products_confirmed_at=timezone.now())
    assert products_reminders_send() == 0
    assert mail.outbox == []
