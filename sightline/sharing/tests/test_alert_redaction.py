"""Alerts carry only what the reader may see (issue 13, leak 6).

An alert is composed for whoever reads it, when they read it: a teammate without a
relationship, reading the team's duty inbox, is told only that there is something for a
child the team holds, and whom to ask; the allocated worker sees the child and the
events, each summary withheld by their own sections as the chronology withholds it.
E-mails never carry the child's name or anything about the events.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from sightline.accounts.models import Role
from sightline.audit.actions import CLI
from sightline.importing.rows import EventRow
from sightline.importing.submissions import submit_events
from sightline.people.models import Involvement
from sightline.sharing import actions, inbox, queries
from sightline.sharing.models import Alert, AlertReason, InboxItem, OutboundEmail
from sightline.testing import factories

pytestmark = pytest.mark.django_db
INBOX = reverse("sharing-inbox")
HEALTH_SUMMARY = "Attended with a head injury after a fall at home"
POLICE_SUMMARY = "Seen with a known county lines nominal at the station"
SCHOOL_SUMMARY = "Refused to go into class and said home was not safe"


@pytest.fixture
def teammate(agencies, csc_team):
    """A practitioner in the allocated social worker's team, with no relationship with
    the child: they read the team's duty inbox."""
    return factories.UserFactory.create(
        username="terry.teammate",
        first_name="Terry",
        last_name="Teammate",
        agency=agencies["CSC"],
        team=csc_team,
        role=Role.PRACTITIONER,
    )


def record(agencies, person, code, *, event_id, category, summary):
    record = factories.SourceRecordFactory.create(
        agency=agencies[code], record_id=f"{code}-1", person=person
    )
    row = EventRow(
        line=2,
        event_id=event_id,
        agency=code,
        subject_record_id=record.record_id,
        occurred_at=dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC),
        date_only=False,
        category=category,
        summary=summary,
    )
    submit_events(actor=None, agency=agencies[code], rows=[row], origin=CLI)


@pytest.fixture
def alerted(agencies, flagged_child):
    """Health and the police each recorded an event about the flagged child; delivered."""
    record(
        agencies,
        flagged_child,
        "HEALTH",
        event_id="H-E1",
        category="emergency_attendance",
        summary=HEALTH_SUMMARY,
    )
    record(
        agencies,
        flagged_child,
        "POLICE",
        event_id="P-E1",
        category="exploitation_intelligence",
        summary=POLICE_SUMMARY,
    )
    assert actions.deliver_alerts() == 2
    return flagged_child


def secrets_of(child):
    return [
        child.given_name,
        child.family_name,
        child.full_name,
        child.date_of_birth.strftime("%-d %B %Y"),
        str(child.public_id),
        HEALTH_SUMMARY,
        POLICE_SUMMARY,
        "Emergency department attendance",
        "Exploitation intelligence",
    ]


def alerts_table(page):
    return page[page.index('id="alerts"') : page.index("</table>", page.index('id="alerts"'))]


def test_a_teammate_without_a_relationship_is_told_only_that_there_is_something(
    client, alerted, teammate, social_worker, duty_team
):
    """The attack: any member of the allocated worker's team read the child's name and
    the event summaries in the team's duty inbox."""
    assert InboxItem.objects.filter(team=duty_team).count() == 2
    client.force_login(teammate)
    page = client.get(INBOX).content.decode()
    table = alerts_table(page)
    assert table.count(inbox.GENERIC_CHILD) == 2
    assert "Ask Sally Social (allocated social worker) if you need to know more." in table
    for secret in secrets_of(alerted):
        assert secret not in page
    assert reverse("person-detail", args=[alerted.public_id]) not in page


