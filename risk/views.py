"""Risk pages: instruments and local tools, a case's risk page, assessments.

Capabilities are checked before any lookup (403 says nothing about a record); records
are found through the risk selectors (404 outside the member's scope); every write goes
through risk.services."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.access import can
from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.forms.core import apply_service_errors
from cases.selectors import core as case_selectors
from cases.views.record import case_nav
from risk import chart, scoring, selectors, services
from risk.forms import (
    AnswersForm,
    OverrideForm,
    ReviewDateForm,
    StartForm,
    ToolBuilder,
    initial_from_definition,
)
from risk.models import AssessmentStatus
from triage.selectors import clinics as clinic_selectors


def _status(request, *forms):
    bad = request.method == "POST" and any(f.errors for f in forms)
    return 400 if bad else 200


def _case_context(request, case, title):
    membership = request.membership
    grant = None
    if not case_selectors.is_case_visible_by_link(membership, case):
        grant = case_selectors.active_break_glass(membership, case)
    return {
        "case": case,
        "case_nav": case_nav(case, "risk"),
        "section_title": title,
        "grant": grant,
        "risk_url": reverse("risk:case-risk", args=[case.pk]),
    }


def _record_view(request, context, *, obj, case=None, detail=None):
    """The read's audit row; under break-glass it carries the grant's reason, as the case
    record's pages do."""
    detail = dict(detail or {})
    grant = context["grant"]
    if grant:
        detail["via"] = "break_glass"
    record_event(
        action=Action.VIEW,
        actor=request.user,
        obj=obj,
        case=case,
        reason=grant.reason if grant else "",
        detail=detail,
    )


# --- Instruments ---------------------------------------------------------------------


@member_required(Cap.VIEW_CASES)
def instrument_list(request):
    membership = request.membership
    return render(
        request,
        "risk/instrument_list.html",
        {
            "instruments": selectors.instrument_list(membership),
            "can_manage": can(membership, Cap.MANAGE_INSTRUMENTS),
        },
    )


@member_required(Cap.VIEW_CASES)
def instrument_detail(request, pk):
    membership = request.membership
    instrument = selectors.get_instrument_or_404(membership, pk)
    version = instrument.current
    definition = version.definition if version else {}
    return render(
        request,
        "risk/instrument_detail.html",
        {
            "instrument": instrument,
            "version": version,
            "sections": _sections_for_display(definition, version),
            "bands": definition.get("scoring", {}).get("bands", []),
            "method": definition.get("scoring", {}).get("method", ""),
            "versions": selectors.instrument_versions(instrument),
            "can_edit": can(membership, Cap.MANAGE_INSTRUMENTS)
            and instrument.partnership_id == membership.agency.partnership_id,
        },
    )


def _sections_for_display(definition, version):
    wording = (version.item_wording if version else {}) or {}
    return [
        {
            "label": section.get("label", ""),
            "applies_when": section.get("applies_when"),
            "items": [
                {
                    **item.__dict__,
                    "scale_label": scoring.SCALES.get(item.scale, {}).get("label", item.scale),
                    "wording": wording.get(item.code, ""),
                }
                for item in scoring.items({"sections": [section]})
            ],
        }
        for section in definition.get("sections", [])
    ]


def _builder_page(request, builder, *, instrument=None):
    context = {
        "builder": builder,
        "instrument": instrument,
        "heading": f"New version of {instrument.name}" if instrument else "Add a local tool",
    }
    status = 400 if request.method == "POST" and builder.has_errors else 200
    return render(request, "risk/instrument_form.html", context, status=status)


def _service_errors_to_builder(builder, error):
    messages_by_field = error.message_dict if hasattr(error, "error_dict") else {}
    for field, errors in messages_by_field.items():
        target = field if field in builder.form.fields else None
        builder.form.add_error(target, errors)
    if not messages_by_field:
        builder.form.add_error(None, error.messages)
    builder.summary = []
    builder._collect_summary()
    builder.summary += [("id_name", e) for e in builder.form.non_field_errors()]


