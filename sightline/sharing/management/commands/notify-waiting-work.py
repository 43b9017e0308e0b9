"""``sightline notify-waiting-work``: tell each manager of the sign-offs waiting for them
and each practitioner of their overdue steps now, in the app and by e-mail (the worker
does this every ``SIGHTLINE_REMINDER_INTERVAL_MINUTES``; this is for cron or a
catch-up). Each person hears of each item at most once a day."""

from typing import Any

from django.core.management.base import BaseCommand

from sightline.audit.actions import CLI
from sightline.sharing import reminders


class Command(BaseCommand):
    help = "Notify managers of sign-offs waiting and practitioners of overdue steps."

    def handle(self, *args: Any, **options: Any) -> None:
        result = reminders.notify_waiting_work(origin=CLI)
        self.stdout.write(
            f"Told of {result.sign_offs} sign-off(s) waiting and {result.overdue_steps} "
            f"overdue step(s); {result.already_told} already told today. The worker sends "
            "the e-mails."
        )
