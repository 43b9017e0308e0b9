"""The DfE's validation rules run on our returns, in their own virtual environment.

The DfE publishes the rules each return must pass as two PyPI packages,
``csc-validator-be-cin`` (module ``cin_validator``) and ``csc-validator-be-903`` (module
``lac_validator``). Both need pandas < 2, so they live in ``.venv-validators``
(``make validators``, pins in ``requirements-validators.txt``), never in the
application's environment.

Two halves in one module:

* ``check(...)``, called from the application (tests, commands): runs this module in the
  validators' interpreter and reads its JSON answer. Needs no pandas.
* ``main()``, run *inside* the validators' environment
  (``.venv-validators/bin/python -m sightline.returns.dfe_validators --cin FILE.xml
  --ssda903 DIR --year 2026``): calls both validators the way their own command lines do,
  prints the errors and queries (or JSON with ``--json``), exits 1 if there is an error.

Rules that crash on any input are skipped by name (``SKIPPED``); any other rule that
crashes is reported as an error of the check, so a new crash is never silent.
Pure: no Django (the validators' environment has none).
"""

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VALIDATORS_PYTHON = Path(
    os.environ.get("SIGHTLINE_VALIDATORS_PYTHON", ROOT / ".venv-validators" / "bin" / "python")
)

#: Rules skipped by name because they fail on any input in the pinned release (checked on
#: a minimal valid return: each raises before looking at the data).
SKIPPED: dict[str, dict[str, str]] = {
    "cin": {},
    "903": {
        "231": "raises on any input in csc-validator-be-903 0.1.17",
        "233": "raises on any input in csc-validator-be-903 0.1.17",
    },
}


@dataclass(frozen=True)
class Issue:
    collection: str  # "cin" or "903"
    rule: str
    kind: str  # "error" or "query"
    message: str
    count: int
    children: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    issues: list[Issue]
    skipped: list[str]
    crashed: list[str]

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.kind == "error"]

    @property
    def queries(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.kind == "query"]


def unavailable_reason() -> str | None:
    """Why the validators cannot run here, or None if they can."""
    if not VALIDATORS_PYTHON.exists():
        return f"the validators' environment is absent ({VALIDATORS_PYTHON}); run `make validators`"
    return None


