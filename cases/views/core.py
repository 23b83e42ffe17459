from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import can, can_screen, can_work_advocacy, can_work_interventions
from accounts.decorators import member_required
from accounts.roles import Cap, Role
from advocacy.selectors import episodes as episode_selectors
from advocacy.selectors import referrals as referral_selectors
from audit import selectors as audit_selectors
from audit.models import Action
from audit.services import break_glass_open, record_event, visible_or_404
from cases.forms.core import BreakGlassForm, CaseOpenForm, ShareForm, apply_service_errors
from cases.pagination import CappedCountPaginator
from cases.selectors import core as selectors
from cases.selectors import events as event_selectors
from cases.selectors import record as record_selectors
from cases.selectors import screening as screening_selectors
from cases.services import core as services
from cases.views.record import section_context
from interventions.selectors import enrolments as enrolment_selectors
from risk import selectors as risk_selectors
from triage.selectors import actions as action_selectors
from triage.selectors import clinics as clinic_selectors

PAGE_SIZE = 50


@member_required()
def my_work(request):
    membership = request.membership
    visible = selectors.cases_visible_to(membership)
    recent_ids = audit_selectors.my_recently_viewed_case_ids(membership)
    recent = {
        c.pk: c
        for c in visible.filter(pk__in=recent_ids).select_related(
            "lead_agency", "officer_in_charge"
        )
    }
    context = {
        "show_in_charge": membership.agency.is_police,
        "show_advocate_for": membership.role == Role.ADVOCATE,
        "in_charge": visible.filter(
            officer_in_charge_id=request.user.pk, closed_on=None
        ).select_related("lead_agency", "officer_in_charge")[:20],
        "advocate_for": visible.filter(parties__advocate_id=request.user.pk)
        .select_related("lead_agency", "officer_in_charge")
        .distinct()[:20],
        "recent": [recent[pk] for pk in recent_ids if pk in recent],
        "break_glass": audit_selectors.my_active_break_glass(membership),
        "visible_count": visible.count() if can(membership, Cap.VIEW_CASES) else 0,
        **_to_do(membership),
    }
    return render(request, "cases/my_work.html", context)


def _to_do(membership):
    """What the member's role has waiting today: each figure links to where the work is."""
    today = timezone.localdate()
    to_do = {"next_meeting": clinic_selectors.upcoming_meetings(membership, today, limit=1)}
    if can(membership, Cap.WORK_ACTIONS):
        to_do["actions"] = action_selectors.my_work_counts(membership)
    if can(membership, Cap.ASSESS_RISK):
        to_do["reviews_due"] = list(risk_selectors.reviews_due_for_agency(membership))
    if can_screen(membership):
        to_do["unscreened"] = screening_selectors.unscreened_count(membership)
    if can_work_interventions(membership):
        to_do["interventions"] = enrolment_selectors.my_work_counts(membership)
    if event_selectors.can_work_victim_notifications(membership):
        to_do["victim_notifications"] = event_selectors.victim_notification_counts(
            membership, today=today
        )
    if can_work_advocacy(membership):
        to_do["caseload"] = episode_selectors.caseload_counts(membership, mine=True)
        to_do["referrals_waiting"] = referral_selectors.waiting_count(membership)
    return to_do


@member_required(Cap.VIEW_CASES)
def case_list(request):
    search = request.GET.get("q", "").strip()[:100]
    cases = selectors.case_list(request.membership, search=search)
    page = CappedCountPaginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    record_event(
        action=Action.SEARCH if search else Action.LIST,
        actor=request.user,
        detail={"query": search, "page": page.number, "shown": len(page.object_list)},
    )
    return render(request, "cases/case_list.html", {"page": page, "search": search})


@member_required(Cap.VIEW_CASES)
def case_detail(request, pk):
    """The case page's Overview section; the other sections are in cases/record_views.py."""
    membership = request.membership
    case = selectors.get_case_or_404(membership, pk)
    context = section_context(request, case, "overview")
    context.update(
        parties=selectors.parties_for(
            membership, case, support=episode_selectors.support_on_case(case)
        ),
        typologies=record_selectors.case_record(case),
        referrals=selectors.referrals_visible_to(membership)
        .filter(case=case)
        .select_related("referring_agency", "source"),
        viewers=audit_selectors.case_viewers(case, limit=5),
        monitoring=record_selectors.monitoring_summary(case),
        victim_notifications=event_selectors.victim_notification_counts_on_case(membership, case),
    )
    return render(request, "cases/case_detail.html", context)


@member_required(Cap.CREATE_CASE)
def case_open(request):
    membership = request.membership
    form = CaseOpenForm(
        request.POST if request.method == "POST" else None,
        agencies=selectors.partnership_agencies(membership),
        police_users=selectors.police_officers(membership),
        initial={"lead_agency": membership.agency},
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(
                actor=request.user, membership=membership, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Case {case.reference} opened.")
            return redirect(case)
    context = {
        "form": form,
        "heading": "Open a case",
        "submit_label": "Open case",
        "back_url": reverse("cases:list"),
    }
    return render(request, "cases/case_open.html", context)


@require_POST
@member_required(Cap.EDIT_CASE_CORE)
def case_share(request, pk):
    membership = request.membership
    case = selectors.get_case_or_404(membership, pk)
    form = ShareForm(request.POST, agencies=selectors.agencies_to_share_with(membership, case))
    if form.is_valid():
        try:
            services.case_share(
                actor=request.user, membership=membership, case=case, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"Case shared with {form.cleaned_data['agency']}.")
        return redirect("cases:sharing", pk=case.pk)
    context = {
        "form": form,
        "case": case,
        "heading": "Share the case",
        "caption": case.reference,
        "submit_label": "Share case",
        "back_url": reverse("cases:sharing", args=[case.pk]),
    }
    return render(request, "cases/case_share_error.html", context, status=400)


@require_POST
@member_required(Cap.EDIT_CASE_CORE)
def case_unshare(request, pk, agency_id):
    membership = request.membership
    case = selectors.get_case_or_404(membership, pk)
    agency = visible_or_404(membership, selectors.partnership_agencies(membership), agency_id)
    try:
        services.case_unshare(
            actor=request.user,
            membership=membership,
            case=case,
            agency=agency,
            reason="Unshared from the case page",
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"Case no longer shared with {agency}.")
    return redirect("cases:sharing", pk=case.pk)


@member_required(Cap.BREAK_GLASS)
def break_glass(request):
    membership = request.membership
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        case = selectors.case_by_reference_in_partnership(
            membership, form.cleaned_data["reference"]
        )
        if case is None:
            form.add_error("reference", "No case in your partnership has that reference.")
        elif selectors.is_case_visible_by_link(membership, case):
            return redirect(case)
        else:
            break_glass_open(
                actor=request.user,
                membership=membership,
                case=case,
                reason=form.cleaned_data["reason"],
            )
            return redirect(case)
    context = {
        "form": form,
        "heading": "Open a case not shared with your agency",
        "submit_label": "Get temporary access",
        "back_url": reverse("home"),
    }
    return render(request, "cases/break_glass.html", context)
