"""Factories for knowledge pages. Wagtail pages live in a tree, so every factory creates its page
under a parent (`parent=`) and publishes it through a revision, the way an editor would; the
`draft` trait leaves a page saved but never published."""

from __future__ import annotations

import factory
from wagtail.models import Page, Site

from dtc.knowledge.models import ArticlePage, CategoryPage, HomePage, PrincipleIndexPage, PrinciplePage


class PageFactory(factory.Factory):
    """Base: `_create` adds the page under `parent` and publishes it unless `draft=True`."""

    class Meta:
        abstract = True

    class Params:
        draft = factory.Trait(live=False)

    live = True

    @classmethod
    def _create(cls, model_class, *args, parent: Page, principles=(), **kwargs):
        live = kwargs.pop("live", True)
        page = model_class(*args, live=False, **kwargs)
        parent.add_child(instance=page)
        if principles:
            page.principles.set(principles)
        revision = page.save_revision()
        if live:
            revision.publish()
            page.refresh_from_db()
        return page


class HomePageFactory(PageFactory):
    class Meta:
        model = HomePage

    title = "Digital Trust Center"
    slug = factory.Sequence(lambda n: f"home-{n}")
    intro = "Digitaal veilig ondernemen."

    @classmethod
    def _create(cls, model_class, *args, parent: Page | None = None, **kwargs):
        """The home page replaces the default site root, like the demo loader does."""
        home = super()._create(model_class, *args, parent=parent or Page.get_first_root_node(), **kwargs)
        Site.objects.update_or_create(
            is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
        )
        return home


class PrincipleIndexPageFactory(PageFactory):
    class Meta:
        model = PrincipleIndexPage

    title = "De vijf basisprincipes"
    slug = "basisprincipes"


class PrinciplePageFactory(PageFactory):
    class Meta:
        model = PrinciplePage

    number = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda o: f"Basisprincipe {o.number}")
    slug = factory.LazyAttribute(lambda o: f"basisprincipe-{o.number}")
    summary = "Een korte samenvatting."
    why = "<p>Waarom het ertoe doet.</p>"


class CategoryPageFactory(PageFactory):
    class Meta:
        model = CategoryPage

    category = "voorkomen"
    title = factory.LazyAttribute(lambda o: o.category.capitalize())
    slug = factory.LazyAttribute(lambda o: o.category)
    intro = "Artikelen in deze categorie."


class ArticlePageFactory(PageFactory):
    class Meta:
        model = ArticlePage

    title = factory.Sequence(lambda n: f"Artikel {n}")
    slug = factory.Sequence(lambda n: f"artikel-{n}")
    intro = "Waar dit artikel over gaat."
    body = "<p>De tekst van het artikel.</p>"
    reading_minutes = 3


def small_tree_build() -> dict[str, Page]:
    """Home › basisprincipes › one principle, and one category: the least a view test needs."""
    home = HomePageFactory()
    index = PrincipleIndexPageFactory(parent=home)
    principle = PrinciplePageFactory(parent=index, number=1)
    category = CategoryPageFactory(parent=home)
    return {"home": home, "index": index, "principle": principle, "category": category}
