"""Demo data for the trust platform: one community of the demo collaboration, in which the demo
business owner coordinates and the demo expert has shared two items (one TLP:GREEN threat with
indicators, one TLP:CLEAR measure approved for the public), so the feed, search, item pages, exports
and the public view show something in the running demo. Only with `with_users` (the items need the
demo people). Idempotent: a second run changes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dtc.community.demo_directory import DEMO_COLLABORATION, DEMO_EXPERT_EMAIL
from dtc.community.models import (
    Collaboration,
    Community,
    CommunityMembership,
    Indicator,
    Item,
    ItemAudience,
    Tlp,
)
from dtc.core.markdown import markdown_render_safe
from dtc.organisations.demo import DEMO_BUSINESS_EMAIL, DEMO_ORGANISATION
from dtc.organisations.models import Organisation, User

DEMO_COMMUNITY = {
    "slug": "ondernemers-midden-nederland",
    "name": "Ondernemers Midden-Nederland",
    "description": "Ondernemers uit de regio delen wat zij zien aan phishing, fraude en aanvallen, "
    "en wat zij ertegen doen.",
}
DEMO_ITEMS = [
    {
        "kind": Item.Kind.THREAT,
        "title": "Nepfacturen uit naam van een bekende groothandel",
        "tlp": Tlp.GREEN,
        "body": "Deze week kregen drie bakkerijen in de regio een factuur die van hun vaste groothandel "
        "leek te komen, met een **nieuw rekeningnummer**. Bel bij twijfel uw leverancier op een nummer "
        "dat u zelf al had, niet op het nummer in de e-mail.",
        "indicators": [(Indicator.Kind.DOMAIN, "groothandel-facturen.example"), (Indicator.Kind.IP, "192.0.2.44")],
        "public": False,
    },
    {
        "kind": Item.Kind.MEASURE,
        "title": "Zo zetten wij tweestapsverificatie aan op de zakelijke mail",
        "tlp": Tlp.CLEAR,
        "body": "In tien minuten gedaan: log in op het beheerportaal van uw e-mail, kies *Beveiliging* en "
        "zet tweestapsverificatie aan voor alle accounts. Bewaar de herstelcodes op papier.",
        "indicators": [],
        "public": True,
    },
]


@transaction.atomic
def community_demo_load(*, with_users: bool) -> dict[str, int]:
    counts = {"communities_created": 0, "items_created": 0}
    business = User.objects.filter(email=DEMO_BUSINESS_EMAIL).first()
    expert = User.objects.filter(email=DEMO_EXPERT_EMAIL).first()
    organisation = Organisation.objects.filter(kvk_number=DEMO_ORGANISATION["kvk_number"]).first()
    if not with_users or business is None or expert is None or organisation is None:
        return counts
    community, created = Community.objects.get_or_create(
        slug=DEMO_COMMUNITY["slug"],
        defaults={
            "name": DEMO_COMMUNITY["name"],
            "description": DEMO_COMMUNITY["description"],
            "owner": Collaboration.objects.filter(slug=DEMO_COLLABORATION["slug"]).first(),
            "join_policy": Community.JoinPolicy.REQUEST,
        },
    )
    counts["communities_created"] = int(created)
    CommunityMembership.objects.get_or_create(
        community=community, user=business,
        defaults={"role": CommunityMembership.MemberRole.COORDINATOR},
    )
    CommunityMembership.objects.get_or_create(community=community, organisation=organisation)
    CommunityMembership.objects.get_or_create(community=community, user=expert)
    for spec in DEMO_ITEMS:
        if Item.objects.filter(title=spec["title"], author=expert).exists():
            continue
        item = Item.objects.create(
            kind=spec["kind"], title=spec["title"], tlp=spec["tlp"], status=Item.Status.PUBLISHED,
            body_markdown=spec["body"], body_html=markdown_render_safe(spec["body"]),
            author=expert, published_at=timezone.now(), public_approved=spec["public"],
        )
        ItemAudience.objects.create(item=item, community=community)
        Indicator.objects.bulk_create([Indicator(item=item, kind=kind, value=value) for kind, value in spec["indicators"]])
        counts["items_created"] += 1
    return counts