@member_required(Cap.MANAGE_INSTRUMENTS)
def instrument_new(request):
    membership = request.membership
    builder = ToolBuilder(request.POST if request.method == "POST" else None)
    if request.method == "POST" and builder.is_valid():
        data = builder.form.cleaned_data
        try:
            instrument = services.instrument_create(
                actor=request.user,
                membership=membership,
                code=data["code"],
                name=data["name"],
                description=data["description"],
                definition=builder.definition,
            )
        except ValidationError as error:
            _service_errors_to_builder(builder, error)
        else:
            messages.success(request, f"{instrument.name} added (version 1).")
            return redirect("risk:instrument-detail", instrument.pk)
    return _builder_page(request, builder)


@member_required(Cap.MANAGE_INSTRUMENTS)
def instrument_edit(request, pk):
    membership = request.membership
    instrument = selectors.get_local_instrument_or_404(membership, pk)
    definition = instrument.current.definition
    items, bands = initial_from_definition(definition)
    builder = ToolBuilder(
        request.POST if request.method == "POST" else None,
        initial={
            "name": instrument.name,
            "code": instrument.code,
            "description": instrument.description,
            "method": definition["scoring"]["method"],
        },
        items=items,
        bands=bands,
        editing=True,
    )
    if request.method == "POST" and builder.is_valid():
        data = builder.form.cleaned_data
        try:
            version = services.instrument_new_version(
                actor=request.user,
                membership=membership,
                instrument=instrument,
                name=data["name"],
                description=data["description"],
                definition=builder.definition,
            )
        except ValidationError as error:
            _service_errors_to_builder(builder, error)
        else:
            messages.success(
                request,
                f"Version {version.version} saved. Earlier assessments keep their version.",
            )
            return redirect("risk:instrument-detail", instrument.pk)
    return _builder_page(request, builder, instrument=instrument)


# --- A case's risk page ----------------------------------------------------------------


@member_required(Cap.VIEW_CASES)
def case_risk(request, case_pk):
    membership = request.membership
    case = case_selectors.get_case_or_404(membership, case_pk)
    context = _case_context(request, case, "Risk")
    assessments = selectors.case_assessments(case)
    risk = selectors.case_risk(case, assessments)
    _record_view(request, context, obj=case, detail={"section": "risk"})
    context.update(
        risk=risk,
        assessments=assessments,
        chart=chart.build(risk.history, timezone.localdate()),
        can_assess=can(membership, Cap.ASSESS_RISK),
        agency_id=membership.agency_id,
    )
    return render(request, "risk/case_risk.html", context)


# --- Assessments -----------------------------------------------------------------------


