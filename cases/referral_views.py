"""Referrals from every agency and their lifecycle."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases import selectors, services
from cases.forms import ReferralForm, apply_service_errors

PAGE_SIZE = 50


@member_required(Cap.VIEW_CASES)
def referral_list(request):
    page = Paginator(selectors.referral_list(request.membership), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    record_event(
        action=Action.LIST, actor=request.user, detail={"list": "referrals", "page": page.number}
    )
    case_ids = [r.case_id for r in page.object_list if r.case_id]
    context = {
        "page": page,
        "visible_case_ids": selectors.visible_case_ids(request.membership, case_ids),
    }
    return render(request, "cases/referral_list.html", context)


@member_required(Cap.RECORD_REFERRAL)
def referral_new(request):
    membership = request.membership
    form = ReferralForm(
        request.POST if request.method == "POST" else None,
        partnership_id=membership.agency.partnership_id,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reference = data.pop("case_reference")
        case = None
        if reference:
            case = selectors.case_list(membership).filter(reference__iexact=reference).first()
            if case is None:
                form.add_error("case_reference", "No case you can see has that reference.")
        if not form.errors:
            try:
                services.referral_record(
                    actor=request.user, membership=membership, case=case, **data
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Referral recorded.")
                return redirect("cases:referrals")
    context = {
        "form": form,
        "heading": "Record a referral",
        "submit_label": "Save referral",
        "back_url": reverse("cases:referrals"),
    }
    return render(request, "cases/referral_new.html", context)
