"""The child's case as the Case part shows it and the steps read it: current rows only,
read in a fixed number of queries (``case_of``), with codes beside their labels; and who
may record its steps (``may_record_case``)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from sightline.accounts.models import Role, User
from sightline.agencies.models import AgencyKind
from sightline.audit.actions import Origin
from sightline.cases import models as case_models
from sightline.people.models import Person
from sightline.record.access import Record
from sightline.returns import codes

RECORDING_ROLES = frozenset({Role.PRACTITIONER, Role.TEAM_MANAGER, Role.SAFEGUARDING_LEAD})


# -- reading the case -------------------------------------------------------------------


@dataclass(frozen=True)
class Coded:
    """A code of the national returns with its plain-English label."""

    code: str
    label: str

    @classmethod
    def of(cls, code_list: Any, code: str) -> "Coded | None":
        return cls(code, codes.label(code_list, code)) if code else None

    def __str__(self) -> str:
        return self.label


@dataclass
class Case:
    """A child's case, current rows only (corrections and withdrawals left out)."""

    episodes: list[case_models.EpisodeOfNeed] = field(default_factory=list)
    plans: list[case_models.ChildProtectionPlan] = field(default_factory=list)
    looked_after: list[case_models.LookedAfterEpisode] = field(default_factory=list)
    allocations: list[case_models.Allocation] = field(default_factory=list)

    @property
    def open_episode(self) -> case_models.EpisodeOfNeed | None:
        return next((e for e in self.episodes if e.closure_date is None), None)

    @property
    def open_plan(self) -> case_models.ChildProtectionPlan | None:
        return next((p for p in self.plans if p.end_date is None), None)

    @property
    def open_looked_after(self) -> case_models.LookedAfterEpisode | None:
        return next((e for e in self.looked_after if e.dec is None), None)

    @property
    def current_allocations(self) -> list[case_models.Allocation]:
        return [a for a in self.allocations if a.end_date is None]

    @property
    def holding_agency_id(self) -> int | None:
        """The agency that holds the case now: of the open episode, plan or looked-after
        episode, the earliest recorded; None if nothing is open."""
        for row in (self.open_episode, self.open_plan, self.open_looked_after):
            if row is not None:
                return int(row.recording_agency_id)
        return None

    @property
    def latest_strategy(self) -> case_models.StrategyDiscussion | None:
        episode = self.open_episode
        found = list(episode.strategy_discussions.all()) if episode else []
        return found[0] if found else None

    @property
    def latest_section47(self) -> case_models.Section47 | None:
        episode = self.open_episode
        found = list(episode.section47s.all()) if episode else []
        return found[0] if found else None


def _current(model: Any) -> Any:
    return model.objects.current()


def case_of(person: Person) -> Case:
    """The child's case in seven queries, whatever its length: episodes with their
    parts, plans with reviews and core group, looked-after episodes, allocations."""
    episodes = list(
        _current(case_models.EpisodeOfNeed)
        .filter(child=person)
        .select_related("recording_agency")
        .prefetch_related(
            Prefetch("assessments", queryset=_current(case_models.CINAssessment)),
            Prefetch("cin_plans", queryset=_current(case_models.CINPlan)),
            Prefetch("strategy_discussions", queryset=_current(case_models.StrategyDiscussion)),
            Prefetch("section47s", queryset=_current(case_models.Section47)),
            Prefetch("conferences", queryset=_current(case_models.ChildProtectionConference)),
        )
    )
    plans = list(
        _current(case_models.ChildProtectionPlan)
        .filter(child=person)
        .select_related("recording_agency")
        .prefetch_related(
            Prefetch("reviews", queryset=_current(case_models.ChildProtectionReview)),
            Prefetch(
                "core_group",
                queryset=_current(case_models.CoreGroupMember).select_related(
                    "person", "agency", "practitioner", "practitioner__agency"
                ),
            ),
        )
    )
    looked_after = list(
        _current(case_models.LookedAfterEpisode)
        .filter(child=person)
        .select_related("recording_agency")
    )
    allocations = list(
        _current(case_models.Allocation)
        .filter(child=person)
        .select_related("worker", "team", "worker__team")
    )
    return Case(episodes=episodes, plans=plans, looked_after=looked_after, allocations=allocations)


@dataclass(frozen=True)
class EpisodeView:
    episode: case_models.EpisodeOfNeed
    source: Coded | None
    primary_need: Coded | None
    closure_reason: Coded | None
    assessments: list[tuple[case_models.CINAssessment, list[Coded]]]
    events: list[tuple[dt.date, str, str]]  # date, what, outcome


@dataclass(frozen=True)
class PlanView:
    plan: case_models.ChildProtectionPlan
    initial_category: Coded | None
    latest_category: Coded | None
    reviews: list[case_models.ChildProtectionReview]
    core_group: list[tuple[str, str]]  # who, since
    next_review: dt.date | None


