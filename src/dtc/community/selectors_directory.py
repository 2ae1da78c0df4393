"""Reading the directory: collaborations, experts and events.

Who may see an event is decided by `dtc.core.visibility.events_visible_to`; these functions narrow,
order and present what it allows. The collaboration directory is public (connected collaborations
only); the expert directory is for signed-in users (the views require a login); a question to an
expert is seen by its asker and the expert only.

Who counts as a *member* (may ask an expert a question): an active, signed-in user who belongs to at
least one organisation on the platform or is an ACTIVE member of at least one community (in person
or through an organisation). A bare account without either is not a member: it has not shown to be a
business or part of a collaboration, and the question quota would then be the only brake on spam.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dtc.community import selectors
from dtc.community.models import (
    Collaboration,
    CollaborationJoinRequest,
    Community,
    CommunityMembership,
    Event,
    EventRegistration,
    Expert,
    ExpertQuestion,
)
from dtc.core import visibility
from dtc.organisations.models import Membership, Organisation, Role

# A member may ask this many questions per rolling 24 hours (all experts together).
EXPERT_QUESTIONS_PER_DAY_DEFAULT = 5


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


# --- collaborations ---------------------------------------------------------------------------


def collaborations_directory_filtered(*, kind: str = "") -> QuerySet[Collaboration]:
    """The public directory (connected collaborations only), optionally of one kind."""
    collaborations = selectors.collaborations_directory()
    if kind:
        collaborations = collaborations.filter(kind=kind)
    return collaborations.annotate(member_count=Count("member_organisations", distinct=True))


def collaboration_is_coordinator(*, user: Any, collaboration: Collaboration) -> bool:
    if not _active(user):
        return False
    return collaboration.coordinators.filter(pk=user.pk).exists()


def organisations_administered_by(*, user: Any) -> QuerySet[Organisation]:
    """The organisations `user` is an admin of."""
    if not _active(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user_id=user.pk, memberships__role=Membership.OrgRole.ADMIN
    ).order_by("name", "pk")


def collaboration_join_requests_pending(*, collaboration: Collaboration) -> QuerySet[CollaborationJoinRequest]:
    """Open requests, for the collaboration's coordinators (the view checks that)."""
    return (
        CollaborationJoinRequest.objects.filter(
            collaboration=collaboration, status=CollaborationJoinRequest.Status.PENDING
        )
        .select_related("organisation", "requested_by")
        .order_by("created_at", "pk")
    )


def collaboration_join_requests_of_my_organisations(
    *, user: Any, collaboration: Collaboration
) -> QuerySet[CollaborationJoinRequest]:
    """The requests to `collaboration` of the organisations `user` administers (their status)."""
    return (
        CollaborationJoinRequest.objects.filter(
            collaboration=collaboration,
            organisation__in=organisations_administered_by(user=user),
        )
        .select_related("organisation")
        .order_by("-created_at", "-pk")
    )


def collaboration_join_request_get_for_coordinator(
    *, user: Any, collaboration: Collaboration, request_id: int
) -> CollaborationJoinRequest:
    """A request to `collaboration` when `user` coordinates it; else Http404."""
    if not collaboration_is_coordinator(user=user, collaboration=collaboration):
        raise Http404
    join_request = (
        CollaborationJoinRequest.objects.filter(collaboration=collaboration, pk=request_id)
        .select_related("organisation", "collaboration")
        .first()
    )
    if join_request is None:
        raise Http404
    return join_request


# --- experts ----------------------------------------------------------------------------------


def experts_directory(*, specialty: str = "", province: str = "") -> QuerySet[Expert]:
    """Listed experts, by name. `specialty`: a specialty slug. `province`: experts in that province
    plus those who serve the whole country (no province)."""
    experts = Expert.objects.filter(listed=True, user__is_active=True)
    if specialty:
        experts = experts.filter(specialties__slug=specialty)
    if province:
        experts = experts.filter(Q(province=province) | Q(province=""))
    return experts.prefetch_related("specialties").order_by("display_name", "pk").distinct()


def expert_get_for(*, user: Any, expert_id: int) -> Expert:
    """A listed expert, or the user's own (also unlisted) profile; else Http404."""
    if not _active(user):
        raise Http404
    expert = (
        Expert.objects.filter(pk=expert_id)
        .filter(Q(listed=True, user__is_active=True) | Q(user_id=user.pk))
        .prefetch_related("specialties")
        .first()
    )
    if expert is None:
        raise Http404
    return expert


def expert_profile_of(*, user: Any) -> Expert | None:
    if not _active(user):
        return None
    return Expert.objects.filter(user_id=user.pk).prefetch_related("specialties").first()


def expert_question_may_ask(*, user: Any) -> bool:
    """A *member* (module docstring): belongs to an organisation or is an active community member."""
    if not _active(user):
        return False
    return (
        Membership.objects.filter(user_id=user.pk).exists()
        or visibility.community_memberships_active_for(user.pk).exists()
    )


