"""Every trust-platform page through a real browser, with realistic data: an item with indicators, an
attachment, comments, reactions and similar items; changing its marking, adding indicators, attaching
a file, posting anonymously, approving for the public; search; the directory (collaborations, experts,
events); notifications; MISP/STIX exchange; feed tokens. axe finds zero WCAG 2.1 AA violations on
every page, no page scrolls sideways on a 320px-wide screen, and the one-click reactions work from
the keyboard.

Each test is one browser session that walks several pages (a browser start and a login cost seconds).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from e2e_support import assert_accessible, login, submit, user_create
from playwright.sync_api import expect

from dtc.community.tests.test_item_extras import pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MISP_EVENT = Path(__file__).parents[2] / "src/dtc/community/tests/fixtures/misp_event.json"


@pytest.fixture
def platform(transactional_db, settings, tmp_path):
    """A regional ISAC with a bakery (admin + colleague), a coordinator and a personal member; shared
    items with indicators, an attachment, comments and reactions; a collaboration; an expert."""
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dtc.community import services, services_directory
    from dtc.community.models import CommunityMembership, ExpertSpecialty
    from dtc.community.tests.factories import CollaborationFactory, CommunityFactory
    from dtc.organisations.models import Membership, Organisation, Role

    settings.MEDIA_ROOT = tmp_path / "media"

    coordinator = user_create("coordinator@isac-utrecht.nl", name="Carla Coördinator")
    coordinator.groups.add(Group.objects.get_or_create(name=Role.COMMUNITY_COORDINATOR.value)[0])
    bakery = Organisation.objects.create(name="Bakkerij De Vries", kvk_number="12345678")
    author = user_create("eigenaar@bakkerij-de-vries.nl", name="Anne de Vries")
    colleague = user_create("collega@bakkerij-de-vries.nl", name="Kees de Vries")
    Membership.objects.create(user=author, organisation=bakery, role=Membership.OrgRole.ADMIN)
    Membership.objects.create(user=colleague, organisation=bakery, role=Membership.OrgRole.MEMBER)
    expert_user = user_create("expert@security-advies.nl", name="Eva Expert")
    newcomer = user_create("nieuw@elders.nl", name="Nina Nieuw")

    collaboration = CollaborationFactory(
        name="Ondernemers Veilig Utrecht",
        slug="ondernemers-veilig-utrecht",
        description="Regionaal samenwerkingsverband van ondernemersverenigingen in de provincie Utrecht.",
        offers="Health check, intervisiegroepen en een maandelijks dreigingsbeeld.",
    )
    collaboration.coordinators.add(coordinator)
    community = CommunityFactory(
        name="ISAC Regio Utrecht",
        slug="isac-regio-utrecht",
        owner=collaboration,
        description="Ondernemers in de regio Utrecht delen dreigingen en lessen.",
        tlp_organisation=True,
        by_request=True,
    )
    CommunityMembership.objects.create(
        community=community, user=coordinator, role=CommunityMembership.MemberRole.COORDINATOR
    )
    CommunityMembership.objects.create(community=community, organisation=bakery)
    CommunityMembership.objects.create(community=community, user=expert_user)

    item = services.item_create(
        actor=author,
        kind="threat",
        title="Nepfacturen uit naam van de meelleverancier",
        tlp="AMBER",
        body_markdown="Controleer het **rekeningnummer** voordat u betaalt. De mail komt van een lookalike-domein.",
        communities=[community],
        author_organisation=bakery,
        publish=True,
    )
    services.indicators_add(
        actor=author,
        item=item,
        entries=[("ip", "198.51.100.23"), ("domain", "factuur-portaal.example")],
        comment="Uit de headers van de phishingmail",
    )
    services.attachment_add(
        actor=author,
        item=item,
        uploaded_file=SimpleUploadedFile("mailheaders.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    services.comment_create(
        actor=colleague, item=item, body_markdown="Wij kregen deze mail **vanochtend** ook."
    )
    services.comment_create(
        actor=coordinator, item=item, body_markdown="Dank! Ik zet het in het dreigingsbeeld."
    )
    services.reaction_toggle(actor=coordinator, item=item, kind="seen")
    services.reaction_toggle(actor=colleague, item=item, kind="useful")

    similar = services.item_create(
        actor=expert_user,
        kind="incident",
        title="Loader via factuurbijlage bij een slagerij",
        tlp="GREEN",
        body_markdown="Zelfde C2-server als bij de nepfacturen.",
        communities=[community],
        publish=True,
    )
    services.indicators_add(actor=expert_user, item=similar, entries=[("ip", "198.51.100.23")])

    clear = services.item_create(
        actor=author,
        kind="lesson",
        title="Tweestapsverificatie op de boekhouding hielp",
        tlp="CLEAR",
        body_markdown="Met tweestapsverificatie kwam de aanvaller niet verder dan het wachtwoord.",
        communities=[community],
        author_organisation=bakery,
        publish=True,
    )

    specialty = ExpertSpecialty.objects.create(name="Phishing", slug="phishing")
    ExpertSpecialty.objects.create(name="Ransomware", slug="ransomware")
    expert = services_directory.expert_profile_save(
        actor=expert_user,
        display_name="Eva Expert",
        headline="Incidentrespons voor het mkb",
        bio="Twintig jaar ervaring met phishing en ransomware bij kleine bedrijven.",
        specialties=[specialty],
        province="UT",
    )
    return {
        "coordinator": coordinator.email,
        "author": author.email,
        "colleague": colleague.email,
        "expert": expert_user.email,
        "newcomer": newcomer.email,
        "community": community.pk,
        "collaboration": collaboration.slug,
        "item": item.pk,
        "similar": similar.pk,
        "clear": clear.pk,
        "expert_id": expert.pk,
    }


def assert_accessible_and_reflows(page) -> None:
    """axe finds nothing (`assert_accessible`), and at 320 CSS px wide — a phone, or 1280px zoomed to
    400% — the page does not scroll sideways (WCAG 1.4.10 Reflow, which axe does not check)."""
    assert_accessible(page)
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            wide = page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                  .slice(-3).map(e => e.tagName + '.' + [...e.classList].join('.') + ' ' + (e.textContent || '').trim().slice(0, 40))"""
            )
        assert overflow <= 0, (
            f"{page.url}: at 320 CSS px the page scrolls sideways by {overflow}px (WCAG 1.4.10); widest: {wide}"
        )
    finally:
        page.set_viewport_size(size)


