"""The entry points every submission of person records and events goes through: file
imports, the API and the demo.

The foundation writes (``people.actions.upsert_source_records``,
``chronology.actions.record_events``) know nothing of the features; what the features do
with a submission happens here, in the same transaction: new and changed person records
go into the real-time match index (point-of-entry matching must see a new identity at
once, not after the next ``sightline link``), records that contradict the person they
name go to identity review (``people.identity``; docs/linkage.md), and events about a flagged child alert the
allocated worker.
"""

from collections.abc import Sequence

from django.db import transaction

from sightline.accounts.models import User
from sightline.agencies.models import Agency
from sightline.audit.actions import Origin
from sightline.chronology.actions import RecordEventsResult, record_events
from sightline.importing.rows import EventRow, PersonRecordRow
from sightline.linkage import realtime
from sightline.linkage.actions import propose_identity_reviews
from sightline.people.actions import UpsertResult, upsert_source_records
from sightline.sharing.actions import queue_event_alerts


@transaction.atomic
def submit_person_records(
    *,
    actor: User | None,
    agency: Agency,
    rows: Sequence[PersonRecordRow],
    origin: Origin,
    audit_detail: dict[str, object] | None = None,
) -> UpsertResult:
    """``upsert_source_records``, then the records indexed for matching and any identity
    conflicts put to review."""
    result = upsert_source_records(
        actor=actor, agency=agency, rows=rows, origin=origin, audit_detail=audit_detail
    )
    realtime.index_records(result.records)
    propose_identity_reviews(actor=actor, agency=agency, conflicts=result.conflicts, origin=origin)
    return result


@transaction.atomic
def submit_events(
    *,
    actor: User | None,
    agency: Agency,
    rows: Sequence[EventRow],
    origin: Origin,
    audit_detail: dict[str, object] | None = None,
) -> RecordEventsResult:
    """``record_events``, then an alert for each flagged child among the events."""
    result = record_events(
        actor=actor, agency=agency, rows=rows, origin=origin, audit_detail=audit_detail
    )
    queue_event_alerts(events=result.events, actor=actor, agency=agency)
    return result
