import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sightline.linkage import batch, config, engine, linkfile, modelfile, spark
from sightline.linkage.gcpause import collector_paused
from sightline.linkage.management.commands._progress import reporter


class Command(BaseCommand):
    help = (
        "Resolve the records of a person-records CSV into persons, without touching the "
        "database. Writes record_id,person_id: one row per input row, in input order."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("input", type=Path)
        parser.add_argument("--output", type=Path, required=True)
        parser.add_argument(
            "--model",
            type=Path,
            help="model file (default: the newest in SIGHTLINE_LINKAGE_MODEL_DIR; "
            "if there is none, a model is trained on the input itself)",
        )
        parser.add_argument("--threshold", type=float, help="automatic-link probability")
        parser.add_argument(
            "--across-agencies",
            action="store_true",
            help="each agency's records are already deduplicated (one record per person): "
            "link only records of different agencies, and never two records of one agency "
            "into one person (best link first)",
        )
        parser.add_argument(
            "--engine",
            choices=engine.ENGINES,
            default=engine.DUCKDB,
            help="what scores the pairs: DuckDB on this machine (default), or Splink's Spark "
            "backend with the same model (local mode, a cluster under spark-submit, or "
            "--spark-master); needs Java (openjdk-17-jre-headless)",
        )
        parser.add_argument(
            "--spark-master",
            help="with --engine spark, outside spark-submit: the master URL "
            "(default: SPARK_MASTER, else local mode on every core)",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress lines")

    @collector_paused()
    def handle(self, *args: Any, **options: Any) -> None:
        say = reporter(quiet=options["quiet"])
        limits = config.thresholds()
        auto = options["threshold"] if options["threshold"] is not None else limits.auto
        if not 0 < auto <= 1:
            raise CommandError("--threshold must be a probability above 0 and at most 1")
        if options["spark_master"] and options["engine"] != engine.SPARK:
            raise CommandError("--spark-master needs --engine spark")
        engine_config = config.engine_config(
            options["engine"], spark_master=options["spark_master"]
        )
        if options["engine"] == engine.SPARK:
            try:
                spark.check_available()
            except spark.SparkUnavailableError as error:
                raise CommandError(f"cannot use --engine spark: {error}") from None
        say(f"reading {options['input']}")
        try:
            records = linkfile.read_records(options["input"])
        except linkfile.LinkFileError as error:
            raise CommandError(
                "cannot link this file (no output written):\n  " + "\n  ".join(error.errors)
            ) from None
        say(f"{len(records):,} records")
        identities = records.identities
        # Normalised once, held once (as the Arrow table), for training and linking.
        prepared = batch.prepare(identities)
        splink_model, version = self._model(options["model"], prepared, say)
        result = batch.resolve_identities(
            identities,
            splink_model,
            config=engine_config,
            auto_threshold=auto,
            review_threshold=min(limits.review, auto),
            sources=records.agencies if options["across_agencies"] else None,
            prepared=prepared,
            progress=say,
            agencies=records.agencies,
        )
        del prepared
        persons = linkfile.person_ids(result.labels)
        linkfile.write_output(options["output"], linkfile.output_ids(records), persons)
        self._report(records, result, len(set(persons)), version, options["output"])

    def _model(
        self, path: Path | None, prepared: batch.Prepared, say: engine.Progress
    ) -> tuple[dict[str, Any], str]:
        chosen = path or config.current_model_path()
        if chosen is not None:
            try:
                model = modelfile.load(chosen)
            except modelfile.ModelFileError as error:
                raise CommandError(str(error)) from None
            say(f"model {model.version}")
            return model.splink_model, model.version
        # Training stays on DuckDB whatever the engine: it works on samples of bounded
        # size (``engine.train``), so one machine is enough at any scale.
        say("no model file: training on this file's records (no labels needed)")
        if len(prepared.rows) < 2:
            raise CommandError("too few matchable records to train a model; give --model")
        trained = engine.train(prepared.rows, config=config.engine_config(), progress=say)
        return trained, "trained-on-input"

    def _report(
        self,
        records: linkfile.Records,
        result: batch.RecordsResolution,
        persons: int,
        version: str,
        output: Path,
    ) -> None:
        summary = {
            "records": len(records),
            "persons": persons,
            "model_version": version,
            "pairs_scored": result.resolution.pairs_scored,
            "automatic_links": result.resolution.auto_links,
            "prebirth_links": len(result.resolution.prebirth_links),
            "pairs_for_review_not_linked": len(result.resolution.review),
            **result.problems.as_dict(),
        }
        self.stdout.write(f"wrote {output}: " + json.dumps(summary))
        if result.unmatchable:
            lines = ", ".join(str(records[i].line) for i in result.unmatchable[:20])
            more = " ..." if len(result.unmatchable) > 20 else ""
            self.stderr.write(
                f"{len(result.unmatchable)} row(s) have no name, date of birth or valid NHS "
                f"number and could not be matched; each is its own person (lines {lines}{more})"
            )
        if result.problems.invalid_nhs_numbers:
            self.stderr.write(
                f"{result.problems.invalid_nhs_numbers} invalid NHS number(s) treated as missing"
            )
