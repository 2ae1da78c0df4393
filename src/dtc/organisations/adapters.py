"""allauth adapter: mail goes out through the task queue, after the transaction commits."""

from __future__ import annotations

from functools import partial

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from dtc.core.tasks import email_send


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        html_body = None
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html_body = content
        transaction.on_commit(
            partial(
                email_send.enqueue,
                subject=str(message.subject),
                body=message.body,
                to=list(message.to),
                html_body=html_body,
                from_email=message.from_email,
            )
        )