@dataclass(frozen=True)
class LookedAfterView:
    episode: case_models.LookedAfterEpisode
    reason_new: Coded | None
    legal_status: Coded | None
    category_of_need: Coded | None
    placement: Coded | None
    provider: Coded | None
    reason_ended: Coded | None


def _enquiry_outcome(enquiry: case_models.Section47) -> str:
    if enquiry.icpc_not_required:
        return "Initial conference not needed"
    if enquiry.date_of_initial_cpc:
        return f"Initial conference held {long_date(enquiry.date_of_initial_cpc)}"
    if enquiry.initial_cpc_target:
        return f"Initial conference due by {long_date(enquiry.initial_cpc_target)}"
    return ""


def episode_view(episode: case_models.EpisodeOfNeed) -> EpisodeView:
    events: list[tuple[dt.date, str, str]] = [
        (cin_plan.start_date, "Child in need plan started", _until(cin_plan.end_date))
        for cin_plan in episode.cin_plans.all()
    ]
    events += [
        (discussion.date, "Strategy discussion", discussion.get_outcome_display())
        for discussion in episode.strategy_discussions.all()
    ]
    events += [
        (enquiry.start_date, "Section 47 enquiry started", _enquiry_outcome(enquiry))
        for enquiry in episode.section47s.all()
    ]
    events += [
        (conference.date, conference.get_kind_display(), conference.get_outcome_display())
        for conference in episode.conferences.all()
    ]
    events.sort(key=lambda row: row[0], reverse=True)
    return EpisodeView(
        episode=episode,
        source=Coded.of(codes.REFERRAL_SOURCE, episode.referral_source),
        primary_need=Coded.of(codes.PRIMARY_NEED, episode.primary_need),
        closure_reason=Coded.of(codes.CLOSURE_REASON, episode.closure_reason),
        assessments=[
            (
                assessment,
                [
                    Coded(code, codes.label(codes.ASSESSMENT_FACTOR, code))
                    for code in assessment.factors
                ],
            )
            for assessment in episode.assessments.all()
        ],
        events=events,
    )


def long_date(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def _until(day: dt.date | None) -> str:
    return f"Ended {long_date(day)}" if day else "Open"


def _member_name(member: case_models.CoreGroupMember) -> str:
    if member.practitioner is not None:
        who = member.practitioner.get_full_name() or member.practitioner.username
        agency = member.practitioner.agency.name if member.practitioner.agency else ""
        return f"{who} ({agency})" if agency else who
    if member.person is not None:
        return member.person.full_name or "Name not known"
    return member.agency.name if member.agency else ""


def plan_view(plan: case_models.ChildProtectionPlan) -> PlanView:
    reviews = list(plan.reviews.all())
    members = [m for m in plan.core_group.all() if m.ended_on is None]
    if plan.end_date is None:
        # The first review within three months of the plan, then every six months.
        last = reviews[-1].review_date if reviews else None
        next_review = _add_months(last, 6) if last else _add_months(plan.start_date, 3)
    else:
        next_review = None
    return PlanView(
        plan=plan,
        initial_category=Coded.of(codes.CP_CATEGORY, plan.initial_category),
        latest_category=Coded.of(codes.CP_CATEGORY, plan.latest_category),
        reviews=reviews,
        core_group=[
            (_member_name(m) + (" (proposed)" if m.proposed else ""), long_date(m.started_on))
            for m in members
        ],
        next_review=next_review,
    )


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last_day in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 always exists


def looked_after_view(episode: case_models.LookedAfterEpisode) -> LookedAfterView:
    return LookedAfterView(
        episode=episode,
        reason_new=Coded.of(codes.REASON_NEW_EPISODE, episode.rne),
        legal_status=Coded.of(codes.LEGAL_STATUS, episode.ls),
        category_of_need=Coded.of(codes.PRIMARY_NEED, episode.cin),
        placement=Coded.of(codes.PLACEMENT, episode.place),
        provider=Coded.of(codes.PLACEMENT_PROVIDER, episode.place_provider),
        reason_ended=Coded.of(codes.REASON_EPISODE_CEASED, episode.rec),
    )


def may_record_case(user: User, record: Record, case: Case) -> bool:
    """Social care's practitioners and managers who may see the record record its case
    steps; when an agency holds the case, only that agency's."""
    agency = user.agency
    if not (
        user.is_active and agency is not None and agency.kind == AgencyKind.CHILDRENS_SOCIAL_CARE
    ):
        return False
    if user.role not in RECORDING_ROLES or not record.standing.allowed:
        return False
    holding = case.holding_agency_id
    return holding is None or holding == agency.pk


@dataclass(frozen=True)
class StepContext:
    actor: User
    origin: Origin
    person: Person
    case: Case
