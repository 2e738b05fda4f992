"""A newcomer's first session at the command line, as a kecamatan clerk meets it: in Bahasa
Indonesia when nothing says otherwise (no ALUR_LANG), and in English with ``--lang en``.

Every line a person reads is checked for the words of the other language: the SOP's and the
roster's own words (activity names, titles, the end "selesai" the SOP names) are data and stay
as written, so the lists below hold only words of Alur's own messages.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from storage.db import HEAD_REVISION
from tests.conftest import run_cli

SOP = "pengumpulan-data-kinerja"
# English words of Alur's messages that a line in Bahasa Indonesia never holds ("Run" is not
# among them: Bahasa Indonesia says "run" too)
ENGLISH = (" the ", " is ", "not ", "Error", "Active step", "Warning", "Started run",
           "Completed step", "Nothing waits", "Complete one with", " due ", "No runs",
           "Audit trail", "step completed", "run started", "internal error", "Traceback",
           "Usage:", "Invalid value")
# Words of Alur's messages in Bahasa Indonesia that an English line never holds
INDONESIAN = ("Kesalahan", "Langkah", "langkah", "dimulai", "diselesaikan", "Ruang kerja",
              "Tidak ada", "berikan", "sebutkan", "Jejak audit", "Terlambat", "Batas",
              "Kejadian", "Periode", "bukan", "Penggunaan")


class Session:
    """`alur` in one workspace, with the clock at ALUR_NOW; in the default language unless
    ``lang`` says otherwise (given as ``--lang`` on the line)."""

    def __init__(self, workspace: Path, lang: str | None) -> None:
        self.workspace = workspace
        self.lang = lang
        self.lines: list[str] = []

    def __call__(self, *args: str, code: int = 0, at: str = "2026-01-05T08:00") -> Result:
        env: dict[str, str | None] = {"ALUR_LANG": None, "ALUR_NOW": at, "ALUR_USER": None,
                                      "ALUR_WORKSPACE": None, "ALUR_DATABASE_URL": None}
        language = ("--lang", self.lang) if self.lang else ()
        result = run_cli(*args, "--workspace", str(self.workspace), *language,
                         env=env)  # type: ignore[arg-type]
        assert result.exit_code == code, (args, result.output)
        self.lines += result.output.splitlines()
        return result


def play(alur: Session) -> dict[str, Result]:
    """The session: init, a run started and its first step done, a look around, mistakes."""
    seen = {"init": run_cli("init", str(alur.workspace),
                            *(("--lang", alur.lang) if alur.lang else ()),
                            env={"ALUR_LANG": None, "ALUR_DATABASE_URL": None})}  # type: ignore[dict-item]
    assert seen["init"].exit_code == 0, seen["init"].output
    alur.lines += seen["init"].output.splitlines()
    seen["start"] = alur("run", "start", SOP, "--period", "2025", "--as", "camat")
    seen["inbox"] = alur("inbox", "--as", "camat", at="2026-01-05T08:01")
    seen["complete"] = alur("step", "complete", "1", "perintah", "--as", "camat",
                            at="2026-01-05T08:02")
    seen["show"] = alur("run", "show", "1", at="2026-01-05T10:00")
    seen["list"] = alur("run", "list", "--status", "aktif")
    seen["list-en"] = alur("run", "list", "--status", "active")
    seen["history"] = alur("history", "--run", "1")
    seen["event"] = alur("history", "--event", "langkah-selesai", "--format", "json")
    seen["report"] = alur("report", "1", at="2026-01-05T10:00")
    seen["overdue"] = alur("overdue", at="2026-01-05T10:00")
    seen["scheduler"] = alur("scheduler", "--once", at="2026-01-05T10:00")
    seen["reminders"] = alur("reminders", "list", "--status", "terkirim")
    seen["reminders-en"] = alur("reminders", "list", "--status", "sent")
    seen["audit"] = alur("audit", "verify")
    seen["status"] = alur("status")
    seen["no run"] = alur("run", "show", "99", code=1)
    seen["no step"] = alur("step", "complete", "1", "--as", "sekcam", code=1)
    seen["not yours"] = alur("step", "complete", "1", "format", "--as", "staf-1", code=1)
    seen["bad status"] = alur("run", "list", "--status", "kemarin", code=2)
    seen["bad time"] = alur("step", "complete", "1", "format", "--as", "sekcam", "--at",
                            "kemarin", code=1)
    seen["no sop"] = alur("run", "start", "pengumpulan-data", "--as", "camat", code=1)
    return seen


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return tmp_path / "kantor"


def test_a_newcomer_reads_bahasa_indonesia_by_default(workspace: Path) -> None:
    alur = Session(workspace, None)
    seen = play(alur)
    assert "  dibuat  roster.yaml" in seen["init"].stdout
    assert f"Ruang kerja siap di {workspace.resolve()}." in seen["init"].stdout
    assert seen["start"].stdout.splitlines() == [
        "Run 1 dimulai: SOP Pengumpulan Data Kinerja, unit darangdan, periode 2025",
        "Langkah aktif: 1. Memerintahkan penyusunan LAKIP — Camat: camat, batas "
        "2026-01-05 08:03"]
    inbox = seen["inbox"].stdout
    assert inbox.splitlines()[0].split() == ["Run", "SOP", "/", "periode", "No", "Langkah",
                                             "Batas", "Terlambat"]
    assert "Selesaikan salah satunya dengan:" in inbox
    assert seen["complete"].stdout.startswith(
        "Langkah 1. Memerintahkan penyusunan LAKIP diselesaikan oleh camat pada 2026-01-05 "
        "08:02\nLangkah aktif: 2. ")
    listed = seen["list"].stdout.splitlines()
    assert listed[0].split() == ["Run", "SOP", "Periode", "Status", "Langkah", "aktif"]
    assert listed[2].split()[:4] == ["1", SOP, "2025", "aktif"]
    assert seen["list-en"].stdout == seen["list"].stdout  # the engine's word is taken too
    history = seen["history"].stdout
    assert "run dimulai" in history and "langkah selesai" in history
    assert "Kejadian" in history.splitlines()[0]
    assert [e["event"] for e in json.loads(seen["event"].stdout)] == ["step_completed"]
    assert "Terlambat" in seen["overdue"].stdout  # step 2 is 60 minutes late by 10:00
    # the scheduler starts the quarter's run of perencanaan-kinerja too, and reminds both
    assert seen["scheduler"].stdout.startswith("run 2 dimulai: perencanaan-kinerja ")
    assert seen["scheduler"].stdout.endswith("Selesai: 2 pengingat ditangani: 2 terkirim.\n")
    reminders = seen["reminders"].stdout.splitlines()
    assert reminders[0].split() == ["Id", "Run", "Langkah", "Level", "Untuk", "Jatuh", "tempo",
                                    "Status", "Terkirim"]
    assert len(reminders) == 4 and all("terkirim" in line for line in reminders[2:])
    assert seen["reminders-en"].stdout == seen["reminders"].stdout
    assert seen["audit"].stdout.startswith("Jejak audit utuh: ")
    assert seen["audit"].stdout.endswith(" kejadian diperiksa, setiap hash cocok.\n")
    assert "Penjadwal" in seen["status"].stdout and "2 aktif" in seen["status"].stdout
    assert seen["no run"].stderr == ("Kesalahan: tidak ada run `99`; `alur run list` menampilkan "
                                     "daftar run\n")
    assert seen["no step"].stderr.startswith("Kesalahan: ")
    assert "sebutkan langkahnya: alur step complete 1 format" in seen["no step"].stderr
    assert seen["bad status"].stderr.splitlines()[-1] == (
        "Kesalahan: Nilai tidak sah untuk '--status': `kemarin` bukan salah satu dari: aktif, "
        "selesai, dibatalkan")
    assert seen["bad time"].stderr == (
        "Kesalahan: --at `kemarin` bukan waktu; tulis dalam ISO 8601 seperti 2026-01-05T09:30 "
        "atau 2026-01-05\n")
    assert "maksud Anda `pengumpulan-data-kinerja`?" in seen["no sop"].stderr
    english = [(line, word) for line in alur.lines for word in ENGLISH if word in line]
    assert not english, "\n".join(f"{word!r} in: {line}" for line, word in english)


def test_the_same_session_reads_english_with_lang_en(workspace: Path) -> None:
    alur = Session(workspace, "en")
    seen = play(alur)
    assert "  created  roster.yaml" in seen["init"].stdout
    assert seen["start"].stdout.splitlines() == [
        "Started run 1: SOP Pengumpulan Data Kinerja, unit darangdan, period 2025",
        "Active step: 1. Memerintahkan penyusunan LAKIP — Camat: camat, due 2026-01-05 08:03"]
    assert "Complete one with:" in seen["inbox"].stdout
    assert seen["complete"].stdout.startswith("Completed step 1. Memerintahkan penyusunan "
                                              "LAKIP by camat at 2026-01-05 08:02\n")
    assert seen["list"].stdout.splitlines()[0].split() == [
        "Run", "SOP", "Period", "Status", "Active", "step"]
    assert "run started" in seen["history"].stdout
    assert seen["scheduler"].stdout.endswith("Done: 2 reminder(s) handled: 2 sent.\n")
    assert seen["audit"].stdout.startswith("Audit trail intact: ")
    assert seen["audit"].stdout.endswith(" events checked, every hash matches.\n")
    assert seen["no run"].stderr == "Error: no run `99`; `alur run list` shows the runs\n"
    assert seen["bad status"].stderr.splitlines()[-1] == (
        "Error: Invalid value for '--status': `kemarin` is not one of: active, completed, "
        "cancelled")
    indonesian = [(line, word) for line in alur.lines for word in INDONESIAN if word in line]
    assert not indonesian, "\n".join(f"{word!r} in: {line}" for line, word in indonesian)


@pytest.mark.parametrize(("value", "engine_word"), [
    ("aktif", "active"), ("AKTIF", "active"), ("active", "active"), ("selesai", "completed"),
    ("completed", "completed"), ("dibatalkan", "cancelled"), ("cancelled", "cancelled")])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_run_statuses_are_taken_in_either_language(value: str, engine_word: str,
                                                   lang: str) -> None:
    from runners.cli.localized import Words
    from runners.i18n import use_language
    from runners.words import RUN_STATUS_WORDS

    with use_language(lang):
        assert Words(RUN_STATUS_WORDS).convert(value, None, None) == engine_word


@pytest.mark.parametrize(("value", "engine_word"), [
    ("langkah selesai", "step_completed"), ("langkah-selesai", "step_completed"),
    ("step_completed", "step_completed"), ("step completed", "step_completed"),
    ("pengingat-gagal", "reminder_failed"), ("langkah-dibuka-ulang", "step_reopened"),
    ("step_skipped", "step_skipped")])
def test_event_kinds_are_taken_as_people_say_them(value: str, engine_word: str) -> None:
    from runners.cli.localized import Words
    from runners.words import EVENT_WORDS

    assert Words(EVENT_WORDS).convert(value, None, None) == engine_word


def test_every_event_kind_and_status_of_the_engine_has_its_words() -> None:
    from engine import runs
    from runners.words import EVENT_WORDS, STATUS_WORDS

    assert set(EVENT_WORDS) == set(runs.EVENT_KINDS)
    assert {runs.ACTIVE, runs.COMPLETED, runs.CANCELLED, runs.SKIPPED, runs.REOPENED,
            runs.WITHDRAWN} <= set(STATUS_WORDS)


@pytest.mark.parametrize(("lang", "status", "result", "shown"), [
    ("id", "completed", "selesai", "selesai"), ("en", "completed", "selesai", "completed"),
    ("en", "completed", "Completed", "completed"), ("id", "completed", "ditolak",
                                                    "selesai (ditolak)"),
    ("en", "completed", "ditolak", "completed (ditolak)"), ("id", "active", None, "aktif"),
    ("id", "cancelled", None, "dibatalkan")])
def test_a_run_status_shows_its_result_only_when_it_says_more(lang: str, status: str,
                                                              result: str | None,
                                                              shown: str) -> None:
    from runners.i18n import use_language
    from runners.words import run_status

    with use_language(lang):
        assert run_status(status, result) == shown


def test_the_help_lists_the_words_of_the_language_in_use() -> None:
    indonesian = run_cli("run", "list", "--help", env={"ALUR_LANG": "id"}).stdout
    assert "[aktif|selesai|dibatalkan]" in indonesian and "Hanya run dengan status ini." in \
        indonesian
    english = run_cli("run", "list", "--help").stdout
    assert "[active|completed|cancelled]" in english and "Only runs with this status." in \
        english
    events = run_cli("history", "--help", env={"ALUR_LANG": "id"}).stdout
    assert "langkah-selesai" in events and "pengingat-gagal" in events


def test_an_unknown_language_is_refused_in_the_language_of_the_moment() -> None:
    result = run_cli("run", "list", "--lang", "fr", env={"ALUR_LANG": None})  # type: ignore[dict-item]
    assert result.exit_code == 2
    assert result.stderr == ("Kesalahan: tidak ada bahasa `fr`; pilih salah satu: id (Bahasa "
                             "Indonesia), en (English)\n")
    english = run_cli("run", "list", "--lang", "fr")
    assert english.stderr == ("Error: no language `fr`; choose one of: id (Bahasa Indonesia), "
                              "en (English)\n")


@pytest.mark.parametrize(("lang", "lines"), [
    ("id", ["Kesalahan: galat internal Alur: RuntimeError: rusak",
            "Kesalahan: jalankan lagi perintahnya dengan --debug untuk melihat traceback, lalu "
            "laporkan"]),
    ("en", ["Error: internal error: RuntimeError: rusak",
            "Error: run the command again with --debug to see the traceback, and report it"])])
def test_an_internal_error_is_said_in_the_language_in_use(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, lines: list[str]) -> None:
    from runners.app import App

    assert run_cli("init", str(tmp_path)).exit_code == 0

    def broken(self: App, query: object) -> None:
        raise RuntimeError("rusak")

    monkeypatch.setattr(App, "read", broken)
    result = run_cli("run", "list", "--workspace", str(tmp_path), "--lang", lang)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == lines


@pytest.mark.parametrize(("args", "lines"), [
    (["run", "list"], ["Kesalahan: galat internal Alur: ValueError: rusak",
                       "Kesalahan: jalankan lagi perintahnya dengan --debug untuk melihat "
                       "traceback"]),
    (["run", "list", "--lang", "en"], ["Error: internal error: ValueError: rusak",
                                       "Error: run the command again with --debug to see the "
                                       "traceback"])])
def test_what_fails_outside_a_command_is_said_in_its_language_too(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str],
        lines: list[str]) -> None:
    from runners.cli import main as entry

    def broken(*given: object, **named: object) -> None:
        raise ValueError("rusak")

    monkeypatch.delenv("ALUR_LANG")
    monkeypatch.setattr(entry.cli, "main", broken)
    with pytest.raises(SystemExit) as ended:
        entry.main(args)
    assert ended.value.code == 1
    assert capsys.readouterr().err.splitlines() == lines


def test_the_workspace_commands_speak_both_languages(workspace: Path) -> None:
    assert run_cli("init", str(workspace)).exit_code == 0

    def alur(lang: str, *args: str) -> Result:
        result = run_cli(*args, "--workspace", str(workspace), env={"ALUR_LANG": lang})
        assert result.exit_code == 0, result.output
        return result

    database = workspace.resolve() / "alur.db"
    assert alur("id", "status", "--verbose").stderr == (
        f"Basis data: sqlite {database}, skema {HEAD_REVISION}\n")
    assert alur("en", "status", "--verbose").stderr == (
        f"Database: sqlite {database}, schema {HEAD_REVISION}\n")
    assert alur("id", "db", "upgrade").stdout == (
        f"Basis data sqlite:///{database} berada pada skema {HEAD_REVISION} (tidak berubah).\n")
    assert alur("en", "db", "upgrade").stdout == (
        f"Database sqlite:///{database} is at schema {HEAD_REVISION} (unchanged).\n")
    assert alur("id", "sop", "validate").stdout == (
        "OK: 3 berkas diperiksa: 0 kesalahan, 0 peringatan\n")
    assert alur("id", "roster", "check").stdout.startswith(
        "Roster OK: setiap peran dalam SOP ada pemegangnya di setiap unit")
    assert "Pemegang peran pada " in alur("id", "roster", "show").stdout
    listed = alur("id", "sop", "list").stdout.splitlines()[0].split()
    assert listed[:4] == ["ID", "Nama", "SOP", "Langkah"]
    shown = alur("id", "sop", "show", "legalisasi-sktm").stdout
    assert "Uraian Kegiatan" in shown and "8 kegiatan; total waktu baku: " in shown
    english = alur("en", "sop", "show", "legalisasi-sktm").stdout
    assert "Activity description" in english and "8 activities; total standard time: " in english
