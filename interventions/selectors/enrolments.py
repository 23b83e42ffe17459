"""Reads of enrolments, their derived progress and the caseload, scoped to the member."""

from django.db.models import Case as CaseWhen
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.access import interventions_agency_id
from accounts.models import Membership, User
from accounts.roles import Role
from audit.services import as_id, visible_or_404
from cases.models import CaseParty, PartyRole
from cases.selectors.core import cases_visible_to
from interventions.models import (
    ATTENDED,
    Attendance,
    Enrolment,
    EnrolmentStatus,
    Modality,
    Session,
    SessionStatus,
    WithdrawalGroup,
    WithdrawalReason,
)


def enrolments_visible_to(membership):
    """The enrolments the member may read: those their health agency delivers."""
    agency_id = interventions_agency_id(membership) if membership is not None else None
    if agency_id is None:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(
        partnership_id=membership.agency.partnership_id, provider_agency_id=agency_id
    )


def _attended_sessions():
    return Session.objects.filter(
        enrolment_id=OuterRef("pk"), status=SessionStatus.RECORDED, attendance__in=ATTENDED
    ).order_by()


def _aggregate(queryset, expression, output_field):
    return Subquery(
        queryset.values("enrolment_id").annotate(value=expression).values("value")[:1],
        output_field=output_field,
    )


def status_expression():
    """EnrolmentStatus.of as SQL over the ``attended_n`` annotation."""
    return CaseWhen(
        When(withdrawn_on__isnull=False, then=Value(EnrolmentStatus.DROPPED_OUT)),
        When(attended_n__gte=F("planned_sessions"), then=Value(EnrolmentStatus.COMPLETED)),
        When(consent_signed_on__isnull=False, then=Value(EnrolmentStatus.ACTIVE)),
        When(practitioner__isnull=True, then=Value(EnrolmentStatus.REFERRED)),
        default=Value(EnrolmentStatus.AWAITING_CONSENT),
        output_field=CharField(),
    )


def with_progress(enrolments):
    """Annotate what the model's properties derive, in SQL (one query for any number of
    rows): attended_n, first_attended_at, last_attended_at, minutes_n, next_session_at and
    derived_status."""
    attended = _attended_sessions()
    scheduled = Session.objects.filter(
        enrolment_id=OuterRef("pk"), status=SessionStatus.SCHEDULED
    ).order_by()
    return enrolments.annotate(
        attended_n=Coalesce(_aggregate(attended, Count("pk"), IntegerField()), 0),
        first_attended_at=_aggregate(attended, Min("scheduled_at"), DateTimeField()),
        last_attended_at=_aggregate(attended, Max("scheduled_at"), DateTimeField()),
        minutes_n=Coalesce(_aggregate(attended, Sum("minutes"), IntegerField()), 0),
        next_session_at=_aggregate(scheduled, Min("scheduled_at"), DateTimeField()),
    ).annotate(derived_status=status_expression())


def caseload(membership, *, status="", mine=False):
    """The agency's enrolments for the caseload, with the derived status and the next
    session: one query whatever the number of rows."""
    enrolments = (
        with_progress(enrolments_visible_to(membership))
        .select_related("case", "party__person", "programme", "practitioner")
        .order_by("withdrawn_on", "referred_on", "pk")
    )
    if mine:
        enrolments = enrolments.filter(practitioner_id=membership.user_id)
    if status in EnrolmentStatus.values:
        enrolments = enrolments.filter(derived_status=status)
    return enrolments


def caseload_counts(membership, *, mine=False):
    """{status: number of enrolments}, one query."""
    enrolments = enrolments_visible_to(membership)
    if mine:
        enrolments = enrolments.filter(practitioner_id=membership.user_id)
    rows = with_progress(enrolments).values("derived_status").annotate(n=Count("pk")).order_by()
    counts = dict.fromkeys(EnrolmentStatus.values, 0)
    for row in rows:
        counts[row["derived_status"]] += row["n"]
    return counts


