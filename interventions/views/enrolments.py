"""Pages of the caseload, the case's interventions and the enrolment: refer, consent,
allocate, withdraw."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.access import can_work_interventions, interventions_agency_id
from accounts.decorators import member_required
from accounts.roles import Cap, Role
from audit.models import Action
from audit.services import record_event
from cases.forms.core import form_status
from cases.pagination import CappedPaginator
from cases.selectors import core as case_selectors
from cases.views.record import section_context
from interventions.forms.enrolments import AllocateForm, ConsentForm, ReferForm, WithdrawForm
from interventions.models import EnrolmentStatus
from interventions.selectors import compliance as compliance_selectors
from interventions.selectors import eligibility as eligibility_selectors
from interventions.selectors import enrolments as enrolment_selectors
from interventions.selectors import measures as measure_selectors
from interventions.selectors import programmes as programme_selectors
from interventions.selectors import reports as report_selectors
from interventions.selectors import sessions as session_selectors
from interventions.services import enrolments as enrolment_services

PAGE_SIZE = 50


# Signed in under a membership of a health agency that delivers interventions (403
# otherwise).
provider_member = member_required(
    Cap.WORK_INTERVENTIONS,
    allowed=can_work_interventions,
    refusal="Only clinicians of a health agency use these pages.",
)


@provider_member
def caseload(request):
    membership = request.membership
    default_mine = membership.role == Role.CLINICIAN
    mine = request.GET.get("mine", "1" if default_mine else "0") == "1"
    status = request.GET.get("status", "")
    if status not in EnrolmentStatus.values:
        status = ""
    enrolments = enrolment_selectors.caseload(membership, status=status, mine=mine)
    counts = enrolment_selectors.caseload_counts(membership, mine=mine)
    page = CappedPaginator(enrolments, PAGE_SIZE).get_page(request.GET.get("page"))
    record_event(
        action=Action.LIST,
        actor=request.user,
        detail={"page": "interventions-caseload", "status": status, "mine": mine},
    )
    return render(
        request,
        "interventions/caseload.html",
        {
            "page": page,
            "mine": mine,
            "status": status,
            "statuses": [(value, label, counts[value]) for value, label in EnrolmentStatus.choices],
        },
    )


@member_required(Cap.VIEW_CASES)
def case_interventions(request, case_pk):
    """The case's Interventions section: status-level facts for every reader of the case,
    with a link to the enrolment for the agency delivering it."""
    membership = request.membership
    case = case_selectors.get_case_or_404(membership, case_pk)
    context = section_context(request, case, "interventions")
    enrolments = enrolment_selectors.interventions_on_case(case)
    flags = compliance_selectors.flags_on_case(case, membership.agency_id)
    reports = report_selectors.reports_on_case(case, membership.agency_id)
    for row in enrolments:
        row["flags"] = flags.get(row["pk"], [])
        report = reports.get(row["pk"])
        row["report"] = report and {
            "summary": report.summary,
            "sent_at": report.sent_at,
            "outcomes": report_selectors.case_outcome_rows(report),
        }
    context.update(
        enrolments=enrolments,
        my_agency_id=interventions_agency_id(membership),
        can_refer=can_work_interventions(membership),
    )
    return render(request, "interventions/case_interventions.html", context)


@provider_member
def enrolment_refer(request, case_pk):
    membership = request.membership
    case = case_selectors.get_case_or_404(membership, case_pk)
    parties = enrolment_selectors.parties_for_programmes(case)
    initial = {"practitioner": request.user.pk if membership.role == Role.CLINICIAN else None}
    form = ReferForm(
        request.POST if request.method == "POST" else None,
        parties=parties,
        programmes=programme_selectors.programmes_visible_to(membership).filter(
            provider_kind=membership.agency.kind
        ),
        clinicians=enrolment_selectors.clinicians_of_agency(membership),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = enrolment_services.enrolment_refer(
                actor=request.user, membership=membership, **form.values()
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, "Referral recorded.")
            return redirect("interventions:enrolment-detail", enrolment.pk)
    return render(
        request,
        "interventions/form_page.html",
        {
            "form": form,
            "heading": "Refer to an intervention",
            "caption": f"Case {case.reference}",
            "back_url": reverse("interventions:case-interventions", args=[case.pk]),
            "submit_label": "Refer",
            "intro": "" if parties else "This case has no perpetrator or victim recorded yet.",
        },
        status=form_status(request, form),
    )


def _record_read(request, obj, case, section):
    record_event(
        action=Action.VIEW, actor=request.user, obj=obj, case=case, detail={"section": section}
    )


def _enrolment_context(enrolment):
    return {
        "enrolment": enrolment,
        "caption": f"{enrolment.party.person.full_name} – case {enrolment.case.reference}",
        "back_url": reverse("interventions:enrolment-detail", args=[enrolment.pk]),
    }


@provider_member
def enrolment_detail(request, pk):
    enrolment = enrolment_selectors.get_enrolment_or_404(request.membership, pk)
    _record_read(request, enrolment, enrolment.case, "enrolment")
    context = _enrolment_context(enrolment)
    status = enrolment.status
    open_ = status not in (EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT)
    eligibility = eligibility_selectors.eligibility_of(enrolment)
    eligible = eligibility is not None and eligibility.eligible
    context.update(
        sessions=session_selectors.enrolment_sessions(enrolment),
        measures=measure_selectors.changes(measure_selectors.enrolment_measures(enrolment)),
        can_measure=enrolment.programme.measures.exists(),
        eligibility=eligibility,
        report=report_selectors.report_of(enrolment),
        ended=not open_,
        flags=compliance_selectors.flags_on_case(enrolment.case, enrolment.provider_agency_id).get(
            enrolment.pk, []
        ),
        can_schedule=open_ and enrolment.consent_signed_on is not None and eligible,
        can_withdraw=open_,
        EnrolmentStatus=EnrolmentStatus,
    )
    return render(request, "interventions/enrolment_detail.html", context)


def _form_page(request, context, form, heading, submit_label, status_form=None):
    context.update(form=form, heading=heading, submit_label=submit_label)
    status = form_status(request, status_form or form)
    return render(request, "interventions/form_page.html", context, status=status)


def _saved(request, form, service, message, fields, **kwargs):
    """Save a valid POSTed form through ``service``; ``fields()`` gives the form's values
    once it is valid. Service refusals appear at the form's fields."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        service(actor=request.user, membership=request.membership, **fields(), **kwargs)
    except ValidationError as error:
        form.apply_service_errors(error)
        return False
    messages.success(request, message)
    return True


