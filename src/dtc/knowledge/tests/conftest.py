from __future__ import annotations

import pytest
from django.db import transaction

from dtc.knowledge.demo import knowledge_demo_load


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker) -> dict[str, int]:
    """The full demo tree, loaded once per test module inside a transaction that is rolled back at
    the end of the module; each test still runs in its own savepoint (pytest-django's `db`), so
    changes a test makes never leak into the next one."""
    with django_db_blocker.unblock(), transaction.atomic():
        counts = knowledge_demo_load()
        yield counts
        transaction.set_rollback(True)


@pytest.fixture
def small_tree(db):
    """Home › basisprincipes › one principle, plus the ‘voorkomen’ category; no demo content."""
    from dtc.knowledge.tests.factories import small_tree_build

    return small_tree_build()
