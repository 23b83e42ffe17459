"""Page of a compliance flag after a session."""

from django.shortcuts import redirect
from django.utils import timezone

from interventions.forms.compliance import FlagForm
from interventions.selectors import sessions as session_selectors
from interventions.services import compliance as compliance_services

from .enrolments import _enrolment_context, _form_page, _saved, provider_member


@provider_member
def session_flag(request, pk):
    session = session_selectors.get_session_or_404(request.membership, pk)
    form = FlagForm(request.POST if request.method == "POST" else None, session=session)
    if _saved(
        request,
        form,
        compliance_services.flag_raise,
        "Compliance alert sent to the officer in charge and probation.",
        lambda: form.cleaned_data,
        session=session,
    ):
        return redirect("interventions:enrolment-detail", session.enrolment_id)
    context = _enrolment_context(session.enrolment)
    context["intro"] = (
        f"Session of {timezone.localtime(session.scheduled_at):%d/%m/%Y %H:%M}. "
        "The police officer in charge and the probation officers on the case get an urgent "
        "notification with a link; they see the flag and the attendance, never your notes."
    )
    return _form_page(request, context, form, "Flag for the police and probation", "Send alert")
