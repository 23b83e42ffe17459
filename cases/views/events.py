"""Criminal-justice events (a case section) and the "tell the victim" tasks: the agency's
pending list and one task's page, where it is recorded."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.forms.events import CaseEventForm, VictimNotificationForm, VictimsCodeRightsForm
from cases.models import PartyRole
from cases.selectors import events as selectors
from cases.selectors import record as record_selectors
from cases.services import events as services
from cases.views.record import _open_section, _render_form, _saved, writer_required


def task_worker_required(view):
    """Members whose role tells victims (investigators, police supervisors, advocates,
    managers); others 403 before anything is looked up."""

    @member_required(Cap.VIEW_CASES)
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.can_work_victim_notifications(request.membership):
            raise PermissionDenied("Your role does not tell victims about case events.")
        return view(request, *args, **kwargs)

    return wrapped


@member_required(Cap.VIEW_CASES)
def case_events(request, pk):
    """The case's criminal-justice events (every reader) and, for the agency responsible,
    its "tell the victim" tasks on the case."""
    case, context = _open_section(request, pk, "events")
    membership = request.membership
    context.update(
        events=selectors.events_for(case),
        tasks=list(selectors.victim_notifications_on_case(membership, case)),
        sees_tasks=selectors.can_work_victim_notifications(membership),
    )
    return render(request, "cases/record/events.html", context)


@writer_required
def case_event_new(request, pk):
    case, context = _open_section(request, pk, "events", log=False)
    form = CaseEventForm(
        request.POST if request.method == "POST" else None,
        case=case,
        perpetrators=record_selectors.people_on_case(case, role=PartyRole.PERPETRATOR),
    )
    message = "Event recorded. The victim's advocate or the officer in charge must tell them."
    if _saved(request, form, services.case_event_record, message, case=case):
        return redirect(reverse("cases:events", args=[case.pk]))
    context.update(
        heading="Record a criminal-justice event",
        intro="Each victim on the case gets a task to be told, due by the Victims' Code deadline.",
        submit_label="Save event",
    )
    return _render_form(request, "cases/record/form_page.html", context, form)


@writer_required
def party_rights(request, pk):
    """Whether a victim is entitled to enhanced rights (the deadline of their tasks)."""
    party = selectors.get_victim_party_or_404(request.membership, pk)
    case, context = _open_section(request, party.case_id, "parties", log=False)
    form = VictimsCodeRightsForm(
        request.POST if request.method == "POST" else None,
        initial={"enhanced_rights": "yes" if party.enhanced_rights else "no"},
    )
    saved = "Victims' Code rights saved."
    if _saved(request, form, services.party_set_enhanced_rights, saved, party=party):
        return redirect(reverse("cases:parties", args=[case.pk]))
    context.update(
        heading=f"Victims' Code rights of {party.person.full_name}",
        intro="Tasks to tell the victim raised from now on use this deadline.",
        submit_label="Save",
    )
    return _render_form(request, "cases/record/form_page.html", context, form)


@task_worker_required
def victim_notifications(request):
    """Pending "tell the victim" tasks of the member's agency, the most urgent first."""
    membership = request.membership
    tasks = list(selectors.pending_victim_notifications(membership)[:200])
    record_event(
        action=Action.LIST,
        actor=request.user,
        detail={"list": "victim_notifications", "shown": len(tasks)},
    )
    return render(
        request,
        "cases/victim_notifications.html",
        {"tasks": tasks, "today": timezone.localdate()},
    )


@task_worker_required
def victim_notification(request, pk):
    """One task: what the victim must be told, by when; the form to record it."""
    membership = request.membership
    task = selectors.get_victim_notification_or_404(membership, pk)
    if request.method == "GET":
        record_event(action=Action.VIEW, actor=request.user, obj=task, case=task.case)
    form = None
    if task.is_pending:
        form = VictimNotificationForm(
            request.POST if request.method == "POST" else None, notification=task
        )
        if _saved(request, form, services.victim_notification_record, None, notification=task):
            task.refresh_from_db()
            messages.success(
                request,
                "Recorded. The task stays open until the victim is told."
                if task.is_pending
                else "Recorded. The task is closed.",
            )
            return redirect(reverse("cases:victim-notification", args=[task.pk]))
    elif request.method == "POST":
        raise PermissionDenied("This task is already closed.")
    context = {"task": task, "today": timezone.localdate(), "form": form}
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, "cases/victim_notification.html", context, status=status)
