import io
import json

import pytest
from django.core.management import CommandError, call_command

from sightline.testing import factories

pytestmark = pytest.mark.django_db


BASE = ("people", "source_records", "events", "agencies", "users")


def stats() -> dict[str, int]:
    """The foundation's counts (the features' figures are tested with each feature)."""
    out = io.StringIO()
    call_command("stats", stdout=out)
    counts: dict[str, int] = json.loads(out.getvalue())
    return {name: counts[name] for name in BASE}


def test_stats_on_an_empty_database(db):
    assert stats() == {"people": 0, "source_records": 0, "events": 0, "agencies": 0, "users": 0}


def test_stats_refuses_a_date_that_is_not_one(db):
    with pytest.raises(CommandError, match="not a YYYY-MM-DD date"):
        call_command("stats", "--as-of", "31/03/2026", stdout=io.StringIO())


def test_stats_counts_people_records_current_events_agencies_and_users(agencies, social_worker):
    kept, merged = factories.PersonFactory.create_batch(2)
    merged.merged_into = kept
    merged.save()
    record = factories.SourceRecordFactory.create(agency=agencies["HEALTH"], person=kept)
    factories.SourceRecordFactory.create(agency=agencies["CSC"], person=merged)
    first = factories.ChronologyEventFactory.create(subject_record=record, event_id="E1")
    factories.ChronologyEventFactory.create(
        subject_record=record, event_id="E1", revision=2, supersedes=first
    )
    factories.ChronologyEventFactory.create(subject_record=record, event_id="E2")
    assert stats() == {
        "people": 1,  # the merged-away person is not counted
        "source_records": 2,
        "events": 2,  # current revisions only
        "agencies": 5,
        "users": 1,
    }
