"""STARTTLS: does every mail server of the domain offer encryption to senders, and is that TLS good?

Rules (network in `collect`, judgement in `evaluate`):
- RFC 5321 §5.1: mail goes to the MX hosts; without MX to the domain's own address ("implicit MX").
  RFC 7505: a null MX ("MX 0 .") receives no mail, so STARTTLS does not apply.
- RFC 3207: the server lists STARTTLS in its EHLO answer; after "STARTTLS" and "220" the client starts
  the TLS handshake. Per MX host (at most MAX_HOSTS) and address (at most MAX_ADDRESSES) we open ONE plain
  SMTP session: banner, EHLO, STARTTLS, handshake, QUIT. The certificate chain received is kept for DANE.
- "Could not test" is its own outcome: a 421 answer (RFC 5321 §4.2.3: service not available, e.g. rate
  limit), a 454 on STARTTLS (RFC 3207 §4: TLS temporarily unavailable), a timeout, a refused or dropped
  connection, or a banner that rejects us — all NOT_TESTED, never "no STARTTLS" (internet.nl users see
  false fails from exactly this).
- TLS quality per MX host: tls.collect/evaluate (sslyze) with starttls="smtp" on the smtp port, run only
  when the STARTTLS probe worked. Its findings are re-emitted as "starttls.tls_<aspect>" (the tls.* code
  with the prefix swapped) with the MX host as subject, so the advice speaks of mail servers, not
  websites. Certificate trust, name and expiry are judged milder than for the web (INFO/INFO/WARN):
  SMTP senders use opportunistic TLS and do not check certificates (RFC 7672 §1.3), as internet.nl does.
  The sslyze part opens many more connections than the probe: about 50 for a TLS 1.3-only server,
  about 210 when TLS 1.2 is offered too (one per cipher suite; see tls.py). Mail servers that rate-limit may
  answer part of those with 421; then that aspect is "not tested".
- Results per mail-server IP are reused across domains (reuse.py, shared with the web TLS check: keyed
  by (ip, port), DTC_SCAN_TLS_CACHE_SECONDS, "could not test" at most reuse.FAILURE_SECONDS), so two
  domains sharing an MX cause one probe. The TLS quality result is reused per (ip, port) inside
  tls.collect; a hit for another host name on the same IP re-judges the certificate name for that name
  (the certificate itself is the one the IP sent for the first name's SNI).
"""

from __future__ import annotations

import socket
import ssl
import time  # noqa: F401 - tests freeze time.monotonic through this module
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dtc.scans.checks import dnsutil, reuse, tls
from dtc.scans.checks.base import Advice, Finding, Outcome, ScanContext
from dtc.scans.checks.registry import register

CHECK_ID = "mail.starttls"
MAX_HOSTS = 4                 # MX hosts probed per domain
MAX_ADDRESSES = 2             # addresses probed per MX host
EHLO_NAME = "scan.dtc.example"  # context.extra["ehlo_name"] overrides
MAX_REPLY_LINES = 100

# Probe statuses: conclusive ones are judged; the rest mean "could not test".
OK, NO_STARTTLS, TLS_FAILED = "ok", "no_starttls", "tls_failed"
CONCLUSIVE = frozenset({OK, NO_STARTTLS, TLS_FAILED})


# --- data -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One plain SMTP session to one address of a mail server."""

    address: str
    port: int
    status: str                    # ok, no_starttls, tls_failed, busy, timeout, refused, closed, rejected, error
    banner: str = ""
    reply: str = ""                # the reply (or error) that ended the session early
    tls_version: str | None = None
    cipher: str | None = None
    chain_der: tuple[bytes, ...] = ()  # certificates as received, leaf first (for DANE)


@dataclass(frozen=True)
class MailServer:
    host: str
    preference: int | None         # None: implicit MX (the domain itself)
    status: str                    # of its address lookup: "ok", "nodata", "nxdomain", or a DNS failure
    probes: tuple[Probe, ...] = ()
    addresses_not_probed: int = 0
    tls: tls.TlsData | None = None


