"""Ordinary mistakes never make an "internal error": the whole command tree is run with them,
in Bahasa Indonesia and in English.

Every command and subcommand of ``alur`` is run in a real workspace made by
``alur init`` (with a run in it, and without one) with missing arguments, an
extra argument, unknown run / SOP / step / person ids, bad times, output files
that exist, are the workspace's own or lie in a missing folder, and broken
--workspace / --db values. Each must end with exit code 1 or 2 (0 where the
"mistake" is allowed, such as an unknown person for a command that needs
nobody) and never with a traceback or "internal error". Some ordinary troubles
get tests of their own below: a closed pipe, a missing or damaged audit head
row, a file that is not a database (a database locked by another program, and
a read-only one: tests/test_readonly.py; output files: tests/test_files_kept.py).
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from runners.cli.main import cli
from tests.conftest import REPO, run_cli

SOP = "pengumpulan-data-kinerja"
ENV = {"ALUR_DATABASE_URL": "", "ALUR_WORKSPACE": "", "ALUR_USER": "",
       "ALUR_NOW": "2026-01-05T09:00"}
# A value for each argument or required option, so that the command itself is right.
FILL = {"run_id": "1", "sop_id": SOP, "step_id": "perintah", "to": "sekcam", "reason": "uji",
        "person": "camat"}
UNKNOWN = {"run_id": ["999", "abc", "-1", "1.5"], "sop_id": ["tidak-ada", "../alur"],
           "step_id": ["tidak-ada", "99", "perintah/siapa"], "to": ["siapa"],
           "person": ["siapa"]}
BAD_TIMES = ["kemarin", "31-12-2026", "2026-02-30", "2026-01-05T25:00"]
TIME_OPTIONS = ("--at", "--since", "--until", "--date")
ALWAYS = {("scheduler",): ["--once"]}  # never start the daemon for good
PARSE_ONLY = {("demo",), ("web",)}  # long-running: only mistakes click itself refuses


@dataclass(frozen=True)
class Case:
    """One invocation and whether it must fail."""

    name: str
    args: tuple[str, ...]
    must_fail: bool


def leaves(command: click.Command, path: tuple[str, ...] = ()
           ) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command of the tree with its path of names (groups included)."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from leaves(sub, (*path, name))


COMMANDS = [(path, command) for path, command in leaves(cli) if path]
NUMBER = itertools.count()


def own(command: click.Command) -> list[click.Parameter]:
    return [p for p in command.params
            if p.name not in ("workspace", "db", "user", "debug", "verbose", "help", "force")]


def filled(command: click.Command, scratch: Path) -> tuple[list[str], list[str]]:
    """The arguments and the required options, each with a right value."""
    arguments: list[str] = []
    options: list[str] = []
    for param in own(command):
        if isinstance(param, click.Argument) and param.nargs == 1:
            value = str(scratch / f"baru-{next(NUMBER)}") if param.name == "folder" \
                else FILL.get(param.name or "", "x")
            arguments.append(value)
        elif isinstance(param, click.Option) and param.required:
            options += [param.opts[-1], FILL.get(param.name or "", "x")]
    return arguments, options


def cases(path: tuple[str, ...], command: click.Command, place: Places,
          with_run: bool) -> Iterator[Case]:
    """The mistakes to make with one command."""
    always = ALWAYS.get(path, [])
    workspace = place.run_ws if with_run else place.empty_ws
    if isinstance(command, click.Group):
        yield Case("no subcommand", path, False)
        yield Case("unknown subcommand", (*path, "tidak-ada"), True)
        return
    arguments, required = filled(command, place.scratch)
    base = [*path, *arguments, *required, *always]
    names = {o for p in own(command) if isinstance(p, click.Option) for o in p.opts}
    yield Case("extra argument", (*base, "lebih"), True)
    yield Case("unknown option", (*base, "--tidak-ada"), True)
    if path in PARSE_ONLY:
        if "--speed" in names:
            yield Case("bad number", (*base, "--speed", "pelan"), True)
        return
    params = own(command)
    if any(p.required for p in params):
        yield Case("missing arguments", (*path, "--as", "camat", *always), True)
    for index, param in enumerate(p for p in params if isinstance(p, click.Argument)
                                  and p.nargs == 1):
        for value in UNKNOWN.get(param.name or "", []):
            changed = list(arguments)
            changed[index] = value
            yield Case(f"unknown {param.name} {value}", (*path, *changed, *required, *always,
                                                           "--as", "camat"), True)
    if "--to" in names:
        yield Case("unknown --to", (*path, *arguments, "--to", "siapa", *[
            v for o, v in zip(required[::2], required[1::2], strict=True) if o != "--to"
            for v in (o, v)], "--as", "camat", *always), True)
    yield Case("unknown --as", (*base, "--as", "siapa"), False)
    for option in TIME_OPTIONS:
        if option in names:
            for value in BAD_TIMES:
                yield Case(f"bad {option} {value}", (*base, "--as", "camat", option, value),
                           True)
    for option, value in (("--run", "abc"), ("--run", "999"), ("--unit", "tidak-ada"),
                          ("--sop", "tidak-ada"), ("--period", "kemarin")):
        if option in names:
            yield Case(f"{option} {value}", (*base, "--as", "camat", option, value),
                       value == "abc")
    if "--output" in names:
        for name, target, force in (
                ("missing folder", place.scratch / "tidak-ada" / "x.out", False),
                ("existing file", place.existing, False),
                ("workspace file", workspace / "alur.toml", True),
                ("database file", workspace / "alur.db", True),
                ("a folder", place.scratch, False)):
            yield Case(f"-o {name}", (*base, "--as", "camat", "-o", str(target),
                                      *(["--force"] if force else [])), True)
    if with_run:
        for name, extra in place.broken_places():
            yield Case(name, (*base, "--as", "camat", *extra), False)


@dataclass
class Places:
    """The folders and files the mistakes point at."""

    scratch: Path
    run_ws: Path
    empty_ws: Path
    existing: Path
    not_a_database: Path
    read_only_url: str

    def broken_places(self) -> list[tuple[str, list[str]]]:
        return [
            ("--workspace missing", ["--workspace", str(self.scratch / "tidak-ada")]),
            ("--workspace a file", ["--workspace", str(self.existing)]),
            ("--workspace without alur.toml", ["--workspace", str(self.scratch)]),
            ("--db in a missing folder", ["--db", f"sqlite:///{self.scratch}/tidak/ada.db"]),
            ("--db not a URL", ["--db", "bukan url"]),
            ("--db unknown driver", ["--db", "oracle+tidakada://x@y/z"]),
            ("--db not a database", ["--db", f"sqlite:///{self.not_a_database}"]),
            ("--db a folder", ["--db", f"sqlite:///{self.scratch}"]),
            ("--db read-only", ["--db", self.read_only_url]),
            ("--db nobody listens", ["--db", "postgresql+psycopg://alur@127.0.0.1:9/alur"]),
        ]


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Places:
    root = tmp_path_factory.mktemp("mistakes")
    run_ws, empty_ws = root / "dengan-run", root / "kosong"
    for folder in (run_ws, empty_ws):
        assert run_cli("init", str(folder), env=ENV).exit_code == 0
    started = run_cli("run", "start", SOP, "--as", "camat", "--workspace", str(run_ws),
                      env={**ENV, "ALUR_NOW": "2026-01-05T08:00"})
    assert started.exit_code == 0, started.output
    scratch = root / "lain"
    scratch.mkdir()
    existing = scratch / "ada.txt"
    existing.write_text("jangan dihapus\n", encoding="utf-8")
    not_a_database = scratch / "bukan.db"
    not_a_database.write_text("bukan basis data\n", encoding="utf-8")
    copy = scratch / "salinan.db"
    with sqlite3.connect(run_ws / "alur.db") as source, sqlite3.connect(copy) as target:
        source.backup(target)
    source.close()
    target.close()
    return Places(scratch, run_ws, empty_ws, existing, not_a_database,
                  f"sqlite:///{copy}?mode=ro")


def said(lang: str) -> tuple[str, list[str]]:
    """How ``lang`` begins an error line (``Error: ``), and the words of an internal error in
    every language (none of them may ever show)."""
    from runners.i18n import LANGUAGES, _, use_language

    internal = []
    for code in LANGUAGES:
        with use_language(code):
            internal.append(_("internal error: {error}").split("{")[0].strip())
    with use_language(lang):
        return _("Error: {message}").format(message=""), internal


def problem(case: Case, result: Result, lang: str = "en") -> str | None:
    """What is wrong with how a mistake ended, if anything."""
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        return "".join(traceback.format_exception(result.exception))
    error, internal = said(lang)
    if any(words in output for words in internal) or "Traceback" in output:
        return output
    if result.exit_code not in ((1, 2) if case.must_fail else (0, 1, 2)):
        return f"exit code {result.exit_code}: {output}"
    if result.exit_code == 1 and not any(line.startswith(error)
                                         for line in result.stderr.splitlines()):
        return f"exit code 1 without an `{error}` line: {output}"
    return None


def walk(places: Places, with_run: bool, lang: str = "en") -> list[str]:
    """Every mistake with every command: what went wrong, each with its command line."""
    runner = CliRunner()
    workspace = places.run_ws if with_run else places.empty_ws
    env = {**ENV, "ALUR_WORKSPACE": str(workspace), "ALUR_LANG": lang}
    kept = {path: path.read_bytes() for path in (places.existing, workspace / "alur.toml",
                                                 workspace / "roster.yaml")}
    found: list[str] = []
    for path, command in COMMANDS:
        for case in cases(path, command, places, with_run):
            result = runner.invoke(cli, list(case.args), env=env, catch_exceptions=True)
            wrong = problem(case, result, lang)
            for file, content in kept.items():
                if file.read_bytes() != content:
                    wrong = f"{wrong or ''}\nit wrote over {file}"
                    file.write_bytes(content)
            if wrong is not None:
                found.append(f"alur {' '.join(case.args)}  [{case.name}]\n{wrong}")
    return found


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("with_run", [True, False], ids=["with a run", "without a run"])
def test_every_command_with_every_mistake(places: Places, tmp_path: Path, with_run: bool,
                                          lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    found = walk(places, with_run, lang)
    assert not found, f"{len(found)} mistake(s) badly handled:\n\n" + "\n\n".join(found)


@pytest.mark.parametrize("how", ["--workspace", "ALUR_WORKSPACE"])
def test_a_workspace_folder_that_is_missing_or_a_file(places: Places, how: str) -> None:
    for folder, what in ((places.scratch / "tidak-ada", "does not exist"),
                         (places.existing, "is a file, not a folder")):
        given = ["--workspace", str(folder)] if how == "--workspace" else []
        result = run_cli("run", "list", *given,
                         env={**ENV, "ALUR_WORKSPACE": str(folder) if not given else ""})
        assert result.exit_code == 1
        assert result.stderr == (f"Error: the workspace folder {folder} ({how}) {what}; name "
                                 "the folder that holds alur.toml, or create a workspace with "
                                 "`alur init DIR`\n")


def test_db_upgrade_makes_no_database_outside_a_workspace(places: Places) -> None:
    result = run_cli("db", "upgrade", "--workspace", str(places.scratch), env=ENV)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: no Alur workspace in {places.scratch} ")
    assert not (places.scratch / "alur.db").exists()


# -- a closed standard output ------------------------------------------------------------

def alur_process(*args: str, workspace: Path, stdout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from runners.cli.main import main; main()",
                           *args], stdout=stdout, stderr=subprocess.PIPE, text=True,
                          timeout=120, cwd=REPO,
                          env={**os.environ, **ENV, "ALUR_WORKSPACE": str(workspace)})


def closed_pipe_run(*args: str, workspace: Path) -> subprocess.CompletedProcess[str]:
    """`alur ARGS | head -0`: the reader is gone before anything is written."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return alur_process(*args, workspace=workspace, stdout=writer)
    finally:
        os.close(writer)


