"""Every write of identity resolution: merge, un-merge, review decisions, batch runs,
recording a person at the point of entry, registering a model.

Each action is atomic, takes keyword-only arguments and an explicit actor, and writes its
audit row in the same transaction. Chronology events follow their subject record: when a
record moves to another person, ``ChronologyEvent.person`` moves with it.

A merge moves everything else that hangs off the merged person too (``BELONGINGS``: every
foreign key to ``Person`` in every app, but the audit trail's) and lists each row it moved
in the ``PersonMerge``, so un-merge puts back exactly those rows and nothing else.
"""

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from sightline.access.models import BreakGlassGrant, CaseRelationship
from sightline.accounts.models import User
from sightline.agencies.models import Agency
from sightline.assessments.models import Assessment, Decision, DecisionPoint, PointStatus
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.cases import models as cases
from sightline.chronology.models import ChronologyEvent
from sightline.governance.models import LegalHold
from sightline.incidents.models import NotifiedChild
from sightline.linkage import batch, comparisons, config, modelfile, prebirth, queries, realtime
from sightline.linkage.features import IdentityRecord, evidence_key, features
from sightline.linkage.models import (
    DecisionKind,
    LinkDecision,
    LinkRun,
    MatchReview,
    ModelVersion,
    PersonMerge,
    ReviewStatus,
)
from sightline.networks.models import Association, ConcernFlag, MeetingAction
from sightline.people import normalise
from sightline.people.actions import IdentityConflict, refresh_identities
from sightline.people.identity import IdentityField
from sightline.people.models import Involvement, Person, Relationship, SourceRecord, StatusPeriod
from sightline.sharing.models import Alert, Referral, SharingDecision
from sightline.subjectaccess.models import SubjectAccessRequest

_CHUNK = 900
MANUAL_LINK = "practitioner"
# ``SourceRecord.linked_by`` of an unborn record joined to its child by the pre-birth
# rule in a batch run ("pre-birth:<model version>"), and the reason of the merge of a
# person the rule emptied.
PREBIRTH_LINK = "pre-birth"
PREBIRTH_MERGE = f"linkage run: {prebirth.REASON}"


class LinkageError(Exception):
    """The action cannot be carried out; the message says why."""


