"""``sightline local-closures``: list, add or withdraw local closure days.

    sightline local-closures list [--all]
    sightline local-closures add 2024-12-27 "Christmas shutdown" --as ada.admin
    sightline local-closures withdraw 2024-12-27 "Shutdown cancelled" --as ada.admin

Adding and withdrawing are administrators' actions, audited like the page would be.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.accounts.models import User
from sightline.audit.actions import CLI
from sightline.deadlines import actions
from sightline.deadlines.models import LocalClosure


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"DATE must be a calendar date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "List, add or withdraw local closure days (non-working days beyond bank holidays)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        listing = sub.add_parser("list", help="list live closure days")
        listing.add_argument("--all", action="store_true", help="include withdrawn ones")
        for verb in ("add", "withdraw"):
            command = sub.add_parser(verb, help=f"{verb} a closure day")
            command.add_argument("date", help="YYYY-MM-DD")
            command.add_argument("reason")
            command.add_argument(
                "--as", dest="actor", required=True, help="administrator's username"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "list":
            closures = LocalClosure.objects.all() if options["all"] else LocalClosure.objects.live()
            for closure in closures:
                withdrawn = " (withdrawn)" if closure.withdrawn_at else ""
                self.stdout.write(f"{closure.date.isoformat()}  {closure.reason}{withdrawn}")
            return
        day = _date(options["date"])
        actor = User.objects.filter(username=options["actor"]).first()
        if actor is None:
            raise CommandError(f"--as: no user {options['actor']!r}")
        try:
            if options["verb"] == "add":
                actions.record_local_closure(
                    actor=actor, origin=CLI, date=day, reason=options["reason"]
                )
                self.stdout.write(f"{day.isoformat()} is now a local closure day")
            else:
                live = LocalClosure.objects.live().filter(date=day).first()
                if live is None:
                    raise CommandError(f"{day.isoformat()} is not a local closure day")
                actions.withdraw_local_closure(
                    actor=actor, origin=CLI, closure=live, reason=options["reason"]
                )
                self.stdout.write(f"{day.isoformat()} is no longer a local closure day")
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(
                "; ".join(
                    f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()
                )
            ) from None
