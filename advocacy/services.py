"""Every write of advocacy casework: keyword-only, one transaction each, with its audit row.

Rules enforced here (views and API only translate them):
- only advocates and managers of the agency that holds an episode change it
  (accounts.access.advocacy_agency_id); support starts only for a victim on a case that
  agency can see;
- dates that cannot be true are refused at the field (``episode_errors``, ``contact_errors``:
  the forms ask the same functions, so every problem shows in one pass);
- a "made" contact fills in the first contact made (and any contact the first attempt)
  when it is earlier than what is recorded;
- closing needs a date, a coded reason and an outcome for every need; a closed episode
  takes no more contacts or changes;
- the referral queue: the crime screen and the clinic refer victims into the advocacy
  agency's queue, once; accepting starts the episode, declining takes a coded reason (the
  decisions are written out above ``referral_agency``);
- a safety plan is never edited: each save is a new version with its own items and order
  links (orders on the episode's case only), the previous one marked superseded;
- a target-hardening measure's dates cannot be false: none in the future, provided or
  declined not before requested, never both provided and declined.
Audit rows name the episode and the case, never a contact summary, a need or plan text.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.access import advocacy_agency_id
from accounts.models import Agency, Membership
from accounts.roles import AgencyKind, Role
from advocacy import selectors
from advocacy.models import (
    AdvocacyReferral,
    Channel,
    ClosureReason,
    ConsentMethod,
    Contact,
    ContactFrequency,
    DeclineReason,
    Direction,
    EpisodeAllocation,
    MeasureKind,
    NeedArea,
    NeedOutcome,
    PlanItemOwner,
    ReferralRoute,
    ReferralStatus,
    SafetyPlan,
    SafetyPlanItem,
    SafetyPlanOrder,
    SupportEpisode,
    SupportNeed,
    TargetHardening,
)
from audit.models import Action
from audit.services import record_event
from cases.selectors.core import is_shared_with_agency, shared_agencies
from cases.services import core as case_services

EARLIEST = date(2000, 1, 1)
# A device clock a few minutes ahead of the server's is not a contact in the future.
CLOCK_SKEW = timedelta(minutes=5)
MAX_DURATION_MINUTES = 600

# The fields episode_update changes (besides the advocate and the needs).
EPISODE_FIELDS = (
    "referral_route",
    "referred_on",
    "first_contact_attempted_at",
    "first_contact_made_at",
    "support_consent_on",
    "support_consent_method",
    "support_consent_withdrawn_on",
    "share_consent_on",
    "share_consent_with",
    "share_consent_purpose",
    "share_consent_method",
    "share_consent_withdrawn_on",
    "contact_frequency",
)


def _require_holder(membership, episode=None):
    agency_id = advocacy_agency_id(membership) if membership is not None else None
    if agency_id is None:
        raise PermissionDenied("Only advocates and managers of an advocacy agency do this.")
    if episode is not None and episode.advocacy_agency_id != agency_id:
        raise PermissionDenied("Only the agency that holds this support changes it.")


def _local_date(value):
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def advocate_errors(agency_id, advocate):
    """The advocate must be an advocate with a usable membership of the holding agency."""
    if advocate is None:
        return None
    holds = (
        Membership.objects.usable()
        .filter(user=advocate, agency_id=agency_id, role=Role.ADVOCATE)
        .exists()
    )
    return None if holds else "Choose an advocate in your agency."


def episode_errors(values, *, today=None, now=None, first_contact_on=None, last_contact_on=None):
    """Every problem with an episode's fields at once, {field: message}.

    ``values`` holds the fields of EPISODE_FIELDS (and ``needs``) as they would be saved;
    ``first_contact_on``/``last_contact_on``: the dates of the episode's earliest and latest
    logged contacts, if any."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    errors = {}
    get = values.get

    if get("referral_route") not in ReferralRoute.values:
        errors["referral_route"] = "Choose how the victim was referred."
    referred = get("referred_on")
    if referred is None:
        errors["referred_on"] = "Enter the date of the referral."
    elif referred > today:
        errors["referred_on"] = "The referral date must be today or in the past."
    elif referred < EARLIEST:
        errors["referred_on"] = "The referral date must be in 2000 or later."
    elif first_contact_on is not None and referred > first_contact_on:
        errors["referred_on"] = "A contact is logged before this date: the referral came first."
    referred_ok = referred is not None and "referred_on" not in errors

    for name, label in (
        ("first_contact_attempted_at", "The first attempt at contact"),
        ("first_contact_made_at", "The first contact made"),
    ):
        value = get(name)
        if value is None:
            continue
        if value > now + CLOCK_SKEW:
            errors[name] = f"{label} cannot be in the future."
        elif referred_ok and _local_date(value) < referred:
            errors[name] = f"{label} cannot be before the referral date."
    attempted, made = get("first_contact_attempted_at"), get("first_contact_made_at")
    if (
        attempted is not None
        and made is not None
        and attempted > made
        and "first_contact_attempted_at" not in errors
    ):
        errors["first_contact_attempted_at"] = (
            "The first attempt cannot be after the first contact made."
        )

    for prefix, what in (("support", "consent to support"), ("share", "consent to share")):
        given, withdrawn = get(f"{prefix}_consent_on"), get(f"{prefix}_consent_withdrawn_on")
        method = get(f"{prefix}_consent_method") or ""
        if method and method not in ConsentMethod.values:
            errors[f"{prefix}_consent_method"] = "Choose how the consent was recorded."
        if given is not None:
            if given > today:
                errors[f"{prefix}_consent_on"] = f"The date of {what} must be today or earlier."
            elif referred_ok and given < referred:
                errors[f"{prefix}_consent_on"] = (
                    f"The date of {what} cannot be before the referral date."
                )
            if not method:
                errors[f"{prefix}_consent_method"] = f"Choose how {what} was recorded."
        elif method:
            errors[f"{prefix}_consent_on"] = f"Enter the date of {what}."
        if withdrawn is not None:
            if given is None:
                errors[f"{prefix}_consent_withdrawn_on"] = (
                    f"Only {what} that was given can be withdrawn."
                )
            elif withdrawn > today:
                errors[f"{prefix}_consent_withdrawn_on"] = (
                    "The date of withdrawal must be today or earlier."
                )
            elif withdrawn < given:
                errors[f"{prefix}_consent_withdrawn_on"] = (
                    f"Consent cannot be withdrawn before it was given ({given:%d/%m/%Y})."
                )

    share_given = get("share_consent_on") is not None
    for name, message in (
        ("share_consent_with", "Say who the victim agreed information can be shared with."),
        ("share_consent_purpose", "Say what the information may be shared for."),
    ):
        text = (get(name) or "").strip()
        if share_given and not text:
            errors[name] = message
        elif text and not share_given and "share_consent_on" not in errors:
            errors["share_consent_on"] = "Enter the date of consent to share."

    frequency = get("contact_frequency") or ""
    if frequency and frequency not in ContactFrequency.values:
        errors["contact_frequency"] = "Choose an agreed contact frequency."
    needs = get("needs") or ()
    if any(need not in NeedArea.values for need in needs):
        errors["needs"] = "Choose needs from the list."
    return errors


