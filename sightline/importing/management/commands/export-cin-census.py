"""sightline export-cin-census --year 2026 --out FILE.xml [--agency CODE] [--lea 201]"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sightline.audit.actions import CLI
from sightline.importing.management.commands._returns import agency_of
from sightline.importing.returns import DEFAULT_LEA, write_cin_census
from sightline.returns.years import CollectionYear


class Command(BaseCommand):
    help = "Write the CIN census (XML) of a collection year from the case record."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="collection year (end year)")
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--agency", help="the social care agency's code (default: the one)")
        parser.add_argument("--lea", default=DEFAULT_LEA, help="the LA's three-digit number")

    def handle(self, *args: Any, **options: Any) -> None:
        year = CollectionYear(options["year"])
        children = write_cin_census(
            actor=None,
            agency=agency_of(options["agency"]),
            year=year,
            lea=options["lea"],
            out=options["out"],
            origin=CLI,
        )
        self.stdout.write(f"{options['out']}: CIN census {year.label}, {children:,} children")
