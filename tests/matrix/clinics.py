"""Rows for the clinic pages and API: clinics, meetings, agendas, attendance, discussions.

Scopes: a clinic (and its meetings) is "own" when the role's agency attends it; an agenda
item is "own" when its meeting is attended by the role's agency and its case is shared with
it. Partnership-wide roles (chair, admin) reach every clinic, meeting and item."""

from accounts.roles import Role
from tests.factories_triage import AgendaItemFactory, ClinicFactory, MeetingFactory
from tests.matrix import ALL_ROLES, NOT_ADMIN, POLICE, Row
from tests.matrix.core import _shared_case
from tests.matrix.record import _case_api

MANAGERS = frozenset({Role.CLINIC_CHAIR, Role.PARTNERSHIP_ADMIN})
CHAIR = frozenset({Role.CLINIC_CHAIR})
ADDERS = NOT_ADMIN  # every member but the partnership admin adds agenda items

ROWS = {
    "triage:clinic-list": Row(ALL_ROLES),
    "triage:clinic-new": Row(MANAGERS),
    "triage:clinic-new POST": Row(MANAGERS, method="post", ok=400),
    "triage:clinic-detail": Row(ALL_ROLES, scoped="clinic"),
    "triage:clinic-edit": Row(MANAGERS, scoped="clinic"),
    "triage:clinic-edit POST": Row(MANAGERS, scoped="clinic", method="post", ok=400),
    "triage:clinic-meeting-new": Row(CHAIR, scoped="clinic"),
    "triage:clinic-meeting-new POST": Row(CHAIR, scoped="clinic", method="post", ok=400),
    "triage:clinic-case-discussions": Row(ALL_ROLES, scoped="case"),
    "triage:meeting-detail": Row(ALL_ROLES, scoped="meeting"),
    # Start, close and rebuild redirect back to the meeting (with a message on bad state).
    # The matrix meeting is a week away: starting it asks "are you sure" first (200).
    "triage:meeting-start": Row(CHAIR, scoped="meeting"),
    "triage:meeting-start POST": Row(CHAIR, scoped="meeting", method="post"),
    # Reopening: a page with a reason field; the planned matrix meeting cannot be reopened
    # (the page says so); an empty POST is a field error.
    "triage:meeting-reopen": Row(CHAIR, scoped="meeting"),
    "triage:meeting-reopen POST": Row(CHAIR, scoped="meeting", method="post", ok=400),
    # Closing: a confirmation page (GET) listing the cases not yet discussed.
    "triage:meeting-close": Row(CHAIR, scoped="meeting"),
    "triage:meeting-close POST": Row(CHAIR, scoped="meeting", method="post", ok=302),
    "triage:meeting-rebuild": Row(CHAIR, scoped="meeting", method="post", ok=302),
    "triage:meeting-attendance": Row(CHAIR, scoped="meeting"),
    # Every status left blank is a valid (empty) attendance.
    "triage:meeting-attendance POST": Row(CHAIR, scoped="meeting", method="post", ok=302),
    "triage:meeting-add-case": Row(ADDERS, scoped="meeting"),
    "triage:meeting-add-case POST": Row(ADDERS, scoped="meeting", method="post", ok=400),
    "triage:meeting-item-move": Row(CHAIR, scoped="agenda_item", method="post", ok=302),
    "triage:meeting-item-remove": Row(CHAIR, scoped="agenda_item"),
    "triage:meeting-item-remove POST": Row(CHAIR, scoped="agenda_item", method="post", ok=400),
    "triage:meeting-item-discussion": Row(CHAIR, scoped="agenda_item"),
    "triage:meeting-item-discussion POST": Row(CHAIR, scoped="agenda_item", method="post", ok=400),
    # API. Unauthenticated calls are 401.
    "api:clinic-list": Row(ALL_ROLES, anonymous=401),
    "api:clinic-list POST": Row(MANAGERS, method="post", ok=400, anonymous=401),
    "api:clinic-detail": Row(ALL_ROLES, scoped="clinic", anonymous=401),
    # The matrix client sends PATCH bodies as application/octet-stream: 415 once allowed.
    "api:clinic-detail PATCH": Row(
        MANAGERS, scoped="clinic", method="patch", ok=415, anonymous=401
    ),
    "api:meeting-list": Row(ALL_ROLES, anonymous=401),
    "api:meeting-detail": Row(ALL_ROLES, scoped="meeting", anonymous=401),
    # A week early without confirm_early: a field error.
    "api:meeting-start": Row(CHAIR, scoped="meeting", method="post", ok=400, anonymous=401),
    "api:meeting-reopen": Row(CHAIR, scoped="meeting", method="post", ok=400, anonymous=401),
    # Closing a planned meeting is bad input.
    "api:meeting-close": Row(CHAIR, scoped="meeting", method="post", ok=400, anonymous=401),
    "api:meeting-rebuild": Row(CHAIR, scoped="meeting", method="post", anonymous=401),
    "api:meeting-items": Row(ADDERS, scoped="meeting", method="post", ok=400, anonymous=401),
    "api:meeting-reorder": Row(CHAIR, scoped="meeting", method="post", ok=400, anonymous=401),
    "api:meeting-attendance": Row(ALL_ROLES, scoped="meeting", anonymous=401),
    "api:meeting-attendance POST": Row(
        CHAIR, scoped="meeting", method="post", ok=400, anonymous=401
    ),
    "api:agenda-item-remove": Row(
        CHAIR, scoped="agenda_item", method="post", ok=400, anonymous=401
    ),
    "api:agenda-item-move": Row(CHAIR, scoped="agenda_item", method="post", ok=400, anonymous=401),
    "api:discussion-list POST": Row(CHAIR, method="post", ok=400, anonymous=401),
    "api:case-discussion-list": Row(ALL_ROLES, scoped="case", anonymous=401, url=_case_api),
}

