"""The offline demo: the three demo domains, scanned end to end (website and e-mail, every check) through
the loopback servers, come out in the order they were built: good above fair above weak."""

from __future__ import annotations

import pytest

from dtc.scans import services
from dtc.scans.demo_servers import FAIR, GOOD, WEAK, DemoServers
from dtc.scans.models import ScanCheck

pytestmark = pytest.mark.django_db


def test_the_demo_domains_score_in_the_order_they_were_built(tmp_path, settings):
    with DemoServers(dns_port=0, http_port=0, https_port=0, smtp_port=0, ca_file=tmp_path / "ca.pem") as demo:
        settings.DTC_SCAN_DNS = f"127.0.0.1:{demo.dns.port}"
        settings.DTC_SCAN_HTTP_PORT = demo.http.port
        settings.DTC_SCAN_HTTPS_PORT = demo.https.port
        settings.DTC_SCAN_SMTP_PORT = demo.smtp[0].port
        settings.DTC_SCAN_CA_FILE = str(demo.ca_file)
        settings.DTC_SCAN_DNSSEC_ANCHOR_FILE = str(demo.anchor_file)
        settings.DTC_SCAN_TIMEOUT = 3.0
        scores = {}
        for domain in (GOOD, FAIR, WEAK):
            scan = services.scan_create(domain=domain)
            services.scan_run(scan=scan, context=services.scan_context())
            scores[domain] = (scan.score_web, scan.score_mail)
            outcomes = dict(ScanCheck.objects.filter(scan=scan, target=domain).values_list("check_id", "outcome"))
            if domain == GOOD:
                assert outcomes["web.https"] == "pass", ScanCheck.objects.get(
                    scan=scan, target=domain, check_id="web.https").findings
                assert outcomes["web.securitytxt"] == "pass"
                assert outcomes["mail.spf"] == "pass"
                assert outcomes["mail.dmarc"] == "pass"
                assert outcomes["mail.dkim"] == "pass"
                assert outcomes["mail.mtasts"] in ("pass", "info")
                assert outcomes["mail.starttls"] in ("pass", "warn"), ScanCheck.objects.get(
                    scan=scan, target=domain, check_id="mail.starttls").findings
                assert outcomes["mail.dane"] == "pass", ScanCheck.objects.get(
                    scan=scan, target=domain, check_id="mail.dane").findings
                assert outcomes["web.dnssec"] == "pass"
            if domain == FAIR:
                assert outcomes["web.dnssec"] == "warn"  # RSA/SHA-1 is being phased out
            if domain == WEAK:
                assert outcomes["mail.spf"] == "fail"
                assert outcomes["web.https"] == "fail"
                assert outcomes["mail.starttls"] == "fail"  # no STARTTLS offered
                assert outcomes["web.dnssec"] == "fail"  # not signed
    assert scores[GOOD][0] > scores[FAIR][0] > scores[WEAK][0], scores
    assert scores[GOOD][1] > scores[FAIR][1] > scores[WEAK][1], scores
