"""Demo content for the knowledge site, loaded from the Markdown files in `knowledge/demo/`.

The loader is idempotent: pages are found by a stable key (principle number, category, slug), their
content is compared with the files, and a new revision is published only when something changed. A
second run therefore creates nothing and publishes nothing.

File format: an optional front-matter block of `key: value` lines between two `---` lines, then a
CommonMark body. Principle files split their body at the `## Stappen` heading: the text above it is
the "why", and every `### heading` below it starts one concrete step.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from markdown_it import MarkdownIt
from wagtail.fields import StreamField
from wagtail.models import Page, Site
from wagtail.search import index

from dtc.knowledge.models import (
    ArticlePage,
    Category,
    CategoryPage,
    HomePage,
    PrincipleIndexPage,
    PrinciplePage,
    StandardPage,
)

DEMO_DIR = Path(__file__).resolve().parent / "demo"
WORDS_PER_MINUTE = 200
STEPS_HEADING = "## Stappen"

_markdown = MarkdownIt("commonmark", {"html": False})


class DemoContentError(ValueError):
    """A demo file is malformed (missing front matter, unknown category or principle, …)."""


@dataclass(frozen=True)
class Document:
    path: Path
    meta: dict[str, str]
    body: str

    def require(self, key: str) -> str:
        value = self.meta.get(key, "").strip()
        if not value:
            raise DemoContentError(f"{self.path.name}: front matter needs '{key}'")
        return value


def document_parse(text: str, *, path: Path) -> Document:
    """Split `---`-delimited `key: value` front matter from the Markdown body."""
    lines = text.splitlines()
    meta: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        try:
            end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
        except StopIteration as exc:
            raise DemoContentError(f"{path.name}: front matter is not closed with '---'") from exc
        for line in lines[1:end]:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, sep, value = line.partition(":")
            if not sep:
                raise DemoContentError(f"{path.name}: front-matter line without ':': {line!r}")
            meta[key.strip()] = value.strip()
        lines = lines[end + 1 :]
    return Document(path=path, meta=meta, body="\n".join(lines).strip() + "\n")


def document_read(path: Path) -> Document:
    return document_parse(path.read_text(encoding="utf-8"), path=path)


def markdown_to_html(text: str) -> str:
    return _markdown.render(_placeholders_fill(text)).strip()


def _placeholders_fill(text: str) -> str:
    """Fill `[[contact]]` with this deployment's contact address, so statements stay true per install.

    The address is the first entry of DTC_SECURITY_CONTACTS, the same one security.txt publishes.
    """
    if "[[contact]]" not in text:
        return text
    contact = settings.DTC_SECURITY_CONTACTS[0] if settings.DTC_SECURITY_CONTACTS else ""
    label = contact.removeprefix("mailto:")
    return text.replace("[[contact]]", f"[{label}]({contact})" if contact else "")


def reading_minutes_estimate(text: str) -> int:
    words = len(re.findall(r"\w+", text))
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def principle_steps_parse(body: str, *, path: Path) -> tuple[str, list[dict[str, Any]]]:
    """Return the "why" Markdown and the steps (raw StreamField data) of a principle file."""
    why, sep, rest = body.partition(f"\n{STEPS_HEADING}\n")
    if not sep:
        raise DemoContentError(f"{path.name}: needs a '{STEPS_HEADING}' section")
    steps: list[dict[str, Any]] = []
    for chunk in re.split(r"^### ", rest, flags=re.MULTILINE)[1:]:
        title, _, text = chunk.partition("\n")
        steps.append({"type": "step", "value": {"title": title.strip(), "text": markdown_to_html(text)}})
    if not steps:
        raise DemoContentError(f"{path.name}: '{STEPS_HEADING}' has no '### step' headings")
    return why.strip(), steps


# --- Writing pages ----------------------------------------------------------------------------


def _comparable(page: Page, name: str) -> Any:
    value = getattr(page, name)
    field = page._meta.get_field(name)
    if isinstance(field, StreamField):
        return [{"type": block["type"], "value": block["value"]} for block in value.raw_data]
    return value


def _page_upsert(
    *,
    counts: Counter[str],
    parent: Page,
    model: type[Page],
    lookup: dict[str, Any],
    fields: dict[str, Any],
    principles: list[PrinciplePage] | None = None,
) -> Page:
    """Create the page under `parent`, or bring the existing one (found by `lookup`) up to date.

    A new revision is saved and published only when a field, the parent or the principles differ,
    so reloading unchanged content leaves the page history alone.
    """
    page = model.objects.filter(**lookup).first()
    if page is None:
        page = model(live=False, **fields)
        parent.add_child(instance=page)
        counts["created"] += 1
    else:
        changed = not page.live or any(_comparable(page, name) != value for name, value in fields.items())
        if principles is not None:
            current = {p.pk for p in page.principles.all()}  # type: ignore[attr-defined]
            changed = changed or current != {p.pk for p in principles}
        if page.get_parent().pk != parent.pk:
            page.move(parent, pos="last-child")
            page.refresh_from_db()
            changed = True
        if not changed:
            counts["unchanged"] += 1
            return page
        for name, value in fields.items():
            setattr(page, name, value)
        counts["updated"] += 1
    if principles is not None:
        page.principles.set(principles)  # type: ignore[attr-defined]
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _home_ensure(*, counts: Counter[str], directory: Path) -> HomePage:
    """Our HomePage replaces Wagtail's default "Welcome" page as the site root."""
    doc = document_read(directory / "home.md")
    root = Page.get_first_root_node()
    if root is None:  # pragma: no cover - wagtailcore's migrations always create it
        root = Page.add_root(title="Root", slug="root")
    home = _page_upsert(
        counts=counts,
        parent=root,
        model=HomePage,
        lookup={},
        fields={
            "title": doc.require("title"),
            "slug": doc.require("slug"),
            "intro": doc.require("intro"),
            "body": markdown_to_html(doc.body),
        },
    )
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    # The site's public address (DTC_SITE_URL) gives Wagtail its absolute URLs (API, sitemap, feed).
    address = urlsplit(settings.SITE_URL)
    port = address.port or (443 if address.scheme == "https" else 80)
    wanted = {
        "hostname": address.hostname or "localhost",
        "port": port,
        "root_page_id": home.pk,
        "site_name": doc.require("title"),
    }
    if site.pk is None or any(getattr(site, name) != value for name, value in wanted.items()):
        for name, value in wanted.items():
            setattr(site, name, value)
        site.save()
    # The default "Welcome to your new Wagtail site!" page is a plain wagtailcore.Page.
    plain_page = ContentType.objects.get_for_model(Page)
    for welcome in Page.objects.child_of(root).filter(content_type=plain_page):
        if not welcome.get_children().exists() and not Site.objects.filter(root_page=welcome).exists():
            welcome.delete()
    return home  # type: ignore[return-value]


