"""The child's case as the Case part shows it and the steps read it: current rows only,
read once through the case's one read (``case_of`` over ``cases.queries.case_summary``),
with codes beside their labels; and who
may record its steps (``may_record_case``)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.dates import MONTHS

from sightline.accounts.models import Role, User
from sightline.agencies.models import AgencyKind
from sightline.audit.actions import Origin
from sightline.cases import models as case_models
from sightline.cases.queries import case_summary
from sightline.people.models import Person, Relationship, RelationshipKind
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
    """A child's case, current rows only (corrections and withdrawals left out): the
    episodes, plans, looked-after episodes and allocations, and the rows within episodes
    and plans grouped by the id of the row they belong to."""

    episodes: list[case_models.EpisodeOfNeed] = field(default_factory=list)
    plans: list[case_models.ChildProtectionPlan] = field(default_factory=list)
    looked_after: list[case_models.LookedAfterEpisode] = field(default_factory=list)
    allocations: list[case_models.Allocation] = field(default_factory=list)
    assessments: dict[int, list[case_models.CINAssessment]] = field(default_factory=dict)
    cin_plans: dict[int, list[case_models.CINPlan]] = field(default_factory=dict)
    strategy_discussions: dict[int, list[case_models.StrategyDiscussion]] = field(
        default_factory=dict
    )
    section47s: dict[int, list[case_models.Section47]] = field(default_factory=dict)
    conferences: dict[int, list[case_models.ChildProtectionConference]] = field(
        default_factory=dict
    )
    reviews: dict[int, list[case_models.ChildProtectionReview]] = field(default_factory=dict)
    core_group: dict[int, list[case_models.CoreGroupMember]] = field(default_factory=dict)
    looked_after_reviews: list[case_models.LookedAfterReview] = field(default_factory=list)
    missing_episodes: list[case_models.MissingEpisode] = field(default_factory=list)
    # Rows corrected (superseded) or withdrawn, newest first.
    history: list[case_models.CaseRecord] = field(default_factory=list)
    family: list[Relationship] = field(default_factory=list)

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
    def open_cin_plan(self) -> case_models.CINPlan | None:
        episode = self.open_episode
        found = self.cin_plans.get(episode.pk, []) if episode else []
        return next((p for p in found if p.end_date is None), None)

    @property
    def open_missing(self) -> case_models.MissingEpisode | None:
        """The missing or away episode the child has not yet come back from."""
        return next((m for m in self.missing_episodes if m.mis_end is None), None)

    @property
    def looked_after_since(self) -> dt.date | None:
        """The start of the child's current period of care (its first episode's start)."""
        if self.open_looked_after is None:
            return None
        day = self.open_looked_after.decom
        for episode in self.looked_after:  # newest first: walk back while they join up
            if episode.dec is not None and episode.dec == day and episode.rec == "X1":
                day = episode.decom
        return day

    @property
    def holding_agency_id(self) -> int | None:
        """The agency that holds the case now: of the open episode, plan or looked-after
        episode; None if nothing is open."""
        for row in (self.open_episode, self.open_plan, self.open_looked_after):
            if row is not None:
                return int(row.recording_agency_id)
        return None

    @property
    def latest_strategy(self) -> case_models.StrategyDiscussion | None:
        episode = self.open_episode
        found = self.strategy_discussions.get(episode.pk, []) if episode else []
        return found[0] if found else None

    @property
    def latest_section47(self) -> case_models.Section47 | None:
        episode = self.open_episode
        found = self.section47s.get(episode.pk, []) if episode else []
        return found[0] if found else None


def _grouped(rows: Iterable[Any], key: str) -> dict[int, list[Any]]:
    """Rows by the id in ``key``, in the order given (each model's newest first)."""
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def case_of(record: Record) -> Case:
    """The child's case as the Case part shows it: the one read of a case
    (``cases.queries.case_summary``, current rows only) with the rows within episodes and
    plans grouped by the episode or plan they belong to."""
    summary = case_summary(record)
    return Case(
        episodes=summary.episodes,
        plans=summary.plans,
        looked_after=summary.looked_after_episodes,
        allocations=summary.allocations,
        assessments=_grouped(summary.assessments, "episode_id"),
        cin_plans=_grouped(summary.cin_plans, "episode_id"),
        strategy_discussions=_grouped(summary.strategy_discussions, "episode_id"),
        section47s=_grouped(summary.section47s, "episode_id"),
        conferences=_grouped(summary.conferences, "episode_id"),
        reviews=_grouped(summary.reviews, "plan_id"),
        core_group=_grouped(summary.core_group, "plan_id"),
        looked_after_reviews=summary.looked_after_reviews,
        missing_episodes=summary.missing_episodes,
        history=summary.history,
        family=summary.family,
    )


@dataclass(frozen=True)
class AssessmentView:
    started: str
    authorised: str
    factors: list[Coded]


@dataclass(frozen=True)
class EpisodeView:
    """An episode of need as the Case part shows it: dates already written out."""

    episode: case_models.EpisodeOfNeed
    is_open: bool
    referred: str
    closed: str
    source: Coded | None
    primary_need: Coded | None
    closure_reason: Coded | None
    assessments: list[AssessmentView]
    events: list[tuple[str, str, str]]  # date, what, outcome


@dataclass(frozen=True)
class PlanView:
    plan: case_models.ChildProtectionPlan
    is_open: bool
    dates: str
    initial_category: Coded | None
    latest_category: Coded | None
    reviews: str
    core_group: list[str]
    next_review: str


@dataclass(frozen=True)
class LookedAfterView:
    episode: case_models.LookedAfterEpisode
    started: str
    until: str
    reason_new: Coded | None
    legal_status: Coded | None
    category_of_need: Coded | None
    placement: Coded | None
    provider: Coded | None
    reason_ended: Coded | None


def _enquiry_outcome(enquiry: case_models.Section47) -> str:
    if enquiry.icpc_not_required:
        return "initial conference not needed"
    if enquiry.date_of_initial_cpc:
        return f"initial conference held {long_date(enquiry.date_of_initial_cpc)}"
    if enquiry.initial_cpc_target:
        return f"initial conference due by {long_date(enquiry.initial_cpc_target)}"
    return ""


def episode_view(case: Case, episode: case_models.EpisodeOfNeed) -> EpisodeView:
    key = episode.pk
    events: list[tuple[dt.date, str, str]] = [
        (cin_plan.start_date, "Child in need plan started", _until(cin_plan.end_date))
        for cin_plan in case.cin_plans.get(key, [])
    ]
    events += [
        (discussion.date, "Strategy discussion", discussion.get_outcome_display().lower())
        for discussion in case.strategy_discussions.get(key, [])
    ]
    events += [
        (enquiry.start_date, "Section 47 enquiry started", _enquiry_outcome(enquiry))
        for enquiry in case.section47s.get(key, [])
    ]
    events += [
        (conference.date, conference.get_kind_display(), conference.get_outcome_display().lower())
        for conference in case.conferences.get(key, [])
    ]
    events.sort(key=lambda row: row[0], reverse=True)
    return EpisodeView(
        episode=episode,
        is_open=episode.closure_date is None,
        referred=long_date(episode.referral_date),
        closed=long_date(episode.closure_date),
        source=Coded.of(codes.REFERRAL_SOURCE, episode.referral_source),
        primary_need=Coded.of(codes.PRIMARY_NEED, episode.primary_need),
        closure_reason=Coded.of(codes.CLOSURE_REASON, episode.closure_reason),
        assessments=[
            AssessmentView(
                started=long_date(assessment.start_date),
                authorised=long_date(assessment.authorisation_date),
                factors=[
                    Coded(code, codes.label(codes.ASSESSMENT_FACTOR, code))
                    for code in assessment.factors
                ],
            )
            for assessment in case.assessments.get(key, [])
        ],
        events=[(long_date(day), what, outcome) for day, what, outcome in events],
    )


def long_date(day: dt.date | None) -> str:
    """A date as people say it: "4 December 2026"."""
    return f"{day.day} {MONTHS[day.month]} {day.year}" if day else ""


def _until(day: dt.date | None) -> str:
    return f"ended {long_date(day)}" if day else "open"


def member_name(member: case_models.CoreGroupMember) -> str:
    if member.practitioner is not None:
        who = member.practitioner.get_full_name() or member.practitioner.username
        agency = member.practitioner.agency.name if member.practitioner.agency else ""
        name = f"{who} ({agency})" if agency else who
    elif member.person is not None:
        name = member.person.full_name or "Name not known"
    else:
        name = member.agency.name if member.agency else ""
    return f"{name} (proposed)" if member.proposed else name


def plan_view(case: Case, plan: case_models.ChildProtectionPlan) -> PlanView:
    reviews = case.reviews.get(plan.pk, [])  # oldest first
    if plan.end_date is None:
        # The first review within three months of the plan, then every six months.
        last = reviews[-1].review_date if reviews else None
        next_review = _add_months(last, 6) if last else _add_months(plan.start_date, 3)
    else:
        next_review = None
    return PlanView(
        plan=plan,
        is_open=plan.end_date is None,
        dates=f"From {long_date(plan.start_date)}"
        + (f" to {long_date(plan.end_date)}" if plan.end_date else ""),
        initial_category=Coded.of(codes.CP_CATEGORY, plan.initial_category),
        latest_category=Coded.of(codes.CP_CATEGORY, plan.latest_category),
        reviews=", ".join(long_date(review.review_date) for review in reviews) or "None yet",
        core_group=[member_name(m) for m in case.core_group.get(plan.pk, [])]
        if plan.end_date is None
        else [],
        next_review=long_date(next_review),
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
    reason_ended = Coded.of(codes.REASON_EPISODE_CEASED, episode.rec)
    return LookedAfterView(
        episode=episode,
        started=long_date(episode.decom),
        until=f"{long_date(episode.dec)}: {reason_ended}" if episode.dec else "Now",
        reason_new=Coded.of(codes.REASON_NEW_EPISODE, episode.rne),
        legal_status=Coded.of(codes.LEGAL_STATUS, episode.ls),
        category_of_need=Coded.of(codes.PRIMARY_NEED, episode.cin),
        placement=Coded.of(codes.PLACEMENT, episode.place),
        provider=Coded.of(codes.PLACEMENT_PROVIDER, episode.place_provider),
        reason_ended=reason_ended,
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


# -- reviews, missing episodes, and the history of corrections --------------------------


@dataclass(frozen=True)
class ReviewView:
    review: case_models.LookedAfterReview
    held: str
    participation: Coded | None


@dataclass(frozen=True)
class MissingView:
    episode: case_models.MissingEpisode
    kind: Coded | None
    started: str
    until: str
    return_interview: str


def review_view(review: case_models.LookedAfterReview) -> ReviewView:
    return ReviewView(
        review=review,
        held=long_date(review.review),
        participation=Coded.of(codes.REVIEW_PARTICIPATION, review.review_code),
    )


def _return_interview(episode: case_models.MissingEpisode) -> str:
    if episode.mis_end is None:
        return "Not back yet"
    if episode.rhi_offered is None:
        return "Not recorded"
    if not episode.rhi_offered:
        return "Not offered"
    if episode.rhi_accepted is None:
        return "Offered"
    return "Offered and accepted" if episode.rhi_accepted else "Offered, not accepted"


def missing_view(episode: case_models.MissingEpisode) -> MissingView:
    return MissingView(
        episode=episode,
        kind=Coded.of(codes.MISSING_KIND, episode.missing),
        started=long_date(episode.mis_start),
        until=long_date(episode.mis_end) or "Not back yet",
        return_interview=_return_interview(episode),
    )


# The kinds of case row a person may correct or withdraw, by the name in their address.
RECORD_KINDS: dict[str, type[case_models.CaseRecord]] = {
    "episode": case_models.EpisodeOfNeed,
    "assessment": case_models.CINAssessment,
    "cin-plan": case_models.CINPlan,
    "strategy-discussion": case_models.StrategyDiscussion,
    "section-47": case_models.Section47,
    "conference": case_models.ChildProtectionConference,
    "plan": case_models.ChildProtectionPlan,
    "plan-review": case_models.ChildProtectionReview,
    "core-group-member": case_models.CoreGroupMember,
    "looked-after": case_models.LookedAfterEpisode,
    "looked-after-review": case_models.LookedAfterReview,
    "missing": case_models.MissingEpisode,
    "allocation": case_models.Allocation,
}
KIND_OF: dict[type[case_models.CaseRecord], str] = {
    model: kind for kind, model in RECORD_KINDS.items()
}


def _label(code_list: Any, code: str) -> str:
    return codes.label(code_list, code).lower() if code else ""


def describe(row: case_models.CaseRecord) -> str:
    """A case row as a person names it, with its dates written out."""
    if isinstance(row, case_models.EpisodeOfNeed):
        return f"Episode of need, referred {long_date(row.referral_date)}"
    if isinstance(row, case_models.CINAssessment):
        return f"Assessment started {long_date(row.start_date)}"
    if isinstance(row, case_models.CINPlan):
        return f"Child in need plan from {long_date(row.start_date)}" + (
            f" to {long_date(row.end_date)}" if row.end_date else ""
        )
    if isinstance(row, case_models.StrategyDiscussion):
        return f"Strategy discussion on {long_date(row.date)}"
    if isinstance(row, case_models.Section47):
        return f"Section 47 enquiry started {long_date(row.start_date)}"
    if isinstance(row, case_models.ChildProtectionConference):
        return f"{row.get_kind_display()} on {long_date(row.date)}"
    if isinstance(row, case_models.ChildProtectionPlan):
        return (
            f"Child protection plan from {long_date(row.start_date)} "
            f"({_label(codes.CP_CATEGORY, row.latest_category)})"
        )
    if isinstance(row, case_models.ChildProtectionReview):
        return f"Review of the plan on {long_date(row.review_date)}"
    if isinstance(row, case_models.CoreGroupMember):
        return f"Core group: {member_name(row)} from {long_date(row.started_on)}"
    if isinstance(row, case_models.LookedAfterEpisode):
        return f"Looked after from {long_date(row.decom)} ({_label(codes.PLACEMENT, row.place)})"
    if isinstance(row, case_models.LookedAfterReview):
        return (
            f"Looked-after review on {long_date(row.review)} "
            f"({_label(codes.REVIEW_PARTICIPATION, row.review_code)})"
        )
    if isinstance(row, case_models.MissingEpisode):
        return f"{codes.label(codes.MISSING_KIND, row.missing)} from {long_date(row.mis_start)}" + (
            f" to {long_date(row.mis_end)}" if row.mis_end else ""
        )
    if isinstance(row, case_models.Allocation):
        who = row.worker.get_full_name() if row.worker else (row.team.name if row.team else "")
        return f"Allocation of {who} from {long_date(row.start_date)}"
    return str(row)  # pragma: no cover - every kind is named above


def current_records(case: Case) -> list[case_models.CaseRecord]:
    """Every current row of the case, the steps a person may correct or withdraw."""
    rows: list[case_models.CaseRecord] = [*case.episodes]
    for grouped in (
        case.assessments,
        case.cin_plans,
        case.strategy_discussions,
        case.section47s,
        case.conferences,
    ):
        for episode in case.episodes:
            rows.extend(grouped.get(episode.pk, []))
    rows.extend(case.plans)
    for plan in case.plans:
        rows.extend(case.reviews.get(plan.pk, []))
        rows.extend(m for m in case.core_group.get(plan.pk, []) if not m.proposed)
    rows.extend(case.looked_after)
    rows.extend(case.looked_after_reviews)
    rows.extend(case.missing_episodes)
    rows.extend(case.allocations)
    return rows


def record_key(row: case_models.CaseRecord) -> str:
    return f"{KIND_OF[type(row)]}:{row.public_id}"


def record_choices(case: Case, agency_id: int | None) -> list[tuple[str, str]]:
    """The current rows recorded by ``agency_id``: those it may correct or withdraw."""
    return [
        (record_key(row), describe(row))
        for row in current_records(case)
        if row.recording_agency_id == agency_id
    ]


def find_record(case: Case, kind: str, public_id: str) -> case_models.CaseRecord | None:
    model = RECORD_KINDS.get(kind)
    return next(
        (
            row
            for row in current_records(case)
            if type(row) is model and str(row.public_id) == public_id
        ),
        None,
    )


@dataclass(frozen=True)
class HistoryView:
    """A row corrected, changed or withdrawn: what it was and what became of it."""

    what: str
    change: str
    reason: str


def _by(user: User | None) -> str:
    if user is None:
        return "an import"
    return user.get_full_name() or user.username


def _day(moment: dt.datetime) -> str:
    return long_date(timezone.localtime(moment).date())


def history_view(row: case_models.CaseRecord) -> HistoryView | None:
    """A withdrawn or corrected row; None for a row a later step superseded (an episode
    closed, a plan ended: the case shows that already)."""
    if row.withdrawn_at is not None:
        return HistoryView(
            what=describe(row),
            change=f"withdrawn on {_day(row.withdrawn_at)} by {_by(row.withdrawn_by)}",
            reason=row.withdrawal_reason,
        )
    try:
        newer = row.superseded_by  # type: ignore[attr-defined]
    except ObjectDoesNotExist:  # pragma: no cover - history holds superseded or withdrawn rows
        return None
    if not newer.correction_reason:
        return None
    return HistoryView(
        what=describe(row),
        change=f"corrected on {_day(newer.recorded_at)} by {_by(newer.recorded_by)}",
        reason=newer.correction_reason,
    )


def family_of(case: Case, child: Person) -> tuple[tuple[Person, str], ...]:
    """The child's family recorded on the case, each with why they are offered
    ("Family: parent"), for a picker."""
    found: dict[int, tuple[Person, str]] = {}
    for relationship in case.family:
        other = (
            relationship.person if relationship.relative_id == child.pk else relationship.relative
        )
        if other.pk != child.pk and relationship.ended_on is None:
            found.setdefault(
                other.pk, (other, f"Family: {relationship.get_kind_display().lower()}")
            )
    return tuple(found.values())


# What the other person is to the child when the child is the relationship's ``person``
# ("A is parent of B", seen from B's page and from A's).
INVERSE_KIND = {
    RelationshipKind.PARENT: "Child",
    RelationshipKind.CARER: "Cared for by them",
    RelationshipKind.SIBLING: "Sibling",
    RelationshipKind.HOUSEHOLD_MEMBER: "Household member",
    RelationshipKind.PARTNER_OF_PARENT: "Child of their partner",
    RelationshipKind.OTHER: "Other",
}


@dataclass(frozen=True)
class FamilyView:
    """One family or household member on the Case part, seen from the child."""

    relationship: Relationship
    name: str
    kind: str  # what they are to the child ("Parent", "Carer")
    dates: str  # "Lives with the child since 3 March 2020", "Lived with the child until ..."

    @property
    def is_current(self) -> bool:
        return self.relationship.ended_on is None


def _family_dates(relationship: Relationship) -> str:
    started, ended = relationship.started_on, relationship.ended_on
    if ended is None:
        since = f"since {long_date(started)}" if started else ""
        if relationship.lives_with:
            return f"Lives with the child {since}".strip()
        return since.capitalize()
    span = (f"from {long_date(started)} " if started else "") + f"until {long_date(ended)}"
    return f"Lived with the child {span}" if relationship.lives_with else span.capitalize()


def family_views(case: Case, child: Person) -> list[FamilyView]:
    """The child's family and household on the case: current members first (those living
    with the child first), then those whose relationship ended, as history."""
    views = []
    for relationship in case.family:
        if relationship.relative_id == child.pk:
            other, kind = relationship.person, relationship.get_kind_display()
        else:
            other, kind = relationship.relative, INVERSE_KIND[RelationshipKind(relationship.kind)]
        views.append(
            FamilyView(
                relationship=relationship,
                name=other.full_name or "Name not known",
                kind=kind,
                dates=_family_dates(relationship),
            )
        )
    return sorted(
        views,
        key=lambda v: (
            not v.is_current,
            not v.relationship.lives_with,
            -(v.relationship.ended_on or dt.date.max).toordinal(),
        ),
    )
