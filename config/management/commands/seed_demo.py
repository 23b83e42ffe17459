"""Load a realistic demo partnership: agencies, one user per role, people, cases, clinics,
risk assessments and reminders. Each app seeds its own records (its demo.py), in order.

Idempotent: a second run only prints the sign-ins. Never run in production.
"""

import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import demo as accounts_demo
from advocacy import demo as advocacy_demo
from cases import demo as cases_demo
from imports import demo as imports_demo
from interventions import demo as interventions_demo
from reporting import demo as reporting_demo
from risk import demo as risk_demo
from triage import demo as triage_demo


class Command(BaseCommand):
    help = "Load the demo partnership and print the demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=40)

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("Refusing to load demo data in production.")
        if not accounts_demo.is_loaded():
            with transaction.atomic():
                self._load(options["cases"])
            self.stdout.write(self.style.SUCCESS("Demo partnership loaded."))
        accounts_demo.print_sign_ins(self.stdout.write)

    def _load(self, case_count):
        rng = random.Random(2019)
        north, south = accounts_demo.seed()
        cases_demo.seed(
            rng=rng, agencies=north.agencies, members=north.members, case_count=case_count
        )
        cases_demo.seed_screening(members=north.members)
        for app_demo in (
            risk_demo,
            triage_demo,
            advocacy_demo,
            interventions_demo,
            reporting_demo,
            imports_demo,
        ):
            app_demo.seed(
                partnership=north.partnership, agencies=north.agencies, members=north.members
            )
        cases_demo.seed_events(members=north.members)
        cases_demo.seed(
            rng=rng,
            agencies=south.agencies,
            members=south.members,
            case_count=5,
            patterns=[(0,)],
        )
