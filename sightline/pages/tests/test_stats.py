import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sightline.linkage.models import MatchReview, ReviewStatus
from sightline.networks.models import ExploitationMeeting
from sightline.pages.queues import QUEUES
from sightline.testing import factories

pytestmark = pytest.mark.django_db


# The case's figures, tested with the cases app (cases/tests).
CASE_FIGURES = {"cin_open", "cp_plans", "looked_after", "cp_plans_started"}


def stats() -> dict[str, int]:
    out = io.StringIO()
    call_command("stats", stdout=out)
    counts: dict[str, int] = json.loads(out.getvalue())
    return {name: count for name, count in counts.items() if name not in CASE_FIGURES}


def test_stats_on_an_empty_database(db):
    assert stats() == {
        "people": 0,
        "source_records": 0,
        "events": 0,
        "agencies": 0,
        "users": 0,
        **dict.fromkeys(QUEUES, 0),
    }


def test_stats_refuses_a_date_that_is_not_one(db):
    with pytest.raises(CommandError, match="not a YYYY-MM-DD date"):
        call_command("stats", "--as-of", "31/03/2026", stdout=io.StringIO())


def test_each_queue_counts_what_is_open_and_not_what_is_done(agencies, team_manager):
    records = factories.SourceRecordFactory.create_batch(4, agency=agencies["HEALTH"])
    a, b, c, d = sorted(records, key=lambda r: r.pk)
    now = timezone.now()
    common = {"probability": 0.9, "evidence_key": "k", "model_version": "v", "proposed_at": now}
    MatchReview.objects.create(record_a=a, record_b=b, **common)
    MatchReview.objects.create(record_a=c, record_b=d, status=ReviewStatus.CONFIRMED, **common)
    today = timezone.localdate()
    for held_on in (today - dt.timedelta(days=7), today, today + dt.timedelta(days=14)):
        ExploitationMeeting.objects.create(
            area=f"Area {held_on}", held_on=held_on, chair=team_manager, recorded_by=team_manager
        )
    factories.ReviewDocumentFactory.create_batch(3)
    counts = stats()
    assert counts["linkage_reviews_open"] == 1
    assert counts["meetings_upcoming"] == 2  # today's and the one to come
    assert counts["reviews_to_code"] == 3
    assert list(counts)[-len(QUEUES) :] == list(QUEUES)


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
        **dict.fromkeys(QUEUES, 0),
    }
