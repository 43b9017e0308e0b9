from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.agencies.actions import AgencyError, create_team
from sightline.agencies.models import Agency
from sightline.audit.actions import CLI


class Command(BaseCommand):
    help = "Create a team within an agency."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("agency", help="agency code, e.g. CSC")
        parser.add_argument("name")
        parser.add_argument("--duty-email", default="")
        parser.add_argument("--phone", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"unknown agency {options['agency']!r}")
        try:
            team = create_team(
                actor=None,
                agency=agency,
                name=options["name"],
                origin=CLI,
                duty_email=options["duty_email"],
                phone=options["phone"],
            )
        except AgencyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Created team {team.name!r} in {agency.code}")
