"""Concurrent writers never fork the audit chain (ADR 4)."""

import threading

import pytest
from django.db import connection, transaction

from sightline.audit.actions import CLI, append_audit, new_audit_event, record_audit
from sightline.audit.models import AuditAction, AuditChainHead, AuditEvent
from sightline.audit.queries import verify_chain

WRITERS = 6
TRANSACTIONS = 15


def test_append_audit_chains_several_rows_with_one_head_update(social_worker, child):
    record_audit(actor=social_worker, action=AuditAction.SEARCH, origin=CLI)
    events = [
        new_audit_event(
            actor=social_worker,
            action=AuditAction.VIEW_PERSON,
            origin=CLI,
            person_id=child.pk,
            detail={"n": n},
        )
        for n in range(3)
    ]
    with transaction.atomic():
        append_audit(events)
    rows = list(AuditEvent.objects.order_by("id"))
    assert [row.pk for row in rows[1:]] == [event.pk for event in events]
    assert [row.previous_hash for row in rows[1:]] == [row.hash for row in rows[:-1]]
    assert rows[1].person_id == child.pk
    assert rows[1].agency_code == social_worker.agency.code
    assert AuditChainHead.objects.get(pk=1).last_id == events[-1].pk
    assert AuditChainHead.objects.get(pk=1).last_hash == events[-1].hash
    assert verify_chain() == []


def test_append_audit_with_nothing_writes_nothing(db):
    append_audit([])
    assert not AuditEvent.objects.exists()
    assert not AuditChainHead.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has one writer at a time anyway"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain(social_worker):
    # The table starts empty: the writers also race to create the chain head.
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait()
            for n in range(TRANSACTIONS):
                with transaction.atomic():
                    # Another write first, as an action's would be, then the audit rows.
                    AuditEvent.objects.filter(pk=-1).exists()
                    rows = 1 + (writer + n) % 3
                    append_audit(
                        [
                            new_audit_event(
                                actor=social_worker,
                                action=AuditAction.SEARCH,
                                origin=CLI,
                                detail={"writer": writer, "n": n, "row": row},
                            )
                            for row in range(rows)
                        ]
                    )
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    expected = sum(1 + (w + n) % 3 for w in range(WRITERS) for n in range(TRANSACTIONS))
    assert AuditEvent.objects.count() == expected
    assert verify_chain() == []
    hashes = list(AuditEvent.objects.order_by("id").values_list("previous_hash", flat=True))
    assert len(set(hashes)) == expected  # no two rows follow the same row
    head = AuditChainHead.objects.get(pk=1)
    assert head.last_id == AuditEvent.objects.order_by("-id").values_list("id", flat=True)[0]
