"""The case page's sections (MOJ sub-navigation), each its own URL so every page works
without JavaScript: parties, record, linked crimes, orders, outcomes, re-offending,
closure, timeline, sharing and access. The overview is cases.views.case_detail."""

from functools import partial, wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import can_edit_case_core
from accounts.decorators import member_required
from accounts.roles import Cap
from advocacy.selectors import episodes as episode_selectors
from audit import selectors as audit_selectors
from audit.models import Action
from audit.services import record_event
from cases.forms.core import NOT_SAVED, ShareForm, save_through_service
from cases.forms.record import (
    BreachForm,
    CloseForm,
    OrderDecisionForm,
    OrderForm,
    OutcomeForm,
    RecordForm,
    ReoffendingForm,
    ReopenForm,
)
from cases.models import PartyRole
from cases.selectors import core as selectors
from cases.selectors import record as record_selectors
from cases.services import record as record_services
from config.dates import long_date

SECTIONS = (
    ("overview", "Overview", "cases:detail"),
    ("parties", "Parties", "cases:parties"),
    ("record", "Record", "cases:record"),
    ("crimes", "Linked crimes", "cases:linked-crimes"),
    ("orders", "Orders", "cases:orders"),
    ("outcomes", "Outcomes", "cases:outcomes"),
    ("events", "Criminal-justice events", "cases:events"),
    ("reoffending", "Re-offending", "cases:reoffending"),
    ("closure", "Closure", "cases:closure"),
    ("timeline", "Timeline", "cases:timeline"),
    ("risk", "Risk", "risk:case-risk"),
    ("risk-updates", "Risk updates", "advocacy:case-risk-updates"),
    ("clinics", "Clinic discussions", "triage:clinic-case-discussions"),
    ("interventions", "Interventions", "interventions:case-interventions"),
    ("sharing", "Sharing and access", "cases:sharing"),
)
SECTION_TITLES = {key: title for key, title, _name in SECTIONS}


def writer_required(view):
    """Police and the clinic chair (accounts.access.can_edit_case_core); others 403,
    before the case is looked up, so the answer says nothing about the case."""

    @member_required(Cap.EDIT_CASE_CORE)
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_edit_case_core(request.membership):
            raise PermissionDenied("Only police and the clinic chair change the case record.")
        return view(request, *args, **kwargs)

    return wrapped


def reoffending_writer_required(view):
    @member_required(Cap.VIEW_CASES)
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not record_services.reoffending_sources_for(request.membership):
            raise PermissionDenied("Your role cannot record re-offending.")
        return view(request, *args, **kwargs)

    return wrapped


def case_nav(case, current):
    return [
        {"label": title, "url": reverse(name, args=[case.pk]), "current": key == current}
        for key, title, name in SECTIONS
    ]


def section_context(request, case, section, *, log=True):
    """What every section page shows around its content; logs the view (DPA s.62)."""
    membership = request.membership
    grant = None
    if not selectors.is_case_visible_by_link(membership, case):
        grant = selectors.active_break_glass(membership, case)
    if log:
        detail = {"section": section}
        if grant:
            detail["via"] = "break_glass"
        record_event(
            action=Action.VIEW,
            actor=request.user,
            obj=case,
            reason=grant.reason if grant else "",
            detail=detail if section != "overview" else ({"via": "break_glass"} if grant else {}),
        )
    return {
        "case": case,
        "section": section,
        "section_title": SECTION_TITLES[section],
        "case_nav": case_nav(case, section),
        "grant": grant,
        "can_edit": can_edit_case_core(membership),
        "today": timezone.localdate(),
    }


def _open_section(request, pk, section, *, log=True):
    case = selectors.get_case_or_404(request.membership, pk)
    return case, section_context(request, case, section, log=log)


def _render_form(request, template, context, form):
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, template, {**context, "form": form}, status=status)


def _saved(request, form, service, message, **target):
    """Save a valid POSTed form through ``service`` for this member; True once saved, with
    ``message`` shown on the next page. Service refusals appear at the form's fields."""
    saved = save_through_service(
        form, partial(service, actor=request.user, membership=request.membership, **target)
    )
    if saved is NOT_SAVED:
        return False
    if message:
        messages.success(request, message)
    return True


def _section_url(case, name):
    return reverse(f"cases:{name}", args=[case.pk])


# ---------------------------------------------------------------- parties


