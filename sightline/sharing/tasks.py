"""Background tasks (django-tasks, database backend). Each body only calls an action.

The tasks are wake-ups, not the record of work: the work is in the outbox tables
(undelivered alerts, unsent e-mails, unacknowledged referrals). So a task lost with a
killed worker loses nothing; ``sightline run-worker`` wakes every task when it starts,
and each task schedules its own next run for the earliest time something falls due.
"""

import datetime as dt
import time
from typing import TypeVar

from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

READY = "READY"
SEND_FOR_SECONDS = 10
T = TypeVar("T")


def _wake(job: Task[[], T], *, at: dt.datetime | None = None) -> None:
    """Enqueue ``job`` (at ``at``) unless a run that will start by then is already queued."""
    backend = job.get_backend()
    if isinstance(backend, DatabaseBackend):
        by = at or timezone.now()
        queued = DBTaskResult.objects.filter(
            task_path=job.module_path, status=READY, backend_name=backend.alias
        ).filter(Q(run_after=get_date_max()) | Q(run_after__lte=by))
        if queued.exists():
            return
    (job.using(run_after=at) if at is not None else job).enqueue()


@task()
def fan_out_alerts() -> int:
    from django.conf import settings

    from sightline.sharing import actions

    return actions.deliver_alerts_while_busy(linger=settings.SIGHTLINE_ALERT_LINGER_SECONDS)


@task()
def send_emails() -> dict[str, int]:
    from sightline.sharing import outbox

    sent = failed = 0
    started = time.monotonic()
    while True:  # batch after batch while messages are due, for at most 10 seconds
        result = outbox.send_due()
        sent, failed = sent + result.sent, failed + result.failed
        if not result.more_due or time.monotonic() - started > SEND_FOR_SECONDS:
            break
    if result.more_due:
        _wake(send_emails)
    else:
        after = outbox.next_attempt()
        if after is not None:
            _wake(send_emails, at=max(after, timezone.now()))
    return {"sent": sent, "failed": failed}


@task(priority=5)
def escalate_referrals() -> int:
    from sightline.sharing import actions

    escalated = actions.escalate_overdue_referrals()
    following = actions.next_referral_deadline()
    if following is not None:
        _wake(escalate_referrals, at=following)
    return escalated


@task(priority=-5)
def remind_waiting_work() -> dict[str, int]:
    """Sign-offs waiting and overdue steps, told once per item per day; then the next run
    in ``SIGHTLINE_REMINDER_INTERVAL_MINUTES``."""
    from django.conf import settings

    from sightline.sharing import reminders

    now = timezone.now()
    try:
        result = reminders.notify_waiting_work(origin=reminders.JOB)
    finally:
        wake_reminders(at=now + dt.timedelta(minutes=settings.SIGHTLINE_REMINDER_INTERVAL_MINUTES))
    return {
        "sign_offs": result.sign_offs,
        "overdue_steps": result.overdue_steps,
        "already_told": result.already_told,
    }


def wake_reminders(*, at: dt.datetime | None = None) -> None:
    _wake(remind_waiting_work, at=at)


def wake_alert_fan_out() -> None:
    _wake(fan_out_alerts)


def wake_email_sender() -> None:
    _wake(send_emails)


def wake_escalation(at: dt.datetime | None = None) -> None:
    _wake(escalate_referrals, at=at)


def wake_all() -> None:
    """What the worker does on start: whatever a dead worker left is picked up."""
    wake_alert_fan_out()
    wake_email_sender()
    wake_escalation()
    wake_reminders()
