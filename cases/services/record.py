"""Writes to the case record: core fields, closure, orders and breaches, criminal-justice
outcomes and re-offending events. Keyword-only, one transaction, one audit row each;
field-level history comes from simple_history on the models."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.access import can_edit_case_core
from accounts.roles import AgencyKind, Role
from audit.models import Action
from audit.services import record_event
from cases.models import (
    Case,
    Classification,
    CodeList,
    CrimeScreenEntry,
    CriminalJusticeOutcome,
    NotificationTrigger,
    OffenceLevel,
    OrderBreach,
    OrderDecision,
    OrderKind,
    PartyRole,
    Priority,
    ProtectiveOrder,
    ReoffendingEvent,
    ReoffendingSource,
    ReoffendingVictim,
    Tier,
)
from cases.models.reference import in_use_during, in_use_on
from cases.selectors.leaks import shared_text_errors
from cases.services.events import victim_notifications_follow, victim_notifications_raise
from cases.services.external import clean_external_id, external_id_errors, external_id_saved


def _require(allowed, message="Your role cannot do this."):
    if not allowed:
        raise PermissionDenied(message)


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _check_code(errors, field, code, code_list, case, *, keep=(), on=None):
    """A code must be in the list and in use for the case's partnership on ``on``, the date
    of the event it describes, or already held. Without ``on`` the code describes the
    whole case (relationship, typologies): in use on some day the case was open, so a
    historic case takes the codes of its time and a live one today's."""
    if code is None:
        return
    if code.code_list != code_list:
        errors[field] = "Choose a code from the list."
        return
    if code.pk in keep:
        return
    if on is not None:
        problem = in_use_on(code, case.partnership_id, on)
    else:
        problem = in_use_during(code, case.partnership_id, *case.open_span())
    if problem:
        errors[field] = problem


def earliest_event(case, crime_reference=""):
    """The earliest date the case knows of, as (date, what): the case opened, its first
    referral received, or its crime (a crime-screen entry linked to the case or with
    ``crime_reference``) recorded or begun. Nothing about the case can be dated before."""
    candidates = [(case.opened_on, "the case was opened")]
    first = case.referrals.order_by("received_on").values_list("received_on", flat=True).first()
    if first:
        candidates.append((first, "the first referral was received"))
    crimes = CrimeScreenEntry.objects.filter(partnership_id=case.partnership_id)
    reference = (crime_reference or "").strip()
    crimes = crimes.filter(
        Q(case=case) | Q(crime_reference__iexact=reference) if reference else Q(case=case)
    )
    for recorded, started in crimes.values_list("recorded_on", "stalking_started_on"):
        candidates.append((recorded, "the crime was recorded"))
        if started:
            candidates.append((started, "the stalking began"))
    return min(candidates, key=lambda candidate: candidate[0])


def _future(day):
    return day is not None and day > timezone.localdate()


# ---------------------------------------------------------------- core record


class _Keep:
    def __repr__(self):
        return "KEEP"


KEEP = _Keep()  # a field not given keeps its value (None and "" mean "not recorded")