@member_required(Cap.VIEW_CASES)
def parties(request, pk):
    case, context = _open_section(request, pk, "parties")
    context["parties"] = selectors.parties_for(
        request.membership, case, support=episode_selectors.support_on_case(case)
    )
    return render(request, "cases/record/parties.html", context)


# ---------------------------------------------------------------- core record


@member_required(Cap.VIEW_CASES)
def record(request, pk):
    case, context = _open_section(request, pk, "record")
    context["typologies"] = record_selectors.case_record(case)
    return render(request, "cases/record/record.html", context)


@writer_required
def record_edit(request, pk):
    membership = request.membership
    case, context = _open_section(request, pk, "record", log=request.method == "GET")
    typologies = record_selectors.case_record(case)
    form = RecordForm(
        request.POST if request.method == "POST" else None,
        case=case,
        typologies=typologies,
        agencies=selectors.partnership_agencies(membership),
        police_users=selectors.police_officers(membership),
    )
    saved = save_through_service(
        form,
        partial(
            record_services.record_update, actor=request.user, membership=membership, case=case
        ),
    )
    if saved is not NOT_SAVED:
        _case, changed = saved
        messages.success(request, "Record updated." if changed else "Nothing was changed.")
        return redirect(_section_url(case, "record"))
    context.update(heading="Change the case record", submit_label="Save record")
    return _render_form(request, "cases/record/record_edit.html", context, form)


# ---------------------------------------------------------------- linked crimes


@member_required(Cap.VIEW_CASES)
def linked_crimes(request, pk):
    case, context = _open_section(request, pk, "crimes")
    courses, reports = record_selectors.linked_crimes(case)
    context.update(
        courses=courses,
        reports=reports,
        police_detail=record_selectors.sees_crime_detail(request.membership),
    )
    return render(request, "cases/record/linked_crimes.html", context)


# ---------------------------------------------------------------- orders


@member_required(Cap.VIEW_CASES)
def orders(request, pk):
    case, context = _open_section(request, pk, "orders")
    context["orders"] = record_selectors.orders_for(case)
    return render(request, "cases/record/orders.html", context)


@writer_required
def order_new(request, pk):
    case, context = _open_section(request, pk, "orders", log=False)
    form = OrderForm(
        request.POST if request.method == "POST" else None,
        perpetrators=record_selectors.people_on_case(case, role=PartyRole.PERPETRATOR),
        victims=record_selectors.people_on_case(case, role=PartyRole.VICTIM),
        case=case,
    )
    if _saved(request, form, record_services.order_create, "Order recorded.", case=case):
        return redirect(_section_url(case, "orders"))
    context.update(heading="Record a protective order", submit_label="Save order")
    return _render_form(request, "cases/record/form_page.html", context, form)


@writer_required
def order_decide(request, pk):
    order = record_selectors.get_order_or_404(request.membership, pk)
    case, context = _open_section(request, order.case_id, "orders", log=False)
    initial = {
        "decision": order.decision,
        "decided_on": order.decided_on,
        "conditions": order.conditions,
        "positive_requirements": order.positive_requirements,
        "expires_on": order.expires_on,
    }
    form = OrderDecisionForm(
        request.POST if request.method == "POST" else None, initial=initial, case=case
    )
    if _saved(request, form, record_services.order_decide, "Decision recorded.", order=order):
        return redirect(_section_url(case, "orders"))
    context.update(
        heading=f"Decision on the {order.get_kind_display().lower()}",
        intro=f"Applied for on {long_date(order.applied_on)} against {order.subject.full_name}.",
        submit_label="Save decision",
    )
    return _render_form(request, "cases/record/form_page.html", context, form)


@writer_required
def breach_new(request, pk):
    order = record_selectors.get_order_or_404(request.membership, pk)
    case, context = _open_section(request, order.case_id, "orders", log=False)
    form = BreachForm(request.POST if request.method == "POST" else None)
    if _saved(request, form, record_services.breach_record, "Breach recorded.", order=order):
        return redirect(_section_url(case, "orders"))
    context.update(
        heading=f"Record a breach of the {order.get_kind_display().lower()}",
        submit_label="Save breach",
    )
    return _render_form(request, "cases/record/form_page.html", context, form)


# ---------------------------------------------------------------- outcomes


@member_required(Cap.VIEW_CASES)
def outcomes(request, pk):
    case, context = _open_section(request, pk, "outcomes")
    context["outcomes"] = record_selectors.outcomes_for(case)
    return render(request, "cases/record/outcomes.html", context)


