"""``sightline deadline STEP DATE``: print the deadline for a statutory step, YYYY-MM-DD."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline import calendars
from sightline.deadlines import queries, rules


class Command(BaseCommand):
    help = (
        "Print the deadline (YYYY-MM-DD) for STEP counted from DATE, with bank holidays in "
        "England and the local closure days. Steps: " + ", ".join(rules.step_names())
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("step", help="one of: " + ", ".join(rules.step_names()))
        parser.add_argument("date", help="the date counted from, YYYY-MM-DD")
        parser.add_argument(
            "--rule-version",
            default=rules.CURRENT_VERSION,
            help=f"rule version (default {rules.CURRENT_VERSION})",
        )
        parser.add_argument(
            "--explain", action="store_true", help="also print the rule and its source"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            step = rules.parse_step(options["step"])
            rule = rules.rule_for(step, options["rule_version"])
        except (rules.UnknownStepError, rules.UnknownRuleVersionError) as error:
            raise CommandError(str(error)) from None
        try:
            start = dt.date.fromisoformat(options["date"].strip())
        except ValueError:
            raise CommandError(
                f"DATE must be a calendar date as YYYY-MM-DD, not {options['date']!r}"
            ) from None
        try:
            result = queries.deadline(step, start, version=options["rule_version"])
        except calendars.CalendarError as error:
            raise CommandError(f"DATE {start.isoformat()}: {error}") from None
        self.stdout.write(result.due_on.isoformat())
        if options["explain"]:
            self.stdout.write(
                f"{step.value}: {rule.describe()} ({rule.source}; rule version {result.rule_version})"
            )
