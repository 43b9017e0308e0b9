"""Need to know by section, and the referrer's identity, on the page, the API and exports."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from sightline.access import sections
from sightline.access.actions import record_case_relationship
from sightline.access.models import CaseRole
from sightline.access.sections import Section
from sightline.accounts.models import User
from sightline.audit.actions import CLI
from sightline.chronology.models import Category
from sightline.record import rules
from sightline.testing import factories

pytestmark = pytest.mark.django_db

INTELLIGENCE = "Seen with older males at the car wash"
HEALTH = "Mother attended the perinatal mental health clinic"
EDUCATION = "Two days of suspension for fighting"
REFERRAL = "Referral about bruising"


@pytest.fixture
def events(agencies, child):
    def add(agency_code, category, summary, practitioner):
        record = factories.SourceRecordFactory.create(
            agency=agencies[agency_code], person=child, record_id=f"{agency_code}-{category}"
        )
        return factories.ChronologyEventFactory.create(
            subject_record=record,
            category=Category.objects.get(code=category),
            summary=summary,
            practitioner=practitioner,
        )

    return [
        add("POLICE", "exploitation_intelligence", INTELLIGENCE, "DC Ames"),
        add("HEALTH", "mental_health_contact", HEALTH, "Nurse Bell"),
        add("EDUCATION", "suspension", EDUCATION, "Head of year"),
        add("CSC", "referral", REFERRAL, "Ms Neighbour (next door)"),
    ]


def page_text(user, child):
    client = Client()
    client.force_login(user)
    response = client.get(
        reverse("person-detail", kwargs={"public_id": child.public_id}), secure=True
    )
    assert response.status_code == 200
    return response.content.decode()


def api_events(user, child):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/people/{child.public_id}/chronology/", secure=True)
    assert response.status_code == 200
    return {e["category"]["code"]: e for e in response.json()["results"]}


def test_the_police_see_intelligence_but_not_health_or_education_detail(
    police_officer, child, events
):
    html = page_text(police_officer, child)
    assert INTELLIGENCE in html
    assert HEALTH not in html
    assert EDUCATION not in html
    assert "Health detail is shared only with those whose role needs it" in html
    assert "Ask Leeds Health" in html
    assert "Ms Neighbour" not in html
    assert sections.WITHHELD_REFERRER in html
    assert REFERRAL in html  # the referral itself is shared


def test_the_allocated_worker_sees_health_and_education_detail_and_the_referrer(
    social_worker, child, events
):
    html = page_text(social_worker, child)
    assert HEALTH in html
    assert EDUCATION in html
    assert "Ms Neighbour" in html
    assert INTELLIGENCE not in html
    assert rules.sections_visible(social_worker, child) == {
        Section.HEALTH_DETAIL,
        Section.EDUCATION_DETAIL,
    }


def test_a_core_group_teacher_sees_education_detail_only(social_worker, teacher, child, events):
    record_case_relationship(
        actor=social_worker,
        person=child,
        practitioner=teacher,
        role=CaseRole.CORE_GROUP_MEMBER,
        started_on=child.involvements.first().started_on,
        origin=CLI,
    )
    found = api_events(teacher, child)
    assert found["suspension"]["summary"] == EDUCATION
    assert found["suspension"]["practitioner"] == "Head of year"
    assert found["mental_health_contact"]["summary"] != HEALTH
    assert found["mental_health_contact"]["practitioner"] == ""
    assert found["exploitation_intelligence"]["summary"].startswith("Police intelligence is shared")
    assert found["referral"]["practitioner"] == sections.WITHHELD_REFERRER


def test_the_front_door_sees_who_made_a_referral(police_officer, child, events):
    assert (
        api_events(police_officer, child)["referral"]["practitioner"] == sections.WITHHELD_REFERRER
    )
    police_officer.user_permissions.add(Permission.objects.get(codename="front_door"))
    fresh = User.objects.get(pk=police_officer.pk)  # without the cached permissions
    assert api_events(fresh, child)["referral"]["practitioner"] == "Ms Neighbour (next door)"


def test_the_agency_that_recorded_a_referral_sees_its_own_referrer(agencies, child, events):
    colleague = factories.UserFactory.create(agency=agencies["CSC"])
    factories.InvolvementFactory.create(person=child, practitioner=colleague)
    assert api_events(colleague, child)["referral"]["practitioner"] == "Ms Neighbour (next door)"


def test_other_people_in_a_withheld_event_are_withheld_too(police_officer, child, events, agencies):
    health_event = events[1]
    other = factories.SourceRecordFactory.create(agency=agencies["HEALTH"], record_id="MOTHER-1")
    health_event.other_records.add(other)
    assert api_events(police_officer, child)["mental_health_contact"]["other_record_ids"] == []


def test_every_restricted_category_is_in_the_vocabulary(db):
    known = set(Category.objects.values_list("code", flat=True))
    assert set(sections.CATEGORY_SECTIONS) <= known
    assert known >= sections.REFERRER_CATEGORIES
