"""Changing the trust platform: collaborations, communities, memberships and shared items.

One write path per change. Every function runs in one transaction, takes the acting user, checks
the right to act, and writes its audit record (before/after) inside that transaction. No signals.
Rule violations raise `ValidationError` (translated message and a code); acting without the right
raises `PermissionDenied`; acting on an item or community the actor may not see raises `Http404`
(never revealing that it exists). Reading lives in `selectors` and `dtc.core.visibility`.

Marking changes (TLP label and audience) follow one rule: nobody may make an item reach further —
widen its audience or lower its label — unless they are its author or a coordinator of one of its
audience communities. An admin of the author's organisation may only narrow it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtc.community import selectors
from dtc.community.attachments import attachment_inspect
from dtc.community.indicators import indicator_normalise
from dtc.community.models import (
    TLP_ORDER,
    Attachment,
    Collaboration,
    Comment,
    Community,
    CommunityMembership,
    Indicator,
    Item,
    ItemAudience,
    OrganisationClient,
    Reaction,
    Tlp,
)
from dtc.core import visibility
from dtc.core.audit import audit_log_record, audit_snapshot
from dtc.core.markdown import markdown_render_safe
from dtc.notifications.services import item_activity_record
from dtc.organisations.models import Organisation, Role, User

ACTIVE = CommunityMembership.Status.ACTIVE
INVITED = CommunityMembership.Status.INVITED
REQUESTED = CommunityMembership.Status.REQUESTED
COORDINATOR = CommunityMembership.MemberRole.COORDINATOR


# --- helpers (private) -----------------------------------------------------------------------


def _require_active_user(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Log in om dit te doen."))


def _is_platform_coordinator(actor: User) -> bool:
    """Holds the community-coordinator role (a Django group) or is a superuser."""
    return actor.is_superuser or actor.groups.filter(name=Role.COMMUNITY_COORDINATOR.value).exists()


def _require_community_coordinator(actor: User, community: Community) -> None:
    if not selectors.community_is_coordinator(user=actor, community=community):
        raise PermissionDenied(_("Alleen coördinatoren van de community mogen dit doen."))


def _membership_snapshot(membership: CommunityMembership) -> dict[str, Any]:
    return audit_snapshot(membership)


def _item_snapshot(item: Item) -> dict[str, Any]:
    data = audit_snapshot(item, fields=["kind", "title", "tlp", "status", "author", "author_organisation",
                                        "anonymous", "public_approved"])
    data["audience"] = _audience_of(item)
    return data


def _audience_of(item: Item) -> dict[str, list[int]]:
    rows = list(ItemAudience.objects.filter(item=item).values_list("community_id", "organisation_id", "user_id"))
    return {
        "communities": sorted(c for c, _o, _u in rows if c is not None),
        "organisations": sorted(o for _c, o, _u in rows if o is not None),
        "users": sorted(u for _c, _o, u in rows if u is not None),
    }


def _ids(objects: Iterable[Any]) -> list[int]:
    return sorted({obj.pk for obj in objects})


def _marking_validate(
    *, tlp: str, communities: list[Community], organisations: list[Organisation], users: list[User]
) -> None:
    """A label its audience can honour. FIRST TLP 2.0: RED is for individual recipients only;
    AMBER(+STRICT) stays within recipient organisations, so a community must count as one."""
    if tlp not in Tlp.values:
        raise ValidationError({"tlp": ValidationError(_("Kies een TLP-label."), code="tlp_invalid")})
    if not (communities or organisations or users):
        raise ValidationError(
            {"audience": ValidationError(_("Kies minstens één ontvanger."), code="audience_empty")}
        )
    if tlp == Tlp.RED and (communities or organisations):
        raise ValidationError({"audience": ValidationError(
            _("TLP:RED is alleen voor met naam genoemde personen."), code="red_people_only"
        )})
    if tlp in (Tlp.AMBER, Tlp.AMBER_STRICT):
        loose = [c.name for c in communities if not c.counts_as_tlp_organisation]
        if loose:
            raise ValidationError({"audience": ValidationError(
                _("%(communities)s telt niet als één TLP-organisatie: kies TLP:GREEN of noem de "
                  "organisaties of personen.") % {"communities": ", ".join(loose)},
                code="amber_community_not_organisation",
            )})


def _audience_set(
    item: Item, *, communities: list[Community], organisations: list[Organisation], users: list[User]
) -> None:
    ItemAudience.objects.filter(item=item).delete()
    ItemAudience.objects.bulk_create(
        [ItemAudience(item=item, community=c) for c in {c.pk: c for c in communities}.values()]
        + [ItemAudience(item=item, organisation=o) for o in {o.pk: o for o in organisations}.values()]
        + [ItemAudience(item=item, user=u) for u in {u.pk: u for u in users}.values()]
    )


def _label_narrows_or_keeps(old: str, new: str) -> bool:
    """True when `new` never reaches anyone `old` does not, for the same audience.

    By the rule table (core.visibility) reach shrinks with strictness, with one exception: AMBER
    reaches the declared clients of named organisations, which CLEAR and GREEN do not. So
    CLEAR/GREEN → AMBER widens, while → AMBER+STRICT and → RED never do.
    """
    if new == old or new in (Tlp.AMBER_STRICT, Tlp.RED):
        return TLP_ORDER.index(new) >= TLP_ORDER.index(old)
    if new == Tlp.GREEN:
        return old == Tlp.CLEAR
    return False


# --- collaborations and communities ----------------------------------------------------------


@transaction.atomic
def collaboration_create(
    *,
    actor: User,
    name: str,
    slug: str,
    kind: str,
    description: str = "",
    offers: str = "",
    connected: bool = False,
    member_organisations: Iterable[Organisation] = (),
) -> Collaboration:
    """Register a collaboration; the registering community coordinator becomes its coordinator."""
    _require_active_user(actor)
    if not _is_platform_coordinator(actor):
        raise PermissionDenied(_("Alleen communitycoördinatoren mogen samenwerkingsverbanden registreren."))
    collaboration = Collaboration(
        name=name.strip(), slug=slug, kind=kind, description=description, offers=offers, connected=connected
    )
    collaboration.full_clean()
    collaboration.save()
    collaboration.coordinators.add(actor)
    collaboration.member_organisations.add(*member_organisations)
    after = audit_snapshot(collaboration) | {
        "coordinators": [actor.pk],
        "member_organisations": _ids(collaboration.member_organisations.all()),
    }
    audit_log_record(actor=actor, action="collaboration.create", target=collaboration, after=after)
    return collaboration


@transaction.atomic
def community_create(
    *,
    actor: User,
    name: str,
    slug: str,
    owner: Collaboration | None = None,
    description: str = "",
    join_policy: str = Community.JoinPolicy.INVITATION,
    confidential_membership: bool = False,
    counts_as_tlp_organisation: bool = False,
) -> Community:
    """Open a community. Owned by a collaboration (its coordinators may) or by the centre (community
    coordinators may). The creator becomes its first coordinator."""
    _require_active_user(actor)
    if owner is not None:
        if not owner.coordinators.filter(pk=actor.pk).exists():
            raise PermissionDenied(_("Alleen coördinatoren van het samenwerkingsverband mogen dit doen."))
    elif not _is_platform_coordinator(actor):
        raise PermissionDenied(_("Alleen communitycoördinatoren mogen een community van het centrum openen."))
    community = Community(
        name=name.strip(),
        slug=slug,
        owner=owner,
        description=description,
        join_policy=join_policy,
        confidential_membership=confidential_membership,
        counts_as_tlp_organisation=counts_as_tlp_organisation,
    )
    community.full_clean()
    community.save()
    membership = CommunityMembership.objects.create(community=community, user=actor, role=COORDINATOR, status=ACTIVE)
    audit_log_record(actor=actor, action="community.create", target=community, after=audit_snapshot(community))
    audit_log_record(
        actor=actor, action="community_membership.create", target=membership, after=_membership_snapshot(membership)
    )
    return community


def _membership_activate(actor: User, membership: CommunityMembership, *, action: str) -> CommunityMembership:
    """Make a requested or invited membership active, audit-logged with before/after."""
    before = _membership_snapshot(membership)
    membership.status = ACTIVE
    membership.save(update_fields=["status", "updated_at"])
    audit_log_record(
        actor=actor, action=action, target=membership, before=before, after=_membership_snapshot(membership)
    )
    return membership


def _invite(actor: User, community: Community, *, organisation: Organisation | None, user: User | None) -> CommunityMembership:
    _require_active_user(actor)
    _require_community_coordinator(actor, community)
    existing = CommunityMembership.objects.select_for_update().filter(
        community=community, organisation=organisation, user=user
    ).first()
    if existing is None:
        membership = CommunityMembership.objects.create(
            community=community, organisation=organisation, user=user, status=INVITED
        )
        audit_log_record(
            actor=actor, action="community_membership.invite", target=membership,
            after=_membership_snapshot(membership),
        )
        return membership
    if existing.status != REQUESTED:
        raise ValidationError(_("Deze is al lid of al uitgenodigd."), code="membership_exists")
    # An invitation answers an open request: both sides want it.
    return _membership_activate(actor, existing, action="community_membership.approve")


@transaction.atomic
def community_invite_organisation(
    *, actor: User, community: Community, organisation: Organisation
) -> CommunityMembership:
    """A coordinator invites an organisation (all its users); an admin of it accepts."""
    return _invite(actor, community, organisation=organisation, user=None)


@transaction.atomic
def community_invite_user(*, actor: User, community: Community, user: User) -> CommunityMembership:
    """A coordinator invites one person; that person accepts."""
    return _invite(actor, community, organisation=None, user=user)


@transaction.atomic
def community_invitation_accept(*, actor: User, membership: CommunityMembership) -> CommunityMembership:
    """The invited person, or an admin of the invited organisation, accepts an invitation."""
    _require_active_user(actor)
    membership = CommunityMembership.objects.select_for_update().get(pk=membership.pk)
    invitee = membership.user_id == actor.pk or selectors.organisation_is_admin(
        user=actor, organisation_id=membership.organisation_id
    )
    if not invitee:
        raise PermissionDenied(_("Alleen de uitgenodigde (of een beheerder van de organisatie) mag dit doen."))
    if membership.status != INVITED:
        raise ValidationError(_("Er is geen openstaande uitnodiging."), code="not_invited")
    return _membership_activate(actor, membership, action="community_membership.accept")


@transaction.atomic
def community_request_join(
    *, actor: User, community: Community, organisation: Organisation | None = None
) -> CommunityMembership:
    """Ask to join, in person or (as its admin) for an organisation. Only where the join policy is
    'request'; a hidden (confidential) community is a 404. An open invitation is accepted instead."""
    _require_active_user(actor)
    visibility.community_get_visible(user=actor, community_id=community.pk)
    if organisation is not None and not selectors.organisation_is_admin(user=actor, organisation_id=organisation.pk):
        raise PermissionDenied(_("Alleen beheerders van de organisatie mogen dit doen."))
    user = None if organisation is not None else actor
    existing = CommunityMembership.objects.select_for_update().filter(
        community=community, organisation=organisation, user=user
    ).first()
    if existing is not None and existing.status == INVITED:
        return community_invitation_accept(actor=actor, membership=existing)
    if existing is not None:
        raise ValidationError(_("Er is al een lidmaatschap of aanvraag."), code="membership_exists")
    if community.join_policy != Community.JoinPolicy.REQUEST:
        raise ValidationError(_("Deze community werkt alleen op uitnodiging."), code="invitation_only")
    membership = CommunityMembership.objects.create(
        community=community, organisation=organisation, user=user, status=REQUESTED
    )
    audit_log_record(
        actor=actor, action="community_membership.request", target=membership, after=_membership_snapshot(membership)
    )
    return membership


@transaction.atomic
def community_membership_approve(*, actor: User, membership: CommunityMembership) -> CommunityMembership:
    """A coordinator admits a requested membership."""
    _require_active_user(actor)
    membership = CommunityMembership.objects.select_for_update().select_related("community").get(pk=membership.pk)
    _require_community_coordinator(actor, membership.community)
    if membership.status != REQUESTED:
        raise ValidationError(_("Er is geen openstaande aanvraag."), code="not_requested")
    return _membership_activate(actor, membership, action="community_membership.approve")


@transaction.atomic
def community_membership_remove(*, actor: User, membership: CommunityMembership) -> None:
    """A coordinator removes a member (or declines a request / withdraws an invitation); a person
    leaves; an organisation admin takes the organisation out. The last coordinator cannot go."""
    _require_active_user(actor)
    membership = CommunityMembership.objects.select_for_update().select_related("community").get(pk=membership.pk)
    allowed = (
        selectors.community_is_coordinator(user=actor, community=membership.community)
        or membership.user_id == actor.pk
        or selectors.organisation_is_admin(user=actor, organisation_id=membership.organisation_id)
    )
    if not allowed:
        raise PermissionDenied(_("U mag dit lidmaatschap niet beëindigen."))
    if membership.role == COORDINATOR and membership.status == ACTIVE:
        coordinators = CommunityMembership.objects.filter(
            community=membership.community, role=COORDINATOR, status=ACTIVE
        )
        if coordinators.count() <= 1:
            raise ValidationError(
                _("Een community heeft minstens één coördinator. Wijs eerst een andere aan."),
                code="last_coordinator",
            )
    audit_log_record(
        actor=actor, action="community_membership.remove", target=membership, before=_membership_snapshot(membership)
    )
    membership.delete()


# --- declared clients ------------------------------------------------------------------------


@transaction.atomic
def organisation_client_add(*, actor: User, organisation: Organisation, client: Organisation) -> OrganisationClient:
    """An admin of `organisation` declares `client` as its client: TLP:AMBER sent to the organisation
    then reaches the client's people too (FIRST TLP 2.0)."""
    _require_active_user(actor)
    if not selectors.organisation_is_admin(user=actor, organisation_id=organisation.pk):
        raise PermissionDenied(_("Alleen beheerders van de organisatie mogen dit doen."))
    if organisation.pk == client.pk:
        raise ValidationError(_("Een organisatie is niet haar eigen klant."), code="client_self")
    declared, created = OrganisationClient.objects.get_or_create(organisation=organisation, client=client)
    if created:
        audit_log_record(actor=actor, action="organisation_client.add", target=declared, after=audit_snapshot(declared))
    return declared


