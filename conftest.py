"""Shared test set-up.

Tests run against the database DATABASE_URL points at (PostgreSQL in CI) or SQLite without it.
Tests marked `postgres` or `redis` are skipped, with the reason, when that server is not configured.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… to run")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://… to run")
    for item in items:
        if "postgres" in item.keywords and not settings.IS_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks run inline in tests unless a test asks for the real database queue (`db_task_queue`)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "mail", "scans"]}}


@pytest.fixture
def db_task_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail", "scans"]}}


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback that Django's mailer sends to; yields its Recorder."""
    from aiosmtpd.controller import Controller

    from dtc.core.tests.smtp import Recorder, free_port, smtp_mailer

    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = smtp_mailer(controller.port)
    yield recorder
    controller.stop()
