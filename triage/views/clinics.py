"""Clinic pages: set-up, meetings, the agenda with the chair's controls, attendance and
recording each case's discussion at meeting speed.

Every page works without JavaScript. With htmx, a discussion form posts in place and only
that item's panel is swapped (the next item's panel comes back out of band with its first
field focused); without it, the POST redirects back to the meeting page at the item.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import can
from accounts.decorators import member_required
from accounts.roles import Cap
from audit.models import Action
from audit.services import record_event
from cases.forms.core import NOT_SAVED, DateField, apply_service_errors, save_through_service
from cases.selectors import core as case_selectors
from cases.views.record import section_context
from triage.forms.clinics import (
    AddCaseForm,
    AttendanceForm,
    ClinicForm,
    DiscussionChoices,
    DiscussionForm,
    RemoveItemForm,
)
from triage.models import MeetingStatus
from triage.selectors import clinics as selectors
from triage.services import agenda as agenda_services
from triage.services import clinics as clinic_services
from triage.services import discussions as discussion_services


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _data(request):
    """The POST data for a POST (even an empty one, so it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _status(form):
    return 400 if form.is_bound and form.errors else 200


def _meeting_url(meeting, anchor=""):
    url = reverse("triage:meeting-detail", args=[meeting.pk])
    return f"{url}#{anchor}" if anchor else url


# ---------------------------------------------------------------- clinics


@member_required(Cap.VIEW_CASES)
def clinic_list(request):
    membership = request.membership
    today = timezone.localdate()
    return render(
        request,
        "triage/clinic_list.html",
        {
            "clinics": selectors.clinic_list(membership),
            "upcoming": selectors.upcoming_meetings(membership, today),
            "can_manage": can(membership, Cap.MANAGE_CLINICS),
        },
    )


def _clinic_form(request, data=None, initial=None):
    membership = request.membership
    return ClinicForm(
        data,
        initial=initial,
        agencies=case_selectors.partnership_agencies(membership),
        chairs=selectors.chairs_of_partnership(membership.agency.partnership_id),
    )


@member_required(Cap.MANAGE_CLINICS)
def clinic_new(request):
    form = _clinic_form(request, _data(request), initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            clinic = clinic_services.clinic_create(
                actor=request.user, membership=request.membership, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{clinic.name} set up.")
            return redirect("triage:clinic-detail", clinic.pk)
    return render(
        request,
        "triage/clinic_form.html",
        {"form": form, "heading": "Set up a clinic", "back_url": reverse("triage:clinic-list")},
        status=_status(form),
    )


@member_required(Cap.MANAGE_CLINICS)
def clinic_edit(request, pk):
    clinic = selectors.get_clinic_or_404(request.membership, pk)
    initial = {name: getattr(clinic, name) for name in clinic_services.CLINIC_FIELDS}
    initial["agencies"] = list(clinic.agencies.all())
    form = _clinic_form(request, _data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            clinic_services.clinic_update(
                actor=request.user,
                membership=request.membership,
                clinic=clinic,
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{clinic.name} updated.")
            return redirect("triage:clinic-detail", clinic.pk)
    return render(
        request,
        "triage/clinic_form.html",
        {
            "form": form,
            "heading": f"Change {clinic.name}",
            "back_url": reverse("triage:clinic-detail", args=[clinic.pk]),
        },
        status=_status(form),
    )


@member_required(Cap.VIEW_CASES)
def clinic_detail(request, pk):
    membership = request.membership
    clinic = selectors.get_clinic_or_404(membership, pk)
    return render(
        request,
        "triage/clinic_detail.html",
        {
            "clinic": clinic,
            "agencies": clinic.agencies.all(),
            "meetings": selectors.meetings_of_clinic(membership, clinic),
            "can_manage": can(membership, Cap.MANAGE_CLINICS),
            "can_run": can(membership, Cap.RUN_CLINIC),
            "today": timezone.localdate(),
        },
    )


class MeetingDateForm(forms.Form):
    held_on = DateField(label="Date of the meeting", past_only=False)


@member_required(Cap.RUN_CLINIC)
def clinic_meeting_new(request, pk):
    """An extra meeting of the clinic (the beat job schedules the regular ones)."""
    clinic = selectors.get_clinic_or_404(request.membership, pk)
    form = MeetingDateForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = clinic_services.meeting_create(
                actor=request.user,
                membership=request.membership,
                clinic=clinic,
                held_on=form.cleaned_data["held_on"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Meeting scheduled and its draft agenda built.")
            return redirect("triage:meeting-detail", meeting.pk)
    return render(
        request,
        "cases/_form_page.html",
        {
            "form": form,
            "heading": f"Schedule a meeting of {clinic.name}",
            "back_url": reverse("triage:clinic-detail", args=[clinic.pk]),
            "submit_label": "Schedule meeting",
        },
        status=_status(form),
    )


@member_required(Cap.VIEW_CASES)
def case_discussions(request, pk):
    """A case's Clinic discussions: every CAS version, newest first."""
    membership = request.membership
    case = case_selectors.get_case_or_404(membership, pk)
    discussions = list(selectors.discussions_for_case(membership, case))
    record_event(
        action=Action.VIEW, actor=request.user, obj=case, detail={"section": "clinic_discussions"}
    )
    context = section_context(request, case, "clinics", log=False)
    return render(
        request, "triage/clinic_case_discussions.html", {**context, "discussions": discussions}
    )


# ---------------------------------------------------------------- meetings


def _item_panels(request, meeting, items):
    """Each item with its latest discussion. In a running meeting the chair gets the CAS
    form open on the current item (the first not yet discussed at this meeting); the others
    offer "Record discussion" (htmx loads the form in place; without JS, the item's page),
    which keeps a 40-item page light."""
    membership = request.membership
    latest = selectors.latest_discussions(item.case_id for item in items)
    here = selectors.discussions_at(meeting, [item.pk for item in items])
    running = meeting.status == MeetingStatus.IN_PROGRESS and can(membership, Cap.RUN_CLINIC)
    current = next((item for item in items if item.pk not in here), None) if running else None
    panels = []
    for item in items:
        previous = latest.get(item.case_id)
        panel = {
            "item": item,
            "latest": previous,
            "saved": here.get(item.pk, []),
            "can_record": running,
        }
        if item is current:
            panel["form"] = DiscussionForm(
                prefix=f"item{item.pk}",
                initial=_initial_from(item, previous),
                action_rows=1,
                **_discussion_form_kwargs(meeting, item),
            )
        panels.append(panel)
    return panels


def _discussion_form_kwargs(meeting, item):
    """The CAS form's choices for one agenda item: action owners are the agencies its case
    is shared with and their members who work actions; changing an owner agency narrows
    the owner list (htmx posts the form back to this item's URL to redraw it)."""
    choices = selectors.discussion_choices(meeting.partnership_id, case=item.case)
    return {
        "choices": DiscussionChoices(**choices),
        "refresh_url": reverse("triage:meeting-item-discussion", args=[item.pk]),
        "refresh_target": f"#item-{item.pk}",
        "item": item,
    }


def _initial_from(item, previous):
    """Pre-fill what is known from the latest CAS, else the case summary."""
    case = item.case
    if previous is None:
        return {
            "summary": case.summary,
            "classification": case.classification,
            "priority": case.priority,
            "tier": case.tier,
            "depth": "full",
        }
    return {
        "summary": previous.summary,
        "classification": previous.classification or case.classification,
        "typologies": list(previous.typologies.all()),
        "risk_judgement": previous.risk_judgement,
        "risk_rationale": previous.risk_rationale,
        "priority": previous.priority or case.priority,
        "tier": previous.tier or case.tier,
        "depth": "brief",
    }


@member_required(Cap.VIEW_CASES)
def meeting_detail(request, pk):
    membership = request.membership
    meeting = selectors.get_meeting_or_404(membership, pk)
    is_chair = can(membership, Cap.RUN_CLINIC)
    # One agenda query; the chair also sees the items taken off (with the reason).
    everything = list(selectors.agenda_for(membership, meeting, include_removed=is_chair))
    items = [item for item in everything if item.removed_at is None]
    removed = [item for item in everything if item.removed_at is not None]
    record_event(
        action=Action.VIEW,
        actor=request.user,
        obj=meeting,
        detail={"agenda_case_ids": [item.case_id for item in items]},
    )
    return render(
        request,
        "triage/meeting_detail.html",
        {
            "meeting": meeting,
            "panels": _item_panels(request, meeting, items),
            "removed": removed,
            "attendance": selectors.attendance_for(meeting),
            "is_chair": is_chair,
            "can_add": can(membership, Cap.ADD_AGENDA_ITEM)
            and meeting.status != MeetingStatus.CLOSED,
            "running": meeting.status == MeetingStatus.IN_PROGRESS,
            "can_reopen": is_chair and clinic_services.can_reopen(meeting),
            "starts_early": meeting.status == MeetingStatus.PLANNED
            and clinic_services.starts_early(meeting),
        },
    )


def _meeting_action(request, pk, do, success):
    """A chair's change to a meeting (the callers' decorators require RUN_CLINIC)."""
    meeting = selectors.get_meeting_or_404(request.membership, pk)
    try:
        do(meeting)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_meeting_url(meeting))
    messages.success(request, success)
    return redirect(_meeting_url(meeting))


@member_required(Cap.RUN_CLINIC)
def meeting_start(request, pk):
    """POST starts the meeting. More than a day before its start, the chair is asked "are
    you sure" first (GET shows the same page): the confirming POST carries confirm_early."""
    meeting = selectors.get_meeting_or_404(request.membership, pk)
    early = meeting.status == MeetingStatus.PLANNED and clinic_services.starts_early(meeting)
    confirmed = request.POST.get("confirm_early") == "yes"
    if request.method == "POST" and (confirmed or not early):
        return _meeting_action(
            request,
            pk,
            lambda meeting: clinic_services.meeting_start_run(
                actor=request.user,
                membership=request.membership,
                meeting=meeting,
                confirm_early=confirmed,
            ),
            "Meeting started.",
        )
    context = {
        "meeting": meeting,
        "heading": "Start this meeting now?" if early else "Start this meeting?",
        "caption": str(meeting),
        "back_url": _meeting_url(meeting),
        "submit_label": "Yes, start it now" if early else "Start the meeting",
        "hidden": {"confirm_early": "yes"} if early else {},
    }
    if meeting.status != MeetingStatus.PLANNED:
        context["blocked"] = "This meeting has already started."
    else:
        happens = [
            "The agenda becomes the running order: the chair records each case's discussion.",
        ]
        if early:
            local = meeting.starts_at.astimezone(clinic_services.LONDON)
            happens.insert(
                0,
                f"This meeting is on {local:%-d %B %Y at %H:%M}, more than a day away. "
                "Are you sure you want to start it now?",
            )
        context.update(happens=happens)
    return render(request, "includes/confirm_page.html", context)


@member_required(Cap.RUN_CLINIC)
def meeting_close(request, pk):
    """GET: what closing does, with the cases not yet discussed (they carry to the next
    meeting); POST: close it."""
    if request.method == "POST":
        return _meeting_action(
            request,
            pk,
            lambda meeting: clinic_services.meeting_close(
                actor=request.user, membership=request.membership, meeting=meeting
            ),
            "Meeting closed. The minutes are being prepared.",
        )
    meeting = selectors.get_meeting_or_404(request.membership, pk)
    context = {
        "meeting": meeting,
        "heading": "Close this meeting?",
        "caption": str(meeting),
        "back_url": _meeting_url(meeting),
        "submit_label": "Close the meeting",
    }
    if meeting.status != MeetingStatus.IN_PROGRESS:
        context["blocked"] = "Only a meeting in progress can be closed."
        return render(request, "triage/meeting_close.html", context)
    undiscussed = list(selectors.undiscussed_items(meeting))
    following = selectors.next_meeting(meeting)
    context.update(
        undiscussed=undiscussed,
        following=following,
        happens=[
            "No more discussions can be recorded and the agenda cannot change.",
            "The minutes are produced for each audience and can be downloaded.",
            "Cases not yet discussed carry to the clinic's next meeting.",
        ],
        cannot_undo=(
            "Only the chair can reopen a closed meeting, within 7 days and with a reason; "
            "the minutes are then made again as a new version."
        ),
    )
    return render(request, "triage/meeting_close.html", context)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why are you reopening the meeting?",
        help_text="Everyone who downloads the minutes sees this reason on the new version.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the meeting is being reopened."},
    )


@member_required(Cap.RUN_CLINIC)
def meeting_reopen(request, pk):
    """GET: what reopening does, with a reason field; POST: reopen (chair, within 7 days
    of closing)."""
    meeting = selectors.get_meeting_or_404(request.membership, pk)
    form = ReopenForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            clinic_services.meeting_reopen(
                actor=request.user,
                membership=request.membership,
                meeting=meeting,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            if "status" in getattr(error, "error_dict", {}):
                for message in error.message_dict["status"]:
                    messages.error(request, message)
                return redirect(_meeting_url(meeting))
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                "Meeting reopened. Closing it again makes a new version of the minutes.",
            )
            return redirect(_meeting_url(meeting))
    context = {
        "meeting": meeting,
        "form": form,
        "heading": "Reopen this meeting?",
        "caption": str(meeting),
        "back_url": _meeting_url(meeting),
        "submit_label": "Reopen the meeting",
    }
    if not clinic_services.can_reopen(meeting):
        context["blocked"] = (
            "Only a closed meeting can be reopened, within "
            f"{clinic_services.REOPEN_DAYS} days of closing."
        )
    else:
        context.update(
            happens=[
                "The meeting is in progress again: discussions can be recorded and the agenda "
                "changed.",
                f"The minutes already made (version {meeting.minutes_version}) stay "
                "downloadable, marked superseded.",
                f"Closing the meeting again makes version {meeting.minutes_version + 1} of "
                "the minutes for every audience.",
            ],
            cannot_undo="The reason is recorded in the audit log and printed on the new minutes.",
        )
    return render(request, "includes/confirm_page.html", context, status=_status(form))


@require_POST
@member_required(Cap.RUN_CLINIC)
def meeting_rebuild(request, pk):
    return _meeting_action(
        request,
        pk,
        lambda meeting: agenda_services.build_agenda(
            meeting, actor=request.user, membership=request.membership
        ),
        "Agenda rebuilt: new cases were added at the end; removed items stayed off.",
    )


@member_required(Cap.RUN_CLINIC)
def meeting_attendance(request, pk):
    membership = request.membership
    meeting = selectors.get_meeting_or_404(membership, pk)
    form = AttendanceForm(
        _data(request),
        memberships=selectors.attendees_for(meeting),
        agencies=case_selectors.partnership_agencies(membership),
        current=list(selectors.attendance_for(meeting)),
    )
    if request.method == "POST" and form.is_valid():
        rows = form.rows()
        if not form.errors:
            try:
                clinic_services.attendance_record(
                    actor=request.user, membership=membership, meeting=meeting, rows=rows
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, "Attendance saved.")
                return redirect(_meeting_url(meeting))
    return render(
        request,
        "triage/meeting_attendance.html",
        {"meeting": meeting, "form": form},
        status=_status(form),
    )


@member_required(Cap.ADD_AGENDA_ITEM)
def meeting_add_case(request, pk):
    membership = request.membership
    meeting = selectors.get_meeting_or_404(membership, pk)
    form = AddCaseForm(_data(request))
    if request.method == "POST" and form.is_valid():
        case = selectors.case_by_reference(membership, form.cleaned_data["reference"])
        try:
            if case is None:
                raise ValidationError({"reference": "Enter the reference of a case you can see."})
            item = agenda_services.agenda_add_case(
                actor=request.user,
                membership=membership,
                meeting=meeting,
                case=case,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error("reference" if field == "case" else None, errors)
        else:
            messages.success(request, f"{case.reference} added to the agenda.")
            return redirect(_meeting_url(meeting, f"item-{item.pk}"))
    return render(
        request,
        "cases/_form_page.html",
        {
            "form": form,
            "heading": "Add a case to the agenda",
            "caption": str(meeting),
            "back_url": _meeting_url(meeting),
            "submit_label": "Add to agenda",
        },
        status=_status(form),
    )


@require_POST
@member_required(Cap.RUN_CLINIC)
def meeting_item_move(request, pk):
    item = selectors.get_agenda_item_or_404(request.membership, pk)
    try:
        agenda_services.agenda_move_item(
            actor=request.user,
            membership=request.membership,
            item=item,
            direction=request.POST.get("direction", ""),
        )
    except ValidationError as error:
        if _is_htmx(request):
            return render(
                request, "triage/_agenda_error.html", {"errors": error.messages}, status=400
            )
        for message in error.messages:
            messages.error(request, message)
        return redirect(_meeting_url(item.meeting))
    if _is_htmx(request):
        meeting = item.meeting
        items = list(selectors.agenda_for(request.membership, meeting))
        return render(
            request,
            "triage/_agenda_table.html",
            {"meeting": meeting, "items": items, "is_chair": True, "focus": item.pk},
        )
    return redirect(_meeting_url(item.meeting, f"agenda-row-{item.pk}"))


@member_required(Cap.RUN_CLINIC)
def meeting_item_remove(request, pk):
    item = selectors.get_agenda_item_or_404(request.membership, pk)
    form = RemoveItemForm(_data(request))
    removed = save_through_service(
        form,
        lambda reason: agenda_services.agenda_remove_item(
            actor=request.user, membership=request.membership, item=item, reason=reason
        ),
    )
    if removed is not NOT_SAVED:
        messages.success(request, f"{item.case.reference} taken off the agenda.")
        return redirect(_meeting_url(item.meeting))
    return render(
        request,
        "cases/_form_page.html",
        {
            "form": form,
            "heading": f"Take {item.case.reference} off the agenda",
            "caption": str(item.meeting),
            "back_url": _meeting_url(item.meeting),
            "submit_label": "Take off the agenda",
        },
        status=_status(form),
    )


@member_required(Cap.RUN_CLINIC)
def meeting_item_discussion(request, pk):
    """The CAS form for one item: a page of its own (GET), or a POST from the meeting page
    (htmx swaps the item's panel; without JS, redirect back to the item)."""
    membership = request.membership
    item = selectors.get_agenda_item_or_404(membership, pk)
    meeting = item.meeting
    latest = selectors.latest_discussions([item.case_id]).get(item.case_id)
    form = DiscussionForm(
        _data(request),
        prefix=f"item{item.pk}",
        initial=_initial_from(item, latest),
        **_discussion_form_kwargs(meeting, item),
    )
    saved = None
    if request.method == "POST" and not form.wants_another_action and form.is_valid():
        try:
            saved = discussion_services.discussion_record(
                actor=request.user, membership=membership, item=item, **form.service_values()
            )
        except ValidationError as error:
            form.add_service_errors(error)
    if saved is not None and not _is_htmx(request):
        messages.success(request, f"{item.case.reference}: discussion saved as v{saved.version}.")
        return redirect(_meeting_url(meeting, f"item-{item.pk}"))
    if saved is not None:
        form = None
    loading = request.method == "GET" and _is_htmx(request)
    # Unless a new version was just saved, the latest discussion read above is still it.
    known = {} if saved is not None else {"latest": latest}
    panel = _panel(meeting, item, form=form, just_saved=saved, autofocus=loading, **known)
    if _is_htmx(request):
        context = {"panel": panel, "meeting": meeting}
        if saved is not None:
            context["next_panel"] = _next_panel(request, meeting, item)
        # 200 even with errors: htmx swaps only successful responses, and the panel
        # carries the error summary and the messages at the fields.
        return render(request, "triage/_cas_panel_response.html", context)
    return render(
        request,
        "triage/meeting_item.html",
        {"panel": panel, "meeting": meeting, "item": item, "form": form},
        status=400 if request.method == "POST" and form is not None and form.errors else 200,
    )


_UNREAD = object()


def _panel(meeting, item, *, form=None, just_saved=None, autofocus=False, latest=_UNREAD):
    if latest is _UNREAD:
        latest = selectors.latest_discussions([item.case_id]).get(item.case_id)
    if form is None and meeting.status == MeetingStatus.IN_PROGRESS:
        form = DiscussionForm(
            prefix=f"item{item.pk}",
            initial=_initial_from(item, latest),
            action_rows=1,
            **_discussion_form_kwargs(meeting, item),
        )
    if autofocus and form is not None:
        form.fields["summary"].widget.attrs["autofocus"] = True
    return {
        "item": item,
        "latest": latest,
        "saved": selectors.discussions_at(meeting, [item.pk]).get(item.pk, []),
        "can_record": meeting.status == MeetingStatus.IN_PROGRESS,
        "form": form,
        "just_saved": just_saved,
        "autofocus": autofocus,
    }


def _next_panel(request, meeting, item):
    items = list(selectors.agenda_for(request.membership, meeting))
    following = [row for row in items if (row.position, row.pk) > (item.position, item.pk)]
    if not following:
        return None
    return _panel(meeting, following[0], autofocus=True)
