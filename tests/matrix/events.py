"""Rows for criminal-justice events (a case section and its API) and the "tell the victim"
tasks. A task is seen only by the task workers (investigators, police supervisors,
advocates, managers) of its responsible agency: "own" is a task held by the role's own
agency, "other_agency" one held by another agency on the same case."""

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cases.models import NotificationTrigger, VictimNotification
from tests.factories import add_party
from tests.matrix import ALL_ROLES, CASE_WRITERS, Row
from tests.matrix.core import _shared_case

TASK_WORKERS = frozenset({Role.INVESTIGATOR, Role.POLICE_SUPERVISOR, Role.ADVOCATE, Role.MANAGER})


def _case_kw(name, obj, ctx):
    return reverse(name, kwargs={"case_pk": obj.pk})


ROWS = {
    "cases:events": Row(ALL_ROLES, scoped="case"),
    "cases:event-new": Row(CASE_WRITERS, scoped="case"),
    "cases:event-new POST": Row(CASE_WRITERS, scoped="case", method="post", ok=400),
    "cases:party-rights": Row(CASE_WRITERS, scoped="victim_party"),
    "cases:party-rights POST": Row(CASE_WRITERS, scoped="victim_party", method="post", ok=400),
    "cases:victim-notifications": Row(TASK_WORKERS),
    "cases:victim-notification": Row(
        TASK_WORKERS, scoped="victim_notification", partnership_wide_reach=False
    ),
    "cases:victim-notification POST": Row(
        TASK_WORKERS,
        scoped="victim_notification",
        method="post",
        ok=400,
        partnership_wide_reach=False,
    ),
    "api:case-event-list": Row(ALL_ROLES, scoped="case", anonymous=401, url=_case_kw),
    "api:case-event-list POST": Row(
        CASE_WRITERS, scoped="case", method="post", ok=400, anonymous=401, url=_case_kw
    ),
    "api:victim-notification-list": Row(TASK_WORKERS, anonymous=401),
    "api:victim-notification-detail": Row(
        TASK_WORKERS, scoped="victim_notification", anonymous=401, partnership_wide_reach=False
    ),
    "api:victim-notification-record": Row(
        TASK_WORKERS,
        scoped="victim_notification",
        method="post",
        ok=400,
        anonymous=401,
        partnership_wide_reach=False,
    ),
}


def raw_task(case, agency, victim=None):
    """A pending task held by ``agency`` written directly (no trigger, no notice)."""
    today = timezone.localdate()
    victim = victim or add_party(case)
    return VictimNotification.objects.create(
        partnership_id=case.partnership_id,
        case=case,
        victim=victim,
        trigger=NotificationTrigger.CHARGED,
        source_key=f"test:{agency.pk}:{victim.pk}",
        occurred_on=today,
        due_on=today,
        enhanced_rights=True,
        responsible_agency=agency,
    )


def victim_notification_scopes(ctx, role):
    world = ctx.world
    agency = world.members[role].agency
    other = world.agencies["health" if agency.kind != "health" else "police"]
    shared = _shared_case(ctx)
    return {
        "own": ctx.once(f"task_{agency.pk}", lambda: raw_task(shared, agency)),
        "other_agency": ctx.once(f"task_{other.pk}", lambda: raw_task(shared, other)),
        "other_partnership": ctx.once(
            "task_other_partnership",
            lambda: raw_task(world.other_partnership_case, world.other_partnership_member.agency),
        ),
    }


def victim_party_scopes(ctx, role):
    """A victim on the case every agency sees; one on the advocacy self-referral (police
    cannot see it) or the police-only case (others cannot); one in another partnership."""
    world = ctx.world
    police = role in {Role.INVESTIGATOR, Role.POLICE_SUPERVISOR}
    return {
        "own": ctx.once("victim_shared", lambda: add_party(_shared_case(ctx))),
        "other_agency": ctx.once(
            f"victim_other_{police}",
            lambda: add_party(world.advocacy_case if police else world.own_case),
        ),
        "other_partnership": ctx.once(
            "victim_other_partnership", lambda: add_party(world.other_partnership_case)
        ),
    }


SCOPES = {
    "victim_notification": victim_notification_scopes,
    "victim_party": victim_party_scopes,
}
