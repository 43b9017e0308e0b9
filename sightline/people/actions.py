"""Every write to people, source records, relationships, involvements and statuses.

Each action is atomic, takes keyword-only arguments and an explicit actor, and writes
its audit row in the same transaction.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from sightline.accounts.models import User
from sightline.agencies.models import Agency, AgencyKind
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.importing.rows import PersonRecordRow
from sightline.people import normalise
from sightline.people.models import (
    Involvement,
    Person,
    Relationship,
    SourceRecord,
    StatusPeriod,
)

# Until model-based identity resolution lands, records are linked deterministically.
DETERMINISTIC_LINK = "deterministic-v1"
_CHUNK = 900
T = TypeVar("T")

_RECORD_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "sex",
    "nhs_number",
    "address",
    "postcode",
)


@dataclass(frozen=True)
class UpsertResult:
    created: int
    updated: int
    unchanged: int
    persons_created: int
    # The new and changed records, for what the submission does next (matching's index).
    records: tuple[SourceRecord, ...] = field(default=(), compare=False, repr=False)


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _link_key(row: PersonRecordRow) -> str:
    dob = row.date_of_birth.isoformat() if row.date_of_birth else ""
    return normalise.name_dob_key(row.given_name, row.family_name, dob)


@transaction.atomic
def upsert_source_records(
    *,
    actor: User | None,
    agency: Agency,
    rows: Sequence[PersonRecordRow],
    origin: Origin,
    audit_detail: dict[str, object] | None = None,
) -> UpsertResult:
    """Create or update ``agency``'s source records; new ones join a person.

    A new record joins the person who already has a record with the same valid NHS
    number, or else the same normalised full name and date of birth; otherwise a new
    person is created. Re-submitting a record updates it in place and keeps its person
    (re-resolution is the linkage's job). Re-submitting identical rows changes nothing.
    The new and changed records are in the result: the submission entry points
    (``importing.submissions``) index them for matching in the same transaction.
    """
    now = timezone.now()
    existing: dict[str, SourceRecord] = {}
    ids = [row.record_id for row in rows]
    for chunk in _chunks(ids):
        for record in SourceRecord.objects.filter(agency=agency, record_id__in=chunk):
            existing[record.record_id] = record

    to_update: list[SourceRecord] = []
    new_rows: list[PersonRecordRow] = []
    unchanged = 0
    for row in rows:
        found = existing.get(row.record_id)
        if found is None:
            new_rows.append(row)
            continue
        record = found
        if all(getattr(record, name) == getattr(row, name) for name in _RECORD_FIELDS):
            unchanged += 1
            continue
        for name in _RECORD_FIELDS:
            setattr(record, name, getattr(row, name))
        record.name_dob_key = _link_key(row)
        record.updated_at = now
        to_update.append(record)

    person_ids_for_new = _deterministic_persons(new_rows)
    persons_created = 0
    # Rows that matched nobody get new persons; rows in this file that share a key share one.
    unmatched_keys: dict[str, Person] = {}
    new_persons: list[Person] = []
    row_person: dict[str, Person | int] = {}
    for row in new_rows:
        matched = person_ids_for_new.get(row.record_id)
        if matched is not None:
            row_person[row.record_id] = matched
            continue
        batch_key = _batch_key(row)
        person = unmatched_keys.get(batch_key) if batch_key else None
        if person is None:
            person = Person()
            new_persons.append(person)
            if batch_key:
                unmatched_keys[batch_key] = person
        row_person[row.record_id] = person
    new_records: list[SourceRecord] = []
    records_of_new_person: dict[int, list[SourceRecord]] = defaultdict(list)
    for row in new_rows:
        target = row_person[row.record_id]
        record = SourceRecord(
            agency=agency,
            record_id=row.record_id,
            name_dob_key=_link_key(row),
            received_at=now,
            updated_at=now,
            linked_by=DETERMINISTIC_LINK,
            **{name: getattr(row, name) for name in _RECORD_FIELDS},
        )
        new_records.append(record)
        if isinstance(target, Person):
            records_of_new_person[id(target)].append(record)
        else:
            record.person_id = target
    # New persons are summarised before they are written: one INSERT each, no UPDATE.
    for person in new_persons:
        _summarise(person, records_of_new_person[id(person)])
    Person.objects.bulk_create(new_persons, batch_size=_CHUNK)
    persons_created = len(new_persons)
    for row, record in zip(new_rows, new_records, strict=True):
        target = row_person[row.record_id]
        if isinstance(target, Person):
            record.person_id = target.pk
    SourceRecord.objects.bulk_create(new_records, batch_size=_CHUNK)
    for record in to_update:
        # One small UPDATE per changed record: bulk_update's CASE expressions cost far more.
        SourceRecord.objects.filter(pk=record.pk).update(
            name_dob_key=record.name_dob_key,
            updated_at=record.updated_at,
            **{name: getattr(record, name) for name in _RECORD_FIELDS},
        )

    new_person_ids = {person.pk for person in new_persons}
    affected = {r.person_id for r in new_records if r.person_id not in new_person_ids}
    affected |= {r.person_id for r in to_update}
    refresh_identities(person_ids=sorted(affected))
    result = UpsertResult(
        created=len(new_records),
        updated=len(to_update),
        unchanged=unchanged,
        persons_created=persons_created,
        records=(*new_records, *to_update),
    )
    record_audit(
        actor=actor,
        action=AuditAction.IMPORT_PEOPLE,
        origin=origin,
        detail={
            "agency": agency.code,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "persons_created": persons_created,
            **(audit_detail or {}),
        },
    )
    return result


def _batch_key(row: PersonRecordRow) -> str:
    if row.nhs_number:
        return f"nhs:{row.nhs_number}"
    key = _link_key(row)
    return f"key:{key}" if key else ""


def _deterministic_persons(rows: Sequence[PersonRecordRow]) -> dict[str, int]:
    """record_id -> person id of an existing person with the same NHS number or name+DOB."""
    by_nhs: dict[str, int] = {}
    nhs_numbers = sorted({row.nhs_number for row in rows if row.nhs_number})
    for chunk in _chunks(nhs_numbers):
        for nhs_number, person_id in SourceRecord.objects.filter(
            nhs_number__in=chunk, person__merged_into__isnull=True
        ).values_list("nhs_number", "person_id"):
            by_nhs.setdefault(nhs_number, person_id)
    by_key: dict[str, int] = {}
    keys = sorted({k for k in (_link_key(row) for row in rows) if k})
    for chunk in _chunks(keys):
        for key, person_id in SourceRecord.objects.filter(
            name_dob_key__in=chunk, person__merged_into__isnull=True
        ).values_list("name_dob_key", "person_id"):
            by_key.setdefault(key, person_id)
    matches: dict[str, int] = {}
    for row in rows:
        if row.nhs_number and row.nhs_number in by_nhs:
            matches[row.record_id] = by_nhs[row.nhs_number]
        elif (key := _link_key(row)) and key in by_key:
            matches[row.record_id] = by_key[key]
    return matches


# Which agency's word counts first for each identity field (most authoritative first).
_NAME_PRIORITY: list[str] = [
    AgencyKind.CHILDRENS_SOCIAL_CARE,
    AgencyKind.HEALTH,
    AgencyKind.EDUCATION,
    AgencyKind.POLICE,
    AgencyKind.HOUSING,
]


def _priority(record: SourceRecord) -> tuple[int, float]:
    kind = record.agency.kind
    rank = _NAME_PRIORITY.index(kind) if kind in _NAME_PRIORITY else len(_NAME_PRIORITY)
    return (rank, -record.updated_at.timestamp())


_IDENTITY_FIELDS = [
    "given_name",
    "family_name",
    "search_name",
    "date_of_birth",
    "sex",
    "nhs_number",
    "address",
    "postcode",
]


def refresh_identities(*, person_ids: Sequence[int]) -> None:
    """Recompute each person's identity summary from their source records.

    Called inside the linking actions (upsert, merge, un-merge), never on its own.
    """
    for chunk in _chunks(person_ids):
        records_by_person: dict[int, list[SourceRecord]] = defaultdict(list)
        for record in SourceRecord.objects.filter(person_id__in=chunk).select_related("agency"):
            records_by_person[record.person_id].append(record)
        persons = list(Person.objects.filter(pk__in=chunk))
        changed = []
        for person in persons:
            before = [getattr(person, name) for name in _IDENTITY_FIELDS]
            _summarise(person, sorted(records_by_person.get(person.pk, []), key=_priority))
            if [getattr(person, name) for name in _IDENTITY_FIELDS] != before:
                person.updated_at = timezone.now()
                changed.append(person)
        for person in changed:
            # One small UPDATE per changed person: bulk_update's CASE expressions cost far more.
            Person.objects.filter(pk=person.pk).update(
                updated_at=person.updated_at,
                **{name: getattr(person, name) for name in _IDENTITY_FIELDS},
            )


def _summarise(person: Person, records: Sequence[SourceRecord]) -> None:
    def first(name: str) -> object:
        for record in records:
            value = getattr(record, name)
            if value not in ("", None):
                return value
        return None

    person.given_name = str(first("given_name") or "")
    person.family_name = str(first("family_name") or "")
    dob = first("date_of_birth")
    person.date_of_birth = dob if isinstance(dob, dt.date) else None
    person.sex = str(first("sex") or "")
    person.nhs_number = str(first("nhs_number") or "")
    person.address = str(first("address") or "")
    person.postcode = str(first("postcode") or "")
    aliases = ";".join(
        [f"{r.given_name} {r.family_name}" for r in records] + [r.other_names for r in records]
    )
    person.search_name = normalise.search_name(person.given_name, person.family_name, aliases)


@transaction.atomic
def record_involvement(
    *,
    actor: User | None,
    person: Person,
    agency: Agency,
    role: str,
    started_on: dt.date,
    origin: Origin,
    practitioner: User | None = None,
    ended_on: dt.date | None = None,
) -> Involvement:
    involvement = Involvement.objects.create(
        person=person,
        agency=agency,
        practitioner=practitioner,
        role=role,
        started_on=started_on,
        ended_on=ended_on,
    )
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_INVOLVEMENT,
        origin=origin,
        person=person,
        detail={
            "involvement": involvement.pk,
            "agency": agency.code,
            "role": role,
            "practitioner": practitioner.username if practitioner else None,
        },
    )
    return involvement


@transaction.atomic
def end_involvement(
    *, actor: User | None, involvement: Involvement, ended_on: dt.date, origin: Origin
) -> Involvement:
    involvement.ended_on = ended_on
    involvement.save(update_fields=["ended_on"])
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_INVOLVEMENT,
        origin=origin,
        person=involvement.person,
        detail={"involvement": involvement.pk, "ended_on": ended_on.isoformat()},
    )
    return involvement


@transaction.atomic
def record_relationship(
    *,
    actor: User | None,
    person: Person,
    relative: Person,
    kind: str,
    origin: Origin,
    lives_with: bool = False,
    started_on: dt.date | None = None,
    ended_on: dt.date | None = None,
    source_agency: Agency | None = None,
) -> Relationship:
    relationship = Relationship.objects.create(
        person=person,
        relative=relative,
        kind=kind,
        lives_with=lives_with,
        started_on=started_on,
        ended_on=ended_on,
        source_agency=source_agency,
    )
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_RELATIONSHIP,
        origin=origin,
        person=relative,
        detail={"relationship": relationship.pk, "kind": kind, "person": person.pk},
    )
    return relationship


@transaction.atomic
def record_status_period(
    *,
    actor: User | None,
    person: Person,
    kind: str,
    started_on: dt.date,
    recorded_by_agency: Agency,
    origin: Origin,
    protection_category: str = "",
    ended_on: dt.date | None = None,
) -> StatusPeriod:
    period = StatusPeriod.objects.create(
        person=person,
        kind=kind,
        protection_category=protection_category,
        started_on=started_on,
        ended_on=ended_on,
        recorded_by_agency=recorded_by_agency,
    )
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_STATUS,
        origin=origin,
        person=person,
        detail={"status_period": period.pk, "kind": kind, "started_on": started_on.isoformat()},
    )
    return period
