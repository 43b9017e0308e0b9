import importlib
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sightline.audit.actions import CLI
from sightline.demo.actions import LOGIN_URL, DemoDataError, LoadResult, load_demo_data
from sightline.demo.management.commands._progress import progress_bar

# The module's name has hyphens, so it is imported by name rather than with ``import``.
_generate = importlib.import_module("sightline.demo.management.commands.generate-demo-data")


class Command(BaseCommand):
    help = (
        "Load synthetic demo data (agencies, teams, practitioners, people, chronologies, and "
        "the year's CIN census and SSDA903 through their importers) and print the demo "
        "personas' logins. Run again with the same seed to issue new passwords."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=2000, help="how many children")
        parser.add_argument(
            "--seed", type=int, default=20261126, help="the same seed, the same data"
        )
        parser.add_argument("--as-of", help="the last day anything happens (default: yesterday)")

    def handle(self, *args: Any, **options: Any) -> None:
        children: int = options["children"]
        if children < 1:
            raise CommandError("--children must be at least 1")
        as_of = (
            _generate.parse_as_of(options["as_of"])
            if options["as_of"]
            else _generate.default_as_of()
        )
        if as_of >= timezone.localdate():
            raise CommandError("--as-of must be before today: events cannot be in the future")
        started = time.perf_counter()
        with progress_bar() as update:
            try:
                result = load_demo_data(
                    actor=None,
                    children=children,
                    seed=options["seed"],
                    as_of=as_of,
                    origin=CLI,
                    progress=update,
                )
            except DemoDataError as error:
                raise CommandError(str(error)) from error
        self._report(result, time.perf_counter() - started)

    def _report(self, result: LoadResult, seconds: float) -> None:
        write = self.stdout.write
        if result.loaded:
            counts = result.counts
            write(
                f"Loaded demo data (seed {result.seed}, {result.children:,} children, "
                f"up to {result.as_of}) in {seconds:.1f}s: "
                f"{counts.get('person_records', 0):,} person records, "
                f"{counts.get('persons_created', 0):,} people, "
                f"{counts.get('events', 0):,} events, "
                f"{counts.get('involvements', 0):,} involvements, "
                f"{counts.get('relationships', 0):,} relationships, "
                f"{counts.get('allocations', 0):,} allocations; imported the year's CIN "
                f"census ({counts.get('census_children', 0):,} children) and SSDA903 "
                f"({counts.get('looked_after_children', 0):,} children), "
                f"{counts.get('case_rows', 0):,} case rows."
            )
        else:
            write(
                f"Demo data for seed {result.seed} ({result.children:,} children) is already "
                "loaded; nothing was loaded again. The personas have new passwords."
            )
        write("")
        write(f"Log in at {LOGIN_URL} as (username / password):")
        width = max(len(p.username) + len(p.password) for p in result.personas) + 3
        for persona in result.personas:
            login = f"{persona.username} / {persona.password}"
            who = f"{persona.title}, {persona.full_name} ({persona.agency})"
            write(f"  {login:<{width}}  {who}")
            if persona.children_visible:
                example = f", e.g. {persona.example_child}" if persona.example_child else ""
                seen = f"sees {persona.children_visible:,} children{example}"
            else:
                seen = "sees no child's record: no case relationship, by design"
            write(f"  {'':<{width}}  {seen}")
        write("")
        write("The passwords are shown only now; run this command again to issue new ones.")
