"""Writes of safety plans (each save a new version) and target-hardening measures."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from advocacy.models import (
    MeasureKind,
    PlanItemOwner,
    SafetyPlan,
    SafetyPlanItem,
    SafetyPlanOrder,
    SupportEpisode,
    TargetHardening,
)
from advocacy.selectors import safety as safety_selectors
from audit.models import Action
from audit.services import record_event

from .episodes import EARLIEST, _raise, _require_holder

MAX_PLAN_ITEMS = 50


MAX_ITEM_LENGTH = 2000


MAX_NOTES_LENGTH = 5000


PLAN_REVIEW_WITHIN = timedelta(days=366)


ITEM_DUE_WITHIN = timedelta(days=2 * 366)


def plan_item_errors(episode, item, *, today=None):
    """Every problem with one plan item, {part: message} (parts: text, owner, due_on)."""
    today = today or timezone.localdate()
    errors = {}
    text = (item.get("text") or "").strip()
    if not text:
        errors["text"] = "Enter what will be done."
    elif len(text) > MAX_ITEM_LENGTH:
        errors["text"] = f"Keep the item to {MAX_ITEM_LENGTH} characters or fewer."
    if item.get("owner") not in PlanItemOwner.values:
        errors["owner"] = "Choose who does it: the victim, the advocate or the police."
    due = item.get("due_on")
    if due is not None:
        if due < episode.referred_on:
            errors["due_on"] = "The due date cannot be before the referral date."
        elif due > today + ITEM_DUE_WITHIN:
            errors["due_on"] = "The due date must be within two years."
    if item.get("done") not in (True, False, None):
        errors["done"] = "Say whether it is done."
    return errors


def plan_errors(episode, *, review_on, items, order_ids=(), notes="", today=None):
    """Every problem with a new plan version at once, {field: message}. Item problems are
    keyed ``items-<index>-<part>`` by the item's place in ``items``."""
    today = today or timezone.localdate()
    errors = {}
    if episode.closed_on:
        errors["review_on"] = (
            f"This support closed on {episode.closed_on:%d/%m/%Y}: the plan can no longer change."
        )
        return errors
    if review_on is None:
        errors["review_on"] = "Enter the date the plan will be reviewed."
    elif review_on < today:
        errors["review_on"] = "The review date must be today or in the future."
    elif review_on > today + PLAN_REVIEW_WITHIN:
        errors["review_on"] = "Review the plan within a year."
    if len(notes or "") > MAX_NOTES_LENGTH:
        errors["notes"] = f"Keep the notes to {MAX_NOTES_LENGTH} characters or fewer."
    items = list(items or ())
    if not items:
        errors["items"] = "Add at least one item to the plan."
    elif len(items) > MAX_PLAN_ITEMS:
        errors["items"] = f"A plan holds at most {MAX_PLAN_ITEMS} items."
    else:
        for index, item in enumerate(items):
            for part, message in plan_item_errors(episode, item, today=today).items():
                errors[f"items-{index}-{part}"] = message
    wanted = set()
    try:
        wanted = {int(pk) for pk in order_ids or ()}
    except (TypeError, ValueError):
        errors["orders"] = "Choose protective orders on this case."
    if wanted and "orders" not in errors:
        on_case = set(safety_selectors.case_order_ids(episode))
        if wanted - on_case:
            errors["orders"] = "Choose protective orders on this case."
    return errors


def safety_plan_save(*, actor, membership, episode, review_on, items, order_ids=(), notes=""):
    """Save a new version of the episode's safety plan: ``items`` (dicts of text, owner,
    due_on, done) and ``order_ids`` are the whole new version; nothing is copied from the
    previous one, which is marked superseded. Returns the new version."""
    _require_holder(membership, episode)
    items = list(items or ())
    _raise(plan_errors(episode, review_on=review_on, items=items, order_ids=order_ids, notes=notes))
    with transaction.atomic():
        # One version at a time per episode: the lock orders concurrent saves.
        SupportEpisode.objects.select_for_update().filter(pk=episode.pk).first()
        now = timezone.now()
        latest = SafetyPlan.objects.filter(episode=episode).order_by("-version").first()
        SafetyPlan.objects.filter(episode=episode, superseded_at__isnull=True).update(
            superseded_at=now
        )
        plan = SafetyPlan.objects.create(
            episode=episode,
            version=(latest.version + 1) if latest else 1,
            review_on=review_on,
            notes=(notes or "").strip(),
            created_by=actor,
            created_at=now,
        )
        SafetyPlanItem.objects.bulk_create(
            SafetyPlanItem(
                plan=plan,
                position=position,
                text=item["text"].strip(),
                owner=item["owner"],
                due_on=item.get("due_on"),
                done=bool(item.get("done")),
            )
            for position, item in enumerate(items, start=1)
        )
        orders = sorted({int(pk) for pk in order_ids or ()})
        SafetyPlanOrder.objects.bulk_create(
            SafetyPlanOrder(plan=plan, order_id=order_id) for order_id in orders
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=plan,
            case=episode.case,
            detail={
                "episode": episode.pk,
                "version": plan.version,
                "items": len(items),
                "orders": orders,
            },
        )
    return plan


