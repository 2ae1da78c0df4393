"""Building notification e-mails: what may be said about an item, to this recipient, under its label.

FIRST TLP 2.0 (https://www.first.org/tlp/): a message carrying TLP-marked content names the label in
the subject line and at the top of the body. Our rules, on top of "never more than the recipient may
see" (the caller checks visibility at send time):
- TLP:CLEAR and TLP:GREEN: the title and a short excerpt;
- TLP:AMBER, AMBER+STRICT and RED: a pointer only — no title, no text — "there is a new message with
  label TLP:AMBER in community X" and a link, unless the recipient opted in to full text
  (`full_text_for_restricted`); a mailbox is rarely as well protected as the platform;
- a community is named only when the recipient may see that community (confidential ones included);
- authors are never named (so an anonymous post cannot be given away by its notification).
Rendered in the recipient's language, plain text plus HTML.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.text import Truncator

from dtc.community.models import TLP_ORDER, TLP_POINTER_ONLY, Community, Tlp
from dtc.core import visibility
from dtc.notifications.models import Notification

# Strictest first: the label a mail carries is that of the strictest content in it.
STRICTNESS = TLP_ORDER[::-1]
EXCERPT_CHARS = 280


@dataclass(frozen=True)
class MailEntry:
    event: str
    tlp: str
    tlp_label: str
    pointer_only: bool  # no title, no text: only that there is something, where, and a link
    title: str
    excerpt: str
    communities: list[str]
    url: str


def _excerpt(html: str) -> str:
    return Truncator(" ".join(strip_tags(html).split())).chars(EXCERPT_CHARS)


def _community_names(*, user: Any, item_ids: list[int]) -> dict[int, list[str]]:
    """Per item: the names of its audience communities that `user` may see."""
    rows = (
        Community.objects.filter(pk__in=visibility.communities_visible_to(user=user).values("pk"))
        .filter(item_audience__item_id__in=item_ids)
        .values_list("item_audience__item_id", "name")
        .order_by("name")
    )
    names: dict[int, list[str]] = defaultdict(list)
    for item_id, name in rows:
        names[item_id].append(name)
    return names


def mail_entries(*, user: Any, notifications: list[Notification], full_text: bool) -> list[MailEntry]:
    names = _community_names(user=user, item_ids=[n.item_id for n in notifications])
    entries = []
    for notification in notifications:
        item = notification.item
        pointer_only = item.tlp in TLP_POINTER_ONLY and not full_text
        source = notification.comment.body_html if notification.comment_id else item.body_html  # type: ignore[union-attr]
        entries.append(
            MailEntry(
                event=notification.event,
                tlp=item.tlp,
                tlp_label=item.get_tlp_display(),
                pointer_only=pointer_only,
                title="" if pointer_only else item.title,
                excerpt="" if pointer_only else _excerpt(source),
                communities=names.get(item.pk, []),
                url=settings.SITE_URL + reverse("notifications:open", args=[notification.pk]),
            )
        )
    return entries


def _mail_label(entries: list[MailEntry]) -> str:
    """The label of the strictest content the mail carries ('' when it carries pointers only)."""
    carried = {entry.tlp for entry in entries if not entry.pointer_only}
    for tlp in STRICTNESS:
        if tlp in carried:
            return Tlp(tlp).label
    return ""


def notification_mail_build(*, user: Any, notifications: list[Notification], digest: str | None) -> EmailMultiAlternatives:
    """One e-mail to `user` about `notifications` (one entry, or a daily/weekly digest). The caller
    has checked that the user may still see every item."""
    from dtc.notifications.selectors import notification_preference_for

    full_text = notification_preference_for(user=user).full_text_for_restricted
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        entries = mail_entries(user=user, notifications=notifications, full_text=full_text)
        context = {
            "entries": entries,
            "entry": entries[0],
            "digest": digest,
            "label": _mail_label(entries),
            "site_name": settings.WAGTAIL_SITE_NAME,
            "inbox_url": settings.SITE_URL + reverse("notifications:inbox"),
            "preferences_url": settings.SITE_URL + reverse("notifications:preferences"),
        }
        template = "digest" if digest else "entry"
        subject = " ".join(render_to_string(f"notifications/email/{template}_subject.txt", context).split())
        body = render_to_string(f"notifications/email/{template}_body.txt", context)
        html = render_to_string(f"notifications/email/{template}_body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message
