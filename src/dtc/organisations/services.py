"""Changing organisations, memberships and profiles. One write path per change, audit-logged."""

from __future__ import annotations

import datetime as dt

from django.conf import settings


def organisations_purge_expired(*, now: dt.datetime) -> dict[str, int]:
    from allauth.account.models import EmailAddress

    from dtc.organisations.models import Invitation, User

    unverified_cutoff = now - dt.timedelta(days=settings.DTC_RETENTION["unverified_accounts"])
    verified_users = EmailAddress.objects.filter(verified=True).values("user_id")
    unverified = User.objects.filter(date_joined__lt=unverified_cutoff, is_staff=False).exclude(
        id__in=verified_users
    )
    invitation_cutoff = now - dt.timedelta(days=settings.DTC_RETENTION["invitations"])
    return {
        "unverified_accounts": unverified.delete()[0],
        "invitations": Invitation.objects.filter(accepted_at__isnull=True, created_at__lt=invitation_cutoff)
        .delete()[0],
    }
