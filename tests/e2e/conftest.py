"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

One browser per test session, a fresh context (cookies, storage) per test. Every page a test opens
through the `page` fixture is watched: a Content-Security-Policy violation reported on the console,
a request to any origin other than the live server, or a JavaScript error fails the test. The CSP is
never bypassed: axe-core is injected with Playwright's `evaluate` (DevTools protocol), which the
page's CSP does not govern, so the accessibility checks run on the pages exactly as served.

Chromium comes from the system (`DTC_CHROMIUM`, else `chromium` on PATH); Playwright's own browser
download is never used. Without Chromium the e2e tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator

import pytest
from e2e_support import MailBox, PageWatch

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("DTC_CHROMIUM") or shutil.which("chromium")
    if not path or not os.path.exists(path):
        pytest.skip(
            "e2e: no Chromium found; install Debian's `chromium` or set DTC_CHROMIUM=/path/to/chromium"
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _wagtail_baseline(transactional_db, settings):
    """What Wagtail's migrations create and a flush removes: the default locale, the page tree's root
    and the root collection.

    Browser tests need committed data, so they run as transactional tests, and after each of those
    the database is flushed. Restoring this small baseline explicitly keeps the e2e tests
    independent of which transactional tests (with or without serialized rollback) ran before.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Collection, Locale, Page

    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(
            instance=Page(
                title="Root", slug="root", locale=locale, content_type=ContentType.objects.get_for_model(Page)
            )
        )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


@pytest.fixture(autouse=True)
def _plain_http_cookies(settings):
    """The live server speaks plain HTTP, so cookies cannot carry the Secure flag here."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False


def _watched_page(browser, live_server, **context_options):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.watch = PageWatch(origin=live_server.url)
    page.watch.attach(page)
    return context, page


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser context and page, CSP enforced, every page visited watched."""
    context, page = _watched_page(browser, live_server)
    yield page
    context.close()
    problems = page.watch.problems()
    if problems:
        pytest.fail("The pages visited did something they must not:\n" + "\n".join(problems))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings) -> Iterator[MailBox]:
    """A real SMTP server (aiosmtpd) on a free local port; the site's default mailer points at it."""
    from aiosmtpd.controller import Controller

    mailbox = MailBox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def knowledge_site(transactional_db) -> dict[str, int]:
    """The knowledge site's demo content: home, principles, categories and articles."""
    demo = pytest.importorskip("dtc.knowledge.demo", reason="the knowledge demo loader is not there yet")
    return demo.knowledge_demo_load()
