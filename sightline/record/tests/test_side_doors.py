"""Side doors around the record (issue 13), each reproduced as an attacker with an
ordinary login would try it, through the pages and the API only.

- a Django superuser with no relationship passes the access-log and export checks;
- one letter of a name with a postcode lists a household (page and API);
- the API chronology works as an export: 200 events a page, and under emergency access.
"""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.access.models import BreakGlassGrant, BreakGlassReason
from sightline.audit.models import AuditAction, AuditEvent
from sightline.people.models import InvolvementRole
from sightline.testing import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # UserFactory's
EXPORT_FORM = {"reason_code": "conference_report", "reason_text": "Report for the conference"}
UNKNOWN = "00000000-0000-4000-8000-00000000dead"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def denials(user):
    return list(AuditEvent.objects.filter(actor=user, action=AuditAction.DENIED))


# -- a superuser has no bypass ---------------------------------------------------------


@pytest.fixture
def superuser(agencies):
    """A practitioner account that is also a Django superuser, with no relationship."""
    return factories.UserFactory.create(
        username="root.practitioner", agency=agencies["CSC"], is_superuser=True, is_staff=True
    )


def test_a_superuser_without_a_relationship_gets_404_on_who_has_seen_the_record(superuser, child):
    response = signed_in(superuser).get(
        reverse("access-seen-by", args=[child.public_id]), secure=True
    )
    assert response.status_code == 404
    [denied] = denials(superuser)
    assert denied.person == child
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW_ACCESS_LOG).exists()


def test_a_superuser_without_a_relationship_cannot_export_the_chronology(superuser, child):
    client = signed_in(superuser)
    url = reverse("access-export-chronology", args=[child.public_id])
    assert client.get(url, secure=True).status_code == 404
    response = client.post(url, {**EXPORT_FORM, "password": PASSWORD}, secure=True)
    assert response.status_code == 404
    assert "text/csv" not in response["Content-Type"]
    assert [row.person for row in denials(superuser)] == [child, child]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT_CHRONOLOGY).exists()


def test_a_superuser_is_granted_no_permission_wholesale(superuser, child):
    # The front door permission names referrers; a superuser was granted it, and every
    # other permission, by Django's default.
    assert not superuser.has_perm("access.front_door")
    assert not superuser.has_perm("people.view_person", child)
    assert not superuser.has_module_perms("access")


# -- search: the household listing -----------------------------------------------------


@pytest.fixture
def household(agencies):
    """Three children at one address, none known to the searcher."""
    return [
        factories.PersonFactory.create(given_name=name, family_name="Hidden", postcode="LS6 1AA")
        for name in ("Jade", "Jordan", "Joel")
    ]


def test_one_letter_and_a_postcode_is_refused_on_the_search_page(teacher, household):
    response = signed_in(teacher).get(
        reverse("people-search"), {"name": "j", "postcode": "LS6 1AA"}, secure=True
    )
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert 'href="#id_name"' in html  # the summary names the field to fix
    assert "Enter at least 2 letters of each name" in html
    assert "Hidden" not in html
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def test_one_letter_and_a_postcode_is_refused_by_the_api(teacher, household):
    response = api(teacher).get(
        "/api/v1/people/", {"q": "j hidden", "postcode": "LS6 1AA"}, secure=True
    )
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["q"]
    assert "Hidden" not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def test_two_letters_with_a_postcode_and_an_nhs_number_alone_still_search(teacher, household):
    client = api(teacher)
    found = client.get("/api/v1/people/", {"q": "jo hi", "postcode": "LS6 1AA"}, secure=True)
    assert found.status_code == 200
    assert sorted(r["given_name"] for r in found.json()["results"]) == ["Joel", "Jordan"]
    nhs = factories.PersonFactory.create(nhs_number=factories.synthetic_nhs_number(41))
    by_number = client.get("/api/v1/people/", {"nhs_number": nhs.nhs_number}, secure=True)
    assert by_number.status_code == 200
    assert by_number.json()["count"] == 1


# -- the API chronology is not an export ------------------------------------------------


@pytest.fixture
def long_chronology(agencies, child):
    record = factories.SourceRecordFactory.create(agency=agencies["CSC"], person=child)
    factories.ChronologyEventFactory.create_batch(60, subject_record=record)
    return child


def chronology_url(person_id):
    return f"/api/v1/people/{person_id}/chronology/"


def test_the_api_chronology_gives_at_most_50_events_a_page(social_worker, long_chronology):
    client = api(social_worker)
    for too_many in ("51", "200"):
        response = client.get(
            chronology_url(long_chronology.public_id), {"page_size": too_many}, secure=True
        )
        assert response.status_code == 400
        assert [error["field"] for error in response.json()["errors"]] == ["page_size"]
    first = client.get(chronology_url(long_chronology.public_id), secure=True).json()
    assert (first["count"], len(first["results"])) == (60, 50)
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_CHRONOLOGY).count() == 1


def test_the_schema_documents_the_chronology_page_size_limit(social_worker):
    schema = signed_in(social_worker).get("/api/schema/?format=json", secure=True).json()
    operation = schema["paths"]["/api/v1/people/{public_id}/chronology/"]["get"]
    [page_size] = [p for p in operation["parameters"] if p["name"] == "page_size"]
    assert page_size["schema"]["maximum"] == 50
    assert "400" in operation["responses"]


def test_under_emergency_access_the_api_chronology_is_404_as_for_an_unknown_id(
    teacher, long_chronology
):
    now = timezone.now()
    BreakGlassGrant.objects.create(
        user=teacher,
        person=long_chronology,
        reason_code=BreakGlassReason.IMMEDIATE_RISK,
        reason_text="Child at the school gate at night",
        granted_at=now - dt.timedelta(minutes=1),
        expires_at=now + dt.timedelta(hours=4),
    )
    client = api(teacher)
    response = client.get(chronology_url(long_chronology.public_id), secure=True)
    unknown = client.get(chronology_url(UNKNOWN), secure=True)
    assert response.status_code == unknown.status_code == 404
    assert response.content == unknown.content
    assert [row.person for row in denials(teacher)] == [long_chronology, None]
    # The emergency itself is still served: the child's page, read by a person.
    page = signed_in(teacher).get(
        reverse("person-detail", args=[long_chronology.public_id]), secure=True
    )
    assert page.status_code == 200


def test_with_a_relationship_the_api_chronology_is_served(police_officer, long_chronology):
    response = api(police_officer).get(chronology_url(long_chronology.public_id), secure=True)
    assert response.status_code == 200
    assert (
        long_chronology.involvements.get(practitioner=police_officer).role
        == InvolvementRole.POLICE_OFFICER
    )
