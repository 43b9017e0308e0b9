"""How well the challenge rules pick out the generator's planted escalations. Pure: no Django.

The demo generator (``sightline.demo.generator``) plants escalation patterns (neglect,
domestic abuse, exploitation, physical abuse of an infant) in about 28% of households and
records which child each belongs to and when it started. Nothing here reads that ground
truth except to score: the rules only see each child's chronology, household and plans,
as they would from the database.

Scenarios (all "what if someone decided to take no further action here?"):

- **Planted pattern**: the decision on the first referral about the child on or after the
  pattern's start (or the first contact, or the start itself if the history stops first).
  Recall is the share of planted patterns where such a decision would be challenged.
- **Quiet history** (a household the generator left quiet): a decision on every day on which
  an agency recorded a concern-category event about the child, when a contact could
  plausibly have come in, or on one seeded random day if there is none. A history counts
  as challenged if any of those decisions would be.
- **Low-level concern**: a decision on each real referral of a household with low-level
  concerns (reported, no target).
- **Closures**: each real closure or step-down in any history, as recorded by the generator,
  classed by whether it ends a planted escalation (reported, no target).

The decision is always the worst case for the repeat-referral rule: it does not record
that the history was considered.
"""

import bisect
import datetime as dt
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sightline import challenges, indicators
from sightline.assessments.workflow import DecisionStep, Outcome
from sightline.challenges import Plan, Proposal, RuleSet
from sightline.demo import generator as gen
from sightline.indicators import Adult, Event, History

PLAN_ORDER = (gen.LAC, gen.CP, gen.CIN)  # the most intensive plan wins
_PLANS = {gen.LAC: Plan.LOOKED_AFTER, gen.CP: Plan.CHILD_PROTECTION, gen.CIN: Plan.CHILD_IN_NEED}
_CSC_CLOSURES = {"case_closed": Outcome.CLOSE_CASE, "step_down_early_help": Outcome.EARLY_HELP}


@dataclass
class ChildCase:
    """One child's history as the rules see it, plus what scoring needs."""

    person_id: str
    concern: str  # the household's: quiet, low or escalating
    history: History
    statuses: list[gen.DemoStatus]
    patterns: list[gen.PlantedPattern]

    def plan_on(self, day: dt.date) -> tuple[Plan | None, dt.date | None]:
        """What the child was open to social care for on ``day``, and since when."""
        for kind in PLAN_ORDER:
            for status in self.statuses:
                ended = status.ended_on or day
                if status.kind == kind and status.started_on <= day <= ended:
                    return _PLANS[kind], status.started_on
        events = self.history.events
        started = [e.day for e in events if e.category == "assessment_started" and e.day <= day]
        if started:
            last_start = max(started)
            completed = [e.day for e in events if e.category == "assessment_completed"]
            if not any(last_start <= d < day for d in completed):
                return Plan.ASSESSMENT, last_start
        return None, None


def cases(household: gen.Household) -> Iterator[ChildCase]:
    """Each child of ``household`` with their events, household adults and plans."""
    owner = {r.record_id: r.person_id for r in household.records}
    about: dict[str, list[Event]] = {}
    mentioning: dict[str, list[Event]] = {}
    for event in household.events:
        subject = owner[event.subject_record_id]
        day = event.occurred_at.date()
        ref = f"{event.agency}:{event.event_id}"
        about.setdefault(subject, []).append(Event(ref, day, event.agency, event.category))
        for other in {owner[r] for r in event.other_record_ids} - {subject}:
            mentioning.setdefault(other, []).append(
                Event(ref, day, event.agency, event.category, about_child=False)
            )
    persons = {p.person_id: p for p in household.persons}
    records = {
        pid: (*about.get(pid, ()), *mentioning.get(pid, ()))
        for pid, person in persons.items()
        if person.role == gen.ADULT
    }
    for person in household.persons:
        if person.role != gen.CHILD:
            continue
        household_adults = []
        for rel in household.relationships:
            if rel.relative_id != person.person_id or not rel.lives_with:
                continue
            adult = persons.get(rel.person_id)
            if adult is None or adult.role != gen.ADULT:
                continue
            household_adults.append(
                Adult(
                    ref=adult.person_id,
                    name=f"{adult.given_name} {adult.family_name}",
                    joined_on=rel.started_on,
                    left_on=rel.ended_on,
                    records=records.get(adult.person_id, ()),
                )
            )
        yield ChildCase(
            person_id=person.person_id,
            concern=household.concern,
            history=History(
                date_of_birth=person.date_of_birth,
                events=(*about.get(person.person_id, ()), *mentioning.get(person.person_id, ())),
                household=tuple(household_adults),
            ),
            statuses=[s for s in household.statuses if s.person_id == person.person_id],
            patterns=[p for p in household.patterns if p.person_id == person.person_id],
        )


