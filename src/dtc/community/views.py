"""Pages of the trust platform: thin views that parse input, call one service or selector, render.

Every community, membership and item is looked up through `dtc.core.visibility` (directly or via
`selectors`): what a user may not see is a 404, never a 403, so a page never reveals that it exists.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtc.community import selectors, services
from dtc.community.forms import (
    TLP_EXPLANATIONS,
    TLP_READER_RULES,
    CommunityCreateForm,
    InviteForm,
    ItemForm,
    JoinRequestForm,
)
from dtc.community.models import Collaboration, Community, CommunityMembership, Item, Tlp
from dtc.core import visibility
from dtc.core.http import redirect_with_errors
from dtc.core.markdown import markdown_render_safe
from dtc.organisations import selectors as organisation_selectors
from dtc.organisations.models import Membership, Organisation, Role

PAGE_SIZE = 20
ACTIVE = CommunityMembership.Status.ACTIVE
INVITED = CommunityMembership.Status.INVITED
REQUESTED = CommunityMembership.Status.REQUESTED


def _page(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("pagina"))


def _form_add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _home_crumb() -> dict[str, str]:
    return {"title": _("Communities"), "url": reverse("community:list")}


def _community_crumbs(community: Community, *extra: tuple[str, str]) -> list[dict[str, str]]:
    crumbs = [
        _home_crumb(),
        {"title": community.name, "url": reverse("community:detail", args=[community.pk])},
    ]
    crumbs += [{"title": title, "url": url} for title, url in extra]
    if not extra:
        crumbs[-1]["url"] = ""
    return crumbs


def _community_context(request: HttpRequest, community: Community, section: str) -> dict[str, Any]:
    return {
        "community": community,
        "is_coordinator": selectors.community_is_coordinator(user=request.user, community=community),
        "is_member": selectors.community_is_active_member(user=request.user, community=community),
        "section": section,
    }


def _collaborations_coordinated_by(user: Any) -> Any:
    # Expected as a selector (`collaborations_coordinated_by(user=)`); a plain related lookup until then.
    return Collaboration.objects.filter(coordinators=user).order_by("name", "pk")


def _may_open_centre_community(user: Any) -> bool:
    # Mirrors services._is_platform_coordinator (expected as a selector `community_can_create`).
    return bool(user.is_superuser or user.groups.filter(name=Role.COMMUNITY_COORDINATOR.value).exists())


def _membership_get(request: HttpRequest, community: Community, membership_id: int) -> CommunityMembership:
    """A membership of `community` that the user may see listed; else 404."""
    membership = (
        visibility.community_members_visible_to(user=request.user, community=community)
        .select_related("user", "organisation", "community")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def _member_label(membership: CommunityMembership) -> str:
    return membership.organisation.name if membership.organisation_id else membership.user.email  # type: ignore[union-attr]


# --- communities ------------------------------------------------------------------------------


@login_required
@require_GET
def community_list(request: HttpRequest) -> HttpResponse:
    mine = list(selectors.communities_of(user=request.user))
    others = (
        visibility.communities_visible_to(user=request.user)
        .exclude(pk__in=[c.pk for c in mine])
        .select_related("owner")
        .order_by("name", "pk")
    )
    may_create = (
        _may_open_centre_community(request.user) or _collaborations_coordinated_by(request.user).exists()
    )
    return render(
        request,
        "community/community_list.html",
        {
            "mine": mine,
            "page": _page(request, others),
            "may_create": may_create,
            "crumbs": [{"title": _("Communities"), "url": ""}],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def community_create(request: HttpRequest) -> HttpResponse:
    owners = _collaborations_coordinated_by(request.user)
    may_use_centre = _may_open_centre_community(request.user)
    if not may_use_centre and not owners.exists():
        raise PermissionDenied(
            _(
                "Alleen communitycoördinatoren en coördinatoren van een samenwerkingsverband openen communities."
            )
        )
    form = CommunityCreateForm(request.POST or None, owners=owners, may_use_centre=may_use_centre)
    if request.method == "POST" and form.is_valid():
        try:
            community = services.community_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De community is geopend. U bent coördinator."))
            return redirect("community:detail", community.pk)
    crumbs = [_home_crumb(), {"title": _("Community openen"), "url": ""}]
    return render(
        request,
        "community/community_create.html",
        {"form": form, "crumbs": crumbs},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The community's feed: the items the user may see, newest first."""
    community = visibility.community_get_visible(user=request.user, community_id=pk)
    context = _community_context(request, community, "feed")
    items = (
        selectors.community_items_visible_to(user=request.user, community=community)
        .select_related("author")
        .defer("body_markdown", "body_html")
    )
    page = _page(request, items)
    own_open = (
        visibility.community_members_visible_to(user=request.user, community=community)
        .filter(status__in=[INVITED, REQUESTED])
        .select_related("organisation", "user")
    )
    context |= {
        "page": page,
        "entries": [
            (item, selectors.item_author_for(user=request.user, item=item)) for item in page.object_list
        ],
        "open_memberships": list(own_open),
        "may_request": community.join_policy == Community.JoinPolicy.REQUEST and not context["is_member"],
        "join_form": _join_form(request) if not context["is_member"] else None,
        "crumbs": _community_crumbs(community),
    }
    return render(request, "community/community_detail.html", context)


