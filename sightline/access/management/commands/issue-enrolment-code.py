from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sightline.access.actions import AccessActionError, issue_enrolment_code
from sightline.accounts.models import User
from sightline.audit.actions import CLI


class Command(BaseCommand):
    help = (
        "Issue a user a one-time two-factor enrolment code and print it (shown once). "
        "They need it to set up an authenticator app; it replaces any earlier code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user called {options['username']!r}")
        try:
            issued = issue_enrolment_code(actor=None, user=user, origin=CLI)
        except AccessActionError as error:
            raise CommandError(str(error)) from error
        until = timezone.localtime(issued.expires_at)
        self.stderr.write(
            f"Enrolment code for {user.username}, usable once until {until:%H:%M on %-d %B %Y}:"
        )
        self.stdout.write(issued.code)
