"""User Markdown is rendered to HTML that cannot run script: raw HTML is text, `javascript:` links and
event-handler attributes never survive, and only allow-listed tags remain (core.markdown)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from dtc.core.markdown import markdown_render_safe


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "Hallo <img src=x onerror=alert(1)>",
        '<a href="https://voorbeeld.nl" onclick="steal()">klik</a>',
        "[klik](javascript:alert(1))",
        "[klik](JaVaScRiPt:alert(1))",
        "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<div onmouseover=alert(1)>x</div>",
        "[klik](vbscript:msgbox(1))",
        "<svg><script>alert(1)</script></svg>",
        "<iframe src=https://evil.example></iframe>",
    ],
)
def test_no_active_content_survives(text):
    """Parsed as a browser would: no script-capable element, no on* attribute, no script URL."""
    parsed = _Elements()
    parsed.feed(markdown_render_safe(text))
    for tag, attributes in parsed.elements:
        assert tag not in {"script", "img", "iframe", "svg", "div", "style", "object", "embed"}
        for name, value in attributes:
            assert not name.lower().startswith("on")
            if name in {"href", "src"}:
                assert (value or "").split(":", 1)[0].lower().strip() in {"http", "https", "mailto"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))


def test_ordinary_markdown_keeps_its_structure():
    html = markdown_render_safe("# Let op\n\n**Patch** nu: zie [advies](https://www.ncsc.nl/).\n\n- een\n- twee")
    assert "<h1>Let op</h1>" in html
    assert "<strong>Patch</strong>" in html
    assert '<a href="https://www.ncsc.nl/" rel="noopener noreferrer nofollow">advies</a>' in html
    assert "<li>een</li>" in html


def test_script_in_markdown_is_shown_as_text():
    assert "&lt;script&gt;" in markdown_render_safe("<script>alert(1)</script>")
