"""Changing organisations, memberships and profiles. One write path per change, audit-logged.

Every function here runs in one transaction, takes the acting user, writes its audit record inside
that transaction and sends mail only after the commit (`transaction.on_commit`). Rule violations
raise `ValidationError` (with a translated message and a code); acting without the right raises
`PermissionDenied`. Reading lives in `selectors`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dtc.core.audit import audit_log_record, audit_snapshot
from dtc.core.models import AuditLogEntry
from dtc.core.tasks import email_send
from dtc.organisations.models import (
    Domain,
    FeedToken,
    Invitation,
    Membership,
    Municipality,
    Organisation,
    OrganisationProduct,
    Product,
    ProductAlias,
    Province,
    Role,
    User,
    validate_domain_name,
)

ADMIN = Membership.OrgRole.ADMIN
PROFILE_FIELDS = ["name", "kvk_number", "sector", "province", "municipality", "size_class"]


# --- helpers (private) -----------------------------------------------------------------------


def _membership_of(user: User, organisation: Organisation) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, organisation=organisation).first()


def _require_admin(actor: User, organisation: Organisation) -> None:
    membership = _membership_of(actor, organisation)
    if membership is None or membership.role != ADMIN:
        raise PermissionDenied(_("Alleen beheerders van de organisatie mogen dit doen."))


def _admin_count(organisation: Organisation) -> int:
    return Membership.objects.filter(organisation=organisation, role=ADMIN).count()


def _organisation_validate(organisation: Organisation) -> None:
    """Field rules (KvK format, choices, unique KvK) plus: the municipality lies in the province."""
    errors: dict[str, list[ValidationError]] = {}
    try:
        organisation.full_clean(exclude=["products"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if (
        organisation.kvk_number
        and "kvk_number" not in errors
        and Organisation.objects.filter(kvk_number=organisation.kvk_number)
        .exclude(pk=organisation.pk)
        .exists()
    ):
        # The register is public; the message names no organisation, it only tells how to get in.
        errors["kvk_number"] = [
            ValidationError(
                _(
                    "Er is al een organisatie met dit KvK-nummer aangemeld. Vraag de beheerder daarvan "
                    "om u uit te nodigen."
                ),
                code="kvk_taken",
            )
        ]
    municipality = organisation.municipality
    if municipality is not None and organisation.province and municipality.province != organisation.province:
        errors.setdefault("municipality", []).append(
            ValidationError(
                _("De gemeente %(municipality)s ligt niet in de provincie %(province)s.")
                % {"municipality": municipality.name, "province": Province(organisation.province).label},
                code="municipality_province_mismatch",
            )
        )
    if errors:
        raise ValidationError(errors)


def _organisation_profile_apply(
    organisation: Organisation,
    *,
    name: str,
    kvk_number: str,
    sector: str,
    province: str,
    municipality: Municipality | None,
    size_class: str,
) -> None:
    organisation.name = name.strip()
    organisation.kvk_number = (kvk_number or "").replace(" ", "").strip()
    organisation.sector = sector or ""
    # A municipality without a province: the province follows from the municipality.
    organisation.province = province or (municipality.province if municipality else "")
    organisation.municipality = municipality
    organisation.size_class = size_class or ""


def _mail_enqueue_on_commit(*, template_prefix: str, to: list[str], context: dict[str, Any]) -> None:
    subject = render_to_string(f"{template_prefix}_subject.txt", context).strip()
    body = render_to_string(f"{template_prefix}_body.txt", context)
    transaction.on_commit(
        partial(
            email_send.enqueue,
            subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
            body=body,
            to=to,
        )
    )


# --- organisations and their profile ---------------------------------------------------------


@transaction.atomic
def organisation_create(
    *,
    actor: User,
    name: str,
    kvk_number: str = "",
    sector: str = "",
    province: str = "",
    municipality: Municipality | None = None,
    size_class: str = "",
) -> Organisation:
    """Register an organisation; the person who registers it becomes its first admin."""
    organisation = Organisation()
    _organisation_profile_apply(
        organisation,
        name=name,
        kvk_number=kvk_number,
        sector=sector,
        province=province,
        municipality=municipality,
        size_class=size_class,
    )
    _organisation_validate(organisation)
    organisation.save()
    membership = Membership.objects.create(user=actor, organisation=organisation, role=ADMIN)
    audit_log_record(
        actor=actor, action="organisation.create", target=organisation, after=audit_snapshot(organisation)
    )
    audit_log_record(
        actor=actor, action="membership.create", target=membership, after=audit_snapshot(membership)
    )
    return organisation


@transaction.atomic
def organisation_update_profile(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    kvk_number: str = "",
    sector: str = "",
    province: str = "",
    municipality: Municipality | None = None,
    size_class: str = "",
) -> Organisation:
    _require_admin(actor, organisation)
    before = audit_snapshot(organisation, fields=PROFILE_FIELDS)
    _organisation_profile_apply(
        organisation,
        name=name,
        kvk_number=kvk_number,
        sector=sector,
        province=province,
        municipality=municipality,
        size_class=size_class,
    )
    _organisation_validate(organisation)
    organisation.save(update_fields=[*PROFILE_FIELDS, "updated_at"])
    after = audit_snapshot(organisation, fields=PROFILE_FIELDS)
    audit_log_record(
        actor=actor, action="organisation.update_profile", target=organisation, before=before, after=after
    )
    return organisation


# --- domains ---------------------------------------------------------------------------------


def domain_normalise(value: str) -> str:
    """'https://WWW.Bücher.nl./pad' → 'www.xn--bcher-kva.nl'.

    Lower-case; strip scheme, user info, port, path and the trailing root dot; IDNA-encode
    (RFC 5891) so the stored name is what DNS and the scans see. Raises ValidationError.
    """
    text = (value or "").strip()
    if "://" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        host = ""
    host = host.strip().rstrip(".").lower()
    try:
        import idna

        ascii_host = idna.encode(host, uts46=True).decode("ascii") if host else ""
    except idna.IDNAError:
        ascii_host = ""
    validate_domain_name(ascii_host)
    return ascii_host


@transaction.atomic
def organisation_domain_add(*, actor: User, organisation: Organisation, name: str) -> Domain:
    _require_admin(actor, organisation)
    normalised = domain_normalise(name)
    if Domain.objects.filter(organisation=organisation, name=normalised).exists():
        raise ValidationError(
            {"name": ValidationError(_("Dit domein staat al bij uw organisatie."), code="domain_duplicate")}
        )
    domain = Domain.objects.create(organisation=organisation, name=normalised)
    audit_log_record(actor=actor, action="domain.add", target=domain, after=audit_snapshot(domain))
    return domain


@transaction.atomic
def organisation_domain_remove(*, actor: User, domain: Domain) -> None:
    _require_admin(actor, domain.organisation)
    before = audit_snapshot(domain)
    audit_log_record(actor=actor, action="domain.remove", target=domain, before=before)
    domain.delete()


# --- products used ---------------------------------------------------------------------------


@transaction.atomic
def organisation_product_add(
    *, actor: User, organisation: Organisation, product: Product, version: str = ""
) -> OrganisationProduct:
    """Add a product to the organisation's asset list; adding it again updates the version."""
    _require_admin(actor, organisation)
    version = (version or "").strip()
    if len(version) > 100:
        raise ValidationError(
            {"version": ValidationError(_("Een versie is hoogstens 100 tekens lang."), code="version_length")}
        )
    use = OrganisationProduct.objects.filter(organisation=organisation, product=product).first()
    if use is None:
        use = OrganisationProduct.objects.create(organisation=organisation, product=product, version=version)
        audit_log_record(actor=actor, action="product_use.add", target=use, after=audit_snapshot(use))
        return use
    before = audit_snapshot(use)
    use.version = version
    use.save(update_fields=["version"])
    audit_log_record(
        actor=actor, action="product_use.update", target=use, before=before, after=audit_snapshot(use)
    )
    return use


