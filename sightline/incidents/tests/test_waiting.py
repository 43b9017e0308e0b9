"""What waits for whom on a rapid review: what stops the sign-off and says so, the
partner leads told (in the app and by e-mail) once it is ready, the dashboard's
"Waiting for you" and the home page's counts."""

import datetime as dt

import pytest
from django.urls import reverse

from sightline.accounts.models import Role
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.incidents import actions, queries
from sightline.incidents.models import PanelView, Partner
from sightline.incidents.tests.test_reviews import _name_contributors, _ready_for_sign_off
from sightline.pages.work import your_work
from sightline.sharing import reminders
from sightline.sharing.inbox import alert_rows
from sightline.sharing.models import Alert, AlertReason, InboxItem, OutboundEmail
from sightline.sharing.queries import inbox_for
from sightline.testing import factories

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def review(notify, team_manager):
    notification = actions.submit_notification(
        actor=team_manager, origin=CLI, notification=notify(), submitted_on=D(2024, 5, 10)
    )
    return actions.open_rapid_review(actor=team_manager, origin=CLI, notification=notification)


@pytest.fixture
def partner_leads(agencies):
    """The three partner leads, by partner; each with a work e-mail address."""
    return {
        partner: factories.UserFactory.create(
            username=f"lead.{partner.value}",
            email=f"lead.{partner.value}@example.org",
            agency=agencies[code],
            role=role,
        )
        for partner, code, role in (
            (Partner.LOCAL_AUTHORITY, "CSC", Role.PARTNER_LEAD_LOCAL_AUTHORITY),
            (Partner.POLICE, "POLICE", Role.PARTNER_LEAD_POLICE),
            (Partner.INTEGRATED_CARE_BOARD, "HEALTH", Role.PARTNER_LEAD_ICB),
        )
    }


def _count(user, key):
    return {item.key: item.count for item in your_work(user, today=D(2024, 9, 2)).items}.get(key)


def test_the_review_page_says_what_stops_the_sign_off(client, review, team_manager, agencies):
    assert queries.sign_off_blockers(review) == [
        "the review meeting is recorded",
        "the decision on a local review is recorded",
        "the summaries from Leeds Children's Social Care, West Yorkshire Police are in",
    ]
    client.force_login(team_manager)
    page = client.get(reverse("incidents:review", args=[review.notification.public_id]))
    text = page.content.decode()
    assert "The partners sign off once the review meeting is recorded, the decision" in text
    assert "and the summaries from Leeds Children&#x27;s Social Care, West Yorkshire" in text


def test_a_ready_review_says_whom_it_waits_for(client, review, team_manager, agencies, leads):
    _name_contributors(review, team_manager, agencies)
    _ready_for_sign_off(review, team_manager)
    assert queries.sign_off_blockers(review) == []
    client.force_login(team_manager)
    text = client.get(reverse("incidents:review", args=[review.notification.public_id])).content
    html = text.decode()
    assert "Ready for sign-off. Waiting for:" in html
    # No partner lead role in these agencies: their safeguarding leads are asked.
    assert "the police: Lee LeadPolice" in html


def test_the_partner_leads_are_told_once_the_review_is_ready(
    review, team_manager, agencies, partner_leads
):
    contributors = _name_contributors(review, team_manager, agencies)
    assert not Alert.objects.filter(reason=AlertReason.REVIEW_SIGN_OFF_WAITING).exists()
    _ready_for_sign_off(review, team_manager)  # the decision comes last: now it is ready
    alerts = Alert.objects.filter(reason=AlertReason.REVIEW_SIGN_OFF_WAITING)
    told = set(InboxItem.objects.filter(alert__in=alerts).values_list("user__username", flat=True))
    assert told == {lead.username for lead in partner_leads.values()}
    assert contributors  # the police contributor wrote their summary, and is not told
    emails = OutboundEmail.objects.filter(to__in=[lead.email for lead in partner_leads.values()])
    assert emails.count() == 3
    for email in emails:
        assert email.subject == "Sightline: a rapid review is waiting for your sign-off"
        assert "Jamie" not in email.body  # never the child
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFY_SIGN_OFF_WAITING).count() == 3
    # Told once a day: the daily run the same day tells nobody again.
    assert reminders.notify_waiting_work(origin=CLI).sign_offs == 0


def test_the_daily_run_reminds_those_who_have_not_signed(
    review, team_manager, agencies, partner_leads
):
    _name_contributors(review, team_manager, agencies)
    _ready_for_sign_off(review, team_manager)
    actions.sign_off_rapid_review(
        actor=partner_leads[Partner.POLICE], origin=CLI, review=review, partner=Partner.POLICE
    )
    result = reminders.notify_waiting_work(origin=CLI, today=D(2024, 9, 3))
    assert result.sign_offs == 2
    today = Alert.objects.filter(key__endswith=":2024-09-03")
    told = set(InboxItem.objects.filter(alert__in=today).values_list("user__username", flat=True))
    assert told == {
        partner_leads[Partner.LOCAL_AUTHORITY].username,
        partner_leads[Partner.INTEGRATED_CARE_BOARD].username,
    }


def test_the_inbox_shows_the_reminder_to_a_lead_who_may_not_see_the_child(
    review, team_manager, agencies, partner_leads
):
    _name_contributors(review, team_manager, agencies)
    _ready_for_sign_off(review, team_manager)
    lead = partner_leads[Partner.INTEGRATED_CARE_BOARD]
    [row] = alert_rows(lead, list(inbox_for(lead)))
    assert not row.named  # the child's name is not shown to them
    assert row.person_name == ""
    assert row.summary.startswith(
        f"The rapid review of notification {review.notification.reference} is waiting for "
        "your sign-off for the integrated care board"
    )
    assert row.ask == ""


