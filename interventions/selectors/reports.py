"""Reads of end-of-intervention reports."""

from audit.services import visible_or_404
from cases.selectors.core import cases_visible_to
from interventions.models import ATTENDED, Component, EndReport, OutcomeRating, SessionStatus

OVERALL = "overall"


def objectives_of(enrolment):
    """[(code, label)]: the overall outcome, then each fACT component covered in a session
    attended (from the dated sessions, never typed)."""
    covered = set()
    for session in enrolment.sessions.all():
        if session.status == SessionStatus.RECORDED and session.attendance in ATTENDED:
            covered.update(session.components)
    return [(OVERALL, "Overall"), *((c, label) for c, label in Component.choices if c in covered)]


def report_of(enrolment):
    return EndReport.objects.filter(enrolment=enrolment).select_related("sent_by").first()


def outcome_rows(report, objectives):
    """[(objective label, rating label)] in the objectives' order."""
    ratings = dict(OutcomeRating.choices)
    return [
        (label, ratings.get(report.outcomes.get(code), "Not rated"))
        for code, label in objectives
        if code in report.outcomes
    ]


def case_outcome_rows(report):
    """outcome_rows without the sessions: the objectives named by the report itself."""
    labels = dict([(OVERALL, "Overall"), *Component.choices])
    ratings = dict(OutcomeRating.choices)
    return [
        (labels.get(code, code), ratings.get(r, "Not rated")) for code, r in report.outcomes.items()
    ]


def _reader_may_see(report, agency_id):
    if agency_id == report.enrolment.provider_agency_id:
        return True
    return report.sent and agency_id in report.sent_to_agency_ids


def reports_on_case(case, agency_id):
    """{enrolment id: report} for the reports the member's agency may read on the case:
    sent to it, or delivered by it (drafts stay off the case page). Shareable parts only
    are shown by the caller. One query."""
    reports = EndReport.objects.filter(enrolment__case=case, sent_at__isnull=False).select_related(
        "enrolment"
    )
    return {r.enrolment_id: r for r in reports if _reader_may_see(r, agency_id)}


def report_for_reader_or_404(membership, enrolment_pk):
    """The end report of an enrolment on a case the member can see, if their agency
    delivers it or it was sent to their agency; otherwise 404 and one denial row."""
    reports = EndReport.objects.filter(
        enrolment__case__in=cases_visible_to(membership)
    ).select_related(
        "enrolment__case",
        "enrolment__party__person",
        "enrolment__programme",
        "enrolment__provider_agency",
        "enrolment__practitioner",
    )
    found = (
        reports.filter(enrolment_id=enrolment_pk).first() if str(enrolment_pk).isdigit() else None
    )
    if found is None or not _reader_may_see(found, membership.agency_id):
        # Same answer and row for a missing report and one the member may not read.
        return visible_or_404(membership, EndReport.objects.none(), enrolment_pk)
    return found
