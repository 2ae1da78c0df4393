"""Serve the scanner's demo domains on loopback (DNS, HTTP, HTTPS, SMTP) until stopped — for the demo on a
machine without internet. Point the scanner at them with the environment variables it prints."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve demo domains (goed/matig/zwak.demo.test) for the scanner on 127.0.0.1 until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--dns-port", type=int, default=5353)
        parser.add_argument("--http-port", type=int, default=8080)
        parser.add_argument("--https-port", type=int, default=8443)
        parser.add_argument("--smtp-port", type=int, default=2525)
        parser.add_argument("--ca-file", type=Path, default=Path(settings.VAR_DIR) / "scan-demo" / "ca.pem")

    def handle(self, *args, dns_port: int, http_port: int, https_port: int, smtp_port: int, ca_file: Path,
               **options):
        from dtc.scans.demo_servers import DOMAINS, DemoServers

        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with DemoServers(dns_port=dns_port, http_port=http_port, https_port=https_port, smtp_port=smtp_port,
                         ca_file=ca_file) as demo:
            self.stdout.write(
                f"Scan demo domains {', '.join(DOMAINS)} on 127.0.0.1. Scanner settings:\n"
                f"  DTC_SCAN_DNS=127.0.0.1:{dns_port} DTC_SCAN_HTTP_PORT={http_port} "
                f"DTC_SCAN_HTTPS_PORT={https_port} DTC_SCAN_SMTP_PORT={smtp_port} DTC_SCAN_CA_FILE={ca_file} "
                f"DTC_SCAN_DNSSEC_ANCHOR_FILE={demo.anchor_file}"
            )
            try:
                stop.wait()
            except KeyboardInterrupt:
                pass
            # The servers keep nothing worth waiting for: should closing them hang (a client that keeps a
            # connection open), leave anyway, so a stopped `make run` frees the demo ports.
            watchdog = threading.Timer(5.0, os._exit, args=(0,))
            watchdog.daemon = True
            watchdog.start()
