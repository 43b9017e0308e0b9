import datetime as dt
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from sightline.assessments import actions, queries
from sightline.assessments.models import (
    Assessment,
    AssessmentStatus,
    Challenge,
    ChallengeStatus,
    Decision,
    DecisionPoint,
    DecisionStatus,
)
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def text(response):
    return " ".join(response.content.decode().split())


def date_fields(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


@pytest.fixture
def rising(child, add_event):
    return [
        add_event(child, "domestic_abuse_incident", 12, "POLICE"),
        add_event(child, "missing_episode", 40, "POLICE"),
    ]


def propose_closure(client, child, **overrides):
    data = {
        "outcome": "close_case",
        "reasons": "Mother has engaged with support and the home is calmer.",
        "history_summary": "",
        **date_fields("decided_on", TODAY),
        **overrides,
    }
    return client.post(reverse("assessments:close", args=[child.public_id]), data)


def test_the_child_page_is_read_through_access_person(client, social_worker, teacher, child):
    client.force_login(social_worker)
    response = client.get(reverse("assessments:child", args=[child.public_id]))
    assert response.status_code == 200
    assert "Propose closing the case" in text(response)
    row = AuditEvent.objects.filter(action=AuditAction.VIEW_PERSON).last()
    assert row is not None
    assert (row.person, row.detail["page"]) == (child, "decisions")
    client.force_login(teacher)
    response = client.get(reverse("assessments:child", args=[child.public_id]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=teacher).exists()


def test_police_see_the_evidence_but_do_not_decide(client, police_officer, child):
    client.force_login(police_officer)
    response = client.get(reverse("assessments:child", args=[child.public_id]))
    assert response.status_code == 200
    assert "Propose closing the case" not in text(response)
    response = client.get(reverse("assessments:close", args=[child.public_id]))
    assert response.status_code == 403


def test_proposing_closure_shows_the_challenge_with_its_evidence(
    client, social_worker, child, rising
):
    client.force_login(social_worker)
    response = propose_closure(client, child)
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:decision", args=[decision.pk])
    page = text(client.get(response["Location"]))
    assert "Closing, stepping down or no further action while concerns rise" in page
    assert "domestic abuse incidents in the household: 1" in page
    assert "Domestic abuse incident" in page
    assert "Missing episode" in page
    assert f"#event-{rising[0].pk}" in page
    assert "Keep the decision and record why" in page


def test_a_decision_without_reasons_is_refused_with_the_field_named(client, social_worker, child):
    client.force_login(social_worker)
    response = propose_closure(client, child, reasons="")
    assert response.status_code == 400
    assert "Give the reasons for the decision" in text(response)
    response = propose_closure(client, child, history_considered="on", history_summary="")
    assert response.status_code == 400
    assert "Summarise the history that was considered" in text(response)
    assert not Decision.objects.exists()


def test_rationale_and_second_manager_sign_off_through_the_pages(
    client, social_worker, team_manager, second_manager, child, rising
):
    client.force_login(social_worker)
    propose_closure(client, child)
    challenge = Challenge.objects.get()
    url = reverse("assessments:rationale", args=[challenge.pk])
    response = client.post(url, {f"c{challenge.pk}-rationale": "too short"})
    assert response.status_code == 400
    assert "at least 20 characters" in text(response)
    client.post(
        url, {f"c{challenge.pk}-rationale": "The incident was a one-off; police took no action."}
    )
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.RATIONALE_RECORDED
    # The social worker cannot sign it off (not a manager): no button, and a refused post.
    page = text(client.get(reverse("assessments:decision", args=[challenge.decision_id])))
    assert "Sign off the rationale" not in page
    response = client.post(reverse("assessments:sign-off", args=[challenge.pk]))
    assert response.status_code == 403
    client.force_login(team_manager)
    dashboard = text(client.get(reverse("assessments:dashboard")))
    assert "Rationales waiting for your sign-off" in dashboard
    client.post(reverse("assessments:sign-off", args=[challenge.pk]))
    challenge.refresh_from_db()
    decision = challenge.decision
    assert challenge.status == ChallengeStatus.OVERRIDDEN
    assert decision.status == DecisionStatus.IN_FORCE


def test_a_manager_who_made_the_decision_is_told_why_they_cannot_sign_off(
    client, team_manager, second_manager, child, rising
):
    decision = actions.record_decision(
        actor=team_manager,
        origin=CLI,
        child=child,
        step="case_closure",
        outcome="close_case",
        decided_on=TODAY,
        reasons="Closing.",
        history_considered=False,
    )
    challenge = decision.challenges.get()
    actions.record_rationale(
        actor=second_manager,
        origin=CLI,
        challenge=challenge,
        rationale="Both incidents were before the family moved.",
    )
    client.force_login(team_manager)
    response = client.post(reverse("assessments:sign-off", args=[challenge.pk]), follow=True)
    assert "You made this decision" in text(response)
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.RATIONALE_RECORDED


def test_returning_a_rationale_needs_comments(client, social_worker, team_manager, child, rising):
    client.force_login(social_worker)
    propose_closure(client, child)
    challenge = Challenge.objects.get()
    actions.record_rationale(
        actor=social_worker, origin=CLI, challenge=challenge, rationale="Family now engaging well."
    )
    client.force_login(team_manager)
    url = reverse("assessments:return", args=[challenge.pk])
    response = client.post(url, {f"r{challenge.pk}-comments": ""})
    assert response.status_code == 400
    assert "Say why the rationale is not accepted" in text(response)
    client.post(url, {f"r{challenge.pk}-comments": "Talk to the police first."})
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.OPEN


def test_changing_a_challenged_decision(client, social_worker, child, rising):
    client.force_login(social_worker)
    propose_closure(client, child)
    decision = Decision.objects.get()
    url = reverse("assessments:change", args=[decision.pk])
    assert "Step down to early help" in text(client.get(url))
    response = client.post(
        url,
        {
            "outcome": "early_help",
            "reasons": "Early help with a family worker.",
            **date_fields("decided_on", TODAY),
        },
    )
    changed = Decision.objects.exclude(pk=decision.pk).get()
    assert response["Location"] == reverse("assessments:decision", args=[changed.pk])
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.CHANGED


def test_deciding_a_step_on_the_clock(client, social_worker, child):
    client.force_login(social_worker)
    response = client.post(
        reverse("assessments:open-step", args=[child.public_id]),
        {"step": "referral_decision", **date_fields("started_on", dt.date(2025, 3, 28))},
        follow=True,
    )
    assert "Decision on a referral due by 31 March 2025" in text(response)
    point = DecisionPoint.objects.get()
    page = text(client.get(reverse("assessments:decide", args=[point.pk])))
    assert "Due by Monday 31 March 2025, counted in working days from 28 March 2025" in page
    assert "What the chronology shows" in page
    client.post(
        reverse("assessments:decide", args=[point.pk]),
        {
            "outcome": "assessment",
            "reasons": "Needs a full assessment.",
            "history_considered": "on",
            "history_summary": "No earlier referrals.",
            **date_fields("decided_on", TODAY),
        },
    )
    assessment = DecisionPoint.objects.get(step="assessment")
    assert assessment.due_on == dt.date(2025, 6, 5)  # Easter and two May bank holidays
    page = text(client.get(reverse("assessments:dashboard")))
    assert "Assessment Team North" in page
    assert "Jamie Testchild" in page
    bad = client.post(
        reverse("assessments:open-step", args=[child.public_id]),
        {"step": "referral_decision", **date_fields("started_on", dt.date(2025, 4, 2))},
    )
    assert bad.status_code == 400
    assert "must be in the past" in text(bad)


def test_a_structured_assessment_through_the_pages(
    client, social_worker, team_manager, child, add_event
):
    add_event(child, "was_not_brought", 20)
    client.force_login(social_worker)
    response = client.post(reverse("assessments:assessment-new", args=[child.public_id]))
    assessment = Assessment.objects.get()
    url = reverse("assessments:assessment", args=[assessment.pk])
    assert response["Location"] == url
    page = text(client.get(url))
    assert "Was not brought to appointments" in page  # the chronology summary beside the form
    data = {
        "harm": "Left alone overnight.",
        "working_well": "Grandmother helps.",
        "needs_to_happen": "A night-time plan.",
        "seen_alone": "yes",
        "child_words": "I was scared.",
        "safety_scale": "4",
        "danger_statements": "Could be hurt at night.",
        "safety_goals": "An adult at home every night.",
        "submit": "submit",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Give the date the child was seen alone" in text(response)
    response = client.post(url, {**data, **date_fields("seen_alone_on", dt.date(2025, 3, 20))})
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    client.force_login(team_manager)
    client.post(
        reverse("assessments:assessment-review", args=[assessment.pk]), {"decision": "sign_off"}
    )
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SIGNED_OFF
    client.force_login(social_worker)
    assert client.post(url, data).status_code == 403  # signed off: no edits
    response = client.post(reverse("assessments:assessment-amend", args=[assessment.pk]))
    amended = Assessment.objects.get(version=2)
    assert response["Location"] == reverse("assessments:assessment", args=[amended.pk])


def test_the_overrides_report_is_for_managers(
    client, social_worker, team_manager, second_manager, panel_analyst, child, rising
):
    client.force_login(social_worker)
    propose_closure(client, child)
    challenge = Challenge.objects.get()
    actions.record_rationale(
        actor=social_worker, origin=CLI, challenge=challenge, rationale="Family now engaging well."
    )
    actions.sign_off_challenge(actor=team_manager, origin=CLI, challenge=challenge)
    assert client.get(reverse("assessments:report")).status_code == 403
    for user in (team_manager, panel_analyst):
        client.force_login(user)
        page = text(client.get(reverse("assessments:report")))
        assert "Assessment Team North 1 0 0 0 1 100%" in " ".join(
            re.sub("<[^>]+>", " ", page).split()
        )


def test_the_rules_page(client, social_worker, administrator, teacher):
    client.force_login(social_worker)
    page = text(client.get(reverse("assessments:rules")))
    assert "Challenge rules, version CR2025.1" in page
    assert "Injury to a non-mobile infant without a strategy discussion" in page
    assert "challenge-rules publish" not in page
    client.force_login(administrator)
    assert "challenge-rules publish" in text(client.get(reverse("assessments:rules")))
    client.force_login(teacher)
    assert client.get(reverse("assessments:rules")).status_code == 403


def test_the_child_panel_for_the_childs_page(social_worker, child, rising):
    actions.open_decision_point(
        actor=social_worker,
        origin=CLI,
        child=child,
        step="referral_decision",
        started_on=dt.date(2025, 3, 27),
    )
    actions.record_decision(
        actor=social_worker,
        origin=CLI,
        child=child,
        step="case_closure",
        outcome="close_case",
        decided_on=TODAY,
        reasons="Closing.",
        history_considered=False,
    )
    panel = queries.child_panel(child, today=TODAY)
    html = " ".join(
        render_to_string("assessments/_child_panel.html", {"assessments": panel}).split()
    )
    assert "1 challenge to a decision not yet answered." in html
    assert "Decision on a referral: due 28 March 2025" in html
    assert "Overdue" in html
    assert "Domestic abuse incidents in the household: 1 (1 in the last 90 days, rising)" in html


def test_the_dashboard_lists_what_your_work_counts_with_a_link_to_each(
    client, social_worker, team_manager, child, rising
):
    """Your work's counts lead here: the challenges to answer, the user's own steps
    with "Record the decision", and their drafts, each a link; nobody else's."""
    client.force_login(social_worker)
    propose_closure(client, child)
    challenge = Challenge.objects.get()
    point = actions.open_decision_point(
        actor=social_worker,
        origin=CLI,
        child=child,
        step="referral_decision",
        started_on=TODAY,
    )
    draft = actions.start_assessment(actor=social_worker, origin=CLI, child=child)
    html = client.get(reverse("assessments:dashboard")).content.decode()
    answer = reverse("assessments:decision", args=[challenge.decision_id])
    assert f'href="{answer}#challenge-{challenge.pk}"' in html
    assert reverse("assessments:decide", args=[point.pk]) in html
    assert reverse("assessments:assessment", args=[draft.pk]) in html
    assert f"{point.due_on.day} {point.due_on:%B %Y}" in text(
        client.get(reverse("assessments:dashboard"))
    )
    assert not re.search(r"rule [A-Z]{2}\d{4}", html)  # rule ids stay behind Details
    # The manager answers none of the social worker's challenges, drafts nothing.
    client.force_login(team_manager)
    page = client.get(reverse("assessments:dashboard")).content.decode()
    assert f'href="{answer}#challenge-{challenge.pk}"' not in page.split('id="your-steps"')[0]
    assert reverse("assessments:assessment", args=[draft.pk]) not in page
    assert "None: every challenge to a decision of yours has been answered." in page
