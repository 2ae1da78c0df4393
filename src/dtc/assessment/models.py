"""The self-assessment: a versioned question set (data, editable in the back office) and the results.

A question set is edited while it is a draft; publishing it retires the previous one. A published set
is never changed again, because results point at the set (and version) they were scored with. To
change questions, an editor copies the published set to a new draft (`questionset_copy`).

Retention (AVG): an anonymous result holds no personal data — answers about the business's measures,
a hashed resume token and, if the visitor opted in, sector and size class for peer comparison. It is
deleted `DTC_RETENTION["assessment_anonymous"]` days after its last change. Results of a logged-in
organisation are kept as its history while the organisation exists, and go with it.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dtc.organisations.models import Organisation, Sector, SizeClass

RUNG_LABELS = {
    0: _("Onbeschermd"),
    1: _("Op weg"),
    2: _("Basis op orde"),
    3: _("In control"),
    4: _("Weerbaar"),
}
RUNG_CHOICES = list(RUNG_LABELS.items())
TOP_RUNG = 4

# The two answers the software adds to every scored question; never stored as options.
DONT_KNOW = "dont_know"
NOT_APPLICABLE = "na"


def localised(nl: str, en: str) -> str:
    """The English text when the page is in English and one was written; Dutch otherwise."""
    if (get_language() or "nl").startswith("en") and en:
        return en
    return nl


class QuestionSet(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        PUBLISHED = "published", _("In gebruik")
        RETIRED = "retired", _("Vervangen")

    version = models.CharField(_("versie"), max_length=20, unique=True, help_text=_("Bijvoorbeeld 2026.1"))
    title = models.CharField(_("titel"), max_length=200)
    title_en = models.CharField(_("titel (Engels)"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("in gebruik sinds"), null=True, blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)

    class Meta:
        verbose_name = _("vragenlijst")
        verbose_name_plural = _("vragenlijsten")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="published"), name="assessment_one_published_set"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    @property
    def display_title(self) -> str:
        return localised(self.title, self.title_en)


class Question(models.Model):
    class Kind(models.TextChoices):
        CONTEXT = "context", _("Context (telt niet mee)")
        SCORED = "scored", _("Telt mee")

    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("sleutel"), max_length=60, help_text=_("Blijft gelijk tussen versies."))
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices, default=Kind.SCORED)
    principle = models.PositiveSmallIntegerField(
        _("basisprincipe"), null=True, blank=True, choices=[(n, str(n)) for n in range(1, 6)]
    )
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    text = models.TextField(_("vraag"))
    text_en = models.TextField(_("vraag (Engels)"), blank=True)
    help = models.TextField(_("toelichting"), blank=True)
    help_en = models.TextField(_("toelichting (Engels)"), blank=True)
    is_key = models.BooleanField(
        _("sleutelvraag"), default=False,
        help_text=_("Het basisprincipe komt nooit hoger dan het antwoord op deze vraag."),
    )
    allow_not_applicable = models.BooleanField(_("'niet van toepassing' toestaan"), default=False)
    show_if = models.JSONField(
        _("alleen tonen als"), default=dict, blank=True,
        help_text=_('Contextantwoorden, bijvoorbeeld {"webshop": ["yes"]}. Leeg: altijd tonen.'),
    )
    article_slug = models.SlugField(_("kennisartikel (slug)"), max_length=255, blank=True)
    unknown_step = models.TextField(_("taak bij 'weet ik niet'"), blank=True)
    unknown_step_en = models.TextField(_("taak bij 'weet ik niet' (Engels)"), blank=True)
    unknown_who = models.CharField(_("wie zoekt het uit"), max_length=10, default="you")

    class Meta:
        verbose_name = _("vraag")
        verbose_name_plural = _("vragen")
        ordering = ["kind", "principle", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question_set", "key"], name="assessment_question_unique_key"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def display_text(self) -> str:
        return localised(self.text, self.text_en)

    @property
    def display_help(self) -> str:
        return localised(self.help, self.help_en)

    @property
    def display_unknown_step(self) -> str:
        return localised(self.unknown_step, self.unknown_step_en)


class Option(models.Model):
    class Effort(models.TextChoices):
        MINUTES = "minutes", _("minder dan een uur")
        HOURS = "hours", _("een paar uur")
        DAYS = "days", _("een paar dagen")
        PROJECT = "project", _("een project")

    class Cost(models.TextChoices):
        FREE = "free", _("gratis")
        LOW = "low", _("laag (tot ongeveer 100 euro per jaar)")
        MEDIUM = "medium", _("gemiddeld (tot ongeveer 1000 euro)")
        HIGH = "high", _("hoog (meer dan 1000 euro)")

    class Who(models.TextChoices):
        YOU = "you", _("jij")
        SUPPLIER = "supplier", _("je IT-leverancier")
        BOTH = "both", _("jij of je IT-leverancier")

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    key = models.SlugField(_("sleutel"), max_length=60)
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    text = models.TextField(_("antwoord"))
    text_en = models.TextField(_("antwoord (Engels)"), blank=True)
    rung = models.PositiveSmallIntegerField(_("trede"), null=True, blank=True, choices=RUNG_CHOICES)
    step = models.TextField(_("volgende stap"), blank=True)
    step_en = models.TextField(_("volgende stap (Engels)"), blank=True)
    effort = models.CharField(_("inspanning"), max_length=10, choices=Effort.choices, blank=True)
    cost = models.CharField(_("kosten"), max_length=10, choices=Cost.choices, blank=True)
    who = models.CharField(_("wie doet het"), max_length=10, choices=Who.choices, blank=True)

    class Meta:
        verbose_name = _("antwoord")
        verbose_name_plural = _("antwoorden")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="assessment_option_unique_key"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def display_text(self) -> str:
        return localised(self.text, self.text_en)

    @property
    def display_step(self) -> str:
        return localised(self.step, self.step_en)


class Result(models.Model):
    """One run through the questionnaire: anonymous (reached by its resume token) or an organisation's."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("Bezig")
        FINISHED = "finished", _("Afgerond")

    question_set = models.ForeignKey(QuestionSet, on_delete=models.PROTECT, related_name="results")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="assessment_results"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS, db_index=True)
    step = models.PositiveSmallIntegerField(default=0)
    context = models.JSONField(default=dict, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    # Computed by scoring.score() whenever answers change; stored for history, peers and figures.
    overall_rung = models.PositiveSmallIntegerField(null=True, blank=True, choices=RUNG_CHOICES)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    principle_rungs = models.JSONField(default=dict, blank=True)
    actions_done = models.PositiveSmallIntegerField(default=0)
    # Peer comparison is opt-in; without it, sector and size class stay empty.
    peer_opt_in = models.BooleanField(default=False)
    sector = models.CharField(max_length=1, choices=Sector.choices, blank=True)
    size_class = models.CharField(max_length=6, choices=SizeClass.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("uitslag zelftest")
        verbose_name_plural = _("uitslagen zelftest")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "sector", "size_class"], name="assessment_peer_idx"),
            models.Index(fields=["organisation", "-created_at"], name="assessment_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.FINISHED


class ActionDone(models.Model):
    """An action ticked off on a result: the answer moved up one option without retaking the test."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="done")
    question_key = models.SlugField(max_length=60)
    from_answer = models.SlugField(max_length=60)
    to_answer = models.SlugField(max_length=60)
    done_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_at", "id"]

    def __str__(self) -> str:
        return f"{self.question_key}: {self.from_answer} -> {self.to_answer}"


class ReferenceFigure(models.Model):
    """A published figure shown for comparison until a peer group has enough results (cite the source)."""

    measure = models.CharField(_("maatregel"), max_length=60, blank=True)
    label = models.CharField(_("omschrijving"), max_length=200)
    label_en = models.CharField(_("omschrijving (Engels)"), max_length=200, blank=True)
    value_percent = models.DecimalField(_("percentage"), max_digits=5, decimal_places=1)
    population = models.CharField(_("groep"), max_length=200)
    population_en = models.CharField(_("groep (Engels)"), max_length=200, blank=True)
    size_class = models.CharField(_("grootteklasse"), max_length=10, blank=True)
    year = models.PositiveSmallIntegerField(_("jaar"))
    source = models.CharField(_("bron"), max_length=200)
    url = models.URLField(_("adres van de bron"), max_length=500)
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("referentiecijfer")
        verbose_name_plural = _("referentiecijfers")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def display_label(self) -> str:
        return localised(self.label, self.label_en)

    @property
    def display_population(self) -> str:
        return localised(self.population, self.population_en)
