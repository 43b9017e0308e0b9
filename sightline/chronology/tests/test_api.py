import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.access.models import TokenPolicy
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.actions import record_events
from sightline.chronology.models import Category, ChronologyEvent
from sightline.chronology.queries import ChronologyFilter, events_for
from sightline.chronology.serializers import ChronologyEventSerializer, EventSubmissionSerializer
from sightline.chronology.vocabulary import STARTING_VOCABULARY
from sightline.importing import formats
from sightline.importing.rows import EventRow
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
        TokenPolicy.objects.create(token=token, scopes=["read", "write"])  # write is asked for
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
        ({"page_size": "201"}, "page_size"),
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
            response = client.get(url(child), {"page_size": 200})
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


# -- vocabulary and agencies -------------------------------------------------------------


def test_it_lists_the_category_vocabulary(social_worker):
    response = client_for(social_worker).get("/api/v1/categories/")
    assert response.status_code == 200
    codes = {c["code"] for c in response.json()["results"]}
    assert codes == {code for entries in STARTING_VOCABULARY.values() for code, _ in entries}
    assert {
        "code": "home_visit",
        "label": "Home visit",
        "agency_kind": "childrens_social_care",
        "active": True,
    } in response.json()["results"]
    assert client_for().get("/api/v1/categories/").status_code == 401


# -- submitting events ---------------------------------------------------------------------


@pytest.fixture
def csc_records(agencies, child):
    factories.SourceRecordFactory.create(agency=agencies["CSC"], record_id="C-1", person=child)
    factories.SourceRecordFactory.create(agency=agencies["CSC"], record_id="C-MUM")


def event(event_id="E-1", **fields):
    return {
        "event_id": event_id,
        "agency": "CSC",
        "subject_record_id": "C-1",
        "occurred_at": "2026-01-05T10:30",
        "category": "home_visit",
        "summary": "Visited at home; child seen alone.",
        "significance": "medium",
        "practitioner": "sally.social@example.org",
        "other_record_ids": "C-MUM",
        **fields,
    }


def test_it_documents_exactly_the_columns_of_the_format():
    assert set(EventSubmissionSerializer().fields) == set(formats.EVENT_COLUMNS)


def test_it_records_an_event_then_a_correction_then_nothing(child, csc_records, social_worker):
    client = client_for(social_worker)
    first = client.post("/api/v1/events/", event(), format="json")
    assert first.status_code == 201
    assert first.json() == {"created": 1, "corrected": 0, "unchanged": 0}
    saved = ChronologyEvent.objects.get()
    assert (saved.person, saved.submitted_by, saved.date_only) == (child, social_worker, False)
    # 10:30 in London in January is 10:30 UTC.
    assert saved.occurred_at == dt.datetime(2026, 1, 5, 10, 30, tzinfo=dt.UTC)
    assert [r.record_id for r in saved.other_records.all()] == ["C-MUM"]

    corrected = client.post("/api/v1/events/", event(summary="Corrected"), format="json")
    assert corrected.status_code == 201
    assert corrected.json() == {"created": 0, "corrected": 1, "unchanged": 0}
    same = client.post("/api/v1/events/", event(summary="Corrected"), format="json")
    assert same.status_code == 200
    assert same.json() == {"created": 0, "corrected": 0, "unchanged": 1}
    assert list(ChronologyEvent.objects.values_list("revision", flat=True)) == [1, 2]
    assert [(r.action, r.via) for r in AuditEvent.objects.all()] == [
        (AuditAction.RECORD_EVENT, "api")
    ] * 3


def test_it_accepts_a_list_of_other_record_ids(csc_records, social_worker):
    response = client_for(social_worker).post(
        "/api/v1/events/", event(other_record_ids=["C-MUM"]), format="json"
    )
    assert response.status_code == 201


def test_it_names_unknown_references_and_writes_nothing(csc_records, social_worker):
    response = client_for(social_worker).post(
        "/api/v1/events/batch/",
        [event("E-1"), event("E-2", subject_record_id="C-404", category="hug")],
        format="json",
    )
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [
        (1, "subject_record_id"),
        (1, "category"),
    ]
    assert ChronologyEvent.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_batch_of_events_is_all_or_nothing(csc_records, social_worker):
    batch = [
        event("E-1"),
        event("E-2", occurred_at="2999-01-01"),
        event("E-3", significance="urgent", summary=""),
        event("E-1"),
    ]
    response = client_for(social_worker).post("/api/v1/events/batch/", batch, format="json")
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [
        (1, "occurred_at"),
        (2, "summary"),
        (2, "significance"),
        (3, "event_id"),
    ]
    assert ChronologyEvent.objects.count() == 0


def test_a_good_batch_of_events_is_recorded_once(child, csc_records, social_worker):
    batch = [event(f"E-{n}", occurred_at=f"2026-01-{n:02d}") for n in range(1, 11)]
    client = client_for(social_worker)
    first = client.post("/api/v1/events/batch/", batch, format="json")
    assert first.status_code == 201
    assert first.json() == {"created": 10, "corrected": 0, "unchanged": 0}
    again = client.post("/api/v1/events/batch/", batch, format="json")
    assert again.status_code == 200
    assert again.json()["unchanged"] == 10
    assert child.events.count() == 10
    assert ChronologyEvent.objects.filter(date_only=True).count() == 10
    assert [r.action for r in AuditEvent.objects.all()] == [AuditAction.IMPORT_EVENTS] * 2


def test_it_refuses_events_for_another_agency(csc_records, police_officer, administrator):
    response = client_for(police_officer).post("/api/v1/events/", event(), format="json")
    assert response.status_code == 403
    assert ChronologyEvent.objects.count() == 0
    assert (
        client_for(administrator).post("/api/v1/events/", event(), format="json").status_code == 201
    )


def test_an_inactive_category_is_refused(csc_records, social_worker):
    Category.objects.filter(code="home_visit").update(active=False)
    response = client_for(social_worker).post("/api/v1/events/", event(), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "category"


def test_the_event_serializer_reads_other_people_itself_when_not_given_them(agencies):
    event = factories.ChronologyEventFactory.create(subject_record__agency=agencies["POLICE"])
    event.other_records.set(
        [
            factories.SourceRecordFactory.create(agency=agencies["POLICE"], record_id=rid)
            for rid in ["B", "A"]
        ]
    )
    annotated = events_for(event.person, ChronologyFilter()).get()
    assert ChronologyEventSerializer(annotated).data["other_record_ids"] == ["A", "B"]
