"""What ``import-people`` and ``import-events`` share: read, import, report."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sightline.audit.actions import CLI
from sightline.importing import actions
from sightline.importing.actions import ImportReport
from sightline.importing.models import ImportKind


class ImportFileCommand(BaseCommand):
    kind: ImportKind

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the file to import")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and count what would change, then write nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        dry_run: bool = options["dry_run"]
        content = self._read(path)
        console = Console(stderr=True)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
            transient=True,
        ) as bar:
            reading = bar.add_task("Reading lines", total=None)
            writing = bar.add_task("Writing rows", total=None, visible=False)

            def parsed(done: int, total: int) -> None:
                bar.update(reading, completed=done, total=total)

            def written(done: int, total: int) -> None:
                bar.update(writing, completed=done, total=total, visible=True)

            progress = actions.Progress(parsing=parsed, writing=written)
            report = self._import(content, path.name, dry_run=dry_run, progress=progress)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(
                f"{path.name}: {len(report.errors):,} problem(s); nothing was imported"
            )
        self.stdout.write(self._summary(report))

    def _read(self, path: Path) -> bytes:
        limit = settings.SIGHTLINE_IMPORT_MAX_BYTES
        try:
            size = path.stat().st_size
            if size > limit:
                raise CommandError(
                    f"{path}: the file is {size:,} bytes; the limit is {limit:,} "
                    "(SIGHTLINE_IMPORT_MAX_BYTES)"
                )
            return path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror})") from error

    def _import(
        self, content: bytes, filename: str, *, dry_run: bool, progress: actions.Progress
    ) -> ImportReport:
        if self.kind == ImportKind.PEOPLE:
            return actions.import_people_file(
                actor=None,
                content=content,
                filename=filename,
                origin=CLI,
                dry_run=dry_run,
                progress=progress,
            )
        return actions.import_events_file(
            actor=None,
            content=content,
            filename=filename,
            origin=CLI,
            dry_run=dry_run,
            progress=progress,
        )

    def _summary(self, report: ImportReport) -> str:
        agencies = ", ".join(report.agency_codes)
        if report.kind == ImportKind.PEOPLE:
            counts = (
                f"{report.created:,} created, {report.updated:,} updated, "
                f"{report.unchanged:,} unchanged"
            )
            if not report.dry_run:  # a dry run compares with the agency's own records only
                counts += f"; {report.persons_created:,} new person(s)"
        else:
            counts = (
                f"{report.created:,} created, {report.corrected:,} corrected, "
                f"{report.unchanged:,} unchanged"
            )
        if report.dry_run:
            return (
                f"Dry run of {report.filename}: nothing was written. {report.rows:,} row(s) "
                f"for {agencies} would be: {counts}."
            )
        batch = f" Import batch {report.batch.pk}." if report.batch else ""
        return (
            f"Imported {report.filename} ({report.rows:,} row(s) for {agencies}, "
            f"sha256 {report.sha256[:12]}): {counts}.{batch}"
        )
