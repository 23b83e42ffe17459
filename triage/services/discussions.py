"""Recording a case's discussion at a meeting: its Case Analysis Summary (CAS).

Each save is a new ``CaseDiscussion`` row, version = the case's previous version + 1, so
earlier versions stay readable. The actions agreed are created in the same transaction.

What carries forward to the case core (through ``cases.services.record.record_update``,
so simple_history keeps the field history and the case gets its own audit row): the
classification (with the decision as its reason), the typologies, the tier and the
priority, each only when the discussion records a value; a blank keeps the case's value.
The decision, risk judgement and next review date stay on the discussion, where the agenda
builder and the reminders read them.

"Refer the victim to advocacy" (``refer_to_advocacy``) puts every victim on the case in the
advocacy agency's referral queue in the same transaction (advocacy.services
.referrals_from_discussion; once per CAS version and victim, never while one waits).
The decision "Refer to intervention" refers the case's perpetrator to fACT in the same
transaction (interventions.services.referral_from_discussion, whose decisions are written
above it); when no perpetrator or delivering agency can be chosen the CAS is refused at
its "decision" field and nothing is saved (closing the meeting is never blocked by it:
undiscussed items carry over).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.access import can
from accounts.roles import Cap
from advocacy.services import referrals as referral_services
from audit.models import Action as AuditAction
from audit.services import record_event
from cases.models import Case, Classification, CodeList, Priority, Tier, code_choices
from cases.selectors.leaks import shared_text_errors
from cases.services import record as record_services
from interventions.services import handoffs as handoff_services
from triage.models import (
    Action,
    CaseDiscussion,
    Decision,
    DiscussionDepth,
    MeetingStatus,
    RiskJudgement,
)
from triage.selectors.actions import owner_agencies_for, possible_owners

# Decisions that keep the case in the partnership's work need a date to come back.
NEEDS_REVIEW_DATE = {Decision.ACCEPT, Decision.MONITOR, Decision.REFER_INTERVENTION}
MAX_ACTIONS = 10


def _require(allowed, message="Your role cannot do this."):
    if not allowed:
        raise PermissionDenied(message)


def _check_choice(errors, field, value, allowed, *, required=False, message=None):
    if not value:
        if required:
            errors[field] = message or "Choose one of the options."
        return
    if value not in allowed:
        errors[field] = "Choose one of the options."


def _check_actions(errors, actions, *, case, today):
    """Each action as action_create would have it: owned by an agency the case is shared
    with (its members can see the case, and reminders about it go to them) and, if named,
    by a usable member of that agency who works actions."""
    clean = []
    if len(actions) > MAX_ACTIONS:
        errors["actions"] = f"Record at most {MAX_ACTIONS} actions at a time."
        return clean
    shared = None
    for index, row in enumerate(actions):
        key = f"actions-{index}-"
        description = (row.get("description") or "").strip()
        agency, owner, due_on = row.get("owner_agency"), row.get("owner"), row.get("due_on")
        if not description:
            errors[key + "description"] = "Enter what is to be done."
        if agency is None or agency.partnership_id != case.partnership_id:
            errors[key + "owner_agency"] = "Choose the agency that owns the action."
        else:
            if shared is None:
                shared = set(owner_agencies_for(case).values_list("pk", flat=True))
            if agency.pk not in shared:
                errors[key + "owner_agency"] = "Choose an agency the case is shared with."
            if owner is not None and not possible_owners(agency).filter(pk=owner.pk).exists():
                errors[key + "owner"] = f"Choose a member of {agency} who works actions."
        if due_on is None:
            errors[key + "due_on"] = "Enter the date the action is due."
        elif due_on < today:
            errors[key + "due_on"] = "The due date cannot be in the past."
        clean.append({**row, "description": description})
    return clean


def discussion_errors(
    *,
    item,
    summary,
    risk_judgement,
    decision,
    classification="",
    typologies=(),
    risk_rationale="",
    priority="",
    tier="",
    next_review_on=None,
    depth=DiscussionDepth.FULL,
    actions=(),
    refer_to_advocacy=False,
    decision_note="",
    share_anyway=False,
):
    """Every problem with a discussion and its actions, keyed by field, and the actions
    as they would be saved. The CAS form asks for these too, so a page reports them all
    in one pass (``None`` for a value the form could not read).

    The texts go into the minutes, which health (the perpetrator's clinicians) receive: a
    text holding a victim's contact details is refused until the chair confirms
    ``share_anyway`` (cases.selectors.leaks)."""
    meeting, case = item.meeting, item.case
    today = timezone.localdate()
    errors = {}
    if meeting.status != MeetingStatus.IN_PROGRESS:
        errors["meeting"] = "Start the meeting before recording discussions."
    if item.removed_at is not None:
        errors["item"] = "This case has been taken off the agenda."
    if not (summary or "").strip():
        errors["summary"] = "Enter what is known."
    _check_choice(errors, "classification", classification, Classification.values)
    _check_choice(
        errors,
        "risk_judgement",
        risk_judgement,
        RiskJudgement.values,
        required=True,
        message="Choose the risk judgement.",
    )
    _check_choice(errors, "priority", priority, Priority.values)
    _check_choice(errors, "tier", tier, Tier.values)
    _check_choice(
        errors, "decision", decision, Decision.values, required=True, message="Choose a decision."
    )
    _check_choice(errors, "depth", depth, DiscussionDepth.values, required=True)
    if risk_judgement == RiskJudgement.HIGH and not (risk_rationale or "").strip():
        errors["risk_rationale"] = "Explain the high risk judgement."
    if next_review_on is None and decision in NEEDS_REVIEW_DATE:
        errors["next_review_on"] = "Enter the date the case comes back for review."
    elif next_review_on is not None and next_review_on < today:
        errors["next_review_on"] = "The review date cannot be in the past."
    typologies = list(typologies or ())
    allowed_typologies = set(
        code_choices(CodeList.TYPOLOGY, case.partnership_id).values_list("pk", flat=True)
    )
    if any(code.pk not in allowed_typologies for code in typologies):
        errors["typologies"] = "Choose typologies from the list."
    if refer_to_advocacy:
        problem = referral_services.discussion_referral_problem(case)
        if problem:
            errors["refer_to_advocacy"] = problem
    if decision == Decision.REFER_INTERVENTION and "decision" not in errors:
        problem = handoff_services.handoff_problem(case)
        if problem:
            errors["decision"] = problem
    actions = _check_actions(errors, list(actions or ()), case=case, today=today)
    texts = {
        "summary": summary,
        "risk_rationale": risk_rationale,
        "decision_note": decision_note,
    }
    for field, warning in shared_text_errors(case, texts, share_anyway=share_anyway).items():
        errors.setdefault(field, warning)
    return errors, actions


def discussion_record(
    *,
    actor,
    membership,
    item,
    summary,
    risk_judgement,
    decision,
    classification="",
    typologies=(),
    risk_rationale="",
    priority="",
    tier="",
    decision_note="",
    next_review_on=None,
    depth=DiscussionDepth.FULL,
    actions=(),
    refer_to_advocacy=False,
    share_anyway=False,
):
    """Record one agenda item's discussion as a new CAS version, its actions, and carry the
    agreed fields forward to the case core."""
    _require(can(membership, Cap.RUN_CLINIC), "Only a clinic chair records discussions.")
    meeting = item.meeting
    if meeting.partnership_id != membership.agency.partnership_id:
        raise PermissionDenied("Not your partnership's meeting.")
    case = item.case
    summary = (summary or "").strip()
    typologies = list(typologies or ())
    errors, actions = discussion_errors(
        item=item,
        summary=summary,
        risk_judgement=risk_judgement,
        decision=decision,
        classification=classification,
        typologies=typologies,
        risk_rationale=risk_rationale,
        priority=priority,
        tier=tier,
        next_review_on=next_review_on,
        depth=depth,
        actions=actions,
        refer_to_advocacy=refer_to_advocacy,
        decision_note=decision_note,
        share_anyway=share_anyway,
    )
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        last = CaseDiscussion.objects.filter(case=case).aggregate(last=Max("version"))["last"]
        discussion = CaseDiscussion.objects.create(
            case=case,
            meeting=meeting,
            agenda_item=item,
            version=(last or 0) + 1,
            depth=depth,
            summary=summary,
            classification=classification or "",
            risk_judgement=risk_judgement,
            risk_rationale=(risk_rationale or "").strip(),
            priority=priority or "",
            tier=tier or "",
            decision=decision,
            decision_note=(decision_note or "").strip(),
            next_review_on=next_review_on,
            refer_to_advocacy=bool(refer_to_advocacy),
            recorded_by=actor,
        )
        discussion.typologies.set(typologies)
        record_event(
            action=AuditAction.CREATE,
            actor=actor,
            membership=membership,
            obj=discussion,
            case=case,
            detail={
                "meeting_id": meeting.pk,
                "version": discussion.version,
                "decision": decision,
                "actions": len(actions),
                "refer_to_advocacy": bool(refer_to_advocacy),
            },
        )
        created_actions = []
        for row in actions:
            action = Action.objects.create(
                partnership_id=meeting.partnership_id,
                case=case,
                discussion=discussion,
                description=row["description"],
                owner_agency=row["owner_agency"],
                owner=row.get("owner"),
                due_on=row["due_on"],
                created_by=actor,
            )
            record_event(
                action=AuditAction.CREATE,
                actor=actor,
                membership=membership,
                obj=action,
                case=case,
                detail={"discussion_id": discussion.pk},
            )
            created_actions.append(action)
        carry_forward(actor=actor, membership=membership, discussion=discussion)
        referral_services.referrals_from_discussion(
            actor=actor, membership=membership, discussion=discussion
        )
        handoff_services.referral_from_discussion(
            actor=actor, membership=membership, discussion=discussion
        )
    discussion.created_actions = created_actions
    return discussion


def carry_forward(*, actor, membership, discussion):
    """Apply the discussion's agreed fields to the case core (see the module docstring)."""
    fields = {}
    case = Case.objects.get(pk=discussion.case_id)
    if discussion.classification and discussion.classification != case.classification:
        fields["classification"] = discussion.classification
        note = f": {discussion.decision_note}" if discussion.decision_note else ""
        fields["classification_reason"] = (
            f"Clinic decision ({discussion.meeting or 'between meetings'}, CAS "
            f"v{discussion.version}): {discussion.get_decision_display()}{note}"
        )[:5000]
    typologies = list(discussion.typologies.all())
    if typologies:
        fields["typologies"] = typologies
    if discussion.tier:
        fields["tier"] = discussion.tier
    if discussion.priority:
        fields["priority"] = discussion.priority
    if not fields:
        return {}
    _case, changed = record_services.record_update(
        actor=actor, membership=membership, case=case, **fields
    )
    return changed