@dataclass(frozen=True)
class StarttlsData:
    domain: str
    status: str                    # "ok", "null_mx", "no_mail_server", or the MX query's failure status
    implicit_mx: bool = False
    servers: tuple[MailServer, ...] = ()
    hosts_not_checked: int = 0


# --- cache (reuse.py) ------------------------------------------------------------------------------


def cache_clear() -> None:
    """Forget every cached probe and TLS result (tests; a scan that must look again)."""
    reuse.clear()


def _cached(kind: str, address: str, port: int):
    return reuse.get((kind, address, port))


def _store(kind: str, address: str, port: int, value: object, *, conclusive: bool) -> None:
    reuse.put((kind, address, port), value, conclusive=conclusive)


# --- network --------------------------------------------------------------------------------------


def mail_hosts(context: ScanContext, domain: str) -> tuple[str, bool, list[tuple[int | None, str]], int]:
    """Where mail for `domain` goes: (status, implicit_mx, [(preference, host)], hosts_not_checked).
    Status "ok", "null_mx", "no_mail_server" or the MX query's failure (RFC 5321 §5.1, RFC 7505)."""
    status, records = dnsutil.mx_records(context, domain)
    if status in dnsutil.FAILED:
        return status, False, [], 0
    if status == "nxdomain":
        return "no_mail_server", False, [], 0
    real = [(pref, host) for pref, host in records if host != "."]
    if records and not real:
        return "null_mx", False, [], 0
    if not real:  # no MX: the domain itself is the mail server (implicit MX)
        return "ok", True, [(None, domain)], 0
    hosts: list[tuple[int | None, str]] = list(dict.fromkeys(real))
    return "ok", False, hosts[:MAX_HOSTS], max(0, len(hosts) - MAX_HOSTS)


class _Session:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.file = sock.makefile("rb")

    def reply(self) -> tuple[int, list[str]]:
        """One (multi-line) reply: (code, text lines) (RFC 5321 §4.2.1); code 0 when the server hung up."""
        lines: list[str] = []
        for _line in range(MAX_REPLY_LINES):
            raw = self.file.readline(1024)
            if not raw:
                return 0, lines
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            code = int(line[:3]) if line[:3].isdigit() else -1
            lines.append(line[4:])
            if code < 0:
                return -1, lines
            if line[3:4] != "-":
                return code, lines
        return -1, lines

    def command(self, text: str) -> tuple[int, list[str]]:
        self.sock.sendall(text.encode("ascii") + b"\r\n")
        return self.reply()


def _client_tls_context() -> ssl.SSLContext:
    # Only "does the handshake work" is asked here; quality is tls.py's job. So accept every version and
    # suite OpenSSL still knows (an old server is judged there, not reported as "no STARTTLS" here).
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        context.set_ciphers("ALL:@SECLEVEL=0")
        with warnings.catch_warnings():  # TLS 1.0 is deprecated: accepting it here is deliberate
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
    except (ssl.SSLError, ValueError):
        pass
    return context


def _early_end(code: int, lines: list[str]) -> str:
    if code == 421:
        return "busy"
    if code == 0:
        return "closed"
    return "rejected"


