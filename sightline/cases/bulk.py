"""Writing many new case rows at once, for the imports of the national returns.

``create_in_bulk`` writes what the case actions (``cases.actions``) write for each new
row of a return, for a whole file at a time: the same validation (the model's fields and
``clean``, and the action's "one open at a time" rule), the same rows (with the status
periods of plans), one chronology event per recorded step with the same event ids,
categories and summaries, and an audit row per case row and per status period, as the
actions give them. What differs is how: one ``bulk_create`` per model, one
``record_events`` per file (so the events carry one import audit row, as a person-record
import's do) and one ``append_audit``. Like any import, it starts no statutory clock.

It only creates: corrections and withdrawals of rows already held go through
``cases.actions.correct`` and ``withdraw`` one at a time (a monthly re-import changes few).

``allocate_in_bulk`` does the same for allocations of workers (``cases.actions.allocate``
and ``end_allocation``), for the demo's load.
"""

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sightline.accounts.models import User
from sightline.agencies.models import Agency
from sightline.audit.actions import Origin, append_audit, new_audit_event
from sightline.audit.models import AuditAction, AuditEvent
from sightline.cases.actions import (
    NEW_EPISODE_FOLLOWS,
    PROTECTION_CATEGORY,
    _agency_record,
    _closure_summary,
    _follow_period_of_care,
    _lac_summary,
)
from sightline.cases.models import (
    SIGHTLINE_SOURCE,
    Allocation,
    CaseRecord,
    ChildProtectionPlan,
    ChildProtectionReview,
    CINAssessment,
    CINPlan,
    EpisodeOfNeed,
    LookedAfterEpisode,
    LookedAfterReview,
    MissingEpisode,
    Section47,
)
from sightline.chronology.actions import record_events
from sightline.deadlines import queries as deadlines
from sightline.deadlines.rules import Step
from sightline.importing.rows import EventRow
from sightline.people.actions import refresh_identities
from sightline.people.identity import OPEN_CASE_KINDS
from sightline.people.models import (
    Involvement,
    InvolvementRole,
    Person,
    SourceRecord,
    StatusKind,
    StatusPeriod,
)
from sightline.returns import codes

# Rows per INSERT statement.
_BATCH = 1_000
# The foreign keys ``clean_fields`` would check with one query each: the bulk path sets
# them from rows it holds, so they exist.
_FOREIGN_KEYS = (
    "child",
    "episode",
    "plan",
    "recording_agency",
    "recorded_by",
    "referral",
    "status_period",
)


@dataclass(frozen=True)
class Pending:
    """A new case row (not saved), where the file gave it (for error messages), and for a
    child protection plan its review dates."""

    place: str
    row: CaseRecord
    review_dates: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class _Event:
    child_id: int
    row: CaseRecord
    category: str
    summary: str
    on: dt.date
    step: str = ""


# The action's rule "one open at a time": model → (the field left empty while open, message).
_ONE_OPEN: dict[type[CaseRecord], tuple[str, str, str]] = {
    EpisodeOfNeed: (
        "closure_date",
        "referral_date",
        "This child already has an open episode of need; close it first.",
    ),
    CINPlan: ("end_date", "start_date", "This child already has an open child in need plan."),
    ChildProtectionPlan: (
        "end_date",
        "start_date",
        "This child is already on a child protection plan.",
    ),
    LookedAfterEpisode: (
        "dec",
        "decom",
        "This child is already looked after; change or end the episode.",
    ),
}


def _overlaps(pending: Sequence[Pending]) -> None:
    """Looked-after episodes of one child do not overlap (one may start the day another
    ends): ``LookedAfterEpisode._check_overlap`` for the whole file, held and new alike."""
    new: list[Any] = [p.row for p in pending]
    children = {e.child_id for e in new}
    by_child: dict[int, list[Any]] = defaultdict(list)
    for held in LookedAfterEpisode.objects.current().filter(child_id__in=children):
        by_child[held.child_id].append(held)
    for episode in new:
        by_child[episode.child_id].append(episode)
    for item in pending:
        episode = item.row
        assert isinstance(episode, LookedAfterEpisode)  # noqa: S101
        episode.overlap_checked = True  # type: ignore[attr-defined]
        if episode.decom is None:
            continue
        clashes = [
            other
            for other in by_child[episode.child_id]
            if other is not episode
            and (other.dec is None or other.dec > episode.decom)
            and (episode.dec is None or other.decom < episode.dec)
        ]
        if clashes:
            found = min(clashes, key=lambda e: e.decom)
            until = f"{found.dec:%Y-%m-%d}" if found.dec else "open"
            raise ValidationError(
                f"{item.place}: decom: This episode overlaps the child's looked-after episode "
                f"from {found.decom:%Y-%m-%d} ({until})."
            )


