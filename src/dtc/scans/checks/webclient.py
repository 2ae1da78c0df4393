"""The one HTTP(S) client of the web checks: httpx, with host names resolved by the scan's resolver.

A scan must reach `example.nl` at the address *our* resolver gives (A/AAAA from `context.resolver`,
a LoopbackDNS in tests), while the request still carries the real name: in the TLS SNI, in the
certificate hostname check and in the Host header. Rewriting the URL to an IP address would break
all three, so the name stays in the URL and only the TCP connect is redirected: httpcore's network
backend (`connect_tcp`) is the documented seam for that, wrapped in a small httpx transport.

Ports: a URL without a port (80 for http, 443 for https) is connected to `context.http_port` /
`context.https_port`, so tests run the web servers on ephemeral loopback ports while the URLs, the
Host header and the redirect Locations look exactly like production.

Certificates are verified against the usual public roots (certifi, as httpx does) plus
`context.ca_file` (the trustme CA in tests). Redirects are followed by hand (`follow`), so that
every step — its URL, status and headers — is data the checks can grade.

Nothing here raises for a network failure: each exchange carries an `error` instead
("no_address", "dns_timeout", "dns_error", "timeout", "refused", "connect", "tls", "tls_verify",
"protocol", "bad_url"). Checks turn these into NOT_TESTED (or NOT_APPLICABLE for "no_address").
"""

from __future__ import annotations

import functools
import ipaddress
import os
import socket
import ssl
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from dtc.scans.checks.base import ScanContext
from dtc.scans.checks.dnsutil import FAILED, resolve

MAX_REDIRECTS = 10            # browsers allow about 20; internet.nl and we grade at most 10 hops
MAX_BODY = 64 * 1024          # read no more of a body than a check needs
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# Errors that come from DNS, before any connection: the same for http and https.
DNS_ERRORS = frozenset({"no_address", "dns_timeout", "dns_error"})


@dataclass(frozen=True)
class Exchange:
    """One request and its response (or the reason there was none)."""

    url: str
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()   # (lower-case name, value), in the order sent
    body: bytes = b""
    address: str = ""                           # the IP address we talked to
    error: str = ""                             # "" when a response came; else see module docstring
    error_detail: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def host(self) -> str:
        try:
            return (urlsplit(self.url).hostname or "").rstrip(".")
        except ValueError:  # e.g. unbalanced brackets in a Location we were sent
            return ""

    def header(self, name: str) -> str | None:
        """The first value of a header (case-insensitive), or None."""
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key == name]

    @property
    def redirect_to(self) -> str | None:
        """The absolute URL a 3xx response points to (RFC 9110 §10.2.2: Location may be relative)."""
        location = self.header("location")
        if self.status in REDIRECT_STATUSES and location:
            try:
                return urljoin(self.url, location.strip())
            except ValueError:  # a Location no browser could follow either
                return None
        return None


@dataclass(frozen=True)
class Chain:
    """The exchanges from a first URL to the last one reached, following redirects."""

    steps: tuple[Exchange, ...]
    too_many_redirects: bool = False   # still redirecting after MAX_REDIRECTS hops

    @property
    def first(self) -> Exchange:
        return self.steps[0]

    @property
    def final(self) -> Exchange:
        return self.steps[-1]

    @property
    def urls(self) -> list[str]:
        return [step.url for step in self.steps]

    def downgrades(self) -> list[tuple[str, str]]:
        """Every hop from an https URL to an http one: (from, to)."""
        hops = list(zip(self.urls, self.urls[1:], strict=False))
        if self.too_many_redirects and self.final.redirect_to:
            hops.append((self.final.url, self.final.redirect_to))
        return [(src, dst) for src, dst in hops
                if urlsplit(src).scheme == "https" and urlsplit(dst).scheme == "http"]


