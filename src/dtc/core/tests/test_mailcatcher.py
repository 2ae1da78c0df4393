"""The demo's mail catcher is a real SMTP server on loopback: a message sent to it with smtplib can be
read back on its web page, its source downloaded, and an unknown message is a 404."""

from __future__ import annotations

import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage

import httpx

from dtc.core.tests.smtp import free_port


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"mail catcher did not start at {url}")


def test_mail_catcher_receives_and_shows_mail():
    smtp_port, web_port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dtc.manage", "mailcatcher", "--smtp-port", str(smtp_port), "--web-port", str(web_port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{web_port}/"
        _wait_for(base)
        assert "Nog geen e-mail ontvangen" in httpx.get(base).text
        message = EmailMessage()
        message["From"] = "noreply@dtc.example"
        message["To"] = "ondernemer@example.org"
        message["Subject"] = "Waarschuwing: <update> nodig"
        message.set_content("Installeer de update van vandaag.")
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as client:
            client.send_message(message)
        listing = httpx.get(base)
        assert "Waarschuwing: &lt;update&gt; nodig" in listing.text  # escaped, not markup
        assert "default-src 'none'" in listing.headers["content-security-policy"]
        detail = httpx.get(base + "1")
        assert "Installeer de update van vandaag." in detail.text
        assert "ondernemer@example.org" in detail.text
        assert "Subject: Waarschuwing: <update> nodig" in httpx.get(base + "1.eml").text
        assert httpx.get(base + "2").status_code == 404
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert "mail #1 to ondernemer@example.org" in output
