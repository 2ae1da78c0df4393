"""Small helpers about who a user is; access to marked information lives in core.visibility."""

from __future__ import annotations

from typing import Any


def user_has_mfa(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()
