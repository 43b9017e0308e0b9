"""Every write to the case (``cases.models``).

Each action is atomic, takes keyword-only arguments with an explicit actor and origin,
checks its input (``ValidationError`` naming the field, nothing saved), writes its audit
row and appends a chronology event of the recording agency. ``actor=None`` is the system
(an import): it names the recording ``agency`` and ``source`` itself, and starts no clock.

Hand-offs on the statutory clock use the decision points of ``sightline.assessments``
(deadlines from ``sightline.deadlines.rules``): a step recorded here decides the open
point of that step, if there is one, through ``assessments.actions.record_decision`` (so
the challenge rules run and the next steps open as the workflow table says), and opens
the steps it starts that are not open yet (``assessments.actions.open_step``).

Nothing is overwritten: ending, closing or correcting a row is a new version that
supersedes it (``_revise``); the rows that hang off it follow the new version.
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from sightline.access import actions as access_actions
from sightline.access.models import CaseRelationship, CaseRole
from sightline.accounts.models import User
from sightline.agencies.models import Agency, AgencyKind, Team
from sightline.assessments import access as decisions_access
from sightline.assessments import actions as decisions
from sightline.assessments.models import DecisionPoint
from sightline.assessments.workflow import DecisionStep, Outcome
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.cases.models import (
    SIGHTLINE_SOURCE,
    Allocation,
    CaseRecord,
    ChildProtectionConference,
    ChildProtectionPlan,
    ChildProtectionReview,
    CINAssessment,
    CINPlan,
    ConferenceKind,
    ConferenceOutcome,
    CoreGroupMember,
    EpisodeOfNeed,
    LookedAfterEpisode,
    LookedAfterReview,
    MissingEpisode,
    Section47,
    StrategyDiscussion,
    StrategyOutcome,
)
from sightline.chronology.actions import record_events
from sightline.core import dates
from sightline.deadlines import queries as deadlines
from sightline.deadlines.rules import Step
from sightline.importing.rows import EventRow
from sightline.people import actions as people_actions
from sightline.people.models import (
    Involvement,
    InvolvementRole,
    Person,
    ProtectionCategory,
    Relationship,
    SourceRecord,
    StatusKind,
    StatusPeriod,
)
from sightline.returns import codes

R = TypeVar("R", bound=CaseRecord)

# CIN census category of abuse -> the status period's protection category.
PROTECTION_CATEGORY: Mapping[str, str] = {
    "NEG": ProtectionCategory.NEGLECT,
    "PHY": ProtectionCategory.PHYSICAL_ABUSE,
    "SAB": ProtectionCategory.SEXUAL_ABUSE,
    "EMO": ProtectionCategory.EMOTIONAL_ABUSE,
    "MUL": ProtectionCategory.MULTIPLE,
}
# The referral source a referral through Sightline is given, by the referring agency.
REFERRAL_SOURCE_OF_AGENCY: Mapping[str, str] = {
    AgencyKind.EDUCATION: "2A",
    AgencyKind.HEALTH: "3F",
    AgencyKind.HOUSING: "4",
    AgencyKind.CHILDRENS_SOCIAL_CARE: "5A",
    AgencyKind.POLICE: "6",
    AgencyKind.YOUTH_JUSTICE: "7",
    AgencyKind.PROBATION: "7",
    AgencyKind.OTHER: "8",
}
NEW_EPISODE_FOLLOWS = "X1"


# -- who records, and provenance -----------------------------------------------------------


def _recording_agency(actor: User | None, agency: Agency | None, child: Person) -> Agency:
    """The agency the row is recorded for: the actor's, or (for the system) the one named."""
    if actor is None:
        if agency is None:
            raise ValidationError({"agency": "Name the agency recording this."})
        return agency
    if not decisions_access.can_decide(actor, child):
        raise PermissionDenied("You cannot record the case for this child.")
    if agency is not None and agency.pk != actor.agency_id:
        raise PermissionDenied("You record the case for your own agency only.")
    assert actor.agency is not None  # noqa: S101 (can_decide checked it)
    return actor.agency


def _provenance(
    actor: User | None, agency: Agency, source: str, external_id: str
) -> dict[str, Any]:
    return {
        "recording_agency": agency,
        "recorded_by": actor,
        "source": (source or SIGHTLINE_SOURCE)[:100],
        "external_id": external_id[:200],
    }


def _save(row: R) -> R:
    row.full_clean()
    row.save()
    return row


def _audit(
    actor: User | None,
    origin: Origin,
    action: AuditAction,
    child: Person,
    row: CaseRecord,
    **detail: Any,
) -> None:
    record_audit(
        actor=actor,
        action=action,
        origin=origin,
        person=child,
        detail={
            "record": f"{row._meta.label}:{row.public_id}",
            "source": row.source,
            **({"external_id": row.external_id} if row.external_id else {}),
            **{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in detail.items()},
        },
    )


# -- the chronology ----------------------------------------------------------------------


def _agency_record(agency: Agency, child: Person) -> SourceRecord:
    """The recording agency's record of the child that its chronology event is about. An
    agency that holds none yet gets one copying the child's shown identity (so the
    identity does not change), as a sharing decision does."""
    held = SourceRecord.objects.filter(agency=agency, person=child).order_by("pk").first()
    if held is not None:
        return held
    now = timezone.now()
    return SourceRecord.objects.create(
        agency=agency,
        record_id=f"sightline-case-{child.public_id}",
        person=child,
        given_name=child.given_name,
        family_name=child.family_name,
        date_of_birth=child.date_of_birth,
        sex=child.sex,
        nhs_number=child.nhs_number,
        received_at=now,
        updated_at=now,
        linked_by="case-record",
    )


def _first_version(row: CaseRecord) -> CaseRecord:
    first = row
    while first.supersedes_id is not None:
        first = type(row).objects.get(pk=first.supersedes_id)
    return first


def _chronicle(
    *,
    actor: User | None,
    origin: Origin,
    child: Person,
    row: CaseRecord,
    category: str,
    summary: str,
    on: dt.date,
    step: str = "",
) -> None:
    """Append (or revise) the chronology event of the recording agency for ``row``.

    One event per recorded step (``step`` tells apart the several a row may have, as a
    plan's start and end); a correction of the row is a new revision of its event."""
    agency = row.recording_agency
    subject = _agency_record(agency, child)
    first = _first_version(row)
    name = type(row)._meta.model_name
    event_id = f"case-{name}-{first.public_id}" + (f"-{step}" if step else "")
    occurred = timezone.make_aware(dt.datetime.combine(on, dt.time(0, 0)))
    record_events(
        actor=actor,
        agency=agency,
        rows=[
            EventRow(
                line=1,
                event_id=event_id,
                agency=agency.code,
                subject_record_id=subject.record_id,
                occurred_at=occurred,
                date_only=True,
                category=category,
                summary=summary[:4000],
                practitioner=(actor.get_full_name() or actor.username) if actor else "",
            )
        ],
        origin=origin,
        audit_detail={"case_record": f"{row._meta.label}:{row.public_id}"},
    )


# -- the clock ---------------------------------------------------------------------------


def _on_the_clock(actor: User | None, child: Person) -> User | None:
    if actor is None or not decisions_access.can_decide(actor, child):
        return None
    return actor


def _advance(
    *,
    actor: User | None,
    origin: Origin,
    child: Person,
    on: dt.date,
    path: Sequence[tuple[DecisionStep, Outcome]] = (),
    then: Sequence[tuple[DecisionStep, dt.date]] = (),
    reasons: str = "",
    history_considered: bool = False,
    history_summary: str = "",
    alternatives: bool = False,
) -> list[DecisionPoint]:
    """Decide each open point on ``path`` with its outcome (a chain: deciding one may open
    the next), or with ``alternatives`` only the first of them that is open; then make
    sure each step in ``then`` is open (counted from its date). Returns the open points
    of ``then``."""
    clock_actor = _on_the_clock(actor, child)
    if clock_actor is None:
        return []
    for step, outcome in path:
        point = DecisionPoint.objects.open().filter(child=child, step=step.value).first()
        if point is None or on < point.started_on or on > timezone.localdate():
            continue
        decisions.record_decision(
            actor=clock_actor,
            origin=origin,
            step=step.value,
            outcome=outcome.value,
            decided_on=on,
            reasons=reasons.strip()
            or f"Recorded in the case: {step.label.lower()}, {outcome.label.lower()}.",
            history_considered=history_considered,
            history_summary=history_summary,
            point=point,
        )
        if alternatives:
            break
    return [
        decisions.open_step(
            actor=clock_actor,
            origin=origin,
            child=child,
            step=step.value,
            counted_from=counted_from,
        )
        for step, counted_from in then
    ]


# -- history: versions, corrections and withdrawals ----------------------------------------


