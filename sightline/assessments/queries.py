"""Reads for decisions, challenges and assessments.

Callers pass a person they obtained through ``record.access.open_record`` (or lists
built on ``record.queries.visible_to``); nothing here checks access.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
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
from sightline.assessments.workflow import DecisionStep
from sightline.challenges import Plan, RuleSet
from sightline.chronology.models import ChronologyEvent
from sightline.deadlines.queries import local_closures
from sightline.people.models import Person, Relationship, StatusKind, StatusPeriod
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
