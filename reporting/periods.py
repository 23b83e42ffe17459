"""Reporting periods (issue 14): financial-year quarters, Q1 = April to June, counted on
Europe/London dates; the period rules of a report run; the day a quarter's return is due.

A quarter is named by the year its financial year starts: Quarter(2026, 1) is April to June
2026, "2026-27 Q1". Events are timestamps: utc_bounds gives the [start, end) instants of a
quarter's London days, so an event at 23:30 BST on 31 March falls in Q4 of that year, as
the person who recorded it saw it, not in Q1 as its UTC time would say."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.dates import is_working_day

LONDON = ZoneInfo("Europe/London")
MAX_PERIOD_YEARS = 5


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the calendar year the financial year starts in
    number: int  # 1 (April–June) to 4 (January–March)

    @property
    def start(self):
        month = 3 * self.number + 1  # 4, 7, 10, 13
        return date(self.year + month // 13, (month - 1) % 12 + 1, 1)

    @property
    def end(self):
        return self.next().start - timedelta(days=1)

    @property
    def label(self):
        return f"{self.year}-{(self.year + 1) % 100:02d} Q{self.number}"

    def next(self):
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self):
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )


def quarter_containing(day):
    year = day.year if day.month >= 4 else day.year - 1
    return Quarter(year, (day.month - 4) % 12 // 3 + 1)


def quarter_just_ended(today):
    return quarter_containing(today).previous()


def utc_bounds(quarter):
    """The [start, end) instants of the quarter's London days (aware datetimes)."""
    return (
        datetime.combine(quarter.start, time.min, tzinfo=LONDON),
        datetime.combine(quarter.next().start, time.min, tzinfo=LONDON),
    )


def first_working_day_after(quarter):
    """The first England and Wales working day after the quarter ends: when the return for
    it is built."""
    day = quarter.end + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def period_errors(start, end, *, today):
    """{field: message} for a report period that cannot be run: a missing day, an end
    before the start, a period longer than five years, or an end in the future."""
    errors = {}
    if start is None:
        errors["start"] = "Enter the first day of the period."
    if end is None:
        errors["end"] = "Enter the last day of the period."
    if errors:
        return errors
    if end < start:
        errors["end"] = "The last day must be on or after the first day."
    elif end > today:
        errors["end"] = "The period cannot end in the future."
    elif _add_years(start, MAX_PERIOD_YEARS) <= end:
        errors["end"] = f"A report covers at most {MAX_PERIOD_YEARS} years."
    return errors


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
