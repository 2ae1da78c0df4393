"""The write paths of the analysts' and the businesses' screens.

Rules under test: a message is drafted on first open; an URGENT message needs approval by a second
analyst (not its writer or last editor) before it is published, a normal one can be published by its
writer; publishing writes one alert per organisation concerned (targeting.alerts_write) once per
revision, again only for a newer significant revision, never for a non-CLEAR advisory; one alias
click maps the review queue's products; businesses answer, forward (rate limited, supplier address
not kept) and choose their channels; the signed unsubscribe link opts out.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from dtc.advisories import selectors, services
from dtc.advisories.models import (
    AdvisoryProduct,
    Alert,
    AlertOptOut,
    AlertSettings,
    Message,
    ReviewDismissal,
    Tlp,
    Urgency,
)
from dtc.advisories.tests.factories import (
    AdvisoryFactory,
    AdvisoryProductFactory,
    AdvisoryRevisionFactory,
    AlertFactory,
    MessageFactory,
)
from dtc.advisories.tokens import feed_key_hash, unsubscribe_token
from dtc.core.models import AuditLogEntry
from dtc.organisations.models import OrganisationProduct, ProductAlias, Role
from dtc.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def make_analyst(**kwargs):
    user = UserFactory(verified=True, **kwargs)
    user.groups.add(Group.objects.get_or_create(name=Role.ANALYST.value)[0])
    return user


@pytest.fixture
def analyst():
    return make_analyst(name="Anna Analist")


@pytest.fixture
def second_analyst():
    return make_analyst(name="Bram Analist")


@pytest.fixture
def advisory_setup():
    """A TLP:CLEAR advisory on a catalogue product that two organisations use and one does not."""
    product = ProductFactory(vendor="Acme", name="Router")
    revision = AdvisoryRevisionFactory(version="1.00")
    AdvisoryProductFactory(revision=revision, catalogue_product=product, csaf_product_id="P1")
    users, affected = [], []
    for _ in range(2):
        organisation = OrganisationFactory()
        OrganisationProduct.objects.create(organisation=organisation, product=product, version="")
        users.append(MembershipFactory(organisation=organisation, admin=True).user)
        affected.append(organisation)
    bystander = OrganisationFactory()
    return {
        "advisory": revision.advisory,
        "revision": revision,
        "product": product,
        "organisations": affected,
        "users": users,
        "bystander": bystander,
    }


# --- messages --------------------------------------------------------------------------------


def test_first_open_drafts_the_message_once(analyst, second_analyst, advisory_setup):
    advisory = advisory_setup["advisory"]
    message = services.message_get_or_draft(advisory=advisory, actor=analyst)
    assert message.title == "Beveiligingslek in Acme Router"
    assert message.written_by == analyst
    assert message.status == Message.Status.DRAFT
    again = services.message_get_or_draft(advisory=advisory, actor=second_analyst)
    assert again.pk == message.pk and again.written_by == analyst
    assert AuditLogEntry.objects.filter(action="message.draft").count() == 1


def test_non_analysts_cannot_touch_messages(advisory_setup):
    member = advisory_setup["users"][0]
    with pytest.raises(PermissionDenied):
        services.message_get_or_draft(advisory=advisory_setup["advisory"], actor=member)
    message = MessageFactory(advisory=advisory_setup["advisory"])
    with pytest.raises(PermissionDenied):
        services.message_publish(message=message, actor=member)
    assert not Alert.objects.exists()


def _fields(message: Message, **changes) -> dict:
    data = {field: getattr(message, field) for field in services.MESSAGE_FIELDS}
    return data | changes


def test_urgent_message_needs_a_second_analyst(analyst, second_analyst, advisory_setup):
    message = services.message_get_or_draft(advisory=advisory_setup["advisory"], actor=analyst)
    message = services.message_update(
        message=message, actor=analyst, **_fields(message, urgency=Urgency.URGENT)
    )

    with pytest.raises(ValidationError) as refused:
        services.message_publish(message=message, actor=analyst)
    assert refused.value.code == "needs_approval"
    with pytest.raises(ValidationError) as own:
        services.message_approve(message=message, actor=analyst)
    assert own.value.code == "same_person"
    assert not Alert.objects.exists()

    services.message_submit(message=message, actor=analyst)
    services.message_approve(message=message, actor=second_analyst)
    message.refresh_from_db()
    assert message.status == Message.Status.APPROVED and message.approved_by == second_analyst

    services.message_publish(message=message, actor=analyst)
    message.refresh_from_db()
    assert message.status == Message.Status.PUBLISHED
    assert message.published_by == analyst
    assert message.published_revision == advisory_setup["revision"]
    alerted = set(Alert.objects.values_list("organisation_id", flat=True))
    assert alerted == {organisation.pk for organisation in advisory_setup["organisations"]}
    entry = AuditLogEntry.objects.get(action="message.publish")
    assert entry.actor == analyst and entry.after["alerts"] == 2


def test_editing_after_approval_needs_a_new_approval(analyst, second_analyst, advisory_setup):
    message = MessageFactory(advisory=advisory_setup["advisory"], urgent=True, written_by=analyst)
    services.message_approve(message=message, actor=second_analyst)
    # The approver edits: the approval lapses, and the approver is now the writer who may not approve.
    message = services.message_update(
        message=message, actor=second_analyst, **_fields(message, title="Werk uw Acme-router vandaag bij")
    )
    assert message.status == Message.Status.DRAFT and message.approved_by is None
    with pytest.raises(ValidationError):
        services.message_approve(message=message, actor=second_analyst)
    with pytest.raises(ValidationError):
        services.message_publish(message=message, actor=analyst)
    services.message_approve(message=message, actor=analyst)
    services.message_publish(message=message, actor=second_analyst)
    assert Alert.objects.count() == 2


def test_normal_message_is_published_by_its_writer_once_per_revision(analyst, advisory_setup):
    message = MessageFactory(advisory=advisory_setup["advisory"], written_by=analyst)
    services.message_publish(message=message, actor=analyst)
    assert Alert.objects.count() == 2
    with pytest.raises(ValidationError) as again:
        services.message_publish(message=message, actor=analyst)
    assert again.value.code == "already_published"

    # A typo fix is not worth sending …
    advisory = advisory_setup["advisory"]
    typo = AdvisoryRevisionFactory(
        advisory=advisory,
        version="1.01",
        significant=False,
        changes=[],
        release_date=timezone.now() + dt.timedelta(hours=1),
    )
    AdvisoryProductFactory(revision=typo, catalogue_product=advisory_setup["product"])
    message.refresh_from_db()
    assert selectors.message_resend_revision(message=message) is None
    with pytest.raises(ValidationError):
        services.message_publish(message=message, actor=analyst)

    # … a revision adding a fix is, and only the new revision's alerts are written.
    newer = AdvisoryRevisionFactory(
        advisory=advisory,
        version="1.02",
        changes=["new_fix"],
        release_date=timezone.now() + dt.timedelta(hours=2),
    )
    AdvisoryProductFactory(revision=newer, catalogue_product=advisory_setup["product"])
    message.refresh_from_db()
    assert selectors.message_resend_revision(message=message) == newer
    services.message_publish(message=message, actor=analyst)
    assert Alert.objects.filter(revision=newer).count() == 2
    assert Alert.objects.count() == 4
    message.refresh_from_db()
    assert message.published_revision == newer


def test_a_non_clear_advisory_is_never_published(analyst, second_analyst):
    revision = AdvisoryRevisionFactory(advisory=AdvisoryFactory(amber=True))
    product = ProductFactory()
    AdvisoryProductFactory(revision=revision, catalogue_product=product)
    OrganisationProduct.objects.create(organisation=OrganisationFactory(), product=product)
    message = MessageFactory(advisory=revision.advisory, written_by=analyst)
    with pytest.raises(ValidationError) as refused:
        services.message_publish(message=message, actor=second_analyst)
    assert refused.value.code == "tlp"
    assert not Alert.objects.exists()
    assert revision.advisory.tlp == Tlp.AMBER


def test_narrowing_choices_are_checked(analyst, advisory_setup):
    message = MessageFactory(advisory=advisory_setup["advisory"], written_by=analyst)
    with pytest.raises(ValidationError):
        services.message_update(message=message, actor=analyst, **_fields(message, provinces=["XX"]))
    updated = services.message_update(
        message=message, actor=analyst, **_fields(message, provinces=["UT", "GE"])
    )
    assert updated.provinces == ["GE", "UT"]


# --- review queue ----------------------------------------------------------------------------


def test_one_alias_click_maps_every_product_with_that_key(analyst):
    product = ProductFactory(vendor="Johnson Controls", name="Metasys")
    rows = []
    for vendor in ["Johnson Controls Inc", "Johnson Controls, Inc."]:
        revision = AdvisoryRevisionFactory()
        rows.append(
            AdvisoryProductFactory(
                revision=revision,
                catalogue_product=None,
                vendor=vendor,
                product_name="Metasys ADS",
                match_key="johnson controls metasys ads",
                matched_by="",
            )
        )
    assert [row["match_key"] for row in selectors.review_queue()] == ["johnson controls metasys ads"]
    assert selectors.review_queue()[0]["count"] == 2

    services.alias_add(match_key="johnson controls metasys ads", product=product, actor=analyst)
    assert ProductAlias.objects.filter(product=product, alias="johnson controls metasys ads").exists()
    for row in rows:
        row.refresh_from_db()
        assert row.catalogue_product == product and row.matched_by == "alias"
    assert not selectors.review_queue().exists()
    product.refresh_from_db()
    assert "johnson controls metasys ads" in product.search_text


def test_an_alias_of_another_product_is_refused(analyst):
    ProductFactory(aliases=["acme box"])
    with pytest.raises(ValidationError) as taken:
        services.alias_add(match_key="acme box", product=ProductFactory(), actor=analyst)
    assert taken.value.code == "alias_taken"


def test_not_in_catalogue_leaves_the_queue(analyst):
    AdvisoryProductFactory(catalogue_product=None, match_key="obscure thing", matched_by="")
    services.review_dismiss(match_key="obscure thing", actor=analyst)
    assert ReviewDismissal.objects.get().dismissed_by == analyst
    assert not selectors.review_queue().exists()


# --- a business and its alert ----------------------------------------------------------------


@pytest.fixture
def alert_setup():
    message = MessageFactory(published=True)
    revision = AdvisoryRevisionFactory(advisory=message.advisory)
    alert = AlertFactory(revision=revision)
    member = MembershipFactory(organisation=alert.organisation).user
    return {"alert": alert, "member": member, "message": message}


def test_respond_and_mark_read(alert_setup):
    alert, member = alert_setup["alert"], alert_setup["member"]
    assert services.alert_mark_read(alert=alert, actor=member) is True
    assert services.alert_mark_read(alert=alert, actor=member) is False
    services.alert_respond(alert=alert, actor=member, response="done")
    alert.refresh_from_db()
    assert alert.response == "done" and alert.responded_at is not None and alert.read_at is not None
    with pytest.raises(ValidationError):
        services.alert_respond(alert=alert, actor=member, response="maybe")


def test_another_organisations_member_cannot_touch_the_alert(alert_setup):
    stranger = MembershipFactory().user
    with pytest.raises(Http404):
        services.alert_respond(alert=alert_setup["alert"], actor=stranger, response="done")
    with pytest.raises(Http404):
        services.alert_forward(alert=alert_setup["alert"], actor=stranger, to_email="it@leverancier.nl")
    assert not mail.outbox


def test_forward_sends_a_plain_mail_with_reply_to_and_keeps_no_address(
    alert_setup, django_capture_on_commit_callbacks
):
    alert, member, message = alert_setup["alert"], alert_setup["member"], alert_setup["message"]
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_forward(
            alert=alert, actor=member, to_email="it@leverancier.nl", note="Graag deze week."
        )
    [sent] = mail.outbox
    assert sent.to == ["it@leverancier.nl"]
    assert sent.reply_to == [member.email]
    assert message.title in sent.subject
    assert "Installeer de nieuwste update." in sent.body and "Graag deze week." in sent.body
    assert "/mijn/" not in sent.body and "inloggen" not in sent.body.split("--")[0]
    entry = AuditLogEntry.objects.get(action="alert.forward")
    assert "leverancier" not in str(entry.after) + entry.target_label


def test_forwarding_is_rate_limited_per_person(alert_setup, settings, django_capture_on_commit_callbacks):
    settings.DTC_ALERT_FORWARDS_PER_DAY = 2
    alert, member = alert_setup["alert"], alert_setup["member"]
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            services.alert_forward(alert=alert, actor=member, to_email="it@leverancier.nl")
        with pytest.raises(ValidationError) as limited:
            services.alert_forward(alert=alert, actor=member, to_email="it@leverancier.nl")
    assert limited.value.code == "rate_limited"
    assert len(mail.outbox) == 2
    assert services.forwards_left(user=member) == 0


def test_forward_needs_a_valid_address(alert_setup):
    with pytest.raises(ValidationError) as invalid:
        services.alert_forward(alert=alert_setup["alert"], actor=alert_setup["member"], to_email="geen adres")
    assert "to_email" in invalid.value.error_dict


# --- settings, feed, opt-out -----------------------------------------------------------------


def test_settings_are_for_admins_and_the_webhook_secret_is_shown_once(settings):
    settings.DEBUG = False
    membership = MembershipFactory(admin=True)
    organisation, admin = membership.organisation, membership.user
    member = MembershipFactory(organisation=organisation).user
    with pytest.raises(PermissionDenied):
        services.alert_settings_update(
            organisation=organisation, actor=member, email_urgent="immediate", email_other="weekly"
        )
    with pytest.raises(ValidationError) as plain_http:
        services.alert_settings_update(
            organisation=organisation,
            actor=admin,
            email_urgent="immediate",
            email_other="weekly",
            webhook_url="http://intern.voorbeeld.nl/hook",
        )
    assert "webhook_url" in plain_http.value.error_dict
    current, secret = services.alert_settings_update(
        organisation=organisation,
        actor=admin,
        email_urgent="daily",
        email_other="weekly",
        webhook_url="https://intern.voorbeeld.nl/hook",
    )
    assert secret and len(secret) == 64 and current.webhook_secret == secret
    _, again = services.alert_settings_update(
        organisation=organisation,
        actor=admin,
        email_urgent="daily",
        email_other="off",
        webhook_url="https://intern.voorbeeld.nl/hook",
    )
    assert again is None
    rotated = services.webhook_secret_rotate(organisation=organisation, actor=admin)
    assert rotated != secret
    stored = AlertSettings.objects.get(organisation=organisation)
    assert (stored.email_urgent, stored.email_other, stored.webhook_secret) == ("daily", "off", rotated)


def test_feed_key_is_stored_hashed_and_rotates():
    membership = MembershipFactory(admin=True)
    organisation, admin = membership.organisation, membership.user
    key = services.feed_key_rotate(organisation=organisation, actor=admin)
    assert AlertSettings.objects.get(organisation=organisation).feed_key_sha256 == feed_key_hash(key)
    assert selectors.feed_organisation(key=key) == organisation
    newer = services.feed_key_rotate(organisation=organisation, actor=admin)
    assert selectors.feed_organisation(key=key) is None
    assert selectors.feed_organisation(key=newer) == organisation
    assert services.feed_key_revoke(organisation=organisation, actor=admin) is True
    assert selectors.feed_organisation(key=newer) is None


def test_personal_opt_out_and_the_unsubscribe_link():
    membership = MembershipFactory()
    user, organisation = membership.user, membership.organisation
    assert services.alert_opt_out_set(organisation=organisation, actor=user, opted_out=True) is True
    assert services.alert_opt_out_set(organisation=organisation, actor=user, opted_out=False) is True
    assert not AlertOptOut.objects.exists()

    opt_out = services.alert_unsubscribe(
        token=unsubscribe_token(user_id=user.pk, organisation_id=organisation.pk)
    )
    assert opt_out is not None and opt_out.user == user and opt_out.organisation == organisation
    assert services.alert_unsubscribe(token="not-a-token") is None
    assert AlertOptOut.objects.count() == 1


def test_the_review_queue_ignores_mapped_and_old_revisions(analyst):
    old = AdvisoryRevisionFactory(release_date=timezone.now() - dt.timedelta(days=1))
    AdvisoryProductFactory(revision=old, catalogue_product=None, match_key="old key", matched_by="")
    AdvisoryRevisionFactory(advisory=old.advisory)  # now current; the old revision's rows do not count
    AdvisoryProductFactory(catalogue_product=ProductFactory(), match_key="mapped key")
    assert not selectors.review_queue().exists()
    assert AdvisoryProduct.objects.count() == 2