def _validate(pending: Sequence[Pending]) -> None:
    if pending and isinstance(pending[0].row, LookedAfterEpisode):
        _overlaps(pending)
    for item in pending:
        row = item.row
        try:
            row.clean_fields(exclude=[f for f in _FOREIGN_KEYS if hasattr(row, f"{f}_id")])
            row.clean()
        except ValidationError as error:
            raise ValidationError(f"{item.place}: {_text(error)}") from error


def _text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(m)}" for field, m in error.message_dict.items())
    return " ".join(error.messages)


def _check_one_open(model: type[CaseRecord], pending: Sequence[Pending]) -> None:
    rule = _ONE_OPEN.get(model)
    if rule is None:
        return
    open_field, start_field, message = rule
    opening = [p for p in pending if getattr(p.row, open_field) is None]
    children = {p.row.child_id for p in opening}  # type: ignore[attr-defined]
    already = set(
        model.objects.current()
        .filter(child_id__in=children, **{f"{open_field}__isnull": True})
        .values_list("child_id", flat=True)
    )
    for item in sorted(opening, key=lambda p: getattr(p.row, start_field)):
        child_id = item.row.child_id  # type: ignore[attr-defined]
        if child_id in already:
            raise ValidationError(f"{item.place}: {start_field}: {message}")
        already.add(child_id)


def _previous_plans(pending: Sequence[Pending]) -> None:
    """A plan the file gives no number of previous plans gets the action's count: the
    child's plans recorded before it."""
    asking = [p for p in pending if p.row.number_of_previous_cpp is None]  # type: ignore[attr-defined]
    if not asking:
        return
    children = {p.row.child_id for p in asking}  # type: ignore[attr-defined]
    counts: dict[int, int] = defaultdict(int)
    for child_id in (
        ChildProtectionPlan.objects.current()
        .filter(child_id__in=children)
        .values_list("child_id", flat=True)
    ):
        counts[child_id] += 1
    for item in pending:
        plan = item.row
        assert isinstance(plan, ChildProtectionPlan)  # noqa: S101
        if plan.number_of_previous_cpp is None:
            plan.number_of_previous_cpp = counts[plan.child_id]
        counts[plan.child_id] += 1


def _status_periods(
    model: type[CaseRecord],
    pending: Sequence[Pending],
    origin: Origin,
    audits: list[AuditEvent],
    follow: list[StatusPeriod],
) -> set[int]:
    """The plans' status periods (as ``people.actions.record_status_period``); the persons."""
    if model is LookedAfterEpisode:
        return _periods_of_care(pending, origin, audits, follow)
    if model not in (CINPlan, ChildProtectionPlan):
        return set()
    periods = []
    for item in pending:
        plan: Any = item.row
        protection = model is ChildProtectionPlan
        periods.append(
            StatusPeriod(
                person_id=plan.child_id,
                kind=StatusKind.CHILD_PROTECTION if protection else StatusKind.CHILD_IN_NEED,
                protection_category=PROTECTION_CATEGORY[plan.latest_category] if protection else "",
                started_on=plan.start_date,
                ended_on=plan.end_date,
                recorded_by_agency=plan.recording_agency,
            )
        )
    StatusPeriod.objects.bulk_create(periods, batch_size=_BATCH)
    for item, period in zip(pending, periods, strict=True):
        item.row.status_period = period  # type: ignore[attr-defined]
        audits.append(_status_audit(period, origin))
    return {p.person_id for p in periods}


