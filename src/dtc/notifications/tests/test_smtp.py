"""End to end through the real database task queue and a real SMTP server (aiosmtpd on loopback):
a TLP:RED item is shared → the worker fans it out and sends the immediate mail → what arrives on the
wire carries the label and a link, but neither the title nor the text. Running the worker again
sends nothing more."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from django.core.management import call_command

from dtc.community import services as community_services
from dtc.community.models import Tlp
from dtc.notifications.models import Notification, NotificationPreference

TITLE = "Ransomware bij leverancier X"
BODY = "Versleutelde back-ups gevonden bij leverancier X."


def run_worker() -> None:
    call_command("db_worker", batch=True, queue_name="*", no_startup_delay=True, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_red_item_mail_on_the_wire_is_a_pointer(db_task_queue, smtp_server, alice, bob, carol):
    NotificationPreference.objects.create(user=bob, delivery=NotificationPreference.Delivery.IMMEDIATE)
    item = community_services.item_create(
        actor=alice, kind="incident", title=TITLE, tlp=Tlp.RED, body_markdown=BODY, users=[bob], publish=True
    )
    assert smtp_server.messages == []  # the page only enqueued
    run_worker()  # the fan-out, which enqueues the mail
    run_worker()  # the mail (if the first batch did not pick it up already)

    assert len(smtp_server.messages) == 1
    _mail_from, recipients, content = smtp_server.messages[0]
    assert recipients == [bob.email]
    message = message_from_bytes(content, policy=policy.default)
    assert message["Subject"] == "Nieuw bericht met label TLP:RED voor u"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    for part in (message["Subject"], text, html):
        assert TITLE not in part and "Versleutelde" not in part
    assert "TLP:RED" in text and "/mijn/meldingen/" in text
    assert Notification.objects.get(user=bob, item=item).email_outcome == "sent"
    assert not Notification.objects.filter(user=carol).exists()  # carol may not see it

    run_worker()
    assert len(smtp_server.messages) == 1
