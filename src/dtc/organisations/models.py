"""The spine: users, their organisations and each organisation's profile (sector, region, size,
domains, products used). Other apps read it through `selectors`, none duplicates it.

Retention (AVG): a user's data lives as long as the account; deleting the account removes the user,
their memberships and invitations they sent; an organisation without members is removed with its
last member. Unverified sign-ups are removed after DTC_RETENTION["unverified_accounts"] days and
open invitations after DTC_RETENTION["invitations"] days (`organisations.tasks`).
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person. Logs in with e-mail address; no username, no more personal data than needed."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mailadres"), unique=True)
    name = models.CharField(_("naam"), max_length=150, blank=True)
    language = models.CharField(
        _("taal"), max_length=5, choices=[("nl", "Nederlands"), ("en", "English")], default="nl"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self) -> str:
        return self.name or self.email


class Role(models.TextChoices):
    """Platform roles, held as Django groups so permissions can be attached to them."""

    COMMUNITY_COORDINATOR = "community_coordinator", _("Communitycoördinator")
    EXPERT = "expert", _("Expert")
    EDITOR = "editor", _("Redacteur")
    ANALYST = "analyst", _("Analist")
    INCIDENT_HANDLER = "incident_handler", _("Incidentbehandelaar")
    STAFF_ADMIN = "staff_admin", _("Functioneel beheerder")


class Sector(models.TextChoices):
    """SBI 2008 sections (CBS)."""

    A = "A", _("A – Landbouw, bosbouw en visserij")
    B = "B", _("B – Delfstoffenwinning")
    C = "C", _("C – Industrie")
    D = "D", _("D – Energievoorziening")
    E = "E", _("E – Waterbedrijven en afvalbeheer")
    F = "F", _("F – Bouwnijverheid")
    G = "G", _("G – Handel")
    H = "H", _("H – Vervoer en opslag")
    I = "I", _("I – Logies-, maaltijd- en drankverstrekking")  # noqa: E741
    J = "J", _("J – Informatie en communicatie")
    K = "K", _("K – Financiële instellingen")
    L = "L", _("L – Verhuur van en handel in onroerend goed")
    M = "M", _("M – Specialistische zakelijke diensten")
    N = "N", _("N – Verhuur en overige zakelijke diensten")
    O = "O", _("O – Openbaar bestuur en overheidsdiensten")  # noqa: E741
    P = "P", _("P – Onderwijs")
    Q = "Q", _("Q – Gezondheids- en welzijnszorg")
    R = "R", _("R – Cultuur, sport en recreatie")
    S = "S", _("S – Overige dienstverlening")
    T = "T", _("T – Huishoudens als werkgever")
    U = "U", _("U – Extraterritoriale organisaties")


class Province(models.TextChoices):
    DR = "DR", "Drenthe"
    FL = "FL", "Flevoland"
    FR = "FR", "Fryslân"
    GE = "GE", "Gelderland"
    GR = "GR", "Groningen"
    LI = "LI", "Limburg"
    NB = "NB", "Noord-Brabant"
    NH = "NH", "Noord-Holland"
    OV = "OV", "Overijssel"
    UT = "UT", "Utrecht"
    ZE = "ZE", "Zeeland"
    ZH = "ZH", "Zuid-Holland"


class SizeClass(models.TextChoices):
    ONE = "1", _("1 persoon")
    SMALL = "2-9", _("2 tot 10 personen")
    MEDIUM_SMALL = "10-49", _("10 tot 50 personen")
    MEDIUM = "50-249", _("50 tot 250 personen")
    LARGE = "250+", _("250 personen of meer")


KVK_RE = re.compile(r"^\d{8}$")


def validate_kvk_number(value: str) -> None:
    """A KvK number is exactly 8 digits (Handelsregisterwet; KvK API documentation)."""
    if not KVK_RE.fullmatch(value or ""):
        raise ValidationError(_("Een KvK-nummer bestaat uit precies 8 cijfers."), code="kvk_format")


DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$")


def validate_domain_name(value: str) -> None:
    if not DOMAIN_RE.fullmatch(value or ""):
        raise ValidationError(
            _("Vul een domeinnaam in zoals voorbeeld.nl, zonder https:// of paden."), code="domain_format"
        )


class Municipality(models.Model):
    """A Dutch municipality (CBS gemeentecode), with its province."""

    code = models.CharField(_("CBS-code"), max_length=6, unique=True)
    name = models.CharField(_("naam"), max_length=100)
    province = models.CharField(_("provincie"), max_length=2, choices=Province.choices)

    class Meta:
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    name = models.CharField(_("naam"), max_length=200)
    kvk_number = models.CharField(
        _("KvK-nummer"), max_length=8, blank=True, validators=[validate_kvk_number],
        help_text=_("8 cijfers, te vinden op uw uittreksel van de Kamer van Koophandel."),
    )
    sector = models.CharField(_("sector (SBI)"), max_length=1, choices=Sector.choices, blank=True, db_index=True)
    province = models.CharField(_("provincie"), max_length=2, choices=Province.choices, blank=True, db_index=True)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("gemeente"), null=True, blank=True, on_delete=models.PROTECT
    )
    size_class = models.CharField(
        _("aantal medewerkers"), max_length=6, choices=SizeClass.choices, blank=True, db_index=True
    )
    products = models.ManyToManyField("Product", through="OrganisationProduct", related_name="organisations")
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("bijgewerkt"), auto_now=True)

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kvk_number"], condition=~models.Q(kvk_number=""), name="organisation_unique_kvk"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class OrgRole(models.TextChoices):
        MEMBER = "member", _("Lid")
        ADMIN = "admin", _("Beheerder van de organisatie")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rol"), max_length=10, choices=OrgRole.choices, default=OrgRole.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mailadres"))
    role = models.CharField(_("rol"), max_length=10, choices=Membership.OrgRole.choices, default="member")
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class Domain(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domains")
    name = models.CharField(_("domeinnaam"), max_length=253, validators=[validate_domain_name])
    verification_token = models.CharField(max_length=64, default=_invitation_token, editable=False)
    verified_at = models.DateTimeField(_("eigendom aangetoond op"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("domein")
        verbose_name_plural = _("domeinen")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="domain_unique_per_org")]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A product in the catalogue that advisories are matched against."""

    vendor = models.CharField(_("leverancier"), max_length=200)
    name = models.CharField(_("product"), max_length=200)
    category = models.CharField(_("soort"), max_length=100, blank=True)
    cpe_prefix = models.CharField(
        _("CPE-voorvoegsel"), max_length=300, blank=True, help_text=_("Bijvoorbeeld cpe:2.3:a:microsoft:365_apps")
    )
    purl_prefix = models.CharField(_("PURL-voorvoegsel"), max_length=300, blank=True)
    # Lower-cased "vendor product" and aliases, for search and matching.
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("producten")
        ordering = ["vendor", "name"]
        constraints = [
            models.UniqueConstraint(Lower("vendor"), Lower("name"), name="product_unique_vendor_name")
        ]

    def __str__(self) -> str:
        # "WordPress WordPress" and "Microsoft Microsoft 365 Apps" say the vendor once.
        if self.name.lower().startswith(self.vendor.lower()):
            return self.name
        return f"{self.vendor} {self.name}"


class ProductAlias(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(_("alias"), max_length=300)

    class Meta:
        verbose_name = _("productalias")
        verbose_name_plural = _("productaliassen")
        constraints = [models.UniqueConstraint(Lower("alias"), name="product_alias_unique")]

    def __str__(self) -> str:
        return self.alias


class OrganisationProduct(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="product_uses")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="uses")
    version = models.CharField(_("versie"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gebruikt product")
        verbose_name_plural = _("gebruikte producten")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "product"], name="organisation_product_unique")
        ]
        # The alert audience reads (product, version) → organisation without touching the table.
        indexes = [models.Index(fields=["product", "version", "organisation"], name="orgproduct_audience")]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.product}"


class FeedToken(models.Model):
    """A personal secret for reading one's community feeds (Atom) in a feed reader, which cannot log in.

    Only its SHA-256 is stored; the token itself is shown once. It reads feeds only (no other page or
    API accepts it), and restricted items appear in feeds as title-less pointers (see
    dtc.community.feeds). Retention: until the user revokes it or deletes the account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token")
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedtoken")
        verbose_name_plural = _("feedtokens")

    def __str__(self) -> str:
        return f"feed token of {self.user_id}"
