"""Demo data for tailored alerts: two analysts, a handful of businesses with product lists, the
NCSC-style sample advisories (`fixtures/ncsc/`, written for this project) and one published message, so
a newcomer sees matched businesses and an alert in the demo bakery's inbox straight away.

DEMO ONLY: the analysts share the published demo password (see organisations.demo)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group

from dtc.organisations import services as organisation_services
from dtc.organisations.demo import DEMO_ORGANISATION, _demo_user
from dtc.organisations.models import Membership, Municipality, Organisation, Product, Role, Sector, SizeClass

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ncsc"
DEMO_ANALYST_EMAIL = "analist@demo.dtc.example"
DEMO_SECOND_ANALYST_EMAIL = "analist2@demo.dtc.example"
DEMO_ANALYST_LOGINS = [
    {"email": DEMO_ANALYST_EMAIL, "description": "analist: adviezen, berichten en koppelen (/analist/waarschuwingen/)"},
    {"email": DEMO_SECOND_ANALYST_EMAIL, "description": "tweede analist: keurt urgente berichten goed"},
]

# Fictitious businesses (KvK numbers are made up) with the products they use, so that the sample
# advisories reach some of them and not others: versions inside, outside and unknown.
DEMO_BUSINESSES: list[dict[str, Any]] = [
    {
        "name": "Installatiebedrijf Van Dijk",
        "kvk_number": "90200001",
        "sector": Sector.F,
        "municipality_code": "GM0363",  # Amsterdam
        "size_class": SizeClass.MEDIUM_SMALL,
        "products": [
            ("Fortinet", "FortiOS", "7.2.5"),
            ("Microsoft", "Exchange Server", "2019 CU13"),
            ("Microsoft", "Windows 11", "23H2"),
            ("Synology", "DiskStation Manager", "7.1"),
        ],
    },
    {
        "name": "Fietsenwinkel De Trapper",
        "kvk_number": "90200002",
        "sector": Sector.G,
        "municipality_code": "GM0599",  # Rotterdam
        "size_class": SizeClass.ONE,
        "products": [
            ("WordPress", "WordPress", "6.4"),
            ("WooCommerce", "WooCommerce", ""),
            ("Google", "Chrome", ""),
        ],
    },
    {
        "name": "Accountantskantoor Smit & Partners",
        "kvk_number": "90200003",
        "sector": Sector.M,
        "municipality_code": "GM0344",  # Utrecht
        "size_class": SizeClass.MEDIUM_SMALL,
        "products": [
            ("Citrix", "NetScaler Gateway", "13.1"),
            ("Microsoft", "Microsoft 365 Apps", ""),
            ("Wolters Kluwer", "Twinfield", ""),
            ("Fortinet", "FortiOS", "7.4.4"),
        ],
    },
    {
        "name": "Transportbedrijf Hendriks",
        "kvk_number": "90200004",
        "sector": Sector.H,
        "municipality_code": "GM0772",  # Eindhoven
        "size_class": SizeClass.MEDIUM,
        "products": [
            ("Ivanti", "Connect Secure", "22.7"),
            ("VMware", "ESXi", "8.0"),
            ("Veeam", "Backup & Replication", "12.1"),
            ("Microsoft", "Windows Server 2022", ""),
        ],
    },
    {
        "name": "Hotel De Zeester",
        "kvk_number": "90200005",
        "sector": Sector.I,
        "municipality_code": "GM0518",  # 's-Gravenhage
        "size_class": SizeClass.SMALL,
        "products": [
            ("WordPress", "WordPress", "6.8"),
            ("Synology", "DiskStation Manager", ""),
            ("TeamViewer", "TeamViewer", "15"),
        ],
    },
]


def _demo_business(spec: dict[str, Any], owner: Any) -> tuple[Organisation, bool]:
    organisation = Organisation.objects.filter(kvk_number=spec["kvk_number"]).first()
    created = organisation is None
    if organisation is None:
        municipality = Municipality.objects.filter(code=spec["municipality_code"]).first()
        organisation = organisation_services.organisation_create(
            actor=owner,
            name=spec["name"],
            kvk_number=spec["kvk_number"],
            sector=spec["sector"],
            province=municipality.province if municipality else "",
            municipality=municipality,
            size_class=spec["size_class"],
        )
        # The demo analyst created it to fill the demo; it is not a member of the business.
        Membership.objects.filter(organisation=organisation, user=owner).delete()
    for vendor, name, version in spec["products"]:
        product = Product.objects.filter(vendor__iexact=vendor, name__iexact=name).first()
        if product is not None and not organisation.product_uses.filter(product=product).exists():
            organisation.product_uses.create(product=product, version=version)
    return organisation, created


def advisories_demo_load(*, with_users: bool) -> dict[str, int]:
    """Idempotent. Without users only the sample advisories are imported (no businesses, no messages)."""
    from dtc.advisories.distribution import import_sources

    counts: dict[str, Any] = {}
    if FIXTURES.exists():
        result = import_sources([str(FIXTURES)])
        counts["advisories_imported"] = result["imported"] + result["updated"]
        counts["advisories_rejected"] = result["rejected"]
    if not with_users:
        return counts

    analyst, _ = _demo_user(DEMO_ANALYST_EMAIL, name="Demo Analist")
    second, _ = _demo_user(DEMO_SECOND_ANALYST_EMAIL, name="Demo Tweede Analist")
    group = Group.objects.get(name=Role.ANALYST.value)
    analyst.groups.add(group)
    second.groups.add(group)
    businesses = [_demo_business(spec, analyst) for spec in DEMO_BUSINESSES]
    counts["businesses_created"] = sum(created for _, created in businesses)
    counts["messages_published"] = _demo_message_publish(analyst)
    return counts


def _demo_message_publish(analyst: Any) -> int:
    """Publish the drafted message of the first non-urgent CLEAR sample advisory that concerns the demo
    bakery, so its inbox shows an alert. Leaves the others for the newcomer to publish."""
    from dtc.advisories import services
    from dtc.advisories.models import Advisory, AlertSettings, Message, Tlp, Urgency

    bakery = Organisation.objects.filter(kvk_number=DEMO_ORGANISATION["kvk_number"]).first()
    if bakery is None or Message.objects.filter(status=Message.Status.PUBLISHED).exists():
        return 0
    # The default for non-urgent alerts is the daily digest at 07:00; the demo bakery wants every alert
    # at once, so a newcomer sees the e-mail in the mail catcher straight away.
    AlertSettings.objects.update_or_create(
        organisation=bakery, defaults={"email_other": AlertSettings.EmailOther.IMMEDIATE}
    )
    used = set(bakery.product_uses.values_list("product_id", flat=True))
    candidates = Advisory.objects.filter(tlp=Tlp.CLEAR, current_revision__isnull=False, message__isnull=True)
    for advisory in candidates.order_by("tracking_id"):
        affected = set(
            advisory.current_revision.products.filter(status="affected").values_list("catalogue_product_id", flat=True)
        )
        if not affected & used:
            continue
        message = services.message_get_or_draft(advisory=advisory, actor=analyst)
        if message.urgency == Urgency.URGENT:
            continue  # left for the newcomer: needs the second analyst's approval
        services.message_publish(actor=analyst, message=message)
        return 1
    return 0
