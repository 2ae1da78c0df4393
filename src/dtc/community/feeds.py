"""Atom feeds of shared items, for feed readers: all items a person may see, or one community's.

A feed reader cannot log in, so a feed accepts either the session (in the browser) or the person's
feed token (`?token=`, made under Mijn omgeving → Feeds; only its hash is stored). What is in a feed
is decided by `dtc.core.visibility`, like every other surface, and a hidden community is a 404.

Feed readers are often services of third parties, so a feed carries no more than a notification
e-mail does: TLP:CLEAR and TLP:GREEN entries show their title and text; TLP:AMBER, AMBER+STRICT and
RED entries are title-less pointers ("a new TLP:AMBER item") with a link that needs a login.
"""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from dtc.community import selectors
from dtc.community.models import TLP_POINTER_ONLY, Community, Item
from dtc.core import visibility
from dtc.organisations.services import feed_token_user

FEED_SIZE = 50


def feed_reader(request: HttpRequest) -> Any:
    """Who reads the feed: the feed token's owner, else the signed-in user; Http404 for nobody
    (a feed never says whether it exists to someone who may not read it)."""
    token = request.GET.get("token", "")
    user = feed_token_user(key=token) if token else None
    if user is None and getattr(request.user, "is_authenticated", False) and request.user.is_active:
        user = request.user
    if user is None:
        raise Http404
    return user


def item_is_restricted(item: Item) -> bool:
    return item.tlp in TLP_POINTER_ONLY


class _ItemFeed(Feed):
    feed_type = Atom1Feed

    def item_title(self, item: Item) -> str:
        label = item.get_tlp_display()
        if item_is_restricted(item):
            return _("Nieuw bericht met label %(label)s") % {"label": label}
        return f"[{label}] {item.title}"

    def item_description(self, item: Item) -> str:
        if item_is_restricted(item):
            return _("Dit bericht heeft label %(label)s. Log in op het platform om het te lezen.") % {
                "label": item.get_tlp_display()
            }
        return item.body_html

    def item_link(self, item: Item) -> str:
        return reverse("community:item_detail", args=[item.pk])

    def item_pubdate(self, item: Item) -> Any:
        return item.published_at or item.created_at

    def item_updateddate(self, item: Item) -> Any:
        return item.updated_at

    def item_author_name(self, item: Item) -> str | None:
        return None  # feeds never name people (anonymous posts, and feed readers are third parties)


class CommunityFeed(_ItemFeed):
    """One community's feed: what its feed page shows the reader, newest first."""

    def get_object(self, request: HttpRequest, pk: int) -> tuple[Any, Community]:  # type: ignore[override]
        user = feed_reader(request)
        return user, visibility.community_get_visible(user=user, community_id=pk)

    def title(self, obj: tuple[Any, Community]) -> str:
        return _("%(community)s — Digital Trust Center") % {"community": obj[1].name}

    def link(self, obj: tuple[Any, Community]) -> str:
        return reverse("community:detail", args=[obj[1].pk])

    def subtitle(self, obj: tuple[Any, Community]) -> str:
        return _("Gedeelde berichten in deze community die u mag zien.")

    def items(self, obj: tuple[Any, Community]) -> Any:
        user, community = obj
        return (
            selectors.community_items_visible_to(user=user, community=community)
            .filter(status=Item.Status.PUBLISHED)[:FEED_SIZE]
        )


class MyItemsFeed(_ItemFeed):
    """Everything the reader may see across the platform, newest first (drafts excluded)."""

    def get_object(self, request: HttpRequest) -> Any:  # type: ignore[override]
        return feed_reader(request)

    def title(self, obj: Any) -> str:
        return _("Mijn communities — Digital Trust Center")

    def link(self, obj: Any) -> str:
        return reverse("community:list")

    def subtitle(self, obj: Any) -> str:
        return _("Gedeelde berichten die u mag zien, uit al uw communities.")

    def items(self, obj: Any) -> Any:
        return (
            visibility.items_visible_to(user=obj)
            .filter(status=Item.Status.PUBLISHED)
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )
