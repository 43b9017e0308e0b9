"""sightline import-cin-census FILE.xml [--agency CODE] [--dry-run]"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.audit.actions import CLI
from sightline.importing.management.commands._returns import agency_of, summary
from sightline.importing.returns import import_cin_census


class Command(BaseCommand):
    help = "Import a CIN census (XML) into the case record, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--agency", help="the social care agency's code (default: the one)")
        parser.add_argument("--dry-run", action="store_true", help="check, count, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror})") from error
        report = import_cin_census(
            actor=None,
            agency=agency_of(options["agency"]),
            content=content,
            filename=path.name,
            origin=CLI,
            dry_run=options["dry_run"],
        )
        if not report.ok:
            raise CommandError(f"{path.name}: {report.errors[0]}; nothing was imported")
        self.stdout.write(summary(report))
