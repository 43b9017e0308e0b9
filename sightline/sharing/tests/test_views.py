import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sightline.audit.models import AuditAction, AuditEvent
from sightline.sharing import actions
from sightline.sharing.models import Alert, InboxItem
from sightline.testing import factories

pytestmark = pytest.mark.django_db
FLAG_CHECK = reverse("sharing-flag-check")
INBOX = reverse("sharing-inbox")


def check(client, nhs_number, **extra):
    return client.post(FLAG_CHECK, {"nhs_number": nhs_number, **extra})


def test_it_shows_a_nurse_the_flag_and_whom_to_call(client, flagged_child, ed_nurse):
    client.force_login(ed_nurse)
    response = check(client, flagged_child.nhs_number)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Child protection plan" in page
    assert "0113 496 0000" in page
    assert "0113 496 0999" in page
    assert "Leeds Children&#x27;s Social Care" in page
    # The flag, not the record: no address, no chronology.
    assert flagged_child.address not in page
    assert Alert.objects.filter(person=flagged_child, actor=ed_nurse).exists()


def test_an_unflagged_child_gets_the_same_answer_as_an_unknown_number(client, child, ed_nurse):
    client.force_login(ed_nurse)
    unflagged = check(client, child.nhs_number).content.decode()
    unknown = check(client, "999 069 9933").content.decode()
    assert "No child protection flag is held" in unflagged
    assert "No child protection flag is held" in unknown
    assert child.family_name not in unflagged


def test_it_refuses_a_number_that_is_not_an_nhs_number(client, ed_nurse):
    client.force_login(ed_nurse)
    response = check(client, "1234567890")
    assert "Enter a valid 10-digit NHS number" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.CHECK_FLAG).exists()


