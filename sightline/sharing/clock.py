"""Referral acknowledgement deadlines in clock hours and working hours. Pure: no Django.

Working hours are the hours of the working day (default 09:00 to 17:00, a setting) on
working days (``sightline.calendars``: Monday to Friday, not a bank holiday in England,
not a local closure day). "Within 24 working hours" of a referral received on Monday at
10:00 is Thursday at 10:00 with an 8-hour day; one received at 20:00, or on a Saturday,
starts counting when the next working day opens. A deadline that lands exactly on the
close of a working day stays there rather than moving to the next morning.

Clock hours are plain elapsed time, nights and weekends included (red referrals).
"""

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sightline import calendars

RULE_VERSION = 1
ENGLAND = ZoneInfo("Europe/London")


class ClockError(ValueError):
    """A limit or working day that cannot be understood."""


@dataclass(frozen=True)
class WorkingDay:
    opens: dt.time
    closes: dt.time

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ClockError(f"the working day must open before it closes, not {self}")

    @classmethod
    def parse(cls, text: str) -> "WorkingDay":
        """``"09:00-17:00"``."""
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
        if not match:
            raise ClockError(f"a working day is written like 09:00-17:00, not {text!r}")
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        try:
            return cls(dt.time(h1, m1), dt.time(h2, m2))
        except ValueError as error:
            raise ClockError(f"{text!r}: {error}") from None

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"

    def spoken(self) -> str:
        """ "9am to 5pm", as people say it."""
        return f"{_spoken_time(self.opens)} to {_spoken_time(self.closes)}"


def _spoken_time(time: dt.time) -> str:
    """ "9am", "5:30pm", "midday" (as ``core.dates.time_of_day``; this module is pure)."""
    if (time.hour, time.minute) == (0, 0):
        return "midnight"
    if (time.hour, time.minute) == (12, 0):
        return "midday"
    suffix = "am" if time.hour < 12 else "pm"
    minutes = f":{time.minute:02d}" if time.minute else ""
    return f"{time.hour % 12 or 12}{minutes}{suffix}"


@dataclass(frozen=True)
class Limit:
    hours: int
    working: bool

    def describe(self, day: WorkingDay) -> str:
        """ "24 working hours (9am to 5pm, Monday to Friday, except bank holidays and
        closure days)", or
        "4 hours, day or night"."""
        hours = f"{self.hours} {'hour' if self.hours == 1 else 'hours'}"
        if self.working:
            return (
                f"{self.hours} working {'hour' if self.hours == 1 else 'hours'} "
                f"({day.spoken()}, Monday to Friday, except bank holidays and closure days)"
            )
        return f"{hours}, day or night"


def parse_limits(text: str) -> dict[str, Limit]:
    """``"red=4h,amber=24wh,green=72wh"``: ``h`` clock hours, ``wh`` working hours."""
    limits: dict[str, Limit] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = re.fullmatch(r"([a-z]+)\s*=\s*(\d+)\s*(h|wh)", part)
        if not match:
            raise ClockError(f"a limit is written like amber=24wh or red=4h, not {part!r}")
        name, hours, unit = match.groups()
        if int(hours) < 1:
            raise ClockError(f"{part!r}: a limit must be at least 1 hour")
        limits[name] = Limit(hours=int(hours), working=unit == "wh")
    return limits


def add_working_hours(
    start: dt.datetime,
    hours: int,
    *,
    day: WorkingDay,
    closures: frozenset[dt.date] = calendars.NO_CLOSURES,
    zone: ZoneInfo = ENGLAND,
) -> dt.datetime:
    """The moment ``hours`` working hours after ``start`` (aware), in ``zone``."""
    if start.tzinfo is None:
        raise ClockError("start must be an aware datetime")
    if hours < 1:
        raise ClockError(f"hours must be at least 1, not {hours}")
    remaining = dt.timedelta(hours=hours)
    cursor = start.astimezone(zone)
    date = cursor.date()
    while True:
        if calendars.is_working_day(date, closures):
            opens = dt.datetime.combine(date, day.opens, tzinfo=zone)
            closes = dt.datetime.combine(date, day.closes, tzinfo=zone)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        date += dt.timedelta(days=1)
        cursor = dt.datetime.combine(date, dt.time(0, 0), tzinfo=zone)


def deadline(
    start: dt.datetime,
    limit: Limit,
    *,
    day: WorkingDay,
    closures: frozenset[dt.date] = calendars.NO_CLOSURES,
    zone: ZoneInfo = ENGLAND,
) -> dt.datetime:
    if limit.working:
        return add_working_hours(start, limit.hours, day=day, closures=closures, zone=zone)
    return start + dt.timedelta(hours=limit.hours)
