"""Reads for decisions, challenges and assessments.

Callers pass a person they obtained through ``record.access.open_record`` (or lists
built on ``record.queries.visible_to``); nothing here checks access.

What a viewer is shown of chronology events (a challenge's evidence, the events behind
an indicator) is built by one function, ``evidence_rows``: frozen rows already redacted
by the viewer's record view, as the chronology is. Pages never read an event's stored
summary or a challenge's stored words; ``challenge_rows`` gives a challenge as a viewer
may see it.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from sightline import calendars, challenges, indicators
from sightline.accounts.models import User
from sightline.assessments.models import (
    Assessment,
    AssessmentStatus,
    Challenge,
    ChallengeRuleSet,
    ChallengeStatus,
    Decision,
    DecisionPoint,
    PointStatus,
)
from sightline.assessments.thresholds import thresholds
from sightline.assessments.workflow import DecisionStep
from sightline.challenges import Plan, RuleSet
from sightline.chronology.models import ChronologyEvent
from sightline.deadlines.queries import local_closures
from sightline.people.models import Person, Relationship, StatusKind, StatusPeriod
from sightline.record.access import redaction_for
from sightline.record.chronology import Redaction, redact_event
from sightline.record.queries import visible_to

_PLAN_ORDER = (
    (StatusKind.LOOKED_AFTER, Plan.LOOKED_AFTER),
    (StatusKind.CHILD_PROTECTION, Plan.CHILD_PROTECTION),
    (StatusKind.CHILD_IN_NEED, Plan.CHILD_IN_NEED),
)


def current_rule_set() -> RuleSet:
    """The newest published rule set, or the shipped one when none is published."""
    published = ChallengeRuleSet.objects.order_by("-published_at", "-id").first()
    if published is None:
        return challenges.SHIPPED
    return challenges.rule_set_from_data(published.rules)


def _event(event: ChronologyEvent, *, about: bool) -> indicators.Event:
    return indicators.Event(
        ref=str(event.pk),
        day=timezone.localtime(event.occurred_at).date(),
        agency=event.agency.code,
        category=event.category.code,
        about_child=about,
    )


def _events_of(person: Person, on: dt.date) -> list[indicators.Event]:
    """Current events about ``person`` and events mentioning them, up to ``on``."""
    end = dt.datetime.combine(
        on + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    current = ChronologyEvent.objects.current().filter(occurred_at__lt=end)
    current = current.select_related("agency", "category")
    about = [_event(e, about=True) for e in current.filter(person=person)]
    mentions = current.filter(other_records__person=person).exclude(person=person).distinct()
    return [*about, *(_event(e, about=False) for e in mentions)]


def history_for(person: Person, *, on: dt.date) -> indicators.History:
    """What the indicators and rules see about ``person`` on the decision day."""
    adults = []
    relationships = (
        Relationship.objects.filter(relative=person, lives_with=True)
        .exclude(person=person)
        .select_related("person")
    )
    for relationship in relationships:
        adult = relationship.person
        if adult.is_child_on(on):
            continue
        adults.append(
            indicators.Adult(
                ref=str(adult.pk),
                name=adult.full_name,
                joined_on=relationship.started_on,
                left_on=relationship.ended_on,
                records=tuple(_events_of(adult, on)),
            )
        )
    return indicators.History(
        date_of_birth=person.date_of_birth,
        events=tuple(_events_of(person, on)),
        household=tuple(adults),
    )


def plan_for(person: Person, *, on: dt.date) -> tuple[Plan | None, dt.date | None]:
    """What ``person`` is open to social care for on ``on``, and since when."""
    periods = StatusPeriod.objects.filter(person=person, started_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=on)
    )
    by_kind = {period.kind: period.started_on for period in periods.order_by("started_on")}
    for kind, plan in _PLAN_ORDER:
        if kind in by_kind:
            return plan, by_kind[kind]
    assessment = (
        DecisionPoint.objects.open()
        .filter(child=person, step=DecisionStep.ASSESSMENT.value, started_on__lte=on)
        .order_by("started_on")
        .first()
    )
    if assessment is not None:
        return Plan.ASSESSMENT, assessment.started_on
    return None, None


# --- evidence, as one viewer may see it ----------------------------------------------

# An event about someone else that only mentions the child (or a household adult's record):
# its summary belongs to that person's record and is never shown here.
OTHER_PERSON_SUMMARY = "Recorded about another member of the household."


def withheld_fact(agencies: Iterable[str]) -> str:
    """What a viewer who may not see a challenge's fact (about a household adult) reads
    instead: that it rests on information they may not see, and whom to ask. With the
    challenge's title, the safeguarding point still reaches them."""
    names = " and ".join(sorted(set(agencies))) or "another agency"
    return (
        f"Based on information from {names} that you may not see. "
        f"Ask {names} if you need to know more."
    )