@transaction.atomic
def organisation_client_remove(*, actor: User, declared: OrganisationClient) -> None:
    _require_active_user(actor)
    if not selectors.organisation_is_admin(user=actor, organisation_id=declared.organisation_id):
        raise PermissionDenied(_("Alleen beheerders van de organisatie mogen dit doen."))
    audit_log_record(actor=actor, action="organisation_client.remove", target=declared, before=audit_snapshot(declared))
    declared.delete()


# --- shared items ----------------------------------------------------------------------------


def _require_member_of_communities(actor: User, communities: list[Community]) -> None:
    for community in communities:
        if not selectors.community_is_active_member(user=actor, community=community):
            raise PermissionDenied(_("U kunt alleen delen in communities waarvan u lid bent."))


@transaction.atomic
def item_create(
    *,
    actor: User,
    kind: str,
    title: str,
    tlp: str,
    body_markdown: str = "",
    communities: Iterable[Community] = (),
    organisations: Iterable[Organisation] = (),
    users: Iterable[User] = (),
    author_organisation: Organisation | None = None,
    publish: bool = False,
) -> Item:
    """Write an item — a draft (visible to its author only) unless `publish`. The author shares only
    into communities they are an active member of, on behalf of an organisation they belong to."""
    _require_active_user(actor)
    communities, organisations, users = list(communities), list(organisations), list(users)
    _require_member_of_communities(actor, communities)
    if author_organisation is not None and not selectors.organisation_has_member(
        user=actor, organisation_id=author_organisation.pk
    ):
        raise PermissionDenied(_("U kunt alleen delen namens uw eigen organisatie."))
    _marking_validate(tlp=tlp, communities=communities, organisations=organisations, users=users)
    item = Item(
        kind=kind,
        title=(title or "").strip(),
        body_markdown=body_markdown or "",
        body_html=markdown_render_safe(body_markdown),
        tlp=tlp,
        status=Item.Status.PUBLISHED if publish else Item.Status.DRAFT,
        published_at=timezone.now() if publish else None,
        author=actor,
        author_organisation=author_organisation,
    )
    item.full_clean(exclude=["author", "body_html"])
    item.save()
    _audience_set(item, communities=communities, organisations=organisations, users=users)
    audit_log_record(actor=actor, action="item.create", target=item, after=_item_snapshot(item))
    if publish:
        item_activity_record(item=item, event="item_new", actor=actor)
    return item


