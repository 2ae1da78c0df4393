"""Reading notifications. An inbox entry is shown (and counted) only while its item is visible to its
owner: `dtc.core.visibility` decides, so a narrowed label or audience hides old entries too."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404

from dtc.community.models import Community, CommunityMembership, Item, ItemAudience
from dtc.core import visibility
from dtc.notifications.models import Notification, NotificationPreference, Watch, WatchLevel
from dtc.organisations.models import Membership


def notifications_visible_for(*, user: Any) -> QuerySet[Notification]:
    """The user's inbox: their entries on items they may still see; unread first, then newest."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Notification.objects.none()
    return (
        Notification.objects.filter(user_id=user.pk, item_id__in=visibility.items_visible_to(user=user).values("pk"))
        .select_related("item", "comment")
        .annotate(unread=Case(When(read_at__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()))
        .order_by("-unread", "-created_at", "-pk")
    )


def notification_unread_count(*, user: Any) -> int:
    return notifications_visible_for(user=user).filter(read_at__isnull=True).count()


def notification_get_visible(*, user: Any, notification_id: int) -> Notification:
    notification = notifications_visible_for(user=user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    return notification


def notification_preference_for(*, user: Any) -> NotificationPreference:
    """The user's preferences, or the defaults (an unsaved row) when they never chose."""
    preference = NotificationPreference.objects.filter(user_id=user.pk).first()
    return preference or NotificationPreference(user_id=user.pk)


def users_with_watch_level(users: QuerySet[Any], *, item: Item) -> QuerySet[Any]:
    """Annotate `users` with `watch_level` for `item`, in SQL: the item row; else watching for the
    author; else the highest of their levels for the item's communities; else normal."""
    community_ids = list(
        ItemAudience.objects.filter(item_id=item.pk, community__isnull=False).values_list("community_id", flat=True)
    )
    item_row = Watch.objects.filter(user_id=OuterRef("pk"), item_id=item.pk).values("level")[:1]
    levels = [_community_level_for_user(cid) for cid in community_ids]
    if not levels:
        community_level: Any = Value(-1, output_field=IntegerField())
    elif len(levels) == 1:
        community_level = levels[0]
    else:
        community_level = Greatest(*levels, output_field=IntegerField())
    return users.annotate(
        item_level=Subquery(item_row, output_field=IntegerField()), community_level=community_level
    ).annotate(
        watch_level=Case(
            When(item_level__isnull=False, then=F("item_level")),
            When(pk=item.author_id, then=Value(int(WatchLevel.WATCHING))),
            When(community_level__gte=0, then=F("community_level")),
            default=Value(int(WatchLevel.NORMAL)),
            output_field=IntegerField(),
        )
    )


def _community_level_for_user(community_id: int) -> Any:
    """SQL on User: their level for one community — their row, else tracking when an active member
    (in person or via an organisation), else -1 (no say)."""
    explicit = Watch.objects.filter(user_id=OuterRef("pk"), community_id=community_id).values("level")[:1]
    my_orgs = Membership.objects.filter(user_id=OuterRef(OuterRef("pk"))).values("organisation_id")
    member = CommunityMembership.objects.filter(
        community_id=community_id, status=CommunityMembership.Status.ACTIVE
    ).filter(Q(user_id=OuterRef("pk")) | Q(organisation_id__in=my_orgs))
    return Coalesce(
        Subquery(explicit, output_field=IntegerField()),
        Case(When(Exists(member), then=Value(int(WatchLevel.TRACKING))), default=Value(-1)),
        output_field=IntegerField(),
    )


def watch_level_for(*, user: Any, community: Community | None = None, item: Item | None = None) -> tuple[int, bool]:
    """(level, explicitly chosen) for one community or one item, by the same SQL as the fan-out; one query."""
    users = get_user_model().objects.filter(pk=user.pk)
    if community is not None:
        explicit = Watch.objects.filter(user_id=OuterRef("pk"), community_id=community.pk)
        users = users.annotate(watch_level=_community_level_for_user(community.pk))
    else:
        assert item is not None
        explicit = Watch.objects.filter(user_id=OuterRef("pk"), item_id=item.pk)
        users = users_with_watch_level(users, item=item)
    row = users.annotate(explicit=Exists(explicit)).values_list("watch_level", "explicit").first()
    if row is None or row[0] is None or row[0] < 0:
        return WatchLevel.NORMAL, bool(row and row[1])
    return row[0], row[1]


def notifications_user_data(*, user: Any) -> dict[str, Any]:
    """What notifications hold about `user` (right of access): preferences, watch levels, inbox."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return {
        "preferences": None if preference is None else {
            "delivery": preference.delivery, "full_text_for_restricted": preference.full_text_for_restricted,
        },
        "watches": [
            {"community": w.community_id, "item": w.item_id, "level": w.level}
            for w in Watch.objects.filter(user=user).order_by("pk")
        ],
        # Only entries whose items the person may still see (hidden ones are not theirs to read).
        "inbox": [
            {"item": n.item_id, "event": n.event, "created_at": n.created_at.isoformat(),
             "read_at": n.read_at.isoformat() if n.read_at else None}
            for n in notifications_visible_for(user=user).order_by("pk")
        ],
    }
