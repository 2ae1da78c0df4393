"""Personal API tokens: obtaining one with e-mail and password, rotating and revoking it. Audit-logged.

A token lets a program act as the user on the API without a second factor. So a password alone
never yields a token for a user who protects the account with MFA: they create the token in the
web interface, after signing in with both factors.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from dtc.core.audit import audit_log_record
from dtc.core.permissions import user_has_mfa


class TokenObtainRefused(Exception):
    """The credentials do not give a token; ``code`` says why, ``message`` is for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def api_token_obtain(*, request: HttpRequest, email: str, password: str) -> Token:
    """The user's token (created when there is none) for a correct e-mail address and password.

    Authentication goes through allauth, so failed attempts count towards the same rate limits and
    lockout as the web login (settings.ACCOUNT_RATE_LIMITS "login_failed").
    """
    try:
        user: Any = get_adapter(request).authenticate(request, email=email.strip().lower(), password=password)
    except ValidationError as exc:  # allauth: too many failed attempts
        raise TokenObtainRefused(
            "too_many_attempts", _("Te veel mislukte pogingen. Probeer het over enkele minuten opnieuw.")
        ) from exc
    if user is None or not user.is_active:
        raise TokenObtainRefused("invalid_credentials", _("Het e-mailadres of het wachtwoord klopt niet."))
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        raise TokenObtainRefused(
            "email_not_verified", _("Bevestig eerst uw e-mailadres via de link in de e-mail die wij stuurden.")
        )
    if user_has_mfa(user):
        raise TokenObtainRefused(
            "mfa_required",
            _(
                "Uw account is beveiligd met tweestapsverificatie. Een wachtwoord alleen geeft daarom "
                "geen API-token. Log in op de website en maak een token aan onder Mijn omgeving → API-token."
            ),
        )
    with transaction.atomic():
        token, created = Token.objects.get_or_create(user=user)
        if created:
            audit_log_record(actor=user, action="api_token.create", target=user, after={"via": "password"})
    return token


@transaction.atomic
def api_token_rotate(*, actor: Any) -> Token:
    """Replace the actor's token by a new one (or create the first); the old one stops working at once."""
    revoked = Token.objects.filter(user=actor).delete()[0] > 0
    token = Token.objects.create(user=actor)
    audit_log_record(
        actor=actor, action="api_token.rotate" if revoked else "api_token.create", target=actor,
        after={"via": "web"},
    )
    return token


@transaction.atomic
def api_token_revoke(*, actor: Any) -> bool:
    """Delete the actor's token. Returns whether there was one."""
    revoked = Token.objects.filter(user=actor).delete()[0] > 0
    if revoked:
        audit_log_record(actor=actor, action="api_token.revoke", target=actor)
    return revoked
