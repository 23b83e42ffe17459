"""Issue 14 groundwork: financial-year quarters (Q1 = April to June) in Europe/London, the
period rules of a report run, and the first working day after a quarter (the day the beat
job builds the return)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from reporting.periods import (
    MAX_PERIOD_YEARS,
    Quarter,
    first_working_day_after,
    period_errors,
    quarter_containing,
    quarter_just_ended,
    utc_bounds,
)

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("day", "label", "start", "end"),
    [
        (date(2026, 4, 1), "2026-27 Q1", date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 6, 30), "2026-27 Q1", date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), "2026-27 Q2", date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 12, 31), "2026-27 Q3", date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), "2026-27 Q4", date(2027, 1, 1), date(2027, 3, 31)),
        (date(2027, 3, 31), "2026-27 Q4", date(2027, 1, 1), date(2027, 3, 31)),
        (date(2099, 12, 1), "2099-00 Q3", date(2099, 10, 1), date(2099, 12, 31)),
    ],
)
def test_the_financial_year_quarter_of_a_day(day, label, start, end):
    quarter = quarter_containing(day)
    assert (quarter.label, quarter.start, quarter.end) == (label, start, end)


def test_quarters_follow_each_other():
    quarter = Quarter(2026, 4)
    assert quarter.next() == Quarter(2027, 1)
    assert Quarter(2027, 1).previous() == quarter
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)


def test_a_referral_at_23_30_bst_on_31_march_is_in_q4_though_utc_says_22_30():
    start, end = utc_bounds(Quarter(2025, 4))
    at = datetime(2026, 3, 31, 23, 30, tzinfo=LONDON)  # BST began on 29 March 2026
    assert start <= at < end
    q1_start, _ = utc_bounds(Quarter(2026, 1))
    assert q1_start == datetime(2026, 4, 1, tzinfo=LONDON)
    assert at < q1_start
    assert datetime(2026, 4, 1, 0, 0, tzinfo=LONDON) >= end


def test_the_quarter_just_ended_and_the_day_its_return_is_built():
    assert quarter_just_ended(date(2026, 7, 1)) == Quarter(2026, 1)
    # 1 January 2027 is a bank holiday (Friday): the return is built on Monday 4 January.
    assert first_working_day_after(Quarter(2026, 3)) == date(2027, 1, 4)
    # 1 April 2027 is a Thursday before Good Friday: a working day.
    assert first_working_day_after(Quarter(2026, 4)) == date(2027, 4, 1)
    # 30 September 2028 is a Saturday; 1 October 2028 a Sunday: Monday 2 October.
    assert first_working_day_after(Quarter(2028, 2)) == date(2028, 10, 2)


@pytest.mark.parametrize(
    ("start", "end", "field", "text"),
    [
        (None, date(2026, 6, 30), "start", "Enter the first day"),
        (date(2026, 4, 1), None, "end", "Enter the last day"),
        (date(2026, 6, 30), date(2026, 4, 1), "end", "on or after the first day"),
        (date(2020, 1, 1), date(2025, 1, 2), "end", f"at most {MAX_PERIOD_YEARS} years"),
        (date(2026, 4, 1), date(2099, 1, 1), "end", "in the future"),
    ],
)
def test_a_period_that_cannot_be_reported_is_refused_at_its_field(start, end, field, text):
    errors = period_errors(start, end, today=date(2026, 11, 28))
    assert text in errors[field]


def test_a_five_year_period_and_a_single_day_are_fine():
    today = date(2026, 11, 28)
    assert period_errors(date(2020, 1, 1), date(2024, 12, 31), today=today) == {}
    assert period_errors(date(2026, 4, 1), date(2026, 4, 1), today=today) == {}