@dataclass(frozen=True)
class EvidenceRow:
    """One chronology event shown as evidence, already redacted for one viewer.

    Built only by ``evidence_rows``. ``summary`` and ``practitioner`` are what the viewer's
    chronology shows of the event (the withheld-section text, the withheld referrer);
    ``withheld_section`` names the section whose detail was withheld, else "".
    """

    event_id: int
    occurred_at: dt.datetime
    agency: str
    agency_code: str
    category: str
    category_code: str
    summary: str
    practitioner: str
    about_child: bool
    withheld_section: str


class _Reader:
    """One viewer's record views: of the child, and of each other person evidence is about
    (a household adult), each read once."""

    def __init__(self, viewer: User, child: Person) -> None:
        self.viewer = viewer
        self.child = child
        self._views: dict[int, Redaction] = {child.pk: redaction_for(viewer, child)}

    def view_of(self, person_id: int) -> Redaction:
        view = self._views.get(person_id)
        if view is None:
            person = Person.objects.get(pk=person_id)
            view = self._views[person_id] = redaction_for(self.viewer, person)
        return view

    def fact(self, stored: object, sources: Mapping[int, ChronologyEvent]) -> tuple[str, bool]:
        """A stored fact's text, or the withheld phrase (and True) when the viewer may not
        see the detail of an event it rests on, as that event's person's record view
        says. A fact whose events cannot all be found is withheld: it fails closed."""
        if not isinstance(stored, Mapping) or not stored.get("events"):
            return withheld_fact(()), True
        events = [sources.get(pk) for pk in stored["events"]]
        found = [event for event in events if event is not None]
        if len(found) < len(events):
            return withheld_fact(event.agency.name for event in found), True
        withheld = [
            event
            for event in found
            if self.view_of(event.person_id).withholds(event.category.code) is not None
        ]
        if withheld:
            return withheld_fact(event.agency.name for event in withheld), True
        return str(stored.get("text", "")), False

    def challenge(
        self, challenge: Challenge, sources: Mapping[int, ChronologyEvent]
    ) -> "ChallengeRow":
        facts = [self.fact(stored, sources) for stored in challenge.facts]
        texts = tuple(dict.fromkeys(text for text, _ in facts))
        # The explanation of a finding with facts is those facts joined (``challenges.
        # Finding``): with one withheld, it is rebuilt from what this viewer may see.
        withheld = any(hidden for _, hidden in facts)
        return ChallengeRow(
            pk=challenge.pk,
            title=challenge.title,
            question=challenge.question,
            explanation=" ".join(texts) if withheld else challenge.explanation,
            facts=texts,
            facts_withheld=withheld,
            evidence=tuple(self.row(event) for event in challenge.evidence.all()),
            rule_code=challenge.rule_code,
            rule_version=challenge.rule_version,
            status=challenge.status,
            status_label=challenge.get_status_display(),
            rationale=challenge.rationale,
            rationale_by=str(challenge.rationale_by or ""),
            rationale_by_id=challenge.rationale_by_id,
            rationale_at=challenge.rationale_at,
            signed_off_by=str(challenge.signed_off_by or ""),
            signed_off_at=challenge.signed_off_at,
            return_comments=challenge.return_comments,
        )

    def row(self, event: ChronologyEvent) -> EvidenceRow:
        about_child = event.person_id == self.child.pk
        seen = redact_event(event, self.view_of(event.person_id))
        if about_child:
            summary, practitioner = seen.summary, seen.practitioner
        else:
            summary = seen.summary if seen.withheld_section else OTHER_PERSON_SUMMARY
            practitioner = ""
        return EvidenceRow(
            event_id=event.pk,
            occurred_at=event.occurred_at,
            agency=event.agency.name,
            agency_code=event.agency.code,
            category=event.category.label,
            category_code=event.category.code,
            summary=summary,
            practitioner=practitioner,
            about_child=about_child,
            withheld_section=seen.withheld_section,
        )


def evidence_rows(
    viewer: User, child: Person, events: Iterable[ChronologyEvent]
) -> tuple[EvidenceRow, ...]:
    """``events`` as ``viewer`` may see them on a page about ``child``, in the given order.

    The one place evidence is turned into what a page shows: an event about the child is
    redacted by the viewer's record view of the child (need to know by section, the
    referrer's identity), exactly as their chronology is; an event about someone else shows
    its withheld-section text when that person's record view withholds it, otherwise only
    that it was recorded about another member of the household. ``child`` comes from
    ``access_person`` in this request; the events' agency and category must be loaded.
    """
    reader = _Reader(viewer, child)
    return tuple(reader.row(event) for event in events)