def _dependants(row: CaseRecord) -> Iterable[tuple[type[models.Model], str]]:
    """(model, field name) of every case row foreign key pointing at ``row``'s model."""
    for relation in type(row)._meta.related_objects:
        model = relation.related_model
        field = relation.field
        if (
            isinstance(model, type)
            and issubclass(model, CaseRecord)
            and field.name != "supersedes"
            and not relation.one_to_one
        ):
            yield model, field.name


def _revise(*, actor: User | None, row: R, changes: Mapping[str, Any], reason: str = "") -> R:
    """A new version of ``row`` with ``changes``, superseding it; the rows hanging off
    the old version follow the new one."""
    current = type(row).objects.select_for_update().get(pk=row.pk)
    if not current.is_current:
        raise ValidationError({"record": "This record has been corrected or withdrawn since."})
    unknown = sorted(set(changes) - set(current.CORRECTABLE))
    if unknown:
        raise ValidationError({unknown[0]: "This cannot be changed by a correction."})
    new = type(row).objects.get(pk=row.pk)
    new.pk = None
    new.id = None  # type: ignore[attr-defined]
    new._state.adding = True
    new.public_id = uuid.uuid4()
    new.supersedes = current
    new.recorded_by = actor
    new.recorded_at = timezone.now()
    new.correction_reason = reason.strip()[:500]
    for name, value in changes.items():
        setattr(new, name, value)
    new.full_clean(exclude=["supersedes"])
    new.save()
    for model, field in _dependants(current):
        model._default_manager.filter(**{field: current}).update(**{field: new})
    return cast(R, new)


def _changed(row: CaseRecord, changes: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in changes.items() if getattr(row, name) != value}


def _follow(actor: User | None, origin: Origin, row: CaseRecord) -> None:
    """Keep what stands on ``row`` in step with its current version: the status period a
    plan or looked-after episode holds, and the involvement an allocation gives."""
    if isinstance(row, ChildProtectionPlan) and row.status_period is not None:
        people_actions.change_status_period(
            actor=actor,
            period=row.status_period,
            origin=origin,
            started_on=row.start_date,
            ended_on=row.end_date,
            protection_category=PROTECTION_CATEGORY[row.latest_category],
        )
    elif isinstance(row, CINPlan) and row.status_period is not None:
        people_actions.change_status_period(
            actor=actor,
            period=row.status_period,
            origin=origin,
            started_on=row.start_date,
            ended_on=row.end_date,
        )
    elif isinstance(row, LookedAfterEpisode) and row.status_period is not None:
        _follow_period_of_care(actor, origin, row.status_period)
    elif isinstance(row, Allocation) and row.involvement is not None:
        involvement = row.involvement
        if involvement.started_on != row.start_date or involvement.ended_on != row.end_date:
            # The involvement is the allocation's shadow: its dates follow the allocation's.
            people_actions.change_involvement_dates(
                actor=actor,
                involvement=involvement,
                started_on=row.start_date,
                ended_on=row.end_date,
                origin=origin,
            )


def _follow_period_of_care(actor: User | None, origin: Origin, period: StatusPeriod) -> None:
    episodes = list(
        LookedAfterEpisode.objects.current().filter(status_period=period).order_by("decom")
    )
    if not episodes:
        people_actions.change_status_period(
            actor=actor, period=period, origin=origin, ended_on=period.started_on
        )
        return
    last = episodes[-1]
    ended = last.dec if last.rec != NEW_EPISODE_FOLLOWS else None
    people_actions.change_status_period(
        actor=actor, period=period, origin=origin, started_on=episodes[0].decom, ended_on=ended
    )


def _child_of(row: CaseRecord) -> Person:
    if isinstance(row, ChildProtectionReview | CoreGroupMember):
        return row.plan.child
    child = getattr(row, "child", None)
    assert isinstance(child, Person)  # noqa: S101 (every other case row names its child)
    return child


def _may_change(actor: User | None, row: CaseRecord) -> None:
    if actor is None:
        return
    child = _child_of(row)
    if not decisions_access.can_decide(actor, child):
        raise PermissionDenied("You cannot record the case for this child.")
    if row.recording_agency_id != actor.agency_id:
        raise PermissionDenied("Only the agency that recorded this can correct it.")


@transaction.atomic
def correct(
    *,
    actor: User | None,
    origin: Origin,
    record: R,
    changes: Mapping[str, Any],
    reason: str,
) -> R:
    """Correct a case row: a new version with ``changes`` supersedes it (the old one is
    kept, marked superseded), its chronology event gets a new revision, and what stands
    on it (flag, allocation) follows. Only the fields in the model's ``CORRECTABLE``."""
    _may_change(actor, record)
    if not reason.strip():
        raise ValidationError({"reason": "Say why this is corrected."})
    changes = _changed(record, changes)
    if not changes:
        raise ValidationError({"changes": "Nothing would change."})
    new = _revise(actor=actor, row=record, changes=changes, reason=reason)
    _follow(actor, origin, new)
    child = _child_of(new)
    label = type(new)._meta.verbose_name
    if isinstance(new, CoreGroupMember):
        if new.relationship is not None and new.ended_on is not None:
            _end_relationship(actor, origin, new.relationship, new.ended_on)
    else:
        _chronicle_correction(actor, origin, child, new, reason)
    _audit(
        actor,
        origin,
        AuditAction.CORRECT_CASE_RECORD,
        child,
        new,
        supersedes=str(record.public_id),
        changed=sorted(changes),
        reason=reason.strip(),
        what=str(label),
    )
    return new


def _chronicle_correction(
    actor: User | None, origin: Origin, child: Person, new: CaseRecord, reason: str
) -> None:
    _chronicle(
        actor=actor,
        origin=origin,
        child=child,
        row=new,
        category=_category_of(new),
        summary=f"{new!s} (corrected: {reason.strip()})",
        on=_day_of(new),
        step=_step_of(new),
    )


@transaction.atomic
def withdraw(*, actor: User | None, origin: Origin, record: R, reason: str) -> R:
    """Withdraw a row recorded in error (or gone from a re-imported return): it stays,
    marked withdrawn with the reason, and leaves the current view. A plan or
    looked-after episode withdrawn ends its flag on the day it started (the flag still
    shows for 12 months, as for any ended plan: the safer mistake)."""
    _may_change(actor, record)
    if not reason.strip():
        raise ValidationError({"reason": "Say why this is withdrawn."})
    row = type(record).objects.select_for_update().get(pk=record.pk)
    if not row.is_current:
        raise ValidationError({"record": "This record has been corrected or withdrawn since."})
    row.withdrawn_at = timezone.now()
    row.withdrawn_by = actor
    row.withdrawal_reason = reason.strip()[:500]
    row.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    if isinstance(row, ChildProtectionPlan | CINPlan) and row.status_period is not None:
        others = type(row).objects.current().filter(status_period=row.status_period)
        if not others.exists():
            people_actions.change_status_period(
                actor=actor, period=row.status_period, origin=origin, ended_on=row.start_date
            )
    elif isinstance(row, LookedAfterEpisode) and row.status_period is not None:
        _follow_period_of_care(actor, origin, row.status_period)
    elif isinstance(row, Allocation) and row.involvement is not None:
        involvement = row.involvement
        if involvement.ended_on is None:
            people_actions.end_involvement(
                actor=actor, involvement=involvement, ended_on=row.start_date, origin=origin
            )
    elif isinstance(row, CoreGroupMember) and row.relationship is not None:
        _end_relationship(actor, origin, row.relationship, row.started_on)
    child = _child_of(row)
    if not isinstance(row, CoreGroupMember):  # a membership has no event of its own
        _chronicle(
            actor=actor,
            origin=origin,
            child=child,
            row=row,
            category=_category_of(row),
            summary=f"{row!s}: withdrawn ({reason.strip()})",
            on=_day_of(row),
            step=_step_of(row),
        )
    _audit(actor, origin, AuditAction.WITHDRAW_CASE_RECORD, child, row, reason=reason.strip())
    return cast(R, row)


def _category_of(row: CaseRecord) -> str:
    if isinstance(row, EpisodeOfNeed):
        return "case_closed" if row.closure_date else "referral"
    if isinstance(row, CINAssessment):
        return "assessment_completed" if row.authorisation_date else "assessment_started"
    if isinstance(row, CINPlan):
        return "cin_plan_ended" if row.end_date else "cin_plan_started"
    if isinstance(row, StrategyDiscussion):
        return "strategy_discussion"
    if isinstance(row, Section47):
        return "section47_outcome" if row.icpc_not_required else "section47_started"
    if isinstance(row, ChildProtectionConference):
        return "initial_conference" if row.kind == ConferenceKind.INITIAL else "review_conference"
    if isinstance(row, ChildProtectionPlan):
        return "cp_plan_ended" if row.end_date else "cp_plan_started"
    if isinstance(row, ChildProtectionReview):
        return "cp_plan_review"
    if isinstance(row, LookedAfterEpisode):
        if row.dec and row.rec != NEW_EPISODE_FOLLOWS:
            return "looked_after_ended"
        return "looked_after_started" if row.rne == "S" else "looked_after_changed"
    if isinstance(row, LookedAfterReview):
        return "looked_after_review"
    if isinstance(row, MissingEpisode):
        return "missing_from_care"
    return "worker_allocated"


