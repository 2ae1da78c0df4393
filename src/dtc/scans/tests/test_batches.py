"""Batch scans of a collaboration: the CSV list (every bad line named, nothing stored), who may start
and see a batch, a round run by the task queue (inline in tests) against a loopback DNS server, the
coordinator's summary and per-member reports, rounds and the timeline, the CSV export, the schedule."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dtc.community.models import Collaboration
from dtc.organisations.models import Domain, Organisation, Role
from dtc.scans import batches, services
from dtc.scans.models import Scan, ScanBatch, ScanRound
from dtc.scans.testing.dnsserver import LoopbackDNS

pytestmark = pytest.mark.django_db

ZONES = """
$ORIGIN test.
@ 300 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300
$ORIGIN bakker.test.
@ 300 IN SOA ns.bakker.test. hostmaster.bakker.test. 1 3600 600 86400 300
@ 300 IN MX 0 .
@ 300 IN TXT "v=spf1 -all"
_dmarc 300 IN TXT "v=DMARC1; p=reject"
$ORIGIN slager.test.
@ 300 IN SOA ns.slager.test. hostmaster.slager.test. 1 3600 600 86400 300
@ 300 IN MX 0 .
@ 300 IN TXT "v=spf1 +all"
$ORIGIN kapper.test.
@ 300 IN SOA ns.kapper.test. hostmaster.kapper.test. 1 3600 600 86400 300
@ 300 IN MX 0 .
"""

LIST = "domein;deelnemer\nbakker.test;Bakkerij Jansen\nhttps://www.Slager.test/;=Slagerij Pieters\n\nkapper.test;Kapsalon\nbakker.test;dubbel\n"


@pytest.fixture
def scanner(settings):
    with LoopbackDNS(ZONES) as server:
        settings.DTC_SCAN_DNS = f"127.0.0.1:{server.port}"
        settings.DTC_SCAN_TIMEOUT = 1.0
        settings.DTC_SCAN_HTTPS_PORT = 1  # nothing listens: MTA-STS policy fetches are refused at once
        yield server


@pytest.fixture
def coordinator(django_user_model):
    return django_user_model.objects.create_user(email="coordinator@example.nl", password="x")


@pytest.fixture
def collaboration(coordinator):
    collaboration = Collaboration.objects.create(name="Ondernemers Centrum", slug="oc", kind="regional", connected=True)
    collaboration.coordinators.add(coordinator)
    return collaboration


def upload(text: str, name: str = "leden.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


# --- the list ------------------------------------------------------------------------------------


def test_the_list_is_read_with_a_header_names_urls_and_duplicates():
    result = batches.csv_read(LIST.encode())
    assert result.rows == [("bakker.test", "Bakkerij Jansen"), ("slager.test", "=Slagerij Pieters"),
                           ("kapper.test", "Kapsalon")]
    assert (result.errors, result.duplicates) == ([], 1)


@pytest.mark.parametrize("text", ["bakker.test,Bakkerij\nslager.test,Slagerij\n", "bakker.test\tBakkerij\nslager.test\tSlagerij\n"])
def test_the_list_may_be_separated_by_comma_or_tab(text):
    assert [row[0] for row in batches.csv_read(text.encode()).rows] == ["bakker.test", "slager.test"]


def test_a_list_of_bare_domains_and_an_excel_file_in_cp1252():
    assert batches.csv_read(b"bakker.test\nslager.test\n").rows == [("bakker.test", ""), ("slager.test", "")]
    result = batches.csv_read("domein;naam\nbakker.test;Caf\u00e9 \u00c9\u00e9n\n".encode("cp1252"))
    assert result.rows == [("bakker.test", "Caf\u00e9 \u00c9\u00e9n")]


def test_every_bad_line_is_named_with_its_number():
    result = batches.csv_read(b"domein;deelnemer\nbakker.test;A\nniet een domein;B\nhttp://;C\n")
    assert result.rows == [("bakker.test", "A")]
    assert len(result.errors) == 2
    assert result.errors[0].startswith("Regel 3:") and "niet een domein" in result.errors[0]
    assert result.errors[1].startswith("Regel 4:")


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty"), (b"domein;deelnemer\n", "empty"), (b"\x00\x01PK\x03", "binary"),
    (b"a" * (batches.CSV_MAX_BYTES + 1), "too_big"),
])
def test_unusable_files_are_refused_with_a_reason(data, code):
    with pytest.raises(ValidationError) as error:
        batches.csv_read(data)
    assert error.value.code == code


def test_a_list_longer_than_allowed_is_refused(settings):
    settings.DTC_SCAN_BATCH_MAX_DOMAINS = 2
    with pytest.raises(ValidationError) as error:
        batches.csv_read(b"a.test\nb.test\nc.test\n")
    assert error.value.code == "too_many"
    assert "hoogstens 2" in error.value.messages[0]


# --- who may start and see a batch ----------------------------------------------------------------


def test_only_a_coordinator_of_a_connected_collaboration_may_start_a_batch(collaboration, coordinator,
                                                                           django_user_model):
    other = django_user_model.objects.create_user(email="other@example.nl", password="x")
    with pytest.raises(ValidationError):
        batches.batch_create(collaboration=collaboration, name="x", rows=[("bakker.test", "")], user=other)
    collaboration.connected = False
    collaboration.save()
    with pytest.raises(ValidationError):
        batches.batch_create(collaboration=collaboration, name="x", rows=[("bakker.test", "")], user=coordinator)
    assert not ScanBatch.objects.exists()
    assert not Scan.objects.exists()


def test_others_do_not_see_a_batch_and_analysts_only_read_it(client, collaboration, coordinator, django_user_model):
    batch = batches.batch_create(collaboration=collaboration, name="Voorjaar", rows=[("bakker.test", "")],
                                 user=coordinator, mail=True, web=False)
    url = f"/scan/batch/{batch.pk}/"
    assert client.get(url).status_code == 302  # to the login page
    other = django_user_model.objects.create_user(email="other@example.nl", password="x")
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(url + "export.csv").status_code == 404
    assert client.post(url + "opnieuw/").status_code == 404
    assert client.get("/scan/batch/nieuw/").status_code == 403
    assert "Voorjaar" not in client.get("/scan/batch/").content.decode()
    analyst = django_user_model.objects.create_user(email="analyst@example.nl", password="x")
    analyst.groups.add(Group.objects.get_or_create(name=Role.ANALYST.value)[0])
    client.force_login(analyst)
    page = client.get(url)
    assert page.status_code == 200
    assert "Nu opnieuw testen" not in page.content.decode()
    assert client.post(url + "opnieuw/").status_code == 404
    assert batch.rounds.count() == 1


# --- a batch from upload to report -----------------------------------------------------------------


def test_a_coordinator_uploads_a_list_and_sees_a_report_per_member(client, scanner, collaboration, coordinator,
                                                                   django_capture_on_commit_callbacks):
    bakery = Organisation.objects.create(name="Bakkerij Jansen")
    Domain.objects.create(organisation=bakery, name="bakker.test")
    collaboration.member_organisations.add(bakery)
    client.force_login(coordinator)
    form = client.get("/scan/batch/nieuw/")
    assert form.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/scan/batch/nieuw/", {
            "collaboration": collaboration.pk, "name": "Centrum voorjaar", "mail": "on", "rescan_every_days": "91",
            "file": upload(LIST),
        })
    assert response.status_code == 302
    batch = ScanBatch.objects.get()
    assert response["Location"] == f"/scan/batch/{batch.pk}/"
    assert (batch.web, batch.mail, batch.rescan_every_days) == (False, True, 91)
    assert batch.entries.get(domain="bakker.test").organisation == bakery
    assert batch.entries.get(domain="slager.test").organisation is None
    scan_round = batch.rounds.get()
    assert scan_round.finished_at is not None  # the last scan of the round closed it
    scans = {scan.domain: scan for scan in scan_round.scans.all()}
    assert set(scans) == {"bakker.test", "slager.test", "kapper.test"}
    assert all(scan.status == Scan.Status.DONE for scan in scans.values())
    assert scans["bakker.test"].score_mail > scans["slager.test"].score_mail

    page = client.get(response["Location"], follow=True)
    html = page.content.decode()
    assert "3 domeinen worden getest" in html and "1 dubbele regels" in html
    assert "Bakkerij Jansen" in html and "=Slagerij Pieters" in html
    for scan in scans.values():
        assert f'href="/scan/{scan.key}/"' in html  # one report per member
    assert "Gemiddelde score e-mail" in html
    summary = batches.round_summary(scan_round)
    assert summary["domains"] == 3
    assert all(count <= 3 for _check, count in summary["top_failing"])
    assert "Wie namens je domein mag mailen (SPF): 2 domeinen" in html  # slager (+all) and kapper (none)  # most failing checks, by title
    assert "scans/progress.js" not in html
    # the member's own report is the ordinary scan page with every check and its advice
    report = client.get(f"/scan/{scans['slager.test'].key}/").content.decode()
    assert "Niet in orde" in report

    export = client.get(f"/scan/batch/{batch.pk}/export.csv")
    assert export["Content-Disposition"].startswith(f'attachment; filename="batchscan-{batch.pk}-ronde-1-')
    text = export.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["deelnemer", "domein", "status"]
    by_domain = {row[1]: row for row in rows[1:]}
    assert by_domain["slager.test"][0] == "'=Slagerij Pieters"  # no formula for the spreadsheet
    assert by_domain["slager.test"][4] == str(scans["slager.test"].score_mail)
    assert "mail.spf" in by_domain["slager.test"][7]
    assert by_domain["bakker.test"][8].endswith(f"/scan/{scans['bakker.test'].key}/")


def test_a_new_round_makes_a_timeline_and_shows_the_change(client, scanner, collaboration, coordinator,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = batches.batch_create(collaboration=collaboration, name="B", rows=[("slager.test", "Slagerij")],
                                     user=coordinator, web=False)
    first = batch.rounds.get().scans.get()
    Scan.objects.filter(pk=first.pk).update(score_mail=first.score_mail - 20)  # as if it was worse then
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/scan/batch/{batch.pk}/opnieuw/")
    html = client.get(response["Location"]).content.decode()
    assert "Ronde 2 is gestart" in html
    assert "+20, beter" in html
    timeline = batches.batch_timeline(batch=batch)
    assert [row["number"] for row in timeline] == [1, 2]
    assert timeline[1]["average_mail"] - timeline[0]["average_mail"] == 20
    assert client.get(f"/scan/batch/{batch.pk}/?ronde=1").status_code == 200
    figures = batches.scan_figures()
    assert figures["batches"] == [{"rounds": 2, "web": (None, None),
                                   "mail": (timeline[0]["average_mail"], timeline[1]["average_mail"])}]


def test_a_bad_upload_stores_nothing_and_names_the_lines(client, collaboration, coordinator):
    client.force_login(coordinator)
    response = client.post("/scan/batch/nieuw/", {
        "collaboration": collaboration.pk, "name": "X", "mail": "on",
        "file": upload("domein\nbakker.test\nniet goed\n"),
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert "Er is niets opgeslagen" in html and "Regel 3" in html
    assert not ScanBatch.objects.exists()
    response = client.post("/scan/batch/nieuw/", {
        "collaboration": collaboration.pk, "name": "X", "mail": "on", "file": upload("bakker.test", name="leden.xlsx"),
    })
    assert response.status_code == 400
    assert "Kies een CSV-bestand" in response.content.decode()


def test_a_running_round_shows_progress_and_refuses_a_second_round(client, collaboration, coordinator):
    batch = batches.batch_create(collaboration=collaboration, name="B", rows=[("a.test", ""), ("b.test", "")],
                                 user=coordinator)  # not committed in this test: the scans stay queued
    scan_round = batch.rounds.get()
    Scan.objects.filter(batch_round=scan_round, domain="a.test").update(status=Scan.Status.DONE)
    client.force_login(coordinator)
    html = client.get(f"/scan/batch/{batch.pk}/").content.decode()
    assert "Bezig: 1 van 2 domeinen klaar." in html
    assert "scans/progress.js" in html
    with pytest.raises(ValidationError) as error:
        batches.batch_round_start(batch=batch, user=coordinator)
    assert error.value.code == "running"
    assert batch.rounds.count() == 1


def test_scheduled_rescans_start_only_when_due_and_only_once(collaboration, coordinator):
    due = batches.batch_create(collaboration=collaboration, name="due", rows=[("a.test", "")], user=coordinator,
                               rescan_every_days=30)
    manual = batches.batch_create(collaboration=collaboration, name="manual", rows=[("b.test", "")], user=coordinator)
    Scan.objects.update(status=Scan.Status.DONE)
    ScanRound.objects.update(created_at=timezone.now() - dt.timedelta(days=31))
    assert batches.batches_rescan_due() == 1
    assert batches.batches_rescan_due() == 0  # the new round is recent (and still running)
    assert due.rounds.count() == 2 and due.rounds.order_by("number").last().scheduled
    assert manual.rounds.count() == 1
    assert Scan.objects.filter(batch_round__batch=due, scheduled=True).count() == 1


def test_the_on_demand_purge_keeps_batch_scans(collaboration, coordinator):
    batches.batch_create(collaboration=collaboration, name="B", rows=[("a.test", "")], user=coordinator)
    services.scan_create(domain="c.test")
    Scan.objects.update(created_at=timezone.now() - dt.timedelta(days=400))
    assert services.scans_purge() == 1
    assert Scan.objects.filter(batch_round__isnull=False).count() == 1


def test_the_demo_loads_a_batch_the_demo_coordinator_starts(client, django_capture_on_commit_callbacks):
    from dtc.community.demo_directory import directory_demo_load
    from dtc.scans.demo import DEMO_COORDINATOR_EMAIL, scans_demo_load

    directory_demo_load(with_users=False)
    assert scans_demo_load(with_users=True) == {"batches_created": 1}
    assert scans_demo_load(with_users=True) == {"batches_created": 0}  # idempotent
    batch = ScanBatch.objects.get()
    assert batch.entries.count() == 3
    from dtc.organisations.models import User

    client.force_login(User.objects.get(email=DEMO_COORDINATOR_EMAIL))
    assert batch.name in client.get("/scan/batch/").content.decode()
    html = client.get(f"/scan/batch/{batch.pk}/").content.decode()
    assert "nog geen ronde" in html and "Nu opnieuw testen" in html
    response = client.post(f"/scan/batch/{batch.pk}/opnieuw/")
    assert response.status_code == 302
    assert batch.rounds.get().scans.count() == 3


def test_the_summary_counts_domains_not_rows(collaboration, coordinator):
    from dtc.scans.models import ScanCheck

    batch = batches.batch_create(collaboration=collaboration, name="B", rows=[("a.test", ""), ("b.test", "")],
                                 user=coordinator)
    scan_round = batch.rounds.get()
    for scan in scan_round.scans.all():
        for target in (scan.domain, f"www.{scan.domain}"):  # a web check runs on apex and www
            ScanCheck.objects.create(scan=scan, check_id="web.ipv6", target=target, outcome="fail")
    scan_round.scans.update(status=Scan.Status.DONE, score_web=50)
    summary = batches.round_summary(scan_round)
    assert summary["top_failing"] == [("web.ipv6", 2)]
    assert (summary["domains"], summary["average_web"], summary["good_web"]) == (2, 50, 0)