def _raise(errors):
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})


def _contact_span(episode):
    return selectors.contact_dates(episode)


def _set_needs(episode, needs, today):
    """Add the needs newly chosen, remove those no longer chosen."""
    wanted = set(needs)
    current = set(episode.needs.values_list("need", flat=True))
    SupportNeed.objects.filter(episode=episode, need__in=current - wanted).delete()
    SupportNeed.objects.bulk_create(
        SupportNeed(episode=episode, need=need, identified_on=today)
        for need in sorted(wanted - current)
    )
    return sorted(wanted - current), sorted(current - wanted)


def _allocate(*, actor, membership, episode, advocate):
    now = timezone.now()
    EpisodeAllocation.objects.filter(episode=episode, ended_at__isnull=True).update(ended_at=now)
    if advocate is not None:
        EpisodeAllocation.objects.create(
            episode=episode, advocate=advocate, allocated_at=now, allocated_by=actor
        )
        case_services.party_set_advocate(
            actor=actor, membership=membership, party=episode.victim, advocate=advocate
        )


def episode_start(
    *,
    actor,
    membership,
    victim,
    referral_route,
    referred_on,
    advocate=None,
    needs=(),
    contact_frequency="",
    today=None,
):
    """Open a support episode for a victim party on a case the member's agency can see."""
    _require_holder(membership)
    agency_id = advocacy_agency_id(membership)
    today = today or timezone.localdate()
    values = {
        "referral_route": referral_route,
        "referred_on": referred_on,
        "contact_frequency": contact_frequency,
        "needs": needs,
    }
    errors = episode_errors(values, today=today)
    case = victim.case if victim is not None else None
    if (
        victim is None
        or not victim.is_victim
        or case.partnership_id != membership.agency.partnership_id
        # Shared with the agency: break-glass opens a case's core record, never a way in
        # to start casework on it.
        or not is_shared_with_agency(membership, case)
    ):
        errors["victim"] = "Choose a victim on a case shared with your agency."
    elif SupportEpisode.objects.filter(
        victim=victim, advocacy_agency_id=agency_id, closed_on__isnull=True
    ).exists():
        errors["victim"] = "Your agency is already supporting this victim on this case."
    advocate_problem = advocate_errors(agency_id, advocate)
    if advocate_problem:
        errors["advocate"] = advocate_problem
    _raise(errors)
    with transaction.atomic():
        episode = SupportEpisode.objects.create(
            partnership_id=case.partnership_id,
            case=case,
            victim=victim,
            advocacy_agency_id=agency_id,
            advocate=advocate,
            referral_route=referral_route,
            referred_on=referred_on,
            contact_frequency=contact_frequency or "",
            created_by=actor,
        )
        _set_needs(episode, needs, today)
        _allocate(actor=actor, membership=membership, episode=episode, advocate=advocate)
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=episode,
            case=case,
            detail={"route": referral_route, "advocate_id": getattr(advocate, "pk", None)},
        )
    return episode


