"""The trust platform: collaborations, closed communities and items shared under TLP 2.0.

Who may see an item is decided in one place, `dtc.core.visibility` (rule table there); these models
only hold the facts it reads: an item's label (`tlp`), its status, and its audience rows.

Retention (AVG):
- Collaborations and communities are organisational data, kept until deleted by their coordinators or
  staff; deleting a community removes its memberships, not the items (items are community-independent;
  an item whose audience becomes empty is visible to its author only).
- Community memberships of a person are removed with the person's account (CASCADE); open invitations
  and requests are personal data kept until answered or removed by a coordinator.
- Items hold personal data (the author). Items are kept while any audience may need them; deleting
  the author's account clears `author` (SET_NULL), so the item stays but no longer points at a
  removed person (it is then visible by its audience only). Anonymous posts keep the real author (the
  platform must know who posted); members never see it. Staff delete items through the admin.
- Declared clients (`OrganisationClient`) are organisation data, removed with either organisation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Collaboration(models.Model):
    """A registered cluster (samenwerkingsverband): regional, sector or thematic, an ISAC or a chain."""

    class Kind(models.TextChoices):
        REGIONAL = "regional", _("Regionaal")
        SECTOR = "sector", _("Sector")
        THEMATIC = "thematic", _("Thematisch")
        ISAC = "isac", _("ISAC")
        CHAIN = "chain", _("Keten")

    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices)
    description = models.TextField(_("beschrijving"), blank=True)
    offers = models.TextField(
        _("aanbod"), blank=True, help_text=_("Bijvoorbeeld health check, intervisiegroepen, sectordreigingsbeeld.")
    )
    connected = models.BooleanField(_("aangesloten op het platform"), default=False, db_index=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="coordinated_collaborations",
        verbose_name=_("coördinatoren"),
    )
    member_organisations = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="collaborations",
        verbose_name=_("deelnemende organisaties"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("samenwerkingsverband")
        verbose_name_plural = _("samenwerkingsverbanden")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """A closed space, owned by a collaboration or (owner empty) by the centre itself."""

    class JoinPolicy(models.TextChoices):
        INVITATION = "invitation", _("Alleen op uitnodiging")
        REQUEST = "request", _("Op verzoek, goedgekeurd door een coördinator")

    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    owner = models.ForeignKey(
        Collaboration, null=True, blank=True, on_delete=models.PROTECT, related_name="communities",
        verbose_name=_("eigenaar"), help_text=_("Leeg: het centrum zelf."),
    )
    description = models.TextField(_("beschrijving"), blank=True)
    join_policy = models.CharField(
        _("toetreden"), max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.INVITATION
    )
    confidential_membership = models.BooleanField(
        _("vertrouwelijk lidmaatschap"), default=False,
        help_text=_("Leden zien de bijdragen, niet wie de andere leden zijn; de community is alleen "
                    "zichtbaar voor haar leden."),
    )
    counts_as_tlp_organisation = models.BooleanField(
        _("telt als één TLP-organisatie"), default=False,
        help_text=_("FIRST TLP 2.0: een groep met formeel lidmaatschap en gemeenschappelijk beleid. "
                    "Dan bereikt TLP:AMBER+STRICT (en AMBER) alle actieve leden van de community."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CommunityMembership(models.Model):
    """A member of a community: an organisation (all its users) OR one person, never both."""

    class MemberRole(models.TextChoices):
        MEMBER = "member", _("Lid")
        COORDINATOR = "coordinator", _("Coördinator")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Actief")
        REQUESTED = "requested", _("Aangevraagd")
        INVITED = "invited", _("Uitgenodigd")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE,
        related_name="community_memberships",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="community_memberships",
    )
    role = models.CharField(_("rol"), max_length=12, choices=MemberRole.choices, default=MemberRole.MEMBER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("communitylidmaatschap")
        verbose_name_plural = _("communitylidmaatschappen")
        constraints = [
            models.CheckConstraint(
                condition=(Q(organisation__isnull=False, user__isnull=True)
                           | Q(organisation__isnull=True, user__isnull=False)),
                name="community_membership_org_xor_user",
            ),
            # Coordinators are people: an organisation cannot coordinate.
            models.CheckConstraint(
                condition=~Q(role="coordinator") | Q(user__isnull=False),
                name="community_membership_coordinator_is_person",
            ),
            models.UniqueConstraint(
                fields=["community", "organisation"], condition=Q(organisation__isnull=False),
                name="community_membership_unique_org",
            ),
            models.UniqueConstraint(
                fields=["community", "user"], condition=Q(user__isnull=False),
                name="community_membership_unique_user",
            ),
        ]
        indexes = [
            # The visibility queries go from a person (or their organisations) to their communities.
            models.Index(fields=["user", "status", "community"], name="community_m_user_idx"),
            models.Index(fields=["organisation", "status", "community"], name="community_m_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.organisation} @ {self.community} ({self.role}, {self.status})"


class OrganisationClient(models.Model):
    """`organisation` declares `client` as one of its clients: TLP:AMBER sent to `organisation` may
    reach the client's people too (FIRST TLP 2.0: "members of their own organization and its clients")."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="declared_clients"
    )
    client = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="client_of"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("opgegeven klant")
        verbose_name_plural = _("opgegeven klanten")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "client"], name="organisation_client_unique"),
            models.CheckConstraint(condition=~Q(organisation=models.F("client")), name="organisation_client_not_self"),
        ]
        indexes = [models.Index(fields=["client", "organisation"], name="community_client_rev_idx")]

    def __str__(self) -> str:
        return f"{self.client} (klant van {self.organisation})"


