"""Reads of safety plans and target-hardening measures."""

from django.db.models import (
    Prefetch,
)

from advocacy.models import (
    PlanItemOwner,
    SafetyPlan,
    SafetyPlanItem,
    SafetyPlanOrder,
    TargetHardening,
)
from audit.services import visible_or_404
from cases.selectors.record import orders_for


def _plans(episode):
    return (
        SafetyPlan.objects.filter(episode=episode)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("items", queryset=SafetyPlanItem.objects.order_by("position")),
            Prefetch(
                "order_links",
                queryset=SafetyPlanOrder.objects.select_related("order").order_by("order_id"),
            ),
        )
    )


def current_safety_plan(episode):
    """The current (latest, not superseded) plan version with its items and linked orders,
    or None: three queries."""
    return _plans(episode).filter(superseded_at__isnull=True).first()


def safety_plan_versions(episode):
    """Every version of the episode's plan, newest first, with items and orders: three
    queries whatever the number of versions."""
    return list(_plans(episode).order_by("-version"))


def safety_plan_version_count(episode):
    return SafetyPlan.objects.filter(episode=episode).count()


def items_by_owner(plan):
    """[(owner label, [items])] in the order victim, advocate, police; owners without
    items left out."""
    groups = []
    for value, label in PlanItemOwner.choices:
        items = [item for item in plan.items.all() if item.owner == value]
        if items:
            groups.append((label, items))
    return groups


def episode_measures(episode):
    return list(
        TargetHardening.objects.filter(episode=episode)
        .select_related("recorded_by")
        .order_by("requested_on", "id")
    )


def get_measure_or_404(membership, episode, pk):
    """A measure of an episode the member's agency holds (404 and a denial row
    otherwise)."""
    return visible_or_404(
        membership,
        TargetHardening.objects.filter(episode=episode).select_related("episode__case"),
        pk,
        kind=TargetHardening._meta.label,
    )


def case_orders(episode):
    """The protective orders on the episode's case (read through the case selectors), for
    linking from a plan."""
    return list(orders_for(episode.case).prefetch_related(None).order_by("-applied_on", "-id"))


def case_order_ids(episode):
    return list(orders_for(episode.case).prefetch_related(None).values_list("pk", flat=True))
