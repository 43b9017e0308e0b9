"""``sightline evaluate-theme-suggestions``: how well the suggestions find coded themes.

K-fold cross-validation on a coded corpus (the shipped synthetic one by default, or
the final codings in the database with ``--from-database``): each review's
suggestions come from a model that never saw it. Prints precision, recall and F1 per
theme and overall, beside a keyword baseline the model must beat.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.learning import classifier, queries
from sightline.learning.actions import LearningError, published_taxonomy
from sightline.learning.corpus import SHIPPED_CORPUS, CorpusError, read_corpus
from sightline.learning.themes import STARTING_THEMES


def _pct(value: float | None) -> str:
    return "   -" if value is None else f"{100 * value:4.0f}"


class Command(BaseCommand):
    help = "Cross-validate the theme suggestions against coded reviews."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=SHIPPED_CORPUS)
        parser.add_argument("--from-database", action="store_true")
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--threshold", type=float, default=classifier.THRESHOLD)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["threshold"] < 1:
            raise CommandError("--threshold: must be between 0 and 1")
        try:
            if options["from_database"]:
                labels = dict(published_taxonomy().themes.values_list("code", "label"))
                texts, themes = queries.training_data()
                source = "final codings in the database"
            else:
                # A file needs no database: its codes, labelled from the starting set.
                with options["file"].open(encoding="utf-8") as stream:
                    header, records = read_corpus(stream)
                texts = [r.text for r in records]
                themes = [frozenset(r.themes) for r in records]
                starting = {code: label for _, code, label in STARTING_THEMES}
                labels = {code: starting.get(code, code) for code in set().union(*themes)}
                source = f"{options['file'].name}{' (synthetic)' if header['synthetic'] else ''}"
            result = classifier.evaluate(
                texts,
                themes,
                theme_labels=labels,
                folds=options["folds"],
                seed=options["seed"],
                threshold=options["threshold"],
            )
        except OSError as error:
            raise CommandError(f"--file: cannot read {options['file']}: {error.strerror}") from None
        except (CorpusError, LearningError, ValueError) as error:
            raise CommandError(str(error)) from None
        micro, base = result.micro(result.per_theme), result.micro(result.baseline)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "source": source,
                        "reviews": result.reviews,
                        "folds": result.folds,
                        "threshold": options["threshold"],
                        "micro": _figures(micro),
                        "macro_f1": result.macro_f1(result.per_theme),
                        "baseline_micro": _figures(base),
                        "baseline_macro_f1": result.macro_f1(result.baseline),
                        "per_theme": {c: _figures(v) for c, v in result.per_theme.items()},
                        "not_learnt": result.skipped,
                    },
                    indent=2,
                )
            )
            return
        self.stdout.write(
            f"{result.reviews} reviews from {source}, {result.folds}-fold cross-validation, "
            f"threshold {options['threshold']:.2f}\n"
        )
        self.stdout.write(f"{'theme':<32} {'n':>5} {'prec':>5} {'rec':>5} {'F1':>5}   keyword F1")
        for code, counts in sorted(result.per_theme.items(), key=lambda kv: -kv[1].support):
            self.stdout.write(
                f"{code:<32} {counts.support:>5} {_pct(counts.precision):>5} "
                f"{_pct(counts.recall):>5} {_pct(counts.f1):>5}   {_pct(result.baseline[code].f1)}"
            )
        self.stdout.write(
            f"\n{'all themes (micro)':<32} {micro.support:>5} {_pct(micro.precision):>5} "
            f"{_pct(micro.recall):>5} {_pct(micro.f1):>5}   {_pct(base.f1)}"
        )
        self.stdout.write(
            f"{'mean of themes (macro F1)':<32} {'':>5} {'':>5} {'':>5} "
            f"{_pct(result.macro_f1(result.per_theme)):>5}   {_pct(result.macro_f1(result.baseline))}"
        )
        if result.skipped:
            self.stdout.write(
                f"Not learnt (fewer than {classifier.MIN_EXAMPLES} examples): "
                + ", ".join(result.skipped)
            )
        self.stdout.write(
            "Figures are percentages. On synthetic text they test the machinery only."
        )


def _figures(counts: classifier.Counts) -> dict[str, float | int | None]:
    return {
        "support": counts.support,
        "precision": counts.precision,
        "recall": counts.recall,
        "f1": counts.f1,
    }
