"""The drafted message: plain Dutch from the CSAF fields of the current revision.

Rules under test: severity in words, not numbers; urgent when exploited or CVSS >= 9.0; the affected
catalogue products with their versions ("alle versies" for vers:unknown); steps that name the vendor's
fix in plain words; the basic principle "Voer updates uit" when there is a fix, "Kies veilige
instellingen" when there is none; links only to articles on this site. Runs on minimal documents and
on every real CSAF document in the shared reference data (skipped when that is absent).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from dtc.advisories.drafting import fix_in_plain_words, message_draft, severity_words
from dtc.advisories.models import ProductStatus, Urgency, Vulnerability
from dtc.advisories.tests.factories import AdvisoryFactory, AdvisoryProductFactory, AdvisoryRevisionFactory
from dtc.organisations.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _document(*, summary: str = "Een lek in de webinterface.", remediations: list | None = None) -> dict:
    return {
        "document": {
            "title": "Kwetsbaarheid in Acme Router",
            "notes": [{"category": "summary", "title": "Samenvatting", "text": summary}],
            "tracking": {"id": "NCSC-2025-0001", "version": "1.01"},
        },
        "vulnerabilities": [{"cve": "CVE-2025-0001", "remediations": remediations or []}],
    }


def _advisory(
    *,
    cvss: str | None = "5.0",
    exploited: bool = False,
    vers: str = "vers:generic/<2.0",
    version_text: str = "< 2.0",
    remediations: list | None = None,
):
    product = ProductFactory(vendor="Acme", name="Router")
    advisory = AdvisoryFactory(
        publisher_name="NCSC", exploited=exploited, cvss_max=Decimal(cvss) if cvss else None
    )
    revision = AdvisoryRevisionFactory(advisory=advisory, document=_document(remediations=remediations))
    AdvisoryProductFactory(
        revision=revision,
        catalogue_product=product,
        csaf_product_id="P1",
        vers=vers,
        version_text=version_text,
    )
    AdvisoryProductFactory(
        revision=revision,
        catalogue_product=product,
        csaf_product_id="P2",
        vers="",
        version_text="2.0",
        status=ProductStatus.FIXED,
    )
    Vulnerability.objects.create(
        revision=revision,
        cve="CVE-2025-0001",
        cvss_score=Decimal(cvss) if cvss else None,
        exploited=exploited,
    )
    advisory.refresh_from_db()
    return advisory


def test_a_medium_advisory_with_a_fix_is_normal_and_points_to_updates():
    fix = [{"category": "vendor_fix", "details": "Update to V3.1.4 or later version", "product_ids": ["P1"]}]
    draft = message_draft(advisory=_advisory(cvss="5.0", remediations=fix))
    assert draft["urgency"] == Urgency.NORMAL
    assert draft["title"] == "Beveiligingslek in Acme Router"
    assert "matig ernstig" in draft["what"]
    assert "CVE-2025-0001" in draft["what"]
    assert "Een lek in de webinterface." in draft["what"]
    assert "- Acme Router: ouder dan 2.0" in draft["who"]  # plain words, not "< 2.0"
    assert draft["steps"].splitlines()[0] == "Installeer versie V3.1.4 of nieuwer."
    assert "IT-leverancier" in draft["steps"]
    assert draft["principle"] == "Voer updates uit"


@pytest.mark.parametrize(
    ("cvss", "exploited", "urgency", "words"),
    [
        ("9.8", False, Urgency.URGENT, "zeer ernstig"),
        ("9.0", False, Urgency.URGENT, "zeer ernstig"),
        ("8.9", False, Urgency.NORMAL, "Dit is ernstig"),
        ("3.1", True, Urgency.URGENT, "Criminelen misbruiken dit lek al"),
        (None, False, Urgency.NORMAL, "niet bekendgemaakt"),
    ],
)
def test_urgent_when_exploited_or_critical(cvss, exploited, urgency, words):
    draft = message_draft(advisory=_advisory(cvss=cvss, exploited=exploited))
    assert draft["urgency"] == urgency
    assert words in draft["what"]


def test_unknown_range_reads_all_versions():
    draft = message_draft(advisory=_advisory(vers="vers:unknown/*", version_text="alle versies van 1.x"))
    assert "- Acme Router: alle versies" in draft["who"]
    assert "ga ervan uit dat u risico loopt" in draft["who"]


def test_without_a_fix_the_steps_give_the_mitigation_and_safe_settings():
    mitigation = [
        {"category": "mitigation", "details": "Block port 8443 at the firewall.", "product_ids": ["P1"]}
    ]
    draft = message_draft(advisory=_advisory(remediations=mitigation))
    assert "Er is nog geen update" in draft["steps"]
    assert "Block port 8443 at the firewall." in draft["steps"]
    assert draft["principle"] == "Kies veilige instellingen"


def test_fix_for_other_products_only_is_not_offered():
    fix = [{"category": "vendor_fix", "details": "Update to 9.9 or later", "product_ids": ["OTHER"]}]
    draft = message_draft(advisory=_advisory(remediations=fix))
    assert "9.9" not in draft["steps"]


def test_plain_words_helpers():
    assert fix_in_plain_words("Upgrade to version 2.3 or later.") == "Installeer versie 2.3 of nieuwer."
    assert (
        fix_in_plain_words("Apply patch KB123")
        == "Installeer de update van de leverancier: Apply patch KB123"
    )
    assert severity_words(Decimal("7.0")) == "Dit is ernstig."


def test_links_point_to_the_principle_and_article_on_this_site(knowledge_site):
    fix = [{"category": "vendor_fix", "details": "Update to 2.0 or later", "product_ids": ["P1"]}]
    draft = message_draft(advisory=_advisory(remediations=fix))
    links = draft["links"].splitlines()
    assert any(link.endswith("/voer-updates-uit/") for link in links), links
    assert any(link.endswith("/updates-installeren/") for link in links), links
    assert all(link.startswith("/") for link in links)
    assert draft["principle"] == "Voer updates uit"


@pytest.fixture
def knowledge_site(db):
    demo = pytest.importorskip("dtc.knowledge.demo")
    return demo.knowledge_demo_load()


def test_every_shared_csaf_document_gets_a_usable_draft(csaf_data_dir):
    """Each real document, stored with its scores, drafts to non-empty Dutch fields within the limits."""
    files = sorted((csaf_data_dir / "advisories").rglob("*.json"))
    assert files
    for number, path in enumerate(files):
        document = json.loads(path.read_text(encoding="utf-8"))
        advisory = AdvisoryFactory(
            title=str(document["document"].get("title", ""))[:500],
            publisher_name=document["document"]["publisher"]["name"],
            tracking_id=f"T-{number}",
        )
        revision = AdvisoryRevisionFactory(advisory=advisory, document=document)
        for vulnerability in document.get("vulnerabilities", []):
            scores = [s.get("cvss_v3", {}).get("baseScore") for s in vulnerability.get("scores", [])]
            scores = [Decimal(str(s)) for s in scores if s is not None]
            Vulnerability.objects.create(
                revision=revision,
                cve=vulnerability.get("cve", ""),
                cvss_score=max(scores) if scores else None,
            )
        advisory.refresh_from_db()
        draft = message_draft(advisory=advisory)
        assert 0 < len(draft["title"]) <= 200, path.name
        assert draft["what"] and draft["who"] and draft["steps"], path.name
        assert draft["urgency"] in Urgency.values, path.name
        assert "http" not in draft["links"], path.name
        if any(v.cvss_score is not None and v.cvss_score >= 9 for v in revision.vulnerabilities.all()):
            assert draft["urgency"] == Urgency.URGENT, path.name


def test_an_imported_ncsc_advisory_drafts_from_its_dutch_fields(ncsc_dir):
    """Through the real intake: an NCSC-style document (Dutch notes, vers:unknown) drafts a message that
    names its products and carries its summary."""
    from dtc.advisories.intake import document_import

    path = sorted((ncsc_dir / "2026").glob("ncsc-*.json"))[0]
    outcome = document_import(path.read_bytes(), source=str(path))
    assert outcome.advisory is not None, outcome.reason
    advisory = outcome.advisory
    advisory.refresh_from_db()
    document = json.loads(path.read_text(encoding="utf-8"))
    summary = next(n["text"] for n in document["document"]["notes"] if n["category"] == "summary")
    draft = message_draft(advisory=advisory)
    assert " ".join(summary.split())[:80] in draft["what"]
    affected = advisory.current_revision.products.filter(status=ProductStatus.AFFECTED).first()
    assert affected is not None
    assert (affected.product_name or affected.full_name) in draft["who"]
