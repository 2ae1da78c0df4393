"""Technical indicators (IOCs) shared with items: validated and written one canonical way.

Pure functions, no database. One canonical form per indicator, so "the same indicator elsewhere"
(similar items) is an exact match in SQL and a duplicate on one item is caught by the unique
constraint:

- ip: any valid IPv4 or IPv6 address (`ipaddress`), written in its compressed form
  (`2001:DB8:0:0::1` → `2001:db8::1`). Private and reserved addresses are accepted: an internal
  address seen in an incident is still worth sharing.
- domain: IDNA-encoded (A-labels, `bücher.nl` → `xn--bcher-kva.nl`), lowercase, letters/digits/hyphens
  per label (RFC 1035/5891: 1–63 characters, no hyphen at either end), at least two labels, at most 253
  characters, a top-level label that is not all digits (so an IP address is never a domain). One
  trailing root dot (`example.nl.`) is dropped.
- url: http, https or ftp (RFC 3986) with a valid host (domain or IP address); scheme and host are
  written lowercase (host IDNA-encoded), path, query and fragment are kept as given; at most 2048
  characters; no spaces or control characters.
- md5 / sha1 / sha256: exactly 32 / 40 / 64 hexadecimal characters, written lowercase.
- cve: `CVE-YYYY-NNNN…` (the CVE ID syntax: a four-digit year and four or more digits), uppercase.

Indicators are often pasted "defanged" so nobody clicks them (`hxxp://evil[.]example`); for ip, domain
and url the usual defanging (`[.]`, `(.)`, `[:]`, `hxxp`, `fxp`) is undone first.

Failures raise `django.core.exceptions.ValidationError` with a translated (Dutch) message and a code
per failure, so forms and the API can tell the user exactly what is wrong.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dtc.community.models import Indicator

URL_MAX_LENGTH = 2048
DOMAIN_MAX_LENGTH = 253
URL_SCHEMES = ("http", "https", "ftp")
HASH_LENGTHS: dict[str, int] = {
    Indicator.Kind.MD5: 32,
    Indicator.Kind.SHA1: 40,
    Indicator.Kind.SHA256: 64,
}

_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_HEX_RE = re.compile(r"^[0-9a-f]+$")
_CVE_RE = re.compile(r"^CVE-\d{4}-\d{4,19}$")
_CONTROL_OR_SPACE_RE = re.compile(r"[\s\x00-\x1f\x7f]")
_DEFANG = (("[.]", "."), ("(.)", "."), ("{.}", "."), ("[dot]", "."), ("[:]", ":"), ("[://]", "://"))


def _refang(value: str) -> str:
    for defanged, plain in _DEFANG:
        value = value.replace(defanged, plain)
    lowered = value.lower()
    if lowered.startswith("hxxp"):
        value = "http" + value[4:]
    elif lowered.startswith("fxp"):
        value = "ftp" + value[3:]
    return value


def _ip_normalise(value: str) -> str:
    candidate = _refang(value)
    if candidate.startswith("[") and candidate.endswith("]"):
        candidate = candidate[1:-1]
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is geen geldig IPv4- of IPv6-adres.") % {"value": value[:100]}, code="ip_invalid"
        ) from None
    return address.compressed


def _domain_normalise(value: str) -> str:
    invalid = ValidationError(
        _("“%(value)s” is geen geldige domeinnaam (bijvoorbeeld voorbeeld.nl).") % {"value": value[:100]},
        code="domain_invalid",
    )
    candidate = _refang(value)
    if candidate.endswith("."):
        candidate = candidate[:-1]
    if not candidate or _CONTROL_OR_SPACE_RE.search(candidate):
        raise invalid
    labels = candidate.split(".")
    if len(labels) < 2:
        raise ValidationError(
            _("“%(value)s” is geen volledige domeinnaam: er hoort minstens één punt in (bijvoorbeeld "
              "voorbeeld.nl).") % {"value": value[:100]},
            code="domain_no_dot",
        )
    encoded: list[str] = []
    for label in labels:
        if not label:
            raise invalid
        if label.isascii():
            ascii_label = label.lower()
        else:
            try:
                # IDNA (RFC 3490 ToASCII, Python's standard codec): nameprep lowercases, then Punycode.
                ascii_label = label.encode("idna").decode("ascii").lower()
            except UnicodeError:
                raise invalid from None
        if not _LABEL_RE.match(ascii_label):
            raise invalid
        encoded.append(ascii_label)
    if encoded[-1].isdigit():
        raise invalid
    domain = ".".join(encoded)
    if len(domain) > DOMAIN_MAX_LENGTH:
        raise ValidationError(
            _("Een domeinnaam is hoogstens %(max)d tekens lang.") % {"max": DOMAIN_MAX_LENGTH},
            code="domain_too_long",
        )
    return domain


def _url_normalise(value: str) -> str:
    invalid = ValidationError(
        _("“%(value)s” is geen geldige URL (bijvoorbeeld https://voorbeeld.nl/pad).") % {"value": value[:100]},
        code="url_invalid",
    )
    candidate = _refang(value)
    if len(candidate) > URL_MAX_LENGTH:
        raise ValidationError(
            _("Een URL is hoogstens %(max)d tekens lang.") % {"max": URL_MAX_LENGTH}, code="url_too_long"
        )
    if _CONTROL_OR_SPACE_RE.search(candidate):
        raise invalid
    try:
        parts = urlsplit(candidate)
        port = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError:
        raise invalid from None
    scheme = parts.scheme.lower()
    if scheme not in URL_SCHEMES:
        raise ValidationError(
            _("Een URL-indicator begint met http://, https:// of ftp://."), code="url_scheme"
        )
    host = parts.hostname or ""
    if not host:
        raise ValidationError(_("Deze URL heeft geen host."), code="url_no_host")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            host = _domain_normalise(host)
        except ValidationError:
            raise invalid from None
    else:
        host = f"[{address.compressed}]" if address.version == 6 else address.compressed
    netloc = host
    if parts.username is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{host}"
    if port is not None:
        netloc = f"{netloc}:{port}"
    normalised = urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))
    if len(normalised) > URL_MAX_LENGTH:
        raise ValidationError(
            _("Een URL is hoogstens %(max)d tekens lang.") % {"max": URL_MAX_LENGTH}, code="url_too_long"
        )
    return normalised


def _hash_normalise(kind: str, value: str) -> str:
    length = HASH_LENGTHS[kind]
    candidate = value.lower()
    if len(candidate) != length or not _HEX_RE.match(candidate):
        raise ValidationError(
            _("Een %(kind)s bestaat uit precies %(length)d hexadecimale tekens (0-9, a-f).")
            % {"kind": Indicator.Kind(kind).label, "length": length},
            code="hash_invalid",
        )
    return candidate


def _cve_normalise(value: str) -> str:
    candidate = value.upper()
    if not _CVE_RE.match(candidate):
        raise ValidationError(
            _("“%(value)s” is geen CVE-nummer (zoals CVE-2024-12345).") % {"value": value[:100]},
            code="cve_invalid",
        )
    return candidate


def indicator_normalise(*, kind: str, value: str) -> str:
    """The canonical form of `value` as an indicator of `kind` (an `Indicator.Kind` value).

    Raises ValidationError (codes: kind_invalid, empty, ip_invalid, domain_invalid, domain_no_dot,
    domain_too_long, url_invalid, url_too_long, url_scheme, url_no_host, hash_invalid, cve_invalid).
    """
    if kind not in Indicator.Kind.values:
        raise ValidationError(_("Kies een geldige soort indicator."), code="kind_invalid")
    candidate = (value or "").strip()
    if not candidate:
        raise ValidationError(_("Vul een waarde in."), code="empty")
    if kind == Indicator.Kind.IP:
        return _ip_normalise(candidate)
    if kind == Indicator.Kind.DOMAIN:
        return _domain_normalise(candidate)
    if kind == Indicator.Kind.URL:
        return _url_normalise(candidate)
    if kind in HASH_LENGTHS:
        return _hash_normalise(kind, candidate)
    return _cve_normalise(candidate)


def indicator_kind_guess(value: str) -> str | None:
    """The kind `value` most likely is (for a pasted list, one per line), or None when it is none.

    Order matters: a CVE and a hash are recognised by their exact shape; something with a scheme is a
    URL; then an IP address; then a domain name.
    """
    candidate = (value or "").strip()
    if not candidate:
        return None
    if _CVE_RE.match(candidate.upper()):
        return Indicator.Kind.CVE.value
    if _HEX_RE.match(candidate.lower()):
        for kind, length in HASH_LENGTHS.items():
            if len(candidate) == length:
                return str(kind)
    if "://" in _refang(candidate):
        return _valid_as(Indicator.Kind.URL, candidate)
    return _valid_as(Indicator.Kind.IP, candidate) or _valid_as(Indicator.Kind.DOMAIN, candidate)


def _valid_as(kind: str, value: str) -> str | None:
    try:
        indicator_normalise(kind=kind, value=value)
    except ValidationError:
        return None
    return str(kind)
