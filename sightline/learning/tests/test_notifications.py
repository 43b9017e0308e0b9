"""The national tables read from the incidents app's notifications."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.incidents.models import NotifiedChild, SeriousIncidentNotification
from sightline.learning import actions, notifications
from sightline.learning.tests.helpers import record
from sightline.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notify(agencies, team_manager):
    """Make a notification as the incidents app stores it (rows written directly: these
    tests are about reading them)."""

    def make(*, submitted_on, nature="serious_harm", children=({},)):
        aware = submitted_on - dt.timedelta(days=3) if submitted_on else dt.date(2023, 6, 1)
        notification = SeriousIncidentNotification.objects.create(
            local_authority=agencies["CSC"],
            police=agencies["POLICE"],
            integrated_care_board=agencies["HEALTH"],
            notifier=team_manager,
            incident_on=aware,
            aware_on=aware,
            nature=nature,
            case_outline="Synthetic outline.",
            police_involvement="investigating",
            due_on=aware + dt.timedelta(days=7),
            due_rule="notify_panel",
            due_rule_version="test",
            submitted_on=submitted_on,
        )
        for details in children:
            person = PersonFactory.create()
            values = {
                "name": person.given_name,
                "sex": "F",
                "age_at_incident": 0,
                "ethnicity": "White: British",
                "disability": "",
                "agencies_known": [],
            } | details
            NotifiedChild.objects.create(notification=notification, person=person, **values)
        return notification

    return make


def test_it_reads_children_on_notifications_sent_in_the_year(notify, agencies):
    notify(
        submitted_on=dt.date(2023, 4, 3),
        nature="looked_after_death",
        children=[
            {
                "sex": "M",
                "age_at_incident": 16,
                "looked_after": True,
                "placement_type": "Children's home",
                "ethnicity": "Mixed or Multiple: Other",
            }
        ],
    )
    notify(submitted_on=dt.date(2024, 3, 28), children=[{}, {"sex": "X", "disability": "Autism"}])
    notify(submitted_on=dt.date(2024, 4, 1))  # next year
    notify(submitted_on=None)  # not sent yet
    rows = notifications.notified_children(dt.date(2023, 4, 1), dt.date(2024, 3, 31))
    assert len(rows) == 3
    first = next(r for r in rows if r.nature == "death")
    assert (first.sex, first.age_group, first.ethnicity, first.looked_after) == (
        "male",
        "16_17",
        "mixed",
        True,
    )
    assert first.known_to_any_agency is True
    assert first.region == "not_recorded"
    assert first.local_authority == agencies["CSC"].name
    second = sorted((r.sex, r.disability) for r in rows if r.nature == "serious_harm")
    assert second == [("female", "unknown"), ("unknown", "yes")]


def test_the_region_comes_from_the_authority_mapping(notify, agencies, administrator):
    notify(submitted_on=dt.date(2023, 5, 3))
    actions.set_authority_region(
        actor=administrator, origin=CLI, local_authority=agencies["CSC"], region="yorkshire"
    )
    audit = AuditEvent.objects.order_by("-id").first()
    assert audit is not None
    assert audit.action == AuditAction.SET_AUTHORITY_REGION
    result = notifications.national_tables(2023)
    regions = dict(next(t for t in result.tables if t.title == "Region").rows)
    assert regions["Yorkshire and the Humber"] == [0]  # 1 rounds to 0
    with pytest.raises(actions.LearningError, match="local_authority: POLICE is not"):
        actions.set_authority_region(
            actor=administrator, origin=CLI, local_authority=agencies["POLICE"], region="yorkshire"
        )
    with pytest.raises(actions.LearningError, match="region: 'mars' is not one of"):
        actions.set_authority_region(
            actor=administrator, origin=CLI, local_authority=agencies["CSC"], region="mars"
        )


def test_the_statistics_page_and_csv_for_leaders_only(client, notify, team_manager, teacher):
    for _ in range(6):
        notify(submitted_on=dt.date(2023, 6, 1))
    client.force_login(teacher)
    assert client.get(reverse("learning:national-statistics")).status_code == 404
    assert client.get(reverse("learning:national-statistics-csv", args=[2023])).status_code == 404
    client.force_login(team_manager)
    html = client.get(reverse("learning:national-statistics"), {"year": 2023}).content.decode()
    assert "6 notifications about 6 children" in html
    assert "not a measure of how well" in html
    assert 'id="table-ethnicity-by-sex"' in html
    assert 'data-chart-source="age-chart-data"' in html
    response = client.get(reverse("learning:national-statistics-csv", args=[2023]))
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {
        "financial_year": "2023-24",
        "table": "Nature of incident",
        "row": "Serious harm",
        "column": "Children",
        "value": "6",
    } in lines
    formats = list(
        AuditEvent.objects.filter(action=AuditAction.PRODUCE_LEARNING_REPORT).values_list(
            "detail__format", flat=True
        )
    )
    assert formats == ["html", "csv"]


def test_the_commands_print_tables_and_set_regions(notify, agencies):
    notify(submitted_on=dt.date(2023, 6, 1))
    out = io.StringIO()
    call_command("national-statistics", "--year", "2023", stdout=out)
    assert "2023-24,Headline,Notifications,Number,1" in out.getvalue()
    out = io.StringIO()
    call_command("set-authority-region", "CSC", "london", stdout=out)
    assert "is in London" in out.getvalue()
    with pytest.raises(CommandError, match="code: no agency has the code NOPE"):
        call_command("set-authority-region", "NOPE", "london")


def test_a_review_can_be_linked_to_its_notification(notify, panel_analyst):
    notification = notify(submitted_on=dt.date(2023, 6, 1))
    document = actions.record_review_document(
        actor=panel_analyst, origin=CLI, record=record(), notification=notification
    )
    assert document.notification == notification
    audit = AuditEvent.objects.order_by("-id").first()
    assert audit is not None
    assert audit.detail["notification"] == notification.reference