@transaction.atomic
def item_publish(*, actor: User, item: Item) -> Item:
    """The author publishes a draft; from then on its audience sees it (rule table in core.visibility)."""
    _require_active_user(actor)
    item = Item.objects.select_for_update().get(pk=visibility.item_get_visible(user=actor, item_id=item.pk).pk)
    if item.author_id != actor.pk:
        raise PermissionDenied(_("Alleen de auteur mag dit item publiceren."))
    if item.status == Item.Status.PUBLISHED:
        return item
    before = _item_snapshot(item)
    item.status = Item.Status.PUBLISHED
    item.published_at = timezone.now()
    item.save(update_fields=["status", "published_at", "updated_at"])
    audit_log_record(actor=actor, action="item.publish", target=item, before=before, after=_item_snapshot(item))
    item_activity_record(item=item, event="item_new", actor=actor)
    return item


@transaction.atomic
def item_change_marking(
    *,
    actor: User,
    item: Item,
    tlp: str,
    communities: Iterable[Community] = (),
    organisations: Iterable[Organisation] = (),
    users: Iterable[User] = (),
) -> Item:
    """Set an item's label and its whole audience.

    Its author and the coordinators of its (current) audience communities may change anything. An
    admin of the author's organisation may only narrow: remove recipients and/or choose a label that
    reaches no one new. Anyone else: PermissionDenied. An item the actor cannot see: Http404.
    Leaving TLP:CLEAR withdraws a public approval.
    """
    _require_active_user(actor)
    item = Item.objects.select_for_update().get(pk=visibility.item_get_visible(user=actor, item_id=item.pk).pk)
    communities, organisations, users = list(communities), list(organisations), list(users)
    old_audience = _audience_of(item)
    new_audience = {"communities": _ids(communities), "organisations": _ids(organisations), "users": _ids(users)}
    is_author = item.author_id == actor.pk
    coordinates_audience = any(
        selectors.community_is_coordinator(user=actor, community=community)
        for community in Community.objects.filter(pk__in=old_audience["communities"])
    )
    if not (is_author or coordinates_audience):
        if not selectors.organisation_is_admin(user=actor, organisation_id=item.author_organisation_id):
            raise PermissionDenied(_("U mag de markering van dit item niet wijzigen."))
        widens = any(not set(new_audience[key]) <= set(old_audience[key]) for key in new_audience)
        if widens or not _label_narrows_or_keeps(item.tlp, tlp):
            raise PermissionDenied(
                _("Alleen de auteur of een coördinator mag de ontvangers uitbreiden of het label verlagen.")
            )
    # As when creating: nobody carries an item into a community they are not an active member of.
    _require_member_of_communities(actor, [c for c in communities if c.pk not in old_audience["communities"]])
    _marking_validate(tlp=tlp, communities=communities, organisations=organisations, users=users)
    before = _item_snapshot(item)
    item.tlp = tlp
    if tlp != Tlp.CLEAR:
        item.public_approved = False
    item.save(update_fields=["tlp", "public_approved", "updated_at"])
    _audience_set(item, communities=communities, organisations=organisations, users=users)
    audit_log_record(actor=actor, action="item.change_marking", target=item, before=before, after=_item_snapshot(item))
    return item


