"""Real HTTPS and HTTP servers on loopback, for the scan tests and the offline demo.

`LoopbackHTTPS` serves chosen responses over TLS on an ephemeral port of 127.0.0.1, with a server
certificate issued by a `trustme` test CA for the host names you give. Point a check at it through the
scan context: the DNS zone (LoopbackDNS) maps the host name to 127.0.0.1, `https_port` is the server's
port and `ca_file` is the test CA, so the check verifies the certificate exactly as it would in production
(SNI and host name included):

    with LoopbackHTTPS(["mta-sts.example.test"], {
        "/.well-known/mta-sts.txt": Response(body="version: STSv1\\r\\n...", headers={"Content-Type": "text/plain"}),
    }) as web, LoopbackDNS(zone) as dns_server:
        context = ScanContext.loopback(dns_port=dns_server.port, https_port=web.port, ca_file=web.ca_file)

Routes map a path to a `Response`: `"/path"` answers for any Host header, `"host/path"` only for that host
(the Host header without its port). Anything else is a 404. For full control pass `handler=` instead: a
function from `Request` to `Response`. Every request is recorded in `requests` (method, path, Host header,
the SNI name the client sent, headers), so tests can assert what the scanner asked for. A `Response` can be
delayed (`delay=`) to test timeouts. Several servers can share one CA (`ca=`): the certificate then comes
from that CA, and `ca_file` is its PEM file.

Each connection is handled in its own thread; the TLS handshake happens in that thread too, so a client
that fails the handshake (for example because it rejects the certificate) does not stall the server.

`LoopbackHTTP` is the same server without TLS (for `http_port`). Redirect chains are routes answering
`redirect(location)`, also from the HTTP server to the HTTPS one: with the DNS zone mapping every name to
127.0.0.1 and the context's ports pointing at these servers, one pair of servers plays many websites, told
apart by the Host header. Headers may be given as a list of pairs to repeat a name. For a certificate that
is expired or not yet valid pass `not_before`/`not_after`; `trusted=False` issues it from a CA that is not
in `ca_file`.
"""

from __future__ import annotations

import datetime as dt
import http.server
import os
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import trustme


@dataclass(frozen=True)
class Response:
    """What the server answers: status, headers, body; `delay` seconds before answering."""

    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = field(default_factory=dict)
    delay: float = 0.0

    def header_pairs(self) -> list[tuple[str, str]]:
        """The headers as (name, value) pairs, in order (a list of pairs may repeat a name)."""
        if isinstance(self.headers, Mapping):
            return list(self.headers.items())
        return [(name, value) for name, value in self.headers]


def redirect(location: str, *, status: int = 301,
             headers: Mapping[str, str] | Sequence[tuple[str, str]] | None = None) -> Response:
    """A redirect response to `location`; extra headers (e.g. Strict-Transport-Security) ride along."""
    extra = list(headers.items()) if isinstance(headers, Mapping) else list(headers or [])
    return Response(status=status, headers=[*extra, ("Location", location)])


@dataclass(frozen=True)
class Request:
    """One request as the server saw it."""

    method: str
    path: str
    host: str                  # the Host header without a port, lower case ("" when absent)
    sni: str | None            # the TLS server name the client sent (None: no SNI)
    headers: dict[str, str]


Handler = Callable[[Request], Response]

NOT_FOUND = Response(status=404, body=b"not found\n", headers={"Content-Type": "text/plain"})


