"""One date style everywhere (GOV.UK): "8 December 2026", "8 Dec 2026" in dense tables,
24-hour times; never "8 Dec 2026, 2:30 p.m." (Django's en_GB default) or 08/12/2026."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from django.template import Context, Template

from config import dates

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
WHEN = datetime.datetime(2026, 12, 8, 14, 30, tzinfo=ZoneInfo("Europe/London"))
# Formats a template may give the date filter: the house styles, and machine ones for
# attributes (datetime="…", data-sort-value="…").
ALLOWED = {
    dates.LONG,
    dates.SHORT,
    dates.LONG_TIME,
    dates.SHORT_TIME,
    "j M Y, H:i:s",  # the audit trail, to the second
    "l j F Y, H:i",  # a meeting's heading
    "F Y",  # a month's row
    "D j M",  # a day's row in the supervisor's week
    "c",
    "Ymd",
    "Y-m-d",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
}


def render(source, **context):
    return Template(source).render(Context(context))


def test_dates_without_a_format_are_long_and_times_are_24_hour():
    assert render("{{ d }}", d=WHEN.date()) == "8 December 2026"
    assert render("{{ t }}", t=WHEN) == "8 December 2026, 14:30"
    assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', d=WHEN.date()) == "8 Dec 2026"
    assert render('{{ t|date:"SHORT_DATETIME_FORMAT" }}', t=WHEN) == "8 Dec 2026, 14:30"


def test_python_text_uses_the_same_style():
    assert dates.long_date(WHEN.date()) == "8 December 2026"
    assert dates.short_date(WHEN) == "8 Dec 2026"
    assert dates.long_datetime(WHEN) == "8 December 2026, 14:30"
    assert dates.long_date(None) == ""


def test_templates_use_only_the_house_date_formats():
    odd = []
    for path in TEMPLATES.rglob("*.html"):
        for fmt in re.findall(r"\|date:[\"']([^\"']*)[\"']", path.read_text()):
            if fmt not in ALLOWED:
                odd.append(f"{path.relative_to(TEMPLATES)}: {fmt}")
    assert not odd, odd
