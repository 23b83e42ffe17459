"""Load a realistic demo partnership: agencies, one user per role, people and cases.

Idempotent: a second run only prints the sign-ins. Never run in production.
"""

import random
from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Agency, Membership, Partnership, User
from accounts.roles import AgencyKind, Role
from cases import services
from cases.models import CodeList, Gender, PartyRole, ReferenceCode
from reporting import demo as reporting_demo
from risk import demo as risk_demo
from triage import demo as triage_demo

DEMO_PASSWORD = "Demo-Partnership-2026"

NORTHSHIRE_AGENCIES = [
    ("Northshire Police", AgencyKind.POLICE),
    ("Northshire Forensic Psychology Service (NHS)", AgencyKind.HEALTH),
    ("Safer Steps Advocacy", AgencyKind.ADVOCACY),
    ("Probation Service – Northshire", AgencyKind.PROBATION),
    ("CPS Northshire", AgencyKind.CPS),
]

# (email, name, role, agency index); the manager also works in advocacy, to show switching.
NORTHSHIRE_USERS = [
    ("investigator@northshire.demo", "Priya Patel", Role.INVESTIGATOR, 0),
    ("supervisor@northshire.demo", "DS Owen Hughes", Role.POLICE_SUPERVISOR, 0),
    ("chair@northshire.demo", "Dr Helen Carter", Role.CLINIC_CHAIR, 1),
    ("clinician@northshire.demo", "Dr Sam Okafor", Role.CLINICIAN, 1),
    ("advocate@northshire.demo", "Jo Wilson", Role.ADVOCATE, 2),
    ("probation@northshire.demo", "Mark Ellis", Role.PROBATION_OFFICER, 3),
    ("partner@northshire.demo", "Aisha Rahman", Role.PARTNER, 4),
    ("manager@northshire.demo", "Claire Dunn", Role.MANAGER, 0),
    ("admin@northshire.demo", "Tom Fraser", Role.PARTNERSHIP_ADMIN, 0),
]

GIVEN = [
    "Amy",
    "Ben",
    "Chloe",
    "Daniel",
    "Emma",
    "Faisal",
    "Grace",
    "Harry",
    "Isla",
    "Jack",
    "Kiran",
    "Laura",
    "Mohammed",
    "Nina",
    "Oliver",
    "Poppy",
    "Ravi",
    "Sophie",
    "Tariq",
    "Uma",
    "Victor",
    "Wendy",
    "Yusuf",
    "Zara",
    "Liam",
    "Megan",
    "Connor",
    "Hannah",
]
FAMILY = [
    "Adams",
    "Begum",
    "Clarke",
    "Davies",
    "Evans",
    "Fletcher",
    "Green",
    "Hussain",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "O'Brien",
    "Price",
    "Quinn",
    "Roberts",
    "Shah",
    "Taylor",
    "Walsh",
    "Young",
    "Kowalski",
    "Murphy",
]
STREETS = [
    "Mill Lane",
    "Station Road",
    "Church Street",
    "Victoria Road",
    "Park Avenue",
    "High Street",
    "Queens Road",
    "Orchard Close",
]
SUMMARIES = [
    "Former partner sends repeated messages since the relationship ended and has turned up "
    "at the victim's workplace.",
    "Ex-partner follows the victim on the school run and monitors the victim's social media.",
    "Online acquaintance fixated on the victim; creates new accounts after each block.",
    "Former colleague leaves gifts and notes at the victim's home and threatens to 'make "
    "them listen'.",
    "Neighbour monitors the victim's movements and reports them back by text.",
    "Former patient repeatedly contacts a practice nurse and waits outside the surgery.",
]

# Which agencies (by index) each demo case is shared with, lead agency first.
SHARING_PATTERNS = [
    (0,),
    (0,),
    (0, 1),
    (0, 2),
    (0, 1, 2),
    (0, 2, 3),
    (0, 3),
    (0, 1, 2, 3, 4),
    (0, 4),
    (1, 2),  # self-referral via advocacy, seen at clinic; not shared with police
]


