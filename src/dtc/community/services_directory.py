"""Changing the directory: joining a collaboration, expert profiles and questions, events.

One write path per change, as in `services`: each function runs in one transaction, takes the acting
user, checks the right to act, writes its audit record inside that transaction and schedules e-mail
with `transaction.on_commit` (sent by the background worker, `dtc.core.tasks.email_send`). Rule
violations raise `ValidationError` (translated, with a code); acting without the right raises
`PermissionDenied`; acting on what the actor may not see raises `Http404`.

Privacy (AVG): e-mails carry what the recipient needs and no more. A question's text goes to the
expert (it is the point of asking; questions are not TLP-marked — the form says so), but the asker's
e-mail address only when the asker ticks that they want it shared; otherwise the expert answers on
the platform. Audit records of questions hold the subject, never the text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dtc.community import selectors, selectors_directory, services
from dtc.community.models import (
    Collaboration,
    CollaborationJoinRequest,
    Community,
    CommunityMembership,
    Event,
    EventRegistration,
    Expert,
    ExpertQuestion,
    ExpertSpecialty,
)
from dtc.core import visibility
from dtc.core.audit import audit_log_record, audit_snapshot
from dtc.core.tasks import email_send
from dtc.organisations.models import Organisation, User

PENDING = CollaborationJoinRequest.Status.PENDING
EMAIL_DIR = "community/directory/email"


def _require_active_user(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Log in om dit te doen."))


def _mail_on_commit(*, template: str, to: User, context: dict[str, Any]) -> None:
    """Render in the recipient's language, send after the commit through the mail queue."""
    with translation.override(to.language or settings.LANGUAGE_CODE):
        context = {"site_name": settings.WAGTAIL_SITE_NAME, "site_url": settings.SITE_URL} | context
        subject = render_to_string(f"{EMAIL_DIR}/{template}_subject.txt", context).strip()
        body = render_to_string(f"{EMAIL_DIR}/{template}_body.txt", context)
    transaction.on_commit(
        partial(
            email_send.enqueue,
            subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
            body=body,
            to=[to.email],
        )
    )


def _absolute(name: str, *args: Any) -> str:
    return settings.SITE_URL + reverse(name, args=args)


# --- collaborations ---------------------------------------------------------------------------


def _join_request_snapshot(join_request: CollaborationJoinRequest) -> dict[str, Any]:
    return audit_snapshot(
        join_request, fields=["collaboration", "organisation", "requested_by", "status", "decided_by", "decided_at"]
    )


@transaction.atomic
def collaboration_join_request_create(
    *, actor: User, collaboration: Collaboration, organisation: Organisation, message: str = ""
) -> CollaborationJoinRequest:
    """An admin of `organisation` asks to join a connected collaboration. One open request per
    organisation; an organisation that already takes part cannot ask again. The collaboration's
    coordinators get an e-mail."""
    _require_active_user(actor)
    if not Collaboration.objects.filter(pk=collaboration.pk, connected=True).exists():
        raise Http404
    if not selectors.organisation_is_admin(user=actor, organisation_id=organisation.pk):
        raise PermissionDenied(_("Alleen beheerders van de organisatie mogen haar aanmelden."))
    if collaboration.member_organisations.filter(pk=organisation.pk).exists():
        raise ValidationError(
            _("%(organisation)s neemt al deel aan %(collaboration)s.")
            % {"organisation": organisation.name, "collaboration": collaboration.name},
            code="already_member",
        )
    pending = _("Er staat al een aanmelding van %(organisation)s open; een coördinator beslist erover.") % {
        "organisation": organisation.name
    }
    if CollaborationJoinRequest.objects.filter(
        collaboration=collaboration, organisation=organisation, status=PENDING
    ).exists():
        raise ValidationError(pending, code="request_pending")
    join_request = CollaborationJoinRequest(
        collaboration=collaboration, organisation=organisation, requested_by=actor, message=(message or "").strip()
    )
    join_request.full_clean(exclude=["requested_by", "decided_by"])
    try:
        with transaction.atomic():  # a concurrent request for the same organisation loses here
            join_request.save()
    except IntegrityError as exc:
        raise ValidationError(pending, code="request_pending") from exc
    audit_log_record(
        actor=actor,
        action="collaboration_join_request.create",
        target=join_request,
        after=_join_request_snapshot(join_request),
    )
    for coordinator in collaboration.coordinators.filter(is_active=True):
        _mail_on_commit(
            template="join_request",
            to=coordinator,
            context={
                "collaboration": collaboration.name,
                "organisation": organisation.name,
                "url": _absolute("collaborations:detail", collaboration.slug),
            },
        )
    return join_request


