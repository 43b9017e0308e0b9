import datetime as dt

import pytest
import time_machine

from sightline.audit.actions import CLI
from sightline.chronology.actions import record_events
from sightline.chronology.models import ChronologyEvent
from sightline.chronology.queries import ChronologyFilter, counts_by_agency, events_for
from sightline.importing.errors import RowsRejectedError
from sightline.importing.rows import EventRow
from sightline.testing import factories

pytestmark = pytest.mark.django_db


def event(event_id, subject="R1", when=dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC), **fields):
    defaults = {
        "agency": "CSC",
        "category": "home_visit",
        "summary": "Visited at home",
        "date_only": False,
    }
    return EventRow(
        line=2,
        event_id=event_id,
        subject_record_id=subject,
        occurred_at=when,
        **{**defaults, **fields},
    )


@pytest.fixture
def record(agencies, child):
    return factories.SourceRecordFactory.create(
        agency=agencies["CSC"], record_id="R1", person=child
    )


def test_it_records_and_then_ignores_an_identical_resubmission(agencies, record):
    first = record_events(actor=None, agency=agencies["CSC"], rows=[event("E1")], origin=CLI)
    again = record_events(actor=None, agency=agencies["CSC"], rows=[event("E1")], origin=CLI)
    assert (first.created, again.created, again.unchanged) == (1, 0, 1)
    assert ChronologyEvent.objects.get().person == record.person


def test_a_changed_resubmission_supersedes_and_keeps_the_old(agencies, record, child):
    record_events(actor=None, agency=agencies["CSC"], rows=[event("E1")], origin=CLI)
    result = record_events(
        actor=None, agency=agencies["CSC"], rows=[event("E1", summary="Corrected")], origin=CLI
    )
    assert result.corrected == 1
    events = events_for(child, ChronologyFilter())
    # is_superseded is an annotation, which the type checker cannot see.
    assert [(e.revision, getattr(e, "is_superseded")) for e in events] == [(1, True), (2, False)]  # noqa: B009
    current = list(events_for(child, ChronologyFilter(include_superseded=False)))
    assert [e.summary for e in current] == ["Corrected"]


def test_it_rejects_unknown_references_and_writes_nothing(agencies, record):
    with pytest.raises(RowsRejectedError) as caught:
        record_events(
            actor=None,
            agency=agencies["CSC"],
            rows=[
                event("E1"),
                event("E2", subject="NOPE"),
                event("E3", category="nope", other_record_ids=("X",)),
            ],
            origin=CLI,
        )
    assert [(e.column) for e in caught.value.errors] == [
        "subject_record_id",
        "other_record_ids",
        "category",
    ]
    assert ChronologyEvent.objects.count() == 0


def test_it_orders_and_filters_across_agencies(agencies, child):
    when = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    for offset, code in enumerate(["POLICE", "CSC", "HEALTH", "EDUCATION"]):
        factories.ChronologyEventFactory.create(
            subject_record__agency=agencies[code],
            subject_record__person=child,
            occurred_at=when + dt.timedelta(days=10 - offset),
            significance="high" if code == "HEALTH" else "low",
        )
    codes = [e.agency.code for e in events_for(child, ChronologyFilter())]
    assert codes == ["EDUCATION", "HEALTH", "CSC", "POLICE"]
    assert [e.agency.code for e in events_for(child, ChronologyFilter(order="desc"))] == codes[::-1]
    assert [
        e.agency.code for e in events_for(child, ChronologyFilter(agencies=("CSC", "POLICE")))
    ] == ["CSC", "POLICE"]
    assert [e.agency.code for e in events_for(child, ChronologyFilter(significance=("high",)))] == [
        "HEALTH"
    ]
    window = ChronologyFilter(date_from=dt.date(2026, 1, 9), date_to=dt.date(2026, 1, 10))
    assert [e.agency.code for e in events_for(child, window)] == ["HEALTH", "CSC"]


@time_machine.travel(dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC), tick=False)
def test_it_counts_events_per_agency_over_3_6_and_12_months(agencies, child):
    for days_ago in [10, 100, 200, 400]:
        factories.ChronologyEventFactory.create(
            subject_record__agency=agencies["POLICE"],
            subject_record__person=child,
            occurred_at=dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC) - dt.timedelta(days=days_ago),
        )
    [police] = counts_by_agency(child)
    assert police.code == "POLICE"
    assert police.counts == {3: 1, 6: 2, 12: 3}
