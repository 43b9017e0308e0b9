"""Access monitoring: the rules that put a user's reads on the access review queue, as
trusted health record systems do. Pure: no Django; the reads come from the audit trail
(``access.queries.monitored_reads``) and ``access.actions.monitor_access`` records what
the rules find.

A read is one audit row of a user opening a person's record (an action ``view_*`` or
``export_*`` with a person). Three rules, each with its thresholds in settings:

- **many records**: more than ``SIGHTLINE_MONITOR_RECORDS_PER_HOUR`` different people's
  records within any hour (a sliding hour, not the clock's);
- **out of hours**: any read outside ``SIGHTLINE_MONITOR_WORKING_HOURS`` on
  ``SIGHTLINE_MONITOR_WORKING_DAYS``, local time; bank holidays in England
  (``sightline.calendars``) are out of hours;
- **own surname and postcode**: the record of someone whose surname is the user's and
  whose postcode is the user's home postcode (``accounts.User.home_postcode``).
"""

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sightline import calendars
from sightline.people import normalise

HOUR = dt.timedelta(hours=1)
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class MonitoringSettingError(ValueError):
    """A monitoring setting that cannot be read; the message names it."""


@dataclass(frozen=True)
class Read:
    """One audit row of ``user`` opening ``person``'s record."""

    audit: int
    user: int
    person: int
    at: dt.datetime
    action: str


@dataclass(frozen=True)
class WorkingTime:
    start: dt.time
    end: dt.time
    days: frozenset[int]  # Monday is 0

    @classmethod
    def parse(cls, hours: str, days: str) -> "WorkingTime":
        """``"08:00-18:00"`` and ``"mon-fri"`` (or ``"mon,tue,sat"``, ``"mon-fri,sun"``)."""
        match = _HOURS.match(hours)
        if match is None:
            raise MonitoringSettingError(
                f"SIGHTLINE_MONITOR_WORKING_HOURS: {hours!r} is not like 08:00-18:00"
            )
        try:
            start = dt.time(int(match[1]), int(match[2]))
            end = dt.time(int(match[3]), int(match[4]))
        except ValueError as error:
            raise MonitoringSettingError(
                f"SIGHTLINE_MONITOR_WORKING_HOURS: {hours!r} is not a time of day"
            ) from error
        if end <= start:
            raise MonitoringSettingError(
                f"SIGHTLINE_MONITOR_WORKING_HOURS: {hours!r} ends before it starts"
            )
        return cls(start=start, end=end, days=_days(days))

    def covers(
        self, moment: dt.datetime, tz: ZoneInfo, closures: frozenset[dt.date] = frozenset()
    ) -> bool:
        """Whether ``moment`` is in working time: a working day (not a bank holiday, nor
        one of the authority's local ``closures``) within the working hours."""
        local = moment.astimezone(tz)
        day = local.date()
        return (
            day.weekday() in self.days
            and day not in calendars.bank_holidays(day.year)
            and day not in closures
            and self.start <= local.time() < self.end
        )


def _days(text: str) -> frozenset[int]:
    found: set[int] = set()
    for part in text.lower().split(","):
        names = [name.strip()[:3] for name in part.split("-")]
        if not all(name in DAY_NAMES for name in names) or len(names) not in (1, 2):
            raise MonitoringSettingError(
                f"SIGHTLINE_MONITOR_WORKING_DAYS: {text!r} is not like mon-fri or mon,tue,sat"
            )
        first, last = DAY_NAMES.index(names[0]), DAY_NAMES.index(names[-1])
        found.update(
            range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
        )
    return frozenset(found)


def many_records(
    reads: Sequence[Read], *, limit: int, since: dt.datetime
) -> tuple[list[Read], int]:
    """The reads of one user (in time order) that fall in an hour in which they opened
    more than ``limit`` different people's records, for hours ending at or after
    ``since``; and the most different records seen in any such hour."""
    flagged: list[Read] = []
    counts: Counter[int] = Counter()
    left = 0
    marked = -1  # reads up to this index are flagged already
    peak = 0
    for right, read in enumerate(reads):
        counts[read.person] += 1
        while reads[left].at <= read.at - HOUR:
            gone = reads[left].person
            counts[gone] -= 1
            if not counts[gone]:
                del counts[gone]
            left += 1
        if read.at < since:
            continue
        distinct = len(counts)
        peak = max(peak, distinct)
        if distinct > limit:
            flagged.extend(reads[max(left, marked + 1) : right + 1])
            marked = right
    return flagged, peak


def out_of_hours(
    reads: Iterable[Read],
    *,
    working: WorkingTime,
    tz: ZoneInfo,
    since: dt.datetime,
    closures: frozenset[dt.date] = frozenset(),
) -> list[Read]:
    return [
        read for read in reads if read.at >= since and not working.covers(read.at, tz, closures)
    ]


def shares_surname_and_postcode(
    surname: str, postcode: str, identities: Iterable[tuple[str, str]]
) -> bool:
    """Whether any ``(family name, postcode)`` of a person is ``surname`` at ``postcode``."""
    own_name, own_postcode = normalise.name_key(surname), normalise.postcode(postcode)
    if not own_name or not own_postcode:
        return False
    return any(
        normalise.postcode(their_postcode) == own_postcode
        and normalise.name_key(their_name) == own_name
        for their_name, their_postcode in identities
    )


def local_day(moment: dt.datetime, tz: ZoneInfo) -> dt.date:
    return moment.astimezone(tz).date()
