"""Reminders before due dates and escalation when overdue, by e-mail.

Two steps, so that no e-mail is lost and none is sent twice:

1. ``queue_reminders`` decides, in one transaction per item, which items need a reminder
   and writes a ``Reminder`` row (the outbox) with its audit row. The row is unique per
   item and kind, so a second run finds it and queues nothing.
2. ``deliver_reminders`` sends every unsent row through Django's e-mail backend after
   that commit, marking each sent. A row whose sending fails stays unsent for next time.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from sightline import calendars
from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.deadlines.queries import local_closures
from sightline.incidents import queries
from sightline.incidents.models import Reminder, ReminderKind, SeriousIncidentNotification

JOB = Origin(via="job")
logger = logging.getLogger(__name__)


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
    Reminder.objects.create(
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
    transaction.on_commit(deliver_reminders)


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
                Reminder.objects.create(
                    item=item.key,
                    kind=kind,
                    due_on=item.due_on,
                    recipients=_recipients(item, kind),
                    subject=subject,
                    body=body,
                )
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


def deliver_reminders() -> tuple[int, int]:
    """Send every unsent reminder; returns (sent, failed)."""
    sent = failed = 0
    for reminder_id in Reminder.objects.filter(sent_at__isnull=True).values_list("id", flat=True):
        with transaction.atomic():
            reminder = (
                Reminder.objects.select_for_update()
                .filter(pk=reminder_id, sent_at__isnull=True)
                .first()
            )
            if reminder is None:
                continue
            try:
                if reminder.recipients:
                    send_mail(
                        reminder.subject,
                        reminder.body,
                        settings.DEFAULT_FROM_EMAIL,
                        list(reminder.recipients),
                        fail_silently=False,
                    )
            except Exception:  # the row stays unsent and is retried on the next run
                logger.exception("Could not send reminder %s", reminder.pk)
                failed += 1
                continue
            reminder.sent_at = timezone.now()
            reminder.save(update_fields=["sent_at"])
            sent += 1
    return sent, failed


def send_reminders(*, today: dt.date | None = None, lead_days: int | None = None) -> Outcome:
    queued = queue_reminders(today=today, lead_days=lead_days)
    sent, failed = deliver_reminders()
    return Outcome(queued=queued, sent=sent, failed=failed)
