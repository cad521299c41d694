"""English dates and times as the forum writes them (en-GB): "2 December 2026, 01:34", day before
month, 24-hour clock; never the US "12/02/2026 1:34 a.m.". Formats not set here (input formats, …)
are Django's own for English. French and Spanish keep Django's formats for their language."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j F Y, H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