def record_update(
    *,
    actor,
    membership,
    case,
    classification=KEEP,
    classification_reason=KEEP,
    offence_level=KEEP,
    tier=KEEP,
    priority=KEEP,
    relationship=KEEP,
    typologies=KEEP,
    lead_agency=KEEP,
    officer_in_charge=KEEP,
    monitoring_started_on=KEEP,
    external_source=KEEP,
    external_id=KEEP,
):
    """Change the case's core record. A field not given keeps its value; blank means
    "not recorded", which is distinct from a "not known" value or code (tier "none" is a
    decision: no tier). ``monitoring_started_on``: the day monitoring began (the six
    months of monitoring after closure count from it)."""
    _require(can_edit_case_core(membership), "Only police and the clinic chair change the record.")
    given = {
        key: value
        for key, value in {
            "classification": classification,
            "classification_reason": classification_reason,
            "offence_level": offence_level,
            "tier": tier,
            "priority": priority,
            "relationship": relationship,
            "lead_agency": lead_agency,
            "officer_in_charge": officer_in_charge,
            "monitoring_started_on": monitoring_started_on,
        }.items()
        if value is not KEEP
    }
    for key in ("classification", "classification_reason", "offence_level", "tier", "priority"):
        if key in given:
            given[key] = (given[key] or "").strip()
    errors = {}
    choices = {
        "classification": Classification.values,
        "offence_level": OffenceLevel.values,
        "tier": Tier.values,
        "priority": Priority.values,
    }
    for field, allowed in choices.items():
        if given.get(field) and given[field] not in allowed:
            errors[field] = "Choose one of the options."
    new_classification = given.get("classification", case.classification)
    reason = given.get("classification_reason", case.classification_reason)
    if new_classification and not reason:
        errors["classification_reason"] = "Enter the reason for the classification."
    elif len(reason) > 5000:
        errors["classification_reason"] = "Reason must be 5000 characters or fewer."
    if given.get("relationship") is not None:
        _check_code(
            errors,
            "relationship",
            given["relationship"],
            CodeList.RELATIONSHIP,
            case,
            keep={case.relationship_id},
        )
    current_typology_ids = set(case.typologies.values_list("pk", flat=True))
    if typologies is not KEEP:
        typologies = list(typologies or ())
        for code in typologies:
            _check_code(
                errors, "typologies", code, CodeList.TYPOLOGY, case, keep=current_typology_ids
            )
    if "lead_agency" in given:
        agency = given["lead_agency"]
        if agency is None or agency.partnership_id != case.partnership_id:
            errors["lead_agency"] = "Choose an agency in this case's partnership."
    officer = given.get("officer_in_charge")
    if (
        officer is not None
        and not officer.memberships.filter(
            agency__partnership_id=case.partnership_id, agency__kind=AgencyKind.POLICE
        ).exists()
    ):
        errors["officer_in_charge"] = "Choose a police officer in this partnership."
    started = given.get("monitoring_started_on")
    if _future(started):
        errors["monitoring_started_on"] = "The date monitoring started cannot be in the future."
    elif started is not None and started < case.opened_on:
        errors["monitoring_started_on"] = (
            f"Monitoring cannot start before the case was opened ({case.opened_on:%-d %B %Y})."
        )
    if external_source is not KEEP or external_id is not KEEP:
        source, external = clean_external_id(
            case.external_source if external_source is KEEP else external_source,
            case.external_id if external_id is KEEP else external_id,
        )
        errors.update(
            external_id_errors(Case, case.partnership_id, source, external, instance=case)
        )
        given.update(external_source=source, external_id=external)
    _raise(errors)

    changed = {}
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        for field, value in given.items():
            if field in ("relationship", "lead_agency", "officer_in_charge"):
                differs = getattr(locked, f"{field}_id") != (value.pk if value else None)
            else:
                differs = getattr(locked, field) != value
            if differs:
                changed[field] = [str(getattr(locked, field) or ""), str(value or "")]
                setattr(locked, field, value)
        if changed:
            locked._change_reason = "Record updated"
            with external_id_saved(locked):
                locked.save()
        if typologies is not KEEP and {c.pk for c in typologies} != current_typology_ids:
            locked.typologies.set(typologies)
            changed["typologies"] = sorted(code.label for code in typologies)
        if changed:
            record_event(
                action=Action.UPDATE,
                actor=actor,
                membership=membership,
                obj=locked,
                detail={"changed": changed},
            )
        if "officer_in_charge" in changed:
            victim_notifications_follow(actor=actor, membership=membership, case=locked)
    return locked, changed


# ---------------------------------------------------------------- closure


