"""``cases.bulk.allocate_in_bulk`` writes what the allocation actions write."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sightline.audit.actions import Origin
from sightline.audit.models import AuditAction, AuditEvent
from sightline.audit.queries import verify_chain
from sightline.cases import actions
from sightline.cases.bulk import NewAllocation, allocate_in_bulk
from sightline.cases.models import Allocation
from sightline.chronology.models import ChronologyEvent
from sightline.people.models import Involvement, InvolvementRole
from sightline.record import rules
from sightline.testing import factories

pytestmark = pytest.mark.django_db

IMPORT = Origin(via="cli")


@pytest.fixture
def two_children(agencies):
    made = []
    for name in ("Alex", "Robin"):
        person = factories.PersonFactory.create(given_name=name, family_name="Bulkchild")
        factories.SourceRecordFactory.create(person=person, agency=agencies["CSC"])
        made.append(person)
    return made


def _actions_of(child):
    return sorted(AuditEvent.objects.filter(person=child).values_list("action", flat=True))


def test_it_writes_what_the_actions_write(agencies, social_worker, two_children):
    by_action, in_bulk = two_children
    first, end = dt.date(2025, 6, 2), dt.date(2025, 9, 1)
    allocation = actions.allocate(
        actor=None, origin=IMPORT, child=by_action, start_date=first, worker=social_worker,
        agency=agencies["CSC"],
    )  # fmt: skip
    actions.end_allocation(
        actor=None, origin=IMPORT, allocation=allocation, end_date=end, reason="OTHERS"
    )
    actions.allocate(
        actor=None, origin=IMPORT, child=by_action, start_date=dt.date(2026, 1, 5),
        worker=social_worker, agency=agencies["CSC"],
    )  # fmt: skip
    written = allocate_in_bulk(
        origin=IMPORT,
        agency=agencies["CSC"],
        allocations=[
            NewAllocation(in_bulk.pk, social_worker, first, end, "OTHERS"),
            NewAllocation(in_bulk.pk, social_worker, dt.date(2026, 1, 5)),
        ],
        audit_detail={"source": "test"},
    )
    assert len(written) == 2

    def current(child):
        return [
            (a.worker_id, a.team_id, a.start_date, a.end_date, a.reason_for_change)
            for a in Allocation.objects.current().filter(child=child).order_by("start_date")
        ]

    assert current(in_bulk) == current(by_action)

    def involvements(child):
        return list(
            Involvement.objects.filter(person=child)
            .order_by("started_on")
            .values_list("role", "practitioner_id", "agency_id", "started_on", "ended_on")
        )

    assert involvements(in_bulk) == involvements(by_action)
    assert involvements(in_bulk)[0][0] == InvolvementRole.ALLOCATED_SOCIAL_WORKER

    def events(child):
        return sorted(
            ChronologyEvent.objects.filter(subject_record__person=child).values_list(
                "category__code", "summary", "occurred_at"
            )
        )

    assert events(in_bulk) == events(by_action)
    # The action ends an allocation with a new version (and ends the involvement with its
    # own audit row); the bulk path writes the ended allocation with its end.
    assert _actions_of(in_bulk) == [
        AuditAction.ALLOCATE_CASE,
        AuditAction.ALLOCATE_CASE,
        AuditAction.END_ALLOCATION,
        AuditAction.RECORD_INVOLVEMENT,
        AuditAction.RECORD_INVOLVEMENT,
    ]
    assert rules.is_allocated_worker(social_worker, in_bulk)
    assert verify_chain() == []


def test_it_refuses_overlaps_and_a_child_already_allocated(agencies, social_worker, two_children):
    child, other = two_children
    with pytest.raises(ValidationError, match="starts before the one from"):
        allocate_in_bulk(
            origin=IMPORT,
            agency=agencies["CSC"],
            allocations=[
                NewAllocation(child.pk, social_worker, dt.date(2025, 6, 2)),
                NewAllocation(child.pk, social_worker, dt.date(2026, 1, 5)),
            ],
            audit_detail={},
        )
    actions.allocate(
        actor=None, origin=IMPORT, child=other, start_date=dt.date(2025, 6, 2),
        worker=social_worker, agency=agencies["CSC"],
    )  # fmt: skip
    with pytest.raises(ValidationError, match="allocated already"):
        allocate_in_bulk(
            origin=IMPORT,
            agency=agencies["CSC"],
            allocations=[NewAllocation(other.pk, social_worker, dt.date(2026, 1, 5))],
            audit_detail={},
        )
    with pytest.raises(ValidationError, match="end date"):
        allocate_in_bulk(
            origin=IMPORT,
            agency=agencies["CSC"],
            allocations=[
                NewAllocation(child.pk, social_worker, dt.date(2026, 1, 5), dt.date(2026, 1, 1))
            ],
            audit_detail={},
        )
    assert not Allocation.objects.filter(child=child).exists()
