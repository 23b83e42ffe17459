"""Every write of risk data: keyword-only, one transaction each, with its audit row.

Rules enforced here (views and API only translate them):
- only a member with ASSESS_RISK in the assessor's agency may change an assessment;
- a draft may be saved with missing answers; completing needs every applicable required
  item, and stores the computed result, level, prompts and review date;
- an override needs a reason (and, where the definition says ``"override": "raise"``,
  may only raise the level);
- a new version of a local tool never changes the version old assessments point at;
- an assessment may be dated in the past (``assessed_on``: not in the future, not before
  1990, not before the subject's date of birth) and its review date is counted from that
  date; a historic rating (a level as recorded elsewhere, no item answers) has no review
  date, no computed level and no override;
- an external id is unique per partnership (cases.models.external).
"""

import calendar
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.access import can
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.models import EXTERNAL_ID_MAX, EXTERNAL_SOURCE_MAX
from risk import scoring
from risk.models import (
    HISTORIC_TO_LEVEL,
    LEVEL_RANK,
    Assessment,
    AssessmentStatus,
    HistoricLevel,
    Instrument,
    InstrumentPurpose,
    InstrumentVersion,
    RiskLevel,
)


def add_months(day, months):
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def can_write_assessment(membership, assessment):
    return can(membership, Cap.ASSESS_RISK) and assessment.agency_id == membership.agency_id


def _require_writer(membership, assessment):
    if not can_write_assessment(membership, assessment):
        raise PermissionDenied("Only the assessor's agency can change this assessment.")


def _require_draft(assessment):
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError({"status": "This assessment is complete; its answers are fixed."})


def _check_meeting(membership, meeting, errors):
    if meeting is not None and meeting.partnership_id != membership.agency.partnership_id:
        errors["meeting"] = "Choose a meeting of your partnership."


# Nothing in a partnership's history predates the stalking risk tools in use.
EARLIEST_ASSESSMENT = date(1990, 1, 1)


def check_assessed_on(assessed_on, today, subject, errors):
    """The case's own dates are no floor: the police or the referrer often complete the
    SASH or DASH before the partnership opens the case, and a migration must not refuse
    those rows. The subject's date of birth is."""
    if assessed_on is None:
        return
    if assessed_on > today:
        errors["assessed_on"] = "The assessment date cannot be in the future."
    elif assessed_on < EARLIEST_ASSESSMENT:
        errors["assessed_on"] = "The assessment date cannot be before 1990."
    elif subject is not None and subject.date_of_birth and assessed_on < subject.date_of_birth:
        errors["assessed_on"] = "The assessment date cannot be before the person was born."


def _check_external_id(partnership_id, external_source, external_id, errors, *, exclude=None):
    if len(external_source) > EXTERNAL_SOURCE_MAX:
        errors["external_source"] = f"Use at most {EXTERNAL_SOURCE_MAX} characters."
    if len(external_id) > EXTERNAL_ID_MAX:
        errors["external_id"] = f"Use at most {EXTERNAL_ID_MAX} characters."
    elif external_id and not errors.get("external_source"):
        taken = Assessment.objects.filter(
            partnership_id=partnership_id, external_source=external_source, external_id=external_id
        )
        if exclude is not None:
            taken = taken.exclude(pk=exclude.pk)
        if taken.exists():
            errors["external_id"] = "Another assessment already has this external id."


def check_instrument(instrument, partnership_id, errors, *, retired_too=False):
    if (
        instrument is None
        or not (instrument.active or retired_too)
        or instrument.purpose != InstrumentPurpose.RISK
        or instrument.partnership_id not in (None, partnership_id)
    ):
        errors["instrument"] = "Choose an instrument."


