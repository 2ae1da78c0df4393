"""Pages of tailored alerts. Thin: each parses input, calls one service or selector, renders.

Analysts (`/analist/waarschuwingen/…`): the advisories with their raw TLP, the message (drafted on
first open), approval and publishing, and the review queue of unmapped products. Anyone who is not an
analyst gets a 404, not a 403 (never revealing what is there); MFA is enforced for /analist/ by
`core.middleware.StaffMFAMiddleware`.

Businesses (`/mijn/waarschuwingen/…`): the inbox of their organisations' alerts, an alert with
"does this concern me?", one-click answers, forwarding to an IT supplier, and per organisation the
channels. The feed and the unsubscribe link work without login.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtc.advisories import selectors, services
from dtc.advisories.forms import (
    AdvisoryFilterForm,
    AlertSettingsForm,
    AliasForm,
    CatalogueSearchForm,
    DismissForm,
    ForwardForm,
    MessageForm,
    OptOutForm,
    RespondForm,
)
from dtc.advisories.models import Alert, Message
from dtc.advisories.tokens import unsubscribe_token_read
from dtc.core import visibility
from dtc.organisations import selectors as organisation_selectors
from dtc.organisations.models import Product

PAGE_SIZE = 25
REVIEW_PAGE_SIZE = 20


def _form_add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def analyst_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in and an analyst; everyone else a 404."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not visibility.is_analyst(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _analyst_crumbs(*extra: tuple[str, str]) -> list[dict[str, str]]:
    crumbs = [{"title": _("Adviezen"), "url": reverse("advisories:analyst_list")}]
    crumbs += [{"title": title, "url": url} for title, url in extra]
    crumbs[-1]["url"] = ""
    return crumbs


# --- analysts --------------------------------------------------------------------------------


@analyst_required
@require_GET
def analyst_list(request: HttpRequest) -> HttpResponse:
    form = AdvisoryFilterForm(request.GET or None)
    advisories = selectors.advisories_for_analyst(user=request.user, **form.filters())
    page = Paginator(advisories, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "advisories/analyst/advisory_list.html",
        {
            "form": form,
            "page": page,
            "extra_query": form.query_string(),
            "review_count": selectors.review_queue().count(),
            "crumbs": _analyst_crumbs(),
        },
    )


def _advisory_context(request: HttpRequest, advisory: Any, message: Message) -> dict[str, Any]:
    from dtc.advisories import targeting

    revision = advisory.current_revision
    resend = selectors.message_resend_revision(message=message)
    audience = None
    if revision is not None and advisory.may_reach_businesses:
        audience = targeting.audience_count(message=message, revision=revision)
    return {
        "advisory": advisory,
        "message": message,
        "revision": revision,
        "revisions": selectors.advisory_revisions(advisory=advisory),
        "products": selectors.revision_products(revision=revision) if revision else [],
        "vulnerabilities": selectors.revision_vulnerabilities(revision=revision) if revision else [],
        "resend_revision": resend,
        "audience": audience,
        "may_approve": selectors.message_may_approve(message=message, user=request.user),
        "may_publish": selectors.message_may_publish(message=message),
        "crumbs": _analyst_crumbs((advisory.tracking_id, "")),
    }


@analyst_required
@require_http_methods(["GET", "POST"])
def analyst_advisory(request: HttpRequest, pk: int) -> HttpResponse:
    """The advisory as analysts see it, and its message (drafted on first open)."""
    advisory = visibility.advisory_get_visible(user=request.user, advisory_id=pk)
    message = services.message_get_or_draft(advisory=advisory, actor=request.user)
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                services.message_update(message=message, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _form_add_errors(form, exc)
            else:
                messages.success(request, _("Het bericht is bewaard."))
                return redirect("advisories:analyst_advisory", advisory.pk)
    else:
        form = MessageForm(initial=MessageForm.initial_for(message))
    message = selectors.message_for(advisory=advisory) or message
    context = _advisory_context(request, advisory, message) | {"form": form}
    return render(
        request, "advisories/analyst/advisory_detail.html", context, status=400 if form.errors else 200
    )


MESSAGE_ACTIONS = {
    "submit": (services.message_submit, _("Het bericht wacht nu op goedkeuring door een tweede analist.")),
    "approve": (services.message_approve, _("U heeft het bericht goedgekeurd.")),
    "publish": (services.message_publish, _("Het bericht is verstuurd naar de bedrijven die het aangaat.")),
}


@analyst_required
@require_POST
def analyst_message_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit for approval, approve, or publish (also "send again" for a newer significant revision)."""
    advisory = visibility.advisory_get_visible(user=request.user, advisory_id=pk)
    message = selectors.message_for(advisory=advisory)
    action = MESSAGE_ACTIONS.get(request.POST.get("action", ""))
    if message is None or action is None:
        raise Http404
    service, success = action
    try:
        service(message=message, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, str(success))
    return redirect("advisories:analyst_advisory", advisory.pk)


