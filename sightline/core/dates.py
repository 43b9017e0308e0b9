"""Dates and times as people read them, the one way every page writes them (GOV.UK style):
"4 December 2026", "4 December 2026 at 3:05pm", "midday", "midnight".

Aware datetimes are shown in the local time zone (``TIME_ZONE``, Europe/London).
"""

import datetime as dt

from django.utils import timezone

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(value: dt.date | dt.datetime) -> str:
    """ "4 December 2026"."""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def time_of_day(value: dt.datetime | dt.time) -> str:
    """ "3:05pm", "9am", "midday", "midnight"."""
    if isinstance(value, dt.datetime):
        value = _local(value).time()
    if (value.hour, value.minute) == (0, 0):
        return "midnight"
    if (value.hour, value.minute) == (12, 0):
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def long_datetime(value: dt.datetime) -> str:
    """ "4 December 2026 at 3:05pm"."""
    return f"{long_date(value)} at {time_of_day(value)}"


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value
