"""Pages of the trust platform: thin views that parse input, call one service or selector, render.

Every community, membership and item is looked up through `dtc.core.visibility` (directly or via
`selectors`): what a user may not see is a 404, never a 403, so a page never reveals that it exists.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Window
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtc.community import selectors, services
from dtc.community.attachments import ALLOWED_CONTENT_TYPES, attachment_filename_safe
from dtc.community.forms import (
    TLP_EXPLANATIONS,
    TLP_READER_RULES,
    AnonymousPostForm,
    AttachmentForm,
    CommentForm,
    CommunityCreateForm,
    IndicatorsForm,
    InviteForm,
    ItemExtrasForm,
    ItemForm,
    JoinRequestForm,
    MarkingForm,
)
from dtc.community.models import (
    Collaboration,
    Comment,
    Community,
    CommunityMembership,
    Indicator,
    Item,
    Reaction,
    Tlp,
)
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


def _page_of_items(request: HttpRequest, items: QuerySet[Item], per_page: int = PAGE_SIZE) -> Page:
    """A page of a (visibility-filtered, ordered) item queryset, in two steps: first the page's ids
    with the total beside them (a window count: one pass over the visible rows serves both, and
    PostgreSQL answers it from indexes, migration 0004, without reading item rows), then the page's
    rows, in the same order. Same items and numbering as `_page` (a number past the end gives the
    last page); far less read on a feed of thousands (bench/README.md, `community`)."""
    paginator = Paginator(items.values_list("pk", flat=True), per_page)
    try:
        number = max(1, int(request.GET.get("pagina") or 1))
    except ValueError:
        number = 1
    with_total = items.annotate(total=Window(Count("pk"))).values_list("pk", "total")
    rows = list(with_total[(number - 1) * per_page : number * per_page])
    if rows:
        paginator.count = rows[0][1]  # type: ignore[misc]  # the cached_property, filled in
    elif number > 1:  # past the end: the last page, as Paginator.get_page does
        number = paginator.num_pages
        rows = list(with_total[(number - 1) * per_page : number * per_page])
    else:
        paginator.count = 0  # type: ignore[misc]
    ids = [pk for pk, _total in rows]
    # The ids came from `items` (visibility applied) a moment ago; read their rows as `items` would
    # (same related rows and deferred fields) without compiling and running the rule a second time.
    page_rows = Item.objects.filter(pk__in=ids)
    page_rows.query.select_related = items.query.select_related
    page_rows.query.deferred_loading = items.query.deferred_loading
    found = {item.pk: item for item in page_rows} if ids else {}
    return Page([found[pk] for pk in ids if pk in found], number, paginator)


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
    page = _page_of_items(request, items)
    own_open = (
        visibility.community_memberships_own(user=request.user, community=community)
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
    extras = ItemExtrasForm(request.POST or None, request.FILES or None, prefix="extra")
    if request.method == "POST" and all([form.is_valid(), extras.is_valid()]):
        data = form.cleaned_data
        publish = request.POST.get("action") == "publish"
        try:
            # The item, its indicators and its attachment: all or nothing.
            with transaction.atomic():
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
                if extras.cleaned_data["indicators"]:
                    services.indicators_add(actor=request.user, item=item, entries=extras.cleaned_data["indicators"])
                if extras.cleaned_data["attachment"] is not None:
                    services.attachment_add(
                        actor=request.user, item=item, uploaded_file=extras.cleaned_data["attachment"]
                    )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "file" in exc.error_dict:
                extras.add_error("attachment", exc.error_dict["file"])
            else:
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
        "extras": extras,
        "crumbs": _community_crumbs(community, (_("Nieuw item"), "")),
    }
    return render(
        request, "community/item_create.html", context, status=400 if form.errors or extras.errors else 200
    )


@require_GET
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    """An item approved for public publication (TLP:CLEAR) can be read by anyone; every other item
    asks a visitor to log in first — for an existing and a non-existing id alike, so the answer says
    nothing about what exists — and is a 404 for a signed-in person who may not see it."""
    if not request.user.is_authenticated:
        item = visibility.items_visible_to(user=request.user).filter(pk=item_id).first()
        if item is None:
            return redirect_to_login(request.get_full_path())
    else:
        item = visibility.item_get_visible(user=request.user, item_id=item_id)
    return render(request, "community/item_detail.html", _item_detail_context(request, item))


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


# --- search -----------------------------------------------------------------------------------


class ItemSearchForm(forms.Form):
    """The search box: a query and, optionally, one community to search in (the user's own ones).
    Labels are set per request (this module translates with `gettext`)."""

    q = forms.CharField(
        required=False,
        max_length=selectors.SEARCH_QUERY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    community = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any, *, communities: list[Community]) -> None:
        super().__init__(data)
        self.fields["q"].label = _("Zoekterm")
        self.fields["q"].help_text = _(
            "Zoekt in titel en tekst van de items die u mag zien. Zet woorden tussen aanhalingstekens "
            "voor een exacte zin; een minteken sluit een woord uit."
        )
        self.fields["community"].label = _("Zoeken in")
        choices: list[tuple[Any, str]] = [("", _("Alle communities"))]
        self.fields["community"].choices = choices + [(c.pk, c.name) for c in communities]  # type: ignore[attr-defined]

    def clean_q(self) -> str:
        return selectors.item_search_query_clean(self.cleaned_data["q"])


@login_required
@require_GET
def community_search(request: HttpRequest) -> HttpResponse:
    """Search the items the user may see, in all communities or in one (`?community=<id>`)."""
    data = request.GET.copy()
    # An over-long query is cut, not refused: searching for its start is more useful than an error.
    data["q"] = data.get("q", "")[: selectors.SEARCH_QUERY_MAX_LENGTH]
    community = None
    community_id = data.get("community", "")
    if community_id:
        if not community_id.isdigit():
            raise Http404
        community = visibility.community_get_visible(user=request.user, community_id=int(community_id))
    communities = list(selectors.communities_of(user=request.user))
    if community is not None and community not in communities:
        communities.append(community)
    form = ItemSearchForm(data, communities=communities)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page, too_short = None, 0 < len(query) < selectors.SEARCH_QUERY_MIN_LENGTH
    if len(query) >= selectors.SEARCH_QUERY_MIN_LENGTH:
        items = (
            selectors.community_items_search(user=request.user, query=query, community=community)
            .select_related("author", "author_organisation")
            .defer("body_markdown", "body_html")
        )
        page = _page_of_items(request, items)
    crumbs = [_home_crumb()]
    if community is not None:
        crumbs.append({"title": community.name, "url": reverse("community:detail", args=[community.pk])})
    crumbs.append({"title": _("Zoeken"), "url": ""})
    extra = {"q": query} | ({"community": community.pk} if community is not None else {})
    return render(
        request,
        "community/search.html",
        {
            "form": form,
            "query": query,
            "too_short": too_short,
            "min_length": selectors.SEARCH_QUERY_MIN_LENGTH,
            "community": community,
            "page": page,
            "entries": [
                (item, selectors.item_author_for(user=request.user, item=item)) for item in page.object_list
            ]
            if page is not None
            else [],
            "pagination_query": f"{urlencode(extra)}&",
            "crumbs": crumbs,
        },
    )


# --- item pages: marking, anonymous posting, public approval, attachments, comments, reactions ----
# Every view first asks `visibility.item_get_visible` (404 for a hidden item); the service then decides
# whether the user may act (403 for a visible item they may not change).

SIMILAR_ITEMS_SHOWN = 10


def _item_crumbs(request: HttpRequest, item: Item, communities: list[Community], *extra: str) -> list[dict[str, str]]:
    crumbs = [_home_crumb()]
    if communities:
        crumbs.append({"title": communities[0].name, "url": reverse("community:detail", args=[communities[0].pk])})
    crumbs.append({"title": item.title, "url": reverse("community:item_detail", args=[item.pk]) if extra else ""})
    crumbs += [{"title": title, "url": ""} for title in extra]
    return crumbs


def _item_detail_context(
    request: HttpRequest, item: Item, *, comment_form: CommentForm | None = None
) -> dict[str, Any]:
    user = request.user
    audience = selectors.item_audience_visible_to(user=user, item=item)
    is_author = item.author_id == user.pk
    coordinates = selectors.item_coordinated_by(user=user, item=item)
    published = item.status == Item.Status.PUBLISHED
    comments = list(selectors.item_comments(item=item)) if published else []
    return {
        "item": item,
        # A visitor reading a publicly approved item sees its content, never people or communities.
        "public_view": not user.is_authenticated,
        "author": selectors.item_author_for(user=user, item=item),
        "body_html": markdown_render_safe(item.body_markdown),
        "audience": audience,
        "communities": audience.communities,
        "tlp_explanation": TLP_EXPLANATIONS[item.tlp],
        "tlp_reader_rule": TLP_READER_RULES[item.tlp],
        "is_author": is_author,
        "is_draft": item.status == Item.Status.DRAFT,
        "indicators": list(selectors.item_indicators(item=item)),
        "attachments": list(selectors.item_attachments(item=item)),
        "comments": [
            (
                comment,
                selectors.comment_author_for(user=user, item=item, comment=comment),
                comment.author_id == user.pk or coordinates,
            )
            for comment in comments
        ],
        "comment_form": comment_form if comment_form is not None else (CommentForm() if published else None),
        "reactions": selectors.item_reaction_counts(item=item, user=user) if published else [],
        "similar": list(
            selectors.item_similar_visible_to(user=user, item=item).defer("body_markdown", "body_html")[
                :SIMILAR_ITEMS_SHOWN
            ]
        ),
        "may_change_marking": selectors.item_marking_editable_by(user=user, item=item),
        "may_approve_public": coordinates and published and item.tlp == Tlp.CLEAR and not item.public_approved,
        "may_manage_indicators": is_author or coordinates,
        "may_attach": is_author,
        "may_remove_attachments": is_author or coordinates,
        "crumbs": _item_crumbs(request, item, audience.communities),
    }


@login_required
@require_http_methods(["GET", "POST"])
def item_marking(request: HttpRequest, item_id: int) -> HttpResponse:
    """Change the TLP label and the audience. Communities the user cannot see stay in the audience
    untouched (they are not shown, so they cannot be removed by accident)."""
    item = visibility.item_get_visible(user=request.user, item_id=item_id)
    if not selectors.item_marking_editable_by(user=request.user, item=item):
        raise PermissionDenied(_("U mag de markering van dit item niet wijzigen."))
    audience = selectors.item_audience_visible_to(user=request.user, item=item)
    communities = {c.pk: c for c in audience.communities} | {
        c.pk: c for c in selectors.communities_of(user=request.user)
    }
    own_organisations = organisation_selectors.organisations_for_user(user=request.user)
    organisations = {o.pk: o for o in audience.organisations} | {o.pk: o for o in own_organisations}
    form = MarkingForm(
        request.POST or None,
        communities=sorted(communities.values(), key=lambda c: (c.name, c.pk)),
        organisations=sorted(organisations.values(), key=lambda o: (o.name, o.pk)),
        initial={
            "tlp": item.tlp,
            "communities": [str(c.pk) for c in audience.communities],
            "organisations": [str(o.pk) for o in audience.organisations],
            "people": ", ".join(u.email for u in audience.users),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        hidden = list(selectors.item_audience_communities_hidden_from(user=request.user, item=item))
        try:
            services.item_change_marking(
                actor=request.user,
                item=item,
                tlp=data["tlp"],
                communities=data.get("communities", []) + hidden,
                organisations=data.get("organisations", []),
                users=data["people"],
            )
        except ValidationError as exc:
            _form_add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De markering is gewijzigd."))
            return redirect("community:item_detail", item.pk)
    return render(
        request,
        "community/item_marking.html",
        {
            "item": item,
            "form": form,
            "crumbs": _item_crumbs(request, item, audience.communities, _("Markering wijzigen")),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def item_approve_public(request: HttpRequest, item_id: int) -> HttpResponse:
    item = visibility.item_get_visible(user=request.user, item_id=item_id)
    try:
        services.item_approve_public(actor=request.user, item=item)
    except (ValidationError, PermissionDenied) as exc:
        return redirect_with_errors(request, exc, "community:item_detail", item.pk)
    messages.success(request, _("Het item is goedgekeurd voor openbare publicatie."))
    return redirect("community:item_detail", item.pk)


@login_required
@require_http_methods(["GET", "POST"])
def item_indicators_add(request: HttpRequest, item_id: int) -> HttpResponse:
    item = visibility.item_get_visible(user=request.user, item_id=item_id)
    if item.author_id != request.user.pk and not selectors.item_coordinated_by(user=request.user, item=item):
        raise PermissionDenied(_("Alleen de auteur of een coördinator mag indicatoren toevoegen."))
    form = IndicatorsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.indicators_add(
                actor=request.user, item=item, entries=form.cleaned_data["parsed"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            _form_add_errors(form, exc)
        else:
            skipped = len(form.cleaned_data["parsed"]) - len(added)
            messages.success(request, _("%(count)d indicator(en) toegevoegd.") % {"count": len(added)})
            if skipped:
                messages.info(request, _("%(count)d stond(en) er al bij.") % {"count": skipped})
            return redirect(reverse("community:item_detail", args=[item.pk]) + "#indicatoren")
    communities = selectors.item_audience_visible_to(user=request.user, item=item).communities
    return render(
        request,
        "community/item_indicators_add.html",
        {"item": item, "form": form, "crumbs": _item_crumbs(request, item, communities, _("Indicatoren toevoegen"))},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def indicator_remove(request: HttpRequest, item_id: int, indicator_id: int) -> HttpResponse:
    item = visibility.item_get_visible(user=request.user, item_id=item_id)
    indicator = Indicator.objects.filter(item=item, pk=indicator_id).select_related("item").first()
    if indicator is None:
        raise Http404
    try:
        services.indicator_remove(actor=request.user, indicator=indicator)
    except PermissionDenied as exc:
        return redirect_with_errors(request, exc, "community:item_detail", item.pk)
    messages.success(request, _("De indicator %(value)s is verwijderd.") % {"value": indicator.value})
    return redirect(reverse("community:item_detail", args=[item.pk]) + "#indicatoren")


@login_required
@require_http_methods(["GET", "POST"])
def item_attachment_add(request: HttpRequest, item_id: int) -> HttpResponse:
    item = visibility.item_get_visible(user=request.user, item_id=item_id)
    if item.author_id != request.user.pk:
        raise PermissionDenied(_("Alleen de auteur mag bestanden bijvoegen."))
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment = services.attachment_add(
                actor=request.user, item=item, uploaded_file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            _form_add_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is bijgevoegd.") % {"name": attachment.original_name})
            return redirect(reverse("community:item_detail", args=[item.pk]) + "#bijlagen")
    communities = selectors.item_audience_visible_to(user=request.user, item=item).communities
    return render(
        request,
        "community/item_attachment_add.html",
        {"item": item, "form": form, "crumbs": _item_crumbs(request, item, communities, _("Bestand bijvoegen"))},
        status=400 if form.errors else 200,
    )


@require_GET
def attachment_download(request: HttpRequest, item_id: int, attachment_id: int) -> FileResponse:
    """The file, always as a download: never rendered by the browser in the platform's origin.
    Whoever may see the item may download it (core.visibility); anyone else gets a 404."""
    attachment = selectors.item_attachment_get_visible(
        user=request.user, item_id=item_id, attachment_id=attachment_id
    )
    content_type = (
        attachment.content_type if attachment.content_type in ALLOWED_CONTENT_TYPES else "application/octet-stream"
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment_filename_safe(attachment.original_name),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_remove(request: HttpRequest, item_id: int, attachment_id: int) -> HttpResponse:
    attachment = selectors.item_attachment_get_visible(
        user=request.user, item_id=item_id, attachment_id=attachment_id
    )
    try:
        services.attachment_remove(actor=request.user, attachment=attachment)
    except PermissionDenied as exc:
        return redirect_with_errors(request, exc, "community:item_detail", item_id)
    messages.success(request, _("%(name)s is verwijderd.") % {"name": attachment.original_name})
    return redirect(reverse("community:item_detail", args=[item_id]) + "#bijlagen")


@login_required
@require_POST
def comment_create(request: HttpRequest, item_id: int) -> HttpResponse:
    item = visibility.item_get_visible(user=request.user, item_id=item_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_create(
                actor=request.user, item=item, body_markdown=form.cleaned_data["body_markdown"]
            )
        except ValidationError as exc:
            _form_add_errors(form, exc)
        else:
            messages.success(request, _("Uw reactie is geplaatst."))
            return redirect(reverse("community:item_detail", args=[item.pk]) + f"#reactie-{comment.pk}")
    return render(
        request, "community/item_detail.html", _item_detail_context(request, item, comment_form=form), status=400
    )


@login_required
@require_POST
def comment_delete(request: HttpRequest, item_id: int, comment_id: int) -> HttpResponse:
    item = visibility.item_get_visible(user=request.user, item_id=item_id)
    comment = Comment.objects.filter(item=item, pk=comment_id).select_related("item").first()
    if comment is None:
        raise Http404
    try:
        services.comment_delete(actor=request.user, comment=comment)
    except PermissionDenied as exc:
        return redirect_with_errors(request, exc, "community:item_detail", item.pk)
    messages.success(request, _("De reactie is verwijderd."))
    return redirect(reverse("community:item_detail", args=[item.pk]) + "#reacties")


@login_required
@require_POST
def reaction_toggle(request: HttpRequest, item_id: int) -> HttpResponse:
    item = visibility.item_get_visible(user=request.user, item_id=item_id)
    kind = request.POST.get("kind", "")
    try:
        now_set = services.reaction_toggle(actor=request.user, item=item, kind=kind)
    except ValidationError as exc:
        return redirect_with_errors(request, exc, "community:item_detail", item.pk)
    label = Reaction.Kind(kind).label
    if now_set:
        messages.success(request, _("U gaf “%(label)s” aan.") % {"label": label})
    else:
        messages.success(request, _("U nam “%(label)s” terug.") % {"label": label})
    return redirect(reverse("community:item_detail", args=[item.pk]) + "#waardering")


@login_required
@require_http_methods(["GET", "POST"])
def item_post_anonymously(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator posts in the community on behalf of a member, anonymously."""
    community = visibility.community_get_visible(user=request.user, community_id=pk)
    context = _community_context(request, community, "feed")
    if not context["is_coordinator"]:
        raise PermissionDenied(_("Alleen coördinatoren van de community mogen dit doen."))
    form = AnonymousPostForm(
        request.POST or None,
        candidates=selectors.community_anonymous_post_candidates(community=community),
        initial={"tlp": Tlp.AMBER if community.counts_as_tlp_organisation else Tlp.GREEN},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.item_post_anonymously_for(
                actor=request.user,
                on_behalf_of=data["on_behalf_of"],
                community=community,
                kind=data["kind"],
                title=data["title"],
                tlp=data["tlp"],
                body_markdown=data["body_markdown"],
            )
        except ValidationError as exc:
            _form_add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Het item is anoniem geplaatst."))
            return redirect("community:item_detail", item.pk)
    context |= {"form": form, "crumbs": _community_crumbs(community, (_("Anoniem plaatsen"), ""))}
    return render(request, "community/item_post_anonymously.html", context, status=400 if form.errors else 200)
