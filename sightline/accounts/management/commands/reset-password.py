from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.accounts.actions import AccountError, reset_password
from sightline.accounts.models import User
from sightline.audit.actions import CLI


class Command(BaseCommand):
    help = "Issue a user a new generated password (shown once); the old one stops working."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user called {options['username']!r}")
        try:
            password = reset_password(actor=None, user=user, origin=CLI)
        except AccountError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{user.username} / {password}")
