"""Small helpers for views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def redirect_with_errors(
    request: HttpRequest, exc: ValidationError | PermissionDenied, to: str, *args: Any
) -> HttpResponse:
    """Show a refused change's reasons as messages on the page the user returns to."""
    for message in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, message)
    return redirect(to, *args)
