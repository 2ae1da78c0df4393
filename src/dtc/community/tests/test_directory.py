"""The directory: collaborations, experts and events.

Rules under test:
- The collaboration directory is public and lists connected collaborations only; an admin of an
  organisation asks to join (one open request per organisation); only the collaboration's
  coordinators decide, approval adds the organisation; every step is audit-logged and mailed.
- The expert directory is for signed-in users; unlisted profiles are hidden (404) from everyone but
  their owner. Members (an organisation or an active community membership) ask questions, at most
  N per 24 hours; the expert is mailed the question but not the asker's address unless agreed; only
  asker and expert see a question; the expert answers once and the asker is mailed.
- Events: public ones for everyone, community ones for active members only (others get a 404 and
  never see them listed); cancelled ones stay visible, marked. Capacity holds under concurrency.
  The iCalendar files parse, keep a stable UID, are in UTC and say STATUS:CANCELLED when cancelled.
"""

from __future__ import annotations

import datetime as dt
import threading

import icalendar
import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dtc.community import selectors_directory, services_directory
from dtc.community.models import (
    Collaboration,
    CollaborationJoinRequest,
    CommunityMembership,
    Event,
    EventRegistration,
    Expert,
    ExpertQuestion,
    ExpertSpecialty,
)
from dtc.community.tests.factories import CollaborationFactory, CommunityFactory, CommunityMembershipFactory
from dtc.core import visibility
from dtc.core.models import AuditLogEntry
from dtc.organisations.models import Role
from dtc.organisations.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def last_audit(action: str) -> AuditLogEntry:
    return AuditLogEntry.objects.filter(action=action).latest("pk")


def in_days(days: float, hours: float = 0) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days, hours=hours)


def make_event(*, community=None, days: float = 7, capacity=None, cancelled=False, **kwargs) -> Event:
    start = in_days(days).replace(microsecond=0)
    defaults = {
        "kind": Event.Kind.AWARENESS,
        "title": "Herken de nepfactuur",
        "location": "Utrecht",
    }
    return Event.objects.create(
        community=community,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=capacity,
        cancelled=cancelled,
        **(defaults | kwargs),
    )


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def org_admin(db):
    return MembershipFactory(admin=True).user


@pytest.fixture
def organisation(org_admin):
    return org_admin.memberships.get().organisation


@pytest.fixture
def collaboration(db):
    coordinator = UserFactory(verified=True)
    collaboration = CollaborationFactory(name="Cyberveilig Twente", slug="cyberveilig-twente", offers="Health check")
    collaboration.coordinators.add(coordinator)
    return collaboration


@pytest.fixture
def coordinator(collaboration):
    return collaboration.coordinators.get()


@pytest.fixture
def member(db):
    """A member: belongs to an organisation."""
    return MembershipFactory().user


@pytest.fixture
def expert(db):
    user = UserFactory(verified=True, name="Sanne Expert")
    expert = Expert.objects.create(user=user, display_name="Sanne de Vries", province="UT")
    expert.specialties.add(ExpertSpecialty.objects.create(name="Ransomware", slug="ransomware"))
    return expert


@pytest.fixture
def community(db):
    return CommunityFactory(name="Zorg-ISAC")


@pytest.fixture
def community_coordinator(community):
    return CommunityMembershipFactory(community=community, coordinator=True).user


@pytest.fixture
def community_member(community, community_coordinator):
    return CommunityMembershipFactory(community=community).user


# --- collaborations: services -----------------------------------------------------------------


