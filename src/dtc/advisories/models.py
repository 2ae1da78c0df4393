"""Tailored alerts: CSAF advisories in, plain-language messages out, only to the businesses they concern.

Flow: a CSAF document is validated and stored as an `AdvisoryRevision` of its `Advisory` (identity =
publisher namespace + tracking id; every revision is kept). Its products become `AdvisoryProduct`
rows, mapped to the organisations' product catalogue; unmapped ones wait in the analysts' review
queue. Version ranges are judged per version in use (`VersionVerdict`); what cannot be parsed counts
as "possibly affected", never as a silent miss. An analyst publishes a `Message`; publishing writes
one `Alert` per organisation concerned in one set-based statement with the unique key (advisory,
revision, organisation), and the delivery outbox (`Delivery`) sends it by e-mail and webhook.

Only TLP:CLEAR (WHITE) advisories can ever be published to businesses; others stay with analysts.

Retention (AVG):
- Advisories, revisions and messages hold no personal data; kept for as long as the centre wants.
- `Alert` rows (which organisation was told what, and its "done / not relevant" answer): deleted
  `DTC_RETENTION["alerts"]` days (default 730) after creation by the daily purge; the effect figures
  keep only counts.
- `Delivery` rows (outbox, incl. error text): deleted `DTC_RETENTION["alert_deliveries"]` days
  (default 90) after they were sent or failed for good.
- Forwarding to an IT supplier stores nothing but an audit entry without the supplier's address.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Tlp(models.TextChoices):
    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"
    UNKNOWN = "", _("geen TLP opgegeven")


class Provider(models.Model):
    """A CSAF provider the scheduled job polls: a provider-metadata.json URL, or a directory URL."""

    name = models.CharField(_("naam"), max_length=200)
    url = models.URLField(_("adres"), max_length=500, unique=True)
    enabled = models.BooleanField(_("actief"), default=True)
    # Newest changes.csv timestamp already processed, per directory URL: {"https://…/": "2024-…Z"}.
    cursor = models.JSONField(default=dict, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("CSAF-bron")
        verbose_name_plural = _("CSAF-bronnen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Advisory(models.Model):
    publisher_namespace = models.CharField(_("namespace uitgever"), max_length=500)
    publisher_name = models.CharField(_("uitgever"), max_length=300)
    tracking_id = models.CharField(_("kenmerk"), max_length=200)
    title = models.CharField(_("titel"), max_length=500)
    tlp = models.CharField(_("TLP"), max_length=12, choices=Tlp.choices, blank=True)
    # Highest CVSS base score over the vulnerabilities of the newest revision; None when absent.
    cvss_max = models.DecimalField(_("hoogste CVSS-score"), max_digits=3, decimal_places=1, null=True, blank=True)
    exploited = models.BooleanField(_("actief misbruikt"), default=False)
    current_revision = models.ForeignKey(
        "AdvisoryRevision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("advies")
        verbose_name_plural = _("adviezen")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["publisher_namespace", "tracking_id"], name="advisory_identity")
        ]

    def __str__(self) -> str:
        return f"{self.tracking_id}: {self.title}"

    @property
    def may_reach_businesses(self) -> bool:
        """Only TLP:CLEAR (the former WHITE) advisories may ever be sent to businesses."""
        return self.tlp == Tlp.CLEAR


class AdvisoryRevision(models.Model):
    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="revisions")
    version = models.CharField(_("versie"), max_length=50)
    release_date = models.DateTimeField(_("uitgegeven"))
    document = models.JSONField()
    sha256 = models.CharField(max_length=64)
    source = models.CharField(_("herkomst"), max_length=1000)
    imported_at = models.DateTimeField(auto_now_add=True)
    # Worth sending again: adds affected products, a fix, or an "exploited" flag compared with the
    # previous revision. The first revision is always significant.
    significant = models.BooleanField(default=True)
    # Machine-readable reasons: ["first", "new_products", "new_fix", "exploited"] or [] for a typo fix.
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("revisie")
        verbose_name_plural = _("revisies")
        ordering = ["advisory", "-release_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["advisory", "sha256"], name="revision_unique_content")]

    def __str__(self) -> str:
        return f"{self.advisory.tracking_id} v{self.version}"


class ProductStatus(models.TextChoices):
    AFFECTED = "affected", _("kwetsbaar")
    FIXED = "fixed", _("opgelost")
    NOT_AFFECTED = "not_affected", _("niet kwetsbaar")
    UNDER_INVESTIGATION = "under_investigation", _("in onderzoek")
    RECOMMENDED = "recommended", _("aanbevolen")


class AdvisoryProduct(models.Model):
    """One product of one revision with its status, as the CSAF product tree and vulnerabilities say."""

    revision = models.ForeignKey(AdvisoryRevision, on_delete=models.CASCADE, related_name="products")
    csaf_product_id = models.CharField(max_length=300)
    full_name = models.CharField(max_length=1000)
    vendor = models.CharField(max_length=300, blank=True)
    product_name = models.CharField(max_length=500, blank=True)
    version_text = models.CharField(max_length=500, blank=True)
    cpe = models.CharField(max_length=1000, blank=True)
    purl = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=20, choices=ProductStatus.choices)
    # Lower-cased, punctuation-free "vendor product", the key of the review queue.
    match_key = models.CharField(max_length=800, blank=True, db_index=True)
    catalogue_product = models.ForeignKey(
        "organisations.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="advisory_products"
    )
    # How the catalogue product was found: "alias", "cpe", "purl", "name" or "" (not mapped).
    matched_by = models.CharField(max_length=10, blank=True)
    # The range as a canonical `vers` string when the adapter could parse it, else "".
    vers = models.CharField(max_length=1000, blank=True)

    class Meta:
        verbose_name = _("product in advies")
        verbose_name_plural = _("producten in advies")
        indexes = [models.Index(fields=["catalogue_product", "revision"], name="advprod_catalogue_rev")]

    def __str__(self) -> str:
        return self.full_name


class Vulnerability(models.Model):
    revision = models.ForeignKey(AdvisoryRevision, on_delete=models.CASCADE, related_name="vulnerabilities")
    cve = models.CharField(max_length=30, blank=True, db_index=True)
    title = models.CharField(max_length=500, blank=True)
    cvss_score = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    exploited = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("kwetsbaarheid")
        verbose_name_plural = _("kwetsbaarheden")

    def __str__(self) -> str:
        return self.cve or self.title


class KnownExploited(models.Model):
    """An entry of CISA's Known Exploited Vulnerabilities catalogue (imported JSON)."""

    cve = models.CharField(max_length=30, unique=True)
    vendor = models.CharField(max_length=300, blank=True)
    product = models.CharField(max_length=300, blank=True)
    date_added = models.DateField(null=True, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("actief misbruikte kwetsbaarheid")
        verbose_name_plural = _("actief misbruikte kwetsbaarheden")

    def __str__(self) -> str:
        return self.cve


class ReviewDismissal(models.Model):
    """A review-queue key an analyst marked as "not in our catalogue" (it leaves the queue)."""

    match_key = models.CharField(max_length=800, unique=True)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.match_key


class VersionVerdict(models.Model):
    """Whether one version in use of one catalogue product lies in a revision's affected ranges.

    Computed before publishing for the distinct versions organisations reported (a few hundred,
    not millions), so that the audience statement can stay one set-based SQL statement. An empty
    version, or a range that cannot be parsed, is never stored as "not affected"."""

    revision = models.ForeignKey(AdvisoryRevision, on_delete=models.CASCADE, related_name="verdicts")
    product = models.ForeignKey("organisations.Product", on_delete=models.CASCADE, related_name="+")
    version = models.CharField(max_length=100)
    affected = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["revision", "product", "version"], name="verdict_unique")
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.version}: {'affected' if self.affected else 'not affected'}"


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent: nu handelen")
    NORMAL = "normal", _("Normaal")


