import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.access.models import TokenPolicy
from sightline.audit.models import AuditAction, AuditEvent
from sightline.importing import formats
from sightline.people.models import (
    InvolvementRole,
    ProtectionCategory,
    RelationshipKind,
    SourceRecord,
    StatusKind,
)
from sightline.people.serializers import PersonRecordSubmissionSerializer
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


# -- search ----------------------------------------------------------------------------


def test_it_finds_a_child_the_social_worker_works_with_and_audits_the_search(child, social_worker):
    dob = child.date_of_birth.isoformat()
    response = client_for(social_worker).get(
        "/api/v1/people/", {"q": "jam testc", "date_of_birth": dob}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": str(child.public_id),
            "given_name": "Jamie",
            "family_name": "Testchild",
            "date_of_birth": dob,
            "sex": child.sex,
            "postcode": child.postcode,
            "relationship": True,
            "flag": None,
        }
    ]
    [row] = AuditEvent.objects.all()
    assert (row.action, row.actor, row.via) == (AuditAction.SEARCH, social_worker, "api")
    assert row.detail == {
        "criteria": {"q": "jam testc", "date_of_birth": dob},
        "results": 1,
        "more": False,
        "page": 1,
    }


def test_a_practitioner_without_a_relationship_finds_the_identity_only(child, teacher):
    client = client_for(teacher)
    response = client.get("/api/v1/people/", {"nhs_number": child.nhs_number})
    assert response.status_code == 200
    [found] = response.json()["results"]
    assert (found["id"], found["relationship"], found["postcode"]) == (
        str(child.public_id),
        False,
        "",
    )
    assert client.get(f"/api/v1/people/{child.public_id}/").status_code == 404


@pytest.mark.parametrize("persona", ["administrator", "panel_analyst"])
def test_it_finds_nobody_for_roles_without_case_records(request, child, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).get("/api/v1/people/", {"nhs_number": child.nhs_number})
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert audit_rows() == [(AuditAction.SEARCH, user.username, None)]


def test_it_searches_by_date_of_birth_postcode_and_nhs_number(child, social_worker):
    other = factories.PersonFactory.create(
        given_name="Jamie", date_of_birth=dt.date(2019, 5, 5), postcode="LS6 1AA"
    )
    factories.InvolvementFactory.create(person=other, practitioner=social_worker)
    client = client_for(social_worker)

    def ids(**criteria):
        response = client.get("/api/v1/people/", criteria)
        assert response.status_code == 200, response.json()
        return {r["id"] for r in response.json()["results"]}

    assert ids(q="jamie", date_of_birth="2019-05-05") == {str(other.public_id)}
    assert ids(q="jamie", postcode="ls61aa") == {str(other.public_id)}
    assert ids(q="jamie", postcode=child.postcode) == {str(child.public_id)}
    spaced = f"{child.nhs_number[:3]} {child.nhs_number[3:6]} {child.nhs_number[6:]}"
    assert ids(nhs_number=spaced) == {str(child.public_id)}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, None),
        ({"q": "  "}, None),
        ({"q": "!!", "postcode": "LS1 4AP"}, None),
        ({"q": "jamie"}, None),
        ({"date_of_birth": "2015-03-14", "postcode": "LS1 4AP"}, None),
        ({"q": "jamie", "date_of_birth": "14/03/2015"}, "date_of_birth"),
        ({"nhs_number": "123"}, "nhs_number"),
        ({"q": "jamie", "postcode": "NOT A CODE"}, "postcode"),
        ({"nhs_number": "9990000018", "page_size": "500"}, "page_size"),
        ({"nhs_number": "9990000018", "page": "0"}, "page"),
    ],
)
def test_it_refuses_a_search_without_the_minimum_criteria_or_with_bad_ones(
    social_worker, params, field
):
    response = client_for(social_worker).get("/api/v1/people/", params)
    assert response.status_code == 400
    body = response.json()
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["errors"][0]["message"]
    if field is None:
        assert "with date_of_birth or postcode, or give nhs_number" in body["errors"][0]["message"]
    assert AuditEvent.objects.count() == 0


def test_it_pages_search_results(social_worker):
    for n in range(5):
        person = factories.PersonFactory.create(given_name="Robin", family_name=f"Page{n}")
        factories.InvolvementFactory.create(person=person, practitioner=social_worker)
    client = client_for(social_worker)
    criteria = {"q": "robin", "postcode": "LS1 4AP", "page_size": 2}
    first = client.get("/api/v1/people/", criteria).json()
    assert first["count"] == 5
    assert [r["family_name"] for r in first["results"]] == ["Page0", "Page1"]
    assert "page=2" in first["next"]
    assert first["previous"] is None
    last = client.get("/api/v1/people/", {**criteria, "page": 3}).json()
    assert [r["family_name"] for r in last["results"]] == ["Page4"]
    assert last["next"] is None
    beyond = client.get("/api/v1/people/", {**criteria, "page": 4})
    assert beyond.status_code == 404
    assert [r.detail["page"] for r in AuditEvent.objects.all()] == [1, 3]


def test_results_are_capped_at_the_setting(social_worker, settings):
    settings.SIGHTLINE_SEARCH_RESULT_LIMIT = 3
    for n in range(5):
        factories.PersonFactory.create(given_name="Robin", family_name=f"Cap{n}")
    body = (
        client_for(social_worker)
        .get("/api/v1/people/", {"q": "robin", "postcode": "LS1 4AP"})
        .json()
    )
    assert body["count"] == 3
    assert AuditEvent.objects.get().detail["more"] is True


