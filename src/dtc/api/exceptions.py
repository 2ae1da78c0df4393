"""Every API error is JSON with a clear message: {"detail": …, "code": …, "errors": {…}}.

Services raise Django's ``ValidationError`` (they know nothing of HTTP); here it becomes the same
400 body as a serializer's validation error, with the messages per field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def _django_validation_errors(exc: DjangoValidationError) -> dict[str, list[str]] | list[str]:
    if hasattr(exc, "error_dict"):
        errors: dict[str, list[str]] = {}
        for field, messages in exc.message_dict.items():
            key = api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field
            errors[key] = [str(message) for message in messages]
        return errors
    return {api_settings.NON_FIELD_ERRORS_KEY: [str(message) for message in exc.messages]}


def _messages(value: Any) -> list[str]:
    """A field's errors as a flat list of messages: errors in a list field come per position
    ({"0": [...]}) from DRF, and the documented shape is one list of messages per field."""
    if isinstance(value, dict):
        return [message for inner in value.values() for message in _messages(inner)]
    if isinstance(value, list | tuple):
        return [message for inner in value for message in _messages(inner)]
    return [str(value)]


def exception_handler(exc: Exception, context: dict[str, Any]):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_errors(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError) or not (isinstance(data, dict) and "detail" in data):
        if not isinstance(data, dict):
            data = {api_settings.NON_FIELD_ERRORS_KEY: data}
        errors = {field: _messages(messages) for field, messages in data.items()}
        response.data = {"detail": _("De invoer is niet geldig."), "code": "invalid", "errors": errors}
    else:
        detail = data["detail"]
        response.data = {"detail": str(detail), "code": getattr(detail, "code", None) or "error"}
    return response


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """The last route under /api/v1/: unknown API paths answer in JSON, like every other API error."""
    return JsonResponse(
        {"detail": _("Dit API-adres bestaat niet. Zie /api/v1/docs/ voor de beschikbare adressen."),
         "code": "not_found"},
        status=404,
    )
