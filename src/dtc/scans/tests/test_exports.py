"""The PDF report of a scan says what the result page says, and only a finished scan has one.

Rules under test:
- A4, in the active language: the title "Scan van <domein>", when it finished, the score per category
  tested with the rule behind it, then every check of `presentation.scan_report` with its outcome in
  words and, for what is not in order, the advice: meaning, urgency, who fixes it and the text to send
  them, plus the technical detail in short.
- Against the previous finished scan of the domain: the changed outcomes are listed and marked at the
  check ("vorige keer"), unchanged ones are not; without a previous scan there is no comparison.
- Any text renders: an internationalised domain is shown readable with its ASCII form, details in any
  script (emoji, CJK) or of any length never break the PDF.
- `/scan/<key>/rapport.pdf` is an attachment named scan-<domein>-<datum>.pdf, for a finished scan
  only (409 with the reason otherwise), and only where the result page itself may be seen (404 for an
  unknown key or an organisation's scan). The result page links to it once the scan is done.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import formats, timezone

from dtc.assessment.tests.test_exports import pdf_pages, pdf_strings
from dtc.scans import exports, services
from dtc.scans.checks.base import ScanContext
from dtc.scans.models import Scan, ScanCheck
from dtc.scans.presentation import scan_report
from dtc.scans.testing.dnsserver import LoopbackDNS

pytestmark = pytest.mark.django_db

ZONES = """
$ORIGIN test.
@ 300 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300
$ORIGIN bakkerij.test.
@ 300 IN SOA ns.bakkerij.test. hostmaster.bakkerij.test. 1 3600 600 86400 300
@ 300 IN MX 10 mail.bakkerij.test.
@ 300 IN TXT "v=spf1 +all"
mail 300 IN A 127.0.0.1
$ORIGIN xn--bcker-gra.test.
@ 300 IN SOA ns.xn--bcker-gra.test. hostmaster.xn--bcker-gra.test. 1 3600 600 86400 300
@ 300 IN MX 10 mail.xn--bcker-gra.test.
@ 300 IN TXT "v=spf1 mx -all"
mail 300 IN A 127.0.0.1
"""


@pytest.fixture(scope="module")
def dns_server():
    with LoopbackDNS(ZONES) as server:
        yield server


def run_mail_scan(server: LoopbackDNS, domain: str = "bakkerij.test") -> Scan:
    """A real mail scan against the loopback DNS server; nothing listens for SMTP or HTTPS."""
    scan = services.scan_create(domain=domain, web=False, mail=True)
    context = ScanContext.loopback(dns_port=server.port, timeout=2.0)
    context.https_port = 1
    context.smtp_port = 1
    services.scan_run(scan=scan, context=context)
    scan.refresh_from_db()
    assert scan.status == Scan.Status.DONE
    return scan


def shown(data: bytes) -> str:
    """The text on the pages, lines joined and white space collapsed, so wrapped sentences match."""
    return " ".join(" ".join(pdf_strings(data)).split())


def flat(text: str) -> str:
    return " ".join(exports.pdf_text(text).split())


# --- the document -------------------------------------------------------------------------------


def test_pdf_says_what_the_page_says(dns_server):
    scan = run_mail_scan(dns_server)
    data = exports.scan_pdf(scan, compress=False)

    assert data.startswith(b"%PDF-1.")
    assert b"/MediaBox [0 0 595.28 841.89]" in data  # A4
    assert b"/Lang (nl)" in data
    assert 1 <= pdf_pages(data) <= 12
    text = shown(data)
    assert "Scan van bakkerij.test" in text
    local = timezone.localtime(scan.finished_at)
    assert f"Klaar op {local.day} {formats.date_format(local, 'F Y H:i')} | getest: e-mail" in text
    assert scan.score_mail is not None
    assert f"E-mail: score {scan.score_mail} van 100" in text
    assert "Website: score" not in text and "Website - " not in text  # only the mail was tested
    assert flat(exports.score_rule()) in text
    assert "Vergeleken met" not in text and "Wat veranderde" not in text  # the first scan of the domain

    lines = scan_report(scan=scan)["mail"]
    assert len(lines) == scan.checks_total
    positions = [text.index(flat(f"{line.title}: {line.outcome_label}")) for line in lines]
    assert positions == sorted(positions)  # every check, in the page's order, its outcome in words

    spf = next(line for line in lines if line.check_id == "mail.spf")
    assert spf.outcome == "fail"
    finding = next(f for f in spf.findings if f.code == "spf.all_pass")
    start = text.index(flat(f"Niet in orde: {finding.title}"))
    advice = text[start:]
    assert advice.index(flat(finding.meaning)) < advice.index("Urgentie: hoog | Wie lost het op: je domein- of DNS")
    assert flat(finding.message) in advice  # the text to send, in full
    assert advice.index("Technische details:") < advice.index("all: +all")


def test_pdf_compares_with_the_previous_scan_of_the_domain(dns_server):
    earlier = Scan.objects.create(
        domain="bakkerij.test", web=False, mail=True, status=Scan.Status.DONE, score_mail=90,
        created_at=timezone.now() - dt.timedelta(days=30), finished_at=timezone.now() - dt.timedelta(days=30),
    )
    scan = run_mail_scan(dns_server)
    mx = ScanCheck.objects.get(scan=scan, check_id="mail.mx")
    ScanCheck.objects.create(scan=earlier, check_id="mail.spf", target="bakkerij.test", outcome="pass", findings=[])
    ScanCheck.objects.create(scan=earlier, check_id="mail.mx", target="bakkerij.test", outcome=mx.outcome,
                             findings=[])
    text = shown(exports.scan_pdf(scan, compress=False))

    assert "Vergeleken met de vorige test van" in text
    assert f"E-mail: score {scan.score_mail} van 100 (vorige keer: 90)" in text
    changes = text[text.index("Wat veranderde sinds de vorige test"):text.index("E-mail - score")]
    # Only SPF was there before and changed; MX did not change, the other checks are new.
    assert changes.count(": eerst ") == 1
    assert "Wie namens je domein mag mailen (SPF) (bakkerij.test): eerst In orde, nu Niet in orde" in changes
    assert text.count("vorige keer: In orde") == 1  # marked at the check too


def test_pdf_shows_an_internationalised_domain_readable_with_its_ascii_form(dns_server):
    scan = run_mail_scan(dns_server, domain="xn--bcker-gra.test")
    text = shown(exports.scan_pdf(scan, compress=False))
    assert "Scan van bäcker.test (xn--bcker-gra.test)" in text
    assert exports.domain_label("xn--zz.test") == "xn--zz.test"  # broken punycode: shown as it is
    assert exports.scan_pdf_filename(scan).startswith("scan-xn--bcker-gra.test-")


def test_pdf_survives_any_script_and_any_length_in_the_details():
    scan = Scan.objects.create(domain="xn--80ak6aa92e.test", web=True, mail=False, status=Scan.Status.DONE,
                               finished_at=timezone.now(), score_web=0)
    key = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" * 20
    ScanCheck.objects.create(scan=scan, check_id="web.headers", target=scan.domain, outcome="fail", findings=[
        {"outcome": "fail", "code": "headers.unknown-code", "subject": "www.аррӏе.test 🔒",
         "detail": {"server": "nginx “漢字” 😀\x07", "key": key, "nested": {"a": [1, "é", None]}}},
        {"outcome": "warn", "code": "headers.other-code", "subject": "", "detail": {f"x{i}": i for i in range(15)}},
    ])
    data = exports.scan_pdf(scan, compress=False)
    assert data.startswith(b"%PDF-1.")
    text = shown(data)
    assert "Scan van ?????.test (xn--80ak6aa92e.test)" in text
    assert "www.?????.test ?" in text
    assert 'server: nginx "??" ?' in text
    squeezed = re.sub(r"\s", "", text)  # a long value wraps at any character
    assert "key:" + key[:100] in squeezed and key[:exports.DETAIL_CHARS] not in squeezed  # cut short
    assert 'nested: {"a": [1, "é", null]}' in text
    assert "en nog 7 gegevens; alles staat op de pagina" in text  # 15 details: 8 shown, the rest counted


# --- the download -------------------------------------------------------------------------------


def test_a_finished_scan_downloads_as_an_attachment_linked_from_its_page(client, dns_server):
    scan = run_mail_scan(dns_server)
    page = client.get(f"/scan/{scan.key}/").content.decode()
    assert f'href="/scan/{scan.key}/rapport.pdf" download' in page
    response = client.get(f"/scan/{scan.key}/rapport.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    day = timezone.localdate(scan.finished_at).isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="scan-bakkerij.test-{day}.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-1.")


@pytest.mark.parametrize(("status", "reason"), [
    (Scan.Status.QUEUED, "nog bezig"), (Scan.Status.RUNNING, "nog bezig"), (Scan.Status.FAILED, "mislukt"),
])
def test_only_a_finished_scan_has_a_report(client, status, reason):
    scan = Scan.objects.create(domain="bakkerij.test", status=status, checks_total=8, checks_done=3)
    assert "rapport.pdf" not in client.get(f"/scan/{scan.key}/").content.decode()
    response = client.get(f"/scan/{scan.key}/rapport.pdf")
    assert response.status_code == 409
    assert reason in response.content.decode()
    assert not response.content.startswith(b"%PDF")


def test_the_report_is_as_hidden_as_the_result_page(client):
    from dtc.organisations.tests.factories import OrganisationFactory

    assert client.get("/scan/nope/rapport.pdf").status_code == 404
    private = Scan.objects.create(domain="bakkerij.test", organisation=OrganisationFactory(),
                                  status=Scan.Status.DONE, finished_at=timezone.now())
    assert client.get(f"/scan/{private.key}/").status_code == 404
    assert client.get(f"/scan/{private.key}/rapport.pdf").status_code == 404
