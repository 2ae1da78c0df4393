"""Signed, secret values for alert e-mails and feeds: unsubscribe links and organisation feed keys."""

from __future__ import annotations

import hashlib
import secrets

from django.core import signing

_UNSUBSCRIBE_SALT = "dtc.advisories.unsubscribe"


def unsubscribe_token(*, user_id: int, organisation_id: int) -> str:
    """A signed token for the one-click unsubscribe link in alert e-mails (no login needed)."""
    return signing.dumps({"u": user_id, "o": organisation_id}, salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, int] | None:
    """(user id, organisation id) for a valid token, else None. Tokens do not expire: an old
    e-mail's link must keep working (RFC 8058 one-click unsubscribe)."""
    try:
        data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    try:
        return int(data["u"]), int(data["o"])
    except (KeyError, TypeError, ValueError):
        return None


def feed_key_new() -> tuple[str, str]:
    """A new secret for an organisation's alert feed URL: (the key to show once, its SHA-256 to store)."""
    key = secrets.token_urlsafe(32)
    return key, feed_key_hash(key)


def feed_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