def assessment_start(
    *,
    actor,
    membership,
    case,
    instrument,
    subject=None,
    meeting=None,
    answers=None,
    assessed_on=None,
    external_source="",
    external_id="",
    today=None,
):
    """A draft on the case with the instrument's current version (and any answers).
    ``assessed_on`` dates it in the past (the date it keeps when completed); by default
    it takes the date it is completed on."""
    if not can(membership, Cap.ASSESS_RISK):
        raise PermissionDenied("Your role does not assess risk.")
    errors = {}
    partnership_id = membership.agency.partnership_id
    today = today or timezone.localdate()
    check_instrument(instrument, partnership_id, errors)
    if subject is not None and not case.parties.filter(person=subject).exists():
        errors["subject"] = "Choose a person on this case."
    _check_meeting(membership, meeting, errors)
    check_assessed_on(assessed_on, today, subject, errors)
    _check_external_id(case.partnership_id, external_source, external_id, errors)
    version = (
        instrument.versions.order_by("-version").first() if "instrument" not in errors else None
    )
    if "instrument" not in errors and version is None:
        errors["instrument"] = "This instrument has no version yet."
    cleaned, item_errors = ({}, {})
    if version is not None and answers:
        cleaned, item_errors = scoring.clean_answers(version.definition, answers, complete=False)
    if item_errors:
        raise AnswerErrors(item_errors, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            partnership_id=case.partnership_id,
            case=case,
            instrument_version=version,
            subject=subject,
            assessor=actor,
            agency=membership.agency,
            meeting=meeting,
            answers=cleaned,
            assessed_on=assessed_on or today,
            external_source=external_source,
            external_id=external_id,
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=assessment,
            case=case,
            detail={
                "instrument": instrument.code,
                "version": version.version,
                **({"assessed_on": assessed_on.isoformat()} if assessed_on else {}),
                **_external_detail(external_source, external_id),
            },
        )
    return assessment


def _external_detail(external_source, external_id):
    if not external_id:
        return {}
    return {"external_source": external_source, "external_id": external_id}


def _backdated(assessment):
    """A draft started with a date before the day it was made keeps that date."""
    return assessment.assessed_on < timezone.localdate(assessment.created_at)


def assessment_save_answers(
    *, actor, membership, assessment, answers, meeting=None, set_meeting=False
):
    """Save a draft's answers; missing answers are allowed, wrong ones are not."""
    _require_writer(membership, assessment)
    _require_draft(assessment)
    definition = assessment.instrument_version.definition
    cleaned, errors = scoring.clean_answers(definition, answers, complete=False)
    field_errors = {}
    if set_meeting:
        _check_meeting(membership, meeting, field_errors)
    if errors:
        raise AnswerErrors(errors, field_errors)
    if field_errors:
        raise ValidationError(field_errors)
    with transaction.atomic():
        assessment.answers = cleaned
        fields = ["answers"]
        if set_meeting:
            assessment.meeting = meeting
            fields.append("meeting")
        assessment.save(update_fields=fields)
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=assessment,
            case=assessment.case,
            detail={"answered": len(cleaned)},
        )
    return assessment


class AnswerErrors(ValidationError):
    """Errors keyed by item code, kept for forms; ``message_dict`` holds them under
    ``answers`` for the API (field-keyed 400)."""

    def __init__(self, item_errors, other_errors=None):
        self.item_errors = item_errors
        messages = {"answers": [f"{code}: {msg}" for code, msg in item_errors.items()]}
        messages.update({k: [v] for k, v in (other_errors or {}).items()})
        super().__init__(messages)


def score_answers(*, instrument, answers, errors):
    """Score a measure or questionnaire answered in one go with the instrument's current
    version: (version, cleaned answers, result). Raises AnswerErrors (every required item
    needs an answer) or a ValidationError carrying the caller's field ``errors`` too, so
    every problem is reported at once. ``instrument`` None (already an error) scores
    nothing."""
    version = instrument.versions.order_by("-version").first() if instrument else None
    item_errors, cleaned, result = {}, {}, None
    if version is not None:
        cleaned, result, item_errors = scoring.complete_result(version.definition, answers)
    if item_errors:
        raise AnswerErrors(item_errors, errors)
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})
    return version, cleaned, result


