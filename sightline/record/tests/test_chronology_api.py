import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.actions import record_events
from sightline.importing.rows import EventRow
from sightline.record.access import Intent, open_record
from sightline.record.serializers import ChronologyEventSerializer
from sightline.testing import factories

pytestmark = pytest.mark.django_db


class HttpsClient(APIClient):
    """Every request over HTTPS: the settings redirect plain HTTP, as in production."""

    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


def client_for(user=None):
    client = HttpsClient()
    if user is not None:
        token = Token.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def day(n, hour=9):
    return dt.datetime(2026, 1, n, hour, tzinfo=dt.UTC)


@pytest.fixture
def chronology(agencies, child):
    """Seven events about the child from four agencies, one corrected once."""
    records = {
        code: factories.SourceRecordFactory.create(
            agency=agencies[code], record_id=f"{code}-1", person=child
        )
        for code in ["CSC", "POLICE", "HEALTH", "EDUCATION"]
    }
    mother = factories.SourceRecordFactory.create(agency=agencies["POLICE"])
    spec = [
        ("CSC", "C1", day(2), "referral", "medium", ()),
        ("POLICE", "P1", day(3), "domestic_abuse_incident", "high", (mother.record_id,)),
        ("HEALTH", "H1", day(4), "emergency_attendance", "high", ()),
        ("EDUCATION", "S1", day(5), "persistent_absence", "low", ()),
        ("CSC", "C2", day(6), "home_visit", "", ()),
        ("POLICE", "P2", day(7), "missing_episode", "medium", ()),
    ]
    for code, event_id, when, category, significance, others in spec:
        record_events(
            actor=None,
            agency=agencies[code],
            rows=[
                EventRow(
                    line=2,
                    event_id=event_id,
                    agency=code,
                    subject_record_id=records[code].record_id,
                    occurred_at=when,
                    date_only=False,
                    category=category,
                    summary=f"Event {event_id}",
                    significance=significance,
                    other_record_ids=others,
                )
            ],
            origin=CLI,
        )
    # A correction of H1: revision 2 supersedes revision 1.
    record_events(
        actor=None,
        agency=agencies["HEALTH"],
        rows=[
            EventRow(
                line=2,
                event_id="H1",
                agency="HEALTH",
                subject_record_id="HEALTH-1",
                occurred_at=day(4),
                date_only=False,
                category="emergency_attendance",
                summary="Event H1, corrected",
                significance="high",
            )
        ],
        origin=CLI,
    )
    AuditEvent.objects.all().delete()
    return mother


def url(child):
    return f"/api/v1/people/{child.public_id}/chronology/"


def refs(response):
    assert response.status_code == 200, response.json()
    return [(e["event_id"], e["revision"]) for e in response.json()["results"]]


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("social_worker", True),
        ("police_officer", True),
        ("team_manager", True),
        ("teacher", False),
        ("panel_analyst", False),
        ("administrator", False),
    ],
)
def test_it_shows_a_chronology_only_to_those_with_a_relationship(
    request, child, chronology, persona, allowed
):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(url(child))
    if allowed:
        assert response.status_code == 200
        assert response.json()["count"] == 7
        expected = AuditAction.VIEW_CHRONOLOGY
    else:
        assert response.status_code == 404
        assert response.json() == {"detail": "No such person"}
        expected = AuditAction.DENIED
    rows = list(AuditEvent.objects.values_list("action", "actor", "person", "via"))
    assert rows == [(expected, user.pk, child.pk, "api")]


def test_it_lists_every_agency_oldest_first_with_each_events_fields(
    child, chronology, social_worker
):
    response = client_for(social_worker).get(url(child))
    assert refs(response) == [
        ("C1", 1),
        ("P1", 1),
        ("H1", 1),
        ("H1", 2),
        ("S1", 1),
        ("C2", 1),
        ("P2", 1),
    ]
    events = response.json()["results"]
    police = events[1]
    assert police == {
        "agency": {"code": "POLICE", "name": "West Yorkshire Police"},
        "event_id": "P1",
        "revision": 1,
        "occurred_at": "2026-01-03T09:00:00Z",
        "date_only": False,
        "recorded_at": police["recorded_at"],
        "category": {"code": "domestic_abuse_incident", "label": "Domestic abuse incident"},
        "summary": "Event P1",
        "significance": "high",
        "practitioner": "",
        "is_superseded": False,
        "supersedes": None,
        "subject_record_id": "POLICE-1",
        "other_record_ids": [chronology.record_id],
    }
    assert (events[2]["is_superseded"], events[2]["supersedes"]) == (True, None)
    assert (events[3]["is_superseded"], events[3]["supersedes"]) == (
        False,
        {"event_id": "H1", "revision": 1},
    )
    assert events[5]["significance"] is None
    [row] = AuditEvent.objects.all()
    assert row.detail == {
        "filters": {"order": "asc", "include_superseded": True},
        "page": 1,
    }


