"""Markdown written by users, rendered to HTML that is safe to show to others.

Two layers, so one mistake is not enough for an injection: markdown-it-py renders CommonMark with raw
HTML switched off (HTML in the text comes out as text) and refuses `javascript:`-style links; nh3
(ammonia) then keeps only an allow-list of tags, attributes and URL schemes. No images: an image
loads an outside URL when a member opens the item, which tells a third party who read it.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def markdown_render_safe(text: str) -> str:
    """Markdown → sanitised HTML (a string safe to mark safe in a template)."""
    html = _markdown.render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()
