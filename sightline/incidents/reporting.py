"""Statuses and on-time rates for the incident dashboards. Pure: no Django."""

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Status(enum.StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"

    @property
    def label(self) -> str:
        return {
            Status.DUE: "Due",
            Status.OVERDUE: "Overdue",
            Status.DONE_ON_TIME: "Done on time",
            Status.DONE_LATE: "Done late",
        }[self]


def status(due_on: dt.date, done_on: dt.date | None, today: dt.date) -> Status:
    """Done by the end of the due date is on time; not done after it is overdue."""
    if done_on is not None:
        return Status.DONE_ON_TIME if done_on <= due_on else Status.DONE_LATE
    return Status.OVERDUE if today > due_on else Status.DUE


def quarter_of(day: dt.date) -> str:
    """Calendar quarter, e.g. ``2024 Q2`` for 13 May 2024."""
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class QuarterRate:
    quarter: str
    kind: str
    on_time: int
    total: int

    @property
    def percent(self) -> int:
        """Rounded half up to a whole percent; 0 for an empty quarter."""
        if self.total == 0:
            return 0
        return (200 * self.on_time + self.total) // (2 * self.total)


def quarterly_rates(outcomes: Iterable[tuple[str, dt.date, bool]]) -> list[QuarterRate]:
    """(kind, due date, on time?) -> one rate per quarter and kind, oldest quarter first."""
    counts: dict[tuple[str, str], list[int]] = {}
    for kind, due_on, on_time in outcomes:
        tally = counts.setdefault((quarter_of(due_on), kind), [0, 0])
        tally[0] += int(on_time)
        tally[1] += 1
    return [
        QuarterRate(quarter, kind, on_time, total)
        for (quarter, kind), (on_time, total) in sorted(counts.items())
    ]