def my_work_counts(membership):
    """For the home page, one query: enrolments referred and waiting for a clinician in the
    member's agency, and the member's own awaiting consent and active."""
    mine = Q(practitioner_id=membership.user_id)
    return with_progress(enrolments_visible_to(membership)).aggregate(
        referred=Count("pk", filter=Q(derived_status=EnrolmentStatus.REFERRED)),
        awaiting_consent=Count(
            "pk", filter=mine & Q(derived_status=EnrolmentStatus.AWAITING_CONSENT)
        ),
        active=Count("pk", filter=mine & Q(derived_status=EnrolmentStatus.ACTIVE)),
    )


def get_enrolment_or_404(membership, pk):
    """The enrolment if the member's agency delivers it; otherwise a 404 and one denial row."""
    return visible_or_404(
        membership,
        enrolments_visible_to(membership)
        .select_related(
            "case", "party__person", "programme", "practitioner", "provider_agency", "created_by"
        )
        .prefetch_related("sessions"),
        pk,
        kind=Enrolment._meta.label,
    )


def clinicians_of_agency(membership):
    """Clinicians with a usable membership of the member's health agency."""
    agency_id = interventions_agency_id(membership)
    usable = Membership.objects.usable().filter(agency_id=agency_id, role=Role.CLINICIAN)
    return User.objects.filter(pk__in=usable.values("user_id")).order_by("full_name", "pk")


def parties_for_programmes(case):
    """Perpetrator and victim parties of a case the caller found through the case
    selectors."""
    return list(
        CaseParty.objects.filter(case=case, role__in=(PartyRole.PERPETRATOR, PartyRole.VICTIM))
        .select_related("person")
        .order_by("role", "person__family_name", "pk")
    )


def party_in_partnership(membership, party_pk):
    """A party, by id, on a case the member can see (for the API), or None."""
    key = as_id(party_pk)
    if key is None:
        return None
    return (
        CaseParty.objects.filter(pk=key, case__in=cases_visible_to(membership))
        .select_related("case", "person")
        .first()
    )


# The status-level facts every reader of the case may know. Never a note or a component.
CASE_FIELDS = (
    "pk",
    "party__person__given_names",
    "party__person__family_name",
    "party__role",
    "programme__name",
    "provider_agency_id",
    "provider_agency__name",
    "referred_on",
    "pathway",
    "planned_sessions",
    "withdrawn_on",
    "withdrawal_reason",
    "attended_n",
    "first_attended_at",
    "last_attended_at",
    "next_session_at",
    "derived_status",
)


CASE_SESSION_FIELDS = ("enrolment_id", "scheduled_at", "modality", "status", "attendance")


def _session_label(row):
    if row["status"] == SessionStatus.RECORDED:
        return Attendance(row["attendance"]).label
    return SessionStatus(row["status"]).label


def interventions_on_case(case):
    """What any reader of the case may know of its interventions: per enrolment, who, which
    programme and provider, the dates, the derived status, and the sessions' dates and
    attendance codes. Nothing of the clinical compartment. Two queries."""
    enrolments = list(
        with_progress(Enrolment.objects.filter(case=case))
        .values(*CASE_FIELDS)
        .order_by("-referred_on", "-pk")
    )
    sessions = Session.objects.filter(enrolment__case=case).values(*CASE_SESSION_FIELDS)
    by_enrolment = {}
    for row in sessions.order_by("scheduled_at", "pk"):
        row["modality_label"] = Modality(row["modality"]).label
        row["label"] = _session_label(row)
        by_enrolment.setdefault(row["enrolment_id"], []).append(row)
    for row in enrolments:
        row["sessions"] = by_enrolment.get(row["pk"], [])
        row["status_label"] = EnrolmentStatus(row["derived_status"]).label
        reason = row["withdrawal_reason"]
        row["withdrawal_label"] = WithdrawalReason(reason).label if reason else ""
        group = WithdrawalGroup.of(reason)
        row["withdrawal_group_label"] = WithdrawalGroup(group).label if group else ""
    return enrolments
