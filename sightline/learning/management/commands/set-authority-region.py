"""``sightline set-authority-region CODE REGION``: the region of a local authority's
children's social care agency, for the regional statistics table."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.agencies.models import Agency
from sightline.audit.actions import CLI
from sightline.learning.actions import LearningError, set_authority_region
from sightline.learning.models import Region


class Command(BaseCommand):
    help = "Set the region of a local authority (agency code) for the statistics tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the agency code of the local authority")
        parser.add_argument("region", help=f"one of {', '.join(Region.values)}")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(code=options["code"]).first()
        if agency is None:
            raise CommandError(f"code: no agency has the code {options['code']}")
        try:
            mapping = set_authority_region(
                actor=None, origin=CLI, local_authority=agency, region=options["region"]
            )
        except LearningError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{agency.name} is in {mapping.get_region_display()}")
