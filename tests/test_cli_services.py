"""A service SOP through the CLI as a kecamatan's front desk would use it, and the roster
tools, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.test_cli_runs import Newcomer


@pytest.fixture
def desk(tmp_path: Path, db_url: str) -> Newcomer:
    workspace = tmp_path / "kecamatan"
    assert run_cli("init", str(workspace), "--db", db_url).exit_code == 0
    alur = Newcomer(workspace, db_url)
    alur.now = alur.now.replace(year=2026, month=12, day=1)  # Tuesday 1 December, 08:00
    return alur


def start(alur: Newcomer, name: str, nik: str, *extra: str, ok: bool = True) -> dict[str, object]:
    result = alur("run", "start", "legalisasi-sktm", "--as", "staf-1", "--received", "--json",
                  "--field", f"pemohon={name}", "--field", f"nik={nik}", *extra, ok=ok)
    return json.loads(result.stdout) if ok else {"error": result.stderr}


def test_several_applicants_from_start_to_finish(desk: Newcomer) -> None:
    first = start(desk, "Siti Aminah", "3214015708900001", "--field", "keperluan=berobat")
    second = start(desk, "Budi Santoso", "3214011204850003")
    assert (first["register"], second["register"]) == ("0001/SKTM/XII/2026",
                                                       "0002/SKTM/XII/2026")
    assert first["active_steps"] == ["periksa"] and first["fields"]["keperluan"] == "berobat"
    refused = start(desk, "Rina", "3214", ok=False)
    assert refused["error"] == ("Error: field `nik` (NIK) must be a NIK: 16 digits whose 7th to "
                                "12th give a real date of birth, not `3214`\n")
    listed = desk("run", "list").stdout
    assert "Subject" in listed and "Siti Aminah" in listed and "0002/SKTM/XII/2026" in listed
    assert "Perihal" in desk("run", "list", lang="id").stdout
    masked = desk("run", "show", "1", "--as", "staf-2").stdout
    assert "3214********0001" in masked and "3214015708900001" not in masked
    assert "3214015708900001" in desk("run", "show", "1", "--as", "kasi-kesos").stdout
    shown = json.loads(desk("run", "show", "1", "--json").stdout)
    assert shown["fields"]["nik"] == "3214015708900001" and shown["title"] == "Siti Aminah"
    assert shown["due_at"] == "2026-12-02T08:00:00+07:00"
    found = json.loads(desk("run", "list", "--search", "budi", "--json").stdout)
    assert [(r["run"], r["title"]) for r in found] == [(2, "Budi Santoso")]
    inbox = desk("inbox", "--as", "staf-1").stdout
    assert "(Siti Aminah)" in inbox and "service: " in inbox and " left" in inbox
    assert "layanan:" in desk("inbox", "--as", "staf-1", lang="id").stdout

    desk.later(20)
    desk("step", "complete", "1", "periksa", "--as", "staf-1", "--outcome", "lengkap")
    desk.later(30)
    desk("step", "complete", "1", "verifikasi", "--as", "kasi-kesos", "--outcome", "tidak")
    reopened = desk("step", "reopen", "1", "verifikasi", "--as", "kasi-kesos", "--reason",
                    "Salah pilih")
    assert "Reopened step 3." in reopened.stdout and "(attempt 2)" in reopened.stdout
    desk("step", "complete", "1", "verifikasi", "--as", "kasi-kesos", "--outcome", "ya")
    skipped = desk("step", "skip", "1", "cek-dtks", "--as", "kasi-kesos", "--reason",
                   "Sudah terdaftar di DTKS")
    assert skipped.stdout.startswith("Skipped step 4.")
    not_optional = desk("step", "skip", "1", "paraf-sekcam", "--as", "sekcam", "--reason", "x",
                        ok=False)
    assert "is not optional" in not_optional.stderr
    for step, person in (("paraf-sekcam", "sekcam"), ("tanda-tangan", "camat"),
                         ("registrasi", "staf-1")):
        desk.later(10)
        desk("step", "complete", "1", step, "--as", person)
    assert json.loads(desk("run", "show", "1", "--json").stdout)["status"] == "completed"

    refused_cancel = desk("run", "cancel", "2", "--as", "kasi-kesos", "--reason", "x", ok=False)
    assert "only who started it (staf-1) or the Camat may" in refused_cancel.stderr
    desk("run", "cancel", "2", "--as", "staf-1", "--reason", "NIK salah")
    again = json.loads(desk("run", "start", "legalisasi-sktm", "--as", "staf-1", "--register",
                            "0002/SKTM/XII/2026", "--json").stdout)
    assert again["register"] == "0002/SKTM/XII/2026" and again["run"] == 3
    assert json.loads(desk("run", "show", "3", "--json").stdout)["title"] == "Budi Santoso"

    desk.later(26 * 60)  # the next day: run 3 is past its service time
    late = json.loads(desk("overdue", "--json").stdout)
    whole = [x for x in late if x.get("whole_run")]
    assert [(x["run"], x["title"]) for x in whole] == [(3, "Budi Santoso")]
    assert "Services past their completion time" in desk("overdue").stdout
    assert "Layanan melewati waktu penyelesaian" in desk("overdue", lang="id").stdout
    events = json.loads(desk("history", "--run", "1", "--format", "json").stdout)
    kinds = [e["event"] for e in events]
    assert kinds.index("step_reopened") < kinds.index("step_skipped") < kinds.index(
        "run_completed")
    assert desk("audit", "verify").stdout.startswith("Audit trail intact")
    report = json.loads(desk("report", "1", "--format", "json").stdout)
    assert report["title"] == "Siti Aminah"
    assert [s["status"] for s in report["steps"] if s["id"] == "cek-dtks"] == ["skipped"]
    # the table and the CSV say it too: skipped, and the reopened attempt, with the reasons
    from runners.reports import report_table

    table = report_table(report, width=250)  # the table `alur report 1` prints, unwrapped
    assert "Skipped Reason: Sudah terdaftar di DTKS" in " ".join(table.split())
    assert "Reopened Outcome: Tidak Reason: Salah pilih" in " ".join(table.split())
    rows = list(csv.reader(io.StringIO(desk("report", "1", "--format", "csv").stdout.lstrip(
        "\ufeff")), delimiter=";"))
    assert rows[0][-2:] == ["status", "reason"]
    assert [r[-2:] for r in rows if r[1] in ("verifikasi", "cek-dtks")] == [
        ["reopened", "Salah pilih"], ["completed", ""], ["skipped", "Sudah terdaftar di DTKS"]]


def test_an_unknown_person_is_refused_by_every_command(desk: Newcomer) -> None:
    for args in (("inbox", "--as", "camt"), ("run", "list", "--as", "camt"),
                 ("overdue", "--as", "camt")):
        result = desk(*args, ok=False)
        assert result.exit_code == 1
        assert "no person `camt`" in result.stderr and "did you mean `camat`?" in result.stderr


def test_the_roster_tools(desk: Newcomer) -> None:
    shown = json.loads(desk("roster", "show", "--json").stdout)
    paten = next(r for r in shown if r["role"] == "petugas-paten")
    assert [h["person"] for h in paten["holders"]] == ["staf-1"]
    assert "legalisasi-sktm" in paten["sops"]
    assert desk("roster", "check").stdout.startswith("Roster OK")
    assert desk("sop", "validate").stdout == "OK: 3 files checked: 0 errors, 0 warnings\n"
    roster = desk.workspace / "roster.yaml"
    roster.write_text(roster.read_text(encoding="utf-8").replace(
        "roles: [kasi-kesos]", "roles: [kasi]"), encoding="utf-8")
    checked = desk("roster", "check", ok=False)
    assert checked.exit_code == 1
    assert "role `kasi-kesos` (Kasi Kesejahteraan Sosial) has no holder in unit darangdan" in \
        checked.stdout
    validated = desk("sop", "validate").stdout
    assert "warning: role `kasi-kesos` (Kasi Kesejahteraan Sosial) has no holder in unit " \
           "darangdan" in validated
    assert "legalisasi-sktm.yaml:" in validated
    shown_text = desk("roster", "show").stdout
    assert "NOBODY" in shown_text and "Roles nobody holds: kasi-kesos (darangdan)" in \
        shown_text
    dikatakan = desk("roster", "show", lang="id").stdout
    assert "TIDAK ADA" in dikatakan and "Peran tanpa pemegang: kasi-kesos (darangdan)" in \
        dikatakan
    assert "peran `kasi-kesos`" in desk("sop", "validate", lang="id").stdout