def _day_of(row: CaseRecord) -> dt.date:
    for name in ("referral_date", "start_date", "date", "review_date", "decom", "review"):
        value = getattr(row, name, None)
        if isinstance(value, dt.date):
            return value
    if isinstance(row, MissingEpisode):
        return row.mis_start
    if isinstance(row, CoreGroupMember):
        return row.started_on
    return timezone.localdate()


def _step_of(row: CaseRecord) -> str:
    """Which of a row's events a correction revises: its start, or its end once ended."""
    ended = (
        (isinstance(row, EpisodeOfNeed) and row.closure_date is not None)
        or (isinstance(row, CINPlan | ChildProtectionPlan) and row.end_date is not None)
        or (isinstance(row, CINAssessment) and row.authorisation_date is not None)
        or (isinstance(row, LookedAfterEpisode) and row.dec is not None)
    )
    return "end" if ended else ""


# -- episodes of need ----------------------------------------------------------------------


def _open_episode(child: Person) -> EpisodeOfNeed | None:
    return (
        EpisodeOfNeed.objects.current()
        .filter(child=child, closure_date__isnull=True)
        .order_by("-referral_date", "-pk")
        .first()
    )


@transaction.atomic
def open_episode_of_need(
    *,
    actor: User | None,
    origin: Origin,
    child: Person,
    referral_date: dt.date,
    referral_source: str,
    primary_need: str = "",
    referral_nfa: bool = False,
    closure_date: dt.date | None = None,
    closure_reason: str = "",
    agency: Agency | None = None,
    source: str = SIGHTLINE_SOURCE,
    external_id: str = "",
    referral: Any = None,
) -> EpisodeOfNeed:
    """A referral received: an episode of need opens and, for a practitioner who may
    decide, the 1-working-day decision on the referral starts (unless one is open).

    A child has one open episode at a time; an import may record a closed one whole."""
    recording = _recording_agency(actor, agency, child)
    if closure_date is None and _open_episode(child) is not None:
        raise ValidationError(
            {"referral_date": "This child already has an open episode of need; close it first."}
        )
    episode = _save(
        EpisodeOfNeed(
            child=child,
            referral_date=referral_date,
            referral_source=referral_source,
            primary_need=primary_need,
            referral_nfa=referral_nfa,
            closure_date=closure_date,
            closure_reason=closure_reason,
            referral=referral,
            **_provenance(actor, recording, source, external_id),
        )
    )
    clock = _on_the_clock(actor, child)
    if (
        clock is not None
        and closure_date is None
        and not referral_nfa
        and referral_date <= timezone.localdate()
        and not DecisionPoint.objects.open()
        .filter(child=child, step=DecisionStep.REFERRAL_DECISION.value)
        .exists()
    ):
        decisions.open_decision_point(
            actor=clock,
            origin=origin,
            child=child,
            step=DecisionStep.REFERRAL_DECISION.value,
            started_on=referral_date,
        )
    source_label = codes.label(codes.REFERRAL_SOURCE, referral_source)
    _chronicle(
        actor=actor,
        origin=origin,
        child=child,
        row=episode,
        category="referral",
        summary=f"Referral received (source: {source_label}); episode of need opened.",
        on=referral_date,
    )
    if closure_date is not None:
        _chronicle(
            actor=actor,
            origin=origin,
            child=child,
            row=episode,
            category="case_closed",
            summary=_closure_summary(episode),
            on=closure_date,
            step="end",
        )
    _audit(
        actor,
        origin,
        AuditAction.OPEN_EPISODE_OF_NEED,
        child,
        episode,
        referral_date=referral_date,
        referral_source=referral_source,
    )
    return episode


def _closure_summary(episode: EpisodeOfNeed) -> str:
    reason = codes.label(codes.CLOSURE_REASON, episode.closure_reason)
    return f"Episode of need closed: {reason}."


@transaction.atomic
def open_episode_from_referral(
    *, actor: User, origin: Origin, referral: Any
) -> EpisodeOfNeed | None:
    """Accepting a referral to a children's social care team (``sharing.actions``)
    opens the child's episode of need and its 1-working-day decision, unless an episode
    is open already (then it is returned: the decision step, if missing, is opened by
    ``sharing.actions.open_referral_decision``, which the acceptance calls next). None
    when the receiving team is not children's social care, or the accepter may not
    decide."""
    child = referral.person
    team_agency = referral.to_team.agency
    if team_agency.kind != AgencyKind.CHILDRENS_SOCIAL_CARE:
        return None
    if not decisions_access.can_decide(actor, child):
        return None
    received = timezone.localtime(referral.raised_at).date()
    current = _open_episode(child)
    if current is not None:
        return current
    return open_episode_of_need(
        actor=actor,
        origin=origin,
        child=child,
        referral_date=received,
        referral_source=REFERRAL_SOURCE_OF_AGENCY.get(referral.from_agency.kind, "8"),
        referral=referral,
        external_id=f"referral:{referral.public_id}",
    )


@transaction.atomic
def close_episode_of_need(
    *,
    actor: User | None,
    origin: Origin,
    episode: EpisodeOfNeed,
    closure_date: dt.date,
    closure_reason: str,
) -> EpisodeOfNeed:
    """Close an episode (a new version with the closure date and reason). Open plans in
    it must be ended first."""
    _may_change(actor, episode)
    if CINPlan.objects.current().filter(episode=episode, end_date__isnull=True).exists():
        raise ValidationError({"closure_date": "End the child in need plan first."})
    if (
        ChildProtectionPlan.objects.current()
        .filter(episode=episode, end_date__isnull=True)
        .exists()
    ):
        raise ValidationError({"closure_date": "End the child protection plan first."})
    if episode.closure_date is not None:
        raise ValidationError({"closure_date": "This episode is already closed."})
    closed = _revise(
        actor=actor,
        row=episode,
        changes={"closure_date": closure_date, "closure_reason": closure_reason},
    )
    _chronicle(
        actor=actor,
        origin=origin,
        child=closed.child,
        row=closed,
        category="case_closed",
        summary=_closure_summary(closed),
        on=closure_date,
        step="end",
    )
    _audit(
        actor,
        origin,
        AuditAction.CLOSE_EPISODE_OF_NEED,
        closed.child,
        closed,
        closure_date=closure_date,
        closure_reason=closure_reason,
    )
    return closed


# -- assessments and child in need plans ---------------------------------------------------


def _require_current(row: CaseRecord, field: str) -> None:
    if not type(row).objects.current().filter(pk=row.pk).exists():
        raise ValidationError({field: "This has been corrected or withdrawn; use the current one."})


@transaction.atomic
def record_assessment(
    *,
    actor: User | None,
    origin: Origin,
    episode: EpisodeOfNeed,
    start_date: dt.date,
    internal_review_date: dt.date | None = None,
    authorisation_date: dt.date | None = None,
    factors: Sequence[str] = (),
    authorised_by: User | None = None,
    agency: Agency | None = None,
    source: str = SIGHTLINE_SOURCE,
    external_id: str = "",
) -> CINAssessment:
    child = episode.child
    recording = _recording_agency(actor, agency, child)
    _require_current(episode, "episode")
    assessment = _save(
        CINAssessment(
            child=child,
            episode=episode,
            start_date=start_date,
            internal_review_date=internal_review_date,
            authorisation_date=authorisation_date,
            factors=list(factors),
            authorised_by=authorised_by,
            **_provenance(actor, recording, source, external_id),
        )
    )
    _chronicle(
        actor=actor,
        origin=origin,
        child=child,
        row=assessment,
        category="assessment_started",
        summary="Child and family assessment started.",
        on=start_date,
    )
    if authorisation_date is not None:
        _chronicle_authorised(actor, origin, assessment)
    _audit(actor, origin, AuditAction.RECORD_CIN_ASSESSMENT, child, assessment, start=start_date)
    return assessment


def _chronicle_authorised(actor: User | None, origin: Origin, assessment: CINAssessment) -> None:
    assert assessment.authorisation_date is not None  # noqa: S101
    factors = ", ".join(codes.label(codes.ASSESSMENT_FACTOR, f) for f in assessment.factors)
    _chronicle(
        actor=actor,
        origin=origin,
        child=assessment.child,
        row=assessment,
        category="assessment_completed",
        summary=f"Child and family assessment authorised. Factors: {factors or 'none given'}.",
        on=assessment.authorisation_date,
        step="end",
    )


