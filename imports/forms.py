"""Forms of the migration workspace: the upload, and the mapping built from the kind's
columns and the values found in the file."""

from django import forms

from imports.kinds import KINDS

NOT_MAPPED = ""


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=())
    source_system = forms.CharField(
        label="Source system",
        max_length=40,
        help_text="The system the file came from, e.g. 'Northshire SPS spreadsheet'. "
        "Records are matched on this and their id, so use the same name every time.",
    )
    mapping = forms.ChoiceField(label="Saved mapping (optional)", required=False, choices=())
    file = forms.FileField(label="CSV or XLSX file")

    def __init__(self, *args, kinds=(), mappings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choose")] + list(kinds)
        self.fields["mapping"].choices = [("", "None: match the columns by their names")] + [
            (str(m.pk), f"{m.name} ({KINDS[m.kind].label})") for m in mappings if m.kind in KINDS
        ]


class MappingForm(forms.Form):
    """One select per field (their column), one per distinct value of a coded field (our
    value), and a name to save the mapping under."""

    save_as = forms.CharField(
        label="Save this mapping as (optional)", max_length=100, required=False
    )

    def __init__(self, *args, batch, distinct, **kwargs):
        super().__init__(*args, **kwargs)
        kind = KINDS[batch.kind]
        kind_object = kind(batch.partnership_id, batch.source_system)
        headers = [(NOT_MAPPED, "Not in this file")] + [(h, h) for h in batch.headers]
        self.value_fields = []
        for column in kind.all_columns():
            name = f"column__{column.name}"
            self.fields[name] = forms.ChoiceField(
                label=column.label + ("" if column.required else " (optional)"),
                choices=headers,
                required=False,
                initial=batch.columns.get(column.name, NOT_MAPPED),
            )
        for column in kind.columns:
            for index, text in enumerate(distinct.get(column.name, ())):
                name = f"value__{column.name}__{index}"
                initial = (batch.values.get(column.name) or {}).get(text, "")
                label = f"{column.label}: “{text}” means"
                if column.type == "choice":
                    field = forms.ChoiceField(
                        label=label,
                        choices=[("", "Read as written")] + list(kind_object.choices_of(column)),
                        required=False,
                        initial=initial,
                    )
                elif column.type == "bool":
                    field = forms.ChoiceField(
                        label=label,
                        choices=[("", "Read as written"), ("yes", "Yes"), ("no", "No")],
                        required=False,
                        initial=initial,
                    )
                else:
                    field = forms.CharField(
                        label=label + " (our code)", required=False, max_length=30, initial=initial
                    )
                self.fields[name] = field
                self.value_fields.append((name, column.name, text))

    def column_fields(self):
        return [self[name] for name in self.fields if name.startswith("column__")]

    def value_fields_bound(self):
        return [self[name] for name, _, _ in self.value_fields]

    def mapping(self):
        data = self.cleaned_data
        columns = {
            name.removeprefix("column__"): value
            for name, value in data.items()
            if name.startswith("column__") and value
        }
        values = {}
        for name, field, text in self.value_fields:
            if data.get(name):
                values.setdefault(field, {})[text] = data[name]
        return columns, values