def _status_audit(period: StatusPeriod, origin: Origin) -> AuditEvent:
    """The audit row ``people.actions.record_status_period`` writes."""
    return new_audit_event(
        actor=None,
        action=AuditAction.RECORD_STATUS,
        origin=origin,
        person_id=period.person_id,
        detail={
            "status_period": period.pk,
            "kind": period.kind,
            "started_on": period.started_on.isoformat(),
        },
    )


def _periods_of_care(
    pending: Sequence[Pending],
    origin: Origin,
    audits: list[AuditEvent],
    follow: list[StatusPeriod],
) -> set[int]:
    """Looked-after episodes of one period of care share its status period: an episode
    starting one (``RNE`` S) gets a new period, any other the period of the child's episode
    before it (in the file, else already held). A period runs from its first episode's
    start to its last episode's end, unless a new episode follows (``REC`` X1)."""
    episodes: list[Any] = sorted((p.row for p in pending), key=lambda e: (e.child_id, e.decom))
    children = {e.child_id for e in episodes}
    held: dict[int, list[LookedAfterEpisode]] = defaultdict(list)
    for episode in (
        LookedAfterEpisode.objects.current()
        .filter(child_id__in=children, status_period__isnull=False)
        .select_related("status_period")
        .order_by("decom", "pk")
    ):
        held[episode.child_id].append(episode)
    new_periods: dict[int, StatusPeriod] = {}  # id() of the period → period
    members: dict[int, list[Any]] = defaultdict(list)
    followed: dict[int, StatusPeriod] = {}  # held periods a new episode joins
    last_in_file: dict[int, Any] = {}
    for episode in episodes:
        period: StatusPeriod | None
        if episode.rne == "S":
            period = StatusPeriod(
                person_id=episode.child_id,
                kind=StatusKind.LOOKED_AFTER,
                started_on=episode.decom,
                recorded_by_agency=episode.recording_agency,
            )
            new_periods[id(period)] = period
        else:
            before = last_in_file.get(episode.child_id)
            earlier = [e for e in held.get(episode.child_id, []) if e.decom < episode.decom]
            if before is not None and (not earlier or earlier[-1].decom < before.decom):
                period = before.status_period
            elif earlier:
                period = earlier[-1].status_period
                if period is not None and episode.dec is not None:
                    followed[period.pk] = period
            else:
                period = None
        episode.status_period = period
        if period is not None and id(period) in new_periods:
            members[id(period)].append(episode)
        last_in_file[episode.child_id] = episode
    for key, period in new_periods.items():
        listed = members[key]
        period.started_on = listed[0].decom
        last = listed[-1]
        period.ended_on = (
            last.dec if last.dec is not None and last.rec != NEW_EPISODE_FOLLOWS else None
        )
    periods = list(new_periods.values())
    StatusPeriod.objects.bulk_create(periods, batch_size=_BATCH)
    for episode in episodes:
        if episode.status_period is not None:
            episode.status_period = episode.status_period  # its key, now it is saved
    audits.extend(_status_audit(period, origin) for period in periods)
    follow.extend(followed.values())
    return {p.person_id for p in periods}


# The chronology steps each kind of case row records: (category, the row's date field,
# "end" for the step that ends it). One table for the bulk writer (``_steps``) and for
# whatever must know which events an import of a return writes (the demo, which leaves
# those steps to the import: ``demo.returns.imported_steps``). Looked-after episodes are
# read by ``step_dates`` itself: their first step depends on the reason the episode began.
_STEP_DATES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "episode": (("referral", "referral_date", ""), ("case_closed", "closure_date", "end")),
    "assessment": (
        ("assessment_started", "start_date", ""),
        ("assessment_completed", "authorisation_date", "end"),
    ),
    "cin_plan": (("cin_plan_started", "start_date", ""), ("cin_plan_ended", "end_date", "end")),
    "section47": (("section47_started", "start_date", ""),),
    "cp_plan": (("cp_plan_started", "start_date", ""), ("cp_plan_ended", "end_date", "end")),
    "looked_after_review": (("looked_after_review", "review", ""),),
    "missing": (("missing_from_care", "mis_start", ""),),
}
_KIND_OF: dict[type, str] = {
    EpisodeOfNeed: "episode",
    CINAssessment: "assessment",
    CINPlan: "cin_plan",
    Section47: "section47",
    ChildProtectionPlan: "cp_plan",
    LookedAfterEpisode: "looked_after",
    LookedAfterReview: "looked_after_review",
    MissingEpisode: "missing",
}