MEASURE_FIELDS = ("kind", "requested_on", "provided_on", "declined_on", "provider")


MAX_PROVIDER_LENGTH = 200


def measure_errors(episode, values, *, today=None):
    """Every problem with a target-hardening measure at once, {field: message}: dates that
    cannot be true (in the future, provided or declined before it was requested, both
    provided and declined) and the provider of what was provided."""
    today = today or timezone.localdate()
    errors = {}
    if episode.closed_on:
        errors["kind"] = (
            f"This support closed on {episode.closed_on:%d/%m/%Y}: "
            "target hardening can no longer change."
        )
        return errors
    if values.get("kind") not in MeasureKind.values:
        errors["kind"] = "Choose the measure."
    requested = values.get("requested_on")
    if requested is None:
        errors["requested_on"] = "Enter the date the measure was requested."
    elif requested > today:
        errors["requested_on"] = "The request date must be today or in the past."
    elif requested < EARLIEST:
        errors["requested_on"] = "The request date must be in 2000 or later."
    requested_ok = requested is not None and "requested_on" not in errors
    for name, what in (("provided_on", "provided"), ("declined_on", "declined")):
        value = values.get(name)
        if value is None:
            continue
        if value > today:
            errors[name] = f"The date it was {what} must be today or in the past."
        elif requested_ok and value < requested:
            errors[name] = f"It cannot be {what} before it was requested ({requested:%d/%m/%Y})."
    if (
        values.get("provided_on") is not None
        and values.get("declined_on") is not None
        and "declined_on" not in errors
    ):
        errors["declined_on"] = "A measure is either provided or declined, not both."
    provider = (values.get("provider") or "").strip()
    if len(provider) > MAX_PROVIDER_LENGTH:
        errors["provider"] = f"Keep the provider to {MAX_PROVIDER_LENGTH} characters or fewer."
    elif values.get("provided_on") is not None and not provider:
        errors["provider"] = "Say who provided it."
    return errors


def measure_record(
    *,
    actor,
    membership,
    episode,
    kind,
    requested_on,
    provided_on=None,
    declined_on=None,
    provider="",
):
    """Record a target-hardening measure for the episode's victim."""
    _require_holder(membership, episode)
    values = {
        "kind": kind,
        "requested_on": requested_on,
        "provided_on": provided_on,
        "declined_on": declined_on,
        "provider": (provider or "").strip(),
    }
    _raise(measure_errors(episode, values))
    with transaction.atomic():
        measure = TargetHardening.objects.create(episode=episode, recorded_by=actor, **values)
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=measure,
            case=episode.case,
            detail={"episode": episode.pk, "kind": kind, "state": measure.state},
        )
    return measure


def measure_update(*, actor, membership, measure, **fields):
    """Change a measure's kind, dates or provider; fields not given keep their values.
    Earlier values stay in the measure's history."""
    episode = measure.episode
    _require_holder(membership, episode)
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"measure_update() got unexpected fields {sorted(unknown)}")
    values = {name: getattr(measure, name) for name in MEASURE_FIELDS}
    values.update(fields)
    values["provider"] = (values.get("provider") or "").strip()
    _raise(measure_errors(episode, values))
    changed = [name for name in MEASURE_FIELDS if getattr(measure, name) != values[name]]
    with transaction.atomic():
        for name in changed:
            setattr(measure, name, values[name])
        if changed:
            measure.save(update_fields=changed)
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=measure,
            case=episode.case,
            detail={"episode": episode.pk, "changed": changed, "state": measure.state},
        )
    return measure