@analyst_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Unmapped products, one row per match key, each with catalogue candidates to pick from."""
    page = Paginator(selectors.review_queue(), REVIEW_PAGE_SIZE).get_page(request.GET.get("pagina"))
    search = CatalogueSearchForm(request.GET) if "zoek" in request.GET else None
    searched_key = search.cleaned_data["sleutel"] if search is not None and search.is_valid() else ""
    rows = []
    for number, row in enumerate(page.object_list, start=1):
        if row["match_key"] == searched_key and search is not None:
            query = search.cleaned_data["zoek"]
        else:
            query = row["vendor"] or row["match_key"]
        rows.append(
            row
            | {
                "number": number,
                "query": query,
                "candidates": selectors.catalogue_candidates(query=query),
                "searched": row["match_key"] == searched_key,
            }
        )
    return render(
        request,
        "advisories/analyst/review_queue.html",
        {"page": page, "rows": rows, "crumbs": _analyst_crumbs((_("Producten koppelen"), ""))},
    )


@analyst_required
@require_POST
def alias_add(request: HttpRequest) -> HttpResponse:
    form = AliasForm(request.POST)
    product = Product.objects.filter(pk=form.cleaned_data["product"]).first() if form.is_valid() else None
    if product is None:
        messages.error(request, _("Kies een product uit de catalogus."))
        return redirect("advisories:review_queue")
    try:
        services.alias_add(match_key=form.cleaned_data["match_key"], product=product, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("‘%(key)s’ is nu een alias van %(product)s; de adviezen zijn opnieuw gekoppeld.")
            % {"key": form.cleaned_data["match_key"], "product": product},
        )
    return redirect("advisories:review_queue")


@analyst_required
@require_POST
def review_dismiss(request: HttpRequest) -> HttpResponse:
    form = DismissForm(request.POST)
    if form.is_valid():
        services.review_dismiss(match_key=form.cleaned_data["match_key"], actor=request.user)
        messages.success(
            request, _("‘%(key)s’ staat niet meer in de wachtrij.") % {"key": form.cleaned_data["match_key"]}
        )
    return redirect("advisories:review_queue")


# --- businesses ------------------------------------------------------------------------------


def _inbox_crumbs(*extra: tuple[str, str]) -> list[dict[str, str]]:
    crumbs = [
        {"title": _("Mijn omgeving"), "url": reverse("organisations:dashboard")},
        {"title": _("Waarschuwingen"), "url": reverse("advisories:inbox")},
    ]
    crumbs += [{"title": title, "url": url} for title, url in extra]
    crumbs[-1]["url"] = ""
    return crumbs


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    urgent_only = request.GET.get("urgent") == "1"
    alerts = selectors.alerts_inbox(user=request.user, urgent_only=urgent_only)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "advisories/inbox.html",
        {
            "page": page,
            "urgent_only": urgent_only,
            "extra_query": "urgent=1&" if urgent_only else "",
            "unread": selectors.alert_unread_count(user=request.user),
            "organisations": organisation_selectors.organisations_for_user(user=request.user),
            "crumbs": _inbox_crumbs(),
        },
    )


def _concern(alert: Alert) -> Any:
    from dtc.advisories import targeting

    return targeting.revision_concern(alert=alert)


@login_required
@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The message, "does this concern me?", and what to do with it. Opening marks it read."""
    alert = selectors.alert_detail(user=request.user, alert_id=pk)
    if alert.read_at is None:
        services.alert_mark_read(alert=alert, actor=request.user)
    return _alert_page(request, alert, ForwardForm())


def _alert_page(
    request: HttpRequest, alert: Alert, forward_form: ForwardForm, status: int = 200
) -> HttpResponse:
    message = getattr(alert.advisory, "message", None)
    if message is None:
        raise Http404
    return render(
        request,
        "advisories/alert_detail.html",
        {
            "alert": alert,
            "message": message,
            "steps": [line.strip() for line in message.steps.splitlines() if line.strip()],
            "links": [line.strip() for line in message.links.splitlines() if line.strip()],
            "concern": _concern(alert),
            "forward_form": forward_form,
            "forwards_left": services.forwards_left(user=request.user),
            "crumbs": _inbox_crumbs((message.title, "")),
        },
        status=status,
    )


