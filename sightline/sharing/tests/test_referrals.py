import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.people.models import Involvement, InvolvementRole
from sightline.sharing import actions, queries
from sightline.sharing.actions import ReferralRefusedError
from sightline.sharing.clock import ENGLAND
from sightline.sharing.models import (
    AlertReason,
    InboxItem,
    OutboundEmail,
    Referral,
    ReferralOutcome,
    ReferralStatus,
)
from sightline.testing import factories

pytestmark = pytest.mark.django_db
MONDAY_10AM = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ENGLAND)


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY_10AM, tick=False) as traveller:
        yield traveller


def refer(school_lead, child, front_door, urgency="amber", **overrides):
    arguments = {
        "actor": school_lead,
        "person": child,
        "to_team": front_door.pk,
        "urgency": urgency,
        "reason": "Came to school with bruising and would not say how",
        "shared": "Body map and the class teacher's note of what was said",
        "origin": CLI,
    } | overrides
    return actions.raise_referral(**arguments)


@pytest.mark.parametrize(
    ("urgency", "due"),
    [
        ("red", dt.datetime(2026, 3, 2, 14, 0, tzinfo=ENGLAND)),  # 4 clock hours
        ("amber", dt.datetime(2026, 3, 5, 10, 0, tzinfo=ENGLAND)),  # 24 working hours
        ("green", dt.datetime(2026, 3, 13, 10, 0, tzinfo=ENGLAND)),  # 72 working hours
    ],
)
def test_it_sets_the_acknowledgement_deadline_by_urgency(
    school_lead, child, front_door, urgency, due
):
    referral = refer(school_lead, child, front_door, urgency=urgency)
    assert referral.acknowledge_by == due
    assert referral.deadline_rule.endswith("(rule v1)")


def test_the_limits_are_settings(settings, school_lead, child, front_door):
    settings.SIGHTLINE_REFERRAL_LIMITS = "red=2h,amber=8wh,green=16wh"
    referral = refer(school_lead, child, front_door, urgency="amber")
    assert referral.acknowledge_by == dt.datetime(2026, 3, 3, 10, 0, tzinfo=ENGLAND)
    assert referral.deadline_rule == (
        "Amber: 8 working hours (9am to 5pm, Monday to Friday, except bank holidays and "
        "closure days) (rule v1)"
    )
    assert referral.deadline_rule_version == "v1"


def test_raising_records_the_share_and_alerts_the_receiving_team(
    school_lead, child, front_door, duty_worker
):
    referral = refer(school_lead, child, front_door)
    audit = AuditEvent.objects.get(action=AuditAction.RAISE_REFERRAL)
    assert audit.person == child
    assert audit.detail["to_team"] == "Front Door"
    assert audit.detail["reason"].startswith("Came to school")
    assert audit.detail["shared"].startswith("Body map")
    actions.deliver_alerts()
    item = InboxItem.objects.get()
    assert (item.team, item.alert.referral) == (front_door, referral)
    assert queries.unread_count(duty_worker) == 1
    assert list(queries.referrals_to_acknowledge(duty_worker)) == [referral]
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == ["front.door@example.org"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"to_team": 999_999}, "that team is not known"),
        ({"to_team": "front door"}, "that team is not known"),
        ({"to_team": None}, "that team is not known"),
        ({"reason": "   "}, "Give the reason"),
        ({"urgency": "purple"}, "Choose the urgency"),
    ],
)
def test_it_refuses_a_referral_it_cannot_route_with_a_clear_message(
    school_lead, child, front_door, overrides, message
):
    with pytest.raises(ReferralRefusedError, match=message):
        refer(school_lead, child, front_door, **overrides)
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.RAISE_REFERRAL).exists()


