"""Reading a software bill of materials (SBOM) as a product list: CycloneDX JSON and SPDX JSON.

CycloneDX 1.4–1.6 (https://cyclonedx.org/docs/1.6/json/): `components[]` (nested components too, and
`metadata.component`, the thing the SBOM describes) with name, version, purl, cpe and the vendor from
supplier.name, manufacturer.name (1.6), publisher or group. We check the structure we read ourselves:
the JSON-schema validator of cyclonedx-python-lib needs seconds per thousand components, too slow for
a 5 MB upload in a web request, and we need only these fields.

SPDX 2.2/2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/): parsed with spdx-tools, which checks the
document's structure; `packages[]` with name, versionInfo, externalRefs of type purl / cpe23Type /
cpe22Type, and supplier or originator "Organization: X" / "Person: X".

A file that is too large, not JSON, or neither format is refused as a whole with a Dutch reason.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from dtc.organisations.product_import import (
    MAX_ROWS,
    VERSION_MAX,
    ImportFileError,
    ImportRow,
    ParsedFile,
    cpe_version,
    errors_capped,
    purl_version,
)

SBOM_MAX_BYTES = 5 * 1024 * 1024
CYCLONEDX_VERSIONS = ("1.4", "1.5", "1.6")
SPDX_VERSIONS = ("SPDX-2.2", "SPDX-2.3")


def sbom_parse(data: bytes) -> ParsedFile:
    """The components of a CycloneDX or SPDX JSON document as import rows; ImportFileError otherwise."""
    document = _json_load(data)
    if document.get("bomFormat") == "CycloneDX":
        return cyclonedx_parse(document)
    if "spdxVersion" in document:
        return spdx_parse(document)
    raise ImportFileError(
        [
            _(
                "Dit JSON-bestand is geen SBOM die wij kennen. Een CycloneDX-bestand heeft "
                '‘"bomFormat": "CycloneDX"’, een SPDX-bestand heeft ‘spdxVersion’.'
            )
        ]
    )


def _json_load(data: bytes) -> dict[str, Any]:
    if len(data) > SBOM_MAX_BYTES:
        raise ImportFileError(
            [
                _("Het bestand is te groot (%(size)s kB); een SBOM mag hoogstens %(max)s kB zijn.")
                % {"size": (len(data) + 1023) // 1024, "max": SBOM_MAX_BYTES // 1024}
            ]
        )
    if not data.strip():
        raise ImportFileError([_("Het bestand is leeg.")])
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportFileError([_("Dit is geen JSON-bestand: het is geen UTF-8-tekst.")]) from None
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            [
                _("Dit is geen geldig JSON-bestand (regel %(line)d, kolom %(column)d: %(detail)s).")
                % {"line": exc.lineno, "column": exc.colno, "detail": exc.msg}
            ]
        ) from None
    except RecursionError:
        raise ImportFileError([_("Dit JSON-bestand is te diep genest om te lezen.")]) from None
    if not isinstance(document, dict):
        raise ImportFileError(
            [_("Dit JSON-bestand is geen SBOM: het bevat geen object op het hoogste niveau.")]
        )
    return document


def _version(value: str, *fallbacks: str) -> str:
    """The component's version, else one from its PURL or CPE. Longer than we store: unknown (""),
    which alerts treat as "possibly affected" rather than a silent miss."""
    for candidate in (value, *fallbacks):
        if candidate:
            return candidate.strip() if len(candidate.strip()) <= VERSION_MAX else ""
    return ""


# --- CycloneDX -----------------------------------------------------------------------------------


def cyclonedx_parse(document: dict[str, Any]) -> ParsedFile:
    spec = document.get("specVersion")
    if spec not in CYCLONEDX_VERSIONS:
        raise ImportFileError(
            [
                _("CycloneDX-versie %(version)s wordt niet ondersteund; wij lezen versie %(supported)s.")
                % {
                    "version": spec if isinstance(spec, str) else "?",
                    "supported": ", ".join(CYCLONEDX_VERSIONS),
                }
            ]
        )
    errors: list[str] = []
    found: list[tuple[str, dict[str, Any]]] = []
    # Depth-first, in document order, without recursion: nesting depth is up to the uploader.
    stack: list[tuple[str, Any]] = []
    metadata = document.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        errors.append(_("‘metadata’ moet een object zijn."))
    elif metadata and "component" in metadata:
        stack.append(("metadata.component", metadata["component"]))
    components = document.get("components", [])
    if not isinstance(components, list):
        errors.append(_("‘components’ moet een lijst zijn."))
        components = []
    stack += [(f"components[{index}]", item) for index, item in reversed(list(enumerate(components)))]
    while stack:
        path, component = stack.pop()
        problem = _cyclonedx_check(component)
        if problem:
            errors.append(f"{path}: {problem}")
            continue
        found.append((path, component))
        if len(found) > MAX_ROWS:
            raise ImportFileError([_("De SBOM heeft meer dan %(max)d onderdelen.") % {"max": MAX_ROWS}])
        children = component.get("components", [])
        stack += [
            (f"{path}.components[{index}]", item) for index, item in reversed(list(enumerate(children)))
        ]
    if errors:
        raise ImportFileError(
            errors_capped([_("De CycloneDX-SBOM klopt niet: %(error)s") % {"error": e} for e in errors])
        )
    if not found:
        raise ImportFileError([_("De SBOM noemt geen onderdelen (‘components’ is leeg).")])
    rows = [_cyclonedx_row(number, component) for number, (_path, component) in enumerate(found, start=1)]
    return ParsedFile(kind="cyclonedx", label=f"CycloneDX {spec}", rows=rows)


_STRING_FIELDS = ("type", "version", "purl", "cpe", "group", "publisher", "author", "bom-ref")


def _cyclonedx_check(component: Any) -> str:
    """Empty when the fields we read have the right types, else the first problem (Dutch)."""
    if not isinstance(component, dict):
        return _("een onderdeel moet een object zijn.")
    name = component.get("name")
    if not isinstance(name, str) or not name.strip():
        return _("‘name’ ontbreekt of is geen tekst.")
    for key in _STRING_FIELDS:
        if key in component and not isinstance(component[key], str):
            return _("‘%(field)s’ moet tekst zijn.") % {"field": key}
    for key in ("supplier", "manufacturer"):
        party = component.get(key)
        if party is not None and not (isinstance(party, dict) and isinstance(party.get("name", ""), str)):
            return _("‘%(field)s’ moet een object met een ‘name’ (tekst) zijn.") % {"field": key}
    if not isinstance(component.get("components", []), list):
        return _("‘components’ moet een lijst zijn.")
    return ""


def _cyclonedx_row(number: int, component: dict[str, Any]) -> ImportRow:
    vendor = next(
        (
            value.strip()
            for value in (
                (component.get("supplier") or {}).get("name", ""),
                (component.get("manufacturer") or {}).get("name", ""),
                component.get("publisher", ""),
                component.get("group", ""),
            )
            if value and value.strip()
        ),
        "",
    )
    purl, cpe = component.get("purl", "").strip(), component.get("cpe", "").strip()
    return ImportRow(
        line=number,
        vendor=vendor,
        name=component["name"].strip(),
        version=_version(component.get("version", ""), purl_version(purl), cpe_version(cpe)),
        purl=purl,
        cpe=cpe,
    )


# --- SPDX ----------------------------------------------------------------------------------------


def spdx_parse(document: dict[str, Any]) -> ParsedFile:
    from spdx_tools.spdx.model.actor import Actor
    from spdx_tools.spdx.parser.error import SPDXParsingError
    from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser

    version = document.get("spdxVersion")
    if version not in SPDX_VERSIONS:
        raise ImportFileError(
            [
                _("SPDX-versie %(version)s wordt niet ondersteund; wij lezen %(supported)s (JSON).")
                % {
                    "version": version if isinstance(version, str) else "?",
                    "supported": ", ".join(SPDX_VERSIONS),
                }
            ]
        )
    try:
        parsed = JsonLikeDictParser().parse(document)
    except SPDXParsingError as exc:
        details = [str(message)[:300] for message in exc.get_messages()]
        raise ImportFileError(
            errors_capped(
                [_("Het SPDX-bestand klopt niet: %(detail)s") % {"detail": detail} for detail in details]
            )
        ) from None
    except (AttributeError, TypeError, ValueError, KeyError):
        # spdx-tools assumes the JSON types the specification prescribes; anything else lands here.
        raise ImportFileError(
            [_("Het SPDX-bestand heeft niet de opbouw die de SPDX-specificatie voorschrijft.")]
        ) from None
    if not parsed.packages:
        raise ImportFileError([_("Het SPDX-bestand noemt geen pakketten (‘packages’ ontbreekt of is leeg).")])
    if len(parsed.packages) > MAX_ROWS:
        raise ImportFileError([_("De SBOM heeft meer dan %(max)d onderdelen.") % {"max": MAX_ROWS}])
    rows = []
    for number, package in enumerate(parsed.packages, start=1):
        refs = {ref.reference_type: ref.locator.strip() for ref in reversed(package.external_references)}
        purl = refs.get("purl", "")
        cpe = refs.get("cpe23Type") or refs.get("cpe22Type") or ""
        party = next((p for p in (package.supplier, package.originator) if isinstance(p, Actor)), None)
        rows.append(
            ImportRow(
                line=number,
                vendor=party.name.strip() if party else "",
                name=package.name.strip(),
                version=_version(package.version or "", purl_version(purl), cpe_version(cpe)),
                purl=purl,
                cpe=cpe,
            )
        )
    return ParsedFile(kind="spdx", label=version, rows=rows)
