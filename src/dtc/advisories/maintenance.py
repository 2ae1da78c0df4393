"""Housekeeping of tailored alerts: retention (AVG) and the periodic "is this product list still right?"
reminder to organisation admins. Both idempotent; run by the scheduler through tasks."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from dtc.advisories.models import Alert, AlertSettings, Delivery
from dtc.organisations.models import Membership, Organisation


def alerts_purge_expired(*, now: dt.datetime) -> dict[str, int]:
    """Retention (models docstring): alerts after DTC_RETENTION["alerts"] days, outbox rows
    DTC_RETENTION["alert_deliveries"] days after they were sent or failed for good."""
    alert_cutoff = now - dt.timedelta(days=settings.DTC_RETENTION["alerts"])
    delivery_cutoff = now - dt.timedelta(days=settings.DTC_RETENTION["alert_deliveries"])
    finished = Q(state=Delivery.State.SENT, sent_at__lt=delivery_cutoff) | Q(
        state=Delivery.State.FAILED, created_at__lt=delivery_cutoff
    )
    return {
        "alert_deliveries": Delivery.objects.filter(finished).delete()[0],
        "alerts": Alert.objects.filter(created_at__lt=alert_cutoff).delete()[0],
    }


def _stale_organisations(*, now: dt.datetime) -> list[int]:
    """Organisations with products whose list was never confirmed or not for DTC_PRODUCTS_CONFIRM_DAYS,
    and that were not reminded within that period either."""
    cutoff = now - dt.timedelta(days=settings.DTC_PRODUCTS_CONFIRM_DAYS)
    confirmed_recently = AlertSettings.objects.filter(
        Q(products_confirmed_at__gte=cutoff) | Q(products_reminded_at__gte=cutoff)
    ).values("organisation_id")
    return list(
        Organisation.objects.filter(product_uses__isnull=False)
        .exclude(pk__in=confirmed_recently)
        .values_list("pk", flat=True)
        .distinct()
    )


def products_reminders_send(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """E-mail the admins of organisations whose product list may be out of date: alerts are only as
    good as that list. At most one reminder per organisation per period; returns e-mails sent."""
    from django.core.mail import EmailMultiAlternatives, mailers

    now = now or timezone.now()
    sent = 0
    organisation_ids = _stale_organisations(now=now)[:limit]
    if not organisation_ids:
        return 0
    with mailers.default as connection:
        for organisation in Organisation.objects.filter(pk__in=organisation_ids):
            with transaction.atomic():
                alert_settings, _ = AlertSettings.objects.select_for_update().get_or_create(
                    organisation=organisation
                )
                cutoff = now - dt.timedelta(days=settings.DTC_PRODUCTS_CONFIRM_DAYS)
                if alert_settings.products_reminded_at and alert_settings.products_reminded_at >= cutoff:
                    continue
                admins = Membership.objects.filter(
                    organisation=organisation, role=Membership.OrgRole.ADMIN, user__is_active=True
                ).select_related("user")
                url = settings.SITE_URL + reverse("organisations:products", args=[organisation.pk])
                for membership in admins:
                    user = membership.user
                    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
                        context = {"user": user, "organisation": organisation, "products_url": url}
                        subject = render_to_string("advisories/reminder/subject.txt", context).strip()
                        body = render_to_string("advisories/reminder/body.txt", context)
                    message = EmailMultiAlternatives(
                        subject=subject, body=body, to=[user.email], connection=connection
                    )
                    sent += message.send()
                alert_settings.products_reminded_at = now
                alert_settings.save(update_fields=["products_reminded_at"])
    return sent
