"""Exchanging items with MISP and STIX 2.1.

Export: only what the visibility module lets the user see in the community, published only (no
drafts, not even their own), no author (anonymous posts stay anonymous), every STIX object marked with
its item's TLP 2.0 marking definition (the OASIS extension's fixed ids), served as a JSON attachment
with nosniff, in a constant number of queries.
Import: a MISP event or STIX 2.1 bundle becomes drafts of the importer with the file's TLP label (the
strictest one found; none → TLP:AMBER, and the user is told); active members only; every invalid file
gives a clear Dutch error on the page and stores nothing at all. Export → import keeps titles, labels
and indicators.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
import stix2
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dtc.community import interop, services
from dtc.community.models import Indicator, Item, ItemAudience, Tlp
from dtc.community.tests.factories import (
    CommunityFactory,
    CommunityMembershipFactory,
    ItemAudienceFactory,
    ItemFactory,
)
from dtc.core.models import AuditLogEntry
from dtc.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
TLP2_IDS = set(interop.TLP2_MARKING_IDS.values())


def url(name, *args):
    return reverse(f"community:{name}", args=args)


@pytest.fixture
def community(db):
    return CommunityFactory(tlp_organisation=True, name="Zorg-ISAC", slug="zorg-isac")


@pytest.fixture
def member(community):
    CommunityMembershipFactory(community=community, coordinator=True)
    return CommunityMembershipFactory(community=community).user


@pytest.fixture
def target(member):
    """A second community the member imports into."""
    other = CommunityFactory(tlp_organisation=True, name="Regio-Oost", slug="regio-oost")
    CommunityMembershipFactory(community=other, user=member)
    return other


def shared(community, **kwargs):
    item = ItemFactory(published=True, **kwargs)
    ItemAudienceFactory(item=item, community=community)
    return item


def indicators_of(item):
    return {(i.kind, i.value, i.comment) for i in item.indicators.all()}


def counts():
    return (Item.objects.count(), Indicator.objects.count(), ItemAudience.objects.count(), AuditLogEntry.objects.count())


def upload(client, community, content: bytes, name="import.json"):
    return client.post(url("interop", community.pk), {"file": SimpleUploadedFile(name, content, "application/json")})


@pytest.fixture
def feed(community, member):
    """What the member may see in the community, plus what they may not."""
    author = UserFactory(verified=True, name="Geheime Auteur", email="geheim@leverancier.example")
    visible = shared(community, amber=True, title="Nepfacturen", body_markdown="Let op **nepfacturen**.")
    Indicator.objects.create(item=visible, kind="ip", value="198.51.100.7", comment="C2")
    Indicator.objects.create(item=visible, kind="url", value="https://x.example/it's?a=1\\b")
    Indicator.objects.create(item=visible, kind="cve", value="CVE-2024-3400")
    Indicator.objects.create(item=visible, kind="ip", value="2001:db8::1")
    anonymous = shared(community, green=True, title="Anoniem gemeld incident", author=author, anonymous=True)
    Indicator.objects.create(item=anonymous, kind="sha256", value="a" * 64)
    Indicator.objects.create(item=anonymous, kind="md5", value="b" * 32)
    Indicator.objects.create(item=anonymous, kind="sha1", value="c" * 40)
    Indicator.objects.create(item=anonymous, kind="domain", value="evil.example")
    shared(community, clear=True, title="Zonder indicatoren", body_markdown="")
    hidden = shared(community, red=True, title="Geheim rood item")  # RED: named people only
    Indicator.objects.create(item=hidden, kind="domain", value="geheim.example")
    own_draft = ItemFactory(author=member, title="Mijn concept")
    ItemAudienceFactory(item=own_draft, community=community)
    shared(CommunityFactory(tlp_organisation=True), title="In een andere community")
    return {"visible": visible, "anonymous": anonymous}


# --- export ---------------------------------------------------------------------------------


def test_misp_export_holds_only_what_the_member_may_see(client, member, community, feed):
    client.force_login(member)
    response = client.get(url("export_misp", community.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="zorg-isac-misp.json"'
    body = response.content.decode()
    events = {e["Event"]["info"]: e["Event"] for e in json.loads(body)["response"]}
    assert set(events) == {"Nepfacturen", "Anoniem gemeld incident", "Zonder indicatoren"}
    for absent in ("Geheim rood item", "geheim.example", "Mijn concept", "In een andere community",
                   "Geheime Auteur", "geheim@leverancier.example", member.email):
        assert absent not in body
    amber = events["Nepfacturen"]
    assert [t["name"] for t in amber["Tag"]] == ["tlp:amber", 'dtc:item-kind="threat"']
    assert amber["Orgc"]["name"] == "Zorg-ISAC"
    attributes = {(a["type"], a["value"]) for a in amber["Attribute"]}
    assert attributes == {
        ("text", "Let op **nepfacturen**."), ("ip-dst", "198.51.100.7"), ("ip-dst", "2001:db8::1"),
        ("url", "https://x.example/it's?a=1\\b"), ("vulnerability", "CVE-2024-3400"),
    }
    assert [t["name"] for t in events["Anoniem gemeld incident"]["Tag"]][0] == "tlp:green"


def test_stix_export_is_valid_strict_stix_with_tlp2_markings_everywhere(client, member, community, feed):
    client.force_login(member)
    response = client.get(url("export_stix", community.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="zorg-isac-stix.json"'
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.content.decode()
    bundle = stix2.parse(body, allow_custom=False)
    for absent in ("Geheim rood item", "geheim.example", "Mijn concept", "Geheime Auteur", "geheim@"):
        assert absent not in body
    markings = {o.id: o for o in bundle.objects if o.type == "marking-definition"}
    assert set(markings) <= TLP2_IDS
    for marking in markings.values():
        assert marking.extensions[interop.TLP2_EXTENSION_ID]["extension_type"] == "property-extension"
    others = [o for o in bundle.objects if o.type != "marking-definition"]
    assert others
    for obj in others:
        assert len(obj.object_marking_refs) == 1
        assert obj.object_marking_refs[0] in markings
    reports = {o.name: o for o in bundle.objects if o.type == "report"}
    assert set(reports) == {"Nepfacturen", "Anoniem gemeld incident", "Zonder indicatoren"}
    amber = reports["Nepfacturen"]
    assert amber.object_marking_refs == [interop.TLP2_MARKING_IDS[Tlp.AMBER]]
    by_id = {o.id: o for o in bundle.objects}
    referenced = [by_id[ref] for ref in amber.object_refs]
    assert sorted(o.type for o in referenced) == ["indicator", "indicator", "indicator", "vulnerability"]
    patterns = {o.pattern for o in referenced if o.type == "indicator"}
    assert "[ipv6-addr:value = '2001:db8::1']" in patterns
    assert all(o.object_marking_refs == amber.object_marking_refs for o in referenced)
    # Identities: only the community — no person, no organisation.
    assert [o.name for o in bundle.objects if o.type == "identity"] == ["Zorg-ISAC"]


def test_tlp2_marking_definitions_are_the_oasis_objects():
    amber_strict = json.loads(interop.TLP2_MARKINGS[Tlp.AMBER_STRICT].serialize())
    assert amber_strict == {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "created": "2022-10-01T00:00:00.000Z",
        "name": "TLP:AMBER+STRICT",
        "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
            "extension_type": "property-extension", "tlp_2_0": "amber+strict"}},
    }
    assert {label: m.name for label, m in interop.TLP2_MARKINGS.items()} == {
        "CLEAR": "TLP:CLEAR", "GREEN": "TLP:GREEN", "AMBER": "TLP:AMBER",
        "AMBER+STRICT": "TLP:AMBER+STRICT", "RED": "TLP:RED",
    }


def _ids(raw: bytes) -> list[str]:
    return sorted(o["id"] for o in json.loads(raw)["objects"])


def test_exports_are_ids_stable_and_audit_logged(client, member, community, feed):
    client.force_login(member)
    first = client.get(url("export_stix", community.pk)).content
    second = client.get(url("export_stix", community.pk)).content
    assert _ids(first) == _ids(second)
    entries = AuditLogEntry.objects.filter(action="community.export", target_id=str(community.pk))
    assert entries.count() == 2
    assert sorted(entries.first().after["items"]) == sorted(
        [feed["visible"].pk, feed["anonymous"].pk, Item.objects.get(title="Zonder indicatoren").pk]
    )


@pytest.mark.parametrize("name", ["export_misp", "export_stix"])
def test_export_query_count_does_not_grow_with_items(client, member, community, name, django_assert_max_num_queries):
    client.force_login(member)
    for n in range(2):
        item = shared(community, green=True)
        Indicator.objects.create(item=item, kind="domain", value=f"d{n}.example")
    with django_assert_max_num_queries(20) as few:
        assert client.get(url(name, community.pk)).status_code == 200
    for n in range(8):
        item = shared(community, green=True)
        Indicator.objects.create(item=item, kind="domain", value=f"e{n}.example")
        Indicator.objects.create(item=item, kind="ip", value=f"192.0.2.{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(name, community.pk))
    assert response.content.count(b"e7.example") >= 1


def test_hidden_community_is_404_and_visitors_must_log_in(client, feed):
    secret = CommunityFactory(confidential=True)
    shared(secret, green=True, title="Vertrouwelijk")
    outsider = UserFactory(verified=True)
    assert client.get(url("export_misp", secret.pk)).status_code == 302
    client.force_login(outsider)
    for name in ("export_misp", "export_stix", "interop"):
        assert client.get(url(name, secret.pk)).status_code == 404


def test_an_outsider_exports_only_what_is_addressed_to_them(client, community, feed):
    outsider = UserFactory(verified=True)
    client.force_login(outsider)
    response = client.get(url("export_misp", community.pk))
    assert response.status_code == 200
    assert json.loads(response.content) == {"response": []}
    page = client.get(url("interop", community.pk))
    assert b"Alleen leden van deze community kunnen hier importeren." in page.content
    before = counts()
    fixture = (FIXTURES / "misp_event.json").read_bytes()
    assert upload(client, community, fixture).status_code == 403
    assert counts() == before


# --- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["export_misp", "export_stix"])
def test_export_then_import_keeps_titles_labels_and_indicators(client, member, community, target, feed, name):
    client.force_login(member)
    exported = client.get(url(name, community.pk)).content
    originals = {item.title: item for item in Item.objects.filter(pk__in=[feed["visible"].pk, feed["anonymous"].pk])}
    response = upload(client, target, exported)
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == url("drafts")
    imported = Item.objects.filter(audience__community=target)
    assert {i.title for i in imported} == {"Nepfacturen", "Anoniem gemeld incident", "Zonder indicatoren"}
    for item in imported:
        assert item.status == Item.Status.DRAFT
        assert item.author == member
        assert not item.anonymous
        assert list(item.audience.values_list("community_id", flat=True)) == [target.pk]
        if item.title in originals:
            original = originals[item.title]
            assert item.tlp == original.tlp
            assert item.kind == original.kind
            assert item.body_markdown == original.body_markdown
            assert indicators_of(item) == indicators_of(original)
    assert imported.get(title="Zonder indicatoren").tlp == Tlp.CLEAR
    entry = AuditLogEntry.objects.get(action="community.import")
    assert entry.actor == member
    assert sorted(entry.after["items"]) == sorted(imported.values_list("pk", flat=True))
    assert entry.after["format"] == ("misp" if name == "export_misp" else "stix")


# --- importing real-looking files --------------------------------------------------------------


def test_import_misp_event(client, member, community):
    client.force_login(member)
    response = upload(client, community, (FIXTURES / "misp_event.json").read_bytes())
    assert response.status_code == 302
    item = Item.objects.get(title="Phishingcampagne met nepfacturen bij zorginstellingen")
    assert (item.tlp, item.status, item.author) == (Tlp.GREEN, Item.Status.DRAFT, member)
    assert item.body_markdown.startswith("Medewerkers ontvangen facturen")
    assert {(i.kind, i.value) for i in item.indicators.all()} == {
        ("ip", "198.51.100.23"), ("domain", "factuur-portaal.example"),
        ("url", "https://factuur-portaal.example/download?id=77"), ("cve", "CVE-2017-11882"),
        ("sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    }
    page = client.get(response["Location"]).content.decode()
    assert "1 item(s) met 5 indicator(en) geïmporteerd als concept" in page
    assert "email-src (1×)" in page and "filename (1×)" in page


def test_import_stix_bundle_with_tlp2_marking(client, member, community):
    client.force_login(member)
    response = upload(client, community, (FIXTURES / "stix_bundle.json").read_bytes())
    assert response.status_code == 302
    item = Item.objects.get(title="Ransomware bij transportbedrijven via kwetsbare VPN-gateways")
    assert (item.tlp, item.status) == (Tlp.AMBER, Item.Status.DRAFT)
    assert "Patch beschikbaar" in item.body_markdown  # the note about the report
    assert indicators_of(item) == {
        ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "Gezien bij twee leden"),
        ("ip", "203.0.113.77", "Gezien bij twee leden"),
        ("domain", "update-vervoer.example", ""),
        ("cve", "CVE-2024-3400", ""),
    }


def test_import_without_tlp_gets_amber_and_says_so(client, member, community):
    client.force_login(member)
    event = {"Event": {"info": "Zonder label", "Attribute": [{"type": "domain", "value": "a.example"}]}}
    response = upload(client, community, json.dumps(event).encode())
    assert Item.objects.get(title="Zonder label").tlp == Tlp.AMBER
    page = client.get(response["Location"]).content.decode()
    assert "Zonder TLP-label in het bestand, daarom TLP:AMBER gekregen" in page


def test_strictest_label_wins(member, community):
    event = {"Event": {"info": "Gemengd", "Tag": [{"name": "tlp:green"}], "Attribute": [
        {"type": "domain", "value": "a.example", "Tag": [{"name": "tlp:amber+strict"}]},
    ]}}
    parsed = interop.interop_file_parse(data=json.dumps(event).encode())
    assert parsed.items[0].tlp == Tlp.AMBER_STRICT


def test_stix_pattern_quotes_round_trip():
    value = "https://x.example/it's?a=1\\b"
    pattern = interop.stix_pattern_for(kind="url", value=value)
    assert pattern == "[url:value = 'https://x.example/it\\'s?a=1\\\\b']"
    stix2.v21.Indicator(pattern=pattern, pattern_type="stix", valid_from="2025-01-01T00:00:00Z")  # valid syntax


# --- invalid files: a clear error, nothing stored -------------------------------------------------


def _stix(*objects, **bundle):
    return json.dumps({"type": "bundle", "id": "bundle--3c1f6a52-9e2d-4d7b-8a41-6f0b2e9c5d17",
                       "objects": list(objects)} | bundle).encode()


REPORT = {
    "type": "report", "spec_version": "2.1", "id": "report--d7f4b5c6-9e0a-4f1b-8c3d-4e5f6a7b8c93",
    "created": "2025-02-03T11:00:00.000Z", "modified": "2025-02-03T11:00:00.000Z", "name": "Rapport",
    "published": "2025-02-03T11:00:00Z", "object_refs": ["indicator--a4c1e2f3-6b7d-4c8e-9f0a-1b2c3d4e5f60"],
    "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
}
INDICATOR = {
    "type": "indicator", "spec_version": "2.1", "id": "indicator--a4c1e2f3-6b7d-4c8e-9f0a-1b2c3d4e5f60",
    "created": "2025-02-03T10:15:00.000Z", "modified": "2025-02-03T10:15:00.000Z",
    "pattern": "[ipv4-addr:value = '203.0.113.77']", "pattern_type": "stix", "valid_from": "2025-02-03T10:15:00Z",
}
GOOD_EVENT = {"Event": {"info": "Goed event", "Tag": [{"name": "tlp:green"}],
                        "Attribute": [{"type": "ip-dst", "value": "192.0.2.1"}]}}


INVALID_FILES = {
    "geen JSON": (b'{"Event": {"info": "kapot"', "geen geldige JSON (regel 1"),
    "leeg": (b"   ", "Het bestand is leeg."),
    "geen UTF-8": ('{"Event": {"info": "caf\u00e9"}}'.encode("latin-1"), "geen UTF-8-tekst"),
    "onbekend formaat": (b'{"foo": 1}', "Dit is geen MISP-event en geen STIX-bundel."),
    "MISP zonder titel": (json.dumps({"Event": {"Attribute": []}}).encode(), "de titel (“info”) ontbreekt"),
    "onbekend TLP-label": (
        json.dumps({"response": [GOOD_EVENT, {"Event": {"info": "Paars", "Tag": [{"name": "tlp:purple"}]}}]}).encode(),
        "MISP-event 2 (“Paars”): onbekend TLP-label “tlp:purple”",
    ),
    "kapotte indicator": (
        json.dumps({"response": [GOOD_EVENT, {"Event": {"info": "Fout IP", "Tag": [{"name": "tlp:green"}],
                    "Attribute": [{"type": "ip-dst", "value": "999.1.1.1"}]}}]}).encode(),
        "MISP-event 2 (“Fout IP”): indicator “999.1.1.1”: “999.1.1.1” is geen geldig IPv4- of IPv6-adres.",
    ),
    "ongeldig MISP-attribuuttype": (
        json.dumps({"Event": {"info": "Raar", "Attribute": [{"type": "nonsense", "value": "x"}]}}).encode(),
        "MISP-event 1 (“Raar”): geen geldig MISP-event",
    ),
    "STIX 2.0-bundel": (_stix(REPORT, spec_version="2.0"), "alleen STIX 2.1 wordt ondersteund"),
    "STIX-object 2.0": (
        _stix(REPORT | {"spec_version": "2.0"}, INDICATOR),
        "STIX-object 1 (report): spec_version moet “2.1” zijn",
    ),
    "bundel zonder reports": (_stix(INDICATOR), "De STIX-bundel bevat geen “report”-objecten"),
    "bundel zonder objecten": (_stix(), "De STIX-bundel bevat geen objecten."),
    "ongeldig STIX-patroon": (
        _stix(REPORT, INDICATOR | {"pattern": "[ipv4-addr:value = "}), "Geen geldige STIX 2.1-bundel"
    ),
    "onbekende markering": (
        _stix(REPORT | {"object_marking_refs": ["marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b03e"]},
              INDICATOR),
        "staat niet in de bundel en is geen bekende TLP-markering",
    ),
    "kapotte STIX-indicator": (
        _stix(REPORT, INDICATOR | {"pattern": "[domain-name:value = 'no_dot']"}),
        "STIX-report 1 (“Rapport”): indicator “no_dot”",
    ),
    "te groot": (b" " * interop.MAX_IMPORT_BYTES + b"{}", "Het bestand is groter dan 5 MiB."),
    "TLP:RED in een community": (
        json.dumps({"response": [GOOD_EVENT, {"Event": {"info": "Rood", "Tag": [{"name": "tlp:red"}]}}]}).encode(),
        "MISP-event 2 (“Rood”) (TLP:RED): TLP:RED is alleen voor met naam genoemde personen.",
    ),
}


@pytest.mark.parametrize("case", INVALID_FILES, ids=list(INVALID_FILES))
def test_invalid_file_gives_a_clear_error_and_stores_nothing(client, member, community, case):
    content, message = INVALID_FILES[case]
    client.force_login(member)
    before = counts()
    response = upload(client, community, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "Het bestand is niet geïmporteerd; er is niets opgeslagen." in page
    assert message in html.unescape(page), html.unescape(page)[:3000]
    assert counts() == before


def test_amber_into_a_community_that_is_not_one_organisation_is_refused(client, member):
    loose = CommunityFactory(name="Open netwerk")
    CommunityMembershipFactory(community=loose, user=member)
    client.force_login(member)
    before = counts()
    response = upload(client, loose, (FIXTURES / "stix_bundle.json").read_bytes())
    assert response.status_code == 400
    assert "Open netwerk telt niet als één TLP-organisatie" in response.content.decode()
    assert counts() == before


def test_a_refused_indicator_rolls_back_the_items_already_created(member, community, monkeypatch):
    """Even a refusal only the services detect (here: a simulated one on the last indicator) leaves
    nothing behind: the items created before it are rolled back too."""
    calls = []
    real = services.indicator_add

    def refusing(**kwargs):
        calls.append(kwargs["value"])
        if len(calls) == 5:
            raise ValidationError("geweigerd", code="test")
        return real(**kwargs)

    monkeypatch.setattr(services, "indicator_add", refusing)
    before = counts()
    content = json.dumps({"response": [GOOD_EVENT, json.loads((FIXTURES / "misp_event.json").read_text())]}).encode()
    with pytest.raises(ValidationError) as refused:
        interop.community_import(actor=member, community=community, data=content)
    assert "geweigerd" in " ".join(refused.value.messages)
    assert len(calls) == 5
    assert counts() == before


def test_import_needs_csrf(member, community):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    before = counts()
    response = upload(client, community, (FIXTURES / "misp_event.json").read_bytes())
    assert response.status_code == 403
    assert counts() == before


def test_import_page_explains_drafts(client, member, community):
    client.force_login(member)
    page = client.get(url("interop", community.pk)).content.decode()
    assert "Geïmporteerde items worden uw concepten" in page
    assert 'enctype="multipart/form-data"' in page
    assert url("export_stix", community.pk) in page
    assert url("interop", community.pk) in client.get(url("detail", community.pk)).content.decode()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["info", "Attribute", "Tag", "Object", "name", "type", "value", "objects", "id",
                         "spec_version", "pattern", "object_refs", "object_marking_refs", "Event", "x"]),
        children, max_size=5,
    ),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=JSON_VALUES, shape=st.sampled_from(["misp", "response", "stix", "raw"]))
def test_any_json_gives_either_items_or_a_validation_error(body, shape):
    """Untrusted input never crashes the parser: the answer is parsed items or a listed refusal."""
    document = {
        "misp": {"Event": body},
        "response": {"response": [{"Event": body}]},
        "stix": {"type": "bundle", "id": "bundle--3c1f6a52-9e2d-4d7b-8a41-6f0b2e9c5d17", "objects": body},
        "raw": body,
    }[shape]
    try:
        parsed = interop.interop_file_parse(data=json.dumps(document).encode())
    except ValidationError as exc:
        assert exc.messages and all(isinstance(m, str) and m for m in exc.messages)
    else:
        assert all(item.title and item.tlp in Tlp.values for item in parsed.items)