@transaction.atomic
def collaboration_join_request_decide(
    *, actor: User, join_request: CollaborationJoinRequest, approve: bool
) -> CollaborationJoinRequest:
    """A coordinator of the collaboration approves (the organisation joins `member_organisations`)
    or declines an open request. The requesting admin gets an e-mail."""
    _require_active_user(actor)
    join_request = (
        CollaborationJoinRequest.objects.select_for_update(of=("self",))
        .select_related("collaboration", "organisation", "requested_by")
        .get(pk=join_request.pk)
    )
    collaboration = join_request.collaboration
    if not selectors_directory.collaboration_is_coordinator(user=actor, collaboration=collaboration):
        raise PermissionDenied(_("Alleen coördinatoren van het samenwerkingsverband mogen dit doen."))
    if join_request.status != PENDING:
        raise ValidationError(_("Over deze aanmelding is al beslist."), code="already_decided")
    before = _join_request_snapshot(join_request)
    join_request.status = (
        CollaborationJoinRequest.Status.APPROVED if approve else CollaborationJoinRequest.Status.DECLINED
    )
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        collaboration.member_organisations.add(join_request.organisation)
    audit_log_record(
        actor=actor,
        action="collaboration_join_request.approve" if approve else "collaboration_join_request.decline",
        target=join_request,
        before=before,
        after=_join_request_snapshot(join_request),
    )
    requester = join_request.requested_by
    if requester is not None and requester.is_active:
        _mail_on_commit(
            template="join_decided",
            to=requester,
            context={
                "collaboration": collaboration.name,
                "organisation": join_request.organisation.name,
                "approved": approve,
                "url": _absolute("collaborations:detail", collaboration.slug),
            },
        )
    return join_request


# --- experts ----------------------------------------------------------------------------------


def _expert_snapshot(expert: Expert) -> dict[str, Any]:
    data = audit_snapshot(
        expert, fields=["user", "display_name", "headline", "province", "accepts_questions", "listed"]
    )
    data["specialties"] = sorted(expert.specialties.values_list("pk", flat=True))
    return data


@transaction.atomic
def expert_profile_save(
    *,
    actor: User,
    display_name: str,
    headline: str = "",
    bio: str = "",
    specialties: Iterable[ExpertSpecialty] = (),
    province: str = "",
    accepts_questions: bool = True,
    listed: bool = True,
) -> Expert:
    """Create or change the actor's own expert profile (listing is the expert's own choice)."""
    _require_active_user(actor)
    expert = Expert.objects.select_for_update().filter(user=actor).first()
    before = _expert_snapshot(expert) if expert is not None else None
    if expert is None:
        expert = Expert(user=actor)
    expert.display_name = (display_name or "").strip()
    expert.headline = (headline or "").strip()
    expert.bio = (bio or "").strip()
    expert.province = province or ""
    expert.accepts_questions = accepts_questions
    expert.listed = listed
    expert.full_clean(exclude=["user"])
    expert.save()
    expert.specialties.set(list(specialties))
    audit_log_record(
        actor=actor,
        action="expert.create" if before is None else "expert.update",
        target=expert,
        before=before,
        after=_expert_snapshot(expert),
    )
    return expert


@transaction.atomic
def expert_profile_unlist(*, actor: User) -> Expert:
    """Take the actor's own profile out of the directory (questions already asked stay answerable)."""
    _require_active_user(actor)
    expert = Expert.objects.select_for_update().filter(user=actor).first()
    if expert is None:
        raise Http404
    if not expert.listed:
        return expert
    before = _expert_snapshot(expert)
    expert.listed = False
    expert.save(update_fields=["listed", "updated_at"])
    audit_log_record(actor=actor, action="expert.unlist", target=expert, before=before, after=_expert_snapshot(expert))
    return expert


def _question_snapshot(question: ExpertQuestion) -> dict[str, Any]:
    # Subject only: the question and answer texts are personal correspondence, not audit data.
    return audit_snapshot(question, fields=["expert", "asked_by", "subject", "answered_at"])


