"""Every write to people, source records, relationships, involvements and statuses.

Each action is atomic, takes keyword-only arguments and an explicit actor, and writes
its audit row in the same transaction.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sightline.accounts.models import User
from sightline.agencies.models import Agency
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.importing.rows import PersonRecordRow
from sightline.people import identity, normalise
from sightline.people.identity import Claim, Disagreement, Identity
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
# A change to one of these re-checks that the record still agrees with its person.
_IDENTIFYING_FIELDS = ("given_name", "family_name", "other_names", "date_of_birth", "nhs_number")


@dataclass(frozen=True)
class UpsertResult:
    created: int
    updated: int
    unchanged: int
    persons_created: int
    # New records kept apart from the person they named and put to identity review. Not
    # for the submitter: to them a held record reads as a new person, as an unknown does.
    held_for_review: int = 0
    # The new and changed records, for what the submission does next (matching's index).
    records: tuple[SourceRecord, ...] = field(default=(), compare=False, repr=False)
    # The records that contradict the person they name, for the identity review queue
    # (``linkage.actions.propose_identity_reviews``, called by ``importing.submissions``).
    conflicts: tuple["IdentityConflict", ...] = field(default=(), compare=False, repr=False)


@dataclass
class IdentityConflict:
    """A record that contradicts the person it names: ``against`` is the record of theirs
    it is reviewed with. ``held``: a new record kept apart (its own person) until then."""

    record_id: str
    person_id: int
    against: int
    reasons: tuple[Disagreement, ...]
    held: bool
    record: SourceRecord | None = field(default=None)


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
    number, or else the same normalised full name and date of birth, **if it agrees with
    them** and joining it changes none of the name, date of birth, sex and NHS number
    they show (``people.identity``); otherwise it is held apart as a new person of its
    own and put to identity review with the person's record, so neither its values nor
    its events reach that person until a reviewer confirms the match. A record matching
    nobody starts a new person.

    Re-submitting a record updates it in place and keeps its person (re-resolution is the
    linkage's job); what the person shows follows the rules, so only the record that
    supplies a field changes it. An update that makes a record contradict its person is
    put to review too. Re-submitting identical rows changes nothing. The new and changed
    records and the conflicts are in the result: the submission entry points
    (``importing.submissions``) index the records for matching and put the conflicts to
    identity review in the same transaction.
    """
    now = timezone.now()
    existing: dict[str, SourceRecord] = {}
    ids = [row.record_id for row in rows]
    for chunk in _chunks(ids):
        for record in SourceRecord.objects.filter(agency=agency, record_id__in=chunk):
            existing[record.record_id] = record

    to_update: list[SourceRecord] = []
    recheck: list[SourceRecord] = []
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
        if any(getattr(record, name) != getattr(row, name) for name in _IDENTIFYING_FIELDS):
            recheck.append(record)
        for name in _RECORD_FIELDS:
            setattr(record, name, getattr(row, name))
        record.name_dob_key = _link_key(row)
        record.updated_at = now
        to_update.append(record)

    person_ids_for_new = _deterministic_persons(new_rows)
    holds = _held_joins(agency, new_rows, person_ids_for_new, now)
    for record_id in holds:
        del person_ids_for_new[record_id]
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
        if row.record_id in holds:
            holds[row.record_id].record = record
    # New persons are summarised before they are written: one INSERT each, no UPDATE.
    for person in new_persons:
        records = records_of_new_person[id(person)]
        _summarise(person, records, [_claim(record) for record in records])
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
    claims = _refresh(sorted(affected))
    conflicts = [*holds.values(), *_contradicting_updates(recheck, claims)]
    result = UpsertResult(
        created=len(new_records),
        updated=len(to_update),
        unchanged=unchanged,
        persons_created=persons_created,
        held_for_review=len(holds),
        records=(*new_records, *to_update),
        conflicts=tuple(conflicts),
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
            **({"identity_conflicts": len(conflicts)} if conflicts else {}),
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
    """record_id -> person id of an existing person with the same NHS number or name+DOB.

    Of several persons with a record giving the NHS number, the one who shows it, else the
    one whose record of it came first; of several with the name and date of birth, the
    one whose record of them came first (a record held apart later never wins).
    """
    by_nhs: dict[str, int] = {}
    nhs_numbers = sorted({row.nhs_number for row in rows if row.nhs_number})
    for chunk in _chunks(nhs_numbers):
        first: dict[str, int] = {}
        showing: dict[str, int] = {}
        for nhs_number, person_id, shown in (
            SourceRecord.objects.filter(nhs_number__in=chunk, person__merged_into__isnull=True)
            .order_by("received_at", "pk")
            .values_list("nhs_number", "person_id", "person__nhs_number")
        ):
            first.setdefault(nhs_number, person_id)
            if shown == nhs_number:
                showing.setdefault(nhs_number, person_id)
        by_nhs.update(first)
        by_nhs.update(showing)
    by_key: dict[str, int] = {}
    keys = sorted({k for k in (_link_key(row) for row in rows) if k})
    for chunk in _chunks(keys):
        for key, person_id in (
            SourceRecord.objects.filter(name_dob_key__in=chunk, person__merged_into__isnull=True)
            .order_by("received_at", "pk")
            .values_list("name_dob_key", "person_id")
        ):
            by_key.setdefault(key, person_id)
    matches: dict[str, int] = {}
    for row in rows:
        if row.nhs_number and row.nhs_number in by_nhs:
            matches[row.record_id] = by_nhs[row.nhs_number]
        elif (key := _link_key(row)) and key in by_key:
            matches[row.record_id] = by_key[key]
    return matches


def _held_joins(
    agency: Agency,
    rows: Sequence[PersonRecordRow],
    matches: Mapping[str, int],
    now: dt.datetime,
) -> dict[str, IdentityConflict]:
    """The new rows that may not join the person they matched: they contradict them
    (``identity.disagreements``) or would change what the person shows
    (``identity.changed_fields``). record_id -> the conflict."""
    person_ids = sorted(set(matches.values()))
    open_cases = _open_cases(person_ids)
    claims = _claims_of(_records_of(person_ids), open_cases)
    shown: dict[int, Identity] = {}
    held: dict[str, IdentityConflict] = {}
    for row in rows:
        person_id = matches.get(row.record_id)
        if person_id is None:
            continue
        others = claims.get(person_id, [])
        if not others:
            continue
        claim = Claim(
            agency_code=agency.code,
            agency_name=agency.name,
            agency_kind=agency.kind,
            record_id=row.record_id,
            established=now,
            record_pk=None,
            open_case=(person_id, agency.pk) in open_cases,
            **{name: getattr(row, name) for name in _RECORD_FIELDS},
        )
        if person_id not in shown:
            shown[person_id] = identity.shown_identity(others)
        before = shown[person_id]
        reasons = identity.disagreements(claim, others, before)
        if not reasons:
            after = identity.shown_identity([*others, claim])
            reasons = tuple(
                Disagreement(
                    name,
                    f"would replace the {identity.LABELS[name]} shown "
                    f"(from {before.sources[name].claim.agency_name})",
                )
                for name in identity.changed_fields(before, after)
            )
        if reasons:
            held[row.record_id] = IdentityConflict(
                record_id=row.record_id,
                person_id=person_id,
                against=_reviewed_with(reasons, before, others),
                reasons=reasons,
                held=True,
            )
    return held


def _contradicting_updates(
    records: Sequence[SourceRecord], claims: Mapping[int, Sequence[Claim]]
) -> list[IdentityConflict]:
    """Updated records whose name, date of birth or NHS number now contradicts the rest
    of their person's records. They stay with the person (their link was made on other
    evidence, and their earlier events are about that person); a reviewer decides."""
    found = []
    for record in records:
        others = [c for c in claims.get(record.person_id, []) if c.record_pk != record.pk]
        mine = [c for c in claims.get(record.person_id, []) if c.record_pk == record.pk]
        if not others or not mine:
            continue
        reasons = identity.disagreements(mine[0], others)
        if reasons:
            found.append(
                IdentityConflict(
                    record_id=record.record_id,
                    person_id=record.person_id,
                    against=_reviewed_with(reasons, identity.shown_identity(others), others),
                    reasons=reasons,
                    held=False,
                    record=record,
                )
            )
    return found


def _reviewed_with(
    reasons: Sequence[Disagreement], shown: Identity, others: Sequence[Claim]
) -> int:
    """The person's record that supplies the first field in dispute (else their first)."""
    for reason in reasons:
        source = shown.sources.get(reason.field)
        if source is not None and source.claim.record_pk is not None:
            return source.claim.record_pk
    saved = [claim.record_pk for claim in sorted(others, key=lambda c: c.seniority)]
    return next(pk for pk in saved if pk is not None)


# Linkage review fields each identity field is shown under on the review page.
def _open_cases(person_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(person id, agency id) of each agency of a kind whose precedence needs an open
    case and that has an active involvement or a current plan for the person today."""
    today = timezone.localdate()
    kinds = sorted(identity.OPEN_CASE_KINDS)
    found: set[tuple[int, int]] = set()
    for chunk in _chunks(person_ids):
        found.update(
            Involvement.objects.filter(person_id__in=chunk, agency__kind__in=kinds)
            .active_on(today)
            .values_list("person_id", "agency_id")
        )
        found.update(
            StatusPeriod.objects.filter(
                Q(ended_on__isnull=True) | Q(ended_on__gte=today),
                person_id__in=chunk,
                recorded_by_agency__kind__in=kinds,
                started_on__lte=today,
            ).values_list("person_id", "recorded_by_agency_id")
        )
    return found


def _claim(record: SourceRecord, *, open_case: bool = False) -> Claim:
    return Claim(
        agency_code=record.agency.code,
        agency_name=record.agency.name,
        agency_kind=record.agency.kind,
        record_id=record.record_id,
        established=record.received_at,
        record_pk=record.pk,
        open_case=open_case,
        **{name: getattr(record, name) for name in _RECORD_FIELDS},
    )


def _records_of(person_ids: Sequence[int]) -> dict[int, list[SourceRecord]]:
    records: dict[int, list[SourceRecord]] = defaultdict(list)
    for chunk in _chunks(person_ids):
        for record in SourceRecord.objects.filter(person_id__in=chunk).select_related("agency"):
            records[record.person_id].append(record)
    return records


def _claims_of(
    records: Mapping[int, Sequence[SourceRecord]], open_cases: set[tuple[int, int]]
) -> dict[int, list[Claim]]:
    """Each person's records as claims, ``open_cases`` from ``_open_cases``."""
    return {
        person_id: [
            _claim(record, open_case=(person_id, record.agency_id) in open_cases)
            for record in person_records
        ]
        for person_id, person_records in records.items()
    }


_IDENTITY_FIELDS = [
    "given_name",
    "family_name",
    "search_name",
    "date_of_birth",
    "sex",
    "nhs_number",
    "address",
    "postcode",
    "identity_sources",
]


def refresh_identities(*, person_ids: Sequence[int]) -> None:
    """Recompute each person's identity summary from their source records, by the rules
    of ``people.identity``, with the source of each field.

    Called inside the linking actions (upsert, merge, un-merge) and when an involvement
    or plan that gives an agency precedence starts or ends; never on its own.
    """
    _refresh(person_ids)


def _refresh(person_ids: Sequence[int]) -> dict[int, list[Claim]]:
    """``refresh_identities``, returning each person's claims (for the checks after it)."""
    all_claims: dict[int, list[Claim]] = {}
    for chunk in _chunks(person_ids):
        records_by_person = _records_of(chunk)
        claims_by_person = _claims_of(records_by_person, _open_cases(chunk))
        persons = list(Person.objects.filter(pk__in=chunk))
        changed = []
        for person in persons:
            records = records_by_person.get(person.pk, [])
            claims = claims_by_person.get(person.pk, [])
            all_claims[person.pk] = claims
            before = [getattr(person, name) for name in _IDENTITY_FIELDS]
            _summarise(person, records, claims)
            if [getattr(person, name) for name in _IDENTITY_FIELDS] != before:
                person.updated_at = timezone.now()
                changed.append(person)
        for person in changed:
            # One small UPDATE per changed person: bulk_update's CASE expressions cost far more.
            Person.objects.filter(pk=person.pk).update(
                updated_at=person.updated_at,
                **{name: getattr(person, name) for name in _IDENTITY_FIELDS},
            )
    return all_claims


def _summarise(person: Person, records: Sequence[SourceRecord], claims: Sequence[Claim]) -> None:
    shown = identity.shown_identity(claims)
    person.given_name = shown.given_name
    person.family_name = shown.family_name
    person.date_of_birth = shown.date_of_birth
    person.sex = shown.sex
    person.nhs_number = shown.nhs_number
    person.address = shown.address
    person.postcode = shown.postcode
    person.identity_sources = shown.provenance()
    # Found by every name any agency knows them by; shown by one.
    ordered = sorted(records, key=lambda r: (r.received_at, r.pk or 0))
    aliases = ";".join(
        [f"{r.given_name} {r.family_name}" for r in ordered] + [r.other_names for r in ordered]
    )
    person.search_name = normalise.search_name(person.given_name, person.family_name, aliases)


def _refresh_if_precedence_changes(person: Person, agency: Agency) -> None:
    """An involvement or plan of an agency whose precedence needs an open case can change
    which record a person's identity is taken from (a person with no records has no
    identity to recompute: theirs was set some other way, as fixtures do)."""
    if agency.kind in identity.OPEN_CASE_KINDS and person.source_records.exists():
        refresh_identities(person_ids=[person.pk])


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
    _refresh_if_precedence_changes(person, agency)
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
    _refresh_if_precedence_changes(involvement.person, involvement.agency)
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_INVOLVEMENT,
        origin=origin,
        person=involvement.person,
        detail={"involvement": involvement.pk, "ended_on": ended_on.isoformat()},
    )
    return involvement


@transaction.atomic
def change_involvement_dates(
    *,
    actor: User | None,
    involvement: Involvement,
    started_on: dt.date,
    ended_on: dt.date | None,
    origin: Origin,
) -> Involvement:
    """Move an involvement's dates (the allocation it stands for was corrected)."""
    involvement.started_on = started_on
    involvement.ended_on = ended_on
    involvement.save(update_fields=["started_on", "ended_on"])
    _refresh_if_precedence_changes(involvement.person, involvement.agency)
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_INVOLVEMENT,
        origin=origin,
        person=involvement.person,
        detail={
            "involvement": involvement.pk,
            "started_on": started_on.isoformat(),
            "ended_on": ended_on.isoformat() if ended_on else None,
        },
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
def end_relationship(
    *,
    actor: User | None,
    relationship: Relationship,
    ended_on: dt.date,
    reason: str,
    origin: Origin,
) -> Relationship:
    """A family or household relationship ends (a carer stops caring, a child stops
    living with a parent) on ``ended_on``, its last day. The row stays, with its dates,
    as the family's history; the reason is kept in the audit row. Refused (a
    ``ValidationError`` naming ``ended_on``) for a date in the future or before the
    relationship started, and for a relationship already ended."""
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    if relationship.ended_on is not None:
        raise ValidationError({"ended_on": "This relationship has already ended"})
    if ended_on > timezone.localdate():
        raise ValidationError(
            {"ended_on": "The date the relationship ended must be today or in the past"}
        )
    if relationship.started_on is not None and ended_on < relationship.started_on:
        raise ValidationError({"ended_on": "The relationship cannot end before it started"})
    relationship.ended_on = ended_on
    relationship.save(update_fields=["ended_on"])
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_RELATIONSHIP,
        origin=origin,
        person=relationship.relative,
        detail={
            "relationship": relationship.pk,
            "kind": relationship.kind,
            "person": relationship.person_id,
            "ended_on": ended_on.isoformat(),
            "reason": reason,
        },
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
    _refresh_if_precedence_changes(person, recorded_by_agency)
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_STATUS,
        origin=origin,
        person=person,
        detail={"status_period": period.pk, "kind": kind, "started_on": started_on.isoformat()},
    )
    return period


