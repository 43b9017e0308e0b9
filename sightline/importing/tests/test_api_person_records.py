import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.access.models import TokenPolicy
from sightline.audit.models import AuditAction, AuditEvent
from sightline.importing import formats
from sightline.importing.serializers import PersonRecordSubmissionSerializer
from sightline.people.models import (
    SourceRecord,
)
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


def audit_rows():
    return list(AuditEvent.objects.values_list("action", "actor__username", "person_id"))


# -- submitting person records ----------------------------------------------------------


def record(record_id="C-1", **fields):
    return {
        "record_id": record_id,
        "agency": "CSC",
        "given_name": "Riley",
        "family_name": "Submitted",
        "date_of_birth": "2016-04-01",
        "sex": "F",
        "nhs_number": factories.synthetic_nhs_number(900),
        "postcode": "ls1 4ap",
        **fields,
    }


def test_it_documents_exactly_the_columns_of_the_format():
    assert set(PersonRecordSubmissionSerializer().fields) == set(formats.PERSON_COLUMNS)


def test_it_records_one_person_record_and_ignores_an_identical_resubmission(social_worker):
    client = client_for(social_worker)
    first = client.post("/api/v1/person-records/", record(), format="json")
    assert first.status_code == 201
    assert first.json() == {"created": 1, "updated": 0, "unchanged": 0, "persons_created": 1}
    saved = SourceRecord.objects.get()
    assert (saved.agency.code, saved.record_id, saved.postcode) == ("CSC", "C-1", "LS1 4AP")
    again = client.post("/api/v1/person-records/", record(), format="json")
    assert again.status_code == 200
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 1, "persons_created": 0}
    changed = client.post("/api/v1/person-records/", record(given_name="Rilee"), format="json")
    assert changed.status_code == 200
    assert changed.json()["updated"] == 1
    assert SourceRecord.objects.get().given_name == "Rilee"
    rows = AuditEvent.objects.all()
    assert [(r.action, r.via, r.detail["agency"]) for r in rows] == [
        (AuditAction.IMPORT_PEOPLE, "api", "CSC")
    ] * 3


def test_it_refuses_a_record_for_another_agency(social_worker):
    response = client_for(social_worker).post(
        "/api/v1/person-records/", record(agency="POLICE"), format="json"
    )
    assert response.status_code == 403
    assert "own agency (CSC)" in response.json()["detail"]
    assert SourceRecord.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_an_administrator_may_submit_for_any_agency(administrator, agencies):
    response = client_for(administrator).post(
        "/api/v1/person-records/", record(agency="POLICE"), format="json"
    )
    assert response.status_code == 201
    assert SourceRecord.objects.get().agency == agencies["POLICE"]


def test_it_names_every_bad_field_of_one_record(social_worker):
    response = client_for(social_worker).post(
        "/api/v1/person-records/",
        record(nhs_number="999 000 0001", sex="female", date_of_birth="2016-02-30", shoe="9"),
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "4 problem(s); nothing was recorded."
    assert {(e["index"], e["field"]) for e in body["errors"]} == {
        (0, "shoe"),
        (0, "date_of_birth"),
        (0, "nhs_number"),
        (0, "sex"),
    }
    assert SourceRecord.objects.count() == 0


def test_it_rejects_values_that_are_not_text(social_worker):
    response = client_for(social_worker).post(
        "/api/v1/person-records/", record(record_id={"nested": 1}, given_name=None), format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 0, "field": "record_id", "message": "record_id must be a string, not dict"}
    ]


def test_a_batch_is_all_or_nothing(social_worker):
    batch = [record("C-1"), record("C-2", postcode="nowhere"), record("C-3", given_name="")]
    batch[2].update(family_name="", date_of_birth="", nhs_number="")
    response = client_for(social_worker).post("/api/v1/person-records/batch/", batch, format="json")
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [
        (1, "postcode"),
        (2, None),
    ]
    assert SourceRecord.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_good_batch_is_recorded_and_is_idempotent(social_worker):
    batch = [
        record(f"C-{n}", given_name=f"Child{n}", nhs_number=factories.synthetic_nhs_number(n))
        for n in range(1, 4)
    ]
    client = client_for(social_worker)
    first = client.post("/api/v1/person-records/batch/", batch, format="json")
    assert first.status_code == 201
    assert first.json() == {"created": 3, "updated": 0, "unchanged": 0, "persons_created": 3}
    again = client.post("/api/v1/person-records/batch/", batch, format="json")
    assert again.status_code == 200
    assert again.json()["unchanged"] == 3
    assert SourceRecord.objects.count() == 3


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"record_id": "C-1"}, "must be a JSON list"),
        ([], "the batch is empty"),
        ([record("C-1"), "C-2"], "each item must be a JSON object"),
        ([record("C-1"), record("C-1")], "'C-1' already appears at index 0"),
        ([record(f"C-{n}") for n in range(5001)], "at most 5,000"),
    ],
)
def test_it_refuses_a_malformed_batch(social_worker, body, message):
    response = client_for(social_worker).post("/api/v1/person-records/batch/", body, format="json")
    assert response.status_code == 400
    assert any(message in e["message"] for e in response.json()["errors"])
    assert SourceRecord.objects.count() == 0


def test_a_batch_holds_one_known_agency(administrator):
    client = client_for(administrator)
    mixed = client.post(
        "/api/v1/person-records/batch/",
        [record("C-1"), record("P-1", agency="POLICE")],
        format="json",
    )
    assert mixed.status_code == 400
    assert mixed.json()["errors"] == [
        {
            "index": 1,
            "field": "agency",
            "message": "one agency per batch: the first item is for CSC",
        }
    ]
    unknown = client.post("/api/v1/person-records/", record(agency="NOPE"), format="json")
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == [
        {"index": 0, "field": "agency", "message": "no agency with code 'NOPE'"}
    ]
    assert SourceRecord.objects.count() == 0


def test_it_takes_only_json(social_worker):
    client = client_for(social_worker)
    assert client.post("/api/v1/person-records/", record(), format="multipart").status_code == 415
    broken = client.post("/api/v1/person-records/", "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert "JSON parse error" in broken.json()["errors"][0]["message"]
