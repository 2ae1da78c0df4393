"""Every API error is JSON with a clear message: {"detail": …, "code": …, "errors": {…}}."""

from __future__ import annotations

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data:
        detail = data["detail"]
        response.data = {"detail": str(detail), "code": getattr(detail, "code", "error")}
    else:
        response.data = {"detail": "Invalid input.", "code": "invalid", "errors": data}
    return response
