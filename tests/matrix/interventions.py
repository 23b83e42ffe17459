"""Rows for interventions: the caseload, referral, enrolments, sessions, the case's
Interventions section and the API.

The clinical compartment: only members of the health agency delivering an enrolment
(clinicians, and a clinic chair who is a member of it) reach the enrolment and session
URLs. In the world fixture the clinician and the chair both work for the health agency;
neither reaches another health agency's enrolment (``partnership_wide_reach=False``: the
chair's partnership-wide view of cases opens no compartment). Police, advocacy, probation,
partners, the manager and the admin get 403. The case section follows case visibility for
every role and carries status-level facts only (tests/interventions/test_compartment.py)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from interventions.models import EndReport, Modality, Programme, Session
from interventions.services import reports as report_services
from tests.factories_interventions import (
    at,
    attend,
    book,
    fact,
    raw_enrolment,
    refer,
    second_health_agency,
)
from tests.matrix import ADMIN_ONLY, ALL_ROLES, Row
from tests.matrix.core import _shared_case

CLINICAL = frozenset({Role.CLINICIAN, Role.CLINIC_CHAIR})
REPORT_READERS = ALL_ROLES - {Role.ADVOCATE, Role.PARTNER}


def _case_kw(name, obj, ctx):
    return reverse(name, kwargs={"case_pk": obj.pk})


def _enrolment_kw(name, obj, ctx):
    return reverse(name, kwargs={"enrolment_pk": obj.pk})


def _attendance_kw(name, obj, ctx):
    return reverse(name, kwargs={"enrolment_pk": obj.enrolment_id, "pk": obj.pk})


def _measure_form_kw(name, obj, ctx):
    from risk.models import Instrument

    aaq = Instrument.objects.get(partnership=None, code="aaq-ii")
    return reverse(name, args=[obj.pk]) + f"?instrument={aaq.pk}"


# The dashboard's figures: the provider's clinicians (and chair), managers and the admin.
DASHBOARD = CLINICAL | {Role.MANAGER, Role.PARTNERSHIP_ADMIN}


def _compartment(**kwargs):
    return Row(CLINICAL, partnership_wide_reach=False, **kwargs)


def _api(**kwargs):
    return _compartment(anonymous=401, **kwargs)


ROWS = {
    "interventions:caseload": Row(CLINICAL),
    "interventions:case-interventions": Row(ALL_ROLES, scoped="case", url=_case_kw),
    "interventions:enrolment-refer": Row(CLINICAL, scoped="case", url=_case_kw),
    "interventions:enrolment-refer POST": Row(
        CLINICAL, scoped="case", method="post", ok=400, url=_case_kw
    ),
    "interventions:enrolment-detail": _compartment(scoped="enrolment"),
    "interventions:enrolment-allocate": _compartment(scoped="enrolment"),
    "interventions:enrolment-allocate POST": _compartment(
        scoped="enrolment", method="post", ok=400
    ),
    "interventions:enrolment-consent": _compartment(scoped="enrolment"),
    "interventions:enrolment-consent POST": _compartment(scoped="enrolment", method="post", ok=400),
    "interventions:enrolment-withdraw": _compartment(scoped="enrolment"),
    "interventions:enrolment-withdraw POST": _compartment(
        scoped="enrolment", method="post", ok=400
    ),
    "interventions:enrolment-eligibility": _compartment(scoped="enrolment"),
    "interventions:enrolment-eligibility POST": _compartment(
        scoped="enrolment", method="post", ok=400
    ),
    "interventions:session-flag": _compartment(scoped="session"),
    "interventions:session-flag POST": _compartment(scoped="session", method="post", ok=400),
    "interventions:end-report": _compartment(scoped="enrolment"),
    "interventions:end-report POST": _compartment(scoped="enrolment", method="post", ok=400),
    "interventions:end-report-send": _compartment(scoped="enrolment"),
    "interventions:end-report-send POST": _compartment(scoped="enrolment", method="post", ok=400),
    # The provider and the agencies it was sent to (police, probation: every member who
    # sees the case); anyone else gets the same 404 as for a report that does not exist.
    "interventions:end-report-pdf": Row(
        REPORT_READERS, scoped="report", denied=404, partnership_wide_reach=False
    ),
    "interventions:session-new": _compartment(scoped="enrolment"),
    "interventions:session-new POST": _compartment(scoped="enrolment", method="post", ok=400),
    "interventions:session-reschedule": _compartment(scoped="session"),
    "interventions:session-reschedule POST": _compartment(scoped="session", method="post", ok=400),
    "interventions:session-cancel": _compartment(scoped="session"),
    "interventions:session-cancel POST": _compartment(scoped="session", method="post", ok=400),
    "interventions:session-attendance": _compartment(scoped="session"),
    "interventions:session-attendance POST": _compartment(scoped="session", method="post", ok=400),
    "interventions:measure-new": _compartment(scoped="enrolment"),
    "interventions:measure-new POST": _compartment(
        scoped="enrolment", method="post", ok=400, url=_measure_form_kw
    ),
    "interventions:dashboard": Row(DASHBOARD),
    "api:interventions-dashboard-list": Row(DASHBOARD, anonymous=401),
    "api:interventions-measure-list": _api(scoped="enrolment", url=_enrolment_kw),
    "api:interventions-measure-list POST": _api(
        scoped="enrolment", method="post", ok=400, url=_enrolment_kw
    ),
    "api:interventions-programme-list": Row(ALL_ROLES, anonymous=401),
    # Local programmes: the partnership admin's. "other_agency" is the national fACT
    # (read by all, changed by none), "other_partnership" another partnership's own.
    "interventions:programme-list": Row(ADMIN_ONLY),
    "interventions:programme-new": Row(ADMIN_ONLY),
    "interventions:programme-new POST": Row(ADMIN_ONLY, method="post", ok=400),
    "interventions:programme-edit": Row(
        ADMIN_ONLY, scoped="programme", partnership_wide_reach=False
    ),
    "interventions:programme-edit POST": Row(
        ADMIN_ONLY, scoped="programme", method="post", ok=400, partnership_wide_reach=False
    ),
    "api:interventions-programme-list POST": Row(ADMIN_ONLY, method="post", ok=400, anonymous=401),
    "api:interventions-programme-detail": Row(
        ALL_ROLES, scoped="programme", anonymous=401, reaches_other_agency=ALL_ROLES
    ),
    "api:interventions-programme-detail PUT": Row(
        ADMIN_ONLY,
        scoped="programme",
        method="put",
        ok=415,
        anonymous=401,
        partnership_wide_reach=False,
    ),
    "api:interventions-enrolment-list": _api(),
    "api:interventions-enrolment-list POST": _api(method="post", ok=400),
    "api:interventions-enrolment-detail": _api(scoped="enrolment"),
    "api:interventions-enrolment-consent": _api(scoped="enrolment", method="post", ok=400),
    "api:interventions-enrolment-withdraw": _api(scoped="enrolment", method="post", ok=400),
    "api:interventions-eligibility-list": _api(scoped="enrolment", url=_enrolment_kw),
    "api:interventions-eligibility-list POST": _api(
        scoped="enrolment", method="post", ok=400, url=_enrolment_kw
    ),
    "api:interventions-compliance-flag-list": _api(scoped="enrolment", url=_enrolment_kw),
    "api:interventions-compliance-flag-list POST": _api(
        scoped="enrolment", method="post", ok=400, url=_enrolment_kw
    ),
    "api:interventions-end-report-list": _api(scoped="report", url=_enrolment_kw),
    "api:interventions-end-report-list POST": _api(
        scoped="enrolment", method="post", ok=400, url=_enrolment_kw
    ),
    "api:interventions-end-report-send": _api(
        scoped="enrolment", method="post", ok=400, url=_enrolment_kw
    ),
    "api:interventions-end-report-pdf": _api(scoped="report", url=_enrolment_kw),
    "api:interventions-session-list": _api(scoped="enrolment", url=_enrolment_kw),
    "api:interventions-session-list POST": _api(
        scoped="enrolment", method="post", ok=400, url=_enrolment_kw
    ),
    "api:interventions-session-attendance": _api(
        scoped="session", method="post", ok=400, url=_attendance_kw
    ),
    "api:interventions-session-reschedule": _api(
        scoped="session", method="post", ok=400, url=_attendance_kw
    ),
    "api:interventions-session-cancel": _api(
        scoped="session", method="post", ok=400, url=_attendance_kw
    ),
}


def _raw_session(enrolment, created_by):
    return Session.objects.create(
        enrolment=enrolment,
        scheduled_at=timezone.now() - timedelta(hours=1),
        modality=Modality.VIDEO,
        created_by=created_by,
    )


def enrolment_scopes(ctx, role):
    """The health agency's enrolment on the case shared with everyone ("own"), another
    health agency's enrolment on the same case ("other_agency") and an enrolment in another
    partnership."""
    world = ctx.world

    def own():
        today = timezone.localdate()
        return refer(
            world.members[Role.CLINICIAN],
            _shared_case(ctx),
            referred_on=today - timedelta(days=7),
            consent_on=today - timedelta(days=7),
        )

    def other_agency():
        agency, member = second_health_agency(world.partnership)
        return raw_enrolment(_shared_case(ctx), agency, created_by=member.user)

    def other_partnership():
        other = world.other_partnership_member
        agency, member = second_health_agency(other.agency.partnership, "Southmoor health")
        return raw_enrolment(world.other_partnership_case, agency, created_by=member.user)

    return {
        "own": ctx.once("enrolment_own", own),
        "other_agency": ctx.once("enrolment_other_agency", other_agency),
        "other_partnership": ctx.once("enrolment_other_partnership", other_partnership),
    }


def session_scopes(ctx, role):
    """A scheduled session (an hour ago) of each of the enrolments above."""
    enrolments = enrolment_scopes(ctx, role)
    clinician = ctx.world.members[Role.CLINICIAN]

    def own():
        return book(clinician, enrolments["own"], timezone.now() - timedelta(hours=1))

    def foreign(scope):
        enrolment = enrolments[scope]
        return _raw_session(enrolment, enrolment.created_by)

    return {
        "own": ctx.once("session_own", own),
        "other_agency": ctx.once("session_other_agency", lambda: foreign("other_agency")),
        "other_partnership": ctx.once(
            "session_other_partnership", lambda: foreign("other_partnership")
        ),
    }


def report_scopes(ctx, role):
    """Enrolments with an end report: the health agency's, sent (to the police and
    probation agencies of the shared case); another health agency's and another
    partnership's, drafts."""
    world = ctx.world
    clinician = world.members[Role.CLINICIAN]

    def own():
        start = timezone.localdate() - timedelta(days=60)
        enrolment = refer(
            clinician, _shared_case(ctx), referred_on=start, consent_on=start, planned_sessions=4
        )
        for week in range(1, 5):
            attend(clinician, book(clinician, enrolment, at(start + timedelta(days=7 * week))))
        me = {"actor": clinician.user, "membership": clinician, "enrolment": enrolment}
        report_services.report_save(**me, outcomes={"overall": "achieved"}, summary="Done.")
        report_services.report_send(**me)
        return enrolment

    def draft(scope):
        enrolment = enrolment_scopes(ctx, role)[scope]
        EndReport.objects.create(
            enrolment=enrolment, summary="Draft.", drafted_by=enrolment.created_by
        )
        return enrolment

    return {
        "own": ctx.once("report_own", own),
        "other_agency": ctx.once("report_other_agency", lambda: draft("other_agency")),
        "other_partnership": ctx.once(
            "report_other_partnership", lambda: draft("other_partnership")
        ),
    }


def programme_scopes(ctx, role):
    world = ctx.world

    def local(partnership, code):
        return Programme.objects.create(
            partnership=partnership,
            code=code,
            name=f"Local {code}",
            recipient="perpetrator",
            delivery="direct",
            kind="health_intervention",
            sessions_min=1,
            sessions_max=8,
        )

    other = world.other_partnership_member.agency.partnership
    return {
        "own": ctx.once("programme_own", lambda: local(world.partnership, "local")),
        "other_agency": fact(),
        "other_partnership": ctx.once("programme_other", lambda: local(other, "theirs")),
    }


SCOPES = {
    "programme": programme_scopes,
    "enrolment": enrolment_scopes,
    "session": session_scopes,
    "report": report_scopes,
}
