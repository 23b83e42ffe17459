"""What text the product accepts, at every input (issue 9, item 7).

NUL and the other C0 control characters (except tab, line feed and carriage return) and
DEL cannot be typed by a person; PostgreSQL refuses NUL outright (a 500), and the others
break CSV exports, emails and screen readers. Unicode bidirectional overrides and isolates
(U+202A-U+202E, U+2066-U+2069) make a name display as something else ("Trojan Source"),
so a record could show one name and match another. Both are refused with a message that
names the character, never stripped silently: the person can see what was wrong.

One rule, used everywhere:
- query strings and form-encoded bodies: config.middleware.RefuseControlCharacters
  (a 400 naming the field: JSON under /api/, a GOV.UK error page elsewhere);
- Django form fields and DRF serializer fields: the validator is added to every CharField
  in ``install()`` (called from config.apps), so a form shows a field error;
- JSON request bodies: config.parsers.JSONParser walks the whole body;
- the crime-screen import: cases.importers.crime_screen gives a row error per field.
"""

import re

from django.core.exceptions import ValidationError

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
REFUSED = re.compile(f"[{_CONTROL}{_BIDI}]")


def problem(value):
    """A sentence saying why ``value`` (a string) is refused, or None if it is fine."""
    if not isinstance(value, str):
        return None
    match = REFUSED.search(value)
    if match is None:
        return None
    char = match.group()
    code = f"U+{ord(char):04X}"
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return (
            f"Remove the hidden text-direction character ({code}): it can make text show "
            "as something other than what it is."
        )
    return f"Remove the control character ({code}): it cannot be typed or stored."


def reject_control_characters(value):
    """Django/DRF validator: refuses NUL, C0 controls (not tab/LF/CR), DEL, bidi overrides."""
    message = problem(value)
    if message:
        raise ValidationError(message, code="control_character")


def problems_in(data, path=""):
    """Every refused string in a parsed JSON body, as (path, message); keys count too."""
    if isinstance(data, str):
        message = problem(data)
        return [(path, message)] if message else []
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            key_path = f"{path}.{key}" if path else str(key)
            message = problem(key)
            if message:
                found.append((key_path, message))
            found.extend(problems_in(value, key_path))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(problems_in(value, f"{path}.{index}" if path else str(index)))
    return found


def errors_for(found, limit=20):
    """(path, message) pairs → the API's field-keyed errors: keyed by the top-level field,
    the message says where below it (``rows.3.summary``)."""
    errors = {}
    for path, message in found[:limit]:
        field, _, rest = path.partition(".")
        errors.setdefault(field or "non_field_errors", []).append(
            f"{rest}: {message}" if rest else message
        )
    return errors


def install():
    """Add the validator to every Django form CharField and DRF serializer CharField.

    Both frameworks already refuse NUL in CharField (ProhibitNullCharactersValidator); this
    widens the same hook to the other characters, so every form and serializer, now and
    later, refuses them with a field error and no per-form code.
    """
    from django import forms
    from rest_framework import serializers

    if getattr(forms.CharField, "_control_characters_installed", False):
        return
    form_init = forms.CharField.__init__

    def form_char_field_init(self, *args, **kwargs):
        form_init(self, *args, **kwargs)
        self.validators.append(reject_control_characters)

    forms.CharField.__init__ = form_char_field_init
    forms.CharField._control_characters_installed = True

    drf_init = serializers.CharField.__init__

    def drf_char_field_init(self, *args, **kwargs):
        drf_init(self, *args, **kwargs)
        self.validators.append(reject_control_characters)

    serializers.CharField.__init__ = drf_char_field_init