def case_close(*, actor, membership, case, reason, note="", closed_on=None):
    """Close a case with a controlled reason. It is then monitored for six months."""
    _require(can_edit_case_core(membership), "Only police and the clinic chair close cases.")
    closed_on = closed_on or timezone.localdate()
    errors = {}
    if case.closed_on:
        errors["reason"] = "The case is already closed. Reopen it first."
    if reason is None:
        errors["reason"] = "Choose the reason for closing the case."
    else:
        _check_code(errors, "reason", reason, CodeList.CLOSURE_REASON, case, on=closed_on)
    if _future(closed_on):
        errors["closed_on"] = "The date closed cannot be in the future."
    elif closed_on < case.opened_on:
        errors["closed_on"] = "The date closed cannot be before the case was opened."
    if reason is not None and reason.code == "other" and not (note or "").strip():
        errors["note"] = "Enter a note explaining the reason 'Other'."
    _raise(errors)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        locked.closed_on = closed_on
        locked.closure_reason = reason
        locked.closure_note = (note or "").strip()
        locked._change_reason = "Case closed"
        locked.save()
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=locked,
            reason=locked.closure_note,
            detail={
                "closed": closed_on.isoformat(),
                "closure_reason": reason.code,
                "monitoring_until": locked.monitoring_until.isoformat(),
            },
        )
        victim_notifications_raise(
            actor=actor,
            membership=membership,
            case=locked,
            trigger=NotificationTrigger.CASE_CLOSED,
            source_key=f"case:{locked.pk}:closed:{closed_on.isoformat()}",
            occurred_on=closed_on,
        )
    return locked


def case_reopen(*, actor, membership, case, reason):
    """Reopen a closed (or monitored) case. The closure stays in the case's history."""
    _require(can_edit_case_core(membership), "Only police and the clinic chair reopen cases.")
    errors = {}
    if not case.closed_on:
        errors["reason"] = "The case is open already."
    elif not (reason or "").strip():
        errors["reason"] = "Enter why the case is being reopened."
    _raise(errors)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        previous = {
            "closed_on": locked.closed_on.isoformat(),
            "closure_reason": getattr(locked.closure_reason, "code", ""),
        }
        if locked.monitoring_started_on:
            # Monitoring ends with the reopening; a later closure monitors afresh.
            previous["monitoring_started_on"] = locked.monitoring_started_on.isoformat()
            locked.monitoring_started_on = None
        locked.closed_on = None
        locked.closure_reason = None
        locked.closure_note = ""
        locked._change_reason = "Case reopened"
        locked.save()
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=locked,
            reason=reason.strip(),
            detail={"reopened": True, "previously": previous},
        )
    return locked


# ---------------------------------------------------------------- orders


def order_party_errors(case, *, subject, protected):
    """An order is made against a perpetrator on the case and protects a victim on it.
    ``{}`` when both are right; a form asks for these too, so every error shows at once."""
    errors = {}
    roles = {}
    wanted = [p.pk for p in (subject, protected) if p is not None]
    for person_id, role in case.parties.filter(person_id__in=wanted).values_list(
        "person_id", "role"
    ):
        roles.setdefault(person_id, set()).add(role)
    if subject is None:
        errors["subject"] = "Choose the perpetrator the order is made against."
    elif PartyRole.PERPETRATOR not in roles.get(subject.pk, ()):
        errors["subject"] = "Choose a perpetrator on this case."
    if protected is None:
        errors["protected"] = "Choose the victim the order protects."
    elif PartyRole.VICTIM not in roles.get(protected.pk, ()):
        errors["protected"] = "Choose a victim on this case."
    elif subject is not None and subject.pk == protected.pk:
        errors["protected"] = "The order cannot protect the person it is made against."
    return errors


