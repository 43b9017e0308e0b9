"""Writing generated demo data as files. Pure: no Django imports.

``people.csv`` and ``events.csv`` are exactly the interchange formats (shared/formats), so
they can be imported like any agency's submission. The other files are the ground truth
the formats do not carry: who each record really is, the planted escalation patterns,
relationships, involvements, plan periods and the practitioners. ``cin_census.xml`` and
``ssda903/`` are the national returns of the collection year holding ``as_of``
(``demo/returns.py``), imported like any authority's.
"""

import csv
import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sightline.demo import returns as demo_returns
from sightline.demo.generator import (
    CHILD,
    AgencyRecord,
    DemoConfig,
    DemoEvent,
    Household,
    Roster,
    build_roster,
    generate,
)
from sightline.returns import cin_census, ssda903

PEOPLE_COLUMNS = (
    "record_id",
    "agency",
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "sex",
    "nhs_number",
    "address",
    "postcode",
)
EVENT_COLUMNS = (
    "event_id",
    "agency",
    "subject_record_id",
    "occurred_at",
    "category",
    "summary",
    "significance",
    "practitioner",
    "other_record_ids",
)
GROUND_TRUTH_COLUMNS = ("agency", "record_id", "true_person_id", "household_id", "role", "twin_set")
PERSON_COLUMNS = (
    "true_person_id",
    "household_id",
    "role",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "nhs_number",
    "address",
    "postcode",
    "twin_set",
)
PATTERN_COLUMNS = ("pattern_id", "true_person_id", "pattern", "outcome", "started_on", "event_ids")
RELATIONSHIP_COLUMNS = (
    "person_id",
    "relative_id",
    "kind",
    "lives_with",
    "started_on",
    "ended_on",
    "source_agency",
)
INVOLVEMENT_COLUMNS = (
    "true_person_id",
    "agency",
    "role",
    "practitioner_key",
    "started_on",
    "ended_on",
)
STATUS_COLUMNS = ("true_person_id", "kind", "protection_category", "started_on", "ended_on")
PRACTITIONER_COLUMNS = ("key", "agency", "role", "given_name", "family_name", "team", "job_title")

FILES = (
    "people.csv",
    "events.csv",
    "ground_truth.csv",
    "persons.csv",
    "patterns.csv",
    "relationships.csv",
    "involvements.csv",
    "statuses.csv",
    "practitioners.csv",
)
# The national returns, written after the CSV files: a file and a directory of CSV tables.
RETURN_FILES = (demo_returns.CIN_CENSUS_FILE, demo_returns.SSDA903_DIR)
HEADERS = dict(
    zip(
        FILES,
        (
            PEOPLE_COLUMNS,
            EVENT_COLUMNS,
            GROUND_TRUTH_COLUMNS,
            PERSON_COLUMNS,
            PATTERN_COLUMNS,
            RELATIONSHIP_COLUMNS,
            INVOLVEMENT_COLUMNS,
            STATUS_COLUMNS,
            PRACTITIONER_COLUMNS,
        ),
        strict=True,
    )
)


@dataclass
class Counts:
    """What was generated, for the summary and for tests."""

    households: int = 0
    persons: int = 0
    children: int = 0
    twins: int = 0
    records: int = 0
    events: int = 0
    patterns: int = 0
    relationships: int = 0
    involvements: int = 0
    statuses: int = 0
    cases: int = 0
    census_children: int = 0
    looked_after_children: int = 0
    concern: Counter[str] = field(default_factory=Counter)
    records_by_agency: Counter[str] = field(default_factory=Counter)
    events_by_agency: Counter[str] = field(default_factory=Counter)
    patterns_by_kind: Counter[str] = field(default_factory=Counter)

    def add(self, household: Household) -> None:
        self.households += 1
        self.concern[household.concern] += 1
        self.persons += len(household.persons)
        for person in household.persons:
            if person.role == CHILD:
                self.children += 1
                self.twins += bool(person.twin_set)
        self.records += len(household.records)
        self.records_by_agency.update(r.agency for r in household.records)
        self.events += len(household.events)
        self.events_by_agency.update(e.agency for e in household.events)
        self.patterns += len(household.patterns)
        self.patterns_by_kind.update(p.pattern for p in household.patterns)
        self.relationships += len(household.relationships)
        self.involvements += len(household.involvements)
        self.statuses += len(household.statuses)
        self.cases += len(household.cases)

    def as_dict(self) -> dict[str, Any]:
        return {
            "households": self.households,
            "persons": self.persons,
            "children": self.children,
            "twins": self.twins,
            "person_records": self.records,
            "events": self.events,
            "patterns": self.patterns,
            "relationships": self.relationships,
            "involvements": self.involvements,
            "statuses": self.statuses,
            "cases": self.cases,
            "census_children": self.census_children,
            "looked_after_children": self.looked_after_children,
            "households_by_concern": dict(sorted(self.concern.items())),
            "person_records_by_agency": dict(sorted(self.records_by_agency.items())),
            "events_by_agency": dict(sorted(self.events_by_agency.items())),
            "patterns_by_kind": dict(sorted(self.patterns_by_kind.items())),
        }


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def format_nhs_number(agency: str, digits: str) -> str:
    """Health systems show NHS numbers as "999 123 4567"; the others store ten digits."""
    if agency == "HEALTH" and digits:
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return digits