@transaction.atomic
def expert_question_ask(
    *, actor: User, expert: Expert, subject: str, body: str, share_email: bool = False
) -> ExpertQuestion:
    """A member asks a listed expert a question. At most `DTC_EXPERT_QUESTIONS_PER_DAY` (default 5)
    per asker per 24 hours. The expert gets an e-mail with the question; the asker's e-mail address
    only when `share_email`."""
    _require_active_user(actor)
    # Serialise one asker's questions so two at once cannot both slip under the quota.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    expert = selectors_directory.expert_get_for(user=actor, expert_id=expert.pk)
    if not selectors_directory.expert_question_may_ask(user=actor):
        raise PermissionDenied(
            _("Vragen stellen aan experts kan als u bij een organisatie of community op het platform hoort.")
        )
    if expert.user_id == actor.pk:
        raise ValidationError(_("U kunt uzelf geen vraag stellen."), code="own_profile")
    if not expert.listed or not expert.accepts_questions:
        raise ValidationError(_("Deze expert neemt op dit moment geen vragen aan."), code="not_accepting")
    limit = selectors_directory.expert_questions_per_day()
    if selectors_directory.expert_questions_asked_recently(user=actor) >= limit:
        raise ValidationError(
            _("U heeft vandaag al %(limit)s vragen gesteld, het maximum per 24 uur. Probeer het morgen opnieuw.")
            % {"limit": limit},
            code="rate_limited",
        )
    question = ExpertQuestion(expert=expert, asked_by=actor, subject=(subject or "").strip(), body=(body or "").strip())
    question.full_clean(exclude=["expert", "asked_by", "answer"])
    question.save()
    audit_log_record(actor=actor, action="expert_question.ask", target=question, after=_question_snapshot(question))
    _mail_on_commit(
        template="question",
        to=expert.user,
        context={
            "asker": actor.name or _("Een lid van het platform"),
            "asker_email": actor.email if share_email else "",
            "subject": question.subject,
            "body": question.body,
            "url": _absolute("community:question_detail", question.pk),
        },
    )
    return question


@transaction.atomic
def expert_question_answer(*, actor: User, question: ExpertQuestion, answer: str) -> ExpertQuestion:
    """The expert answers once; the asker gets an e-mail with the answer."""
    _require_active_user(actor)
    question = (
        ExpertQuestion.objects.select_for_update()
        .select_related("expert", "asked_by")
        .get(pk=selectors_directory.expert_question_get_for(user=actor, question_id=question.pk).pk)
    )
    if question.expert.user_id != actor.pk:
        raise PermissionDenied(_("Alleen de expert beantwoordt deze vraag."))
    if question.answered_at is not None:
        raise ValidationError(_("Deze vraag is al beantwoord."), code="already_answered")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": ValidationError(_("Schrijf een antwoord."), code="required")})
    before = _question_snapshot(question)
    question.answer = answer
    question.answered_at = timezone.now()
    question.full_clean(exclude=["expert", "asked_by"])
    question.save(update_fields=["answer", "answered_at"])
    audit_log_record(
        actor=actor, action="expert_question.answer", target=question, before=before, after=_question_snapshot(question)
    )
    if question.asked_by.is_active:
        _mail_on_commit(
            template="answer",
            to=question.asked_by,
            context={
                "expert": question.expert.display_name,
                "subject": question.subject,
                "answer": question.answer,
                "url": _absolute("community:question_detail", question.pk),
            },
        )
    return question


def expert_invite_to_community(*, actor: User, expert: Expert, community: Community) -> CommunityMembership:
    """A coordinator invites a listed expert (in person) into their community; the expert accepts on
    the community's page. Audit-logged by `services.community_invite_user`."""
    _require_active_user(actor)
    expert = selectors_directory.expert_get_for(user=actor, expert_id=expert.pk)
    return services.community_invite_user(actor=actor, community=community, user=expert.user)


# --- events -----------------------------------------------------------------------------------


def _event_snapshot(event: Event) -> dict[str, Any]:
    return audit_snapshot(event)


@transaction.atomic
def event_create(
    *,
    actor: User,
    community: Community | None,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    description: str = "",
    location: str = "",
    online_url: str = "",
    capacity: int | None = None,
) -> Event:
    """A coordinator of `community` plans an event there; without a community it is public and only
    staff and community coordinators (the role) may plan it."""
    _require_active_user(actor)
    if community is not None:
        if not selectors.community_is_coordinator(user=actor, community=community):
            raise PermissionDenied(_("Alleen coördinatoren van de community plannen er bijeenkomsten."))
    elif not selectors_directory.event_may_create_public(user=actor):
        raise PermissionDenied(_("Alleen medewerkers en communitycoördinatoren plannen openbare bijeenkomsten."))
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValidationError(
            {"ends_at": ValidationError(_("Het einde ligt na het begin."), code="ends_before_start")}
        )
    if starts_at is not None and starts_at < timezone.now():
        raise ValidationError(
            {"starts_at": ValidationError(_("Kies een moment in de toekomst."), code="in_past")}
        )
    event = Event(
        community=community,
        kind=kind,
        title=(title or "").strip(),
        description=(description or "").strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        location=(location or "").strip(),
        online_url=online_url or "",
        capacity=capacity,
        organiser=actor,
    )
    event.full_clean(exclude=["organiser"])
    event.save()
    audit_log_record(actor=actor, action="event.create", target=event, after=_event_snapshot(event))
    return event