@pytest.mark.parametrize("args", [["history"], ["--help"]], ids=" ".join)
def test_a_closed_pipe_ends_quietly(places: Places, args: list[str]) -> None:
    done = closed_pipe_run(*args, workspace=places.run_ws)
    assert (done.returncode, done.stderr) == (1, "")


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ["run", "list"], ["run", "show", "1"], ["run", "show", "1", "--json"],
    ["history", "--format", "csv"], ["history", "--format", "json"], ["sop", "list"],
    ["sop", "show", SOP], ["sop", "schema"], ["sop", "render", SOP, "--format", "md"],
    ["report", "1"], ["overdue"], ["inbox", "--as", "sekcam"], ["reminders", "list"],
    ["audit", "verify"], ["roster", "show"], ["status"], ["run", "--help"]], ids=" ".join)
def test_every_printing_command_on_a_closed_pipe(places: Places, args: list[str]) -> None:
    done = closed_pipe_run(*args, workspace=places.run_ws)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert (done.returncode, done.stderr) == (1, "")


def test_head_dash_1_takes_the_first_line_and_alur_ends_quietly(places: Places) -> None:
    command = f"{sys.executable} -c 'from runners.cli.main import main; main()' history | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True,
                          text=True, timeout=120, cwd=REPO,
                          env={**os.environ, **ENV, "ALUR_WORKSPACE": str(places.run_ws)})
    assert done.stdout.count("\n") == 1  # the table's head
    assert done.stderr == "" and done.returncode in (0, 1)


