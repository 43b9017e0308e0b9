import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sightline import challenges
from sightline.accounts.models import Role
from sightline.assessments import actions, queries
from sightline.assessments.models import (
    Challenge,
    ChallengeRuleSet,
    ChallengeStatus,
    Decision,
    DecisionPoint,
    DecisionStatus,
    PointStatus,
)
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import ChronologyEvent
from sightline.people.models import RelationshipKind
from sightline.testing import factories

from .conftest import TODAY

pytestmark = pytest.mark.django_db
D = dt.date


REFERRED_ON = D(2024, 5, 3)


def referral(actor, child, started_on=REFERRED_ON):
    return actions.open_decision_point(
        actor=actor, origin=CLI, child=child, step="referral_decision", started_on=started_on
    )


def decide(actor, point, outcome, decided_on=None, **kwargs):
    return actions.record_decision(
        actor=actor,
        origin=CLI,
        point=point,
        step=point.step,
        outcome=outcome,
        decided_on=decided_on or point.started_on,
        reasons=kwargs.pop("reasons", "Reasons given in full."),
        history_considered=kwargs.pop("history_considered", True),
        history_summary=kwargs.pop("history_summary", "No earlier involvement."),
        **kwargs,
    )


def close(actor, child, **kwargs):
    return actions.record_decision(
        actor=actor,
        origin=CLI,
        child=child,
        step="case_closure",
        outcome=kwargs.pop("outcome", "close_case"),
        decided_on=kwargs.pop("decided_on", TODAY),
        reasons=kwargs.pop("reasons", "Family engaging well; no further concerns."),
        history_considered=True,
        history_summary="Read the full chronology.",
        **kwargs,
    )


def allocated(social_worker):
    """Another child the social worker is allocated to."""
    person = factories.PersonFactory.create()
    factories.InvolvementFactory.create(
        person=person, practitioner=social_worker, started_on=D(2024, 1, 1)
    )
    return person


def audit_rows(action):
    return list(AuditEvent.objects.filter(action=action))


# --- the statutory clock ---------------------------------------------------------------


def test_a_referral_starts_the_clock_with_its_rule_version(social_worker, child):
    point = referral(social_worker, child)
    assert (point.step, point.started_on, point.due_on) == (
        "referral_decision",
        D(2024, 5, 3),
        D(2024, 5, 7),  # Friday; Monday 6 May 2024 a bank holiday
    )
    assert point.rule_version == "WT2023.1"
    assert point.team == social_worker.team
    [row] = audit_rows(AuditAction.OPEN_DECISION_POINT)
    assert row.person == child
    assert row.detail["due_on"] == "2024-05-07"


def test_each_step_creates_the_next_deadline(social_worker, child):
    point = referral(social_worker, child, D(2022, 5, 20))
    decide(social_worker, point, "strategy_discussion", D(2022, 5, 23))
    strategy = DecisionPoint.objects.get(child=child, step="strategy_discussion")
    assessment = DecisionPoint.objects.get(child=child, step="assessment")
    assert strategy.due_on == D(2022, 5, 24)  # next working day
    assert assessment.due_on == D(2022, 7, 26)  # 45 working days from the referral, 2-3 June
    decide(social_worker, strategy, "section47_enquiry", D(2022, 5, 24))
    s47 = DecisionPoint.objects.get(child=child, step="section47_enquiry")
    assert (s47.started_on, s47.due_on) == (D(2022, 5, 24), D(2022, 6, 16))
    decide(social_worker, s47, "initial_conference", D(2022, 6, 10))
    conference = DecisionPoint.objects.get(child=child, step="initial_conference")
    # 15 working days from the strategy discussion, not from the section 47 outcome.
    assert conference.due_on == D(2022, 6, 16)
    assert conference.follows is not None
    assert conference.follows.outcome == "initial_conference"
    decide(social_worker, conference, "child_protection_plan", D(2022, 9, 9))
    core = DecisionPoint.objects.get(child=child, step="core_group")
    first_review = DecisionPoint.objects.get(child=child, step="first_review_conference")
    assert core.due_on == D(2022, 9, 26)  # state funeral 19 September 2022
    assert first_review.due_on == D(2022, 12, 9)
    assert all(p.rule_version == "WT2023.1" for p in DecisionPoint.objects.all())
    assert {p.step for p in DecisionPoint.objects.open()} == {
        "assessment",
        "core_group",
        "first_review_conference",
    }


