"""The alert outbox against a real SMTP server (aiosmtpd on loopback) and a real webhook receiver
(http.server on loopback): the right people get one plain, recognisable e-mail with a working
one-click unsubscribe, over one reused connection; 4xx is retried later, 5xx recorded as a permanent
failure; people who left, unsubscribed or were never members get nothing; webhooks are signed
(Standard Webhooks) and their answers judged the same way."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import json
import re
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone

from dtc.advisories import delivery, targeting
from dtc.advisories.models import Alert, AlertOptOut, AlertSettings, Delivery, Message
from dtc.advisories.tests.factories import AdvisoryProductFactory, AdvisoryRevisionFactory, MessageFactory
from dtc.advisories.tokens import unsubscribe_token_read
from dtc.core.tests.smtp import free_port, smtp_mailer
from dtc.organisations.models import OrganisationProduct
from dtc.organisations.tests.factories import MembershipFactory, OrganisationFactory, ProductFactory

pytestmark = pytest.mark.django_db


class Sink:
    """An SMTP server's handler that records what it accepted and counts connections (EHLOs).
    `rcpt_replies` / `data_replies`: address substring → reply, to refuse some recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.connections = 0
        self.rcpt_replies: dict[str, str] = {}
        self.data_replies: dict[str, str] = {}

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 - aiosmtpd hook
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        for needle, reply in self.rcpt_replies.items():
            if needle in address:
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        for needle, reply in self.data_replies.items():
            if any(needle in rcpt for rcpt in envelope.rcpt_tos):
                return reply
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def parsed(self):
        return [
            (rcpts, message_from_bytes(content, policy=policy.default)) for rcpts, content in self.messages
        ]


@pytest.fixture
def sink(settings):
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = smtp_mailer(controller.port)
    yield handler
    controller.stop()


def audience(
    *,
    count: int,
    urgent: bool = True,
    emails: list[str] | None = None,
    plan: bool = True,
    product_name: str = "FortiOS",
    **message_fields,
):
    """A published message on an advisory affecting a product `count` organisations use, one member
    each (with `emails` as their addresses when given); alerts written and (unless `plan=False`) planned."""
    product = ProductFactory(vendor="Fortinet", name=product_name)
    revision = AdvisoryRevisionFactory()
    AdvisoryProductFactory(revision=revision, catalogue_product=product)
    message = MessageFactory(advisory=revision.advisory, published=True, urgent=urgent, **message_fields)
    members = []
    for n in range(count):
        fields = {"user__email": emails[n]} if emails else {}
        membership = MembershipFactory(**fields)
        OrganisationProduct.objects.create(
            organisation=membership.organisation, product=product, version="7.2.4"
        )
        members.append(membership)
    targeting.alerts_write(message=message, revision=revision)
    if plan:
        delivery.deliveries_plan()
    return message, members


def states() -> dict[str, int]:
    result: dict[str, int] = {}
    for state in Delivery.objects.values_list("state", flat=True):
        result[state] = result.get(state, 0) + 1
    return result


def test_alert_mails_reach_each_member_once_over_one_connection(sink, settings):
    message, members = audience(count=4, plan=False)
    colleague = MembershipFactory(organisation=members[0].organisation)  # a second member: own mail
    left = MembershipFactory(organisation=members[1].organisation)
    opted_out = MembershipFactory(organisation=members[2].organisation)
    AlertOptOut.objects.create(user=opted_out.user, organisation=opted_out.organisation)
    inactive = MembershipFactory(organisation=members[3].organisation, user__is_active=False)
    assert delivery.deliveries_plan() == 6  # 4 + colleague + left (the opted-out and inactive: none)
    assert delivery.deliveries_plan() == 0
    left.delete()  # left the organisation after planning
    members[0].user.name = "José Ørsted-Müller"  # non-ASCII survives the hand-built MIME
    members[0].user.save(update_fields=["name"])

    assert delivery.email_batch_send() == 5

    assert sink.connections == 1
    recipients = sorted(rcpt for rcpts, _ in sink.messages for rcpt in rcpts)
    expected = sorted([m.user.email for m in members] + [colleague.user.email])
    assert recipients == expected
    assert inactive.user.email not in recipients and opted_out.user.email not in recipients
    failed = Delivery.objects.get(state="failed")
    assert (failed.user_id, failed.last_error) == (left.user_id, "no longer a recipient")
    assert states() == {"sent": 5, "failed": 1}

    rcpts, mail = next((r, m) for r, m in sink.parsed() if r == [members[0].user.email])
    assert mail["From"] == settings.DEFAULT_FROM_EMAIL
    assert mail["Subject"] == f"[TLP:CLEAR] Urgent: {message.title}"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(settings.SITE_URL + "/mijn/waarschuwingen/afmelden/")
    token = unsubscribe.rstrip("/").rsplit("/", 1)[1]
    assert unsubscribe_token_read(token) == (members[0].user_id, members[0].organisation_id)
    assert not list(mail.iter_attachments())
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert f"Beste {members[0].user.name}," in text
    assert f"{members[0].organisation.name} volgens uw profiel gebruikt: Fortinet FortiOS 7.2.4" in text
    assert "nooit om een wachtwoord" in text
    assert "1. Installeer de nieuwste update." in text
    alert = message.advisory.alerts.get(organisation=members[0].organisation)
    assert f"{settings.SITE_URL}/mijn/waarschuwingen/{alert.pk}/" in text and unsubscribe in text
    for part in (text, html):
        links = re.findall(r"[a-z]+://[^\s\"<>]+", part)
        assert links and all(link.startswith(settings.SITE_URL) for link in links), links

    assert delivery.email_batch_send() == 0  # nothing twice
    assert len(sink.messages) == 5


