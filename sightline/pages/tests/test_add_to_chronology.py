""" "Add to the chronology" from the child's page: one event of the practitioner's agency,
through the chronology's one way in, shown under the same rules as every other event."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import ChronologyEvent
from sightline.people.models import SourceRecord

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


class HttpsClient(Client):
    """A browser on HTTPS, as in production (plain HTTP is redirected)."""

    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


def signed_in(user):
    client = HttpsClient()
    client.force_login(user)
    return client


def add_url(person):
    return reverse("person-add-event", kwargs={"public_id": person.public_id})


def entry(**overrides):
    return {
        "occurred_on_day": "4",
        "occurred_on_month": "3",
        "occurred_on_year": "2026",
        "category": "concern_for_welfare",
        "significance": "high",
        "summary": "Found alone at the bus station at 11pm; taken home.",
    } | overrides


def test_the_childs_page_offers_the_acts_pre_filled_with_the_child(police_officer, child):
    page = signed_in(police_officer).get(reverse("person-detail", args=[child.public_id]))
    html = page.content.decode()
    assert f'href="{add_url(child)}"' in html
    assert reverse("networks:new-association", args=[child.public_id]) in html
    assert reverse("sharing-new-referral", args=[child.public_id]) in html
    # Notifying is for the local authority's leads and managers.
    assert "notify-serious-incident" not in html


def test_a_team_manager_is_offered_to_notify_a_serious_incident(team_manager, child):
    page = signed_in(team_manager).get(reverse("person-detail", args=[child.public_id]))
    assert f"?child={child.public_id}" in page.content.decode()


def test_the_form_offers_the_agencys_categories_first_and_never_sightlines_own(
    police_officer, child
):
    html = signed_in(police_officer).get(add_url(child)).content.decode()
    assert html.index('optgroup label="Police"') < html.index('optgroup label="Health"')
    assert 'value="concern_for_welfare"' in html
    for written_by_sightline in ("referral_acknowledged", "information_sharing_decision"):
        assert f'value="{written_by_sightline}"' not in html
    assert 'id="occurred_on_day"' in html or 'name="occurred_on_day"' in html


def test_adding_writes_an_event_of_the_users_agency_and_audits_it(police_officer, child):
    response = signed_in(police_officer).post(add_url(child), entry())
    assert response.status_code == 302
    assert response["Location"].endswith("#chronology")
    event = ChronologyEvent.objects.get(person=child)
    assert event.agency == police_officer.agency
    assert event.category.code == "concern_for_welfare"
    assert (event.significance, event.date_only) == ("high", True)
    assert timezone.localtime(event.occurred_at).date() == dt.date(2026, 3, 4)
    assert event.practitioner == police_officer.get_full_name()
    assert event.submitted_by == police_officer
    assert event.subject_record.agency == police_officer.agency
    assert AuditEvent.objects.filter(
        action=AuditAction.RECORD_EVENT, person=child, actor=police_officer
    ).exists()


def test_the_entry_is_shown_on_the_childs_page_to_others_who_may_see_it(
    police_officer, social_worker, child
):
    signed_in(police_officer).post(add_url(child), entry())
    page = signed_in(social_worker).get(reverse("person-detail", args=[child.public_id]))
    assert "Found alone at the bus station" in page.content.decode()


def test_an_agency_that_held_no_record_of_the_child_gets_one_with_the_childs_identity(
    police_officer, child
):
    SourceRecord.objects.filter(agency=police_officer.agency, person=child).delete()
    signed_in(police_officer).post(add_url(child), entry())
    record = SourceRecord.objects.get(agency=police_officer.agency, person=child)
    assert (record.given_name, record.date_of_birth) == (child.given_name, child.date_of_birth)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"occurred_on_day": ""}, "When did it happen? must include a day"),
        ({"occurred_on_month": "13"}, "When did it happen? must be a real date"),
        ({"occurred_on_year": "2027"}, "When did it happen? must be in the past"),
        ({"category": ""}, "Choose what happened"),
        ({"category": "referral_acknowledged"}, "Select a valid choice"),
        ({"significance": ""}, "Choose how significant it is"),
        ({"summary": "  "}, "Enter a summary of what happened"),
    ],
)
def test_bad_input_says_what_to_fix_and_writes_nothing(police_officer, child, overrides, message):
    response = signed_in(police_officer).post(add_url(child), entry(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert not ChronologyEvent.objects.exists()


def test_someone_who_may_not_see_the_child_gets_404_and_writes_nothing(teacher, child):
    response = signed_in(teacher).post(add_url(child), entry())
    assert response.status_code == 404
    assert not ChronologyEvent.objects.exists()
    assert AuditEvent.objects.get(person=child).action == AuditAction.DENIED
