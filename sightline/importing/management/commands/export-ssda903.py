"""sightline export-ssda903 --year 2026 --out DIR [--agency CODE]"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sightline.audit.actions import CLI
from sightline.importing.management.commands._returns import agency_of
from sightline.importing.returns import write_ssda903
from sightline.returns.years import CollectionYear


class Command(BaseCommand):
    help = "Write the SSDA903 return (CSV tables) of a collection year from the case record."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="collection year (end year)")
        parser.add_argument("--out", type=Path, required=True, help="a directory")
        parser.add_argument("--agency", help="the social care agency's code (default: the one)")

    def handle(self, *args: Any, **options: Any) -> None:
        year = CollectionYear(options["year"])
        children = write_ssda903(
            actor=None,
            agency=agency_of(options["agency"]),
            year=year,
            out=options["out"],
            origin=CLI,
        )
        self.stdout.write(f"{options['out']}: SSDA903 {year.label}, {children:,} children")
