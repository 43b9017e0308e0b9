import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.access.models import TokenPolicy
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import Category, ChronologyEvent
from sightline.importing import formats
from sightline.importing.serializers import EventSubmissionSerializer
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