class Command(BaseCommand):
    help = "Load the demo partnership and print the demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=40)

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("Refusing to load demo data in production.")
        if not Partnership.objects.filter(slug="northshire").exists():
            with transaction.atomic():
                self._load(options["cases"])
            self.stdout.write(self.style.SUCCESS("Demo partnership loaded."))
        self._print_sign_ins()

    def _load(self, case_count):
        rng = random.Random(2019)
        self.ethnicities = ReferenceCode.objects.of(CodeList.ETHNICITY).current()
        self.sources = {
            c.code: c for c in ReferenceCode.objects.of(CodeList.REFERRAL_SOURCE).current()
        }
        north = self._partnership("Northshire Stalking Partnership", "northshire", "NSP")
        agencies = [self._agency(north, name, kind) for name, kind in NORTHSHIRE_AGENCIES]
        vetting = timezone.localdate() + timedelta(days=365)
        members = {}
        for email, name, role, index in NORTHSHIRE_USERS:
            user = self._user(email, name)
            members[role] = Membership.objects.create(
                user=user, agency=agencies[index], role=role, vetting_expires_on=vetting
            )
        Membership.objects.create(
            user=members[Role.MANAGER].user,
            agency=agencies[2],
            role=Role.MANAGER,
            vetting_expires_on=vetting,
        )
        lapsed = self._user("lapsed@northshire.demo", "Rob Lapsed")
        Membership.objects.create(
            user=lapsed,
            agency=agencies[0],
            role=Role.INVESTIGATOR,
            vetting_expires_on=timezone.localdate() - timedelta(days=3),
        )
        for number in range(case_count):
            self._case(rng, number, agencies, members)
        # Each area loads its own demo records (clinics, risk, reminders) on these cases.
        for area in (risk_demo, triage_demo, reporting_demo):
            area.seed(partnership=north, agencies=agencies, members=members)

        south = self._partnership("Southmoor Stalking Partnership", "southmoor", "SMP")
        south_police = self._agency(south, "Southmoor Constabulary", AgencyKind.POLICE)
        south_user = self._user("investigator@southmoor.demo", "Gareth Price")
        south_member = Membership.objects.create(
            user=south_user,
            agency=south_police,
            role=Role.INVESTIGATOR,
            vetting_expires_on=vetting,
        )
        for number in range(5):
            self._case(
                rng, number, [south_police], {Role.INVESTIGATOR: south_member}, patterns=[(0,)]
            )

    def _partnership(self, name, slug, prefix):
        return Partnership.objects.create(name=name, slug=slug, case_reference_prefix=prefix)

    def _agency(self, partnership, name, kind):
        return Agency.objects.create(partnership=partnership, name=name, kind=kind)

    def _user(self, email, name):
        return User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)

    def _person_fields(self, rng, role):
        known_dob = rng.random() > 0.15
        dob = date(rng.randint(1958, 2004), rng.randint(1, 12), rng.randint(1, 28))
        return {
            "given_names": rng.choice(GIVEN),
            "family_name": rng.choice(FAMILY),
            "date_of_birth": dob if known_dob else None,
            "date_of_birth_not_known": not known_dob,
            "gender": rng.choice([Gender.FEMALE, Gender.FEMALE, Gender.MALE, Gender.NOT_KNOWN])
            if role != PartyRole.PERPETRATOR
            else rng.choice([Gender.MALE, Gender.MALE, Gender.FEMALE, ""]),
            "ethnicity": rng.choice(list(self.ethnicities) + [None]),
            "address": f"{rng.randint(1, 180)} {rng.choice(STREETS)}\nNorthtown",
            "postcode": f"NT{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFG')}"
            f"{rng.choice('HJLNPQ')}",
            "phone": f"07700 900{rng.randint(100, 999)}",
            "workplace": rng.choice(
                ["", "Northtown General Hospital", "Tesco, Mill Lane", "Northshire Council"]
            ),
        }

    def _case(self, rng, number, agencies, members, patterns=SHARING_PATTERNS):
        pattern = patterns[number % len(patterns)]
        lead = agencies[pattern[0]]
        police_led = lead.kind == AgencyKind.POLICE
        opener = members[Role.INVESTIGATOR] if police_led else members[Role.CLINIC_CHAIR]
        investigator = members[Role.INVESTIGATOR]
        opened_on = timezone.localdate() - timedelta(days=rng.randint(1, 540))
        case = services.case_open(
            actor=opener.user,
            membership=opener,
            summary=rng.choice(SUMMARIES),
            lead_agency=lead,
            opened_on=opened_on,
            officer_in_charge=investigator.user if police_led and number % 2 == 0 else None,
        )
        for index in pattern[1:]:
            services.case_share(
                actor=opener.user,
                membership=opener,
                case=case,
                agency=agencies[index],
                reason="Agreed at triage clinic",
            )
        advocate = members.get(Role.ADVOCATE)
        shares_advocacy = any(agencies[i].kind == AgencyKind.ADVOCACY for i in pattern)
        services.party_add(
            actor=opener.user,
            membership=opener,
            case=case,
            role=PartyRole.PERPETRATOR,
            **self._person_fields(rng, PartyRole.PERPETRATOR),
        )
        services.party_add(
            actor=opener.user,
            membership=opener,
            case=case,
            role=PartyRole.VICTIM,
            advocate=advocate.user if advocate and shares_advocacy else None,
            **self._person_fields(rng, PartyRole.VICTIM),
        )
        # Police-led cases were referred by police; the rest are self-referrals that the
        # advocacy service recorded.
        referrer = opener if police_led else members[Role.ADVOCATE]
        source = self.sources["police" if police_led else "self_via_advocacy"]
        services.referral_record(
            actor=referrer.user,
            membership=referrer,
            case=case,
            source=source,
            received_on=opened_on,
            reason="Referred for multi-agency triage.",
        )
        if number % 9 == 8:
            case.closed_on = min(opened_on + timedelta(days=120), timezone.localdate())
            case.save(update_fields=["closed_on"])

    def _print_sign_ins(self):
        self.stdout.write(f"\nDemo sign-ins (password for every account: {DEMO_PASSWORD})\n")
        rows = Membership.objects.select_related("user", "agency").order_by(
            "agency__partnership__name", "user__email"
        )
        for m in rows:
            note = "" if m.is_usable() else "  <- vetting lapsed: shows the blocked page"
            self.stdout.write(
                f"  {m.user.email:<32} {m.get_role_display():<26} {m.agency.name}{note}"
            )
        self.stdout.write("")