def test_a_looked_after_chain(social_worker, child):
    point = actions.open_decision_point(
        actor=social_worker,
        origin=CLI,
        child=child,
        step="looked_after_first_review",
        started_on=D(2022, 5, 20),
    )
    assert point.due_on == D(2022, 6, 21)
    decide(social_worker, point, "continue_plan", D(2022, 6, 20))
    second = DecisionPoint.objects.get(step="looked_after_second_review")
    assert second.due_on == D(2022, 9, 20)
    decide(social_worker, second, "continue_plan", D(2022, 9, 20))
    assert DecisionPoint.objects.get(step="looked_after_later_review").due_on == D(2023, 3, 20)


@pytest.mark.parametrize(
    ("step", "field", "message"),
    [
        ("strategy_discusion", "step", "unknown step 'strategy_discusion'; known steps: "),
        ("assessment", "step", "Assessment follows an earlier decision"),
        ("case_closure", "step", "Closing the case follows an earlier decision"),
    ],
)
def test_a_chain_starts_only_with_a_known_opening_step(social_worker, child, step, field, message):
    with pytest.raises(ValidationError) as error:
        actions.open_decision_point(
            actor=social_worker, origin=CLI, child=child, step=step, started_on=D(2024, 5, 3)
        )
    assert message in error.value.message_dict[field][0]
    assert not DecisionPoint.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.OPEN_DECISION_POINT).exists()


def test_opening_checks_its_input(social_worker, child, teacher, police_officer):
    referral(social_worker, child)
    with pytest.raises(ValidationError, match="already has an open decision on a referral"):
        referral(social_worker, child)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        referral(social_worker, allocated(social_worker), D(2025, 4, 1))
    with pytest.raises(ValidationError) as error:
        actions.open_decision_point(
            actor=social_worker,
            origin=CLI,
            child=child,
            step="looked_after_first_review",
            started_on=D(2024, 5, 3),
            responsible=teacher,
        )
    assert "responsible" in error.value.message_dict
    with pytest.raises(PermissionDenied):  # police see the child but do not decide for CSC
        referral(police_officer, child)
    assert DecisionPoint.objects.count() == 1


# --- decisions and their input ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"reasons": "   "}, "reasons", "Give the reasons for the decision."),
        ({"outcome": "child_protection_plan"}, "outcome", "is not an outcome of decision on a"),
        ({"history_summary": ""}, "history_summary", "Summarise the history"),
        ({"decided_on": D(2025, 4, 1)}, "decided_on", "cannot be in the future"),
        ({"decided_on": D(2024, 5, 2)}, "decided_on", "before the step started (3 May 2024)"),
        ({"step": "assessment"}, "step", "This is a decision on a referral step."),
    ],
)
def test_a_decision_missing_or_wrong_in_a_field_saves_nothing(
    social_worker, child, change, field, message
):
    point = referral(social_worker, child)
    kwargs = {
        "actor": social_worker,
        "origin": CLI,
        "point": point,
        "step": "referral_decision",
        "outcome": "assessment",
        "decided_on": D(2024, 5, 3),
        "reasons": "Concerns need assessing.",
        "history_considered": True,
        "history_summary": "First referral.",
        **change,
    }
    with pytest.raises(ValidationError) as error:
        actions.record_decision(**kwargs)
    assert message in error.value.message_dict[field][0]
    assert not Decision.objects.exists()
    point.refresh_from_db()
    assert point.status == PointStatus.OPEN
    assert DecisionPoint.objects.count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.RECORD_DECISION).exists()


