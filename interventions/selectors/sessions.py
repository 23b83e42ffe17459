"""Reads of sessions."""

from audit.services import as_id, visible_or_404
from interventions.models import (
    Session,
)

from .enrolments import enrolments_visible_to


def sessions_visible_to(membership):
    return Session.objects.filter(enrolment__in=enrolments_visible_to(membership))


def get_session_or_404(membership, pk, *, enrolment_pk=None):
    """A session of an enrolment the member's agency delivers (and of ``enrolment_pk`` when
    the URL names one); otherwise a 404 and one denial row."""
    sessions = sessions_visible_to(membership).select_related(
        "enrolment__case", "enrolment__party__person", "enrolment__programme"
    )
    if enrolment_pk is not None:
        sessions = sessions.filter(enrolment_id=as_id(enrolment_pk) or 0)
    return visible_or_404(membership, sessions, pk, kind=Session._meta.label)


def enrolment_sessions(enrolment):
    """The sessions of an enrolment the caller found through get_enrolment_or_404."""
    return list(
        Session.objects.filter(enrolment=enrolment)
        .select_related("recorded_by", "superseded_by")
        .order_by("scheduled_at", "id")
    )
