"""Dependencies point inward: runners -> storage -> engine (checked by parsing imports)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

FORBIDDEN = {
    "engine": {"storage", "runners", "click", "sqlalchemy", "apscheduler", "alembic", "apprise"},
    "storage": {"runners", "click", "apscheduler", "apprise"},
}
# ruamel.yaml only in the loader's reader, transitions only in the machine module
ONLY_IN = {"ruamel": {"engine/yaml_tree.py"}, "transitions": {"engine/machine.py"}}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def python_files(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


def test_layers_import_only_inward() -> None:
    for package, forbidden in FORBIDDEN.items():
        for path in python_files(package):
            bad = imports_of(path) & forbidden
            assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}"


def test_libraries_stay_in_their_one_module() -> None:
    for library, allowed in ONLY_IN.items():
        for package in ("engine", "storage", "runners"):
            for path in python_files(package):
                rel = path.relative_to(REPO).as_posix()
                if library in imports_of(path):
                    assert rel in allowed, f"{rel} imports {library}"


def test_no_print_outside_runners() -> None:
    for package in ("engine", "storage"):
        for path in python_files(package):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "print":
                    raise AssertionError(f"print() in {path.relative_to(REPO)}:{node.lineno}")


def test_modules_stay_small() -> None:
    for package in ("engine", "storage", "runners"):
        for path in python_files(package):
            lines = path.read_text(encoding="utf-8").count("\n")
            assert lines <= 500, f"{path.relative_to(REPO)} has {lines} lines"