AGENCY_KEYS = ("police", "health", "advocacy", "probation", "cps")


def _clinics(ctx):
    world = ctx.world

    def make():
        every = ClinicFactory(
            partnership=world.partnership,
            name="Matrix clinic (all agencies)",
            agencies=[world.agencies[key] for key in AGENCY_KEYS],
        )
        advocacy_only = ClinicFactory(
            partnership=world.partnership,
            name="Matrix clinic (advocacy)",
            agencies=[world.agencies["advocacy"]],
        )
        police_only = ClinicFactory(
            partnership=world.partnership,
            name="Matrix clinic (police)",
            agencies=[world.agencies["police"]],
        )
        other = ClinicFactory(
            partnership=world.other_partnership_member.agency.partnership,
            agencies=[world.other_partnership_member.agency],
        )
        return {"every": every, "advocacy": advocacy_only, "police": police_only, "other": other}

    return ctx.once("clinics", make)


def clinic_scopes(ctx, role):
    clinics = _clinics(ctx)
    agency = ctx.world.members[role].agency
    not_attended = clinics["police"] if agency.kind == "advocacy" else clinics["advocacy"]
    return {
        "own": clinics["every"],
        "other_agency": not_attended,
        "other_partnership": clinics["other"],
    }


def meeting_scopes(ctx, role):
    clinics = _clinics(ctx)

    def make():
        return {key: MeetingFactory(clinic=clinic) for key, clinic in clinics.items()}

    meetings = ctx.once("meetings", make)
    agency = ctx.world.members[role].agency
    not_attended = meetings["police"] if agency.kind == "advocacy" else meetings["advocacy"]
    return {
        "own": meetings["every"],
        "other_agency": not_attended,
        "other_partnership": meetings["other"],
    }


def agenda_item_scopes(ctx, role):
    world = ctx.world
    meetings = meeting_scopes(ctx, Role.INVESTIGATOR)
    meeting = meetings["own"]

    def make():
        return {
            "shared": AgendaItemFactory(meeting=meeting, case=_shared_case(ctx)),
            "police": AgendaItemFactory(meeting=meeting, case=world.own_case),
            "advocacy": AgendaItemFactory(meeting=meeting, case=world.advocacy_case),
            "other": AgendaItemFactory(
                meeting=meetings["other_partnership"], case=world.other_partnership_case
            ),
        }

    items = ctx.once("agenda_items", make)
    return {
        "own": items["shared"],
        "other_agency": items["advocacy"] if role in POLICE else items["police"],
        "other_partnership": items["other"],
    }


SCOPES = {"clinic": clinic_scopes, "meeting": meeting_scopes, "agenda_item": agenda_item_scopes}