def test_acknowledge_then_outcome_closes_the_loop_for_the_referrer(
    school_lead, child, front_door, duty_worker, monday
):
    referral = refer(school_lead, child, front_door)
    monday.shift(dt.timedelta(hours=2))
    actions.acknowledge_referral(actor=duty_worker, referral=referral, origin=CLI)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACKNOWLEDGED
    assert referral.acknowledged_by == duty_worker
    with pytest.raises(ReferralRefusedError, match="already been acknowledged"):
        actions.acknowledge_referral(actor=duty_worker, referral=referral, origin=CLI)

    actions.record_outcome(
        actor=duty_worker, referral=referral, outcome=ReferralOutcome.ACCEPTED, origin=CLI
    )
    mine = queries.referrals_sent(school_lead).get()
    assert (mine.status, mine.outcome) == (ReferralStatus.CLOSED, ReferralOutcome.ACCEPTED)
    assert AuditEvent.objects.filter(action=AuditAction.ACKNOWLEDGE_REFERRAL).get().detail == {
        "referral": str(referral.public_id),
        "late": False,
    }
    with pytest.raises(ReferralRefusedError, match="already recorded"):
        actions.record_outcome(
            actor=duty_worker, referral=referral, outcome=ReferralOutcome.ACCEPTED, origin=CLI
        )


def test_no_further_action_needs_a_reason(school_lead, child, front_door, duty_worker):
    referral = refer(school_lead, child, front_door)
    with pytest.raises(ReferralRefusedError, match="reason for no further action"):
        actions.record_outcome(
            actor=duty_worker, referral=referral, outcome="no_further_action", origin=CLI
        )
    actions.record_outcome(
        actor=duty_worker,
        referral=referral,
        outcome="no_further_action",
        reason="Known accident at football, confirmed by the GP",
        origin=CLI,
    )
    referral.refresh_from_db()
    assert referral.acknowledged_by == duty_worker  # the outcome acknowledges it too


def test_redirecting_raises_a_referral_to_the_new_team(
    school_lead, child, front_door, duty_worker, agencies
):
    early_help = factories.TeamFactory.create(agency=agencies["CSC"], name="Early Help")
    referral = refer(school_lead, child, front_door, urgency="green")
    actions.record_outcome(
        actor=duty_worker,
        referral=referral,
        outcome="redirected",
        reason="Needs family support, not a statutory assessment",
        redirect_to=early_help.pk,
        origin=CLI,
    )
    referral.refresh_from_db()
    onward = referral.redirected_to
    assert onward is not None
    assert (onward.to_team, onward.urgency, onward.shared) == (early_help, "green", referral.shared)
    assert onward.reason.startswith("Redirected by Front Door: Needs family support")


def test_only_the_receiving_team_acknowledges(school_lead, child, front_door, social_worker):
    referral = refer(school_lead, child, front_door)
    for outsider in (school_lead, social_worker):
        with pytest.raises(PermissionDenied):
            actions.acknowledge_referral(actor=outsider, referral=referral, origin=CLI)


def test_an_overdue_referral_escalates_once_to_the_receiving_teams_manager(
    school_lead, child, front_door, front_door_manager, duty_worker, monday
):
    red = refer(school_lead, child, front_door, urgency="red")
    amber = refer(school_lead, child, front_door, urgency="amber")
    monday.move_to(dt.datetime(2026, 3, 2, 13, 59, tzinfo=ENGLAND))
    assert actions.escalate_overdue_referrals() == 0
    monday.move_to(dt.datetime(2026, 3, 2, 14, 1, tzinfo=ENGLAND))
    assert list(queries.overdue_for_team(duty_worker)) == [red]
    assert actions.escalate_overdue_referrals() == 1
    assert actions.escalate_overdue_referrals() == 0
    actions.deliver_alerts()
    overdue_items = InboxItem.objects.filter(alert__reason=AlertReason.REFERRAL_OVERDUE)
    assert {(i.user, i.team) for i in overdue_items} == {
        (front_door_manager, None),
        (None, front_door),
    }
    audit = AuditEvent.objects.get(action=AuditAction.ESCALATE_REFERRAL)
    assert audit.detail["managers"] == ["fiona.manager"]
    assert "fiona.manager@example.org" in OutboundEmail.objects.values_list("to", flat=True)

    # Acknowledged in time: never escalated.
    actions.acknowledge_referral(actor=duty_worker, referral=amber, origin=CLI)
    monday.move_to(dt.datetime(2026, 3, 9, 9, 0, tzinfo=ENGLAND))
    assert actions.escalate_overdue_referrals() == 0
    red.refresh_from_db()
    assert red.escalated_at == dt.datetime(2026, 3, 2, 14, 1, tzinfo=ENGLAND)


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_and_schedules_the_escalation(
    school_lead, child, front_door, front_door_manager, monday
):
    # Real commits: the wake-ups run after commit, as in production.
    referral = refer(school_lead, child, front_door, urgency="red")
    assert actions.next_referral_deadline() == referral.acknowledge_by + dt.timedelta(seconds=1)
    call_command("run-worker", "--batch", verbosity=0)
    assert InboxItem.objects.filter(team=front_door).count() == 1
    assert not InboxItem.objects.filter(user=front_door_manager).exists()
    # The escalation waits for its deadline as a deferred task, run then by the worker.
    monday.move_to(referral.acknowledge_by + dt.timedelta(seconds=2))
    call_command("run-worker", "--batch", verbosity=0)
    assert InboxItem.objects.filter(user=front_door_manager).count() == 1