def test_it_filters_and_orders(child, chronology, social_worker):
    client = client_for(social_worker)

    def ids(**params):
        return [ref[0] for ref in refs(client.get(url(child), params))]

    assert ids(order="desc") == ["P2", "C2", "S1", "H1", "H1", "P1", "C1"]
    assert ids(agency="POLICE") == ["P1", "P2"]
    assert ids(agency="CSC,EDUCATION") == ["C1", "S1", "C2"]
    assert ids(agency=["CSC", "EDUCATION"], order="desc") == ["C2", "S1", "C1"]
    assert ids(category="home_visit,referral") == ["C1", "C2"]
    assert ids(significance=["high", "medium"], agency="POLICE") == ["P1", "P2"]
    assert ids(significance="low") == ["S1"]
    assert ids(**{"from": "2026-01-04", "to": "2026-01-05"}) == ["H1", "H1", "S1"]
    assert ids(**{"from": "2026-01-06"}) == ["C2", "P2"]
    assert ids(include_superseded="false", agency="HEALTH") == ["H1"]
    assert refs(client.get(url(child), {"include_superseded": "false", "agency": "HEALTH"})) == [
        ("H1", 2)
    ]
    filtered = AuditEvent.objects.filter(detail__filters__agency=["CSC", "EDUCATION"])
    assert filtered.count() == 2
    assert AuditEvent.objects.count() == 11


def test_it_pages_the_chronology(child, chronology, social_worker):
    client = client_for(social_worker)
    first = client.get(url(child), {"page_size": 3}).json()
    assert first["count"] == 7
    assert [e["event_id"] for e in first["results"]] == ["C1", "P1", "H1"]
    third = client.get(url(child), {"page_size": 3, "page": 3}).json()
    assert [e["event_id"] for e in third["results"]] == ["P2"]
    assert third["next"] is None
    assert "page_size=3" in third["previous"]
    assert [r.detail["page"] for r in AuditEvent.objects.all()] == [1, 3]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"agency": "NOPE"}, "agency"),
        ({"agency": "CSC,NOPE"}, "agency"),
        ({"category": "hug"}, "category"),
        ({"significance": "urgent"}, "significance"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"from": "2026-01-05", "to": "2026-01-04"}, "to"),
        ({"order": "sideways"}, "order"),
        ({"include_superseded": "maybe"}, "include_superseded"),
        ({"page": "x"}, "page"),
        ({"page_size": "51"}, "page_size"),
        ({"page_size": "200"}, "page_size"),
    ],
)
def test_it_refuses_bad_parameters_naming_them(child, chronology, social_worker, params, field):
    response = client_for(social_worker).get(url(child), params)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert errors[0]["index"] is None
    assert AuditEvent.objects.count() == 0


def test_an_unknown_code_is_named_in_the_message(child, chronology, social_worker):
    response = client_for(social_worker).get(url(child), {"agency": "CSC,NOPE"})
    assert response.json()["errors"][0]["message"].startswith("Unknown agency code(s): NOPE.")


def test_it_reads_a_page_in_the_same_number_of_queries_however_many_events(
    agencies, child, social_worker
):
    record = factories.SourceRecordFactory.create(agency=agencies["POLICE"], person=child)
    others = factories.SourceRecordFactory.create_batch(3, agency=agencies["POLICE"])
    client = client_for(social_worker)

    def queries_for_a_page():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url(child), {"page_size": 50})
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    def add_events(n, start):
        for i in range(start, start + n):
            event = factories.ChronologyEventFactory.create(subject_record=record, event_id=f"Q{i}")
            event.other_records.set(others[: i % 4])
            if i % 5 == 0:
                factories.ChronologyEventFactory.create(
                    subject_record=record,
                    event_id=f"Q{i}",
                    revision=2,
                    supersedes=event,
                )

    add_events(4, 0)
    queries_for_a_page()  # the first audit row also creates the chain head
    few, count_few = queries_for_a_page()
    add_events(60, 4)
    many, count_many = queries_for_a_page()
    assert (count_few, count_many) == (5, 77)
    assert few == many


def test_a_single_event_is_read_through_the_record_with_its_other_people(
    agencies, child, social_worker
):
    event = factories.ChronologyEventFactory.create(
        person=child, subject_record__agency=agencies["POLICE"], subject_record__person=child
    )
    event.other_records.set(
        [
            factories.SourceRecordFactory.create(agency=agencies["POLICE"], record_id=rid)
            for rid in ["B", "A"]
        ]
    )
    record = open_record(social_worker, child.public_id, intent=Intent.VIEW_RECORD, origin=CLI)
    row = record.event(event.pk)
    assert row is not None
    assert row.other_record_ids == ("A", "B")
    assert ChronologyEventSerializer(row).data["other_record_ids"] == ["A", "B"]
    elsewhere = factories.ChronologyEventFactory.create()
    assert record.event(elsewhere.pk) is None
