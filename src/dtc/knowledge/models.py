"""The public knowledge site, managed by editors in Wagtail (drafts, moderation workflow, scheduled
publishing and revisions come from Wagtail).

Tree: HomePage → PrincipleIndexPage (/basisprincipes/) → PrinciplePage ×5
                → CategoryPage (/voorkomen/, /herkennen/, /reageren/) → ArticlePage
                → StandardPage (privacy, accessibility, responsible disclosure)
"""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

RICH_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class Category(models.TextChoices):
    PREVENT = "voorkomen", _("Voorkomen")
    RECOGNISE = "herkennen", _("Herkennen")
    RESPOND = "reageren", _("Reageren")


class HomePage(Page):
    intro = models.TextField(_("introductie"), blank=True)
    body = RichTextField(_("tekst"), blank=True, features=RICH_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    subpage_types = ["knowledge.PrincipleIndexPage", "knowledge.CategoryPage", "knowledge.StandardPage"]
    max_count = 1
    template = "knowledge/home_page.html"

    class Meta:
        verbose_name = _("startpagina")

    def get_context(self, request, *args, **kwargs):
        from dtc.knowledge import selectors

        context = super().get_context(request, *args, **kwargs)
        context["principles"] = selectors.principles_list()
        context["categories"] = selectors.categories_list()
        context["latest_articles"] = selectors.articles_latest(limit=6)
        return context


class PrincipleIndexPage(Page):
    intro = models.TextField(_("introductie"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["knowledge.HomePage"]
    subpage_types = ["knowledge.PrinciplePage"]
    max_count = 1
    template = "knowledge/principle_index_page.html"

    class Meta:
        verbose_name = _("overzicht basisprincipes")

    def get_context(self, request, *args, **kwargs):
        from dtc.knowledge import selectors

        context = super().get_context(request, *args, **kwargs)
        context["principles"] = selectors.principles_list()
        return context


class PrinciplePage(Page):
    """One of the five basic principles of safe digital business."""

    number = models.PositiveSmallIntegerField(_("nummer"), unique=True)
    summary = models.TextField(_("samenvatting"), help_text=_("Eén of twee zinnen, zoals op de startpagina."))
    why = RichTextField(_("waarom dit belangrijk is"), features=RICH_FEATURES)
    steps = StreamField(
        [("step", blocks.StructBlock([
            ("title", blocks.CharBlock(label=_("stap"))),
            ("text", blocks.RichTextBlock(features=["bold", "italic", "link", "ul", "ol"], label=_("uitleg"))),
        ], label=_("stap")))],
        verbose_name=_("concrete stappen"),
        blank=True,
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("why"),
        index.SearchField("steps"),
    ]
    content_panels = [
        *Page.content_panels, FieldPanel("number"), FieldPanel("summary"), FieldPanel("why"), FieldPanel("steps")
    ]
    parent_page_types = ["knowledge.PrincipleIndexPage"]
    subpage_types: list[str] = []
    template = "knowledge/principle_page.html"

    class Meta:
        verbose_name = _("basisprincipe")
        verbose_name_plural = _("basisprincipes")
        ordering = ["number"]

    def get_context(self, request, *args, **kwargs):
        from dtc.knowledge import selectors

        context = super().get_context(request, *args, **kwargs)
        context["articles"] = selectors.articles_for_principle(principle=self)
        return context


class CategoryPage(Page):
    """Voorkomen, herkennen or reageren: the three ways the site orders its articles."""

    category = models.CharField(_("categorie"), max_length=12, choices=Category.choices, unique=True)
    intro = models.TextField(_("introductie"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("category"), FieldPanel("intro")]
    parent_page_types = ["knowledge.HomePage"]
    subpage_types = ["knowledge.ArticlePage"]
    template = "knowledge/category_page.html"

    class Meta:
        verbose_name = _("categorie")
        verbose_name_plural = _("categorieën")

    def get_context(self, request, *args, **kwargs):
        from dtc.knowledge import selectors

        context = super().get_context(request, *args, **kwargs)
        context["articles"] = selectors.articles_paginated(
            category_page=self, page_number=request.GET.get("pagina")
        )
        return context


class ArticlePage(Page):
    intro = models.TextField(_("introductie"), help_text=_("Waar gaat het over, in twee of drie zinnen?"))
    body = RichTextField(_("tekst"), features=RICH_FEATURES)
    principles = ParentalManyToManyField(
        "knowledge.PrinciplePage", related_name="articles", verbose_name=_("basisprincipes"), blank=True
    )
    reading_minutes = models.PositiveSmallIntegerField(_("leestijd (minuten)"), default=3)

    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("path"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("principles", widget=forms.CheckboxSelectMultiple),
        FieldPanel("reading_minutes"),
    ]
    parent_page_types = ["knowledge.CategoryPage"]
    subpage_types: list[str] = []
    template = "knowledge/article_page.html"

    class Meta:
        verbose_name = _("artikel")
        verbose_name_plural = _("artikelen")

    @property
    def category_page(self) -> CategoryPage | None:
        parent = self.get_parent()
        return parent.specific if parent is not None else None  # type: ignore[return-value]

    def get_context(self, request, *args, **kwargs):
        from dtc.knowledge import selectors

        context = super().get_context(request, *args, **kwargs)
        context["principles"] = selectors.principles_for_article(article=self)
        context["related_articles"] = selectors.articles_related(article=self, limit=3)
        return context


class StandardPage(Page):
    """Plain pages: privacy statement, accessibility statement, responsible disclosure."""

    intro = models.TextField(_("introductie"), blank=True)
    body = RichTextField(_("tekst"), features=RICH_FEATURES)
    updated_on = models.DateField(_("laatst bijgewerkt"), null=True, blank=True)

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body"), FieldPanel("updated_on")]
    parent_page_types = ["knowledge.HomePage"]
    subpage_types: list[str] = []
    template = "knowledge/standard_page.html"

    class Meta:
        verbose_name = _("standaardpagina")
