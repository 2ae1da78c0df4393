"""Property-based check of the whole API against its own OpenAPI document (schemathesis).

For every operation, anonymously and with the token of a user who is admin of one organisation (and
a member of communities, with items of their own): no request answers 5xx, and every answer (status
code, content type, body) matches the schema. Bounded to ~25 examples per operation so the run stays
within a few minutes.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dtc.assessment import selectors
from dtc.assessment.services import questionset_load
from dtc.assessment.tests.factories import DEFAULT_CONTEXT, answers_at

pytestmark = [pytest.mark.django_db]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 25


@pytest.fixture
def api_schema(knowledge, orgs, platform):
    questionset_load()  # the self-assessment's published question set
    # Like Django's test client: the real WSGI handler would close the database connection after each
    # request (persistent connections outside autocommit), which ends the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", WSGIHandler())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _operations(schema):
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) == 22, [operation.label for operation in operations]
    return operations


def _fuzz(operation, *, headers: dict[str, str], path_parameters: dict | None, seen: set[int]) -> None:
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy(path_parameters=path_parameters))
    def run(case):
        # Throttles and the login lockout count in the cache; they would turn most generated requests
        # into 429s (they have tests of their own, in test_tokens). Here every request reaches the view.
        cache.clear()
        seen.add(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

    run()


def _fuzz_all(
    schema, *, headers: dict[str, str], known: dict[str, dict], explicit: dict[str, dict] | None = None
) -> tuple[list[str], dict[str, set[int]]]:
    """Fuzz each operation with generated path parameters and, where `known` names some, once more
    with those (so the run reaches existing objects, not only 404s); then send the hand-made cases of
    `explicit` (label → case), for input no generator guesses (ids of the user's own communities).
    Returns failures and statuses seen."""
    failures, statuses = [], {}
    for operation in _operations(schema):
        statuses[operation.label] = seen = set()
        for path_parameters in [None, known.get(operation.path)]:
            if path_parameters is None and operation.path in known and seen:
                continue
            try:
                _fuzz(operation, headers=headers, path_parameters=path_parameters, seen=seen)
            except Exception as exc:  # collect: one report for all operations
                failures.append(f"{operation.label} {path_parameters or ''}:\n{exc}")
        if operation.label in (explicit or {}):
            cache.clear()
            try:
                case = operation.Case(**explicit[operation.label])  # type: ignore[index]
                seen.add(case.call_and_validate(headers=headers, checks=CHECKS).status_code)
            except Exception as exc:
                failures.append(f"{operation.label} (explicit case):\n{exc}")
    return failures, statuses


def _known(orgs, platform) -> dict[str, dict]:
    return {
        "/api/v1/principles/{slug}/": {"slug": "back-ups"},
        "/api/v1/articles/{slug}/": {"slug": "back-ups-maken"},
        "/api/v1/organisations/{id}/": {"id": orgs["bakery"].pk},
        "/api/v1/communities/{id}/": {"id": platform["regio"].pk},
        "/api/v1/communities/{id}/memberships/": {"id": platform["isac"].pk},
        "/api/v1/communities/{id}/join/": {"id": platform["thema"].pk},
        "/api/v1/communities/{id}/items/": {"id": platform["regio"].pk},
        "/api/v1/items/{id}/": {"id": platform["green"].pk},
        "/api/v1/items/{id}/publish/": {"id": platform["draft"].pk},
        "/api/v1/items/{id}/marking/": {"id": platform["own"].pk},
        "/api/v1/items/{id}/comments/": {"id": platform["green"].pk},
    }


def _explicit(orgs, platform) -> dict[str, dict]:
    return {
        "POST /api/v1/items/": {"media_type": "application/json", "body": {
            "kind": "measure", "title": "Zet MFA aan", "tlp": "AMBER", "body_markdown": "Op **alle** accounts.",
            "communities": [platform["isac"].pk], "organisations": [orgs["bakery"].pk],
            "users": [platform["peer"].pk], "author_organisation": orgs["bakery"].pk, "publish": True,
        }},
        "POST /api/v1/assessment/results/": {"media_type": "application/json", "body": {
            "context": DEFAULT_CONTEXT, "answers": answers_at(selectors.questionset_current(), rung=2),
        }},
    }


def _successful(statuses: dict[str, set[int]]) -> set[str]:
    return {label for label, seen in statuses.items() if any(200 <= status < 300 for status in seen)}


def test_every_operation_anonymously(api_schema, orgs, platform):
    failures, statuses = _fuzz_all(api_schema, headers={}, known=_known(orgs, platform),
                                   explicit=_explicit(orgs, platform))

    assert not failures, "\n\n".join(failures)
    assert _successful(statuses) == {
        "GET /api/v1/principles/", "GET /api/v1/principles/{slug}/",
        "GET /api/v1/articles/", "GET /api/v1/articles/{slug}/",
        "GET /api/v1/assessment/questions/", "POST /api/v1/assessment/results/",
    }
    private = [label for label in statuses if "/organisations/" in label or "/communities/" in label
               or "/items/" in label]
    assert len(private) == 15
    # 401 for every private operation (404 only for ids no route accepts, such as negative ones).
    assert all(401 in statuses[label] and statuses[label] <= {401, 404} for label in private), statuses


def test_every_operation_as_organisation_admin(api_schema, orgs, platform):
    token = Token.objects.create(user=orgs["admin"])

    failures, statuses = _fuzz_all(
        api_schema, headers={"Authorization": f"Token {token.key}"}, known=_known(orgs, platform),
        explicit=_explicit(orgs, platform),
    )

    assert not failures, "\n\n".join(failures)
    # Every operation but the password exchange (which no generated password passes) answered 2xx.
    assert _successful(statuses) == {label for label in statuses if label != "POST /api/v1/auth/token/"}
