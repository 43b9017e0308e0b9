"""Synthetic multi-agency data for demos and linkage evaluation. Pure: no Django imports.

``generate(config)`` yields one ``Household`` at a time: the true people living there, the
records each agency holds about them (with the identity noise real systems have), the
chronology events those agencies recorded about the children, relationships, practitioner
involvements, plan periods, and the escalation patterns planted in a minority of histories
(the ground truth). Everything is drawn from one ``random.Random(seed)``, so the same
``DemoConfig`` gives the same data, row for row.

Households are generated and handed over one at a time, so a million records stream
through in constant memory.

Base rates (per household): 42% quiet (routine health visiting, the odd A&E attendance or
school absence), 30% low-level concern (a contact, an assessment, sometimes a child in need
plan), 28% escalating along one planted pattern: neglect, domestic abuse, exploitation
outside the home, or physical abuse of an infant. Twins are deliberately common (about
3% of children) because they are what record linkage most often gets wrong.
"""

import bisect
import datetime as dt
import itertools
import math
import operator
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, TypeVar

from sightline.demo import names
from sightline.demo.summaries import CONCERN, CORE_GROUP, ROUTINE, summary
from sightline.people.normalise import nhs_check_digit

T = TypeVar("T")

CSC, POLICE, HEALTH, EDUCATION, HOUSING = "CSC", "POLICE", "HEALTH", "EDUCATION", "HOUSING"
AGENCY_CODES: tuple[str, ...] = (CSC, POLICE, HEALTH, EDUCATION, HOUSING)
RECORD_PREFIX = {CSC: "CSC", POLICE: "NOM", HEALTH: "MRN", EDUCATION: "PUP", HOUSING: "HSG"}
EVENT_PREFIX = {CSC: "CE", POLICE: "OCC", HEALTH: "ENC", EDUCATION: "LOG", HOUSING: "HEV"}

CHILD, ADULT = "child", "adult"
QUIET, LOW, ESCALATING = "quiet", "low", "escalating"
NEGLECT = "neglect"
DOMESTIC_ABUSE = "domestic_abuse"
EXPLOITATION = "exploitation"
PHYSICAL_ABUSE = "physical_abuse_infant"
PATTERNS = (NEGLECT, DOMESTIC_ABUSE, EXPLOITATION, PHYSICAL_ABUSE)

# Values of the people models' TextChoices (kept as plain strings: this module is pure).
PARENT, CARER, SIBLING = "parent", "carer", "sibling"
HOUSEHOLD_MEMBER, PARTNER_OF_PARENT = "household_member", "partner_of_parent"
SOCIAL_WORKER, HEALTH_VISITOR = "allocated_social_worker", "health_visitor"
SCHOOL_LEAD, POLICE_OFFICER = "school_safeguarding_lead", "police_officer"
HOUSING_OFFICER, TEAM_MANAGER = "housing_officer", "team_manager"
CIN, CP, LAC = "child_in_need", "child_protection", "looked_after"

HISTORY_YEARS = 8
_NHS_SPACE = 1_000_000  # 999 000 000 .. 999 999 999 before the check digit
_NHS_STRIDE = 7919  # coprime with the space: a permutation, so numbers do not follow households


# --- what the generator hands out -------------------------------------------------------


@dataclass(frozen=True)
class DemoConfig:
    children: int
    seed: int
    as_of: dt.date  # "today" for the data: nothing happens after it


class TruePerson(NamedTuple):
    """Who someone really is (ground truth), as the generator made them."""

    person_id: str
    household_id: str
    role: str  # child or adult
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: str
    ethnicity: str
    nhs_number: str
    address: str
    postcode: str
    twin_set: str  # shared by twins, blank otherwise


class AgencyRecord(NamedTuple):
    """One agency's record of one person: a row of the person-records format."""

    agency: str
    record_id: str
    person_id: str  # the true person (ground truth, not part of the format)
    given_name: str
    family_name: str
    other_names: str
    date_of_birth: dt.date | None
    sex: str
    nhs_number: str
    address: str
    postcode: str


class DemoEvent(NamedTuple):
    """A row of the chronology-events format; ``occurred_at`` is Europe/London local time."""

    agency: str
    event_id: str
    subject_record_id: str
    occurred_at: dt.datetime
    date_only: bool
    category: str
    summary: str
    significance: str
    practitioner: str
    other_record_ids: tuple[str, ...]


class DemoRelationship(NamedTuple):
    person_id: str  # person is <kind> of relative
    relative_id: str
    kind: str
    lives_with: bool
    started_on: dt.date | None
    ended_on: dt.date | None
    source_agency: str


class DemoInvolvement(NamedTuple):
    person_id: str
    agency: str
    role: str
    practitioner_key: str
    started_on: dt.date
    ended_on: dt.date | None


class DemoStatus(NamedTuple):
    person_id: str
    kind: str
    protection_category: str
    started_on: dt.date
    ended_on: dt.date | None


class DemoCase(NamedTuple):
    """One episode of children's social care for one child, from referral to closure, as
    the authority's case system holds it: the day of each step (None: not reached by
    ``as_of``). Siblings share the referral's milestones; the section 47 and conferences
    are the family's. The national returns (``demo/returns.py``) are written from these."""

    person_id: str
    referred: bool  # the child the referral was about (siblings share its milestones)
    outcome: str  # assessment, early_help, cin, cp or lac (the journey's intended end)
    category: str  # the child protection category (neglect, emotional_abuse...) or ""
    pattern: bool  # a planted escalation, not a routine episode
    referral: dt.date
    section47: dt.date | None
    assessment_started: dt.date | None
    assessment_completed: dt.date | None
    conference: dt.date | None
    cp_started: dt.date | None
    cp_ended: dt.date | None
    cp_reviews: tuple[dt.date, ...]
    lac_started: dt.date | None
    lac_ended: dt.date | None
    cin_started: dt.date | None
    cin_ended: dt.date | None
    closed: dt.date | None
    closed_to_early_help: bool


class PlantedPattern(NamedTuple):
    pattern_id: str
    person_id: str
    pattern: str
    outcome: str
    started_on: dt.date
    event_keys: tuple[str, ...]  # "AGENCY:event_id", in time order


class Household(NamedTuple):
    household_id: str
    concern: str  # quiet, low or escalating
    persons: list[TruePerson]
    records: list[AgencyRecord]
    events: list[DemoEvent]
    relationships: list[DemoRelationship]
    involvements: list[DemoInvolvement]
    statuses: list[DemoStatus]
    patterns: list[PlantedPattern]
    cases: list[DemoCase]


class Practitioner(NamedTuple):
    key: str
    agency: str
    role: str  # an involvement role, or team_manager
    given_name: str
    family_name: str
    team: str
    job_title: str

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


# --- small helpers ------------------------------------------------------------------------


