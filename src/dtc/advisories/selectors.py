"""Reading advisories, messages and alerts for the analysts' and the businesses' screens.

Who may see what is decided in `dtc.core.visibility` (analysts: every advisory, any TLP; members:
their organisations' alerts); everything here starts from there.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet

from dtc.advisories.models import (
    Advisory,
    AdvisoryProduct,
    AdvisoryRevision,
    Alert,
    AlertOptOut,
    AlertSettings,
    Message,
    ProductStatus,
    ReviewDismissal,
    Urgency,
    Vulnerability,
)
from dtc.advisories.tokens import feed_key_hash
from dtc.core import visibility
from dtc.organisations.models import Organisation, Product

FEED_SIZE = 50
NO_MESSAGE = "none"


# --- analysts --------------------------------------------------------------------------------


def advisories_for_analyst(
    *,
    user: Any,
    tlp: str | None = None,
    has_message: bool | None = None,
    status: str = "",
    exploited: bool | None = None,
    query: str = "",
) -> QuerySet[Advisory]:
    """Advisories an analyst may see, filtered; newest change first. `status` is a Message status or
    "none" (no message yet); `query` matches the tracking id or the title."""
    advisories = visibility.advisories_visible_to(user=user).select_related("message", "current_revision")
    if tlp is not None:
        advisories = advisories.filter(tlp=tlp)
    if has_message is not None:
        advisories = advisories.filter(message__isnull=not has_message)
    if status == NO_MESSAGE:
        advisories = advisories.filter(message__isnull=True)
    elif status:
        advisories = advisories.filter(message__status=status)
    if exploited is not None:
        advisories = advisories.filter(exploited=exploited)
    query = (query or "").strip()
    if query:
        advisories = advisories.filter(Q(tracking_id__icontains=query) | Q(title__icontains=query))
    return advisories.order_by("-updated_at", "-pk")


def advisory_revisions(*, advisory: Advisory) -> QuerySet[AdvisoryRevision]:
    return advisory.revisions.order_by("-release_date", "-id").defer("document")


def revision_products(*, revision: AdvisoryRevision) -> QuerySet[AdvisoryProduct]:
    return revision.products.select_related("catalogue_product").order_by(
        "status", "vendor", "product_name", "id"
    )


def revision_vulnerabilities(*, revision: AdvisoryRevision) -> QuerySet[Vulnerability]:
    return revision.vulnerabilities.order_by("-cvss_score", "cve", "id")


def message_for(*, advisory: Advisory) -> Message | None:
    return (
        Message.objects.filter(advisory=advisory)
        .select_related("written_by", "approved_by", "published_by")
        .first()
    )


def message_resend_revision(*, message: Message) -> AdvisoryRevision | None:
    """The newest significant revision released after the one alerts were last written for, or None.

    Only then is sending again worth a business's attention (a typo fix is not)."""
    published = message.published_revision
    if published is None:
        return None
    newer = AdvisoryRevision.objects.filter(advisory_id=message.advisory_id, significant=True).filter(
        Q(release_date__gt=published.release_date)
        | Q(release_date=published.release_date, id__gt=published.pk)
    )
    return newer.order_by("-release_date", "-id").defer("document").first()


def message_may_approve(*, message: Message, user: Any) -> bool:
    """A second analyst: anyone but the writer (the last one who edited the message)."""
    return bool(
        message.status in (Message.Status.DRAFT, Message.Status.AWAITING_APPROVAL)
        and message.written_by_id is not None
        and message.written_by_id != user.pk
    )


def message_may_publish(*, message: Message) -> bool:
    """Whether the message may go out now (the rule `services.message_publish` enforces)."""
    advisory = message.advisory
    if not advisory.may_reach_businesses or advisory.current_revision_id is None:
        return False
    if message.published_revision_id is not None and message_resend_revision(message=message) is None:
        return False
    if message.urgency == Urgency.URGENT:
        return message.status == Message.Status.APPROVED and message.approved_by_id not in (
            None,
            message.written_by_id,
        )
    return True


