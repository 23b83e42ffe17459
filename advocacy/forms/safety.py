"""Forms of safety plans and target-hardening measures."""

import contextlib

from django import forms
from django.forms.utils import ErrorDict
from django.utils import timezone

from advocacy.models import (
    MeasureKind,
    PlanItemOwner,
)
from advocacy.services import safety as safety_services
from cases.forms.core import DateField

from .episodes import RuleCheckedForm

ITEM_PARTS = ("text", "owner", "due_on", "done")


class SafetyPlanForm(RuleCheckedForm):
    """A new version of the safety plan: review date, notes, linked orders and a row of
    fields per item (``items-<n>-text`` …). Pre-filled from the current version (with one
    blank row more); nothing is copied unless it is submitted. "Add another item" is a
    submit button: the form comes back with what was typed and one more row, and nothing
    is saved, so it works without JavaScript."""

    review_on = DateField(
        label="Review the plan on",
        past_only=False,
        error_messages={"required": "Enter the date the plan will be reviewed."},
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=safety_services.MAX_NOTES_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    item_rows = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, episode, orders, plan=None, **kwargs):
        self.episode = episode
        initial = kwargs.setdefault("initial", {})
        rows = 1
        if plan is not None:
            items = list(plan.items.all())
            initial.setdefault("review_on", plan.review_on)
            initial.setdefault("notes", plan.notes)
            initial.setdefault("orders", [link.order_id for link in plan.order_links.all()])
            for index, item in enumerate(items):
                for part in ITEM_PARTS:
                    initial.setdefault(f"items-{index}-{part}", getattr(item, part))
            rows = len(items) + 1
        super().__init__(*args, **kwargs)
        if orders:
            self.fields["orders"] = forms.TypedMultipleChoiceField(
                label="Protective orders the plan relies on (optional)",
                choices=[(order.pk, _order_label(order)) for order in orders],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": "Choose protective orders on this case."},
            )
            self.order_fields(["review_on", "notes", "orders", "item_rows"])
        if self.is_bound:
            with contextlib.suppress(TypeError, ValueError):
                rows = int(self.data.get(self.add_prefix("item_rows")) or rows)
            if self.wants_another_item:
                rows += 1
        self.row_count = max(1, min(rows, safety_services.MAX_PLAN_ITEMS))
        self.initial["item_rows"] = self.row_count
        if self.is_bound:
            data = self.data.copy()
            data[self.add_prefix("item_rows")] = str(self.row_count)
            self.data = data
        for index in range(self.row_count):
            key = f"items-{index}-"
            number = index + 1
            self.fields[key + "text"] = forms.CharField(
                label=f"Item {number}: what will be done",
                required=False,
                max_length=safety_services.MAX_ITEM_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[key + "owner"] = forms.ChoiceField(
                label=f"Item {number}: who does it",
                choices=PlanItemOwner.choices,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[key + "due_on"] = DateField(
                label=f"Item {number}: due (optional)", required=False, past_only=False
            )
            self.fields[key + "done"] = forms.BooleanField(
                label=f"Item {number}: done", required=False
            )
        self._row_of = []
        if self.wants_another_item:
            self._errors = ErrorDict()  # only adding a row: no errors, nothing saved

    @property
    def wants_another_item(self):
        return self.is_bound and self.add_prefix("add_item") in self.data

    def core_fields(self):
        return [self[name] for name in self.fields if not name.startswith("items-")]

    def item_fields(self):
        return [
            [self[f"items-{index}-{part}"] for part in ITEM_PARTS]
            for index in range(self.row_count)
        ]

    def _filled_rows(self):
        """(row index, item) for the rows kept: the text is the item, so a row whose text
        is cleared is left out (its owner radio cannot be unset without JavaScript), unless
        a due date or "done" is still given, which asks for the text."""
        data = self.cleaned_data
        filled = []
        for index in range(self.row_count):
            key = f"items-{index}-"
            item = {
                "text": (data.get(key + "text") or "").strip(),
                "owner": data.get(key + "owner") or "",
                "due_on": data.get(key + "due_on"),
                "done": bool(data.get(key + "done")),
            }
            typed = item["text"] or item["done"] or item["due_on"]
            if typed or self.has_error(key + "due_on") or self.has_error(key + "text"):
                filled.append((index, item))
        return filled

    def values(self):
        filled = self._filled_rows()
        self._row_of = [index for index, _ in filled]
        data = self.cleaned_data
        return {
            "review_on": data.get("review_on"),
            "notes": (data.get("notes") or "").strip(),
            "order_ids": data.get("orders") or [],
            "items": [item for _, item in filled],
        }

    def _form_field(self, field):
        """A service error key (items count only the filled rows) as a form field."""
        if field == "items":
            return "items-0-text"
        if field.startswith("items-") and field.count("-") == 2:
            _, index, part = field.split("-")
            return f"items-{self._row_of[int(index)]}-{part}"
        return field

    def _target(self, field):
        target = self._form_field(field) if field else None
        return target if target in self.fields else None

    def clean(self):
        data = super().clean()
        if self.wants_another_item:
            return data
        values = self.values()
        errors = safety_services.plan_errors(self.episode, **values)
        if values["review_on"] is None:
            errors.pop("review_on", None)  # a missing or unreal date has its own error
        self.add_rule_errors(errors)
        return data


def _order_label(order):
    label = f"{order.get_kind_display()}, applied for {order.applied_on:%d/%m/%Y}"
    return f"{label} ({order.get_decision_display().lower()})"


class MeasureForm(RuleCheckedForm):
    """Record or change a target-hardening measure: its state follows from the dates."""

    kind = forms.ChoiceField(
        label="Measure",
        choices=[("", "Choose a measure"), *MeasureKind.choices],
        error_messages={"required": "Choose the measure.", "invalid_choice": "Choose the measure."},
    )
    requested_on = DateField(
        label="Requested on",
        initial=timezone.localdate,
        error_messages={"required": "Enter the date the measure was requested."},
    )
    provided_on = DateField(
        label="Provided on (optional)",
        required=False,
        help_text="The date it was fitted or handed over. For example, 27/3/2025",
    )
    declined_on = DateField(
        label="Declined on (optional)",
        required=False,
        help_text="The date the victim declined it. For example, 27/3/2025",
    )
    provider = forms.CharField(
        label="Provider",
        required=False,
        max_length=safety_services.MAX_PROVIDER_LENGTH,
        help_text="Who supplies or fits it. Needed once it is provided.",
    )

    def __init__(self, *args, episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.episode = episode

    @classmethod
    def initial_for(cls, measure):
        return {name: getattr(measure, name) for name in safety_services.MEASURE_FIELDS}

    def values(self):
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or "",
            "requested_on": data.get("requested_on"),
            "provided_on": data.get("provided_on"),
            "declined_on": data.get("declined_on"),
            "provider": (data.get("provider") or "").strip(),
        }

    def clean(self):
        data = super().clean()
        errors = safety_services.measure_errors(self.episode, self.values())
        if self.values()["requested_on"] is None:
            errors.pop("requested_on", None)
        self.add_rule_errors(errors)
        return data
