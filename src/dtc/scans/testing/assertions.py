"""What every check's tests assert: findings belong to their check, the advice table is complete, the
check is registered as it should be. Scenario tables come in two forms, both understood here:

    SCENARIOS = {"good.test": {"mx.ok": Outcome.PASS}, ...}          # domain -> every code it gives
    CASES = [("good.test", "dmarc.policy_enforced", Outcome.PASS), ...]  # (domain, a code it gives, outcome)
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from types import ModuleType

from dtc.scans.checks.base import Finding, Outcome, ScanContext
from dtc.scans.checks.registry import CHECKS

URGENCIES = frozenset({"high", "medium", "low"})
FIXERS = frozenset({"you", "hosting", "dns", "mail"})

Scenarios = Mapping[str, Mapping[str, Outcome]] | Iterable[tuple[str, str, Outcome]]


def scan(module: ModuleType, target: str, *, context: ScanContext) -> list[Finding]:
    """collect + evaluate of one check module; every finding is the module's own and has advice."""
    findings: list[Finding] = module.evaluate(module.collect(target, context=context))
    for finding in findings:
        assert finding.check == module.CHECK_ID, finding
        assert finding.code in module.ADVICE, finding.code
    return findings


def by_code(findings: Iterable[Finding]) -> dict[str, Finding]:
    return {finding.code: finding for finding in findings}


def outcomes(findings: Iterable[Finding]) -> dict[str, Outcome]:
    return {finding.code: finding.outcome for finding in findings}


def assert_finding(findings: Iterable[Finding], code: str, outcome: Outcome) -> Finding:
    """`code` is among the findings, with `outcome`; returns that finding."""
    found = by_code(findings)
    assert code in found, sorted(found)
    assert found[code].outcome == outcome, (code, found[code].outcome)
    return found[code]


def _rows(scenarios: Scenarios) -> Iterator[tuple[str, str, Outcome]]:
    if isinstance(scenarios, Mapping):
        for domain, codes in scenarios.items():
            for code, outcome in codes.items():
                yield domain, code, outcome
    else:
        yield from scenarios


def codes_of(scenarios: Scenarios, *only: Outcome) -> set[str]:
    """The finding codes a scenario table produces (only those with one of the outcomes `only`, if given)."""
    return {code for _domain, code, outcome in _rows(scenarios) if not only or outcome in only}


def codes_in_source(module: ModuleType) -> set[str]:
    """The finding codes written as string literals in a check module, above its ADVICE table."""
    prefix = next(iter(module.ADVICE)).split(".", 1)[0]
    source = inspect.getsource(module).split("ADVICE: dict")[0]
    return set(re.findall(rf'"({re.escape(prefix)}\.[a-z0-9_]+)"', source))


def assert_every_code_tested(module: ModuleType, test_module: str, *, before: str, also: Iterable[str] = ()) -> None:
    """Every code the check module can emit (`codes_in_source`, and `also`) is asserted by name ("code") in
    the test module's source above the line `before`: each finding has an end-to-end test."""
    source = inspect.getsource(sys.modules[test_module]).split(before)[0]
    missing = {code for code in codes_in_source(module) | set(also) if f'"{code}"' not in source}
    assert not missing, f"every code needs an end-to-end test: {sorted(missing)}"


def assert_advice_complete(module: ModuleType, codes: Iterable[str] | None = None, *,
                           with_message: Iterable[str] = (), without_message: Iterable[str] = ()) -> None:
    """The check module's ADVICE is complete.

    - its entries are exactly `codes`, the codes the check can emit (by default those written in the
      module; tests pass the codes their scenarios produce, so no entry is unreachable) — and every code
      written in the module has one;
    - every entry has a title and a meaning, a known urgency and a known fixer;
    - the codes `with_message` carry a polite text for the fixer ("Beste …"); `without_message` none."""
    advice = module.ADVICE
    written = codes_in_source(module)
    assert written <= set(advice), f"codes without advice: {sorted(written - set(advice))}"
    expected = written if codes is None else set(codes)
    assert expected == set(advice), {"no advice": expected - set(advice), "never emitted": set(advice) - expected}
    for code, entry in advice.items():
        assert str(entry.title) and str(entry.meaning), code
        assert entry.urgency in URGENCIES, code
        assert entry.fixer in FIXERS, code
    for code in with_message:
        assert str(advice[code].message).startswith("Beste"), code
    for code in without_message:
        assert not str(advice[code].message), code


def assert_registered(module: ModuleType, *, category: str, scored: bool) -> None:
    """The module's evaluate is registered under its CHECK_ID, with its collect and ADVICE."""
    check = CHECKS[module.CHECK_ID]
    assert (check.category, check.scored) == (category, scored)
    assert check.module == module.__name__ and check.evaluate is module.evaluate
    assert check.collect is module.collect and check.advice is module.ADVICE
