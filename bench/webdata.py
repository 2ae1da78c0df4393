"""Prepare the database of the web benchmark (run as a child process with the benchmark's environment):
migrate, cache table, static files, demo content, generated articles up to N, search index.

`python -m bench.webdata N MARKER` prints step timings on stderr and, as its last stdout line, a JSON
object with what the load generator needs (article URL, search words, counts).
Idempotent: the generated articles and their index entries are recorded in MARKER and not redone.
"""

from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench.common import log

# Generated titles end in " (<number>)" (bench.content); hand-written demo articles do not.
GENERATED_TITLE = r" \(\d+\)$"


@contextmanager
def step(name: str, timings: dict[str, float]):
    started = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - started, 2)
    log(f"-- {name}: {timings[name]:.1f} s")


def _read_marker(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _fallback_tree() -> str:
    """Minimal tree when dtc.knowledge.demo is not there: home page, three category pages, the site."""
    from wagtail.models import Page, Site

    from dtc.knowledge.models import Category, CategoryPage, HomePage

    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title="Digital Trust Center", slug="home-bench", intro="Bench"))
        Site.objects.update_or_create(
            is_default_site=True, defaults={"hostname": "localhost", "root_page": home, "site_name": "DTC"}
        )
    for value, label in Category.choices:
        if not CategoryPage.objects.filter(category=value).exists():
            home.add_child(instance=CategoryPage(title=str(label), slug=value, category=value))
    return "fallback tree (dtc.knowledge.demo not importable)"


def _demo_fingerprint() -> str:
    """Hash of the demo loader and its files: the demo is reloaded only when they change (loading it
    again is idempotent but slow once 10 000 articles are in the tree)."""
    import hashlib

    import dtc.knowledge.demo as demo_module

    digest = hashlib.sha256()
    source = Path(demo_module.__file__)
    files = [source, *sorted(path for path in (source.parent / "demo").rglob("*") if path.is_file())]
    for path in files:
        digest.update(str(path.relative_to(source.parent)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def main(argv: list[str]) -> int:
    target, marker_path = int(argv[0]), Path(argv[1])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from wagtail.models import Site

    from bench import content
    from dtc.knowledge.models import ArticlePage, CategoryPage

    timings: dict[str, float] = {}
    with step("migrate", timings):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
    with step("collectstatic", timings):
        call_command("collectstatic", interactive=False, verbosity=0)

    marker = _read_marker(marker_path)
    with step("demo content", timings):
        try:
            from dtc.knowledge.demo import knowledge_demo_load
        except ImportError:
            demo = _fallback_tree()
            log(f"!! {demo}")
        else:
            demo = "dtc.knowledge.demo.knowledge_demo_load"
            fingerprint = _demo_fingerprint()
            if marker.get("demo") == fingerprint and CategoryPage.objects.exists():
                log("-- demo content unchanged since the last run (marker); not reloaded")
            else:
                knowledge_demo_load()
                marker["demo"] = fingerprint
                marker_path.write_text(json.dumps(marker))
    existing = ArticlePage.objects.count()
    generated = 0
    with step(f"articles up to {target}", timings):
        if marker.get("indexed_up_to", 0) >= target and existing >= target:
            log(f"-- {existing} articles already there and indexed (marker {marker_path}); skipped")
        else:
            missing = max(0, target - existing)
            start_number = marker.get("generated", 0)
            ids = content.generate_articles(missing, start_number=start_number)
            generated = len(ids)
            marker["generated"] = start_number + generated
            marker_path.write_text(json.dumps(marker))
            log(f"-- generated {generated} articles (were {existing})")
            with step("search index", timings):
                # Everything generated so far: an earlier run may have stopped before its index step.
                all_ids = list(ArticlePage.objects.values_list("id", flat=True).order_by("id"))
                content.index_articles(all_ids)
            marker["indexed_up_to"] = ArticlePage.objects.count()
            marker_path.write_text(json.dumps(marker))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    site = Site.objects.get(is_default_site=True)
    # A hand-written demo article when there is one (realistic body), else a generated one.
    article = (
        ArticlePage.objects.live().exclude(title__regex=GENERATED_TITLE).order_by("-first_published_at").first()
        or ArticlePage.objects.live().order_by("path").first()
    )
    url = article.get_url(current_site=site) if article else None
    if url and "://" in url:
        url = "/" + url.split("://", 1)[1].split("/", 1)[1]
    info = {
        "articles": ArticlePage.objects.live().count(),
        "generated_now": generated,
        "article_url": url,
        "search_words": content.SEARCH_WORDS,
        "demo": demo,
        "timings": timings,
    }
    print(json.dumps(info), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