@pytest.mark.parametrize("persona", ["administrator", "panel_analyst"])
def test_analysts_and_administrators_cannot_use_the_flag_check(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(FLAG_CHECK).status_code == 403


def test_the_flag_check_needs_a_sign_in(client):
    assert client.get(FLAG_CHECK).status_code == 302


def test_the_childs_page_shows_the_flag_lookups_and_who_else_is_involved(
    client, flagged_child, social_worker, police_officer, ed_nurse, agencies
):
    actions.check_flag(
        actor=ed_nurse,
        nhs_number=flagged_child.nhs_number,
        origin=actions.JOB,
    )
    record = factories.SourceRecordFactory.create(agency=agencies["POLICE"], person=flagged_child)
    factories.ChronologyEventFactory.create(
        subject_record=record,
        occurred_at=dt.datetime(2025, 10, 3, 12, tzinfo=dt.UTC),
    )
    police_officer.phone = "0113 496 1234"
    police_officer.save()
    client.force_login(social_worker)
    page = client.get(reverse("person-detail", args=[flagged_child.public_id])).content.decode()
    assert 'id="flag"' in page
    # The "Agencies involved" tab loads after the page.
    page = client.get(
        reverse("person-panel", args=[flagged_child.public_id, "involved"])
    ).content.decode()
    assert 'id="flag-lookups-table"' in page
    assert "Nina Nurse" in page
    involved = page[page.index('id="who-else-is-involved"') :]
    assert "West Yorkshire Police" in involved
    assert "0113 496 1234" in involved
    assert "3 October 2025" in involved  # the police's last contact
    assert "None recorded" in involved  # social care has recorded nothing yet


def test_an_unflagged_childs_page_has_no_flag_panel(client, child, social_worker):
    client.force_login(social_worker)
    page = client.get(reverse("person-detail", args=[child.public_id])).content.decode()
    assert 'id="flag"' not in page
    page = client.get(reverse("person-panel", args=[child.public_id, "involved"])).content.decode()
    assert 'id="flag"' not in page
    assert 'id="who-else-is-involved"' in page


def test_the_inbox_lists_alerts_and_the_navigation_counts_them(
    client, flagged_child, social_worker, ed_nurse, teacher
):
    actions.check_flag(actor=ed_nurse, nhs_number=flagged_child.nhs_number, origin=actions.JOB)
    actions.deliver_alerts()
    client.force_login(social_worker)
    page = client.get(INBOX).content.decode()
    assert "2 unread" in page
    assert 'id="nav-unread">2<' in page
    assert "Looked up by Nina Nurse" in page
    home = client.get(reverse("home")).content.decode()
    assert "Unread alerts: 2" in home

    client.force_login(teacher)
    assert "Looked up by" not in client.get(INBOX).content.decode()


def test_marking_alerts_read_clears_the_count(client, flagged_child, social_worker, ed_nurse):
    actions.check_flag(actor=ed_nurse, nhs_number=flagged_child.nhs_number, origin=actions.JOB)
    actions.deliver_alerts()
    client.force_login(social_worker)
    mine = InboxItem.objects.get(user=social_worker)
    response = client.post(reverse("sharing-mark-read"), {"item": [mine.pk]}, follow=True)
    assert "1 alert marked as read" in response.content.decode()
    assert "1 unread" in response.content.decode()
    client.post(reverse("sharing-mark-read"))
    assert "0 unread" in client.get(INBOX).content.decode()


def test_find_a_child_shows_the_flag_to_a_nurse_and_counts_as_a_lookup(
    client, flagged_child, ed_nurse, social_worker
):
    client.force_login(ed_nurse)
    page = client.get(reverse("people-search"), {"nhs_number": flagged_child.nhs_number})
    text = page.content.decode()
    assert page.status_code == 200
    assert f'id="flag-{flagged_child.public_id}"' in text
    assert "out of hours 0113 496 0999" in text
    alert = Alert.objects.get()
    assert (alert.actor, alert.person) == (ed_nurse, flagged_child)
    assert AuditEvent.objects.filter(
        action=AuditAction.CHECK_FLAG, detail__via="search", person=flagged_child
    ).exists()

    client.force_login(social_worker)  # with a relationship: the flag, and no alert
    text = client.get(
        reverse("people-search"), {"nhs_number": flagged_child.nhs_number}
    ).content.decode()
    assert f'id="flag-{flagged_child.public_id}"' in text
    assert Alert.objects.count() == 1


def test_find_a_child_shows_no_flag_for_an_unflagged_child(client, child, ed_nurse):
    client.force_login(ed_nurse)
    text = client.get(reverse("people-search"), {"nhs_number": child.nhs_number}).content.decode()
    assert "Child protection flag" not in text
    assert not Alert.objects.exists()


def test_flag_checks_count_against_the_search_limit(client, settings, flagged_child, ed_nurse):
    settings.SIGHTLINE_SEARCH_RATE = "2/hour"
    client.force_login(ed_nurse)
    assert check(client, flagged_child.nhs_number).status_code == 200
    assert check(client, flagged_child.nhs_number).status_code == 200
    refused = check(client, flagged_child.nhs_number)
    assert refused.status_code == 429
    assert "You have checked too many" in refused.content.decode()
    assert Alert.objects.count() == 2


def test_a_mothers_page_shows_the_pre_birth_flag_of_her_unborn_child(
    client, agencies, social_worker
):
    """The child's page finds a pre-birth plan through the mother's relationships (and
    skips looking for one on the page of someone who is nobody's parent)."""
    today = timezone.localdate()
    mother = factories.PersonFactory.create(date_of_birth=dt.date(1998, 5, 1), sex="F")
    baby = factories.PersonFactory.create(date_of_birth=today + dt.timedelta(days=60))
    factories.RelationshipFactory.create(person=mother, relative=baby, kind="parent")
    factories.StatusPeriodFactory.create(
        person=baby,
        kind="child_protection",
        started_on=today - dt.timedelta(days=30),
        recorded_by_agency=agencies["CSC"],
    )
    factories.InvolvementFactory.create(
        person=mother, practitioner=social_worker, agency=agencies["CSC"]
    )
    client.force_login(social_worker)
    page = client.get(reverse("person-detail", args=[mother.public_id])).content.decode()
    assert 'id="flag"' in page
    assert "Pre-birth" in page