def step_dates(kind: str, row: Any) -> list[tuple[str, dt.date, str]]:
    """(category, day, step) of each chronology step a case row of ``kind`` records, for a
    model row or a parsed return row with the same field names. Pure."""
    found: list[tuple[str, dt.date | None, str]]
    if kind == "looked_after":
        started = "looked_after_started" if row.rne == "S" else "looked_after_changed"
        found = [(started, row.decom, "")]
        if row.rec != NEW_EPISODE_FOLLOWS:  # X1: a new episode follows, the care goes on
            found.append(("looked_after_ended", row.dec, "end"))
    else:
        found = [(c, getattr(row, name), step) for c, name, step in _STEP_DATES[kind]]
    return [(category, day, step) for category, day, step in found if day is not None]


def _summary(row: Any, category: str) -> str:
    """The chronology summary the case action writes for ``category`` of ``row``."""
    match category:
        case "referral":
            source = codes.label(codes.REFERRAL_SOURCE, row.referral_source)
            return f"Referral received (source: {source}); episode of need opened."
        case "case_closed":
            return _closure_summary(row)
        case "assessment_started":
            return "Child and family assessment started."
        case "assessment_completed":
            factors = ", ".join(codes.label(codes.ASSESSMENT_FACTOR, f) for f in row.factors)
            return f"Child and family assessment authorised. Factors: {factors or 'none given'}."
        case "cin_plan_started":
            return "Child in need plan started."
        case "cin_plan_ended":
            return "Child in need plan ended."
        case "section47_started":
            return "Section 47 enquiry started."
        case "cp_plan_started":
            category_name = codes.label(codes.CP_CATEGORY, row.initial_category).lower()
            return f"Child protection plan started (category: {category_name})."
        case "cp_plan_ended":
            return "Child protection plan ended."
        case "looked_after_started":
            return "Became looked after. " + _lac_summary(row)
        case "looked_after_changed":
            return "New looked-after episode. " + _lac_summary(row)
        case "looked_after_ended":
            reason = codes.label(codes.REASON_EPISODE_CEASED, row.rec)
            return f"Stopped being looked after: {reason}."
        case "looked_after_review":
            participation = codes.label(codes.REVIEW_PARTICIPATION, row.review_code)
            return f"Looked-after review. {participation}."
        case "missing_from_care":
            until = f" until {row.mis_end:%-d %B %Y}" if row.mis_end else ""
            return f"{codes.label(codes.MISSING_KIND, row.missing)}{until}."
    raise ValueError(category)


def _steps(row: CaseRecord) -> list[_Event]:
    """The chronology steps the case action records for a new ``row``."""
    child_id: int = row.child_id  # type: ignore[attr-defined]
    kind = _KIND_OF.get(type(row))
    if kind is None:
        return []
    return [
        _Event(child_id, row, category, _summary(row, category), day, step)
        for category, day, step in step_dates(kind, row)
    ]