def _session(context: ScanContext, host: str, address: str, port: int) -> Probe:
    try:
        sock = socket.create_connection((address, port), timeout=context.timeout)
    except TimeoutError as exc:
        return Probe(address, port, "timeout", reply=str(exc))
    except ConnectionRefusedError as exc:
        return Probe(address, port, "refused", reply=str(exc))
    except OSError as exc:
        return Probe(address, port, "error", reply=str(exc))
    banner = ""
    try:
        session = _Session(sock)
        code, lines = session.reply()
        banner = " ".join(lines)[:200]
        if code != 220:  # 421 busy, 554 "no service for you" (RFC 5321 §3.1): we were not served
            return Probe(address, port, _early_end(code, lines), banner=banner, reply=f"{code} {banner}")
        code, lines = session.command(f"EHLO {context.extra.get('ehlo_name', EHLO_NAME)}")
        if code in (500, 502):  # no ESMTP at all, so no STARTTLS (RFC 3207 needs EHLO)
            return Probe(address, port, NO_STARTTLS, banner=banner, reply=f"{code} {' '.join(lines)}"[:200])
        if code != 250:
            return Probe(address, port, _early_end(code, lines), banner=banner,
                         reply=f"{code} {' '.join(lines)}"[:200])
        if not any(line.strip().upper().split(" ")[0] == "STARTTLS" for line in lines[1:]):
            _quit(session)
            return Probe(address, port, NO_STARTTLS, banner=banner)
        code, lines = session.command("STARTTLS")
        if code == 454:  # RFC 3207 §4: "TLS not available due to temporary reason"
            return Probe(address, port, "tls_unavailable", banner=banner, reply=f"454 {' '.join(lines)}"[:200])
        if code != 220:
            status = TLS_FAILED if 500 <= code < 600 else _early_end(code, lines)
            return Probe(address, port, status, banner=banner, reply=f"{code} {' '.join(lines)}"[:200])
        try:
            wrapped = _client_tls_context().wrap_socket(sock, server_hostname=host)
        except ssl.SSLError as exc:
            return Probe(address, port, TLS_FAILED, banner=banner, reply=str(exc)[:200])
        chain = tuple(cert.public_bytes(ssl._ssl.ENCODING_DER)  # type: ignore[attr-defined]
                      for cert in (wrapped._sslobj.get_unverified_chain() or []))  # public in Python 3.13
        cipher = wrapped.cipher()
        probe = Probe(address, port, OK, banner=banner, tls_version=wrapped.version(),
                      cipher=cipher[0] if cipher else None, chain_der=chain)
        try:
            wrapped.settimeout(min(context.timeout, 2.0))
            wrapped.sendall(b"QUIT\r\n")
            wrapped.close()
        except OSError:
            pass
        return probe
    except TimeoutError as exc:
        return Probe(address, port, "timeout", banner=banner, reply=str(exc)[:200])
    except OSError as exc:  # reset, broken pipe
        return Probe(address, port, "closed", banner=banner, reply=str(exc)[:200])
    finally:
        sock.close()


def _quit(session: _Session) -> None:
    try:
        session.command("QUIT")
    except OSError:
        pass


def probe(context: ScanContext, host: str, address: str) -> Probe:
    """The STARTTLS probe of one address on context.smtp_port, from the cache when fresh."""
    port = context.smtp_port
    return reuse.reuse(("probe", address, port), lambda: _session(context, host, address, port),
                       conclusive=lambda result: result.status in CONCLUSIVE)


def _tls_quality(context: ScanContext, host: str) -> tls.TlsData:
    # tls.collect reuses its result per (address, port) and re-judges the certificate name for `host`.
    return tls.collect(host, context=context, port=context.smtp_port, starttls="smtp")


def collect(target: str, *, context: ScanContext) -> StarttlsData:
    domain = target.strip().lower().rstrip(".")
    status, implicit, hosts, not_checked = mail_hosts(context, domain)
    if status != "ok":
        return StarttlsData(domain=domain, status=status)
    servers = []
    for preference, host in hosts:
        address_status, addresses = dnsutil.addresses(context, host)
        if address_status != "ok":
            if implicit and address_status in ("nodata", "nxdomain"):
                return StarttlsData(domain=domain, status="no_mail_server", implicit_mx=True)
            servers.append(MailServer(host=host, preference=preference, status=address_status))
            continue
        probes = tuple(probe(context, host, address) for address in addresses[:MAX_ADDRESSES])
        quality = _tls_quality(context, host) if any(p.status == OK for p in probes) else None
        servers.append(MailServer(host=host, preference=preference, status="ok", probes=probes,
                                  addresses_not_probed=max(0, len(addresses) - MAX_ADDRESSES), tls=quality))
    return StarttlsData(domain=domain, status="ok", implicit_mx=implicit, servers=tuple(servers),
                        hosts_not_checked=not_checked)


# --- judgement ------------------------------------------------------------------------------------

