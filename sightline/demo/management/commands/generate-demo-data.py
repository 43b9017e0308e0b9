import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sightline.demo.files import FILES, RETURN_FILES, summarise, write_files
from sightline.demo.generator import DemoConfig
from sightline.demo.management.commands._progress import progress_bar


def default_as_of() -> dt.date:
    """Yesterday: the last whole day, so no event is later than now."""
    return timezone.localdate() - dt.timedelta(days=1)


def parse_as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--as-of {text!r} is not a date as YYYY-MM-DD") from error


class Command(BaseCommand):
    help = (
        "Generate synthetic multi-agency demo data. With --out, write people.csv and "
        "events.csv (the interchange formats), the ground truth files, and the year's "
        "national returns (cin_census.xml, ssda903/); without, print what would be generated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, required=True, help="how many children")
        parser.add_argument("--seed", type=int, required=True, help="the same seed, the same data")
        parser.add_argument("--out", type=Path, help="directory to write the files into")
        parser.add_argument(
            "--as-of",
            help="the last day anything happens, YYYY-MM-DD (default: yesterday); "
            "fix it to get identical files on another day",
        )
        parser.add_argument(
            "--no-events",
            action="store_true",
            help="leave out the chronology events (faster; every other file is unchanged)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        children: int = options["children"]
        if children < 1:
            raise CommandError("--children must be at least 1")
        as_of = parse_as_of(options["as_of"]) if options["as_of"] else default_as_of()
        if as_of >= timezone.localdate():
            raise CommandError("--as-of must be before today: events cannot be in the future")
        config = DemoConfig(children=children, seed=options["seed"], as_of=as_of)
        with_events = not options["no_events"]
        out: Path | None = options["out"]
        started = time.perf_counter()
        with progress_bar() as update:

            def progress(done: int) -> None:
                update("Generating children", done, children)

            try:
                if out is None:
                    counts = summarise(config, progress=progress, with_events=with_events)
                else:
                    counts = write_files(config, out, progress=progress, with_events=with_events)
            except OSError as error:
                raise CommandError(f"{out}: cannot write ({error.strerror})") from error
        seconds = time.perf_counter() - started
        summary = {"seed": config.seed, "as_of": as_of.isoformat(), **counts.as_dict()}
        summary["seconds"] = round(seconds, 1)
        if out is not None:
            written = [name for name in (*FILES, *RETURN_FILES) if (out / name).exists()]
            summary["files"] = [str(out / name) for name in written]
        self.stdout.write(json.dumps(summary, indent=2))
