"""The "share anyway" confirmation of a form whose text is shared with the perpetrator's
side (order conditions, clinic decisions and minutes): hidden until the text was found to
hold the victim's contact details (cases.selectors.leaks), then a checkbox the writer must
tick to save. Without JavaScript: the warning comes back with the posted form."""

from django import forms

from cases.selectors.leaks import SHARE_ANYWAY_LABEL, shared_text_errors


def share_anyway_field():
    return forms.BooleanField(label=SHARE_ANYWAY_LABEL, required=False, widget=forms.HiddenInput)


class SharedTextCheck:
    """Mixin: ``shared_text_fields`` are checked against ``self.leak_case`` in clean()."""

    shared_text_fields = ()
    leak_case = None

    def check_shared_text(self, data):
        if self.leak_case is None:
            return
        texts = {field: data.get(field) for field in self.shared_text_fields}
        share_anyway = bool(data.get("share_anyway"))
        warnings = shared_text_errors(self.leak_case, texts, share_anyway=share_anyway)
        for field, message in warnings.items():
            if field not in self.errors:
                self.add_error(field, message)
        if warnings or share_anyway:
            self.fields["share_anyway"].widget = forms.CheckboxInput()