def test_the_api_tells_a_teammate_without_a_relationship_no_more(alerted, teammate, duty_team):
    api = APIClient()
    api.force_authenticate(teammate)
    response = api.get(reverse("api-inbox"))
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 2
    for item in items:
        assert item["named"] is False
        assert item["person"] is None
        assert item["person_name"] == ""
        assert item["summary"] == inbox.GENERIC_CHILD
        assert item["events"] == []
        assert item["referral"] is None
        assert item["ask"].startswith("Ask Sally Social")
    for secret in secrets_of(alerted):
        assert secret not in response.content.decode()


def test_the_allocated_worker_sees_the_child_and_the_events_redacted_by_their_sections(
    client, alerted, social_worker
):
    client.force_login(social_worker)
    table = alerts_table(client.get(INBOX).content.decode())
    assert "Jamie Testchild" in table
    assert reverse("person-detail", args=[alerted.public_id]) in table
    assert "Leeds Health recorded an event: Emergency department attendance" in table
    assert HEALTH_SUMMARY in table
    # Police intelligence stays with the police, as on the allocated worker's chronology.
    assert POLICE_SUMMARY not in table
    assert (
        "Police intelligence is shared only with those whose role needs it. "
        "Ask West Yorkshire Police if you need to know more."
    ) in table
    assert inbox.GENERIC_CHILD not in table


def test_the_api_gives_the_allocated_worker_the_same_redacted_events(alerted, social_worker):
    api = APIClient()
    api.force_authenticate(social_worker)
    items = api.get(reverse("api-inbox")).json()["items"]
    events = {e["category"]: e for item in items if item["inbox"] == "mine" for e in item["events"]}
    assert events["Emergency department attendance"]["summary"] == HEALTH_SUMMARY
    assert events["Emergency department attendance"]["withheld"] == ""
    police = events["Exploitation intelligence"]
    assert police["withheld"] == "Police intelligence"
    assert POLICE_SUMMARY not in police["summary"]
    assert all(item["named"] and item["person_name"] == "Jamie Testchild" for item in items)


def test_a_school_safeguarding_lead_recipient_does_not_see_police_summaries(
    client, agencies, alerted, school_lead
):
    record(
        agencies,
        alerted,
        "EDUCATION",
        event_id="S-E1",
        category="behaviour_concern",
        summary=SCHOOL_SUMMARY,
    )
    actions.deliver_alerts()
    now = dt.datetime(2026, 1, 6, tzinfo=dt.UTC)
    for alert in Alert.objects.all():  # the lead reads every alert about the child
        InboxItem.objects.get_or_create(alert=alert, user=school_lead, created_at=now)
    client.force_login(school_lead)
    table = alerts_table(client.get(INBOX).content.decode())
    assert "Jamie Testchild" in table  # a relationship: the school is involved
    assert SCHOOL_SUMMARY in table  # their own section
    assert HEALTH_SUMMARY in table  # an attendance is in no restricted section
    assert POLICE_SUMMARY not in table
    assert "Police intelligence is shared only with those whose role needs it." in table


def test_the_team_manager_sees_what_the_allocated_workers_manager_may_see(
    client, alerted, team_manager
):
    client.force_login(team_manager)  # reads the duty inbox; manages the allocated worker
    table = alerts_table(client.get(INBOX).content.decode())
    assert "Jamie Testchild" in table
    assert HEALTH_SUMMARY in table
    assert POLICE_SUMMARY not in table


def test_what_is_shown_follows_the_relationship_when_read_not_when_queued(
    client, alerted, social_worker
):
    """Redaction happens when the alert is shown: a worker whose allocation ended after
    the alert was queued no longer reads the child's name in their own inbox."""
    Involvement.objects.filter(practitioner=social_worker).update(ended_on=dt.date(2025, 1, 1))
    client.force_login(social_worker)
    page = client.get(INBOX).content.decode()
    for secret in secrets_of(alerted):
        assert secret not in page
    assert inbox.GENERIC_CHILD in alerts_table(page)


