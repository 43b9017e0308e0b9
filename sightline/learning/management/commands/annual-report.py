"""``sightline annual-report --year 2023 --format csv|pdf|png|json [--out FILE]``.

The same report as the page, for the financial year starting in April ``--year``
(default: the latest year with coded reviews). Written to ``--out`` or, for CSV and
JSON, to standard output. An audit row records that it was produced.
"""

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.audit.actions import CLI, record_audit
from sightline.audit.models import AuditAction
from sightline.learning import queries, reports


class Command(BaseCommand):
    help = "Produce the annual report on themes in reviews."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="financial year starting in April YEAR")
        parser.add_argument("--format", choices=["csv", "pdf", "png", "json"], default="csv")
        parser.add_argument("--out", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] or queries.latest_coded_year()
        fmt = options["format"]
        if not 2000 <= year <= 2100:
            raise CommandError(f"--year: {year} is not a plausible financial year")
        if fmt in {"pdf", "png"} and options["out"] is None:
            raise CommandError(f"--out: a {fmt.upper()} report needs a file to go to")
        report = reports.annual_report(year)
        content: str | bytes
        if fmt == "csv":
            content = reports.annual_report_csv(report)
        elif fmt == "json":
            content = json.dumps(asdict(report), indent=2, default=str)
        elif fmt == "png":
            content = reports.practice_chart(report, fmt="png")
        else:
            content = reports.annual_report_pdf(report)
        record_audit(
            actor=None,
            action=AuditAction.PRODUCE_LEARNING_REPORT,
            origin=CLI,
            detail={"report": "annual", "year": year, "format": fmt},
        )
        if options["out"] is None:
            assert isinstance(content, str)  # noqa: S101 - binary formats need --out
            self.stdout.write(content, ending="")
            return
        if isinstance(content, str):
            options["out"].write_text(content, encoding="utf-8")
        else:
            options["out"].write_bytes(content)
        self.stdout.write(f"Wrote the {report.label} report ({fmt}) to {options['out']}")
