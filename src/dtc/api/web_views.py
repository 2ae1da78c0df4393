"""The signed-in user's page for the personal API token: create, rotate, revoke.

Creating a token hands out a credential that works without a second factor, so the POST actions ask
for recent (re)authentication, the way allauth guards changing e-mail addresses or MFA settings.
The new token is shown once, in the response to the POST, and never stored in a message or cookie.
"""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dtc.api import selectors, services


@require_GET
@login_required
@never_cache
def token_manage(request: HttpRequest) -> HttpResponse:
    token = selectors.api_token_for_user(user=request.user)
    return render(request, "api/token.html", {"token": token, "new_key": None})


@require_POST
@login_required
@reauthentication_required
@never_cache
def token_rotate(request: HttpRequest) -> HttpResponse:
    token = services.api_token_rotate(actor=request.user)
    return render(request, "api/token.html", {"token": token, "new_key": token.key})


@require_POST
@login_required
@reauthentication_required
def token_revoke(request: HttpRequest) -> HttpResponse:
    if services.api_token_revoke(actor=request.user):
        messages.success(request, _("Uw API-token is ingetrokken. Programma's die het gebruikten, hebben geen toegang meer."))
    return redirect("api_web:token")
