""" "Your work" on the home page, for each role: counts of what waits, and links."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from sightline.accounts.models import Role
from sightline.assessments import actions as assessments
from sightline.assessments.tests.conftest import TODAY, add_event  # noqa: F401 - a fixture
from sightline.audit.actions import CLI
from sightline.pages.work import WorkItem, your_work
from sightline.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_today(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    with time_machine.travel(dt.datetime(2025, 3, 31, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def counts(user) -> dict[str, int | None]:
    return {item.key: item.count for item in your_work(user, today=TODAY).items}


def challenged_closure(social_worker, child, add_event):  # noqa: F811
    """The social worker closes the case while concerns rise: a challenge to answer."""
    add_event(child, "domestic_abuse_incident", 12, "POLICE")
    add_event(child, "missing_episode", 40, "POLICE")
    return assessments.record_decision(
        actor=social_worker,
        origin=CLI,
        child=child,
        step="case_closure",
        outcome="close_case",
        decided_on=TODAY,
        reasons="Family engaging well.",
        history_considered=True,
        history_summary="Read the chronology.",
    )


def test_the_social_worker_sees_challenges_drafts_steps_referrals_and_alerts(
    client,
    social_worker,
    child,
    add_event,  # noqa: F811
):
    assert counts(social_worker) == {
        "challenges-to-answer": 0,
        "drafts": 0,
        "steps-due": 0,
        "referrals-to-acknowledge": 0,
        "unread-alerts": 0,
    }
    challenged_closure(social_worker, child, add_event)
    assessments.start_assessment(actor=social_worker, origin=CLI, child=child)
    # A referral received today is due within the week; one due in a month is not counted.
    assessments.open_decision_point(
        actor=social_worker, origin=CLI, child=child, step="referral_decision", started_on=TODAY
    )
    assert counts(social_worker) == {
        "challenges-to-answer": 1,
        "drafts": 1,
        "steps-due": 1,
        "referrals-to-acknowledge": 0,
        "unread-alerts": 0,
    }
    client.force_login(social_worker)
    html = client.get(reverse("home")).content.decode()
    assert 'id="your-work"' in html
    assert (
        f'<li id="work-challenges-to-answer"><a class="govuk-link" '
        f'href="{reverse("assessments:dashboard")}#challenges-to-answer">Challenges to answer: '
        '<strong class="app-work-count">1</strong></a></li>'
    ) in html
    # Each count leads to the list of what it counts.
    dashboard = reverse("assessments:dashboard")
    assert f'href="{dashboard}#drafts">Assessments in draft' in html
    assert f'href="{dashboard}#your-steps">Steps overdue' in html


def test_the_team_manager_sees_sign_offs_overdue_steps_and_each_workers_caseload(
    client,
    social_worker,
    team_manager,
    child,
    add_event,  # noqa: F811
):
    decision = challenged_closure(social_worker, child, add_event)
    assessments.record_rationale(
        actor=social_worker,
        origin=CLI,
        challenge=decision.challenges.get(),
        rationale="The family has engaged with every service offered since.",
    )
    draft = assessments.start_assessment(actor=social_worker, origin=CLI, child=child)
    assessments.save_assessment(
        actor=social_worker,
        origin=CLI,
        assessment=draft,
        values={
            "harm": "Bruising seen.",
            "complicating_factors": "None known.",
            "working_well": "School attendance.",
            "needs_to_happen": "A plan.",
            "seen_alone": "no",
            "child_words": "Said she likes school.",
            "danger_statements": "Could be hurt again.",
            "safety_goals": "Safe at home.",
            "safety_scale": 4,
        },
    )
    assessments.submit_assessment(actor=social_worker, origin=CLI, assessment=draft)
    # A referral from last year: long overdue.
    assessments.open_decision_point(
        actor=social_worker,
        origin=CLI,
        child=child,
        step="referral_decision",
        started_on=dt.date(2024, 5, 3),
    )
    work = your_work(team_manager, today=TODAY)
    found = {item.key: item.count for item in work.items}
    assert found["sign-offs"] == 2  # the assessment and the challenge's rationale
    assert found["overdue-steps"] == 1
    [load] = work.caseload or []
    assert load.worker == social_worker
    assert (load.children, load.decisions, load.challenged, load.overridden) == (1, 1, 1, 0)
    assert (load.challenge_rate, load.override_rate) == (100, 0)
    assert load.plans is None  # from the case record, later: never a made-up number
    client.force_login(team_manager)
    html = client.get(reverse("home")).content.decode()
    assert 'id="caseload"' in html
    assert "Not yet available" in html
    assert "100% of 1" in html


def test_a_worker_with_no_decisions_has_no_rates(team_manager, social_worker):
    [load] = your_work(team_manager, today=TODAY).caseload or []
    assert (load.challenge_rate, load.override_rate) == (None, None)


def test_the_safeguarding_lead_sees_the_referrals_their_agency_made(client, agencies):
    lead = factories.UserFactory.create(agency=agencies["EDUCATION"], role=Role.SAFEGUARDING_LEAD)
    work = your_work(lead, today=TODAY)
    assert [label for label, _ in work.referrals_made or []] == [
        "Awaiting acknowledgement",
        "Acknowledged, outcome to follow",
        "Outcome recorded",
    ]
    assert work.items[0] == WorkItem(
        "referrals-made",
        "Referrals your agency made, awaiting an outcome",
        0,
        reverse("sharing-referrals-sent"),
    )
    client.force_login(lead)
    assert 'id="referrals-made"' in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("role", "signs_off"),
    [
        (Role.PARTNERSHIP_BUSINESS_MANAGER, False),
        (Role.PARTNER_LEAD_LOCAL_AUTHORITY, True),
    ],
)
def test_the_partnership_sees_notifications_rapid_and_local_reviews(agencies, role, signs_off):
    user = factories.UserFactory.create(agency=agencies["CSC"], role=role)
    found = counts(user)
    assert {"notifications", "rapid-reviews", "local-reviews"} <= set(found)
    assert ("rapid-review-sign-offs" in found) is signs_off


def test_the_panel_analyst_sees_reviews_to_code_and_adjudications(panel_analyst):
    factories.ReviewDocumentFactory.create_batch(2)
    assert counts(panel_analyst) == {
        "panel-responses": 0,
        "reviews-to-code": 2,
        "adjudications": 0,
        "themes-report": None,
    }


def test_the_administrator_sees_the_administration_pages(client, administrator):
    assert counts(administrator) == {
        "users": 1,
        "add-user": None,
        "teams": 0,
        "administration": None,
    }
    client.force_login(administrator)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("access-users")}">Active users: ' in html
