"""Render Django form fields with GOV.UK Frontend classes, keeping each widget's own attributes."""

from django import template

register = template.Library()

WIDGET_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "checkbox": "govuk-checkboxes__input",
}
DEFAULT_WIDTHS = {"date": "10"}
ERROR_CLASSES = {
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
    "govuk-input": "govuk-input--error",
}


@register.simple_tag
def govuk_widget(field, width=""):
    css = WIDGET_CLASSES.get(field.widget_type, "govuk-input")
    classes = [css]
    width = width or DEFAULT_WIDTHS.get(field.widget_type, "")
    if width:
        classes.append(f"govuk-input--width-{width}")
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        classes.append(ERROR_CLASSES.get(css, ""))
        described_by.append(f"{field.auto_id}-error")
    attrs = {"class": " ".join(c for c in classes if c)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)