@transaction.atomic
def item_post_anonymously_for(
    *,
    actor: User,
    on_behalf_of: User,
    community: Community,
    kind: str,
    title: str,
    tlp: str,
    body_markdown: str = "",
) -> Item:
    """A coordinator posts, published, in their community on behalf of one of its active members,
    anonymously: members see only the community. The item's author is the member (who may see and
    manage it); the audit log records the coordinator who posted it and for whom."""
    _require_active_user(actor)
    _require_community_coordinator(actor, community)
    if not selectors.community_is_active_member(user=on_behalf_of, community=community):
        raise ValidationError(_("Namens wie u plaatst moet actief lid van de community zijn."), code="not_member")
    _marking_validate(tlp=tlp, communities=[community], organisations=[], users=[])
    now = timezone.now()
    item = Item(
        kind=kind,
        title=(title or "").strip(),
        body_markdown=body_markdown or "",
        body_html=markdown_render_safe(body_markdown),
        tlp=tlp,
        status=Item.Status.PUBLISHED,
        published_at=now,
        author=on_behalf_of,
        author_organisation=None,  # naming the organisation would point at the member
        anonymous=True,
    )
    item.full_clean(exclude=["author", "body_html"])
    item.save()
    _audience_set(item, communities=[community], organisations=[], users=[])
    audit_log_record(
        actor=actor, action="item.post_anonymously", target=item,
        after=_item_snapshot(item) | {"posted_by": actor.pk, "on_behalf_of": on_behalf_of.pk},
    )
    item_activity_record(item=item, event="item_new", actor=actor)
    return item