@dataclass
class Tally:
    total: int = 0
    challenged: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)

    def add(self, findings: list[challenges.Finding]) -> None:
        self.total += 1
        if findings:
            self.challenged += 1
        for rule in {f.rule.code for f in findings}:
            self.by_rule[rule] += 1

    @property
    def share(self) -> float:
        return self.challenged / self.total if self.total else 0.0


@dataclass
class Report:
    rule_set: str
    children: int = 0
    planted: Tally = field(default_factory=Tally)
    planted_by_pattern: dict[str, Tally] = field(default_factory=dict)
    quiet: Tally = field(default_factory=Tally)
    quiet_decisions: int = 0
    low: Tally = field(default_factory=Tally)
    closures: dict[str, Tally] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        return self.planted.share


def _nfa(on: dt.date, plan: tuple[Plan | None, dt.date | None]) -> Proposal:
    return Proposal(
        step=DecisionStep.REFERRAL_DECISION,
        outcome=Outcome.NO_FURTHER_ACTION,
        on=on,
        referral_on=on,
        history_considered=False,
        plan=plan[0],
        open_since=plan[1],
    )


def _first_on_or_after(events: Iterable[Event], category: str, day: dt.date) -> dt.date | None:
    days = sorted(e.day for e in events if e.category == category and e.about_child)
    index = bisect.bisect_left(days, day)
    return days[index] if index < len(days) else None


def planted_decision_day(case: ChildCase, pattern: gen.PlantedPattern) -> dt.date:
    csc = [e for e in case.history.events if e.agency == gen.CSC]
    return (
        _first_on_or_after(csc, "referral", pattern.started_on)
        or _first_on_or_after(csc, "contact", pattern.started_on)
        or pattern.started_on
    )


def quiet_decision_days(case: ChildCase, rng: random.Random, as_of: dt.date) -> list[dt.date]:
    days = sorted(
        {e.day for e in case.history.events if e.about_child and indicators.is_concern(e)}
    )
    if days:
        return days
    dob = case.history.date_of_birth or as_of
    start = max(dob, as_of - dt.timedelta(days=gen.HISTORY_YEARS * 365))
    span = max(0, (as_of - start).days)
    return [start + dt.timedelta(days=rng.randint(0, span))]


def evaluate(config: gen.DemoConfig, rule_set: RuleSet = challenges.SHIPPED) -> Report:
    """Run ``rule_set`` over the histories ``config`` generates."""
    report = Report(rule_set=rule_set.version)
    rng = random.Random(f"evaluate-challenges-{config.seed}")  # noqa: S311 - reproducible sampling
    for household in gen.generate(config):
        for case in cases(household):
            report.children += 1
            _score(case, report, rng, config.as_of, rule_set)
    return report


def _score(
    case: ChildCase, report: Report, rng: random.Random, as_of: dt.date, rule_set: RuleSet
) -> None:
    def run(proposal: Proposal) -> list[challenges.Finding]:
        return challenges.evaluate(rule_set, proposal, case.history)

    for pattern in case.patterns:
        day = planted_decision_day(case, pattern)
        findings = run(_nfa(day, case.plan_on(day)))
        report.planted.add(findings)
        report.planted_by_pattern.setdefault(pattern.pattern, Tally()).add(findings)
    if case.concern == gen.QUIET:
        all_findings: list[challenges.Finding] = []
        for day in quiet_decision_days(case, rng, as_of):
            report.quiet_decisions += 1
            all_findings.extend(run(_nfa(day, case.plan_on(day))))
        report.quiet.add(all_findings)
    if case.concern == gen.LOW:
        for event in case.history.events:
            if event.category == "referral" and event.about_child:
                report.low.add(run(_nfa(event.day, case.plan_on(event.day))))
    for event in case.history.events:
        outcome = _CSC_CLOSURES.get(event.category)
        if outcome is None or not event.about_child:
            continue
        planted = any(p.started_on <= event.day for p in case.patterns)
        kind = "planted escalation" if planted else f"{case.concern} history"
        if case.concern == gen.ESCALATING and not planted:
            kind = "earlier episode"
        plan, since = case.plan_on(event.day - dt.timedelta(days=1))
        proposal = Proposal(
            step=DecisionStep.CASE_CLOSURE,
            outcome=outcome,
            on=event.day,
            history_considered=True,
            plan=plan,
            open_since=since,
        )
        report.closures.setdefault(kind, Tally()).add(run(proposal))