class Tlp(models.TextChoices):
    """Traffic Light Protocol 2.0 labels (FIRST, https://www.first.org/tlp/), least strict first."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"


class Item(models.Model):
    """A shared item. Community-independent: its audience rows say where it goes (one or more
    communities, named organisations, named people)."""

    class Kind(models.TextChoices):
        THREAT = "threat", _("Dreiging")
        INCIDENT = "incident", _("Incident")
        VULNERABILITY = "vulnerability", _("Kwetsbaarheid")
        MEASURE = "measure", _("Maatregel")
        LESSON = "lesson", _("Geleerde les")
        QUESTION = "question", _("Vraag")
        DOCUMENT = "document", _("Document")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        PUBLISHED = "published", _("Gepubliceerd")

    kind = models.CharField(_("soort"), max_length=15, choices=Kind.choices)
    title = models.CharField(_("titel"), max_length=300)
    body_markdown = models.TextField(_("tekst (Markdown)"), blank=True)
    # Rendered and sanitised by the services (core.markdown), never by templates or save().
    body_html = models.TextField(editable=False, blank=True)
    tlp = models.CharField(_("TLP-label"), max_length=12, choices=Tlp.choices, default=Tlp.AMBER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Nullable only so that deleting an account keeps what the community learned (see retention).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="community_items",
        verbose_name=_("auteur"),
    )
    author_organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("organisatie van de auteur"),
    )
    anonymous = models.BooleanField(
        _("anoniem geplaatst"), default=False,
        help_text=_("Door een coördinator namens een lid geplaatst; leden zien alleen de community. "
                    "Het auditlog legt vast wie."),
    )
    public_approved = models.BooleanField(
        _("openbaar goedgekeurd"), default=False,
        help_text=_("Alleen TLP:CLEAR; goedgekeurd door een coördinator voor openbare publicatie."),
    )
    published_at = models.DateTimeField(_("gepubliceerd op"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("gedeeld item")
        verbose_name_plural = _("gedeelde items")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(public_approved=False) | Q(tlp="CLEAR"), name="item_public_only_clear"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "tlp", "public_approved"], name="community_item_marking_idx"),
            models.Index(fields=["author", "-created_at"], name="community_item_author_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class ItemAudience(models.Model):
    """One recipient of an item: exactly one of community, organisation, user."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="audience")
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="item_audience"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("ontvanger")
        verbose_name_plural = _("ontvangers")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(community__isnull=False, organisation__isnull=True, user__isnull=True)
                    | Q(community__isnull=True, organisation__isnull=False, user__isnull=True)
                    | Q(community__isnull=True, organisation__isnull=True, user__isnull=False)
                ),
                name="item_audience_exactly_one_target",
            ),
            models.UniqueConstraint(fields=["item", "community"], condition=Q(community__isnull=False),
                                    name="item_audience_unique_community"),
            models.UniqueConstraint(fields=["item", "organisation"], condition=Q(organisation__isnull=False),
                                    name="item_audience_unique_org"),
            models.UniqueConstraint(fields=["item", "user"], condition=Q(user__isnull=False),
                                    name="item_audience_unique_user"),
        ]
        indexes = [
            # Both directions: "is this item addressed to X" (per item) and "items addressed to X".
            models.Index(fields=["community", "item"], name="community_aud_comm_idx"),
            models.Index(fields=["organisation", "item"], name="community_aud_org_idx"),
            models.Index(fields=["user", "item"], name="community_aud_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.community or self.organisation or self.user}"
