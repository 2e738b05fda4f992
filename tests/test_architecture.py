"""Dependencies point inward: runners -> storage -> engine (checked by parsing imports)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import REPO

FORBIDDEN = {
    "engine": {"storage", "runners", "click", "sqlalchemy", "apscheduler", "alembic", "apprise"},
    "storage": {"runners", "click", "apscheduler", "apprise"},
    "runners": {"sqlalchemy", "alembic", "psycopg"},  # the database is storage's alone
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


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (at the top or inside functions)."""
    modules = {_module_name(p): p for p in python_files(package)}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_runners_have_no_import_cycles() -> None:
    assert cycles(import_graph("runners")) == []


def test_command_modules_do_not_import_each_other() -> None:
    graph = import_graph("runners")
    commands = {m for m in graph if m.startswith("runners.cli.")} - {
        "runners.cli.shared", "runners.cli.phrases", "runners.cli.main",
        "runners.cli.localized", "runners.cli.output"}
    for module in commands:
        assert not graph[module] & commands, f"{module} imports {graph[module] & commands}"


def _messages(path: Path) -> list[tuple[int, str]]:
    """String constants of a module that are not docstrings, with their line numbers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                       ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings]


def test_engine_and_storage_messages_name_no_command_line_flag() -> None:
    import re

    flag = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
    for package in ("engine", "storage"):
        for path in python_files(package):
            for line, text in _messages(path):
                assert not flag.search(text), f"{path.relative_to(REPO)}:{line}: {text!r}"


MESSAGE_CALLS = {"echo", "DomainError", "BadParameter", "UsageError", "ClickException",
                 "OutputRefused", "TimeError", "WorkspaceMissing"}
COMMAND_LINE = re.compile(r"^\s*(alur|cd) ")  # a command to type: no language


def _plain_words(node: ast.expr) -> str | None:
    """The English of a literal or an f-string given as a message, if it holds words."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values
                       if isinstance(v, ast.Constant) and isinstance(v.value, str))
    else:
        return None
    if COMMAND_LINE.match(text):
        return None
    return text if re.search(r"[A-Za-z]{3,}", text) else None


def test_the_command_line_says_nothing_outside_the_catalogue() -> None:
    """What `alur` prints or raises for a person goes through `_`/`ngettext` or an engine
    `Text` (runners/i18n.py): no bare literal or f-string with words reaches the user."""
    files = sorted((REPO / "runners" / "cli").glob("*.py")) + [
        REPO / "runners" / name for name in ("app.py", "demo.py", "settings.py",
                                             "toml_reader.py")]
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(
                    node.func, "id", "")) in MESSAGE_CALLS and node.args:
                words = _plain_words(node.args[0])
                if words is not None:
                    found.append(f"{path.relative_to(REPO)}:{node.lineno}: {words!r}")
    assert found == []
