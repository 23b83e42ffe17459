"""Reads of compliance flags: who is told, and what the case's readers see."""

from accounts.models import Membership
from accounts.roles import AgencyKind, Role
from cases.selectors.core import shared_agencies
from interventions.models import Attendance, ComplianceFlag, FlagKind, RiskIndicator


def compliance_recipients(case):
    """{agency: [user ids]} of the people a compliance flag goes to:

    - the case's police officer in charge (Case.officer_in_charge), under their usable
      membership of a police agency the case is shared with;
    - every probation officer with a usable membership of a probation agency the case is
      shared with. The product has no "offender manager" field on the case, and the
      probation agency's officers on a shared case are the people who supervise the order
      or licence; telling all of them (usually one or two) is safer than guessing one.
    Nobody else: not the referrer, not advocacy, not the clinic chair. Two queries."""
    linked = {link.agency_id: link.agency for link in shared_agencies(case)}
    usable = Membership.objects.usable().filter(agency_id__in=linked).select_related("agency")
    wanted = usable.filter(agency__kind=AgencyKind.PROBATION, role=Role.PROBATION_OFFICER)
    if case.officer_in_charge_id:
        oic = usable.filter(user_id=case.officer_in_charge_id, agency__kind=AgencyKind.POLICE)
        wanted = wanted | oic
    recipients = {}
    for membership in wanted.order_by("agency__name", "user_id"):
        users = recipients.setdefault(membership.agency, [])
        if membership.user_id not in users:
            users.append(membership.user_id)
    return recipients


def unacceptable_absences(enrolment):
    return enrolment.sessions.filter(
        status="recorded", attendance=Attendance.UNACCEPTABLE_ABSENCE
    ).count()


def flags_on_case(case, agency_id):
    """The compliance flags on the case's enrolments that the member's agency may see:
    those disclosed to it, and all of an enrolment it delivers. Status-level only (kind,
    indicators, the session's date and attendance), never a note. One query."""
    flags = (
        ComplianceFlag.objects.filter(enrolment__case=case)
        .select_related("session")
        .order_by("-raised_at", "-pk")
        .only(
            "enrolment_id",
            "kind",
            "indicators",
            "automatic",
            "raised_at",
            "recipient_agency_ids",
            "enrolment__provider_agency_id",
            "session__scheduled_at",
            "session__attendance",
        )
        .select_related("enrolment")
    )
    by_enrolment = {}
    for flag in flags:
        if agency_id is None:
            continue
        if agency_id != flag.enrolment.provider_agency_id and (
            agency_id not in flag.recipient_agency_ids
        ):
            continue
        by_enrolment.setdefault(flag.enrolment_id, []).append(
            {
                "kind": FlagKind(flag.kind).label,
                "indicators": [
                    RiskIndicator(c).label for c in flag.indicators if c in RiskIndicator.values
                ],
                "automatic": flag.automatic,
                "raised_at": flag.raised_at,
                "session_at": flag.session.scheduled_at if flag.session else None,
                "attendance": Attendance(flag.session.attendance).label
                if flag.session and flag.session.attendance
                else "",
            }
        )
    return by_enrolment
