"""Proof of domain ownership, and what it unlocks (issue 6).

Rules under test, against real loopback DNS and HTTPS servers and a real SMTP server:
- a TXT record `dtc-verificatie=<token>` at `_dtc-verificatie.<domain>` or at the domain, or the token in
  `https://<domain>/.well-known/dtc-verificatie.txt` (valid certificate, no redirect out of the domain),
  proves ownership; anything else does not, and the message says what was looked for and what was found;
- a check that could not be done (timeout) is "unknown" and changes nothing;
- a verified domain loses its proof only after two consecutive scheduled checks found it gone;
- only admins show proof and start scans; members see the scans; others get a 404;
- the daily job rescans each verified domain once its latest scan is DTC_SCAN_RESCAN_DAYS old, and running
  it twice creates nothing extra;
- a finished scan of a verified domain that is worse than the previous one mails the admins once.
"""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy

import pytest
from django.urls import reverse
from django.utils import timezone

from dtc.core.models import AuditLogEntry
from dtc.core.schedule import JOBS
from dtc.organisations.models import Domain
from dtc.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from dtc.scans import ownership, tasks
from dtc.scans.models import Scan, ScanCheck
from dtc.scans.services import scan_finish
from dtc.scans.testing.dnsserver import zone
from dtc.scans.testing.httpserver import Response, redirect

pytestmark = pytest.mark.django_db

FILE = "/.well-known/dtc-verificatie.txt"
TOKEN = "Zq4-proef-token-7Hs2"
ZONE = zone(
    "test",
    f'_dtc-verificatie.txt-bewijs 300 IN TXT "dtc-verificatie={TOKEN}"',
    'apex-bewijs 300 IN TXT "v=spf1 -all"',
    f'apex-bewijs 300 IN TXT "dtc-verificatie={TOKEN}"',
    "bestand 300 IN A 127.0.0.1",
    "fout 300 IN A 127.0.0.1",
    'fout 300 IN TXT "dtc-verificatie=iets-anders"',
    'www.fout 300 IN TXT "v=spf1 -all"',
    "leeg 300 IN A 127.0.0.1",
    "traag 300 IN A 127.0.0.1",
    "door 300 IN A 127.0.0.1",
    "slechtcert 300 IN A 127.0.0.1",
)
HTTPS_HOSTS = ["bestand.test", "fout.test", "leeg.test", "door.test", "traag.test"]


@pytest.fixture(scope="module")
def web(loopback_web):
    https_routes = {
        f"bestand.test{FILE}": Response(body=f"{TOKEN}\n", headers={"Content-Type": "text/plain"}),
        f"fout.test{FILE}": Response(body="niet de code\n"),
        f"door.test{FILE}": redirect(f"https://elders.example{FILE}"),
        f"slechtcert.test{FILE}": Response(body=TOKEN),
    }
    delays = {"_dtc-verificatie.traag.test": 2.0, "traag.test": 2.0}
    return loopback_web(ZONE, {}, https_routes, https_hosts=HTTPS_HOSTS, delays=delays)


@pytest.fixture
def context(web):
    return web.context(timeout=0.5)


@pytest.fixture
def scanner(settings, web):
    """Point the site's scanner (scan_context) at the loopback servers, as the pages use it."""
    settings.DTC_SCAN_DNS = f"127.0.0.1:{web.dns.port}"
    settings.DTC_SCAN_HTTPS_PORT = web.https.port
    settings.DTC_SCAN_HTTP_PORT = web.http.port
    settings.DTC_SCAN_CA_FILE = web.https.ca_file
    settings.DTC_SCAN_TIMEOUT = 0.5
    return web


@pytest.fixture
def admin_membership():
    return MembershipFactory(admin=True)


@pytest.fixture
def organisation(admin_membership):
    return admin_membership.organisation


@pytest.fixture
def admin(admin_membership):
    return admin_membership.user


@pytest.fixture
def member(organisation):
    return MembershipFactory(organisation=organisation).user


def domain_for(organisation, name, *, verified=False):
    return Domain.objects.create(organisation=organisation, name=name, verification_token=TOKEN,
                                 verified_at=timezone.now() - dt.timedelta(days=30) if verified else None)


