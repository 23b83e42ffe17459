"""Compliance flags: telling the police officer in charge and the probation officers on the
case, at once, that a person did not attend, did not engage, or showed a heightened-risk
indicator (interventions.selectors.compliance.compliance_recipients says who).

Decisions the issue leaves open, as the agencies would want them:
- a flag follows a session whose attendance is recorded: non-attendance for an absence
  (acceptable or not), poor engagement for a session attended, a heightened-risk indicator
  after any of them (with at least one indicator);
- only what the sharing contract allows: non-attendance and poor engagement need
  ``shares_compliance``, heightened-risk indicators ``shares_risk_indicators``; otherwise
  refused at ``kind`` (the provider then shares through its own safeguarding route);
- one flag of a kind per session; refused when nobody on the case can be told;
- the automatic alert: when a recorded unacceptable absence brings the count to the
  programme's ``absence_alert_threshold`` on a pathway that makes attendance a
  requirement (not voluntary), once per enrolment, and only where the contract shares
  compliance (the order's own reporting goes through probation's routes otherwise);
- the notification carries a fixed title and a link to the case's Interventions section;
  each recipient agency gets one disclosure row (Action.DISCLOSE, recipient_agency).
"""

from django.db import transaction
from django.urls import reverse

from audit.models import Action
from interventions.models import (
    ATTENDED,
    Attendance,
    ComplianceFlag,
    FlagKind,
    Pathway,
    RiskIndicator,
    SessionStatus,
)
from interventions.selectors.compliance import compliance_recipients, unacceptable_absences
from reporting.models import NotificationKind
from reporting.services.notifications import notify_now

from .enrolments import _audit, _raise, _require_provider

# Pathways on which attendance is a requirement of an order, caution or licence.
REQUIREMENT_PATHWAYS = frozenset(
    {
        Pathway.SPO_REQUIREMENT,
        Pathway.CONDITIONAL_CAUTION,
        Pathway.REHABILITATIVE_ORDER,
        Pathway.LICENCE_CONDITION,
    }
)
ABSENCES = (Attendance.ACCEPTABLE_ABSENCE, Attendance.UNACCEPTABLE_ABSENCE)
ALERT_TITLE = "Intervention compliance alert"


def _contract_allows(enrolment, kind):
    if kind == FlagKind.HEIGHTENED_RISK:
        return enrolment.shares_risk_indicators
    return enrolment.shares_compliance


def flag_errors(session, *, kind, indicators):
    """Every problem with flagging ``session`` at once, {field: message}."""
    enrolment = session.enrolment
    errors = {}
    indicators = list(indicators or [])
    if session.status != SessionStatus.RECORDED:
        errors["kind"] = "Record the session's attendance before flagging it."
    elif kind not in FlagKind.values:
        errors["kind"] = "Choose what to flag."
    elif kind == FlagKind.NON_ATTENDANCE and session.attendance not in ABSENCES:
        errors["kind"] = "The person attended this session: flag poor engagement or a risk."
    elif kind == FlagKind.POOR_ENGAGEMENT and session.attendance not in ATTENDED:
        errors["kind"] = "The person did not attend this session: flag non-attendance."
    elif not _contract_allows(enrolment, kind):
        what = "risk indicators" if kind == FlagKind.HEIGHTENED_RISK else "compliance"
        errors["kind"] = f"The sharing contract does not share {what}: this cannot be sent."
    elif ComplianceFlag.objects.filter(session=session, kind=kind).exists():
        errors["kind"] = "This session has already been flagged for this."
    if any(code not in RiskIndicator.values for code in indicators):
        errors["indicators"] = "Choose indicators from the list."
    elif kind == FlagKind.HEIGHTENED_RISK and not indicators:
        errors["indicators"] = "Choose at least one heightened-risk indicator."
    elif kind != FlagKind.HEIGHTENED_RISK and indicators:
        errors["indicators"] = "Indicators go with a heightened-risk flag only."
    if not errors and not compliance_recipients(enrolment.case):
        errors["kind"] = (
            "Nobody on the case can be told: the case has no officer in charge or "
            "probation officer. Ask the police to set the officer in charge."
        )
    return errors


def _send(*, actor, membership, flag, recipients):
    """Notify every recipient and write one disclosure row per recipient agency."""
    enrolment = flag.enrolment
    case = enrolment.case
    notify_now(
        partnership=case.partnership,
        recipient_ids=[user_id for users in recipients.values() for user_id in users],
        kind=NotificationKind.COMPLIANCE_ALERT,
        event_key=f"compliance-flag:{flag.pk}",
        title=ALERT_TITLE,
        link=reverse("interventions:case-interventions", args=[case.pk]),
        case=case,
    )
    for agency, users in recipients.items():
        _audit(
            actor=actor,
            membership=membership,
            obj=flag,
            case=case,
            action=Action.DISCLOSE,
            recipient_agency=agency.name,
            recipient_agency_id=agency.pk,
            recipients=len(users),
            kind=flag.kind,
            automatic=flag.automatic,
        )


def _create(*, actor, session, kind, indicators=(), automatic=False):
    recipients = compliance_recipients(session.enrolment.case)
    flag = ComplianceFlag.objects.create(
        enrolment=session.enrolment,
        session=session,
        kind=kind,
        indicators=sorted(set(indicators)),
        automatic=automatic,
        raised_by=actor,
        recipient_agency_ids=sorted(agency.pk for agency in recipients),
    )
    return flag, recipients


def flag_raise(*, actor, membership, session, kind, indicators=()):
    """Flag a recorded session for the police officer in charge and the probation officers
    on the case: an urgent notification (link only) and a disclosure row per agency."""
    _require_provider(membership, session.enrolment)
    _raise(flag_errors(session, kind=kind, indicators=indicators))
    with transaction.atomic():
        flag, recipients = _create(actor=actor, session=session, kind=kind, indicators=indicators)
        _send(actor=actor, membership=membership, flag=flag, recipients=recipients)
    return flag


def absence_alert_if_due(*, actor, membership, session):
    """Called inside attendance_record's transaction after an unacceptable absence: raise
    the automatic alert if this absence reaches the threshold (see the module's decisions).
    Returns the flag, or None."""
    enrolment = session.enrolment
    if (
        session.attendance != Attendance.UNACCEPTABLE_ABSENCE
        or enrolment.pathway not in REQUIREMENT_PATHWAYS
        or not enrolment.shares_compliance
        or unacceptable_absences(enrolment) < enrolment.programme.absence_alert_threshold
        or ComplianceFlag.objects.filter(enrolment=enrolment, automatic=True).exists()
    ):
        return None
    if not compliance_recipients(enrolment.case):
        return None  # nobody to tell yet: the next unacceptable absence tries again
    flag, recipients = _create(
        actor=actor, session=session, kind=FlagKind.NON_ATTENDANCE, automatic=True
    )
    _send(actor=actor, membership=membership, flag=flag, recipients=recipients)
    return flag