class LookupFailed(httpcore.ConnectError):
    """The host name did not resolve to an address we can connect to; `reason` is an error code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


class ResolvingBackend(httpcore.SyncBackend):
    """httpcore's socket backend, but host names are looked up with the scan's dnspython resolver."""

    def __init__(self, context: ScanContext) -> None:
        self.context = context
        self._addresses: dict[str, list[str]] = {}
        self._failures: dict[str, LookupFailed] = {}

    def addresses(self, host: str) -> list[str]:
        """A and AAAA addresses of `host` (cached per client); raises LookupFailed."""
        host = host.lower().rstrip(".")
        try:
            return [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            pass
        if host in self._failures:
            raise self._failures[host]
        if host not in self._addresses:
            try:
                self._addresses[host] = self._lookup(host)
            except LookupFailed as failure:
                self._failures[host] = failure
                raise
        return self._addresses[host]

    def _lookup(self, host: str) -> list[str]:
        found: list[str] = []
        problems: list[str] = []
        # IPv4 first: this client judges HTTPS, not IPv6 reachability (its own check), and an
        # unreachable IPv6 address would otherwise cost a full connect timeout on every request.
        for rdtype in ("A", "AAAA"):
            status, answer = resolve(self.context, host, rdtype, lifetime=self.context.timeout)
            if answer is not None and answer.rrset is not None:
                found += [rdata.address for rdata in answer.rrset]
            elif status in FAILED:  # timeout, SERVFAIL, REFUSED and the like
                problems.append("dns_timeout" if status == "timeout" else "dns_error")
        if found:
            return found
        if problems:
            reason = "dns_timeout" if "dns_timeout" in problems else "dns_error"
            raise LookupFailed(reason, f"{host}: {reason}")
        raise LookupFailed("no_address", f"{host} has no A or AAAA record")

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: typing.Iterable[typing.Any] | None = None) -> httpcore.NetworkStream:
        port = {80: self.context.http_port, 443: self.context.https_port}.get(port, port)
        last_error: Exception | None = None
        for address in self.addresses(host):
            try:
                return super().connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                           socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error


# httpcore's exceptions, as the httpx ones a transport must raise (most specific first).
_HTTPCORE_TO_HTTPX: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for source, target in _HTTPCORE_TO_HTTPX:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _Stream(httpx.SyncByteStream):
    def __init__(self, stream: typing.Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close:
            close()


class ResolvingTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool whose connections go through ResolvingBackend."""

    def __init__(self, context: ScanContext, *, verify: bool = True) -> None:
        self.backend = ResolvingBackend(context)
        self._pool = httpcore.ConnectionPool(ssl_context=ssl_context(context, verify=verify),
                                             network_backend=self.backend, max_connections=10)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                             port=request.url.port, target=request.url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = self._pool.handle_request(core_request)
        assert isinstance(response.stream, typing.Iterable)
        return httpx.Response(status_code=response.status, headers=response.headers,
                              stream=_Stream(response.stream), extensions=response.extensions)

    def close(self) -> None:
        self._pool.close()


def ssl_context(context: ScanContext, *, verify: bool = True) -> ssl.SSLContext:
    """Public roots (certifi, as httpx uses) plus the scan's extra trust anchors (`ca_file`).

    Built once per (verify, CA file and its modification time) and shared: loading the roots costs
    ~8 ms of CPU, which was 40 % of a whole scan when every check built its own. An SSLContext is
    safe to share between threads, and a client context resumes no sessions unless told to."""
    ca_file = context.ca_file if verify else None
    try:
        stamp = os.stat(ca_file).st_mtime_ns if ca_file else 0
    except OSError:
        stamp = -1
    return _ssl_context(verify, ca_file, stamp)


@functools.lru_cache(maxsize=16)
def _ssl_context(verify: bool, ca_file: str | None, _stamp: int) -> ssl.SSLContext:
    tls = httpx.create_ssl_context(verify=verify, trust_env=False)
    if ca_file:
        tls.load_verify_locations(cafile=ca_file)
    return tls


