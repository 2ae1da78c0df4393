"""Scan a domain from the command line: progress on stderr, a JSON summary as the last line of stdout.

Without internet (the offline demo, tests), point the scanner at a loopback DNS server with --dns and
trust its test CA with --ca-file."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Scan one domain (website and e-mail) and print the findings as JSON."

    def add_arguments(self, parser):
        parser.add_argument("domain")
        parser.add_argument("--no-web", action="store_true")
        parser.add_argument("--no-mail", action="store_true")
        parser.add_argument("--dns", help="HOST:PORT of the only DNS server to ask (default: the system's)")
        parser.add_argument("--ca-file", help="extra trusted CA certificates (PEM)")
        parser.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args, domain: str, no_web: bool, no_mail: bool, dns: str | None, ca_file: str | None,
               timeout: float, **options):
        from dtc.organisations.models import validate_domain_name
        from dtc.scans import services
        from dtc.scans.checks.base import ScanContext
        from dtc.scans.models import ScanCheck

        domain = domain.lower().rstrip(".")
        try:
            validate_domain_name(domain)
        except Exception as exc:
            raise CommandError(f"not a domain name: {domain}") from exc
        if dns:
            host, _, port = dns.rpartition(":")
            context = ScanContext.loopback(dns_host=host or "127.0.0.1", dns_port=int(port), timeout=timeout,
                                           ca_file=ca_file)
        else:
            context = ScanContext.system(timeout=timeout, ca_file=ca_file)
        scan = services.scan_create(domain=domain, web=not no_web, mail=not no_mail)

        def progress(current) -> None:
            sys.stderr.write(f"{current.checks_done}/{current.checks_total} checks done\n")

        scan = services.scan_run(scan=scan, context=context, on_progress=progress)
        checks = [
            {"check": row.check_id, "target": row.target, "outcome": row.outcome,
             "codes": [finding["code"] for finding in row.findings]}
            for row in ScanCheck.objects.filter(scan=scan)
        ]
        self.stdout.write(json.dumps({
            "scan": scan.pk, "domain": domain, "score_web": scan.score_web, "score_mail": scan.score_mail,
            "checks": checks,
        }))
