"""The demo's national returns: the CIN census and the SSDA903 of the collection year that
holds ``as_of``, written from the generated children's social care cases
(``generator.DemoCase``). Pure: no Django imports.

A child is named by their social care record id (``LAchildID`` / ``CHILD`` is the
authority's own id), so the importer places the return on the person that record belongs
to. The return holds what a return of that year holds (what the exporter writes): each
child with an episode of need open at some time in the year, with the assessments, plans
and section 47 enquiries of the year; each child looked after at some time in the year,
with the episodes and reviews of the year. Earlier history is in the chronology only
(and in ``NumberOfPreviousCPP``).

The codes the generator does not decide (referral source, legal status, placement...)
come from a ``random.Random`` of their own, seeded by the seed and the child, so the
returns change nothing else in the data. Written to pass the DfE's validators
(``sightline.returns.dfe_validators``). A period of care is one episode in the year's
return: 903 rule SW12STG2 (csc-validator-be-903 0.1.17) flags an episode ended by a change
of legal status (``REC`` X1) whenever the child's social worker was allocated before it
began, which every demo child's was (allocated at assessment).
"""

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sightline.cases.bulk import step_dates
from sightline.demo.generator import CSC, DemoCase, Household, age_on
from sightline.returns import cin_census as cin
from sightline.returns import ssda903 as s903
from sightline.returns.synthetic import HOME_POSTCODE, PLACEMENT_POSTCODE, upn
from sightline.returns.years import CollectionYear

CIN_CENSUS_FILE = "cin_census.xml"
SSDA903_DIR = "ssda903"
# The fictional authority's DfE LA number, in the census header.
LEA = "201"

# The generator's ONS 2021 labels -> the DfE's ethnicity codes.
ETHNICITY_CODE = {
    "White: English, Welsh, Scottish, Northern Irish or British": "WBRI",
    "White: Irish": "WIRI",
    "White: Gypsy or Irish Traveller": "WIRT",
    "White: Roma": "WROM",
    "White: Other White": "WOTH",
    "Asian or Asian British: Pakistani": "APKN",
    "Asian or Asian British: Indian": "AIND",
    "Asian or Asian British: Bangladeshi": "ABAN",
    "Black, Black British, Caribbean or African: African": "BAFR",
    "Black, Black British, Caribbean or African: Caribbean": "BCRB",
    "Mixed or Multiple: White and Black Caribbean": "MWBC",
    "Mixed or Multiple: White and Asian": "MWAS",
    "Mixed or Multiple: Other Mixed or Multiple": "MOTH",
    "Other ethnic group: Arab": "OOTH",
    "Not stated": "NOBT",
}
# The generator's child protection categories -> the census's category of abuse.
CP_CODE = {
    "neglect": "NEG",
    "physical_abuse": "PHY",
    "emotional_abuse": "EMO",
    "sexual_abuse": "SAB",
    "multiple": "MUL",
}
# Factors identified at assessment, by the concern that brought the child in.
_FACTORS = {
    "neglect": ("16A", "2B"),
    "emotional_abuse": ("3A", "3B", "17A"),
    "physical_abuse": ("18C",),
    "multiple": ("10A", "24A", "11A"),
}
_ROUTINE_FACTORS = ("4B", "1B", "2B", "6B", "20")
_PATTERN_SOURCES = ("6", "2A", "3B", "3E", "1A")
_ROUTINE_SOURCES = ("1A", "2A", "3A", "4", "5D", "6", "8")
_ROUTINE_NEEDS = ("N3", "N4", "N5", "N6", "N8")
_URNS = ("SC480011", "SC480023", "SC480035", "SC480047", "SC480059", "SC480061")


@dataclass(frozen=True)
class _Child:
    record_id: str  # the social care record id: LAchildID, CHILD
    number: int  # for the UPN
    dob: dt.date
    sex: str
    ethnicity: str
    cases: tuple[DemoCase, ...]


