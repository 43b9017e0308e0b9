"""``sightline generate-review-corpus``: write an invented, coded review corpus.

The shipped ``sightline/learning/data/synthetic_reviews.jsonl`` is
``sightline generate-review-corpus --count 600 --seed 20181 --out <that file>``.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.learning.corpus import SYNTHETIC_NOTE, generate_corpus, write_corpus


class Command(BaseCommand):
    help = "Write a synthetic coded review corpus (JSON lines) for trying and testing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=600)
        parser.add_argument("--seed", type=int, default=20181)
        parser.add_argument("--first-year", type=int, default=2019, help="financial year")
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            records = list(
                generate_corpus(
                    options["count"],
                    seed=options["seed"],
                    first_year=options["first_year"],
                    years=options["years"],
                )
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        with options["out"].open("w", encoding="utf-8") as stream:
            written = write_corpus(stream, records, note=SYNTHETIC_NOTE)
        self.stdout.write(f"Wrote {written} synthetic reviews to {options['out']}")