def test_links_to_other_sites_are_left_out_of_the_mail(sink, settings):
    audience(count=1, links="/kennisbank/updates/\nhttps://phish.example/login\n" + settings.SITE_URL + "/x/")
    delivery.email_batch_send()
    text = sink.parsed()[0][1].get_body(preferencelist=("plain",)).get_content()
    assert f"{settings.SITE_URL}/kennisbank/updates/" in text and f"{settings.SITE_URL}/x/" in text
    assert "phish.example" not in text


def test_4xx_is_retried_later_and_5xx_fails_for_good(sink, settings):
    settings.DTC_ALERT_MAX_ATTEMPTS = 3
    sink.data_replies = {"later@": "421 4.7.0 Try again later, closing connection"}
    sink.rcpt_replies = {"unknown@": "550 5.1.1 No such user here", "busy@": "451 4.3.0 Mailbox busy"}
    emails = ["later@voorbeeld.nl", "unknown@voorbeeld.nl", "busy@voorbeeld.nl", "ok@voorbeeld.nl"]
    audience(count=4, emails=emails)
    before = timezone.now()
    for seconds, email in enumerate(emails):  # sent in this order
        Delivery.objects.filter(user__email=email).update(
            available_at=before - dt.timedelta(seconds=10 - seconds)
        )

    assert delivery.email_batch_send() == 1

    assert [rcpts for rcpts, _ in sink.messages] == [["ok@voorbeeld.nl"]]
    rows = {row.user.email: row for row in Delivery.objects.select_related("user")}
    later, unknown, busy = rows["later@voorbeeld.nl"], rows["unknown@voorbeeld.nl"], rows["busy@voorbeeld.nl"]
    assert (later.state, later.attempts) == ("pending", 1) and "421" in later.last_error
    assert later.available_at >= before + dt.timedelta(minutes=2)
    assert (busy.state, busy.attempts) == ("pending", 1) and "451" in busy.last_error
    assert unknown.state == "failed" and "550" in unknown.last_error
    assert rows["ok@voorbeeld.nl"].state == "sent"
    assert sink.connections == 2  # the server closed the channel after 421: one new connection

    # Not yet due: nothing happens.
    assert delivery.email_batch_send() == 0
    # Due again, and the server is happy now: delivered.
    sink.data_replies = {}
    Delivery.objects.filter(state="pending").update(available_at=timezone.now())
    sink.rcpt_replies = {"busy@": "451 4.3.0 Mailbox busy"}
    assert delivery.email_batch_send() == 1
    # Still busy at the last allowed attempt: recorded as failed.
    Delivery.objects.filter(state="pending").update(available_at=timezone.now())
    assert delivery.email_batch_send() == 0
    busy.refresh_from_db()
    assert (busy.state, busy.attempts) == ("failed", 3) and "451" in busy.last_error
    assert states() == {"sent": 2, "failed": 2}


def test_unreachable_mail_server_keeps_every_message_for_later(settings):
    settings.MAILERS = smtp_mailer(free_port())  # nothing listens there
    audience(count=3)
    assert delivery.email_batch_send() == 0
    assert states() == {"pending": 3}
    assert all(row.attempts == 1 and row.available_at > timezone.now() for row in Delivery.objects.all())