def _audit_of(row: CaseRecord, origin: Origin) -> AuditEvent:
    """The audit row the case action writes for a new ``row``."""
    action: AuditAction
    detail: dict[str, Any]
    if isinstance(row, EpisodeOfNeed):
        action = AuditAction.OPEN_EPISODE_OF_NEED
        detail = {"referral_date": row.referral_date, "referral_source": row.referral_source}
    elif isinstance(row, CINAssessment):
        action, detail = AuditAction.RECORD_CIN_ASSESSMENT, {"start": row.start_date}
    elif isinstance(row, CINPlan):
        action, detail = AuditAction.RECORD_CIN_PLAN, {"start": row.start_date}
    elif isinstance(row, Section47):
        action, detail = AuditAction.RECORD_SECTION47, {"start": row.start_date}
    elif isinstance(row, ChildProtectionPlan):
        action = AuditAction.START_CP_PLAN
        detail = {
            "start": row.start_date,
            "category": row.initial_category,
            "status_period": row.status_period_id,
        }
    elif isinstance(row, LookedAfterEpisode):
        action = AuditAction.START_LOOKED_AFTER
        detail = {"decom": row.decom, "ls": row.ls, "place": row.place}
    elif isinstance(row, LookedAfterReview):
        action, detail = AuditAction.RECORD_LOOKED_AFTER_REVIEW, {"review": row.review}
    elif isinstance(row, MissingEpisode):
        action, detail = AuditAction.RECORD_MISSING_EPISODE, {"start": row.mis_start}
    else:
        raise TypeError(f"no bulk path for {type(row).__name__}")
    return new_audit_event(
        actor=None,
        action=action,
        origin=origin,
        person_id=row.child_id,
        detail={
            "record": f"{row._meta.label}:{row.public_id}",
            "source": row.source,
            **({"external_id": row.external_id} if row.external_id else {}),
            **{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in detail.items()},
        },
    )


def _subjects(agency: Agency, child_ids: Iterable[int]) -> dict[int, SourceRecord]:
    """Each child's record in ``agency`` that its events are about (the first one, as
    ``cases.actions._agency_record`` picks; made as it makes one if there is none)."""
    ids = set(child_ids)
    found: dict[int, SourceRecord] = {}
    for record in SourceRecord.objects.filter(agency=agency, person_id__in=ids).order_by("-pk"):
        found[record.person_id] = record  # descending: the first (lowest pk) wins
    for child_id in sorted(ids - set(found)):
        found[child_id] = _agency_record(agency, Person.objects.get(pk=child_id))
    return found


@transaction.atomic
def create_in_bulk(
    *, origin: Origin, agency: Agency, pending: Sequence[Pending], audit_detail: dict[str, Any]
) -> dict[type[CaseRecord], list[CaseRecord]]:
    """Validate and write the new rows of ``pending`` (all recorded for ``agency`` by no
    user; a row's episode or plan must come earlier in ``pending`` or be saved), with their
    status periods, chronology events and audit rows. A problem raises
    ``ValidationError`` naming the row's place, and nothing is written (the caller's
    transaction rolls back). Returns the rows written, by model."""
    by_model: dict[type[CaseRecord], list[Pending]] = defaultdict(list)
    for item in pending:
        by_model[type(item.row)].append(item)
    order = (
        EpisodeOfNeed,
        CINAssessment,
        CINPlan,
        Section47,
        ChildProtectionPlan,
        LookedAfterEpisode,
        LookedAfterReview,
        MissingEpisode,
    )
    unknown = set(by_model) - set(order)
    if unknown:
        raise TypeError(f"no bulk path for {', '.join(m.__name__ for m in unknown)}")
    follow: list[StatusPeriod] = []  # held periods of care that new episodes extend
    audits: list[AuditEvent] = []
    events: list[_Event] = []
    flagged: set[int] = set()
    written: dict[type[CaseRecord], list[CaseRecord]] = {}
    for model in order:
        items = by_model.get(model, [])
        if not items:
            continue
        for item in items:
            # A part names its episode by the instance: take its key now it is saved.
            episode = getattr(item.row, "episode", None)
            if episode is not None:
                item.row.episode = episode  # type: ignore[attr-defined]
        if model is ChildProtectionPlan:
            _previous_plans(items)
        if model is Section47:
            for item in items:
                enquiry: Any = item.row
                if enquiry.initial_cpc_target is None:
                    enquiry.initial_cpc_target = deadlines.deadline(
                        Step.INITIAL_CONFERENCE, enquiry.start_date
                    ).due_on
        _validate(items)
        _check_one_open(model, items)
        flagged |= _status_periods(model, items, origin, audits, follow)
        rows: list[Any] = [item.row for item in items]
        model.objects.bulk_create(rows, batch_size=_BATCH)
        written[model] = rows
        if model is ChildProtectionPlan:
            reviews = [
                ChildProtectionReview(
                    plan=cast(ChildProtectionPlan, item.row),
                    review_date=day,
                    recording_agency=agency,
                    recorded_by=None,
                    source=item.row.source,
                )
                for item in items
                for day in item.review_dates
            ]
            for review in reviews:
                review.full_clean(exclude=list(_FOREIGN_KEYS), validate_constraints=False)
            ChildProtectionReview.objects.bulk_create(reviews, batch_size=_BATCH)
        for row in rows:
            events.extend(_steps(row))
            audits.append(_audit_of(row, origin))
    for period in follow:
        _follow_period_of_care(None, origin, period)
    if agency.kind in OPEN_CASE_KINDS and flagged:
        with_records = sorted(
            set(
                SourceRecord.objects.filter(person_id__in=flagged).values_list(
                    "person_id", flat=True
                )
            )
        )
        if with_records:
            refresh_identities(person_ids=with_records)
    if events:
        subjects = _subjects(agency, (e.child_id for e in events))
        record_events(
            actor=None,
            agency=agency,
            rows=[
                EventRow(
                    line=index,
                    event_id=f"case-{type(e.row)._meta.model_name}-{e.row.public_id}"
                    + (f"-{e.step}" if e.step else ""),
                    agency=agency.code,
                    subject_record_id=subjects[e.child_id].record_id,
                    occurred_at=_midnight(e.on),
                    date_only=True,
                    category=e.category,
                    summary=e.summary[:4000],
                    practitioner="",
                )
                for index, e in enumerate(events, start=1)
            ],
            origin=origin,
            audit_detail=audit_detail,
        )
    append_audit(audits)
    return written


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))


