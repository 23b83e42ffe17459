"""Roles and what each may do: the one place that says so.

A capability is a short verb phrase checked with ``role_can(role, capability)``.
Case visibility itself is decided by the access policy (accounts/access.py) from
the agency link; capabilities say what a role may do with what it can see.
"""

from django.db import models


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    ADVOCACY = "advocacy", "Victim advocacy"
    PROBATION = "probation", "Probation"
    CPS = "cps", "Crown Prosecution Service"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    INVESTIGATOR = "investigator", "Police staff investigator"
    POLICE_SUPERVISOR = "police_supervisor", "Police supervisor"
    CLINIC_CHAIR = "clinic_chair", "Clinic chair"
    CLINICIAN = "clinician", "Clinician"
    ADVOCATE = "advocate", "Advocate"
    PROBATION_OFFICER = "probation_officer", "Probation officer"
    PARTNER = "partner", "Partner"
    MANAGER = "manager", "Manager"
    PARTNERSHIP_ADMIN = "partnership_admin", "Partnership admin"


class Cap(models.TextChoices):
    VIEW_CASES = "view_cases", "See the cases shared with their agency"
    CREATE_CASE = "create_case", "Open a case"
    EDIT_CASE_CORE = "edit_case_core", "Change a case's core record, parties and sharing"
    RECORD_REFERRAL = "record_referral", "Record a referral"
    BREAK_GLASS = "break_glass", "Open an unshared case with a stated reason"
    VIEW_REPORTS = "view_reports", "See aggregate reports"
    MANAGE_PARTNERSHIP = "manage_partnership", "Manage users, agencies and memberships"
    REVIEW_AUDIT = "review_audit", "Search the audit trail"
    MERGE_PEOPLE = "merge_people", "Merge two records of the same person"
    ASSESS_RISK = "assess_risk", "Complete risk assessments for their agency"
    MANAGE_INSTRUMENTS = "manage_instruments", "Add and version local risk tools"
    RUN_CLINIC = "run_clinic", "Chair meetings: agendas, attendance, discussions, minutes"
    MANAGE_CLINICS = "manage_clinics", "Set which meetings the partnership runs and when"
    ADD_AGENDA_ITEM = "add_agenda_item", "Put a shared case on a meeting's agenda"
    WORK_ACTIONS = "work_actions", "Complete their agency's actions"
    WORK_ADVOCACY = (
        "work_advocacy",
        "Hold their advocacy agency's casework: support episodes, contacts, needs",
    )
    WORK_INTERVENTIONS = (
        "work_interventions",
        "Deliver their health agency's interventions: enrolments, sessions, clinical notes",
    )


_EVERY_MEMBER = {
    Cap.VIEW_CASES,
    Cap.RECORD_REFERRAL,
    Cap.BREAK_GLASS,
    Cap.ADD_AGENDA_ITEM,
    Cap.WORK_ACTIONS,
}
_CASE_OWNERS = _EVERY_MEMBER | {Cap.CREATE_CASE, Cap.EDIT_CASE_CORE}
# Practitioners who assess risk; partners (CPS, local authority) and managers do not.
_ASSESSORS = {Cap.ASSESS_RISK}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.INVESTIGATOR: frozenset(_CASE_OWNERS | _ASSESSORS),
    Role.POLICE_SUPERVISOR: frozenset(
        _CASE_OWNERS | _ASSESSORS | {Cap.VIEW_REPORTS, Cap.MERGE_PEOPLE}
    ),
    # The chair holds interventions only as a member of the delivering health agency (access.py).
    Role.CLINIC_CHAIR: frozenset(
        _CASE_OWNERS | _ASSESSORS | {Cap.RUN_CLINIC, Cap.MANAGE_CLINICS, Cap.WORK_INTERVENTIONS}
    ),
    Role.CLINICIAN: frozenset(_EVERY_MEMBER | _ASSESSORS | {Cap.WORK_INTERVENTIONS}),
    Role.ADVOCATE: frozenset(_EVERY_MEMBER | _ASSESSORS | {Cap.WORK_ADVOCACY}),
    Role.PROBATION_OFFICER: frozenset(_EVERY_MEMBER | _ASSESSORS),
    Role.PARTNER: frozenset(_EVERY_MEMBER),
    # A manager holds the advocacy casework only in an advocacy agency (access.py).
    Role.MANAGER: frozenset(_EVERY_MEMBER | {Cap.VIEW_REPORTS, Cap.WORK_ADVOCACY}),
    Role.PARTNERSHIP_ADMIN: frozenset(
        {
            Cap.VIEW_CASES,
            Cap.VIEW_REPORTS,
            Cap.MANAGE_PARTNERSHIP,
            Cap.REVIEW_AUDIT,
            Cap.MERGE_PEOPLE,
            Cap.MANAGE_INSTRUMENTS,
            Cap.MANAGE_CLINICS,
        }
    ),
}

# Roles that see every case in their partnership, whatever the agency link.
PARTNERSHIP_WIDE_ROLES = frozenset({Role.CLINIC_CHAIR, Role.PARTNERSHIP_ADMIN})

# Police staff who work the daily crime screen (in a police agency).
SCREENING_ROLES = frozenset({Role.INVESTIGATOR, Role.POLICE_SUPERVISOR})

# Which agency kinds a role may be held in; a membership outside these is refused.
ROLE_AGENCY_KINDS: dict[str, frozenset[str]] = {
    Role.INVESTIGATOR: frozenset({AgencyKind.POLICE}),
    Role.POLICE_SUPERVISOR: frozenset({AgencyKind.POLICE}),
    Role.CLINICIAN: frozenset({AgencyKind.HEALTH}),
    Role.ADVOCATE: frozenset({AgencyKind.ADVOCACY}),
    Role.PROBATION_OFFICER: frozenset({AgencyKind.PROBATION}),
    Role.PARTNER: frozenset(
        {AgencyKind.CPS, AgencyKind.LOCAL_AUTHORITY, AgencyKind.OTHER, AgencyKind.PROBATION}
    ),
    Role.CLINIC_CHAIR: frozenset(AgencyKind.values),
    Role.MANAGER: frozenset(AgencyKind.values),
    Role.PARTNERSHIP_ADMIN: frozenset(AgencyKind.values),
}


def role_can(role: str, capability: str) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())


def is_partnership_wide(role: str) -> bool:
    return role in PARTNERSHIP_WIDE_ROLES