def _route_handler(routes: Mapping[str, Response]) -> Handler:
    def handle(request: Request) -> Response:
        path = request.path.split("?", 1)[0]
        return routes.get(f"{request.host}{path}") or routes.get(path) or NOT_FOUND

    return handle


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], owner: LoopbackHTTP) -> None:
        self.owner = owner
        super().__init__(address, _RequestHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up or rejects our certificate is a normal test case, not noise


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        owner = self.server.owner
        self.connection_sni: str | None = None
        if owner.ssl_context is None:  # plain HTTP
            self.request.settimeout(owner.handshake_timeout)
            super().setup()
            return
        assert isinstance(owner, LoopbackHTTPS)
        raw = self.request
        raw.settimeout(owner.handshake_timeout)
        tls = owner.ssl_context.wrap_socket(raw, server_side=True)  # handshake here, in this thread
        self.connection_sni = owner.sni_by_socket.pop(id(tls), None)
        tls.settimeout(None)
        self.request = tls
        super().setup()

    def _answer(self) -> None:
        owner = self.server.owner
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0] if not (self.headers.get("Host") or "").startswith(
            "[") else (self.headers.get("Host") or "").split("]")[0] + "]"
        request = Request(method=self.command, path=self.path, host=host.lower().rstrip("."),
                          sni=self.connection_sni, headers=dict(self.headers.items()))
        with owner.lock:
            owner.requests.append(request)
        response = owner.handler(request)
        if response.delay:
            time.sleep(response.delay)
        body = response.body.encode() if isinstance(response.body, str) else response.body
        self.send_response(response.status)
        pairs = response.header_pairs()
        names = {name.lower() for name, _value in pairs}
        for name, value in pairs:
            self.send_header(name, value)
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    do_GET = _answer
    do_HEAD = _answer
    do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


class LoopbackHTTP:
    """Serve `routes` (or `handler`) over plain HTTP on 127.0.0.1:<free port> while the context is open.

    routes:    {"/path": Response} for any host, {"host/path": Response} for one host; else 404.
               The mapping is read on every request, so routes may be added while the server runs.
    handler:   instead of routes, a function Request -> Response.
    """

    scheme = "http"
    ssl_context: ssl.SSLContext | None = None

    def __init__(self, routes: Mapping[str, Response] | None = None, *, handler: Handler | None = None,
                 host: str = "127.0.0.1", handshake_timeout: float = 5.0, port: int = 0) -> None:
        if routes is not None and handler is not None:
            raise ValueError("give routes or handler, not both")
        self.routes = routes if routes is not None else {}
        self.handler: Handler = handler or _route_handler(self.routes)
        self.host = host
        self.port = port  # 0: a free port, chosen when the server starts
        self.handshake_timeout = handshake_timeout
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> LoopbackHTTP:
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


class LoopbackHTTPS(LoopbackHTTP):
    """Serve `routes` (or `handler`) over HTTPS on 127.0.0.1:<free port> while the context is open.

    hostnames: the names the server certificate is issued for (its subjectAltNames).
    routes:    {"/path": Response} for any host, {"host/path": Response} for one host; else 404.
    handler:   instead of routes, a function Request -> Response.
    ca:        the trustme CA to issue the certificate from (default: a fresh one).
    not_before, not_after: the certificate's validity (default: trustme's, valid now).
    trusted:   False issues the certificate from a stranger CA, not the one in `ca_file`.
    """

    scheme = "https"

    def __init__(self, hostnames: Iterable[str], routes: Mapping[str, Response] | None = None, *,
                 handler: Handler | None = None, ca: trustme.CA | None = None, host: str = "127.0.0.1",
                 handshake_timeout: float = 5.0, not_before: dt.datetime | None = None,
                 not_after: dt.datetime | None = None, trusted: bool = True, port: int = 0) -> None:
        super().__init__(routes, handler=handler, host=host, handshake_timeout=handshake_timeout, port=port)
        self.hostnames = list(hostnames)
        self.ca = ca or trustme.CA()
        self.sni_by_socket: dict[int, str | None] = {}
        self.ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        issuer = self.ca if trusted else trustme.CA()
        issuer.issue_cert(*self.hostnames, not_before=not_before, not_after=not_after).configure_cert(
            self.ssl_context)
        self.ssl_context.sni_callback = self._remember_sni
        self.ca_file = ""

    def _remember_sni(self, tls_socket: ssl.SSLSocket, server_name: str | None, context: ssl.SSLContext) -> None:
        self.sni_by_socket[id(tls_socket)] = server_name
        return None

    def __enter__(self) -> LoopbackHTTPS:
        handle, self.ca_file = tempfile.mkstemp(prefix="dtc-test-ca-", suffix=".pem")
        with os.fdopen(handle, "wb") as pem:
            pem.write(self.ca.cert_pem.bytes())
        super().__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        if self.ca_file and os.path.exists(self.ca_file):
            os.unlink(self.ca_file)


def closed_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on (connections are refused), for "server refuses" tests."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