@dataclass
class DemoReturns:
    """Collects the households' cases; ``census()`` and ``return903()`` build the files."""

    seed: int
    as_of: dt.date
    children: list[_Child] = field(default_factory=list)

    @property
    def year(self) -> CollectionYear:
        return CollectionYear.containing(self.as_of)

    def add(self, household: Household) -> None:
        if not household.cases:
            return
        people = {p.person_id: p for p in household.persons}
        records: dict[str, str] = {}
        for record in household.records:
            if record.agency == CSC:
                records.setdefault(record.person_id, record.record_id)
        by_child: dict[str, list[DemoCase]] = {}
        for case in household.cases:
            by_child.setdefault(case.person_id, []).append(case)
        for person_id, cases in by_child.items():
            person = people[person_id]
            record_id = records.get(person_id)
            if record_id is None:  # not known to social care (cannot happen: it has events)
                continue
            self.children.append(
                _Child(
                    record_id=record_id,
                    number=int(person_id.lstrip("P") or 0),
                    dob=person.date_of_birth,
                    sex=person.sex if person.sex in {"M", "F"} else "U",
                    ethnicity=ETHNICITY_CODE.get(person.ethnicity, "NOBT"),
                    cases=tuple(_without_overlaps(sorted(cases, key=lambda c: c.referral))),
                )
            )

    def _rng(self, child: _Child, what: str) -> random.Random:
        return random.Random(f"returns-{self.seed}-{child.record_id}-{what}")

    # -- the CIN census ------------------------------------------------------------------

    def census(self) -> cin.Message:
        year = self.year
        children = []
        for child in sorted(self.children, key=lambda c: c.record_id):
            episodes = tuple(
                self._episode(child, case, year)
                for case in child.cases
                if year.overlaps(case.referral, case.closed)
            )
            if not episodes:
                continue
            school_age = age_on(child.dob, year.start) >= 4
            children.append(
                cin.Child(
                    la_child_id=child.record_id,
                    sex=child.sex,
                    ethnicity=child.ethnicity,
                    upn=upn(child.number, LEA) if school_age else None,
                    upn_unknown=None if school_age else "UN1",
                    birth_date=child.dob,
                    disabilities=("NONE",),
                    episodes=episodes,
                )
            )
        return cin.Message(
            header=cin.Header(
                year=year.end_year,
                reference_date=year.end,
                lea=LEA,
                software_code="Sightline",
                release="1",
                serial_no="001",
                date_time=dt.datetime.combine(self.as_of, dt.time(18, 0)),
            ),
            children=tuple(children),
        )

    def _episode(self, child: _Child, case: DemoCase, year: CollectionYear) -> cin.CINDetails:
        rng = self._rng(child, case.referral.isoformat())
        concern = case.pattern or case.outcome in {"cp", "lac"}
        source = rng.choice(_PATTERN_SOURCES if concern else _ROUTINE_SOURCES)
        need = "N1" if concern else rng.choice(_ROUTINE_NEEDS)
        factors = _FACTORS.get(case.category) if concern else None
        if factors is None:
            factors = (rng.choice(_ROUTINE_FACTORS),)
        assessments: tuple[cin.Assessment, ...] = ()
        if case.assessment_started is not None and year.overlaps(
            case.assessment_started, case.assessment_completed
        ):
            done = case.assessment_completed
            assessments = (
                cin.Assessment(
                    start_date=case.assessment_started,
                    authorisation_date=done,
                    factors=tuple(sorted(factors)) if done else (),
                ),
            )
        cin_plans: tuple[cin.CINPlan, ...] = ()
        if case.cin_started is not None and year.overlaps(case.cin_started, case.cin_ended):
            cin_plans = (cin.CINPlan(start_date=case.cin_started, end_date=case.cin_ended),)
        section47s: tuple[cin.Section47, ...] = ()
        if (
            case.section47 is not None
            and (case.referred or case.conference is not None)
            and (case.conference in year if case.conference else case.section47 in year)
        ):
            # An enquiry that found no need for a conference says so once it is concluded.
            concluded = case.assessment_completed is not None
            section47s = (
                cin.Section47(
                    start_date=case.section47,
                    icpc_target=_working_days_after(case.section47, 15),
                    icpc_date=case.conference,
                    icpc_not_required=case.conference is None and concluded,
                ),
            )
        cp_plans: tuple[cin.CPPlan, ...] = ()
        if case.cp_started is not None and year.overlaps(case.cp_started, case.cp_ended):
            category = CP_CODE.get(case.category, "NEG")
            previous = sum(
                1
                for other in child.cases
                if other.cp_started is not None and other.cp_started < case.cp_started
            )
            cp_plans = (
                cin.CPPlan(
                    start_date=case.cp_started,
                    end_date=case.cp_ended,
                    initial_category=category,
                    latest_category=category,
                    previous_plans=previous,
                    review_dates=case.cp_reviews,
                ),
            )
        closure = None
        if case.closed is not None:
            after_assessment = case.cin_started is None and case.section47 is None
            if case.closed_to_early_help and after_assessment:
                closure = "RC9"
            elif case.outcome == "assessment" and after_assessment:
                closure = "RC8"
            else:
                closure = "RC7"
        return cin.CINDetails(
            referral_date=case.referral,
            referral_source=source,
            primary_need=need,
            closure_date=case.closed,
            closure_reason=closure,
            assessments=assessments,
            cin_plans=cin_plans,
            section47s=section47s,
            cp_plans=cp_plans,
        )

    # -- the SSDA903 ---------------------------------------------------------------------

    def return903(self) -> s903.Return903:
        year = self.year
        header: list[s903.HeaderRow] = []
        episodes: list[s903.Episode] = []
        reviews: list[s903.Review] = []
        for child in sorted(self.children, key=lambda c: c.record_id):
            periods = [
                period
                for case in child.cases
                if (period := self._period_of_care(child, case)) is not None
                and year.overlaps(period[0], period[1])
            ]
            if not periods:
                continue
            header.append(
                s903.HeaderRow(
                    child=child.record_id,
                    sex=child.sex,
                    dob=child.dob,
                    ethnic=child.ethnicity,
                    upn=upn(child.number, LEA) if age_on(child.dob, year.start) >= 4 else "UN1",
                    mother="0" if child.sex == "F" else None,
                )
            )
            for start, end, case in periods:
                episodes += self._episodes(child, case, start, end, year)
                reviews += self._reviews(child, start, end, year)
        return s903.Return903(
            header=tuple(header), episodes=tuple(episodes), reviews=tuple(reviews)
        )

    def _period_of_care(
        self, child: _Child, case: DemoCase
    ) -> tuple[dt.date, dt.date | None, DemoCase] | None:
        """When the child was looked after in ``case``: care ends at 18 at the latest."""
        if case.lac_started is None:
            return None
        eighteen = _birthday(child.dob, 18)
        if eighteen <= case.lac_started:
            return None
        end = case.lac_ended
        if eighteen <= self.as_of and (end is None or end > eighteen):
            end = eighteen
        return case.lac_started, end, case

    def _episodes(
        self,
        child: _Child,
        case: DemoCase,
        start: dt.date,
        end: dt.date | None,
        year: CollectionYear,
    ) -> list[s903.Episode]:
        rng = self._rng(child, f"care-{start.isoformat()}")
        age = age_on(child.dob, start)
        if age >= 16 and rng.random() < 0.4:
            place, provider = "K3", "PR4"
        elif age >= 12 and rng.random() < 0.45:
            place, provider = "K2", "PR4"
        elif rng.random() < 0.25:
            place, provider = "U2", "PR1"
        else:
            place, provider = rng.choice(("U4", "U5")), "PR1"
        need = "N1" if case.pattern or case.outcome in {"cp", "lac"} else "N4"
        last = end if end is not None else self.as_of
        # One episode in the year's return (see the module's note on SW12STG2): accommodated
        # under section 20, or on an interim care order while the period is under 26 weeks
        # old, else a full care order.
        if rng.random() < 0.25:
            legal_status = "V2"
        elif (last - start).days < 182:
            legal_status = "C1"
        else:
            legal_status = "C2"
        reason_end = "E4A" if age_on(child.dob, last) < 16 else "E13"
        if end is not None and end == _birthday(child.dob, 18):
            reason_end = "E17" if place.startswith("U") else "E8"
        listed = [
            s903.Episode(
                child=child.record_id,
                decom=start,
                rne="S",
                ls=legal_status,
                cin=need,
                place=place,
                place_provider=provider,
                dec=end,
                rec=reason_end if end is not None else None,
                home_post=HOME_POSTCODE,
                pl_post=PLACEMENT_POSTCODE,
                urn=rng.choice(_URNS),
            )
        ]
        return [e for e in listed if year.overlaps(e.decom, e.dec)]

    def _reviews(
        self, child: _Child, start: dt.date, end: dt.date | None, year: CollectionYear
    ) -> list[s903.Review]:
        """Reviews 20 days into care, three months later, then every six months."""
        reviews = []
        day = start + dt.timedelta(days=20)
        step = 90
        last = min(end or self.as_of, self.as_of)
        while day <= last:
            if day in year:
                code = "PN0" if day < _birthday(child.dob, 4) else "PN1"
                reviews.append(s903.Review(child.record_id, child.dob, day, code))
            day += dt.timedelta(days=step)
            step = 182
        return reviews


