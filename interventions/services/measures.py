"""Recording a psychometric measure on an enrolment, pre or post.

Rules (the forms and the API ask ``measure_errors`` so every problem shows in one pass):
- only the provider agency's members record one (the clinical compartment);
- the instrument is one the programme takes (Programme.measures), scored by the risk
  engine with every item answered (a partial AAQ-II total would read as a lower score);
- one pre and one post per instrument and enrolment; the date is not in the future nor
  before the referral, and a post is not before its pre;
- a post is taken at the end: once the enrolment has a session attended (a post before any
  session would measure nothing). The audit row names the instrument and timing, never a
  score or an answer.
"""

from django.db import transaction
from django.utils import timezone

from audit.models import Action
from interventions.models import Measure, MeasureTiming
from interventions.services.enrolments import _audit, _require_provider
from risk.services import scored_fields


def measure_errors(enrolment, *, instrument, timing, taken_on, today=None):
    """{field: message} for everything but the answers."""
    today = today or timezone.localdate()
    errors = {}
    taken = {(m.instrument_id, m.timing): m for m in enrolment.measures.all()}
    if instrument is None or instrument not in enrolment.programme.measures.all():
        errors["instrument"] = "Choose a measure this programme takes."
    if timing not in MeasureTiming.values:
        errors["timing"] = "Choose pre or post."
    elif instrument is not None and (instrument.pk, timing) in taken:
        label = "pre" if timing == MeasureTiming.PRE else "post"
        errors["timing"] = f"The {label} {instrument.name} is already recorded."
    elif timing == MeasureTiming.POST and enrolment.attended_count == 0:
        errors["timing"] = "Take the post measure at the end, once sessions are attended."
    if taken_on is None:
        errors["taken_on"] = "Enter the date the measure was taken."
    elif taken_on > today:
        errors["taken_on"] = "The date cannot be in the future."
    elif taken_on < enrolment.referred_on:
        errors["taken_on"] = (
            f"The date cannot be before the referral ({enrolment.referred_on:%d/%m/%Y})."
        )
    elif timing == MeasureTiming.POST and instrument is not None:
        pre = taken.get((instrument.pk, MeasureTiming.PRE))
        if pre is not None and taken_on < pre.taken_on:
            errors["taken_on"] = (
                f"The post measure cannot be before the pre ({pre.taken_on:%d/%m/%Y})."
            )
    return errors


def measure_record(*, actor, membership, enrolment, instrument, timing, taken_on, answers):
    """Score the answers with the instrument's current version and keep them."""
    _require_provider(membership, enrolment)
    errors = measure_errors(enrolment, instrument=instrument, timing=timing, taken_on=taken_on)
    fields = scored_fields(
        instrument=None if "instrument" in errors else instrument,
        answers=answers,
        errors=errors,
        actor=actor,
    )
    with transaction.atomic():
        measure = Measure.objects.create(
            enrolment=enrolment,
            timing=timing,
            taken_on=taken_on,
            **fields,
        )
        _audit(
            actor=actor,
            membership=membership,
            obj=measure,
            case=enrolment.case,
            action=Action.CREATE,
            enrolment=enrolment.pk,
            instrument=instrument.code,
            timing=timing,
        )
    return measure