def scored_fields(*, instrument, answers, errors, actor):
    """score_answers as the fields of a risk.models.InstrumentAnswers row recorded by
    ``actor`` (the caller adds what it is about, the timing and the date)."""
    version, cleaned, result = score_answers(instrument=instrument, answers=answers, errors=errors)
    return {
        "instrument": instrument,
        "instrument_version": version,
        "answers": cleaned,
        "result": result,
        "score": result["score"],
        "recorded_by": actor,
    }


def _check_override(definition, computed_level, override_level, override_reason, errors):
    override_reason = (override_reason or "").strip()
    if override_level and override_level not in RiskLevel.values:
        errors["override_level"] = "Choose low, medium or high."
        return
    if override_level and not override_reason:
        errors["override_reason"] = "Give the reason for your professional judgement."
    if not override_level and override_reason:
        errors["override_level"] = "Choose the level your professional judgement gives."
    if (
        override_level
        and definition.get("override") == "raise"
        and LEVEL_RANK[override_level] <= LEVEL_RANK.get(computed_level, 0)
    ):
        errors["override_level"] = (
            "This instrument's level can only be raised by professional judgement: "
            f"choose a level above {computed_level}."
        )


def assessment_complete(
    *,
    actor,
    membership,
    assessment,
    answers=None,
    review_due_on=None,
    meeting=None,
    set_meeting=False,
    override_level="",
    override_reason="",
    assessed_on=None,
    today=None,
):
    """Score the answers and complete the assessment: result, level, prompts, review date.

    Dated ``assessed_on`` when given, else the draft's own date if it was started with
    one in the past, else today; the review date is counted from that date, so one long
    past is recorded as it was and not reminded about (risk.selectors.reviews_due)."""
    _require_writer(membership, assessment)
    _require_draft(assessment)
    today = today or timezone.localdate()
    definition = assessment.instrument_version.definition
    raw = assessment.answers if answers is None else answers
    cleaned, item_errors = scoring.clean_answers(definition, raw, complete=True)
    errors = {}
    if set_meeting:
        _check_meeting(membership, meeting, errors)
    check_assessed_on(assessed_on, today, assessment.subject, errors)
    if assessed_on is None:
        assessed_on = assessment.assessed_on if _backdated(assessment) else today
    if review_due_on is not None and review_due_on <= today:
        errors["review_due_on"] = "The review date must be in the future."
    result = scoring.score(definition, cleaned) if not item_errors else {}
    if not item_errors:
        _check_override(definition, result["level"], override_level, override_reason, errors)
    if item_errors:
        raise AnswerErrors(item_errors, errors)
    if errors:
        raise ValidationError(errors)
    level = override_level or result["level"]
    with transaction.atomic():
        assessment.answers = cleaned
        assessment.result = result
        assessment.computed_level = result["level"]
        assessment.override_level = override_level or ""
        assessment.override_reason = (override_reason or "").strip() if override_level else ""
        assessment.level = level
        assessment.review_due_on = review_due_on or add_months(
            assessed_on, scoring.review_months(definition, level)
        )
        assessment.status = AssessmentStatus.COMPLETE
        assessment.assessed_on = assessed_on
        assessment.completed_at = timezone.now()
        if set_meeting:
            assessment.meeting = meeting
        assessment.save()
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=assessment,
            case=assessment.case,
            detail={
                "completed": True,
                "score": result["score"],
                "computed_level": result["level"],
                "level": level,
                "assessed_on": assessed_on.isoformat(),
            },
        )
    return assessment


def historic_version(instrument, assessed_on):
    """The instrument's version in force on ``assessed_on`` (the first version for a date
    before it, or no date); None when it has no version."""
    versions = instrument.versions.order_by("effective_from", "version")
    return (
        versions.filter(effective_from__lte=assessed_on).last() if assessed_on else None
    ) or versions.first()


