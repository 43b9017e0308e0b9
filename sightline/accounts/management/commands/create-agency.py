from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.agencies.actions import AgencyError, create_agency
from sightline.agencies.models import AgencyKind
from sightline.audit.actions import CLI


class Command(BaseCommand):
    help = "Create an agency (the code is what its submissions and users name)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="e.g. CSC, POLICE, HEALTH")
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True, choices=AgencyKind.values)
        parser.add_argument("--office-hours-phone", default="")
        parser.add_argument("--out-of-hours-phone", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            agency = create_agency(
                actor=None,
                code=options["code"],
                name=options["name"],
                kind=options["kind"],
                origin=CLI,
                office_hours_phone=options["office_hours_phone"],
                out_of_hours_phone=options["out_of_hours_phone"],
                email=options["email"],
            )
        except AgencyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Created agency {agency.code}: {agency.name} ({agency.get_kind_display()})"
        )