def test_a_referral_alert_is_generic_for_a_reader_who_may_no_longer_see_the_referral(
    client, agencies, school_lead, child, front_door, front_door_manager
):
    referral = actions.raise_referral(
        actor=school_lead,
        person=child,
        to_team=front_door.pk,
        urgency="red",
        reason="Came to school with bruising",
        shared="Body map",
        origin=CLI,
    )
    actions.escalate_overdue_referrals(now=referral.acknowledge_by + dt.timedelta(minutes=1))
    actions.deliver_alerts()
    assert InboxItem.objects.filter(
        user=front_door_manager, alert__reason=AlertReason.REFERRAL_OVERDUE
    ).exists()
    front_door_manager.team = factories.TeamFactory.create(agency=agencies["CSC"], name="Other")
    front_door_manager.save()
    client.force_login(front_door_manager)
    page = client.get(INBOX).content.decode()
    assert inbox.GENERIC_REFERRAL in alerts_table(page)
    assert child.family_name not in page
    assert str(referral.public_id) not in page


@pytest.fixture
def base_url(settings):
    settings.SIGHTLINE_BASE_URL = "https://sightline.example.org"


def test_alert_emails_carry_no_name_and_no_summary_only_the_link(
    base_url, agencies, alerted, school_lead, front_door, ed_nurse
):
    actions.check_flag(actor=ed_nurse, nhs_number=alerted.nhs_number, origin=CLI)
    referral = actions.raise_referral(
        actor=school_lead,
        person=alerted,
        to_team=front_door.pk,
        urgency="amber",
        reason="Came to school with bruising",
        shared="Body map",
        origin=CLI,
    )
    actions.acknowledge_referral(
        actor=front_door.members.get(username="dev.duty"), referral=referral, origin=CLI
    )
    actions.deliver_alerts()
    emails = list(OutboundEmail.objects.all())
    assert len(emails) >= 5
    secrets = [
        *secrets_of(alerted),
        alerted.nhs_number,
        "Came to school",
        "Body map",
        "Nina Nurse",
        *Alert.objects.values_list("summary", flat=True),
    ]
    for email in emails:
        assert "https://sightline.example.org/sharing/" in email.body
        for secret in secrets:
            assert secret not in email.subject
            assert secret not in email.body


def test_composing_the_inbox_costs_the_same_queries_for_many_alerts(
    agencies, flagged_child, social_worker, teammate
):
    def cost(user):
        with CaptureQueriesContext(connection) as captured:
            inbox.alert_rows(user, list(queries.inbox_for(user)))
        return len(captured)

    record(
        agencies,
        flagged_child,
        "HEALTH",
        event_id="H-E1",
        category="emergency_attendance",
        summary=HEALTH_SUMMARY,
    )
    actions.deliver_alerts()
    one = cost(social_worker), cost(teammate)
    for i in range(2, 12):  # ten more children on plans, each with an event
        child = factories.PersonFactory.create()
        factories.InvolvementFactory.create(
            person=child,
            practitioner=social_worker,
            agency=agencies["CSC"],
            role="allocated_social_worker",
            started_on=dt.date(2024, 1, 1),
        )
        factories.StatusPeriodFactory.create(
            person=child, kind="child_protection", recorded_by_agency=agencies["CSC"]
        )
        factories.SourceRecordFactory.create(
            agency=agencies["HEALTH"], record_id=f"HEALTH-{i}", person=child
        )
        row = EventRow(
            line=2,
            event_id=f"H-E{i}",
            agency="HEALTH",
            subject_record_id=f"HEALTH-{i}",
            occurred_at=dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC),
            date_only=False,
            category="emergency_attendance",
            summary=HEALTH_SUMMARY,
        )
        submit_events(actor=None, agency=agencies["HEALTH"], rows=[row], origin=CLI)
    actions.deliver_alerts()
    assert InboxItem.objects.filter(user=social_worker).count() == 11
    assert (cost(social_worker), cost(teammate)) == one