def historic_rating_record(
    *,
    actor,
    membership,
    case,
    subject,
    instrument,
    assessed_on,
    recorded_level,
    external_source="",
    external_id="",
    note="",
    today=None,
):
    """A rating made before this system, as it was recorded (HistoricLevel: the SASH levels
    services used, "moderate/high" and "not completed" among them): no item answers, no
    computed result, the common level mapped from it (HISTORIC_TO_LEVEL) and no review
    date, so it never causes a reminder. Dated with the instrument's version in force on
    ``assessed_on`` (the first version for a date before it)."""
    if not can(membership, Cap.ASSESS_RISK):
        raise PermissionDenied("Your role does not assess risk.")
    today = today or timezone.localdate()
    errors = {}
    # A tool since retired still dates a rating made with it.
    check_instrument(instrument, membership.agency.partnership_id, errors, retired_too=True)
    if subject is not None and not case.parties.filter(person=subject).exists():
        errors["subject"] = "Choose a person on this case."
    if assessed_on is None:
        errors["assessed_on"] = "Enter the date of the rating."
    check_assessed_on(assessed_on, today, subject if "subject" not in errors else None, errors)
    if recorded_level not in HistoricLevel.values:
        errors["recorded_level"] = "Choose low, moderate, moderate/high, high or not completed."
    _check_external_id(case.partnership_id, external_source, external_id, errors)
    version = None
    if "instrument" not in errors:
        version = historic_version(instrument, assessed_on)
        if version is None:
            errors["instrument"] = "This instrument has no version yet."
    if errors:
        raise ValidationError(errors)
    level = HISTORIC_TO_LEVEL[recorded_level]
    with transaction.atomic():
        assessment = Assessment.objects.create(
            partnership_id=case.partnership_id,
            case=case,
            instrument_version=version,
            subject=subject,
            assessor=actor,
            agency=membership.agency,
            assessed_on=assessed_on,
            status=AssessmentStatus.COMPLETE,
            historic=True,
            recorded_level=recorded_level,
            computed_level=level,
            level=level,
            note=(note or "").strip(),
            external_source=external_source,
            external_id=external_id,
            completed_at=timezone.now(),
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=assessment,
            case=case,
            detail={
                "historic": True,
                "instrument": instrument.code,
                "recorded_level": recorded_level,
                "level": level,
                "assessed_on": assessed_on.isoformat(),
                **_external_detail(external_source, external_id),
            },
        )
    return assessment


