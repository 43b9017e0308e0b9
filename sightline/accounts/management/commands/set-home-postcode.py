from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.accounts.actions import AccountError, set_home_postcode
from sightline.accounts.models import User
from sightline.audit.actions import CLI


class Command(BaseCommand):
    help = (
        "Record a user's home postcode (blank to remove it). Access monitoring puts on the "
        "review queue a user who opens the record of someone with their surname there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("postcode", help='e.g. "LS1 4AB"; "" to remove')

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user called {options['username']!r}")
        try:
            value = set_home_postcode(
                actor=None, user=user, postcode=options["postcode"], origin=CLI
            )
        except AccountError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{user.username}: home postcode {value or 'removed'}")