def person_fields(r: AgencyRecord) -> tuple[str, ...]:
    """A ``people.csv`` row as the file holds it, in ``PEOPLE_COLUMNS`` order."""
    return (
        r.record_id,
        r.agency,
        r.given_name,
        r.family_name,
        r.other_names,
        _date(r.date_of_birth),
        r.sex,
        format_nhs_number(r.agency, r.nhs_number),
        r.address,
        r.postcode,
    )


def person_row(record: AgencyRecord) -> dict[str, str]:
    return dict(zip(PEOPLE_COLUMNS, person_fields(record), strict=True))


def occurred_at_text(event: DemoEvent) -> str:
    if event.date_only:
        return event.occurred_at.date().isoformat()
    return event.occurred_at.isoformat(timespec="minutes")


def event_fields(e: DemoEvent) -> tuple[str, ...]:
    """An ``events.csv`` row as the file holds it, in ``EVENT_COLUMNS`` order."""
    return (
        e.event_id,
        e.agency,
        e.subject_record_id,
        occurred_at_text(e),
        e.category,
        e.summary,
        e.significance,
        e.practitioner,
        ";".join(e.other_record_ids),
    )


def event_row(event: DemoEvent) -> dict[str, str]:
    return dict(zip(EVENT_COLUMNS, event_fields(event), strict=True))


def summarise(
    config: DemoConfig,
    *,
    progress: Callable[[int], None] | None = None,
    with_events: bool = True,
) -> Counts:
    """Generate without writing; ``progress`` is called with the children so far."""
    counts = Counts()
    returns = demo_returns.DemoReturns(seed=config.seed, as_of=config.as_of)
    for household in generate(config, with_events=with_events):
        counts.add(household)
        returns.add(household)
        if progress:
            progress(counts.children)
    counts.census_children = len(returns.census().children)
    counts.looked_after_children = len(returns.return903().header)
    return counts


def write_files(
    config: DemoConfig,
    out_dir: Path,
    *,
    progress: Callable[[int], None] | None = None,
    roster: Roster | None = None,
    with_events: bool = True,
) -> Counts:
    """Write the ``FILES`` into ``out_dir`` (created if need be), streaming, then the
    returns (``RETURN_FILES``) from the cases collected on the way.

    Without events, ``events.csv`` is not written; every other file is the same.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    roster = roster or build_roster(config)
    counts = Counts()
    returns = demo_returns.DemoReturns(seed=config.seed, as_of=config.as_of)
    names = [name for name in FILES if with_events or name != "events.csv"]
    handles = {name: (out_dir / name).open("w", newline="", encoding="utf-8") for name in names}
    try:
        writers = {name: csv.writer(handle) for name, handle in handles.items()}
        for name in names:
            writers[name].writerow(HEADERS[name])
        writers["practitioners.csv"].writerows(roster.all())
        for household in generate(config, roster, with_events=with_events):
            _write_household(writers, household)
            returns.add(household)
            counts.add(household)
            if progress:
                progress(counts.children)
    finally:
        for handle in handles.values():
            handle.close()
    census, return903 = returns.census(), returns.return903()
    (out_dir / demo_returns.CIN_CENSUS_FILE).write_bytes(cin_census.write(census))
    ssda903.write_directory(return903, out_dir / demo_returns.SSDA903_DIR)
    counts.census_children = len(census.children)
    counts.looked_after_children = len(return903.header)
    return counts


def _write_household(writers: dict[str, Any], household: Household) -> None:
    hid = household.household_id
    roles = {p.person_id: (p.role, p.twin_set) for p in household.persons}
    writers["people.csv"].writerows(map(person_fields, household.records))
    writers["ground_truth.csv"].writerows(
        (r.agency, r.record_id, r.person_id, hid, *roles[r.person_id]) for r in household.records
    )
    if household.events:
        writers["events.csv"].writerows(map(event_fields, household.events))
    writers["persons.csv"].writerows(
        (*p[:5], _date(p.date_of_birth), *p[6:]) for p in household.persons
    )
    writers["patterns.csv"].writerows(
        (
            p.pattern_id,
            p.person_id,
            p.pattern,
            p.outcome,
            _date(p.started_on),
            ";".join(p.event_keys),
        )
        for p in household.patterns
    )
    writers["relationships.csv"].writerows(
        (
            r.person_id,
            r.relative_id,
            r.kind,
            int(r.lives_with),
            _date(r.started_on),
            _date(r.ended_on),
            r.source_agency,
        )
        for r in household.relationships
    )
    writers["involvements.csv"].writerows(
        (i.person_id, i.agency, i.role, i.practitioner_key, _date(i.started_on), _date(i.ended_on))
        for i in household.involvements
    )
    writers["statuses.csv"].writerows(
        (s.person_id, s.kind, s.protection_category, _date(s.started_on), _date(s.ended_on))
        for s in household.statuses
    )
