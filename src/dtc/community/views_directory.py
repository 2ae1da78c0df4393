"""Pages of the directory: the public list of connected collaborations (and asking to join), the
expert directory and questions, events with registration and iCalendar downloads.

Thin views: parse input, call one service or selector, render. Events are looked up through
`dtc.core.visibility` (via `selectors_directory`); a hidden event is a 404, never a 403.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtc.community import selectors, selectors_directory, services_directory
from dtc.community.forms_directory import (
    CollaborationFilterForm,
    CollaborationJoinForm,
    EventForm,
    ExpertAnswerForm,
    ExpertFilterForm,
    ExpertInviteForm,
    ExpertProfileForm,
    ExpertQuestionForm,
)
from dtc.community.models import Collaboration, Community, Event
from dtc.core import visibility
from dtc.core.http import redirect_with_errors

PAGE_SIZE = 20


def _page(request: HttpRequest, items: Any) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("pagina"))


def _extra_query(form: Any) -> str:
    """The filter's parameters for the pagination links ("a=1&b=2&" or "")."""
    if not form.is_valid():
        return ""
    pairs = {key: value for key, value in form.cleaned_data.items() if value}
    return urlencode(pairs) + "&" if pairs else ""


def _form_add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _crumbs(*items: tuple[str, str]) -> list[dict[str, str]]:
    crumbs = [{"title": title, "url": url} for title, url in items]
    crumbs[-1]["url"] = ""
    return crumbs


# --- collaborations (public) ------------------------------------------------------------------


@require_GET
def collaboration_list(request: HttpRequest) -> HttpResponse:
    form = CollaborationFilterForm(request.GET or None)
    kind = form.cleaned_data["soort"] if form.is_valid() else ""
    collaborations = selectors_directory.collaborations_directory_filtered(kind=kind)
    return render(
        request,
        "community/directory/collaboration_list.html",
        {
            "form": form,
            "page": _page(request, collaborations),
            "extra_query": _extra_query(form),
            "filtered": bool(kind),
            "section": "collaborations",
            "crumbs": _crumbs((_("Samenwerkingsverbanden"), "")),
        },
    )


def _collaboration_context(request: HttpRequest, collaboration: Collaboration, join_form: Any = None) -> dict[str, Any]:
    user = request.user
    is_coordinator = selectors_directory.collaboration_is_coordinator(user=user, collaboration=collaboration)
    admin_organisations = selectors_directory.organisations_administered_by(user=user)
    members = set(collaboration.member_organisations.values_list("pk", flat=True))
    my_requests = list(
        selectors_directory.collaboration_join_requests_of_my_organisations(user=user, collaboration=collaboration)
    )
    pending_orgs = {r.organisation_id for r in my_requests if r.status == "pending"}
    may_join = admin_organisations.exclude(pk__in=members | pending_orgs)
    if join_form is None and may_join.exists():
        join_form = CollaborationJoinForm(organisations=may_join)
    return {
        "collaboration": collaboration,
        "is_coordinator": is_coordinator,
        "pending": list(selectors_directory.collaboration_join_requests_pending(collaboration=collaboration))
        if is_coordinator
        else [],
        "my_requests": my_requests,
        "my_member_organisations": admin_organisations.filter(pk__in=members)
        if request.user.is_authenticated
        else [],
        "join_form": join_form,
        "has_organisation": admin_organisations.exists(),
        "member_organisations": collaboration.member_organisations.order_by("name", "pk")
        if is_coordinator
        else None,
        "section": "collaborations",
        "crumbs": _crumbs(
            (_("Samenwerkingsverbanden"), reverse("collaborations:list")), (collaboration.name, "")
        ),
    }


@require_GET
def collaboration_detail(request: HttpRequest, slug: str) -> HttpResponse:
    collaboration = selectors.collaboration_get_public(slug=slug)
    return render(
        request, "community/directory/collaboration_detail.html", _collaboration_context(request, collaboration)
    )


