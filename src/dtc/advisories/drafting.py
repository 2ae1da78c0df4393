"""A first draft of the plain-language message for an advisory, from the CSAF fields of its current revision.

The centre's lesson from 140 000 warnings a year: many go unread or look like phishing. So the draft
is short Dutch text for someone who runs a business, not a security team: what happened and how bad
(in words: "ernstig", not "CVSS 9.8"), who is at risk (the products and versions as the catalogue
names them), and what to do now, linked to one of the five basic principles and to articles on this
site. It contains no links to other sites (the message links only to our own articles; the vendor's
page is named, not linked). An analyst reads and edits it before anything is sent.

Urgency: urgent when a vulnerability is known to be actively exploited (the CSAF `threats` with
category `exploit_status`, or CISA's KEV list, as intake recorded it) or the highest CVSS base score
is 9.0 or more ("critical" in CVSS v3.1 §5, qualitative severity rating scale).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dtc.advisories.models import Advisory, AdvisoryProduct, ProductStatus, Urgency, Vulnerability
from dtc.advisories.versions import range_describe

URGENT_CVSS = Decimal("9.0")
SUMMARY_CHARS = 600
MAX_CVES_NAMED = 5
MAX_FIX_STEPS = 3

# The knowledge site's basic principles (src/dtc/knowledge/demo/principles/) by number.
PRINCIPLE_UPDATES = 3
PRINCIPLE_SETTINGS = 2
# Articles that fit the steps, by slug (src/dtc/knowledge/demo/articles/).
ARTICLE_UPDATES = "updates-installeren"

# "Update to V3.1.4 or later version", "Upgrade to version 2.3 or later": common vendor wording.
_UPDATE_TO_RE = re.compile(
    r"^\s*(?:update|upgrade)\s+to\s+(?:version\s+)?(?P<version>v?[\w.\-]+)\s+or\s+(?:a\s+)?(?:later|newer|higher)"
    r"(?:\s+versions?)?\s*\.?\s*$",
    re.IGNORECASE,
)


def severity_words(score: Decimal | None) -> str:
    """CVSS v3.1 qualitative rating (§5) in plain Dutch."""
    if score is None:
        return _("De ernst is niet bekendgemaakt.")
    if score >= Decimal("9.0"):
        return _("Dit is zeer ernstig.")
    if score >= Decimal("7.0"):
        return _("Dit is ernstig.")
    if score >= Decimal("4.0"):
        return _("Dit is matig ernstig.")
    return _("Dit is weinig ernstig.")


def _all_versions(product: AdvisoryProduct) -> bool:
    vers = (product.vers or "").strip()
    return vers.startswith("vers:unknown") or vers.endswith("/*")


def _product_label(product: AdvisoryProduct) -> str:
    if product.catalogue_product is not None:
        return str(product.catalogue_product)
    vendor, name = product.vendor.strip(), product.product_name.strip()
    if vendor and name.lower().startswith(vendor.lower()):
        vendor = ""  # "WordPress" + "WordPress": say it once
    label = " ".join(part for part in [vendor, name] if part)
    return label or product.full_name


def _affected_by_product(products: list[AdvisoryProduct]) -> dict[str, list[str]]:
    """Affected products (catalogue name if mapped) → their version descriptions, in a stable order."""
    grouped: dict[str, list[str]] = {}
    for product in products:
        if product.status != ProductStatus.AFFECTED:
            continue
        versions = grouped.setdefault(_product_label(product), [])
        if _all_versions(product):
            text = _("alle versies")
        else:
            text = range_describe(product.vers or product.version_text)
        if text not in versions:
            versions.append(text)
    return grouped


def _notes(document: dict[str, Any], category: str) -> list[str]:
    notes = (document.get("document") or {}).get("notes") or []
    return [
        str(n.get("text", "")).strip() for n in notes if isinstance(n, dict) and n.get("category") == category
    ]


def _remediations(document: dict[str, Any], affected_ids: set[str]) -> dict[str, list[str]]:
    """Remediation details by category, those for affected products first (CSAF §3.2.3.12)."""
    found: dict[str, list[str]] = {}
    for vulnerability in document.get("vulnerabilities") or []:
        if not isinstance(vulnerability, dict):
            continue
        for remediation in vulnerability.get("remediations") or []:
            if not isinstance(remediation, dict):
                continue
            ids = set(remediation.get("product_ids") or [])
            if affected_ids and ids and not ids & affected_ids:
                continue
            details = " ".join(str(remediation.get("details", "")).split())
            if details:
                bucket = found.setdefault(str(remediation.get("category", "")), [])
                if details not in bucket:
                    bucket.append(details)
    return found


def fix_in_plain_words(details: str) -> str:
    """ "Update to V3.1.4 or later version" → "Installeer versie V3.1.4 of nieuwer."; else the vendor's words."""
    match = _UPDATE_TO_RE.match(details)
    if match:
        return _("Installeer versie %(version)s of nieuwer.") % {"version": match.group("version")}
    return _("Installeer de update van de leverancier: %(details)s") % {"details": details}


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _knowledge_links(principle_number: int) -> tuple[str, list[str]]:
    """The principle's title and the URLs of the principle page and a fitting article, where published."""
    from dtc.knowledge.models import ArticlePage, PrinciplePage
    from dtc.knowledge.selectors import articles_public, principles_list

    fallback = {PRINCIPLE_UPDATES: _("Voer updates uit"), PRINCIPLE_SETTINGS: _("Kies veilige instellingen")}
    title = fallback[principle_number]
    links: list[str] = []
    principle: PrinciplePage | None = principles_list().filter(number=principle_number).first()
    if principle is not None:
        title = principle.title
        url = principle.get_url()
        if url:
            links.append(url)
    if principle_number == PRINCIPLE_UPDATES:
        article: ArticlePage | None = articles_public().filter(slug=ARTICLE_UPDATES).first()
        url = article.get_url() if article is not None else None
        if url:
            links.append(url)
    return title, links