def test_an_admin_asks_to_join_and_the_coordinators_are_mailed(
    org_admin, organisation, collaboration, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        join_request = services_directory.collaboration_join_request_create(
            actor=org_admin, collaboration=collaboration, organisation=organisation, message="Wij doen graag mee."
        )
    assert join_request.status == CollaborationJoinRequest.Status.PENDING
    assert last_audit("collaboration_join_request.create").after["organisation_id"] == organisation.pk
    [mail] = mailoutbox
    assert mail.to == [coordinator.email]
    assert organisation.name in mail.subject
    assert reverse("collaborations:detail", args=[collaboration.slug]) in mail.body


def test_only_one_open_request_per_organisation(org_admin, organisation, collaboration):
    services_directory.collaboration_join_request_create(
        actor=org_admin, collaboration=collaboration, organisation=organisation
    )
    with pytest.raises(ValidationError) as exc:
        services_directory.collaboration_join_request_create(
            actor=org_admin, collaboration=collaboration, organisation=organisation
        )
    assert exc.value.code == "request_pending"
    assert CollaborationJoinRequest.objects.count() == 1


def test_a_plain_member_cannot_sign_the_organisation_up(organisation, collaboration):
    plain = MembershipFactory(organisation=organisation).user
    with pytest.raises(PermissionDenied):
        services_directory.collaboration_join_request_create(
            actor=plain, collaboration=collaboration, organisation=organisation
        )


def test_a_participating_organisation_cannot_ask_again(org_admin, organisation, collaboration):
    collaboration.member_organisations.add(organisation)
    with pytest.raises(ValidationError) as exc:
        services_directory.collaboration_join_request_create(
            actor=org_admin, collaboration=collaboration, organisation=organisation
        )
    assert exc.value.code == "already_member"


def test_an_unconnected_collaboration_cannot_be_joined(org_admin, organisation):
    hidden = CollaborationFactory(connected=False)
    with pytest.raises(Http404):
        services_directory.collaboration_join_request_create(
            actor=org_admin, collaboration=hidden, organisation=organisation
        )


def test_a_coordinator_approves_and_the_organisation_takes_part(
    org_admin, organisation, collaboration, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    join_request = services_directory.collaboration_join_request_create(
        actor=org_admin, collaboration=collaboration, organisation=organisation
    )
    with django_capture_on_commit_callbacks(execute=True):
        services_directory.collaboration_join_request_decide(actor=coordinator, join_request=join_request, approve=True)
    join_request.refresh_from_db()
    assert join_request.status == CollaborationJoinRequest.Status.APPROVED
    assert join_request.decided_by == coordinator
    assert collaboration.member_organisations.filter(pk=organisation.pk).exists()
    entry = last_audit("collaboration_join_request.approve")
    assert (entry.before["status"], entry.after["status"]) == ("pending", "approved")
    assert [m.to for m in mailoutbox] == [[org_admin.email]]
    with pytest.raises(ValidationError) as exc:
        services_directory.collaboration_join_request_decide(actor=coordinator, join_request=join_request, approve=False)
    assert exc.value.code == "already_decided"


def test_declining_adds_nothing_and_others_may_not_decide(org_admin, organisation, collaboration, coordinator):
    join_request = services_directory.collaboration_join_request_create(
        actor=org_admin, collaboration=collaboration, organisation=organisation
    )
    with pytest.raises(PermissionDenied):
        services_directory.collaboration_join_request_decide(actor=org_admin, join_request=join_request, approve=True)
    services_directory.collaboration_join_request_decide(actor=coordinator, join_request=join_request, approve=False)
    assert not collaboration.member_organisations.exists()
    assert last_audit("collaboration_join_request.decline").after["status"] == "declined"
    # After a decision the organisation may ask again.
    services_directory.collaboration_join_request_create(
        actor=org_admin, collaboration=collaboration, organisation=organisation
    )


# --- collaborations: pages --------------------------------------------------------------------


def test_the_public_directory_lists_connected_collaborations_only(client, collaboration):
    CollaborationFactory(name="Geheim cluster", connected=False)
    CollaborationFactory(name="Zorg-ISAC Nederland", kind=Collaboration.Kind.ISAC)
    response = client.get(reverse("collaborations:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Cyberveilig Twente" in body and "Health check" in body
    assert "Zorg-ISAC Nederland" in body
    assert "Geheim cluster" not in body
    filtered = client.get(reverse("collaborations:list"), {"soort": "isac"}).content.decode()
    assert "Zorg-ISAC Nederland" in filtered and "Cyberveilig Twente" not in filtered
    assert client.get(reverse("collaborations:detail", args=[CollaborationFactory(connected=False).slug])).status_code == 404


def test_the_public_directory_has_an_empty_state(client, db):
    response = client.get(reverse("collaborations:list"))
    assert "Er zijn nog geen samenwerkingsverbanden op het platform aangesloten." in response.content.decode()
    response = client.get(reverse("collaborations:list"), {"soort": "chain"})
    assert "Er zijn geen aangesloten samenwerkingsverbanden van deze soort." in response.content.decode()


def test_join_through_the_pages_then_coordinator_approves_and_admin_sees_it(
    client, org_admin, organisation, collaboration, coordinator
):
    detail = reverse("collaborations:detail", args=[collaboration.slug])
    client.force_login(org_admin)
    assert "Aanmelden" in client.get(detail).content.decode()
    response = client.post(
        reverse("collaborations:join", args=[collaboration.slug]),
        {"organisation": organisation.pk, "message": "Graag!"},
    )
    assert response.status_code == 302
    again = client.post(reverse("collaborations:join", args=[collaboration.slug]), {"organisation": organisation.pk})
    assert again.status_code == 400  # no longer a choice: the request is open
    assert "In behandeling" in client.get(detail).content.decode()

    join_request = CollaborationJoinRequest.objects.get()
    decide = reverse("collaborations:join_decide", args=[collaboration.slug, join_request.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 404  # not a coordinator

    coordinator_client = type(client)()
    coordinator_client.force_login(coordinator)
    page = coordinator_client.get(detail).content.decode()
    assert organisation.name in page and "Graag!" in page
    assert coordinator_client.post(decide, {"decision": "approve"}).status_code == 302
    assert "Goedgekeurd" in client.get(detail).content.decode()


# --- experts ----------------------------------------------------------------------------------


def test_the_expert_directory_needs_a_login(client, expert):
    response = client.get(reverse("community:expert_list"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_expert_directory_filters_and_hides_unlisted_profiles(client, member, expert):
    nationwide = Expert.objects.create(user=UserFactory(), display_name="Landelijke Lex", province="")
    Expert.objects.create(user=UserFactory(), display_name="Groninger Gerda", province="GR")
    unlisted = Expert.objects.create(user=UserFactory(), display_name="Verborgen Vera", listed=False)
    client.force_login(member)
    body = client.get(reverse("community:expert_list")).content.decode()
    assert "Sanne de Vries" in body and "Landelijke Lex" in body and "Groninger Gerda" in body
    assert "Verborgen Vera" not in body
    utrecht = client.get(reverse("community:expert_list"), {"provincie": "UT"}).content.decode()
    assert "Sanne de Vries" in utrecht and "Landelijke Lex" in utrecht and "Groninger Gerda" not in utrecht
    ransomware = client.get(reverse("community:expert_list"), {"specialisme": "ransomware"}).content.decode()
    assert "Sanne de Vries" in ransomware and nationwide.display_name not in ransomware
    assert client.get(reverse("community:expert_detail", args=[unlisted.pk])).status_code == 404
    client.force_login(unlisted.user)
    assert client.get(reverse("community:expert_detail", args=[unlisted.pk])).status_code == 200


def test_expert_directory_empty_state(client, member):
    client.force_login(member)
    assert "Er staan nog geen experts in de gids." in client.get(reverse("community:expert_list")).content.decode()


def test_a_user_creates_edits_and_unlists_their_profile(client, member):
    client.force_login(member)
    specialty = ExpertSpecialty.objects.create(name="Back-ups", slug="back-ups")
    response = client.post(
        reverse("community:expert_profile"),
        {"display_name": "Piet Back-up", "headline": "Herstel", "specialties": [specialty.pk], "province": "NH",
         "accepts_questions": "on", "listed": "on"},
    )
    assert response.status_code == 302
    expert = Expert.objects.get(user=member)
    assert list(expert.specialties.all()) == [specialty]
    assert last_audit("expert.create").after["display_name"] == "Piet Back-up"
    client.post(reverse("community:expert_profile"), {"display_name": "Piet", "province": "", "listed": "on"})
    expert.refresh_from_db()
    assert (expert.display_name, expert.accepts_questions) == ("Piet", False)
    client.post(reverse("community:expert_profile_unlist"))
    expert.refresh_from_db()
    assert expert.listed is False
    assert last_audit("expert.unlist").before["listed"] is True


def test_asking_a_question_mails_the_expert_without_the_askers_address(
    member, expert, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = services_directory.expert_question_ask(
            actor=member, expert=expert, subject="Back-up na ransomware?", body="Hoe test ik mijn herstel?"
        )
    [mail] = mailoutbox
    assert mail.to == [expert.user.email]
    assert "Back-up na ransomware?" in mail.subject
    assert "Hoe test ik mijn herstel?" in mail.body
    assert member.email not in mail.body
    assert reverse("community:question_detail", args=[question.pk]) in mail.body
    entry = last_audit("expert_question.ask")
    assert entry.after["subject"] == "Back-up na ransomware?" and "body" not in entry.after


def test_the_askers_address_is_shared_only_when_agreed(member, expert, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services_directory.expert_question_ask(actor=member, expert=expert, subject="S", body="B", share_email=True)
    assert member.email in mailoutbox[0].body


def test_only_members_may_ask_and_not_themselves(expert):
    stranger = UserFactory(verified=True)
    with pytest.raises(PermissionDenied):
        services_directory.expert_question_ask(actor=stranger, expert=expert, subject="S", body="B")
    # An active community membership also makes a member.
    CommunityMembershipFactory(user=stranger)
    services_directory.expert_question_ask(actor=stranger, expert=expert, subject="S", body="B")
    MembershipFactory(user=expert.user)
    with pytest.raises(ValidationError) as exc:
        services_directory.expert_question_ask(actor=expert.user, expert=expert, subject="S", body="B")
    assert exc.value.code == "own_profile"


def test_questions_are_rate_limited_with_a_clear_message(client, settings, member, expert):
    settings.DTC_EXPERT_QUESTIONS_PER_DAY = 2
    client.force_login(member)
    url = reverse("community:expert_question_ask", args=[expert.pk])
    for n in range(2):
        assert client.post(url, {"subject": f"Vraag {n}", "body": "?"}).status_code == 302
    response = client.post(url, {"subject": "Vraag 3", "body": "?"})
    assert response.status_code == 400
    assert "U heeft vandaag al 2 vragen gesteld" in response.content.decode()
    assert ExpertQuestion.objects.count() == 2
    # A day later the window has moved on.
    ExpertQuestion.objects.update(created_at=timezone.now() - dt.timedelta(days=1, minutes=1))
    assert client.post(url, {"subject": "Vraag 3", "body": "?"}).status_code == 302


def test_only_asker_and_expert_see_a_question_and_the_expert_answers_once(
    client, member, expert, mailoutbox, django_capture_on_commit_callbacks
):
    question = services_directory.expert_question_ask(actor=member, expert=expert, subject="Hulp", body="Vraag")
    url = reverse("community:question_detail", args=[question.pk])
    client.force_login(UserFactory(verified=True))
    assert client.get(url).status_code == 404
    client.force_login(member)
    assert "Vraag" in client.get(url).content.decode()
    assert client.post(url, {"answer": "Zelf antwoorden"}).status_code == 403
    assert "Hulp" in client.get(reverse("community:questions")).content.decode()
    client.force_login(expert.user)
    assert "Wacht op uw antwoord" in client.get(reverse("community:questions")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"answer": "Test uw back-up elk kwartaal."}).status_code == 302
    question.refresh_from_db()
    assert question.answer == "Test uw back-up elk kwartaal." and question.answered_at is not None
    [mail] = mailoutbox
    assert mail.to == [member.email] and "Test uw back-up elk kwartaal." in mail.body
    with pytest.raises(ValidationError):
        services_directory.expert_question_answer(actor=expert.user, question=question, answer="Nog eens")


def test_a_coordinator_invites_an_expert_into_their_community(client, expert, community, community_coordinator):
    client.force_login(community_coordinator)
    page = client.get(reverse("community:expert_detail", args=[expert.pk])).content.decode()
    assert "Uitnodigen voor een community" in page
    response = client.post(reverse("community:expert_invite", args=[expert.pk]), {"community": community.pk})
    assert response.status_code == 302
    membership = CommunityMembership.objects.get(community=community, user=expert.user)
    assert membership.status == CommunityMembership.Status.INVITED
    # Someone who coordinates nothing may not.
    client.force_login(UserFactory(verified=True))
    assert client.post(reverse("community:expert_invite", args=[expert.pk]), {"community": community.pk}).status_code == 403


# --- events: visibility -----------------------------------------------------------------------


def test_event_visibility_public_for_all_community_for_active_members(community, community_member):
    public = make_event()
    internal = make_event(community=community, title="Intervisie")
    outsider = UserFactory(verified=True)
    invited = CommunityMembershipFactory(community=community, invited=True).user
    via_org = MembershipFactory(organisation=CommunityMembershipFactory(community=community, for_organisation=True).organisation).user

    assert set(visibility.events_visible_to(user=None)) == {public}
    assert set(visibility.events_visible_to(user=outsider)) == {public}
    assert set(visibility.events_visible_to(user=invited)) == {public}
    assert set(visibility.events_visible_to(user=community_member)) == {public, internal}
    assert set(visibility.events_visible_to(user=via_org)) == {public, internal}
    with pytest.raises(Http404):
        visibility.event_get_visible(user=outsider, event_id=internal.pk)
    with pytest.raises(Http404):
        visibility.event_get_visible(user=community_member, event_id=999999)


def test_community_events_are_404_and_unlisted_for_outsiders(client, community, community_member):
    internal = make_event(community=community, title="Crisisoefening ransomware", kind=Event.Kind.EXERCISE)
    cancelled = make_event(community=community, title="Afgelaste intervisie", cancelled=True)
    client.force_login(UserFactory(verified=True))
    assert client.get(reverse("community:event_detail", args=[internal.pk])).status_code == 404
    assert client.get(reverse("community:event_ical", args=[internal.pk])).status_code == 404
    assert client.post(reverse("community:event_register", args=[internal.pk])).status_code == 404
    listing = client.get(reverse("community:event_list")).content.decode()
    assert "Crisisoefening ransomware" not in listing
    assert "Er zijn geen komende bijeenkomsten die u kunt zien." in listing
    client.force_login(community_member)
    listing = client.get(reverse("community:event_list")).content.decode()
    assert "Crisisoefening ransomware" in listing and "Afgelaste intervisie" in listing
    page = client.get(reverse("community:event_detail", args=[cancelled.pk])).content.decode()
    assert "Deze bijeenkomst is afgelast." in page
    community_page = client.get(reverse("community:detail", args=[community.pk])).content.decode()
    assert "Crisisoefening ransomware" in community_page


def test_event_list_upcoming_and_past_for_visitors(client, db):
    make_event(title="Straks", days=3)
    make_event(title="Morgen", days=1)
    make_event(title="Vorige maand", days=-30)
    response = client.get(reverse("community:event_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Morgen") < body.index("Straks") < body.index("Eerdere bijeenkomsten") < body.index("Vorige maand")


def test_event_list_empty_states(client, db):
    body = client.get(reverse("community:event_list")).content.decode()
    assert "Er zijn geen komende bijeenkomsten die u kunt zien." in body
    assert "Er zijn nog geen eerdere bijeenkomsten." in body


# --- events: services -------------------------------------------------------------------------


def test_who_may_plan_events(community, community_coordinator, community_member):
    when = {"starts_at": in_days(5), "ends_at": in_days(5, hours=1), "kind": Event.Kind.INTERVISION}
    event = services_directory.event_create(actor=community_coordinator, community=community, title="Intervisie", **when)
    assert last_audit("event.create").after["title"] == "Intervisie" and event.organiser == community_coordinator
    with pytest.raises(PermissionDenied):
        services_directory.event_create(actor=community_member, community=community, title="X", **when)
    with pytest.raises(PermissionDenied):
        services_directory.event_create(actor=community_coordinator, community=None, title="X", **when)
    group_member = UserFactory(verified=True)
    group_member.groups.add(Group.objects.get_or_create(name=Role.COMMUNITY_COORDINATOR.value)[0])
    services_directory.event_create(actor=group_member, community=None, title="Openbaar", **when)
    services_directory.event_create(actor=UserFactory(is_staff=True), community=None, title="Webinar", **when)
    with pytest.raises(ValidationError):
        services_directory.event_create(
            actor=group_member, community=None, title="Verkeerd", kind=Event.Kind.WEBINAR,
            starts_at=in_days(5), ends_at=in_days(4),
        )


def test_a_coordinator_plans_an_event_through_the_page(client, community, community_coordinator):
    client.force_login(community_coordinator)
    start = timezone.localtime(in_days(10)).replace(second=0, microsecond=0)
    response = client.post(
        reverse("community:event_create"),
        {"community": community.pk, "kind": "exercise", "title": "Tabletop", "location": "Zwolle",
         "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    event = Event.objects.get(title="Tabletop")
    assert event.community == community and event.starts_at == start
    response = client.post(reverse("community:event_create"), {"community": community.pk, "kind": "exercise", "title": "Leeg"})
    assert response.status_code == 400
    client.force_login(UserFactory(verified=True))
    assert client.get(reverse("community:event_create")).status_code == 403


def test_registration_respects_capacity_and_can_be_cancelled(client, member):
    event = make_event(capacity=1)
    other = UserFactory(verified=True)
    services_directory.event_register(actor=member, event=event)
    assert last_audit("event_registration.create").after["user_id"] == member.pk
    with pytest.raises(ValidationError) as exc:
        services_directory.event_register(actor=member, event=event)
    assert exc.value.code == "already_registered"
    with pytest.raises(ValidationError) as exc:
        services_directory.event_register(actor=other, event=event)
    assert exc.value.code == "full"
    client.force_login(other)
    response = client.post(reverse("community:event_register", args=[event.pk]), follow=True)
    assert "De bijeenkomst is vol." in response.content.decode()
    services_directory.event_registration_cancel(actor=member, event=event)
    services_directory.event_register(actor=other, event=event)
    assert list(EventRegistration.objects.values_list("user_id", flat=True)) == [other.pk]


def test_no_registration_for_cancelled_or_started_events(member):
    with pytest.raises(ValidationError) as exc:
        services_directory.event_register(actor=member, event=make_event(cancelled=True))
    assert exc.value.code == "cancelled"
    with pytest.raises(ValidationError) as exc:
        services_directory.event_register(actor=member, event=make_event(days=-0.01))
    assert exc.value.code == "started"


def test_cancelling_mails_the_registrants(member, community, community_coordinator, mailoutbox, django_capture_on_commit_callbacks):
    event = make_event(community=community, title="Intervisie juni")
    CommunityMembershipFactory(community=community, user=member)
    services_directory.event_register(actor=member, event=event)
    with pytest.raises(PermissionDenied):
        services_directory.event_cancel(actor=member, event=event)
    with django_capture_on_commit_callbacks(execute=True):
        services_directory.event_cancel(actor=community_coordinator, event=event)
    event.refresh_from_db()
    assert event.cancelled
    [mail] = mailoutbox
    assert mail.to == [member.email] and "Intervisie juni" in mail.subject


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_capacity_holds_under_concurrent_registration():
    event = make_event(capacity=3)
    users = [UserFactory() for _ in range(12)]
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []

    def register(user):
        try:
            barrier.wait()
            services_directory.event_register(actor=user, event=event)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.code or "")
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 3
    assert outcomes.count("full") == 9
    assert EventRegistration.objects.filter(event=event).count() == 3


# --- iCalendar --------------------------------------------------------------------------------


def parse_ics(response) -> list[icalendar.Event]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith("attachment;")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return list(calendar.walk("VEVENT"))


def test_one_event_as_icalendar(client, member):
    event = make_event(title="Phishing-training", description="Oefenen met nepmails.", online_url="https://meet.example/x")
    client.force_login(member)
    url = reverse("community:event_ical", args=[event.pk])
    [entry] = parse_ics(client.get(url))
    assert str(entry["SUMMARY"]) == "Phishing-training"
    assert "Oefenen met nepmails." in str(entry["DESCRIPTION"])
    assert "meet.example" not in entry.to_ical().decode()  # the online link is for registrants only
    assert str(entry["LOCATION"]) == "Utrecht"
    assert str(entry["URL"]).endswith(reverse("community:event_detail", args=[event.pk]))
    assert str(entry["STATUS"]) == "CONFIRMED"
    assert entry.decoded("DTSTART") == event.starts_at and entry.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert entry.decoded("DTEND") == event.ends_at
    assert "DTSTART:" in entry.to_ical().decode() and entry.to_ical().decode().count("Z\r\n") >= 2
    assert entry["DTSTAMP"]
    uid = str(entry["UID"])
    # The UID is stable: a later download (also after a change) names the same event.
    services_directory.event_register(actor=member, event=event)
    Event.objects.filter(pk=event.pk).update(cancelled=True, updated_at=timezone.now())
    [again] = parse_ics(client.get(url))
    assert str(again["UID"]) == uid
    assert str(again["STATUS"]) == "CANCELLED"
    assert "meet.example" in again.to_ical().decode()


def test_my_events_icalendar_holds_only_my_visible_events(client, community, community_member):
    mine_public = make_event(title="Webinar wachtwoorden")
    mine_internal = make_event(community=community, title="Intervisie")
    make_event(title="Niet aangemeld")
    services_directory.event_register(actor=community_member, event=mine_public)
    services_directory.event_register(actor=community_member, event=mine_internal)
    client.force_login(community_member)
    url = reverse("community:events_my_ical")
    assert {str(e["SUMMARY"]) for e in parse_ics(client.get(url))} == {"Webinar wachtwoorden", "Intervisie"}
    # After leaving the community its event is no longer visible, so no longer exported.
    CommunityMembership.objects.filter(community=community, user=community_member).delete()
    assert {str(e["SUMMARY"]) for e in parse_ics(client.get(url))} == {"Webinar wachtwoorden"}
    client.logout()
    assert client.get(url).status_code == 302


def test_empty_my_events_calendar_is_still_valid():
    user = UserFactory()
    content = selectors_directory.events_ical(list(selectors_directory.events_registered_by(user=user)))
    calendar = icalendar.Calendar.from_ical(content)
    assert list(calendar.walk("VEVENT")) == []


# --- demo -------------------------------------------------------------------------------------


def test_directory_demo_is_idempotent(client):
    from dtc.community.demo_directory import directory_demo_load

    first = directory_demo_load(with_users=True)
    second = directory_demo_load(with_users=True)
    assert first == {"collaborations_created": 1, "experts_created": 1, "events_created": 1}
    assert second == {"collaborations_created": 0, "experts_created": 0, "events_created": 0}
    assert "Cyberveilig Midden-Nederland" in client.get(reverse("collaborations:list")).content.decode()
    assert "herken de nepfactuur" in client.get(reverse("community:event_list")).content.decode()
    assert Expert.objects.get().user.has_usable_password() is False


def test_directory_pages_render_with_their_empty_states(client, member, expert, community, community_coordinator):
    event = make_event(online_url="https://meet.example/sessie")
    anonymous = client.get(reverse("community:event_detail", args=[event.pk])).content.decode()
    assert "om u aan te melden" in anonymous and "meet.example" not in anonymous
    client.force_login(member)
    assert "U heeft nog geen vragen gesteld." in client.get(reverse("community:questions")).content.decode()
    profile = client.get(reverse("community:expert_profile"))
    assert profile.status_code == 200 and 'name="display_name"' in profile.content.decode()
    detail = client.get(reverse("community:expert_detail", args=[expert.pk])).content.decode()
    assert "Een vraag stellen" in detail and "Uitnodigen voor een community" not in detail
    client.post(reverse("community:event_register", args=[event.pk]))
    assert "https://meet.example/sessie" in client.get(reverse("community:event_detail", args=[event.pk])).content.decode()
    client.force_login(expert.user)
    assert "Niemand heeft u nog een vraag gesteld." in client.get(reverse("community:questions")).content.decode()
    client.force_login(community_coordinator)
    form = client.get(reverse("community:event_create"), {"community": community.pk}).content.decode()
    assert "Zorg-ISAC" in form and "Openbaar (iedereen)" not in form
    community_page = client.get(reverse("community:detail", args=[community.pk])).content.decode()
    assert "Er zijn geen komende bijeenkomsten in deze community." in community_page
    assert f"{reverse('community:event_create')}?community={community.pk}" in community_page


# --- retention ------------------------------------------------------------------------------------


def test_retention_removes_old_registrations_answered_questions_and_decided_requests(
    expert, member, organisation, collaboration
):
    from dtc.community.models import CollaborationJoinRequest, EventRegistration, ExpertQuestion
    from dtc.core.tasks import purge_expired

    past = make_event(days=-100)
    recent = make_event(days=-10)
    EventRegistration.objects.create(event=past, user=member)
    EventRegistration.objects.create(event=recent, user=member)
    old_answer = ExpertQuestion.objects.create(
        expert=expert, asked_by=member, subject="Oud", body="?", answer="!", answered_at=in_days(-400)
    )
    open_question = ExpertQuestion.objects.create(expert=expert, asked_by=member, subject="Open", body="?")
    decided = CollaborationJoinRequest.objects.create(
        collaboration=collaboration, organisation=organisation, status=CollaborationJoinRequest.Status.DECLINED,
        decided_at=in_days(-400),
    )
    counts = purge_expired.call()
    assert counts["event_registrations"] == 1 and counts["expert_questions"] == 1
    assert counts["collaboration_join_requests"] == 1
    assert list(EventRegistration.objects.values_list("event_id", flat=True)) == [recent.pk]
    assert list(ExpertQuestion.objects.all()) == [open_question]
    assert not CollaborationJoinRequest.objects.filter(pk=decided.pk).exists()
    assert not ExpertQuestion.objects.filter(pk=old_answer.pk).exists()
