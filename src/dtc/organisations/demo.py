"""Demo data for a first run: reference data (municipalities, product catalogue, role groups) and,
on request, two demo accounts.

DEMO ONLY: the demo accounts share the published password `DEMO_PASSWORD`. Never load them with
`with_users=True` on a server reachable by others; anyone who reads this file can log in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from dtc.organisations import services
from dtc.organisations.models import (
    Membership,
    Municipality,
    Organisation,
    Product,
    Role,
    Sector,
    SizeClass,
    User,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
MUNICIPALITIES_CSV = DATA_DIR / "gemeenten.csv"
CATALOGUE_CSV = DATA_DIR / "products.csv"

DEMO_PASSWORD = "Demo-wachtwoord-2026"  # noqa: S105 - demo accounts only, documented above
DEMO_BUSINESS_EMAIL = "ondernemer@demo.dtc.example"
DEMO_EDITOR_EMAIL = "redacteur@demo.dtc.example"
DEMO_LOGINS = [
    {"email": DEMO_BUSINESS_EMAIL, "description": "ondernemer, beheerder van Bakkerij De Korenschoof, mag communities openen"},
    {"email": DEMO_EDITOR_EMAIL, "description": "redacteur; stelt bij het eerste bezoek aan /cms/ tweestapsverificatie in"},
]
DEMO_ORGANISATION = {
    "name": "Bakkerij De Korenschoof",
    "kvk_number": "90123456",  # fictitious; 8 digits like a real KvK number
    "sector": Sector.C,  # SBI 10.71: brood- en banketbakkerijen
    "municipality_code": "GM0344",  # Utrecht
    "size_class": SizeClass.SMALL,
    "domain": "bakkerij-korenschoof.example",
    "products": [
        ("Microsoft", "Microsoft 365 Apps", ""),
        ("Microsoft", "Windows 11", "24H2"),
        ("WordPress", "WordPress", "6.8"),
        ("WooCommerce", "WooCommerce", "9.9"),
        ("Synology", "DiskStation Manager", "7.2"),
    ],
}


def _demo_user(email: str, *, name: str, is_staff: bool = False) -> tuple[User, bool]:
    from allauth.account.models import EmailAddress

    user = User.objects.filter(email=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name, is_staff=is_staff)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user, created


def _demo_organisation(owner: User) -> tuple[Organisation, bool]:
    spec: dict[str, Any] = DEMO_ORGANISATION
    organisation = Organisation.objects.filter(kvk_number=spec["kvk_number"]).first()
    created = organisation is None
    if organisation is None:
        municipality = Municipality.objects.get(code=spec["municipality_code"])
        organisation = services.organisation_create(
            actor=owner,
            name=spec["name"],
            kvk_number=spec["kvk_number"],
            sector=spec["sector"],
            province=municipality.province,
            municipality=municipality,
            size_class=spec["size_class"],
        )
    Membership.objects.update_or_create(
        user=owner, organisation=organisation, defaults={"role": Membership.OrgRole.ADMIN}
    )
    if not organisation.domains.filter(name=spec["domain"]).exists():
        services.organisation_domain_add(actor=owner, organisation=organisation, name=spec["domain"])
    for vendor, name, version in spec["products"]:
        product = Product.objects.get(vendor__iexact=vendor, name__iexact=name)
        if not organisation.product_uses.filter(product=product).exists():
            services.organisation_product_add(
                actor=owner, organisation=organisation, product=product, version=version
            )
    return organisation, created


@transaction.atomic
def organisations_reference_load() -> dict[str, int]:
    """Reference data every installation needs (not demo data): municipalities, the product
    catalogue and the role groups. Idempotent; run on every deploy (`dtc load_reference_data`)."""
    municipalities = services.municipalities_load_from_csv(MUNICIPALITIES_CSV)
    catalogue = services.catalogue_load_from_csv(CATALOGUE_CSV)
    groups = services.roles_ensure_groups()
    return {
        "municipalities": municipalities["total"],
        "products": catalogue["total"],
        "role_groups": groups["groups"],
    }


def organisations_demo_load(*, with_users: bool) -> dict[str, int]:
    """Load reference data, and with `with_users` the demo business and editor accounts. Idempotent."""
    counts = organisations_reference_load()
    if not with_users:
        return counts

    business, business_created = _demo_user(DEMO_BUSINESS_EMAIL, name="Demo Ondernemer")
    # The demo business owner may open a community, so the trust platform can be tried at once.
    business.groups.add(Group.objects.get(name=Role.COMMUNITY_COORDINATOR.value))
    _, organisation_created = _demo_organisation(business)

    editor, editor_created = _demo_user(DEMO_EDITOR_EMAIL, name="Demo Redacteur", is_staff=True)
    editor.groups.add(Group.objects.get(name=Role.EDITOR.value))
    wagtail_editors = Group.objects.filter(name="Editors").first()  # created by Wagtail's migrations
    if wagtail_editors is not None:
        editor.groups.add(wagtail_editors)

    counts["users_created"] = int(business_created) + int(editor_created)
    counts["organisations_created"] = int(organisation_created)
    return counts
