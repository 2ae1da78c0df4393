"""Scanning a domain in a real browser: the form, the live progress (the page follows the background
scan without reloading, and without inline script under our CSP), the result with advice, and the PDF
report downloaded from the keyboard (the link appears with the result, also when swapped in live).

axe finds nothing on the form, a running scan and a finished scan with its download link, and they
reflow at 320 CSS px."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_trust_platform_pages import assert_accessible_and_reflows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ZONES = """
$ORIGIN test.
@ 300 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300
$ORIGIN bakkerij.test.
@ 300 IN SOA ns.bakkerij.test. hostmaster.bakkerij.test. 1 3600 600 86400 300
@ 300 IN MX 10 mail.bakkerij.test.
@ 300 IN TXT "v=spf1 mx ~all"
_dmarc 300 IN TXT "v=DMARC1; p=none"
mail 300 IN A 127.0.0.1
"""


@pytest.fixture
def scanner(settings):
    from dtc.scans.testing.dnsserver import LoopbackDNS

    with LoopbackDNS(ZONES) as server:
        settings.DTC_SCAN_DNS = f"127.0.0.1:{server.port}"
        settings.DTC_SCAN_TIMEOUT = 2.0
        yield server


def test_scan_a_domain_from_the_keyboard_and_read_the_advice(page, scanner):
    page.goto("/scan/")
    assert_accessible_and_reflows(page)
    page.get_by_label("Domeinnaam").focus()
    page.keyboard.type("bakkerij.test")
    page.keyboard.press("Tab")  # "Website testen": switch it off, test the mail only
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_contain_text("bakkerij.test", timeout=30_000)
    expect(main).to_contain_text("Klaar op", timeout=30_000)
    expect(main.get_by_role("heading", name="Beleid tegen vervalste mail (DMARC)")).to_be_visible()
    expect(main).to_contain_text("Zo berekenen we de score")
    main.get_by_text("Technische details").first.click()
    link = main.get_by_role("link", name="Rapport downloaden (pdf)")
    expect(link).to_be_visible()
    assert_accessible_and_reflows(page)  # the finished result with its download link

    # The report as a PDF, from the keyboard.
    link.focus()
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
    assert re.fullmatch(r"scan-bakkerij\.test-\d{4}-\d\d-\d\d\.pdf", download.suggested_filename)


def test_a_running_scan_is_followed_live_without_reloading(page):
    from dtc.scans.models import Scan, ScanCheck

    scan = Scan.objects.create(domain="bakkerij.test", web=False, mail=True, checks_total=2, checks_done=0,
                               status=Scan.Status.RUNNING)
    page.goto(f"/scan/{scan.key}/")
    expect(page.get_by_role("status")).to_contain_text("0 van 2 tests klaar")
    expect(page.get_by_role("link", name="Rapport downloaden (pdf)")).to_have_count(0)  # nothing to download yet
    assert_accessible_and_reflows(page)
    page.evaluate("() => { window.__same_document = true; }")
    ScanCheck.objects.create(scan=scan, check_id="mail.spf", target="bakkerij.test", outcome="pass",
                             findings=[{"outcome": "pass", "code": "spf.policy_ok", "subject": "", "detail": {}}])
    Scan.objects.filter(pk=scan.pk).update(checks_done=1)
    expect(page.get_by_role("status")).to_contain_text("1 van 2 tests klaar", timeout=10_000)
    from django.utils import timezone

    Scan.objects.filter(pk=scan.pk).update(checks_done=2, status=Scan.Status.DONE, finished_at=timezone.now())
    expect(page.locator("main")).to_contain_text("Klaar op", timeout=10_000)
    expect(page.get_by_role("link", name="Rapport downloaden (pdf)")).to_be_visible()  # swapped in with the result
    assert page.evaluate("() => window.__same_document === true")  # swapped in, not reloaded


def test_a_coordinator_runs_a_batch_and_opens_a_members_report(page, scanner, tmp_path):
    from e2e_support import login, user_create

    from dtc.community.models import Collaboration

    coordinator = user_create("coordinator@example.nl")
    collaboration = Collaboration.objects.create(name="Ondernemers Centrum", slug="oc", kind="regional",
                                                 connected=True)
    collaboration.coordinators.add(coordinator)
    login(page, "coordinator@example.nl")
    page.goto("/scan/batch/")
    assert_accessible_and_reflows(page)  # the empty state
    page.get_by_role("link", name="Nieuwe batchscan starten").click()
    assert_accessible_and_reflows(page)
    listing = tmp_path / "leden.csv"
    listing.write_text("domein;deelnemer\nbakkerij.test;Bakkerij Jansen\nniet goed;Fout\n", encoding="utf-8")
    page.get_by_label("Naam van de batch").fill("Centrum voorjaar")
    page.get_by_label("Websites testen").uncheck()
    page.get_by_label("Lijst met domeinen (CSV)").set_input_files(str(listing))
    page.get_by_role("button", name="Start de batchscan").click()
    main = page.locator("main")
    expect(main).to_contain_text("Regel 3")  # nothing stored; the bad line is named
    assert_accessible_and_reflows(page)
    listing.write_text("domein;deelnemer\nbakkerij.test;Bakkerij Jansen\n", encoding="utf-8")
    page.get_by_label("Lijst met domeinen (CSV)").set_input_files(str(listing))
    page.get_by_role("button", name="Start de batchscan").click()
    expect(main.get_by_role("heading", level=1)).to_have_text("Centrum voorjaar")
    expect(main).to_contain_text("Klaar", timeout=30_000)
    expect(main).to_contain_text("Gemiddelde score e-mail")
    assert_accessible_and_reflows(page)
    main.get_by_role("link", name="Rapport bakkerij.test").click()
    expect(main.get_by_role("heading", level=1)).to_contain_text("bakkerij.test")
    expect(main).to_contain_text("Wie lost het op")


def test_an_admin_proves_a_domain_by_dns_and_scans_it(page, settings):
    from e2e_support import PASSWORD, login

    from dtc.organisations import services as organisations
    from dtc.organisations.tests.factories import MembershipFactory
    from dtc.scans.ownership import txt_value
    from dtc.scans.testing.dnsserver import LoopbackDNS

    membership = MembershipFactory(admin=True, user__email="beheer@bakkerij.test")
    admin, organisation = membership.user, membership.organisation
    admin.set_password(PASSWORD)
    admin.save(update_fields=["password"])
    from allauth.account.models import EmailAddress

    EmailAddress.objects.get_or_create(user=admin, email=admin.email, defaults={"verified": True, "primary": True})
    domain = organisations.organisation_domain_add(actor=admin, organisation=organisation, name="bakkerij.test")
    zones = ZONES + f'_dtc-verificatie 300 IN TXT "{txt_value(domain.verification_token)}"\n'
    with LoopbackDNS(zones) as server:
        settings.DTC_SCAN_DNS = f"127.0.0.1:{server.port}"
        settings.DTC_SCAN_TIMEOUT = 1.0
        settings.DTC_SCAN_HTTPS_PORT = 1  # no website: the file method is refused at once
        login(page, "beheer@bakkerij.test")
        page.goto(f"/mijn/organisaties/{organisation.pk}/domeinen/{domain.pk}/")
        main = page.locator("main")
        expect(main).to_contain_text("Manier 1: een TXT-record in de DNS")
        assert_accessible_and_reflows(page)
        main.get_by_role("button", name="Controleer bakkerij.test nu").click()
        expect(main).to_contain_text("ja, op", timeout=30_000)
        assert_accessible_and_reflows(page)
        main.get_by_role("button", name="Scan bakkerij.test nu").click()
        expect(main.get_by_role("heading", level=1)).to_contain_text("bakkerij.test", timeout=30_000)
        expect(main).to_contain_text("Klaar op", timeout=60_000)
        assert_accessible_and_reflows(page)
