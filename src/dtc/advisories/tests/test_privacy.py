"""AVG for tailored alerts: a person's export lists their alert e-mail opt-outs; the purge deletes
alerts and finished outbox rows after their retention, and nothing younger."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dtc.advisories.maintenance import alerts_purge_expired
from dtc.advisories.models import Alert, AlertOptOut, Delivery
from dtc.advisories.tests.factories import AlertFactory
from dtc.organisations.services import user_data_export
from dtc.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_export_lists_alert_opt_outs():
    membership = MembershipFactory()
    AlertOptOut.objects.create(user=membership.user, organisation=membership.organisation)
    data = user_data_export(user=membership.user)
    assert data["alerts"]["alert_email_opt_outs"][0]["organisation"] == membership.organisation.name


def test_purge_respects_retention(settings):
    settings.DTC_RETENTION = {**settings.DTC_RETENTION, "alerts": 730, "alert_deliveries": 90}
    now = timezone.now()
    old, young = AlertFactory(), AlertFactory()
    Alert.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=731))
    Alert.objects.filter(pk=young.pk).update(created_at=now - dt.timedelta(days=100))
    sent_long_ago = Delivery.objects.create(
        alert=young, channel="webhook", recipient="webhook", state="sent",
        available_at=now, created_at=now - dt.timedelta(days=100), sent_at=now - dt.timedelta(days=91),
    )  # fmt: skip
    pending_old = Delivery.objects.create(
        alert=young, channel="email", recipient="u1", state="pending",
        available_at=now, created_at=now - dt.timedelta(days=100),
    )  # fmt: skip
    counts = alerts_purge_expired(now=now)
    assert counts == {"alert_deliveries": 1, "alerts": 1}
    assert not Alert.objects.filter(pk=old.pk).exists()
    assert not Delivery.objects.filter(pk=sent_long_ago.pk).exists()
    assert Delivery.objects.filter(pk=pending_old.pk).exists()  # not finished: never purged unsent