def _join_form(request: HttpRequest, data: Any = None) -> JoinRequestForm:
    admin_organisations = organisation_selectors.organisations_for_user(user=request.user).filter(
        my_role=Membership.OrgRole.ADMIN
    )
    return JoinRequestForm(data, admin_organisations=admin_organisations)


@login_required
@require_POST
def community_join_request(request: HttpRequest, pk: int) -> HttpResponse:
    community = visibility.community_get_visible(user=request.user, community_id=pk)
    form = _join_form(request, request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies als wie u lid wilt worden."))
        return redirect("community:detail", community.pk)
    try:
        membership = services.community_request_join(
            actor=request.user, community=community, organisation=form.cleaned_data["organisation"]
        )
    except (ValidationError, PermissionDenied) as exc:
        return redirect_with_errors(request, exc, "community:detail", community.pk)
    if membership.status == ACTIVE:
        messages.success(request, _("U had een uitnodiging; u bent nu lid."))
    else:
        messages.success(request, _("Uw aanvraag is verstuurd. Een coördinator beslist erover."))
    return redirect("community:detail", community.pk)


# --- members ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def community_members(request: HttpRequest, pk: int) -> HttpResponse:
    community = visibility.community_get_visible(user=request.user, community_id=pk)
    context = _community_context(request, community, "members")
    form = InviteForm(request.POST or None) if context["is_coordinator"] else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Alleen coördinatoren van de community mogen dit doen."))
        if form.is_valid():
            organisation, person = form.cleaned_data["organisation"], form.cleaned_data["email"]
            try:
                if organisation is not None:
                    services.community_invite_organisation(
                        actor=request.user, community=community, organisation=organisation
                    )
                else:
                    services.community_invite_user(actor=request.user, community=community, user=person)
            except ValidationError as exc:
                _form_add_errors(form, exc)
            else:
                name = organisation.name if organisation is not None else person.email
                messages.success(request, _("%(name)s is uitgenodigd.") % {"name": name})
                return redirect("community:members", community.pk)
    rows = (
        visibility.community_members_visible_to(user=request.user, community=community)
        .select_related("user", "organisation")
        .order_by("status", "-role", "organisation__name", "user__email", "pk")
    )
    context |= {
        "form": form,
        "page": _page(request, rows.filter(status=ACTIVE)),
        "requests": list(rows.filter(status=REQUESTED)),
        "invitations": list(rows.filter(status=INVITED)),
        "crumbs": _community_crumbs(community, (_("Leden"), "")),
    }
    return render(
        request,
        "community/community_members.html",
        context,
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def membership_approve(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    community = visibility.community_get_visible(user=request.user, community_id=pk)
    membership = _membership_get(request, community, membership_id)
    try:
        services.community_membership_approve(actor=request.user, membership=membership)
    except ValidationError as exc:
        return redirect_with_errors(request, exc, "community:members", community.pk)
    messages.success(request, _("%(name)s is nu lid.") % {"name": _member_label(membership)})
    return redirect("community:members", community.pk)


@login_required
@require_POST
def membership_remove(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    """A coordinator removes a member or declines a request; a member leaves."""
    community = visibility.community_get_visible(user=request.user, community_id=pk)
    membership = _membership_get(request, community, membership_id)
    try:
        services.community_membership_remove(actor=request.user, membership=membership)
    except ValidationError as exc:
        return redirect_with_errors(request, exc, "community:members", community.pk)
    messages.success(request, _("%(name)s is geen lid meer.") % {"name": _member_label(membership)})
    if not visibility.communities_visible_to(user=request.user).filter(pk=community.pk).exists():
        return redirect("community:list")
    return redirect("community:members", community.pk)


@login_required
@require_POST
def invitation_accept(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    community = visibility.community_get_visible(user=request.user, community_id=pk)
    membership = _membership_get(request, community, membership_id)
    try:
        services.community_invitation_accept(actor=request.user, membership=membership)
    except (ValidationError, PermissionDenied) as exc:
        return redirect_with_errors(request, exc, "community:detail", community.pk)
    messages.success(request, _("Welkom in %(name)s.") % {"name": community.name})
    return redirect("community:detail", community.pk)


# --- items ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, pk: int) -> HttpResponse:
    community = visibility.community_get_visible(user=request.user, community_id=pk)
    if not selectors.community_is_active_member(user=request.user, community=community):
        raise PermissionDenied(_("U kunt alleen delen in communities waarvan u lid bent."))
    my_organisations = organisation_selectors.organisations_for_user(user=request.user)
    community_organisations = (
        visibility.community_members_visible_to(user=request.user, community=community)
        .filter(status=ACTIVE, organisation__isnull=False)
        .values("organisation_id")
    )
    # Named organisations: the user's own and the member organisations of this community they may see.
    organisations = Organisation.objects.filter(
        Q(pk__in=community_organisations)
        | Q(pk__in=Membership.objects.filter(user_id=request.user.pk).values("organisation_id"))
    ).order_by("name", "pk")
    form = ItemForm(
        request.POST or None,
        other_communities=selectors.communities_of(user=request.user).exclude(pk=community.pk),
        organisations=organisations,
        my_organisations=my_organisations,
        initial={"tlp": Tlp.AMBER if community.counts_as_tlp_organisation else Tlp.GREEN},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        publish = request.POST.get("action") == "publish"
        try:
            item = services.item_create(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                tlp=data["tlp"],
                body_markdown=data["body_markdown"],
                communities=([community] if data["in_community"] else []) + data.get("communities", []),
                organisations=data.get("organisations", []),
                users=data["people"],
                author_organisation=data["author_organisation"],
                publish=publish,
            )
        except ValidationError as exc:
            _form_add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            if publish:
                messages.success(request, _("Het item is gepubliceerd."))
            else:
                messages.success(request, _("Het item is als concept bewaard. Alleen u ziet het."))
            return redirect("community:item_detail", item.pk)
    context = _community_context(request, community, "feed") | {
        "form": form,
        "crumbs": _community_crumbs(community, (_("Nieuw item"), "")),
    }
    return render(request, "community/item_create.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = visibility.item_get_visible(user=request.user, item_id=item_id)
    communities = list(
        visibility.communities_visible_to(user=request.user)
        .filter(item_audience__item=item)
        .order_by("name", "pk")
    )
    crumbs = [_home_crumb()]
    if communities:
        crumbs.append(
            {"title": communities[0].name, "url": reverse("community:detail", args=[communities[0].pk])}
        )
    crumbs.append({"title": item.title, "url": ""})
    return render(
        request,
        "community/item_detail.html",
        {
            "item": item,
            "author": selectors.item_author_for(user=request.user, item=item),
            "body_html": markdown_render_safe(item.body_markdown),
            "communities": communities,
            "tlp_explanation": TLP_EXPLANATIONS[item.tlp],
            "tlp_reader_rule": TLP_READER_RULES[item.tlp],
            "is_author": item.author_id == request.user.pk,
            "is_draft": item.status == Item.Status.DRAFT,
            "crumbs": crumbs,
        },
    )


@login_required
@require_POST
def item_publish(request: HttpRequest, item_id: int) -> HttpResponse:
    item = visibility.item_get_visible(user=request.user, item_id=item_id)
    try:
        services.item_publish(actor=request.user, item=item)
    except PermissionDenied as exc:
        return redirect_with_errors(request, exc, "community:item_detail", item.pk)
    messages.success(request, _("Het item is gepubliceerd."))
    return redirect("community:item_detail", item.pk)


@login_required
@require_GET
def drafts(request: HttpRequest) -> HttpResponse:
    items = (
        visibility.items_visible_to(user=request.user)
        .filter(author_id=request.user.pk, status=Item.Status.DRAFT)
        .order_by("-created_at", "-pk")
    )
    crumbs = [_home_crumb(), {"title": _("Mijn concepten"), "url": ""}]
    return render(request, "community/drafts.html", {"page": _page(request, items), "crumbs": crumbs})
