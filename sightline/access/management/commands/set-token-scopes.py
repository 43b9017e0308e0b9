from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token

from sightline.access.actions import AccessActionError, set_token_policy
from sightline.access.models import TokenScope
from sightline.audit.actions import CLI


class Command(BaseCommand):
    help = (
        "Set what a user's API token may do: its scopes (read: GET; write: POST; a token "
        "reads only until given write) and its rate (e.g. 100/hour; blank for "
        "SIGHTLINE_API_DEFAULT_RATE)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--scopes",
            required=True,
            help=f"comma-separated, from: {', '.join(TokenScope.values)} (empty for none)",
        )
        parser.add_argument("--rate", default="", help="e.g. 100/hour")

    def handle(self, *args: Any, **options: Any) -> None:
        token = Token.objects.filter(user__username=options["username"]).first()
        if token is None:
            raise CommandError(f"{options['username']!r} has no API token (create-api-token)")
        scopes = [s.strip() for s in str(options["scopes"]).split(",") if s.strip()]
        try:
            policy = set_token_policy(
                actor=None, token=token, scopes=scopes, rate=options["rate"], origin=CLI
            )
        except AccessActionError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{options['username']}: scopes {', '.join(policy.scopes) or 'none'}, "
            f"rate {policy.rate or 'default'}"
        )
