"""Referrals from every agency: question pages, check answers, detail and lifecycle.

Recording a referral is a GOV.UK question-page flow. Answers wait in the session until
the check-answers page is confirmed; nothing is saved before. Each page is a plain form,
so the flow works without JavaScript.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.access import can
from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.forms.core import apply_service_errors
from cases.forms.people import MatchChoiceForm
from cases.forms.referrals import (
    DecideForm,
    PersonStepForm,
    ReasonForm,
    ReceivedForm,
    ScreenForm,
    SharingForm,
    SourceForm,
    WithdrawForm,
    answers_from_entry,
)
from cases.models import ReferralStatus, SharingBasis
from cases.selectors import core as selectors
from cases.selectors import people as people_selectors
from cases.selectors import referrals as referral_selectors
from cases.selectors import screening as screening_selectors
from cases.services import referrals as referral_services
from cases.views.people import record_match_search

PAGE_SIZE = 50
SESSION_KEY = "referral_new"

# step slug -> (page heading, form builder). Match steps are shown only when needed.
STEPS = ["source", "received", "reason", "perpetrator", "perpetrator-match"]
STEPS += ["victim", "victim-match", "sharing"]
QUESTIONS = {
    "source": "Where did the referral come from?",
    "received": "When was the referral received?",
    "reason": "Why is the person being referred?",
    "perpetrator": "Who is the alleged perpetrator?",
    "victim": "Who is the victim?",
    "sharing": "On what basis is this information shared?",
    "perpetrator-match": "Is the perpetrator already recorded?",
    "victim-match": "Is the victim already recorded?",
}
WHO = {"perpetrator": "perpetrator", "victim": "victim"}


def _answers(request):
    return request.session.get(SESSION_KEY, {})


def _save_answer(request, step, data):
    answers = dict(_answers(request))
    answers[step] = data
    request.session[SESSION_KEY] = answers


def _form(step, membership, data=None, initial=None):
    if step == "source":
        return SourceForm(data, initial=initial, partnership_id=membership.agency.partnership_id)
    if step == "received":
        return ReceivedForm(data, initial=initial)
    if step == "reason":
        return ReasonForm(data, initial=initial)
    if step in WHO:
        return PersonStepForm(data, initial=initial, who=WHO[step])
    if step == "sharing":
        return SharingForm(data, initial=initial)
    raise Http404("No such question.")


def _valid(step, membership, answers):
    """The bound, valid form of an answered step, or None."""
    if step not in answers:
        return None
    form = _form(step, membership, answers[step])
    return form if form.is_valid() else None


def _matches(membership, answers, who):
    form = _valid(who, membership, answers)
    if form is None or not form.has_person():
        return None
    return people_selectors.person_match(membership, form.match_query())


def _next_step(step, change):
    if step in WHO:
        return f"{step}-match"  # skips itself when there is nothing to choose
    if change:
        return None
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def _step_url(step, change=False):
    if step is None:
        return reverse("cases:referral-check")
    url = reverse("cases:referral-step", args=[step])
    return f"{url}?change=1" if change else url


def _back_url(step, change):
    if change:
        return reverse("cases:referral-check")
    if step.endswith("-match"):
        return _step_url(step.removesuffix("-match"))
    index = STEPS.index(step)
    previous = [s for s in STEPS[:index] if not s.endswith("-match")]
    return _step_url(previous[-1]) if previous else reverse("cases:referrals")


FROM_CRIME = "_from_crime"  # answers key: the crime (and screening action) it is made from


def start_from_crime(request, entry, *, source, action=None):
    """Begin the question pages filled in from a police crime: the investigator checks
    every answer, the people go through the likely-match pages, and nothing is saved
    before the check-answers page is confirmed."""
    answers = answers_from_entry(entry, source=source, received_on=timezone.localdate())
    answers[FROM_CRIME] = {"entry": entry.pk, "action": action.pk if action else None}
    request.session[SESSION_KEY] = answers
    return redirect("cases:referral-step", step=STEPS[0])


def _from_crime(request):
    """(entry, screening action) the answers were started from, if still in scope."""
    origin = _answers(request).get(FROM_CRIME) or {}
    if not origin.get("entry"):
        return None, None
    entry = (
        screening_selectors.entries_visible_to(request.membership)
        .filter(pk=origin["entry"])
        .select_related("offence")
        .first()
    )
    if entry is None:
        return None, None
    return entry, screening_selectors.open_referral_action(entry, origin.get("action"))


def _caption(request):
    origin = _answers(request).get(FROM_CRIME)
    return "Record a referral from a police crime" if origin else "Record a referral"


@member_required(Cap.RECORD_REFERRAL)
def referral_new(request):
    """Start again: forget any answers from an unfinished referral."""
    request.session.pop(SESSION_KEY, None)
    return redirect("cases:referral-step", step=STEPS[0])


@member_required(Cap.RECORD_REFERRAL)
def referral_step(request, step):
    if step not in STEPS:
        raise Http404("No such question.")
    membership = request.membership
    change = bool(request.GET.get("change"))
    answers = _answers(request)
    if step.endswith("-match"):
        return _match_step(request, step, change)
    if request.method == "POST":
        form = _form(step, membership, request.POST)
        if form.is_valid():
            data = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
            _save_answer(request, step, data)
            if step in WHO:
                # New details: any earlier choice among matches no longer applies.
                _save_answer(request, f"{step}-match", None)
            return redirect(_step_url(_next_step(step, change), change))
    else:
        form = _form(step, membership, initial=answers.get(step))
    context = {
        "form": form,
        "heading": QUESTIONS[step],
        "caption": _caption(request),
        "submit_label": "Continue",
        "back_url": _back_url(step, change),
        "step": step,
    }
    return render(
        request,
        "cases/referral_step.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )


def _match_step(request, step, change):
    membership = request.membership
    who = step.removesuffix("-match")
    answers = _answers(request)
    result = _matches(membership, answers, who)
    after = _step_url(None if change else _next_step(step, False))
    if result is None or not (result.suggestions or result.hidden_match):
        return redirect(after)
    form = MatchChoiceForm(
        request.POST if request.method == "POST" else None, suggestions=result.suggestions
    )
    if request.method == "POST" and form.is_valid():
        _save_answer(request, step, {"choice": form.cleaned_data["choice"]})
        return redirect(after)
    if request.method == "GET":
        record_match_search(request, result, f"referral {who}")
    entered = _valid(who, membership, answers).cleaned_data
    context = {
        "form": form,
        "result": result,
        "entered": entered,
        "heading": QUESTIONS[step],
        "who": who,
        "back_url": _step_url(who, change),
    }
    return render(request, "cases/referral_match.html", context, status=400 if form.errors else 200)


def _person_choice(membership, answers, who):
    """(spec for the service, summary for the check page, step to fix or None)."""
    form = _valid(who, membership, answers)
    if form is None:
        return None, None, who
    if not form.has_person():
        return None, "Not known", None
    result = people_selectors.person_match(membership, form.match_query())
    if not (result.suggestions or result.hidden_match):
        return (
            form.person_spec(),
            f"{form.cleaned_data['given_names']} {form.cleaned_data['family_name']} (new record)",
            None,
        )
    choice = (answers.get(f"{who}-match") or {}).get("choice")
    if choice is None:
        return None, None, f"{who}-match"
    if choice == "new":
        name = f"{form.cleaned_data['given_names']} {form.cleaned_data['family_name']}"
        return form.person_spec(), f"{name} (new record)", None
    chosen = next((s.person for s in result.suggestions if str(s.person.pk) == choice), None)
    if chosen is None:
        return None, None, f"{who}-match"
    return chosen, f"{chosen.full_name} (existing record)", None


def _collect(membership, answers):
    """Everything needed to save, or the first step still to answer."""
    data, summary = {}, {}
    for step in ("source", "received", "reason", "sharing"):
        form = _valid(step, membership, answers)
        if form is None:
            return None, None, step
        data.update(form.cleaned_data)
    for who in WHO:
        spec, text, missing = _person_choice(membership, answers, who)
        if missing:
            return None, None, missing
        data[who], summary[who] = spec, text
    return data, summary, None


@member_required(Cap.RECORD_REFERRAL)
def referral_check(request):
    membership = request.membership
    answers = _answers(request)
    if not answers:
        return redirect("cases:referral-step", step=STEPS[0])
    data, people, missing = _collect(membership, answers)
    if missing:
        return redirect(_step_url(missing))
    errors = []
    entry, action = _from_crime(request)
    if request.method == "POST":
        try:
            referral = referral_services.referral_record(
                actor=request.user,
                membership=membership,
                source=data["source"],
                received_on=data["received_on"],
                reason=data["reason"],
                sharing_basis=data["sharing_basis"],
                consent_recorded_on=data["consent_recorded_on"],
                perpetrator=data["perpetrator"],
                victim=data["victim"],
                crime_screen_entry=entry,
                screening_action=action,
            )
        except ValidationError as error:
            errors = [m for messages_ in error.message_dict.values() for m in messages_]
        else:
            request.session.pop(SESSION_KEY, None)
            messages.success(request, "Referral recorded.")
            return redirect("cases:referral-detail", pk=referral.pk)
    rows = [
        ("Source", data["source"].label, "source"),
        ("Date received", f"{data['received_on']:%-d %B %Y}", "received"),
        ("Reason", data["reason"], "reason"),
        ("Perpetrator", people["perpetrator"], "perpetrator"),
        ("Victim", people["victim"], "victim"),
        ("Basis for sharing", SharingBasis(data["sharing_basis"]).label, "sharing"),
    ]
    if data["consent_recorded_on"]:
        rows.append(("Consent given", f"{data['consent_recorded_on']:%-d %B %Y}", "sharing"))
    rows = [(label, value, _step_url(step, change=True)) for label, value, step in rows]
    if entry is not None:
        crime = (
            f"{entry.crime_reference}, {entry.offence.label}, "
            f"recorded {entry.recorded_on:%-d %B %Y}"
        )
        rows.insert(0, ("Police crime", crime, None))
    context = {
        "rows": rows,
        "caption": _caption(request),
        "errors": errors,
        "back_url": _step_url("sharing"),
    }
    return render(request, "cases/referral_check.html", context, status=400 if errors else 200)


@member_required(Cap.VIEW_CASES)
def referral_list(request):
    status = request.GET.get("status", "")
    if status not in ReferralStatus.values:
        status = ""
    page = Paginator(
        referral_selectors.referral_list(request.membership, status=status), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    record_event(
        action=Action.LIST,
        actor=request.user,
        detail={"list": "referrals", "page": page.number, "status": status},
    )
    context = {"page": page, "status": status, "statuses": ReferralStatus.choices}
    return render(request, "cases/referral_list.html", context)


def _detail(request, referral, *, screen_form=None, status=200):
    membership = request.membership
    deciding = referral_selectors.can_decide(membership) and not referral.decision
    matches = referral_selectors.referral_people_matches(membership, referral) if deciding else []
    if request.method == "GET":
        for found in matches:
            record_match_search(request, found.result, f"referral {referral.pk} {found.role}")
    context = {
        "people_matches": matches,
        "can_merge": can(membership, Cap.MERGE_PEOPLE),
        "referral": referral,
        "history": referral_selectors.referral_history(referral),
        "can_decide": referral_selectors.can_decide(membership),
        "can_withdraw": not referral.decision
        and referral_services.can_withdraw(membership, referral),
        "screen_form": screen_form or ScreenForm(initial={"screened_on": timezone.localdate()}),
        "case_visible": selectors.case_shown(membership, referral),
        "sharing_basis": SharingBasis(referral.sharing_basis).label
        if referral.sharing_basis
        else "Not recorded",
    }
    return render(request, "cases/referral_detail.html", context, status=status)


@member_required(Cap.VIEW_CASES)
def referral_detail(request, pk):
    referral = referral_selectors.get_referral_or_404(request.membership, pk)
    record_event(action=Action.VIEW, actor=request.user, obj=referral, case=referral.case)
    return _detail(request, referral)


def _require_decider(membership):
    if not referral_selectors.can_decide(membership):
        raise PermissionDenied("Only police and the clinic chair screen and decide referrals.")


@member_required(Cap.EDIT_CASE_CORE)
def referral_screen(request, pk):
    if request.method != "POST":
        return redirect("cases:referral-detail", pk=pk)
    membership = request.membership
    _require_decider(membership)
    referral = referral_selectors.get_referral_or_404(membership, pk)
    form = ScreenForm(request.POST)
    if form.is_valid():
        try:
            referral_services.referral_screen(
                actor=request.user,
                membership=membership,
                referral=referral,
                note=form.cleaned_data["note"],
                screened_on=form.cleaned_data["screened_on"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Referral screened.")
            return redirect("cases:referral-detail", pk=referral.pk)
    return _detail(request, referral, screen_form=form, status=400)


@member_required(Cap.EDIT_CASE_CORE)
def referral_decide(request, pk):
    membership = request.membership
    _require_decider(membership)
    referral = referral_selectors.get_referral_or_404(membership, pk)
    form = DecideForm(
        request.POST if request.method == "POST" else None,
        agencies=selectors.partnership_agencies(membership),
        initial={"decided_on": timezone.localdate()},
        referral=referral,
        find_case=lambda reference: referral_selectors.case_for_reference(membership, reference),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = data["case"]
        if not form.errors:
            try:
                referral_services.referral_decide(
                    actor=request.user,
                    membership=membership,
                    referral=referral,
                    decision=data["decision"],
                    reason=data["reason"],
                    case=case,
                    lead_agency=data["lead_agency"],
                    decided_on=data["decided_on"],
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Decision recorded.")
                return redirect("cases:referral-detail", pk=referral.pk)
    context = {
        "form": form,
        "referral": referral,
        "heading": "Decide on the referral",
        "caption": f"Referral {referral.pk}",
        "submit_label": "Record decision",
        "back_url": reverse("cases:referral-detail", args=[referral.pk]),
    }
    return render(
        request, "cases/referral_decide.html", context, status=400 if form.errors else 200
    )


@member_required(Cap.RECORD_REFERRAL)
def referral_withdraw(request, pk):
    """GET: what withdrawing does, with a reason field; POST: withdraw (the referring
    agency, while the referral is undecided)."""
    membership = request.membership
    referral = referral_selectors.get_withdrawable_referral_or_404(membership, pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            referral_services.referral_withdraw(
                actor=request.user,
                membership=membership,
                referral=referral,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Referral withdrawn.")
            return redirect("cases:referral-detail", pk=referral.pk)
    context = {
        "form": form,
        "heading": "Withdraw this referral?",
        "caption": f"Referral {referral.pk}, received {referral.received_on:%-d %B %Y}",
        "back_url": reverse("cases:referral-detail", args=[referral.pk]),
        "submit_label": "Withdraw the referral",
    }
    if referral.decision:
        context["blocked"] = (
            f"This referral was already decided: {referral.get_status_display()}. "
            "Only an undecided referral can be withdrawn."
        )
    else:
        context.update(
            happens=[
                "The referral is closed as withdrawn by the referrer, with your reason: "
                "no one screens or decides on it.",
                "It stays on the record, with who withdrew it and when.",
            ],
            cannot_undo=("This cannot be undone. If the concern returns, record a new referral."),
        )
    return render(
        request,
        "includes/confirm_page.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )
