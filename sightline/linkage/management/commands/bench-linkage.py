import json
import os
import subprocess
import sys
import tempfile
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from sightline.linkage import benchmark, config
from sightline.linkage.management.commands._progress import reporter


class Command(BaseCommand):
    help = (
        "Linkage benchmarks: pairwise precision, recall and F1, false merges, twin merges, "
        "peak memory and wall time on FEBRL4, on the demo generator's ground truth and on "
        "the independent corpus (sightline.linkage.corpus, reported apart: the matcher was "
        "never tuned on it); the candidate pairs each blocking rule generates; real-time "
        "match latency. Each scenario runs in a process of its own."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--workdir",
            type=Path,
            default=None,
            help="default var/bench/linkage (kept: data is reused)",
        )
        parser.add_argument(
            "--demo-records",
            type=int,
            nargs="*",
            default=[100_000, 1_000_000],
            help="sizes of demo data, in records",
        )
        parser.add_argument(
            "--independent-records",
            type=int,
            nargs="*",
            default=[100_000, 1_000_000],
            help="sizes of the independent corpus, in records",
        )
        parser.add_argument("--realtime-persons", type=int, default=1_000_000)
        parser.add_argument("--queries", type=int, default=500)
        parser.add_argument(
            "--threshold", type=float, default=None, help="automatic-link probability"
        )
        parser.add_argument("--seed", type=int, default=20261126)
        parser.add_argument("--skip-febrl4", action="store_true")
        parser.add_argument("--skip-realtime", action="store_true")
        parser.add_argument(
            "--reuse-model",
            action="store_true",
            help="link the demo data with the model trained on it before (no training)",
        )
        # One scenario in this process (used by the parent run).
        parser.add_argument(
            "--scenario", choices=["febrl4", "demo", "independent", "realtime"], help="internal"
        )
        parser.add_argument("--size", type=int, help="internal")
        parser.add_argument("--result", type=Path, help="internal")

    def handle(self, *args: Any, **options: Any) -> None:
        workdir = options["workdir"] or Path(settings.VAR_DIR) / "bench" / "linkage"
        workdir.mkdir(parents=True, exist_ok=True)
        threshold = options["threshold"] or config.thresholds().auto
        if options["scenario"]:
            self._one(options, workdir, threshold)
            return
        results: list[dict[str, Any]] = []
        if not options["skip_febrl4"]:
            results.append(self._child(["--scenario", "febrl4"], workdir, "FEBRL4"))
        results.extend(
            self._child(["--scenario", "demo", "--size", str(size)], workdir, f"demo {size:,}")
            for size in options["demo_records"]
        )
        results.extend(
            self._child(
                ["--scenario", "independent", "--size", str(size)],
                workdir,
                f"independent corpus {size:,}",
            )
            for size in options["independent_records"]
        )
        if not options["skip_realtime"]:
            size = options["realtime_persons"]
            database = workdir / f"realtime-{size}.sqlite3"
            database.unlink(missing_ok=True)
            results.append(
                self._child(
                    ["--scenario", "realtime", "--size", str(size)],
                    workdir,
                    f"real-time {size:,}",
                    env={"DATABASE_URL": f"sqlite:///{database}"},
                )
            )
        self.stdout.write(json.dumps(results, indent=1))

    def _child(
        self, extra: list[str], workdir: Path, name: str, env: dict[str, str] | None = None
    ) -> dict[str, Any]:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            result = Path(handle.name)
        command = [sys.executable, "-m", "sightline", "bench-linkage", "--workdir", str(workdir)]
        command += [*extra, "--result", str(result)]
        for flag in ("--queries", "--seed", "--threshold"):
            value = self._options.get(flag[2:])
            if value is not None:
                command += [flag, str(value)]
        if self._options.get("reuse_model"):
            command.append("--reuse-model")
        self.stderr.write(f"== {name}")
        completed = subprocess.run(command, env={**os.environ, **(env or {})}, check=False)  # noqa: S603
        if completed.returncode != 0:
            raise CommandError(f"benchmark {name} failed (exit {completed.returncode})")
        figures: dict[str, Any] = {"benchmark": name, **json.loads(result.read_text())}
        result.unlink()
        self.stdout.write(json.dumps(figures))
        return figures

    def execute(self, *args: Any, **options: Any) -> Any:
        self._options = options
        return super().execute(*args, **options)

    def _one(self, options: dict[str, Any], workdir: Path, threshold: float) -> None:
        say = reporter()
        engine_config = config.engine_config()
        scenario = options["scenario"]
        if scenario == "febrl4":
            figures = benchmark.bench_febrl4(
                config=engine_config, auto_threshold=threshold, say=say
            )
        elif scenario in ("demo", "independent"):
            ensure = benchmark.ensure_demo if scenario == "demo" else benchmark.ensure_independent
            directory = ensure(workdir, options["size"], seed=options["seed"], say=say)
            figures = benchmark.bench_demo(
                directory,
                config=engine_config,
                auto_threshold=threshold,
                say=say,
                reuse_model=options["reuse_model"],
                corpus=scenario,
            )
        else:
            from django.db import connection

            # A bench database filled before holds index rows without source records
            # (foreign keys were off while filling): migrate only a new one.
            if "linkage_recordfeatures" not in connection.introspection.table_names():
                call_command("migrate", verbosity=0)
            # The demo data of the same size (its model is trained by the demo benchmark).
            directory = benchmark.ensure_demo(
                workdir, options["size"], seed=options["seed"], say=say
            )
            figures = benchmark.bench_realtime(
                directory,
                persons=options["size"],
                queries=options["queries"],
                seed=options["seed"],
                say=say,
            )
        options["result"].write_text(json.dumps(figures))
