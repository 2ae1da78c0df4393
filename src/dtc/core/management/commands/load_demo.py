"""Load the demo content: the knowledge site, the product catalogue, municipalities, role groups and
(with --with-demo-users) demo logins. Idempotent: a second run neither fails nor duplicates."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load (or refresh) the demo content. Safe to run more than once."

    def add_arguments(self, parser):
        parser.add_argument("--with-demo-users", action="store_true", help="Also create the demo logins.")
        parser.add_argument("--print-logins", action="store_true", help="Only print the demo logins.")

    def handle(self, *args, with_demo_users: bool = False, print_logins: bool = False, **options):
        from dtc.organisations import demo as organisations_demo

        if print_logins:
            from dtc.advisories.demo import DEMO_ANALYST_LOGINS
            from dtc.scans.demo import DEMO_COORDINATOR_LOGINS

            for login in [*organisations_demo.DEMO_LOGINS, *DEMO_ANALYST_LOGINS, *DEMO_COORDINATOR_LOGINS]:
                self.stdout.write(f"  Demo login:  {login['email']}  /  {organisations_demo.DEMO_PASSWORD}"
                                  f"   ({login['description']})")
            return
        from dtc.advisories.demo import advisories_demo_load
        from dtc.assessment.demo import assessment_demo_load
        from dtc.community.demo import community_demo_load
        from dtc.community.demo_directory import directory_demo_load
        from dtc.knowledge.demo import knowledge_demo_load
        from dtc.scans.demo import scans_demo_load

        with transaction.atomic():
            organisations = organisations_demo.organisations_demo_load(with_users=with_demo_users)
            knowledge = knowledge_demo_load()
            directory = directory_demo_load(with_users=with_demo_users)
            community = community_demo_load(with_users=with_demo_users)
            advisories = advisories_demo_load(with_users=with_demo_users)
            assessment = assessment_demo_load()
            scans = scans_demo_load(with_users=with_demo_users)
        self.stdout.write(json.dumps({
            "organisations": organisations, "knowledge": knowledge, "directory": directory, "community": community,
            "advisories": advisories, "assessment": assessment, "scans": scans,
        }))