def imported_steps(returns: DemoReturns) -> set[tuple[str, str, dt.date]]:
    """The social care chronology events the import of ``returns`` writes, as (social care
    record id, category, day): one per step of each row (``cases.bulk``'s steps). The
    generator leaves these to the import, so no step is in a child's chronology twice."""
    steps: set[tuple[str, str, dt.date]] = set()

    def add(record: str, kind: str, rows: Iterable[Any]) -> None:
        for row in rows:
            steps.update((record, category, day) for category, day, _ in step_dates(kind, row))

    for child in returns.census().children:
        for episode in child.episodes:
            add(child.la_child_id, "episode", [episode])
            add(child.la_child_id, "assessment", episode.assessments)
            add(child.la_child_id, "cin_plan", episode.cin_plans)
            add(child.la_child_id, "section47", episode.section47s)
            add(child.la_child_id, "cp_plan", episode.cp_plans)
    for care in returns.return903().episodes:
        add(care.child, "looked_after", [care])
    return steps


def build(households: Iterable[Household], *, seed: int, as_of: dt.date) -> DemoReturns:
    returns = DemoReturns(seed=seed, as_of=as_of)
    for household in households:
        returns.add(household)
    return returns


def _without_overlaps(cases: list[DemoCase]) -> list[DemoCase]:
    """One episode of need at a time: an episode that starts before the one before it
    closed is left out (the generator's journeys should never overlap)."""
    kept: list[DemoCase] = []
    for case in cases:
        if kept and (kept[-1].closed is None or case.referral <= kept[-1].closed):
            continue
        kept.append(case)
    return kept


def _birthday(dob: dt.date, years: int) -> dt.date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February
        return dt.date(dob.year + years, 3, 1)


def _working_days_after(day: dt.date, days: int) -> dt.date:
    while days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day
