"""The floors of the house (docs/architecture.md, ADR 0008): an import never points up.

1. pure modules: no Django, and only other pure modules of Sightline;
2. foundation apps: accounts, agencies, audit, chronology, people, and core (generic
   helpers);
3. the read side of a child's record: ``record`` (and the access app's decision data it
   reads: ``access.models``, ``access.sections``, ``access.limits``, which may themselves
   import only the floors below);
4. feature apps;
5. ``pages``, which compose the features.

Every module but tests, migrations and test support is read with ``ast``, imports inside
functions and ``TYPE_CHECKING`` blocks included. Imports within a floor are allowed.
"""

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # sightline/

PURE, FOUNDATION, RECORD, FEATURE, PAGES, WIRING = 1, 2, 3, 4, 5, 6
FLOOR_NAMES = {
    PURE: "a pure module",
    FOUNDATION: "a foundation app",
    RECORD: "the record (read side)",
    FEATURE: "a feature app",
    PAGES: "pages",
    WIRING: "the project's wiring",
}

PURE_MODULES = frozenset(
    {
        "sightline.calendars",
        "sightline.indicators",
        "sightline.challenges",
        "sightline.people.normalise",
        "sightline.audit.chain",
        "sightline.chronology.benchmark",
        "sightline.testing.load",
        "sightline.importing.rows",
        "sightline.importing.errors",
        "sightline.importing.formats",
        "sightline.access.sections",
        # Pure modules that live in feature apps, imported by pure modules above.
        "sightline.assessments.workflow",
        "sightline.deadlines.rules",
        # The independent linkage evaluation corpus: apart from the matcher and the demo.
        "sightline.linkage.corpus",
        "sightline.linkage.corpus.errors",
        "sightline.linkage.corpus.generator",
        "sightline.linkage.corpus.sources",
    }
)
# Packages whose every module is pure (no Django): the national returns' code lists,
# readers and writers.
PURE_PACKAGES = frozenset({"returns"})
# The access app's decision data, which the record reads (ADR 0008).
DECISION_DATA = frozenset(
    {"sightline.access.models", "sightline.access.sections", "sightline.access.limits"}
)
APPS = {
    "accounts": FOUNDATION,
    "agencies": FOUNDATION,
    "audit": FOUNDATION,
    "chronology": FOUNDATION,
    "people": FOUNDATION,
    "core": FOUNDATION,
    "record": RECORD,
    "access": FEATURE,
    "assessments": FEATURE,
    "cases": FEATURE,
    "deadlines": FEATURE,
    "demo": FEATURE,
    "importing": FEATURE,
    "incidents": FEATURE,
    "learning": FEATURE,
    "linkage": FEATURE,
    "networks": FEATURE,
    "sharing": FEATURE,
    "subjectaccess": FEATURE,
    "governance": FEATURE,
    "pages": PAGES,
}
WIRING_MODULES = frozenset(
    {
        "sightline",
        "sightline.__main__",
        "sightline.api_urls",
        "sightline.conftest",
        "sightline.settings",
        "sightline.urls",
        "sightline.wsgi",
    }
)


def is_pure(module: str) -> bool:
    parts = module.split(".")
    return module in PURE_MODULES or (len(parts) > 1 and parts[1] in PURE_PACKAGES)


def floor_of(module: str) -> int:
    if is_pure(module):
        return PURE
    if module in WIRING_MODULES:
        return WIRING
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "sightline":
        raise ValueError(f"not a Sightline module: {module}")
    app = parts[1]
    if app not in APPS:
        raise KeyError(
            f"{module}: sightline/{app} has no floor; add it to APPS in {Path(__file__).name}"
        )
    return APPS[app]


def checked_files(root: Path = PACKAGE) -> list[Path]:
    files = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if "tests" in parts or "migrations" in parts or parts[0] == "testing":
            continue
        if path.name.startswith("test_") or path.name == "conftest.py":
            continue
        files.append(path)
    return files


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int


def imports_of(path: Path, root: Path = PACKAGE) -> list[Import]:
    """Every ``sightline`` module ``path`` imports, wherever the import statement is."""
    source = _name_under(path, root)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        targets: list[str] = []
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # ``from sightline.access import sections`` imports a module; ``from
            # sightline.access.models import X`` imports from one.
            targets = [
                f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}", root) else base
                for alias in node.names
            ]
        found.extend(
            Import(source, target, node.lineno)
            for target in dict.fromkeys(targets)
            if target == "sightline" or target.startswith("sightline.")
        )
    return found


def _name_under(path: Path, root: Path = PACKAGE) -> str:
    relative = path.relative_to(root.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str, root: Path) -> bool:
    relative = Path(*name.split(".")[1:])
    return (root / relative).with_suffix(".py").exists() or (root / relative).is_dir()


def _django(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        else:
            continue
        if any(n == "django" or n.startswith(("django.", "rest_framework")) for n in names):
            lines.append(node.lineno)
    return lines


def problems(root: Path = PACKAGE) -> list[str]:
    """Each import that points up a floor, as ``file:line: what``."""
    found = []
    for path in checked_files(root):
        where = path.relative_to(root.parent)
        for item in imports_of(path, root):
            if item.target == "sightline":
                continue
            source_floor, target_floor = floor_of(item.source), floor_of(item.target)
            if item.source in DECISION_DATA and item.source not in PURE_MODULES:
                # The record reads it: it may import only what is below the record.
                if target_floor > FOUNDATION and item.target not in DECISION_DATA:
                    found.append(
                        f"{where}:{item.line}: {item.source} (decision data the record reads) "
                        f"imports {item.target} ({FLOOR_NAMES[target_floor]})"
                    )
                continue
            if source_floor == RECORD and item.target in DECISION_DATA:
                continue  # the documented exception (ADR 0008)
            if source_floor == PURE and target_floor != PURE:
                found.append(
                    f"{where}:{item.line}: pure module {item.source} imports {item.target}"
                )
            elif target_floor > source_floor:
                found.append(
                    f"{where}:{item.line}: {item.source} ({FLOOR_NAMES[source_floor]}) imports "
                    f"{item.target} ({FLOOR_NAMES[target_floor]}), a floor above"
                )
        if is_pure(_name_under(path, root)):
            found.extend(
                f"{where}:{line}: pure module imports Django or DRF" for line in _django(path)
            )
    return found


def test_no_import_points_up_a_floor():
    found = problems()
    assert found == [], "imports that point up a floor:\n" + "\n".join(found)


def test_every_app_has_a_floor():
    apps = {
        path.name
        for path in PACKAGE.iterdir()
        if path.is_dir() and (path / "__init__.py").exists() and path.name not in {"testing"}
    }
    assert apps - {"tests"} == set(APPS) | PURE_PACKAGES


def test_the_walk_sees_imports_inside_functions(tmp_path):
    package = tmp_path / "sightline"
    (package / "people").mkdir(parents=True)
    (package / "sharing").mkdir()
    for folder in (package, package / "people", package / "sharing"):
        (folder / "__init__.py").write_text("")
    (package / "sharing" / "actions.py").write_text("")
    (package / "people" / "actions.py").write_text(
        "def upsert():\n    from sightline.sharing import actions\n    return actions\n"
    )
    assert problems(package) == [
        "sightline/people/actions.py:2: sightline.people.actions (a foundation app) imports "
        "sightline.sharing.actions (a feature app), a floor above"
    ]


if __name__ == "__main__":  # pragma: no cover - a quick look from the command line
    sys.stdout.write("\n".join(problems()) + "\n")
