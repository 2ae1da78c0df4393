"""Editorial actions in the Wagtail CMS write our audit log with who, what, when and before/after,
and an editor's draft is not on the public site until it is published."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from wagtail.test.utils.form_data import rich_text

from dtc.core.models import AuditLogEntry
from dtc.knowledge.demo import knowledge_demo_load
from dtc.knowledge.models import ArticlePage
from dtc.organisations.models import User


@pytest.fixture
def editor_client(client, db):
    knowledge_demo_load()
    editor = User.objects.create_superuser(email="redacteur@example.org", password="x")
    Authenticator.objects.create(user=editor, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(editor)
    return client


def _edit_data(article: ArticlePage, **changes) -> dict:
    data = {
        "title": article.title,
        "slug": article.slug,
        "intro": article.intro,
        "body": rich_text(article.body),
        "reading_minutes": article.reading_minutes,
        "principles": [p.pk for p in article.principles.all()],
        "comments-TOTAL_FORMS": 0,
        "comments-INITIAL_FORMS": 0,
        "comments-MIN_NUM_FORMS": 0,
        "comments-MAX_NUM_FORMS": 1000,
    }
    data.update(changes)
    return data


def test_saving_a_draft_is_audited_and_not_public(editor_client):
    article = ArticlePage.objects.live().first()
    old_title = article.title
    response = editor_client.post(f"/cms/pages/{article.pk}/edit/", _edit_data(article, title="Conceptversie"))
    assert response.status_code == 302, response.content[:2000]

    entry = AuditLogEntry.objects.get(action="cms.page.edit")
    assert entry.actor_label == "redacteur@example.org"
    assert entry.before["title"] == old_title
    assert entry.after["has_unpublished_changes"] is True
    assert "Conceptversie" not in Client().get(article.url).content.decode()


def test_publishing_is_audited_and_goes_live(editor_client):
    article = ArticlePage.objects.live().first()
    response = editor_client.post(
        f"/cms/pages/{article.pk}/edit/", _edit_data(article, title="Nieuwe titel", **{"action-publish": "1"})
    )
    assert response.status_code == 302
    entry = AuditLogEntry.objects.get(action="cms.page.publish")
    assert entry.after["title"] == "Nieuwe titel"
    assert "Nieuwe titel" in Client().get(article.url).content.decode()


def test_unpublishing_is_audited(editor_client):
    article = ArticlePage.objects.live().first()
    response = editor_client.post(f"/cms/pages/{article.pk}/unpublish/", {})
    assert response.status_code == 302
    entry = AuditLogEntry.objects.get(action="cms.page.unpublish")
    assert entry.after["live"] is False