class Message(models.Model):
    """The plain-language Dutch message an analyst publishes for an advisory."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        AWAITING_APPROVAL = "awaiting", _("Wacht op goedkeuring")
        APPROVED = "approved", _("Goedgekeurd")
        PUBLISHED = "published", _("Gepubliceerd")

    advisory = models.OneToOneField(Advisory, on_delete=models.CASCADE, related_name="message")
    title = models.CharField(_("titel"), max_length=200)
    what = models.TextField(_("Wat is er aan de hand?"))
    who = models.TextField(_("Wie loopt risico?"))
    steps = models.TextField(_("Wat moet u nu doen?"), help_text=_("Eén stap per regel."))
    principle = models.CharField(_("basisprincipe"), max_length=100, blank=True)
    links = models.TextField(_("meer lezen"), blank=True, help_text=_("Eén adres per regel (artikelen op deze site)."))
    urgency = models.CharField(_("urgentie"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    sectors = models.JSONField(_("alleen sectoren"), default=list, blank=True)
    provinces = models.JSONField(_("alleen provincies"), default=list, blank=True)
    size_classes = models.JSONField(_("alleen grootteklassen"), default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # The newest revision alerts were written for; a significant newer revision can be sent again.
    published_revision = models.ForeignKey(
        AdvisoryRevision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bericht")
        verbose_name_plural = _("berichten")

    def __str__(self) -> str:
        return self.title


class Alert(models.Model):
    """One organisation told about one revision of one advisory: the unit of "sent once"."""

    class Response(models.TextChoices):
        NONE = "", _("Nog niet beantwoord")
        DONE = "done", _("Gedaan")
        NOT_RELEVANT = "not_relevant", _("Niet van toepassing")

    # No separate indexes on advisory and organisation: the unique key (advisory, revision,
    # organisation) and the (organisation, created_at) index lead with them; fewer indexes, faster
    # publishing (bench/README.md).
    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="alerts", db_index=False)
    revision = models.ForeignKey(AdvisoryRevision, on_delete=models.CASCADE, related_name="alerts")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="alerts", db_index=False
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    response = models.CharField(max_length=15, choices=Response.choices, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    # Outbox planning state: False until `deliveries_plan` wrote this alert's Delivery rows.
    planned = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("waarschuwing")
        verbose_name_plural = _("waarschuwingen")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["advisory", "revision", "organisation"], name="alert_once_per_revision")
        ]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="alert_org_created"),
            models.Index(fields=["planned"], name="alert_unplanned", condition=models.Q(planned=False)),
        ]

    def __str__(self) -> str:
        return f"{self.advisory.tracking_id} → {self.organisation_id}"


class AlertSettings(models.Model):
    """An organisation's alert channels and their timing."""

    class EmailUrgent(models.TextChoices):
        IMMEDIATE = "immediate", _("Direct")
        DAILY = "daily", _("In het dagelijkse overzicht")
        OFF = "off", _("Geen e-mail")

    class EmailOther(models.TextChoices):
        IMMEDIATE = "immediate", _("Direct")
        DAILY = "daily", _("Dagelijks overzicht")
        WEEKLY = "weekly", _("Wekelijks overzicht")
        OFF = "off", _("Geen e-mail")

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="alert_settings"
    )
    email_urgent = models.CharField(
        _("e-mail bij urgente waarschuwingen"), max_length=10, choices=EmailUrgent.choices, default=EmailUrgent.IMMEDIATE
    )
    email_other = models.CharField(
        _("e-mail bij andere waarschuwingen"), max_length=10, choices=EmailOther.choices, default=EmailOther.DAILY
    )
    webhook_url = models.URLField(_("webhook-adres"), max_length=500, blank=True)
    webhook_secret = models.CharField(max_length=64, blank=True)
    webhook_urgent_only = models.BooleanField(_("webhook alleen bij urgente waarschuwingen"), default=False)
    feed_key_sha256 = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # When someone last confirmed the product list is right ("is this still right?" prompt).
    products_confirmed_at = models.DateTimeField(null=True, blank=True)
    products_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("waarschuwingsinstellingen")
        verbose_name_plural = _("waarschuwingsinstellingen")

    def __str__(self) -> str:
        return f"alert settings of {self.organisation_id}"