# -- allocations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewAllocation:
    """A worker's allocation of a child to write in bulk: from ``start_date``, and if it
    has ended, to ``end_date`` with the reason it ended (``reason_for_change``)."""

    child_id: int
    worker: User
    start_date: dt.date
    end_date: dt.date | None = None
    reason_for_change: str = ""


@transaction.atomic
def allocate_in_bulk(
    *,
    origin: Origin,
    agency: Agency,
    allocations: Sequence[NewAllocation],
    audit_detail: dict[str, Any],
) -> list[Allocation]:
    """Write what ``cases.actions.allocate`` writes (and ``end_allocation``, for one given
    with its end) for many allocations recorded for ``agency`` by no user (an import, the
    demo's load): the allocated-social-worker involvement each starts (ended with it), the
    allocation, its ``worker_allocated`` chronology event and its audit rows
    (``record_involvement``, ``allocate_case``, and ``end_allocation`` for an ended one).
    The same checks: a worker who can be allocated a case, the allocation's fields and
    ``clean``; and a child's allocations do not overlap, nor start while one of theirs
    is open (reallocating an open case is ``cases.actions.allocate``'s). One
    ``bulk_create`` per model, one ``record_events``, one ``append_audit``; the
    identities of children with an open allocation are refreshed once (an open case gives
    the agency precedence). A problem raises ``ValidationError`` and nothing is written."""
    if not allocations:
        return []
    children = {a.child_id for a in allocations}
    held_open = set(
        Allocation.objects.current()
        .filter(child_id__in=children, end_date__isnull=True)
        .values_list("child_id", flat=True)
    )
    by_child: dict[int, list[NewAllocation]] = defaultdict(list)
    for item in allocations:
        by_child[item.child_id].append(item)
    rows: list[Allocation] = []
    involvements: list[Involvement] = []
    for child_id, listed in by_child.items():
        listed.sort(key=lambda a: a.start_date)
        if child_id in held_open:
            raise ValidationError(
                f"child {child_id}: start_date: This child is allocated already; "
                "reallocate through the case action."
            )
        for before, after in itertools.pairwise(listed):
            if before.end_date is None or before.end_date > after.start_date:
                raise ValidationError(
                    f"child {child_id}: start_date: The allocation from "
                    f"{after.start_date:%Y-%m-%d} starts before the one from "
                    f"{before.start_date:%Y-%m-%d} ends."
                )
        for item in listed:
            worker = item.worker
            if not worker.is_active or worker.agency is None:
                raise ValidationError(
                    f"child {child_id}: worker: {worker} cannot be allocated a case."
                )
            involvement = Involvement(
                person_id=child_id,
                agency=worker.agency,
                practitioner=worker,
                role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
                started_on=item.start_date,
                ended_on=item.end_date,
            )
            allocation = Allocation(
                child_id=child_id,
                worker=worker,
                team=worker.team,
                start_date=item.start_date,
                end_date=item.end_date,
                reason_for_change=item.reason_for_change.strip(),
                recording_agency=agency,
                recorded_by=None,
                source=SIGHTLINE_SOURCE,
            )
            try:
                allocation.clean_fields(exclude=[*_FOREIGN_KEYS, "worker", "team", "involvement"])
                allocation.clean()
            except ValidationError as error:
                raise ValidationError(f"child {child_id}: {_text(error)}") from error
            involvements.append(involvement)
            rows.append(allocation)
    Involvement.objects.bulk_create(involvements, batch_size=_BATCH)
    for allocation, involvement in zip(rows, involvements, strict=True):
        allocation.involvement = involvement
    Allocation.objects.bulk_create(rows, batch_size=_BATCH)
    audits: list[AuditEvent] = []
    for allocation, involvement in zip(rows, involvements, strict=True):
        allocated = allocation.worker
        assert allocated is not None  # noqa: S101 (set above)
        assert allocated.agency is not None  # noqa: S101 (checked above)
        audits.append(
            new_audit_event(
                actor=None,
                action=AuditAction.RECORD_INVOLVEMENT,
                origin=origin,
                person_id=allocation.child_id,
                detail={
                    "involvement": involvement.pk,
                    "agency": allocated.agency.code,
                    "role": involvement.role,
                    "practitioner": allocated.username,
                },
            )
        )
        audits.append(
            _allocation_audit(
                allocation,
                origin,
                AuditAction.ALLOCATE_CASE,
                worker=allocated.username,
                team=allocation.team_id,
                start=allocation.start_date.isoformat(),
                ended=[],
            )
        )
        if allocation.end_date is not None:
            audits.append(
                _allocation_audit(
                    allocation,
                    origin,
                    AuditAction.END_ALLOCATION,
                    end=allocation.end_date.isoformat(),
                    reason=allocation.reason_for_change,
                )
            )
    if agency.kind in OPEN_CASE_KINDS:
        today = timezone.localdate()
        open_now = {
            a.child_id
            for a in rows
            if a.start_date <= today and (a.end_date is None or a.end_date >= today)
        }
        with_records = sorted(
            set(
                SourceRecord.objects.filter(person_id__in=open_now).values_list(
                    "person_id", flat=True
                )
            )
        )
        if with_records:
            refresh_identities(person_ids=with_records)
    subjects = _subjects(agency, children)
    record_events(
        actor=None,
        agency=agency,
        rows=[
            EventRow(
                line=index,
                event_id=f"case-allocation-{allocation.public_id}",
                agency=agency.code,
                subject_record_id=subjects[allocation.child_id].record_id,
                occurred_at=_midnight(allocation.start_date),
                date_only=True,
                category="worker_allocated",
                summary=_allocated_summary(allocation),
                practitioner="",
            )
            for index, allocation in enumerate(rows, start=1)
        ],
        origin=origin,
        audit_detail=audit_detail,
    )
    append_audit(audits)
    return rows


def _allocated_summary(allocation: Allocation) -> str:
    """What ``cases.actions.allocate`` says of a first allocation."""
    worker = allocation.worker
    who = (worker.get_full_name() or worker.username) if worker else ""
    team = allocation.team.name if allocation.team else ""
    return f"Allocated to {' of '.join(part for part in (who, team) if part)}."


def _allocation_audit(
    allocation: Allocation, origin: Origin, action: AuditAction, **detail: Any
) -> AuditEvent:
    """The audit row ``cases.actions._audit`` writes for an allocation."""
    return new_audit_event(
        actor=None,
        action=action,
        origin=origin,
        person_id=allocation.child_id,
        detail={
            "record": f"{allocation._meta.label}:{allocation.public_id}",
            "source": allocation.source,
            **detail,
        },
    )