# For mail, senders do not check certificates (opportunistic TLS, RFC 7672 §1.3): a certificate flaw is
# information (trust, name) or a warning (expiry), not a fail. DANE (dane.py) is where it matters.
_MILDER = {"tls.cert_untrusted": Outcome.INFO, "tls.cert_hostname": Outcome.INFO,
           "tls.cert_expired": Outcome.WARN}


def tls_code(code: str) -> str:
    """The starttls code for a tls.py code: "tls.versions_ok" -> "starttls.tls_versions_ok"."""
    return f"starttls.tls_{code.removeprefix('tls.')}"


def _finding(outcome: Outcome, code: str, subject: str, **detail: object) -> Finding:
    return Finding(check=CHECK_ID, outcome=outcome, code=code, subject=subject, detail=dict(detail))


def _judge_probe(host: str, result: Probe) -> Finding:
    detail = {"address": result.address, "port": result.port, "banner": result.banner}
    if result.status == OK:
        return _finding(Outcome.PASS, "starttls.ok", host, **detail, tls_version=result.tls_version,
                        cipher=result.cipher)
    if result.status == NO_STARTTLS:
        return _finding(Outcome.FAIL, "starttls.missing", host, **detail, reply=result.reply)
    if result.status == TLS_FAILED:
        return _finding(Outcome.FAIL, "starttls.handshake_failed", host, **detail, reason=result.reply)
    return _finding(Outcome.NOT_TESTED, "starttls.not_tested", host, **detail, error=result.status,
                    reason=result.reply)


@register(id=CHECK_ID, category="mail", scored=True)
def evaluate(data: StarttlsData) -> list[Finding]:
    if data.status == "null_mx":
        return [_finding(Outcome.NOT_APPLICABLE, "starttls.not_applicable", data.domain)]
    if data.status == "no_mail_server":
        return [_finding(Outcome.NOT_APPLICABLE, "starttls.no_mail_server", data.domain)]
    if data.status != "ok":
        return [_finding(Outcome.NOT_TESTED, "starttls.not_tested", data.domain, error=f"dns_{data.status}")]
    findings = []
    for server in data.servers:
        if server.status != "ok":  # the MX check reports a host without address; here we just could not test
            error = "no_address" if server.status in ("nodata", "nxdomain") else f"dns_{server.status}"
            findings.append(_finding(Outcome.NOT_TESTED, "starttls.not_tested", server.host, error=error))
            continue
        findings.extend(_judge_probe(server.host, result) for result in server.probes)
        if server.tls is not None:
            for finding in tls.evaluate(server.tls):
                findings.append(Finding(check=CHECK_ID, outcome=_MILDER.get(finding.code, finding.outcome),
                                        code=tls_code(finding.code), subject=server.host, detail=finding.detail))
    return findings


# --- advice ---------------------------------------------------------------------------------------

_MAIL = "mail"


def _pass(title, meaning) -> Advice:
    return Advice(title=title, meaning=meaning, urgency="low", fixer=_MAIL)


