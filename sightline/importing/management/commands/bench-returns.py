"""sightline bench-returns [--children 10000] [--looked-after 1000] [--year 2026]

Imports a synthetic CIN census of ``--children`` children and an SSDA903 of the first
``--looked-after`` of them into the database (through the real importers: identity
resolution, the case actions, reconciliation), then exports both, printing each time.
Targets (issue 14): import of both ≤ 60 s, export of both ≤ 30 s. Use an empty database:
the synthetic child ids would otherwise meet the ones already there.
"""

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from sightline.audit.actions import CLI
from sightline.importing.management.commands._returns import agency_of
from sightline.importing.returns import (
    DEFAULT_LEA,
    import_cin_census,
    import_ssda903,
    write_cin_census,
    write_ssda903,
)
from sightline.returns import cin_census, ssda903, synthetic
from sightline.returns.years import CollectionYear


class Command(BaseCommand):
    help = "Time importing and exporting the national returns (synthetic, any size)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=10_000)
        parser.add_argument("--looked-after", type=int, default=1_000)
        parser.add_argument("--year", type=int, default=2026)
        parser.add_argument("--agency", help="the social care agency's code (default: the one)")

    def handle(self, *args: Any, **options: Any) -> None:
        year = CollectionYear(options["year"])
        agency = agency_of(options["agency"])
        message = synthetic.census(options["children"], year=year)
        result = synthetic.return903(message, options["looked_after"])
        content = cin_census.write(message)
        files = ssda903.write_files(result)
        load = os.getloadavg()
        self.stdout.write(
            f"{connection.vendor}, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; "
            f"CIN census {len(message.children):,} children ({len(content):,} bytes), "
            f"SSDA903 {len(result.header):,} children, {len(result.episodes):,} episodes"
        )
        times: dict[str, float] = {}
        start = time.perf_counter()
        cin_report = import_cin_census(
            actor=None, agency=agency, content=content, filename="bench.xml", origin=CLI
        )
        times["import CIN census"] = time.perf_counter() - start
        self.stdout.write(f"import CIN census: {times['import CIN census']:.1f} s")
        start = time.perf_counter()
        lac_report = import_ssda903(
            actor=None, agency=agency, files=files, name="bench-903", year=year, origin=CLI
        )
        times["import SSDA903"] = time.perf_counter() - start
        for report in (cin_report, lac_report):
            if not report.ok:
                raise CommandError(f"{report.filename}: {report.errors[0]}")
        with tempfile.TemporaryDirectory() as directory:
            out = Path(directory)
            start = time.perf_counter()
            write_cin_census(
                actor=None, agency=agency, year=year, lea=DEFAULT_LEA, out=out / "c.xml", origin=CLI
            )
            times["export CIN census"] = time.perf_counter() - start
            start = time.perf_counter()
            write_ssda903(actor=None, agency=agency, year=year, out=out / "903", origin=CLI)
            times["export SSDA903"] = time.perf_counter() - start
        for label, seconds in list(times.items())[1:]:
            self.stdout.write(f"{label}: {seconds:.1f} s")
        imported = times["import CIN census"] + times["import SSDA903"]
        exported = times["export CIN census"] + times["export SSDA903"]
        self.stdout.write(
            f"import both: {imported:.1f} s (target 60 s: {'met' if imported <= 60 else 'NOT met'}); "
            f"export both: {exported:.1f} s (target 30 s: {'met' if exported <= 30 else 'NOT met'})"
        )