# The loop closes for the referrer --------------------------------------------------------


def referrer_items(referrer):
    return list(
        InboxItem.objects.filter(user=referrer)
        .order_by("pk")
        .values_list("alert__reason", "alert__summary")
    )


def test_the_referrer_is_alerted_once_when_acknowledged_and_when_the_outcome_is_recorded(
    school_lead, child, front_door, duty_worker
):
    referral = refer(school_lead, child, front_door)
    actions.deliver_alerts()
    assert referrer_items(school_lead) == []  # the new referral goes to the receiving team

    actions.acknowledge_referral(actor=duty_worker, referral=referral, origin=CLI)
    actions.record_outcome(
        actor=duty_worker, referral=referral, outcome=ReferralOutcome.ACCEPTED, origin=CLI
    )
    assert actions.deliver_alerts() == 2
    assert actions.deliver_alerts() == 0  # exactly once, however often the worker runs
    assert referrer_items(school_lead) == [
        (
            AlertReason.REFERRAL_ACKNOWLEDGED,
            "Front Door (Leeds Children's Social Care) acknowledged your amber referral",
        ),
        (AlertReason.REFERRAL_OUTCOME, "Front Door (Leeds Children's Social Care): Accepted"),
    ]
    # Only to the referrer: not the receiving team, not the referrer's team.
    assert not InboxItem.objects.filter(
        alert__reason__in=[AlertReason.REFERRAL_ACKNOWLEDGED, AlertReason.REFERRAL_OUTCOME],
        team__isnull=False,
    ).exists()
    emails = OutboundEmail.objects.filter(to="sam.school@example.org").order_by("pk")
    assert [e.subject for e in emails] == [
        "Sightline: your referral was acknowledged",
        "Sightline: the outcome of your referral",
    ]
    assert all("Came to school" not in e.body and "Jamie" not in e.body for e in emails)


def test_an_outcome_without_acknowledgement_alerts_the_outcome_only_and_never_the_reason(
    school_lead, child, front_door, duty_worker, agencies
):
    early_help = factories.TeamFactory.create(agency=agencies["CSC"], name="Early Help")
    referral = refer(school_lead, child, front_door)
    actions.record_outcome(
        actor=duty_worker,
        referral=referral,
        outcome=ReferralOutcome.REDIRECTED,
        reason="Family support fits better",
        redirect_to=early_help.pk,
        origin=CLI,
    )
    actions.deliver_alerts()
    assert referrer_items(school_lead) == [
        (
            AlertReason.REFERRAL_OUTCOME,
            "Front Door (Leeds Children's Social Care): Redirected to Early Help",
        )
    ]


def test_an_inactive_referrer_gets_no_alert(school_lead, child, front_door, duty_worker):
    referral = refer(school_lead, child, front_door)
    school_lead.is_active = False
    school_lead.save(update_fields=["is_active"])
    actions.acknowledge_referral(actor=duty_worker, referral=referral, origin=CLI)
    actions.deliver_alerts()
    assert referrer_items(school_lead) == []
    assert not OutboundEmail.objects.filter(to="sam.school@example.org").exists()