ADVICE: dict[str, Advice] = {
    "starttls.ok": _pass(
        _("Je mailserver versleutelt e-mail onderweg (STARTTLS)"),
        _("Andere mailservers kunnen e-mail versleuteld bij je afleveren. Zo kan niemand onderweg meelezen.")),
    "starttls.missing": Advice(
        title=_("Je mailserver biedt geen versleuteling aan (STARTTLS)"),
        meaning=_("E-mail naar jouw bedrijf gaat onversleuteld over het internet. Wie het verkeer kan zien, kan "
                  "je e-mail meelezen, bijvoorbeeld offertes of klantgegevens."),
        urgency="high", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nOnze mailserver (zie de servernaam hieronder) biedt geen STARTTLS aan "
                  "op poort 25. Daardoor komt e-mail onversleuteld binnen. Willen jullie STARTTLS aanzetten, met "
                  "een geldig certificaat, TLS 1.2 of 1.3?\n\nAlvast bedankt.")),
    "starttls.handshake_failed": Advice(
        title=_("De versleuteling van je mailserver werkt niet"),
        meaning=_("Je mailserver zegt dat hij versleuteling (STARTTLS) ondersteunt, maar de beveiligde "
                  "verbinding lukt niet. Veel verzenders sturen je e-mail dan alsnog onversleuteld, of helemaal "
                  "niet."),
        urgency="high", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nOnze mailserver biedt STARTTLS aan op poort 25, maar de "
                  "TLS-verbinding mislukt (zie de technische details). Willen jullie de TLS-instellingen en het "
                  "certificaat van de mailserver controleren? TLS 1.2 en 1.3 moeten werken.\n\nAlvast bedankt.")),
    "starttls.not_tested": Advice(
        title=_("We konden je mailserver niet testen"),
        meaning=_("Je mailserver gaf geen antwoord, was te druk of weigerde onze verbinding. Dat zegt niets over "
                  "je beveiliging. We proberen het later opnieuw."),
        urgency="low", fixer=_MAIL),
    "starttls.not_applicable": Advice(
        title=_("Je domein ontvangt geen e-mail, dus STARTTLS is niet nodig"),
        meaning=_("Je domein meldt met een 'null MX' dat er geen e-mail binnenkomt. Deze test is daarom niet van "
                  "toepassing."),
        urgency="low", fixer=_MAIL),
    "starttls.no_mail_server": Advice(
        title=_("We vonden geen mailserver voor je domein"),
        meaning=_("Je domein heeft geen MX-record en ook geen IP-adres. Er is dus geen mailserver om te testen. "
                  "Kijk bij de MX-test wat je daaraan kunt doen."),
        urgency="low", fixer="dns"),
    # --- TLS quality of the mail server (tls.py's findings, re-emitted with "starttls.tls_") --------
    "starttls.tls_versions_ok": _pass(
        _("Je mailserver gebruikt alleen veilige TLS-versies"),
        _("E-mail komt binnen over TLS 1.3 of 1.2. Die versies zijn op dit moment veilig.")),
    "starttls.tls_versions_insufficient": Advice(
        title=_("Je mailserver staat oude, onveilige TLS-versies toe"),
        meaning=_("Je mailserver accepteert nog SSL, TLS 1.0 of TLS 1.1. Met die oude versies kan een aanvaller "
                  "e-mail onderweg soms meelezen."),
        urgency="high", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nOnze mailserver accepteert op poort 25 nog SSL, TLS 1.0 of TLS 1.1. "
                  "Willen jullie die uitzetten, zodat alleen TLS 1.2 en TLS 1.3 overblijven?\n\nAlvast bedankt.")),
    "starttls.tls_ciphers_ok": _pass(
        _("Je mailserver gebruikt veilige versleuteling"),
        _("De versleutelingsmethoden (cipher suites) van je mailserver zijn goed of voldoende.")),
    "starttls.tls_ciphers_phase_out": Advice(
        title=_("Je mailserver biedt versleuteling aan die wordt afgebouwd"),
        meaning=_("Een deel van de versleutelingsmethoden is nog niet onveilig, maar wordt afgebouwd. Het is "
                  "verstandig die nu al uit te zetten."),
        urgency="low", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nOnze mailserver biedt cipher suites aan die volgens de "
                  "NCSC-richtlijnen worden uitgefaseerd, zoals CBC-suites of DHE (zie de technische details). "
                  "Willen jullie alleen AES-GCM- en ChaCha20-suites met ECDHE aanbieden?\n\nAlvast bedankt.")),
    "starttls.tls_ciphers_insufficient": Advice(
        title=_("Je mailserver biedt onveilige versleuteling aan"),
        meaning=_("Je mailserver accepteert te zwakke versleuteling, zoals RC4, 3DES of CBC met SHA-1. Een "
                  "aanvaller kan e-mail onderweg dan mogelijk ontcijferen."),
        urgency="high", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nOnze mailserver accepteert onveilige cipher suites (zie de technische "
                  "details). Willen jullie die uitzetten en alleen AES-GCM- en ChaCha20-suites met ECDHE "
                  "toestaan?\n\nAlvast bedankt.")),
    "starttls.tls_groups_ok": _pass(
        _("De sleuteluitwisseling van je mailserver is veilig"),
        _("Je mailserver spreekt geheime sleutels af met sterke methoden, zoals X25519 of P-256.")),
    "starttls.tls_groups_phase_out": Advice(
        title=_("Je mailserver gebruikt een sleuteluitwisseling die wordt afgebouwd"),
        meaning=_("Een deel van de methoden om sleutels af te spreken is nog niet onveilig, maar wordt afgebouwd."),
        urgency="low", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nOnze mailserver gebruikt groepen voor sleuteluitwisseling die worden "
                  "uitgefaseerd (zie de technische details). Willen jullie alleen X25519, secp256r1 en secp384r1 "
                  "aanbieden?\n\nAlvast bedankt.")),
    "starttls.tls_groups_insufficient": Advice(
        title=_("Je mailserver gebruikt een zwakke sleuteluitwisseling"),
        meaning=_("Je mailserver spreekt sleutels af met een methode die te zwak is. De versleuteling van je "
                  "e-mail is dan minder sterk dan hij lijkt."),
        urgency="high", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nOnze mailserver gebruikt een zwakke groep voor sleuteluitwisseling "
                  "(zie de technische details, bijvoorbeeld ffdhe2048). Willen jullie die uitzetten en X25519, "
                  "secp256r1 of secp384r1 gebruiken?\n\nAlvast bedankt.")),
    "starttls.tls_cert_ok": _pass(
        _("Het certificaat van je mailserver is in orde"),
        _("Het certificaat is geldig, past bij de naam van de mailserver en komt van een vertrouwde uitgever.")),
    "starttls.tls_cert_untrusted": Advice(
        title=_("Het certificaat van je mailserver komt niet van een vertrouwde uitgever"),
        meaning=_("De meeste verzenders controleren dit niet, dus e-mail komt gewoon aan. Wil je later DANE of "
                  "MTA-STS gebruiken, dan heb je wel een vertrouwd certificaat nodig."),
        urgency="low", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nHet certificaat van onze mailserver wordt niet vertrouwd (het is "
                  "bijvoorbeeld zelf ondertekend of de tussencertificaten ontbreken). Willen jullie een "
                  "certificaat van een erkende uitgever plaatsen, met de volledige keten?\n\nAlvast bedankt.")),
    "starttls.tls_cert_hostname": Advice(
        title=_("Het certificaat past niet bij de naam van je mailserver"),
        meaning=_("Het certificaat is voor een andere naam gemaakt dan de mailserver in je MX-record. De meeste "
                  "verzenders controleren dit niet, maar voor MTA-STS en DANE moet het kloppen."),
        urgency="low", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nHet certificaat van onze mailserver staat niet op de naam uit ons "
                  "MX-record (zie de technische details). Willen jullie een certificaat plaatsen met die "
                  "servernaam erin?\n\nAlvast bedankt.")),
    "starttls.tls_cert_expired": Advice(
        title=_("Het certificaat van je mailserver is verlopen"),
        meaning=_("Een verlopen certificaat laat zien dat niemand het onderhoudt. Verzenders die het controleren "
                  "(MTA-STS, DANE) leveren dan geen e-mail meer af."),
        urgency="medium", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nHet certificaat van onze mailserver is verlopen (of nog niet geldig). "
                  "Willen jullie het vernieuwen en automatisch laten verlengen?\n\nAlvast bedankt.")),
    "starttls.tls_cert_key_phase_out": Advice(
        title=_("De sleutel van het certificaat van je mailserver wordt afgebouwd"),
        meaning=_("De sleutel is nu nog goed genoeg (bijvoorbeeld RSA met 2048 bits), maar wordt afgebouwd. Kies "
                  "bij de volgende vernieuwing een sterkere sleutel."),
        urgency="low", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nWillen jullie bij de volgende vernieuwing van het certificaat van onze "
                  "mailserver een ECDSA-sleutel (P-256 of P-384) of RSA van minstens 3072 bits gebruiken?\n\n"
                  "Alvast bedankt.")),
    "starttls.tls_cert_key_insufficient": Advice(
        title=_("De sleutel van het certificaat van je mailserver is te zwak"),
        meaning=_("Met een te korte sleutel kan een aanvaller zich mogelijk voordoen als jouw mailserver."),
        urgency="high", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nDe sleutel van het certificaat van onze mailserver is te zwak. Willen "
                  "jullie een nieuw certificaat maken met een ECDSA-sleutel (P-256 of P-384) of RSA van minstens "
                  "3072 bits?\n\nAlvast bedankt.")),
    "starttls.tls_cert_signature_insufficient": Advice(
        title=_("Het certificaat van je mailserver is ondertekend met een verouderde methode"),
        meaning=_("Het certificaat gebruikt SHA-1 of een andere zwakke handtekening. Die kan worden nagemaakt."),
        urgency="high", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nHet certificaat van onze mailserver (of een tussencertificaat) is "
                  "ondertekend met SHA-1. Willen jullie een certificaat plaatsen dat met SHA-256 of sterker is "
                  "ondertekend?\n\nAlvast bedankt.")),
    "starttls.tls_compression_ok": _pass(
        _("Je mailserver gebruikt geen TLS-compressie"),
        _("Goed zo: compressie in TLS maakt aanvallen mogelijk en staat bij jou uit.")),
    "starttls.tls_compression_enabled": Advice(
        title=_("Je mailserver gebruikt TLS-compressie"),
        meaning=_("Met compressie in TLS kan een aanvaller soms delen van versleutelde gegevens raden."),
        urgency="medium", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nOnze mailserver ondersteunt TLS-compressie. Willen jullie die "
                  "uitzetten (in OpenSSL: SSL_OP_NO_COMPRESSION)?\n\nAlvast bedankt.")),
    "starttls.tls_renegotiation_ok": _pass(
        _("Je mailserver regelt heronderhandeling veilig"),
        _("Je mailserver ondersteunt alleen de veilige vorm van heronderhandeling.")),
    "starttls.tls_renegotiation_insecure": Advice(
        title=_("Je mailserver staat onveilige heronderhandeling toe"),
        meaning=_("Een aanvaller kan daardoor eigen gegevens in een versleutelde verbinding smokkelen."),
        urgency="high", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nOnze mailserver ondersteunt geen veilige heronderhandeling (RFC 5746). "
                  "Willen jullie de TLS-software bijwerken of onveilige heronderhandeling uitzetten?\n\n"
                  "Alvast bedankt.")),
    "starttls.tls_renegotiation_client": Advice(
        title=_("Anderen kunnen heronderhandeling op je mailserver starten"),
        meaning=_("Iedereen kan je mailserver steeds opnieuw laten onderhandelen. Dat kost veel rekenkracht en kan "
                  "de server vertragen."),
        urgency="low", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nOnze mailserver staat door de client gestarte heronderhandeling toe. "
                  "Willen jullie die uitzetten (bijvoorbeeld met SSL_OP_NO_RENEGOTIATION)?\n\nAlvast bedankt.")),
    "starttls.tls_zero_rtt_ok": _pass(
        _("Je mailserver gebruikt geen 0-RTT"),
        _("Je mailserver accepteert geen gegevens vóór het einde van de handdruk. Zo kan niemand iets herhalen.")),
    "starttls.tls_zero_rtt_enabled": Advice(
        title=_("Je mailserver accepteert 0-RTT-gegevens"),
        meaning=_("Met 0-RTT kan een aanvaller gegevens nog eens versturen. Voor e-mail is dat niet nodig."),
        urgency="low", fixer=_MAIL,
        message=_("Beste e-mailprovider,\n\nOnze mailserver accepteert TLS 1.3 early data (0-RTT). Willen jullie "
                  "dat uitzetten?\n\nAlvast bedankt.")),
    "starttls.tls_not_tested": Advice(
        title=_("We konden de versleuteling van je mailserver niet helemaal testen"),
        meaning=_("Je mailserver gaf (een deel van) onze testverbindingen geen antwoord, of was te druk. Dat zegt "
                  "niets over je beveiliging. We proberen het later opnieuw."),
        urgency="low", fixer=_MAIL),
}
