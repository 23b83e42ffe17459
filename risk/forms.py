"""Forms for assessments and for building local tools. No business rules: the services
validate; these forms shape input and put service errors next to fields."""

import re

from django import forms

from cases.forms.core import DateField
from risk import scoring
from risk.models import RiskLevel

NO_ANSWER = [("", "No answer yet")]


class StartForm(forms.Form):
    instrument = forms.TypedChoiceField(
        label="Instrument",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an instrument."},
    )
    subject = forms.TypedChoiceField(
        label="Person assessed (optional)",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="The victim for a DASH or SASH; the person who stalks for an SRP.",
    )
    meeting = forms.TypedChoiceField(
        label="Meeting (optional)",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="If you are finishing this assessment in a clinic or meeting.",
    )
    # Not past_only: the service checks the date with the other fields.
    assessed_on = DateField(
        label="Date it was done (optional)",
        required=False,
        past_only=False,
        help_text="Only for an assessment done on an earlier day, for example 27/3/2024. "
        "Otherwise it is dated the day you complete it.",
    )

    def __init__(self, *args, instruments, parties, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [
            (i.pk, f"{i.name}{'' if i.partnership_id is None else ' (local tool)'}")
            for i in instruments
        ]
        self.fields["subject"].choices = [("", "Not about one person")] + [
            (p.person.pk, f"{p.person.full_name} ({p.party.get_role_display().lower()})")
            for p in parties
        ]
        self.fields["meeting"].choices = [("", "Not in a meeting")] + [
            (m.pk, str(m)) for m in meetings
        ]


def _item_field(item, wording):
    label = f"{item.code} {item.label}"
    help_text = wording.get(item.code, "")
    if item.applies_when:
        condition = item.applies_when
        extra = f"Only when {condition['item']} is {' or '.join(condition.get('in', []))}."
        help_text = f"{help_text} {extra}".strip()
    if item.scale == "text":
        return forms.CharField(
            label=label,
            help_text=help_text,
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
    if item.multiple:
        return forms.MultipleChoiceField(
            label=label,
            help_text=help_text or "Choose all that apply.",
            required=False,
            choices=list(item.options),
            widget=forms.CheckboxSelectMultiple,
        )
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        choices=list(item.options),
        widget=forms.RadioSelect,
    )


class ItemFieldsMixin:
    """One field per item of an instrument version, grouped by section; every answer
    optional in the form (the service asks the engine what completing needs). Used by the
    risk answers page and by the apps that take measures and questionnaires."""

    def add_items(self, version):
        self.items = scoring.items(version.definition)
        wording = version.item_wording or {}
        for item in self.items:
            self.fields[item.code] = _item_field(item, wording)
        self._sections = version.definition.get("sections", [])
        self._definition = version.definition

    def add_rule_and_item_errors(self, problems):
        """For a measure or questionnaire answered in one go, in ``clean``: the service's
        rule ``problems`` ({field: message}) and the engine's missing or wrong answers, each
        at its field unless the field already has an error."""
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field if field in self.fields else None, message)
        _, _, item_errors = scoring.complete_result(self._definition, self.answers())
        self.apply_item_errors({c: m for c, m in item_errors.items() if c not in self.errors})

    def sections(self):
        return [
            {
                "label": section.get("label", ""),
                "code": section.get("code", ""),
                "fields": [self[item["code"]] for item in section.get("items", [])],
            }
            for section in self._sections
        ]

    def answers(self):
        return {
            item.code: self.cleaned_data.get(item.code)
            for item in self.items
            if self.cleaned_data.get(item.code) not in (None, "", [])
        }

    def apply_item_errors(self, item_errors):
        for code, message in item_errors.items():
            self.add_error(code if code in self.fields else None, message)

    def apply_answer_errors(self, error):
        """A service's AnswerErrors: item messages at their items, the rest at their
        fields."""
        self.apply_item_errors(error.item_errors)
        for field, errors in error.message_dict.items():
            if field != "answers":
                self.add_error(field if field in self.fields else None, errors)


