import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sightline.linkage.corpus import generator


class Command(BaseCommand):
    help = (
        "Write the independent linkage evaluation corpus (sightline.linkage.corpus): "
        "person records in the interchange format, and the truth beside them "
        "(FILE.truth.csv: agency, record_id, true_person_id, twin_set, household_id, "
        "role, errors). For measuring the matcher, never for tuning it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--records", type=int, required=True, help="how many records")
        parser.add_argument("--seed", type=int, default=20261205)
        parser.add_argument("--out", type=Path, required=True, help="the person-records CSV")
        parser.add_argument("--truth", type=Path, help="default: OUT with .truth before .csv")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["records"] < 1:
            raise CommandError("--records must be at least 1")
        out: Path = options["out"]
        if options["truth"] is not None and options["truth"].resolve() == out.resolve():
            raise CommandError("--truth must be another file than --out")
        started = time.monotonic()
        corpus = generator.generate(records=options["records"], seed=options["seed"])
        truth = generator.write(corpus, out, options["truth"])
        persons = len({row["true_person_id"] for row in corpus.truth})
        self.stdout.write(
            f"{len(corpus.rows):,} records of {persons:,} persons written to {out}; "
            f"truth in {truth} ({time.monotonic() - started:.1f}s, seed {options['seed']})"
        )