@transaction.atomic
def authorise_assessment(
    *,
    actor: User | None,
    origin: Origin,
    assessment: CINAssessment,
    authorisation_date: dt.date,
    factors: Sequence[str],
    authorised_by: User | None = None,
) -> CINAssessment:
    """The assessment authorised with its factors (a new version)."""
    _may_change(actor, assessment)
    if assessment.authorisation_date is not None:
        raise ValidationError({"authorisation_date": "This assessment is already authorised."})
    authorised = _revise(
        actor=actor,
        row=assessment,
        changes={
            "authorisation_date": authorisation_date,
            "factors": list(factors),
            "authorised_by": authorised_by or actor,
        },
    )
    _chronicle_authorised(actor, origin, authorised)
    _audit(
        actor,
        origin,
        AuditAction.RECORD_CIN_ASSESSMENT,
        authorised.child,
        authorised,
        authorised_on=authorisation_date,
        factors=list(factors),
    )
    return authorised


@transaction.atomic
def start_cin_plan(
    *,
    actor: User | None,
    origin: Origin,
    episode: EpisodeOfNeed,
    start_date: dt.date,
    end_date: dt.date | None = None,
    agency: Agency | None = None,
    source: str = SIGHTLINE_SOURCE,
    external_id: str = "",
) -> CINPlan:
    child = episode.child
    recording = _recording_agency(actor, agency, child)
    _require_current(episode, "episode")
    if (
        end_date is None
        and CINPlan.objects.current().filter(child=child, end_date__isnull=True).exists()
    ):
        raise ValidationError({"start_date": "This child already has an open child in need plan."})
    plan = CINPlan(
        child=child,
        episode=episode,
        start_date=start_date,
        end_date=end_date,
        **_provenance(actor, recording, source, external_id),
    )
    plan.full_clean()
    plan.status_period = people_actions.record_status_period(
        actor=actor,
        person=child,
        kind=StatusKind.CHILD_IN_NEED,
        started_on=start_date,
        ended_on=end_date,
        recorded_by_agency=recording,
        origin=origin,
    )
    plan.save()
    _chronicle(
        actor=actor,
        origin=origin,
        child=child,
        row=plan,
        category="cin_plan_started",
        summary="Child in need plan started.",
        on=start_date,
    )
    if end_date is not None:
        _chronicle(
            actor=actor,
            origin=origin,
            child=child,
            row=plan,
            category="cin_plan_ended",
            summary="Child in need plan ended.",
            on=end_date,
            step="end",
        )
    _audit(actor, origin, AuditAction.RECORD_CIN_PLAN, child, plan, start=start_date)
    return plan


@transaction.atomic
def end_cin_plan(
    *, actor: User | None, origin: Origin, plan: CINPlan, end_date: dt.date
) -> CINPlan:
    _may_change(actor, plan)
    if plan.end_date is not None:
        raise ValidationError({"end_date": "This plan has already ended."})
    ended = _revise(actor=actor, row=plan, changes={"end_date": end_date})
    _follow(actor, origin, ended)
    _chronicle(
        actor=actor,
        origin=origin,
        child=ended.child,
        row=ended,
        category="cin_plan_ended",
        summary="Child in need plan ended.",
        on=end_date,
        step="end",
    )
    _audit(actor, origin, AuditAction.RECORD_CIN_PLAN, ended.child, ended, end=end_date)
    return ended


# -- strategy discussions, section 47 enquiries ------------------------------------------


@transaction.atomic
def record_strategy_discussion(
    *,
    actor: User | None,
    origin: Origin,
    episode: EpisodeOfNeed,
    date: dt.date,
    outcome: str,
    reasons: str = "",
    history_considered: bool = False,
    history_summary: str = "",
    agency: Agency | None = None,
    source: str = SIGHTLINE_SOURCE,
    external_id: str = "",
) -> StrategyDiscussion:
    """A strategy discussion. Leading to a section 47 enquiry, it starts the enquiry with
    its initial conference target (15 working days from the discussion) and, on the
    clock, decides the open strategy discussion step and opens the section 47 step."""
    child = episode.child
    recording = _recording_agency(actor, agency, child)
    _require_current(episode, "episode")
    discussion = _save(
        StrategyDiscussion(
            child=child,
            episode=episode,
            date=date,
            outcome=outcome,
            **_provenance(actor, recording, source, external_id),
        )
    )
    _chronicle(
        actor=actor,
        origin=origin,
        child=child,
        row=discussion,
        category="strategy_discussion",
        summary=f"Strategy discussion: {discussion.get_outcome_display().lower()}.",
        on=date,
    )
    _audit(
        actor, origin, AuditAction.RECORD_STRATEGY_DISCUSSION, child, discussion, outcome=outcome
    )
    if outcome == StrategyOutcome.SECTION47:
        target = deadlines.deadline(Step.INITIAL_CONFERENCE, date)
        enquiry = _save(
            Section47(
                child=child,
                episode=episode,
                strategy_discussion=discussion,
                start_date=date,
                initial_cpc_target=target.due_on,
                **_provenance(actor, recording, source, ""),
            )
        )
        _chronicle(
            actor=actor,
            origin=origin,
            child=child,
            row=enquiry,
            category="section47_started",
            summary=(
                "Section 47 enquiry started. Initial child protection conference due by "
                f"{target.due_on:%-d %B %Y} ({target.rule_version})."
            ),
            on=date,
        )
        _audit(
            actor,
            origin,
            AuditAction.RECORD_SECTION47,
            child,
            enquiry,
            start=date,
            initial_cpc_target=target.due_on,
            rule_version=target.rule_version,
        )
        _advance(
            actor=actor,
            origin=origin,
            child=child,
            on=date,
            path=[(DecisionStep.STRATEGY_DISCUSSION, Outcome.SECTION47_ENQUIRY)],
            then=[(DecisionStep.SECTION47_ENQUIRY, date)],
            reasons=reasons,
            history_considered=history_considered,
            history_summary=history_summary,
        )
    return discussion


@transaction.atomic
def record_section47(
    *,
    actor: User | None,
    origin: Origin,
    episode: EpisodeOfNeed,
    start_date: dt.date,
    initial_cpc_target: dt.date | None = None,
    date_of_initial_cpc: dt.date | None = None,
    icpc_not_required: bool = False,
    agency: Agency | None = None,
    source: str = SIGHTLINE_SOURCE,
    external_id: str = "",
) -> Section47:
    """A section 47 enquiry as a return gives it (imports); in Sightline it starts with
    its strategy discussion (``record_strategy_discussion``)."""
    child = episode.child
    recording = _recording_agency(actor, agency, child)
    _require_current(episode, "episode")
    enquiry = _save(
        Section47(
            child=child,
            episode=episode,
            start_date=start_date,
            initial_cpc_target=initial_cpc_target
            or deadlines.deadline(Step.INITIAL_CONFERENCE, start_date).due_on,
            date_of_initial_cpc=date_of_initial_cpc,
            icpc_not_required=icpc_not_required,
            **_provenance(actor, recording, source, external_id),
        )
    )
    _chronicle(
        actor=actor,
        origin=origin,
        child=child,
        row=enquiry,
        category="section47_started",
        summary="Section 47 enquiry started.",
        on=start_date,
    )
    _audit(actor, origin, AuditAction.RECORD_SECTION47, child, enquiry, start=start_date)
    return enquiry


@transaction.atomic
def conclude_section47(
    *, actor: User | None, origin: Origin, enquiry: Section47, on: dt.date
) -> Section47:
    """The enquiry concluded that no initial conference is needed (a new version with
    ``ICPCnotRequired``). The section 47 step on the clock is decided on the decisions
    page, with its outcome (child in need plan or no further action)."""
    _may_change(actor, enquiry)
    if enquiry.date_of_initial_cpc is not None:
        raise ValidationError({"icpc_not_required": "An initial conference was held."})
    concluded = _revise(actor=actor, row=enquiry, changes={"icpc_not_required": True})
    _chronicle(
        actor=actor,
        origin=origin,
        child=concluded.child,
        row=concluded,
        category="section47_outcome",
        summary="Section 47 enquiry concluded: no initial child protection conference needed.",
        on=on,
        step="end",
    )
    _audit(actor, origin, AuditAction.RECORD_SECTION47, concluded.child, concluded, concluded=on)
    return concluded


# -- conferences and child protection plans -----------------------------------------------


def _previous_plans(child: Person) -> int:
    return ChildProtectionPlan.objects.current().filter(child=child).count()


