"""Demo data for the directory: a connected collaboration, expert specialties, an expert and an
upcoming public event, so the directory pages show something in the running demo. Idempotent: a
second run changes nothing (except moving the demo event forward once it has passed).

The demo expert is a fictitious account that cannot log in (unusable password); it exists only with
`with_users`, like the other demo accounts.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from dtc.community.models import Collaboration, Event, Expert, ExpertSpecialty
from dtc.organisations.models import User

DEMO_COLLABORATION = {
    "slug": "cyberveilig-midden-nederland",
    "name": "Cyberveilig Midden-Nederland",
    "kind": Collaboration.Kind.REGIONAL,
    "description": "Ondernemers uit Utrecht en omgeving helpen elkaar digitaal veilig te ondernemen.",
    "offers": "Security health check voor het mkb, intervisiegroepen voor IT-verantwoordelijken, "
    "een regionaal dreigingsbeeld per kwartaal.",
}
DEMO_SPECIALTIES = [
    ("ransomware", "Ransomware"),
    ("phishing", "Phishing en social engineering"),
    ("back-ups", "Back-ups en herstel"),
    ("webwinkels", "Veilige webwinkels"),
]
DEMO_EXPERT_EMAIL = "expert@demo.dtc.example"
DEMO_EVENT_TITLE = "Bewustwordingssessie: herken de nepfactuur"


def _upcoming_start(now: dt.datetime) -> dt.datetime:
    start = (now + dt.timedelta(days=14)).astimezone(timezone.get_default_timezone())
    return start.replace(hour=15, minute=0, second=0, microsecond=0)


@transaction.atomic
def directory_demo_load(*, with_users: bool) -> dict[str, int]:
    counts = {"collaborations_created": 0, "experts_created": 0, "events_created": 0}
    spec = DEMO_COLLABORATION
    collaboration, created = Collaboration.objects.get_or_create(
        slug=spec["slug"],
        defaults={key: value for key, value in spec.items() if key != "slug"} | {"connected": True},
    )
    counts["collaborations_created"] = int(created)
    specialties = [ExpertSpecialty.objects.get_or_create(slug=slug, defaults={"name": name})[0]
                   for slug, name in DEMO_SPECIALTIES]

    now = timezone.now()
    event = Event.objects.filter(community__isnull=True, title=DEMO_EVENT_TITLE).first()
    if event is None:
        start = _upcoming_start(now)
        Event.objects.create(
            kind=Event.Kind.AWARENESS,
            title=DEMO_EVENT_TITLE,
            description="In een uur leert u een nepfactuur herkennen en wat u doet als er al betaald is.",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            location="Online",
            online_url="https://meet.dtc.example/nepfactuur",
            capacity=50,
        )
        counts["events_created"] = 1
    elif event.ends_at < now:  # keep the demo's event in the future
        start = _upcoming_start(now)
        event.starts_at, event.ends_at = start, start + dt.timedelta(hours=1)
        event.save(update_fields=["starts_at", "ends_at", "updated_at"])

    if with_users:
        user = User.objects.filter(email=DEMO_EXPERT_EMAIL).first()
        if user is None:
            user = User.objects.create_user(email=DEMO_EXPERT_EMAIL, password=None, name="Demo Expert")
        expert, created = Expert.objects.get_or_create(
            user=user,
            defaults={
                "display_name": "Sanne de Vries (demo)",
                "headline": "Incidentrespons en ransomware bij het mkb",
                "bio": "Twintig jaar ervaring met het herstellen na ransomware bij kleine bedrijven.",
                "province": "UT",
            },
        )
        if created:
            expert.specialties.set(specialties[:3])
        counts["experts_created"] = int(created)
        collaboration.coordinators.add(user)
    return counts
