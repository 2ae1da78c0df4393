"""The registry of checks: one module per standard registers its check here (house style: a small
registry plus one module per implementation)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dtc.scans.checks.base import Advice, Finding, ScanContext


@dataclass(frozen=True)
class Check:
    id: str                   # "web.https", "mail.spf", ...
    category: str             # "web" or "mail"
    scored: bool              # False: advice only (shown, not counted in the score)
    module: str               # the check's module: its `collect` (network) and `ADVICE`
    evaluate: Callable[[Any], list[Finding]]
    principle: int = 2        # basic principle the advice links to ("Kies veilige instellingen")

    @property
    def collect(self) -> Callable[..., Any]:
        return sys.modules[self.module].collect  # type: ignore[no-any-return]

    @property
    def advice(self) -> dict[str, Advice]:
        """Per finding code; every code `evaluate` can emit has one (tests check this)."""
        return getattr(sys.modules[self.module], "ADVICE", {})


CHECKS: dict[str, Check] = {}


def register(*, id: str, category: str, scored: bool = True, principle: int = 2):
    """Decorator for a check module's `evaluate`; the module's `collect` and `ADVICE` are found by name."""

    def decorator(evaluate: Callable[[Any], list[Finding]]) -> Callable[[Any], list[Finding]]:
        CHECKS[id] = Check(id=id, category=category, scored=scored, module=evaluate.__module__, evaluate=evaluate,
                           principle=principle)
        return evaluate

    return decorator


def run(check_id: str, target: str, *, context: ScanContext) -> list[Finding]:
    check = CHECKS[check_id]
    return check.evaluate(check.collect(target, context=context))