def expert_questions_per_day() -> int:
    return int(getattr(settings, "DTC_EXPERT_QUESTIONS_PER_DAY", EXPERT_QUESTIONS_PER_DAY_DEFAULT))


def expert_questions_asked_recently(*, user: Any, now: dt.datetime | None = None) -> int:
    """Questions `user` asked in the last 24 hours (the quota window)."""
    since = (now or timezone.now()) - dt.timedelta(days=1)
    return ExpertQuestion.objects.filter(asked_by_id=user.pk, created_at__gte=since).count()


def expert_questions_asked_by(*, user: Any) -> QuerySet[ExpertQuestion]:
    if not _active(user):
        return ExpertQuestion.objects.none()
    return ExpertQuestion.objects.filter(asked_by_id=user.pk).select_related("expert").order_by("-created_at", "-pk")


def expert_questions_received_by(*, user: Any) -> QuerySet[ExpertQuestion]:
    """Questions to `user`'s expert profile (listed or not: an unlisted expert still answers)."""
    if not _active(user):
        return ExpertQuestion.objects.none()
    return (
        ExpertQuestion.objects.filter(expert__user_id=user.pk)
        .select_related("asked_by")
        .order_by("answered_at", "-created_at", "-pk")
    )


def expert_question_get_for(*, user: Any, question_id: int) -> ExpertQuestion:
    """A question `user` asked or received; else Http404 (nobody else sees it)."""
    if not _active(user):
        raise Http404
    question = (
        ExpertQuestion.objects.filter(pk=question_id)
        .filter(Q(asked_by_id=user.pk) | Q(expert__user_id=user.pk))
        .select_related("expert", "asked_by")
        .first()
    )
    if question is None:
        raise Http404
    return question


def communities_coordinated_by(*, user: Any) -> QuerySet[Community]:
    """The communities `user` is an active coordinator of."""
    if not _active(user):
        return Community.objects.none()
    ids = CommunityMembership.objects.filter(
        user_id=user.pk,
        role=CommunityMembership.MemberRole.COORDINATOR,
        status=CommunityMembership.Status.ACTIVE,
    ).values("community_id")
    return Community.objects.filter(pk__in=ids).order_by("name", "pk")


# --- events -----------------------------------------------------------------------------------


def event_may_create_public(*, user: Any) -> bool:
    """Public events (of the centre): staff, superusers and community coordinators (the group)."""
    if not _active(user):
        return False
    return bool(
        user.is_staff or user.is_superuser or user.groups.filter(name=Role.COMMUNITY_COORDINATOR.value).exists()
    )


def event_may_manage(*, user: Any, event: Event) -> bool:
    """Who may cancel an event and see its online link: its organiser; for a community event the
    community's coordinators; for a public event whoever may create public events."""
    if not _active(user):
        return False
    if event.organiser_id == user.pk:
        return True
    if event.community_id is not None:
        return selectors.community_is_coordinator(user=user, community=event.community)  # type: ignore[arg-type]
    return event_may_create_public(user=user)


def _with_registrants(events: QuerySet[Event], *, user: Any) -> QuerySet[Event]:
    events = events.annotate(registrant_count=Count("registrations", distinct=True))
    if _active(user):
        events = events.annotate(
            is_registered=Exists(EventRegistration.objects.filter(event_id=OuterRef("pk"), user_id=user.pk))
        )
    return events.select_related("community")


def events_upcoming(*, user: Any, community: Community | None = None, now: dt.datetime | None = None) -> QuerySet[Event]:
    """Visible events that have not ended, soonest first (within `community` when given)."""
    events = visibility.events_visible_to(user=user).filter(ends_at__gte=now or timezone.now())
    if community is not None:
        events = events.filter(community=community)
    return _with_registrants(events, user=user).order_by("starts_at", "pk")


def events_past(*, user: Any, community: Community | None = None, now: dt.datetime | None = None) -> QuerySet[Event]:
    """Visible events that have ended, most recent first."""
    events = visibility.events_visible_to(user=user).filter(ends_at__lt=now or timezone.now())
    if community is not None:
        events = events.filter(community=community)
    return _with_registrants(events, user=user).order_by("-starts_at", "-pk")


def event_get_for(*, user: Any, event_id: int) -> Event:
    """A visible event with `registrant_count` (and `is_registered`); Http404 when hidden."""
    event = _with_registrants(visibility.events_visible_to(user=user).filter(pk=event_id), user=user).first()
    if event is None:
        raise Http404
    return event


def event_is_registered(*, user: Any, event: Event) -> bool:
    if not _active(user):
        return False
    return EventRegistration.objects.filter(event=event, user_id=user.pk).exists()