def proof_events(domain):
    return list(AuditLogEntry.objects.filter(target_type="organisations.domain", target_id=str(domain.pk))
                .order_by("created_at", "id").values_list("action", flat=True))


# --- verification ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method"), [
    ("txt-bewijs.test", ownership.Method.DNS_TXT),
    ("apex-bewijs.test", ownership.Method.DNS_TXT_APEX),
    ("bestand.test", ownership.Method.HTTPS_FILE),
])
def test_each_way_of_proof_verifies_and_the_audit_log_says_which(context, organisation, admin, name, method):
    domain = domain_for(organisation, name)
    result = ownership.domain_verify(domain, context=context, actor=admin)
    assert result.status == ownership.Status.VERIFIED
    assert result.method == method
    domain.refresh_from_db()
    assert domain.verified_at is not None
    entry = AuditLogEntry.objects.get(action="domain.verify", target_id=str(domain.pk))
    assert entry.after["method"] == str(method)
    assert entry.actor == admin
    assert name in result.summary


def test_a_wrong_token_does_not_verify_and_says_what_was_found(context, organisation, admin):
    domain = domain_for(organisation, "fout.test")
    result = ownership.domain_verify(domain, context=context, actor=admin)
    assert result.status == ownership.Status.ABSENT
    text = "\n".join(result.messages)
    assert f"„dtc-verificatie={TOKEN}”" in text  # what we looked for
    assert "„dtc-verificatie=iets-anders”" in text  # what we found at the domain
    assert "_dtc-verificatie.fout.test" in text and "bestaat niet" in text
    assert f"https://fout.test{FILE}" in text and "„niet de code”" in text
    domain.refresh_from_db()
    assert domain.verified_at is None
    assert proof_events(domain) == []


def test_no_proof_anywhere_lists_every_place_looked(context, organisation, admin):
    domain = domain_for(organisation, "leeg.test")
    result = ownership.domain_verify(domain, context=context, actor=admin)
    assert result.status == ownership.Status.ABSENT
    assert "geen bewijs" in result.summary
    assert len(result.messages) == 3
    assert "Daar staat geen enkel TXT-record" in result.messages[1]
    assert "status 404 (bestand niet gevonden)" in result.messages[2]


def test_a_redirect_out_of_the_domain_is_not_followed(context, organisation, admin):
    result = ownership.domain_verify(domain_for(organisation, "door.test"), context=context, actor=admin)
    assert result.status == ownership.Status.ABSENT
    assert f"stuurt door naar https://elders.example{FILE}" in result.messages[2]


def test_a_file_behind_an_invalid_certificate_does_not_count(context, organisation, admin):
    result = ownership.domain_verify(domain_for(organisation, "slechtcert.test"), context=context, actor=admin)
    assert result.status == ownership.Status.ABSENT
    assert "het certificaat is niet geldig" in result.messages[2]


def test_a_timeout_is_unknown_and_takes_nothing_away(context, organisation):
    domain = domain_for(organisation, "traag.test", verified=True)
    verified_at = domain.verified_at
    result = ownership.domain_verify(domain, context=context, scheduled=True)
    assert result.status == ownership.Status.UNKNOWN
    assert "probeer het later opnieuw" in result.summary
    assert "antwoordde niet op tijd" in result.messages[0]
    assert "reageerde niet op tijd" in result.messages[2]
    domain.refresh_from_db()
    assert domain.verified_at == verified_at
    assert proof_events(domain) == []  # not even a miss


def test_proof_gone_at_two_consecutive_scheduled_checks_is_lost(context, web, organisation, admin):
    route = f"bestand.test{FILE}"
    domain = domain_for(organisation, "bestand.test")
    ownership.domain_verify(domain, context=context, actor=admin)
    saved = web.https.routes.pop(route)
    try:
        now = timezone.now()
        ownership.domain_verify(domain, context=context, actor=admin)  # a person's check never counts
        ownership.domain_verify(domain, context=context, scheduled=True, now=now)
        ownership.domain_verify(domain, context=context, scheduled=True, now=now + dt.timedelta(hours=1))
        domain.refresh_from_db()
        assert domain.verified_at is not None  # one miss; the second run was the same round
        assert proof_events(domain) == ["domain.verify", "domain.verify_missing"]

        ownership.domain_verify(domain, context=context, scheduled=True, now=now + dt.timedelta(days=1))
        domain.refresh_from_db()
        assert domain.verified_at is None
        assert proof_events(domain)[-1] == "domain.verify_lost"
    finally:
        web.https.routes[route] = saved


