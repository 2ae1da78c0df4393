"""What every check shares: the outcome levels, the judged result, and the scan context.

Each check module (one per standard) has two halves, as internet.nl's `checks/tasks/*.py`:
- `collect(target, *, context) -> <dataclass>`: the network step. Talks to DNS/TLS/HTTP/SMTP through
  the context (injectable resolver, timeouts, trust store) and returns plain data — also when the
  server did not answer (then the data says so; it never raises for a network failure).
- `evaluate(data) -> list[Finding]`: the pure judgement. No network; tests feed it canned data.
A check registers itself in `registry.py` with `@register`.

Levels follow the NCSC-NL "ICT-beveiligingsrichtlijnen voor Transport Layer Security" (2025-05):
good and sufficient pass, phase-out warns, insufficient fails. "Could not test" (timeout, 421 rate
limit, refused) is its own outcome and never counts as a fail.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import dns.resolver


class Outcome(enum.StrEnum):
    PASS = "pass"  # noqa: S105 - good or sufficient
    WARN = "warn"            # phase-out, or advice worth following
    FAIL = "fail"            # insufficient
    INFO = "info"            # informational only, never scored (e.g. MTA-STS, TLS-RPT)
    NOT_TESTED = "not_tested"  # could not test: timeout, rate limit, refused — never a fail
    NOT_APPLICABLE = "na"    # e.g. STARTTLS on a domain with a null MX


@dataclass(frozen=True)
class Finding:
    """One judged aspect of a check: what the business sees, with the technical detail behind it.

    `code` identifies the advice text (dtc.scans.advice); `detail` carries the technical facts (plain,
    JSON-safe) that the result page shows under "technische details"."""

    check: str                # registry id, e.g. "mail.spf"
    outcome: Outcome
    code: str                 # e.g. "spf.missing", "spf.too_many_lookups", "spf.ok"
    subject: str = ""         # the host, mail server or record it is about ("" = the domain)
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Advice:
    """Plain-Dutch advice for one finding code, for a business that is not a security expert.
    Strings are gettext_lazy; `message` is a text the business can send to whoever fixes it."""

    title: Any                # short: "Je domein heeft geen SPF-record"
    meaning: Any              # what it means for the business, one or two sentences
    urgency: str              # "high", "medium" or "low"
    fixer: str                # "you", "hosting", "dns", "mail" (who fixes it)
    message: Any = ""         # text to send the fixer ("" for a pass)


@dataclass
class ScanContext:
    """Everything a network step may use. Tests and the offline demo point the resolver at a
    loopback DNS server and the trust store at test CAs; production uses the system defaults."""

    resolver: dns.resolver.Resolver
    timeout: float = 10.0                 # per connection / query
    http_port: int = 80
    https_port: int = 443
    smtp_port: int = 25
    ca_file: str | None = None            # extra trust anchors (PEM) for TLS certificate checks
    user_agent: str = "DTC-scan/1.0 (+https://dtc.example/scans)"
    dnssec_trust_anchors: Any = None      # dnspython trust anchors for DNSSEC validation
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def system(cls, **overrides: Any) -> ScanContext:
        resolver = dns.resolver.Resolver()
        resolver.lifetime = overrides.get("timeout", 10.0)
        return cls(resolver=resolver, **overrides)

    @classmethod
    def loopback(cls, *, dns_port: int, dns_host: str = "127.0.0.1", **overrides: Any) -> ScanContext:
        """A resolver that asks only the given (test) DNS server."""
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [dns_host]
        resolver.port = dns_port
        resolver.lifetime = overrides.get("timeout", 5.0)
        resolver.timeout = overrides.get("timeout", 5.0)
        return cls(resolver=resolver, **overrides)
