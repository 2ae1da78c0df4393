"""Security middleware of our own: staff may only use the back office with a second factor."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from dtc.core.permissions import user_has_mfa

BACK_OFFICE_PREFIXES = ("/beheer/", "/cms/", "/analist/")


class StaffMFAMiddleware:
    """Redirect anyone without an activated authenticator to MFA set-up before any back-office page.

    Not only `is_staff`: Wagtail lets editors in through a group permission, so the rule is about
    the place (CMS, admin), not the flag.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.DTC_STAFF_MFA_REQUIRED
            and user is not None
            and user.is_authenticated
            and request.path.startswith(BACK_OFFICE_PREFIXES)
            and not user_has_mfa(user)
        ):
            messages.warning(
                request,
                _("Stel eerst tweestapsverificatie in. Medewerkers kunnen pas daarna in het beheer."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class DutchFirstLocaleMiddleware:
    """Dutch unless the visitor chose English with the language switch (a functional cookie).

    Django's LocaleMiddleware follows the browser's Accept-Language, which would show most visitors
    with an English browser an English site; the centre's audience is Dutch, so the browser's
    preference is not used.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        from django.utils.cache import patch_vary_headers

        patch_vary_headers(response, ("Cookie",))
        return response