def message_draft(*, advisory: Advisory) -> dict[str, Any]:
    """Draft fields for a `Message` (title, what, who, steps, principle, links, urgency) from the
    advisory's current revision. Pure reading; the caller stores it."""
    revision = advisory.current_revision
    document: dict[str, Any] = (
        revision.document if revision is not None and isinstance(revision.document, dict) else {}
    )
    products: list[AdvisoryProduct] = (
        list(revision.products.select_related("catalogue_product").order_by("id")) if revision else []
    )
    vulnerabilities: list[Vulnerability] = list(revision.vulnerabilities.order_by("id")) if revision else []

    affected = _affected_by_product(products)
    affected_ids = {p.csaf_product_id for p in products if p.status == ProductStatus.AFFECTED}
    cves = sorted({v.cve for v in vulnerabilities if v.cve})
    scores = [v.cvss_score for v in vulnerabilities if v.cvss_score is not None]
    cvss_max = max(scores) if scores else advisory.cvss_max
    exploited = advisory.exploited or any(v.exploited for v in vulnerabilities)
    urgent = exploited or (cvss_max is not None and cvss_max >= URGENT_CVSS)

    names = list(affected)
    if not names:
        subject = advisory.publisher_name or _("een product")
    elif len(names) == 1:
        subject = names[0]
    else:
        others = len(names) - 1
        subject = ngettext(
            "%(first)s en %(count)s ander product", "%(first)s en %(count)s andere producten", others
        ) % {
            "first": names[0],
            "count": others,
        }
    title = _("Beveiligingslek in %(subject)s") % {"subject": subject}
    title = _truncate(title, 200)

    # What is going on.
    what: list[str] = []
    count = max(len(vulnerabilities), 1)
    what.append(
        ngettext(
            "%(publisher)s meldt een kwetsbaarheid in %(subject)s.",
            "%(publisher)s meldt %(count)s kwetsbaarheden in %(subject)s.",
            count,
        )
        % {"publisher": advisory.publisher_name or _("De uitgever"), "count": count, "subject": subject}
    )
    what.append(severity_words(cvss_max))
    if exploited:
        what.append(_("Criminelen misbruiken dit lek al. Wacht dus niet."))
    summary = next((text for text in _notes(document, "summary") if text), "") or advisory.title
    if summary:
        what.append(_("De uitgever schrijft: %(summary)s") % {"summary": _truncate(summary, SUMMARY_CHARS)})
    if cves:
        named = ", ".join(cves[:MAX_CVES_NAMED])
        if len(cves) > MAX_CVES_NAMED:
            named += " " + _("en %(count)s meer") % {"count": len(cves) - MAX_CVES_NAMED}
        what.append(_("Kenmerk voor uw IT-leverancier: %(cves)s.") % {"cves": named})

    # Who is at risk.
    if affected:
        lines = [_("U loopt risico als uw bedrijf een van deze producten gebruikt:")]
        lines += [f"- {name}: {', '.join(versions)}" for name, versions in affected.items()]
        if any(_("alle versies") in versions for versions in affected.values()):
            lines.append(
                _("Bij 'alle versies' noemt de uitgever geen versies: ga ervan uit dat u risico loopt.")
            )
        who = "\n".join(lines)
    else:
        who = _(
            "De uitgever noemt geen producten die kwetsbaar zijn. Controleer het advies voordat u dit verstuurt."
        )

    # What to do now.
    remediations = _remediations(document, affected_ids)
    steps: list[str] = []
    fixes = remediations.get("vendor_fix", [])[:MAX_FIX_STEPS]
    steps += [fix_in_plain_words(details) for details in fixes]
    if not fixes:
        steps.append(_("Er is nog geen update. Volg de tijdelijke maatregelen van de leverancier."))
        steps += [
            _truncate(details, 300)
            for details in (remediations.get("mitigation", []) + remediations.get("workaround", []))[
                :MAX_FIX_STEPS
            ]
        ]
    steps.append(
        _("Beheert u dit niet zelf? Vraag uw IT-leverancier om dit te doen en stuur deze waarschuwing door.")
    )
    steps.append(
        _("Controleer daarna welke versie u gebruikt, bijvoorbeeld onder 'Over' of 'Info' in het product.")
    )
    principle_number = PRINCIPLE_UPDATES if fixes else PRINCIPLE_SETTINGS
    principle, links = _knowledge_links(principle_number)
    if fixes:
        steps.append(_("Zet automatisch updaten aan waar dat kan, dan bent u de volgende keer op tijd."))
    else:
        steps.append(_("Zet wat u niet gebruikt uit en maak het product niet bereikbaar vanaf internet."))

    return {
        "title": title,
        "what": "\n\n".join(what),
        "who": who,
        "steps": "\n".join(steps),
        "principle": principle[:100],
        "links": "\n".join(links),
        "urgency": Urgency.URGENT if urgent else Urgency.NORMAL,
    }
