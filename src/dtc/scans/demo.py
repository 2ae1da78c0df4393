"""Demo of batch scans: a coordinator of the demo collaboration with a batch of the offline demo
domains (`make run SCAN_DEMO=1` serves them; see README "Scans"). The batch is loaded without a
round, so the newcomer starts it ("Nu opnieuw testen") and watches it run. Idempotent."""

from __future__ import annotations

from django.db import transaction

from dtc.community.demo_directory import DEMO_COLLABORATION
from dtc.community.models import Collaboration
from dtc.scans.models import ScanBatch, ScanBatchEntry

DEMO_COORDINATOR_EMAIL = "coordinator@demo.dtc.example"
DEMO_COORDINATOR_LOGINS = [
    {"email": DEMO_COORDINATOR_EMAIL,
     "description": "coördinator van Cyberveilig Midden-Nederland: batchscans op /scan/batch/"},
]
DEMO_BATCH_NAME = "Winkelstraat demo (goed, matig, zwak)"
DEMO_BATCH_DOMAINS = [
    ("goed.demo.test", "Boekhandel Het Goede Voorbeeld"),
    ("matig.demo.test", "Fietsenmaker Half Werk"),
    ("zwak.demo.test", "Kapsalon Open Deur"),
]


@transaction.atomic
def scans_demo_load(*, with_users: bool) -> dict[str, int]:
    counts = {"batches_created": 0}
    collaboration = Collaboration.objects.filter(slug=DEMO_COLLABORATION["slug"]).first()
    if collaboration is None:
        return counts
    if with_users:
        from dtc.organisations.demo import _demo_user

        user, _created = _demo_user(DEMO_COORDINATOR_EMAIL, name="Demo Coördinator")
        collaboration.coordinators.add(user)
    batch, created = ScanBatch.objects.get_or_create(
        collaboration=collaboration, name=DEMO_BATCH_NAME, defaults={"rescan_every_days": 91},
    )
    if created:
        ScanBatchEntry.objects.bulk_create(
            [ScanBatchEntry(batch=batch, domain=domain, member=member) for domain, member in DEMO_BATCH_DOMAINS]
        )
    counts["batches_created"] = int(created)
    return counts
