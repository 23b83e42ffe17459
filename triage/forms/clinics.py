"""Forms for clinic set-up, agenda changes, attendance and the Case Analysis Summary.

Forms check shapes only; the services hold the rules (their ValidationErrors are shown next
to the fields through ``apply_service_errors``)."""

import contextlib
import json

from django import forms
from django.forms.utils import ErrorDict

from cases.forms.core import DateField
from cases.forms.leaks import SharedTextCheck, share_anyway_field
from cases.models import Classification, Priority, Tier
from triage.models import (
    AttendanceStatus,
    Cadence,
    Decision,
    DiscussionDepth,
    MeetingKind,
    RiskJudgement,
)
from triage.services import discussions as discussion_services

BLANK = [("", "Not recorded")]


class ClinicForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    kind = forms.ChoiceField(
        label="Kind of meeting", choices=MeetingKind.choices, widget=forms.RadioSelect
    )
    cadence = forms.ChoiceField(
        label="How often it meets", choices=Cadence.choices, widget=forms.RadioSelect
    )
    first_meeting_on = DateField(
        label="Date of the first meeting",
        past_only=False,
        help_text="Anchors the cadence. For example, 6/1/2026",
    )
    starts_at = forms.TimeField(
        label="Start time", help_text="UK time, 24-hour clock. For example, 10:00"
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes", min_value=5, max_value=600, initial=120
    )
    location = forms.CharField(label="Location (optional)", max_length=200, required=False)
    agencies = forms.ModelMultipleChoiceField(
        label="Attending agencies",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of these agencies see the agenda, limited to cases shared with them.",
    )
    chair = forms.ModelChoiceField(
        label="Chair (optional)", queryset=None, required=False, empty_label="No chair yet"
    )
    active = forms.BooleanField(label="Meetings are being scheduled", required=False, initial=True)

    def __init__(self, *args, agencies, chairs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = agencies
        self.fields["chair"].queryset = chairs
        self.fields["chair"].label_from_instance = lambda user: user.full_name


class AddCaseForm(forms.Form):
    reference = forms.CharField(
        label="Case reference", max_length=30, help_text="For example, NS-2026-00012"
    )
    note = forms.CharField(
        label="Why it needs discussing (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RemoveItemForm(forms.Form):
    reason = forms.CharField(
        label="Why is the case coming off the agenda?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the case is coming off the agenda."},
    )


ATTENDANCE_CHOICES = [("", "Not recorded"), *AttendanceStatus.choices]
GUEST_ROWS = 2


class AttendanceForm(forms.Form):
    """One status per member of the attending agencies, plus guest rows."""

    def __init__(self, *args, memberships, agencies, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = list(memberships)
        self.member_fields = []
        by_user = {row.user_id: row for row in current if row.user_id}
        for membership in self.memberships:
            name = f"m{membership.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"{membership.user.full_name}, {membership.agency.name}",
                choices=ATTENDANCE_CHOICES,
                required=False,
                initial=getattr(by_user.get(membership.user_id), "status", ""),
            )
            self.member_fields.append(name)
        guests = [row for row in current if not row.user_id]
        self.guest_rows = []
        for index in range(max(GUEST_ROWS, len(guests) + 1)):
            guest = guests[index] if index < len(guests) else None
            keys = (
                f"g{index}-name",
                f"g{index}-agency",
                f"g{index}-organisation",
                f"g{index}-status",
            )
            self.fields[keys[0]] = forms.CharField(
                label=f"Guest {index + 1} name",
                required=False,
                max_length=200,
                initial=guest.name if guest else "",
            )
            self.fields[keys[1]] = forms.ModelChoiceField(
                label=f"Guest {index + 1} agency",
                queryset=agencies,
                required=False,
                empty_label="Another organisation",
                initial=guest.agency_id if guest else None,
            )
            self.fields[keys[2]] = forms.CharField(
                label=f"Guest {index + 1} organisation, if not one of the agencies",
                help_text="For example, a housing provider or a school. The minutes name it.",
                required=False,
                max_length=200,
                initial=guest.organisation if guest else "",
            )
            self.fields[keys[3]] = forms.ChoiceField(
                label=f"Guest {index + 1} attendance",
                choices=ATTENDANCE_CHOICES,
                required=False,
                initial=guest.status if guest else "",
            )
            self.guest_rows.append(keys)

    def member_bound(self):
        return [self[name] for name in self.member_fields]

    def guest_bound(self):
        return [[self[key] for key in keys] for keys in self.guest_rows]

    def rows(self):
        rows = []
        for membership, name in zip(self.memberships, self.member_fields, strict=True):
            status = self.cleaned_data.get(name)
            if status:
                rows.append(
                    {"user": membership.user, "agency": membership.agency, "status": status}
                )
        for name_key, agency_key, organisation_key, status_key in self.guest_rows:
            name = self.cleaned_data.get(name_key, "").strip()
            if not name:
                continue
            agency, status = self.cleaned_data.get(agency_key), self.cleaned_data.get(status_key)
            organisation = self.cleaned_data.get(organisation_key, "").strip()
            if agency is None and not organisation:
                self.add_error(
                    agency_key,
                    "Choose the guest's agency, or enter the organisation they come from.",
                )
            elif agency is not None and organisation:
                self.add_error(
                    organisation_key, "Give the guest's agency or another organisation, not both."
                )
            if not status:
                self.add_error(status_key, "Choose present, apologies or absent.")
            rows.append(
                {
                    "user": None,
                    "name": name,
                    "agency": agency,
                    "organisation": organisation,
                    "status": status,
                }
            )
        return rows


MAX_ACTION_ROWS = 10


class DiscussionChoices:
    """The typologies, agencies and people a CAS form offers, read once (three queries)
    and shared by every item's form on the meeting page."""

    def __init__(self, *, typologies, agencies, owners, shared=None, workers=None):
        """``shared`` (the agencies the case is shared with) and ``workers`` (agency id ->
        its members who work actions): what an action on this case may be given to. Without
        them (no case), every active agency and member is offered."""
        self.typologies = {code.pk: code for code in typologies}
        self.agencies = {agency.pk: agency for agency in agencies}
        self.owners = {user.pk: user for user in owners}
        self.typology_choices = [(pk, code.label) for pk, code in self.typologies.items()]
        offered = self.agencies.values() if shared is None else shared
        self.agency_choices = [("", "Choose")] + [(agency.pk, agency.name) for agency in offered]
        self.workers = workers
        self.shared = list(offered)
        self.owner_choices = [("", "Anyone in the agency")] + [
            (pk, user.full_name) for pk, user in self.owners.items()
        ]

    def owner_choices_for(self, agency_id):
        """The owner list of one action row: the chosen agency's members who work actions;
        before an agency is chosen, every such member of the shared agencies, by agency."""
        if self.workers is None:
            return self.owner_choices
        anyone = [("", "Anyone in the agency")]
        if agency_id in self.workers:
            return anyone + [(user.pk, user.full_name) for user in self.workers[agency_id]]
        return anyone + [
            (agency.name, [(user.pk, user.full_name) for user in self.workers[agency.pk]])
            for agency in self.shared
            if self.workers.get(agency.pk)
        ]


class DiscussionForm(SharedTextCheck, forms.Form):
    """The Case Analysis Summary for one agenda item, with up to ``action_rows`` actions.
    Its texts reach health in the minutes: see cases.forms.leaks."""

    shared_text_fields = ("summary", "risk_rationale", "decision_note")

    summary = forms.CharField(
        label="What is known",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        error_messages={"required": "Enter what is known."},
    )
    classification = forms.ChoiceField(
        label="Classification", choices=BLANK + Classification.choices, required=False
    )
    typologies = forms.TypedMultipleChoiceField(
        label="Stalker typology",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )
    risk_judgement = forms.ChoiceField(
        label="Risk judgement",
        choices=[("", "Choose")] + RiskJudgement.choices,
        error_messages={"required": "Choose the risk judgement."},
    )
    risk_rationale = forms.CharField(
        label="Risk rationale",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    priority = forms.ChoiceField(label="Priority", choices=BLANK + Priority.choices, required=False)
    tier = forms.ChoiceField(label="Tier", choices=BLANK + Tier.choices, required=False)
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("", "Choose")] + Decision.choices,
        error_messages={"required": "Choose a decision."},
    )
    decision_note = forms.CharField(
        label="Decision note",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    refer_to_advocacy = forms.BooleanField(
        label="Refer the victim to victim advocacy",
        required=False,
        help_text="Each victim on the case goes into the advocacy service's referral queue.",
    )
    next_review_on = DateField(label="Next review date", required=False, past_only=False)
    depth = forms.ChoiceField(
        label="Discussed", choices=DiscussionDepth.choices, initial=DiscussionDepth.FULL
    )
    share_anyway = share_anyway_field()
    action_rows = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args,
        choices,
        action_rows=3,
        refresh_url=None,
        refresh_target=None,
        item=None,
        **kwargs,
    ):
        """``choices``: a DiscussionChoices. ``refresh_url``/``refresh_target``: where a
        changed owner agency posts the form (htmx) to redraw it with that agency's owners."""
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.item = item  # the agenda item: the service's rules are asked in clean()
        self.leak_case = item.case if item is not None else None
        self.fields["typologies"].choices = choices.typology_choices
        if "typologies" in self.initial:
            self.initial["typologies"] = [code.pk for code in self.initial["typologies"]]
        if self.is_bound:
            with contextlib.suppress(ValueError):
                action_rows = int(self.data.get(self.add_prefix("action_rows")) or action_rows)
            if self.add_prefix("add_action") in self.data:
                action_rows += 1
        self.action_count = max(1, min(action_rows, MAX_ACTION_ROWS))
        self.initial["action_rows"] = self.action_count
        if self.is_bound:
            data = self.data.copy()
            data[self.add_prefix("action_rows")] = str(self.action_count)
            self.data = data
        self.action_keys = []
        for index in range(self.action_count):
            key = f"actions-{index}-"
            self.fields[key + "description"] = forms.CharField(
                label=f"Action {index + 1}: what", required=False, max_length=2000
            )
            self.fields[key + "owner_agency"] = forms.TypedChoiceField(
                label=f"Action {index + 1}: owner agency",
                help_text="An agency the case is shared with.",
                choices=choices.agency_choices,
                coerce=int,
                required=False,
                empty_value=None,
                error_messages={"invalid_choice": "Choose an agency the case is shared with."},
            )
            if refresh_url:
                self.fields[key + "owner_agency"].widget.attrs.update(
                    {
                        "hx-post": refresh_url,
                        "hx-trigger": "change",
                        "hx-target": refresh_target,
                        "hx-swap": "outerHTML",
                        "hx-vals": json.dumps({self.add_prefix("refresh_owners"): "1"}),
                    }
                )
            self.fields[key + "owner"] = forms.TypedChoiceField(
                label=f"Action {index + 1}: owner (optional)",
                help_text="A member of the owner agency who works actions.",
                choices=choices.owner_choices_for(self._chosen_agency(key)),
                coerce=int,
                required=False,
                empty_value=None,
                error_messages={
                    "invalid_choice": "Choose a member of the owner agency who works actions."
                },
            )
            self.fields[key + "due_on"] = DateField(
                label=f"Action {index + 1}: due", required=False, past_only=False
            )
            self.action_keys.append(key)
        if self.wants_another_action:
            # Only adding a row or narrowing the owner lists to the chosen agencies: show
            # what was typed, without errors, and save nothing.
            self._errors = ErrorDict()

    def _chosen_agency(self, key):
        """The agency chosen on an action row (as posted, else as first shown), or None."""
        name = key + "owner_agency"
        raw = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
        try:
            return int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            return None

    @property
    def wants_another_action(self):
        return self.is_bound and (
            self.add_prefix("add_action") in self.data or self.wants_owner_lists
        )

    @property
    def wants_owner_lists(self):
        """Only narrowing each row's owner list to its chosen agency (htmx on change;
        without JavaScript, the "Show the owners" button reloads the form)."""
        return self.is_bound and self.add_prefix("refresh_owners") in self.data

    def core_fields(self):
        return [self[name] for name in self.fields if not name.startswith("actions-")]

    def action_fields(self):
        return [
            [self[key + part] for part in ("description", "owner_agency", "owner", "due_on")]
            for key in self.action_keys
        ]

    def clean(self):
        """The service's rules too (discussion_errors), so every problem, the action rows'
        included, is reported in one pass."""
        data = super().clean()
        if self.item is None or self.wants_another_action:
            return data
        values = self.service_values()
        for name in ("summary", "risk_judgement", "decision"):
            values.setdefault(name, None)
        found, _ = discussion_services.discussion_errors(item=self.item, **values)
        for field, message in found.items():
            field = self._form_field(field)
            if field not in self.errors:
                self.add_error(field if field in self.fields else None, message)
        self.check_shared_text(data)
        return data

    def _form_field(self, field):
        """A service error key (action rows count only the filled rows) as a form field."""
        if field.startswith("actions-") and field.count("-") == 2:
            _, index, part = field.split("-")
            return f"actions-{self._row_of[int(index)]}-{part}"
        return field

    def service_values(self):
        """The cleaned values as the service takes them; blank action rows are skipped.
        A field that did not clean is left out (the rows: None)."""
        data = dict(self.cleaned_data)
        data.pop("action_rows", None)
        data["typologies"] = [
            self.choices.typologies[pk]
            for pk in data.get("typologies") or []
            if pk in self.choices.typologies
        ]
        actions, self._row_of = [], []
        for index, key in enumerate(self.action_keys):
            row = {part: data.pop(key + part, None) for part in ACTION_PARTS}
            row["owner_agency"] = self.choices.agencies.get(row["owner_agency"])
            row["owner"] = self.choices.owners.get(row["owner"])
            if any(value not in (None, "") for value in row.values()):
                actions.append(row)
                self._row_of.append(index)
        data["actions"] = actions
        return data

    def add_service_errors(self, error):
        """Put the service's errors at the fields; its action rows count only filled rows."""
        for field, messages in error.message_dict.items():
            field = self._form_field(field)
            self.add_error(field if field in self.fields else None, messages)


ACTION_PARTS = ("description", "owner_agency", "owner", "due_on")
