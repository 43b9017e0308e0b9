"""Reading the case: one child's case summary, counts for the dashboards and statistics.

``case_summary`` takes a record already opened through ``record.access.open_record``
(decided and audited by the caller): the case is part of the child's record and is read
only through it. The counts read no child's record: they are numbers per team and worker.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from sightline.assessments.models import DecisionPoint
from sightline.cases.models import (
    CASE_MODELS,
    Allocation,
    CaseRecord,
    ChildProtectionConference,
    ChildProtectionPlan,
    ChildProtectionReview,
    CINAssessment,
    CINPlan,
    CoreGroupMember,
    EpisodeOfNeed,
    LookedAfterEpisode,
    LookedAfterReview,
    MissingEpisode,
    Section47,
    StrategyDiscussion,
)
from sightline.people.models import Person, Relationship
from sightline.record.access import Record


@dataclass(frozen=True)
class CaseSummary:
    """The current case of one child, newest first in each list, and its history."""

    child: Person
    episodes: list[EpisodeOfNeed]
    assessments: list[CINAssessment]
    cin_plans: list[CINPlan]
    strategy_discussions: list[StrategyDiscussion]
    section47s: list[Section47]
    conferences: list[ChildProtectionConference]
    plans: list[ChildProtectionPlan]
    reviews: list[ChildProtectionReview]
    core_group: list[CoreGroupMember]
    looked_after_episodes: list[LookedAfterEpisode]
    looked_after_reviews: list[LookedAfterReview]
    missing_episodes: list[MissingEpisode]
    allocations: list[Allocation]
    family: list[Relationship]
    # Open steps on the statutory clock (decision points), soonest due first.
    deadlines: list[DecisionPoint]
    # Rows corrected (superseded) or withdrawn, newest first.
    history: list[CaseRecord] = field(default_factory=list)

    @property
    def episode(self) -> EpisodeOfNeed | None:
        """The open episode of need."""
        return next((e for e in self.episodes if e.closure_date is None), None)

    @property
    def plan(self) -> ChildProtectionPlan | None:
        """The open child protection plan."""
        return next((p for p in self.plans if p.end_date is None), None)

    @property
    def looked_after(self) -> LookedAfterEpisode | None:
        """The open looked-after episode."""
        return next((e for e in self.looked_after_episodes if e.dec is None), None)

    @property
    def current_allocations(self) -> list[Allocation]:
        return [a for a in self.allocations if a.end_date is None]


def _current(queryset: Any, *related: str) -> list[Any]:
    """The current rows of a case queryset (``CaseQuerySet.current``)."""
    return list(queryset.current().select_related("recording_agency", *related))


# What a reader from another agency than the one that recorded a looked-after episode
# does not see of it: where the child lives and is placed (docs/cases.md, "Who sees what").
PLACEMENT_LOCATION = ("home_post", "pl_post", "urn")


def case_summary(record: Record) -> CaseSummary:
    """The case of the child whose record ``record`` is (opened by the caller), as its
    reader may see it: a looked-after episode's location (``PLACEMENT_LOCATION``) only
    for readers of the agency that recorded it; the rest as the chronology shares it."""
    summary = case_of(record.person)
    agency_id = record.user.agency_id
    for episode in _all_looked_after(summary):
        if episode.recording_agency_id != agency_id:
            _withhold_location(episode)
    return summary


def _all_looked_after(summary: CaseSummary) -> Iterable[LookedAfterEpisode]:
    yield from summary.looked_after_episodes
    yield from (row for row in summary.history if isinstance(row, LookedAfterEpisode))


def _withhold_location(episode: LookedAfterEpisode) -> None:
    """Blank the location on this reader's copy of the row (loaded for this read only;
    the actions never save a row read here: they read their own under a lock)."""
    for name in PLACEMENT_LOCATION:
        setattr(episode, name, "")
    episode.location_withheld = True  # type: ignore[attr-defined]


def case_of(child: Person) -> CaseSummary:
    """The whole case, unredacted, for code that shows it to no reader (tests, the
    returns' round trip). Pages and endpoints open the record and call ``case_summary``."""
    plans = _current(ChildProtectionPlan.objects.filter(child=child), "episode")
    plan_ids = [p.pk for p in plans]
    history: list[CaseRecord] = []
    for model in CASE_MODELS:
        rows = model.objects.filter(
            Q(superseded_by__isnull=False) | Q(withdrawn_at__isnull=False)
        ).select_related("recording_agency", "superseded_by__recorded_by", "withdrawn_by")
        if model in (ChildProtectionReview, CoreGroupMember):
            rows = rows.filter(plan__child=child)
        else:
            rows = rows.filter(child=child)
        history.extend(rows)
    history.sort(key=lambda row: (row.recorded_at, row.pk), reverse=True)
    return CaseSummary(
        child=child,
        episodes=_current(EpisodeOfNeed.objects.filter(child=child)),
        assessments=_current(CINAssessment.objects.filter(child=child), "authorised_by"),
        cin_plans=_current(CINPlan.objects.filter(child=child)),
        strategy_discussions=_current(StrategyDiscussion.objects.filter(child=child)),
        section47s=_current(Section47.objects.filter(child=child)),
        conferences=_current(ChildProtectionConference.objects.filter(child=child), "plan"),
        plans=plans,
        reviews=_current(ChildProtectionReview.objects.filter(plan_id__in=plan_ids), "plan"),
        core_group=_current(
            CoreGroupMember.objects.filter(plan_id__in=plan_ids, ended_on__isnull=True),
            "person",
            "agency",
            "practitioner",
            "practitioner__agency",
            "plan",
        ),
        looked_after_episodes=_current(LookedAfterEpisode.objects.filter(child=child)),
        looked_after_reviews=_current(LookedAfterReview.objects.filter(child=child)),
        missing_episodes=_current(MissingEpisode.objects.filter(child=child)),
        allocations=_current(
            Allocation.objects.filter(child=child), "worker", "team", "worker__team"
        ),
        family=list(
            Relationship.objects.filter(Q(person=child) | Q(relative=child))
            .select_related("person", "relative")
            .order_by("started_on", "pk")
        ),
        deadlines=list(
            DecisionPoint.objects.open().filter(child=child).select_related("responsible")
        ),
        history=history,
    )


# -- counts ------------------------------------------------------------------------------


def _open_on(day: dt.date, start: str, end: str) -> Q:
    return Q(**{f"{start}__lte": day}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": day}))


def children_on_a_plan(on: dt.date) -> QuerySet[ChildProtectionPlan]:
    return ChildProtectionPlan.objects.current().filter(_open_on(on, "start_date", "end_date"))


def children_looked_after(on: dt.date) -> QuerySet[LookedAfterEpisode]:
    return LookedAfterEpisode.objects.current().filter(_open_on(on, "decom", "dec"))


@dataclass(frozen=True)
class Caseload:
    """Children on a plan and looked after, allocated to one worker of one team."""

    team_id: int | None
    team: str
    worker_id: int | None
    worker: str
    on_a_plan: int
    looked_after: int


def caseloads(*, on: dt.date, team_ids: Iterable[int] | None = None) -> list[Caseload]:
    """Per allocated worker (and team), how many of their children are on a plan or
    looked after on ``on``; children not allocated count under no worker and no team."""
    on_plan = set(children_on_a_plan(on).values_list("child_id", flat=True))
    in_care = set(children_looked_after(on).values_list("child_id", flat=True))
    allocations = (
        Allocation.objects.current()
        .filter(_open_on(on, "start_date", "end_date"), child_id__in=on_plan | in_care)
        .select_related("worker", "team")
    )
    if team_ids is not None:
        allocations = allocations.filter(team_id__in=list(team_ids))
    by_key: dict[tuple[int | None, int | None], list[int]] = {}
    names: dict[tuple[int | None, int | None], tuple[str, str]] = {}
    allocated: set[int] = set()
    for allocation in allocations:
        key = (allocation.team_id, allocation.worker_id)
        by_key.setdefault(key, []).append(allocation.child_id)
        worker = allocation.worker
        names[key] = (
            allocation.team.name if allocation.team else "",
            (worker.get_full_name() or worker.username) if worker else "",
        )
        allocated.add(allocation.child_id)
    if team_ids is None:
        unallocated = sorted((on_plan | in_care) - allocated)
        if unallocated:
            by_key[(None, None)] = unallocated
            names[(None, None)] = ("", "")
    rows = [
        Caseload(
            team_id=key[0],
            team=names[key][0],
            worker_id=key[1],
            worker=names[key][1],
            on_a_plan=len(set(children) & on_plan),
            looked_after=len(set(children) & in_care),
        )
        for key, children in by_key.items()
    ]
    return sorted(rows, key=lambda row: (row.team == "", row.team, row.worker == "", row.worker))


def collection_year_start(day: dt.date) -> dt.date:
    """1 April of the collection year (1 April to 31 March, named by its end year) that
    ``day`` falls in."""
    return dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def statistics(*, as_of: dt.date) -> dict[str, object]:
    """The case's figures for ``sightline stats --as-of``: children in need (an open
    episode of need), plans by latest category, looked-after children by legal status and
    by placement, all on ``as_of``; and plans started in its collection year to date."""
    cin_open = (
        EpisodeOfNeed.objects.current()
        .filter(_open_on(as_of, "referral_date", "closure_date"))
        .values("child_id")
        .distinct()
        .count()
    )
    plans = Counter(children_on_a_plan(as_of).values_list("latest_category", flat=True))
    in_care = list(children_looked_after(as_of).values_list("ls", "place"))
    started = (
        ChildProtectionPlan.objects.current()
        .filter(start_date__gte=collection_year_start(as_of), start_date__lte=as_of)
        .count()
    )
    return {
        "cin_open": cin_open,
        "cp_plans": dict(sorted(plans.items())),
        "looked_after": {
            "total": len(in_care),
            "by_legal_status": dict(sorted(Counter(ls for ls, _ in in_care).items())),
            "by_placement": dict(sorted(Counter(place for _, place in in_care).items())),
        },
        "cp_plans_started": started,
    }
