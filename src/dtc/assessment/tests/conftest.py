"""Fixtures for the self-assessment tests.

- `question_set`: the real question set (settings.DTC_ASSESSMENT_QUESTIONSET, 2026.1) loaded from its
  JSON files and published, through `services.questionset_load()`.
- `finished_result`: a function; `finished_result(rung=2, overrides=None, context=None,
  organisation=None, peer_opt_in=False, sector="")` takes the test through the services and returns
  `services.Started` (`.result` finished and scored, `.token` the plain resume token).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dtc.assessment import services
from dtc.assessment.models import QuestionSet
from dtc.assessment.tests.factories import result_finish_with


@pytest.fixture
def question_set(db) -> QuestionSet:
    question_set, _created = services.questionset_load()
    question_set.refresh_from_db()
    assert question_set.status == QuestionSet.Status.PUBLISHED
    return question_set


@pytest.fixture
def finished_result(question_set) -> Callable[..., services.Started]:
    return result_finish_with
