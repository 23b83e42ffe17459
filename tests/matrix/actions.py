"""Rows for the actions tracker, meeting minutes and closing a meeting, pages and API.

Scope kinds: "tracked_action" (own: an action on a case shared with every agency, owned by
the role's own agency, so the role may work it; other_agency: an action on a case the role
cannot see) and "minutes_meeting" (own: a closed meeting of a clinic every agency attends;
other_agency: a closed meeting of a clinic the role's agency does not attend)."""

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.factories_triage import ActionFactory, ClinicFactory, MeetingFactory
from tests.matrix import ALL_ROLES, CASE_WRITERS, NOT_ADMIN, POLICE, Row
from tests.matrix.core import _shared_case
from triage.models import MeetingStatus, MinutesFile

# Every role but the partnership admin works actions (Cap.WORK_ACTIONS).
WORKERS = NOT_ADMIN
CHAIR = frozenset({Role.CLINIC_CHAIR})


def _case_url(name, obj, ctx):
    return reverse(name, kwargs={"case_pk": obj.pk})


def _meeting_api(name, obj, ctx):
    return reverse(name, kwargs={"meeting_pk": obj.pk})


def _minutes_file(meeting, ctx):
    """A partnership-wide, superseded file of the meeting (no cases: every reader of the
    meeting may download it). The adversarial sweep's stand-in for a missing meeting
    keeps the real one in ``_obj``: the file belongs to that."""
    meeting = getattr(meeting, "_obj", meeting)

    def make():
        minutes = MinutesFile(
            meeting=meeting,
            audience_key=f"matrix-{meeting.pk}",
            case_ids=[],
            prepared_for="Partnership-wide",
            agency_ids=list(meeting.clinic.agencies.values_list("pk", flat=True)),
            partnership_wide=True,
            superseded_at=timezone.now(),
        )
        minutes.pdf.save(f"matrix-{meeting.pk}.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
        minutes.save()
        return minutes

    return ctx.once(f"minutes_file_{meeting.pk}", make)


def _minutes_file_url(name, obj, ctx):
    return reverse(name, args=[obj.pk, _minutes_file(obj, ctx).pk])


def _minutes_file_api(name, obj, ctx):
    return reverse(name, kwargs={"meeting_pk": obj.pk, "file_pk": _minutes_file(obj, ctx).pk})


ROWS = {
    # Lists: every role that works actions; the partnership-wide list is the chair's.
    "triage:my-actions": Row(WORKERS),
    "triage:actions-agency": Row(WORKERS),
    "triage:actions-all": Row(CHAIR),
    "triage:actions-case": Row(WORKERS, scoped="case", url=_case_url),
    "triage:actions-case-new": Row(CASE_WRITERS, scoped="case", url=_case_url),
    "triage:actions-case-new POST": Row(
        CASE_WRITERS, scoped="case", url=_case_url, method="post", ok=400
    ),
    # One action: read by any worker who sees it, changed by its agency (own scope).
    "triage:actions-detail": Row(WORKERS, scoped="tracked_action"),
    "triage:actions-complete": Row(WORKERS, scoped="tracked_action", method="post", ok=302),
    "triage:actions-cancel": Row(WORKERS, scoped="tracked_action"),
    "triage:actions-cancel POST": Row(WORKERS, scoped="tracked_action", method="post", ok=400),
    "triage:actions-reassign": Row(WORKERS, scoped="tracked_action"),
    "triage:actions-reassign POST": Row(
        WORKERS, scoped="tracked_action", method="post", ok=400, data={"owner": "999999"}
    ),
    "triage:actions-due-date": Row(WORKERS, scoped="tracked_action"),
    "triage:actions-due-date POST": Row(WORKERS, scoped="tracked_action", method="post", ok=400),
    # Minutes: members of attending agencies (and partnership-wide roles) read them.
    "triage:meeting-minutes": Row(ALL_ROLES, scoped="minutes_meeting"),
    "triage:meeting-minutes-pdf": Row(ALL_ROLES, scoped="minutes_meeting"),
    # One file from the reader's download list (an earlier version too).
    "triage:meeting-minutes-file": Row(ALL_ROLES, scoped="minutes_meeting", url=_minutes_file_url),
    # The chair's "Try again" on the minutes job: back to the minutes page (a message
    # when there is nothing to retry).
    "triage:meeting-minutes-retry POST": Row(
        CHAIR, scoped="minutes_meeting", method="post", ok=302
    ),
    # API.
    "api:action-list": Row(WORKERS, anonymous=401),
    "api:action-list POST": Row(CASE_WRITERS, method="post", ok=400, anonymous=401),
    "api:action-detail": Row(WORKERS, scoped="tracked_action", anonymous=401),
    "api:action-complete": Row(WORKERS, scoped="tracked_action", method="post", anonymous=401),
    "api:action-cancel": Row(
        WORKERS, scoped="tracked_action", method="post", ok=400, anonymous=401
    ),
    "api:action-reassign": Row(
        WORKERS, scoped="tracked_action", method="post", ok=400, anonymous=401
    ),
    "api:action-due-date": Row(
        WORKERS, scoped="tracked_action", method="post", ok=400, anonymous=401
    ),
    "api:meeting-minutes-list": Row(
        ALL_ROLES, scoped="minutes_meeting", anonymous=401, url=_meeting_api
    ),
    "api:meeting-minutes-download": Row(
        ALL_ROLES, scoped="minutes_meeting", anonymous=401, url=_meeting_api
    ),
    "api:meeting-minutes-file": Row(
        ALL_ROLES, scoped="minutes_meeting", anonymous=401, url=_minutes_file_api
    ),
    # Nothing failed in the matrix's meeting: 400 with the reason for the chair.
    "api:meeting-minutes-retry POST": Row(
        CHAIR, scoped="minutes_meeting", method="post", ok=400, anonymous=401, url=_meeting_api
    ),
}


def action_scopes(ctx, role):
    world = ctx.world
    member = world.members[role]
    chair = world.members[Role.CLINIC_CHAIR].user

    def make(case, agency):
        return ActionFactory(case=case, owner_agency=agency, created_by=chair)

    own = ctx.once(f"action_own_{role}", lambda: make(_shared_case(ctx), member.agency))
    if role in POLICE:
        other = ctx.once(
            "action_advocacy",
            lambda: make(world.advocacy_case, world.agencies["advocacy"]),
        )
    else:
        other = ctx.once("action_police", lambda: make(world.own_case, world.agencies["police"]))
    other_partnership = ctx.once(
        "action_other_partnership",
        lambda: ActionFactory(
            case=world.other_partnership_case,
            owner_agency=world.other_partnership_member.agency,
            created_by=world.other_partnership_member.user,
        ),
    )
    return {"own": own, "other_agency": other, "other_partnership": other_partnership}


def _closed_meeting(partnership, agencies, name):
    clinic = ClinicFactory(partnership=partnership, name=name, agencies=agencies)
    return MeetingFactory(
        clinic=clinic,
        held_on=timezone.localdate(),
        status=MeetingStatus.CLOSED,
        closed_at=timezone.now(),
    )


def meeting_scopes(ctx, role):
    world = ctx.world
    everyone = list(world.agencies.values())
    own = ctx.once(
        "meeting_all", lambda: _closed_meeting(world.partnership, everyone, "Matrix clinic")
    )
    if role in POLICE:
        other = ctx.once(
            "meeting_advocacy",
            lambda: _closed_meeting(
                world.partnership, [world.agencies["advocacy"]], "Advocacy meeting"
            ),
        )
    else:
        other = ctx.once(
            "meeting_police",
            lambda: _closed_meeting(
                world.partnership, [world.agencies["police"]], "Police meeting"
            ),
        )
    other_partnership = ctx.once(
        "meeting_other_partnership",
        lambda: _closed_meeting(
            world.other_partnership_member.agency.partnership,
            [world.other_partnership_member.agency],
            "Southmoor clinic",
        ),
    )
    return {"own": own, "other_agency": other, "other_partnership": other_partnership}


SCOPES = {"tracked_action": action_scopes, "minutes_meeting": meeting_scopes}
