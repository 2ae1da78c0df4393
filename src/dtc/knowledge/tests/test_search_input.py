"""Whatever a visitor types into search, the answer is a page, never a server error: characters
with a meaning in the backends' query syntax (FTS5, tsquery) are treated as spaces."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dtc.knowledge import selectors


@pytest.mark.parametrize("query", ['"', '"phishing', "wachtwoord*", "a:b", "(back-up", "auto's", "x|y&z!", "\\"])
def test_query_syntax_characters_never_break_search(demo_site, db, client, query):
    response = client.get("/zoeken/", {"q": query})
    assert response.status_code == 200


def test_clean_query_keeps_the_words():
    assert selectors.search_query_clean('  "phishing"  herkennen* ') == "phishing herkennen"
    assert selectors.search_query_clean("back\x00up\n") == "back up"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=40))
def test_search_never_raises(demo_site, db, query):
    list(selectors.search_pages(query=query))