def _propose_core_group(
    actor: User | None, plan: ChildProtectionPlan, on: dt.date
) -> list[CoreGroupMember]:
    """A proposed member for each practitioner (else agency) involved with the child."""
    proposed: list[CoreGroupMember] = []
    seen: set[tuple[int | None, int]] = set()
    for involvement in (
        Involvement.objects.active_on(on)
        .filter(person=plan.child)
        .select_related("agency")
        .order_by("agency__name", "pk")
    ):
        key = (involvement.practitioner_id, involvement.agency_id)
        if key in seen:
            continue
        seen.add(key)
        proposed.append(
            _save(
                CoreGroupMember(
                    plan=plan,
                    agency=involvement.agency,
                    practitioner=involvement.practitioner,
                    proposed=True,
                    started_on=on,
                    **_provenance(actor, plan.recording_agency, SIGHTLINE_SOURCE, ""),
                )
            )
        )
    return proposed


def _start_plan(
    *,
    actor: User | None,
    origin: Origin,
    episode: EpisodeOfNeed,
    start_date: dt.date,
    initial_category: str,
    latest_category: str,
    end_date: dt.date | None,
    number_of_previous_cpp: int | None,
    recording: Agency,
    source: str,
    external_id: str,
) -> ChildProtectionPlan:
    child = episode.child
    if (
        end_date is None
        and ChildProtectionPlan.objects.current()
        .filter(child=child, end_date__isnull=True)
        .exists()
    ):
        raise ValidationError({"start_date": "This child is already on a child protection plan."})
    plan = ChildProtectionPlan(
        child=child,
        episode=episode,
        start_date=start_date,
        end_date=end_date,
        initial_category=initial_category,
        latest_category=latest_category or initial_category,
        number_of_previous_cpp=(
            _previous_plans(child) if number_of_previous_cpp is None else number_of_previous_cpp
        ),
        **_provenance(actor, recording, source, external_id),
    )
    plan.full_clean()
    plan.status_period = people_actions.record_status_period(
        actor=actor,
        person=child,
        kind=StatusKind.CHILD_PROTECTION,
        protection_category=PROTECTION_CATEGORY[plan.latest_category],
        started_on=start_date,
        ended_on=end_date,
        recorded_by_agency=recording,
        origin=origin,
    )
    plan.save()
    category = codes.label(codes.CP_CATEGORY, plan.initial_category).lower()
    _chronicle(
        actor=actor,
        origin=origin,
        child=child,
        row=plan,
        category="cp_plan_started",
        summary=f"Child protection plan started (category: {category}).",
        on=start_date,
    )
    if end_date is not None:
        _chronicle_plan_end(actor, origin, plan)
    _audit(
        actor,
        origin,
        AuditAction.START_CP_PLAN,
        child,
        plan,
        start=start_date,
        category=plan.initial_category,
        status_period=plan.status_period.pk,
    )
    return plan


def _chronicle_plan_end(actor: User | None, origin: Origin, plan: ChildProtectionPlan) -> None:
    assert plan.end_date is not None  # noqa: S101
    _chronicle(
        actor=actor,
        origin=origin,
        child=plan.child,
        row=plan,
        category="cp_plan_ended",
        summary="Child protection plan ended.",
        on=plan.end_date,
        step="end",
    )


@transaction.atomic
def record_cp_plan(
    *,
    actor: User | None,
    origin: Origin,
    episode: EpisodeOfNeed,
    start_date: dt.date,
    initial_category: str,
    latest_category: str = "",
    end_date: dt.date | None = None,
    number_of_previous_cpp: int | None = None,
    review_dates: Sequence[dt.date] = (),
    agency: Agency | None = None,
    source: str = SIGHTLINE_SOURCE,
    external_id: str = "",
) -> ChildProtectionPlan:
    """A plan as a return gives it (imports), with its review dates; in Sightline a plan
    starts at the initial conference that decides it (``record_conference``)."""
    recording = _recording_agency(actor, agency, episode.child)
    _require_current(episode, "episode")
    plan = _start_plan(
        actor=actor,
        origin=origin,
        episode=episode,
        start_date=start_date,
        initial_category=initial_category,
        latest_category=latest_category,
        end_date=end_date,
        number_of_previous_cpp=number_of_previous_cpp,
        recording=recording,
        source=source,
        external_id=external_id,
    )
    for day in review_dates:
        _save(
            ChildProtectionReview(
                plan=plan,
                review_date=day,
                **_provenance(actor, recording, source, ""),
            )
        )
    return plan


@transaction.atomic
def record_conference(
    *,
    actor: User | None,
    origin: Origin,
    episode: EpisodeOfNeed,
    kind: str,
    date: dt.date,
    outcome: str,
    category: str = "",
    plan: ChildProtectionPlan | None = None,
    section47: Section47 | None = None,
    reasons: str = "",
    history_considered: bool = False,
    history_summary: str = "",
    agency: Agency | None = None,
    source: str = SIGHTLINE_SOURCE,
    external_id: str = "",
) -> ChildProtectionConference:
    """An initial or review child protection conference and what follows from it.

    - Initial, deciding a plan: the plan starts with ``category``, the flag is raised
      (its status period), the core group is proposed from the agencies involved, and on
      the clock the first core group (10 working days) and first review (3 months) open.
    - Review, plan continues: the next review opens (6 months); a new ``category`` is
      the plan's latest category.
    - Review, plan ends: the plan ends on the day, the flag lowers under the 12-month
      rule, and the core group's access relationships end.
    """
    child = episode.child
    recording = _recording_agency(actor, agency, child)
    _require_current(episode, "episode")
    if kind == ConferenceKind.INITIAL and outcome == ConferenceOutcome.PLAN and not category:
        raise ValidationError({"category": "Give the plan's category of abuse."})
    if category and category not in codes.CP_CATEGORY:
        raise ValidationError({"category": f"{category!r} is not a known category of abuse."})
    if plan is not None:
        _require_current(plan, "plan")
        if plan.child_id != child.pk:
            raise ValidationError({"plan": "The plan is another child's."})
    if kind == ConferenceKind.REVIEW and plan is not None and plan.end_date is not None:
        raise ValidationError({"plan": "This plan has ended."})
    conference = ChildProtectionConference(
        child=child,
        episode=episode,
        section47=section47,
        plan=plan,
        kind=kind,
        date=date,
        outcome=outcome,
        **_provenance(actor, recording, source, external_id),
    )
    conference.full_clean()
    if kind == ConferenceKind.INITIAL:
        _initial_dates(actor, episode, section47, date)
        episode = EpisodeOfNeed.objects.get(pk=_current_pk(episode))
        conference.episode = episode
        if outcome == ConferenceOutcome.PLAN:
            started = _start_plan(
                actor=actor,
                origin=origin,
                episode=episode,
                start_date=date,
                initial_category=category,
                latest_category=category,
                end_date=None,
                number_of_previous_cpp=None,
                recording=recording,
                source=source,
                external_id="",
            )
            conference.plan = started
            conference.save()
            _propose_core_group(actor, started, date)
            _advance(
                actor=actor,
                origin=origin,
                child=child,
                on=date,
                path=[
                    (DecisionStep.SECTION47_ENQUIRY, Outcome.INITIAL_CONFERENCE),
                    (DecisionStep.INITIAL_CONFERENCE, Outcome.CHILD_PROTECTION_PLAN),
                ],
                then=[
                    (DecisionStep.CORE_GROUP, date),
                    (DecisionStep.FIRST_REVIEW_CONFERENCE, date),
                ],
                reasons=reasons,
                history_considered=history_considered,
                history_summary=history_summary,
            )
        else:
            conference.save()
            _advance(
                actor=actor,
                origin=origin,
                child=child,
                on=date,
                path=[
                    (DecisionStep.SECTION47_ENQUIRY, Outcome.INITIAL_CONFERENCE),
                    (DecisionStep.INITIAL_CONFERENCE, Outcome.NO_FURTHER_ACTION),
                ],
                reasons=reasons,
                history_considered=history_considered,
                history_summary=history_summary,
            )
    else:
        assert plan is not None  # noqa: S101 (clean() requires it)
        conference.save()
        _save(
            ChildProtectionReview(
                plan=plan,
                review_date=date,
                conference=conference,
                **_provenance(actor, recording, source, ""),
            )
        )
        review_steps = (DecisionStep.FIRST_REVIEW_CONFERENCE, DecisionStep.REVIEW_CONFERENCE)
        if outcome == ConferenceOutcome.CONTINUE:
            if category and category != plan.latest_category:
                plan = _revise(actor=actor, row=plan, changes={"latest_category": category})
                _follow(actor, origin, plan)
            _advance(
                actor=actor,
                origin=origin,
                child=child,
                on=date,
                path=[(step, Outcome.CONTINUE_PLAN) for step in review_steps],
                alternatives=True,
                then=[(DecisionStep.REVIEW_CONFERENCE, date)],
                reasons=reasons,
                history_considered=history_considered,
                history_summary=history_summary,
            )
        else:
            _end_plan(actor, origin, plan, date)
            _advance(
                actor=actor,
                origin=origin,
                child=child,
                on=date,
                path=[(step, Outcome.STEP_DOWN_TO_CHILD_IN_NEED) for step in review_steps],
                alternatives=True,
                reasons=reasons,
                history_considered=history_considered,
                history_summary=history_summary,
            )
    conference.refresh_from_db()
    _chronicle(
        actor=actor,
        origin=origin,
        child=child,
        row=conference,
        category=_category_of(conference),
        summary=f"{conference.get_kind_display()}: {conference.get_outcome_display().lower()}.",
        on=date,
    )
    _audit(
        actor,
        origin,
        AuditAction.RECORD_CP_CONFERENCE,
        child,
        conference,
        kind=kind,
        outcome=outcome,
        date=date,
        plan=str(conference.plan.public_id) if conference.plan else None,
    )
    return conference