@transaction.atomic
def item_approve_public(*, actor: User, item: Item) -> Item:
    """A coordinator of one of its audience communities approves a published TLP:CLEAR item for
    public publication (FIRST: "TLP:CLEAR information may be distributed without restriction")."""
    _require_active_user(actor)
    item = Item.objects.select_for_update().get(pk=visibility.item_get_visible(user=actor, item_id=item.pk).pk)
    community_ids = _audience_of(item)["communities"]
    if not any(
        selectors.community_is_coordinator(user=actor, community=community)
        for community in Community.objects.filter(pk__in=community_ids)
    ):
        raise PermissionDenied(_("Alleen een coördinator van een ontvangende community mag dit goedkeuren."))
    if item.tlp != Tlp.CLEAR:
        raise ValidationError(_("Alleen TLP:CLEAR mag openbaar worden."), code="not_clear")
    if item.status != Item.Status.PUBLISHED:
        raise ValidationError(_("Publiceer het item eerst."), code="not_published")
    before = _item_snapshot(item)
    item.public_approved = True
    item.save(update_fields=["public_approved", "updated_at"])
    audit_log_record(actor=actor, action="item.approve_public", target=item, before=before, after=_item_snapshot(item))
    return item


# --- what hangs off an item: indicators, attachments, comments, reactions ----------------------
# Each is reached through its item: an item the actor cannot see is a 404 (core.visibility), so none
# of these ever confirms that a hidden item exists.

