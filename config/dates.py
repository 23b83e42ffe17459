"""One date style everywhere (GOV.UK): "8 December 2026" in sentences and headings,
"8 Dec 2026" in dense tables, times as "8 December 2026, 14:30". Templates use Django's
``date`` filter with these formats (settings.DATE_FORMAT is LONG); Python text uses these
functions, never ``%d/%m/%Y`` or an ISO date."""

from datetime import timedelta

from django.utils import dateformat, timezone

LONG = "j F Y"
SHORT = "j M Y"
LONG_TIME = "j F Y, H:i"
SHORT_TIME = "j M Y, H:i"


def _format(value, fmt):
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return dateformat.format(value, fmt)


def long_date(value):
    return _format(value, LONG)


def short_date(value):
    return _format(value, SHORT)


def long_datetime(value):
    return _format(value, LONG_TIME)


def add_working_days(day, days):
    """The date ``days`` working days (Monday to Friday) after ``day``. Bank holidays are
    not counted out: the project holds no calendar of them yet (England and Wales has
    eight a year; a deadline that lands after one is a day early, never late)."""
    result = day
    while days > 0:
        result += timedelta(days=1)
        if result.weekday() < 5:
            days -= 1
    return result
