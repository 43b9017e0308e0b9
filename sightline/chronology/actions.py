"""Recording chronology events. Append-only: a changed re-submission is a new revision."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from sightline.accounts.models import User
from sightline.agencies.models import Agency
from sightline.audit.actions import Origin, append_audit, new_audit_event
from sightline.audit.models import AuditAction
from sightline.chronology.models import Category, ChronologyEvent
from sightline.importing.errors import RowsRejectedError
from sightline.importing.rows import EventRow, RowError
from sightline.people.models import SourceRecord

_CHUNK = 900
T = TypeVar("T")


@dataclass(frozen=True)
class RecordEventsResult:
    created: int
    corrected: int
    unchanged: int
    # The events written (new ones and new revisions), for what the submission does next
    # (the sharing app's alerts).
    events: tuple[ChronologyEvent, ...] = field(default=(), compare=False, repr=False)


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _same_content(
    event: ChronologyEvent,
    row: EventRow,
    subject: SourceRecord,
    category: Category,
    others: set[str],
) -> bool:
    return (
        event.subject_record_id == subject.pk
        and event.occurred_at == row.occurred_at
        and event.date_only == row.date_only
        and event.category_id == category.pk
        and event.summary == row.summary
        and event.significance == row.significance
        and event.practitioner == row.practitioner
        and others == set(row.other_record_ids)
    )


@transaction.atomic
def record_events(
    *,
    actor: User | None,
    agency: Agency,
    rows: Sequence[EventRow],
    origin: Origin,
    audit_detail: dict[str, object] | None = None,
) -> RecordEventsResult:
    """Record ``agency``'s events about its source records.

    Every reference is checked before anything is written: an unknown subject, other
    person or category rejects the whole batch (``RowsRejectedError``, every problem listed).
    An event already recorded with the same content is left alone; with different
    content it gets a new revision that supersedes the last one. The events written are
    in the result: the submission entry points (``importing.submissions``) queue the
    sharing app's alerts for them in the same transaction.
    """
    record_ids = sorted(
        {row.subject_record_id for row in rows}
        | {rid for row in rows for rid in row.other_record_ids}
    )
    records: dict[str, SourceRecord] = {}
    for chunk in _chunks(record_ids):
        for record in SourceRecord.objects.filter(agency=agency, record_id__in=chunk):
            records[record.record_id] = record
    codes = {row.category for row in rows}
    categories = {c.code: c for c in Category.objects.filter(active=True, code__in=codes)}

    errors: list[RowError] = []
    for row in rows:
        if row.subject_record_id not in records:
            errors.append(
                RowError(
                    row.line,
                    "subject_record_id",
                    f"no {agency.code} person record {row.subject_record_id!r}; submit the person first",
                )
            )
        errors.extend(
            RowError(row.line, "other_record_ids", f"no {agency.code} person record {other!r}")
            for other in row.other_record_ids
            if other not in records
        )
        if row.category not in categories:
            errors.append(RowError(row.line, "category", f"unknown category {row.category!r}"))
    if errors:
        raise RowsRejectedError(errors)

    latest: dict[str, ChronologyEvent] = {}
    event_ids = sorted({row.event_id for row in rows})
    for chunk in _chunks(event_ids):
        for event in (
            ChronologyEvent.objects.filter(agency=agency, event_id__in=chunk)
            .prefetch_related("other_records")
            .order_by("event_id", "revision")
        ):
            latest[event.event_id] = event  # ordered by revision: the last one wins

    now = timezone.now()
    new_events: list[ChronologyEvent] = []
    others_for: list[tuple[ChronologyEvent, tuple[str, ...]]] = []
    unchanged = corrected = 0
    for row in rows:
        subject = records[row.subject_record_id]
        category = categories[row.category]
        previous = latest.get(row.event_id)
        if previous is not None:
            previous_others = {r.record_id for r in previous.other_records.all()}
            if _same_content(previous, row, subject, category, previous_others):
                unchanged += 1
                continue
            corrected += 1
        event = ChronologyEvent(
            agency=agency,
            event_id=row.event_id,
            revision=previous.revision + 1 if previous else 1,
            subject_record=subject,
            person_id=subject.person_id,
            occurred_at=row.occurred_at,
            date_only=row.date_only,
            recorded_at=now,
            category=category,
            summary=row.summary,
            significance=row.significance,
            practitioner=row.practitioner,
            supersedes=previous,
            submitted_by=actor,
        )
        new_events.append(event)
        others_for.append((event, row.other_record_ids))
    ChronologyEvent.objects.bulk_create(new_events, batch_size=_CHUNK)
    through = ChronologyEvent.other_records.through
    links = [
        through(chronologyevent_id=event.pk, sourcerecord_id=records[rid].pk)
        for event, rids in others_for
        for rid in dict.fromkeys(rids)
    ]
    through.objects.bulk_create(links, batch_size=_CHUNK)

    result = RecordEventsResult(
        created=len(new_events) - corrected,
        corrected=corrected,
        unchanged=unchanged,
        events=tuple(new_events),
    )
    # The last write: the audit chain's head stays locked from here until commit.
    append_audit(
        [
            new_audit_event(
                actor=actor,
                action=AuditAction.IMPORT_EVENTS if len(rows) != 1 else AuditAction.RECORD_EVENT,
                origin=origin,
                person_id=new_events[0].person_id if len(new_events) == 1 else None,
                detail={
                    "agency": agency.code,
                    "created": result.created,
                    "corrected": result.corrected,
                    "unchanged": result.unchanged,
                    **(audit_detail or {}),
                },
            )
        ]
    )
    return result
