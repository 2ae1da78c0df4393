"""The analysts' and businesses' pages over HTTP, per role.

Analysts: the list and advisory page (raw TLP, banner when not CLEAR, mapping, draft on first open,
audience count), approve and publish through the buttons, the review queue's alias click. Everyone
else gets a 404 there. Businesses: their organisations' alerts only (another organisation's is a 404,
visitors go to the login page), "does this concern me?", one-click answers, forwarding, settings, the
Atom feed by secret key, and the unsubscribe link without login.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from dtc.advisories.models import Alert, AlertOptOut, Message, Tlp, Urgency
from dtc.advisories.tests.factories import (
    AdvisoryFactory,
    AdvisoryProductFactory,
    AdvisoryRevisionFactory,
    AlertFactory,
    MessageFactory,
)
from dtc.advisories.tests.test_services import advisory_setup, make_analyst  # noqa: F401 - fixture
from dtc.advisories.tokens import unsubscribe_token
from dtc.organisations.models import OrganisationProduct
from dtc.organisations.tests.factories import MembershipFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa_for_analysts(settings):
    """MFA for /analist/ is the middleware's job (tested in core); here the pages themselves."""
    settings.DTC_STAFF_MFA_REQUIRED = False


@pytest.fixture
def analyst_client(client):
    client.force_login(make_analyst(name="Anna Analist"))
    return client


# --- analysts --------------------------------------------------------------------------------


def test_analyst_pages_are_404_for_everyone_else(client, advisory_setup):  # noqa: F811
    advisory = advisory_setup["advisory"]
    urls = [
        reverse("advisories:analyst_list"),
        reverse("advisories:analyst_advisory", args=[advisory.pk]),
        reverse("advisories:review_queue"),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # visitors: to the login page
    client.force_login(advisory_setup["users"][0])
    for url in urls:
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("advisories:analyst_message_action", args=[advisory.pk]), {"action": "publish"}
    )
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_analyst_pages_ask_for_mfa_first(client, settings):
    settings.DTC_STAFF_MFA_REQUIRED = True
    client.force_login(make_analyst())
    response = client.get(reverse("advisories:analyst_list"))
    assert response.status_code == 302 and "/account/2fa/" in response["Location"]


def test_list_filters(analyst_client):
    AdvisoryFactory(tracking_id="NCSC-2026-0100", title="Lek in routers", exploited=True)
    AdvisoryFactory(tracking_id="NCSC-2026-0101", title="Lek in printers", amber=True)
    url = reverse("advisories:analyst_list")
    page = analyst_client.get(url).content.decode()
    assert "NCSC-2026-0100" in page and "NCSC-2026-0101" in page
    page = analyst_client.get(url, {"tlp": "AMBER"}).content.decode()
    assert "NCSC-2026-0101" in page and "NCSC-2026-0100" not in page
    page = analyst_client.get(url, {"q": "router"}).content.decode()
    assert "NCSC-2026-0100" in page and "NCSC-2026-0101" not in page
    page = analyst_client.get(url, {"exploited": "1", "status": "none"}).content.decode()
    assert "NCSC-2026-0100" in page and "NCSC-2026-0101" not in page


