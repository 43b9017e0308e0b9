import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.audit.models import AuditAction, AuditEvent
from sightline.people.models import (
    InvolvementRole,
    ProtectionCategory,
    RelationshipKind,
    StatusKind,
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
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def audit_rows():
    return list(AuditEvent.objects.values_list("action", "actor__username", "person_id"))


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
