"""Pages of sessions: schedule, reschedule, cancel, attendance."""

from django.shortcuts import redirect
from django.utils import timezone

from interventions.forms.sessions import AttendanceForm, CancelForm, ScheduleForm
from interventions.selectors import enrolments as enrolment_selectors
from interventions.selectors import sessions as session_selectors
from interventions.services import sessions as session_services

from .enrolments import _enrolment_context, _form_page, _saved, provider_member


@provider_member
def session_new(request, pk):
    enrolment = enrolment_selectors.get_enrolment_or_404(request.membership, pk)
    form = ScheduleForm(request.POST if request.method == "POST" else None, enrolment=enrolment)
    if _saved(
        request,
        form,
        session_services.session_schedule,
        "Session booked.",
        form.values,
        enrolment=enrolment,
    ):
        return redirect("interventions:enrolment-detail", enrolment.pk)
    context = _enrolment_context(enrolment)
    return _form_page(request, context, form, "Book a session", "Book session")


@provider_member
def session_reschedule(request, pk):
    session = session_selectors.get_session_or_404(request.membership, pk)
    enrolment = session.enrolment
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        enrolment=enrolment,
        session=session,
        initial={"modality": session.modality},
    )
    if _saved(
        request,
        form,
        session_services.session_reschedule,
        "Session moved.",
        form.values,
        session=session,
    ):
        return redirect("interventions:enrolment-detail", enrolment.pk)
    context = _enrolment_context(enrolment)
    context["intro"] = f"Now booked for {timezone.localtime(session.scheduled_at):%d/%m/%Y %H:%M}."
    return _form_page(request, context, form, "Move a session", "Move session")


@provider_member
def session_cancel(request, pk):
    session = session_selectors.get_session_or_404(request.membership, pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if _saved(
        request,
        form,
        session_services.session_cancel,
        "Session cancelled.",
        lambda: form.cleaned_data,
        session=session,
    ):
        return redirect("interventions:enrolment-detail", session.enrolment_id)
    context = _enrolment_context(session.enrolment)
    return _form_page(request, context, form, "Cancel a session", "Cancel session")


@provider_member
def session_attendance(request, pk):
    session = session_selectors.get_session_or_404(request.membership, pk)
    form = AttendanceForm(request.POST if request.method == "POST" else None, session=session)
    if _saved(
        request,
        form,
        session_services.attendance_record,
        "Attendance recorded.",
        form.values,
        session=session,
    ):
        return redirect("interventions:enrolment-detail", session.enrolment_id)
    context = _enrolment_context(session.enrolment)
    context["intro"] = f"Booked for {timezone.localtime(session.scheduled_at):%d/%m/%Y %H:%M}."
    return _form_page(request, context, form, "Record attendance", "Save attendance")