def test_a_step_is_decided_once(social_worker, child):
    point = referral(social_worker, child)
    decide(social_worker, point, "assessment")
    with pytest.raises(ValidationError, match="already been decided"):
        decide(social_worker, point, "no_further_action")
    with pytest.raises(ValidationError, match="Choose the open assessment step"):
        actions.record_decision(
            actor=social_worker,
            origin=CLI,
            child=child,
            step="assessment",
            outcome="no_further_action",
            decided_on=TODAY,
            reasons="x",
            history_considered=False,
        )


def test_only_social_care_decides(child, police_officer, teacher):
    with pytest.raises(PermissionDenied):
        close(police_officer, child)
    with pytest.raises(PermissionDenied):  # no relationship with the child
        close(teacher, child)
    assert not Decision.objects.exists()


def test_a_decision_without_concerns_is_in_force(social_worker, child):
    decision = close(social_worker, child)
    assert decision.status == DecisionStatus.IN_FORCE
    assert decision.rule_set_version == challenges.SHIPPED.version
    assert not decision.challenges.exists()
    [row] = audit_rows(AuditAction.RECORD_DECISION)
    assert row.detail["challenges"] == []


# --- challenges ---------------------------------------------------------------------------


@pytest.fixture
def concerns(child, add_event):
    """A domestic abuse incident and a missing episode in the last 90 days."""
    return [
        add_event(child, "domestic_abuse_incident", 12, "POLICE"),
        add_event(child, "missing_episode", 40, "POLICE"),
        add_event(child, "health_visitor_contact", 10),  # routine: not evidence
    ]


def test_closing_while_concerns_rise_is_challenged_with_its_evidence(
    social_worker, child, concerns
):
    decision = close(social_worker, child)
    assert decision.status == DecisionStatus.CHALLENGED
    [challenge] = decision.challenges.all()
    assert challenge.rule_code == "closing_while_concerns_rise"
    assert challenge.rule_version == challenges.SHIPPED.version
    assert challenge.decision_made_by == social_worker
    assert set(challenge.evidence.all()) == set(concerns[:2])
    assert challenge.explanation == (
        "In the 90 days to 31 March 2025, domestic abuse incidents in the household: 1 "
        "(1 in the last 12 months); missing episodes: 1 (1 in the last 12 months)."
    )
    [row] = audit_rows(AuditAction.RECORD_DECISION)
    assert row.detail["challenges"] == ["closing_while_concerns_rise"]


def test_an_event_that_only_mentions_the_child_is_household_evidence(
    social_worker, child, add_event
):
    mother = factories.PersonFactory.create(given_name="Mum", date_of_birth=D(1990, 1, 1))
    incident = add_event(mother, "domestic_abuse_incident", 12, "POLICE", mentions=[child])
    decision = close(social_worker, child)
    [challenge] = decision.challenges.all()
    assert list(challenge.evidence.all()) == [incident]


def test_a_new_violent_adult_in_the_household(social_worker, child, add_event):
    partner = factories.PersonFactory.create(given_name="Dean", date_of_birth=D(1988, 2, 2))
    factories.RelationshipFactory.create(
        person=partner,
        relative=child,
        kind=RelationshipKind.PARTNER_OF_PARENT,
        lives_with=True,
        started_on=D(2025, 1, 10),
    )
    arrest = add_event(partner, "arrest", 400, "POLICE")
    decision = close(social_worker, child, outcome="early_help")
    codes = {c.rule_code: c for c in decision.challenges.all()}
    assert set(codes) == {"plan_ended_new_violent_adult"}
    assert list(codes["plan_ended_new_violent_adult"].evidence.all()) == [arrest]
    [fact] = codes["plan_ended_new_violent_adult"].facts
    assert "Dean" in fact["text"]
    assert (fact["person"], fact["events"]) == (partner.pk, [arrest.pk])


