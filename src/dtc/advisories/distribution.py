"""Fetching CSAF documents from where providers publish them (CSAF 2.0 section 7).

Sources: a local file or directory, the URL of one document, a `provider-metadata.json` (URL or file;
its `distributions[].directory_url` and ROLIE feeds are followed), or the base URL of a directory
distribution (`changes.csv`, section 7.1.17). A directory distribution is walked incrementally: only
`changes.csv` entries newer than the provider's cursor for that directory are fetched. Where a
provider publishes them, the `.sha512`/`.sha256` file (7.1.18) must match and the `.asc` OpenPGP
signature (7.1.19) must verify against the provider's `public_openpgp_keys` (fingerprint checked);
a document without a published signature is accepted.

Network code returns bytes; judging them is `csaf.py` and `intake.py`. Only http and https, with
timeouts and a size cap.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings
from django.utils import timezone

from dtc.advisories.csaf import datetime_parse
from dtc.advisories.intake import ImportOutcome, document_import
from dtc.advisories.models import Provider

INDEX_MAX_BYTES = 20 * 1024 * 1024  # changes.csv of a large provider, ROLIE feeds
SMALL_MAX_BYTES = 1024 * 1024  # hash files, signatures, keys
TIMEOUT = httpx.Timeout(20.0, connect=5.0)
USER_AGENT = "dtc-csaf-import (+https://www.digitaltrustcenter.nl)"


class FetchError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotFound(FetchError):
    pass


def is_url(location: str) -> bool:
    return urlsplit(location).scheme.lower() in ("http", "https")


def fetch(location: str, *, max_bytes: int, client: httpx.Client) -> bytes:
    """The bytes at an http(s) URL or a local path, at most `max_bytes`; `NotFound` for 404/410 or a
    missing file, `FetchError` for anything else that went wrong."""
    if is_url(location):
        return _fetch_url(location, max_bytes=max_bytes, client=client)
    if "://" in location:
        raise FetchError("only http and https are supported")
    path = Path(location)
    if not path.is_file():
        raise NotFound("not found")
    if path.stat().st_size > max_bytes:
        raise FetchError(f"too large: more than {max_bytes} bytes")
    return path.read_bytes()


def _fetch_url(url: str, *, max_bytes: int, client: httpx.Client) -> bytes:
    try:
        with client.stream("GET", url) as response:
            if response.status_code in (404, 410):
                raise NotFound(f"HTTP {response.status_code}")
            if response.status_code != 200:
                raise FetchError(f"HTTP {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"too large: more than {max_bytes} bytes")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"too large: more than {max_bytes} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}"[:300]) from None


# --- distribution files --------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    path: str
    timestamp: datetime


def _safe_relative(path: str) -> bool:
    """A changes.csv / index.txt path must stay inside the distribution (no scheme, root or '..')."""
    return (
        bool(path) and "://" not in path and not path.startswith(("/", "\\")) and ".." not in path.split("/")
    )


def changes_parse(text: str) -> list[Change]:
    """Rows of a changes.csv ("path","timestamp"; CSAF 2.0 section 7.1.17), newest first as published.
    Rows that are not a relative path with an RFC 3339 timestamp are skipped."""
    changes = []
    for row in csv.reader(io.StringIO(text)):
        if len(row) < 2:
            continue
        path, stamp = row[0].strip(), datetime_parse(row[1].strip())
        if stamp is None or not _safe_relative(path):
            continue
        changes.append(Change(path=path, timestamp=stamp))
    return changes


def index_parse(text: str) -> list[str]:
    """The paths of an index.txt (section 7.1.16), one per line."""
    return [line.strip() for line in text.splitlines() if _safe_relative(line.strip())]


def provider_metadata_parse(data: Any) -> dict[str, Any] | None:
    """{"name", "namespace", "directories", "feeds", "keys": [(url, fingerprint)]} of a
    provider-metadata.json (section 7.1.20), or None when `data` is not one."""
    if not isinstance(data, dict) or "distributions" not in data or "publisher" not in data:
        return None
    publisher = data.get("publisher") or {}
    directories, feeds = [], []
    for distribution in data.get("distributions") or []:
        if not isinstance(distribution, dict):
            continue
        if isinstance(distribution.get("directory_url"), str):
            directories.append(distribution["directory_url"])
        for feed in (distribution.get("rolie") or {}).get("feeds") or []:
            if isinstance(feed, dict) and isinstance(feed.get("url"), str):
                feeds.append(feed["url"])
    keys = [
        (str(key.get("url") or ""), re.sub(r"\s", "", str(key.get("fingerprint") or "")).lower())
        for key in data.get("public_openpgp_keys") or []
        if isinstance(key, dict) and key.get("url")
    ]
    return {
        "name": str(publisher.get("name") or ""),
        "namespace": str(publisher.get("namespace") or ""),
        "directories": directories,
        "feeds": feeds,
        "keys": keys,
    }


def rolie_entries(data: Any) -> list[tuple[str, datetime | None]]:
    """(document URL, updated) of each entry of a ROLIE feed (section 7.1.21)."""
    entries: list[tuple[str, datetime | None]] = []
    feed = data.get("feed") if isinstance(data, dict) else None
    items = feed.get("entry") if isinstance(feed, dict) else None
    for entry in items if isinstance(items, list) else []:
        if not isinstance(entry, dict):
            continue
        content = entry.get("content")
        url = content.get("src") if isinstance(content, dict) else None
        if not url:
            links = [link for link in entry.get("link") or [] if isinstance(link, dict)]
            url = next((link.get("href") for link in links if link.get("rel") == "self"), None)
        if isinstance(url, str) and url:
            entries.append((url, datetime_parse(str(entry.get("updated") or ""))))
    return entries


# --- signatures ----------------------------------------------------------------------------------


def signature_verify(data: bytes, signature: bytes, keys: list[Any]) -> bool:
    """Whether `signature` (detached, armoured or binary) over `data` is valid for one of `keys`."""
    import pysequoia

    try:
        sig = pysequoia.Sig.from_bytes(signature)
        result = pysequoia.verify(bytes=data, store=lambda _ids: keys, signature=sig)
    except Exception:  # noqa: BLE001 - pysequoia raises RuntimeError/ValueError for bad or foreign sigs
        return False
    return bool(result.valid_sigs)


def keys_load(raw: bytes, fingerprint: str) -> list[Any]:
    """The certificates in `raw` whose fingerprint is `fingerprint` (all, when none is given)."""
    import pysequoia

    try:
        certs = pysequoia.Cert.split_bytes(raw)
    except Exception:  # noqa: BLE001
        return []
    return [cert for cert in certs if not fingerprint or cert.fingerprint.lower() == fingerprint]


# --- the run -------------------------------------------------------------------------------------


@dataclass
class Tally:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)

    def outcome(self, outcome: ImportOutcome, source: str) -> None:
        setattr(self, outcome.status, getattr(self, outcome.status) + 1)
        if outcome.status == "rejected":
            self.errors.append({"source": source, "reason": outcome.reason})

    def reject(self, source: str, reason: str) -> None:
        self.rejected += 1
        self.errors.append({"source": source, "reason": reason})

    def error(self, source: str, reason: str) -> None:
        self.errors.append({"source": source, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": list(self.errors),
        }


class _Run:
    def __init__(self, client: httpx.Client, tally: Tally, say: Callable[[str], None]) -> None:
        self.client = client
        self.tally = tally
        self.say = say

    # Sources --------------------------------------------------------------------------------------

    def source(self, location: str) -> None:
        if is_url(location):
            if urlsplit(location).path.lower().endswith(".json"):
                self._json_location(location)
            else:
                self.directory(location, provider=None, keys=None)
            return
        if "://" in location:
            self.tally.error(location, "only http and https are supported")
            return
        path = Path(location)
        if path.is_dir():
            if (path / "changes.csv").is_file():
                self.directory(str(path), provider=None, keys=None)
            else:
                self._local_tree(path)
        elif path.is_file():
            self._json_location(str(path))
        else:
            self.tally.error(location, "not found")

    def _json_location(self, location: str) -> None:
        try:
            raw = fetch(
                location, max_bytes=max(settings.DTC_CSAF_MAX_BYTES, INDEX_MAX_BYTES), client=self.client
            )
        except FetchError as exc:
            self.tally.error(location, exc.reason)
            return
        if len(raw) <= SMALL_MAX_BYTES:
            try:
                metadata = provider_metadata_parse(json.loads(raw))
            except (ValueError, RecursionError):
                metadata = None
            if metadata is not None:
                self.provider(location, metadata)
                return
        self.document(location, raw, keys=[])

    def _local_tree(self, root: Path) -> None:
        files = sorted(p for p in root.rglob("*.json") if p.is_file() and not _is_distribution_file(p.name))
        self.say(f"{root}: {len(files)} documents")
        for path in files:
            try:
                raw = fetch(str(path), max_bytes=settings.DTC_CSAF_MAX_BYTES, client=self.client)
            except FetchError as exc:
                self.tally.reject(str(path), exc.reason)
                continue
            self.document(str(path), raw, keys=[])

    def provider(self, location: str, metadata: dict[str, Any]) -> None:
        provider = None
        if is_url(location):
            provider, _ = Provider.objects.get_or_create(
                url=location, defaults={"name": metadata["name"][:200]}
            )
            if metadata["name"] and provider.name != metadata["name"][:200]:
                provider.name = metadata["name"][:200]
                provider.save(update_fields=["name"])
        keys = self.keys(location, metadata["keys"])
        self.say(f"{location}: {metadata['name']}, {len(keys)} key(s)")
        for directory in metadata["directories"]:
            self.directory(_join(location, directory), provider=provider, keys=keys)
        for feed in metadata["feeds"]:
            self.feed(_join(location, feed), provider=provider, keys=keys)

    def keys(self, base: str, entries: list[tuple[str, str]]) -> list[Any]:
        keys: list[Any] = []
        for url, fingerprint in entries:
            location = _join(base, url)
            if not is_url(base) and is_url(location):
                continue  # a local import does not reach out to the network for keys
            try:
                raw = fetch(location, max_bytes=SMALL_MAX_BYTES, client=self.client)
            except FetchError as exc:
                self.say(f"{location}: key not loaded ({exc.reason})")
                continue
            found = keys_load(raw, fingerprint)
            if not found:
                self.say(f"{location}: no key with fingerprint {fingerprint}")
            keys.extend(found)
        return keys

    # Directory distributions and feeds --------------------------------------------------------------

    def directory(self, location: str, *, provider: Provider | None, keys: list[Any] | None) -> None:
        base = location if location.endswith("/") or not is_url(location) else location + "/"
        if is_url(location) and provider is None:
            provider, _ = Provider.objects.get_or_create(
                url=location, defaults={"name": urlsplit(location).netloc}
            )
        if keys is None:
            keys = self._directory_keys(base)
        try:
            text = fetch(_join(base, "changes.csv"), max_bytes=INDEX_MAX_BYTES, client=self.client)
        except FetchError as exc:
            self.tally.error(_join(base, "changes.csv"), exc.reason)
            return
        changes = changes_parse(text.decode("utf-8", errors="replace"))
        cursor = datetime_parse(str(provider.cursor.get(location, ""))) if provider is not None else None
        todo = sorted(
            (c for c in changes if cursor is None or c.timestamp > cursor), key=lambda c: c.timestamp
        )
        self.say(f"{location}: {len(todo)} of {len(changes)} changes to fetch")
        newest, blocked = cursor, False
        for change in todo:
            done = self.document_at(_join(base, change.path), keys=keys)
            blocked = blocked or not done
            if not blocked and (newest is None or change.timestamp > newest):
                newest = change.timestamp
        if provider is not None and newest is not None and newest != cursor:
            provider.cursor = {**provider.cursor, location: newest.isoformat().replace("+00:00", "Z")}
            provider.save(update_fields=["cursor"])

    def _directory_keys(self, base: str) -> list[Any]:
        """Keys of a provider-metadata.json published in the directory itself, if any."""
        try:
            raw = fetch(_join(base, "provider-metadata.json"), max_bytes=SMALL_MAX_BYTES, client=self.client)
            metadata = provider_metadata_parse(json.loads(raw))
        except (FetchError, ValueError, RecursionError):
            return []
        return self.keys(_join(base, "provider-metadata.json"), metadata["keys"]) if metadata else []

    def feed(self, location: str, *, provider: Provider | None, keys: list[Any]) -> None:
        try:
            data = json.loads(fetch(location, max_bytes=INDEX_MAX_BYTES, client=self.client))
        except (FetchError, ValueError, RecursionError) as exc:
            self.tally.error(location, getattr(exc, "reason", "feed is not JSON"))
            return
        cursor = datetime_parse(str(provider.cursor.get(location, ""))) if provider is not None else None
        entries = [
            (url, updated)
            for url, updated in rolie_entries(data)
            if cursor is None or updated is None or updated > cursor
        ]
        self.say(f"{location}: {len(entries)} feed entries to fetch")
        newest, blocked = cursor, False
        for url, updated in sorted(entries, key=lambda e: e[1] or timezone.now()):
            done = self.document_at(_join(location, url), keys=keys)
            blocked = blocked or not done
            if not blocked and updated is not None and (newest is None or updated > newest):
                newest = updated
        if provider is not None and newest is not None and newest != cursor:
            provider.cursor = {**provider.cursor, location: newest.isoformat().replace("+00:00", "Z")}
            provider.save(update_fields=["cursor"])

    # Documents ------------------------------------------------------------------------------------------

    def document_at(self, location: str, *, keys: list[Any]) -> bool:
        """Fetch, check and import one listed document. False only for a transient failure, after
        which the cursor must not move past this entry."""
        try:
            raw = fetch(location, max_bytes=settings.DTC_CSAF_MAX_BYTES, client=self.client)
        except NotFound as exc:
            self.tally.error(location, exc.reason)
            return True
        except FetchError as exc:
            if exc.reason.startswith("too large"):
                self.tally.reject(location, exc.reason)
                return True
            self.tally.error(location, exc.reason)
            return False
        self.document(location, raw, keys=keys)
        return True

    def document(self, location: str, raw: bytes, *, keys: list[Any]) -> None:
        reason = self.integrity(location, raw, keys=keys)
        if reason:
            self.tally.reject(location, reason)
            self.say(f"{location}: rejected ({reason})")
            return
        outcome = document_import(raw, source=location)
        self.tally.outcome(outcome, location)
        self.say(f"{location}: {outcome.status}" + (f" ({outcome.reason})" if outcome.reason else ""))

    def integrity(self, location: str, raw: bytes, *, keys: list[Any]) -> str:
        """ "" when the published hash and signature (if any) match `raw`, else the reason."""
        for extension, algorithm in ((".sha512", hashlib.sha512), (".sha256", hashlib.sha256)):
            try:
                published = fetch(location + extension, max_bytes=SMALL_MAX_BYTES, client=self.client)
            except NotFound:
                continue
            except FetchError as exc:
                return f"hash file unreadable: {exc.reason}"
            words = published.decode("ascii", errors="replace").split()
            if not words or words[0].lower() != algorithm(raw).hexdigest():
                return "hash mismatch"
            break
        try:
            signature = fetch(location + ".asc", max_bytes=SMALL_MAX_BYTES, client=self.client)
        except NotFound:
            return ""
        except FetchError as exc:
            return f"signature unreadable: {exc.reason}"
        if not keys:
            self.say(f"{location}: signature not checked (no provider key known)")
            return ""
        if not signature_verify(raw, signature, keys):
            return "bad signature"
        return ""


def _is_distribution_file(name: str) -> bool:
    lowered = name.lower()
    return lowered == "provider-metadata.json" or lowered == "aggregator.json" or "feed" in lowered


def _join(base: str, relative: str) -> str:
    if is_url(relative) or not base:
        return relative
    if is_url(base):
        return urljoin(base, relative)
    base_path = Path(base)
    directory = base_path if base_path.is_dir() else base_path.parent
    return str(directory / relative)


def _printer(stdout: TextIO | None) -> Callable[[str], None]:
    def say(line: str) -> None:
        if stdout is not None:
            stdout.write(line if line.endswith("\n") else line + "\n")

    return say


def import_sources(sources: list[str], *, stdout: TextIO | None = None) -> dict[str, Any]:
    """Import from files, directories, document URLs, provider metadata and directory distributions.
    Returns {"imported", "updated", "unchanged", "rejected", "errors": [{"source", "reason"}]}."""
    tally = Tally()
    with httpx.Client(
        timeout=TIMEOUT, follow_redirects=True, max_redirects=5, headers={"User-Agent": USER_AGENT}
    ) as client:
        run = _Run(client, tally, _printer(stdout))
        for source in sources:
            run.source(source)
    return tally.as_dict()


def providers_poll(*, stdout: TextIO | None = None) -> dict[str, Any]:
    """Poll every enabled provider (rows plus settings.DTC_CSAF_PROVIDERS); same result shape as
    `import_sources`, summed. Each provider's own result is kept on its row."""
    for url in settings.DTC_CSAF_PROVIDERS:
        Provider.objects.get_or_create(url=url, defaults={"name": urlsplit(url).netloc or url})
    total = Tally()
    for provider in list(Provider.objects.filter(enabled=True).order_by("pk")):
        result = import_sources([provider.url], stdout=stdout)
        Provider.objects.filter(pk=provider.pk).update(last_polled_at=timezone.now(), last_result=result)
        for key in ("imported", "updated", "unchanged", "rejected"):
            setattr(total, key, getattr(total, key) + result[key])
        total.errors.extend(result["errors"])
    return total.as_dict()