def test_withdrawn_message_and_non_clear_advisory_stop_unsent_mail(sink):
    message, _ = audience(count=2)
    Message.objects.filter(pk=message.pk).update(status=Message.Status.DRAFT)
    assert delivery.email_batch_send() == 0
    assert set(Delivery.objects.values_list("last_error", flat=True)) == {"message no longer published"}
    assert sink.messages == []

    message2, _ = audience(count=1, product_name="FortiGate")
    message2.advisory.__class__.objects.filter(pk=message2.advisory_id).update(tlp="AMBER")
    assert delivery.email_batch_send() == 0
    assert Delivery.objects.filter(last_error="advisory no longer TLP:CLEAR").count() == 1
    assert sink.messages == []


def test_settings_decide_channel_and_timing():
    _, (default, off, daily, immediate) = audience(count=4, urgent=True, plan=False)
    AlertSettings.objects.create(organisation=off.organisation, email_urgent="off")
    AlertSettings.objects.create(organisation=daily.organisation, email_urgent="daily")
    AlertSettings.objects.create(organisation=immediate.organisation, email_urgent="immediate")
    _, (normal_default, weekly, normal_now) = audience(
        count=3, urgent=False, plan=False, product_name="FortiGate"
    )
    AlertSettings.objects.create(organisation=weekly.organisation, email_other="weekly")
    AlertSettings.objects.create(organisation=normal_now.organisation, email_other="immediate")
    now = timezone.now()

    delivery.deliveries_plan()

    rows = {row.user_id: (row.channel, row.available_at) for row in Delivery.objects.all()}
    next_daily, next_weekly = delivery.next_digest_times(now)
    assert rows[default.user_id][0] == "email" and rows[default.user_id][1] <= timezone.now()
    assert off.user_id not in rows
    assert rows[daily.user_id] == ("digest", next_daily)
    assert rows[immediate.user_id][0] == "email"
    assert rows[normal_default.user_id] == ("digest", next_daily)
    assert rows[weekly.user_id] == ("digest", next_weekly)
    assert rows[normal_now.user_id][0] == "email"
    assert not Alert.objects.filter(planned=False).exists()


def test_next_overview_moments_are_seven_in_the_morning_amsterdam_time():
    amsterdam = delivery.DIGEST_TZ
    # Saturday 29 March 2025, 08:00 (CET); the clocks go forward that night.
    daily, weekly = delivery.next_digest_times(dt.datetime(2025, 3, 29, 8, 0, tzinfo=amsterdam))
    assert daily == dt.datetime(2025, 3, 30, 7, 0, tzinfo=amsterdam)
    assert daily.utcoffset() == dt.timedelta(hours=2)  # CEST: still 07:00 on the wall clock
    assert weekly == dt.datetime(2025, 3, 31, 7, 0, tzinfo=amsterdam)
    daily, weekly = delivery.next_digest_times(dt.datetime(2025, 3, 31, 6, 59, tzinfo=amsterdam))
    assert daily == weekly == dt.datetime(2025, 3, 31, 7, 0, tzinfo=amsterdam)


def test_an_overview_mail_lists_all_due_alerts_of_one_organisation(sink):
    _, (membership,) = audience(count=1, urgent=False)
    # A second advisory for the same organisation, and a member of two organisations.
    product = ProductFactory(vendor="Zyxel", name="USG Flex")
    revision = AdvisoryRevisionFactory()
    AdvisoryProductFactory(revision=revision, catalogue_product=product)
    second = MessageFactory(advisory=revision.advisory, published=True, title="Zyxel-firewall bijwerken")
    OrganisationProduct.objects.create(organisation=membership.organisation, product=product)
    other_org = OrganisationFactory()
    MembershipFactory(user=membership.user, organisation=other_org)
    OrganisationProduct.objects.create(organisation=other_org, product=product)
    targeting.alerts_write(message=second, revision=revision)
    delivery.deliveries_plan()
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"digest"}
    assert delivery.digest_send() == 0  # not due before 07:00

    Delivery.objects.update(available_at=timezone.now() - dt.timedelta(minutes=1))
    assert delivery.digest_send() == 2  # one per organisation

    assert states() == {"sent": 3}
    subjects = sorted(mail["Subject"] for _, mail in sink.parsed())
    assert subjects == sorted(
        [
            f"[TLP:CLEAR] Overzicht: 2 waarschuwingen voor {membership.organisation.name}",
            f"[TLP:CLEAR] Overzicht: 1 waarschuwing voor {other_org.name}",
        ]
    )
    mail = next(m for _, m in sink.parsed() if membership.organisation.name in m["Subject"])
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Zyxel-firewall bijwerken" in text and "Fortinet FortiOS 7.2.4" in text
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert delivery.digest_send() == 0