@provider_member
def enrolment_consent(request, pk):
    enrolment = enrolment_selectors.get_enrolment_or_404(request.membership, pk)
    initial = {
        "consent_signed_on": enrolment.consent_signed_on,
        "shares_progress": enrolment.shares_progress,
        "shares_compliance": enrolment.shares_compliance,
        "shares_risk_indicators": enrolment.shares_risk_indicators,
    }
    form = ConsentForm(
        request.POST if request.method == "POST" else None, enrolment=enrolment, initial=initial
    )
    if _saved(
        request,
        form,
        enrolment_services.consent_record,
        "Consent and information-sharing contract recorded.",
        lambda: form.cleaned_data,
        enrolment=enrolment,
    ):
        return redirect("interventions:enrolment-detail", enrolment.pk)
    context = _enrolment_context(enrolment)
    context["intro"] = (
        "Record the date the person signed consent and the information-sharing contract, "
        "and what it lets you share with the criminal-justice agencies on the case."
    )
    return _form_page(request, context, form, "Consent and sharing contract", "Save")


@provider_member
def enrolment_allocate(request, pk):
    membership = request.membership
    enrolment = enrolment_selectors.get_enrolment_or_404(membership, pk)
    form = AllocateForm(
        request.POST if request.method == "POST" else None,
        clinicians=enrolment_selectors.clinicians_of_agency(membership),
        initial={"practitioner": enrolment.practitioner_id},
    )
    if _saved(
        request,
        form,
        enrolment_services.allocate,
        "Clinician allocated.",
        lambda: form.cleaned_data,
        enrolment=enrolment,
    ):
        return redirect("interventions:enrolment-detail", enrolment.pk)
    context = _enrolment_context(enrolment)
    return _form_page(request, context, form, "Allocate a clinician", "Allocate")


@provider_member
def enrolment_withdraw(request, pk):
    enrolment = enrolment_selectors.get_enrolment_or_404(request.membership, pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None, enrolment=enrolment)
    if _saved(
        request,
        form,
        enrolment_services.enrolment_withdraw,
        "Withdrawal recorded.",
        lambda: form.cleaned_data,
        enrolment=enrolment,
    ):
        return redirect("interventions:enrolment-detail", enrolment.pk)
    context = _enrolment_context(enrolment)
    context["intro"] = "Sessions still scheduled are cancelled. This cannot be undone."
    return _form_page(request, context, form, "Record a withdrawal", "Record withdrawal")