@transaction.atomic
def organisation_product_remove(*, actor: User, organisation_product: OrganisationProduct) -> None:
    _require_admin(actor, organisation_product.organisation)
    audit_log_record(
        actor=actor,
        action="product_use.remove",
        target=organisation_product,
        before=audit_snapshot(organisation_product),
    )
    organisation_product.delete()


PRODUCTS_IMPORT_MAX = 20_000


@transaction.atomic
def organisation_products_import(
    *,
    actor: User,
    organisation: Organisation,
    items: Sequence[tuple[int, str | None]],
    source: str,
) -> dict[str, int]:
    """Add or update the products of a confirmed import preview (`product_import.preview_build`).

    `items` are (product id, version); version None keeps the version already listed (the file named
    none). Products not in the file stay on the list. All or nothing: a product that left the
    catalogue since the preview, or a bad version, refuses the whole import. One audit record with
    the counts and product ids; `source` names the format ("csv", "cyclonedx", "spdx").
    """
    _require_admin(actor, organisation)
    wanted: dict[int, str | None] = {}
    for product_id, version in items:
        version = None if version is None else str(version).strip()
        if version is not None and len(version) > 100:
            raise ValidationError(_("Een versie is hoogstens 100 tekens lang."), code="version_length")
        wanted[int(product_id)] = version
    if not wanted:
        raise ValidationError(_("Er is niets om toe te voegen."), code="import_empty")
    if len(wanted) > PRODUCTS_IMPORT_MAX:
        raise ValidationError(_("Te veel producten in één keer."), code="import_too_large")
    existing = set(Product.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if len(existing) != len(wanted):
        raise ValidationError(
            _("Een of meer producten staan niet meer in de catalogus. Laad het bestand opnieuw."),
            code="product_gone",
        )
    uses = {
        use.product_id: use
        for use in OrganisationProduct.objects.select_for_update().filter(
            organisation=organisation, product_id__in=wanted
        )
    }
    new = [
        OrganisationProduct(organisation=organisation, product_id=product_id, version=version or "")
        for product_id, version in wanted.items()
        if product_id not in uses
    ]
    changed = []
    for product_id, use in uses.items():
        version = wanted[product_id]
        if version is not None and version != use.version:
            use.version = version
            changed.append(use)
    OrganisationProduct.objects.bulk_create(new)
    OrganisationProduct.objects.bulk_update(changed, ["version"])
    counts = {"added": len(new), "updated": len(changed), "unchanged": len(wanted) - len(new) - len(changed)}
    audit_log_record(
        actor=actor,
        action="product_use.import",
        target=organisation,
        after=counts
        | {
            "source": source,
            "added_product_ids": sorted(use.product_id for use in new),
            "updated_product_ids": sorted(use.product_id for use in changed),
        },
    )
    return counts


@transaction.atomic
def products_confirm(
    *, organisation: Organisation, actor: User, now: dt.datetime | None = None
) -> dt.datetime:
    """Record that an admin checked the product list is still right (the "Klopt nog" button).

    Stored on the organisation's alert settings, made when missing; returns the moment recorded."""
    from dtc.advisories.models import AlertSettings

    _require_admin(actor, organisation)
    now = now or timezone.now()
    alert_settings, _created = AlertSettings.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    before = alert_settings.products_confirmed_at
    alert_settings.products_confirmed_at = now
    alert_settings.save(update_fields=["products_confirmed_at"])
    audit_log_record(
        actor=actor,
        action="products.confirm",
        target=organisation,
        before={"products_confirmed_at": before.isoformat() if before else None},
        after={"products_confirmed_at": now.isoformat()},
    )
    return now


# --- invitations and memberships -------------------------------------------------------------


def invitation_expires_at(invitation: Invitation) -> dt.datetime:
    return invitation.created_at + dt.timedelta(days=settings.DTC_RETENTION["invitations"])


@transaction.atomic
def invitation_create(
    *, actor: User, organisation: Organisation, email: str, role: str = Membership.OrgRole.MEMBER
) -> Invitation:
    """Invite someone by e-mail; the mail with the accept link goes out after the commit.

    An open invitation for the same address is replaced, so only the newest link works.
    """
    _require_admin(actor, organisation)
    email = User.objects.normalize_email(email or "").strip().lower()
    if role not in Membership.OrgRole.values:
        raise ValidationError({"role": ValidationError(_("Kies een geldige rol."), code="invalid_role")})
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError(
            {"email": ValidationError(_("Deze persoon is al lid van uw organisatie."), code="already_member")}
        )
    Invitation.objects.filter(organisation=organisation, email=email, accepted_at__isnull=True).delete()
    invitation = Invitation(organisation=organisation, email=email, role=role, invited_by=actor)
    invitation.full_clean(exclude=["token", "invited_by"])
    invitation.save()
    audit_log_record(
        actor=actor,
        action="invitation.create",
        target=invitation,
        after=audit_snapshot(invitation, fields=["organisation", "email", "role", "invited_by"]),
    )
    accept_url = settings.SITE_URL + reverse("organisations:invitation_accept", args=[invitation.token])
    with translation.override(settings.LANGUAGE_CODE):
        _mail_enqueue_on_commit(
            template_prefix="organisations/email/invitation",
            to=[email],
            context={
                "organisation_name": organisation.name,
                "inviter": actor.name or actor.email,
                "role_label": Membership.OrgRole(role).label,
                "accept_url": accept_url,
                "expires_at": invitation_expires_at(invitation),
                "site_name": settings.WAGTAIL_SITE_NAME,
            },
        )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    _require_admin(actor, invitation.organisation)
    audit_log_record(
        actor=actor,
        action="invitation.revoke",
        target=invitation,
        before=audit_snapshot(invitation, fields=["organisation", "email", "role"]),
    )
    invitation.delete()


@transaction.atomic
def invitation_accept(*, actor: User, token: str, now: dt.datetime | None = None) -> Membership:
    """Join the organisation. Only a signed-in user with the invited address, verified, may accept."""
    from allauth.account.models import EmailAddress

    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_for_update().select_related("organisation").filter(token=token).first()
    )
    if invitation is None or invitation.accepted_at is not None:
        raise ValidationError(
            _("Deze uitnodiging bestaat niet of is al gebruikt."), code="invitation_invalid"
        )
    if invitation_expires_at(invitation) < now:
        raise ValidationError(
            _("Deze uitnodiging is verlopen. Vraag de beheerder om een nieuwe."), code="invitation_expired"
        )
    if not EmailAddress.objects.filter(user=actor, email__iexact=invitation.email, verified=True).exists():
        raise ValidationError(
            _(
                "Deze uitnodiging is voor een ander e-mailadres. Log in met het uitgenodigde adres, "
                "of voeg het toe en bevestig het bij uw account."
            ),
            code="invitation_email_mismatch",
        )
    membership = Membership.objects.filter(user=actor, organisation=invitation.organisation).first()
    before = audit_snapshot(membership) if membership else None
    if membership is None:
        membership = Membership.objects.create(
            user=actor, organisation=invitation.organisation, role=invitation.role
        )
    elif invitation.role == ADMIN and membership.role != ADMIN:
        membership.role = ADMIN
        membership.save(update_fields=["role"])
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_at"])
    audit_log_record(
        actor=actor,
        action="invitation.accept",
        target=membership,
        before=before,
        after=audit_snapshot(membership),
    )
    return membership


