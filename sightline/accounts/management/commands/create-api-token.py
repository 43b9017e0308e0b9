from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.accounts.actions import AccountError, create_api_token
from sightline.accounts.models import User
from sightline.audit.actions import CLI


class Command(BaseCommand):
    help = (
        "Create an API token for a user and print it (shown once). "
        "A user has one token: a new one replaces the old."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user called {options['username']!r}")
        try:
            token = create_api_token(actor=None, user=user, origin=CLI)
        except AccountError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(
            f"API token for {user.username} (send it as 'Authorization: Token <token>'):"
        )
        self.stdout.write(token)