def assessment_set_external_id(*, actor, membership, assessment, external_source, external_id):
    """Set or clear (blank id) where the assessment came from in an earlier system."""
    _require_writer(membership, assessment)
    errors = {}
    _check_external_id(
        assessment.partnership_id, external_source, external_id, errors, exclude=assessment
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assessment.external_source = external_source
        assessment.external_id = external_id
        assessment.save(update_fields=["external_source", "external_id"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=assessment,
            case=assessment.case,
            detail={"external_source": external_source, "external_id": external_id},
        )
    return assessment


def assessment_override(*, actor, membership, assessment, override_level, override_reason):
    """Record (or clear, with an empty level) professional judgement on a complete one."""
    _require_writer(membership, assessment)
    if assessment.status != AssessmentStatus.COMPLETE:
        raise ValidationError({"status": "Complete the assessment before overriding its level."})
    if assessment.historic:
        raise ValidationError(
            {"status": "A historic rating is kept as it was recorded; it has nothing to override."}
        )
    errors = {}
    _check_override(
        assessment.instrument_version.definition,
        assessment.computed_level,
        override_level,
        override_reason,
        errors,
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assessment.override_level = override_level or ""
        assessment.override_reason = override_reason.strip() if override_level else ""
        assessment.level = override_level or assessment.computed_level
        assessment.save(update_fields=["override_level", "override_reason", "level"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=assessment,
            case=assessment.case,
            reason=assessment.override_reason,
            detail={"override_level": assessment.override_level, "level": assessment.level},
        )
    return assessment


def assessment_set_review_date(*, actor, membership, assessment, review_due_on, today=None):
    _require_writer(membership, assessment)
    today = today or timezone.localdate()
    if assessment.historic:
        raise ValidationError(
            {"review_due_on": "A historic rating has no review: start a new assessment."}
        )
    if review_due_on is None or review_due_on <= today:
        raise ValidationError({"review_due_on": "The review date must be in the future."})
    with transaction.atomic():
        assessment.review_due_on = review_due_on
        assessment.save(update_fields=["review_due_on"])
        record_event(
            action=Action.UPDATE,
            actor=actor,
            membership=membership,
            obj=assessment,
            case=assessment.case,
            detail={"review_due_on": review_due_on.isoformat()},
        )
    return assessment


# --- Local tools ---------------------------------------------------------------------


def _require_instrument_manager(membership):
    if not can(membership, Cap.MANAGE_INSTRUMENTS):
        raise PermissionDenied("Only the partnership admin manages local tools.")


def _validate(definition):
    try:
        scoring.validate_definition(definition)
    except scoring.DefinitionError as exc:
        raise ValidationError({"definition": exc.errors}) from exc


def instrument_create(*, actor, membership, code, name, definition, description=""):
    """A local tool of the member's partnership with its first version."""
    _require_instrument_manager(membership)
    partnership_id = membership.agency.partnership_id
    errors = {}
    if not code:
        errors["code"] = "Enter a code."
    elif Instrument.objects.filter(code=code, partnership_id__in=[partnership_id]).exists() or (
        Instrument.objects.filter(code=code, partnership=None).exists()
    ):
        errors["code"] = "An instrument with this code already exists."
    if not (name or "").strip():
        errors["name"] = "Enter a name."
    if errors:
        raise ValidationError(errors)
    _validate(definition)
    with transaction.atomic():
        instrument = Instrument.objects.create(
            partnership_id=partnership_id, code=code, name=name.strip(), description=description
        )
        version = InstrumentVersion.objects.create(
            instrument=instrument,
            version=1,
            effective_from=timezone.localdate(),
            definition=definition,
            created_by=actor,
        )
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=version,
            detail={"instrument": code, "version": 1},
        )
    return instrument


def instrument_new_version(
    *, actor, membership, instrument, definition, name=None, description=None
):
    """A new version of a local tool; earlier versions and their assessments are untouched."""
    _require_instrument_manager(membership)
    if instrument.partnership_id != membership.agency.partnership_id:
        raise PermissionDenied("National instruments change only by a release.")
    if name is not None and not name.strip():
        raise ValidationError({"name": "Enter a name."})
    _validate(definition)
    with transaction.atomic():
        locked = Instrument.objects.select_for_update().get(pk=instrument.pk)
        number = (locked.versions.aggregate(n=Max("version"))["n"] or 0) + 1
        version = InstrumentVersion.objects.create(
            instrument=locked,
            version=number,
            effective_from=timezone.localdate(),
            definition=definition,
            created_by=actor,
        )
        changed = []
        if name is not None and name.strip() != locked.name:
            locked.name = name.strip()
            changed.append("name")
        if description is not None and description != locked.description:
            locked.description = description
            changed.append("description")
        if changed:
            locked.save(update_fields=changed)
        record_event(
            action=Action.CREATE,
            actor=actor,
            membership=membership,
            obj=version,
            detail={"instrument": locked.code, "version": number},
        )
    return version


def load_wording(*, version, wording):
    """Licensed wording for a deployment: {item code: text}. Every code must exist."""
    codes = {item.code for item in scoring.items(version.definition)}
    unknown = sorted(set(wording) - codes)
    if unknown:
        raise ValidationError({"item_wording": f"Unknown item codes: {', '.join(unknown)}"})
    bad = sorted(
        code for code, text in wording.items() if not isinstance(text, str) or not text.strip()
    )
    if bad:
        raise ValidationError({"item_wording": f"Empty wording for: {', '.join(bad)}"})
    with transaction.atomic():
        version.item_wording = {
            **version.item_wording,
            **{c: t.strip() for c, t in wording.items()},
        }
        version.save(update_fields=["item_wording"])
        record_event(
            action=Action.UPDATE,
            obj=version,
            actor_email="manage.py load_instrument_wording",
            detail={"wording_items": len(wording)},
        )
    return version