def test_a_child_on_a_plan_not_seen_alone(social_worker, child, add_event):
    factories.StatusPeriodFactory.create(
        person=child,
        kind="child_protection",
        protection_category="neglect",
        started_on=D(2024, 6, 1),
    )
    add_event(child, "child_seen_alone", 30, "CSC")
    add_event(child, "home_visit", 5, "CSC")
    point = actions.open_decision_point(
        actor=social_worker,
        origin=CLI,
        child=child,
        step="looked_after_first_review",
        started_on=D(2025, 3, 3),
    )
    decision = decide(social_worker, point, "continue_plan", TODAY)
    [challenge] = decision.challenges.all()
    assert challenge.rule_code == "not_seen_alone"
    assert "the visiting interval for child protection is 10 working days" in challenge.explanation


def test_a_repeat_referral_decided_without_the_history(social_worker, child, add_event):
    add_event(child, "referral", 200, "CSC")
    point = referral(social_worker, child, TODAY)
    decision = decide(social_worker, point, "early_help", TODAY, history_considered=False)
    assert {c.rule_code for c in decision.challenges.all()} == {"repeat_referral_start_again"}
    # Recording the history answers it.
    other = allocated(social_worker)
    add_event(other, "referral", 200, "CSC")
    decision = decide(social_worker, referral(social_worker, other, TODAY), "early_help", TODAY)
    assert not decision.challenges.exists()


def test_a_second_manager_signs_off_a_rationale(
    social_worker, team_manager, second_manager, child, concerns
):
    decision = close(social_worker, child)
    [challenge] = decision.challenges.all()
    with pytest.raises(ValidationError, match="at least 20 characters"):
        actions.record_rationale(
            actor=social_worker, origin=CLI, challenge=challenge, rationale="ok"
        )
    with pytest.raises(ValidationError, match="no rationale waiting"):
        actions.sign_off_challenge(actor=team_manager, origin=CLI, challenge=challenge)
    actions.record_rationale(
        actor=team_manager,
        origin=CLI,
        challenge=challenge,
        rationale="School attendance recovered in March; health visitor reports improvement.",
    )
    # The person who made the decision, or who wrote the rationale, cannot sign it off...
    with pytest.raises(PermissionDenied):
        actions.sign_off_challenge(actor=social_worker, origin=CLI, challenge=challenge)
    with pytest.raises(ValidationError) as error:
        actions.sign_off_challenge(actor=team_manager, origin=CLI, challenge=challenge)
    assert "You wrote this rationale" in error.value.message_dict["signed_off_by"][0]
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.RATIONALE_RECORDED
    # ...a second manager does.
    actions.sign_off_challenge(actor=second_manager, origin=CLI, challenge=challenge)
    challenge.refresh_from_db()
    decision.refresh_from_db()
    assert challenge.status == ChallengeStatus.OVERRIDDEN
    assert challenge.signed_off_by == second_manager
    assert decision.status == DecisionStatus.IN_FORCE
    [row] = audit_rows(AuditAction.SIGN_OFF_CHALLENGE)
    assert (row.actor, row.person, row.detail["decision_status"]) == (
        second_manager,
        child,
        "in_force",
    )


def test_a_manager_who_made_the_decision_cannot_sign_off_its_challenge(
    team_manager, second_manager, child, concerns
):
    decision = close(team_manager, child)
    [challenge] = decision.challenges.all()
    actions.record_rationale(
        actor=second_manager,
        origin=CLI,
        challenge=challenge,
        rationale="The concerns were explained at the last core group.",
    )
    with pytest.raises(ValidationError) as error:
        actions.sign_off_challenge(actor=team_manager, origin=CLI, challenge=challenge)
    assert "You made this decision" in error.value.message_dict["signed_off_by"][0]
    assert not audit_rows(AuditAction.SIGN_OFF_CHALLENGE)


def test_the_database_refuses_a_sign_off_by_the_decision_maker(social_worker, child, concerns):
    [challenge] = close(social_worker, child).challenges.all()
    with pytest.raises(IntegrityError), transaction.atomic():
        Challenge.objects.filter(pk=challenge.pk).update(
            rationale="Written here", status="overridden", signed_off_by=social_worker
        )


