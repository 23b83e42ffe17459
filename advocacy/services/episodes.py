"""Writes of support episodes and the contact log: start, update, log a contact, close."""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.access import advocacy_agency_id
from accounts.models import Membership
from accounts.roles import Role
from advocacy.models import (
    Channel,
    ClosureReason,
    ConsentMethod,
    Contact,
    ContactFrequency,
    Direction,
    EpisodeAllocation,
    NeedArea,
    NeedOutcome,
    ReferralRoute,
    SupportEpisode,
    SupportNeed,
)
from advocacy.selectors import episodes as episode_selectors
from audit.models import Action
from audit.services import record_event
from cases.selectors.core import is_shared_with_agency
from cases.services import core as case_services
from cases.services.events import victim_notifications_follow

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
    return episode_selectors.contact_dates(episode)


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


def _tasks_follow(actor, membership, episode):
    """The victim's pending "tell the victim" tasks go to whoever supports them now."""
    victim_notifications_follow(
        actor=actor, membership=membership, case=episode.case, victims=[episode.victim]
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
        _tasks_follow(actor, membership, episode)
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
            _tasks_follow(actor, membership, episode)
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
        # The episode keeps the latest contact's next-contact date (a contact logged late,
        # behind a later one, leaves it alone).
        if not Contact.objects.filter(episode=locked, at__gt=at).exists():
            locked.next_contact_due = next_contact_due
            changed.append("next_contact_due")
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
        _tasks_follow(actor, membership, episode)
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=episode,
            case=episode.case,
            detail={"closed": True, "reason": closure_reason},
        )
    return episode