def _require_open(episode):
    if episode.closed_on:
        raise ValidationError(
            {"closed_on": ["This support closed on " + f"{episode.closed_on:%d/%m/%Y}."]}
        )


def episode_update(*, actor, membership, episode, advocate=None, needs=None, **fields):
    """Change the episode's dated, consent and frequency fields, the advocate (a change of
    advocate ends the current allocation and starts another) and the needs (``None``: leave
    them). Fields not given keep their values."""
    _require_holder(membership, episode)
    _require_open(episode)
    unknown = set(fields) - set(EPISODE_FIELDS)
    if unknown:
        raise TypeError(f"episode_update() got unexpected fields {sorted(unknown)}")
    values = {name: getattr(episode, name) for name in EPISODE_FIELDS}
    values.update(fields)
    values["needs"] = needs
    first_on, last_on = _contact_span(episode)
    errors = episode_errors(values, first_contact_on=first_on, last_contact_on=last_on)
    advocate_problem = advocate_errors(episode.advocacy_agency_id, advocate)
    if advocate_problem:
        errors["advocate"] = advocate_problem
    _raise(errors)
    changed = [name for name in EPISODE_FIELDS if getattr(episode, name) != values[name]]
    with transaction.atomic():
        for name in changed:
            value = values[name]
            if value is None and not episode._meta.get_field(name).null:
                value = ""  # a blank text or choice field is "", never NULL
            setattr(episode, name, value)
        reallocated = advocate is not None and advocate.pk != episode.advocate_id
        if reallocated:
            episode.advocate = advocate
            changed.append("advocate")
        if changed:
            episode.save(update_fields=changed)
        if reallocated:
            _allocate(actor=actor, membership=membership, episode=episode, advocate=advocate)
        added, removed = ([], [])
        if needs is not None:
            added, removed = _set_needs(episode, needs, timezone.localdate())
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=episode,
            case=episode.case,
            detail={
                "changed": changed,
                "needs_added": len(added),
                "needs_removed": len(removed),
            },
        )
    return episode