def test_proof_back_between_two_misses_starts_the_count_again(context, web, organisation, admin):
    route = f"bestand.test{FILE}"
    domain = domain_for(organisation, "bestand.test")
    ownership.domain_verify(domain, context=context, actor=admin)
    later = timezone.now() + dt.timedelta(days=1)
    saved = web.https.routes.pop(route)
    try:
        ownership.domain_verify(domain, context=context, scheduled=True)
        web.https.routes[route] = saved
        ownership.domain_verify(domain, context=context, scheduled=True)
        del web.https.routes[route]
        ownership.domain_verify(domain, context=context, scheduled=True, now=later)
    finally:
        web.https.routes[route] = saved
    domain.refresh_from_db()
    assert domain.verified_at is not None
    assert proof_events(domain) == [
        "domain.verify", "domain.verify_missing", "domain.verify_confirmed", "domain.verify_missing"]


# --- pages -------------------------------------------------------------------------------------


def url(name, *args):
    return reverse(f"organisations:{name}", args=args)


def test_admin_sees_instructions_checks_and_scans(client, scanner, organisation, admin,
                                                  django_capture_on_commit_callbacks):
    domain = domain_for(organisation, "apex-bewijs.test")
    client.force_login(admin)
    page = client.get(url("domain", organisation.pk, domain.pk)).text
    assert "_dtc-verificatie.apex-bewijs.test" in page
    assert f"dtc-verificatie={TOKEN}" in page
    assert f"https://apex-bewijs.test{FILE}" in page
    assert "Scan apex-bewijs.test nu" not in page  # not verified yet

    response = client.post(url("domain_verify", organisation.pk, domain.pk), follow=True)
    assert "Eigendom van apex-bewijs.test is aangetoond" in response.text
    domain.refresh_from_db()
    assert domain.verified_at is not None
    listing = client.get(url("domains", organisation.pk)).text
    assert "Scan apex-bewijs.test nu" in listing

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url("domain_scan", organisation.pk, domain.pk))
    scan = Scan.objects.get(organisation=organisation, domain="apex-bewijs.test")
    assert len(callbacks) == 1  # the scan is enqueued after the commit
    assert (scan.scheduled, scan.requested_by) == (False, admin)
    assert response["Location"] == url("scan_detail", organisation.pk, scan.key)
    assert "Bezig: 0 van" in client.get(response["Location"]).text
    client.post(url("domain_scan", organisation.pk, domain.pk))
    assert Scan.objects.filter(organisation=organisation).count() == 1  # still running: reused


def test_a_failed_check_on_the_page_says_what_was_looked_for(client, scanner, organisation, admin):
    domain = domain_for(organisation, "fout.test")
    client.force_login(admin)
    response = client.post(url("domain_verify", organisation.pk, domain.pk), follow=True)
    assert "geen bewijs" in response.text
    assert "iets-anders" in response.text
    domain.refresh_from_db()
    assert domain.verified_at is None


def test_an_unverified_domain_cannot_be_scanned_for_the_organisation(client, organisation, admin):
    domain = domain_for(organisation, "leeg.test")
    client.force_login(admin)
    response = client.post(url("domain_scan", organisation.pk, domain.pk), follow=True)
    assert "Toon eerst aan dat uw organisatie leeg.test beheert" in response.text
    assert not Scan.objects.exists()


def test_members_see_scans_but_no_proof_and_cannot_act(client, organisation, member):
    domain = domain_for(organisation, "apex-bewijs.test", verified=True)
    scan = Scan.objects.create(organisation=organisation, domain=domain.name, status=Scan.Status.DONE,
                               score_web=55, score_mail=81, finished_at=timezone.now(), scheduled=True)
    client.force_login(member)
    page = client.get(url("domain", organisation.pk, domain.pk)).text
    assert TOKEN not in page
    assert "Controleer" not in page and "Scan apex-bewijs.test nu" not in page
    assert url("scan_detail", organisation.pk, scan.key) in page
    assert "<td>55</td>" in page and "<td>81</td>" in page and "gepland" in page
    assert client.get(url("scan_detail", organisation.pk, scan.key)).status_code == 200
    assert client.post(url("domain_verify", organisation.pk, domain.pk)).status_code == 403
    assert client.post(url("domain_scan", organisation.pk, domain.pk)).status_code == 403
    assert Scan.objects.count() == 1