def _ensure_not_last_admin(membership: Membership) -> None:
    if membership.role == ADMIN and _admin_count(membership.organisation) <= 1:
        raise ValidationError(
            _("U bent de enige beheerder. Maak eerst iemand anders beheerder, of verwijder de organisatie."),
            code="last_admin",
        )


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """An admin removes a member. The last admin cannot be removed."""
    _require_admin(actor, membership.organisation)
    _ensure_not_last_admin(membership)
    audit_log_record(
        actor=actor, action="membership.remove", target=membership, before=audit_snapshot(membership)
    )
    membership.delete()


@transaction.atomic
def membership_leave(*, actor: User, organisation: Organisation) -> None:
    """A member leaves. The last admin cannot leave (the organisation would have no one to manage it)."""
    membership = _membership_of(actor, organisation)
    if membership is None:
        raise PermissionDenied(_("U bent geen lid van deze organisatie."))
    _ensure_not_last_admin(membership)
    audit_log_record(
        actor=actor, action="membership.leave", target=membership, before=audit_snapshot(membership)
    )
    membership.delete()


@transaction.atomic
def membership_role_set(*, actor: User, membership: Membership, role: str) -> Membership:
    _require_admin(actor, membership.organisation)
    if role not in Membership.OrgRole.values:
        raise ValidationError({"role": ValidationError(_("Kies een geldige rol."), code="invalid_role")})
    if role != ADMIN:
        _ensure_not_last_admin(membership)
    before = audit_snapshot(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    audit_log_record(
        actor=actor,
        action="membership.role_set",
        target=membership,
        before=before,
        after=audit_snapshot(membership),
    )
    return membership


# --- the user's own data (AVG art. 15, 17, 20) ------------------------------------------------


def _organisation_profile_data(organisation: Organisation) -> dict[str, Any]:
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "kvk_number": organisation.kvk_number,
        "sector": organisation.sector,
        "province": organisation.province,
        "municipality": organisation.municipality.name if organisation.municipality else None,
        "size_class": organisation.size_class,
        "domains": [d.name for d in organisation.domains.all()],
        "products": [
            {"vendor": u.product.vendor, "product": u.product.name, "version": u.version}
            for u in organisation.product_uses.all()
        ],
        "created_at": organisation.created_at.isoformat(),
    }


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything we hold about the user, as JSON-safe data (right of access and portability)."""
    from allauth.account.models import EmailAddress

    memberships = (
        Membership.objects.filter(user=user)
        .select_related("organisation__municipality")
        .prefetch_related("organisation__domains", "organisation__product_uses__product")
        .order_by("organisation__name")
    )
    invitations = (
        Invitation.objects.filter(invited_by=user).select_related("organisation").order_by("created_at")
    )
    from dtc.advisories.selectors import alerts_user_data
    from dtc.assessment.selectors import assessment_user_data
    from dtc.community.selectors_directory import trust_platform_user_data
    from dtc.notifications.selectors import notifications_user_data

    audit = AuditLogEntry.objects.filter(actor=user).order_by("created_at", "id")
    return {
        "format": "dtc-user-export/1",
        "exported_at": timezone.now().isoformat(),
        "account": {
            "id": user.pk,
            "email": user.email,
            "name": user.name,
            "language": user.language,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "is_staff": user.is_staff,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "memberships": [
            {
                "role": m.role,
                "since": m.created_at.isoformat(),
                "organisation": _organisation_profile_data(m.organisation),
            }
            for m in memberships
        ],
        "invitations_sent": [
            {
                "organisation": i.organisation.name,
                "email": i.email,
                "role": i.role,
                "created_at": i.created_at.isoformat(),
                "accepted_at": i.accepted_at.isoformat() if i.accepted_at else None,
            }
            for i in invitations
        ],
        "audit_log": [
            {
                "at": a.created_at.isoformat(),
                "action": a.action,
                "target_type": a.target_type,
                "target": a.target_label,
                "before": a.before,
                "after": a.after,
            }
            for a in audit
        ],
        "trust_platform": trust_platform_user_data(user=user),
        "notifications": notifications_user_data(user=user),
        "feed_token": FeedToken.objects.filter(user=user).exists(),
        "alerts": alerts_user_data(user=user),
        "assessment": assessment_user_data(user=user),
    }


def _audit_pseudonymise_user(user: User) -> None:
    """Keep the audit trail, drop who it was: the log outlives the account without personal data."""
    label = f"verwijderde gebruiker #{user.pk}"
    AuditLogEntry.objects.filter(actor=user).update(actor_label=label)
    AuditLogEntry.objects.filter(target_type=User._meta.label_lower, target_id=str(user.pk)).update(
        target_label=label, before=None, after=None
    )
    AuditLogEntry.objects.filter(
        Q(before__user_id=user.pk) | Q(after__user_id=user.pk), target_type=Membership._meta.label_lower
    ).update(target_label=label)


@transaction.atomic
def user_delete(*, actor: User, user: User) -> dict[str, int]:
    """Delete the account (right to erasure). Organisations left without members go with it.

    The audit record names no person: only the former user id and counts.
    """
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied(_("U kunt alleen uw eigen account verwijderen."))
    organisation_ids = list(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
    user_pk = user.pk
    open_invitations = Invitation.objects.filter(
        Q(invited_by=user) | Q(email__iexact=user.email), accepted_at__isnull=True
    ).delete()[0]
    _audit_pseudonymise_user(user)
    user.delete()
    orphans = Organisation.objects.filter(pk__in=organisation_ids, memberships__isnull=True)
    orphan_ids = list(orphans.values_list("pk", flat=True))
    # Products in use are PROTECTed from catalogue deletion, not from their organisation's deletion.
    Organisation.objects.filter(pk__in=orphan_ids).delete()
    counts = {
        "memberships": len(organisation_ids),
        "organisations_deleted": len(orphan_ids),
        "invitations_deleted": open_invitations,
    }
    audit_log_record(
        actor=None,
        action="user.delete",
        before={"user_id": user_pk, "organisation_ids": organisation_ids},
        after=counts | {"deleted_organisation_ids": orphan_ids},
    )
    return counts


# --- platform roles --------------------------------------------------------------------------


# Model permissions a role needs in the back office (/beheer/), as "app_label.codename".
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.EDITOR.value: tuple(
        f"assessment.{action}_{model}"
        for model in ("questionset", "question", "option", "referencefigure")
        for action in ("view", "add", "change", "delete")
    ),
}


def roles_ensure_groups() -> dict[str, int]:
    """One Django group per platform `Role`, named by its value, with its back-office permissions. Idempotent."""
    from django.contrib.auth.models import Permission

    created = 0
    for role in Role:
        group, was_created = Group.objects.get_or_create(name=role.value)
        created += int(was_created)
        wanted = ROLE_PERMISSIONS.get(role.value, ())
        if wanted:
            query = Q()
            for name in wanted:
                app_label, codename = name.split(".", 1)
                query |= Q(content_type__app_label=app_label, codename=codename)
            group.permissions.add(*Permission.objects.filter(query))
    return {"groups_created": created, "groups": len(Role)}


# --- catalogue and reference data ------------------------------------------------------------


def product_search_text_refresh(product: Product) -> None:
    """Product.search_text is lower-cased "vendor name aliases"; kept here, not in save()."""
    aliases = " ".join(product.aliases.order_by("alias").values_list("alias", flat=True))
    product.search_text = " ".join(part for part in [product.vendor, product.name, aliases] if part).lower()
    product.save(update_fields=["search_text"])


@transaction.atomic
def product_create(
    *,
    actor: User | None,
    vendor: str,
    name: str,
    category: str = "",
    aliases: Iterable[str] = (),
    cpe_prefix: str = "",
    purl_prefix: str = "",
) -> Product:
    product = Product(
        vendor=vendor.strip(),
        name=name.strip(),
        category=category.strip(),
        cpe_prefix=cpe_prefix.strip(),
        purl_prefix=purl_prefix.strip(),
    )
    product.full_clean(exclude=["search_text"])
    product.save()
    for alias in aliases:
        if alias.strip():
            ProductAlias.objects.create(product=product, alias=alias.strip())
    product_search_text_refresh(product)
    audit_log_record(actor=actor, action="product.create", target=product, after=audit_snapshot(product))
    return product


@transaction.atomic
def catalogue_load_from_csv(path: str | Path, *, actor: User | None = None) -> dict[str, int]:
    """Upsert the product catalogue from CSV (vendor, product, category, aliases, cpe_prefix, purl_prefix).

    Matches on vendor + product, case-insensitively; aliases are separated by semicolons and added,
    never removed (an admin may have added more). Idempotent.
    """
    created = updated = 0
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            vendor, name = row["vendor"].strip(), row["product"].strip()
            if not vendor or not name:
                continue
            values = {
                "category": (row.get("category") or "").strip(),
                "cpe_prefix": (row.get("cpe_prefix") or "").strip(),
                "purl_prefix": (row.get("purl_prefix") or "").strip(),
            }
            product = Product.objects.filter(vendor__iexact=vendor, name__iexact=name).first()
            if product is None:
                product = Product.objects.create(vendor=vendor, name=name, **values)
                created += 1
            elif any(getattr(product, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(product, key, value)
                product.save(update_fields=list(values))
                updated += 1
            for alias in (row.get("aliases") or "").split(";"):
                alias = alias.strip()
                if alias and not ProductAlias.objects.filter(alias__iexact=alias).exists():
                    ProductAlias.objects.create(product=product, alias=alias)
            product_search_text_refresh(product)
    counts = {"created": created, "updated": updated, "total": Product.objects.count()}
    if created or updated:
        audit_log_record(actor=actor, action="catalogue.load", after=counts | {"source": Path(path).name})
    return counts


@transaction.atomic
def municipalities_load_from_csv(path: str | Path) -> dict[str, int]:
    """Upsert municipalities from CSV (code, name, province) by CBS code. Idempotent."""
    created = updated = 0
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code, name, province = row["code"].strip(), row["name"].strip(), row["province"].strip()
            if province not in Province.values:
                raise ValueError(f"Unknown province code {province!r} for {code}")
            _, was_created = Municipality.objects.get_or_create(
                code=code, defaults={"name": name, "province": province}
            )
            if was_created:
                created += 1
            elif (
                Municipality.objects.filter(code=code)
                .exclude(name=name, province=province)
                .update(name=name, province=province)
            ):
                updated += 1
    return {"created": created, "updated": updated, "total": Municipality.objects.count()}


# --- retention -------------------------------------------------------------------------------


def organisations_purge_expired(*, now: dt.datetime) -> dict[str, int]:
    from allauth.account.models import EmailAddress

    unverified_cutoff = now - dt.timedelta(days=settings.DTC_RETENTION["unverified_accounts"])
    verified_users = EmailAddress.objects.filter(verified=True).values("user_id")
    unverified = User.objects.filter(date_joined__lt=unverified_cutoff, is_staff=False).exclude(
        id__in=verified_users
    )
    invitation_cutoff = now - dt.timedelta(days=settings.DTC_RETENTION["invitations"])
    return {
        "unverified_accounts": unverified.delete()[0],
        "invitations": Invitation.objects.filter(
            accepted_at__isnull=True, created_at__lt=invitation_cutoff
        ).delete()[0],
    }


# --- feed tokens ---------------------------------------------------------------------------------


def _feed_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def feed_token_rotate(*, actor: User) -> str:
    """A new personal feed token for `actor` (the old one stops working at once). Returns the token
    itself, which is not stored: only its hash is."""
    key = secrets.token_urlsafe(32)
    revoked = FeedToken.objects.filter(user=actor).delete()[0] > 0
    FeedToken.objects.create(user=actor, key_sha256=_feed_token_hash(key))
    audit_log_record(
        actor=actor, action="feed_token.rotate" if revoked else "feed_token.create", target=actor
    )
    return key


@transaction.atomic
def feed_token_revoke(*, actor: User) -> bool:
    revoked = FeedToken.objects.filter(user=actor).delete()[0] > 0
    if revoked:
        audit_log_record(actor=actor, action="feed_token.revoke", target=actor)
    return revoked


def feed_token_user(*, key: str) -> User | None:
    """The active user whose feed token `key` is, else None. Read-only; here beside its writers so
    the hashing lives in one place."""
    if not key or len(key) > 100:
        return None
    token = FeedToken.objects.select_related("user").filter(key_sha256=_feed_token_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    return token.user