def contact_errors(episode, values, *, now=None):
    """Every problem with a contact at once, {field: message}."""
    now = now or timezone.now()
    errors = {}
    at = values.get("at")
    if episode.closed_on:
        errors["at"] = (
            f"This support closed on {episode.closed_on:%d/%m/%Y}: no more contacts are logged."
        )
    elif at is None:
        errors["at"] = "Enter the date and time of the contact."
    elif at > now + CLOCK_SKEW:
        errors["at"] = "The contact cannot be in the future."
    elif _local_date(at) < episode.referred_on:
        errors["at"] = "The contact cannot be before the referral date."
    if values.get("channel") not in Channel.values:
        errors["channel"] = "Choose how the contact was made."
    if values.get("direction") not in Direction.values:
        errors["direction"] = "Choose who contacted whom."
    made = values.get("made")
    if made not in (True, False):
        errors["made"] = "Say whether contact was made or only attempted."
    duration = values.get("duration_minutes")
    if duration is not None and not 0 <= duration <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = f"Enter a length between 0 and {MAX_DURATION_MINUTES} minutes."
    if values.get("safe_to_talk") and made is False:
        errors["safe_to_talk"] = "Only a contact that was made can confirm it was safe to talk."
    if made is True and not (values.get("summary") or "").strip():
        errors["summary"] = "Enter a summary of the contact."
    due = values.get("next_contact_due")
    if due is not None and at is not None and "at" not in errors and due < _local_date(at):
        errors["next_contact_due"] = "The next contact cannot be due before this one."
    elif due is not None and due > timezone.localdate() + timedelta(days=366):
        errors["next_contact_due"] = "The next contact must be due within a year."
    return errors


def contact_log(
    *,
    actor,
    membership,
    episode,
    at,
    channel,
    direction,
    made,
    duration_minutes=None,
    safe_to_talk=False,
    summary="",
    next_contact_due=None,
):
    """Log a contact (or attempt). The earliest contact is the first attempt; the earliest
    made one is the first contact made."""
    _require_holder(membership, episode)
    values = {
        "at": at,
        "channel": channel,
        "direction": direction,
        "made": made,
        "duration_minutes": duration_minutes,
        "safe_to_talk": safe_to_talk,
        "summary": summary,
        "next_contact_due": next_contact_due,
    }
    _raise(contact_errors(episode, values))
    with transaction.atomic():
        locked = SupportEpisode.objects.select_for_update().get(pk=episode.pk)
        contact = Contact.objects.create(
            episode=locked,
            recorded_by=actor,
            summary=(summary or "").strip(),
            **{k: v for k, v in values.items() if k != "summary"},
        )
        changed = []
        if locked.first_contact_attempted_at is None or at < locked.first_contact_attempted_at:
            locked.first_contact_attempted_at = at
            changed.append("first_contact_attempted_at")
        if made and (locked.first_contact_made_at is None or at < locked.first_contact_made_at):
            locked.first_contact_made_at = at
            changed.append("first_contact_made_at")
        if changed:
            locked.save(update_fields=changed)
            for name in changed:
                setattr(episode, name, getattr(locked, name))
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=contact,
            case=episode.case,
            detail={"episode": episode.pk, "made": made, "first_contact": changed},
        )
    return contact