def _current_pk(row: CaseRecord) -> int:
    """The pk of ``row``'s current version (after a revision in this action)."""
    pk: int = row.pk
    manager: Any = type(row)._default_manager
    while True:
        following: int | None = (
            manager.filter(supersedes_id=pk).values_list("pk", flat=True).first()
        )
        if following is None:
            return pk
        pk = following


def _initial_dates(
    actor: User | None, episode: EpisodeOfNeed, section47: Section47 | None, on: dt.date
) -> None:
    """The initial conference's date on the episode and its section 47 (census
    ``DateOfInitialCPC``), each as a new version."""
    enquiry = section47 or (
        Section47.objects.current()
        .filter(episode=episode, date_of_initial_cpc__isnull=True, icpc_not_required=False)
        .order_by("-start_date", "-pk")
        .first()
    )
    if enquiry is not None and enquiry.date_of_initial_cpc is None:
        _revise(actor=actor, row=enquiry, changes={"date_of_initial_cpc": on})
    if episode.date_of_initial_cpc is None:
        _revise(actor=actor, row=episode, changes={"date_of_initial_cpc": on})


def _end_relationship(
    actor: User | None, origin: Origin, relationship: CaseRelationship, on: dt.date
) -> None:
    if relationship.ended_on is None or relationship.ended_on > on:
        access_actions.end_case_relationship(
            actor=None if actor is None else actor,
            relationship=relationship,
            ended_on=max(on, relationship.started_on),
            origin=origin,
        )


def _end_plan(
    actor: User | None, origin: Origin, plan: ChildProtectionPlan, end_date: dt.date
) -> ChildProtectionPlan:
    ended = _revise(actor=actor, row=plan, changes={"end_date": end_date})
    _follow(actor, origin, ended)
    for member in CoreGroupMember.objects.current().filter(plan=ended, ended_on__isnull=True):
        closed = _revise(
            actor=actor, row=member, changes={"ended_on": max(end_date, member.started_on)}
        )
        if closed.relationship is not None:
            _end_relationship(actor, origin, closed.relationship, end_date)
    _chronicle_plan_end(actor, origin, ended)
    _audit(actor, origin, AuditAction.END_CP_PLAN, ended.child, ended, end=end_date)
    return ended


@transaction.atomic
def end_cp_plan(
    *, actor: User | None, origin: Origin, plan: ChildProtectionPlan, end_date: dt.date
) -> ChildProtectionPlan:
    """End a plan outside a review conference (the child moved away, an import)."""
    _may_change(actor, plan)
    if plan.end_date is not None:
        raise ValidationError({"end_date": "This plan has already ended."})
    return _end_plan(actor, origin, plan, end_date)


# -- core group ------------------------------------------------------------------------------


@transaction.atomic
def add_core_group_member(
    *,
    actor: User | None,
    origin: Origin,
    plan: ChildProtectionPlan,
    started_on: dt.date,
    person: Person | None = None,
    agency: Agency | None = None,
    practitioner: User | None = None,
) -> CoreGroupMember:
    """A family member, an agency or a practitioner joins the core group. A practitioner
    gets the dated access relationship the access rules read (core group member)."""
    _may_change_plan(actor, plan)
    _require_current(plan, "plan")
    if practitioner is not None and agency is None:
        agency = practitioner.agency
    member = _save(
        CoreGroupMember(
            plan=plan,
            person=person,
            agency=agency,
            practitioner=practitioner,
            started_on=started_on,
            **_provenance(actor, plan.recording_agency, SIGHTLINE_SOURCE, ""),
        )
    )
    _give_relationship(actor, origin, member)
    _audit(
        actor,
        origin,
        AuditAction.RECORD_CORE_GROUP,
        plan.child,
        member,
        added=str(member),
        started_on=started_on,
    )
    return member


def _may_change_plan(actor: User | None, plan: ChildProtectionPlan) -> None:
    if actor is not None and not decisions_access.can_decide(actor, plan.child):
        raise PermissionDenied("You cannot record the case for this child.")


def _give_relationship(actor: User | None, origin: Origin, member: CoreGroupMember) -> None:
    if member.practitioner is None or member.relationship is not None:
        return
    try:
        relationship = access_actions.record_case_relationship(
            actor=actor,
            person=member.plan.child,
            practitioner=member.practitioner,
            role=CaseRole.CORE_GROUP_MEMBER,
            started_on=member.started_on,
            ended_on=member.ended_on,
            origin=origin,
        )
    except access_actions.AccessActionError as error:
        raise ValidationError({"practitioner": str(error)}) from None
    CoreGroupMember.objects.filter(pk=member.pk).update(relationship=relationship)
    member.relationship = relationship


@transaction.atomic
def confirm_core_group_member(
    *, actor: User | None, origin: Origin, member: CoreGroupMember
) -> CoreGroupMember:
    """A proposed member confirmed: they are in the core group, with its access."""
    _may_change_plan(actor, member.plan)
    _require_current(member, "member")
    if not member.proposed:
        raise ValidationError({"member": "This member is already confirmed."})
    CoreGroupMember.objects.filter(pk=member.pk).update(proposed=False)
    member.proposed = False
    _give_relationship(actor, origin, member)
    _audit(actor, origin, AuditAction.RECORD_CORE_GROUP, member.plan.child, member, confirmed=True)
    return member


@transaction.atomic
def end_core_group_member(
    *, actor: User | None, origin: Origin, member: CoreGroupMember, ended_on: dt.date
) -> CoreGroupMember:
    _may_change_plan(actor, member.plan)
    if member.ended_on is not None:
        raise ValidationError({"ended_on": "This membership has already ended."})
    ended = _revise(actor=actor, row=member, changes={"ended_on": ended_on})
    if ended.relationship is not None:
        _end_relationship(actor, origin, ended.relationship, ended_on)
    _audit(actor, origin, AuditAction.RECORD_CORE_GROUP, ended.plan.child, ended, ended_on=ended_on)
    return ended


# -- looked after -------------------------------------------------------------------------


def _open_lac(child: Person) -> LookedAfterEpisode | None:
    return (
        LookedAfterEpisode.objects.current()
        .filter(child=child, dec__isnull=True)
        .order_by("-decom", "-pk")
        .first()
    )


def _lac_summary(episode: LookedAfterEpisode) -> str:
    status = codes.label(codes.LEGAL_STATUS, episode.ls)
    place = codes.label(codes.PLACEMENT, episode.place)
    return f"Legal status: {status}. Placement: {place}."


@transaction.atomic
def start_looked_after(
    *,
    actor: User | None,
    origin: Origin,
    child: Person,
    decom: dt.date,
    ls: str,
    cin: str,
    place: str,
    place_provider: str = "",
    home_post: str = "",
    pl_post: str = "",
    urn: str = "",
    rne: str = "S",
    dec: dt.date | None = None,
    rec: str = "",
    reason_place_change: str = "",
    status_period: StatusPeriod | None = None,
    agency: Agency | None = None,
    source: str = SIGHTLINE_SOURCE,
    external_id: str = "",
) -> LookedAfterEpisode:
    """A child becomes looked after (``RNE`` = ``S``): the episode starts, the flag is
    raised (a status period of kind looked after) and, on the clock, the first
    looked-after review (20 working days) opens. Imports may give any episode whole
    (``rne``, ``dec``, ``rec``); episodes of one period of care share its status period."""
    recording = _recording_agency(actor, agency, child)
    if dec is None and _open_lac(child) is not None:
        raise ValidationError(
            {"decom": "This child is already looked after; change or end the episode."}
        )
    episode = LookedAfterEpisode(
        child=child,
        decom=decom,
        rne=rne,
        ls=ls,
        cin=cin,
        place=place,
        place_provider=place_provider,
        dec=dec,
        rec=rec,
        reason_place_change=reason_place_change,
        home_post=home_post,
        pl_post=pl_post,
        urn=urn,
        **_provenance(actor, recording, source, external_id),
    )
    episode.full_clean()
    if status_period is None:
        status_period = people_actions.record_status_period(
            actor=actor,
            person=child,
            kind=StatusKind.LOOKED_AFTER,
            started_on=decom,
            ended_on=dec if dec is not None and rec != NEW_EPISODE_FOLLOWS else None,
            recorded_by_agency=recording,
            origin=origin,
        )
    episode.status_period = status_period
    episode.save()
    if status_period is not None and dec is not None:
        _follow_period_of_care(actor, origin, status_period)
    _chronicle(
        actor=actor,
        origin=origin,
        child=child,
        row=episode,
        category="looked_after_started" if rne == "S" else "looked_after_changed",
        summary=("Became looked after. " if rne == "S" else "New looked-after episode. ")
        + _lac_summary(episode),
        on=decom,
    )
    if dec is not None and rec != NEW_EPISODE_FOLLOWS:
        _chronicle_lac_end(actor, origin, episode)
    if rne == "S" and dec is None:
        clock = _on_the_clock(actor, child)
        if (
            clock is not None
            and decom <= timezone.localdate()
            and not (
                DecisionPoint.objects.open()
                .filter(child=child, step=DecisionStep.LOOKED_AFTER_FIRST_REVIEW.value)
                .exists()
            )
        ):
            decisions.open_decision_point(
                actor=clock,
                origin=origin,
                child=child,
                step=DecisionStep.LOOKED_AFTER_FIRST_REVIEW.value,
                started_on=decom,
            )
    _audit(
        actor,
        origin,
        AuditAction.START_LOOKED_AFTER,
        child,
        episode,
        decom=decom,
        ls=ls,
        place=place,
    )
    return episode


