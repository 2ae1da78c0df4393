"""Atom feed of one organisation's alerts, for feed readers and the organisation's own tooling.

A feed reader cannot log in, so the feed URL carries a secret key (made by an admin of the
organisation under Waarschuwingen → Instellingen; only its SHA-256 is stored). A wrong or revoked key
is a 404. An entry carries the message as businesses read it in their inbox (TLP:CLEAR only ever
reaches businesses) and links to the alert, which needs a login.
"""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from dtc.advisories import selectors
from dtc.advisories.models import Alert, Urgency
from dtc.organisations.models import Organisation


class AlertFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, key: str) -> Organisation:  # type: ignore[override]
        organisation = selectors.feed_organisation(key=key)
        if organisation is None:
            raise Http404
        return organisation

    def title(self, obj: Organisation) -> str:
        return _("Waarschuwingen voor %(name)s — Digital Trust Center") % {"name": obj.name}

    def link(self, obj: Organisation) -> str:
        return reverse("advisories:inbox")

    def subtitle(self, obj: Organisation) -> str:
        return _("Beveiligingswaarschuwingen over de producten die uw organisatie gebruikt.")

    def items(self, obj: Organisation) -> Any:
        return selectors.feed_alerts(organisation=obj)

    def item_title(self, item: Alert) -> str:
        message = item.advisory.message
        if message.urgency == Urgency.URGENT:
            return _("Urgent: %(title)s") % {"title": message.title}
        return message.title

    def item_description(self, item: Alert) -> str:
        message = item.advisory.message
        parts = [
            (_("Wat is er aan de hand?"), message.what),
            (_("Wie loopt risico?"), message.who),
            (_("Wat moet u nu doen?"), message.steps),
        ]
        return "".join(
            f"<h2>{escape(heading)}</h2>{linebreaks(text, autoescape=True)}" for heading, text in parts
        )

    def item_link(self, item: Alert) -> str:
        return reverse("advisories:alert_detail", kwargs={"pk": item.pk})

    def item_pubdate(self, item: Alert) -> Any:
        return item.created_at

    def item_updateddate(self, item: Alert) -> Any:
        return item.advisory.message.updated_at

    def item_author_name(self, item: Alert) -> str | None:
        return None
