"""Judging a file someone wants to attach to a shared item: pure, no database, no storage.

What a file IS is decided by its content, never by its name or by the content type the browser
sent: `puremagic` reads the file's signature ("magic bytes"), and the result must agree with the
extension. So an HTML page or a script renamed `.pdf`, or a Windows program (PE, `MZ…`) renamed
`.png`, is refused. Formats without a signature (plain text, CSV, JSON) must be valid UTF-8 text
without control characters that signature detection does not recognise as something else (HTML,
SVG, a program); JSON must also parse. ZIP-based office formats are checked for the part that makes
them what they claim (`word/document.xml` for .docx, the `mimetype` entry for OpenDocument).

The content type stored (and later served, as a download only) is the one from this allow-list, not
the browser's.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO, Any

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension → the content type stored and served. The only files that may be attached.
ALLOWED_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".json": "application/json",
    ".zip": "application/zip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
ALLOWED_CONTENT_TYPES: frozenset[str] = frozenset(ALLOWED_TYPES.values())

# Formats recognised by their signature: the content types puremagic may report for them.
_SIGNATURE_TYPES: dict[str, set[str]] = {
    ".pdf": {"application/pdf"},
    ".png": {"image/png"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".gif": {"image/gif"},
}
_TEXT_EXTENSIONS = {".txt", ".csv", ".json"}
# Signature matches that are harmless in a text file (text looks like these).
_TEXT_COMPATIBLE = {"", ".txt", ".csv", ".json", ".tsv", ".text", ".asc"}
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
# A part a ZIP-based office file must contain.
_OOXML_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".pptx": "ppt/presentation.xml"}
_ODF_MIMETYPE = {".odt": "application/vnd.oasis.opendocument.text",
                 ".ods": "application/vnd.oasis.opendocument.spreadsheet"}
# Control characters that do not belong in a text file (tab, newline, carriage return, form feed do).
_TEXT_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_FILENAME_UNSAFE_RE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]')
FILENAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class AttachmentFacts:
    """What an accepted file is: its safe name, extension, content type, size and SHA-256."""

    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def attachment_max_bytes() -> int:
    return int(getattr(settings, "DTC_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def attachment_filename_safe(name: str) -> str:
    """A file name safe to store and to put in a Content-Disposition header: no directories, no
    control characters or characters that are special in paths or headers, not empty, not too long
    (the extension is kept)."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name  # drops "../" and "C:\\…" parts
    base = unicodedata.normalize("NFC", base)
    base = _FILENAME_UNSAFE_RE.sub("_", base).strip().strip(".")
    if not base:
        base = "bijlage"
    if len(base) > FILENAME_MAX_LENGTH:
        stem, dot, extension = base.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            base = stem[: FILENAME_MAX_LENGTH - len(extension) - 1] + "." + extension
        else:
            base = base[:FILENAME_MAX_LENGTH]
    return base


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def _read_all(uploaded_file: IO[bytes] | Any) -> bytes:
    uploaded_file.seek(0)
    if hasattr(uploaded_file, "chunks"):
        data = b"".join(uploaded_file.chunks())
    else:
        data = uploaded_file.read()
    uploaded_file.seek(0)
    return data


def _signature_matches(data: bytes) -> list[Any]:
    try:
        return list(puremagic.magic_string(data))
    except puremagic.PureError:
        return []


def _check_signature(extension: str, data: bytes) -> None:
    matches = _signature_matches(data)
    expected = _SIGNATURE_TYPES[extension]
    best = [match for match in matches if match.confidence == matches[0].confidence] if matches else []
    if not any(match.mime_type in expected for match in best):
        raise _refuse(
            _("De inhoud van dit bestand past niet bij de extensie %(extension)s. Het bestand is geweigerd.")
            % {"extension": extension},
            "attachment_content_mismatch",
        )


def _check_zip(extension: str, data: bytes, uploaded_file: Any) -> None:
    mismatch = _refuse(
        _("De inhoud van dit bestand past niet bij de extensie %(extension)s. Het bestand is geweigerd.")
        % {"extension": extension},
        "attachment_content_mismatch",
    )
    if not data.startswith(_ZIP_SIGNATURES):
        raise mismatch
    try:
        uploaded_file.seek(0)
        with zipfile.ZipFile(uploaded_file) as archive:
            names = set(archive.namelist())
            if extension in _OOXML_PART:
                if "[Content_Types].xml" not in names or _OOXML_PART[extension] not in names:
                    raise mismatch
            elif extension in _ODF_MIMETYPE:
                if "mimetype" not in names:
                    raise mismatch
                if archive.read("mimetype").decode("ascii", "replace").strip() != _ODF_MIMETYPE[extension]:
                    raise mismatch
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        raise mismatch from None
    finally:
        uploaded_file.seek(0)


def _check_text(extension: str, data: bytes) -> None:
    not_text = _refuse(
        _("Dit is geen leesbaar tekstbestand (UTF-8) en past dus niet bij de extensie %(extension)s. "
          "Het bestand is geweigerd.") % {"extension": extension},
        "attachment_content_mismatch",
    )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise not_text from None
    if _TEXT_CONTROL_RE.search(text):
        raise not_text
    for match in _signature_matches(data):
        if match.extension.lower() not in _TEXT_COMPATIBLE:
            raise _refuse(
                _("De inhoud van dit bestand lijkt op %(kind)s, niet op %(extension)s. Het bestand is geweigerd.")
                % {"kind": match.extension or match.name, "extension": extension},
                "attachment_content_mismatch",
            )
    if extension == ".json":
        try:
            json.loads(text)
        except ValueError:
            raise _refuse(_("Dit is geen geldig JSON-bestand."), "attachment_json_invalid") from None


def attachment_inspect(uploaded_file: Any) -> AttachmentFacts:
    """Judge `uploaded_file` (a Django UploadedFile or any object with name, size, read and seek).

    Raises ValidationError (on the field "file"; codes attachment_empty, attachment_too_large,
    attachment_type_not_allowed, attachment_content_mismatch, attachment_json_invalid).
    """
    name = attachment_filename_safe(getattr(uploaded_file, "name", "") or "")
    extension = PurePosixPath(name).suffix.lower()
    if extension not in ALLOWED_TYPES:
        raise _refuse(
            _("Dit soort bestand kan niet worden bijgevoegd. Toegestaan: PDF, PNG, JPEG, GIF, tekst (.txt), "
              "CSV, JSON, ZIP en kantoorbestanden (.docx, .xlsx, .pptx, .odt, .ods)."),
            "attachment_type_not_allowed",
        )
    limit = attachment_max_bytes()
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise _refuse(
            _("Het bestand is te groot (%(size)s); het maximum is %(max)s.")
            % {"size": filesizeformat(size), "max": filesizeformat(limit)},
            "attachment_too_large",
        )
    data = _read_all(uploaded_file)
    if len(data) > limit:  # the declared size is the client's word; the bytes are not
        raise _refuse(
            _("Het bestand is te groot (%(size)s); het maximum is %(max)s.")
            % {"size": filesizeformat(len(data)), "max": filesizeformat(limit)},
            "attachment_too_large",
        )
    if not data:
        raise _refuse(_("Het bestand is leeg."), "attachment_empty")
    if extension in _SIGNATURE_TYPES:
        _check_signature(extension, data)
    elif extension in _TEXT_EXTENSIONS:
        _check_text(extension, data)
    else:
        _check_zip(extension, data, uploaded_file)
    return AttachmentFacts(
        name=name,
        extension=extension,
        content_type=ALLOWED_TYPES[extension],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