def close_errors(episode, *, closed_on, closure_reason, outcomes, today=None):
    today = today or timezone.localdate()
    errors = {}
    if episode.closed_on:
        errors["closed_on"] = f"This support already closed on {episode.closed_on:%d/%m/%Y}."
        return errors
    _, last_on = _contact_span(episode)
    made_on = _local_date(episode.first_contact_made_at)
    if closed_on is None:
        errors["closed_on"] = "Enter the date support closed."
    elif closed_on > today:
        errors["closed_on"] = "The closure date must be today or in the past."
    elif closed_on < episode.referred_on:
        errors["closed_on"] = "Support cannot close before the referral date."
    elif last_on is not None and closed_on < last_on:
        errors["closed_on"] = f"A contact is logged on {last_on:%d/%m/%Y}, after this date."
    elif made_on is not None and closed_on < made_on:
        errors["closed_on"] = "Support cannot close before the first contact made."
    if closure_reason not in ClosureReason.values:
        errors["closure_reason"] = "Choose why support is closing."
    for need in episode.needs.all():
        if (outcomes or {}).get(need.need) not in NeedOutcome.values:
            errors[f"outcome_{need.need}"] = (
                f"Choose the outcome for {need.get_need_display().lower()}."
            )
    return errors


def episode_close(*, actor, membership, episode, closed_on, closure_reason, outcomes=None):
    """Close support with a date, a coded reason and an outcome for every need."""
    _require_holder(membership, episode)
    _raise(
        close_errors(episode, closed_on=closed_on, closure_reason=closure_reason, outcomes=outcomes)
    )
    with transaction.atomic():
        episode.closed_on = closed_on
        episode.closure_reason = closure_reason
        episode.save(update_fields=["closed_on", "closure_reason"])
        for need in episode.needs.all():
            need.outcome = outcomes[need.need]
            need.save(update_fields=["outcome"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=episode,
            case=episode.case,
            detail={"closed": True, "reason": closure_reason},
        )
    return episode


# Safety plans ------------------------------------------------------------------------

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
        on_case = set(selectors.case_order_ids(episode))
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


# Target hardening ----------------------------------------------------------------------

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


# The referral queue (issue 11 item 1, "no re-keying") ----------------------------------
#
# Decisions, so the users' expectations are written down where the code keeps them:
# - The crime screen's "Victim advocacy (ISAC) referral" makes the referral as soon as the
#   crime is linked to a case: at once when it is already linked, else when it is linked
#   later (cases.services.screening calls referrals_from_screening from both places, with
#   the date of the earliest such action as the referral date). Most crimes are screened
#   before a case exists; a referral that waited for nobody to re-key it is the point.
# - The clinic refers with an explicit "refer the victim to advocacy" choice on the Case
#   Analysis Summary beside the decision (triage.models.CaseDiscussion.refer_to_advocacy),
#   so a case can be accepted or monitored and its victims referred at the same time.
#   Every victim party on the case is referred.
# - The referral goes to the advocacy agency the case is shared with; when it is shared
#   with none, to the partnership's only active advocacy agency, and the case is shared
#   with that agency at the same time (an audited disclosure, reason given): an advocate
#   cannot support a victim on a case they cannot open, and referring the victim is the
#   referrer's decision to involve the service. With several advocacy agencies and none
#   (or more than one) of them on the case, nothing is guessed: the referrer is told.
# - Idempotent: a source (a crime, a CAS version) refers each victim to an agency once,
#   whatever happens to that referral; and no referral is added while one waits for the
#   same victim in the same agency, or while that agency supports the victim (an open
#   episode). A later crime or clinic decision after a decline refers again.
# - The referral is a queue item, not a support episode: the caseload and its statuses
#   count what the agency took on. Accepting starts the episode (route and referral date
#   carried over); declining needs a coded reason, and "other" a written one.

MAX_NOTE = 2000


def referral_agency(case):
    """(agency, None) for the advocacy agency a referral from ``case`` goes to, or
    (None, why not)."""
    shared = [
        link.agency
        for link in shared_agencies(case)
        if link.agency.kind == AgencyKind.ADVOCACY and link.agency.active
    ]
    if len(shared) == 1:
        return shared[0], None
    if shared:
        return None, (
            "The case is shared with more than one victim advocacy service, so the referral "
            "cannot choose between them: ask the service that will support the victim to "
            "start support from the case page."
        )
    agencies = list(
        Agency.objects.filter(
            partnership_id=case.partnership_id, kind=AgencyKind.ADVOCACY, active=True
        )[:2]
    )
    if len(agencies) == 1:
        return agencies[0], None
    if not agencies:
        return None, "The partnership has no victim advocacy service to refer to."
    return None, (
        "Share the case with the victim advocacy service the victim is referred to first: "
        "the partnership has more than one."
    )


def screening_victims(entry, case):
    """([victim party], None), or ([], why not): the party of the crime's victim on the
    case, else the case's only victim."""
    victims = selectors.victims_on_case(case)
    if entry.victim_person_id is not None:
        matched = [v for v in victims if v.person_id == entry.victim_person_id]
        if matched:
            return matched[:1], None
    if len(victims) == 1:
        return victims, None
    if not victims:
        return [], f"Case {case.reference} has no victim recorded to refer to advocacy."
    return [], (
        f"Case {case.reference} has more than one victim and this crime's victim is not "
        "matched to one of them: match the crime's victim first."
    )


def screening_referral_problem(entry, case):
    """Why the crime's advocacy referral cannot be made on ``case`` (None: it can)."""
    _, problem = screening_victims(entry, case)
    if problem is None:
        _, problem = referral_agency(case)
    return problem


def discussion_referral_problem(case):
    """Why the clinic cannot refer the case's victims to advocacy (None: it can)."""
    if not selectors.victims_on_case(case):
        return f"Case {case.reference} has no victim recorded to refer to advocacy."
    _, problem = referral_agency(case)
    return problem


def _refer(*, actor, membership, case, victims, route, referred_on, source):
    """Put each victim in the agency's queue (in the caller's transaction); returns the
    referrals made. ``source``: {"screening_entry": entry} or {"discussion": discussion}."""
    agency, problem = referral_agency(case)
    if problem:
        raise ValidationError({"victim": [problem]})
    if not _case_shared_with(case, agency):
        case_services.case_share(
            actor=actor,
            membership=membership,
            case=case,
            agency=agency,
            reason=f"Victim referred to {agency} for advocacy support.",
        )
    made = []
    for victim in victims:
        earlier = AdvocacyReferral.objects.filter(victim=victim, advocacy_agency=agency)
        if (
            earlier.filter(**source).exists()
            or earlier.filter(accepted_at__isnull=True, declined_at__isnull=True).exists()
            or SupportEpisode.objects.filter(
                victim=victim, advocacy_agency=agency, closed_on__isnull=True
            ).exists()
        ):
            continue
        try:
            with transaction.atomic():
                referral = AdvocacyReferral.objects.create(
                    partnership_id=case.partnership_id,
                    case=case,
                    victim=victim,
                    advocacy_agency=agency,
                    route=route,
                    referred_on=referred_on,
                    referred_by=actor,
                    referring_agency=membership.agency,
                    **source,
                )
        except IntegrityError:
            continue  # another request queued this victim a moment ago
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=referral,
            case=case,
            detail={"advocacy_referral": route, "agency_id": agency.pk, "victim": victim.pk},
        )
        made.append(referral)
    return made


