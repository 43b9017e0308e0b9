import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.incidents import actions, queries, reminders, reporting
from sightline.incidents.models import Reminder, ReminderKind, SeriousIncidentNotification
from sightline.sharing import outbox
from sightline.sharing.models import OutboundEmail

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_it_reminds_the_owner_before_the_due_date_once(notify, team_manager):
    notification = notify()  # aware 3 May 2024, due Monday 13 May
    assert reminders.send_reminders(today=D(2024, 5, 8), lead_days=2).queued == 0
    outcome = reminders.send_reminders(today=D(2024, 5, 9), lead_days=2)
    assert (outcome.queued, outcome.sent, outcome.failed) == (1, 1, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [team_manager.email]
    assert message.subject.startswith(
        f"Due soon: Serious incident notification sent ({notification.reference})"
    )
    assert "Monday 13 May 2024" in message.subject
    assert "Jamie" not in message.body  # no child details in e-mail
    # Idempotent: a second run, and a run a day later, send nothing more of that kind.
    assert reminders.send_reminders(today=D(2024, 5, 9), lead_days=2).queued == 0
    assert reminders.send_reminders(today=D(2024, 5, 10), lead_days=2).queued == 0
    assert len(mail.outbox) == 1
    row = AuditEvent.objects.get(action=AuditAction.SEND_INCIDENT_REMINDER)
    assert row.detail["kind"] == "due_soon"


def test_it_escalates_overdue_items_to_the_partner_leads(notify, team_manager, leads):
    notify()
    reminders.send_reminders(today=D(2024, 5, 14), lead_days=2)
    overdue = [m for m in mail.outbox if m.subject.startswith("Overdue")]
    # One message to each (the one outbox sends one address a message).
    assert sorted(m.to[0] for m in overdue) == sorted(
        [
            team_manager.email,
            leads["CSC"].email,
            leads["POLICE"].email,
            leads["HEALTH"].email,
        ]
    )
    reminders.send_reminders(today=D(2024, 5, 20), lead_days=2)
    assert len([m for m in mail.outbox if m.subject.startswith("Overdue")]) == 4


def test_done_items_get_no_reminder(notify, team_manager):
    notification = notify()
    actions.submit_notification(
        actor=team_manager, origin=CLI, notification=notification, submitted_on=D(2024, 5, 7)
    )
    assert reminders.send_reminders(today=D(2024, 5, 14), lead_days=2).queued == 0


def test_a_failed_send_is_retried_not_lost(notify, settings):
    notify()
    settings.EMAIL_BACKEND = "sightline.access.tests.test_break_glass.FailingBackend"
    settings.SIGHTLINE_OUTBOX_RETRY_SECONDS = 0  # the outbox's one retry rule, at once
    outcome = reminders.send_reminders(today=D(2024, 5, 14), lead_days=2)
    assert (outcome.queued, outcome.sent, outcome.failed) == (1, 0, 1)
    waiting = OutboundEmail.objects.get()
    assert (waiting.sent_at, waiting.attempts) == (None, 1)
    assert "mail server down" in waiting.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    outcome = reminders.send_reminders(today=D(2024, 5, 14), lead_days=2)
    assert (outcome.queued, outcome.sent, outcome.failed) == (0, 1, 0)
    assert len(mail.outbox) == 1


def test_reminders_cover_summaries_and_safety_actions(notify, team_manager, social_worker):
    notification = actions.submit_notification(
        actor=team_manager, origin=CLI, notification=notify(), submitted_on=D(2024, 5, 10)
    )
    review = actions.open_rapid_review(actor=team_manager, origin=CLI, notification=notification)
    actions.add_safety_action(
        actor=team_manager,
        origin=CLI,
        review=review,
        description="Check the sibling's school attendance",
        owner=social_worker,
        due_on=D(2024, 9, 3),
    )
    reminders.send_reminders(today=D(2024, 9, 2), lead_days=1)
    kinds = set(Reminder.objects.values_list("item", "kind"))
    summary_keys = {f"summary:{s.pk}" for s in review.summaries.all()}
    assert {(key, ReminderKind.OVERDUE) for key in summary_keys} <= kinds
    action_key = f"safety_action:{review.actions.get().pk}"
    assert (action_key, ReminderKind.DUE_SOON) in kinds
    assert (f"rapid_review:{review.pk}", ReminderKind.OVERDUE) in kinds
    assert any(social_worker.email in m.to for m in mail.outbox)


def test_the_command_reports_and_checks_its_input(notify, capsys):
    notify()
    call_command("send-incident-reminders", "--today", "2024-05-14")
    assert capsys.readouterr().out.strip() == "1 reminders queued, 1 sent, 0 failed"
    call_command("send-incident-reminders", "--today", "2024-05-14")
    assert capsys.readouterr().out.strip() == "0 reminders queued, 0 sent, 0 failed"
    with pytest.raises(CommandError, match="--today must be a date"):
        call_command("send-incident-reminders", "--today", "14/05/2024")


def test_dashboard_items_and_on_time_rates(notify, team_manager):
    first = notify()
    second = notify(incident_on=D(2024, 6, 28), aware_on=D(2024, 7, 1))
    actions.submit_notification(
        actor=team_manager, origin=CLI, notification=first, submitted_on=D(2024, 5, 13)
    )
    actions.submit_notification(
        actor=team_manager, origin=CLI, notification=second, submitted_on=D(2024, 7, 9)
    )
    rates = queries.on_time_rates(SeriousIncidentNotification.objects.all())
    assert rates == [
        reporting.QuarterRate("2024 Q2", "notification", 1, 1),
        reporting.QuarterRate("2024 Q3", "notification", 0, 1),
    ]
    items = queries.due_items([first])
    assert [(i.kind, i.status(D(2024, 9, 2))) for i in items] == [
        ("notification", reporting.Status.DONE_ON_TIME)
    ]


@pytest.mark.parametrize(
    ("due", "done", "today", "expected"),
    [
        (D(2024, 5, 13), None, D(2024, 5, 13), reporting.Status.DUE),
        (D(2024, 5, 13), None, D(2024, 5, 14), reporting.Status.OVERDUE),
        (D(2024, 5, 13), D(2024, 5, 13), D(2024, 6, 1), reporting.Status.DONE_ON_TIME),
        (D(2024, 5, 13), D(2024, 5, 14), D(2024, 6, 1), reporting.Status.DONE_LATE),
    ],
)
def test_status(due, done, today, expected):
    assert reporting.status(due, done, today) == expected


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (D(2024, 1, 1), "2024 Q1"),
        (D(2024, 3, 31), "2024 Q1"),
        (D(2024, 4, 1), "2024 Q2"),
        (D(2024, 12, 31), "2024 Q4"),
    ],
)
def test_quarter_of(day, quarter):
    assert reporting.quarter_of(day) == quarter


