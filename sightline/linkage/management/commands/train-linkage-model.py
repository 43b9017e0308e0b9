import time
from argparse import ArgumentParser
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sightline.audit.actions import CLI
from sightline.linkage import batch, comparisons, config, engine, linkfile, modelfile
from sightline.linkage.actions import register_model_version
from sightline.linkage.features import IdentityRecord
from sightline.linkage.gcpause import collector_paused
from sightline.linkage.management.commands._progress import reporter
from sightline.linkage.queries import all_identities


class Command(BaseCommand):
    help = (
        "Estimate the linkage model from the records (no labels needed) and save it as a "
        "versioned file. From the database's source records, or from --input FILE."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--input", type=Path, help="a person-records CSV instead of the database"
        )
        parser.add_argument("--output-dir", type=Path, help="default SIGHTLINE_LINKAGE_MODEL_DIR")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--max-pairs", type=float, default=1e6, help="random pairs for u")
        parser.add_argument("--quiet", action="store_true")

    @collector_paused()
    def handle(self, *args: Any, **options: Any) -> None:
        say = reporter(quiet=options["quiet"])
        identities: Sequence[IdentityRecord]
        if options["input"]:
            try:
                identities = linkfile.read_records(options["input"]).identities
            except linkfile.LinkFileError as error:
                raise CommandError(
                    "cannot train on this file:\n  " + "\n  ".join(error.errors)
                ) from None
            source = str(options["input"])
        else:
            identities = [identity for _record_id, _agency, identity in all_identities()]
            source = "database"
        prepared = batch.prepare(identities)
        del identities
        rows, problems = prepared.rows, prepared.problems
        if len(rows) < 2:
            raise CommandError(f"too few matchable records to train on ({len(rows)})")
        say(f"training on {len(rows):,} records from {source}")
        started = time.monotonic()
        splink_model = engine.train(
            rows,
            config=config.engine_config(),
            seed=options["seed"],
            max_pairs=options["max_pairs"],
            progress=say,
        )
        training = {
            "source": source,
            "records": len(rows),
            "seconds": round(time.monotonic() - started, 1),
            "seed": options["seed"],
            "common_given_names": sorted(comparisons.common_given_names(rows)),
            **problems.as_dict(),
        }
        model = modelfile.new_model(splink_model, training=training, now=timezone.now())
        path = modelfile.save(model, options["output_dir"] or config.model_dir())
        if not options["input"]:
            register_model_version(actor=None, model=model, path=path, origin=CLI)
        self.stdout.write(f"model {model.version} saved to {path}")
