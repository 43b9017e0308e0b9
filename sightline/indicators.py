"""Cumulative-harm indicators from a child's multi-agency chronology. Pure: no Django.

Sightline shows evidence, never a risk score (shared/domain/review-themes-and-statistics.md).
Every indicator here is a count a practitioner could make by reading the chronology, and
carries the events behind it, so a page can link each number to what happened.

Conventions:

- ``on`` is the day of the decision. Only events on or before it count: a decision cannot
  be judged on what was recorded later.
- A window of N days ending ``on`` is ``on - N + 1 .. on``; the previous window is the N
  days before that. An indicator *rose* when its count in the recent window is higher
  than in the previous one.
- Categories are the chronology vocabulary's codes (``chronology/vocabulary.py``). Which
  of them are concerns is a judgement written down here, by category, never inferred from
  an event's significance or free text.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sightline import calendars

# Categories that record a worry about the child, whoever recorded them. Routine work
# (health visitor contacts, emergency attendances on their own, home visits) is not here,
# nor is social care's own process (contacts, referrals, conferences): those are the
# response to concerns, counted by their own indicators.
CONCERN_CATEGORIES: frozenset[str] = frozenset(
    {
        # health (an injury explained and to a mobile child is everyday life; an injury to a
        # non-mobile infant counts as a concern whatever its category: see ``is_infant_injury``)
        "unexplained_injury",
        "injury_non_mobile_infant",
        "was_not_brought",
        "self_harm",
        "substance_misuse_contact",
        # police
        "domestic_abuse_incident",
        "missing_episode",
        "concern_for_welfare",
        "exploitation_intelligence",
        "arrest",
        "suspect_in_crime",
        "victim_of_crime",
        "police_protection",
        # education
        "persistent_absence",
        "missing_education",
        "suspension",
        "permanent_exclusion",
        "disclosure",
        "safeguarding_concern",
        # housing
        "eviction_notice",
        "temporary_accommodation",
    }
)
INJURY_CATEGORIES: frozenset[str] = frozenset(
    {"injury", "unexplained_injury", "injury_non_mobile_infant"}
)
NON_MOBILE_INFANT_CATEGORY = "injury_non_mobile_infant"
# An infant is treated as non-mobile before 6 months (the age most local bruising
# protocols use); an injury recorded in the non-mobile category counts at any age.
NON_MOBILE_MONTHS = 6
REFERRAL_CATEGORY = "referral"
STRATEGY_CATEGORY = "strategy_discussion"
SEEN_ALONE_CATEGORY = "child_seen_alone"
HOME_VISIT_CATEGORY = "home_visit"
YEAR_DAYS = 365
DEFAULT_WINDOW_DAYS = 90

# Indicator codes.
CONCERNS = "concern_events"
AGENCIES = "agencies_reporting"
REFERRALS = "referrals"
INFANT_INJURIES = "infant_injuries"
NOT_BROUGHT = "was_not_brought"
DOMESTIC_ABUSE = "domestic_abuse"
MISSING = "missing_episodes"
ABSENCE = "persistent_absence"

LABELS: dict[str, str] = {
    CONCERNS: "Concerns recorded by any agency",
    AGENCIES: "Agencies reporting concerns",
    REFERRALS: "Referrals to children's social care",
    INFANT_INJURIES: "Injuries to a non-mobile infant",
    NOT_BROUGHT: "Was not brought to appointments",
    DOMESTIC_ABUSE: "Domestic abuse incidents in the household",
    MISSING: "Missing episodes",
    ABSENCE: "Persistent absence from school",
}
INDICATOR_CODES: tuple[str, ...] = tuple(LABELS)


@dataclass(frozen=True, slots=True)
class Event:
    """One chronology event as the indicators see it.

    ``ref`` finds the event again (a primary key, or "AGENCY:event_id"). ``about_child`` is
    False when the event is about someone else and only mentions the child (a domestic
    abuse incident recorded against a sibling, say).
    """

    ref: str
    day: dt.date
    agency: str
    category: str
    about_child: bool = True


@dataclass(frozen=True, slots=True)
class Adult:
    """An adult living with the child: when they joined, and their records of violence."""

    ref: str
    name: str
    joined_on: dt.date | None
    left_on: dt.date | None
    records: tuple[Event, ...] = ()  # events about or mentioning them, any category


@dataclass(frozen=True)
class History:
    """What the chronology knows about one child. Events in any order."""

    date_of_birth: dt.date | None
    events: tuple[Event, ...]
    household: tuple[Adult, ...] = ()

    def until(self, on: dt.date) -> tuple[Event, ...]:
        """Events on or before ``on``, oldest first."""
        return tuple(sorted((e for e in self.events if e.day <= on), key=_event_order))


def _event_order(event: Event) -> tuple[dt.date, str]:
    return (event.day, event.ref)


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    recent: int  # in the window ending on the decision day
    previous: int  # in the window before it
    year: int  # in the last 365 days
    evidence: tuple[Event, ...]  # the events behind ``year`` (and ``recent``), oldest first
    recent_evidence: tuple[Event, ...]

    @property
    def rose(self) -> bool:
        return self.recent > self.previous

    @property
    def trend(self) -> str:
        if self.recent > self.previous:
            return "rising"
        if self.recent < self.previous:
            return "falling"
        return "steady"


@dataclass(frozen=True)
class SeenAlone:
    last: Event | None
    days: int | None  # days from the last time seen alone to the decision day


@dataclass(frozen=True)
class TrendRow:
    """Concern events of one category from one agency, over the windows."""

    agency: str
    category: str
    recent: int
    previous: int
    year: int
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Profile:
    on: dt.date
    window_days: int
    indicators: tuple[Indicator, ...]
    seen_alone: SeenAlone
    rows: tuple[TrendRow, ...]

    def get(self, code: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(f"unknown indicator {code!r}; known: {', '.join(INDICATOR_CODES)}")


def is_concern(event: Event) -> bool:
    return event.category in CONCERN_CATEGORIES


def is_infant_injury(event: Event, date_of_birth: dt.date | None) -> bool:
    """An injury to a non-mobile infant: recorded as one, or any injury before 6 months."""
    if not event.about_child:
        return False
    if event.category == NON_MOBILE_INFANT_CATEGORY:
        return True
    if event.category not in INJURY_CATEGORIES or date_of_birth is None:
        return False
    return event.day < calendars.add_months(date_of_birth, NON_MOBILE_MONTHS)


def _check_window(window_days: int) -> None:
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 1:
        raise ValueError(f"window_days must be a whole number of at least 1, not {window_days!r}")
    if window_days > YEAR_DAYS:
        raise ValueError(f"window_days must be at most {YEAR_DAYS}, not {window_days}")


@dataclass(frozen=True)
class _Windows:
    on: dt.date
    days: int

    @property
    def recent_start(self) -> dt.date:
        return self.on - dt.timedelta(days=self.days - 1)

    @property
    def previous_start(self) -> dt.date:
        return self.on - dt.timedelta(days=2 * self.days - 1)

    @property
    def year_start(self) -> dt.date:
        return self.on - dt.timedelta(days=YEAR_DAYS - 1)

    def recent(self, events: Iterable[Event]) -> tuple[Event, ...]:
        start = self.recent_start
        return tuple(e for e in events if start <= e.day <= self.on)

    def previous(self, events: Iterable[Event]) -> tuple[Event, ...]:
        start, end = self.previous_start, self.recent_start
        return tuple(e for e in events if start <= e.day < end)

    def year(self, events: Iterable[Event]) -> tuple[Event, ...]:
        start = self.year_start
        return tuple(e for e in events if start <= e.day <= self.on)


def _count(code: str, events: Sequence[Event], windows: _Windows) -> Indicator:
    recent = windows.recent(events)
    year = windows.year(events)
    return Indicator(
        code=code,
        label=LABELS[code],
        recent=len(recent),
        previous=len(windows.previous(events)),
        year=len(year),
        evidence=year,
        recent_evidence=recent,
    )


def _agencies(events: Sequence[Event], windows: _Windows) -> Indicator:
    recent = windows.recent(events)
    year = windows.year(events)
    return Indicator(
        code=AGENCIES,
        label=LABELS[AGENCIES],
        recent=len({e.agency for e in recent}),
        previous=len({e.agency for e in windows.previous(events)}),
        year=len({e.agency for e in year}),
        evidence=year,
        recent_evidence=recent,
    )


def seen_alone(events: Sequence[Event], on: dt.date) -> SeenAlone:
    alone = [e for e in events if e.category == SEEN_ALONE_CATEGORY and e.about_child]
    if not alone:
        return SeenAlone(None, None)
    last = max(alone, key=_event_order)
    return SeenAlone(last, (on - last.day).days)


def profile(history: History, *, on: dt.date, window_days: int = DEFAULT_WINDOW_DAYS) -> Profile:
    """Every indicator for ``history`` on the decision day ``on``."""
    _check_window(window_days)
    events = history.until(on)
    windows = _Windows(on, window_days)
    concerns = [e for e in events if is_concern(e) or is_infant_injury(e, history.date_of_birth)]
    own = [e for e in concerns if e.about_child]
    infant = [e for e in events if is_infant_injury(e, history.date_of_birth)]

    def own_category(category: str) -> list[Event]:
        return [e for e in own if e.category == category]

    indicators = (
        _count(CONCERNS, own, windows),
        _agencies(own, windows),
        _count(
            REFERRALS,
            [e for e in events if e.category == REFERRAL_CATEGORY and e.about_child],
            windows,
        ),
        _count(INFANT_INJURIES, infant, windows),
        _count(NOT_BROUGHT, own_category("was_not_brought"), windows),
        # The household's incidents: recorded against the child or mentioning them.
        _count(
            DOMESTIC_ABUSE,
            [e for e in concerns if e.category == "domestic_abuse_incident"],
            windows,
        ),
        _count(MISSING, own_category("missing_episode"), windows),
        _count(ABSENCE, own_category("persistent_absence"), windows),
    )
    return Profile(
        on=on,
        window_days=window_days,
        indicators=indicators,
        seen_alone=seen_alone(events, on),
        rows=_trend_rows(own, windows),
    )


def _trend_rows(concerns: Sequence[Event], windows: _Windows) -> tuple[TrendRow, ...]:
    start = min(windows.previous_start, windows.year_start)
    groups: dict[tuple[str, str], list[Event]] = {}
    for event in concerns:
        if start <= event.day <= windows.on:
            groups.setdefault((event.agency, event.category), []).append(event)
    rows = [
        TrendRow(
            agency=agency,
            category=category,
            recent=len(windows.recent(group)),
            previous=len(windows.previous(group)),
            year=len(windows.year(group)),
            events=tuple(group),
        )
        for (agency, category), group in groups.items()
    ]
    return tuple(sorted(rows, key=lambda r: (-r.recent, -r.year, r.agency, r.category)))
