"""``sightline national-statistics --year 2023 [--format csv|json]``: the statistics
tables of serious incident notifications sent to the panel in a financial year, read
from the incidents app, suppressed and rounded as on the page."""

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.audit.actions import CLI, record_audit
from sightline.audit.models import AuditAction
from sightline.learning import national, notifications


class Command(BaseCommand):
    help = "Print the serious incident notification tables for a financial year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="starting in April YEAR")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if not 2000 <= year <= 2100:
            raise CommandError(f"--year: {year} is not a plausible financial year")
        result = notifications.national_tables(year)
        record_audit(
            actor=None,
            action=AuditAction.PRODUCE_LEARNING_REPORT,
            origin=CLI,
            detail={"report": "national", "year": year, "format": options["format"]},
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(asdict(result), indent=2, default=str))
        else:
            self.stdout.write(national.tables_csv(result), ending="")
