"""Never destroy a file: -o refuses an existing file without --force, never writes over the
workspace's own files, and says clearly when the folder is missing or the disk is full."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import run_cli

SOP = "pengumpulan-data-kinerja"
ENV = {"ALUR_DATABASE_URL": "", "ALUR_WORKSPACE": "", "ALUR_USER": "",
       "ALUR_NOW": "2026-01-05T08:00"}
# Each command that writes a file with -o, its arguments before -o.
WRITERS = {
    "sop render": ["sop", "render", SOP, "--format", "md"],
    "sop render html": ["sop", "render", SOP],
    "run show": ["run", "show", "1"],
    "report": ["report", "1"],
    "report csv": ["report", "1", "--format", "csv"],
    "report xlsx": ["report", "1", "--format", "xlsx"],
}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace made by `alur init`, with run 1 started (copied for each test)."""
    folder = tmp_path_factory.mktemp("made") / "kantor"
    assert run_cli("init", str(folder), env=ENV).exit_code == 0
    started = run_cli("run", "start", SOP, "--as", "camat", "--workspace", str(folder), env=ENV)
    assert started.exit_code == 0, started.output
    return folder


@pytest.fixture
def workspace(made: Path, tmp_path: Path) -> Path:
    import shutil

    folder = tmp_path / "kantor"
    shutil.copytree(made, folder)
    return folder


def alur(workspace: Path, *args: str) -> Result:
    return run_cli(*args, "--workspace", str(workspace), env=ENV)


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file of the workspace and the hash of its content."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def one_error(result: Result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert "internal error" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("name", ["alur.toml", "roster.yaml", f"sops/{SOP}.yaml", "alur.db",
                                  "alur.db-wal", "alur.db-shm", "sops/new.html"])
@pytest.mark.parametrize("force", [False, True])
def test_the_workspace_files_are_never_written_over(workspace: Path, name: str,
                                                    force: bool) -> None:
    before = fingerprint(workspace)
    result = alur(workspace, "sop", "render", SOP, "-o", str(workspace / name),
                  *(["--force"] if force else []))
    one_error(result, "never")
    assert fingerprint(workspace) == before


def test_render_onto_alur_toml_from_inside_the_workspace(workspace: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace)
    before = (workspace / "alur.toml").read_bytes()
    result = run_cli("sop", "render", SOP, "-o", "alur.toml", env=ENV)
    one_error(result, "alur.toml is the workspace's settings file", "not even with --force")
    assert (workspace / "alur.toml").read_bytes() == before


def test_a_link_to_a_workspace_file_is_refused_too(workspace: Path, tmp_path: Path) -> None:
    link = tmp_path / "innocent.html"
    link.symlink_to(workspace / "roster.yaml")
    before = (workspace / "roster.yaml").read_bytes()
    one_error(alur(workspace, "run", "show", "1", "-o", str(link), "--force"), "roster")
    assert (workspace / "roster.yaml").read_bytes() == before


def test_another_database_named_by_db_is_kept(workspace: Path, tmp_path: Path) -> None:
    other = tmp_path / "lain.db"
    url = f"sqlite:///{other}"
    assert run_cli("run", "list", "--workspace", str(workspace), "--db", url,
                   env=ENV).exit_code == 0
    before = other.read_bytes()
    result = run_cli("sop", "render", SOP, "-o", str(other), "--force", "--workspace",
                     str(workspace), "--db", url, env=ENV)
    one_error(result, "database")
    assert other.read_bytes() == before


def test_the_files_of_another_workspace_are_kept_too(workspace: Path, tmp_path: Path) -> None:
    """Run from workspace A with --workspace B, `-o alur.toml --force` is A's file."""
    other = tmp_path / "lain"
    assert run_cli("init", str(other), env=ENV).exit_code == 0
    before = fingerprint(other)
    for name in ("alur.toml", "roster.yaml", "alur.db", f"sops/{SOP}.yaml"):
        result = alur(workspace, "sop", "render", SOP, "-o", str(other / name), "--force")
        one_error(result, "never")
    assert fingerprint(other) == before


@pytest.mark.parametrize("writer", WRITERS)
def test_an_existing_file_is_refused_without_force_and_replaced_with_it(
        workspace: Path, tmp_path: Path, writer: str) -> None:
    target = tmp_path / "keluaran.out"
    target.write_text("dokumen lama\n", encoding="utf-8")
    refused = alur(workspace, *WRITERS[writer], "-o", str(target))
    one_error(refused, str(target), "exists already", "--force")
    assert target.read_text(encoding="utf-8") == "dokumen lama\n"
    replaced = alur(workspace, *WRITERS[writer], "-o", str(target), "--force")
    assert replaced.exit_code == 0, replaced.output
    assert target.read_bytes() != b"dokumen lama\n" and target.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("writer", WRITERS)