def test_the_referrer_is_alerted_when_their_referral_escalates(
    school_lead, child, front_door, front_door_manager, monday
):
    refer(school_lead, child, front_door, urgency="red")
    monday.move_to(dt.datetime(2026, 3, 2, 14, 1, tzinfo=ENGLAND))
    assert actions.escalate_overdue_referrals() == 1
    actions.deliver_alerts()
    assert referrer_items(school_lead) == [
        (
            AlertReason.REFERRAL_ESCALATED,
            "Front Door (Leeds Children's Social Care) did not acknowledge your red referral "
            "in time; their managers have been alerted",
        )
    ]
    assert OutboundEmail.objects.filter(
        to="sam.school@example.org",
        subject="Sightline: your referral is overdue and was escalated",
    ).exists()
    assert actions.escalate_overdue_referrals() == 0
    actions.deliver_alerts()
    assert len(referrer_items(school_lead)) == 1


def test_accepting_makes_the_receiving_practitioner_involved_with_the_child(
    school_lead, child, front_door, duty_worker, agencies
):
    assert not queries.has_relationship(duty_worker, child)
    first = refer(school_lead, child, front_door)
    actions.record_outcome(
        actor=duty_worker, referral=first, outcome=ReferralOutcome.ACCEPTED, origin=CLI
    )
    rows = [row.involvement for row in queries.involved(child)]
    [accepted] = [i for i in rows if i.practitioner == duty_worker]
    assert (accepted.agency, accepted.role, accepted.started_on, accepted.ended_on) == (
        agencies["CSC"],
        InvolvementRole.REFERRAL_ACCEPTED,
        dt.date(2026, 3, 2),
        None,
    )
    assert accepted.get_role_display() == "Accepted a referral"
    assert queries.has_relationship(duty_worker, child)  # they may now open the record
    recorded = AuditEvent.objects.get(action=AuditAction.RECORD_INVOLVEMENT)
    assert (recorded.actor, recorded.person) == (duty_worker, child)
    outcome = AuditEvent.objects.get(action=AuditAction.RECORD_REFERRAL_OUTCOME)
    assert outcome.detail["involvement"] == accepted.pk

    # A second accepted referral for the same child keeps the one involvement.
    second = refer(school_lead, child, front_door, urgency="green")
    actions.record_outcome(
        actor=duty_worker, referral=second, outcome=ReferralOutcome.ACCEPTED, origin=CLI
    )
    assert Involvement.objects.filter(person=child, practitioner=duty_worker).count() == 1


@pytest.mark.parametrize("outcome", [ReferralOutcome.NO_FURTHER_ACTION, ReferralOutcome.REDIRECTED])
def test_other_outcomes_involve_nobody(school_lead, child, front_door, duty_worker, outcome):
    other = factories.TeamFactory.create(agency=front_door.agency, name="Early Help")
    referral = refer(school_lead, child, front_door)
    actions.record_outcome(
        actor=duty_worker,
        referral=referral,
        outcome=outcome,
        reason="Known to the GP, no concerns",
        redirect_to=other.pk,
        origin=CLI,
    )
    assert not Involvement.objects.filter(practitioner=duty_worker).exists()


def test_the_referrers_team_sees_what_it_sent_and_only_the_receiving_team_acts(
    school_lead, child, front_door, duty_worker, teacher
):
    colleague = factories.UserFactory.create(
        username="deputy.lead", agency=school_lead.agency, team=school_lead.team
    )
    referral = refer(school_lead, child, front_door)
    assert referral.from_team == school_lead.team
    assert list(queries.referrals_sent(colleague)) == [referral]
    assert queries.open_referrals_sent_count(colleague) == 1
    assert queries.may_see_referral(colleague, referral)
    assert not queries.may_act_on_referral(colleague, referral)
    assert list(queries.referrals_sent(teacher)) == []
    assert not queries.may_see_referral(teacher, referral)
    actions.record_outcome(
        actor=duty_worker, referral=referral, outcome=ReferralOutcome.ACCEPTED, origin=CLI
    )
    assert queries.open_referrals_sent_count(colleague) == 0
    # The team it was sent from is kept when the referrer moves on.
    school_lead.team = None
    school_lead.save(update_fields=["team"])
    assert list(queries.referrals_sent(colleague)) == [referral]