class AlertOptOut(models.Model):
    """A member who asked (via the signed link in an alert e-mail, or the settings page) for no alert e-mail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_opt_outs")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="alert_opt_out_unique")]

    def __str__(self) -> str:
        return f"no alert e-mail for {self.user_id} at {self.organisation_id}"


class Delivery(models.Model):
    """Outbox: one message on one channel to one recipient, with states so a crash loses nothing.

    pending → sending (claimed with a lease) → sent | pending again with back-off | failed (permanent).
    A row left in `sending` after its lease ran out was never acknowledged by the receiving server
    (we commit `sent` right after the server's 250/2xx) and is sent again."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        DIGEST = "digest", _("E-mailoverzicht")
        WEBHOOK = "webhook", _("Webhook")

    class State(models.TextChoices):
        PENDING = "pending", _("Wacht")
        SENDING = "sending", _("Wordt verstuurd")
        SENT = "sent", _("Verstuurd")
        FAILED = "failed", _("Mislukt")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # "u<user id>" for e-mail and digest, "webhook" for the webhook.
    recipient = models.CharField(max_length=30)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    available_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("bezorging")
        verbose_name_plural = _("bezorgingen")
        constraints = [
            models.UniqueConstraint(fields=["alert", "channel", "recipient"], name="delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["channel", "available_at"],
                name="delivery_due",
                condition=models.Q(state__in=["pending", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient} {self.state}"
