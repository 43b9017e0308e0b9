"""``sightline retention --as-of DATE [--dry-run]``: what falls due under the schedule.

With ``--dry-run`` it lists the records due on the day (reference, kind, rule, due date,
holds) and writes nothing. Without it, it proposes each unheld record for a reviewed
disposal (docs/governance.md); it never destroys anything itself.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sightline.audit.actions import CLI
from sightline.governance import actions, queries


class Command(BaseCommand):
    help = "List records due for disposal on a day (--dry-run), or propose them for review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", help="the day to decide on (YYYY-MM-DD); default: today in Europe/London"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list what falls due; propose nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(
                    f"--as-of must be a date as YYYY-MM-DD, not {options['as_of']!r}"
                ) from None
        due = queries.falling_due(as_of)
        for row in due:
            holds = "; ".join(f"{h.reference}: {h.description}" for h in row.holds) or "none"
            proposal = f"  proposal: {row.proposal}" if row.proposal else ""
            self.stdout.write(
                f"{row.person_ref}  {row.kind.value}  due {row.due_on.isoformat()}  "
                f"rule: {row.rule.summary}  holds: {holds}{proposal}"
            )
        held = sum(1 for row in due if row.holds)
        if options["dry_run"]:
            self.stdout.write(
                f"{len(due)} record(s) due on {as_of.isoformat()}, {held} under a legal hold "
                "(dry run: nothing proposed)"
            )
            return
        proposed = actions.propose_disposals(actor=None, as_of=as_of, origin=CLI)
        self.stdout.write(
            f"{len(due)} record(s) due on {as_of.isoformat()}, {held} under a legal hold; "
            f"{len(proposed)} proposed for a reviewed disposal"
        )