COMMENT_MAX_LENGTH = 20_000


def _item_visible_locked(actor: User, item: Item) -> Item:
    """The item, locked for the change, if `actor` may see it; else Http404."""
    return Item.objects.select_for_update().get(pk=visibility.item_get_visible(user=actor, item_id=item.pk).pk)


def _coordinates_item_audience(actor: User, item: Item) -> bool:
    """An active coordinator of one of the item's audience communities (one query)."""
    return CommunityMembership.objects.filter(
        community__item_audience__item=item, user_id=actor.pk, role=COORDINATOR, status=ACTIVE
    ).exists()


def _require_author_or_coordinator(actor: User, item: Item, message: str) -> None:
    if item.author_id != actor.pk and not _coordinates_item_audience(actor, item):
        raise PermissionDenied(message)


def _require_published(item: Item) -> None:
    if item.status != Item.Status.PUBLISHED:
        raise ValidationError(_("Dit item is nog een concept."), code="not_published")


@transaction.atomic
def indicator_add(*, actor: User, item: Item, kind: str, value: str, comment: str = "") -> Indicator:
    """Add one technical indicator (IOC), validated and written in its canonical form
    (`dtc.community.indicators`). The author or a coordinator of an audience community may; the same
    indicator twice on one item is refused."""
    _require_active_user(actor)
    item = _item_visible_locked(actor, item)
    _require_author_or_coordinator(actor, item, _("Alleen de auteur of een coördinator mag indicatoren toevoegen."))
    normalised = indicator_normalise(kind=kind, value=value)
    comment = (comment or "").strip()
    if len(comment) > 300:
        raise ValidationError(
            {"comment": ValidationError(_("De toelichting is hoogstens 300 tekens."), code="comment_too_long")}
        )
    if Indicator.objects.filter(item=item, kind=kind, value=normalised).exists():
        raise ValidationError(
            _("Deze indicator staat al bij dit item: %(value)s") % {"value": normalised}, code="indicator_duplicate"
        )
    return _indicator_create(actor, item, kind=kind, value=normalised, comment=comment)


