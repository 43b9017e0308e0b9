"""Recording chronology events. Append-only: a changed re-submission is a new revision."""

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, AgencyKind
from sightline.audit.actions import Origin, append_audit, new_audit_event, record_audit
from sightline.audit.models import AuditAction
from sightline.chronology.models import Category, ChronologyEvent, Significance
from sightline.chronology.vocabulary import ACT_CODES
from sightline.importing.errors import RowsRejectedError
from sightline.importing.rows import EventRow, RowError
from sightline.people.models import Person, SourceRecord

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


# One event at a time, from the app ----------------------------------------------------


class EntryRefusedError(ValueError):
    """An entry that cannot be added to the chronology: ``field`` names what to correct."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def agency_record(agency: Agency, person: Person, *, linked_by: str) -> SourceRecord:
    """``agency``'s record of ``person``, that an event the agency records in the app is
    about. An agency that holds none yet gets one, copying the person's shown identity
    (so the identity does not change): it now holds something about the person."""
    held = SourceRecord.objects.filter(agency=agency, person=person).order_by("pk").first()
    if held is not None:
        return held
    now = timezone.now()
    return SourceRecord.objects.create(
        agency=agency,
        record_id=f"sightline-{person.public_id}",
        person=person,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        nhs_number=person.nhs_number,
        received_at=now,
        updated_at=now,
        linked_by=linked_by,
    )


def start_of_day(day: dt.date) -> dt.datetime:
    """An event known by its date only, as the chronology holds one: midnight local time
    (as the chronology-events format reads a date alone), in UTC."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time())).astimezone(dt.UTC)


def _name(user: User) -> str:
    return user.get_full_name() or user.username


@transaction.atomic
def append_event(
    *,
    actor: User,
    person: Person,
    category: str,
    summary: str,
    occurred_at: dt.datetime,
    origin: Origin,
    event_id: str = "",
    date_only: bool = False,
    significance: str = "",
    agency: Agency | None = None,
    practitioner: str | None = None,
    audit_detail: dict[str, object] | None = None,
) -> ChronologyEvent:
    """One event about ``person`` (opened by the caller through ``record.open_record``,
    or reached by the feature's own access rule), recorded as an event of ``agency``
    (the actor's, unless said) through ``record_events``: the chronology's one way in, so
    it is shown, filtered and redacted like every other event, and audited.

    The features call it for each act a practitioner records (a referral, an emergency
    access, a notification...), with an ``event_id`` of their own so that the same act is
    never written twice; the "Add to the chronology" page calls it without one. Refused
    with ``EntryRefusedError`` naming the field to correct.
    """
    by = agency or actor.agency
    if by is None or not actor.is_active:
        raise EntryRefusedError(
            "agency", "Only a practitioner of an agency can add to a child's chronology."
        )
    text = " ".join(summary.split())
    if not text:
        raise EntryRefusedError("summary", "Enter a summary of what happened.")
    if len(text) > 4000:
        raise EntryRefusedError("summary", "Keep the summary to 4,000 characters or fewer.")
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise EntryRefusedError("occurred_on", "The date must be today or in the past.")
    if significance and significance not in Significance.values:
        raise EntryRefusedError("significance", "Choose the significance: low, medium or high.")
    if not Category.objects.filter(code=category, active=True).exists():
        raise EntryRefusedError("category", "That category is not in use any more; choose another.")
    subject = agency_record(by, person, linked_by="recorded-in-sightline")
    result = record_events(
        actor=actor,
        agency=by,
        rows=[
            EventRow(
                line=1,
                event_id=event_id or f"sightline-entry-{uuid.uuid4()}",
                agency=by.code,
                subject_record_id=subject.record_id,
                occurred_at=occurred_at,
                date_only=date_only,
                category=category,
                summary=text,
                significance=significance,
                practitioner=_name(actor) if practitioner is None else practitioner,
            )
        ],
        origin=origin,
        audit_detail=audit_detail,
    )
    if result.events:
        return result.events[0]
    # The same act recorded again with the same content: the event already there.
    return ChronologyEvent.objects.filter(agency=by, event_id=event_id).order_by("-revision")[0]


# The vocabulary: event categories, from the administration area -----------------------


class CategoryError(ValueError):
    """A change to the vocabulary that cannot be made: ``field`` names what to correct."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _administrator(actor: User) -> None:
    if not (actor.is_active and actor.role == Role.ADMINISTRATOR):
        raise CategoryError("label", "Only an administrator changes the event categories.")


def _label(label: str) -> str:
    label = " ".join(label.split())
    if not label:
        raise CategoryError("label", "Enter the category's name")
    if len(label) > 200:
        raise CategoryError("label", "The category's name must be 200 characters or fewer")
    clash = Category.objects.filter(label__iexact=label).first()
    if clash is not None:
        raise CategoryError("label", f"There is already a category called {clash.label}")
    return label


def _code_for(label: str) -> str:
    base = slugify(label).replace("-", "_")[:56].strip("_") or "category"
    code, n = base, 1
    while Category.objects.filter(code=code).exists():
        n += 1
        code = f"{base}_{n}"
    return code


@transaction.atomic
def add_category(*, actor: User, origin: Origin, label: str, agency_kind: str) -> Category:
    """A new event category. Its code (what imports and the API name it by) is made from
    the label and never changes, whatever the label becomes."""
    _administrator(actor)
    label = _label(label)
    if agency_kind and agency_kind not in AgencyKind.values:
        raise CategoryError("agency_kind", "Choose the kind of agency that records it")
    category = Category.objects.create(code=_code_for(label), label=label, agency_kind=agency_kind)
    record_audit(
        actor=actor,
        action=AuditAction.ADD_CATEGORY,
        origin=origin,
        detail={"category": category.code, "label": label, "agency_kind": agency_kind},
    )
    return category


@transaction.atomic
def rename_category(*, actor: User, origin: Origin, category: Category, label: str) -> Category:
    """Change the label practitioners see; the code and the events recorded under it stay."""
    _administrator(actor)
    category = Category.objects.select_for_update().get(pk=category.pk)
    before = category.label
    if " ".join(label.split()) == before:
        raise CategoryError("label", f"The category is already called {before}")
    category.label = _label(label)
    category.save(update_fields=["label"])
    record_audit(
        actor=actor,
        action=AuditAction.RENAME_CATEGORY,
        origin=origin,
        detail={"category": category.code, "from": before, "to": category.label},
    )
    return category


@transaction.atomic
def retire_category(
    *, actor: User, origin: Origin, category: Category, retire: bool, reason: str
) -> Category:
    """Retire a category (nothing new is recorded under it; events already recorded keep
    it) or bring a retired one back. Categories are never deleted, and the ones Sightline
    writes itself (``vocabulary.ACT_CODES``) are never retired."""
    _administrator(actor)
    reason = reason.strip()
    if not reason:
        raise CategoryError("reason", "Enter the reason")
    category = Category.objects.select_for_update().get(pk=category.pk)
    if retire and category.code in ACT_CODES:
        raise CategoryError(
            "reason", f"{category.label} is written by Sightline itself and cannot be retired"
        )
    if category.active != retire:
        state = "retired" if retire else "in use"
        raise CategoryError("reason", f"{category.label} is already {state}")
    category.active = not retire
    category.save(update_fields=["active"])
    record_audit(
        actor=actor,
        action=AuditAction.RETIRE_CATEGORY if retire else AuditAction.REINSTATE_CATEGORY,
        origin=origin,
        reason=reason[:2000],
        detail={"category": category.code, "label": category.label},
    )
    return category
