"""sightline import-ssda903 DIR [--year 2026] [--agency CODE] [--dry-run]"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.audit.actions import CLI
from sightline.importing.management.commands._returns import agency_of, summary
from sightline.importing.returns import import_ssda903
from sightline.returns.years import CollectionYear


class Command(BaseCommand):
    help = (
        "Import an SSDA903 return (a directory of CSV tables, recognised by their columns) "
        "into the case record, all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--year", type=int, help="collection year, by its end year (default: the latest)"
        )
        parser.add_argument("--agency", help="the social care agency's code (default: the one)")
        parser.add_argument("--dry-run", action="store_true", help="check, count, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        if not directory.is_dir():
            raise CommandError(f"{directory}: not a directory")
        files = {
            path.name: path.read_bytes()
            for path in sorted(directory.iterdir())
            if path.suffix.lower() == ".csv"
        }
        report = import_ssda903(
            actor=None,
            agency=agency_of(options["agency"]),
            files=files,
            name=directory.name,
            year=CollectionYear(options["year"]) if options["year"] else None,
            origin=CLI,
            dry_run=options["dry_run"],
        )
        if not report.ok:
            raise CommandError(f"{directory.name}: {report.errors[0]}; nothing was imported")
        self.stdout.write(summary(report))