def knowledge_demo_load(*, demo_dir: Path | None = None) -> dict[str, int]:
    """Build or update the knowledge site's page tree from the demo files; return page counts."""
    with transaction.atomic():
        return _load(demo_dir or DEMO_DIR)


def _load(directory: Path) -> dict[str, int]:
    counts: Counter[str] = Counter()
    started = timezone.now()
    home = _home_ensure(counts=counts, directory=directory)

    index_doc = document_read(directory / "basisprincipes.md")
    index = _page_upsert(
        counts=counts,
        parent=home,
        model=PrincipleIndexPage,
        lookup={},
        fields={
            "title": index_doc.require("title"),
            "slug": index_doc.require("slug"),
            "intro": index_doc.require("intro"),
        },
    )

    principles: dict[int, PrinciplePage] = {}
    for path in sorted((directory / "principles").glob("*.md")):
        doc = document_read(path)
        number = int(doc.require("number"))
        why, steps = principle_steps_parse(doc.body, path=path)
        principles[number] = _page_upsert(  # type: ignore[assignment]
            counts=counts,
            parent=index,
            model=PrinciplePage,
            lookup={"number": number},
            fields={
                "number": number,
                "title": doc.require("title"),
                "slug": doc.require("slug"),
                "summary": doc.require("summary"),
                "why": markdown_to_html(why),
                "steps": steps,
            },
        )

    categories: dict[str, CategoryPage] = {}
    for path in sorted((directory / "categories").glob("*.md")):
        doc = document_read(path)
        category = doc.require("category")
        if category not in Category.values:
            raise DemoContentError(f"{path.name}: unknown category {category!r}")
        categories[category] = _page_upsert(  # type: ignore[assignment]
            counts=counts,
            parent=home,
            model=CategoryPage,
            lookup={"category": category},
            fields={
                "category": category,
                "title": doc.require("title"),
                "slug": doc.require("slug"),
                "intro": doc.require("intro"),
            },
        )

    for path in sorted((directory / "articles").glob("*.md")):
        doc = document_read(path)
        category = doc.require("category")
        if category not in categories:
            raise DemoContentError(f"{path.name}: category {category!r} has no page")
        try:
            tagged = [principles[int(n)] for n in doc.meta.get("principles", "").split(",") if n.strip()]
        except (KeyError, ValueError) as exc:
            raise DemoContentError(f"{path.name}: unknown principle in {doc.meta['principles']!r}") from exc
        minutes = doc.meta.get("reading_minutes")
        _page_upsert(
            counts=counts,
            parent=categories[category],
            model=ArticlePage,
            lookup={"slug": doc.require("slug")},
            fields={
                "title": doc.require("title"),
                "slug": doc.require("slug"),
                "intro": doc.require("intro"),
                "body": markdown_to_html(doc.body),
                "reading_minutes": int(minutes) if minutes else reading_minutes_estimate(doc.body),
            },
            principles=tagged,
        )

    for path in sorted((directory / "pages").glob("*.md")):
        doc = document_read(path)
        updated_on = doc.meta.get("updated_on")
        _page_upsert(
            counts=counts,
            parent=home,
            model=StandardPage,
            lookup={"slug": doc.require("slug"), "depth": home.depth + 1},
            fields={
                "title": doc.require("title"),
                "slug": doc.require("slug"),
                "intro": doc.meta.get("intro", ""),
                "body": markdown_to_html(doc.body),
                "updated_on": date.fromisoformat(updated_on) if updated_on else None,
            },
        )

    search_index_refresh(root=home, since=started)
    return {key: counts[key] for key in ("created", "updated", "unchanged")}


def search_index_refresh(*, root: Page, since: dt.datetime | None = None) -> None:
    """Index the pages published since `since` (all pages when None) now.

    Wagtail's own index update runs as a background task after each save; the demo site must be
    searchable the moment the loader returns, also when no worker is running yet. Only what this
    load published is indexed: re-indexing every page of a large site takes minutes.
    """
    pages = root.get_descendants(inclusive=True)
    if since is not None:
        pages = pages.filter(last_published_at__gte=since)
    for page in pages.specific():
        index.insert_or_update_object(page)