_UNSET: object = object()


@transaction.atomic
def change_status_period(
    *,
    actor: User | None,
    period: StatusPeriod,
    origin: Origin,
    started_on: dt.date | None = None,
    ended_on: dt.date | object | None = _UNSET,
    protection_category: str | None = None,
) -> StatusPeriod:
    """End a status period (``ended_on``), or follow a correction of the plan or episode
    it stands for. The flags read it: an end date starts the 12-month rule
    (``sharing.flagging``). The audit row keeps the values before and after."""
    period = StatusPeriod.objects.select_for_update().get(pk=period.pk)
    before = {
        "started_on": period.started_on.isoformat(),
        "ended_on": period.ended_on.isoformat() if period.ended_on else None,
        "protection_category": period.protection_category,
    }
    if started_on is not None:
        period.started_on = started_on
    if ended_on is not _UNSET:
        period.ended_on = ended_on if isinstance(ended_on, dt.date) else None
    if protection_category is not None:
        period.protection_category = protection_category
    period.save(update_fields=["started_on", "ended_on", "protection_category"])
    _refresh_if_precedence_changes(period.person, period.recorded_by_agency)
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_STATUS,
        origin=origin,
        person=period.person,
        detail={
            "status_period": period.pk,
            "kind": period.kind,
            "before": before,
            "started_on": period.started_on.isoformat(),
            "ended_on": period.ended_on.isoformat() if period.ended_on else None,
            "protection_category": period.protection_category,
        },
    )
    return period
