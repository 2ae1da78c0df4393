"""Helpers shared by the browser tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlsplit

PASSWORD = "Blauwe-Fiets-Op-De-Dijk-42"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SHOTS_DIR = os.environ.get("DTC_E2E_SHOTS", "/tmp/e2e-shots")


# --- what a page must not do -----------------------------------------------------------------


@dataclass
class PageWatch:
    """What a page did that it should not: CSP violations, requests to other origins, JS errors."""

    origin: str
    csp_violations: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def on_console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_violations.append(message.text)

    def on_request(self, request) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign_requests.append(url)

    def on_page_error(self, error) -> None:
        self.page_errors.append(str(error))

    def attach(self, page) -> None:
        page.on("console", self.on_console)
        page.on("request", self.on_request)
        page.on("pageerror", self.on_page_error)

    def problems(self, *, csp: bool = True) -> list[str]:
        return (
            ([f"CSP violation: {text}" for text in self.csp_violations] if csp else [])
            + [f"request to another origin: {url}" for url in self.foreign_requests]
            + [f"JavaScript error: {text}" for text in self.page_errors]
        )


# --- accessibility ---------------------------------------------------------------------------


def axe_violations(page) -> list[dict]:
    """Run axe-core (bundled by axe-playwright-python) with the WCAG 2.1 A and AA rules."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def axe_report(violations: list[dict], url: str) -> str:
    lines = [f"{len(violations)} axe violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            summary = str(node.get("failureSummary", "")).replace("\n", " | ")
            lines.append(f"    target {', '.join(map(str, node['target']))}: {summary}")
            lines.append(f"      html: {node['html'][:240]}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """axe (WCAG 2.1 A/AA) finds nothing; the page has a language, exactly one h1 and one main."""
    url = page.url
    violations = axe_violations(page)
    assert not violations, axe_report(violations, url)
    assert page.locator("html").get_attribute("lang"), f"{url}: <html> has no lang attribute"
    h1_count = page.locator("h1").count()
    assert h1_count == 1, f"{url}: expected exactly one h1, found {h1_count}"
    main_count = page.locator("main, [role=main]").count()
    assert main_count == 1, f"{url}: expected one main landmark, found {main_count}"


# --- mail ------------------------------------------------------------------------------------


class MailBox:
    """An aiosmtpd handler that keeps the messages it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler API
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, *, to: str, timeout: float = 10.0) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if to in str(message["To"]):
                    return message
            time.sleep(0.1)
        raise AssertionError(f"no e-mail to {to} arrived within {timeout}s ({len(self.messages)} other(s))")

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def link(self, message: EmailMessage, pattern: str) -> str:
        match = re.search(pattern, self.text(message))
        assert match, f"no link matching {pattern!r} in:\n{self.text(message)}"
        return match.group(0)


# --- people and pages ------------------------------------------------------------------------


def user_create(email: str, *, password: str = PASSWORD, verified: bool = True, **extra):
    """A user whose e-mail address allauth knows (verified unless told otherwise)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(email=email, password=password, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def submit(page) -> None:
    """Press the form's button inside <main>; the header has submit buttons of its own."""
    page.locator("main form button[type=submit]").first.click()


def login(page, email: str, password: str = PASSWORD) -> None:
    """Log in through the form, as a user without a second factor, and land on the dashboard."""
    page.goto("/account/login/")
    page.locator("main input[name=login]").fill(email)
    page.locator("main input[name=password]").fill(password)
    submit(page)
    page.wait_for_url(re.compile(r"/mijn/$"))


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now, computed with allauth's own HOTP helpers.

    allauth accepts only the current 30-second step (TOTP_TOLERANCE 0), so a code computed in the
    last seconds of a step waits for the next one rather than expiring in flight.
    """
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = app_settings.TOTP_PERIOD
    if period - time.time() % period < 3:
        time.sleep(period - time.time() % period + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def screenshot(page, name: str) -> str:
    """A full-page screenshot outside the repository, for a person to look at."""
    os.makedirs(SHOTS_DIR, exist_ok=True)
    path = os.path.join(SHOTS_DIR, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path