def switch_user(page, email: str) -> None:
    page.context.clear_cookies()
    login(page, email)


def test_item_pages_marking_extras_anonymous_posting_and_public_approval(page, platform):
    main = page.locator("main")
    item_url = f"/communities/items/{platform['item']}/"

    # A colleague reads the item with everything that hangs off it …
    login(page, platform["colleague"])
    page.goto(item_url)
    expect(page.locator("h1")).to_have_text("Nepfacturen uit naam van de meelleverancier")
    expect(main.locator("#indicatoren + table")).to_contain_text("198.51.100.23")
    expect(main.locator(".dtc-attachments")).to_contain_text("mailheaders.pdf")
    expect(main.locator(".dtc-comments > li")).to_have_count(2)
    expect(main).to_contain_text("Loader via factuurbijlage bij een slagerij")
    assert_accessible_and_reflows(page)

    # … and says "seen this too" with the keyboard only.
    seen = main.get_by_role("button", name=re.compile(r"^Ook gezien \(1\)$"))
    expect(seen).to_have_attribute("aria-pressed", "false")
    seen.focus()
    page.keyboard.press("Enter")
    seen_now = main.get_by_role("button", name=re.compile(r"^Ook gezien \(2\)$"))
    expect(seen_now).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".dtc-messages")).to_contain_text("Ook gezien")
    assert_accessible_and_reflows(page)

    # An empty comment is refused on the item page itself; a real one is placed.
    main.get_by_role("button", name="Reactie plaatsen").click()
    expect(main.get_by_label("Uw reactie")).to_have_attribute("aria-invalid", "true")
    assert_accessible_and_reflows(page)
    main.get_by_label("Uw reactie").fill("Bij ons kwam hij binnen via het **algemene** adres.")
    main.get_by_role("button", name="Reactie plaatsen").click()
    page.wait_for_url(re.compile(r"#reactie-\d+$"))
    expect(main.locator(".dtc-comments > li")).to_have_count(3)
    assert_accessible_and_reflows(page)

    # The author changes the marking, adds indicators and attaches a file.
    switch_user(page, platform["author"])
    page.goto(item_url)
    assert_accessible_and_reflows(page)
    main.get_by_role("link", name="Markering wijzigen").click()
    page.wait_for_url(re.compile(r"/markering/$"))
    assert_accessible_and_reflows(page)
    main.locator("input[name=tlp][value='AMBER+STRICT']").check()
    submit(page)
    page.wait_for_url(item_url)
    expect(main.locator(".dtc-tlp-banner")).to_contain_text("TLP:AMBER+STRICT")

    main.get_by_role("link", name="Indicatoren toevoegen").click()
    page.wait_for_url(re.compile(r"/indicatoren/$"))
    assert_accessible_and_reflows(page)
    main.get_by_label("Indicatoren, één per regel").fill("dit is geen indicator")
    submit(page)
    expect(main.locator(".utrecht-form-field-error-message, .dtc-error-summary").first).to_be_visible()
    assert_accessible_and_reflows(page)
    main.get_by_label("Indicatoren, één per regel").fill(
        "CVE-2017-11882\nhxxps://factuur-portaal[.]example/login"
    )
    submit(page)
    page.wait_for_url(re.compile(r"#indicatoren$"))
    expect(main.locator("#indicatoren + table")).to_contain_text("CVE-2017-11882")
    assert_accessible_and_reflows(page)

    main.get_by_role("link", name="Bestand bijvoegen").click()
    page.wait_for_url(re.compile(r"/bijlagen/$"))
    assert_accessible_and_reflows(page)
    # A web page renamed .pdf is refused, and the refusal is accessible too.
    main.get_by_label("Bestand").set_input_files(
        files=[
            {"name": "factuur.pdf", "mimeType": "application/pdf", "buffer": b"<!DOCTYPE html><p>hallo</p>"}
        ]
    )
    submit(page)
    expect(main.locator(".utrecht-form-field-error-message, .dtc-error-summary").first).to_be_visible()
    assert_accessible_and_reflows(page)
    main.get_by_label("Bestand").set_input_files(
        files=[{"name": "analyse.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    submit(page)
    page.wait_for_url(re.compile(r"#bijlagen$"))
    expect(main.locator(".dtc-attachments")).to_contain_text("analyse.pdf")
    assert_accessible_and_reflows(page)

    # The coordinator posts anonymously for a member and approves the CLEAR item for the public.
    switch_user(page, platform["coordinator"])
    page.goto(f"/communities/{platform['community']}/items/anoniem/")
    assert_accessible_and_reflows(page)
    main.get_by_label("Namens welk lid?").select_option(label="Kees de Vries (collega@bakkerij-de-vries.nl)")
    main.get_by_label("Soort").select_option("incident")
    main.get_by_label("Titel").fill("Ransomware via een oude VPN-koppeling")
    main.get_by_label("Tekst").fill("De VPN-server was niet bijgewerkt. Patch **vandaag**.")
    main.locator("input[name=tlp][value=AMBER]").check()
    submit(page)
    page.wait_for_url(re.compile(r"/communities/items/\d+/$"))
    expect(main).to_contain_text("Anoniem namens de community")
    assert_accessible_and_reflows(page)

    clear_url = f"/communities/items/{platform['clear']}/"
    page.goto(clear_url)
    main.get_by_role("button", name="Goedkeuren voor openbare publicatie").click()
    expect(page.locator(".dtc-messages")).to_contain_text("goedgekeurd voor openbare publicatie")
    expect(main.locator(".dtc-tlp-banner")).to_contain_text("Goedgekeurd voor openbare publicatie")
    assert_accessible_and_reflows(page)

    # An anonymous visitor reads the approved item, without people or communities.
    page.context.clear_cookies()
    response = page.goto(clear_url)
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_text("Tweestapsverificatie op de boekhouding hielp")
    expect(main).to_contain_text("Gedeeld op het Digital Trust Center")
    expect(main).not_to_contain_text("Bakkerij De Vries")
    expect(main).not_to_contain_text("ISAC Regio Utrecht")
    assert_accessible_and_reflows(page)


def test_search_interop_and_feed_tokens(page, platform):
    main = page.locator("main")
    login(page, platform["colleague"])

    # Search: with results, and the empty state.
    page.goto("/communities/zoeken/")
    assert_accessible_and_reflows(page)
    main.get_by_label("Zoekterm").fill("nepfacturen")
    submit(page)
    page.wait_for_url(re.compile(r"/zoeken/\?"))
    expect(main.get_by_role("link", name="Nepfacturen uit naam van de meelleverancier")).to_be_visible()
    assert_accessible_and_reflows(page)
    page.goto("/communities/zoeken/?q=a")
    assert_accessible_and_reflows(page)
    page.goto(f"/communities/zoeken/?q=zeppelinwerf&community={platform['community']}")
    expect(main).to_contain_text("Geen items gevonden")
    assert_accessible_and_reflows(page)

    # Exchange: the page, and an import of a MISP event that shows its result.
    page.goto(f"/communities/{platform['community']}/uitwisselen/")
    assert_accessible_and_reflows(page)
    main.get_by_label("MISP- of STIX-bestand (JSON)").set_input_files(
        files=[{"name": "kapot.json", "mimeType": "application/json", "buffer": b'{"Event": {"info": '}]
    )
    submit(page)
    expect(main).to_contain_text("Het bestand is niet geïmporteerd")
    assert_accessible_and_reflows(page)
    main.get_by_label("MISP- of STIX-bestand (JSON)").set_input_files(str(MISP_EVENT))
    submit(page)
    page.wait_for_url(re.compile(r"/communities/concepten/$"))
    expect(page.locator(".dtc-messages")).to_contain_text("geïmporteerd als concept")
    expect(main).to_contain_text("Phishingcampagne met nepfacturen bij zorginstellingen")
    assert_accessible_and_reflows(page)

    # Feed tokens: none yet, then a new personal link shown once.
    page.goto("/mijn/feeds/")
    expect(main).to_contain_text("U heeft nog geen persoonlijke feedlink.")
    assert_accessible_and_reflows(page)
    main.get_by_role("button", name="Feedlink maken").click()
    expect(main.locator("#feed-url")).to_contain_text("?token=")
    assert_accessible_and_reflows(page)


def test_directory_collaborations_experts_and_events(page, platform):
    main = page.locator("main")
    collaboration_url = f"/samenwerkingsverbanden/{platform['collaboration']}/"

    # Anyone can read the public directory of collaborations.
    page.goto("/samenwerkingsverbanden/")
    assert_accessible_and_reflows(page)
    main.get_by_role("link", name="Ondernemers Veilig Utrecht").click()
    page.wait_for_url(collaboration_url)
    assert_accessible_and_reflows(page)

    # The bakery's admin asks to join on the bakery's behalf.
    login(page, platform["author"])
    page.goto(collaboration_url)
    assert_accessible_and_reflows(page)
    main.get_by_label("Toelichting").fill("Wij zijn een bakkerij met twee vestigingen in Utrecht.")
    main.get_by_role("button", name="Aanmelden").click()
    expect(page.locator(".dtc-messages")).to_contain_text("Uw aanmelding is verstuurd.")
    expect(main).to_contain_text("In behandeling")
    assert_accessible_and_reflows(page)

    # Experts: the list, a profile, a question, "Mijn vragen".
    page.goto("/communities/experts/")
    assert_accessible_and_reflows(page)
    main.get_by_role("link", name="Eva Expert").click()
    page.wait_for_url(re.compile(r"/experts/\d+/$"))
    assert_accessible_and_reflows(page)
    main.get_by_role("button", name="Vraag versturen").click()
    expect(main.get_by_label("Onderwerp")).to_have_attribute("aria-invalid", "true")
    assert_accessible_and_reflows(page)
    main.get_by_label("Onderwerp").fill("Back-ups na een ransomware-aanval")
    main.get_by_label("Uw vraag").fill(
        "Hoe controleren wij of onze back-ups schoon zijn voordat we terugzetten?"
    )
    main.get_by_role("button", name="Vraag versturen").click()
    page.wait_for_url(re.compile(r"/experts/vragen/\d+/$"))
    expect(page.locator("h1")).to_have_text("Back-ups na een ransomware-aanval")
    assert_accessible_and_reflows(page)
    question_url = page.url
    page.goto("/communities/experts/vragen/")
    expect(main).to_contain_text("Back-ups na een ransomware-aanval")
    assert_accessible_and_reflows(page)

    # The expert sees the question among the ones received and answers it.
    switch_user(page, platform["expert"])
    page.goto("/communities/experts/vragen/")
    expect(main).to_contain_text("Back-ups na een ransomware-aanval")
    assert_accessible_and_reflows(page)
    page.goto(question_url)
    assert_accessible_and_reflows(page)
    main.get_by_label("Uw antwoord").fill("Zet een back-up eerst terug op een losse machine en scan die.")
    submit(page)
    expect(page.locator(".dtc-messages")).to_contain_text("Uw antwoord is verstuurd.")
    assert_accessible_and_reflows(page)

    # Someone becomes an expert: the profile form, empty and then saved.
    switch_user(page, platform["colleague"])
    page.goto("/communities/experts/mijn-profiel/")
    assert_accessible_and_reflows(page)
    main.get_by_label("Korte omschrijving").fill("Kassasystemen en betaalterminals")
    main.get_by_label("Phishing").check()
    submit(page)
    page.wait_for_url(re.compile(r"/experts/\d+/$"))
    expect(main).to_contain_text("Kassasystemen en betaalterminals")
    assert_accessible_and_reflows(page)

    # Events: the coordinator plans one for the community …
    switch_user(page, platform["coordinator"])
    page.goto(collaboration_url)
    expect(main).to_contain_text("Wij zijn een bakkerij met twee vestigingen in Utrecht.")
    assert_accessible_and_reflows(page)
    main.get_by_role("button", name="Bakkerij De Vries toelaten").click()
    expect(page.locator(".dtc-messages")).to_contain_text("Bakkerij De Vries neemt nu deel.")
    assert_accessible_and_reflows(page)

    page.goto("/communities/bijeenkomsten/")
    assert_accessible_and_reflows(page)
    page.goto("/communities/bijeenkomsten/nieuw/")
    assert_accessible_and_reflows(page)
    submit(page)
    expect(main.get_by_label("Titel")).to_have_attribute("aria-invalid", "true")
    assert_accessible_and_reflows(page)
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    main.get_by_label("Voor wie").select_option(label="ISAC Regio Utrecht")
    main.get_by_label("Soort").select_option("intervision")
    main.get_by_label("Titel").fill("Intervisie: wat leerden we van de nepfacturen?")
    main.get_by_label("Beschrijving").fill("We bespreken de golf nepfacturen en wat wel en niet werkte.")
    main.get_by_label("Begint om").fill(f"{day}T19:00")
    main.get_by_label("Eindigt om").fill(f"{day}T21:00")
    main.get_by_label("Locatie").fill("Stadskantoor Utrecht, zaal 3")
    main.get_by_label("Maximaal aantal deelnemers").fill("20")
    submit(page)
    page.wait_for_url(re.compile(r"/bijeenkomsten/\d+/$"))
    event_url = page.url
    expect(page.locator("h1")).to_have_text("Intervisie: wat leerden we van de nepfacturen?")
    assert_accessible_and_reflows(page)

    # … and a member of it registers.
    switch_user(page, platform["author"])
    page.goto("/communities/bijeenkomsten/")
    expect(main).to_contain_text("Intervisie: wat leerden we van de nepfacturen?")
    assert_accessible_and_reflows(page)
    page.goto(event_url)
    assert_accessible_and_reflows(page)
    main.get_by_role("button", name="Aanmelden").click()
    expect(page.locator(".dtc-messages")).to_contain_text("U bent aangemeld.")
    expect(main.get_by_role("button", name="Afmelden")).to_be_visible()
    assert_accessible_and_reflows(page)


def test_notifications_inbox_preferences_and_watch_control(page, platform):
    main = page.locator("main")

    # Somebody new to the platform has an empty inbox.
    login(page, platform["newcomer"])
    page.goto("/mijn/meldingen/")
    assert_accessible_and_reflows(page)

    # The coordinator has entries: new items in the community, comments under them.
    switch_user(page, platform["coordinator"])
    page.goto("/mijn/meldingen/")
    expect(main).to_contain_text("Nepfacturen uit naam van de meelleverancier")
    assert_accessible_and_reflows(page)
    main.get_by_role("button", name=re.compile("gelezen")).click()
    expect(page.locator(".dtc-messages")).to_contain_text("Alle meldingen zijn als gelezen gemarkeerd.")
    assert_accessible_and_reflows(page)

    page.goto("/mijn/meldingen/instellingen/")
    assert_accessible_and_reflows(page)
    main.locator("input[name=delivery]").last.check()
    submit(page)
    expect(page.locator(".dtc-messages")).to_contain_text("Uw voorkeuren voor meldingen zijn bewaard.")
    assert_accessible_and_reflows(page)

    # The watch control on the community page.
    page.goto(f"/communities/{platform['community']}/")
    assert_accessible_and_reflows(page)
    control = main.locator("form.dtc-watch-control")
    control.get_by_label("Meldingen over deze community").select_option(index=0)
    control.get_by_role("button", name="Bewaren").click()
    expect(page.locator(".dtc-messages")).to_contain_text("Uw keuze voor meldingen is bewaard.")
    assert_accessible_and_reflows(page)
