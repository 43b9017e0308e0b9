"""Writing the audit trail. Called inside the caller's transaction: if this fails, so
does the read or write it records.

Appending to the chain locks its head row until the transaction commits, and every
writer in the system waits for that lock (ADR 4). So an action builds its rows first
(``new_audit_event``) and appends them all at once (``append_audit``) as its last write:
one lock, one insert, one update of the head, held for as few statements as possible.
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from sightline.audit import chain
from sightline.audit.models import AuditAction, AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from sightline.accounts.models import User
    from sightline.people.models import Person


@dataclass(frozen=True)
class Origin:
    """Where a request came from: the page, the API, the CLI or a background job."""

    via: str
    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest, *, via: str = "page") -> "Origin":
        return cls(
            via=via,
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )


CLI = Origin(via="cli")


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_username": event.actor_username,
        "agency_code": event.agency_code,
        "role": event.role,
        "action": event.action,
        "person": event.person_id,
        "reason": event.reason,
        "detail": event.detail,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "via": event.via,
    }


def new_audit_event(
    *,
    actor: "User | None",
    action: AuditAction,
    origin: Origin,
    person_id: int | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """An audit row not yet on the chain (no time, no hashes): give it to ``append_audit``.

    Takes the person's key, so that a caller holding only the key reads nothing more.
    """
    return AuditEvent(
        actor=actor,
        actor_username=actor.username if actor else "",
        agency_code=actor.agency.code if actor and actor.agency else "",
        role=actor.role if actor else "",
        action=action,
        person_id=person_id,
        reason=reason,
        detail=detail or {},
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        via=origin.via,
    )


def append_audit(events: Sequence[AuditEvent]) -> None:
    """Put ``events`` (from ``new_audit_event``) on the chain, in order, in the current
    transaction; each gets its time, hashes and key.

    Call it as the transaction's last write: the chain head stays locked until commit.
    Three statements on PostgreSQL (lock the head; insert the rows and move the head in
    one statement; the caller's commit), whatever the number of rows.
    """
    if not events:
        return
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        # Taken under the lock, as before: times rise with the chain's order.
        at = timezone.now()
        previous = head.last_hash
        for event in events:
            event.at = at
            event.previous_hash = previous
            event.hash = chain.row_hash(previous, hashed_fields(event))
            previous = event.hash
        if connection.vendor == "postgresql":
            _insert_and_move_head(events)
        else:
            AuditEvent.objects.bulk_create(events)
            AuditChainHead.objects.filter(pk=head.pk).update(
                last_hash=events[-1].hash, last_id=events[-1].pk
            )


def _locked_head() -> AuditChainHead:
    """The chain head, locked until commit (created at the genesis hash the first time)."""
    head = _select_head_for_update() if connection.vendor == "postgresql" else None
    if head is None:
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # Two first writers may race here: the loser's insert waits for the winner's
        # transaction, does nothing, and the lock below then waits for its commit.
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(pk=1, last_hash=chain.GENESIS_HASH, last_id=0)],
            ignore_conflicts=True,
        )
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


@functools.cache
def _head_sql() -> str:
    quote = connection.ops.quote_name
    # Table and column names come from the model.
    return (
        f"SELECT {quote('id')}, {quote('last_hash')}, {quote('last_id')} "  # noqa: S608
        f"FROM {quote(AuditChainHead._meta.db_table)} WHERE {quote('id')} = 1 FOR UPDATE"
    )


def _select_head_for_update() -> AuditChainHead | None:
    """PostgreSQL: the same statement the queryset above runs, written once rather than
    compiled by the ORM for every audit row (every read writes one)."""
    with connection.cursor() as cursor:
        cursor.execute(_head_sql())
        found = cursor.fetchone()
    if found is None:
        return None
    return AuditChainHead.from_db(connection.alias, ["id", "last_hash", "last_id"], found)


@functools.cache
def _insert_columns() -> tuple[tuple[Any, ...], str]:
    """The audit row's fields and their column list, as Django names the columns
    (``Field.get_attname_column``)."""
    fields = tuple(field for field in AuditEvent._meta.concrete_fields if not field.primary_key)
    quote = connection.ops.quote_name
    return fields, ", ".join(quote(field.db_column or field.get_attname()) for field in fields)


def _insert_and_move_head(events: Sequence[AuditEvent]) -> None:
    """PostgreSQL: insert the rows and point the head at the last one in one statement
    (one round trip fewer while the head is locked). Keys come from the table's sequence,
    in the order of the rows, so the chain's order is the key order ``verify`` walks."""
    fields, columns = _insert_columns()
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params: list[Any] = [
        field.get_db_prep_save(getattr(event, field.attname), connection)
        for event in events
        for field in fields
    ]
    # Table and column names come from the models, values are parameters.
    sql = (
        f"WITH appended AS (INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES {', '.join([row] * len(events))} RETURNING id), "
        f"moved AS (UPDATE {quote(AuditChainHead._meta.db_table)} SET last_hash = %s, "
        "last_id = (SELECT max(id) FROM appended) WHERE id = 1) "
        "SELECT id FROM appended ORDER BY id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, events[-1].hash])
        keys = [key for (key,) in cursor.fetchall()]
    for event, key in zip(events, keys, strict=True):
        event.pk = key
        event._state.adding = False
        event._state.db = connection.alias


def record_audit(
    *,
    actor: "User | None",
    action: AuditAction,
    origin: Origin,
    person: "Person | None" = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one row to the audit chain, in the current transaction."""
    event = new_audit_event(
        actor=actor,
        action=action,
        origin=origin,
        person_id=person.pk if person else None,
        reason=reason,
        detail=detail,
    )
    if person is not None:
        event.person = person
    append_audit([event])
    return event