def test_outsiders_get_404_and_scans_do_not_leak_between_organisations(client, organisation, admin):
    domain = domain_for(organisation, "apex-bewijs.test", verified=True)
    scan = Scan.objects.create(organisation=organisation, domain=domain.name)
    other = MembershipFactory(admin=True)
    client.force_login(other.user)
    assert client.get(url("domain", organisation.pk, domain.pk)).status_code == 404
    assert client.post(url("domain_verify", organisation.pk, domain.pk)).status_code == 404
    assert client.post(url("domain_scan", organisation.pk, domain.pk)).status_code == 404
    assert client.get(url("scan_detail", organisation.pk, scan.key)).status_code == 404
    # The other organisation's own address with this organisation's scan key: still nothing.
    assert client.get(url("scan_detail", other.organisation.pk, scan.key)).status_code == 404
    # On-demand scans are not pages of an organisation either.
    public = Scan.objects.create(domain="apex-bewijs.test")
    client.force_login(admin)
    assert client.get(url("scan_detail", organisation.pk, public.key)).status_code == 404
    client.logout()
    response = client.get(url("domain", organisation.pk, domain.pk))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


# --- scheduled rescans -------------------------------------------------------------------------


def test_the_daily_job_is_scheduled():
    job = next(job for job in JOBS if job.name == "domains_scheduled_checks")
    assert job.every == dt.timedelta(days=1)


def test_rescans_are_due_after_the_set_days_and_created_once(settings, organisation):
    settings.DTC_SCAN_RESCAN_DAYS = 7
    now = timezone.now()
    fresh = domain_for(organisation, "vers.test", verified=True)
    old = domain_for(organisation, "oud.test", verified=True)
    never = domain_for(organisation, "nooit.test", verified=True)
    unverified = domain_for(organisation, "onbewezen.test")
    Scan.objects.create(organisation=organisation, domain="vers.test", created_at=now - dt.timedelta(days=6))
    Scan.objects.create(organisation=organisation, domain="oud.test", created_at=now - dt.timedelta(days=8))
    Scan.objects.create(domain="nooit.test")  # an on-demand scan is not the organisation's

    for _run in range(2):
        for domain in (fresh, old, never, unverified):
            ownership.domain_rescan_if_due(domain_id=domain.pk, now=now)

    scheduled = Scan.objects.filter(scheduled=True)
    assert sorted(scheduled.values_list("domain", flat=True)) == ["nooit.test", "oud.test"]
    assert set(scheduled.values_list("organisation_id", flat=True)) == {organisation.pk}


def test_running_the_daily_task_twice_creates_nothing_extra(scanner, organisation):
    verified = domain_for(organisation, "bestand.test", verified=True)
    domain_for(organisation, "apex-bewijs.test")  # not verified: no scan, no check
    tasks.domains_scheduled_checks.enqueue()  # inline in tests: each domain's check runs at once
    tasks.domains_scheduled_checks.enqueue()
    scan = Scan.objects.get()
    assert (scan.domain, scan.organisation_id, scan.scheduled) == ("bestand.test", organisation.pk, True)
    verified.refresh_from_db()
    assert verified.verified_at is not None


# --- regression alerts -------------------------------------------------------------------------


BEFORE = {("mail.spf", "winkel.test"): "pass", ("mail.dmarc", "winkel.test"): "warn",
          ("web.https", "winkel.test"): "fail", ("web.tls", "winkel.test"): "pass"}