def test_searches_are_rate_limited_per_user_and_the_refusal_is_audited(
    child, social_worker, teacher, settings
):
    settings.SIGHTLINE_SEARCH_RATE = "2/hour"
    criteria = {"nhs_number": child.nhs_number}
    client = client_for(social_worker)
    assert [client.get("/api/v1/people/", criteria).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    refused = client.get("/api/v1/people/", criteria)
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert client_for(teacher).get("/api/v1/people/", criteria).status_code == 200
    denials = AuditEvent.objects.filter(action=AuditAction.DENIED, actor=social_worker)
    assert [row.detail["intent"] for row in denials] == ["search", "search"]


def test_it_refuses_anonymous_callers(child):
    response = client_for().get("/api/v1/people/", {"nhs_number": child.nhs_number})
    assert response.status_code == 401
    assert client_for().get(f"/api/v1/people/{child.public_id}/").status_code == 401
    assert AuditEvent.objects.count() == 0


def test_it_accepts_a_session_as_well_as_a_token(child, social_worker):
    client = client_for()
    client.force_login(social_worker)
    assert client.get(f"/api/v1/people/{child.public_id}/").status_code == 200


# -- one person's record ----------------------------------------------------------------


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
def test_it_shows_a_record_only_to_those_with_a_relationship(request, child, persona, allowed):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(f"/api/v1/people/{child.public_id}/")
    if allowed:
        assert response.status_code == 200
        assert response.json()["id"] == str(child.public_id)
        expected = AuditAction.VIEW_PERSON
    else:
        assert response.status_code == 404
        assert response.json() == {"detail": "No such person"}
        expected = AuditAction.DENIED
    assert audit_rows() == [(expected, user.username, child.pk)]


def test_it_gives_the_same_404_for_a_person_who_does_not_exist(social_worker):
    response = client_for(social_worker).get("/api/v1/people/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such person"}
    assert audit_rows() == [(AuditAction.DENIED, social_worker.username, None)]


def test_it_assembles_the_record(agencies, child, social_worker, police_officer):
    mother = factories.PersonFactory.create(given_name="Morgan", family_name="Testchild")
    brother = factories.PersonFactory.create(given_name="Kit", family_name="Testchild")
    factories.RelationshipFactory.create(
        person=mother,
        relative=child,
        kind=RelationshipKind.PARENT,
        lives_with=True,
        started_on=dt.date(2015, 3, 14),
    )
    factories.RelationshipFactory.create(
        person=child, relative=brother, kind=RelationshipKind.SIBLING, lives_with=False
    )
    factories.StatusPeriodFactory.create(
        person=child,
        kind=StatusKind.CHILD_PROTECTION,
        protection_category=ProtectionCategory.NEGLECT,
        started_on=dt.date(2025, 2, 1),
        recorded_by_agency=agencies["CSC"],
    )
    factories.StatusPeriodFactory.create(
        person=child,
        kind=StatusKind.CHILD_IN_NEED,
        started_on=dt.date(2024, 1, 1),
        ended_on=dt.date(2025, 1, 31),
        recorded_by_agency=agencies["CSC"],
    )
    factories.SourceRecordFactory.create(agency=agencies["POLICE"], record_id="P-7", person=child)
    factories.ChronologyEventFactory.create(
        subject_record__agency=agencies["HEALTH"],
        subject_record__person=child,
        occurred_at=dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=20),
    )
    social_worker.job_title = "Social worker"
    social_worker.phone = "0113 496 0101"
    social_worker.save()

    body = client_for(social_worker).get(f"/api/v1/people/{child.public_id}/").json()

    assert (body["given_name"], body["family_name"], body["nhs_number"]) == (
        "Jamie",
        "Testchild",
        child.nhs_number,
    )
    assert {"agency": "POLICE", "record_id": "P-7"} in body["records"]
    assert body["current_statuses"] == [
        {
            "kind": "child_protection",
            "kind_label": "Child protection plan",
            "protection_category": "neglect",
            "since": "2025-02-01",
            "recorded_by": "CSC",
        }
    ]
    assert body["relationships"] == [
        {
            "person_id": str(mother.public_id),
            "name": "Morgan Testchild",
            "kind": "parent",
            "direction": "other_is_kind_of_this_person",
            "lives_with": True,
            "started_on": "2015-03-14",
            "ended_on": None,
        },
        {
            "person_id": str(brother.public_id),
            "name": "Kit Testchild",
            "kind": "sibling",
            "direction": "this_person_is_kind_of_other",
            "lives_with": False,
            "started_on": None,
            "ended_on": None,
        },
    ]
    worker = next(i for i in body["involvements"] if i["agency"]["code"] == "CSC")
    assert worker == {
        "agency": {"code": "CSC", "name": "Leeds Children's Social Care"},
        "role": InvolvementRole.ALLOCATED_SOCIAL_WORKER.value,
        "role_label": "Allocated social worker",
        "practitioner": {
            "name": "Sally Social",
            "job_title": "Social worker",
            "email": social_worker.email,
            "phone": "0113 496 0101",
        },
        "started_on": "2024-01-01",
        "ended_on": None,
    }
    assert {i["agency"]["code"] for i in body["involvements"]} == {"CSC", "POLICE"}
    assert body["event_counts"] == [
        {
            "agency": {"code": "HEALTH", "name": "Leeds Health"},
            "last_3_months": 1,
            "last_6_months": 1,
            "last_12_months": 1,
        }
    ]
    assert AuditEvent.objects.count() == 1


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
