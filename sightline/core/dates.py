"""Dates and times as people read them, the one way every page writes them (GOV.UK style):
"4 December 2026", "4 December 2026 at 3:05pm", "midday", "midnight", and with the day of
the week for a deadline, "Monday 7 December 2026".

Aware datetimes are shown in the local time zone (``TIME_ZONE``, Europe/London).
"""

import datetime as dt
import re

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


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekday_and_date(value: dt.date | dt.datetime) -> str:
    """ "Monday 7 December 2026": for deadlines, where the day of the week matters."""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    return f"{WEEKDAYS[value.weekday()]} {long_date(value)}"


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


def spoken_hours(text: str) -> str:
    """A span of hours written as settings write it ("08:00-18:00") as people say it:
    "8am to 6pm". Anything else comes back as it was."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if not match:
        return text
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    try:
        return f"{time_of_day(dt.time(h1, m1))} to {time_of_day(dt.time(h2, m2))}"
    except ValueError:
        return text


def spoken_days(text: str) -> str:
    """Days written as settings write them ("mon-fri", "mon,tue,sat") as people say them:
    "Monday to Friday", "Monday, Tuesday and Saturday". Anything else comes back as it
    was."""
    names = {day[:3].lower(): day for day in WEEKDAYS}
    parts = []
    for part in text.lower().split(","):
        ends = [names.get(name.strip()[:3]) for name in part.split("-")]
        if len(ends) not in (1, 2) or None in ends:
            return text
        parts.append(" to ".join(str(end) for end in ends))
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