def test_a_new_file_is_written(workspace: Path, tmp_path: Path, writer: str) -> None:
    target = tmp_path / "baru.out"
    result = alur(workspace, *WRITERS[writer], "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0


@pytest.mark.parametrize("writer", WRITERS)
def test_a_missing_folder_is_one_clear_line(workspace: Path, tmp_path: Path,
                                            writer: str) -> None:
    target = tmp_path / "tidak-ada" / "keluaran.out"
    one_error(alur(workspace, *WRITERS[writer], "-o", str(target)),
              f"the folder {tmp_path / 'tidak-ada'} does not exist")
    assert not target.parent.exists()


def test_a_file_where_a_folder_should_be(workspace: Path, tmp_path: Path) -> None:
    (tmp_path / "berkas").write_text("x", encoding="utf-8")
    one_error(alur(workspace, "sop", "render", SOP, "-o", str(tmp_path / "berkas" / "a.html")),
              "is not a folder")


def test_a_folder_as_output_is_a_usage_error(workspace: Path, tmp_path: Path) -> None:
    result = alur(workspace, "sop", "render", SOP, "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_disk_is_one_clear_line(workspace: Path) -> None:
    result = alur(workspace, "sop", "render", SOP, "--format", "md", "-o", "/dev/full")
    one_error(result, "cannot write /dev/full", "disk is full")


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES])
def test_the_old_file_survives_a_failed_replacement(workspace: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   code: int) -> None:
    target = tmp_path / "laporan.md"
    target.write_text("laporan lama\n", encoding="utf-8")

    def refuse(*_args: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", refuse)
    result = alur(workspace, "sop", "render", SOP, "--format", "md", "-o", str(target),
                  "--force")
    one_error(result, f"cannot write {target}")
    assert target.read_text(encoding="utf-8") == "laporan lama\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kantor", "laporan.md"]  # no temporary


def test_a_new_file_cut_short_by_a_full_disk_is_removed(workspace: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    real = Path.open

    class Full:
        def __init__(self, file: Any) -> None:
            self.file = file

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *_exc: object) -> None:
            self.file.close()

        def write(self, _data: bytes) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def opened(path: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        file = real(path, mode, *args, **kwargs)
        return Full(file) if mode == "xb" else file

    monkeypatch.setattr(Path, "open", opened)
    target = tmp_path / "baru.md"
    result = alur(workspace, "sop", "render", SOP, "--format", "md", "-o", str(target))
    one_error(result, f"cannot write {target}: the disk is full")
    assert not target.exists()


def test_a_read_only_file_is_not_replaced_even_with_force(workspace: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    target = tmp_path / "arsip.md"
    target.write_text("arsip\n", encoding="utf-8")
    target.chmod(0o444)
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: real(p, mode) and not (
        Path(p) == target and mode & os.W_OK))
    result = alur(workspace, "sop", "render", SOP, "--format", "md", "-o", str(target),
                  "--force")
    one_error(result, f"cannot write {target}: permission denied (the file is read-only)")
    assert target.read_text(encoding="utf-8") == "arsip\n"


def test_a_pipe_or_device_is_written_as_it_is(workspace: Path) -> None:
    result = alur(workspace, "sop", "render", SOP, "--format", "mermaid", "-o", "/dev/null")
    assert result.exit_code == 0, result.output


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_standard_output_on_a_full_disk(workspace: Path) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-c", "from runners.cli.main import main; main()",
                               "sop", "show", SOP, "--workspace", str(workspace)],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=60,
                              cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 1
    assert done.stderr == "Error: cannot write the output: the disk is full (no space left on " \
                          "the device)\n"


def test_every_command_with_an_output_file_takes_force() -> None:
    """A command that writes a file with -o goes through write_output and takes --force
    (``runners.cli.shared.force_option``)."""
    import click

    from runners.cli.main import cli

    def commands(group: click.Group, path: str) -> list[tuple[str, click.Command]]:
        found: list[tuple[str, click.Command]] = []
        for name, command in group.commands.items():
            found.append((f"{path} {name}", command))
            if isinstance(command, click.Group):
                found += commands(command, f"{path} {name}")
        return found

    writers = [(name, command) for name, command in commands(cli, "alur")
               if any("-o" in p.opts for p in command.params)]
    assert {name for name, _ in writers} >= {"alur sop render", "alur run show", "alur report"}
    for name, command in writers:
        assert any("--force" in p.opts for p in command.params), f"{name} has -o but no --force"


def test_the_refusals_speak_bahasa_indonesia(workspace: Path, tmp_path: Path) -> None:
    def said(*args: str) -> str:
        result = run_cli(*args, "--workspace", str(workspace), env={**ENV, "ALUR_LANG": "id"})
        assert result.exit_code == 1, result.output
        return result.stderr

    toml = workspace / "alur.toml"
    assert said("report", "1", "-o", str(toml), "--force") == (
        f"Kesalahan: {toml} adalah berkas pengaturan ruang kerja; Alur tidak pernah menimpanya, "
        "bahkan dengan --force: pilih berkas lain\n")
    existing = tmp_path / "ada.md"
    existing.write_text("ada\n", encoding="utf-8")
    assert said("sop", "render", SOP, "--format", "md", "-o", str(existing)) == (
        f"Kesalahan: {existing} sudah ada; berikan --force untuk menimpanya, atau pilih berkas "
        "lain\n")
    missing = tmp_path / "tidak-ada" / "x.md"
    assert said("sop", "render", SOP, "--format", "md", "-o", str(missing)) == (
        f"Kesalahan: {missing} tidak dapat ditulis: folder {missing.parent} tidak ada\n")
    assert said("report", "1", "--format", "xlsx") == (
        "Kesalahan: --format xlsx menulis berkas: berikan -o BERKAS.xlsx\n")