def _check_order_dates(errors, *, applied_on, decision, decided_on, expires_on):
    if applied_on is None:
        errors["applied_on"] = "Enter the date the order was applied for."
    elif _future(applied_on):
        errors["applied_on"] = "The date applied cannot be in the future."
    if decision not in OrderDecision.values:
        errors["decision"] = "Choose the decision."
        return
    if decision == OrderDecision.PENDING:
        if decided_on:
            errors["decided_on"] = "Leave the decision date empty while the order is pending."
        if expires_on:
            errors["expires_on"] = "An order awaiting a decision has no expiry date."
        return
    if decided_on is None:
        errors["decided_on"] = "Enter the date of the decision."
    elif _future(decided_on):
        errors["decided_on"] = "The decision date cannot be in the future."
    elif applied_on and decided_on < applied_on:
        errors["decided_on"] = "The decision date cannot be before the date applied."
    if expires_on is not None:
        if decision != OrderDecision.GRANTED:
            errors["expires_on"] = "Only a granted order has an expiry date."
        elif decided_on and expires_on <= decided_on:
            errors["expires_on"] = "The expiry date must be after the decision date."


def order_errors(case, *, subject, protected, kind, applied_on, decision, decided_on, expires_on):
    """Every problem with a new order, keyed by field (``{}``: none). The form asks for
    these too, so the page reports them all in one pass."""
    errors = {}
    if kind not in OrderKind.values:
        errors["kind"] = "Choose the kind of order."
    errors.update(order_party_errors(case, subject=subject, protected=protected))
    _check_order_dates(
        errors,
        applied_on=applied_on,
        decision=decision,
        decided_on=decided_on,
        expires_on=expires_on,
    )
    return errors


def order_create(
    *,
    actor,
    membership,
    case,
    subject,
    kind,
    applied_on,
    protected=None,
    decision=OrderDecision.PENDING,
    decided_on=None,
    conditions="",
    positive_requirements="",
    expires_on=None,
    share_anyway=False,
):
    """An order or application against a perpetrator on the case, protecting a victim on
    it (both required). A granted order raises the "tell the victim" tasks."""
    _require(can_edit_case_core(membership), "Only police and the clinic chair record orders.")
    errors = order_errors(
        case,
        subject=subject,
        protected=protected,
        kind=kind,
        applied_on=applied_on,
        decision=decision,
        decided_on=decided_on,
        expires_on=expires_on,
    )
    texts = {"conditions": conditions, "positive_requirements": positive_requirements}
    _raise({**shared_text_errors(case, texts, share_anyway=share_anyway), **errors})
    with transaction.atomic():
        order = ProtectiveOrder.objects.create(
            case=case,
            subject=subject,
            protected=protected,
            kind=kind,
            applied_on=applied_on,
            decision=decision,
            decided_on=decided_on,
            conditions=(conditions or "").strip(),
            positive_requirements=(positive_requirements or "").strip(),
            expires_on=expires_on,
            created_by=actor,
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=order,
            case=case,
            detail={"kind": kind, "decision": decision},
        )
        if decision == OrderDecision.GRANTED:
            victim_notifications_raise(
                actor=actor,
                membership=membership,
                case=case,
                trigger=NotificationTrigger.ORDER_GRANTED,
                source_key=f"order:{order.pk}:granted",
                occurred_on=decided_on,
            )
    return order


def order_decide(
    *,
    actor,
    membership,
    order,
    decision,
    decided_on=None,
    conditions=None,
    positive_requirements=None,
    expires_on=None,
    share_anyway=False,
):
    """Record the court's decision on an order (or change its conditions and expiry).
    Granting raises the "tell the victim" tasks; a change to a granted order's terms
    (conditions, requirements, expiry) is a variation and raises them again."""
    _require(can_edit_case_core(membership), "Only police and the clinic chair record orders.")
    errors = {}
    _check_order_dates(
        errors,
        applied_on=order.applied_on,
        decision=decision,
        decided_on=decided_on,
        expires_on=expires_on,
    )
    texts = {"conditions": conditions, "positive_requirements": positive_requirements}
    _raise({**shared_text_errors(order.case, texts, share_anyway=share_anyway), **errors})
    with transaction.atomic():
        locked = ProtectiveOrder.objects.select_for_update().get(pk=order.pk)
        before = locked.decision
        terms_before = _order_terms(locked)
        locked.decision = decision
        locked.decided_on = decided_on
        locked.expires_on = expires_on
        if conditions is not None:
            locked.conditions = conditions.strip()
        if positive_requirements is not None:
            locked.positive_requirements = positive_requirements.strip()
        locked.save()
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=locked,
            case=locked.case,
            detail={"decision": [before, decision]},
        )
        _raise_order_notifications(actor, membership, locked, before, terms_before)
    return locked