def _chronicle_lac_end(actor: User | None, origin: Origin, episode: LookedAfterEpisode) -> None:
    assert episode.dec is not None  # noqa: S101
    reason = codes.label(codes.REASON_EPISODE_CEASED, episode.rec)
    _chronicle(
        actor=actor,
        origin=origin,
        child=episode.child,
        row=episode,
        category="looked_after_ended",
        summary=f"Stopped being looked after: {reason}.",
        on=episode.dec,
        step="end",
    )


def reason_new_episode(
    *, legal_status_changed: bool, placement_changed: bool, same_carer: bool
) -> str:
    """The 903 ``RNE`` of an episode that follows another (pure)."""
    if legal_status_changed and placement_changed:
        return "U" if same_carer else "B"
    if legal_status_changed:
        return "L"
    if placement_changed:
        return "T" if same_carer else "P"
    raise ValidationError({"ls": "Change the legal status or the placement."})


@transaction.atomic
def change_looked_after(
    *,
    actor: User | None,
    origin: Origin,
    episode: LookedAfterEpisode,
    on: dt.date,
    ls: str = "",
    place: str = "",
    place_provider: str = "",
    pl_post: str = "",
    urn: str = "",
    reason_place_change: str = "",
    same_carer: bool = False,
) -> LookedAfterEpisode:
    """A change of legal status or placement: the current episode ends on ``on`` with
    ``REC`` = ``X1`` and a new one starts the same day with the right ``RNE`` (as the
    return counts them). Fields not given carry over."""
    _may_change(actor, episode)
    _require_current(episode, "episode")
    if episode.dec is not None:
        raise ValidationError({"episode": "This episode has ended."})
    if on < episode.decom:
        raise ValidationError(
            {
                "on": "The change cannot be before the episode started "
                f"({dates.long_date(episode.decom)})."
            }
        )
    new_ls = ls or episode.ls
    new_place = place or episode.place
    placement_changed = new_place != episode.place or bool(
        place and (place_provider or pl_post or urn)
    )
    rne = reason_new_episode(
        legal_status_changed=new_ls != episode.ls,
        placement_changed=placement_changed,
        same_carer=same_carer,
    )
    ended = _revise(actor=actor, row=episode, changes={"dec": on, "rec": NEW_EPISODE_FOLLOWS})
    following = LookedAfterEpisode(
        child=episode.child,
        decom=on,
        rne=rne,
        ls=new_ls,
        cin=episode.cin,
        place=new_place,
        place_provider=place_provider or (episode.place_provider if not placement_changed else ""),
        home_post=episode.home_post,
        pl_post=pl_post or (episode.pl_post if not placement_changed else ""),
        urn=urn or (episode.urn if not placement_changed else ""),
        reason_place_change=reason_place_change if placement_changed else "",
        status_period=episode.status_period,
        **_provenance(actor, episode.recording_agency, SIGHTLINE_SOURCE, ""),
    )
    _save(following)
    _chronicle(
        actor=actor,
        origin=origin,
        child=episode.child,
        row=following,
        category="looked_after_changed",
        summary=f"{codes.label(codes.REASON_NEW_EPISODE, rne)}. " + _lac_summary(following),
        on=on,
    )
    _audit(
        actor,
        origin,
        AuditAction.CHANGE_LOOKED_AFTER,
        episode.child,
        following,
        ended=str(ended.public_id),
        rne=rne,
        ls=new_ls,
        place=new_place,
        on=on,
    )
    return following


@transaction.atomic
def end_looked_after(
    *, actor: User | None, origin: Origin, episode: LookedAfterEpisode, dec: dt.date, rec: str
) -> LookedAfterEpisode:
    """The child ceases to be looked after (``REC`` other than ``X1``): the episode ends
    and the flag lowers under the 12-month rule."""
    _may_change(actor, episode)
    if episode.dec is not None:
        raise ValidationError({"dec": "This episode has already ended."})
    if rec == NEW_EPISODE_FOLLOWS:
        raise ValidationError({"rec": "A new episode follows: record the change instead."})
    ended = _revise(actor=actor, row=episode, changes={"dec": dec, "rec": rec})
    if ended.status_period is not None:
        _follow_period_of_care(actor, origin, ended.status_period)
    _chronicle_lac_end(actor, origin, ended)
    _audit(actor, origin, AuditAction.END_LOOKED_AFTER, ended.child, ended, dec=dec, rec=rec)
    return ended


@transaction.atomic
def record_looked_after_review(
    *,
    actor: User | None,
    origin: Origin,
    child: Person,
    review: dt.date,
    review_code: str,
    reasons: str = "",
    agency: Agency | None = None,
    source: str = SIGHTLINE_SOURCE,
    external_id: str = "",
) -> LookedAfterReview:
    """A looked-after review with the child's participation; on the clock, the open
    review step is decided (plan continues) and the next review opens."""
    recording = _recording_agency(actor, agency, child)
    row = _save(
        LookedAfterReview(
            child=child,
            review=review,
            review_code=review_code,
            **_provenance(actor, recording, source, external_id),
        )
    )
    _chronicle(
        actor=actor,
        origin=origin,
        child=child,
        row=row,
        category="looked_after_review",
        summary=f"Looked-after review. {codes.label(codes.REVIEW_PARTICIPATION, review_code)}.",
        on=review,
    )
    if _open_lac(child) is not None:
        steps = (
            DecisionStep.LOOKED_AFTER_FIRST_REVIEW,
            DecisionStep.LOOKED_AFTER_SECOND_REVIEW,
            DecisionStep.LOOKED_AFTER_LATER_REVIEW,
        )
        _advance(
            actor=actor,
            origin=origin,
            child=child,
            on=review,
            path=[(step, Outcome.CONTINUE_PLAN) for step in steps],
            alternatives=True,
            reasons=reasons,
        )
    _audit(actor, origin, AuditAction.RECORD_LOOKED_AFTER_REVIEW, child, row, review=review)
    return row


@transaction.atomic
def record_missing_episode(
    *,
    actor: User | None,
    origin: Origin,
    child: Person,
    missing: str,
    mis_start: dt.date,
    mis_end: dt.date | None = None,
    rhi_offered: bool | None = None,
    rhi_accepted: bool | None = None,
    agency: Agency | None = None,
    source: str = SIGHTLINE_SOURCE,
    external_id: str = "",
) -> MissingEpisode:
    """Missing from care or away without authorisation; once the child is back, whether
    a return interview was offered and accepted (when known)."""
    recording = _recording_agency(actor, agency, child)
    row = _save(
        MissingEpisode(
            child=child,
            missing=missing,
            mis_start=mis_start,
            mis_end=mis_end,
            rhi_offered=rhi_offered,
            rhi_accepted=rhi_accepted,
            **_provenance(actor, recording, source, external_id),
        )
    )
    until = f" until {mis_end:%-d %B %Y}" if mis_end else ""
    _chronicle(
        actor=actor,
        origin=origin,
        child=child,
        row=row,
        category="missing_from_care",
        summary=f"{codes.label(codes.MISSING_KIND, missing)}{until}.",
        on=mis_start,
    )
    _audit(actor, origin, AuditAction.RECORD_MISSING_EPISODE, child, row, start=mis_start)
    return row


