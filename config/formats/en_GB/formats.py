"""GOV.UK date and time style for en-GB (Django's own en_GB formats say "8 Dec 2026" and
"2:30 p.m."): "8 December 2026" by default, "8 Dec 2026" where space is short (dense
tables: ``|date:"SHORT_DATE_FORMAT"``), 24-hour times. See config/dates.py."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 1