def check(
    *, cin: Path | None = None, ssda903: Path | None = None, year: int, la: str = "E09000027"
) -> Report:
    """Run the DfE's rules for collection ``year`` on a CIN census file and/or a 903 directory."""
    reason = unavailable_reason()
    if reason:
        raise RuntimeError(reason)
    command = [str(VALIDATORS_PYTHON), "-m", "sightline.returns.dfe_validators", "--json"]
    command += ["--year", str(year), "--la", la]
    if cin is not None:
        command += ["--cin", str(cin)]
    if ssda903 is not None:
        command += ["--ssda903", str(ssda903)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(  # noqa: S603 (our own interpreter and module, no shell)
        command, capture_output=True, text=True, cwd=ROOT, env=env, check=False
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(f"the validators failed:\n{done.stderr[-4000:]}")
    data = json.loads(done.stdout)
    return Report(
        issues=[Issue(**issue) for issue in data["issues"]],
        skipped=data["skipped"],
        crashed=data["crashed"],
    )


# --- inside the validators' environment --------------------------------------------------


def _run_cin(path: Path, year: int) -> tuple[list[Issue], list[str], list[str]]:
    import importlib
    import xml.etree.ElementTree as ET

    from cin_validator import cin_validator  # type: ignore[import-not-found]

    ruleset = f"cin{year - 1}_{year % 100:02d}"
    registry = importlib.import_module(f"cin_validator.rules.{ruleset}").registry
    skipped = sorted(SKIPPED["cin"])
    selected = [str(rule.code) for _, rule in registry.items() if str(rule.code) not in skipped]
    root = ET.parse(path).getroot()  # noqa: S314 (our own export, parsed by the DfE's tool)
    data = cin_validator.process_data(cin_validator.convert_data(root))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):  # the validator prints rules that crash
        validator = cin_validator.CinValidator(data, registry, selected_rules=selected)
    crashed = [
        line.split()[3].rstrip(":")
        for line in printed.getvalue().splitlines()
        if line.startswith("Error with rule ")
    ]
    kinds = {str(rule.code): rule.rule_type.name.lower() for _, rule in registry.items()}
    messages = {str(rule.code): str(rule.message) for _, rule in registry.items()}
    issues: list[Issue] = []
    frame = validator.full_issue_df
    for code, group in frame.groupby("rule_code"):
        issues.append(
            Issue(
                collection="cin",
                rule=str(code),
                kind=kinds.get(str(code), "error"),
                message=messages.get(str(code), ""),
                count=len(group),
                children=sorted({str(child) for child in group["child_id"].dropna()})[:10],
            )
        )
    issues.extend(
        Issue(
            collection="cin",
            rule=code,
            kind=kinds.get(code, "error"),
            message=messages.get(code, ""),
            count=1,
        )
        for code in sorted({str(code) for code in validator.multichild_issues["rule_code"]})
    )
    return issues, skipped, crashed


def _run_903(directory: Path, year: int, la: str) -> tuple[list[Issue], list[str], list[str]]:
    import importlib
    import logging

    from lac_validator import lac_validator  # type: ignore[import-not-found]
    from lac_validator.report import Report as LacReport  # type: ignore[import-not-found]
    from lac_validator.utils import process_uploaded_files  # type: ignore[import-not-found]

    logging.disable(logging.CRITICAL)  # the validator logs every rule at INFO
    ruleset = f"lac{year - 1}_{year % 100:02d}"
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    skipped = sorted(SKIPPED["903"])
    selected = [str(code) for code in registry if str(code) not in skipped]
    files = [str(path) for path in sorted(directory.glob("*.csv"))]
    uploaded = process_uploaded_files({"This year": files})
    with contextlib.redirect_stdout(io.StringIO()):  # some rules print their data
        validator = lac_validator.LacValidator(
            metadata={"collectionYear": str(year), "localAuthority": la},
            files=uploaded,
            registry=registry,
            selected_rules=selected,
        )
    report = LacReport(validator.ds_results, registry)
    issues: list[Issue] = []
    for _, row in report.error_report.iterrows():
        if int(row["Count"]) == 0:
            continue
        code = str(row["Code"])
        column = report.report[f"ERR_{code}"] == True  # noqa: E712 (a pandas mask)
        children = sorted({str(child) for child in report.report[column]["CHILD"].dropna()})
        issues.append(
            Issue(
                collection="903",
                rule=code,
                kind="error",
                message=str(row["Description"]),
                count=int(row["Count"]),
                children=children[:10],
            )
        )
    return issues, skipped, [str(code) for code in validator.fails]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cin", type=Path, help="a CIN census XML file")
    parser.add_argument("--ssda903", type=Path, help="a directory of SSDA903 CSV files")
    parser.add_argument("--year", type=int, required=True, help="collection year (end year)")
    parser.add_argument("--la", default="E09000027", help="the local authority's code (903)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # pandas' FutureWarnings from the rules' own code
    issues: list[Issue] = []
    skipped: list[str] = []
    crashed: list[str] = []
    if args.cin:
        found, skip, crash = _run_cin(args.cin, args.year)
        issues += found
        skipped += [f"cin {code}" for code in skip]
        crashed += [f"cin {code}" for code in crash]
    if args.ssda903:
        found, skip, crash = _run_903(args.ssda903, args.year, args.la)
        issues += found
        skipped += [f"903 {code}" for code in skip]
        crashed += [f"903 {code}" for code in crash]
    report = Report(issues=issues, skipped=skipped, crashed=crashed)
    out = sys.stdout
    if args.json:
        json.dump(
            {"issues": [asdict(i) for i in issues], "skipped": skipped, "crashed": crashed}, out
        )
    else:
        for issue in report.issues:
            children = f" (e.g. {', '.join(issue.children)})" if issue.children else ""
            out.write(
                f"{issue.collection} {issue.kind} {issue.rule} x{issue.count}: "
                f"{issue.message}{children}\n"
            )
        out.write(
            f"{len(report.errors)} errors, {len(report.queries)} queries; "
            f"skipped by name: {', '.join(skipped) or 'none'}; "
            f"crashed: {', '.join(crashed) or 'none'}\n"
        )
    return 1 if report.errors or crashed else 0


if __name__ == "__main__":
    sys.exit(main())