def _chunks(items: Sequence[int]) -> list[Sequence[int]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def _events_follow_records(record_ids: Sequence[int]) -> None:
    """Set each event's person to its subject record's person."""
    person_of_record = SourceRecord.objects.filter(pk=OuterRef("subject_record_id")).values(
        "person_id"
    )[:1]
    for chunk in _chunks(list(record_ids)):
        ChronologyEvent.objects.filter(subject_record_id__in=chunk).update(
            person_id=Subquery(person_of_record)
        )


Row = dict[str, Any]
# Maps a person to where they end up (a merged person to their survivor; others to themselves).
Final = Callable[[int], int]


@dataclass(frozen=True)
class Belonging:
    """A foreign key to ``Person`` whose rows a merge moves to the survivor.

    A row stays with the merged person (kept back) when moving it would join a person to
    themselves (``other_end``: the row's other person) or when the survivor already has a
    row with the same ``clash`` key: an exact duplicate, or one a unique constraint would
    refuse. Kept-back rows are not lost: the merged person's row stays, and so do they.
    """

    model: type[models.Model]
    # The column pointing at the person (attribute name, e.g. "relative_id").
    column: str
    other_end: str = ""
    clash: Callable[[Row, Final], tuple[Any, ...] | None] | None = None

    @property
    def key(self) -> str:
        return f"{self.model._meta.label}.{self.column.removesuffix('_id')}"


def _relationship_facts(other_end: str) -> Callable[[Row, Final], tuple[Any, ...]]:
    def facts(row: Row, final: Final) -> tuple[Any, ...]:
        return (
            final(row[other_end]),
            row["kind"],
            row["lives_with"],
            row["started_on"],
            row["ended_on"],
            row["source_agency_id"],
        )

    return facts


def _association_from_event(other_end: str) -> Callable[[Row, Final], tuple[Any, ...] | None]:
    # association_once_per_event_person / _context: one link per event, person and other end.
    def once_per_event(row: Row, final: Final) -> tuple[Any, ...] | None:
        if row["source_event_id"] is None:
            return None
        other = row[other_end]
        return (row["source_event_id"], None if other is None else final(other), row["context_id"])

    return once_per_event


def _open_step(row: Row, _final: Final) -> tuple[Any, ...] | None:
    # point_one_open_step_per_child: one open decision point per child and step.
    return (row["step"],) if row["status"] == PointStatus.OPEN else None


# Every foreign key to Person that a merge moves. Not here, on purpose: the audit trail
# (``AuditEvent.person`` says whose record was read then; the chain is append-only),
# ``PersonMerge`` itself, ``Person.merged_into`` (earlier merges stay undoable one by
# one), chronology events and the real-time index (both follow their source record), and a
# disposal proposal (about the record as it was proposed; approval refuses a merged one).
# A test checks that every foreign key to Person is either here or in that list.
BELONGINGS: tuple[Belonging, ...] = (
    Belonging(
        Involvement,
        "person_id",
        clash=lambda r, _f: (
            r["agency_id"],
            r["practitioner_id"],
            r["role"],
            r["started_on"],
            r["ended_on"],
        ),
    ),
    Belonging(
        StatusPeriod,
        "person_id",
        clash=lambda r, _f: (
            r["kind"],
            r["protection_category"],
            r["started_on"],
            r["ended_on"],
            r["recorded_by_agency_id"],
        ),
    ),
    Belonging(Relationship, "person_id", "relative_id", _relationship_facts("relative_id")),
    Belonging(Relationship, "relative_id", "person_id", _relationship_facts("person_id")),
    Belonging(
        CaseRelationship,
        "person_id",
        clash=lambda r, _f: (r["practitioner_id"], r["role"], r["started_on"], r["ended_on"]),
    ),
    Belonging(BreakGlassGrant, "person_id"),
    Belonging(Alert, "person_id"),
    Belonging(Referral, "person_id"),
    Belonging(DecisionPoint, "child_id", clash=_open_step),
    Belonging(Decision, "child_id"),
    Belonging(Assessment, "child_id"),
    Belonging(NotifiedChild, "person_id", clash=lambda r, _f: (r["notification_id"],)),
    Belonging(ConcernFlag, "person_id"),
    Belonging(
        Association, "person_id", "other_person_id", _association_from_event("other_person_id")
    ),
    Belonging(Association, "other_person_id", "person_id", _association_from_event("person_id")),
    Belonging(MeetingAction, "person_id"),
    Belonging(SharingDecision, "person_id"),
    Belonging(SubjectAccessRequest, "person_id"),
    Belonging(LegalHold, "person_id"),
    # The case (``sightline.cases``): every row names its child, so each moves on its own.
    Belonging(cases.EpisodeOfNeed, "child_id"),
    Belonging(cases.CINAssessment, "child_id"),
    Belonging(cases.CINPlan, "child_id"),
    Belonging(cases.StrategyDiscussion, "child_id"),
    Belonging(cases.Section47, "child_id"),
    Belonging(cases.ChildProtectionConference, "child_id"),
    Belonging(cases.ChildProtectionPlan, "child_id"),
    Belonging(cases.CoreGroupMember, "person_id"),
    Belonging(cases.LookedAfterEpisode, "child_id"),
    Belonging(cases.LookedAfterReview, "child_id"),
    Belonging(cases.MissingEpisode, "child_id"),
    Belonging(cases.Allocation, "child_id"),
)
_BELONGING_BY_KEY = {belonging.key: belonging for belonging in BELONGINGS}


@dataclass
class Moves:
    """What moved from one merged person, and what was kept back, by ``Belonging.key``."""

    moved: dict[str, list[int]]
    kept_back: dict[str, list[int]]


def move_belongings(targets: Mapping[int, int]) -> dict[int, Moves]:
    """Move every row hanging off each merged person to their survivor.

    ``targets`` maps merged person id to survivor id (one pair for ``merge_persons``, many
    for a linkage run). Returns, per merged person, the ids of the rows moved and kept
    back. A few queries per kind of row, whatever the number of persons.
    """
    result = {merged: Moves(moved={}, kept_back={}) for merged in targets}

    def final(pk: int) -> int:
        return targets.get(pk, pk)

    merged_ids = sorted(targets)
    for belonging in BELONGINGS:
        manager = belonging.model._default_manager
        column = belonging.column
        pk_name = belonging.model._meta.pk.attname
        rows = [
            row
            for chunk in _chunks(merged_ids)
            for row in manager.filter(**{f"{column}__in": chunk}).order_by("pk").values()
        ]
        if not rows:
            continue
        taken: set[tuple[int, tuple[Any, ...]]] = set()
        if belonging.clash is not None:
            survivors = sorted({targets[row[column]] for row in rows})
            for chunk in _chunks(survivors):
                for row in manager.filter(**{f"{column}__in": chunk}).values():
                    key = belonging.clash(row, final)
                    if key is not None:
                        taken.add((row[column], key))
        going: dict[int, list[int]] = defaultdict(list)
        for row in rows:
            source, pk = row[column], row[pk_name]
            target = targets[source]
            other = row[belonging.other_end] if belonging.other_end else None
            key = belonging.clash(row, final) if belonging.clash is not None else None
            if (other is not None and final(other) == target) or (
                key is not None and (target, key) in taken
            ):
                result[source].kept_back.setdefault(belonging.key, []).append(pk)
                continue
            going[target].append(pk)
            result[source].moved.setdefault(belonging.key, []).append(pk)
        for target, pks in going.items():
            for chunk in _chunks(pks):
                manager.filter(pk__in=chunk).update(**{column: target})
    return result


def restore_belongings(merge: PersonMerge) -> dict[str, list[int]]:
    """Give back to the merged person exactly the rows ``merge`` moved that are still with
    the survivor. Returns the ids restored, by ``Belonging.key``."""
    moved: dict[str, list[int]] = dict(merge.moved)
    if not moved:  # merges recorded before ``PersonMerge.moved`` existed
        moved = {
            "people.Involvement.person": list(merge.involvements),
            "people.StatusPeriod.person": list(merge.status_periods),
        }
    restored: dict[str, list[int]] = {}
    for key, ids in moved.items():
        belonging = _BELONGING_BY_KEY[key]
        manager = belonging.model._default_manager
        column = belonging.column
        back: list[int] = []
        for chunk in _chunks(sorted(ids)):
            here = manager.filter(pk__in=chunk, **{column: merge.survivor_id})
            back.extend(here.values_list("pk", flat=True))
        for chunk in _chunks(back):
            manager.filter(pk__in=chunk).update(**{column: merge.merged_id})
        if back:
            restored[key] = sorted(back)
    return restored


def _ordered(a: SourceRecord, b: SourceRecord) -> tuple[SourceRecord, SourceRecord]:
    return (a, b) if a.pk < b.pk else (b, a)


def _decide(
    *,
    first: SourceRecord,
    second: SourceRecord,
    same_person: bool,
    kind: DecisionKind,
    actor: User | None,
    review: MatchReview | None = None,
) -> LinkDecision:
    a, b = _ordered(first, second)
    return LinkDecision.objects.create(
        record_a=a,
        record_b=b,
        same_person=same_person,
        evidence_key=evidence_key(queries.identity_of(a), queries.identity_of(b)),
        kind=kind,
        review=review,
        decided_by=actor,
        decided_at=timezone.now(),
    )


@transaction.atomic
def register_model_version(
    *, actor: User | None, model: modelfile.TrainedModel, path: Path, origin: Origin
) -> ModelVersion:
    version = ModelVersion.objects.create(
        version=model.version,
        path=str(path),
        trained_at=model.created_at,
        training=model.training,
        splink_model=model.splink_model,
    )
    record_audit(
        actor=actor,
        action=AuditAction.REGISTER_LINKAGE_MODEL,
        origin=origin,
        detail={"version": model.version, "path": str(path), "training": model.training},
    )
    return version


@transaction.atomic
def merge_persons(
    *,
    actor: User | None,
    survivor: Person,
    merged: Person,
    origin: Origin,
    reason: str = "",
    review: MatchReview | None = None,
) -> PersonMerge:
    """Move everything of ``merged`` to ``survivor``; ``merged`` stays, pointing at it.

    Source records (with their events and index entries) and every row in
    ``BELONGINGS`` move; a relationship or association between the two, or an exact
    duplicate of one the survivor has, is kept back with ``merged``. Refused while both
    have an open decision point for the same step (one must be closed first).
    """
    survivor, merged = (
        Person.objects.select_for_update().get(pk=survivor.pk),
        Person.objects.select_for_update().get(pk=merged.pk),
    )
    if survivor.pk == merged.pk:
        raise LinkageError("A person cannot be merged with themselves.")
    if survivor.merged_into_id is not None or merged.merged_into_id is not None:
        raise LinkageError("One of these persons has already been merged into another.")
    steps = sorted(
        DecisionPoint.objects.open()
        .filter(
            child=merged,
            step__in=DecisionPoint.objects.open().filter(child=survivor).values("step"),
        )
        .values_list("step", flat=True)
    )
    if steps:
        raise LinkageError(
            "Both persons have an open decision point for the same step "
            f"({', '.join(steps)}): close one of them before merging."
        )
    records = list(
        SourceRecord.objects.filter(person=merged).order_by("pk").values_list("pk", flat=True)
    )
    survivor_records = list(SourceRecord.objects.filter(person=survivor).order_by("pk")[:1])
    SourceRecord.objects.filter(pk__in=records).update(person=survivor, linked_by=MANUAL_LINK)
    _events_follow_records(records)
    realtime.follow_persons(records)
    moves = move_belongings({merged.pk: survivor.pk})[merged.pk]
    merge = PersonMerge.objects.create(
        survivor=survivor,
        merged=merged,
        records=records,
        involvements=moves.moved.get("people.Involvement.person", []),
        status_periods=moves.moved.get("people.StatusPeriod.person", []),
        moved=moves.moved,
        kept_back=moves.kept_back,
        reason=reason,
        review=review,
        merged_by=actor,
        merged_at=timezone.now(),
    )
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into", "updated_at"])
    refresh_identities(person_ids=[survivor.pk, merged.pk])
    if records and survivor_records:
        first = SourceRecord.objects.get(pk=records[0])
        _decide(
            first=first,
            second=survivor_records[0],
            same_person=True,
            kind=DecisionKind.MERGE,
            actor=actor,
            review=review,
        )
    _supersede_settled_reviews()
    record_audit(
        actor=actor,
        action=AuditAction.MERGE_PERSONS,
        origin=origin,
        person=survivor,
        reason=reason,
        detail={
            "merge": merge.pk,
            "merged": str(merged.public_id),
            "survivor": str(survivor.public_id),
            "records": records,
            "moved": moves.moved,
            "kept_back": moves.kept_back,
        },
    )
    return merge


@transaction.atomic
def undo_merge(
    *, actor: User | None, merge: PersonMerge, origin: Origin, reason: str
) -> PersonMerge:
    """Give back to the merged person every record (with its events and index entries) and
    every other row the merge moved, and record that the two are different people.

    ``reason`` (why they are different people) is required: it is kept in the audit row.
    Rows recorded against the survivor after the merge stay with the survivor; rows the
    merge kept back never left the merged person.
    """
    reason = reason.strip()
    if not reason:
        raise LinkageError("Give the reason for undoing the merge.")
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    merged = Person.objects.select_for_update().get(pk=merge.merged_id)
    survivor = Person.objects.select_for_update().get(pk=merge.survivor_id)
    if merge.is_undone:
        raise LinkageError("This merge has already been undone.")
    if merged.merged_into_id != survivor.pk:
        raise LinkageError("The merged person has since been changed; this merge cannot be undone.")
    if survivor.merged_into_id is not None:
        raise LinkageError(
            "The surviving person has since been merged into another: undo that merge first."
        )
    records = list(
        SourceRecord.objects.filter(pk__in=merge.records, person=survivor).values_list(
            "pk", flat=True
        )
    )
    SourceRecord.objects.filter(pk__in=records).update(person=merged, linked_by=MANUAL_LINK)
    _events_follow_records(records)
    realtime.follow_persons(records)
    restored = restore_belongings(merge)
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated_at"])
    refresh_identities(person_ids=[survivor.pk, merged.pk])
    _record_apart(
        SourceRecord.objects.filter(pk__in=records),
        SourceRecord.objects.filter(person=survivor),
        actor=actor,
    )
    merge.undone_by = actor
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    record_audit(
        actor=actor,
        action=AuditAction.UNMERGE_PERSONS,
        origin=origin,
        person=merged,
        reason=reason,
        detail={
            "merge": merge.pk,
            "merged": str(merged.public_id),
            "survivor": str(survivor.public_id),
            "records": records,
            "restored": restored,
        },
    )
    return merge


def _record_apart(
    left: Iterable[SourceRecord], right: Iterable[SourceRecord], *, actor: User | None
) -> None:
    """Decisions that each record of ``left`` is a different person from each of ``right``
    (bounded: the first 50 of each side)."""
    lefts = list(left)[:50]
    rights = list(right)[:50]
    for a, b in itertools.product(lefts, rights):
        _decide(first=a, second=b, same_person=False, kind=DecisionKind.UNMERGE, actor=actor)


@transaction.atomic
def split_person(
    *,
    actor: User | None,
    person: Person,
    record_ids: Sequence[int],
    origin: Origin,
    reason: str = "",
) -> Person:
    """Move the chosen source records (with their events) from ``person`` to a new person,
    for a wrong link no merge record describes (one made by a batch run, say)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    chosen = list(SourceRecord.objects.filter(person=person, pk__in=record_ids))
    staying = list(SourceRecord.objects.filter(person=person).exclude(pk__in=record_ids))
    if not chosen or not staying:
        raise LinkageError("Choose some, but not all, of the person's records to split off.")
    new_person = Person.objects.create()
    moved = [record.pk for record in chosen]
    SourceRecord.objects.filter(pk__in=moved).update(person=new_person, linked_by=MANUAL_LINK)
    _events_follow_records(moved)
    realtime.follow_persons(moved)
    refresh_identities(person_ids=[person.pk, new_person.pk])
    _record_apart(chosen, staying, actor=actor)
    record_audit(
        actor=actor,
        action=AuditAction.UNMERGE_PERSONS,
        origin=origin,
        person=person,
        reason=reason,
        detail={"split_to": str(new_person.public_id), "records": moved},
    )
    new_person.refresh_from_db()
    return new_person


@transaction.atomic
def confirm_match(
    *, actor: User, review: MatchReview, origin: Origin, reason: str = ""
) -> PersonMerge | None:
    """The two records are the same person: merge their persons (the older survives)."""
    review = MatchReview.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.PENDING:
        raise LinkageError("This match has already been decided.")
    a = SourceRecord.objects.select_related("person").get(pk=review.record_a_id)
    b = SourceRecord.objects.select_related("person").get(pk=review.record_b_id)
    review.status = ReviewStatus.CONFIRMED
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.reason = reason
    review.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    _decide(
        first=a, second=b, same_person=True, kind=DecisionKind.REVIEW, actor=actor, review=review
    )
    record_audit(
        actor=actor,
        action=AuditAction.CONFIRM_MATCH,
        origin=origin,
        person=a.person,
        reason=reason,
        detail={"review": review.pk, "records": [a.pk, b.pk], "probability": review.probability},
    )
    if a.person_id == b.person_id:
        return None
    survivor, merged = sorted((a.person, b.person), key=lambda p: p.pk)
    return merge_persons(
        actor=actor, survivor=survivor, merged=merged, origin=origin, reason=reason, review=review
    )


@transaction.atomic
def reject_match(
    *, actor: User, review: MatchReview, origin: Origin, reason: str = ""
) -> MatchReview:
    """The two records are different people: never proposed again on this evidence."""
    review = MatchReview.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.PENDING:
        raise LinkageError("This match has already been decided.")
    a = SourceRecord.objects.select_related("person").get(pk=review.record_a_id)
    b = SourceRecord.objects.get(pk=review.record_b_id)
    review.status = ReviewStatus.REJECTED
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.reason = reason
    review.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    _decide(
        first=a, second=b, same_person=False, kind=DecisionKind.REVIEW, actor=actor, review=review
    )
    record_audit(
        actor=actor,
        action=AuditAction.REJECT_MATCH,
        origin=origin,
        person=a.person,
        reason=reason,
        detail={"review": review.pk, "records": [a.pk, b.pk], "probability": review.probability},
    )
    return review


@transaction.atomic
def record_person(
    *,
    actor: User,
    agency: Agency,
    record_id: str,
    identity: IdentityRecord,
    origin: Origin,
    same_as: Person | None = None,
) -> SourceRecord:
    """Record what ``agency`` holds about a person: joined to ``same_as`` (the
    practitioner's choice among the candidates shown) or to a new person."""
    if SourceRecord.objects.filter(agency=agency, record_id=record_id).exists():
        raise LinkageError(f"{agency.code} already has a record {record_id}.")
    if same_as is not None:
        same_as = Person.objects.select_for_update().get(pk=same_as.pk)
        if same_as.merged_into_id is not None:
            raise LinkageError("That person has been merged into another; choose again.")
    person = same_as or Person.objects.create()
    dob = identity.date_of_birth
    now = timezone.now()
    record = SourceRecord.objects.create(
        agency=agency,
        record_id=record_id,
        person=person,
        given_name=identity.given_name,
        family_name=identity.family_name,
        other_names=identity.other_names,
        date_of_birth=dob if not isinstance(dob, str) else None,
        sex=identity.sex,
        nhs_number=normalise.nhs_digits(identity.nhs_number),
        address=identity.address,
        postcode=normalise.postcode(identity.postcode) if identity.postcode else "",
        name_dob_key=normalise.name_dob_key(
            identity.given_name,
            identity.family_name,
            dob.isoformat() if dob is not None and not isinstance(dob, str) else "",
        ),
        received_at=now,
        updated_at=now,
        linked_by=MANUAL_LINK if same_as else "new-person",
    )
    refresh_identities(person_ids=[person.pk])
    realtime.index_records([record])
    if same_as is not None:
        other = SourceRecord.objects.filter(person=person).exclude(pk=record.pk).first()
        if other is not None:
            _decide(
                first=record,
                second=other,
                same_person=True,
                kind=DecisionKind.MERGE,
                actor=actor,
            )
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_PERSON,
        origin=origin,
        person=person,
        detail={
            "agency": agency.code,
            "record_id": record_id,
            "joined_existing_person": same_as is not None,
        },
    )
    person.refresh_from_db()
    return record


@transaction.atomic
def run_linkage(
    *,
    actor: User | None,
    model: ModelVersion,
    origin: Origin,
    progress: Callable[[str], None] | None = None,
) -> LinkRun:
    """Re-resolve every source record into persons with ``model``.

    Practitioners' decisions hold (confirmed pairs stay together, rejected and un-merged
    pairs apart). Each cluster keeps the person most of its records already have; a person
    left without records is marked merged into the person that took them, with a merge
    record, so the run can be undone person by person. Pairs the model could not decide
    go to the review queue, except those rejected before on the same evidence.

    An unborn record joined to its child by the pre-birth rule (``prebirth.link``) is
    written like any other automatic link, with ``linked_by = "pre-birth:<version>"``
    (whether it moved or the child's records came to its person), and a person emptied
    by that join is merged with the reason ``PREBIRTH_MERGE``: undoable like any other.
    """
    say = progress or (lambda _message: None)
    started = timezone.now()
    limits = config.thresholds()
    read = list(queries.all_identities())
    record_ids = [pk for pk, _agency, _identity in read]
    identities = [identity for _pk, _agency, identity in read]
    position = {pk: i for i, pk in enumerate(record_ids)}
    must: list[tuple[int, int]] = []
    apart: list[tuple[int, int]] = []
    for decision in queries.decisions_in_force():
        if decision.record_a_id in position and decision.record_b_id in position:
            pair = (position[decision.record_a_id], position[decision.record_b_id])
            (must if decision.same_person else apart).append(pair)
    say(f"resolving {len(record_ids):,} records with model {model.version}")
    result = batch.resolve_identities(
        identities,
        model.splink_model,
        config=config.engine_config(),
        auto_threshold=limits.auto,
        review_threshold=limits.review,
        must_link=must,
        cannot_link=apart,
        progress=say,
        agencies=[str(agency) for _pk, agency, _identity in read],
    )
    current = dict(SourceRecord.objects.values_list("pk", "person_id"))
    clusters: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(result.labels):
        clusters[label].append(record_ids[index])
    taken: set[int] = set()
    target_of: dict[int, int] = {}
    new_persons = 0
    for members in sorted(clusters.values(), key=len, reverse=True):
        counts = Counter(current[pk] for pk in members)
        ranked = sorted(counts, key=lambda person: (-counts[person], person))
        target = next((person for person in ranked if person not in taken), None)
        if target is None:
            target = Person.objects.create().pk
            new_persons += 1
        taken.add(target)
        for pk in members:
            target_of[pk] = target
    moved_to: dict[int, list[int]] = defaultdict(list)
    for pk, target in target_of.items():
        if current[pk] != target:
            moved_to[target].append(pk)
    moved = [pk for pks in moved_to.values() for pk in pks]
    before = Counter(current.values())
    linked_by = f"model:{model.version}"
    for target, pks in moved_to.items():
        for chunk in _chunks(pks):
            SourceRecord.objects.filter(pk__in=chunk).update(person_id=target, linked_by=linked_by)
    # Joined by the pre-birth rule: the unborn record says so, and so does the merge of a
    # person the join emptied (the unborn record's, or the child's). Joined by a rule
    # after clustering (a unique name, a household's address): the merge says which.
    by_rule: dict[tuple[int, int], str] = {}
    for left, right, reason in result.resolution.rule_links:
        for pk in (record_ids[left], record_ids[right]):
            if current[pk] != target_of[pk]:
                by_rule[(current[pk], target_of[pk])] = f"linkage run: {reason}"
    unborn_pks = []
    for unborn, born in result.resolution.prebirth_links:
        unborn_pk, born_pk = record_ids[unborn], record_ids[born]
        unborn_pks.append(unborn_pk)
        target = target_of[unborn_pk]
        for pk in (unborn_pk, born_pk):
            if current[pk] != target:
                by_rule[(current[pk], target)] = PREBIRTH_MERGE
    for chunk in _chunks(unborn_pks):
        SourceRecord.objects.filter(pk__in=chunk).update(
            linked_by=f"{PREBIRTH_LINK}:{model.version}"
        )
    _events_follow_records(moved)
    realtime.follow_persons(moved)
    emptied = _retire_emptied(
        before=before, current=current, target_of=target_of, actor=actor, by_rule=by_rule
    )
    say("refreshing the real-time index")
    realtime.index_records(SourceRecord.objects.order_by("pk").iterator(chunk_size=_CHUNK))
    affected = sorted({*moved_to, *(current[pk] for pk in moved)})
    refresh_identities(person_ids=affected)
    proposed = _propose_reviews(result, record_ids, identities, model)
    _supersede_settled_reviews()
    run = LinkRun.objects.create(
        model_version=model.version,
        started_at=started,
        finished_at=timezone.now(),
        records=len(record_ids),
        records_moved=len(moved),
        persons_created=new_persons,
        persons_emptied=emptied,
        reviews_proposed=proposed,
        summary={
            "pairs_scored": result.resolution.pairs_scored,
            "automatic_links": result.resolution.auto_links,
            "prebirth_links": len(result.resolution.prebirth_links),
            "decisions_applied": len(must) + len(apart),
            **result.problems.as_dict(),
        },
        run_by=actor,
    )
    record_audit(
        actor=actor,
        action=AuditAction.RUN_LINKAGE,
        origin=origin,
        detail={"run": run.pk, "model_version": model.version, **run.summary},
    )
    say(f"moved {len(moved):,} records; {proposed:,} pairs put to review")
    return run


def _retire_emptied(
    *,
    before: Counter[int],
    current: dict[int, int],
    target_of: dict[int, int],
    actor: User | None,
    by_rule: Mapping[tuple[int, int], str] | None = None,
) -> int:
    """Mark persons left without records as merged into the person that took most, and
    move what else hangs off them there (``move_belongings``), as a merge would.
    ``by_rule``: (person, survivor) joined by a rule, with the merge's reason
    (``PREBIRTH_MERGE``, or a rule after clustering); other merges are "linkage run"."""
    by_rule = by_rule or {}
    went_to: dict[int, Counter[int]] = defaultdict(Counter)
    records_of: dict[int, list[int]] = defaultdict(list)
    for pk, target in target_of.items():
        if current[pk] != target:
            went_to[current[pk]][target] += 1
            records_of[current[pk]].append(pk)
    survivor_of = {
        person_id: destinations.most_common(1)[0][0]
        for person_id, destinations in went_to.items()
        if sum(destinations.values()) >= before[person_id]
    }
    moves = move_belongings(survivor_of)
    now = timezone.now()
    for person_id, survivor_id in survivor_of.items():
        moved = moves[person_id]
        PersonMerge.objects.create(
            survivor_id=survivor_id,
            merged_id=person_id,
            records=sorted(records_of[person_id]),
            involvements=moved.moved.get("people.Involvement.person", []),
            status_periods=moved.moved.get("people.StatusPeriod.person", []),
            moved=moved.moved,
            kept_back=moved.kept_back,
            reason=by_rule.get((person_id, survivor_id), "linkage run"),
            merged_by=actor,
            merged_at=now,
        )
        Person.objects.filter(pk=person_id).update(merged_into_id=survivor_id)
    return len(survivor_of)


def _propose_reviews(
    result: batch.RecordsResolution,
    record_ids: Sequence[int],
    identities: Sequence[IdentityRecord],
    model: ModelVersion,
) -> int:
    rejected = queries.rejected_evidence()
    weights = comparisons.Weights.from_model(model.splink_model)
    now = timezone.now()
    items = []
    for pair in result.resolution.review:
        left, right = sorted((pair.left, pair.right), key=lambda i: record_ids[i])
        a, b = record_ids[left], record_ids[right]
        key = evidence_key(identities[left], identities[right])
        if (a, b, key) in rejected:
            continue
        score = comparisons.score(
            weights, features(identities[left], a), features(identities[right], b)
        )
        items.append(
            MatchReview(
                record_a_id=a,
                record_b_id=b,
                probability=score.probability,
                # The pre-birth rule's reason (two children fit, or the join was
                # refused) says more than the guard's "not on a score".
                guard=pair.guard if pair.guard in prebirth.REVIEW_REASONS else score.guard,
                evidence=[item.as_dict() for item in score.evidence],
                evidence_key=key,
                model_version=model.version,
                proposed_at=now,
            )
        )
    before = MatchReview.objects.count()
    MatchReview.objects.bulk_create(items, batch_size=_CHUNK, ignore_conflicts=True)
    return MatchReview.objects.count() - before


def _supersede_settled_reviews() -> None:
    """Pending reviews whose two records now belong to one person need no decision."""
    settled = [
        review.pk
        for review in MatchReview.objects.filter(status=ReviewStatus.PENDING).select_related(
            "record_a", "record_b"
        )
        if review.record_a.person_id == review.record_b.person_id
    ]
    for chunk in _chunks(settled):
        MatchReview.objects.filter(pk__in=chunk).update(status=ReviewStatus.SUPERSEDED)


# -- identity conflicts from submissions ------------------------------------------------

# The "model version" of a review item raised by the identity rules (no model scored it).
IDENTITY_RULES = "identity-rules"
_IDENTITY_RECORD_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "sex",
    "nhs_number",
    "address",
    "postcode",
)