def _indicator_create(actor: User, item: Item, *, kind: str, value: str, comment: str) -> Indicator:
    indicator = Indicator.objects.create(item=item, kind=kind, value=value, comment=comment)
    audit_log_record(actor=actor, action="indicator.add", target=indicator, after=audit_snapshot(indicator))
    return indicator


@transaction.atomic
def indicators_add(
    *, actor: User, item: Item, entries: Iterable[tuple[str, str]], comment: str = ""
) -> list[Indicator]:
    """Add several indicators at once (a pasted list): all or nothing. Ones already on the item (or
    repeated in the list) are skipped, not refused; returns the ones added."""
    _require_active_user(actor)
    item = _item_visible_locked(actor, item)
    _require_author_or_coordinator(actor, item, _("Alleen de auteur of een coördinator mag indicatoren toevoegen."))
    comment = (comment or "").strip()[:300]
    existing = set(Indicator.objects.filter(item=item).values_list("kind", "value"))
    added: list[Indicator] = []
    for kind, value in entries:
        normalised = indicator_normalise(kind=kind, value=value)
        if (kind, normalised) in existing:
            continue
        existing.add((kind, normalised))
        added.append(_indicator_create(actor, item, kind=kind, value=normalised, comment=comment))
    return added


@transaction.atomic
def indicator_remove(*, actor: User, indicator: Indicator) -> None:
    """The author or a coordinator of an audience community removes an indicator."""
    _require_active_user(actor)
    item = _item_visible_locked(actor, indicator.item)
    _require_author_or_coordinator(actor, item, _("Alleen de auteur of een coördinator mag indicatoren verwijderen."))
    audit_log_record(actor=actor, action="indicator.remove", target=indicator, before=audit_snapshot(indicator))
    indicator.delete()


@transaction.atomic
def comment_create(*, actor: User, item: Item, body_markdown: str) -> Comment:
    """Reply under a published item; whoever may see the item may. The text is Markdown, rendered and
    sanitised here (core.markdown), at most COMMENT_MAX_LENGTH characters."""
    _require_active_user(actor)
    item = _item_visible_locked(actor, item)
    _require_published(item)
    body = (body_markdown or "").strip()
    if not body:
        raise ValidationError(
            {"body_markdown": ValidationError(_("Schrijf eerst een reactie."), code="comment_empty")}
        )
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError({"body_markdown": ValidationError(
            _("Een reactie is hoogstens %(max)d tekens lang.") % {"max": COMMENT_MAX_LENGTH},
            code="comment_too_long",
        )})
    comment = Comment.objects.create(item=item, author=actor, body_markdown=body, body_html=markdown_render_safe(body))
    audit_log_record(
        actor=actor, action="comment.create", target=comment,
        after=audit_snapshot(comment, fields=["item", "author", "body_markdown"]),
    )
    item_activity_record(item=item, event="comment_new", actor=actor, comment=comment)
    return comment


