"""What hangs off a shared item — indicators, attachments, comments, reactions — and the item pages.

Rules under test:
- each is visible exactly when its item is: a hidden item's indicator, attachment, comment or reaction
  URL is a 404, on every method;
- indicators are validated per kind and stored in one canonical form (so a duplicate is caught and
  "similar items" is an exact match), and similar items never reveal or count an item the viewer
  cannot see;
- an item's audience never names (or counts) a confidential community the viewer cannot see, and
  named organisations/people are listed only to those who may change the marking;
- attachments are judged by their content, not their name: a disguised file is refused, an oversized
  one too, and a refused upload leaves no row and no file; downloads are attachments with safe headers;
- comments are sanitised Markdown; reactions toggle; every change is audit-logged;
- coordinators post anonymously for a member; change marking keeps hidden audience communities.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client
from django.urls import reverse

from dtc.community import selectors, services
from dtc.community.indicators import indicator_kind_guess, indicator_normalise
from dtc.community.models import Attachment, Comment, Indicator, Item, Reaction, Tlp
from dtc.community.tests.factories import (
    CommunityFactory,
    CommunityMembershipFactory,
    ItemAudienceFactory,
    ItemFactory,
)
from dtc.core.models import AuditLogEntry
from dtc.organisations.models import Role
from dtc.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- real file contents ------------------------------------------------------------------------


def pdf_bytes() -> bytes:
    """A small, valid PDF 1.4 (one empty page) with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_bytes() -> bytes:
    """A valid 1×1 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b"")


def pe_bytes() -> bytes:
    """The start of a Windows executable: DOS header (MZ), e_lfanew → PE signature."""
    return b"MZ" + b"\x90" * 58 + struct.pack("<I", 64) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200


def zip_bytes(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes({
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "word/document.xml": '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
    })


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


# --- people and places -------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DTC_ATTACHMENT_MAX_BYTES = 64 * 1024
    return settings.MEDIA_ROOT


@pytest.fixture
def community(db):
    return CommunityFactory(tlp_organisation=True, name="Zorg-ISAC")


@pytest.fixture
def coordinator(community):
    return CommunityMembershipFactory(community=community, coordinator=True).user


@pytest.fixture
def author(community, coordinator):
    return CommunityMembershipFactory(community=community).user


@pytest.fixture
def member(community, coordinator):
    return CommunityMembershipFactory(community=community).user


@pytest.fixture
def outsider(db):
    return UserFactory(verified=True)


@pytest.fixture
def item(community, author):
    item = ItemFactory(published=True, green=True, author=author, title="Phishing met nepfacturen")
    ItemAudienceFactory(item=item, community=community)
    return item


@pytest.fixture
def hidden_item(author):
    """An item `member` and `outsider` may not see: TLP:RED to its author only."""
    item = ItemFactory(published=True, red=True, author=author, title="Geheim incident")
    ItemAudienceFactory(item=item, user=author)
    return item


def url(name, *args):
    return reverse(f"community:{name}", args=args)


def logged_in(client, user):
    client.force_login(user)
    return client


# --- indicators: validation and normal form (pure) ---------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("ip", " 192.0.2.10 ", "192.0.2.10"),
        ("ip", "2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("ip", "10.0.0.1", "10.0.0.1"),
        ("ip", "198.51.100[.]7", "198.51.100.7"),
        ("domain", "Evil.Example.COM", "evil.example.com"),
        ("domain", "bücher.nl.", "xn--bcher-kva.nl"),
        ("domain", "login[.]bank-example[.]nl", "login.bank-example.nl"),
        ("url", "HXXPS://Evil.Example:8443/pad?x=1#y", "https://evil.example:8443/pad?x=1#y"),
        ("url", "http://[2001:db8::1]/a", "http://[2001:db8::1]/a"),
        ("url", "ftp://files.example.org/x.zip", "ftp://files.example.org/x.zip"),
        ("md5", "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
        ("sha1", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("sha256", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("cve", "cve-2021-44228", "CVE-2021-44228"),
    ],
)
def test_indicator_normalise_writes_one_canonical_form(kind, value, expected):
    assert indicator_normalise(kind=kind, value=value) == expected
    assert indicator_normalise(kind=kind, value=expected) == expected  # idempotent


@pytest.mark.parametrize(
    ("kind", "value", "code"),
    [
        ("ip", "256.1.1.1", "ip_invalid"),
        ("ip", "192.0.2", "ip_invalid"),
        ("ip", "evil.example", "ip_invalid"),
        ("domain", "localhost", "domain_no_dot"),
        ("domain", "-evil.example", "domain_invalid"),
        ("domain", "evil..example", "domain_invalid"),
        ("domain", "ev il.example", "domain_invalid"),
        ("domain", "192.0.2.1", "domain_invalid"),
        ("domain", "a" * 64 + ".example", "domain_invalid"),
        ("domain", ".".join(["abcdefghij"] * 24) + ".nl", "domain_too_long"),
        ("url", "javascript:alert(1)", "url_scheme"),
        ("url", "file:///etc/passwd", "url_scheme"),
        ("url", "http:///pad", "url_no_host"),
        ("url", "http://evil example/", "url_invalid"),
        ("url", "http://evil.example:99999/", "url_invalid"),
        ("url", "https://evil.example/" + "a" * 2100, "url_too_long"),
        ("md5", "d41d8cd98f00b204e9800998ecf8427", "hash_invalid"),
        ("sha1", "zz39a3ee5e6b4b0d3255bfef95601890afd80709", "hash_invalid"),
        ("sha256", "e3b0c442", "hash_invalid"),
        ("cve", "CVE-21-44228", "cve_invalid"),
        ("cve", "CVE-2021-442", "cve_invalid"),
        ("ip", "   ", "empty"),
        ("onbekend", "x", "kind_invalid"),
    ],
)
def test_indicator_normalise_refuses_malformed_values_with_a_code(kind, value, code):
    with pytest.raises(ValidationError) as caught:
        indicator_normalise(kind=kind, value=value)
    assert caught.value.code == code
    assert caught.value.messages[0]  # a translated message for the user


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("CVE-2024-3094", "cve"),
        ("d41d8cd98f00b204e9800998ecf8427e", "md5"),
        ("da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1"),
        ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256"),
        ("hxxp://evil[.]example/x", "url"),
        ("203.0.113.5", "ip"),
        ("::1", "ip"),
        ("evil.example", "domain"),
        ("gewoon wat tekst", None),
        ("", None),
    ],
)
def test_indicator_kind_guess(value, kind):
    assert indicator_kind_guess(value) == kind


# --- indicators: services ------------------------------------------------------------------------


def test_author_adds_an_indicator_in_canonical_form_audited(item, author):
    indicator = services.indicator_add(actor=author, item=item, kind="domain", value="Evil.Example", comment="C2")
    assert (indicator.kind, indicator.value, indicator.comment) == ("domain", "evil.example", "C2")
    entry = AuditLogEntry.objects.get(action="indicator.add")
    assert entry.actor == author and entry.after["value"] == "evil.example"


def test_the_same_indicator_twice_is_refused(item, author):
    services.indicator_add(actor=author, item=item, kind="ip", value="2001:db8::1")
    with pytest.raises(ValidationError) as caught:
        services.indicator_add(actor=author, item=item, kind="ip", value="2001:DB8:0::1")
    assert caught.value.code == "indicator_duplicate"
    assert Indicator.objects.filter(item=item).count() == 1


def test_who_may_add_and_remove_indicators(item, author, coordinator, member, outsider, hidden_item):
    services.indicator_add(actor=coordinator, item=item, kind="cve", value="CVE-2024-3094")
    with pytest.raises(PermissionDenied):
        services.indicator_add(actor=member, item=item, kind="cve", value="CVE-2024-1")
    with pytest.raises(Http404):
        services.indicator_add(actor=outsider, item=item, kind="cve", value="CVE-2024-12345")
    with pytest.raises(Http404):
        services.indicator_add(actor=member, item=hidden_item, kind="cve", value="CVE-2024-12345")
    indicator = Indicator.objects.get(item=item)
    with pytest.raises(PermissionDenied):
        services.indicator_remove(actor=member, indicator=indicator)
    services.indicator_remove(actor=author, indicator=indicator)
    assert not Indicator.objects.exists()
    assert AuditLogEntry.objects.filter(action="indicator.remove", actor=author).exists()


def test_indicators_add_is_all_or_nothing_and_skips_duplicates(item, author):
    services.indicator_add(actor=author, item=item, kind="ip", value="192.0.2.1")
    added = services.indicators_add(
        actor=author, item=item, entries=[("ip", "192.0.2.1"), ("domain", "a.example"), ("domain", "A.example")]
    )
    assert [i.value for i in added] == ["a.example"]
    with pytest.raises(ValidationError):
        services.indicators_add(actor=author, item=item, entries=[("domain", "b.example"), ("ip", "999.0.0.1")])
    assert set(Indicator.objects.values_list("value", flat=True)) == {"192.0.2.1", "a.example"}


# --- similar items -----------------------------------------------------------------------------


def test_similar_items_share_an_indicator_and_never_reveal_hidden_ones(item, author, community, member, hidden_item):
    services.indicator_add(actor=author, item=item, kind="domain", value="evil.example")
    services.indicator_add(actor=author, item=item, kind="ip", value="192.0.2.1")
    other = ItemFactory(published=True, green=True, title="Ook gezien bij ons")
    ItemAudienceFactory(item=other, community=community)
    Indicator.objects.create(item=other, kind="domain", value="evil.example")
    Indicator.objects.create(item=other, kind="ip", value="192.0.2.1")
    unrelated = ItemFactory(published=True, green=True)
    ItemAudienceFactory(item=unrelated, community=community)
    Indicator.objects.create(item=unrelated, kind="domain", value="other.example")
    same_value_other_kind = ItemFactory(published=True, green=True)
    ItemAudienceFactory(item=same_value_other_kind, community=community)
    Indicator.objects.create(item=same_value_other_kind, kind="url", value="evil.example")
    Indicator.objects.create(item=hidden_item, kind="domain", value="evil.example")

    seen_by_member = list(selectors.item_similar_visible_to(user=member, item=item))
    assert seen_by_member == [other]
    assert seen_by_member[0].shared_indicators == 2
    assert selectors.item_similar_visible_to(user=member, item=item).count() == 1  # hidden never counts
    # The author may see the hidden item, so to them it is similar.
    assert set(selectors.item_similar_visible_to(user=author, item=item)) == {other, hidden_item}


# --- audience display --------------------------------------------------------------------------


def test_audience_never_reveals_a_confidential_community(item, author, member, coordinator):
    secret = CommunityFactory(confidential=True, tlp_organisation=True, name="Geheime Kring")
    CommunityMembershipFactory(community=secret, user=author)
    ItemAudienceFactory(item=item, community=secret)
    shown = selectors.item_audience_visible_to(user=member, item=item)
    assert [c.name for c in shown.communities] == ["Zorg-ISAC"]
    assert shown.others_named == 0  # not counted either
    assert [c.name for c in selectors.item_audience_visible_to(user=coordinator, item=item).communities] == [
        "Zorg-ISAC"
    ]
    assert {c.name for c in selectors.item_audience_visible_to(user=author, item=item).communities} == {
        "Zorg-ISAC", "Geheime Kring"
    }


def test_named_recipients_are_listed_only_to_those_who_manage_the_marking(item, author, member, coordinator):
    organisation = OrganisationFactory(name="Bakkerij Jansen")
    named = UserFactory(verified=True, email="named@voorbeeld.nl")
    ItemAudienceFactory(item=item, organisation=organisation)
    ItemAudienceFactory(item=item, user=named)
    ItemAudienceFactory(item=item, user=member)
    for manager in (author, coordinator):
        shown = selectors.item_audience_visible_to(user=manager, item=item)
        assert shown.names_shown and shown.others_named == 0
        assert [o.name for o in shown.organisations] == ["Bakkerij Jansen"]
        assert {u.email for u in shown.users} == {"named@voorbeeld.nl", member.email}
    shown = selectors.item_audience_visible_to(user=member, item=item)
    assert not shown.names_shown
    assert shown.users == [member] and shown.organisations == []
    assert shown.others_named == 2


# --- comments ----------------------------------------------------------------------------------


def test_comment_markdown_is_sanitised(item, member):
    comment = services.comment_create(
        actor=member, item=item,
        body_markdown="Zie **dit**\n\n<script>alert(1)</script>\n\n[klik](javascript:alert(2)) <img src=x onerror=alert(3)>",
    )
    assert "<strong>dit</strong>" in comment.body_html
    assert "<script" not in comment.body_html and 'href="javascript' not in comment.body_html
    assert "<img" not in comment.body_html  # raw HTML comes out as text, never as markup
    assert "&lt;script&gt;" in comment.body_html
    assert AuditLogEntry.objects.filter(action="comment.create", actor=member).exists()


@pytest.mark.parametrize(("body", "code"), [("", "comment_empty"), ("   \n ", "comment_empty"), ("x" * 20_001, "comment_too_long")])
def test_comment_bad_input_is_refused(item, member, body, code):
    with pytest.raises(ValidationError) as caught:
        services.comment_create(actor=member, item=item, body_markdown=body)
    assert caught.value.error_dict["body_markdown"][0].code == code
    assert not Comment.objects.exists()


def test_comment_rules(item, author, member, coordinator, outsider, hidden_item, community):
    draft = ItemFactory(author=author)
    ItemAudienceFactory(item=draft, community=community)
    with pytest.raises(ValidationError):
        services.comment_create(actor=author, item=draft, body_markdown="Nog niet")
    with pytest.raises(Http404):
        services.comment_create(actor=outsider, item=item, body_markdown="Hallo")
    with pytest.raises(Http404):
        services.comment_create(actor=member, item=hidden_item, body_markdown="Hallo")
    comment = services.comment_create(actor=author, item=item, body_markdown="Eerste")
    with pytest.raises(PermissionDenied):
        services.comment_delete(actor=member, comment=comment)
    services.comment_delete(actor=coordinator, comment=comment)
    assert not Comment.objects.exists()
    assert AuditLogEntry.objects.get(action="comment.delete").before["body_markdown"] == "Eerste"


def test_the_anonymous_author_is_not_named_under_their_own_post(community, coordinator, author, member):
    post = services.item_post_anonymously_for(
        actor=coordinator, on_behalf_of=author, community=community, kind="incident", title="Anoniem", tlp=Tlp.AMBER
    )
    reply = services.comment_create(actor=author, item=post, body_markdown="Aanvulling")
    assert selectors.comment_author_for(user=member, item=post, comment=reply) is None
    assert selectors.comment_author_for(user=author, item=post, comment=reply) == author


# --- reactions ---------------------------------------------------------------------------------


def test_reaction_toggles_and_counts(item, member, author, outsider, hidden_item):
    assert services.reaction_toggle(actor=member, item=item, kind="seen") is True
    assert services.reaction_toggle(actor=author, item=item, kind="seen") is True
    counts = {r.kind: r for r in selectors.item_reaction_counts(item=item, user=member)}
    assert (counts["seen"].count, counts["seen"].mine, counts["useful"].count) == (2, True, 0)
    assert services.reaction_toggle(actor=member, item=item, kind="seen") is False
    counts = {r.kind: r for r in selectors.item_reaction_counts(item=item, user=member)}
    assert (counts["seen"].count, counts["seen"].mine) == (1, False)
    with pytest.raises(ValidationError):
        services.reaction_toggle(actor=member, item=item, kind="boos")
    with pytest.raises(Http404):
        services.reaction_toggle(actor=outsider, item=item, kind="seen")
    with pytest.raises(Http404):
        services.reaction_toggle(actor=member, item=hidden_item, kind="seen")
    assert AuditLogEntry.objects.filter(action="reaction.add").count() == 2
    assert AuditLogEntry.objects.filter(action="reaction.remove").count() == 1


# --- attachments: services ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("rapport.pdf", pdf_bytes(), "application/pdf"),
        ("scherm.PNG", png_bytes(), "image/png"),
        ("notulen.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("iocs.csv", b"soort,waarde\nip,192.0.2.1\n", "text/csv"),
        ("iocs.json", b'{"ip": ["192.0.2.1"]}', "application/json"),
        ("logs.zip", zip_bytes({"a.log": "regel"}), "application/zip"),
    ],
)
def test_author_attaches_allowed_files_stored_with_their_hash(media, item, author, name, content, content_type):
    attachment = services.attachment_add(actor=author, item=item, uploaded_file=upload(name, content, "text/html"))
    assert attachment.content_type == content_type  # from the content check, not the browser's word
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.original_name == name
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(media) and stored.read_bytes() == content
    assert name not in stored.name  # stored under a random name
    assert AuditLogEntry.objects.get(action="attachment.add").after["sha256"] == attachment.sha256


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("rapport.pdf", HTML, "attachment_content_mismatch"),  # HTML renamed .pdf
        ("foto.png", pe_bytes(), "attachment_content_mismatch"),  # Windows program renamed .png
        ("foto.jpg", png_bytes(), "attachment_content_mismatch"),
        ("brief.docx", zip_bytes({"a.txt": "x"}), "attachment_content_mismatch"),  # plain ZIP is no .docx
        ("brief.odt", docx_bytes(), "attachment_content_mismatch"),
        ("notities.txt", HTML, "attachment_content_mismatch"),
        ("notities.txt", b"tekst\x00\x01binair", "attachment_content_mismatch"),
        ("data.json", b"{niet: json", "attachment_json_invalid"),
        ("setup.exe", pe_bytes(), "attachment_type_not_allowed"),
        ("pagina.html", HTML, "attachment_type_not_allowed"),
        ("zonder-extensie", pdf_bytes(), "attachment_type_not_allowed"),
        ("leeg.pdf", b"", "attachment_empty"),
    ],
)
def test_disguised_or_disallowed_files_are_refused_and_nothing_is_stored(media, item, author, name, content, code):
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(actor=author, item=item, uploaded_file=upload(name, content, "application/pdf"))
    assert caught.value.error_dict["file"][0].code == code
    assert not Attachment.objects.exists()
    assert stored_files(media) == [] if media.exists() else True
    assert not AuditLogEntry.objects.filter(action="attachment.add").exists()


def test_an_oversized_file_is_refused_and_nothing_is_stored(media, settings, item, author):
    settings.DTC_ATTACHMENT_MAX_BYTES = 1000
    big = pdf_bytes() + b"%" + b"0" * 1000
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(actor=author, item=item, uploaded_file=upload("groot.pdf", big))
    assert caught.value.error_dict["file"][0].code == "attachment_too_large"
    assert "1000" in caught.value.messages[0] or "bytes" in caught.value.messages[0]
    assert not Attachment.objects.exists()
    assert not media.exists() or stored_files(media) == []


def test_a_failure_after_the_file_is_written_leaves_nothing_half(media, item, author, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "audit_log_record", broken)
    with pytest.raises(RuntimeError):
        services.attachment_add(actor=author, item=item, uploaded_file=upload("rapport.pdf", pdf_bytes()))
    assert not Attachment.objects.exists()
    assert media.exists() and stored_files(media) == []  # the file was written, then removed


def test_only_the_author_attaches_and_a_hidden_item_is_a_404(media, item, author, coordinator, member, hidden_item):
    with pytest.raises(PermissionDenied):
        services.attachment_add(actor=coordinator, item=item, uploaded_file=upload("r.pdf", pdf_bytes()))
    with pytest.raises(Http404):
        services.attachment_add(actor=member, item=hidden_item, uploaded_file=upload("r.pdf", pdf_bytes()))
    assert not Attachment.objects.exists()


def test_removing_an_attachment_deletes_its_file_after_commit(
    media, item, author, member, django_capture_on_commit_callbacks
):
    attachment = services.attachment_add(actor=author, item=item, uploaded_file=upload("r.pdf", pdf_bytes()))
    path = Path(attachment.file.path)
    with pytest.raises(PermissionDenied):
        services.attachment_remove(actor=member, attachment=attachment)
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_remove(actor=author, attachment=attachment)
    assert not Attachment.objects.exists() and not path.exists()
    assert AuditLogEntry.objects.filter(action="attachment.remove", actor=author).exists()


# --- pages -------------------------------------------------------------------------------------


def test_item_page_shows_what_hangs_off_it(client, media, item, author, member, community):
    services.indicator_add(actor=author, item=item, kind="domain", value="evil.example", comment="Afzender")
    services.attachment_add(actor=author, item=item, uploaded_file=upload("rapport.pdf", pdf_bytes()))
    services.comment_create(actor=author, item=item, body_markdown="Let op **dit**")
    services.reaction_toggle(actor=author, item=item, kind="seen")
    other = ItemFactory(published=True, green=True, title="Zelfde domein elders")
    ItemAudienceFactory(item=other, community=community)
    Indicator.objects.create(item=other, kind="domain", value="evil.example")
    secret = CommunityFactory(confidential=True, name="Geheime Kring")
    ItemAudienceFactory(item=item, community=secret)
    ItemAudienceFactory(item=item, user=UserFactory(verified=True, email="genoemd@voorbeeld.nl"))

    response = logged_in(client, member).get(url("item_detail", item.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "en 1 andere met naam genoemde ontvanger" in html and "genoemd@voorbeeld.nl" not in html
    assert "evil.example" in html and "Afzender" in html
    assert url("attachment_download", item.pk, item.attachments.get().pk) in html
    assert "<strong>dit</strong>" in html
    assert "Ook gezien (1)" in html and 'aria-pressed="false"' in html
    assert "Zelfde domein elders" in html
    assert "Zorg-ISAC" in html and "Geheime Kring" not in html
    # A plain member may not manage the item.
    assert url("item_indicators_add", item.pk) not in html and url("item_marking", item.pk) not in html
    html = logged_in(Client(), author).get(url("item_detail", item.pk)).content.decode()
    for name in ("item_marking", "item_indicators_add", "item_attachment_add"):
        assert url(name, item.pk) in html


def test_every_url_of_a_hidden_item_is_a_404(client, media, author, member, hidden_item):
    attachment = services.attachment_add(actor=author, item=hidden_item, uploaded_file=upload("r.pdf", pdf_bytes()))
    indicator = services.indicator_add(actor=author, item=hidden_item, kind="ip", value="192.0.2.1")
    comment = services.comment_create(actor=author, item=hidden_item, body_markdown="Geheim")
    client = logged_in(client, member)
    gets = [
        url("item_detail", hidden_item.pk),
        url("attachment_download", hidden_item.pk, attachment.pk),
        url("item_indicators_add", hidden_item.pk),
        url("item_attachment_add", hidden_item.pk),
        url("item_marking", hidden_item.pk),
    ]
    for address in gets:
        assert client.get(address).status_code == 404, address
    posts = [
        (url("comment_create", hidden_item.pk), {"body_markdown": "Hallo"}),
        (url("comment_delete", hidden_item.pk, comment.pk), {}),
        (url("indicator_remove", hidden_item.pk, indicator.pk), {}),
        (url("attachment_remove", hidden_item.pk, attachment.pk), {}),
        (url("reaction_toggle", hidden_item.pk), {"kind": "seen"}),
        (url("item_indicators_add", hidden_item.pk), {"entries": "192.0.2.9"}),
        (url("item_approve_public", hidden_item.pk), {}),
    ]
    for address, data in posts:
        assert client.post(address, data).status_code == 404, address
    # Anonymous visitors too (the download view has no login wall of its own: visibility decides).
    assert Client().get(url("attachment_download", hidden_item.pk, attachment.pk)).status_code == 404
    assert Comment.objects.count() == 1 and Indicator.objects.count() == 1 and Attachment.objects.count() == 1
    assert not Reaction.objects.exists()


def test_an_attachment_of_another_item_is_a_404(client, media, item, author, member, hidden_item):
    attachment = services.attachment_add(actor=author, item=hidden_item, uploaded_file=upload("r.pdf", pdf_bytes()))
    response = logged_in(client, member).get(url("attachment_download", item.pk, attachment.pk))
    assert response.status_code == 404


def test_download_is_an_attachment_with_safe_headers(client, media, item, author, member):
    content = pdf_bytes()
    attachment = services.attachment_add(
        actor=author, item=item, uploaded_file=upload('../../rap"port\r\n;x.pdf', content)
    )
    assert attachment.original_name == "rap_port___x.pdf"
    response = logged_in(client, member).get(url("attachment_download", item.pk, attachment.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition == 'attachment; filename="rap_port___x.pdf"'
    assert "/" not in disposition and "\r" not in disposition and "\n" not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"


def test_a_stored_content_type_outside_the_allow_list_is_served_as_octet_stream(client, media, item, author, member):
    attachment = services.attachment_add(actor=author, item=item, uploaded_file=upload("n.txt", b"hallo\n"))
    Attachment.objects.filter(pk=attachment.pk).update(content_type="text/html")
    response = logged_in(client, member).get(url("attachment_download", item.pk, attachment.pk))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_upload_page_refuses_a_disguised_file_with_a_message(client, media, item, author):
    client = logged_in(client, author)
    assert client.get(url("item_attachment_add", item.pk)).status_code == 200
    response = client.post(url("item_attachment_add", item.pk), {"file": upload("factuur.pdf", HTML, "application/pdf")})
    assert response.status_code == 400
    assert "past niet bij de extensie .pdf" in response.content.decode()
    assert not Attachment.objects.exists() and (not media.exists() or stored_files(media) == [])
    response = client.post(url("item_attachment_add", item.pk), {"file": upload("scherm.png", png_bytes())})
    assert response.status_code == 302
    assert Attachment.objects.get().original_name == "scherm.png"


def test_upload_page_is_for_the_author_only(client, media, item, member):
    assert logged_in(client, member).get(url("item_attachment_add", item.pk)).status_code == 403


def test_comment_form_posts_sanitised_markdown_and_shows_errors(client, item, member):
    client = logged_in(client, member)
    response = client.post(url("comment_create", item.pk), {"body_markdown": "Hallo <script>alert(1)</script>"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert "<script" not in comment.body_html
    page = client.get(url("item_detail", item.pk)).content.decode()
    assert "<script>alert(1)</script>" not in page
    response = client.post(url("comment_create", item.pk), {"body_markdown": "   "})
    assert response.status_code == 400
    assert "utrecht-form-field-error-message" in response.content.decode()
    assert Comment.objects.count() == 1


def test_indicator_page_adds_a_pasted_list_or_reports_each_bad_line(client, item, author):
    client = logged_in(client, author)
    response = client.post(
        url("item_indicators_add", item.pk),
        {"entries": "192.0.2.1\nniet een indicator\nsha256: abc\n", "kind": "", "comment": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Regel 2" in html and "Regel 3" in html
    assert not Indicator.objects.exists()
    response = client.post(
        url("item_indicators_add", item.pk),
        {"entries": "# uit de mail\n192.0.2.1\nhxxps://evil[.]example/login\nCVE-2024-3094\ndomain: Evil.Example\n",
         "kind": "", "comment": "phishing"},
    )
    assert response.status_code == 302
    assert set(Indicator.objects.values_list("kind", "value")) == {
        ("ip", "192.0.2.1"), ("url", "https://evil.example/login"), ("cve", "CVE-2024-3094"), ("domain", "evil.example"),
    }


def test_reaction_button_toggles(client, item, member):
    client = logged_in(client, member)
    client.post(url("reaction_toggle", item.pk), {"kind": "seen"})
    html = client.get(url("item_detail", item.pk)).content.decode()
    assert "Ook gezien (1)" in html and 'aria-pressed="true"' in html
    client.post(url("reaction_toggle", item.pk), {"kind": "seen"})
    assert "Ook gezien (0)" in client.get(url("item_detail", item.pk)).content.decode()


def test_posts_need_a_csrf_token(item, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(url("comment_create", item.pk), {"body_markdown": "Hallo"}).status_code == 403
    assert client.post(url("reaction_toggle", item.pk), {"kind": "seen"}).status_code == 403
    assert not Comment.objects.exists() and not Reaction.objects.exists()


def test_item_create_with_indicators_and_attachment(client, media, community, author):
    client = logged_in(client, author)
    data = {
        "kind": "threat", "title": "Nepfacturen", "body_markdown": "", "tlp": Tlp.AMBER, "in_community": "on",
        "author_organisation": "", "people": "", "action": "publish",
        "extra-indicators": "evil.example\n192.0.2.1",
        "extra-attachment": upload("factuur.pdf", pdf_bytes()),
    }
    response = client.post(url("item_create", community.pk), data)
    assert response.status_code == 302
    item = Item.objects.get(title="Nepfacturen")
    assert set(item.indicators.values_list("value", flat=True)) == {"evil.example", "192.0.2.1"}
    assert item.attachments.get().content_type == "application/pdf"


def test_item_create_with_a_disguised_attachment_creates_nothing(client, media, community, author):
    client = logged_in(client, author)
    data = {
        "kind": "threat", "title": "Nepfacturen", "tlp": Tlp.AMBER, "in_community": "on", "action": "publish",
        "extra-indicators": "evil.example", "extra-attachment": upload("factuur.pdf", pe_bytes()),
    }
    response = client.post(url("item_create", community.pk), data)
    assert response.status_code == 400
    assert "past niet bij de extensie .pdf" in response.content.decode()
    assert not Item.objects.exists() and not Indicator.objects.exists() and not Attachment.objects.exists()
    assert not media.exists() or stored_files(media) == []
    response = client.post(url("item_create", community.pk), data | {"extra-indicators": "niet geldig",
                                                                      "extra-attachment": upload("a.pdf", pdf_bytes())})
    assert response.status_code == 400 and "Regel 1" in response.content.decode()
    assert not Item.objects.exists()


def test_change_marking_page_keeps_audience_communities_the_user_cannot_see(client, item, author, coordinator):
    secret = CommunityFactory(confidential=True, tlp_organisation=True, name="Geheime Kring")
    CommunityMembershipFactory(community=secret, user=author)
    ItemAudienceFactory(item=item, community=secret)
    client = logged_in(client, coordinator)
    page = client.get(url("item_marking", item.pk))
    assert page.status_code == 200 and "Geheime Kring" not in page.content.decode()
    response = client.post(
        url("item_marking", item.pk), {"tlp": Tlp.AMBER, "communities": [str(item.audience.get(community__name="Zorg-ISAC").community_id)], "people": ""}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.tlp == Tlp.AMBER
    assert set(item.audience.values_list("community__name", flat=True)) == {"Zorg-ISAC", "Geheime Kring"}
    assert AuditLogEntry.objects.filter(action="item.change_marking", actor=coordinator).exists()


def test_change_marking_page_is_refused_to_a_plain_member(client, item, member):
    assert logged_in(client, member).get(url("item_marking", item.pk)).status_code == 403


def test_coordinator_approves_a_clear_item_for_the_public(client, community, coordinator, author, member):
    clear = ItemFactory(published=True, clear=True, author=author)
    ItemAudienceFactory(item=clear, community=community)
    html = logged_in(Client(), member).get(url("item_detail", clear.pk)).content.decode()
    assert url("item_approve_public", clear.pk) not in html
    client = logged_in(client, coordinator)
    assert url("item_approve_public", clear.pk) in client.get(url("item_detail", clear.pk)).content.decode()
    assert client.post(url("item_approve_public", clear.pk)).status_code == 302
    clear.refresh_from_db()
    assert clear.public_approved


def test_coordinator_posts_anonymously_for_a_member(client, community, coordinator, member, outsider):
    organisation = OrganisationFactory()
    CommunityMembershipFactory(community=community, for_organisation=True, user=None, organisation=organisation)
    colleague = MembershipFactory(organisation=organisation).user
    client = logged_in(client, coordinator)
    page = client.get(url("item_post_anonymously", community.pk)).content.decode()
    assert member.email in page and colleague.email in page and outsider.email not in page
    response = client.post(
        url("item_post_anonymously", community.pk),
        {"on_behalf_of": str(colleague.pk), "kind": "incident", "title": "Ransomware bij een lid",
         "body_markdown": "", "tlp": Tlp.AMBER},
    )
    assert response.status_code == 302
    item = Item.objects.get(title="Ransomware bij een lid")
    assert item.anonymous and item.author == colleague
    assert AuditLogEntry.objects.get(action="item.post_anonymously").actor == coordinator
    html = logged_in(Client(), member).get(url("item_detail", item.pk)).content.decode()
    assert colleague.email not in html and colleague.name not in html and "Anoniem namens de community" in html
    # Someone not in the community cannot be picked.
    response = client.post(
        url("item_post_anonymously", community.pk),
        {"on_behalf_of": str(outsider.pk), "kind": "incident", "title": "X", "tlp": Tlp.AMBER},
    )
    assert response.status_code == 400


def test_anonymous_posting_is_for_coordinators_only(client, community, member):
    assert logged_in(client, member).get(url("item_post_anonymously", community.pk)).status_code == 403


def test_platform_coordinator_role_alone_does_not_open_anonymous_posting(client, community, outsider):
    outsider.groups.add(Group.objects.get_or_create(name=Role.COMMUNITY_COORDINATOR.value)[0])
    assert logged_in(client, outsider).get(url("item_post_anonymously", community.pk)).status_code == 403