def test_rates_round_half_up():
    assert reporting.QuarterRate("2024 Q1", "x", 1, 8).percent == 13  # 12.5
    assert reporting.QuarterRate("2024 Q1", "x", 2, 3).percent == 67
    assert reporting.QuarterRate("2024 Q1", "x", 0, 0).percent == 0


def test_contributors_and_owners_are_told_once_after_commit(
    notify,
    team_manager,
    police_officer,
    social_worker,
    agencies,
    django_capture_on_commit_callbacks,
):
    notification = actions.submit_notification(
        actor=team_manager, origin=CLI, notification=notify(), submitted_on=D(2024, 8, 30)
    )
    review = actions.open_rapid_review(actor=team_manager, origin=CLI, notification=notification)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # asking twice tells them once
            actions.request_agency_summary(
                actor=team_manager,
                origin=CLI,
                review=review,
                agency=agencies["POLICE"],
                contributor=police_officer,
            )
        actions.add_safety_action(
            actor=team_manager,
            origin=CLI,
            review=review,
            description="Visit the sibling",
            owner=social_worker,
            due_on=D(2024, 9, 4),
        )
    outbox.send_due()  # what the worker does after commit
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            [police_officer.email],
            "Sightline: the rapid review summary from West Yorkshire Police for "
            f"{notification.reference}, due 13 September 2024",
        ),
        (
            [social_worker.email],
            f"Sightline: an immediate safety action for {notification.reference}, due 4 September 2024",
        ),
    ]
    assert Reminder.objects.filter(kind=ReminderKind.ASSIGNED).count() == 2