def _classify(exc: BaseException) -> tuple[str, str]:
    """An error code and a short technical detail for an exception from a request."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:  # walk __cause__, __context__ and wrapped args: httpx wraps httpcore wraps ssl/OSError
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        todo += [link for link in (current.__cause__, current.__context__) if link is not None]
        todo += [arg for arg in current.args if isinstance(arg, BaseException)]
    for item in seen:
        if isinstance(item, LookupFailed):
            return item.reason, str(item)
    for item in seen:
        if isinstance(item, ssl.SSLCertVerificationError):
            return "tls_verify", item.verify_message or str(item)
    for item in seen:
        if isinstance(item, ssl.SSLError):
            return "tls", str(item)
    for item in seen:
        if isinstance(item, httpx.TimeoutException | socket.timeout | TimeoutError):
            return "timeout", str(item) or type(item).__name__
    for item in seen:
        if isinstance(item, ConnectionRefusedError):
            return "refused", str(item)
    for item in seen:
        if isinstance(item, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return "bad_url", str(item)
    for item in seen:
        if isinstance(item, httpx.ProtocolError | httpx.DecodingError):
            return "protocol", str(item)
    if "refused" in str(exc).lower():
        return "refused", str(exc)
    return "connect", str(exc) or type(exc).__name__


class WebClient:
    """An httpx client for one scan: connects through the scan's resolver and ports, never follows
    redirects by itself, and sends the scan's User-Agent.

        with WebClient(context) as client:
            chain = client.follow("https://example.nl/")
    """

    def __init__(self, context: ScanContext, *, verify: bool = True) -> None:
        self.context = context
        self.transport = ResolvingTransport(context, verify=verify)
        self.client = httpx.Client(transport=self.transport, timeout=context.timeout, follow_redirects=False,
                                   trust_env=False, headers={"User-Agent": context.user_agent})

    def __enter__(self) -> WebClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def fetch(self, url: str, *, max_body: int = MAX_BODY) -> Exchange:
        """GET `url` once (no redirects); never raises for network failures."""
        try:
            host = urlsplit(url).hostname or ""
            if host:
                self.transport.backend.addresses(host)  # DNS problems get their own error code
            with self.client.stream("GET", url) as response:
                address = _peer(response)  # before the body: the server may close the connection after it
                body = b""
                if max_body:
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) >= max_body:
                            body = body[:max_body]
                            break
                return Exchange(
                    url=url, status=response.status_code, body=body, address=address,
                    headers=tuple((name.decode("latin-1").lower(), value.decode("latin-1"))
                                  for name, value in response.headers.raw))
        except Exception as exc:  # noqa: BLE001 - every failure becomes data (module docstring)
            error, detail = _classify(exc)
            return Exchange(url=url, error=error, error_detail=detail[:300])

    def follow(self, url: str, *, max_redirects: int = MAX_REDIRECTS, max_body: int = MAX_BODY) -> Chain:
        """GET `url` and every redirect after it, up to `max_redirects` hops."""
        steps = [self.fetch(url, max_body=max_body)]
        while steps[-1].ok and steps[-1].redirect_to:
            if len(steps) > max_redirects:
                return Chain(steps=tuple(steps), too_many_redirects=True)
            steps.append(self.fetch(steps[-1].redirect_to, max_body=max_body))
        return Chain(steps=tuple(steps))


def _peer(response: httpx.Response) -> str:
    stream = response.extensions.get("network_stream")
    try:
        return str(stream.get_extra_info("server_addr")[0]) if stream else ""
    except (OSError, TypeError, IndexError):
        return ""


def fetch_chain(url: str, *, context: ScanContext, verify: bool = True,
                max_redirects: int = MAX_REDIRECTS, max_body: int = MAX_BODY) -> Chain:
    """Follow `url`'s redirect chain with a fresh client (see WebClient.follow)."""
    with WebClient(context, verify=verify) as client:
        return client.follow(url, max_redirects=max_redirects, max_body=max_body)