def _case_shared_with(case, agency):
    """Whether the case is shared with ``agency`` (a CaseAgency link)."""
    return any(link.agency_id == agency.pk for link in shared_agencies(case))


def referrals_from_screening(*, actor, membership, entry, case, referred_on, error_field="kinds"):
    """The crime's "Victim advocacy (ISAC) referral" now that it is on ``case``: the
    victim in the advocacy agency's queue (in the caller's transaction). A referral that
    cannot be made (no victim or agency to choose) raises a ValidationError keyed
    ``error_field``; with ``error_field=None`` it is left out (returns None) and the
    caller's audit row says so."""
    victims, problem = screening_victims(entry, case)
    if problem is None:
        _, problem = referral_agency(case)
    if problem:
        if error_field:
            raise ValidationError({error_field: [problem]})
        return None
    return _refer(
        actor=actor,
        membership=membership,
        case=case,
        victims=victims,
        route=ReferralRoute.POLICE_SCREENING,
        referred_on=referred_on,
        source={"screening_entry": entry},
    )


def referrals_from_discussion(*, actor, membership, discussion):
    """A CAS that refers to advocacy: every victim on the case in the agency's queue."""
    if not discussion.refer_to_advocacy:
        return []
    case = discussion.case
    problem = discussion_referral_problem(case)
    if problem:
        raise ValidationError({"refer_to_advocacy": [problem]})
    return _refer(
        actor=actor,
        membership=membership,
        case=case,
        victims=selectors.victims_on_case(case),
        route=ReferralRoute.CLINIC,
        referred_on=timezone.localtime(discussion.recorded_at).date(),
        source={"discussion": discussion},
    )


