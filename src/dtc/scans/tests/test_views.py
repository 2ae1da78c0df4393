"""The on-demand scan pages: enter a domain, the scan runs on the task queue (inline in tests), the result
page shows every check with its advice; bad input, the per-visitor limit and the reuse of a fresh scan of
the same domain."""

from __future__ import annotations

import pytest

from dtc.scans.models import Scan, ScanCheck
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
"""


@pytest.fixture
def scanner(settings):
    with LoopbackDNS(ZONES) as server:
        settings.DTC_SCAN_DNS = f"127.0.0.1:{server.port}"
        settings.DTC_SCAN_TIMEOUT = 2.0
        yield server


def test_a_mail_scan_from_the_form_shows_every_check_with_advice(client, scanner, django_capture_on_commit_callbacks):
    assert client.get("/scan/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/scan/", {"domain": "https://www.Bakkerij.test/contact", "mail": "on"})
    assert response.status_code == 302
    scan = Scan.objects.get()
    assert scan.domain == "bakkerij.test"  # scheme, www and path are stripped
    assert (scan.web, scan.mail) == (False, True)
    assert response["Location"] == f"/scan/{scan.key}/"
    assert scan.status == Scan.Status.DONE
    assert ScanCheck.objects.filter(scan=scan).count() == scan.checks_total
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "Wie namens je domein mag mailen (SPF)" in html
    assert "Niet in orde" in html  # +all fails
    assert "Zo berekenen we de score" in html
    assert "scans/progress.js" not in html  # done: nothing left to follow


def test_a_running_scan_shows_progress_and_follows_it(client):
    scan = Scan.objects.create(domain="bakkerij.test", checks_total=8, checks_done=3, status=Scan.Status.RUNNING)
    html = client.get(f"/scan/{scan.key}/").content.decode()
    assert "3 van 8 tests klaar" in html
    assert 'data-running="1"' in html
    assert "scans/progress.js" in html


def test_bad_input_is_refused_with_a_reason(client, scanner):
    response = client.post("/scan/", {"domain": "not a domain", "web": "on"})
    assert response.status_code == 400
    assert "Vul een domeinnaam in" in response.content.decode()
    response = client.post("/scan/", {"domain": "bakkerij.test"})
    assert response.status_code == 400
    assert "Kies wat je wilt testen" in response.content.decode()
    assert not Scan.objects.exists()


def test_a_fresh_scan_of_the_same_domain_is_reused(client, scanner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/scan/", {"domain": "bakkerij.test", "mail": "on"})
        second = client.post("/scan/", {"domain": "bakkerij.test", "mail": "on"})
    assert first["Location"] == second["Location"]
    assert Scan.objects.count() == 1


def test_a_visitor_may_start_only_so_many_scans_an_hour(client, scanner, settings):
    settings.DTC_SCANS_PER_VISITOR_PER_HOUR = 2
    settings.DTC_SCAN_REUSE_SECONDS = 0
    for number in range(2):
        assert client.post("/scan/", {"domain": f"d{number}.bakkerij.test", "mail": "on"}).status_code == 302
    refused = client.post("/scan/", {"domain": "d9.bakkerij.test", "mail": "on"})
    assert refused.status_code == 400
    assert "al veel scans gestart" in refused.content.decode()
    assert Scan.objects.count() == 2


def test_unknown_scans_and_organisation_scans_are_not_found(client):
    assert client.get("/scan/nope/").status_code == 404
    from dtc.organisations.tests.factories import OrganisationFactory

    private = Scan.objects.create(domain="bakkerij.test", organisation=OrganisationFactory())
    assert client.get(f"/scan/{private.key}/").status_code == 404


def test_the_result_compares_with_the_previous_scan_of_the_domain(client):
    import datetime as dt

    from django.utils import timezone

    earlier = Scan.objects.create(domain="bakkerij.test", status=Scan.Status.DONE, finished_at=timezone.now(),
                                  created_at=timezone.now() - dt.timedelta(days=30))
    ScanCheck.objects.create(scan=earlier, check_id="mail.spf", target="bakkerij.test", outcome="fail", findings=[])
    ScanCheck.objects.create(scan=earlier, check_id="mail.dmarc", target="bakkerij.test", outcome="pass", findings=[])
    now = Scan.objects.create(domain="bakkerij.test", status=Scan.Status.DONE, finished_at=timezone.now())
    ScanCheck.objects.create(scan=now, check_id="mail.spf", target="bakkerij.test", outcome="pass", findings=[])
    ScanCheck.objects.create(scan=now, check_id="mail.dmarc", target="bakkerij.test", outcome="pass", findings=[])
    html = client.get(f"/scan/{now.key}/").content.decode()
    assert "Vergeleken met de vorige test" in html
    assert html.count("vorige keer:") == 1  # only SPF changed
    assert "vorige keer: Niet in orde" in html
