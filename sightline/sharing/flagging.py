"""The child protection flag rule, as the NHS child protection information sharing
service applies it. Pure: no Django, no database.

A child is flagged while on a child protection plan or looked after; an unborn child on a
pre-birth protection plan is flagged through its mother. The flag stays for 12 months
after the plan ends (the same day of the month 12 months later, ``calendars.add_months``),
and is gone the day after that.

Pre-birth plans: a child protection plan recorded against an adult's record is a
pre-birth plan for her unborn child (that is how the national service holds it, against
the mother's NHS number); a child protection plan that started before the child's
recorded date of birth is a pre-birth plan too, and flags the mother as well as the child.
"""

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from sightline import calendars

MONTHS_AFTER_END = 12
ADULT_AGE = 18


class PlanKind(enum.StrEnum):
    CHILD_PROTECTION = "child_protection"
    LOOKED_AFTER = "looked_after"
    PRE_BIRTH = "pre_birth"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    PlanKind.CHILD_PROTECTION: "Child protection plan",
    PlanKind.LOOKED_AFTER: "Looked after",
    PlanKind.PRE_BIRTH: "Pre-birth protection plan (unborn child)",
}


@dataclass(frozen=True)
class Plan:
    kind: PlanKind
    started_on: dt.date
    ended_on: dt.date | None
    # The local authority responsible: an opaque key the caller resolves (an agency id).
    authority: int


@dataclass(frozen=True)
class Flag:
    kind: PlanKind
    started_on: dt.date
    ended_on: dt.date | None
    # The last day the flag shows; None while the plan is open.
    shown_until: dt.date | None
    authority: int

    @property
    def is_current_plan(self) -> bool:
        return self.ended_on is None


def age_on(born_on: dt.date, day: dt.date) -> int:
    return day.year - born_on.year - ((day.month, day.day) < (born_on.month, born_on.day))


def plan_kind(status_kind: str, *, born_on: dt.date | None, started_on: dt.date) -> PlanKind | None:
    """What a social care status period held against a person's own record flags them for.

    ``status_kind`` is a ``people.StatusKind`` value. A child in need plan flags nobody.
    """
    if status_kind == "looked_after":
        return PlanKind.LOOKED_AFTER
    if status_kind != "child_protection":
        return None
    if born_on is not None and age_on(born_on, started_on) >= ADULT_AGE:
        return PlanKind.PRE_BIRTH
    return PlanKind.CHILD_PROTECTION


def started_before_birth(*, born_on: dt.date | None, started_on: dt.date) -> bool:
    """A child's protection plan that began before they were born: it flags the mother too."""
    return born_on is not None and started_on < born_on


def shown_until(plan: Plan) -> dt.date | None:
    if plan.ended_on is None:
        return None
    return calendars.add_months(plan.ended_on, MONTHS_AFTER_END)


def flags(plan: Plan, on: dt.date) -> bool:
    """Whether ``plan`` flags its subject on ``on``."""
    if plan.started_on > on:
        return False
    until = shown_until(plan)
    return until is None or on <= until


def flag_on(plans: Iterable[Plan], on: dt.date) -> Flag | None:
    """The flag to show on ``on``: an open plan first (the latest started), otherwise the
    plan that ended most recently within the last 12 months; None when nothing flags."""
    live = [plan for plan in plans if flags(plan, on)]
    if not live:
        return None
    best = max(
        live,
        key=lambda p: (p.ended_on is None, p.ended_on or dt.date.min, p.started_on, p.kind),
    )
    return Flag(
        kind=best.kind,
        started_on=best.started_on,
        ended_on=best.ended_on,
        shown_until=shown_until(best),
        authority=best.authority,
    )