@writer_required
def outcome_new(request, pk):
    case, context = _open_section(request, pk, "outcomes", log=False)
    form = OutcomeForm(
        request.POST if request.method == "POST" else None,
        people=record_selectors.people_on_case(case),
        partnership_id=case.partnership_id,
    )
    if _saved(request, form, record_services.outcome_record, "Outcome recorded.", case=case):
        return redirect(_section_url(case, "outcomes"))
    context.update(heading="Record a criminal-justice outcome", submit_label="Save outcome")
    return _render_form(request, "cases/record/form_page.html", context, form)


# ---------------------------------------------------------------- re-offending


@member_required(Cap.VIEW_CASES)
def reoffending(request, pk):
    case, context = _open_section(request, pk, "reoffending")
    context["events"] = record_selectors.reoffending_for(case)
    context["can_record"] = bool(record_services.reoffending_sources_for(request.membership))
    return render(request, "cases/record/reoffending.html", context)


@reoffending_writer_required
def reoffending_new(request, pk):
    case, context = _open_section(request, pk, "reoffending", log=False)
    form = ReoffendingForm(
        request.POST if request.method == "POST" else None,
        perpetrators=record_selectors.people_on_case(case, role=PartyRole.PERPETRATOR),
        sources=record_services.reoffending_sources_for(request.membership),
    )
    if _saved(
        request, form, record_services.reoffending_record, "Re-offending event recorded.", case=case
    ):
        return redirect(_section_url(case, "reoffending"))
    anchor = record_services.reoffending_anchor(case)
    context.update(
        heading="Record re-offending",
        intro=f"Counted from {anchor:%d/%m/%Y}, the case's first referral or opening.",
        submit_label="Save event",
    )
    return _render_form(request, "cases/record/form_page.html", context, form)


# ---------------------------------------------------------------- closure


def _closure_context(request, case, context, *, close_form=None, reopen_form=None):
    context.update(
        monitoring=record_selectors.monitoring_summary(case),
        close_form=close_form
        or CloseForm(partnership_id=case.partnership_id, initial={"closed_on": context["today"]}),
        reopen_form=reopen_form or ReopenForm(),
    )
    return context


@member_required(Cap.VIEW_CASES)
def closure(request, pk):
    """GET: the case's status and monitoring; POST (writers): close with a reason."""
    if request.method == "POST":
        return _close(request, pk)
    case, context = _open_section(request, pk, "closure")
    return render(request, "cases/record/closure.html", _closure_context(request, case, context))


@writer_required
def _close(request, pk):
    case, context = _open_section(request, pk, "closure", log=False)
    form = CloseForm(request.POST, partnership_id=case.partnership_id)
    if _saved(request, form, record_services.case_close, None, case=case):
        case.refresh_from_db()
        messages.success(
            request, f"Case closed. It is monitored until {case.monitoring_until:%d/%m/%Y}."
        )
        return redirect(_section_url(case, "closure"))
    context = _closure_context(request, case, context, close_form=form)
    context["form"] = form
    return render(request, "cases/record/closure.html", context, status=400)


@require_POST
@writer_required
def reopen(request, pk):
    case, context = _open_section(request, pk, "closure", log=False)
    form = ReopenForm(request.POST)
    if _saved(request, form, record_services.case_reopen, "Case reopened.", case=case):
        return redirect(_section_url(case, "closure"))
    context = _closure_context(request, case, context, reopen_form=form)
    context["form"] = form
    return render(request, "cases/record/closure.html", context, status=400)


# ---------------------------------------------------------------- timeline


@member_required(Cap.VIEW_CASES)
def timeline(request, pk):
    case, context = _open_section(request, pk, "timeline")
    context["events"] = record_selectors.timeline(request.membership, case)
    return render(request, "cases/record/timeline.html", context)


# ---------------------------------------------------------------- sharing and access


@member_required(Cap.VIEW_CASES)
def sharing(request, pk):
    membership = request.membership
    case, context = _open_section(request, pk, "sharing")
    context.update(
        shared=selectors.shared_agencies(case),
        viewers=audit_selectors.case_viewers(case, limit=50),
        share_form=ShareForm(agencies=selectors.agencies_to_share_with(membership, case))
        if context["can_edit"]
        else None,
    )
    return render(request, "cases/record/sharing.html", context)
