"""Every answer under /api/v1/ is JSON, unknown paths included; the OpenAPI document and the
Swagger UI are served, the latter without inline script or style (the site's CSP forbids both)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/bestaat-niet/", "/api/v1/articles", "/api/v1/a/b/c"])
def test_unknown_api_paths_are_json_404(client, method, path):
    response = getattr(client, method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_wrong_method_is_json_405(api):
    response = api.delete("/api/v1/articles/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_invalid_token_is_json_401(api):
    response = api.get("/api/v1/articles/", HTTP_AUTHORIZATION="Token nietgeldig")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_schema_is_openapi_3_with_our_paths_only(client):
    response = client.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/principles/", "/api/v1/principles/{slug}/", "/api/v1/articles/", "/api/v1/articles/{slug}/",
        "/api/v1/organisations/", "/api/v1/organisations/{id}/", "/api/v1/auth/token/",
        "/api/v1/communities/", "/api/v1/communities/{id}/", "/api/v1/communities/{id}/memberships/",
        "/api/v1/communities/{id}/join/", "/api/v1/communities/{id}/items/",
        "/api/v1/items/", "/api/v1/items/{id}/", "/api/v1/items/{id}/publish/", "/api/v1/items/{id}/marking/",
        "/api/v1/items/{id}/comments/", "/api/v1/assessment/questions/", "/api/v1/assessment/results/",
    }
    patch = schema["paths"]["/api/v1/organisations/{id}/"]["patch"]
    assert {"200", "400", "401", "403", "404"} <= set(patch["responses"])
    create = schema["paths"]["/api/v1/items/"]["post"]
    assert {"201", "400", "401", "403"} <= set(create["responses"])
    assert schema["paths"]["/api/v1/items/"]["get"]["parameters"]  # the filters are documented


def test_swagger_ui_has_no_inline_script_or_style(client):
    response = client.get("/api/v1/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> in the docs page"
    assert " style=" not in html


def test_swagger_ui_init_script_is_served_as_javascript(client):
    response = client.get("/api/v1/docs/", {"script": ""})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in response.content.decode()