def _order_terms(order):
    """What a variation changes (a corrected decision date is not a variation)."""
    return (order.conditions, order.positive_requirements, order.expires_on)


def _raise_order_notifications(actor, membership, order, decision_before, terms_before):
    if order.decision != OrderDecision.GRANTED:
        return
    if decision_before != OrderDecision.GRANTED:
        trigger, key = NotificationTrigger.ORDER_GRANTED, f"order:{order.pk}:granted"
    elif _order_terms(order) != terms_before:
        version = order.history.latest().history_id
        trigger, key = NotificationTrigger.ORDER_VARIED, f"order:{order.pk}:varied:{version}"
    else:
        return
    victim_notifications_raise(
        actor=actor,
        membership=membership,
        case=order.case,
        trigger=trigger,
        source_key=key,
        occurred_on=order.decided_on
        if trigger == NotificationTrigger.ORDER_GRANTED
        else timezone.localdate(),
    )


def breach_record(
    *, actor, membership, order, occurred_on, reported_on=None, crime_reference="", note=""
):
    _require(can_edit_case_core(membership), "Only police and the clinic chair record breaches.")
    errors = {}
    if occurred_on is None:
        errors["occurred_on"] = "Enter the date of the breach."
    elif _future(occurred_on):
        errors["occurred_on"] = "The date of the breach cannot be in the future."
    elif order.decision != OrderDecision.GRANTED or not order.decided_on:
        errors["occurred_on"] = "Only a granted order can be breached."
    elif occurred_on < order.decided_on:
        errors["occurred_on"] = "The breach cannot be before the order was made."
    elif order.expires_on and occurred_on > order.expires_on:
        errors["occurred_on"] = "The breach cannot be after the order expired."
    if reported_on is not None:
        if _future(reported_on):
            errors["reported_on"] = "The date reported cannot be in the future."
        elif occurred_on and reported_on < occurred_on:
            errors["reported_on"] = "The date reported cannot be before the breach."
    _raise(errors)
    with transaction.atomic():
        breach = OrderBreach.objects.create(
            order=order,
            occurred_on=occurred_on,
            reported_on=reported_on,
            crime_reference=(crime_reference or "").strip(),
            note=(note or "").strip(),
            created_by=actor,
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=breach,
            case=order.case,
            detail={"order": order.pk},
        )
        victim_notifications_raise(
            actor=actor,
            membership=membership,
            case=order.case,
            trigger=NotificationTrigger.ORDER_BREACHED,
            source_key=f"breach:{breach.pk}",
            # The duty runs from when police learnt of it.
            occurred_on=reported_on or occurred_on,
        )
    return breach


# ---------------------------------------------------------------- outcomes


