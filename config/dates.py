"""One date style everywhere (GOV.UK): "8 December 2026" in sentences and headings,
"8 Dec 2026" in dense tables, times as "8 December 2026, 14:30". Templates use Django's
``date`` filter with these formats (settings.DATE_FORMAT is LONG); Python text uses these
functions, never ``%d/%m/%Y`` or an ISO date."""

from datetime import timedelta
from functools import cache

import holidays
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


@cache
def _bank_holidays(year):
    # England and Wales (one calendar for both): the partnerships this product serves.
    return frozenset(holidays.UK(subdiv="ENG", years=year))


def is_working_day(day):
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day, days):
    """The date ``days`` working days after ``day``: Monday to Friday, England and Wales
    bank holidays excluded (the Victims' Code and first-contact deadlines count these)."""
    result = day
    while days > 0:
        result += timedelta(days=1)
        if is_working_day(result):
            days -= 1
    return result
