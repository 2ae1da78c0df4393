"""The scan as people read it: checks grouped per category and target, each finding with its advice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from dtc.scans.checks import registry
from dtc.scans.models import Scan, ScanCheck

CHECK_TITLES = {
    "web.https": _("Beveiligde verbinding (HTTPS) en doorsturen"),
    "web.headers": _("Beveiligingsinstellingen van de website (headers)"),
    "web.securitytxt": _("Contactgegevens voor beveiligingsmeldingen (security.txt)"),
    "web.tls": _("Kwaliteit van de versleuteling (TLS)"),
    "web.caa": _("Wie certificaten voor je domein mag uitgeven (CAA)"),
    "web.dnssec": _("Ondertekende DNS-gegevens (DNSSEC)"),
    "web.ipv6": _("Bereikbaar via het nieuwe internetadres (IPv6)"),
    "mail.starttls": _("Versleuteld mail ontvangen (STARTTLS)"),
    "mail.dane": _("Extra controle op de mailserver (DANE)"),
    "mail.mx": _("Mailservers van je domein (MX)"),
    "mail.spf": _("Wie namens je domein mag mailen (SPF)"),
    "mail.dmarc": _("Beleid tegen vervalste mail (DMARC)"),
    "mail.dkim": _("Digitale handtekening onder je mail (DKIM)"),
    "mail.mtasts": _("Versleuteld mail ontvangen afdwingen (MTA-STS)"),
    "mail.tlsrpt": _("Rapporten over versleutelde mail (TLS-RPT)"),
}
CATEGORY_TITLES = {"web": _("Website"), "mail": _("E-mail")}
OUTCOME_LABELS = {
    "pass": _("In orde"), "warn": _("Kan beter"), "fail": _("Niet in orde"), "info": _("Ter informatie"),
    "not_tested": _("Kon niet worden getest"), "na": _("Niet van toepassing"),
}
FIXER_LABELS = {
    "you": _("jij"), "hosting": _("je hostingpartij of webbouwer"), "dns": _("je domein- of DNS-beheerder"),
    "mail": _("je mailprovider"),
}
GENERIC = {
    "check.timeout": _("De server reageerde niet op tijd. Dit is geen fout van jou; probeer het later opnieuw."),
    "check.crashed": _("Deze test liep vast. Dit ligt aan ons; probeer het later opnieuw."),
}


@dataclass(frozen=True)
class FindingLine:
    outcome: str
    outcome_label: str
    code: str
    subject: str
    title: str
    meaning: str
    urgency: str
    fixer_label: str
    message: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class CheckLine:
    check_id: str
    title: str
    target: str
    outcome: str
    outcome_label: str
    scored: bool
    findings: list[FindingLine]
    previous_outcome: str = ""  # the outcome in the previous finished scan of this domain, if it differs
    previous_label: str = ""


def _finding(check_id: str, data: dict[str, Any]) -> FindingLine:
    check = registry.CHECKS.get(check_id)
    advice = check.advice.get(data["code"]) if check is not None else None
    generic = GENERIC.get(data["code"], "")
    return FindingLine(
        outcome=data["outcome"], outcome_label=str(OUTCOME_LABELS.get(data["outcome"], data["outcome"])),
        code=data["code"], subject=data.get("subject", ""),
        title=str(advice.title) if advice else str(generic or data["code"]),
        meaning=str(advice.meaning) if advice else "",
        urgency=advice.urgency if advice else "",
        fixer_label=str(FIXER_LABELS.get(advice.fixer, "")) if advice else "",
        message=str(advice.message) if advice else "",
        detail=data.get("detail") or {},
    )


def scan_previous(*, scan: Scan) -> Scan | None:
    """The last finished scan of the same domain before this one, in the same scope (on-demand scans
    compare with on-demand scans, an organisation's with its own)."""
    return (
        Scan.objects.filter(domain=scan.domain, organisation_id=scan.organisation_id, status=Scan.Status.DONE,
                            created_at__lt=scan.created_at)
        .exclude(pk=scan.pk).order_by("-created_at").first()
    )


def scan_report(*, scan: Scan, previous: Scan | None = None) -> dict[str, list[CheckLine]]:
    import dtc.scans.checks  # noqa: F401 - registers every check module

    before: dict[tuple[str, str], str] = {}
    if previous is not None:
        before = {(check_id, target): outcome for check_id, target, outcome in
                  ScanCheck.objects.filter(scan=previous).values_list("check_id", "target", "outcome")}
    lines: dict[str, list[CheckLine]] = {"web": [], "mail": []}
    for row in ScanCheck.objects.filter(scan=scan).order_by("id"):
        check = registry.CHECKS.get(row.check_id)
        if check is None:
            continue
        lines[check.category].append(CheckLine(
            check_id=row.check_id, title=str(CHECK_TITLES.get(row.check_id, row.check_id)), target=row.target,
            outcome=row.outcome, outcome_label=str(OUTCOME_LABELS.get(row.outcome, row.outcome)),
            scored=check.scored, findings=[_finding(row.check_id, finding) for finding in row.findings],
            **_change(before.get((row.check_id, row.target), ""), row.outcome),
        ))
    return lines


def _change(previous: str, outcome: str) -> dict[str, str]:
    if not previous or previous == outcome:
        return {}
    return {"previous_outcome": previous, "previous_label": str(OUTCOME_LABELS.get(previous, previous))}


def score_rule() -> str:
    """The score rule of services.py in words, naming the advice-only checks from the registry (so the
    page and the PDF stay true when a check changes)."""
    from django.utils.translation import gettext

    advice_only = [
        _short_title(check_id) for check_id, check in registry.CHECKS.items() if not check.scored
    ]
    return gettext(
        "Per onderdeel telt elke test één keer per adres (je domein en www): in orde telt 1, kan beter een half, "
        "niet in orde 0. Tests die niet konden worden uitgevoerd, niet van toepassing zijn of alleen advies geven "
        "(%(advice_only)s) tellen niet mee. De score is het gemiddelde, van 0 tot 100."
    ) % {"advice_only": ", ".join(advice_only)}


def _short_title(check_id: str) -> str:
    """"CAA" from "Wie certificaten voor je domein mag uitgeven (CAA)"; the whole title when it has no
    abbreviation."""
    title = str(CHECK_TITLES.get(check_id, check_id))
    return title[title.rindex("(") + 1:-1] if title.endswith(")") and "(" in title else title


def scan_sections(*, scan: Scan) -> dict[str, Any]:
    """What a scan page shows (public page and an organisation's): the previous scan, the checks per
    category with their score, whether it still runs, and the score rule."""
    previous = scan_previous(scan=scan)
    report = scan_report(scan=scan, previous=previous)
    sections = [
        {"category": category, "title": CATEGORY_TITLES[category], "checks": report[category],
         "score": scan.score_web if category == "web" else scan.score_mail}
        for category in ("web", "mail") if (scan.web if category == "web" else scan.mail)
    ]
    return {"previous": previous, "sections": sections, "score_rule": score_rule(),
            "running": scan.status in (Scan.Status.QUEUED, Scan.Status.RUNNING)}
