"""The retention schedule's arithmetic. Pure: no Django.

Given the facts about one person's record (date of birth, the kinds of social care status
they have had, their last activity, their death) and the rule for its kind of record, say
from which day the record may be disposed of. A record is kept *until* the end of its
period and falls due the day after ("until the 75th anniversary of the child's birth":
kept on the anniversary, due the next day). docs/governance.md gives the defaults and
their sources.
"""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum


class RecordKind(StrEnum):
    """The kinds of record the schedule distinguishes (the model's TextChoices mirror it)."""

    LOOKED_AFTER = "looked_after"
    CHILD_PROTECTION_OR_IN_NEED = "child_protection_or_in_need"
    CHILD_WITHOUT_CASE = "child_without_case"
    ADULT = "adult"


class Anchor(StrEnum):
    """What a rule's period counts from."""

    DATE_OF_BIRTH = "date_of_birth"
    LAST_ACTIVITY = "last_activity"


# The status kinds of ``people.StatusKind``, as plain strings.
LOOKED_AFTER = "looked_after"
CHILD_PROTECTION = "child_protection"
CHILD_IN_NEED = "child_in_need"
ADULTHOOD = 18


@dataclass(frozen=True)
class Rule:
    """Keep for ``years`` from ``anchor``; and, when given, at least ``years_after_last_activity``
    after the last activity; if the person died before 18 and ``years_after_death_under_18``
    is given, that period from the death replaces the others (regulation 50's second limb).
    """

    anchor: Anchor
    years: int
    years_after_last_activity: int | None = None
    years_after_death_under_18: int | None = None


@dataclass(frozen=True)
class Facts:
    date_of_birth: dt.date | None
    status_kinds: frozenset[str]
    last_activity: dt.date | None
    died_on: dt.date | None = None

    @classmethod
    def of(
        cls,
        *,
        date_of_birth: dt.date | None,
        status_kinds: Collection[str] = (),
        last_activity: dt.date | None = None,
        died_on: dt.date | None = None,
    ) -> "Facts":
        return cls(date_of_birth, frozenset(status_kinds), last_activity, died_on)


def anniversary(day: dt.date, years: int) -> dt.date:
    """The ``years``-th anniversary of ``day``. The anniversary of 29 February in a year
    without one is 1 March (a person born on 29 February attains an age on 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    return (
        day.year
        - date_of_birth.year
        - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))
    )


def kind_of_record(facts: Facts) -> RecordKind:
    """Looked after at any time outranks a child protection or child in need plan, which
    outranks none. A person with no status who was 18 or over at their last activity is an
    adult; without a date of birth they are treated as a child (kept longer, never shorter)."""
    if LOOKED_AFTER in facts.status_kinds:
        return RecordKind.LOOKED_AFTER
    if facts.status_kinds & {CHILD_PROTECTION, CHILD_IN_NEED}:
        return RecordKind.CHILD_PROTECTION_OR_IN_NEED
    if (
        facts.date_of_birth is not None
        and facts.last_activity is not None
        and age_on(facts.date_of_birth, facts.last_activity) >= ADULTHOOD
    ):
        return RecordKind.ADULT
    return RecordKind.CHILD_WITHOUT_CASE


def due_on(rule: Rule, facts: Facts) -> dt.date | None:
    """The first day on which the record may be disposed of, or None when a fact the rule
    needs is missing (then the record is never proposed for disposal)."""
    if (
        rule.years_after_death_under_18 is not None
        and facts.died_on is not None
        and facts.date_of_birth is not None
        and age_on(facts.date_of_birth, facts.died_on) < ADULTHOOD
    ):
        # "A period of fifteen years beginning with the date of death": the period's last
        # day is the eve of the anniversary, so the anniversary is the first day after it.
        return anniversary(facts.died_on, rule.years_after_death_under_18)
    anchor = facts.date_of_birth if rule.anchor is Anchor.DATE_OF_BIRTH else facts.last_activity
    if anchor is None:
        return None
    due = anniversary(anchor, rule.years) + dt.timedelta(days=1)
    if rule.years_after_last_activity is not None:
        if facts.last_activity is None:
            return None
        after_activity = anniversary(facts.last_activity, rule.years_after_last_activity)
        due = max(due, after_activity + dt.timedelta(days=1))
    return due


def is_due(rule: Rule, facts: Facts, on: dt.date) -> bool:
    due = due_on(rule, facts)
    return due is not None and due <= on