def decided_message(referral):
    status = referral.status
    if status == ReferralStatus.WAITING:
        return None
    day = timezone.localtime(referral.accepted_at or referral.declined_at)
    verb = "accepted" if status == ReferralStatus.ACCEPTED else "declined"
    return f"This referral was already {verb} on {day:%d/%m/%Y}."


def referral_accept(*, actor, membership, referral, advocate):
    """Accept a waiting referral: its support episode starts, allocated to ``advocate``,
    with the referral's route and date. One transaction; audited."""
    _require_holder(membership, referral)
    errors = {}
    decided = decided_message(referral)
    if decided:
        errors["referral"] = decided
    if advocate is None:
        errors["advocate"] = "Choose the advocate who will support the victim."
    else:
        problem = advocate_errors(referral.advocacy_agency_id, advocate)
        if problem:
            errors["advocate"] = problem
    _raise(errors)
    with transaction.atomic():
        locked = AdvocacyReferral.objects.select_for_update().get(pk=referral.pk)
        decided = decided_message(locked)
        if decided:
            _raise({"referral": decided})
        episode = episode_start(
            actor=actor,
            membership=membership,
            victim=locked.victim,
            referral_route=locked.route,
            referred_on=locked.referred_on,
            advocate=advocate,
        )
        locked.accepted_at = timezone.now()
        locked.episode = episode
        locked.decided_by = actor
        locked.save(update_fields=["accepted_at", "episode", "decided_by"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=locked,
            case=locked.case,
            detail={"accepted": True, "episode": episode.pk},
        )
    for name in ("accepted_at", "episode", "decided_by"):
        setattr(referral, name, getattr(locked, name))
    return episode


def decline_errors(referral, *, reason, note):
    errors = {}
    decided = decided_message(referral)
    if decided:
        errors["referral"] = decided
    if reason not in DeclineReason.values:
        errors["reason"] = "Choose why the referral is declined."
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = f"Explain in {MAX_NOTE} characters or fewer."
    elif reason == DeclineReason.OTHER and not note:
        errors["note"] = "Explain why the referral is declined."
    return errors


def referral_decline(*, actor, membership, referral, reason, note=""):
    """Decline a waiting referral with a coded reason (and a written one for "other").
    Nothing starts; the referring side sees that it was declined. One transaction;
    audited (the code, never the note)."""
    _require_holder(membership, referral)
    _raise(decline_errors(referral, reason=reason, note=note))
    with transaction.atomic():
        locked = AdvocacyReferral.objects.select_for_update().get(pk=referral.pk)
        decided = decided_message(locked)
        if decided:
            _raise({"referral": decided})
        locked.declined_at = timezone.now()
        locked.decline_reason = reason
        locked.decline_note = (note or "").strip()
        locked.decided_by = actor
        locked.save(update_fields=["declined_at", "decline_reason", "decline_note", "decided_by"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=locked,
            case=locked.case,
            detail={"declined": True, "reason": reason},
        )
    for name in ("declined_at", "decline_reason", "decline_note", "decided_by"):
        setattr(referral, name, getattr(locked, name))
    return referral
