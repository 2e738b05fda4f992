"""`alur sop ...` as a user meets it, and the CLI's own conventions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from runners.cli.main import cli
from tests.conftest import REPO, SOPS, run_cli

WS = ("--workspace", str(REPO))


def test_the_bundled_sops_validate() -> None:
    result = run_cli("sop", "validate", *WS)
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 3 files checked: 0 errors, 0 warnings\n"
    assert run_cli("sop", "validate", "--strict", str(SOPS)).exit_code == 0


def test_list_shows_each_sop_with_steps_and_total_time() -> None:
    english = run_cli("sop", "list", *WS, env={"COLUMNS": "120"}).stdout.splitlines()
    assert english[0].split() == ["ID", "SOP", "name", "Number", "Steps", "Total", "standard",
                                  "time"]
    result = run_cli("sop", "list", *WS, env={"COLUMNS": "120", "ALUR_LANG": "id"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "Nama", "SOP", "Nomor", "Langkah", "Total", "waktu", "baku"]
    row = next(x for x in lines if x.startswith("pengumpulan-data-kinerja"))
    assert "SOP Pengumpulan Data Kinerja" in row and "050/010/PKP/DRD" in row
    assert re.search(r"\s13\s+12 jam 3 menit$", row)
    data = json.loads(run_cli("sop", "list", "--json", *WS).stdout)
    lakip = next(x for x in data if x["id"] == "pengumpulan-data-kinerja")
    assert (lakip["steps"], lakip["total_minutes"], lakip["total_days"]) == (13, 723, 0.0)


def test_show_gives_the_identity_block_all_13_activities_and_723_minutes() -> None:
    result = run_cli("sop", "show", "pengumpulan-data-kinerja", *WS,
                     env={"COLUMNS": "120", "ALUR_LANG": "id"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    for label in ("Nama SOP", "Nomor SOP", "050/010/PKP/DRD", "Tanggal Efektif", "2023-01-02",
                  "Disahkan oleh", "Camat Darangdan", "Dasar Hukum", "Keterkaitan",
                  "Peringatan", "Kualifikasi Pelaksana", "Peralatan/Perlengkapan",
                  "Pencatatan dan Pendataan"):
        assert label in out, label
    rows = re.findall(r"^(\d+)\s{2,}(\S.*?)\s{2,}(Camat|Sekretaris|Kasi/Kasubbag|Staf)",
                      out, re.MULTILINE)
    assert [int(r[0]) for r in rows] == list(range(1, 14))
    actors = [r[2] for r in rows]
    assert actors == ["Camat", "Sekretaris", "Kasi/Kasubbag", "Sekretaris", "Staf", "Camat",
                      "Camat", "Sekretaris", "Camat", "Camat", "Staf", "Staf", "Staf"]
    assert re.search(r"^6 .*  Ya → 7  .*\n.*  Tidak → 5\s*$", out, re.MULTILINE)
    assert out.rstrip().splitlines()[-2] == \
        "13 kegiatan; total waktu baku: 12 jam 3 menit (723 menit)"
    english = run_cli("sop", "show", "pengumpulan-data-kinerja", *WS,
                      env={"COLUMNS": "120"}).stdout
    for label in ("SOP name", "SOP number", "Effective date", "Approved by", "Legal basis",
                  "Related SOPs", "Warning", "Implementer qualifications", "Equipment/supplies",
                  "Records and data keeping", "Activity description", "Remarks"):
        assert label in english, label
    assert re.search(r"^6 .*  Ya → 7  .*\n.*  Tidak → 5\s*$", english, re.MULTILINE)
    assert english.rstrip().splitlines()[-2].startswith("13 activities; total standard time: ")
    assert english.rstrip().splitlines()[-2].endswith(" (723 minutes)")


def test_show_json_has_the_contract_shape() -> None:
    data = json.loads(run_cli("sop", "show", "pengumpulan-data-kinerja", "--json", *WS).stdout)
    for key in ("id", "title", "number", "kind", "organization", "dates", "approved_by",
                "legal_basis", "related", "warning", "qualifications", "equipment", "records",
                "actors", "activities", "total_minutes"):
        assert key in data, key
    assert data["total_minutes"] == 723
    assert data["actors"]["sekcam"] == {"title": "Sekretaris Kecamatan", "reports_to": "camat",
                                        "external": False}
    first, sixth, seventh = data["activities"][0], data["activities"][5], data["activities"][6]
    assert set(first) == {"no", "id", "name", "actors", "requirements", "duration_minutes",
                          "duration_days", "output", "note", "decision", "next"}
    assert (first["no"], first["actors"], first["duration_minutes"]) == (1, ["camat"], 3)
    assert first["duration_days"] is None and first["next"] == "format"
    assert sixth["decision"] == "Draft LAKIP sudah benar?"
    assert sixth["next"] == {"Ya": seventh["id"], "Tidak": data["activities"][4]["id"]}
    assert seventh["actors"] == ["camat", "kasi", "staf"]
    assert data["activities"][-1]["next"] == "end"


def test_show_an_unknown_sop_suggests_the_close_one() -> None:
    result = run_cli("sop", "show", "pengumpulan-data", *WS)
    assert result.exit_code == 1
    assert result.stderr == ("Error: no SOP with id `pengumpulan-data`, did you mean "
                             "`pengumpulan-data-kinerja`?\n")


def test_show_a_broken_sop_prints_its_problems(tmp_path: Path) -> None:
    (tmp_path / "sops").mkdir()
    (tmp_path / "sops" / "rusak.yaml").write_text("format: 1\nid: rusak\n", encoding="utf-8")
    result = run_cli("sop", "show", "rusak", "--workspace", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {tmp_path / 'sops' / 'rusak.yaml'}:1:1: missing")


def test_a_folder_without_sops_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("sop", "list", "--workspace", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: no sops/ folder in {tmp_path}; run `alur init` to create "
                             "a workspace there, or pass --workspace DIR\n")


def test_the_workspace_is_found_upward_from_the_current_folder(tmp_path: Path,
                                                                monkeypatch: object) -> None:
    import shutil

    (tmp_path / "alur.toml").write_text("", encoding="utf-8")
    shutil.copytree(SOPS, tmp_path / "sops")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    import pytest

    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(deep)
        mp.delenv("ALUR_WORKSPACE", raising=False)
        result = run_cli("sop", "list", "--json")
    assert result.exit_code == 0, result.output
    assert {x["id"] for x in json.loads(result.stdout)} == {"pengumpulan-data-kinerja",
                                                             "perencanaan-kinerja",
                                                             "legalisasi-sktm"}


def all_commands() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []

    def walk(prefix: str, command: click.Command) -> None:
        found.append((prefix, command))
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(f"{prefix} {name}".strip(), sub)

    walk("", cli)
    return found


def test_every_command_and_option_has_help() -> None:
    for name, command in all_commands():
        assert command.help or command.short_help, f"`alur {name}` has no help"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"`alur {name}` option {param.opts} has no help"
        result = run_cli(*name.split(), "--help")
        assert result.exit_code == 0 and "Usage: alur" in result.stdout


def test_every_command_appears_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in all_commands():
        if name and not isinstance(command, click.Group):
            assert f"alur {name}" in readme, f"README does not show `alur {name}`"


def test_usage_errors_exit_2() -> None:
    result = run_cli("sop", "show")
    assert result.exit_code == 2
    assert "Missing argument 'ID'" in result.stderr