def review_queue() -> QuerySet[Any]:
    """Unmapped affected products of the advisories' current revisions, one row per match key:
    {match_key, count, advisories, vendor, example_first, example_last}, most frequent first.
    Keys an analyst dismissed ("not in our catalogue") are left out."""
    current = Advisory.objects.exclude(current_revision=None).values("current_revision")
    return (
        AdvisoryProduct.objects.filter(
            revision_id__in=current, status=ProductStatus.AFFECTED, catalogue_product__isnull=True
        )
        .exclude(match_key="")
        .exclude(match_key__in=ReviewDismissal.objects.values("match_key"))
        .values("match_key")
        .annotate(
            count=Count("id"),
            advisories=Count("revision__advisory", distinct=True),
            vendor=Max("vendor"),
            example_first=Min("full_name"),
            example_last=Max("full_name"),
        )
        .order_by("-count", "match_key")
    )


def review_key_exists(*, match_key: str) -> bool:
    return AdvisoryProduct.objects.filter(match_key=match_key, catalogue_product__isnull=True).exists()


def catalogue_candidates(*, query: str, limit: int = 15) -> list[Product]:
    """Catalogue products for the review queue's select: every word of `query`, or failing that the
    first word (usually the vendor)."""
    from dtc.organisations.selectors import product_catalogue_search

    words = (query or "").split()
    if not words:
        return []
    found = list(product_catalogue_search(query=" ".join(words), limit=limit))
    if not found and len(words) > 1:
        found = list(product_catalogue_search(query=words[0], limit=limit))
    return found


# --- businesses ------------------------------------------------------------------------------


def alerts_inbox(*, user: Any, urgent_only: bool = False) -> QuerySet[Alert]:
    """The user's organisations' alerts, newest first, with what a list needs in one query."""
    alerts = visibility.alerts_visible_to(user=user).select_related(
        "advisory__message", "organisation", "revision"
    )
    if urgent_only:
        alerts = alerts.filter(advisory__message__urgency=Urgency.URGENT)
    return alerts.defer("revision__document").order_by("-created_at", "-id")


def alert_unread_count(*, user: Any) -> int:
    return visibility.alerts_visible_to(user=user).filter(read_at__isnull=True).count()


def alert_detail(*, user: Any, alert_id: int) -> Alert:
    """The alert with its message and organisation, if `user` may see it; Http404 otherwise."""
    alert = visibility.alert_get_visible(user=user, alert_id=alert_id)
    return (
        Alert.objects.select_related("advisory__message", "organisation", "revision")
        .defer("revision__document")
        .get(pk=alert.pk)
    )


def alert_settings_for(*, organisation: Organisation) -> AlertSettings:
    """The organisation's settings, or unsaved defaults when it never changed them."""
    found = AlertSettings.objects.filter(organisation=organisation).first()
    return found if found is not None else AlertSettings(organisation=organisation)


def alert_opted_out(*, user: Any, organisation: Organisation) -> bool:
    return AlertOptOut.objects.filter(user=user, organisation=organisation).exists()


def feed_organisation(*, key: str) -> Organisation | None:
    """The organisation whose alert feed key this is, else None."""
    if not key or len(key) > 100:
        return None
    found = (
        AlertSettings.objects.select_related("organisation")
        .filter(feed_key_sha256=feed_key_hash(key))
        .first()
    )
    return found.organisation if found is not None else None


def feed_alerts(*, organisation: Organisation) -> QuerySet[Alert]:
    return (
        Alert.objects.filter(organisation=organisation, advisory__message__isnull=False)
        .select_related("advisory__message")
        .order_by("-created_at", "-id")[:FEED_SIZE]
    )


def alerts_user_data(*, user: Any) -> dict[str, Any]:
    """What tailored alerts hold about a person (right of access): the organisations for which they
    asked for no alert e-mail. Alerts themselves belong to the organisation, not to a person."""
    from dtc.advisories.models import AlertOptOut

    return {
        "alert_email_opt_outs": [
            {"organisation": row["organisation__name"], "since": row["created_at"].isoformat()}
            for row in AlertOptOut.objects.filter(user=user)
            .order_by("organisation__name")
            .values("organisation__name", "created_at")
        ]
    }
