"""On PostgreSQL, search uses the Dutch text-search configuration: a plural or inflected query finds
an article that only contains the stem (‘wachtwoorden’ finds ‘wachtwoord’)."""

from __future__ import annotations

import pytest

from dtc.knowledge import selectors
from dtc.knowledge.tests.factories import ArticlePageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_dutch_stemming_finds_the_singular(small_tree):
    article = ArticlePageFactory(
        parent=small_tree["category"], title="Inloggen", intro="Over inloggen.",
        body="<p>Kies een lang wachtwoord.</p>",
    )
    assert "wachtwoorden" not in article.body

    results = list(selectors.search_pages(query="wachtwoorden"))

    assert [page.pk for page in results] == [article.pk]