class _Weighted(Generic[T]):
    """Items with integer weights, picked with one ``rng.random()`` call."""

    __slots__ = ("cumulative", "items", "total")

    def __init__(self, pairs: Sequence[tuple[T, int]]) -> None:
        self.items = [item for item, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


# random.Random's randint and randrange are exact but slow; at millions of calls these
# one-multiplication versions matter (their bias, below 2**-50, does not).
def _choice(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


def _below(rng: random.Random, n: int) -> int:
    return int(rng.random() * n)


def _randint(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def nhs_number(index: int) -> str | None:
    """The NHS number for ``index`` in the 999 test range, or None if its check digit is 10."""
    nine = f"{999_000_000 + (index * _NHS_STRIDE) % _NHS_SPACE:09d}"
    check = nhs_check_digit(nine)
    return None if check is None else f"{nine}{check}"


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _weekday(day: dt.date) -> dt.date:
    """``day``, or the Monday after it at a weekend (conferences sit on working days)."""
    return day + dt.timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


def age_on(dob: dt.date, day: dt.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


_ETHNICITY = _Weighted(
    [((label, tradition), weight) for label, tradition, weight in names.ETHNICITIES]
)
_TOWNS = _Weighted([((town, districts), weight) for town, districts, weight in names.TOWNS])
_STRUCTURE = _Weighted(
    [("couple", 44), ("single_mother", 26), ("single_father", 3), ("step", 23), ("kinship", 4)]
)
_CHILD_COUNT = _Weighted([(1, 38), (2, 34), (3, 17), (4, 7), (5, 3), (6, 1)])
_CONCERN = _Weighted([(QUIET, 42), (LOW, 30), (ESCALATING, 28)])
_LOW_PATH = _Weighted([("contact", 35), ("assessment", 35), ("cin", 30)])
_MIXED_SECOND = {
    "Mixed or Multiple: White and Black Caribbean": "african_caribbean",
    "Mixed or Multiple: White and Asian": "south_asian",
    "Mixed or Multiple: Other Mixed or Multiple": "eastern_european",
}
_KEYBOARD_NEIGHBOURS = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
    "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
    "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc",
    "y": "tu", "z": "x",
}  # fmt: skip

# Which agencies record names without an NHS number, and how often they have it.
_NHS_PRESENT = {HEALTH: 0.99, CSC: 0.7, EDUCATION: 0.25, POLICE: 0.15, HOUSING: 0.05}
_NICKNAME_RATE = {HEALTH: 0.03, CSC: 0.06, EDUCATION: 0.22, POLICE: 0.2, HOUSING: 0.15}
_OLD_ADDRESS_RATE = {HEALTH: 0.15, CSC: 0.2, EDUCATION: 0.2, POLICE: 0.5, HOUSING: 0.1}
_SIGNIFICANCE_HIGH = frozenset(
    {
        "strategy_discussion", "section47_started", "initial_conference", "cp_plan_started",
        "looked_after_started", "police_protection", "injury_non_mobile_infant",
        "unexplained_injury", "self_harm", "exploitation_intelligence", "permanent_exclusion",
        "disclosure", "domestic_abuse_incident", "missing_episode",
    }
)  # fmt: skip
_MILESTONES = frozenset(
    {
        "referral", "assessment_started", "assessment_completed", "initial_conference",
        "review_conference", "cp_plan_started", "cp_plan_ended", "cin_plan_started",
        "cin_plan_ended", "looked_after_started", "looked_after_ended", "case_closed",
        "step_down_early_help",
    }
)  # fmt: skip
_DATE_ONLY_CATEGORIES = frozenset(
    {
        "cp_plan_started", "cp_plan_ended", "cin_plan_started", "cin_plan_ended",
        "looked_after_started", "looked_after_ended", "case_closed", "step_down_early_help",
        "persistent_absence", "missing_education", "eviction_notice",
    }
)  # fmt: skip


# --- the practitioners -------------------------------------------------------------------

_CSC_TEAMS = (
    "Assessment Team North",
    "Assessment Team South",
    "Child Protection Team East",
    "Child Protection Team West",
    "Children in Need Team",
    "Exploitation and Missing Team",
)
_SOCIAL_WORKERS_PER_TEAM = 6


@dataclass(frozen=True)
class Roster:
    """The practitioners the data refers to. Index 0 of each list is the demo persona."""

    social_workers: tuple[Practitioner, ...]
    team_managers: tuple[Practitioner, ...]
    health_visitors: tuple[Practitioner, ...]
    primary_leads: tuple[Practitioner, ...]
    secondary_leads: tuple[Practitioner, ...]
    police_officers: tuple[Practitioner, ...]
    housing_officers: tuple[Practitioner, ...]

    def all(self) -> list[Practitioner]:
        return [
            *self.social_workers,
            *self.team_managers,
            *self.health_visitors,
            *self.primary_leads,
            *self.secondary_leads,
            *self.police_officers,
            *self.housing_officers,
        ]


def build_roster(config: DemoConfig) -> Roster:
    rng = random.Random(f"roster-{config.seed}")
    n = config.children
    used: set[tuple[str, str]] = set()

    def person(key: str, agency: str, role: str, team: str, title: str) -> Practitioner:
        while True:
            tradition = _TRADITION_FOR_STAFF.pick(rng)
            female, male = names.GIVEN_NAMES[tradition]
            given = _choice(rng, female if rng.random() < 0.7 else male)
            family = _choice(rng, names.FAMILY_NAMES[tradition])
            if (given, family) not in used:
                used.add((given, family))
                return Practitioner(key, agency, role, given, family, team, title)

    social_workers = []
    n_sw = max(3, math.ceil(n / 230))
    for i in range(n_sw):
        team_index = i // _SOCIAL_WORKERS_PER_TEAM
        social_workers.append(
            person(
                f"CSC-SW-{i + 1:04d}", CSC, SOCIAL_WORKER, _csc_team(team_index), "Social worker"
            )
        )
    managers = [
        person(f"CSC-TM-{t + 1:04d}", CSC, TEAM_MANAGER, _csc_team(t), "Team manager")
        for t in range(math.ceil(n_sw / _SOCIAL_WORKERS_PER_TEAM))
    ]
    health_visitors = [
        person(
            f"HEALTH-HV-{i + 1:04d}",
            HEALTH,
            HEALTH_VISITOR,
            "Health Visiting Team",
            "Health visitor",
        )
        for i in range(max(2, math.ceil(n / 400)))
    ]
    primary = [
        person(
            f"EDUCATION-DSL-P{i + 1:04d}", EDUCATION, SCHOOL_LEAD, _school(i, primary=True),
            "Designated safeguarding lead",
        )
        for i in range(max(2, math.ceil(n / 250)))
    ]  # fmt: skip
    secondary = [
        person(
            f"EDUCATION-DSL-S{i + 1:04d}", EDUCATION, SCHOOL_LEAD, _school(i, primary=False),
            "Designated safeguarding lead",
        )
        for i in range(max(1, math.ceil(n / 600)))
    ]  # fmt: skip
    police = [
        person(
            f"POLICE-PC-{i + 1:04d}",
            POLICE,
            POLICE_OFFICER,
            "Safeguarding Unit",
            "Detective constable",
        )
        for i in range(max(2, math.ceil(n / 600)))
    ]
    housing = [
        person(
            f"HOUSING-HO-{i + 1:04d}",
            HOUSING,
            HOUSING_OFFICER,
            "Tenancy Support Team",
            "Housing officer",
        )
        for i in range(max(1, math.ceil(n / 1000)))
    ]
    return Roster(
        tuple(social_workers),
        tuple(managers),
        tuple(health_visitors),
        tuple(primary),
        tuple(secondary),
        tuple(police),
        tuple(housing),
    )


_TRADITION_FOR_STAFF = _Weighted(
    [("english", 75), ("south_asian", 15), ("african_caribbean", 6), ("eastern_european", 4)]
)


def _csc_team(index: int) -> str:
    return _CSC_TEAMS[index] if index < len(_CSC_TEAMS) else f"Locality Team {index + 1}"


def _school(index: int, *, primary: bool) -> str:
    stems = names.SCHOOL_STEMS
    kinds = names.SCHOOL_KINDS_PRIMARY if primary else names.SCHOOL_KINDS_SECONDARY
    stem = stems[index % len(stems)]
    kind = kinds[(index // len(stems) + index) % len(kinds)]
    suffix = f" ({index // len(stems) + 1})" if index >= len(stems) else ""
    return f"{stem} {kind}{suffix}"


# --- the generator -----------------------------------------------------------------------


@dataclass(slots=True)
class _Member:
    person_id: str
    role: str
    given_name: str
    family_name: str
    dob: dt.date
    sex: str
    tradition: str
    ethnicity: str
    nhs_number: str
    kind: str  # mother, father, partner, grandmother, relative, child
    twin_set: str = ""
    previous_family_name: str = ""  # maiden name, or the name before a change
    known_as_family_name: str = ""  # e.g. a step-parent's name used at school
    clean: bool = False  # no identity noise (the demo's showcase family)
    agencies: set[str] = field(default_factory=set)
    records: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class _Pending:
    agency: str
    subject: _Member
    when: dt.datetime
    date_only: bool
    category: str
    tone: str
    significance: str
    practitioner: str
    others: tuple[_Member, ...]
    pattern: bool


@dataclass(slots=True)
class _StatusRow:
    member: _Member
    kind: str
    category: str
    started_on: dt.date
    ended_on: dt.date | None = None


class _PastAsOfError(Exception):
    """A history has reached ``as_of``: nothing later is recorded."""


@dataclass(slots=True)
class _Counters:
    person: int = 0
    household: int = 0
    nhs: int = 0
    pattern: int = 0
    records: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGENCY_CODES, 0))
    events: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGENCY_CODES, 0))


def generate(
    config: DemoConfig, roster: Roster | None = None, *, with_events: bool = True
) -> Iterator[Household]:
    """Households until ``config.children`` children exist. The first is the showcase family.

    ``with_events=False`` leaves out the chronology events (their ids are still assigned
    and the patterns still name them): everything else comes out exactly the same, faster.
    """
    if config.children < 1:
        raise ValueError("children must be at least 1")
    rng = random.Random(config.seed)
    text_rng = random.Random(f"text-{config.seed}")
    roster = roster or build_roster(config)
    counters = _Counters()
    remaining = config.children
    while remaining > 0:
        builder = _HouseholdBuilder(
            rng,
            text_rng,
            config,
            roster,
            counters,
            remaining,
            showcase=counters.household == 0,
            with_events=with_events,
        )
        household = builder.build()
        remaining -= sum(1 for p in household.persons if p.role == CHILD)
        yield household


class _HouseholdBuilder:
    def __init__(
        self,
        rng: random.Random,
        text_rng: random.Random,
        config: DemoConfig,
        roster: Roster,
        counters: _Counters,
        max_children: int,
        *,
        showcase: bool,
        with_events: bool,
    ) -> None:
        self.rng = rng
        self.text_rng = text_rng
        self.with_events = with_events
        self.seed = config.seed
        self.as_of = config.as_of
        self.window_start = _add_years(config.as_of, -HISTORY_YEARS)
        self.roster = roster
        self.counters = counters
        self.max_children = max_children
        self.showcase = showcase
        counters.household += 1
        self.household_id = f"H{counters.household:07d}"
        self.adults: list[_Member] = []
        self.children: list[_Member] = []
        self.pending: list[_Pending] = []
        self.relationships: list[DemoRelationship] = []
        self.involvements: list[
            tuple[_Member, str, str, Practitioner, dt.date, dt.date | None]
        ] = []
        self.statuses: list[_StatusRow] = []
        self.cases: list[DemoCase] = []
        self.pattern_info: list[tuple[_Member, str, str, dt.date]] = []
        self.social_tenant = False
        self.structure = ""
        self.partner_start: dt.date | None = None
        self.placeholders_age = ""
        self._record_given: dict[str, str] = {}
        self.address = ("", "")
        self.previous_address = ("", "")
        rng = self.rng
        self.social_worker = self._pick_social_worker()
        self.health_visitor = _choice(rng, roster.health_visitors)
        self.primary_lead = _choice(rng, roster.primary_leads)
        self.secondary_lead = _choice(rng, roster.secondary_leads)
        self.police_officer = _choice(rng, roster.police_officers)
        self.housing_officer = _choice(rng, roster.housing_officers)
        if showcase:
            self.social_worker = roster.social_workers[0]
            self.health_visitor = roster.health_visitors[0]
            self.primary_lead = roster.primary_leads[0]
            self.police_officer = roster.police_officers[0]
            self.housing_officer = roster.housing_officers[0]

    def _pick_social_worker(self) -> Practitioner:
        # One social worker per 230 children gives each about 40 open cases.
        return _choice(self.rng, self.roster.social_workers)

    # -- people ----------------------------------------------------------------------------

    def _person_id(self) -> str:
        self.counters.person += 1
        return f"P{self.counters.person:08d}"

    def _nhs(self) -> str:
        while True:
            index = self.counters.nhs
            self.counters.nhs += 1
            if index >= _NHS_SPACE:
                raise ValueError("more people than NHS numbers in the 999 test range")
            number = nhs_number(index)
            if number is not None:
                return number

    def _given(self, tradition: str, sex: str, avoid: set[str]) -> str:
        female, male = names.GIVEN_NAMES[tradition]
        pool = female if sex == "F" else male
        for _ in range(10):
            name = _choice(self.rng, pool)
            if name not in avoid:
                return name
        return name

    def _member(
        self,
        *,
        role: str,
        kind: str,
        dob: dt.date,
        sex: str,
        tradition: str,
        ethnicity: str,
        family_name: str,
        avoid: set[str],
    ) -> _Member:
        given = self._given(tradition, sex, avoid)
        avoid.add(given)
        return _Member(
            person_id=self._person_id(),
            role=role,
            given_name=given,
            family_name=family_name,
            dob=dob,
            sex=sex,
            tradition=tradition,
            ethnicity=ethnicity,
            nhs_number=self._nhs(),
            kind=kind,
            clean=self.showcase,
        )

    def _surname(self, tradition: str) -> str:
        return _choice(self.rng, names.FAMILY_NAMES[tradition])

    def _make_people(self) -> None:
        rng = self.rng
        ethnicity, tradition = _ETHNICITY.pick(rng)
        second = _MIXED_SECOND.get(ethnicity, tradition)
        structure = "step" if self.showcase else _STRUCTURE.pick(rng)
        count = 2 if self.showcase else _CHILD_COUNT.pick(rng)
        count = min(count, self.max_children)

        # Children's dates of birth: the eldest first, then younger ones, perhaps a twin.
        eldest_age_days = _below(rng, 18 * 365 - 2)
        if self.showcase:  # a primary-school child, so every agency has something to say
            eldest_age_days = 9 * 365 + eldest_age_days % 200
        dobs = [self.as_of - dt.timedelta(days=eldest_age_days)]
        twin_at = -1
        while len(dobs) < count:
            if twin_at < 0 and rng.random() < 0.035 and not self.showcase:
                twin_at = len(dobs)
                dobs.append(dobs[-1])
                continue
            gap = _randint(rng, 300, 6 * 365) if not self.showcase else 6 * 365
            dob = dobs[-1] + dt.timedelta(days=gap)
            if dob > self.as_of - dt.timedelta(days=14):
                break
            dobs.append(dob)

        mother_age_at_first = max(17, min(42, int(rng.gauss(27, 5.5))))
        mother_dob = _add_years(dobs[0], -mother_age_at_first) - dt.timedelta(days=_below(rng, 365))
        father_dob = mother_dob - dt.timedelta(days=_randint(rng, -3 * 365, 8 * 365))
        white_british = names.ETHNICITIES[0][0]
        adult_ethnicity = white_british if ethnicity in _MIXED_SECOND else ethnicity
        father_ethnicity = ethnicity if ethnicity not in _MIXED_SECOND else _MIXED_LABEL[second]
        used: set[str] = set()

        mother_maiden = self._surname(tradition)
        father_name = self._surname(second)
        absent_father_name = self._surname(second)
        partner_start: dt.date | None = None
        adults: list[_Member] = []
        if structure == "couple":
            married = rng.random() < 0.55
            mother = self._member(role=ADULT, kind="mother", dob=mother_dob, sex="F", tradition=tradition, ethnicity=adult_ethnicity, family_name=father_name if married else mother_maiden, avoid=used)  # fmt: skip
            if married:
                mother.previous_family_name = mother_maiden
            father = self._member(role=ADULT, kind="father", dob=father_dob, sex="M", tradition=second, ethnicity=father_ethnicity, family_name=father_name, avoid=used)  # fmt: skip
            adults = [mother, father]
            roll = rng.random()
            child_surname = father_name if roll < 0.85 or married else mother_maiden
            if roll > 0.95 and not married:
                child_surname = f"{mother_maiden}-{father_name}"
        elif structure == "single_father":
            father = self._member(role=ADULT, kind="father", dob=father_dob, sex="M", tradition=second, ethnicity=father_ethnicity, family_name=father_name, avoid=used)  # fmt: skip
            adults = [father]
            child_surname = father_name
        elif structure == "kinship":
            gran_dob = _add_years(mother_dob, -_randint(rng, 18, 30))
            gran = self._member(role=ADULT, kind="grandmother", dob=gran_dob, sex="F", tradition=tradition, ethnicity=adult_ethnicity, family_name=mother_maiden, avoid=used)  # fmt: skip
            adults = [gran]
            child_surname = absent_father_name if rng.random() < 0.6 else mother_maiden
        else:  # single mother or step family
            previously_married = rng.random() < 0.3
            mother = self._member(role=ADULT, kind="mother", dob=mother_dob, sex="F", tradition=tradition, ethnicity=adult_ethnicity, family_name=absent_father_name if previously_married else mother_maiden, avoid=used)  # fmt: skip
            if previously_married:
                mother.previous_family_name = mother_maiden
            adults = [mother]
            child_surname = absent_father_name if rng.random() < 0.6 else mother.family_name
            if structure == "step":
                partner_name = self._surname(second)
                partner = self._member(role=ADULT, kind="partner", dob=father_dob, sex="M", tradition=second, ethnicity=father_ethnicity, family_name=partner_name, avoid=used)  # fmt: skip
                adults.append(partner)
                earliest = dobs[0] + dt.timedelta(days=365)
                latest = self.as_of - dt.timedelta(days=180)
                span = (latest - earliest).days
                partner_start = (
                    earliest + dt.timedelta(days=_below(rng, span)) if span > 0 else latest
                )
                if self.showcase:
                    partner_start = dobs[0] + dt.timedelta(days=2 * 365)
        # An adult relative sometimes lives in too: an older sibling or an uncle.
        if (
            structure in {"couple", "single_mother", "step"}
            and rng.random() < 0.06
            and not self.showcase
        ):
            relative_dob = _add_years(mother_dob, _randint(rng, 17, 25))
            if age_on(relative_dob, self.as_of) < 18:
                relative_dob = _add_years(self.as_of, -_randint(rng, 18, 23))
            relative = self._member(role=ADULT, kind="relative", dob=relative_dob, sex="M" if rng.random() < 0.5 else "F", tradition=tradition, ethnicity=adult_ethnicity, family_name=mother_maiden, avoid=used)  # fmt: skip
            adults.append(relative)

        twin_set = f"T{self.household_id[1:]}"
        for i, dob in enumerate(dobs):
            sex = "F" if rng.random() < 0.49 else "M"
            surname = child_surname
            if partner_start is not None and dob > partner_start:
                surname = adults[1].family_name  # the partner's own child
            child = self._member(role=CHILD, kind="child", dob=dob, sex=sex, tradition=tradition if rng.random() < 0.6 else second, ethnicity=ethnicity, family_name=surname, avoid=used)  # fmt: skip
            if twin_at >= 0 and i in (twin_at - 1, twin_at):
                child.twin_set = twin_set
            if partner_start is not None and dob <= partner_start and rng.random() < 0.3:
                child.known_as_family_name = adults[1].family_name
            self.children.append(child)
        self.adults = adults
        self.structure = structure
        self.partner_start = partner_start

    def _make_address(self) -> tuple[str, str]:
        rng = self.rng
        town, districts = _TOWNS.pick(rng)
        district = _choice(rng, districts)
        letters = names.INWARD_LETTERS
        inward = f"{_below(rng, 10)}{_choice(rng, letters)}{_choice(rng, letters)}"
        street = f"{_choice(rng, names.STREET_STEMS)} {_choice(rng, names.STREET_KINDS)}"
        number = 1 + int(rng.random() ** 2 * 240)
        line = f"{number} {street}, {town}"
        if rng.random() < 0.12:
            line = f"Flat {_randint(rng, 1, 24)}, {line}"
        return line, f"{district} {inward}"

    def _make_relationships(self) -> None:
        source = HEALTH
        for adult in self.adults:
            for child in self.children:
                if adult.kind in {"mother", "father"}:
                    self._relate(adult, child, PARENT, child.dob, source)
                elif adult.kind == "partner" and self.partner_start is not None:
                    if child.dob > self.partner_start:
                        self._relate(adult, child, PARENT, child.dob, source)
                    else:
                        self._relate(adult, child, PARTNER_OF_PARENT, self.partner_start, source)
                elif adult.kind == "grandmother":
                    start = max(
                        child.dob, self.as_of - dt.timedelta(days=_randint(self.rng, 90, 2000))
                    )
                    self._relate(adult, child, CARER, start, CSC)
                else:
                    self._relate(adult, child, HOUSEHOLD_MEMBER, None, source)
        for older, younger in itertools.combinations(self.children, 2):
            self._relate(older, younger, SIBLING, younger.dob, source)

    def _relate(
        self, person: _Member, relative: _Member, kind: str, started: dt.date | None, source: str
    ) -> None:
        self.relationships.append(
            DemoRelationship(
                person.person_id, relative.person_id, kind, True, started, None, source
            )
        )

    # -- events ----------------------------------------------------------------------------

    def _time(self, agency: str, day: dt.date, category: str) -> tuple[dt.datetime, bool]:
        rng = self.rng
        if (
            category in _DATE_ONLY_CATEGORIES
            or agency == EDUCATION
            or (agency == HOUSING and rng.random() < 0.5)
        ):
            return dt.datetime.combine(day, dt.time()), True
        if agency == POLICE or category in {"emergency_attendance", "self_harm", "missing_episode"}:
            hour = _below(rng, 24)
            hour = (
                0 if hour == 1 else hour
            )  # no 01:xx: it does not exist on the spring clock change
        else:
            hour = _randint(rng, 9, 16)
        return dt.datetime.combine(day, dt.time(hour, _below(rng, 60))), False

    def _event(
        self,
        agency: str,
        subject: _Member,
        day: dt.date,
        category: str,
        tone: str = CONCERN,
        *,
        practitioner: str = "",
        others: Sequence[_Member] = (),
        pattern: bool = False,
        stop: bool = False,
    ) -> None:
        """Record an event. One after ``as_of`` is dropped, or with ``stop`` ends the history."""
        if day > self.as_of:
            if stop:
                raise _PastAsOfError
            return
        if day < subject.dob:
            day = subject.dob
        when, date_only = self._time(agency, day, category)
        if category in _SIGNIFICANCE_HIGH and tone == CONCERN:
            significance = "high"
        elif tone == CONCERN:
            significance = "medium"
        else:
            significance = "low"
        self.pending.append(
            _Pending(
                agency,
                subject,
                when,
                date_only,
                category,
                tone,
                significance,
                practitioner,
                tuple(o for o in others if o is not subject) if others else (),
                pattern,
            )
        )

    def _quiet_history(self, child: _Member) -> None:
        """Routine contacts every child has: health visiting, A&E, the odd absence."""
        rng = self.rng
        start = max(child.dob, self.window_start)
        hv = self.health_visitor.full_name
        for age_days, chance in ((11, 1.0), (49, 0.95), (105, 0.4), (300, 0.85), (800, 0.75)):
            day = child.dob + dt.timedelta(days=age_days + _below(rng, 14))
            if start <= day <= self.as_of and rng.random() < chance:
                self._event(HEALTH, child, day, "health_visitor_contact", ROUTINE, practitioner=hv)
        for _ in range(_below(rng, 3)):
            day = child.dob + dt.timedelta(days=_below(rng, 3 * 365))
            if start <= day <= self.as_of:
                self._event(HEALTH, child, day, "health_visitor_contact", ROUTINE, practitioner=hv)
        years = max(0, (self.as_of - start).days) / 365.25
        for category, per_year in (
            ("emergency_attendance", 0.3),
            ("injury", 0.06),
            ("was_not_brought", 0.12),
        ):
            for _ in range(self._poisson(per_year * years)):
                self._event(HEALTH, child, self._day_between(start, self.as_of), category, ROUTINE)
        school_start = max(start, child.dob + dt.timedelta(days=4 * 365 + 200))
        if school_start < self.as_of:
            school_years = (self.as_of - school_start).days / 365.25
            for category, per_year in (
                ("persistent_absence", 0.08),
                ("behaviour_concern", 0.12),
                ("safeguarding_concern", 0.02),
            ):
                for _ in range(self._poisson(per_year * school_years)):
                    day = self._day_between(school_start, self.as_of)
                    self._event(
                        EDUCATION,
                        child,
                        day,
                        category,
                        ROUTINE,
                        practitioner=self._school_lead(child, day).full_name,
                    )
        teen_start = max(start, child.dob + dt.timedelta(days=12 * 365))
        if teen_start < self.as_of:
            teen_years = (self.as_of - teen_start).days / 365.25
            for agency, category, per_year in (
                (POLICE, "victim_of_crime", 0.02),
                (HEALTH, "mental_health_contact", 0.03),
            ):
                for _ in range(self._poisson(per_year * teen_years)):
                    self._event(agency, child, self._day_between(teen_start, self.as_of), category, ROUTINE)  # fmt: skip

    def _household_routine(self) -> None:
        if not self.social_tenant or not self.children:
            return
        tenants = [a for a in self.adults if a.kind != "relative"]
        eldest = self.children[0]
        start = max(eldest.dob, self.window_start)
        years = (self.as_of - start).days / 365.25
        officer = self.housing_officer.full_name
        for category, per_year in (("disrepair", 0.15), ("anti_social_behaviour", 0.05)):
            for _ in range(self._poisson(per_year * years)):
                day = self._day_between(start, self.as_of)
                self._event(
                    HOUSING, eldest, day, category, ROUTINE, practitioner=officer, others=tenants
                )

    def _poisson(self, mean: float) -> int:
        # Knuth's method: means here are small.
        limit, count, product = math.exp(-mean), 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count

    def _day_between(self, start: dt.date, end: dt.date) -> dt.date:
        span = (end - start).days
        return start + dt.timedelta(days=int(self.rng.random() * (span + 1))) if span > 0 else start

    def _school_lead(self, child: _Member, day: dt.date) -> Practitioner:
        return self.primary_lead if age_on(child.dob, day) < 11 else self.secondary_lead

    # -- children's social care journeys -----------------------------------------------------

    def _csc_journey(
        self,
        index: _Member,
        start: dt.date,
        outcome: str,
        *,
        category: str = "",
        siblings: Sequence[_Member] = (),
        pattern: bool = True,
        strategy: bool = False,
    ) -> None:
        """Contact to closure (or to ``as_of``), with plans, visits and statuses.

        ``outcome`` is contact, assessment, early_help, cin, cp or lac. Siblings share the
        milestones (referral, conferences, plans) and statuses, not the visits.
        """
        rng = self.rng
        sw = self.social_worker
        start = min(start, self.as_of)
        siblings = [s for s in siblings if s.dob <= start]  # the ones born by then
        carers = [a for a in self.adults if a.kind in {"mother", "father", "grandmother"}]
        tone = CONCERN if pattern else ROUTINE
        opened: list[tuple[_Member, int]] = []  # involvements started here (index into list)
        statuses: list[_StatusRow] = []
        steps: dict[str, dt.date | None] = {}  # the case's steps reached (DemoCase)
        intended = outcome
        reviews: list[dt.date] = []

        def event(
            day: dt.date,
            cat: str,
            *,
            all_children: bool = False,
            others: Sequence[_Member] = (),
            signal: bool = True,
        ) -> None:
            # Visits and meetings are the work of a plan, not signals of the pattern.
            self._event(
                CSC,
                index,
                day,
                cat,
                tone,
                practitioner=sw.full_name,
                others=others,
                pattern=pattern and signal,
                stop=True,
            )
            if all_children:
                for sibling in siblings:
                    self._event(CSC, sibling, day, cat, tone, practitioner=sw.full_name, stop=True)

        def open_status(day: dt.date, kind: str, cp_category: str = "") -> None:
            for child in (index, *siblings):
                row = _StatusRow(child, kind, cp_category, day)
                self.statuses.append(row)
                statuses.append(row)

        def close_status(day: dt.date, kind: str) -> None:
            for row in statuses:
                if row.kind == kind and row.ended_on is None:
                    row.ended_on = day

        def visits(
            first: dt.date, until: dt.date, every: tuple[int, int], seen_alone: float
        ) -> dt.date:
            day = first
            while day < until:
                carer = [_choice(rng, carers)] if carers and rng.random() < 0.5 else []
                # A visit sees every child; each child's file records it.
                event(day, "home_visit", all_children=True, others=carer, signal=False)
                for child in (index, *siblings):
                    if rng.random() < seen_alone:
                        self._event(
                            CSC,
                            child,
                            day,
                            "child_seen_alone",
                            tone,
                            practitioner=sw.full_name,
                            stop=True,
                        )
                day += dt.timedelta(days=_randint(rng, *every))
            return until

        try:
            day = start
            event(day, "contact")
            if outcome == "contact":
                return
            day += dt.timedelta(days=_randint(rng, 0, 3))
            event(day, "referral", all_children=True)
            steps["referral"] = day
            if strategy or outcome in {"cp", "lac"}:
                day += dt.timedelta(days=_randint(rng, 0, 3))
                event(day, "strategy_discussion")
                event(day, "section47_started")
                steps["section47"] = day
            day += dt.timedelta(days=_randint(rng, 0, 4))
            for child in (index, *siblings):
                self.involvements.append((child, CSC, SOCIAL_WORKER, sw, day, None))
                opened.append((child, len(self.involvements) - 1))
            event(day, "assessment_started", all_children=True)
            steps["assessment_started"] = day
            assessment_end = day + dt.timedelta(days=_randint(rng, 20, 45))
            day = visits(day + dt.timedelta(days=_randint(rng, 1, 6)), assessment_end, (6, 14), 0.5)
            event(day, "assessment_completed", all_children=True)
            steps["assessment_completed"] = day
            if outcome in {"cp", "lac"}:
                event(day, "section47_outcome")
                day = _weekday(day + dt.timedelta(days=_randint(rng, 8, 21)))
                event(day, "initial_conference", all_children=True)
                steps["conference"] = day
                event(day, "cp_plan_started", all_children=True)
                open_status(day, CP, category)
                steps["cp_started"] = day
                plan_days = _randint(rng, 240, 900)
                if outcome == "lac":
                    plan_days = _randint(rng, 30, 200)
                plan_end = day + dt.timedelta(days=plan_days)
                core_group = day + dt.timedelta(days=_randint(rng, 7, 10))
                while core_group < plan_end and core_group <= self.as_of:
                    self._event(
                        CSC,
                        index,
                        core_group,
                        "other",
                        CORE_GROUP,
                        practitioner=sw.full_name,
                    )
                    core_group += dt.timedelta(days=_randint(rng, 35, 45))
                review = day + dt.timedelta(days=90)
                while review < plan_end:
                    day = visits(
                        day + dt.timedelta(days=_randint(rng, 3, 10)), review, (7, 14), 0.6
                    )
                    event(review, "review_conference", all_children=True)
                    reviews.append(review)
                    review += dt.timedelta(days=180)
                day = visits(day + dt.timedelta(days=_randint(rng, 3, 10)), plan_end, (7, 14), 0.6)
                event(day, "cp_plan_ended", all_children=True)
                close_status(day, CP)
                steps["cp_ended"] = day
                if outcome == "lac":
                    if rng.random() < 0.4:
                        self._event(
                            POLICE,
                            index,
                            day,
                            "police_protection",
                            practitioner=self.police_officer.full_name,
                            pattern=pattern,
                            stop=True,
                        )
                    event(day, "looked_after_started", all_children=True)
                    open_status(day, LAC)
                    steps["lac_started"] = day
                    lac_end = day + dt.timedelta(days=_randint(rng, 180, 1200))
                    if rng.random() < 0.6:  # still looked after: visits go on until as_of
                        lac_end = self.as_of + dt.timedelta(days=3650)
                    day = visits(
                        day + dt.timedelta(days=_randint(rng, 5, 20)), lac_end, (21, 42), 0.7
                    )
                    event(day, "looked_after_ended", all_children=True)
                    close_status(day, LAC)
                    steps["lac_ended"] = day
                outcome = "cin" if rng.random() < 0.7 else "closed"
            if outcome == "cin":
                day += dt.timedelta(days=_randint(rng, 1, 14))
                event(day, "cin_plan_started", all_children=True)
                open_status(day, CIN)
                steps["cin_started"] = day
                plan_end = day + dt.timedelta(days=_randint(rng, 180, 540))
                day = visits(day + dt.timedelta(days=_randint(rng, 7, 20)), plan_end, (14, 35), 0.4)
                event(day, "cin_plan_ended", all_children=True)
                close_status(day, CIN)
                steps["cin_ended"] = day
            day += dt.timedelta(days=_randint(rng, 0, 14))
            event(
                day,
                "step_down_early_help" if outcome == "early_help" else "case_closed",
                all_children=True,
            )
            steps["closed"] = day
            for _child, position in opened:
                member, agency, role, who, started, _ = self.involvements[position]
                self.involvements[position] = (
                    member,
                    agency,
                    role,
                    who,
                    started,
                    max(day, started),
                )
        except _PastAsOfError:
            pass
        finally:
            self._record_cases(index, siblings, intended, category, pattern, steps, reviews)

    def _record_cases(
        self,
        index: _Member,
        siblings: Sequence[_Member],
        outcome: str,
        category: str,
        pattern: bool,
        steps: dict[str, dt.date | None],
        reviews: list[dt.date],
    ) -> None:
        """The journey as the case system holds it: one ``DemoCase`` per child, if the
        contact became a referral. Draws nothing from the generator's random numbers."""
        referral = steps.get("referral")
        if referral is None:
            return
        for child in (index, *siblings):
            self.cases.append(
                DemoCase(
                    person_id=child.person_id,
                    referred=child is index,
                    outcome=outcome,
                    category=category,
                    pattern=pattern,
                    referral=referral,
                    section47=steps.get("section47"),
                    assessment_started=steps.get("assessment_started"),
                    assessment_completed=steps.get("assessment_completed"),
                    conference=steps.get("conference"),
                    cp_started=steps.get("cp_started"),
                    cp_ended=steps.get("cp_ended"),
                    cp_reviews=tuple(reviews),
                    lac_started=steps.get("lac_started"),
                    lac_ended=steps.get("lac_ended"),
                    cin_started=steps.get("cin_started"),
                    cin_ended=steps.get("cin_ended"),
                    closed=steps.get("closed"),
                    closed_to_early_help=outcome == "early_help",
                )
            )

    # -- patterns ------------------------------------------------------------------------------

    def _pattern_start(self, earliest: dt.date, back: tuple[int, int]) -> dt.date:
        """A start ``back`` days before ``as_of``, not before ``earliest`` unless that is
        too close to ``as_of`` for the history to begin (then two weeks before it)."""
        start = self.as_of - dt.timedelta(days=_randint(self.rng, *back))
        return min(max(start, earliest), self.as_of - dt.timedelta(days=14))

    def _neglect(self, child: _Member, start: dt.date) -> str:
        rng = self.rng
        outcome = _NEGLECT_OUTCOME.pick(rng)
        pre = [
            start - dt.timedelta(days=_randint(rng, 20, 240)) for _ in range(_randint(rng, 2, 4))
        ]
        for day in sorted(pre):
            self._event(HEALTH, child, max(day, child.dob), "was_not_brought", pattern=True)
        if age_on(child.dob, start) < 5:
            for _ in range(_randint(rng, 1, 3)):
                day = start - dt.timedelta(days=_randint(rng, 10, 180))
                self._event(
                    HEALTH,
                    child,
                    max(day, child.dob),
                    "health_visitor_contact",
                    practitioner=self.health_visitor.full_name,
                    pattern=True,
                )
        else:
            lead = self._school_lead(child, start).full_name
            for category, low, high in (
                ("persistent_absence", 1, 2),
                ("safeguarding_concern", 1, 3),
                ("disclosure", 0, 1),
            ):
                for _ in range(_randint(rng, low, high)):
                    day = start - dt.timedelta(days=_randint(rng, 5, 150))
                    self._event(EDUCATION, child, day, category, practitioner=lead, pattern=True)
        if self.social_tenant and rng.random() < 0.4:
            day = start - dt.timedelta(days=_randint(rng, 10, 200))
            self._event(
                HOUSING,
                child,
                day,
                "disrepair",
                practitioner=self.housing_officer.full_name,
                others=self.adults[:1],
                pattern=True,
            )
        if rng.random() < 0.3:
            self._event(
                POLICE,
                child,
                start - dt.timedelta(days=_randint(rng, 1, 60)),
                "concern_for_welfare",
                others=self.adults[:1],
                pattern=True,
            )
        siblings = [c for c in self.children if c is not child]
        self._csc_journey(child, start, outcome, category="neglect", siblings=siblings)
        return outcome

    def _domestic_abuse(self, child: _Member, start: dt.date) -> str:
        rng = self.rng
        outcome = "cp" if self.showcase else _DA_OUTCOME.pick(rng)
        victim = next(a for a in self.adults if a.kind == "mother")
        perpetrator = next(a for a in self.adults if a.kind in {"father", "partner"})
        officer = self.police_officer.full_name
        siblings = [c for c in self.children if c is not child]
        incidents = sorted(
            start - dt.timedelta(days=_randint(rng, 0, 300)) for _ in range(_randint(rng, 2, 6))
        )
        incidents[-1] = start
        for day in incidents:
            self._event(
                POLICE,
                child,
                day,
                "domestic_abuse_incident",
                practitioner=officer,
                others=[perpetrator, victim, *siblings],
                pattern=True,
            )
        self.involvements.append(
            (child, POLICE, POLICE_OFFICER, self.police_officer, incidents[0], None)
        )
        young = age_on(child.dob, start) < 5
        if young:
            self._event(
                HEALTH,
                child,
                start - dt.timedelta(days=_randint(rng, 5, 90)),
                "health_visitor_contact",
                practitioner=self.health_visitor.full_name,
                others=[victim],
                pattern=True,
            )
        else:
            lead = self._school_lead(child, start).full_name
            self._event(
                EDUCATION,
                child,
                start + dt.timedelta(days=_randint(rng, 1, 20)),
                "disclosure",
                practitioner=lead,
                pattern=True,
            )
            if rng.random() < 0.6:
                self._event(
                    EDUCATION,
                    child,
                    start - dt.timedelta(days=_randint(rng, 5, 90)),
                    "behaviour_concern",
                    practitioner=lead,
                    pattern=True,
                )
        if self.showcase or rng.random() < 0.3:
            self._event(
                HEALTH,
                child,
                start - dt.timedelta(days=_randint(rng, 10, 120)),
                "was_not_brought",
                pattern=True,
            )
        if self.showcase or rng.random() < 0.35:
            officer_h = self.housing_officer
            day = start + dt.timedelta(days=_randint(rng, 2, 30))
            self._event(
                HOUSING,
                child,
                day,
                "temporary_accommodation",
                practitioner=officer_h.full_name,
                others=[victim],
                pattern=True,
            )
            self.involvements.append((child, HOUSING, HOUSING_OFFICER, officer_h, day, None))
        category = "emotional_abuse" if rng.random() < 0.8 else "multiple"
        self._csc_journey(
            child,
            start + dt.timedelta(days=_randint(rng, 0, 3)),
            outcome,
            category=category,
            siblings=siblings,
        )
        if outcome in {"cp", "cin"} and rng.random() < 0.4:
            day = start + dt.timedelta(days=_randint(rng, 60, 400))
            if day <= self.as_of:
                self._event(
                    POLICE,
                    child,
                    day,
                    "domestic_abuse_incident",
                    practitioner=officer,
                    others=[perpetrator, victim],
                    pattern=True,
                )
        return outcome

    def _exploitation(self, child: _Member, start: dt.date) -> str:
        rng = self.rng
        outcome = _EXPLOITATION_OUTCOME.pick(rng)
        lead = self._school_lead(child, start).full_name
        officer = self.police_officer.full_name
        for category, low, high in (
            ("persistent_absence", 1, 3),
            ("behaviour_concern", 1, 3),
            ("suspension", 1, 3),
        ):
            for _ in range(_randint(rng, low, high)):
                day = start - dt.timedelta(days=_randint(rng, 10, 240))
                self._event(EDUCATION, child, day, category, practitioner=lead, pattern=True)
        if rng.random() < 0.25:
            self._event(
                EDUCATION,
                child,
                start + dt.timedelta(days=_randint(rng, 20, 200)),
                "permanent_exclusion",
                practitioner=lead,
                pattern=True,
            )
        self.involvements.append(
            (
                child,
                POLICE,
                POLICE_OFFICER,
                self.police_officer,
                start - dt.timedelta(days=120),
                None,
            )
        )
        try:
            day = start - dt.timedelta(days=_randint(rng, 60, 150))
            for _ in range(_randint(rng, 3, 10)):
                self._event(
                    POLICE,
                    child,
                    day,
                    "missing_episode",
                    practitioner=officer,
                    pattern=True,
                    stop=True,
                )
                self._event(
                    POLICE,
                    child,
                    day + dt.timedelta(days=_randint(rng, 0, 3)),
                    "found_after_missing",
                    practitioner=officer,
                    pattern=True,
                    stop=True,
                )
                if rng.random() < 0.35:
                    self._event(
                        POLICE,
                        child,
                        day + dt.timedelta(days=_randint(rng, 1, 20)),
                        "exploitation_intelligence",
                        practitioner=officer,
                        pattern=True,
                    )
                day += dt.timedelta(days=_randint(rng, 7, 60))
            for category, chance in (
                ("arrest", 0.3),
                ("suspect_in_crime", 0.4),
                ("victim_of_crime", 0.2),
            ):
                if rng.random() < chance:
                    self._event(
                        POLICE,
                        child,
                        start + dt.timedelta(days=_randint(rng, 0, 200)),
                        category,
                        practitioner=officer,
                        pattern=True,
                    )
        except _PastAsOfError:
            pass
        for category, chance in (
            ("emergency_attendance", 0.4),
            ("self_harm", 0.2),
            ("substance_misuse_contact", 0.3),
            ("mental_health_contact", 0.25),
        ):
            if rng.random() < chance:
                day = start + dt.timedelta(days=_randint(rng, -60, 200))
                if day <= self.as_of:
                    self._event(HEALTH, child, day, category, pattern=True)
        self._csc_journey(
            child,
            start + dt.timedelta(days=_randint(rng, 0, 20)),
            outcome,
            category="multiple",
            strategy=True,
        )
        return outcome

    def _physical_abuse(self, child: _Member, start: dt.date) -> str:
        rng = self.rng
        outcome = _PHYSICAL_OUTCOME.pick(rng)
        age_weeks = (start - child.dob).days // 7
        if rng.random() < 0.5:
            self._event(
                HEALTH,
                child,
                start - dt.timedelta(days=_randint(rng, 7, 40)),
                "health_visitor_contact",
                practitioner=self.health_visitor.full_name,
                pattern=True,
            )
        self._event(HEALTH, child, start, "injury_non_mobile_infant", pattern=True)
        if rng.random() < 0.5:
            self._event(
                POLICE,
                child,
                start + dt.timedelta(days=1),
                "victim_of_crime",
                practitioner=self.police_officer.full_name,
                pattern=True,
            )
        self._csc_journey(child, start, outcome, category="physical_abuse", strategy=True)
        self.placeholders_age = f"{age_weeks} weeks"
        return outcome

    def _low_level(self, child: _Member) -> None:
        rng = self.rng
        path = _LOW_PATH.pick(rng)
        start = self._pattern_start(child.dob + dt.timedelta(days=30), (20, 5 * 365))
        if start > self.as_of:
            return
        if rng.random() < 0.5 and age_on(child.dob, start) >= 5:
            lead = self._school_lead(child, start).full_name
            self._event(
                EDUCATION,
                child,
                start - dt.timedelta(days=_randint(rng, 1, 30)),
                "safeguarding_concern",
                ROUTINE,
                practitioner=lead,
            )
        elif rng.random() < 0.4:
            self._event(
                POLICE,
                child,
                start - dt.timedelta(days=_randint(rng, 1, 30)),
                "concern_for_welfare",
                ROUTINE,
                others=self.adults[:1],
            )
        outcome = {
            "contact": "contact",
            "assessment": "early_help" if rng.random() < 0.5 else "assessment",
            "cin": "cin",
        }[path]
        siblings = [c for c in self.children if c is not child] if path == "cin" else []
        self._csc_journey(child, start, outcome, siblings=siblings, pattern=False)

    def _prior_episode(self, child: _Member, start: dt.date) -> None:
        """An earlier, closed episode: about a fifth of referrals are re-referrals."""
        rng = self.rng
        outcome = _PRIOR_OUTCOME.pick(rng)
        gap = _randint(rng, 700, 1800) if outcome == "cin" else _randint(rng, 200, 1500)
        earlier = start - dt.timedelta(days=gap)
        if earlier < max(child.dob + dt.timedelta(days=30), self.window_start):
            return
        siblings = [c for c in self.children if c is not child and c.dob < earlier]
        self._csc_journey(child, earlier, outcome, siblings=siblings, pattern=False)

    def _plan_background(self) -> None:
        """While a child is on a plan, every agency sees more of them."""
        rng = self.rng
        violent = [a for a in self.adults if a.kind in {"father", "partner"}]
        victims = [a for a in self.adults if a.kind == "mother"]
        da = any(p == DOMESTIC_ABUSE for _, p, _, _ in self.pattern_info) and violent and victims
        for row in list(self.statuses):
            child = row.member
            month = row.started_on + dt.timedelta(days=_randint(rng, 5, 30))
            end = min(row.ended_on or self.as_of, self.as_of)
            while month <= end:
                age = age_on(child.dob, month)
                if age >= 5 and rng.random() < 0.45:
                    category = _PLAN_SCHOOL.pick(rng)
                    lead = self._school_lead(child, month).full_name
                    self._event(EDUCATION, child, month, category, practitioner=lead)
                if age < 5 and rng.random() < 0.6:
                    self._event(
                        HEALTH,
                        child,
                        month,
                        "health_visitor_contact",
                        practitioner=self.health_visitor.full_name,
                    )
                if rng.random() < 0.1:
                    self._event(HEALTH, child, month, "was_not_brought")
                if rng.random() < 0.05:
                    self._event(HEALTH, child, month, "emergency_attendance", ROUTINE)
                if da and rng.random() < 0.05:
                    self._event(
                        POLICE,
                        child,
                        month,
                        "domestic_abuse_incident",
                        practitioner=self.police_officer.full_name,
                        others=[violent[0], victims[0]],
                    )
                month += dt.timedelta(days=_randint(rng, 12, 20))

    def _plant_pattern(self) -> None:
        rng = self.rng
        as_of = self.as_of
        teens = [c for c in self.children if 12 <= age_on(c.dob, as_of) <= 17]
        infants = [c for c in self.children if 60 <= (as_of - c.dob).days <= 3 * 365]
        has_partner = any(a.kind in {"father", "partner"} for a in self.adults) and any(
            a.kind == "mother" for a in self.adults
        )
        options = [(NEGLECT, 40)]
        if has_partner:
            options.append((DOMESTIC_ABUSE, 35))
        if teens:
            options.append((EXPLOITATION, 30))
        if infants:
            options.append((PHYSICAL_ABUSE, 12))
        pattern = DOMESTIC_ABUSE if self.showcase else _Weighted(options).pick(rng)
        if pattern == EXPLOITATION:
            child = _choice(rng, teens)
            start = self._pattern_start(_add_years(child.dob, 12), (60, 700))
            outcome = self._exploitation(child, start)
        elif pattern == PHYSICAL_ABUSE:
            child = _choice(rng, infants)
            start = child.dob + dt.timedelta(days=_randint(rng, 40, 150))
            start = min(start, as_of - dt.timedelta(days=5))
            outcome = self._physical_abuse(child, start)
        elif pattern == DOMESTIC_ABUSE:
            child = self.children[0] if self.showcase else _choice(rng, self.children)
            back = (150, 200) if self.showcase else (30, 1000)
            start = self._pattern_start(child.dob + dt.timedelta(days=200), back)
            outcome = self._domestic_abuse(child, start)
        else:
            child = _choice(rng, self.children)
            start = self._pattern_start(child.dob + dt.timedelta(days=250), (30, 1000))
            outcome = self._neglect(child, start)
        self.pattern_info.append((child, pattern, outcome, start))
        if pattern != PHYSICAL_ABUSE and rng.random() < 0.5 and not self.showcase:
            self._prior_episode(child, start)

    # -- records ---------------------------------------------------------------------------

    def _choose_agencies(self) -> None:
        rng = self.rng
        needed: dict[int, set[str]] = {}
        for event in self.pending:
            needed.setdefault(id(event.subject), set()).add(event.agency)
            for other in event.others:
                needed.setdefault(id(other), set()).add(event.agency)
        csc_known = any(CSC in needed.get(id(c), ()) for c in self.children)
        for child in self.children:
            agencies = set(needed.get(id(child), ()))
            if rng.random() < 0.97:
                agencies.add(HEALTH)
            if age_on(child.dob, self.as_of) >= 4 and rng.random() < 0.95:
                agencies.add(EDUCATION)
            if csc_known and rng.random() < 0.9:
                agencies.add(CSC)
            if rng.random() < 0.03:
                agencies.add(POLICE)
            if self.social_tenant and rng.random() < 0.8:
                agencies.add(HOUSING)
            if not agencies:
                agencies.add(HEALTH)
            child.agencies = agencies
        for adult in self.adults:
            agencies = set(needed.get(id(adult), ()))
            if rng.random() < 0.92:
                agencies.add(HEALTH)
            if rng.random() < (0.12 if adult.sex == "M" else 0.05):
                agencies.add(POLICE)
            if self.social_tenant and adult.kind != "relative":
                agencies.add(HOUSING)
            if csc_known and adult.kind != "relative" and rng.random() < 0.85:
                agencies.add(CSC)
            if not agencies:
                agencies.add(HEALTH)
            adult.agencies = agencies
        if self.showcase:
            for member in (*self.children, *self.adults):
                member.agencies |= {HEALTH, CSC, POLICE, HOUSING}
                if member.role == CHILD and age_on(member.dob, self.as_of) >= 4:
                    member.agencies.add(EDUCATION)

    def _make_records(self) -> list[AgencyRecord]:
        records: list[AgencyRecord] = []
        for member in (*self.children, *self.adults):
            for agency in AGENCY_CODES:
                if agency not in member.agencies:
                    continue
                record = self._record(member, agency)
                records.append(record)
                self._record_given[record.record_id] = record.given_name
                member.records[agency] = [record.record_id]
                duplicate_rate = {POLICE: 0.03, HEALTH: 0.005, CSC: 0.01}.get(agency, 0.0)
                if not member.clean and self.rng.random() < duplicate_rate:
                    duplicate = self._record(member, agency, duplicate=True)
                    records.append(duplicate)
                    self._record_given[duplicate.record_id] = duplicate.given_name
                    member.records[agency].append(duplicate.record_id)
        return records

    def _record(self, member: _Member, agency: str, *, duplicate: bool = False) -> AgencyRecord:
        rng = self.rng
        self.counters.records[agency] += 1
        record_id = f"{RECORD_PREFIX[agency]}{self.counters.records[agency]:08d}"
        address, postcode = self.address
        if member.clean:
            return AgencyRecord(
                agency, record_id, member.person_id, member.given_name, member.family_name, "",
                member.dob, member.sex, member.nhs_number, address, postcode,
            )  # fmt: skip
        given, family, other = member.given_name, member.family_name, []
        # Given name: nickname, spelling variant or typo.
        roll = rng.random()
        nicknames = names.NICKNAMES.get(given)
        variants = names.SPELLING_VARIANTS.get(given)
        nickname_rate = _NICKNAME_RATE[agency] * (2 if duplicate else 1)
        if nicknames and roll < nickname_rate:
            given = _choice(rng, nicknames)
            if rng.random() < 0.3:
                other.append(f"{member.given_name} {member.family_name}")
        elif variants and roll < nickname_rate + 0.15 and agency != HEALTH:
            given = _choice(rng, variants)
        elif roll > 1 - (0.01 if agency == HEALTH else 0.03):
            given = self._typo(given)
        # Family name: the name used at school, a maiden name, a variant or a typo.
        if member.known_as_family_name and agency in {EDUCATION, POLICE} and rng.random() < 0.7:
            family = member.known_as_family_name
            other.append(f"{given} {member.family_name}")
        elif member.previous_family_name and rng.random() < (
            0.3 if agency in {POLICE, HOUSING} else 0.05
        ):
            family = member.previous_family_name
            if rng.random() < 0.5:
                other.append(f"{given} {member.family_name}")
        elif member.previous_family_name and rng.random() < 0.4:
            other.append(f"{member.given_name} {member.previous_family_name}")
        else:
            roll = rng.random()
            variants = names.SPELLING_VARIANTS.get(family)
            if variants and roll < 0.2:
                family = _choice(rng, variants)
            elif "-" in family and roll < 0.35:
                family = family.split("-")[_below(rng, 2)]
            elif roll > 1 - (0.01 if agency == HEALTH else 0.03):
                family = self._typo(family)
        if agency == POLICE and member.role == ADULT and rng.random() < 0.15:
            alias_given = _choice(rng, names.NICKNAMES.get(member.given_name, (member.given_name,)))
            other.append(f"{alias_given} {self._surname(member.tradition)}")
        if agency == POLICE and rng.random() < 0.4:
            family = family.upper()
        # Date of birth: missing, day and month swapped, or a slip of a digit.
        dob: dt.date | None = member.dob
        roll = rng.random()
        missing_dob = {POLICE: 0.03, HOUSING: 0.1}.get(agency, 0.0) if member.role == ADULT else 0.0
        if roll < missing_dob:
            dob = None
        elif (
            roll < missing_dob + 0.015
            and member.dob.day <= 12
            and member.dob.day != member.dob.month
        ):
            dob = member.dob.replace(month=member.dob.day, day=member.dob.month)
        elif roll > 0.99:
            dob = member.dob + dt.timedelta(days=_choice(rng, (-1, 1, -365, 365, 10, -10)))
        if dob is not None and dob > self.as_of:
            dob = member.dob
        nhs = member.nhs_number if rng.random() < _NHS_PRESENT[agency] else ""
        if duplicate and rng.random() < 0.7:
            nhs = ""
        sex = member.sex if rng.random() > (0.03 if agency in {POLICE, HOUSING} else 0.0) else ""
        # Address: an old one not yet updated, an abbreviation, a postcode in another shape.
        if self.previous_address[0] and rng.random() < _OLD_ADDRESS_RATE[agency]:
            address, postcode = self.previous_address
        roll = rng.random()
        if roll < 0.25:
            for full, short in names.STREET_ABBREVIATIONS.items():
                if f" {full}," in address:
                    address = address.replace(f" {full},", f" {short},")
                    break
        elif roll < 0.3:
            address = address.upper()
        elif roll > 0.96 and agency == POLICE:
            address = ""
        roll = rng.random()
        if roll < 0.05:
            postcode = postcode.replace(" ", "")
        elif roll < 0.08:
            postcode = postcode.lower()
        elif roll > 0.97:
            postcode = ""
        return AgencyRecord(
            agency, record_id, member.person_id, given, family, ";".join(dict.fromkeys(other)),
            dob, sex, nhs, address, postcode,
        )  # fmt: skip

    def _typo(self, name: str) -> str:
        rng = self.rng
        if len(name) < 3:
            return name
        i = _randint(rng, 1, len(name) - 1)
        kind = _below(rng, 4)
        if kind == 0:  # a neighbouring key
            neighbours = _KEYBOARD_NEIGHBOURS.get(name[i].lower())
            if neighbours:
                return name[:i] + _choice(rng, neighbours) + name[i + 1 :]
        if kind == 1 and i < len(name) - 1:  # two letters swapped
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        if kind == 2:  # a letter doubled
            return name[:i] + name[i] + name[i:]
        return name[:i] + name[i + 1 :]  # a letter dropped

    # -- putting it together ------------------------------------------------------------------

    def build(self) -> Household:
        rng = self.rng
        self._make_people()
        self.address = self._make_address()
        if rng.random() < 0.25 and not self.showcase:
            self.previous_address = self._make_address()
        self.social_tenant = self.showcase or rng.random() < 0.3
        self._make_relationships()
        concern = ESCALATING if self.showcase else _CONCERN.pick(rng)
        for child in self.children:
            self._quiet_history(child)
        self._household_routine()
        if concern == LOW:
            self._low_level(_choice(rng, self.children))
        elif concern == ESCALATING:
            self._plant_pattern()
        self._plan_background()
        self._routine_involvements()
        self._choose_agencies()
        records = self._make_records()
        self._leave_steps_to_the_import(records)
        events, pattern_keys = self._number_events()
        return Household(
            household_id=self.household_id,
            concern=concern,
            persons=[self._true_person(m) for m in (*self.children, *self.adults)],
            records=records,
            events=events,
            relationships=self.relationships,
            involvements=[
                DemoInvolvement(m.person_id, agency, role, p.key, start, end)
                for m, agency, role, p, start, end in self.involvements
            ],
            statuses=[
                DemoStatus(r.member.person_id, r.kind, r.category, r.started_on, r.ended_on)
                for r in self.statuses
            ],
            patterns=self._patterns(pattern_keys),
            cases=self.cases,
        )

    def _leave_steps_to_the_import(self, records: list[AgencyRecord]) -> None:
        """Drop the social care events the import of the year's returns writes.

        ``load-demo-data`` brings the case in through the CIN census and SSDA903 importers,
        which write a social care event for each step of each imported row (referral,
        assessment, section 47, plan start and end, period of care...). The generator's
        own event for such a step (same child, category and day) would put it in the
        chronology twice, so it is left out here, before the events are numbered. Steps
        the returns do not hold (earlier years, conferences, visits) and other agencies'
        events stay. Draws nothing from the random numbers."""
        if not self.cases:
            return
        from sightline.demo import returns  # returns.py builds on this module

        owner = {r.record_id: r.person_id for r in records if r.agency == CSC}
        household = Household(
            self.household_id, "", [self._true_person(m) for m in self.children],
            records, [], [], [], [], [], self.cases,
        )  # fmt: skip
        year = returns.build([household], seed=self.seed, as_of=self.as_of)
        imported = {
            (owner[record_id], category, day)
            for record_id, category, day in returns.imported_steps(year)
        }
        self.pending = [
            p
            for p in self.pending
            if p.agency != CSC or (p.subject.person_id, p.category, p.when.date()) not in imported
        ]

    def _routine_involvements(self) -> None:
        """Health visitors for the under-fives; school leads for children with school concerns."""
        for child in self.children:
            if age_on(child.dob, self.as_of) < 5:
                start = max(child.dob + dt.timedelta(days=10), self.window_start)
                start = min(start, self.as_of)
                self.involvements.append(
                    (child, HEALTH, HEALTH_VISITOR, self.health_visitor, start, None)
                )
            concerns = [
                p.when.date()
                for p in self.pending
                if p.subject is child
                and p.agency == EDUCATION
                and (p.tone == CONCERN or p.category == "safeguarding_concern")
            ]
            if concerns and age_on(child.dob, self.as_of) >= 4:
                lead = self._school_lead(child, self.as_of)
                self.involvements.append((child, EDUCATION, SCHOOL_LEAD, lead, min(concerns), None))
        # Involvements that ended before they began (history cut at as_of) are dropped.
        self.involvements = [i for i in self.involvements if i[4] <= self.as_of]

    def _number_events(self) -> tuple[list[DemoEvent], list[tuple[_Member, str]]]:
        """Event ids in time order, and (unless events are off) the events themselves.

        Summaries and the choice between duplicate records draw on ``text_rng``, so leaving
        the events out changes nothing else.
        """
        rng = self.text_rng
        carers = [a for a in self.adults if a.kind in {"mother", "father", "grandmother"}]
        partners = [a for a in self.adults if a.kind in {"partner", "father", "relative"}]
        placeholders = {
            "carer": carers[0].given_name if carers else "the carer",
            "adult": partners[-1].given_name if partners else "an adult",
            "worker": self.social_worker.full_name,
            "age": self.placeholders_age or "8 weeks",
            "child": "",
            "category": "",
        }
        cp_words = {
            id(row.member): _CATEGORY_WORDS.get(row.category, "neglect")
            for row in self.statuses
            if row.kind == CP
        }
        counters = self.counters.events
        record_given = self._record_given
        events: list[DemoEvent] = []
        pattern_keys: list[tuple[_Member, str]] = []
        for pending in sorted(self.pending, key=_WHEN):
            agency = pending.agency
            counters[agency] += 1
            event_id = f"{EVENT_PREFIX[agency]}{counters[agency]:09d}"
            if pending.pattern:
                pattern_keys.append((pending.subject, f"{agency}:{event_id}"))
            if not self.with_events:
                continue
            subject_ids = pending.subject.records[agency]
            subject_id = subject_ids[0]
            if len(subject_ids) > 1 and rng.random() < 0.3:
                subject_id = subject_ids[1]
            placeholders["child"] = record_given[subject_id]
            placeholders["category"] = cp_words.get(id(pending.subject), "neglect")
            events.append(
                DemoEvent(
                    agency, event_id, subject_id, pending.when, pending.date_only,
                    pending.category, summary(rng, pending.category, pending.tone, placeholders),
                    pending.significance, pending.practitioner,
                    tuple([o.records[agency][0] for o in pending.others]) if pending.others else (),
                )
            )  # fmt: skip
        return events, pattern_keys

    def _patterns(self, pattern_keys: list[tuple[_Member, str]]) -> list[PlantedPattern]:
        patterns = []
        for child, pattern, outcome, start in self.pattern_info:
            self.counters.pattern += 1
            patterns.append(
                PlantedPattern(
                    f"ESC{self.counters.pattern:06d}",
                    child.person_id,
                    pattern,
                    outcome,
                    start,
                    tuple(key for subject, key in pattern_keys if subject is child),
                )
            )
        return patterns

    def _true_person(self, member: _Member) -> TruePerson:
        return TruePerson(
            member.person_id,
            self.household_id,
            member.role,
            member.given_name,
            member.family_name,
            member.dob,
            member.sex,
            member.ethnicity,
            member.nhs_number,
            self.address[0],
            self.address[1],
            member.twin_set,
        )


_WHEN = operator.attrgetter("when")
_PRIOR_OUTCOME = _Weighted([("contact", 35), ("assessment", 30), ("early_help", 20), ("cin", 15)])
_PLAN_SCHOOL = _Weighted(
    [("persistent_absence", 40), ("behaviour_concern", 35), ("safeguarding_concern", 25)]
)
_NEGLECT_OUTCOME = _Weighted([("assessment", 15), ("cin", 30), ("cp", 45), ("lac", 10)])
_DA_OUTCOME = _Weighted([("assessment", 15), ("cin", 35), ("cp", 45), ("lac", 5)])
_EXPLOITATION_OUTCOME = _Weighted([("assessment", 15), ("cin", 50), ("cp", 15), ("lac", 20)])
_PHYSICAL_OUTCOME = _Weighted([("assessment", 10), ("cp", 60), ("lac", 30)])
_MIXED_LABEL = {
    "african_caribbean": "Black, Black British, Caribbean or African: Caribbean",
    "south_asian": "Asian or Asian British: Pakistani",
    "eastern_european": "White: Other White",
}
_CATEGORY_WORDS = {
    "neglect": "neglect",
    "physical_abuse": "physical abuse",
    "emotional_abuse": "emotional abuse",
    "sexual_abuse": "sexual abuse",
    "multiple": "multiple categories",
}
