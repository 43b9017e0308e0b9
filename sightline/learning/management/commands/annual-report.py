"""``sightline annual-report [--year 2023 | --from DATE --to DATE] --format csv|pdf|png|json
[--out FILE]``.

The same report as the page, for the financial year starting in April ``--year``
(default: the latest year with coded reviews), or for incidents notified in any period
``--from 2018-07-01 --to 2019-12-31`` (the national panel's first report covered July
2018 to December 2019). Written to ``--out`` or, for CSV and JSON, to standard output.
An audit row records that it was produced.
"""

import datetime as dt
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
        parser.add_argument(
            "--from", dest="start", help="first day of the period (YYYY-MM-DD), with --to"
        )
        parser.add_argument("--to", dest="end", help="last day of the period (YYYY-MM-DD)")
        parser.add_argument("--format", choices=["csv", "pdf", "png", "json"], default="csv")
        parser.add_argument("--out", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        if fmt in {"pdf", "png"} and options["out"] is None:
            raise CommandError(f"--out: a {fmt.upper()} report needs a file to go to")
        start, end = options["start"], options["end"]
        if start or end:
            if options["year"]:
                raise CommandError("give either --year or --from and --to, not both")
            if not (start and end):
                raise CommandError("--from and --to go together: give both dates")
            first, last = _date("--from", start), _date("--to", end)
            if last < first:
                raise CommandError(f"--to: {last} is before --from {first}")
            report = reports.period_report(first, last)
            period: dict[str, Any] = {"from": first.isoformat(), "to": last.isoformat()}
        else:
            year = options["year"] or queries.latest_coded_year()
            if not 2000 <= year <= 2100:
                raise CommandError(f"--year: {year} is not a plausible financial year")
            report = reports.annual_report(year)
            period = {"year": year}
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
            detail={"report": "annual", **period, "format": fmt},
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


def _date(option: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not a date; write it as YYYY-MM-DD") from None
