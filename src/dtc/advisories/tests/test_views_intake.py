"""Analysts import CSAF files from the screen and manage the polled providers: each file is accepted or
rejected on its own with its reason, a rejected file stores nothing, a second upload of the same file
is "unchanged"; providers need https; nobody but an analyst reaches these pages (404)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dtc.advisories.models import Advisory, AdvisoryRevision, Provider
from dtc.advisories.tests.conftest import NCSC_FIXTURES
from dtc.advisories.tests.test_services import make_analyst
from dtc.core.models import AuditLogEntry
from dtc.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa_for_analysts(settings):
    settings.DTC_STAFF_MFA_REQUIRED = False


@pytest.fixture
def analyst_client(client):
    client.force_login(make_analyst(name="Anna Analist"))
    return client


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_upload_imports_good_files_and_rejects_bad_ones_with_a_reason(analyst_client):
    good = (NCSC_FIXTURES / "2026" / "ncsc-2026-0002.json").read_bytes()
    response = analyst_client.post(
        reverse("advisories:import"),
        {"files": [_upload("ncsc-2026-0002.json", good), _upload("kapot.json", b'{"document": ')]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "nieuw advies" in page and "afgekeurd" in page
    assert "not JSON" in page or "JSON" in page
    advisory = Advisory.objects.get()
    assert advisory.tracking_id == "NCSC-2026-0002"
    assert reverse("advisories:analyst_advisory", args=[advisory.pk]) in page
    assert AdvisoryRevision.objects.count() == 1  # the broken file stored nothing

    again = analyst_client.post(reverse("advisories:import"), {"files": [_upload("again.json", good)]})
    assert "al bekend, ongewijzigd" in again.content.decode()
    assert AdvisoryRevision.objects.count() == 1
    assert AuditLogEntry.objects.filter(action="advisory.upload").count() == 2


def test_oversized_upload_is_rejected_before_parsing(analyst_client, settings):
    settings.DTC_CSAF_MAX_BYTES = 100
    good = (NCSC_FIXTURES / "2026" / "ncsc-2026-0002.json").read_bytes()
    response = analyst_client.post(reverse("advisories:import"), {"files": [_upload("groot.json", good)]})
    assert "Het bestand is te groot." in response.content.decode()
    assert not Advisory.objects.exists()


def test_provider_needs_https_and_can_be_switched_off(analyst_client, settings):
    settings.DEBUG = False
    refused = analyst_client.post(
        reverse("advisories:provider_add"), {"name": "Onveilig", "url": "http://csaf.example/provider-metadata.json"}
    )
    assert "Gebruik een https-adres." in refused.content.decode()
    assert not Provider.objects.exists()

    added = analyst_client.post(
        reverse("advisories:provider_add"),
        {"name": "NCSC", "url": "https://csaf.example/.well-known/csaf/provider-metadata.json"},
    )
    assert added.status_code == 302
    provider = Provider.objects.get()
    assert provider.enabled
    duplicate = analyst_client.post(reverse("advisories:provider_add"), {"name": "x", "url": provider.url})
    assert "Deze bron staat er al." in duplicate.content.decode()

    analyst_client.post(reverse("advisories:provider_toggle", args=[provider.pk]))
    provider.refresh_from_db()
    assert not provider.enabled
    page = analyst_client.get(reverse("advisories:import")).content.decode()
    assert "Zet NCSC aan" in page


def test_poll_now_runs_the_poll_task(analyst_client, monkeypatch):
    calls = []
    monkeypatch.setattr("dtc.advisories.distribution.providers_poll", lambda **kw: calls.append(kw) or {})
    with_callbacks = analyst_client.post(reverse("advisories:providers_poll"))
    assert with_callbacks.status_code == 302
    assert AuditLogEntry.objects.filter(action="advisory.providers_poll").exists()


@pytest.mark.parametrize("name", ["import", "providers_poll", "provider_add"])
def test_import_pages_are_404_for_non_analysts(client, name):
    client.force_login(UserFactory(verified=True))
    response = client.post(reverse(f"advisories:{name}")) if name != "import" else client.get(reverse("advisories:import"))
    assert response.status_code == 404