def events_registered_by(*, user: Any) -> QuerySet[Event]:
    """The events `user` registered for and may (still) see, soonest first: "my events"."""
    if not _active(user):
        return Event.objects.none()
    mine = EventRegistration.objects.filter(user_id=user.pk).values("event_id")
    return visibility.events_visible_to(user=user).filter(pk__in=mine).order_by("starts_at", "pk")


def event_registrants(*, event: Event) -> QuerySet[EventRegistration]:
    """The registrations of `event` (for whoever may manage it; the view checks that)."""
    return EventRegistration.objects.filter(event=event).select_related("user").order_by("created_at", "pk")


# --- iCalendar (RFC 5545) ---------------------------------------------------------------------

ICAL_PRODID = "-//Digital Trust Center//Bijeenkomsten//NL"


def event_ical_uid(event: Event) -> str:
    """Stable per event (RFC 5545 3.8.4.7: globally unique, never reused): the same event keeps its
    UID across downloads and changes, so calendars update it instead of adding a copy."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "dtc.invalid"
    return f"event-{event.pk}@{host}"


def events_ical(
    events: list[Event], *, online_url_for: frozenset[int] | set[int] = frozenset(), name: str = ""
) -> bytes:
    """An iCalendar file (RFC 5545) with one VEVENT per event. Times in UTC. DTSTAMP and
    LAST-MODIFIED are the event's last change, so a download is reproducible. A cancelled event is STATUS:CANCELLED (3.8.1.11). The online link goes only into the events
    whose pk is in `online_url_for` (those the user registered for or manages)."""
    import icalendar
    from django.urls import reverse

    calendar = icalendar.Calendar()
    calendar.add("prodid", ICAL_PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    for event in events:
        entry = icalendar.Event()
        entry.add("uid", event_ical_uid(event))
        entry.add("dtstamp", event.updated_at.astimezone(dt.UTC))
        entry.add("last-modified", event.updated_at.astimezone(dt.UTC))
        entry.add("created", event.created_at.astimezone(dt.UTC))
        entry.add("dtstart", event.starts_at.astimezone(dt.UTC))
        entry.add("dtend", event.ends_at.astimezone(dt.UTC))
        entry.add("summary", event.title)
        description = event.description
        if event.pk in online_url_for and event.online_url:
            description = f"{description}\n\n{event.online_url}".strip()
        if description:
            entry.add("description", description)
        location = event.location or (event.online_url if event.pk in online_url_for else "")
        if location:
            entry.add("location", location)
        entry.add("url", settings.SITE_URL + reverse("community:event_detail", args=[event.pk]))
        entry.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
        calendar.add_component(entry)
    return calendar.to_ical()


def trust_platform_user_data(*, user: Any) -> dict[str, Any]:
    """What the trust platform holds about `user` personally (right of access): memberships in person,
    what they wrote (items, comments, reactions), their expert profile, questions and registrations."""
    from dtc.community.models import (
        Comment,
        CommunityMembership,
        EventRegistration,
        Expert,
        ExpertQuestion,
        Item,
        Reaction,
    )

    expert = Expert.objects.filter(user=user).prefetch_related("specialties").first()
    return {
        "community_memberships": [
            {"community": m.community.name, "role": m.role, "status": m.status, "since": m.created_at.isoformat()}
            for m in CommunityMembership.objects.filter(user=user).select_related("community").order_by("pk")
        ],
        "items_written": [
            {"id": i.pk, "title": i.title, "tlp": i.tlp, "status": i.status, "anonymous": i.anonymous,
             "created_at": i.created_at.isoformat(), "body_markdown": i.body_markdown}
            for i in Item.objects.filter(author=user).order_by("pk")
        ],
        "comments": [
            {"item": c.item_id, "created_at": c.created_at.isoformat(), "body_markdown": c.body_markdown}
            for c in Comment.objects.filter(author=user).order_by("pk")
        ],
        "reactions": [
            {"item": r.item_id, "kind": r.kind, "created_at": r.created_at.isoformat()}
            for r in Reaction.objects.filter(user=user).order_by("pk")
        ],
        "expert_profile": None if expert is None else {
            "display_name": expert.display_name, "headline": expert.headline, "bio": expert.bio,
            "province": expert.province, "listed": expert.listed, "accepts_questions": expert.accepts_questions,
            "specialties": [s.name for s in expert.specialties.all()],
        },
        "questions_asked": [
            {"subject": q.subject, "body": q.body, "answer": q.answer, "created_at": q.created_at.isoformat()}
            for q in ExpertQuestion.objects.filter(asked_by=user).order_by("pk")
        ],
        "event_registrations": [
            {"event": r.event.title, "starts_at": r.event.starts_at.isoformat(), "registered_at": r.created_at.isoformat()}
            for r in EventRegistration.objects.filter(user=user).select_related("event").order_by("pk")
        ],
    }