@dataclass(frozen=True)
class ChallengeRow:
    """A challenge as one viewer may see it (``challenge_rows``): its words, its facts and
    evidence redacted, and where it stands.

    Title and question are the rule's words and always shown: that a challenge was raised
    reaches every viewer of the decision. A fact about another person the viewer may not
    see is replaced by ``withheld_fact`` (naming the agency to ask), and so is the part
    of the explanation made of it (``facts_withheld``).
    """

    pk: int
    title: str
    question: str
    explanation: str
    facts: tuple[str, ...]
    facts_withheld: bool
    evidence: tuple[EvidenceRow, ...]
    rule_code: str
    rule_version: str
    status: str
    status_label: str
    rationale: str
    rationale_by: str
    rationale_by_id: int | None
    rationale_at: dt.datetime | None
    signed_off_by: str
    signed_off_at: dt.datetime | None
    return_comments: str


def _evidence_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "evidence",
        queryset=ChronologyEvent.objects.select_related("agency", "category").order_by(
            "occurred_at", "id"
        ),
    )


def challenge_rows(viewer: User, child: Person, decision: Decision) -> tuple[ChallengeRow, ...]:
    """The challenges to ``decision`` as ``viewer`` may see them, evidence redacted by
    ``evidence_rows``. ``child`` is the decision's child, from ``access_person``."""
    if decision.child_id != child.pk:
        raise ValueError("the decision is not about this child")
    reader = _Reader(viewer, child)
    found = list(
        Challenge.objects.filter(decision=decision)
        .select_related("rationale_by", "signed_off_by")
        .prefetch_related(_evidence_prefetch())
        .order_by("id")
    )
    sources = ChronologyEvent.objects.filter(pk__in=_fact_event_ids(found)).select_related(
        "agency", "category"
    )
    by_id = {event.pk: event for event in sources}
    return tuple(reader.challenge(challenge, by_id) for challenge in found)


def people_in_evidence(decision: Decision) -> list[str]:
    """The public ids of the people other than the child that the challenges to
    ``decision`` hold facts or evidence about: the audit row of the page that shows them
    names them (what each viewer saw of them is decided by ``challenge_rows``)."""
    through = Challenge.evidence.through
    ids = set(
        through.objects.filter(challenge__decision=decision).values_list(
            "chronologyevent__person_id", flat=True
        )
    )
    for facts in Challenge.objects.filter(decision=decision).values_list("facts", flat=True):
        for fact in facts or ():
            if isinstance(fact, Mapping) and isinstance(fact.get("person"), int):
                ids.add(fact["person"])
    ids.discard(decision.child_id)
    found = Person.objects.filter(pk__in=ids).values_list("public_id", flat=True)
    return sorted(str(public_id) for public_id in found)


def _fact_event_ids(found: Iterable[Challenge]) -> set[int]:
    ids: set[int] = set()
    for challenge in found:
        for fact in challenge.facts:
            if isinstance(fact, Mapping):
                ids.update(pk for pk in fact.get("events") or () if isinstance(pk, int))
    return ids


# --- the child's page -----------------------------------------------------------------


@dataclass(frozen=True)
class PointRow:
    point: DecisionPoint
    state: str  # overdue, due_soon, later
    working_days_left: int


def point_state(point: DecisionPoint, today: dt.date, closures: frozenset[dt.date]) -> PointRow:
    left = calendars.working_days_between(today, point.due_on, closures)
    if point.due_on < today:
        state = "overdue"
    elif left <= DUE_SOON_WORKING_DAYS:
        state = "due_soon"
    else:
        state = "later"
    return PointRow(point, state, left)


DUE_SOON_WORKING_DAYS = 5


def child_panel(person: Person, *, today: dt.date | None = None) -> dict[str, Any]:
    """Template context for ``assessments/_child_panel.html``."""
    today = today or timezone.localdate()
    closures = local_closures()
    points = DecisionPoint.objects.open().filter(child=person).select_related("responsible")
    decisions = (
        Decision.objects.filter(child=person)
        .select_related("made_by")
        .prefetch_related("challenges")
        .order_by("-decided_on", "-id")[:5]
    )
    profile = indicators.profile(history_for(person, on=today), on=today)
    return {
        "person": person,
        "points": [point_state(p, today, closures) for p in points],
        "decisions": list(decisions),
        "open_challenges": Challenge.objects.filter(
            decision__child=person,
            status__in=[ChallengeStatus.OPEN, ChallengeStatus.RATIONALE_RECORDED],
        ).count(),
        "indicators": [i for i in profile.indicators if i.year],
        "seen_alone": profile.seen_alone,
        "latest_assessment": Assessment.objects.filter(child=person).order_by("-id").first(),
    }


# --- dashboards ---------------------------------------------------------------------------


@dataclass
class WorkerRow:
    worker: User
    rows: list[PointRow] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.state == "overdue")

    @property
    def due_soon(self) -> int:
        return sum(1 for r in self.rows if r.state == "due_soon")


