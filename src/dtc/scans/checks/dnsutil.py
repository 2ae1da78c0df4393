"""DNS queries for the check modules: one query, and its failure as data, never as an exception.

Statuses: "ok" (records), "nodata" (the name exists, no records of this type: RFC 2308), "nxdomain"
(the name does not exist; with RFC 8020 nothing exists below it either), "timeout", "refused",
"servfail", "error". A check turns the last four into Outcome.NOT_TESTED, never into a fail.
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.exception
import dns.name
import dns.resolver

from dtc.scans.checks.base import ScanContext

FAILED = frozenset({"timeout", "refused", "servfail", "error"})


def status_of(error: BaseException) -> str:
    if isinstance(error, dns.resolver.NXDOMAIN):
        return "nxdomain"
    if isinstance(error, dns.exception.Timeout):
        return "timeout"
    if isinstance(error, dns.resolver.NoNameservers):
        return "refused" if "REFUSED" in str(error) else "servfail"
    return "error"


def resolve(context: ScanContext, name: str, rdtype: str, *, lifetime: float | None = None,
            keep_nodata: bool = False) -> tuple[str, dns.resolver.Answer | None]:
    """One query for an absolute name; returns (status, answer). The answer is None unless "ok", or
    "nodata" with `keep_nodata` (its `canonical_name` still tells where a CNAME led). `lifetime`
    overrides the resolver's own for this query."""
    qname = name if name.endswith(".") else name + "."
    try:
        answer = context.resolver.resolve(qname, rdtype, raise_on_no_answer=False, search=False,
                                          lifetime=lifetime)
    except (dns.exception.DNSException, OSError) as error:
        return status_of(error), None
    if answer.rrset is None:
        return "nodata", answer if keep_nodata else None
    return "ok", answer


@dataclass(frozen=True)
class TxtLookup:
    name: str
    status: str
    records: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return self.status in FAILED


def lookup_txt(context: ScanContext, name: str) -> TxtLookup:
    """The TXT strings at `name`, each record's strings joined (RFC 7208 §3.3, RFC 6376 §3.6.2.2)."""
    status, answer = resolve(context, name, "TXT")
    if answer is None or answer.rrset is None:
        return TxtLookup(name=name, status=status)
    records = tuple(b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer.rrset)
    return TxtLookup(name=name, status="ok", records=records)


def addresses(context: ScanContext, host: str) -> tuple[str, list[str]]:
    """A then AAAA addresses of `host`: (status, addresses). Status is "ok" when any address was found,
    else the A query's status (or AAAA's when A merely had no data)."""
    found: list[str] = []
    statuses = []
    for rdtype in ("A", "AAAA"):
        status, answer = resolve(context, host, rdtype)
        statuses.append(status)
        if answer is not None and answer.rrset is not None:
            found.extend(rdata.to_text() for rdata in answer.rrset)
    if found:
        return "ok", found
    a_status, aaaa_status = statuses
    return (aaaa_status if a_status == "nodata" else a_status), []


def mx_records(context: ScanContext, domain: str) -> tuple[str, list[tuple[int, str]]]:
    """The MX records of `domain`, sorted: (status, [(preference, exchange)]). The exchange is lower case
    without the trailing dot; a null MX (RFC 7505, "MX 0 .") has the exchange "."."""
    status, answer = resolve(context, domain, "MX")
    if answer is None or answer.rrset is None:
        return status, []
    records = []
    for rr in answer.rrset:
        exchange = "." if rr.exchange == dns.name.root else rr.exchange.to_text().lower().rstrip(".")
        records.append((int(rr.preference), exchange))
    return status, sorted(records)
