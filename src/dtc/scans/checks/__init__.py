"""Check modules, one per standard. Importing this package registers them all (see registry.py)."""

from dtc.scans.checks import (  # noqa: F401 - imported for their @register side effect
    caa,
    dane,
    dkim,
    dmarc,
    dnssec,
    headers,
    https,
    ipv6,
    mtasts,
    mx,
    securitytxt,
    spf,
    starttls,
    tls,
    tlsrpt,
)
