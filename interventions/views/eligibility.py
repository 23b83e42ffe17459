"""Page of an enrolment's eligibility checklist."""

from django.shortcuts import redirect

from interventions.forms.eligibility import PREFIX, EligibilityForm
from interventions.selectors import eligibility as eligibility_selectors
from interventions.selectors import enrolments as enrolment_selectors
from interventions.services import eligibility as eligibility_services

from .enrolments import _enrolment_context, _form_page, _saved, provider_member


@provider_member
def enrolment_eligibility(request, pk):
    enrolment = enrolment_selectors.get_enrolment_or_404(request.membership, pk)
    criteria = eligibility_selectors.criteria_of(enrolment.programme)
    current = eligibility_selectors.eligibility_of(enrolment)
    initial = {"pathway": enrolment.pathway}
    if current is not None:
        initial.update(
            {PREFIX + code: answer for code, answer in current.answers.items()},
            outcome=current.outcome,
            ineligible_reason=current.ineligible_reason,
            assessed_on=current.assessed_on,
        )
    form = EligibilityForm(
        request.POST if request.method == "POST" else None,
        enrolment=enrolment,
        criteria=criteria,
        initial=initial,
    )
    if _saved(
        request,
        form,
        eligibility_services.eligibility_record,
        "Eligibility recorded.",
        form.values,
        enrolment=enrolment,
    ):
        return redirect("interventions:enrolment-detail", enrolment.pk)
    context = _enrolment_context(enrolment)
    context["intro"] = (
        f"The {enrolment.programme.name} checklist. The person must be recorded eligible, "
        "and the consent and sharing contract signed, before the first session."
    )
    return _form_page(request, context, form, "Eligibility", "Save eligibility")