def outcome_record(
    *,
    actor,
    membership,
    case,
    person,
    outcome,
    outcome_on,
    crime_reference="",
    charge="",
    convicted=None,
    sentence="",
):
    _require(can_edit_case_core(membership), "Only police and the clinic chair record outcomes.")
    errors = {}
    if person is None:
        errors["person"] = "Choose the person the outcome is about."
    elif not case.parties.filter(person=person).exists():
        errors["person"] = "Choose a party to this case."
    if outcome is None:
        errors["outcome"] = "Choose the Home Office outcome code."
    else:
        _check_code(errors, "outcome", outcome, CodeList.OUTCOME, case, on=outcome_on)
    if outcome_on is None:
        errors["outcome_on"] = "Enter the date of the outcome."
    elif _future(outcome_on):
        errors["outcome_on"] = "The date of the outcome cannot be in the future."
    else:
        earliest, what = earliest_event(case, crime_reference)
        if outcome_on < earliest:
            errors["outcome_on"] = (
                f"The date of the outcome cannot be before {what} ({earliest:%-d %B %Y})."
            )
    if convicted is not None and not (charge or "").strip():
        errors["charge"] = "Enter the charge the conviction (or acquittal) relates to."
    if (sentence or "").strip() and convicted is not True:
        errors["sentence"] = "A sentence needs a conviction."
    _raise(errors)
    with transaction.atomic():
        result = CriminalJusticeOutcome.objects.create(
            partnership_id=case.partnership_id,
            case=case,
            person=person,
            outcome=outcome,
            outcome_on=outcome_on,
            crime_reference=(crime_reference or "").strip(),
            charge=(charge or "").strip(),
            convicted=convicted,
            sentence=(sentence or "").strip(),
            created_by=actor,
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=result,
            case=case,
            detail={"outcome": outcome.code},
        )
    return result


# ---------------------------------------------------------------- re-offending

# Police and the clinic chair record any source; probation officers and advocates record
# what their own agency learnt.
SOURCES_BY_ROLE = {
    Role.PROBATION_OFFICER: (ReoffendingSource.PROBATION,),
    Role.ADVOCATE: (ReoffendingSource.ADVOCATE,),
}


def reoffending_sources_for(membership):
    """The sources this member may record a re-offending event under (empty: none)."""
    if can_edit_case_core(membership):
        return tuple(ReoffendingSource.values)
    return SOURCES_BY_ROLE.get(membership.role, ())


def reoffending_anchor(case):
    """The earliest date a re-offence can be recorded from: the case's opening or its
    first referral, whichever is earlier. Behaviour before then is the index offence,
    not re-offending."""
    first_referral = case.referrals.order_by("received_on").values_list("received_on", flat=True)
    first = first_referral.first()
    return min(case.opened_on, first) if first else case.opened_on


def reoffending_record(
    *,
    actor,
    membership,
    case,
    perpetrator,
    occurred_on,
    victim,
    source,
    crime_reference="",
    note="",
):
    allowed = reoffending_sources_for(membership)
    _require(allowed, "Your role cannot record re-offending.")
    errors = {}
    if perpetrator is None:
        errors["perpetrator"] = "Choose the perpetrator."
    elif not case.parties.filter(person=perpetrator, role="perpetrator").exists():
        errors["perpetrator"] = "Choose a perpetrator in this case."
    if victim not in ReoffendingVictim.values:
        errors["victim"] = "Say whether it was the same victim or a new one."
    if source not in ReoffendingSource.values:
        errors["source"] = "Choose where this was learnt from."
    elif source not in allowed:
        errors["source"] = "You can record re-offending only from your own agency's source."
    if occurred_on is None:
        errors["occurred_on"] = "Enter the date of the re-offence."
    elif _future(occurred_on):
        errors["occurred_on"] = "The date cannot be in the future."
    else:
        anchor = reoffending_anchor(case)
        if occurred_on < anchor:
            errors["occurred_on"] = (
                f"Re-offending is counted from {anchor.day} {anchor:%B %Y} (the case's first "
                "referral or opening). Record earlier behaviour in the case summary."
            )
    _raise(errors)
    with transaction.atomic():
        event = ReoffendingEvent.objects.create(
            partnership_id=case.partnership_id,
            case=case,
            perpetrator=perpetrator,
            occurred_on=occurred_on,
            victim=victim,
            source=source,
            crime_reference=(crime_reference or "").strip(),
            note=(note or "").strip(),
            created_by=actor,
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=event,
            case=case,
            detail={"victim": victim, "source": source},
        )
    return event
