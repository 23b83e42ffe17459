"""Recording a psychometric measure on an enrolment (the clinical compartment): choose one
of the programme's measures, then answer its items; the enrolment page shows the pre → post
change per scale (interventions/_measures.html)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from audit.services import as_id
from cases.forms.core import form_status
from interventions.forms.measures import MeasureForm
from interventions.selectors import enrolments as enrolment_selectors
from interventions.selectors import measures as selectors
from interventions.services import measures as services
from interventions.views.enrolments import _enrolment_context, provider_member
from risk.services import AnswerErrors


@provider_member
def measure_new(request, pk):
    membership = request.membership
    enrolment = enrolment_selectors.get_enrolment_or_404(membership, pk)
    instruments = selectors.programme_measures(membership, enrolment.programme)
    chosen = {i.pk: i for i in instruments}.get(as_id(request.GET.get("instrument")))
    context = _enrolment_context(enrolment)
    if chosen is None:
        context.update(
            instruments=instruments,
            heading="Record a measure",
            intro=f"{enrolment.programme.name} takes these measures before and after.",
            empty=f"{enrolment.programme.name} takes no psychometric measures.",
        )
        return render(request, "risk/instrument_choose.html", context)
    form = MeasureForm(
        request.POST if request.method == "POST" else None, enrolment=enrolment, instrument=chosen
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_record(
                actor=request.user, membership=membership, enrolment=enrolment, **form.values()
            )
        except AnswerErrors as error:
            form.apply_answer_errors(error)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, f"{chosen.name} recorded.")
            return redirect(reverse("interventions:enrolment-detail", args=[pk]) + "#measures")
    context.update(
        form=form,
        instrument=chosen,
        heading=f"Record {chosen.name}",
        about=chosen.current.definition.get("about", ""),
        submit_label="Save measure",
    )
    return render(
        request, "risk/answers_form_page.html", context, status=form_status(request, form)
    )