@login_required
@require_POST
def collaboration_join(request: HttpRequest, slug: str) -> HttpResponse:
    collaboration = selectors.collaboration_get_public(slug=slug)
    form = CollaborationJoinForm(
        request.POST, organisations=selectors_directory.organisations_administered_by(user=request.user)
    )
    if form.is_valid():
        try:
            services_directory.collaboration_join_request_create(
                actor=request.user,
                collaboration=collaboration,
                organisation=form.cleaned_data["organisation"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            _form_add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Uw aanmelding is verstuurd. Een coördinator beslist erover."))
            return redirect("collaborations:detail", collaboration.slug)
    context = _collaboration_context(request, collaboration, join_form=form)
    return render(request, "community/directory/collaboration_detail.html", context, status=400)


@login_required
@require_POST
def collaboration_join_decide(request: HttpRequest, slug: str, request_id: int) -> HttpResponse:
    collaboration = selectors.collaboration_get_public(slug=slug)
    join_request = selectors_directory.collaboration_join_request_get_for_coordinator(
        user=request.user, collaboration=collaboration, request_id=request_id
    )
    approve = request.POST.get("decision") == "approve"
    try:
        services_directory.collaboration_join_request_decide(
            actor=request.user, join_request=join_request, approve=approve
        )
    except (ValidationError, PermissionDenied) as exc:
        return redirect_with_errors(request, exc, "collaborations:detail", collaboration.slug)
    name = join_request.organisation.name
    if approve:
        messages.success(request, _("%(name)s neemt nu deel.") % {"name": name})
    else:
        messages.success(request, _("De aanmelding van %(name)s is afgewezen.") % {"name": name})
    return redirect("collaborations:detail", collaboration.slug)


# --- experts ----------------------------------------------------------------------------------


@login_required
@require_GET
def expert_list(request: HttpRequest) -> HttpResponse:
    form = ExpertFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    experts = selectors_directory.experts_directory(
        specialty=data.get("specialisme", ""), province=data.get("provincie", "")
    )
    return render(
        request,
        "community/directory/expert_list.html",
        {
            "form": form,
            "page": _page(request, experts),
            "extra_query": _extra_query(form),
            "filtered": any(data.values()),
            "own_profile": selectors_directory.expert_profile_of(user=request.user),
            "section": "experts",
            "crumbs": _crumbs((_("Experts"), "")),
        },
    )


def _expert_context(request: HttpRequest, expert: Any, **forms: Any) -> dict[str, Any]:
    communities = selectors_directory.communities_coordinated_by(user=request.user)
    may_ask = selectors_directory.expert_question_may_ask(user=request.user)
    is_own = expert.user_id == request.user.pk
    return {
        "expert": expert,
        "is_own": is_own,
        "may_ask": may_ask and not is_own and expert.accepts_questions and expert.listed,
        "question_form": forms.get("question_form") or ExpertQuestionForm(),
        "invite_form": forms.get("invite_form")
        or (ExpertInviteForm(communities=communities) if communities.exists() and not is_own else None),
        "quota": selectors_directory.expert_questions_per_day(),
        "section": "experts",
        "crumbs": _crumbs((_("Experts"), reverse("community:expert_list")), (expert.display_name, "")),
    }


@login_required
@require_GET
def expert_detail(request: HttpRequest, expert_id: int) -> HttpResponse:
    expert = selectors_directory.expert_get_for(user=request.user, expert_id=expert_id)
    return render(request, "community/directory/expert_detail.html", _expert_context(request, expert))


@login_required
@require_POST
def expert_question_ask(request: HttpRequest, expert_id: int) -> HttpResponse:
    expert = selectors_directory.expert_get_for(user=request.user, expert_id=expert_id)
    form = ExpertQuestionForm(request.POST)
    if form.is_valid():
        try:
            question = services_directory.expert_question_ask(actor=request.user, expert=expert, **form.cleaned_data)
        except ValidationError as exc:
            _form_add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Uw vraag is verstuurd. U vindt het antwoord onder ‘Mijn vragen’."))
            return redirect("community:question_detail", question.pk)
    context = _expert_context(request, expert, question_form=form)
    return render(request, "community/directory/expert_detail.html", context, status=400)


@login_required
@require_POST
def expert_invite(request: HttpRequest, expert_id: int) -> HttpResponse:
    expert = selectors_directory.expert_get_for(user=request.user, expert_id=expert_id)
    communities = selectors_directory.communities_coordinated_by(user=request.user)
    if not communities.exists():
        raise PermissionDenied(_("Alleen coördinatoren van een community kunnen experts uitnodigen."))
    form = ExpertInviteForm(request.POST, communities=communities)
    if form.is_valid():
        community: Community = form.cleaned_data["community"]
        try:
            services_directory.expert_invite_to_community(actor=request.user, expert=expert, community=community)
        except ValidationError as exc:
            _form_add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(name)s is uitgenodigd voor %(community)s.") % {"name": expert.display_name, "community": community.name},
            )
            return redirect("community:expert_detail", expert.pk)
    context = _expert_context(request, expert, invite_form=form)
    return render(request, "community/directory/expert_detail.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def expert_profile_edit(request: HttpRequest) -> HttpResponse:
    expert = selectors_directory.expert_profile_of(user=request.user)
    initial = {} if expert is not None else {"display_name": request.user.name}
    form = ExpertProfileForm(request.POST or None, instance=expert, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = services_directory.expert_profile_save(actor=request.user, **data)
        except ValidationError as exc:
            _form_add_errors(form, exc)
        else:
            messages.success(request, _("Uw expertprofiel is bewaard."))
            return redirect("community:expert_detail", saved.pk)
    return render(
        request,
        "community/directory/expert_profile_form.html",
        {
            "form": form,
            "expert": expert,
            "section": "experts",
            "crumbs": _crumbs((_("Experts"), reverse("community:expert_list")), (_("Mijn expertprofiel"), "")),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def expert_profile_unlist(request: HttpRequest) -> HttpResponse:
    services_directory.expert_profile_unlist(actor=request.user)
    messages.success(request, _("Uw profiel staat niet meer in de gids."))
    return redirect("community:expert_profile")


@login_required
@require_GET
def questions(request: HttpRequest) -> HttpResponse:
    """"Mijn vragen": what the user asked and, for an expert, what they were asked."""
    own_profile = selectors_directory.expert_profile_of(user=request.user)
    return render(
        request,
        "community/directory/questions.html",
        {
            "asked": _page(request, selectors_directory.expert_questions_asked_by(user=request.user)),
            "received": list(selectors_directory.expert_questions_received_by(user=request.user)[:100])
            if own_profile
            else None,
            "own_profile": own_profile,
            "section": "questions",
            "crumbs": _crumbs((_("Experts"), reverse("community:expert_list")), (_("Mijn vragen"), "")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_detail(request: HttpRequest, question_id: int) -> HttpResponse:
    question = selectors_directory.expert_question_get_for(user=request.user, question_id=question_id)
    is_expert = question.expert.user_id == request.user.pk
    form = ExpertAnswerForm(request.POST or None) if is_expert and question.answered_at is None else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Alleen de expert beantwoordt deze vraag, één keer."))
        if form.is_valid():
            try:
                services_directory.expert_question_answer(
                    actor=request.user, question=question, answer=form.cleaned_data["answer"]
                )
            except ValidationError as exc:
                _form_add_errors(form, exc)
            else:
                messages.success(request, _("Uw antwoord is verstuurd."))
                return redirect("community:question_detail", question.pk)
    return render(
        request,
        "community/directory/question_detail.html",
        {
            "question": question,
            "is_expert": is_expert,
            "form": form,
            "section": "questions",
            "crumbs": _crumbs(
                (_("Experts"), reverse("community:expert_list")),
                (_("Mijn vragen"), reverse("community:questions")),
                (question.subject, ""),
            ),
        },
        status=400 if form is not None and form.errors else 200,
    )


# --- events -----------------------------------------------------------------------------------


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """Upcoming events first (soonest first), then past ones; public events also for visitors."""
    user = request.user
    return render(
        request,
        "community/directory/event_list.html",
        {
            "page": _page(request, selectors_directory.events_upcoming(user=user)),
            "past": list(selectors_directory.events_past(user=user)[:PAGE_SIZE]),
            "may_create": selectors_directory.event_may_create_public(user=user)
            or selectors_directory.communities_coordinated_by(user=user).exists(),
            "section": "events",
            "crumbs": _crumbs((_("Bijeenkomsten"), "")),
        },
    )


@require_GET
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors_directory.event_get_for(user=request.user, event_id=event_id)
    may_manage = selectors_directory.event_may_manage(user=request.user, event=event)
    is_registered = bool(getattr(event, "is_registered", False))
    crumbs: list[tuple[str, str]] = [(_("Bijeenkomsten"), reverse("community:event_list"))]
    if event.community is not None:
        crumbs.insert(0, (event.community.name, reverse("community:detail", args=[event.community.pk])))
    return render(
        request,
        "community/directory/event_detail.html",
        {
            "event": event,
            "may_manage": may_manage,
            "is_registered": is_registered,
            "show_online_url": bool(event.online_url) and (is_registered or may_manage),
            "places_left": None if event.capacity is None else max(event.capacity - event.registrant_count, 0),  # type: ignore[attr-defined]
            "registrants": list(selectors_directory.event_registrants(event=event)) if may_manage else None,
            "section": "events",
            "crumbs": _crumbs(*crumbs, (event.title, "")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    communities = selectors_directory.communities_coordinated_by(user=request.user)
    may_create_public = selectors_directory.event_may_create_public(user=request.user)
    if not may_create_public and not communities.exists():
        raise PermissionDenied(_("Alleen coördinatoren van een community en medewerkers plannen bijeenkomsten."))
    initial = {"community": request.GET.get("community", "")}
    form = EventForm(
        request.POST or None, communities=communities, may_create_public=may_create_public, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services_directory.event_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De bijeenkomst is gepland."))
            return redirect("community:event_detail", event.pk)
    return render(
        request,
        "community/directory/event_form.html",
        {
            "form": form,
            "section": "events",
            "crumbs": _crumbs(
                (_("Bijeenkomsten"), reverse("community:event_list")), (_("Bijeenkomst plannen"), "")
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def event_register(request: HttpRequest, event_id: int) -> HttpResponse:
    event = visibility.event_get_visible(user=request.user, event_id=event_id)
    try:
        services_directory.event_register(actor=request.user, event=event)
    except ValidationError as exc:
        return redirect_with_errors(request, exc, "community:event_detail", event.pk)
    messages.success(request, _("U bent aangemeld. Zet de bijeenkomst in uw agenda met het iCalendar-bestand."))
    return redirect("community:event_detail", event.pk)


@login_required
@require_POST
def event_unregister(request: HttpRequest, event_id: int) -> HttpResponse:
    event = visibility.event_get_visible(user=request.user, event_id=event_id)
    try:
        services_directory.event_registration_cancel(actor=request.user, event=event)
    except ValidationError as exc:
        return redirect_with_errors(request, exc, "community:event_detail", event.pk)
    messages.success(request, _("U bent afgemeld."))
    return redirect("community:event_detail", event.pk)


@login_required
@require_POST
def event_cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    event = visibility.event_get_visible(user=request.user, event_id=event_id)
    try:
        services_directory.event_cancel(actor=request.user, event=event)
    except PermissionDenied as exc:
        return redirect_with_errors(request, exc, "community:event_detail", event.pk)
    messages.success(request, _("De bijeenkomst is afgelast. Wie zich had aangemeld, krijgt bericht."))
    return redirect("community:event_detail", event.pk)


def _ical_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@never_cache
@require_GET
def event_ical(request: HttpRequest, event_id: int) -> HttpResponse:
    """One event as an iCalendar file (for whoever may see it)."""
    event = selectors_directory.event_get_for(user=request.user, event_id=event_id)
    show_online = bool(getattr(event, "is_registered", False)) or selectors_directory.event_may_manage(
        user=request.user, event=event
    )
    content = selectors_directory.events_ical([event], online_url_for={event.pk} if show_online else set())
    return _ical_response(content, f"bijeenkomst-{event.pk}.ics")


@login_required
@never_cache
@require_GET
def events_my_ical(request: HttpRequest) -> HttpResponse:
    """"Mijn bijeenkomsten": every event the user registered for (and may still see)."""
    events: list[Event] = list(selectors_directory.events_registered_by(user=request.user))
    content = selectors_directory.events_ical(
        events, online_url_for={e.pk for e in events}, name=_("Mijn bijeenkomsten")
    )
    return _ical_response(content, "mijn-bijeenkomsten.ics")