# -- the audit trail's head row ------------------------------------------------------------

@pytest.mark.parametrize("damage, words", [
    ("DELETE FROM audit_head", "the audit trail's head row is missing: the trail was tampered "
                               "with or the database is damaged"),
    ("UPDATE audit_head SET last_hash = 'rusak'", "the audit trail's head row is damaged"),
    ("UPDATE audit_head SET last_seq = 'x'", "the audit trail's head row is damaged"),
    ("UPDATE audit_head SET last_seq = -3", "the audit trail's head row is damaged")])
def test_a_missing_or_damaged_audit_head_is_named(places: Places, tmp_path: Path,
                                                  damage: str, words: str) -> None:
    import shutil

    folder = tmp_path / "kantor"
    shutil.copytree(places.run_ws, folder)
    with sqlite3.connect(folder / "alur.db") as db:
        db.execute(damage)
    db.close()
    for args in (["audit", "verify"], ["step", "complete", "1", "perintah", "--as", "camat"],
                 ["status"]):
        result = run_cli(*args, "--workspace", str(folder), env=ENV)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.startswith("Error: ") and words in result.stderr, result.stderr
        assert len(result.stderr.splitlines()) == 1


def test_a_file_that_is_not_a_database_is_left_alone(places: Places) -> None:
    before = places.not_a_database.read_bytes()
    result = run_cli("run", "list", "--db", f"sqlite:///{places.not_a_database}",
                     "--workspace", str(places.run_ws), env=ENV)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: cannot open the database sqlite:///"
                             f"{places.not_a_database}: the file is not a database\n")
    assert places.not_a_database.read_bytes() == before
    said = run_cli("run", "list", "--db", f"sqlite:///{places.not_a_database}",
                   "--workspace", str(places.run_ws), env={**ENV, "ALUR_LANG": "id"})
    assert said.stderr.endswith(": berkas ini bukan basis data\n")
