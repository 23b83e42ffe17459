"""Show a person who uses the system by name and agency, never by email address."""

from django import template

from accounts.selectors import agency_names_of

register = template.Library()


@register.filter
def name_and_agency(user):
    """ "Dr Helen Carter (Northshire Forensic Psychology Service (NHS))"; several agencies
    are separated by semicolons; a user in no agency now is shown by name alone."""
    if user is None or user == "":
        return ""
    name = getattr(user, "full_name", "") or "Name not recorded"
    agencies = agency_names_of(user)
    return f"{name} ({'; '.join(agencies)})" if agencies else name