class AnswersForm(ItemFieldsMixin, forms.Form):
    """The risk answers page: a draft may be incomplete; the service decides what
    completing needs."""

    review_due_on = DateField(
        label="Review date (optional)",
        past_only=False,
        required=False,
        help_text=(
            "Leave blank for the default: 3 months after a high result, 6 months otherwise. "
            "For example, 27/3/2026"
        ),
    )
    meeting = forms.TypedChoiceField(
        label="Meeting (optional)",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="The clinic or meeting this assessment is finished in.",
    )

    def __init__(self, *args, version, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_items(version)
        self.fields["meeting"].choices = [("", "Not in a meeting")] + [
            (m.pk, str(m)) for m in meetings
        ]


class OverrideForm(forms.Form):
    override_level = forms.ChoiceField(
        label="Level by professional judgement",
        choices=[("", "No override: use the computed level")] + RiskLevel.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    override_reason = forms.CharField(
        label="Reason",
        help_text="Needed whenever you choose a level. Say what the tool does not capture.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )


class ReviewDateForm(forms.Form):
    review_due_on = DateField(
        label="Review date",
        past_only=False,
        help_text="For example, 27/3/2026",
        error_messages={"required": "Enter the review date."},
    )


# --- Local tools ---------------------------------------------------------------------

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
METHOD_CHOICES = [
    ("count_yes", "Count the 'yes' answers (yes / no / not known items)"),
    ("sum", "Add up the 0 to 3 answers"),
    ("domain_ratings", "Highest low / moderate / high rating"),
]


class InstrumentForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=120, error_messages={"required": "Enter a name."}
    )
    code = forms.SlugField(
        label="Code",
        max_length=40,
        help_text="Lower case letters, numbers and hyphens, for example scsq.",
        error_messages={
            "required": "Enter a code.",
            "invalid": "Use lower case letters, numbers and hyphens only.",
        },
    )
    description = forms.CharField(
        label="Purpose and use",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Who completes it and when. Shown to assessors.",
    )
    method = forms.ChoiceField(
        label="How the result is worked out",
        choices=METHOD_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the result is worked out."},
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].required = False


class ItemForm(forms.Form):
    code = forms.CharField(label="Item code", max_length=20, required=False)
    label = forms.CharField(label="Short label", max_length=80, required=False)
    scale = forms.ChoiceField(
        label="Answer scale",
        choices=[("", "Choose")] + [(s, scoring.SCALES[s]["label"]) for s in scoring.LOCAL_SCALES],
        required=False,
    )
    domain = forms.CharField(label="Domain (optional)", max_length=80, required=False)

    def clean(self):
        data = super().clean()
        filled = [data.get(f) for f in ("code", "label", "scale")]
        if not any(filled) and not data.get("domain"):
            return data
        code = (data.get("code") or "").strip().upper()
        if not code:
            self.add_error("code", "Enter an item code.")
        elif not CODE_RE.match(code):
            self.add_error("code", "Use capital letters, numbers and hyphens, like SCSQ-01.")
        data["code"] = code
        if not data.get("label"):
            self.add_error("label", "Enter a short label.")
        if not data.get("scale"):
            self.add_error("scale", "Choose an answer scale.")
        return data

    @property
    def is_blank(self):
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(f) for f in ("code", "label", "scale", "domain"))


class BandForm(forms.Form):
    label = forms.CharField(label="Band label", max_length=60, required=False)
    level = forms.ChoiceField(
        label="Common level", choices=[("", "Choose")] + RiskLevel.choices, required=False
    )
    min = forms.IntegerField(label="From score", min_value=0, required=False)
    max = forms.IntegerField(
        label="To score", min_value=0, required=False, help_text="Blank on the last band: no limit."
    )
    prompt = forms.CharField(
        label="Prompt (optional)",
        max_length=200,
        required=False,
        help_text="For example, Refer to MARAC.",
    )

    @property
    def is_blank(self):
        data = getattr(self, "cleaned_data", {}) or {}
        return all(data.get(f) in (None, "") for f in ("label", "level", "min", "max", "prompt"))


ItemFormSet = forms.formset_factory(ItemForm, extra=0)
BandFormSet = forms.formset_factory(BandForm, extra=0)


def build_definition(form, items, bands):
    """The definition from the builder's cleaned forms: sections by domain, in order."""
    sections = []
    by_domain = {}
    for item in items:
        domain = (item.get("domain") or "").strip() or "Questions"
        if domain not in by_domain:
            by_domain[domain] = {
                "code": re.sub(r"[^a-z0-9]+", "-", domain.lower()).strip("-") or "questions",
                "label": domain,
                "items": [],
            }
            sections.append(by_domain[domain])
        by_domain[domain]["items"].append(
            {"code": item["code"], "label": item["label"].strip(), "scale": item["scale"]}
        )
    return {
        "schema": scoring.SCHEMA,
        "about": form.cleaned_data.get("description", ""),
        "local": True,
        "sections": sections,
        "scoring": {
            "method": form.cleaned_data["method"],
            "bands": [
                {
                    "code": re.sub(r"[^a-z0-9]+", "-", band["label"].lower()).strip("-")
                    or f"band-{n}",
                    "label": band["label"].strip(),
                    "level": band["level"],
                    "min": band["min"],
                    "max": band["max"],
                    "prompts": (
                        [{"code": "prompt", "text": band["prompt"].strip()}]
                        if band.get("prompt")
                        else []
                    ),
                }
                for n, band in enumerate(bands, start=1)
            ],
        },
    }


def initial_from_definition(definition):
    """Builder rows from a stored definition (to edit into a new version)."""
    items = [
        {"code": i.code, "label": i.label, "scale": i.scale, "domain": section["label"]}
        for section in definition.get("sections", [])
        for i in scoring.items({"sections": [section]})
    ]
    bands = [
        {
            "label": b.get("label", ""),
            "level": b.get("level", ""),
            "min": b.get("min"),
            "max": b.get("max"),
            "prompt": (b.get("prompts") or [{}])[0].get("text", ""),
        }
        for b in definition.get("scoring", {}).get("bands", [])
    ]
    return items, bands


class ToolBuilder:
    """The local-tool page: the tool's fields, its item rows and its band rows.

    Works without JavaScript: blank rows are ignored, and "Add more rows" posts the page
    back with five more blank rows (nothing is saved)."""

    BLANK_ITEMS, BLANK_BANDS, MORE = 3, 2, 5

    def __init__(self, data=None, *, initial=None, items=(), bands=(), editing=False):
        data = data.copy() if data is not None else None
        if data is not None and "add_rows" in data:
            for prefix in ("items", "bands"):
                key = f"{prefix}-TOTAL_FORMS"
                data[key] = str(int(data.get(key) or 0) + self.MORE)
        self.adding_rows = data is not None and "add_rows" in data
        self.form = InstrumentForm(data, initial=initial, editing=editing)
        self.items = forms.formset_factory(ItemForm, extra=self.BLANK_ITEMS)(
            data, prefix="items", initial=None if data is not None else (list(items) or None)
        )
        self.bands = forms.formset_factory(BandForm, extra=self.BLANK_BANDS)(
            data, prefix="bands", initial=None if data is not None else (list(bands) or None)
        )
        # Bound formsets take no initial rows: Django would skip rows equal to them.
        self.summary = []  # (anchor, message) for the error summary
        self.definition = None

    def is_valid(self):
        if self.adding_rows:
            return False
        ok = all([self.form.is_valid(), self.items.is_valid(), self.bands.is_valid()])
        items = [f for f in self.items.forms if f.is_valid() and not f.is_blank]
        bands = [f for f in self.bands.forms if f.is_valid() and not f.is_blank]
        if ok:
            ok = self._check(items, bands)
        if ok:
            self.definition = build_definition(
                self.form, [f.cleaned_data for f in items], [f.cleaned_data for f in bands]
            )
            ok = self._check_scoring(bands)
        self._collect_summary()
        return ok

    def _check(self, items, bands):
        ok = True
        if not items:
            self.items.forms[0].add_error("code", "Add at least one item.")
            ok = False
        seen = {}
        for form in items:
            code = form.cleaned_data["code"]
            if code in seen:
                form.add_error("code", f"Item code {code} is used twice: codes must be unique.")
                ok = False
            seen[code] = form
        for form in bands:
            for field, message in (
                ("label", "Enter a band label."),
                ("level", "Choose the common level."),
                ("min", "Enter the lowest score in this band."),
            ):
                if form.cleaned_data.get(field) in (None, ""):
                    form.add_error(field, message)
                    ok = False
        if not bands:
            self.bands.forms[0].add_error("label", "Add at least one band.")
            ok = False
        return ok

    def _check_scoring(self, bands):
        definition = self.definition
        method = definition["scoring"]["method"]
        if not scoring.scored_items(definition):
            wanted = {
                "count_yes": "yes / no / not known",
                "sum": "0 to 3",
                "domain_ratings": "low / moderate / high",
            }[method]
            self.form.add_error(
                "method", f"This method scores items with the {wanted} scale; none use it."
            )
            return False
        problems = scoring.band_problems(
            definition["scoring"]["bands"],
            scoring.lowest_score(definition),
            scoring.max_score(definition),
        )
        for index, field, message in problems:
            target = bands[index] if index is not None else self.bands.forms[0]
            target.add_error(field or "label", message[0].upper() + message[1:] + ".")
        return not problems

    def _collect_summary(self):
        for name, errors in self.form.errors.items():
            anchor = f"id_{name}_0" if name == "method" else f"id_{name}"
            self.summary += [(anchor, e) for e in errors]
        for formset in (self.items, self.bands):
            for form in formset.forms:
                for name, errors in form.errors.items():
                    self.summary += [(f"id_{form.prefix}-{name}", e) for e in errors]

    @property
    def has_errors(self):
        return bool(self.summary)