def test_a_returned_rationale_goes_back_with_comments(social_worker, team_manager, child, concerns):
    [challenge] = close(social_worker, child).challenges.all()
    actions.record_rationale(
        actor=social_worker, origin=CLI, challenge=challenge, rationale="Family now engaging well."
    )
    with pytest.raises(ValidationError, match="Say why the rationale is not accepted"):
        actions.return_challenge(actor=team_manager, origin=CLI, challenge=challenge, comments="")
    actions.return_challenge(
        actor=team_manager, origin=CLI, challenge=challenge, comments="Speak to the school first."
    )
    challenge.refresh_from_db()
    assert (challenge.status, challenge.return_comments) == (
        ChallengeStatus.OPEN,
        "Speak to the school first.",
    )


def test_changing_the_decision_answers_the_challenge(social_worker, child, concerns):
    point = referral(social_worker, child, TODAY)
    decision = decide(social_worker, point, "no_further_action", TODAY)
    [challenge] = decision.challenges.all()
    with pytest.raises(ValidationError, match="Choose a different outcome"):
        actions.change_decision(
            actor=social_worker,
            origin=CLI,
            decision=decision,
            outcome="no_further_action",
            reasons="Same again",
            history_considered=False,
        )
    changed = actions.change_decision(
        actor=social_worker,
        origin=CLI,
        decision=decision,
        outcome="assessment",
        reasons="The concerns need a full assessment.",
        history_considered=True,
        history_summary="Absence and missed health appointments this year.",
    )
    decision.refresh_from_db()
    challenge.refresh_from_db()
    assert decision.status == DecisionStatus.CHANGED
    assert challenge.status == ChallengeStatus.DECISION_CHANGED
    assert changed.replaces == decision
    assert changed.status == DecisionStatus.IN_FORCE  # assessing is not closing
    assert DecisionPoint.objects.get(step="assessment", status="open").follows == changed
    with pytest.raises(ValidationError, match="Only a decision with an open challenge"):
        actions.change_decision(
            actor=social_worker,
            origin=CLI,
            decision=changed,
            outcome="early_help",
            reasons="x",
            history_considered=False,
        )


def test_changing_a_decision_cancels_the_steps_it_started(social_worker, child, add_event):
    add_event(child, "referral", 100, "CSC")
    point = referral(social_worker, child, TODAY)
    decision = decide(social_worker, point, "assessment", TODAY, history_considered=False)
    assert decision.status == DecisionStatus.CHALLENGED  # a repeat referral
    started = DecisionPoint.objects.get(step="assessment")
    actions.change_decision(
        actor=social_worker,
        origin=CLI,
        decision=decision,
        outcome="strategy_discussion",
        reasons="The earlier referral raised the same worries.",
        history_considered=True,
        history_summary="Referred in December for the same concerns.",
    )
    started.refresh_from_db()
    assert started.status == PointStatus.CANCELLED
    assert set(DecisionPoint.objects.open().values_list("step", flat=True)) == {
        "strategy_discussion",
        "assessment",
    }
    [row] = audit_rows(AuditAction.CHANGE_DECISION)
    assert row.detail["cancelled"] == [started.pk]


# --- rules as data -------------------------------------------------------------------------


def test_administrators_publish_new_rule_versions(administrator, social_worker, child, concerns):
    data = challenges.rule_set_to_data(challenges.SHIPPED)
    with pytest.raises(ValidationError, match="already published"):
        actions.publish_rule_set(actor=administrator, origin=CLI, data=data, note="Same")
    data["version"] = "CR2025.2"
    for rule in data["rules"]:
        if rule["code"] == "closing_while_concerns_rise":
            rule["active"] = False
        if rule["code"] == "closing_while_concerns_accumulate":
            rule["params"]["watch"]["concern_events"]["recent"] = 4
    with pytest.raises(PermissionDenied):
        actions.publish_rule_set(actor=social_worker, origin=CLI, data=data, note="Quieter")
    with pytest.raises(ValidationError, match="Say what changed"):
        actions.publish_rule_set(actor=administrator, origin=CLI, data=data, note=" ")
    actions.publish_rule_set(actor=administrator, origin=CLI, data=data, note="Quieter")
    assert queries.current_rule_set().version == "CR2025.2"
    decision = close(social_worker, child)
    assert decision.rule_set_version == "CR2025.2"
    assert not decision.challenges.exists()
    [row] = audit_rows(AuditAction.PUBLISH_CHALLENGE_RULES)
    assert "closing_while_concerns_rise" not in row.detail["rules"]


