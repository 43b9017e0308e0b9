"""Waiting sign-offs and overdue steps tell the person, in the app and by e-mail through the
one outbox, once per item per day (issue #15; sharing/reminders.py)."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from sightline.accounts.models import Role
from sightline.assessments import actions as assessments
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.sharing import inbox, reminders, tasks
from sightline.sharing.models import Alert, AlertReason, InboxItem, OutboundEmail
from sightline.testing import factories

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Monday 2 March 2026, 9am.
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
COMPLETE = {
    "harm": "Jamie was left alone overnight twice in February.",
    "complicating_factors": "Mother's new job has night shifts.",
    "working_well": "Grandmother now stays on shift nights.",
    "needs_to_happen": "A written plan for night-time care.",
    "seen_alone": "yes",
    "seen_alone_on": dt.date(2026, 2, 20),
    "child_words": '"I don\'t like it when the house is dark."',
    "safety_scale": 6,
    "danger_statements": "If no adult is at home at night, Jamie could be hurt.",
    "safety_goals": "An adult Jamie trusts is at home every night.",
}


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def submitted(social_worker, child, monday):
    assessment = assessments.start_assessment(actor=social_worker, origin=CLI, child=child)
    assessments.save_assessment(
        actor=social_worker, origin=CLI, assessment=assessment, values=COMPLETE
    )
    return assessments.submit_assessment(actor=social_worker, origin=CLI, assessment=assessment)


@pytest.fixture
def overdue_step(social_worker, child, monday):
    """A referral decision received a month ago: long past its due date."""
    point = assessments.open_decision_point(
        actor=social_worker,
        origin=CLI,
        child=child,
        step="referral_decision",
        started_on=MONDAY.date() - dt.timedelta(days=30),
    )
    assert point.due_on < MONDAY.date()
    return point


def items_of(user):
    return list(
        InboxItem.objects.filter(user=user).order_by("pk").values_list("alert__reason", flat=True)
    )


def test_a_waiting_sign_off_tells_the_teams_manager_not_the_author(
    social_worker, team_manager, submitted
):
    result = reminders.notify_waiting_work(origin=CLI)
    assert (result.sign_offs, result.overdue_steps) == (1, 0)
    assert items_of(team_manager) == [AlertReason.SIGN_OFF_WAITING]
    assert items_of(social_worker) == []
    [email] = OutboundEmail.objects.all()
    assert email.to == team_manager.email.lower()
    assert email.subject == "Sightline: a sign-off is waiting for you"
    # The e-mail never names the child; the inbox does, for a reader who may see them.
    assert "Jamie" not in email.body
    assert "Testchild" not in email.body
    [row] = inbox.alert_rows(team_manager, list(InboxItem.objects.filter(user=team_manager)))
    assert row.named
    assert row.person_name == submitted.child.full_name
    assert "waiting for your sign-off" in row.summary
    audit = AuditEvent.objects.get(action=AuditAction.NOTIFY_SIGN_OFF_WAITING)
    assert audit.person == submitted.child
    assert audit.via == "cli"
    assert audit.detail["to"] == team_manager.username
    assert audit.detail["item"] == "assessment"


def test_an_overdue_step_tells_the_person_responsible(social_worker, team_manager, overdue_step):
    result = reminders.notify_waiting_work(origin=CLI)
    assert (result.sign_offs, result.overdue_steps) == (0, 1)
    assert items_of(social_worker) == [AlertReason.STEP_OVERDUE]
    assert items_of(team_manager) == []
    [email] = OutboundEmail.objects.all()
    assert email.to == social_worker.email.lower()
    assert email.subject == "Sightline: a step you are responsible for is overdue"
    alert = Alert.objects.get(reason=AlertReason.STEP_OVERDUE)
    assert alert.key == f"step_overdue:step:{overdue_step.pk}:to:{social_worker.pk}:2026-03-02"
    assert f"was due on {overdue_step.due_on:%-d %B %Y}" in alert.summary
    audit = AuditEvent.objects.get(action=AuditAction.NOTIFY_STEP_OVERDUE)
    assert audit.detail["due_on"] == overdue_step.due_on.isoformat()


def test_running_twice_the_same_day_tells_nobody_twice_and_the_next_day_again(
    social_worker, team_manager, submitted, overdue_step, monday
):
    first = reminders.notify_waiting_work(origin=CLI)
    again = reminders.notify_waiting_work(origin=CLI)
    assert (first.sign_offs, first.overdue_steps, first.already_told) == (1, 1, 0)
    assert (again.sign_offs, again.overdue_steps, again.already_told) == (0, 0, 2)
    assert InboxItem.objects.count() == OutboundEmail.objects.count() == 2
    assert (
        AuditEvent.objects.filter(
            action__in=[AuditAction.NOTIFY_SIGN_OFF_WAITING, AuditAction.NOTIFY_STEP_OVERDUE]
        ).count()
        == 2
    )

    monday.move_to(MONDAY + dt.timedelta(days=1))
    tuesday = reminders.notify_waiting_work(origin=CLI)
    assert (tuesday.sign_offs, tuesday.overdue_steps) == (1, 1)
    assert InboxItem.objects.count() == OutboundEmail.objects.count() == 4


def test_work_done_is_not_reminded(social_worker, team_manager, submitted, overdue_step):
    assessments.sign_off_assessment(actor=team_manager, origin=CLI, assessment=submitted)
    assessments.record_decision(
        actor=social_worker,
        origin=CLI,
        point=overdue_step,
        step="referral_decision",
        outcome="no_further_action",
        decided_on=MONDAY.date(),
        reasons="Universal services are meeting the child's needs.",
        history_considered=True,
        history_summary="Read the chronology.",
    )
    result = reminders.notify_waiting_work(origin=CLI)
    assert (result.sign_offs, result.overdue_steps, result.already_told) == (0, 0, 0)
    assert not InboxItem.objects.exists()


def test_inactive_and_other_teams_managers_are_not_told(
    agencies, social_worker, team_manager, submitted
):
    elsewhere = factories.TeamFactory.create(agency=agencies["CSC"], name="South")
    factories.UserFactory.create(
        username="other.manager", agency=agencies["CSC"], team=elsewhere, role=Role.TEAM_MANAGER
    )
    team_manager.is_active = False
    team_manager.save(update_fields=["is_active"])
    assert reminders.notify_waiting_work(origin=CLI).sign_offs == 0
    assert not InboxItem.objects.exists()


def test_the_command_runs_it_by_hand(team_manager, submitted):
    out = io.StringIO()
    call_command("notify-waiting-work", stdout=out)
    assert "Told of 1 sign-off(s) waiting and 0 overdue step(s)" in out.getvalue()
    call_command("notify-waiting-work", stdout=out)
    assert "1 already told today" in out.getvalue()
    assert items_of(team_manager) == [AlertReason.SIGN_OFF_WAITING]


@pytest.mark.django_db(transaction=True)
def test_the_worker_reminds_sends_the_email_and_schedules_the_next_run(social_worker, child):
    # Real commits, as the worker (django-tasks' db_worker) closes the connection it used.
    with time_machine.travel(MONDAY, tick=True):
        assessments.open_decision_point(
            actor=social_worker,
            origin=CLI,
            child=child,
            step="referral_decision",
            started_on=MONDAY.date() - dt.timedelta(days=30),
        )
        tasks.wake_reminders()
        call_command("run-worker", "--batch", verbosity=0)
    assert items_of(social_worker) == [AlertReason.STEP_OVERDUE]
    assert AuditEvent.objects.get(action=AuditAction.NOTIFY_STEP_OVERDUE).via == "job"
    # The e-mail went through the outbox and Django's backend.
    [email] = OutboundEmail.objects.all()
    assert email.sent_at is not None
    assert [m.subject for m in mail.outbox] == [email.subject]
    upcoming = DBTaskResult.objects.filter(
        task_path=tasks.remind_waiting_work.module_path, status="READY"
    ).get()
    assert upcoming.run_after > MONDAY + dt.timedelta(minutes=59)


def test_the_reminder_shows_in_the_managers_inbox_with_the_child(client, team_manager, submitted):
    reminders.notify_waiting_work(origin=CLI)
    client.force_login(team_manager)
    page = client.get(reverse("sharing-inbox")).content.decode()
    assert "A sign-off is waiting for you" in page
    assert "is waiting for your sign-off" in page
    assert submitted.child.full_name in page


def test_a_reader_who_may_not_see_the_child_is_not_told_who_it_is(teacher, team_manager, submitted):
    reminders.notify_waiting_work(origin=CLI)
    # As if the manager lost the relationship: composed for a reader without one.
    [row] = inbox.alert_rows(teacher, list(InboxItem.objects.all()))
    assert not row.named
    assert row.person_name == ""
    assert row.person_public_id is None
    assert row.summary == inbox.GENERIC_REMINDER
