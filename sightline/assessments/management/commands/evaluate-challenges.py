"""``sightline evaluate-challenges``: run the challenge rules over the generator's synthetic
histories and print the recall of planted patterns and the share of quiet histories
challenged. In-process and database-free (``assessments.evaluation``)."""

import datetime as dt
import json
import platform
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline import challenges
from sightline.assessments import evaluation
from sightline.demo import generator as gen

RECALL_TARGET = 0.95
QUIET_TARGET = 0.05


class Command(BaseCommand):
    help = (
        "Run the challenge rules over synthetic histories with planted escalation patterns; "
        f"print recall (target >= {RECALL_TARGET}) and the share of quiet histories "
        f"challenged (target <= {QUIET_TARGET}). No database is used."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=20_000, help="default 20000")
        parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
        parser.add_argument(
            "--as-of",
            default="2025-03-31",
            help="the data's today, YYYY-MM-DD (default 2025-03-31)",
        )
        parser.add_argument(
            "--rules",
            help="a rule set as JSON (default: the shipped set, "
            + challenges.SHIPPED.version
            + ")",
        )
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")
        parser.add_argument(
            "--check", action="store_true", help="exit with status 1 when a target is missed"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["children"] < 1:
            raise CommandError(f"--children must be at least 1, not {options['children']}")
        try:
            as_of = dt.date.fromisoformat(options["as_of"])
        except ValueError:
            raise CommandError(
                f"--as-of must be a date as YYYY-MM-DD, not {options['as_of']!r}"
            ) from None
        rule_set = challenges.SHIPPED
        if options["rules"]:
            try:
                data = json.loads(Path(options["rules"]).read_text(encoding="utf-8"))
                rule_set = challenges.rule_set_from_data(data)
            except OSError as error:
                raise CommandError(f"--rules: cannot read {options['rules']}: {error}") from None
            except json.JSONDecodeError as error:
                raise CommandError(f"--rules: not JSON: {error}") from None
            except challenges.RuleSetError as error:
                raise CommandError(f"--rules: {error}") from None
        config = gen.DemoConfig(children=options["children"], seed=options["seed"], as_of=as_of)
        started = time.perf_counter()
        report = evaluation.evaluate(config, rule_set)
        elapsed = time.perf_counter() - started
        met = report.recall >= RECALL_TARGET and report.quiet.share <= QUIET_TARGET
        if options["json"]:
            self.stdout.write(json.dumps(_as_data(report, config, elapsed, met), indent=2))
        else:
            self._print(report, config, elapsed)
        if options["check"] and not met:
            raise CommandError("a target was missed")

    def _print(self, report: evaluation.Report, config: gen.DemoConfig, elapsed: float) -> None:
        out = self.stdout.write
        out(
            f"Challenge rules {report.rule_set} over {report.children:,} synthetic children "
            f"(seed {config.seed}, as of {config.as_of.isoformat()}) in {elapsed:.1f} s "
            f"on {platform.python_implementation()} {platform.python_version()}"
        )
        planted = report.planted
        out(
            f"Planted patterns: {planted.total:,}, challenged {planted.challenged:,}: "
            f"recall {report.recall:.3f} (target >= {RECALL_TARGET})"
        )
        for pattern, tally in sorted(report.planted_by_pattern.items()):
            out(f"  {pattern:<24} {tally.total:>6,}  recall {tally.share:.3f}")
        quiet = report.quiet
        out(
            f"Quiet histories: {quiet.total:,} ({report.quiet_decisions:,} decisions), "
            f"challenged {quiet.challenged:,}: share {quiet.share:.3f} (target <= {QUIET_TARGET})"
        )
        out(
            f"Low-level concern referrals: {report.low.total:,}, challenged "
            f"{report.low.challenged:,}: share {report.low.share:.3f} (no target)"
        )
        out("Closures recorded in the histories, challenged (no target):")
        for kind, tally in sorted(report.closures.items()):
            out(f"  {kind:<24} {tally.total:>6,}  share {tally.share:.3f}")
        out("Rules that fired (planted patterns / quiet histories):")
        for rule in report_rules(report):
            out(f"  {rule:<40} {report.planted.by_rule[rule]:>6,} / {report.quiet.by_rule[rule]:,}")


def report_rules(report: evaluation.Report) -> list[str]:
    return sorted(set(report.planted.by_rule) | set(report.quiet.by_rule))


def _tally(tally: evaluation.Tally) -> dict[str, Any]:
    return {
        "total": tally.total,
        "challenged": tally.challenged,
        "share": round(tally.share, 4),
        "by_rule": dict(sorted(tally.by_rule.items())),
    }


def _as_data(
    report: evaluation.Report, config: gen.DemoConfig, elapsed: float, met: bool
) -> dict[str, Any]:
    return {
        "rule_set": report.rule_set,
        "children": report.children,
        "seed": config.seed,
        "as_of": config.as_of.isoformat(),
        "seconds": round(elapsed, 2),
        "recall": round(report.recall, 4),
        "quiet_share": round(report.quiet.share, 4),
        "targets": {"recall": RECALL_TARGET, "quiet_share": QUIET_TARGET, "met": met},
        "planted": _tally(report.planted),
        "planted_by_pattern": {k: _tally(v) for k, v in sorted(report.planted_by_pattern.items())},
        "quiet": {**_tally(report.quiet), "decisions": report.quiet_decisions},
        "low_level_referrals": _tally(report.low),
        "closures": {k: _tally(v) for k, v in sorted(report.closures.items())},
    }
