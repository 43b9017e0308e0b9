"""``sightline send-incident-reminders``: remind owners before due dates, escalate overdue.

Idempotent: one reminder per item per kind, however often it runs (e.g. every morning).
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.incidents import reminders


class Command(BaseCommand):
    help = "Send e-mail reminders for incident deadlines due soon, and escalate overdue ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", help="the day to act as (YYYY-MM-DD); default: today in Europe/London"
        )
        parser.add_argument(
            "--lead-days",
            type=int,
            help="remind this many working days before the due date (default: the setting)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    f"--today must be a date as YYYY-MM-DD, not {options['today']!r}"
                ) from None
        lead = options["lead_days"]
        if lead is not None and lead < 0:
            raise CommandError(f"--lead-days must be 0 or more, not {lead}")
        outcome = reminders.send_reminders(today=today, lead_days=lead)
        self.stdout.write(
            f"{outcome.queued} reminders queued, {outcome.sent} sent, {outcome.failed} failed"
        )
        if outcome.failed:
            raise CommandError(
                f"{outcome.failed} reminders could not be sent; they will be retried"
            )