@transaction.atomic
def propose_identity_reviews(
    *,
    actor: User | None,
    agency: Agency,
    conflicts: Sequence[IdentityConflict],
    origin: Origin,
) -> list[MatchReview]:
    """Put the records a submission held apart, or that now contradict their person
    (``people.actions.upsert_source_records``' ``conflicts``), to identity review, with
    one audit row against each person contradicted so it shows in their trail."""
    reviews = _propose_identity_reviews(conflicts, agency=agency, now=timezone.now())
    _audit_conflicts(actor=actor, agency=agency, origin=origin, reviews=reviews)
    return [review for _conflict, review in reviews]


_REVIEW_FIELDS: Mapping[IdentityField, tuple[str, ...]] = {
    IdentityField.NAME: ("given_name", "family_name"),
    IdentityField.DATE_OF_BIRTH: ("date_of_birth",),
    IdentityField.SEX: ("sex",),
    IdentityField.NHS_NUMBER: ("nhs_number",),
    IdentityField.ADDRESS: ("address",),
}


def _review_identity(record: SourceRecord) -> IdentityRecord:
    return IdentityRecord(**{name: getattr(record, name) for name in _IDENTITY_RECORD_FIELDS})


def _propose_identity_reviews(
    conflicts: Sequence[IdentityConflict], *, agency: Agency, now: dt.datetime
) -> list[tuple[IdentityConflict, MatchReview]]:
    """Put each conflict to the linkage review queue, with both records.

    A held record also gets a provisional "different people" decision, so a batch run
    (``sightline link``) keeps it apart too until a reviewer confirms (their decision,
    being later, replaces it). An item already there for the same evidence is not
    raised again (nor one a reviewer rejected on it).
    """
    if not conflicts:
        return []
    against = SourceRecord.objects.in_bulk([c.against for c in conflicts])
    reviews = []
    for conflict in conflicts:
        record, other = conflict.record, against[conflict.against]
        if record is None:  # pragma: no cover - set when the record was written
            raise ValueError(f"no record for the conflict about {conflict.record_id}")
        a, b = (record, other) if record.pk < other.pk else (other, record)
        key = evidence_key(_review_identity(a), _review_identity(b))
        evidence = [
            {
                "field": column,
                "level": "identity_conflict",
                "explanation": f"{agency.name}'s record: {reason.explanation}",
            }
            for reason in conflict.reasons
            for column in _REVIEW_FIELDS[reason.field]
        ]
        if record.nhs_number and record.nhs_number == other.nhs_number:
            evidence.append(
                {"field": "nhs_number", "level": "exact", "explanation": "the same NHS number"}
            )
        why = "kept apart" if conflict.held else "still linked"
        review, created = MatchReview.objects.get_or_create(
            record_a=a,
            record_b=b,
            evidence_key=key,
            defaults={
                # No model scored the pair: the rules cannot tell either way.
                "probability": 0.5,
                "guard": (
                    f"identity conflict ({why}): "
                    + "; ".join(reason.explanation for reason in conflict.reasons)
                )[:200],
                "evidence": evidence,
                "model_version": IDENTITY_RULES,
                "proposed_at": now,
            },
        )
        if created and conflict.held:
            LinkDecision.objects.create(
                record_a=a,
                record_b=b,
                same_person=False,
                evidence_key=key,
                kind=DecisionKind.REVIEW,
                review=review,
                decided_by=None,
                decided_at=now,
            )
        reviews.append((conflict, review))
    return reviews


def _audit_conflicts(
    *,
    actor: User | None,
    agency: Agency,
    origin: Origin,
    reviews: Sequence[tuple[IdentityConflict, MatchReview]],
) -> None:
    """One row against each person a submission contradicted, so it shows in their trail."""
    persons = Person.objects.in_bulk(sorted({c.person_id for c, _review in reviews}))
    for conflict, review in reviews:
        record_audit(
            actor=actor,
            action=AuditAction.IMPORT_PEOPLE,
            origin=origin,
            person=persons[conflict.person_id],
            detail={
                "agency": agency.code,
                "record_id": conflict.record_id,
                "identity_review": review.pk,
                "held_apart": conflict.held,
                "fields": sorted({str(reason.field) for reason in conflict.reasons}),
            },
        )
