"""Pages reflow: at 320 CSS pixels wide (WCAG 2.1 SC 1.4.10, a 1280 px screen zoomed to 400 %) and on
a desktop screen no page needs horizontal scrolling, and the content column keeps a readable width.

Full-page screenshots land in /tmp/e2e-shots/ (DTC_E2E_SHOTS), outside the repository, for a person
to look at; the assertions are what the test holds the pages to.
"""

from __future__ import annotations

import pytest
from e2e_support import login, screenshot, user_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "narrow": {"width": 320, "height": 640}}


def assert_reflows(page, name: str) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    # Boxes and words (a long word overflows its box without widening it) that stick out.
    wide = page.evaluate(
        """() => {
            const limit = document.documentElement.clientWidth + 1;
            const out = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
            const range = document.createRange();
            for (let node = walker.nextNode(); node && out.length < 5; node = walker.nextNode()) {
                let right;
                if (node.nodeType === Node.TEXT_NODE) {
                    if (!node.textContent.trim()) continue;
                    range.selectNodeContents(node);
                    right = range.getBoundingClientRect().right;
                } else {
                    right = node.getBoundingClientRect().right;
                }
                if (right > limit) {
                    const el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
                    out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '')
                             + (node.nodeType === Node.TEXT_NODE ? ' "' + node.textContent.trim().slice(0, 40) + '"' : ''));
                }
            }
            return out;
        }"""
    )
    assert overflow <= 0 and not wide, (
        f"{name}: {overflow}px horizontal scrolling at {page.viewport_size['width']}px wide; sticking out: {wide}"
    )


def test_pages_reflow_and_screenshots(page, knowledge_site):
    from dtc.knowledge.models import ArticlePage

    user_create("fotograaf@example.nl")
    article = ArticlePage.objects.live().get(slug="phishingmails-herkennen")
    pages = [("home", "/"), ("article", article.url), ("login", "/account/login/")]
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        for name, path in pages:
            page.goto(path)
            screenshot(page, f"{name}-{viewport}")
            assert_reflows(page, name)
    login(page, "fotograaf@example.nl")
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        page.goto("/mijn/")
        screenshot(page, f"dashboard-{viewport}")
        assert_reflows(page, "dashboard")


def test_text_column_keeps_a_readable_width(page, knowledge_site):
    """Long lines are hard to read (WCAG 1.4.8 advises at most 80 characters): prose is capped."""
    from dtc.knowledge.models import ArticlePage

    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(ArticlePage.objects.live().get(slug="phishingmails-herkennen").url)
    prose = page.locator("main .dtc-prose p").first
    width = prose.evaluate("el => el.getBoundingClientRect().width")
    font_size = prose.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert width / font_size <= 48, f"prose paragraphs are {width / font_size:.0f}em wide"
