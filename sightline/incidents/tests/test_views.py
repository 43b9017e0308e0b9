"""Pages: who may, who may not (404 for records one may not know exist), audit rows."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.incidents import actions
from sightline.incidents.models import PanelResponse, SeriousIncidentNotification
from sightline.record.picker import PICK_BUTTON
from sightline.testing import factories

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def notification(notify, team_manager):
    return actions.submit_notification(
        actor=team_manager, origin=CLI, notification=notify(), submitted_on=D(2024, 5, 10)
    )


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("team_manager", 200),
        ("panel_analyst", 200),
        ("social_worker", 404),
        ("teacher", 404),
        ("administrator", 404),
    ],
)
def test_the_notification_page(client, request, notification, persona, status):
    user = request.getfixturevalue(persona)
    AuditEvent.objects.all().delete()
    response = _login(client, user).get(
        reverse("incidents:notification", args=[notification.public_id])
    )
    assert response.status_code == status
    row = AuditEvent.objects.get()
    assert row.actor == user
    assert row.action == (AuditAction.VIEW_INCIDENT if status == 200 else AuditAction.DENIED)
    if status == 200:
        assert "13 May 2024" in response.content.decode()


def test_the_dashboard_lists_only_visible_records(client, notification, team_manager, teacher):
    page = _login(client, team_manager).get(reverse("incidents:dashboard")).content.decode()
    assert notification.reference in page
    assert "Record a serious incident notification" in page
    client.logout()
    page = _login(client, teacher).get(reverse("incidents:dashboard")).content.decode()
    assert notification.reference not in page
    assert "Record a serious incident notification" not in page


def test_the_panel_analyst_reads_but_cannot_change(client, notification, panel_analyst):
    _login(client, panel_analyst)
    response = client.post(reverse("incidents:review_open", args=[notification.public_id]))
    assert response.status_code == 403
    assert not hasattr(SeriousIncidentNotification.objects.get(), "rapid_review")
    assert AuditEvent.objects.filter(actor=panel_analyst, action=AuditAction.DENIED).exists()


def _date(name, day):
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def test_recording_a_notification_through_the_page(client, team_manager, child, agencies):
    _login(client, team_manager)
    form = {
        "local_authority": agencies["CSC"].pk,
        "police": agencies["POLICE"].pk,
        "integrated_care_board": agencies["HEALTH"].pk,
        **_date("incident_on", D(2024, 5, 2)),
        **_date("aware_on", D(2024, 5, 3)),
        "nature": "serious_harm",
        "case_outline": "Outline",
        "police_involvement": "none",
        "child_1_id": str(child.public_id),
    }
    # Opened from the child's page: the child is offered, and chosen already.
    url = reverse("incidents:notification_new") + f"?child={child.public_id}"
    page = client.get(url).content.decode()
    assert f'value="{child.public_id}" checked' in page
    assert "Sightline reference" not in page
    bad = client.post(url, {**form, **_date("aware_on", D(2024, 5, 1))})
    assert bad.status_code == 400
    assert "The authority cannot have become aware before the incident." in bad.content.decode()
    assert not SeriousIncidentNotification.objects.exists()
    response = client.post(url, form)
    notification = SeriousIncidentNotification.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:notification", args=[notification.public_id])
    assert notification.due_on == D(2024, 5, 13)


def test_the_child_is_found_by_the_one_search_then_chosen(client, team_manager, child, agencies):
    _login(client, team_manager)
    url = reverse("incidents:notification_new")
    form = {
        "local_authority": agencies["CSC"].pk,
        "police": agencies["POLICE"].pk,
        "integrated_care_board": agencies["HEALTH"].pk,
        **_date("incident_on", D(2024, 5, 2)),
        **_date("aware_on", D(2024, 5, 3)),
        "nature": "serious_harm",
        "case_outline": "Outline",
        "police_involvement": "none",
    }
    born = child.date_of_birth
    query = f"{child.full_name} {born.day}/{born.month}/{born.year}"
    searched = client.post(url, {**form, "child_1_id-q": query, PICK_BUTTON: "child_1_id"})
    assert searched.status_code == 200
    html = searched.content.decode()
    assert "There is a problem" not in html
    assert "Outline</textarea>" in html  # the form is kept
    (key,) = re.findall(r'name="child_1_id" type="radio" value="([^"]+)"', html)
    assert AuditEvent.objects.filter(actor=team_manager, action=AuditAction.SEARCH).count() == 1
    # A child the manager may see, but whose public id the search did not offer: refused.
    slipped = client.post(url, {**form, "child_1_id": str(child.public_id)})
    assert slipped.status_code == 400
    assert not SeriousIncidentNotification.objects.exists()
    response = client.post(url, {**form, "child_1_id-q": query, "child_1_id": key})
    assert response.status_code == 302
    assert SeriousIncidentNotification.objects.get().children.get().person == child


def test_a_child_not_offered_cannot_be_notified_about(client, team_manager, agencies):
    # Only a child offered (from the case, or found) whose record the user may see.
    stranger = factories.PersonFactory.create()
    response = _login(client, team_manager).post(
        reverse("incidents:notification_new"), {"child_1_id": str(stranger.public_id)}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["child_1_id"] == [
        "Choose one of the people listed: search again if the person is not there."
    ]
    assert not SeriousIncidentNotification.objects.exists()


def test_the_page_says_the_review_waits_for_the_notification_to_be_sent(
    client, notify, team_manager
):
    waiting = notify()
    page = _login(client, team_manager).get(
        reverse("incidents:notification", args=[waiting.public_id])
    )
    text = page.content.decode()
    assert "waiting for the notification to be sent" in text
    assert "recorded as sent to the national panel" in text


def test_practitioners_cannot_open_the_form(client, social_worker):
    assert (
        _login(client, social_worker).get(reverse("incidents:notification_new")).status_code == 403
    )


def test_exports_are_audited(client, notification, panel_analyst):
    _login(client, panel_analyst)
    response = client.get(
        reverse("incidents:notification_export", args=[notification.public_id, "json"])
    )
    assert response.status_code == 200
    assert json.loads(response.content)["deadline"]["due_on"] == "2024-05-13"
    pdf = client.get(reverse("incidents:notification_export", args=[notification.public_id, "pdf"]))
    assert pdf.content.startswith(b"%PDF")
    assert (
        AuditEvent.objects.filter(action=AuditAction.EXPORT_INCIDENT, actor=panel_analyst).count()
        == 2
    )
    assert (
        client.get(
            reverse("incidents:notification_export", args=[notification.public_id, "xml"])
        ).status_code
        == 404
    )


def test_a_review_step_error_is_shown_on_the_page(client, notification, team_manager):
    _login(client, team_manager)
    client.post(reverse("incidents:review_open", args=[notification.public_id]))
    response = client.post(
        reverse("incidents:review_step", args=[notification.public_id, "decision"]),
        {
            "needed": "yes",
            "reasons": "r",
            "decided_on_day": "20",
            "decided_on_month": "5",
            "decided_on_year": "2024",
        },
    )
    assert response.status_code == 400
    assert "Record the review meeting before the decision." in response.content.decode()
    assert (
        client.post(
            reverse("incidents:review_step", args=[notification.public_id, "nope"])
        ).status_code
        == 404
    )


def test_a_contributor_writes_their_summary_and_no_other(
    client, notification, team_manager, police_officer, agencies
):
    review = actions.open_rapid_review(actor=team_manager, origin=CLI, notification=notification)
    police = review.summaries.get(agency__code="POLICE")
    actions.request_agency_summary(
        actor=team_manager,
        origin=CLI,
        review=review,
        agency=agencies["POLICE"],
        contributor=police_officer,
    )
    _login(client, police_officer)
    assert client.get(reverse("incidents:review", args=[notification.public_id])).status_code == 200
    csc = review.summaries.get(agency__code="CSC")
    assert client.get(reverse("incidents:summary", args=[csc.pk])).status_code == 404
    response = client.post(
        reverse("incidents:summary", args=[police.pk]),
        {"involvement": "Two call-outs", "analysis": "Missed link", "learning": "Share sooner"},
    )
    assert response.status_code == 302
    police.refresh_from_db()
    assert police.submitted_by == police_officer
    # A contributor cannot change the review itself.
    meeting = client.post(
        reverse("incidents:review_step", args=[notification.public_id, "meeting"]),
        {
            "held_on_day": "24",
            "held_on_month": "5",
            "held_on_year": "2024",
            "attendees": "a",
            "notes": "b",
        },
    )
    assert meeting.status_code == 403


def test_date_fields_are_govuk_date_inputs_prefilled_with_today(client, notification, team_manager):
    page = _login(client, team_manager).get(
        reverse("incidents:notification", args=[notification.public_id])
    )
    assert page.status_code == 200
    review_page = client.post(reverse("incidents:review_open", args=[notification.public_id]))
    page = client.get(review_page["Location"]).content.decode()
    for part, value in (("day", "2"), ("month", "9"), ("year", "2024")):
        assert f'name="held_on_{part}" value="{value}"' in page


def test_the_panel_analyst_records_the_panels_response_from_the_review_page(
    client, notification, team_manager, panel_analyst
):
    review = actions.open_rapid_review(actor=team_manager, origin=CLI, notification=notification)
    review.completed_on = D(2024, 5, 31)
    review.save()
    url = reverse("incidents:review", args=[notification.public_id])
    partner_page = _login(client, team_manager).get(url).content.decode()
    assert 'id="panel-response-form"' not in partner_page
    assert "recorded by a panel analyst" in partner_page
    client.logout()
    assert 'id="panel-response-form"' in _login(client, panel_analyst).get(url).content.decode()
    response = client.post(
        reverse("incidents:review_step", args=[notification.public_id, "panel_response"]),
        {
            "received_on_day": "3",
            "received_on_month": "6",
            "received_on_year": "2024",
            "view": "agrees",
            "national_review_considered": "no",
        },
    )
    assert response.status_code == 302
    assert review.panel_response.recorded_by == panel_analyst


def test_the_panels_response_asks_whether_a_national_review_is_considered(
    client, notification, team_manager, panel_analyst
):
    review = actions.open_rapid_review(actor=team_manager, origin=CLI, notification=notification)
    review.completed_on = D(2024, 5, 31)
    review.save()
    _login(client, panel_analyst)
    response = client.post(
        reverse("incidents:review_step", args=[notification.public_id, "panel_response"]),
        {
            "received_on_day": "3",
            "received_on_month": "6",
            "received_on_year": "2024",
            "view": "agrees",
        },
    )
    assert response.status_code == 400
    assert "Choose whether the panel is considering a national review" in response.content.decode()
    assert not PanelResponse.objects.exists()


def test_the_partnerships_agencies_are_offered_and_the_managers_own_is_chosen(
    client, team_manager, agencies
):
    page = _login(client, team_manager).get(reverse("incidents:notification_new"))
    html = page.content.decode()
    # Few agencies of each kind: offered as radios, no search needed; the manager's own
    # local authority is chosen already.
    assert f'name="local_authority" type="radio" value="{agencies["CSC"].pk}" checked' in html
    assert f'name="police" type="radio" value="{agencies["POLICE"].pk}"' in html
    # An agency of another kind is neither offered nor taken for the police.
    assert f'name="police" type="radio" value="{agencies["HEALTH"].pk}"' not in html
    refused = client.post(
        reverse("incidents:notification_new"), {"police": str(agencies["HEALTH"].pk)}
    )
    assert refused.context["form"].errors["police"] == [
        "Choose a police agency from the search results"
    ]


def test_a_summary_is_asked_of_a_contributor_found_among_the_agencys_practitioners(
    client, notification, team_manager, police_officer, social_worker, agencies
):
    _login(client, team_manager)
    client.post(reverse("incidents:review_open", args=[notification.public_id]))
    url = reverse("incidents:review_step", args=[notification.public_id, "request_summary"])
    police = str(agencies["POLICE"].pk)
    # Searching keeps the page, the step open, and offers only the agency's practitioners.
    searching = client.post(url, {"agency": police, "contributor-q": "pat", PICK_BUTTON: "x"})
    assert searching.status_code == 200
    html = searching.content.decode()
    assert f'name="contributor" type="radio" value="{police_officer.pk}"' in html
    assert "There is a problem" not in html
    # Text that matches nobody, or a worker of another agency slipped in: not sent.
    typed = client.post(url, {"agency": police, "contributor-q": "Sally"})
    assert typed.status_code == 400
    assert "No practitioner matches “Sally”: search again" in typed.content.decode()
    slipped = client.post(url, {"agency": police, "contributor": str(social_worker.pk)})
    assert slipped.status_code == 400
    assert "Choose a practitioner from the search results" in slipped.content.decode()
    review = notification.rapid_review
    assert review.summaries.get(agency=agencies["POLICE"]).contributor is None
    chosen = client.post(url, {"agency": police, "contributor": str(police_officer.pk)})
    assert chosen.status_code == 302
    assert review.summaries.get(agency=agencies["POLICE"]).contributor == police_officer