def finished_scan(organisation, outcomes, *, days_ago=0):
    created = timezone.now() - dt.timedelta(days=days_ago)
    scan = Scan.objects.create(organisation=organisation, domain="winkel.test", created_at=created,
                               status=Scan.Status.RUNNING)
    for (check_id, target), outcome in outcomes.items():
        ScanCheck.objects.create(scan=scan, check_id=check_id, target=target, outcome=outcome,
                                 findings=[{"outcome": outcome, "code": "x", "subject": target, "detail": {}}])
    if days_ago:
        Scan.objects.filter(pk=scan.pk).update(status=Scan.Status.DONE, finished_at=created)
        scan.refresh_from_db()
    return scan


def received(smtp_server):
    return [(recipients, message_from_bytes(content, policy=policy.default))
            for _sender, recipients, content in smtp_server.messages]


def test_a_worse_scan_mails_the_admins_once(smtp_server, organisation, admin, member,
                                           django_capture_on_commit_callbacks):
    domain_for(organisation, "winkel.test", verified=True)
    unverified_admin = UserFactory()  # no verified address: no mail
    MembershipFactory(organisation=organisation, user=unverified_admin, role="admin")
    finished_scan(organisation, BEFORE, days_ago=7)
    scan = finished_scan(organisation, BEFORE | {("mail.spf", "winkel.test"): "fail",
                                                 ("mail.dmarc", "winkel.test"): "fail",
                                                 ("web.https", "winkel.test"): "pass",
                                                 ("web.tls", "winkel.test"): "not_tested"})
    with django_capture_on_commit_callbacks(execute=True):
        scan_finish(scan=scan)

    mails = received(smtp_server)
    assert [recipients for recipients, _message in mails] == [[admin.email]]
    message = mails[0][1]
    assert message["Subject"] == "[DTC] De beveiliging van winkel.test is achteruitgegaan"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Wie namens je domein mag mailen (SPF) (winkel.test): was „In orde”, is nu „Niet in orde”" in text
    assert "Beleid tegen vervalste mail (DMARC) (winkel.test): was „Kan beter”, is nu „Niet in orde”" in text
    assert "HTTPS" not in text and "TLS" not in text  # better, or not tested: no regression
    assert ownership.scan_url(scan) in text
    scan.refresh_from_db()
    assert scan.regression_alerted_at is not None

    stale = Scan.objects.get(pk=scan.pk)
    stale.regression_alerted_at = None  # a retry that read the scan before the claim
    with django_capture_on_commit_callbacks(execute=True):
        scan_finish(scan=scan)
        assert ownership.scan_regressions_alert(scan=stale) == 0
    assert len(smtp_server.messages) == 1


def test_no_alert_for_an_unverified_domain(smtp_server, organisation, admin, django_capture_on_commit_callbacks):
    domain_for(organisation, "winkel.test")
    finished_scan(organisation, BEFORE, days_ago=7)
    scan = finished_scan(organisation, BEFORE | {("mail.spf", "winkel.test"): "fail"})
    with django_capture_on_commit_callbacks(execute=True):
        scan_finish(scan=scan)
    assert smtp_server.messages == []
    scan.refresh_from_db()
    assert scan.regression_alerted_at is None


def test_no_alert_when_nothing_got_worse(smtp_server, organisation, admin, django_capture_on_commit_callbacks):
    domain_for(organisation, "winkel.test", verified=True)
    finished_scan(organisation, BEFORE, days_ago=7)
    scan = finished_scan(organisation, BEFORE | {("web.https", "winkel.test"): "warn",
                                                 ("web.tls", "winkel.test"): "not_tested"})
    with django_capture_on_commit_callbacks(execute=True):
        scan_finish(scan=scan)
    assert smtp_server.messages == []
    scan.refresh_from_db()
    assert scan.regression_alerted_at is None


def test_no_alert_for_another_organisations_or_a_public_scan(smtp_server, organisation, admin,
                                                             django_capture_on_commit_callbacks):
    domain_for(organisation, "winkel.test", verified=True)
    finished_scan(organisation, BEFORE, days_ago=7)
    other = OrganisationFactory()
    finished_scan(other, BEFORE, days_ago=7)
    worse = BEFORE | {("mail.spf", "winkel.test"): "fail"}
    with django_capture_on_commit_callbacks(execute=True):
        scan_finish(scan=finished_scan(other, worse))  # the other organisation has shown no proof
        scan_finish(scan=finished_scan(None, worse))
    assert smtp_server.messages == []
