"""Security middleware of our own: staff may only use the back office with a second factor."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from dtc.core.permissions import user_has_mfa

BACK_OFFICE_PREFIXES = ("/beheer/", "/cms/")


class StaffMFAMiddleware:
    """Redirect staff without an activated authenticator to MFA set-up before any back-office page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.DTC_STAFF_MFA_REQUIRED
            and user is not None
            and user.is_authenticated
            and (user.is_staff or user.is_superuser)
            and request.path.startswith(BACK_OFFICE_PREFIXES)
            and not user_has_mfa(user)
        ):
            messages.warning(
                request,
                _("Stel eerst tweestapsverificatie in. Medewerkers kunnen pas daarna in het beheer."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
