"""The demo partnerships, agencies and one user per role. Never run in production; the
seed_demo command (config/management/commands) calls each app's demo in turn."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from accounts.models import Agency, Membership, Partnership, User
from accounts.roles import AgencyKind, Role

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


@dataclass
class DemoPartnership:
    partnership: Partnership
    agencies: list
    members: dict = field(default_factory=dict)


def is_loaded():
    return Partnership.objects.filter(slug="northshire").exists()


def seed():
    """Northshire (every role, the manager in two agencies, one lapsed member) and
    Southmoor (one investigator), returned so that each app can seed its own records."""
    north = _partnership("Northshire Stalking Partnership", "northshire", "NSP")
    agencies = [_agency(north, name, kind) for name, kind in NORTHSHIRE_AGENCIES]
    vetting = timezone.localdate() + timedelta(days=365)
    members = {}
    for email, name, role, index in NORTHSHIRE_USERS:
        user = _user(email, name)
        members[role] = Membership.objects.create(
            user=user, agency=agencies[index], role=role, vetting_expires_on=vetting
        )
    Membership.objects.create(
        user=members[Role.MANAGER].user,
        agency=agencies[2],
        role=Role.MANAGER,
        vetting_expires_on=vetting,
    )
    lapsed = _user("lapsed@northshire.demo", "Rob Lapsed")
    Membership.objects.create(
        user=lapsed,
        agency=agencies[0],
        role=Role.INVESTIGATOR,
        vetting_expires_on=timezone.localdate() - timedelta(days=3),
    )

    south = _partnership("Southmoor Stalking Partnership", "southmoor", "SMP")
    south_police = _agency(south, "Southmoor Constabulary", AgencyKind.POLICE)
    south_member = Membership.objects.create(
        user=_user("investigator@southmoor.demo", "Gareth Price"),
        agency=south_police,
        role=Role.INVESTIGATOR,
        vetting_expires_on=vetting,
    )
    return (
        DemoPartnership(north, agencies, members),
        DemoPartnership(south, [south_police], {Role.INVESTIGATOR: south_member}),
    )


def _partnership(name, slug, prefix):
    return Partnership.objects.create(name=name, slug=slug, case_reference_prefix=prefix)


def _agency(partnership, name, kind):
    return Agency.objects.create(partnership=partnership, name=name, kind=kind)


def _user(email, name):
    return User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)


def print_sign_ins(write):
    write(f"\nDemo sign-ins (password for every account: {DEMO_PASSWORD})\n")
    rows = Membership.objects.select_related("user", "agency").order_by(
        "agency__partnership__name", "user__email"
    )
    for m in rows:
        note = "" if m.is_usable() else "  <- vetting lapsed: shows the blocked page"
        write(f"  {m.user.email:<32} {m.get_role_display():<26} {m.agency.name}{note}")
    write("")
