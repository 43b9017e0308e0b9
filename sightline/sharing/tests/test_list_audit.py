"""The inbox, referrals-sent and dashboard lists are audited (issue 13, leak 6).

Each view of a list writes one audit row per child shown, against the child, so "who has
seen this record" shows that the child appeared in someone's inbox or referral list.
Reading one alert (marking it read) or one referral is audited against the child.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from sightline.access.queries import access_log
from sightline.accounts.models import Role
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.audit.queries import verify_chain
from sightline.sharing import actions
from sightline.sharing.models import InboxItem
from sightline.testing import factories

pytestmark = pytest.mark.django_db
INBOX = reverse("sharing-inbox")
SENT = reverse("sharing-referrals-sent")
LISTED = [AuditAction.LIST_PERSON, AuditAction.LIST_UNNAMED]


@pytest.fixture
def teammate(agencies, csc_team):
    return factories.UserFactory.create(
        username="terry.teammate",
        agency=agencies["CSC"],
        team=csc_team,
        role=Role.PRACTITIONER,
    )


@pytest.fixture
def looked_up(flagged_child, ed_nurse):
    """A nurse looked the flagged child up: the allocated worker and the duty inbox hear."""
    actions.check_flag(actor=ed_nurse, nhs_number=flagged_child.nhs_number, origin=CLI)
    actions.deliver_alerts()
    return flagged_child


def refer(school_lead, child, front_door):
    return actions.raise_referral(
        actor=school_lead,
        person=child,
        to_team=front_door.pk,
        urgency="amber",
        reason="Came to school with bruising",
        shared="Body map",
        origin=CLI,
    )


def listed(actor, person):
    return list(
        AuditEvent.objects.filter(actor=actor, person=person, action__in=LISTED).order_by("id")
    )


def test_viewing_the_inbox_audits_each_child_listed_against_the_child(
    client, looked_up, social_worker
):
    """The attack: the inbox named the child and wrote no audit row, so "who has seen
    this record" never showed it."""
    client.force_login(social_worker)
    client.get(INBOX)
    (row,) = listed(social_worker, looked_up)
    assert row.action == AuditAction.LIST_PERSON
    assert row.detail == {"page": "inbox", "lists": ["alerts"]}
    assert row.via == "page"
    assert row in access_log(looked_up)
    client.get(INBOX)  # one row per view of the list
    assert len(listed(social_worker, looked_up)) == 2
    assert verify_chain() == []


def test_who_has_seen_this_record_shows_the_inbox_views(client, looked_up, social_worker, teammate):
    client.force_login(teammate)
    client.get(INBOX)
    (told,) = listed(teammate, looked_up)
    assert told.action == AuditAction.LIST_UNNAMED  # told of it, not given the name
    client.force_login(social_worker)
    client.get(INBOX)
    page = client.get(reverse("access-seen-by", args=[looked_up.public_id])).content.decode()
    log = page[page.index('id="access-log"') :]
    assert "Saw the child named in a list of alerts or referrals" in log
    assert "Was told of an alert about the child, without its name" in log


def test_the_api_inbox_is_audited_the_same_way(looked_up, social_worker):
    api = APIClient()
    api.force_authenticate(social_worker)
    assert api.get(reverse("api-inbox")).status_code == 200
    (row,) = listed(social_worker, looked_up)
    assert (row.action, row.via, row.detail["lists"]) == (
        AuditAction.LIST_PERSON,
        "api",
        ["alerts"],
    )


def test_the_dashboards_referral_lists_are_audited(
    client, school_lead, child, front_door, duty_worker
):
    refer(school_lead, child, front_door)
    client.force_login(duty_worker)
    page = client.get(INBOX).content.decode()
    assert "Jamie Testchild" in page
    (row,) = listed(duty_worker, child)
    assert row.action == AuditAction.LIST_PERSON
    assert row.detail["lists"] == ["to_acknowledge"]  # the alert is not delivered yet
    actions.deliver_alerts()
    client.get(INBOX)
    assert listed(duty_worker, child)[-1].detail["lists"] == ["alerts", "to_acknowledge"]


def test_the_overdue_and_sent_lists_are_audited(
    client, school_lead, child, front_door, front_door_manager
):
    referral = refer(school_lead, child, front_door)
    with time_machine.travel(referral.acknowledge_by + dt.timedelta(days=1), tick=False):
        client.force_login(front_door_manager)
        client.get(INBOX)
    assert "overdue" in listed(front_door_manager, child)[-1].detail["lists"]
    client.force_login(school_lead)
    client.get(INBOX)
    assert listed(school_lead, child)[-1].detail == {"page": "inbox", "lists": ["sent"]}


def test_the_referrals_sent_page_is_audited(client, school_lead, child, front_door):
    refer(school_lead, child, front_door)
    client.force_login(school_lead)
    assert "Jamie Testchild" in client.get(SENT).content.decode()
    (row,) = listed(school_lead, child)
    assert row.detail == {"page": "referrals_sent", "lists": ["sent"]}


def test_the_api_referral_list_is_audited(school_lead, child, front_door, duty_worker):
    refer(school_lead, child, front_door)
    api = APIClient()
    api.force_authenticate(duty_worker)
    assert len(api.get(reverse("api-referrals")).json()) == 1
    (row,) = listed(duty_worker, child)
    assert (row.via, row.detail) == ("api", {"page": "referrals", "lists": ["received"]})


def test_an_empty_list_writes_no_row(client, teacher):
    client.force_login(teacher)
    before = AuditEvent.objects.count()
    client.get(INBOX)
    client.get(SENT)
    assert AuditEvent.objects.count() == before


def test_reading_an_alert_is_audited_against_the_child(client, looked_up, social_worker):
    client.force_login(social_worker)
    mine = InboxItem.objects.get(user=social_worker)
    client.post(reverse("sharing-mark-read"), {"item": [mine.pk]})
    read = AuditEvent.objects.get(action=AuditAction.READ_ALERT, actor=social_worker)
    assert read.person == looked_up
    assert read.detail == {"items": [mine.pk]}


def test_reading_a_referral_is_audited_against_the_child(client, school_lead, child, front_door):
    referral = refer(school_lead, child, front_door)
    client.force_login(school_lead)
    client.get(reverse("sharing-referral", args=[referral.public_id]))
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW_REFERRAL, actor=school_lead, person=child
    ).exists()