@transaction.atomic
def end_missing_episode(
    *,
    actor: User | None,
    origin: Origin,
    episode: MissingEpisode,
    mis_end: dt.date,
    rhi_offered: bool | None = None,
    rhi_accepted: bool | None = None,
) -> MissingEpisode:
    """The child is back: the episode ends (a new version), with the return interview
    offered and accepted when known."""
    _may_change(actor, episode)
    if episode.mis_end is not None:
        raise ValidationError({"mis_end": "This episode has already ended."})
    ended = _revise(
        actor=actor,
        row=episode,
        changes={"mis_end": mis_end, "rhi_offered": rhi_offered, "rhi_accepted": rhi_accepted},
    )
    _chronicle(
        actor=actor,
        origin=origin,
        child=ended.child,
        row=ended,
        category="missing_from_care",
        summary=f"{codes.label(codes.MISSING_KIND, ended.missing)} until {mis_end:%-d %B %Y}.",
        on=ended.mis_start,
    )
    _audit(actor, origin, AuditAction.RECORD_MISSING_EPISODE, ended.child, ended, end=mis_end)
    return ended


# -- allocation ---------------------------------------------------------------------------


def _may_allocate(actor: User | None, child: Person) -> None:
    if actor is None:
        return
    if decisions_access.is_manager(actor) or decisions_access.can_decide(actor, child):
        return
    raise PermissionDenied("Only children's social care managers and workers allocate cases.")


def _open_allocations(child: Person) -> list[Allocation]:
    return list(
        Allocation.objects.current()
        .filter(child=child, end_date__isnull=True)
        .select_related("involvement")
        .order_by("start_date", "pk")
    )


def _end_allocation(
    actor: User | None, origin: Origin, allocation: Allocation, end_date: dt.date, reason: str
) -> Allocation:
    ended = _revise(
        actor=actor,
        row=allocation,
        changes={"end_date": max(end_date, allocation.start_date), "reason_for_change": reason},
    )
    if ended.involvement is not None and ended.involvement.ended_on is None:
        people_actions.end_involvement(
            actor=actor,
            involvement=ended.involvement,
            ended_on=ended.end_date or end_date,
            origin=origin,
        )
    _audit(
        actor,
        origin,
        AuditAction.END_ALLOCATION,
        ended.child,
        ended,
        end=end_date,
        reason=reason,
    )
    return ended


@transaction.atomic
def allocate(
    *,
    actor: User | None,
    origin: Origin,
    child: Person,
    start_date: dt.date,
    worker: User | None = None,
    team: Team | None = None,
    reason_for_change: str = "",
    agency: Agency | None = None,
    source: str = SIGHTLINE_SOURCE,
    external_id: str = "",
) -> Allocation:
    """Allocate (or reallocate) the child to a worker and/or team from ``start_date``.

    The open allocation ends the same day with ``reason_for_change``, and its worker's
    allocated-social-worker involvement ends with it; the new worker's starts. That
    involvement is the dated relationship the access rules read (``record.rules``)."""
    _may_allocate(actor, child)
    if worker is None and team is None:
        raise ValidationError({"worker": "Choose a worker or a team."})
    if worker is not None and (not worker.is_active or worker.agency is None):
        raise ValidationError({"worker": f"{worker} cannot be allocated a case."})
    team = team or (worker.team if worker is not None else None)
    owner = (team.agency if team is not None else None) or (worker.agency if worker else None)
    recording = agency or (actor.agency if actor is not None and actor.agency else owner)
    if recording is None:
        raise ValidationError({"agency": "Name the agency recording this."})
    current = _open_allocations(child)
    for previous in current:
        if start_date < previous.start_date:
            raise ValidationError(
                {
                    "start_date": "The current allocation started on "
                    f"{dates.long_date(previous.start_date)}."
                }
            )
    if current and not reason_for_change.strip():
        raise ValidationError({"reason_for_change": "Say why the case is reallocated."})
    allocation = Allocation(
        child=child,
        worker=worker,
        team=team,
        start_date=start_date,
        **_provenance(actor, recording, source, external_id),
    )
    allocation.full_clean()
    for previous in current:
        _end_allocation(actor, origin, previous, start_date, reason_for_change.strip())
    if worker is not None:
        assert worker.agency is not None  # noqa: S101
        allocation.involvement = people_actions.record_involvement(
            actor=actor,
            person=child,
            agency=worker.agency,
            practitioner=worker,
            role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
            started_on=start_date,
            origin=origin,
        )
    allocation.save()
    who = (worker.get_full_name() or worker.username) if worker else ""
    to = " of ".join(part for part in (who, team.name if team else "") if part)
    _chronicle(
        actor=actor,
        origin=origin,
        child=child,
        row=allocation,
        category="worker_allocated",
        summary=f"Allocated to {to}."
        + (f" Reason for change: {reason_for_change.strip()}." if current else ""),
        on=start_date,
    )
    _audit(
        actor,
        origin,
        AuditAction.ALLOCATE_CASE,
        child,
        allocation,
        worker=worker.username if worker else None,
        team=team.pk if team else None,
        start=start_date,
        ended=[str(a.public_id) for a in current],
    )
    return allocation


@transaction.atomic
def end_allocation(
    *, actor: User | None, origin: Origin, allocation: Allocation, end_date: dt.date, reason: str
) -> Allocation:
    """End an allocation without a new one (the case closes, or is transferred out)."""
    _may_allocate(actor, allocation.child)
    _require_current(allocation, "allocation")
    if allocation.end_date is not None:
        raise ValidationError({"end_date": "This allocation has already ended."})
    if end_date < allocation.start_date:
        raise ValidationError({"end_date": "The end date is before the allocation started."})
    return _end_allocation(actor, origin, allocation, end_date, reason.strip())


__all__ = [
    "add_core_group_member",
    "allocate",
    "authorise_assessment",
    "change_looked_after",
    "close_episode_of_need",
    "conclude_section47",
    "confirm_core_group_member",
    "correct",
    "end_allocation",
    "end_cin_plan",
    "end_core_group_member",
    "end_cp_plan",
    "end_looked_after",
    "end_missing_episode",
    "open_episode_from_referral",
    "open_episode_of_need",
    "reason_new_episode",
    "record_assessment",
    "record_conference",
    "record_cp_plan",
    "record_looked_after_review",
    "record_missing_episode",
    "record_section47",
    "record_strategy_discussion",
    "start_cin_plan",
    "start_looked_after",
    "withdraw",
]


# -- family and household ---------------------------------------------------------------


@transaction.atomic
def record_family_member(
    *,
    actor: User | None,
    origin: Origin,
    child: Person,
    relative: Person,
    kind: str,
    lives_with: bool = False,
    started_on: dt.date | None = None,
) -> Relationship:
    """``relative`` is ``kind`` (parent, carer, sibling...) of ``child``, recorded by
    children's social care for the child's case: ``people.actions.record_relationship``
    (its audit row), after the same check as allocating."""
    _may_allocate(actor, child)
    if relative.pk == child.pk:
        raise ValidationError({"relative": "Choose someone other than the child."})
    return people_actions.record_relationship(
        actor=actor,
        origin=origin,
        person=relative,
        relative=child,
        kind=kind,
        lives_with=lives_with,
        started_on=started_on,
        source_agency=actor.agency if actor is not None else None,
    )


@transaction.atomic
def end_family_member(
    *,
    actor: User | None,
    origin: Origin,
    child: Person,
    relative: Person,
    kind: str,
    ended_on: dt.date,
    reason: str,
) -> Relationship:
    """The child's current ``kind`` relationship with ``relative`` ends on ``ended_on``
    (``people.actions.end_relationship``: the row stays as history; refused naming the
    field for a date in the future or before its start)."""
    relationship = (
        Relationship.objects.filter(
            person=relative, relative=child, kind=kind, ended_on__isnull=True
        )
        .order_by("-started_on", "-pk")
        .first()
    )
    if relationship is None:
        _may_allocate(actor, child)
        raise ValidationError({"relative": "No current relationship of that kind with the child."})
    return end_family_relationship(
        actor=actor,
        origin=origin,
        child=child,
        relationship=relationship,
        ended_on=ended_on,
        reason=reason,
    )


@transaction.atomic
def end_family_relationship(
    *,
    actor: User | None,
    origin: Origin,
    child: Person,
    relationship: Relationship,
    ended_on: dt.date,
    reason: str,
) -> Relationship:
    """One of the child's relationships (either side of it the child) ends on
    ``ended_on``, after the same check as allocating: the one path for the case page and
    the API (``people.actions.end_relationship`` writes the row and its audit)."""
    _may_allocate(actor, child)
    if child.pk not in (relationship.person_id, relationship.relative_id):
        raise ValidationError({"relative": "That relationship is not one of the child's."})
    return people_actions.end_relationship(
        actor=actor, origin=origin, relationship=relationship, ended_on=ended_on, reason=reason
    )
