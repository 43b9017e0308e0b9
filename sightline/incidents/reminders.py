"""Reminders before due dates and escalation when overdue, by e-mail.

``queue_reminders`` decides, in one transaction per item, which items need a reminder
and writes a ``Reminder`` row (who was reminded of what, unique per item and kind, so a
second run queues nothing) with its audit row, and its e-mails in the one outbox
(``sharing.outbox``: sent by the worker after commit, retried with the outbox's one
back-off rule, never sent twice).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sightline import calendars
from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.deadlines.queries import local_closures
from sightline.incidents import queries
from sightline.incidents.models import Reminder, ReminderKind, SeriousIncidentNotification
from sightline.sharing import outbox

JOB = Origin(via="job")


@dataclass(frozen=True)
class Outcome:
    queued: int
    sent: int
    failed: int


def _decide(
    item: queries.DueItem, today: dt.date, lead_days: int, closures: frozenset[dt.date]
) -> ReminderKind | None:
    if item.done_on is not None:
        return None
    if today > item.due_on:
        return ReminderKind.OVERDUE
    if calendars.working_days_between(today, item.due_on, closures) <= lead_days:
        return ReminderKind.DUE_SOON
    return None


def _message(item: queries.DueItem, kind: ReminderKind, today: dt.date) -> tuple[str, str]:
    reference = item.notification.reference
    when = f"{item.due_on:%A %-d %B %Y}"
    if kind == ReminderKind.OVERDUE:
        subject = f"Overdue: {item.label} ({reference}) was due {when}"
        opening = (
            f"{item.label} for {reference} was due on {when} and is not recorded as done. "
            "This reminder also goes to the safeguarding partners' leads."
        )
    else:
        subject = f"Due soon: {item.label} ({reference}) by {when}"
        opening = f"{item.label} for {reference} is due by {when}."
    body = (
        f"{opening}\n\nOwner: {item.owner_name}\n"
        "Open Sightline to see the record. This e-mail holds no details about the child.\n"
    )
    return subject, body


def _recipients(item: queries.DueItem, kind: ReminderKind) -> list[str]:
    people = [item.owner] if item.owner else []
    if kind == ReminderKind.OVERDUE:
        people += queries.partner_leads(item.notification)
    emails: list[str] = []
    for person in people:
        if person and person.is_active and person.email and person.email not in emails:
            emails.append(person.email)
    return emails


def queue_assignment(
    *, item: str, due_on: dt.date, user: User, notification: SeriousIncidentNotification, what: str
) -> None:
    """Tell ``user`` they have been asked to do something, once per item and person.

    Call inside the action's transaction; the e-mail goes after commit.
    """
    key = f"{item}:to:{user.pk}"
    if Reminder.objects.filter(item=key, kind=ReminderKind.ASSIGNED).exists():
        return
    reference = notification.reference
    reminder = Reminder.objects.create(
        item=key,
        kind=ReminderKind.ASSIGNED,
        due_on=due_on,
        recipients=[user.email] if user.email and user.is_active else [],
        subject=f"Sightline: {what} for {reference}, due {due_on:%-d %B %Y}",
        body=(
            f"You have been asked for {what} for {reference}, due by {due_on:%A %-d %B %Y}.\n\n"
            "Open Sightline to see the record. This e-mail holds no details about the child.\n"
        ),
    )
    _queue_emails(reminder)


def _queue_emails(reminder: Reminder) -> None:
    """The reminder's e-mails, one per recipient, into the one outbox."""
    outbox.queue(
        [
            outbox.Email(
                key=f"incident-reminder-{reminder.pk}-{address}",
                to=address,
                subject=reminder.subject,
                body=reminder.body,
            )
            for address in reminder.recipients
        ]
    )


def queue_reminders(*, today: dt.date | None = None, lead_days: int | None = None) -> int:
    """Write the outbox rows for every item due soon or overdue; returns how many are new."""
    today = today or timezone.localdate()
    lead = lead_days if lead_days is not None else settings.SIGHTLINE_INCIDENT_REMINDER_WORKING_DAYS
    closures = local_closures()
    open_notifications = SeriousIncidentNotification.objects.select_related("notifier")
    queued = 0
    for item in queries.due_items(open_notifications):
        kind = _decide(item, today, lead, closures)
        if kind is None or Reminder.objects.filter(item=item.key, kind=kind).exists():
            continue
        subject, body = _message(item, kind, today)
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    item=item.key,
                    kind=kind,
                    due_on=item.due_on,
                    recipients=_recipients(item, kind),
                    subject=subject,
                    body=body,
                )
                _queue_emails(reminder)
                record_audit(
                    actor=None,
                    action=AuditAction.SEND_INCIDENT_REMINDER,
                    origin=JOB,
                    detail={
                        "notification": item.notification.reference,
                        "item": item.key,
                        "kind": kind.value,
                        "due_on": item.due_on.isoformat(),
                    },
                )
        except IntegrityError:  # another run queued it meanwhile
            continue
        queued += 1
    return queued


def send_due_emails() -> tuple[int, int]:
    """What the worker does, for a run without one (cron): send what is due in the one
    outbox now; returns (sent, failed). A failure waits for the outbox's retry."""
    sent = failed = 0
    while True:
        result = outbox.send_due()
        sent, failed = sent + result.sent, failed + result.failed
        if not result.more_due:
            return sent, failed


def send_reminders(*, today: dt.date | None = None, lead_days: int | None = None) -> Outcome:
    queued = queue_reminders(today=today, lead_days=lead_days)
    sent, failed = send_due_emails()
    return Outcome(queued=queued, sent=sent, failed=failed)