@member_required(Cap.ASSESS_RISK)
def assessment_start(request, case_pk):
    membership = request.membership
    case = case_selectors.get_case_or_404(membership, case_pk)
    instruments = selectors.startable_instruments(membership)
    parties = case_selectors.parties_for(membership, case)
    meetings = clinic_selectors.meetings_to_link(membership)
    form = StartForm(
        request.POST if request.method == "POST" else None,
        instruments=instruments,
        parties=parties,
        meetings=meetings,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_pk = {i.pk: i for i in instruments}
        people = {p.person.pk: p.person for p in parties}
        try:
            assessment = services.assessment_start(
                actor=request.user,
                membership=membership,
                case=case,
                instrument=by_pk.get(data["instrument"]),
                subject=people.get(data["subject"]),
                meeting=next((m for m in meetings if m.pk == data["meeting"]), None),
                assessed_on=data["assessed_on"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("risk:assessment-answers", assessment.pk)
    context = _case_context(request, case, "Start a risk assessment")
    context["form"] = form
    return render(request, "risk/assessment_start.html", context, status=_status(request, form))


@member_required(Cap.VIEW_CASES)
def assessment_detail(request, pk):
    membership = request.membership
    assessment = selectors.get_assessment_or_404(membership, pk)
    version = assessment.instrument_version
    context = _case_context(request, assessment.case, str(version.instrument.name))
    _record_view(request, context, obj=assessment, case=assessment.case)
    labels = {item.code: item for item in scoring.items(version.definition)}
    context.update(
        assessment=assessment,
        version=version,
        answers=[
            {
                "code": code,
                "label": labels[code].label if code in labels else code,
                "value": _answer_label(labels.get(code), value),
            }
            for code, value in assessment.answers.items()
        ],
        can_write=services.can_write_assessment(membership, assessment),
    )
    return render(request, "risk/assessment_detail.html", context)


def _answer_label(item, value):
    if item is None:
        return value
    options = dict(item.options)
    values = value if isinstance(value, list) else [value]
    return ", ".join(str(options.get(v, v)) for v in values)


def _writable(request, pk):
    membership = request.membership
    assessment = selectors.get_assessment_or_404(membership, pk)
    if not services.can_write_assessment(membership, assessment):
        raise PermissionDenied("Only the assessor's agency can change this assessment.")
    return assessment


def writer_view(view):
    @member_required(Cap.ASSESS_RISK)
    @wraps(view)
    def wrapped(request, pk):
        return view(request, _writable(request, pk))

    return wrapped


@writer_view
def assessment_answers(request, assessment):
    membership = request.membership
    if assessment.status != AssessmentStatus.DRAFT:
        messages.info(request, "This assessment is complete; its answers are fixed.")
        return redirect("risk:assessment-detail", assessment.pk)
    meetings = list(clinic_selectors.meetings_to_link(membership))
    if assessment.meeting and assessment.meeting not in meetings:
        meetings.insert(0, assessment.meeting)
    version = assessment.instrument_version
    initial = {**assessment.answers, "meeting": assessment.meeting_id}
    form = AnswersForm(
        request.POST if request.method == "POST" else None,
        version=version,
        meetings=meetings,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        completing = "complete" in request.POST
        meeting = next((m for m in meetings if m.pk == form.cleaned_data["meeting"]), None)
        try:
            if completing:
                services.assessment_complete(
                    actor=request.user,
                    membership=membership,
                    assessment=assessment,
                    answers=form.answers(),
                    review_due_on=form.cleaned_data["review_due_on"],
                    meeting=meeting,
                    set_meeting=True,
                )
            else:
                services.assessment_save_answers(
                    actor=request.user,
                    membership=membership,
                    assessment=assessment,
                    answers=form.answers(),
                    meeting=meeting,
                    set_meeting=True,
                )
        except services.AnswerErrors as error:
            form.apply_answer_errors(error)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if completing:
                messages.success(request, "Assessment complete.")
                return redirect("risk:assessment-detail", assessment.pk)
            messages.success(request, "Draft saved. You can finish it later.")
            return redirect("risk:assessment-answers", assessment.pk)
    context = _case_context(request, assessment.case, version.instrument.name)
    context.update(assessment=assessment, version=version, form=form)
    return render(request, "risk/assessment_answers.html", context, status=_status(request, form))


@writer_view
def assessment_override(request, assessment):
    form = OverrideForm(
        request.POST if request.method == "POST" else None,
        initial={
            "override_level": assessment.override_level,
            "override_reason": assessment.override_reason,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_override(
                actor=request.user,
                membership=request.membership,
                assessment=assessment,
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Level updated.")
            return redirect("risk:assessment-detail", assessment.pk)
    context = _case_context(request, assessment.case, "Professional judgement")
    context.update(
        assessment=assessment,
        form=form,
        heading="Professional judgement",
        submit_label="Save level",
        intro=(
            f"The tool gives {assessment.get_computed_level_display() or 'no level'}"
            f" ({assessment.result.get('band_label', '')}). "
            + (
                "This instrument's level can only be raised."
                if assessment.instrument_version.definition.get("override") == "raise"
                else ""
            )
        ),
    )
    return render(request, "risk/form_page.html", context, status=_status(request, form))


@writer_view
def assessment_review_date(request, assessment):
    form = ReviewDateForm(
        request.POST if request.method == "POST" else None,
        initial={"review_due_on": assessment.review_due_on},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_set_review_date(
                actor=request.user,
                membership=request.membership,
                assessment=assessment,
                review_due_on=form.cleaned_data["review_due_on"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Review date changed.")
            return redirect("risk:assessment-detail", assessment.pk)
    context = _case_context(request, assessment.case, "Review date")
    context.update(
        assessment=assessment, form=form, heading="Change the review date", submit_label="Save"
    )
    return render(request, "risk/form_page.html", context, status=_status(request, form))
