from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token

from sightline.access.actions import AccessActionError, set_token_policy
from sightline.access.models import TokenScope
from sightline.accounts.actions import AccountError, create_api_token
from sightline.accounts.models import User
from sightline.audit.actions import CLI


class Command(BaseCommand):
    help = (
        "Create an API token for a user and print it (shown once). "
        "A user has one token: a new one replaces the old. The token reads only "
        "unless --write is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--write",
            action="store_true",
            help="also let the token submit records and look for matches (POST)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user called {options['username']!r}")
        try:
            token = create_api_token(actor=None, user=user, origin=CLI)
            if options["write"]:
                set_token_policy(
                    actor=None,
                    token=Token.objects.get(key=token),
                    scopes=[TokenScope.READ, TokenScope.WRITE],
                    rate="",
                    origin=CLI,
                )
        except (AccountError, AccessActionError) as error:
            raise CommandError(str(error)) from error
        scopes = "read and write" if options["write"] else "read only (--write to submit)"
        self.stderr.write(
            f"API token for {user.username}, {scopes} (send it as 'Authorization: Token <token>'):"
        )
        self.stdout.write(token)