def test_a_bad_rule_set_is_refused_naming_the_field(administrator):
    data = challenges.rule_set_to_data(challenges.SHIPPED)
    data["version"] = "CR-bad"
    data["rules"][0]["kind"] = "risk_score"
    with pytest.raises(ValidationError) as error:
        actions.publish_rule_set(actor=administrator, origin=CLI, data=data, note="Try")
    assert "rules[0].kind: unknown kind 'risk_score'" in error.value.message_dict["rules"][0]
    assert not ChallengeRuleSet.objects.exists()


# --- reports ---------------------------------------------------------------------------------


def test_overrides_and_deadlines_are_reported_per_team(
    social_worker, team_manager, second_manager, child, concerns
):
    [challenge] = close(social_worker, child).challenges.all()
    actions.record_rationale(
        actor=social_worker, origin=CLI, challenge=challenge, rationale="Attendance is back up now."
    )
    actions.sign_off_challenge(actor=team_manager, origin=CLI, challenge=challenge)
    other = allocated(social_worker)
    referral(social_worker, other, D(2025, 3, 20))  # due 21 March: overdue
    referral(social_worker, child, D(2025, 3, 28))  # due 31 March: due today
    [row] = queries.overrides_by_team(Challenge.objects.all())
    assert (row.team, row.raised, row.overridden, row.changed, row.override_share) == (
        "Assessment Team North",
        1,
        1,
        0,
        1.0,
    )
    [team] = queries.due_by_team(team_manager, today=TODAY)
    assert (team.name, team.total, team.overdue, team.due_soon) == (
        "Assessment Team North",
        2,
        1,
        1,
    )
    [worker] = team.workers
    assert worker.worker == social_worker
    # A teacher with no relationship sees nothing.
    teacher = factories.UserFactory.create(role=Role.PRACTITIONER)
    assert queries.due_by_team(teacher, today=TODAY) == []


def test_a_decision_appears_in_the_chronology_on_its_day(social_worker, child):
    point = referral(social_worker, child)
    decision = decide(social_worker, point, "assessment", reasons="Bruising; needs assessing.")
    event = ChronologyEvent.objects.get(person=child, category__code="decision_recorded")
    assert (event.agency, event.date_only) == (social_worker.agency, True)
    assert timezone.localtime(event.occurred_at).date() == decision.decided_on
    assert "Decision on a referral" in event.summary
    assert "Bruising; needs assessing." in event.summary


def test_a_rationale_waiting_tells_the_second_manager_once_a_day(
    social_worker, team_manager, second_manager, child, concerns
):
    """Issue #15 (sharing/reminders.py): a rationale waits for a manager who neither made
    the decision nor wrote the rationale."""
    from sightline.sharing import reminders
    from sightline.sharing.models import AlertReason, InboxItem

    decision = close(social_worker, child)
    [challenge] = decision.challenges.all()
    actions.record_rationale(
        actor=team_manager,
        origin=CLI,
        challenge=challenge,
        rationale="School attendance recovered in March; health visitor reports improvement.",
    )
    assert reminders.notify_waiting_work(origin=CLI).sign_offs == 1
    assert reminders.notify_waiting_work(origin=CLI).sign_offs == 0
    [item] = InboxItem.objects.all()
    assert (item.user, item.alert.reason) == (second_manager, AlertReason.SIGN_OFF_WAITING)
    assert "second manager's sign-off" in item.alert.summary
    [row] = audit_rows(AuditAction.NOTIFY_SIGN_OFF_WAITING)
    assert (row.person, row.detail["item"], row.detail["to"]) == (
        child,
        "challenge",
        second_manager.username,
    )