def test_advisory_page_shows_the_raw_advisory_and_drafts_the_message(analyst_client, advisory_setup):  # noqa: F811
    advisory = advisory_setup["advisory"]
    AdvisoryProductFactory(
        revision=advisory_setup["revision"],
        catalogue_product=None,
        full_name="Obscuur Ding 1.0",
        matched_by="",
    )
    response = analyst_client.get(reverse("advisories:analyst_advisory", args=[advisory.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "niet gekoppeld" in page and "Obscuur Ding 1.0" in page
    assert "Dit bericht bereikt nu 2 organisaties." in page
    assert "blijft bij analisten" not in page
    title = Message.objects.get(advisory=advisory).title
    assert title == "Beveiligingslek in Acme Router en 1 ander product"
    assert f'value="{title}"' in page


def test_a_non_clear_advisory_shows_the_banner_and_no_publish_button(analyst_client):
    revision = AdvisoryRevisionFactory(advisory=AdvisoryFactory(tlp=Tlp.AMBER_STRICT))
    page = analyst_client.get(
        reverse("advisories:analyst_advisory", args=[revision.advisory.pk])
    ).content.decode()
    assert "TLP:AMBER+STRICT: het blijft bij analisten en kan niet naar bedrijven" in page
    assert 'value="publish"' not in page


def _message_post(message: Message, **changes) -> dict:
    data = {
        "title": message.title,
        "what": message.what,
        "who": message.who,
        "steps": message.steps,
        "principle": message.principle,
        "links": message.links,
        "urgency": message.urgency,
    }
    return data | changes


def test_urgent_publish_through_the_pages_needs_a_second_analyst(client, advisory_setup):  # noqa: F811
    advisory = advisory_setup["advisory"]
    writer, approver = make_analyst(), make_analyst()
    page_url = reverse("advisories:analyst_advisory", args=[advisory.pk])
    action_url = reverse("advisories:analyst_message_action", args=[advisory.pk])

    client.force_login(writer)
    client.get(page_url)
    message = Message.objects.get(advisory=advisory)
    response = client.post(page_url, _message_post(message, urgency=Urgency.URGENT, provinces=["UT"]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.urgency == Urgency.URGENT and message.provinces == ["UT"]
    page = client.get(page_url).content.decode()
    assert 'value="publish"' not in page and 'value="approve"' not in page
    response = client.post(action_url, {"action": "publish"}, follow=True)
    assert "tweede analist" in response.content.decode()
    assert not Alert.objects.exists()

    client.force_login(approver)
    assert 'value="approve"' in client.get(page_url).content.decode()
    client.post(action_url, {"action": "approve"})
    client.force_login(writer)
    client.post(
        page_url, _message_post(message, urgency=Urgency.URGENT, provinces=[])
    )  # edit: approval lapses
    assert Message.objects.get(pk=message.pk).approved_by is None
    client.force_login(approver)
    client.post(action_url, {"action": "approve"})
    response = client.post(action_url, {"action": "publish"}, follow=True)
    assert "verstuurd naar de bedrijven" in response.content.decode()
    assert Alert.objects.count() == 2


def test_message_form_refuses_links_to_other_sites(analyst_client, advisory_setup):  # noqa: F811
    url = reverse("advisories:analyst_advisory", args=[advisory_setup["advisory"].pk])
    analyst_client.get(url)
    message = Message.objects.get()
    response = analyst_client.post(url, _message_post(message, links="https://evil.example/update"))
    assert response.status_code == 400
    assert "Links naar andere sites lijken op phishing" in response.content.decode()


def test_resend_button_for_a_newer_significant_revision(analyst_client, advisory_setup):  # noqa: F811
    advisory = advisory_setup["advisory"]
    message = MessageFactory(advisory=advisory, published=True, published_revision=advisory_setup["revision"])
    url = reverse("advisories:analyst_advisory", args=[advisory.pk])
    assert "opnieuw versturen" not in analyst_client.get(url).content.decode()
    newer = AdvisoryRevisionFactory(advisory=advisory, version="2.00", changes=["new_products"])
    AdvisoryProductFactory(revision=newer, catalogue_product=advisory_setup["product"])
    page = analyst_client.get(url).content.decode()
    assert "Nieuwe revisie: opnieuw versturen" in page
    analyst_client.post(
        reverse("advisories:analyst_message_action", args=[advisory.pk]), {"action": "publish"}
    )
    assert Alert.objects.filter(revision=newer).count() == 2
    message.refresh_from_db()
    assert message.published_revision == newer


def test_review_queue_alias_click_maps_the_products(analyst_client):
    product = ProductFactory(vendor="Acme", name="Router Pro")
    row = AdvisoryProductFactory(
        catalogue_product=None,
        vendor="ACME Corp.",
        product_name="RouterPro 5",
        match_key="acme routerpro 5",
        matched_by="",
    )
    url = reverse("advisories:review_queue")
    page = analyst_client.get(url).content.decode()
    assert "acme routerpro 5" in page
    assert f'<option value="{product.pk}">Acme Router Pro</option>' in page  # suggested by the vendor
    page = analyst_client.get(url, {"sleutel": "acme routerpro 5", "zoek": "router pro"}).content.decode()
    assert f'value="{product.pk}"' in page
    response = analyst_client.post(
        reverse("advisories:alias_add"), {"match_key": "acme routerpro 5", "product": product.pk}, follow=True
    )
    assert "is nu een alias van Acme Router Pro" in response.content.decode()
    row.refresh_from_db()
    assert row.catalogue_product == product
    assert "Alle kwetsbare producten zijn gekoppeld" in response.content.decode()


def test_review_queue_dismiss(analyst_client):
    AdvisoryProductFactory(catalogue_product=None, match_key="iets anders", matched_by="")
    analyst_client.post(reverse("advisories:review_dismiss"), {"match_key": "iets anders"})
    page = analyst_client.get(reverse("advisories:review_queue")).content.decode()
    assert "Alle kwetsbare producten zijn gekoppeld of afgehandeld." in page


# --- businesses ------------------------------------------------------------------------------


@pytest.fixture
def business():
    """A member of an organisation with an unread urgent alert and a read normal one; another
    organisation with its own alert."""
    product = ProductFactory(vendor="Acme", name="Router")
    urgent = MessageFactory(published=True, urgent=True, title="Werk uw Acme-router vandaag bij")
    revision = AdvisoryRevisionFactory(advisory=urgent.advisory)
    AdvisoryProductFactory(revision=revision, catalogue_product=product, vers="vers:unknown/*")
    alert = AlertFactory(revision=revision)
    OrganisationProduct.objects.create(organisation=alert.organisation, product=product, version="")
    membership = MembershipFactory(organisation=alert.organisation, admin=True)
    normal = MessageFactory(published=True, title="Printerlek: update beschikbaar")
    read = AlertFactory(
        revision=AdvisoryRevisionFactory(advisory=normal.advisory), organisation=alert.organisation
    )
    Alert.objects.filter(pk=read.pk).update(read_at=read.created_at)
    other_message = MessageFactory(published=True, title="Alleen voor de buren")
    other = AlertFactory(revision=AdvisoryRevisionFactory(advisory=other_message.advisory))
    return {
        "user": membership.user,
        "organisation": alert.organisation,
        "alert": alert,
        "read": read,
        "other": other,
    }


def test_inbox_shows_own_alerts_newest_first_with_unread_marked(
    client, business, django_assert_max_num_queries
):
    client.force_login(business["user"])
    url = reverse("advisories:inbox")
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert "Werk uw Acme-router vandaag bij" in page and "Printerlek: update beschikbaar" in page
    assert "Alleen voor de buren" not in page
    assert page.index("Printerlek") < page.index("Werk uw Acme-router")  # newest first
    assert page.count('class="dtc-unread"') == 1
    assert "1 waarschuwing is nog niet gelezen" in page
    urgent = client.get(url, {"urgent": "1"}).content.decode()
    assert "Werk uw Acme-router" in urgent and "Printerlek" not in urgent


def test_inbox_empty_state_and_login(client):
    assert client.get(reverse("advisories:inbox")).status_code == 302
    client.force_login(UserFactory())
    assert "Er zijn nog geen waarschuwingen" in client.get(reverse("advisories:inbox")).content.decode()


def test_alert_detail_answers_does_this_concern_me_and_marks_read(client, business):
    client.force_login(business["user"])
    alert = business["alert"]
    response = client.get(reverse("advisories:alert_detail", args=[alert.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Gaat dit over mij?" in page
    assert "Acme Router: versie onbekend — mogelijk kwetsbaar" in " ".join(page.split())
    assert reverse("organisations:products", args=[business["organisation"].pk]) in page
    assert "Urgent: nu handelen" in page
    alert.refresh_from_db()
    assert alert.read_at is not None


def test_alert_of_another_organisation_is_404_and_visitors_log_in(client, business):
    url = reverse("advisories:alert_detail", args=[business["other"].pk])
    response = client.get(url)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client.force_login(business["user"])
    assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("advisories:alert_respond", args=[business["other"].pk]), {"response": "done"}
        ).status_code
        == 404
    )
    assert client.get(reverse("advisories:alert_detail", args=[999999])).status_code == 404


def test_one_click_answer(client, business):
    client.force_login(business["user"])
    alert = business["alert"]
    response = client.post(
        reverse("advisories:alert_respond", args=[alert.pk]), {"response": "not_relevant"}, follow=True
    )
    assert "Uw antwoord: Niet van toepassing" in response.content.decode()
    alert.refresh_from_db()
    assert alert.response == Alert.Response.NOT_RELEVANT and alert.responded_at is not None


def test_forward_to_it_supplier(client, business, django_capture_on_commit_callbacks):
    client.force_login(business["user"])
    url = reverse("advisories:alert_forward", args=[business["alert"].pk])
    response = client.post(url, {"to_email": "geen-adres", "note": ""})
    assert response.status_code == 400 and "Gaat dit over mij?" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"to_email": "helpdesk@it-partner.nl", "note": "Kun je dit regelen?"})
    assert response.status_code == 302
    [sent] = mail.outbox
    assert sent.to == ["helpdesk@it-partner.nl"] and sent.reply_to == [business["user"].email]
    assert "Werk uw Acme-router vandaag bij" in sent.subject


def test_settings_page_roles(client, business):
    organisation = business["organisation"]
    url = reverse("advisories:settings", args=[organisation.pk])
    member = MembershipFactory(organisation=organisation).user
    client.force_login(member)
    page = client.get(url).content.decode()
    assert "Alleen beheerders van de organisatie kunnen dit wijzigen." in page
    assert client.post(url, {"action": "feed_rotate"}).status_code == 403
    client.post(url, {"action": "opt_out", "opted_out": "on"})
    assert AlertOptOut.objects.filter(user=member, organisation=organisation).exists()

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_feed_link_is_shown_once_and_the_feed_works_by_key(client, business):
    organisation = business["organisation"]
    client.force_login(business["user"])
    url = reverse("advisories:settings", args=[organisation.pk])
    page = client.post(url, {"action": "feed_rotate"}).content.decode()
    feed_url = re.search(r'id="feed-url">([^<]+)<', page).group(1)
    assert "/mijn/waarschuwingen/feed/" in feed_url
    assert feed_url not in client.get(url).content.decode()

    client.logout()
    feed = client.get(feed_url)
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert "Urgent: Werk uw Acme-router vandaag bij" in body and "Printerlek" in body
    assert "Alleen voor de buren" not in body
    assert client.get(reverse("advisories:feed", kwargs={"key": "wrong-key"})).status_code == 404


def test_webhook_setup_shows_the_secret_once(client, business):
    client.force_login(business["user"])
    url = reverse("advisories:settings", args=[business["organisation"].pk])
    data = {
        "action": "settings",
        "email_urgent": "immediate",
        "email_other": "weekly",
        "webhook_url": "http://intern.voorbeeld.nl/hook",
    }
    assert "begint met https://" in client.post(url, data).content.decode()
    page = client.post(url, data | {"webhook_url": "https://intern.voorbeeld.nl/hook"}).content.decode()
    assert re.search(r'id="webhook-secret">[0-9a-f]{64}<', page)
    assert 'id="webhook-secret"' not in client.get(url).content.decode()


def test_unsubscribe_without_login(client, business):
    user, organisation = business["user"], business["organisation"]
    url = reverse(
        "advisories:unsubscribe",
        kwargs={"token": unsubscribe_token(user_id=user.pk, organisation_id=organisation.pk)},
    )
    page = client.get(url).content.decode()
    assert "Ja, meld mij af" in page
    assert not AlertOptOut.objects.exists()  # a GET (a mail scanner following the link) changes nothing
    response = client.post(url)
    assert response.status_code == 200 and organisation.name in response.content.decode()
    assert AlertOptOut.objects.filter(user=user, organisation=organisation).exists()
    assert client.get(reverse("advisories:unsubscribe", kwargs={"token": "vals"})).status_code == 404


def test_rfc8058_one_click_post_needs_no_csrf_token(business):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    user, organisation = business["user"], business["organisation"]
    url = reverse(
        "advisories:unsubscribe",
        kwargs={"token": unsubscribe_token(user_id=user.pk, organisation_id=organisation.pk)},
    )
    response = csrf_client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert AlertOptOut.objects.filter(user=user, organisation=organisation).exists()
