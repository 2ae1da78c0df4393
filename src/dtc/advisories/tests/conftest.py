"""Shared fixtures for the advisories tests: where the shared CSAF reference data and our NCSC-style
fixtures live, and a local HTTP server for distribution tests (127.0.0.1 only)."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[4]
NCSC_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ncsc"


def shared_data_dir() -> Path:
    """DTC_SHARED_DATA, else `<repo>/../shared/data` (see ../shared/data/csaf/SOURCES.md)."""
    return Path(os.environ.get("DTC_SHARED_DATA", REPO_DIR.parent / "shared" / "data"))


def shared_csaf_files() -> list[Path]:
    """The shared CSAF documents, for parametrising (empty when the data is absent)."""
    root = shared_data_dir() / "csaf" / "advisories"
    return sorted(root.glob("*/*.json")) if root.is_dir() else []


@pytest.fixture
def csaf_data_dir() -> Path:
    """../shared/data/csaf, or the test is skipped with the reason."""
    path = shared_data_dir() / "csaf"
    if not (path / "advisories").is_dir():
        pytest.skip(f"shared CSAF reference data absent at {path} (set DTC_SHARED_DATA)")
    return path


@pytest.fixture
def ncsc_dir() -> Path:
    return NCSC_FIXTURES


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - http.server API
        pass


@pytest.fixture
def http_root(tmp_path) -> Iterator[tuple[Path, str]]:
    """(a temporary directory, the http://127.0.0.1:PORT/ URL serving it)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
