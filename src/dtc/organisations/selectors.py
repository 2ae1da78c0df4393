"""Reading organisations, memberships and the product catalogue.

Access to an organisation goes through `organisation_get_for_member` / `organisation_get_for_admin`:
they return the organisation or raise Http404 (for non-members: never revealing that it exists) or
PermissionDenied (for members who are not admins). One condition per line, each tested.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dtc.organisations.models import (
    Domain,
    Invitation,
    Membership,
    Municipality,
    Organisation,
    OrganisationProduct,
    Product,
)


def organisations_for_user(*, user: Any) -> QuerySet[Organisation]:
    """The user's organisations, each annotated with `my_role` and `member_count`."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    my_role = Membership.objects.filter(organisation=OuterRef("pk"), user=user).values("role")[:1]
    return (
        Organisation.objects.filter(pk__in=Membership.objects.filter(user=user).values("organisation_id"))
        .select_related("municipality")
        .annotate(my_role=Subquery(my_role), member_count=Count("memberships"))
        .order_by("name", "pk")
    )


def membership_for(*, user: Any, organisation: Organisation) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, organisation=organisation).first()


def organisation_get_for_member(*, user: Any, organisation_id: int) -> Organisation:
    """The organisation if `user` is a member of it; else Http404 (whether or not it exists)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    organisation = (
        Organisation.objects.filter(pk=organisation_id, memberships__user=user)
        .select_related("municipality")
        .annotate(my_role=F("memberships__role"))
        .first()
    )
    if organisation is None:
        raise Http404
    return organisation


def organisation_get_for_admin(*, user: Any, organisation_id: int) -> Organisation:
    """The organisation if `user` is one of its admins; Http404 for non-members, 403 for members."""
    organisation = organisation_get_for_member(user=user, organisation_id=organisation_id)
    if organisation.my_role != Membership.OrgRole.ADMIN:  # type: ignore[attr-defined]
        raise PermissionDenied(_("Alleen beheerders van de organisatie mogen dit doen."))
    return organisation


def organisation_is_admin(*, user: Any, organisation: Organisation) -> bool:
    role = getattr(organisation, "my_role", None)
    if role is None:
        membership = membership_for(user=user, organisation=organisation)
        role = membership.role if membership else None
    return role == Membership.OrgRole.ADMIN


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-role", "user__email")
    )


def organisation_invitations_open(*, organisation: Organisation) -> QuerySet[Invitation]:
    from django.conf import settings

    cutoff = timezone.now() - dt.timedelta(days=settings.DTC_RETENTION["invitations"])
    return Invitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, created_at__gte=cutoff
    ).order_by("email")


def organisation_domains(*, organisation: Organisation) -> QuerySet[Domain]:
    return Domain.objects.filter(organisation=organisation).order_by("name")


def organisation_products(*, organisation: Organisation) -> QuerySet[OrganisationProduct]:
    return (
        OrganisationProduct.objects.filter(organisation=organisation)
        .select_related("product")
        .order_by("product__vendor", "product__name")
    )


def invitation_get_by_token(*, token: str) -> Invitation:
    invitation = Invitation.objects.select_related("organisation", "invited_by").filter(token=token).first()
    if invitation is None:
        raise Http404
    return invitation


def product_catalogue_search(*, query: str, limit: int = 20) -> QuerySet[Product]:
    """Products whose vendor, name or an alias contains every word of `query` (case-insensitive).

    Searches `Product.search_text` (lower-cased "vendor name aliases"), kept by the catalogue services.
    """
    words = [word for word in (query or "").lower().split() if word][:8]
    if not words:
        return Product.objects.none()
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
    return Product.objects.filter(condition).order_by("vendor", "name")[: max(1, min(limit, 100))]


def municipalities_for_province(*, province: str) -> QuerySet[Municipality]:
    return Municipality.objects.filter(province=province).order_by("name")


def municipalities_by_province() -> dict[str, list[Municipality]]:
    grouped: dict[str, list[Municipality]] = {}
    for municipality in Municipality.objects.order_by("province", "name"):
        grouped.setdefault(municipality.province, []).append(municipality)
    return grouped


# --- "is this still right?": when the product list was last confirmed -----------------------------


def products_confirm_days() -> int:
    """After how many days the product list counts as stale (setting DTC_PRODUCTS_CONFIRM_DAYS)."""
    from django.conf import settings

    return int(getattr(settings, "DTC_PRODUCTS_CONFIRM_DAYS", 180))


@dataclass(frozen=True)
class ProductsConfirmation:
    confirmed_at: dt.datetime | None
    due: bool  # never confirmed, or longer ago than `products_confirm_days()`


def organisation_products_confirmation(
    *, organisation: Organisation, now: dt.datetime | None = None
) -> ProductsConfirmation:
    """When the organisation last confirmed its product list, and whether it is time to ask again."""
    from dtc.advisories.models import AlertSettings

    confirmed_at = (
        AlertSettings.objects.filter(organisation=organisation)
        .values_list("products_confirmed_at", flat=True)
        .first()
    )
    cutoff = (now or timezone.now()) - dt.timedelta(days=products_confirm_days())
    return ProductsConfirmation(confirmed_at=confirmed_at, due=confirmed_at is None or confirmed_at < cutoff)


def _stale_condition(*, days: int, now: dt.datetime | None) -> Q:
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return Q(alert_settings__products_confirmed_at__isnull=True) | Q(
        alert_settings__products_confirmed_at__lt=cutoff
    )


def organisations_products_stale(*, days: int, now: dt.datetime | None = None) -> QuerySet[Organisation]:
    """Organisations whose product list was never confirmed, or not within `days` (for a reminder job).

    Organisations without alert settings count as never confirmed. Reminding is the job's business
    (AlertSettings.products_reminded_at); this only says whose list is due."""
    return Organisation.objects.filter(_stale_condition(days=days, now=now)).order_by("pk")


def organisations_products_confirm_due_for_user(
    *, user: Any, days: int | None = None, now: dt.datetime | None = None
) -> QuerySet[Organisation]:
    """The user's organisations, where they are admin, whose product list is due for a check (dashboard)."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    admin_of = Membership.objects.filter(user=user, role=Membership.OrgRole.ADMIN).values("organisation_id")
    return (
        Organisation.objects.filter(pk__in=admin_of)
        .filter(_stale_condition(days=products_confirm_days() if days is None else days, now=now))
        .annotate(products_confirmed_at=F("alert_settings__products_confirmed_at"))
        .order_by("name", "pk")
    )