@dataclass
class TeamRow:
    name: str
    workers: list[WorkerRow] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(w.overdue for w in self.workers)

    @property
    def due_soon(self) -> int:
        return sum(w.due_soon for w in self.workers)

    @property
    def total(self) -> int:
        return sum(len(w.rows) for w in self.workers)


def open_points(user: User) -> QuerySet[DecisionPoint]:
    """Open steps for the children ``user`` may see."""
    return (
        DecisionPoint.objects.open()
        .filter(child__in=visible_to(user))
        .select_related("child", "responsible", "team")
        .order_by("due_on", "id")
    )


def due_by_team(user: User, *, today: dt.date | None = None) -> list[TeamRow]:
    """Open steps grouped by team and by responsible worker, overdue first."""
    today = today or timezone.localdate()
    closures = local_closures()
    teams: dict[str, dict[int, WorkerRow]] = defaultdict(dict)
    for point in open_points(user):
        team = point.team.name if point.team else "No team"
        worker = teams[team].setdefault(point.responsible_id, WorkerRow(point.responsible))
        worker.rows.append(point_state(point, today, closures))
    result = []
    for name in sorted(teams):
        workers = sorted(teams[name].values(), key=lambda w: (-w.overdue, str(w.worker)))
        result.append(TeamRow(name, workers))
    return result


@dataclass(frozen=True)
class OverrideRow:
    team: str
    raised: int
    open: int
    awaiting_sign_off: int
    changed: int
    overridden: int

    @property
    def override_share(self) -> float:
        resolved = self.changed + self.overridden
        return self.overridden / resolved if resolved else 0.0


def overrides_by_team(challenges_qs: QuerySet[Challenge]) -> list[OverrideRow]:
    """Challenges raised per team of the decision maker, and how each was resolved."""
    rows = (
        challenges_qs.values("decision__team__name")
        .annotate(
            raised=Count("id"),
            open=Count("id", filter=Q(status=ChallengeStatus.OPEN)),
            awaiting=Count("id", filter=Q(status=ChallengeStatus.RATIONALE_RECORDED)),
            changed=Count("id", filter=Q(status=ChallengeStatus.DECISION_CHANGED)),
            overridden=Count("id", filter=Q(status=ChallengeStatus.OVERRIDDEN)),
        )
        .order_by("decision__team__name")
    )
    return [
        OverrideRow(
            team=row["decision__team__name"] or "No team",
            raised=row["raised"],
            open=row["open"],
            awaiting_sign_off=row["awaiting"],
            changed=row["changed"],
            overridden=row["overridden"],
        )
        for row in rows
    ]


def overrides_by_rule(challenges_qs: QuerySet[Challenge]) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in challenges_qs.values("rule_code", "title")
        .annotate(
            raised=Count("id"),
            overridden=Count("id", filter=Q(status=ChallengeStatus.OVERRIDDEN)),
            changed=Count("id", filter=Q(status=ChallengeStatus.DECISION_CHANGED)),
        )
        .order_by("rule_code", "title")
    ]


def assessments_awaiting(user: User) -> QuerySet[Assessment]:
    return Assessment.objects.filter(
        status=AssessmentStatus.SUBMITTED, child__in=visible_to(user)
    ).exclude(author=user)


def open_points_of(person: Person) -> QuerySet[DecisionPoint]:
    return DecisionPoint.objects.filter(child=person, status=PointStatus.OPEN)


@dataclass(frozen=True)
class RuleChange:
    """One published version that changed one rule: when, by whom, what and why."""

    version: str
    at: dt.datetime
    by: User
    changes: tuple[str, ...]
    note: str


def rule_history(code: str) -> list[RuleChange]:
    """The published versions that changed rule ``code`` (switched it, or changed a
    threshold), newest first, each compared with the version before it (the first
    with the rules shipped with Sightline)."""

    def settings_of(rule_set: RuleSet) -> dict[str, str] | None:
        try:
            rule = rule_set.rule(code)
        except KeyError:
            return None
        found = {"Switched": "on" if rule.active else "off"}
        found.update({f"{t.label} ({t.unit})": str(t.value) for t in thresholds(rule)})
        return found

    before = settings_of(challenges.SHIPPED)
    history = []
    for published in ChallengeRuleSet.objects.select_related("published_by").order_by(
        "published_at", "id"
    ):
        after = settings_of(challenges.rule_set_from_data(published.rules))
        if after is not None and after != before:
            changes = tuple(
                f"{name}: {(before or {}).get(name, 'not set')} to {value}"
                for name, value in after.items()
                if (before or {}).get(name) != value
            )
            history.append(
                RuleChange(
                    published.version,
                    published.published_at,
                    published.published_by,
                    changes,
                    published.note,
                )
            )
        before = after
    return history[::-1]
