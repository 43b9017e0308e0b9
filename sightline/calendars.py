"""Working days and calendar months in England: the arithmetic behind every deadline.

Pure: no Django, no database. Local closure days are passed in as a frozenset of dates
(``sightline.deadlines.queries.local_closures`` reads them from the closures table).

Conventions (docs/deadlines.md):

- A working day is Monday to Friday, not a bank holiday in England
  (``holidays.country_holidays("GB", subdiv="ENG")``, which includes substitute days and
  one-off days such as 3 June 2022, 19 September 2022 and 8 May 2023), and not a local
  closure day.
- The day something happens is day 0. "Within N working days" means the deadline is the
  Nth working day after it. Something that happens on a weekend or bank holiday counts
  from the next working day as day 1: aware on Friday 3 May 2024, Monday 6 May is a bank
  holiday, so the deadline for 5 working days is Monday 13 May 2024.
- "N working days before" a date is the Nth working day before it, counted the same way
  backwards; the date itself is day 0 whether or not it is a working day.
- "Within N months" is the same day of the month N months later. When that month is
  shorter, the deadline is its last day (30 November + 3 months = 28 February, or
  29 February in a leap year): moving it into the next month would give more time than
  the law allows. A month deadline is a calendar date and is *not* moved to a working
  day: it may fall on a weekend, and the dashboards show it as it is.
"""

import datetime as dt
import functools
from collections.abc import Iterator

import holidays

NO_CLOSURES: frozenset[dt.date] = frozenset()
# The holidays package knows bank holidays from 1871 onwards; nothing we do is that old,
# and refusing absurd years keeps a typo from silently producing a deadline.
EARLIEST_YEAR = 1990
LATEST_YEAR = 2200


class CalendarError(ValueError):
    """A date or count outside what the calendar can answer."""


@functools.lru_cache(maxsize=512)
def bank_holidays(year: int) -> frozenset[dt.date]:
    """Bank holidays in England in ``year``, substitute and one-off days included."""
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise CalendarError(f"year {year} is outside {EARLIEST_YEAR}-{LATEST_YEAR}")
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def bank_holiday_name(day: dt.date) -> str | None:
    """The bank holiday's name, or None when ``day`` is not one."""
    if day not in bank_holidays(day.year):
        return None
    names = holidays.country_holidays("GB", subdiv="ENG", years=day.year)
    return str(names.get(day))


def is_working_day(day: dt.date, closures: frozenset[dt.date] = NO_CLOSURES) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year) and day not in closures


def _check_count(n: int, what: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise CalendarError(f"{what} must be a whole number, not {n!r}")
    if n < 1:
        raise CalendarError(f"{what} must be at least 1, not {n}")


def _walk(start: dt.date, step: int) -> Iterator[dt.date]:
    day = start
    one = dt.timedelta(days=step)
    while True:
        try:
            day += one
        except OverflowError:
            raise CalendarError(f"no working day found from {start.isoformat()}") from None
        yield day


def add_working_days(start: dt.date, n: int, closures: frozenset[dt.date] = NO_CLOSURES) -> dt.date:
    """The Nth working day after ``start`` (day 0), i.e. the deadline "within N working days".

    When ``start`` is not a working day, the first working day after it is day 1.
    """
    _check_count(n, "working days")
    counted = 0
    for day in _walk(start, +1):
        if is_working_day(day, closures):
            counted += 1
            if counted == n:
                return day
    raise AssertionError("unreachable")  # pragma: no cover


def subtract_working_days(
    end: dt.date, n: int, closures: frozenset[dt.date] = NO_CLOSURES
) -> dt.date:
    """The Nth working day before ``end`` (day 0): the last day for "N working days before"."""
    _check_count(n, "working days")
    counted = 0
    for day in _walk(end, -1):
        if is_working_day(day, closures):
            counted += 1
            if counted == n:
                return day
    raise AssertionError("unreachable")  # pragma: no cover


def working_days_between(
    start: dt.date, end: dt.date, closures: frozenset[dt.date] = NO_CLOSURES
) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is
    earlier (then counting those after ``end`` up to and including ``start``).

    ``working_days_between(d, add_working_days(d, n)) == n`` for every d and n >= 1.
    """
    if end == start:
        return 0
    sign = 1 if end > start else -1
    low, high = (start, end) if sign == 1 else (end, start)
    count = 0
    day = low + dt.timedelta(days=1)
    while day <= high:
        if is_working_day(day, closures):
            count += 1
        day += dt.timedelta(days=1)
    return sign * count


def _last_day_of_month(year: int, month: int) -> int:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


def add_months(start: dt.date, n: int) -> dt.date:
    """The same day of the month ``n`` months later, clamped to the end of a shorter month."""
    _check_count(n, "months")
    index = start.year * 12 + (start.month - 1) + n
    year, month = divmod(index, 12)
    month += 1
    if year > LATEST_YEAR:
        raise CalendarError(f"{n} months after {start.isoformat()} is beyond {LATEST_YEAR}")
    return dt.date(year, month, min(start.day, _last_day_of_month(year, month)))


def add_months_to_working_day(
    start: dt.date, n: int, closures: frozenset[dt.date] = NO_CLOSURES
) -> dt.date:
    """A calendar-month time limit: the same day of the month ``n`` months later, the last
    day of a shorter month (31 January + 1 month = 28 or 29 February), moved on to the
    next working day if it is not one (the ICO's reading of UK GDPR article 12(3))."""
    day = add_months(start, n)
    while not is_working_day(day, closures):
        day += dt.timedelta(days=1)
    return day