@transaction.atomic
def comment_delete(*, actor: User, comment: Comment) -> None:
    """Its author, or a coordinator of one of the item's audience communities, removes a comment."""
    _require_active_user(actor)
    item = _item_visible_locked(actor, comment.item)
    if comment.author_id != actor.pk and not _coordinates_item_audience(actor, item):
        raise PermissionDenied(_("Alleen de schrijver of een coördinator mag deze reactie verwijderen."))
    audit_log_record(
        actor=actor, action="comment.delete", target=comment,
        before=audit_snapshot(comment, fields=["item", "author", "body_markdown"]),
    )
    comment.delete()


@transaction.atomic
def reaction_toggle(*, actor: User, item: Item, kind: str) -> bool:
    """Set or take back a one-click reaction ("ook gezien", "nuttig") on a published item.
    Returns True when the reaction is now set."""
    _require_active_user(actor)
    item = _item_visible_locked(actor, item)
    _require_published(item)
    if kind not in Reaction.Kind.values:
        raise ValidationError(_("Onbekende reactie."), code="reaction_kind_invalid")
    existing = Reaction.objects.filter(item=item, user=actor, kind=kind).first()
    if existing is not None:
        audit_log_record(actor=actor, action="reaction.remove", target=existing, before=audit_snapshot(existing))
        existing.delete()
        return False
    reaction = Reaction.objects.create(item=item, user=actor, kind=kind)
    audit_log_record(actor=actor, action="reaction.add", target=reaction, after=audit_snapshot(reaction))
    return True


@transaction.atomic
def attachment_add(*, actor: User, item: Item, uploaded_file: Any) -> Attachment:
    """The author attaches a file. Size (settings.DTC_ATTACHMENT_MAX_BYTES) and type are checked on the
    file's content (`dtc.community.attachments`) before anything is stored; a refused file leaves no
    row and no file. Stored under a random name; the original name is kept (sanitised) for downloads."""
    _require_active_user(actor)
    item = _item_visible_locked(actor, item)
    if item.author_id != actor.pk:
        raise PermissionDenied(_("Alleen de auteur mag bestanden bijvoegen."))
    facts = attachment_inspect(uploaded_file)
    attachment = Attachment(
        item=item,
        original_name=facts.name,
        content_type=facts.content_type,
        size=facts.size,
        sha256=facts.sha256,
        uploaded_by=actor,
    )
    try:
        uploaded_file.seek(0)
        attachment.file.save(f"{uuid.uuid4().hex}{facts.extension}", File(uploaded_file), save=False)
        attachment.save()
        audit_log_record(
            actor=actor, action="attachment.add", target=attachment,
            after=audit_snapshot(attachment, fields=["item", "original_name", "content_type", "size", "sha256"]),
        )
    except BaseException:
        # Nothing stored half: the row goes with the transaction, the file goes here.
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment: Attachment) -> None:
    """The author, or a coordinator of one of the item's audience communities, removes an attachment.
    The file is deleted from storage once the removal is committed."""
    _require_active_user(actor)
    item = _item_visible_locked(actor, attachment.item)
    _require_author_or_coordinator(actor, item, _("Alleen de auteur of een coördinator mag bijlagen verwijderen."))
    audit_log_record(
        actor=actor, action="attachment.remove", target=attachment,
        before=audit_snapshot(attachment, fields=["item", "original_name", "content_type", "size", "sha256"]),
    )
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
