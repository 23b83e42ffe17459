"""People: adding parties to a case (and, with matching, finding the same human)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from accounts.decorators import member_required
from accounts.roles import Cap
from cases import selectors, services
from cases.forms import PartyAddForm, apply_service_errors

PAGE_SIZE = 50


@member_required(Cap.EDIT_CASE_CORE)
def party_add(request, pk):
    membership = request.membership
    case = selectors.get_case_or_404(membership, pk)
    form = PartyAddForm(
        request.POST if request.method == "POST" else None,
        advocates=selectors.advocates_for_case(membership, case),
        partnership_id=case.partnership_id,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.party_add(
                actor=request.user,
                membership=membership,
                case=case,
                role=form.cleaned_data["role"],
                advocate=form.cleaned_data["advocate"],
                **form.person_fields(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Party added.")
            return redirect(case)
    context = {
        "form": form,
        "case": case,
        "heading": "Add a party",
        "caption": case.reference,
        "submit_label": "Add party",
        "back_url": case.get_absolute_url(),
    }
    return render(request, "cases/party_add.html", context)
