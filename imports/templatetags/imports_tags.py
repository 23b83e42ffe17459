from django import template

from imports.selectors import last_import_of

register = template.Library()


@register.simple_tag
def last_import(record):
    """{% last_import record as batch %}: the import that created or last changed it."""
    return last_import_of(record)
