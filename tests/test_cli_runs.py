"""A newcomer's LAKIP run through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import run_cli

# Who completes each LAKIP step in the workspace `alur init` makes (sample roster)
PEOPLE = ["camat", "sekcam", "kasi-tapem", "sekcam", "staf-1", "camat", "camat", "sekcam",
          "camat", "camat", "staf-2", "staf-2", "staf-2"]
STEPS = ["perintah", "format", "himpun", "analisis", "draft", "koreksi", "rapat-finalisasi",
         "ajukan", "tanda-tangan", "tanda-tangan-2", "surat-pengantar", "penggandaan",
         "pengiriman"]


class Newcomer:
    """Runs `alur` in one workspace and database, with the clock set by ALUR_NOW."""

    def __init__(self, workspace: Path, db_url: str) -> None:
        self.workspace = workspace
        self.db_url = db_url
        self.now = dt.datetime(2026, 1, 5, 8, 0)  # Monday, 08:00 WIB

    def __call__(self, *args: str, ok: bool = True, lang: str = "en") -> Result:
        env = {"ALUR_NOW": self.now.isoformat(timespec="minutes"), "ALUR_USER": "",
               "ALUR_LANG": lang}
        result = run_cli(*args, "--workspace", str(self.workspace), "--db", self.db_url,
                         env=env)
        if ok:
            assert result.exit_code == 0, f"{args}: {result.output}"
        return result

    def later(self, minutes: int) -> None:
        self.now += dt.timedelta(minutes=minutes)


@pytest.fixture
def newcomer(tmp_path: Path, db_url: str) -> Newcomer:
    workspace = tmp_path / "kecamatan"
    result = run_cli("init", str(workspace), "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "created  roster.yaml" in result.stdout
    return Newcomer(workspace, db_url)


def play(alur: Newcomer) -> None:
    """All 13 steps; step 4 takes 90 minutes (over its 60), one correction at step 6."""
    started = alur("run", "start", "pengumpulan-data-kinerja", "--period", "2025",
                   "--as", "camat")
    assert started.stdout.startswith("Started run 1: SOP Pengumpulan Data Kinerja, unit "
                                     "darangdan, period 2025\n")
    for number, (person, step) in enumerate(zip(PEOPLE, STEPS, strict=True), start=1):
        alur.later(90 if number == 4 else 30)
        if number == 6:
            back = alur("step", "complete", "1", "koreksi", "--as", "camat", "--outcome",
                        "tidak", "--note", "Capaian IKU belum lengkap")
            assert "(Tidak)" in back.stdout and "Active step: 5. Membuat draft Lakip " \
                "(attempt 2)" in back.stdout
            alur.later(30)
            alur("step", "complete", "1", "draft", "--as", "staf-1")
            alur.later(30)
        done = alur("step", "complete", "1", step, "--as", person,
                    *(["--outcome", "Ya"] if number == 6 else []))
    assert done.stdout.endswith("Run 1 is complete.\n")  # not "complete (selesai)": the end
    # the SOP names says nothing more


def test_the_newcomers_lakip_run(newcomer: Newcomer, tmp_path: Path) -> None:
    play(newcomer)
    shown = json.loads(newcomer("run", "show", "1", "--json").stdout)
    assert (shown["status"], shown["result"], shown["period"]) == ("completed", "selesai",
                                                                   "2025")
    steps = shown["steps"]
    assert len(steps) == 15
    assert [(s["id"], s["attempt"]) for s in steps][4:8] == [
        ("draft", 1), ("koreksi", 1), ("draft", 2), ("koreksi", 2)]
    assert [s["completed_by"] for s in steps] == [*PEOPLE[:5], "camat", "staf-1", *PEOPLE[5:]]
    analysis = steps[3]
    assert (analysis["standard_minutes"], analysis["actual_minutes"],
            analysis["overdue"]) == (60, 90, True)
    assert steps[0]["activated_at"] == "2026-01-05T08:00:00+07:00"
    text = newcomer("run", "show", "1", lang="id").stdout
    assert "selesai" in text and "selesai (selesai)" not in text and "Menganalis dan" in text
    assert "Catatan: Capaian IKU" in text  # the note kept with the task
    assert "(selesai)" not in newcomer("run", "show", "1").stdout

    events = json.loads(newcomer("history", "--run", "1", "--format", "json").stdout)
    assert len(events) == 32
    assert [e["event"] for e in events][:3] == ["run_started", "step_activated",
                                                "step_completed"]
    assert events[-1]["event"] == "run_completed"
    correction = next(e for e in events if e["data"].get("outcome") == "Tidak")
    assert correction["actor"] == "camat"
    assert correction["data"]["note"] == "Capaian IKU belum lengkap"
    excel = newcomer("history", "--format", "csv").stdout
    assert excel.startswith("\ufeffseq;run;step;attempt;event;")  # Excel in Indonesia: BOM, `;`
    rows = list(csv.reader(io.StringIO(excel.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:5] == ["seq", "run", "step", "attempt", "event"] and len(rows) == 33
    plain = newcomer("history", "--format", "csv", "--csv-sep", ",").stdout
    assert list(csv.reader(io.StringIO(plain))) == rows
    only_camat = json.loads(newcomer("history", "--actor", "camat", "--event",
                                     "step_completed", "--format", "json").stdout)
    assert len(only_camat) == 6
    assert "step completed" in newcomer("history", "--sop", "pengumpulan-data-kinerja").stdout
    assert "langkah selesai" in newcomer("history", "--sop", "pengumpulan-data-kinerja",
                                         lang="id").stdout
    in_words = newcomer("history", "--actor", "camat", "--event", "langkah-selesai", "--format",
                        "json")  # the event kind as people say it, in any language
    assert json.loads(in_words.stdout) == only_camat

    report = json.loads(newcomer("report", "1", "--format", "json").stdout)
    assert report["steps_counted"] == 15
    assert report["total_standard_minutes"] == 723 + 120
    assert report["steps_over"] == 2  # step 1 (30 of 3 minutes) and step 4 (90 of 60)
    assert report["total_actual_minutes"] == sum(s["actual_minutes"] for s in report["steps"])
    table = newcomer("report", "1", lang="id").stdout
    assert "2 dari 15 langkah melebihi waktu baku" in table
    out = tmp_path / "laporan.xlsx"
    assert newcomer("report", "1", "--format", "xlsx", "-o", str(out)).exit_code == 0
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    assert sheet is not None
    assert sheet.cell(8, 2).value == "Menganalis dan mengevaluasi data dan informasi kinerja " \
                                     "yg terkumpul"
    assert sheet.cell(8, 7).value == 90
    csv_rows = list(csv.reader(io.StringIO(newcomer("report", "1", "--format", "csv", "--csv-sep",
                                                    ",").stdout)))
    total = next(row for row in csv_rows if row[3] == "TOTAL")
    assert total[7] == "843"
    assert csv_rows[-1][3] == "RUN (critical path)" and csv_rows[-1][7] == "723"
    assert report["critical_path_minutes"] == 723

    verified = newcomer("audit", "verify")
    assert verified.stdout == "Audit trail intact: 32 events checked, every hash matches.\n"


def one_line_error(result: Result, words: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
    assert words in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_mistakes_get_one_line_errors(newcomer: Newcomer) -> None:
    newcomer("run", "start", "pengumpulan-data-kinerja", "--as", "camat")
    newcomer.later(5)
    one_line_error(newcomer("step", "complete", "1", "perintah", "--as", "staf-1", ok=False),
                   "staf-1 may not complete step `perintah`")
    one_line_error(newcomer("step", "complete", "1", "1", "--as", "camat", "--outcome", "Ya",
                            ok=False), "not a decision; leave out --outcome")
    one_line_error(newcomer("step", "complete", "1", "format", "--as", "sekcam", ok=False),
                   "step `format` (no. 2) is not active in run 1")
    one_line_error(newcomer("step", "complete", "7", "x", "--as", "camat", ok=False),
                   "no run `7`; `alur run list` shows the runs")
    one_line_error(newcomer("step", "complete", "1", "perintah", "--as", "camat", "--at",
                            "2026-01-06T08:00", ok=False),
                   "--at 2026-01-06 08:00 is in the future")
    one_line_error(newcomer("step", "complete", "1", "perintah", "--as", "camat", "--at",
                            "kemarin", ok=False), "--at `kemarin` is not a time")
    one_line_error(newcomer("step", "complete", "1", "perintah", ok=False),
                   "say who is completing the step: --as PERSON or ALUR_USER")
    one_line_error(newcomer("step", "complete", "1", "--as", "camat", ok=False),
                   "name the step of run 1 to act on; the active step is `perintah` (no. 1, "
                   "camat); name it: alur step complete 1 perintah")
    one_line_error(newcomer("run", "start", "pengumpulan-data-kinerja", "--as", "camat",
                            ok=False), "exists already: run 1")
    one_line_error(newcomer("run", "start", "pengumpulan-data", "--as", "camat", ok=False),
                   "did you mean `pengumpulan-data-kinerja`?")
    one_line_error(newcomer("run", "start", "pengumpulan-data-kinerja", "--period", "kemarin",
                            "--as", "camat", ok=False),
                   "SOP `pengumpulan-data-kinerja` runs every year: its period is a year such "
                   "as 2026, not `kemarin`")
    one_line_error(newcomer("run", "start", "pengumpulan-data-kinerja", "--period", "2026-13",
                            "--as", "camat", ok=False), "not `2026-13`")
    one_line_error(newcomer("run", "start", "pengumpulan-data-kinerja", "--unit", "wanayasa",
                            "--period", "2024", "--as", "camat", ok=False),
                   "no unit `wanayasa`")
    newcomer("run", "cancel", "1", "--reason", "Salah periode", "--as", "camat")
    one_line_error(newcomer("step", "complete", "1", "perintah", "--as", "camat", ok=False),
                   "run 1 is cancelled")
    assert json.loads(newcomer("run", "list", "--json").stdout)[0]["status"] == "cancelled"


def test_inbox_overdue_and_reassign(newcomer: Newcomer) -> None:
    newcomer("run", "start", "pengumpulan-data-kinerja", "--as", "camat")
    newcomer("step", "complete", "1", "perintah", "--as", "camat")
    newcomer("step", "complete", "1", "format", "--as", "sekcam")
    mine = json.loads(newcomer("inbox", "--as", "kasi-tapem", "--json").stdout)
    assert [(x["run"], x["step"]) for x in mine] == [(1, "himpun")]
    assert json.loads(newcomer("inbox", "--as", "staf-1", "--json").stdout) == []
    assert newcomer("inbox", "--as", "staf-1").stdout == "Nothing waits for staf-1.\n"
    assert newcomer("overdue").stdout == "No step is overdue.\n"
    newcomer.later(120)  # 60 minutes standard time: due 09:00, now 10:00
    late = json.loads(newcomer("overdue", "--json").stdout)
    assert [{k: x[k] for k in ("run", "step", "task", "actor", "assignees", "due_at",
                               "late_minutes")} for x in late] == [
        {"run": 1, "step": "himpun", "task": "himpun", "actor": "kasi",
         "assignees": ["kasubbag-perencanaan", "kasi-tapem"],
         "due_at": "2026-01-05T09:00:00+07:00", "late_minutes": 60}]
    moved = newcomer("step", "reassign", "1", "himpun", "--to", "kasi-tapem", "--as",
                     "sekcam")
    assert moved.stdout == "Step `himpun` of run 1 now goes to kasi-tapem.\n"
    assert json.loads(newcomer("overdue", "--json").stdout)[0]["assignees"] == ["kasi-tapem"]


def test_history_filters_by_time_unit_and_period(newcomer: Newcomer) -> None:
    newcomer("run", "start", "pengumpulan-data-kinerja", "--as", "camat")
    newcomer.later(60)
    newcomer("step", "complete", "1", "perintah", "--as", "camat")
    newcomer("run", "start", "pengumpulan-data-kinerja", "--period", "2024", "--as", "camat")

    def seqs(*filters: str) -> list[int]:
        found = json.loads(newcomer("history", "--format", "json", *filters).stdout)
        return [e["seq"] for e in found]

    assert seqs() == [1, 2, 3, 4, 5, 6]
    assert seqs("--since", "2026-01-05T08:30") == [3, 4, 5, 6]
    assert seqs("--until", "2026-01-05T08:30") == [1, 2]
    assert seqs("--period", "2024") == [5, 6]
    assert seqs("--unit", "darangdan", "--run", "1") == [1, 2, 3, 4]
    assert seqs("--unit", "wanayasa") == []
    assert seqs("--since", "2026-01-06") == []


def test_a_broken_roster_is_reported_with_its_place(newcomer: Newcomer) -> None:
    roster = newcomer.workspace / "roster.yaml"
    roster.write_text(roster.read_text(encoding="utf-8").replace("roles: [camat]",
                                                                 "rolse: [camat]", 1),
                      encoding="utf-8")
    result = newcomer("run", "start", "pengumpulan-data-kinerja", "--as", "camat", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {roster}:")
    assert "unknown key `rolse`, did you mean `roles`?" in result.stderr
    assert "Traceback" not in result.output


def test_a_broken_settings_file_is_reported_with_its_place(newcomer: Newcomer) -> None:
    (newcomer.workspace / "alur.toml").write_text('[calendar]\ntimezone = "Asia/Jakrta"\n',
                                                   encoding="utf-8")
    result = newcomer("run", "list", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {newcomer.workspace / 'alur.toml'}:2:")
    assert "Asia/Jakrta" in result.stderr


def test_outside_a_workspace_commands_say_so_and_create_nothing(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        for env_name in ("ALUR_WORKSPACE", "ALUR_DATABASE_URL"):
            mp.delenv(env_name, raising=False)
        listed = run_cli("run", "list")
        started = run_cli("run", "start", "pengumpulan-data-kinerja", "--as", "camat")
    assert listed.exit_code == 1
    assert listed.stderr == (f"Error: no Alur workspace in {tmp_path} (no alur.toml here or in "
                             "a folder above); run `alur init` to create one, or pass "
                             "--workspace DIR or --db URL\n")
    assert started.exit_code == 1 and "run `alur init`" in started.stderr
    assert list(tmp_path.iterdir()) == []