@transaction.atomic
def event_cancel(*, actor: User, event: Event) -> Event:
    """The organiser (or a coordinator of its community; for a public event staff/community
    coordinators) calls the event off. It stays visible, marked; registrants get an e-mail."""
    _require_active_user(actor)
    event = Event.objects.select_for_update(of=("self",)).select_related("community").get(
        pk=visibility.event_get_visible(user=actor, event_id=event.pk).pk
    )
    if not selectors_directory.event_may_manage(user=actor, event=event):
        raise PermissionDenied(_("U mag deze bijeenkomst niet afgelasten."))
    if event.cancelled:
        return event
    before = _event_snapshot(event)
    event.cancelled = True
    event.save(update_fields=["cancelled", "updated_at"])
    audit_log_record(actor=actor, action="event.cancel", target=event, before=before, after=_event_snapshot(event))
    if event.ends_at > timezone.now():
        for registration in EventRegistration.objects.filter(event=event, user__is_active=True).select_related("user"):
            _mail_on_commit(
                template="event_cancelled",
                to=registration.user,
                context={
                    "title": event.title,
                    "starts_at": event.starts_at,
                    "url": _absolute("community:event_detail", event.pk),
                },
            )
    return event


@transaction.atomic
def event_register(*, actor: User, event: Event) -> EventRegistration:
    """Register the actor for an event they may see. The event row is locked while the places are
    counted, so concurrent registrations never exceed `capacity`."""
    _require_active_user(actor)
    visible = visibility.event_get_visible(user=actor, event_id=event.pk)
    event = Event.objects.select_for_update().get(pk=visible.pk)
    if event.cancelled:
        raise ValidationError(_("Deze bijeenkomst is afgelast."), code="cancelled")
    if event.starts_at <= timezone.now():
        raise ValidationError(_("Aanmelden kan alleen vóór het begin van de bijeenkomst."), code="started")
    if EventRegistration.objects.filter(event=event, user=actor).exists():
        raise ValidationError(_("U bent al aangemeld voor deze bijeenkomst."), code="already_registered")
    if event.capacity is not None and EventRegistration.objects.filter(event=event).count() >= event.capacity:
        raise ValidationError(_("De bijeenkomst is vol."), code="full")
    registration = EventRegistration.objects.create(event=event, user=actor)
    audit_log_record(
        actor=actor, action="event_registration.create", target=registration, after=audit_snapshot(registration)
    )
    return registration


@transaction.atomic
def event_registration_cancel(*, actor: User, event: Event) -> None:
    """The actor withdraws their registration (their place becomes free)."""
    _require_active_user(actor)
    visible = visibility.event_get_visible(user=actor, event_id=event.pk)
    event = Event.objects.select_for_update().get(pk=visible.pk)
    registration = EventRegistration.objects.filter(event=event, user=actor).first()
    if registration is None:
        raise ValidationError(_("U was niet aangemeld voor deze bijeenkomst."), code="not_registered")
    audit_log_record(
        actor=actor, action="event_registration.cancel", target=registration, before=audit_snapshot(registration)
    )
    registration.delete()


# --- retention (AVG) ------------------------------------------------------------------------------


def directory_purge_expired(*, now: dt.datetime) -> dict[str, int]:
    """Delete what the directory keeps past its retention period (settings.DTC_RETENTION): decided
    join requests and answered expert questions after `directory_requests` days, event registrations
    `event_registrations` days after their event ended. Run by core.tasks.purge_expired."""
    requests_cutoff = now - dt.timedelta(days=settings.DTC_RETENTION["directory_requests"])
    registrations_cutoff = now - dt.timedelta(days=settings.DTC_RETENTION["event_registrations"])
    return {
        "collaboration_join_requests": CollaborationJoinRequest.objects.exclude(
            status=CollaborationJoinRequest.Status.PENDING
        ).filter(decided_at__lt=requests_cutoff).delete()[0],
        "expert_questions": ExpertQuestion.objects.filter(answered_at__lt=requests_cutoff).delete()[0],
        "event_registrations": EventRegistration.objects.filter(event__ends_at__lt=registrations_cutoff).delete()[0],
    }