class Receiver(BaseHTTPRequestHandler):
    """Answers by path: /ok 204, /flaky 503, /gone 410, /moved 302; records every request."""

    requests: list[tuple[str, dict[str, str], bytes]] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["content-length"]))
        headers = {name.lower(): value for name, value in self.headers.items()}
        type(self).requests.append((self.path, headers, body))
        status = {"/ok": 204, "/flaky": 503, "/gone": 410, "/moved": 302}[self.path]
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/ok")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", Receiver.requests
    server.shutdown()
    server.server_close()


def verify_standard_webhook(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The receiver's side of https://www.standardwebhooks.com/ (secret in the whsec_ form)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body.decode()}".encode()
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(sig == f"v1,{expected}" for sig in headers["webhook-signature"].split())


def test_webhooks_are_signed_and_their_answers_judged(receiver, settings):
    settings.DTC_WEBHOOK_ALLOW_PRIVATE = True  # the receiver runs on loopback
    base, requests = receiver
    secret = "whsec_" + base64.b64encode(b"een geheim van 24 tekens").decode()
    message, members = audience(count=4, plan=False)
    for membership, path in zip(members, ["/ok", "/flaky", "/gone", "/moved"], strict=True):
        AlertSettings.objects.create(
            organisation=membership.organisation,
            webhook_url=base + path,
            webhook_secret=secret,
            email_urgent="off",
        )
    assert delivery.deliveries_plan() == 4
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"webhook"}

    assert delivery.webhook_batch_send() == 1

    assert sorted(path for path, _, _ in requests) == [
        "/flaky",
        "/gone",
        "/moved",
        "/ok",
    ]  # no redirect followed
    path, headers, body = next(r for r in requests if r[0] == "/ok")
    assert verify_standard_webhook(secret, headers, body)
    assert not verify_standard_webhook(secret, headers, body.replace(b"Fortinet", b"Fortinot"))
    assert headers["content-type"] == "application/json"
    payload = json.loads(body)["data"]
    alert = message.advisory.alerts.get(organisation=members[0].organisation)
    assert headers["webhook-id"] == str(Delivery.objects.get(alert=alert).pk)
    assert payload["tracking_id"] == message.advisory.tracking_id
    assert payload["title"] == message.title and payload["urgency"] == "urgent"
    assert payload["steps"] == [
        "Installeer de nieuwste update.",
        "Controleer of automatisch bijwerken aan staat.",
    ]
    assert payload["alert_url"] == f"{settings.SITE_URL}/mijn/waarschuwingen/{alert.pk}/"
    assert payload["organisation"]["name"] == members[0].organisation.name
    by_path = {row.alert.organisation_id: row for row in Delivery.objects.select_related("alert")}
    assert by_path[members[0].organisation_id].state == "sent"
    assert (by_path[members[1].organisation_id].state, by_path[members[1].organisation_id].last_error) == (
        "pending",
        "HTTP 503",
    )
    assert by_path[members[2].organisation_id].state == "failed"
    assert by_path[members[3].organisation_id].state == "failed"  # a redirect is not followed


def test_webhook_urgent_only_and_internal_addresses(receiver, settings):
    base, requests = receiver
    _, (normal,) = audience(count=1, urgent=False, plan=False)
    AlertSettings.objects.create(
        organisation=normal.organisation,
        webhook_url=base + "/ok",
        webhook_secret="s",
        webhook_urgent_only=True,
    )
    delivery.deliveries_plan()
    assert not Delivery.objects.filter(channel="webhook").exists()  # only urgent ones wanted

    _, (urgent,) = audience(count=1, urgent=True, plan=False, product_name="FortiGate")
    AlertSettings.objects.create(
        organisation=urgent.organisation, webhook_url=base + "/ok", webhook_secret="s"
    )
    delivery.deliveries_plan()
    assert delivery.webhook_batch_send() == 0  # loopback is refused unless explicitly allowed
    assert requests == []
    assert Delivery.objects.get(channel="webhook").last_error == "webhook address is not public"


def test_worker_command_delivers_and_prints_a_summary(sink):
    audience(count=3)
    out = io.StringIO()
    call_command("deliver_alerts", "--once", "--batch", "2", stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["email"] == 3 and summary["planned"] == 0
    assert len(sink.messages) == 3
