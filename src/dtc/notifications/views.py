"""Pages of notifications: the inbox, the preferences and the watch-level control. Thin: each parses
input, calls one selector or service, renders. An entry whose item the user may no longer see is a
404 and is not listed or counted (selectors)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtc.community.models import Community, Item
from dtc.core import visibility
from dtc.notifications import selectors, services
from dtc.notifications.forms import PreferenceForm, WatchForm

PAGE_SIZE = 25


def _crumbs(*extra: tuple[str, str]) -> list[dict[str, str]]:
    crumbs = [{"title": _("Mijn omgeving"), "url": reverse("organisations:dashboard")},
              {"title": _("Meldingen"), "url": reverse("notifications:inbox")}]
    crumbs += [{"title": title, "url": url} for title, url in extra]
    crumbs[-1]["url"] = ""
    return crumbs


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    entries = selectors.notifications_visible_for(user=request.user)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": selectors.notification_unread_count(user=request.user), "crumbs": _crumbs()},
    )


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow an entry: mark it read and go to its item (404 when not the user's or the item is hidden).
    A GET because links in e-mails are followed with GET; marking one's own entry read is harmless."""
    notification = services.notification_open(actor=request.user, notification_id=pk)
    url = reverse("community:item_detail", args=[notification.item_id])
    return redirect(url)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(actor=request.user)
    messages.success(request, _("Alle meldingen zijn als gelezen gemarkeerd."))
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = selectors.notification_preference_for(user=request.user)
    initial = {"delivery": current.delivery, "full_text_for_restricted": current.full_text_for_restricted}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.notification_preference_update(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Uw voorkeuren voor meldingen zijn bewaard."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "crumbs": _crumbs((_("Instellingen"), ""))},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def watch(request: HttpRequest) -> HttpResponse:
    """Set the watch level for a community or item the user may see (404 otherwise); back to its page."""
    form = WatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies hoeveel meldingen u wilt krijgen."))
        return redirect("notifications:inbox")
    community: Community | None = None
    item: Item | None = None
    if form.cleaned_data["community"]:
        community = visibility.community_get_visible(user=request.user, community_id=form.cleaned_data["community"])
        back = reverse("community:detail", args=[community.pk])
    else:
        item = visibility.item_get_visible(user=request.user, item_id=form.cleaned_data["item"])
        back = reverse("community:item_detail", args=[item.pk])
    services.watch_set(actor=request.user, level=form.cleaned_data["level"], community=community, item=item)
    messages.success(request, _("Uw keuze voor meldingen is bewaard."))
    return redirect(back)
