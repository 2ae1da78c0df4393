"""A local mail catcher for trying the platform: a real SMTP server (aiosmtpd) on loopback that keeps
every message it receives, and a small read-only web page to read them.

    dtc mailcatcher                      # SMTP on 127.0.0.1:1025, web page on http://127.0.0.1:8025/
    DTC_EMAIL_HOST=127.0.0.1 DTC_EMAIL_PORT=1025 dtc runserver

`make run` starts it and points the platform's mail at it. It listens on loopback only, keeps messages
in memory (the newest `--keep`, default 500) and forgets them when it stops: development only, never
for production mail.
"""

from __future__ import annotations

import html
import threading
from collections import deque
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.core.management.base import BaseCommand, CommandError

PAGE_CSP = "default-src 'none'; style-src 'self'; frame-ancestors 'none'"


class MailStore:
    def __init__(self, keep: int) -> None:
        self._lock = threading.Lock()
        self._messages: deque[tuple[int, bytes]] = deque(maxlen=keep)
        self._next = 1

    def add(self, content: bytes) -> int:
        with self._lock:
            number = self._next
            self._next += 1
            self._messages.append((number, content))
            return number

    def all(self) -> list[tuple[int, EmailMessage]]:
        with self._lock:
            items = list(self._messages)
        return [(n, message_from_bytes(c, policy=policy.default)) for n, c in reversed(items)]  # type: ignore[misc]

    def get(self, number: int) -> bytes | None:
        with self._lock:
            return next((c for n, c in self._messages if n == number), None)


class _Handler:
    def __init__(self, store: MailStore, stdout: Any) -> None:
        self.store = store
        self.stdout = stdout

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        number = self.store.add(envelope.content)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.stdout.write(f"  mail #{number} to {', '.join(envelope.rcpt_tos)}: {message['Subject']}")
        return "250 Message accepted for delivery"


def _text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    return body.get_content() if body is not None else ""


def _web_handler(store: MailStore) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            return

        def _send(self, status: int, body: str, content_type: str = "text/html; charset=utf-8") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Content-Security-Policy", PAGE_CSP)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - stdlib API
            if self.path in ("/", ""):
                rows = "".join(
                    f'<li><a href="/{n}">{html.escape(str(m["Subject"] or "(geen onderwerp)"))}</a>'
                    f" — {html.escape(str(m['To'] or ''))} — {html.escape(str(m['Date'] or ''))}</li>"
                    for n, m in store.all()
                )
                body = rows and f"<ol reversed>{rows}</ol>" or "<p>Nog geen e-mail ontvangen.</p>"
                self._send(200, _page("Ontvangen e-mail", body))
                return
            raw = self.path.lstrip("/")
            is_raw = raw.endswith(".eml")
            number = raw.removesuffix(".eml")
            content = store.get(int(number)) if number.isdigit() else None
            if content is None:
                self._send(404, _page("Niet gevonden", '<p><a href="/">Terug</a></p>'))
                return
            if is_raw:
                self._send(200, content.decode("utf-8", "replace"), "text/plain; charset=utf-8")
                return
            message = message_from_bytes(content, policy=policy.default)
            headers = "".join(
                f"<dt>{html.escape(name)}</dt><dd>{html.escape(str(message[name]))}</dd>"
                for name in ("From", "To", "Reply-To", "Subject", "Date", "List-Unsubscribe")
                if message[name]
            )
            body = (
                f'<p><a href="/">Alle berichten</a> · <a href="/{number}.eml">Bron (.eml)</a></p>'
                f"<dl>{headers}</dl><pre>{html.escape(_text_of(message))}</pre>"
            )
            self._send(200, _page(str(message["Subject"] or ""), body))

    return Handler


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'</head><body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>'
    )


class Command(BaseCommand):
    help = "Run a local SMTP mail catcher with a read-only web page (development only, loopback only)."

    def add_arguments(self, parser):
        parser.add_argument("--smtp-port", type=int, default=1025)
        parser.add_argument("--web-port", type=int, default=8025)
        parser.add_argument("--keep", type=int, default=500, help="How many messages to keep in memory.")

    def handle(self, *args, smtp_port: int, web_port: int, keep: int, **options):
        try:
            from aiosmtpd.controller import Controller
        except ImportError as error:  # pragma: no cover - aiosmtpd is a dependency
            raise CommandError("aiosmtpd is not installed") from error
        store = MailStore(keep)
        controller = Controller(_Handler(store, self.stdout), hostname="127.0.0.1", port=smtp_port)
        controller.start()
        web = ThreadingHTTPServer(("127.0.0.1", web_port), _web_handler(store))
        self.stdout.write(
            f"  Mail catcher: SMTP on 127.0.0.1:{smtp_port}, read the mail on http://127.0.0.1:{web_port}/"
        )
        try:
            web.serve_forever()
        except KeyboardInterrupt:  # pragma: no cover - interactive
            pass
        finally:
            web.server_close()
            controller.stop()
