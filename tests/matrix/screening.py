"""Rows for the police daily crime screen: police investigators and supervisors only.

Every entry and import is police-only, so there is no "another agency's" entry: for the
police roles the "other_agency" object is a second one of the same partnership, which
they reach (reaches_other_agency=POLICE); every other role gets 403 whatever the object.
"""

from accounts.roles import Role
from cases.models import ImportRun, ReclassificationOutcome, ScreeningAction
from tests.factories_screening import CrimeScreenEntryFactory, offence
from tests.matrix import POLICE, Row

SUPERVISOR = frozenset({Role.POLICE_SUPERVISOR})
API = {"anonymous": 401}

ROWS = {
    "screening:worklist": Row(POLICE),
    "screening:imports": Row(POLICE),
    "screening:import-new": Row(POLICE),
    "screening:import-new POST": Row(POLICE, method="post", ok=400),  # no file: errors at the field
    "screening:import-detail": Row(POLICE, scoped="import", reaches_other_agency=POLICE),
    "screening:import-retry POST": Row(
        POLICE, scoped="import", method="post", ok=302, reaches_other_agency=POLICE
    ),
    "screening:entry": Row(POLICE, scoped="entry", reaches_other_agency=POLICE),
    "screening:entry-actions": Row(POLICE, scoped="entry", reaches_other_agency=POLICE),
    "screening:entry-actions POST": Row(
        POLICE, scoped="entry", method="post", reaches_other_agency=POLICE
    ),
    "screening:entry-same-course": Row(POLICE, scoped="entry", reaches_other_agency=POLICE),
    "screening:entry-same-course POST": Row(
        POLICE,
        scoped="entry",
        method="post",
        data={"original": "NO-SUCH-CRIME"},
        reaches_other_agency=POLICE,
    ),
    "screening:entry-link-case": Row(POLICE, scoped="entry", reaches_other_agency=POLICE),
    "screening:entry-link-case POST": Row(
        POLICE,
        scoped="entry",
        method="post",
        data={"case": "NO-SUCH-CASE"},
        reaches_other_agency=POLICE,
    ),
    # Starts the referral question pages filled in from the crime: a redirect to them.
    "screening:entry-refer": Row(POLICE, scoped="entry", ok=302, reaches_other_agency=POLICE),
    "screening:decide": Row(SUPERVISOR, scoped="reclassification", reaches_other_agency=SUPERVISOR),
    "screening:decide POST": Row(
        SUPERVISOR, scoped="reclassification", method="post", reaches_other_agency=SUPERVISOR
    ),
    "screening:supervisor": Row(SUPERVISOR),
    "api:screening-entry-list": Row(POLICE, **API),
    "api:screening-entry-detail": Row(POLICE, scoped="entry", reaches_other_agency=POLICE, **API),
    # The disposal. The matrix client sends PATCH bodies as application/octet-stream: 415
    # once the entry is found.
    "api:screening-entry-detail PATCH": Row(
        POLICE, scoped="entry", method="patch", ok=415, reaches_other_agency=POLICE, **API
    ),
    "api:screening-entry-actions POST": Row(
        POLICE, scoped="entry", method="post", ok=400, reaches_other_agency=POLICE, **API
    ),
    # Bad input (no case; a blank reason) answers 400 before anything is written.
    "api:screening-entry-link-case POST": Row(
        POLICE, scoped="entry", method="post", ok=400, reaches_other_agency=POLICE, **API
    ),
    "api:screening-entry-referral POST": Row(
        POLICE,
        scoped="entry",
        method="post",
        ok=400,
        data={"reason": ""},
        reaches_other_agency=POLICE,
        **API,
    ),
    "api:screening-import-list": Row(POLICE, **API),
    "api:screening-import-list POST": Row(POLICE, method="post", ok=400, **API),
    "api:screening-import-detail": Row(POLICE, scoped="import", reaches_other_agency=POLICE, **API),
    "api:screening-import-retry POST": Row(
        POLICE, scoped="import", method="post", ok=400, reaches_other_agency=POLICE, **API
    ),
    "api:screening-action-decide POST": Row(
        SUPERVISOR,
        scoped="reclassification",
        method="post",
        ok=400,
        reaches_other_agency=SUPERVISOR,
        **API,
    ),
}


def _entry(ctx, key, partnership):
    return ctx.once(key, lambda: CrimeScreenEntryFactory(partnership=partnership))


def entry_scopes(ctx, role):
    world = ctx.world
    other = world.other_partnership_member.agency.partnership
    return {
        "own": _entry(ctx, "entry_own", world.partnership),
        "other_agency": _entry(ctx, "entry_second", world.partnership),
        "other_partnership": _entry(ctx, "entry_other", other),
    }


def _run(ctx, key, membership):
    return ctx.once(
        key,
        lambda: ImportRun.objects.create(
            partnership=membership.agency.partnership,
            agency=membership.agency,
            uploaded_by=membership.user,
            status="succeeded",
        ),
    )


def import_scopes(ctx, role):
    world = ctx.world
    return {
        "own": _run(ctx, "run_own", world.members[Role.INVESTIGATOR]),
        "other_agency": _run(ctx, "run_second", world.members[Role.POLICE_SUPERVISOR]),
        "other_partnership": _run(ctx, "run_other", world.other_partnership_member),
    }


def _request(ctx, key, entry, membership):
    return ctx.once(
        key,
        lambda: ScreeningAction.objects.create(
            entry=entry,
            kind="reclassification",
            actor=membership.user,
            agency=membership.agency,
            requested_offence=offence("008/66"),
            reclassification_outcome=ReclassificationOutcome.PENDING,
        ),
    )


def reclassification_scopes(ctx, role):
    world = ctx.world
    investigator = world.members[Role.INVESTIGATOR]
    scopes = entry_scopes(ctx, role)
    return {
        "own": _request(ctx, "req_own", scopes["own"], investigator),
        "other_agency": _request(ctx, "req_second", scopes["other_agency"], investigator),
        "other_partnership": _request(
            ctx, "req_other", scopes["other_partnership"], world.other_partnership_member
        ),
    }


SCOPES = {
    "entry": entry_scopes,
    "import": import_scopes,
    "reclassification": reclassification_scopes,
}
