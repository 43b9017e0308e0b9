"""``sightline research-extract --from DATE --to DATE --out FILE.csv --k 5 --requester
USERNAME --purpose TEXT``: a de-identified, k-anonymous extract of the children known in
a period (``docs/learning.md``, "Research extracts"), with a sidecar ``FILE.json`` of
counts and one audit row. The files are written inside the action's transaction: if
writing fails, no audit row says an extract was produced."""

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from sightline.accounts.models import User
from sightline.audit.actions import CLI
from sightline.learning.actions import LearningError, produce_research_extract
from sightline.learning.extract import Extract


def _date(name: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{name}: {text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Write a de-identified, k-anonymous research extract of the children in a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="the CSV file to write")
        parser.add_argument("--k", type=int, default=5, help="k-anonymity, at least 2")
        parser.add_argument(
            "--requester", required=True, help="username of the panel analyst or administrator"
        )
        parser.add_argument("--purpose", required=True, help="what the extract is for")

    def handle(self, *args: Any, **options: Any) -> None:
        start = _date("--from", options["start"])
        end = _date("--to", options["end"])
        out = Path(options["out"])
        if out.suffix.lower() != ".csv":
            raise CommandError(f"--out: {out} should end in .csv")
        if not out.parent.is_dir():
            raise CommandError(f"--out: the folder {out.parent} does not exist")
        requester = User.objects.filter(username=options["requester"]).first()
        if requester is None:
            raise CommandError(f"--requester: no user is called {options['requester']}")
        sidecar = out.with_suffix(".json")
        try:
            with transaction.atomic():
                result = produce_research_extract(
                    actor=None,
                    origin=CLI,
                    requester=requester,
                    purpose=options["purpose"],
                    start=start,
                    end=end,
                    k=options["k"],
                )
                report = result.report()
                _write(out, result)
                sidecar.write_text(
                    json.dumps(
                        {
                            "requester": requester.username,
                            "purpose": options["purpose"].strip(),
                            **report,
                        },
                        indent=2,
                    )
                    + "\n"
                )
        except LearningError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"--out: cannot write {out}: {error.strerror}") from None
        levels = ", ".join(f"{c} {n}" for c, n in result.anonymised.levels.items())
        self.stdout.write(
            f"Research extract {report['from']} to {report['to']}, k = {result.k}\n"
            f"  children read: {report['children_read']} "
            f"(18 or over at the end of the period: {report['not_children_at_end']})\n"
            f"  rows written: {report['rows_out']} to {out}\n"
            f"  rows generalised: {report['rows_generalised']}\n"
            f"  rows suppressed: {report['rows_suppressed']}\n"
            f"  classes: {report['classes']}, smallest: {report['smallest_class']}\n"
            f"  generalisation levels: {levels}\n"
            f"  report: {sidecar}"
        )


def _write(path: Path, result: Extract) -> None:
    """Whole or not at all: written beside the target, then moved over it."""
    partial = path.with_suffix(".csv.partial")
    try:
        with partial.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, fieldnames=result.columns)
            writer.writeheader()
            writer.writerows(result.rows)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
