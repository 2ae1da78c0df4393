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

from dtc.organisations.models import Province


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


# Least strict first (the order of `Tlp`): what "lowering" or "narrowing" a label means.
TLP_ORDER: list[str] = [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED]
# Labels whose title and text never leave the platform by a channel it does not control (e-mail,
# feed readers) unless the person opted in: those channels carry a title-less pointer instead.
TLP_POINTER_ONLY: frozenset[str] = frozenset({Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED})


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


# --- what hangs off an item: attachments, indicators, comments, reactions -------------------------
# Each is visible exactly when its item is (core.visibility.items_visible_to); none has a rule of its own.


class Attachment(models.Model):
    """A file shared with an item. Size- and type-checked by the services; served only through a view
    that asks the visibility module, as a download with safe headers (never inline)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("bestand"), upload_to="community/attachments/%Y/%m/", max_length=300)
    original_name = models.CharField(_("bestandsnaam"), max_length=255)
    content_type = models.CharField(_("bestandstype"), max_length=100)
    size = models.PositiveBigIntegerField(_("grootte (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bijlage")
        verbose_name_plural = _("bijlagen")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Indicator(models.Model):
    """A technical indicator (IOC) with an item, validated and normalised by the services."""

    class Kind(models.TextChoices):
        IP = "ip", _("IP-adres")
        DOMAIN = "domain", _("Domeinnaam")
        URL = "url", _("URL")
        MD5 = "md5", _("MD5-hash")
        SHA1 = "sha1", _("SHA-1-hash")
        SHA256 = "sha256", _("SHA-256-hash")
        CVE = "cve", _("CVE")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("waarde"), max_length=2048)
    comment = models.CharField(_("toelichting"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicatoren")
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["item", "kind", "value"], name="indicator_unique_per_item"),
        ]
        # "Similar items": the same indicator elsewhere — always filtered through the visibility module.
        indexes = [models.Index(fields=["kind", "value"], name="community_indicator_value_idx")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"


class Comment(models.Model):
    """A reply under an item; seen by whoever may see the item."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="community_comments"
    )
    body_markdown = models.TextField(_("reactie (Markdown)"))
    body_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reactie")
        verbose_name_plural = _("reacties")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["item", "created_at"], name="community_comment_item_idx")]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.item_id}"


class Reaction(models.Model):
    """A one-click reaction: "seen this too" (ook gezien) or "useful" (nuttig). One per person per kind."""

    class Kind(models.TextChoices):
        SEEN = "seen", _("Ook gezien")
        USEFUL = "useful", _("Nuttig")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reactie (één klik)")
        verbose_name_plural = _("reacties (één klik)")
        constraints = [
            models.UniqueConstraint(fields=["item", "user", "kind"], name="reaction_unique_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id} on {self.item_id}"


# --- the directory: joining a collaboration, experts, events --------------------------------------


class CollaborationJoinRequest(models.Model):
    """A business asks to join a connected collaboration; a coordinator of it decides.

    Retention: the message is personal data; decided requests are removed after a year (purge)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("In behandeling")
        APPROVED = "approved", _("Goedgekeurd")
        DECLINED = "declined", _("Afgewezen")

    collaboration = models.ForeignKey(Collaboration, on_delete=models.CASCADE, related_name="join_requests")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="collaboration_join_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(_("toelichting"), blank=True, max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("aanmelding bij samenwerkingsverband")
        verbose_name_plural = _("aanmeldingen bij samenwerkingsverbanden")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "organisation"], condition=Q(status="pending"),
                name="collaboration_join_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.collaboration_id} ({self.status})"


class Expert(models.Model):
    """A person listed in the expert directory (seen by signed-in users), whom members can ask a
    question and coordinators can invite into communities. Listing is the expert's own choice;
    removing the profile (or the account) removes the listing."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile")
    display_name = models.CharField(_("naam in de gids"), max_length=150)
    headline = models.CharField(_("korte omschrijving"), max_length=200, blank=True)
    bio = models.TextField(_("toelichting"), blank=True, max_length=4000)
    specialties = models.ManyToManyField("ExpertSpecialty", blank=True, related_name="experts",
                                         verbose_name=_("specialismen"))
    province = models.CharField(
        _("regio (provincie)"), max_length=2, blank=True, choices=Province.choices,
        help_text=_("Leeg: heel Nederland."),
    )
    accepts_questions = models.BooleanField(_("neemt vragen aan"), default=True)
    listed = models.BooleanField(_("zichtbaar in de gids"), default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["display_name", "pk"]

    def __str__(self) -> str:
        return self.display_name


class ExpertSpecialty(models.Model):
    name = models.CharField(_("naam"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("specialisme")
        verbose_name_plural = _("specialismen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ExpertQuestion(models.Model):
    """A question a member asks an expert. Only the asker and the expert see it.

    Retention: removed with either account; answered questions are removed after a year (purge)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("onderwerp"), max_length=200)
    body = models.TextField(_("vraag"), max_length=5000)
    answer = models.TextField(_("antwoord"), blank=True, max_length=10000)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vraag aan een expert")
        verbose_name_plural = _("vragen aan experts")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject


class Event(models.Model):
    """An awareness session, intervision meeting or crisis exercise. With a community: seen by those
    who can see the community's contents (its active members); without: public (the centre's own)."""

    class Kind(models.TextChoices):
        AWARENESS = "awareness", _("Bewustwordingssessie")
        INTERVISION = "intervision", _("Intervisiebijeenkomst")
        EXERCISE = "exercise", _("Crisisoefening")
        WEBINAR = "webinar", _("Webinar")

    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="events",
        help_text=_("Leeg: een openbare bijeenkomst van het centrum."),
    )
    kind = models.CharField(_("soort"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("beschrijving"), blank=True, max_length=10000)
    starts_at = models.DateTimeField(_("begint om"))
    ends_at = models.DateTimeField(_("eindigt om"))
    location = models.CharField(_("locatie"), max_length=300, blank=True)
    online_url = models.URLField(_("online deelnemen via"), blank=True)
    capacity = models.PositiveIntegerField(_("maximaal aantal deelnemers"), null=True, blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled = models.BooleanField(_("afgelast"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bijeenkomst")
        verbose_name_plural = _("bijeenkomsten")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"),
        ]
        indexes = [models.Index(fields=["community", "starts_at"], name="community_event_when_idx")]

    def __str__(self) -> str:
        return self.title


class EventRegistration(models.Model):
    """A person registered for an event. Retention: removed with the account, and 90 days after the
    event (purge)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("aanmelding voor een bijeenkomst")
        verbose_name_plural = _("aanmeldingen voor bijeenkomsten")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="event_registration_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.event_id}"