def test_your_work_counts_sign_offs_summaries_commissions_and_panel_responses(
    client, review, team_manager, agencies, partner_leads, panel_analyst
):
    police = partner_leads[Partner.POLICE]
    manager = factories.UserFactory.create(
        agency=agencies["CSC"], role=Role.PARTNERSHIP_BUSINESS_MANAGER
    )
    # The police lead may write the police summary: it waits for them.
    assert _count(police, "summaries-to-write") == 1
    assert _count(police, "rapid-review-sign-offs") == 0
    assert _count(manager, "summaries-to-write") == 1  # the local authority's
    _name_contributors(review, team_manager, agencies)
    _ready_for_sign_off(review, team_manager)
    assert _count(police, "summaries-to-write") is None
    assert _count(police, "rapid-review-sign-offs") == 1
    assert _count(manager, "rapid-review-sign-offs") is None  # a manager does not sign
    client.force_login(police)
    dashboard = client.get(reverse("incidents:dashboard")).content.decode()
    assert f"Sign off the rapid review of {review.notification.reference}" in dashboard

    for partner, lead in partner_leads.items():
        actions.sign_off_rapid_review(actor=lead, origin=CLI, review=review, partner=partner)
    assert _count(police, "rapid-review-sign-offs") == 0
    assert _count(manager, "local-reviews-to-commission") == 1
    assert _count(panel_analyst, "panel-responses") == 1
    client.force_login(panel_analyst)
    dashboard = client.get(reverse("incidents:dashboard")).content.decode()
    assert "Record the panel's response to the rapid review of" in dashboard

    review.refresh_from_db()
    actions.record_panel_response(
        actor=panel_analyst,
        origin=CLI,
        review=review,
        received_on=D(2024, 9, 2),
        view=PanelView.AGREES,
        national_review_considered=False,
    )
    actions.commission_local_review(
        actor=manager,
        origin=CLI,
        review=review,
        reviewer="An independent reviewer",
        terms_of_reference="Information sharing at the hospital front door.",
    )
    assert _count(panel_analyst, "panel-responses") == 0
    assert _count(manager, "local-reviews-to-commission") is None


def test_an_integrated_care_board_is_offered_on_the_notification_form(
    client, team_manager, agencies
):
    board = factories.AgencyFactory.create(
        code="ICB", name="West Yorkshire Integrated Care Board", kind="integrated_care_board"
    )
    client.force_login(team_manager)
    html = client.get(reverse("incidents:notification_new")).content.decode()
    # Offered as a radio (the partnership has few), beside the health agency it may stand for.
    assert f'name="integrated_care_board" type="radio" value="{board.pk}"' in html
    assert f'name="integrated_care_board" type="radio" value="{agencies["HEALTH"].pk}"' in html
    assert f'name="police" type="radio" value="{board.pk}"' not in html


def test_notifications_to_send_and_reviews_to_start_wait_for_the_partnership(
    client, notify, team_manager, agencies, teacher
):
    manager = factories.UserFactory.create(
        agency=agencies["CSC"], role=Role.PARTNERSHIP_BUSINESS_MANAGER
    )
    notification = notify()
    assert queries.notifications_to_send_for(manager) == [notification]
    assert queries.notifications_to_send_for(teacher) == []  # may not see it
    assert queries.reviews_to_start_for(manager) == []
    client.force_login(manager)
    html = client.get(reverse("incidents:dashboard")).content.decode()
    assert f"Send notification {notification.reference}" in html
    actions.submit_notification(
        actor=manager, origin=CLI, notification=notification, submitted_on=D(2024, 5, 10)
    )
    assert queries.notifications_to_send_for(manager) == []
    assert queries.reviews_to_start_for(manager) == [notification]
    assert _count(manager, "rapid-reviews-to-start") == 1
    html = client.get(reverse("incidents:dashboard")).content.decode()
    assert f"Start the rapid review of {notification.reference}" in html
    actions.open_rapid_review(actor=manager, origin=CLI, notification=notification)
    assert queries.reviews_to_start_for(manager) == []
    assert _count(manager, "rapid-reviews-to-start") is None


def test_a_review_that_asked_no_agency_is_ready_after_the_decision(review, team_manager):
    review.summaries.all().delete()  # no agency was known to have been involved
    _ready_for_sign_off(review, team_manager)
    assert queries.sign_off_blockers(review) == []
    assert queries.ready_for_sign_off([review.notification]) == [review]


def test_an_agencys_safeguarding_lead_and_team_manager_see_the_rapid_review_work_they_may_do(
    review, team_manager, agencies
):
    """Safeguarding leads and team managers of a partner's agency may write its summary
    (and leads sign for it): their home page says so when something waits for them."""
    lead = factories.UserFactory.create(agency=agencies["POLICE"], role=Role.SAFEGUARDING_LEAD)
    assert _count(lead, "summaries-to-write") == 1
    assert _count(lead, "rapid-review-sign-offs") is None  # nothing to sign yet
    assert _count(team_manager, "summaries-to-write") == 1  # the local authority's
    _name_contributors(review, team_manager, agencies)
    _ready_for_sign_off(review, team_manager)
    assert _count(lead, "summaries-to-write") is None
    assert _count(lead, "rapid-review-sign-offs") == 1
    assert _count(team_manager, "rapid-review-sign-offs") is None  # a manager does not sign