@login_required
@require_POST
def alert_respond(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_detail(user=request.user, alert_id=pk)
    form = RespondForm(request.POST)
    if form.is_valid():
        services.alert_respond(alert=alert, actor=request.user, response=form.cleaned_data["response"])
        messages.success(request, _("Dank u. Uw antwoord is bewaard."))
    else:
        messages.error(request, _("Kies 'Gedaan' of 'Niet van toepassing'."))
    return redirect("advisories:alert_detail", alert.pk)


@login_required
@require_POST
def alert_forward(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_detail(user=request.user, alert_id=pk)
    form = ForwardForm(request.POST)
    if form.is_valid():
        try:
            services.alert_forward(alert=alert, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_add_errors(form, exc)
        else:
            messages.success(request, _("De waarschuwing is doorgestuurd. Antwoorden komen bij u binnen."))
            return redirect("advisories:alert_detail", alert.pk)
    return _alert_page(request, alert, form, status=400)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def alert_settings(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """Channels for one organisation (admins change them) and the member's own e-mail opt-out.
    New secrets (feed link, webhook signing secret) are shown once, on the response to the POST."""
    organisation = organisation_selectors.organisation_get_for_member(
        user=request.user, organisation_id=organisation_pk
    )
    is_admin = organisation_selectors.organisation_is_admin(user=request.user, organisation=organisation)
    current = selectors.alert_settings_for(organisation=organisation)
    form = AlertSettingsForm(initial=AlertSettingsForm.initial_for(current))
    opt_out_form = OptOutForm(
        initial={"opted_out": selectors.alert_opted_out(user=request.user, organisation=organisation)}
    )
    new_feed_key = new_webhook_secret = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "opt_out":
                opt_out_form = OptOutForm(request.POST)
                opt_out_form.is_valid()
                services.alert_opt_out_set(
                    organisation=organisation,
                    actor=request.user,
                    opted_out=opt_out_form.cleaned_data.get("opted_out", False),
                )
                messages.success(request, _("Uw keuze voor e-mail is bewaard."))
                return redirect("advisories:settings", organisation.pk)
            if action == "settings":
                form = AlertSettingsForm(request.POST)
                if form.is_valid():
                    current, new_webhook_secret = services.alert_settings_update(
                        organisation=organisation, actor=request.user, **form.cleaned_data
                    )
                    if new_webhook_secret is None:
                        messages.success(request, _("De instellingen zijn bewaard."))
                        return redirect("advisories:settings", organisation.pk)
                else:
                    status = 400
            elif action == "feed_rotate":
                new_feed_key = services.feed_key_rotate(organisation=organisation, actor=request.user)
            elif action == "feed_revoke":
                services.feed_key_revoke(organisation=organisation, actor=request.user)
                messages.success(request, _("De feedlink is ingetrokken."))
                return redirect("advisories:settings", organisation.pk)
            elif action == "webhook_rotate":
                new_webhook_secret = services.webhook_secret_rotate(
                    organisation=organisation, actor=request.user
                )
            else:
                raise Http404
        except ValidationError as exc:
            _form_add_errors(form, exc)
            status = 400
        current = selectors.alert_settings_for(organisation=organisation)
    feed_url = None
    if new_feed_key:
        feed_url = request.build_absolute_uri(reverse("advisories:feed", kwargs={"key": new_feed_key}))
    return render(
        request,
        "advisories/settings.html",
        {
            "organisation": organisation,
            "is_admin": is_admin,
            "section": "alerts",
            "current": current,
            "form": form,
            "opt_out_form": opt_out_form,
            "feed_url": feed_url,
            "new_webhook_secret": new_webhook_secret,
            "crumbs": _inbox_crumbs((_("Instellingen voor %(name)s") % {"name": organisation.name}, "")),
        },
        status=status,
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link in alert e-mails, without login. GET asks to confirm (mail scanners follow
    links); POST unsubscribes, including RFC 8058 one-click (`List-Unsubscribe=One-Click`), which a
    mail client sends without a CSRF token — hence csrf_exempt; the signed token is the proof."""
    if request.method == "POST":
        opt_out = services.alert_unsubscribe(token=token)
        if opt_out is None:
            raise Http404
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(_("U bent afgemeld."), content_type="text/plain; charset=utf-8")
        return render(
            request, "advisories/unsubscribe.html", {"done": True, "organisation": opt_out.organisation}
        )
    if unsubscribe_token_read(token) is None:
        raise Http404
    return render(request, "advisories/unsubscribe.html", {"done": False, "token": token})
