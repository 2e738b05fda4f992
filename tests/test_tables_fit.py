"""Every table the CLI prints fits the terminal: COLUMNS, else the terminal, else 80.

One workspace made by `alur init` holds runs of the three bundled SOPs: LAKIP (a note, a
correction sent back), the parallel `perencanaan-kinerja` (five Kasi at once, one done by
the Sekcam for a Kasi on leave) and the service `legalisasi-sktm` (two applicants, past their
service time), and the reminders the scheduler sent. Each table is printed at 80 and 120
columns: no line is longer, and the columns people need are still there.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import Result

from runners.tables import Column, pairs, short_time, table, terminal_width
from tests.conftest import run_cli

RULE = re.compile(r"^-+(  -+)*$")

# (label, command, essential headers, headers shown from 120 columns but not at 80), in
# Bahasa Indonesia, as the users read them
TABLES: list[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = [
    ("run list", ("run", "list"),
     ("Run", "SOP", "Periode", "Perihal", "Status", "Langkah aktif"), ("Mulai",)),
    ("run show lakip", ("run", "show", "1"),
     ("No", "Uraian Kegiatan", "Status", "Oleh / untuk", "Batas", "Selesai"),
     ("Aktif", "Baku", "Nyata")),
    ("run show parallel", ("run", "show", "2"),
     ("No", "Uraian Kegiatan", "Status", "Oleh / untuk", "Batas", "Selesai"),
     ("Aktif", "Baku", "Nyata")),
    ("run show service", ("run", "show", "3"),
     ("No", "Uraian Kegiatan", "Status", "Oleh / untuk", "Batas", "Selesai"),
     ("Aktif", "Baku", "Nyata")),
    ("inbox", ("inbox", "--as", "staf-1"),
     ("Run", "SOP / periode", "No", "Langkah", "Batas", "Terlambat"), ()),
    ("inbox parallel", ("inbox", "--as", "kasi-pmd"),
     ("Run", "SOP / periode", "No", "Langkah", "Batas", "Terlambat"), ()),
    ("overdue", ("overdue",),
     ("Run", "SOP", "No", "Langkah", "Untuk", "Batas", "Terlambat", "Perihal",
      "Batas layanan"), ("Pelaksana",)),
    ("history", ("history",), ("Waktu", "Run", "Langkah", "Kejadian", "Oleh", "Keterangan"),
     ("Urut",)),
    ("report lakip", ("report", "1"),
     ("No", "Uraian Kegiatan", "Oleh", "Baku (menit)", "Nyata (menit)", "Lebih",
      "Keterangan"), ("Selisih (menit)",)),
    ("report parallel", ("report", "2"),
     ("No", "Uraian Kegiatan", "Oleh", "Baku (menit)", "Nyata (menit)", "Lebih",
      "Keterangan"), ("Selisih (menit)",)),
    ("reminders list", ("reminders", "list"),
     ("Id", "Run", "Langkah", "Level", "Untuk", "Jatuh tempo", "Status", "Terkirim"),
     ("Saluran",)),
    ("sop list", ("sop", "list"), ("ID", "Nama SOP", "Langkah", "Total waktu baku"),
     ("Nomor",)),
    ("sop show lakip", ("sop", "show", "pengumpulan-data-kinerja"),
     ("No", "Uraian Kegiatan", "Pelaksana", "Waktu", "Lanjut", "Keterangan"),
     ("Kelengkapan", "Output")),
    ("sop show parallel", ("sop", "show", "perencanaan-kinerja"),
     ("No", "Uraian Kegiatan", "Pelaksana", "Waktu", "Lanjut", "Keterangan"),
     ("Kelengkapan", "Output")),
    ("sop show service", ("sop", "show", "legalisasi-sktm"),
     ("No", "Uraian Kegiatan", "Pelaksana", "Waktu", "Lanjut", "Keterangan"),
     ("Kelengkapan", "Output")),
    ("roster show", ("roster", "show"), ("Peran", "Jabatan", "Pemegang", "SOP"), ("Unit",)),
]
NOW = "2026-01-12T10:00"


class Office:
    """The workspace and a clock (ALUR_NOW) for `alur` in-process."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace

    def __call__(self, *args: str, at: str = NOW, columns: int | None = None,
                 lang: str = "id") -> Result:
        env = {"ALUR_NOW": at, "ALUR_USER": "", "ALUR_LANG": lang}
        if columns is not None:
            env["COLUMNS"] = str(columns)
        result = run_cli(*args, "--workspace", str(self.workspace), env=env)
        assert result.exit_code == 0, f"{args}: {result.output}"
        return result


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    workspace = tmp_path_factory.mktemp("tables") / "kecamatan"
    assert run_cli("init", str(workspace)).exit_code == 0
    alur = Office(workspace)
    steps = [
        ("2026-01-05T08:00", "run", "start", "pengumpulan-data-kinerja", "--period", "2025",
         "--as", "camat"),
        ("2026-01-05T08:02", "step", "complete", "1", "perintah", "--as", "camat"),
        ("2026-01-05T09:20", "step", "complete", "1", "format", "--as", "sekcam", "--note",
         "Format dikirim lewat WhatsApp"),
        ("2026-01-05T10:00", "step", "complete", "1", "himpun", "--as", "kasi-tapem"),
        ("2026-01-05T11:30", "step", "complete", "1", "analisis", "--as", "sekcam"),
        ("2026-01-05T13:30", "step", "complete", "1", "draft", "--as", "staf-1"),
        ("2026-01-06T08:30", "step", "complete", "1", "koreksi", "--as", "camat", "--outcome",
         "Tidak", "--note", "Capaian IKU 3 belum diisi"),
        ("2026-01-06T09:00", "run", "start", "perencanaan-kinerja", "--period", "2025-Q4",
         "--as", "camat"),
        ("2026-01-06T09:10", "step", "complete", "2", "perintah", "--as", "camat"),
        ("2026-01-06T09:30", "step", "complete", "2", "format", "--as", "sekcam"),
        ("2026-01-07T10:00", "step", "complete", "2", "data-seksi", "--as", "kasi-tapem",
         "--note", "Data seksi Tapem lengkap"),
        ("2026-01-07T11:00", "step", "complete", "2", "data-kepegawaian", "--as",
         "kasubbag-umum"),
        ("2026-01-09T09:10", "step", "complete", "2", "data-seksi/kasi-kesos", "--as", "sekcam",
         "--note", "Kasi Kesos cuti; data dari staf seksi"),
        ("2026-01-09T09:20", "run", "start", "legalisasi-sktm", "--as", "staf-1", "--received",
         "--field", "pemohon=Siti Aminah", "--field", "nik=3214015708900001", "--field",
         "keperluan=berobat"),
        ("2026-01-09T09:25", "run", "start", "legalisasi-sktm", "--as", "staf-1", "--received",
         "--field", "pemohon=Budi Santoso", "--field", "nik=3214011204850003"),
        ("2026-01-09T09:40", "step", "complete", "3", "periksa", "--as", "staf-1", "--outcome",
         "lengkap", "--note", "Berkas lengkap, fotokopi KK dilampirkan"),
        ("2026-01-09T10:00", "scheduler", "--once"),
        ("2026-01-12T10:00", "scheduler", "--once"),
    ]
    for at, *args in steps:
        alur(*args, at=at)
    return alur


def header_words(output: str) -> list[set[str]]:
    """The words of each table's header: the (up to two) lines above each rule of dashes."""
    lines = output.splitlines()
    return [set(" ".join(lines[max(0, i - 2):i]).split()) for i, line in enumerate(lines)
            if RULE.match(line)]


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize(("label", "command", "essential", "wide"), TABLES,
                         ids=[t[0] for t in TABLES])
def test_every_table_fits_the_terminal(office: Office, width: int, label: str,
                                       command: tuple[str, ...], essential: tuple[str, ...],
                                       wide: tuple[str, ...]) -> None:
    output = office(*command, columns=width).stdout
    too_long = [line for line in output.splitlines() if len(line) > width]
    assert not too_long, f"{label} at {width}: {too_long}"
    heads = header_words(output)
    assert heads, f"{label}: no table printed:\n{output}"
    words = set().union(*heads)
    for name in essential:
        assert set(name.split()) <= words, f"{label} at {width} lost `{name}`:\n{output}"
    for name in wide:
        shown = set(name.split()) <= words
        assert shown == (width >= 120), f"{label} at {width}: `{name}` shown={shown}"


ENGLISH = [("run", "list"), ("inbox", "--as", "staf-1"), ("overdue",), ("history",),
           ("reminders", "list"), ("sop", "list"), ("sop", "show", "legalisasi-sktm"),
           ("roster", "show")]


@pytest.mark.parametrize("command", ENGLISH, ids=" ".join)
def test_the_tables_in_english_fit_too(office: Office, command: tuple[str, ...]) -> None:
    output = office(*command, columns=80, lang="en").stdout
    assert max(len(line) for line in output.splitlines()) <= 80
    words = set().union(*header_words(output))
    indonesian = {"Langkah", "Periode", "Perihal", "Terlambat", "Batas", "Kejadian", "Oleh",
                  "Keterangan", "Jatuh", "Terkirim", "Nama", "Peran", "Jabatan", "Pemegang",
                  "Uraian", "Pelaksana", "Lanjut"}
    assert not words & indonesian, output
    assert words & {"Step", "Steps", "Period", "Subject", "Event", "Role", "Activity", "Due",
                    "Time", "Actors"}, output


def test_without_columns_and_not_a_terminal_tables_are_80_wide(
        office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    assert terminal_width() == 80
    for command in (("run", "show", "2"), ("history",), ("sop", "show", "legalisasi-sktm")):
        output = office(*command).stdout
        assert max(len(line) for line in output.splitlines()) <= 80


def test_the_run_show_table_keeps_what_people_need_at_80(office: Office) -> None:
    shown = office("run", "show", "1", columns=80).stdout
    assert "Catatan: Format dikirim" in shown  # the note kept with step 2
    assert "(Tidak)" in shown and "terlambat" in shown  # the outcome, and late
    assert "(ke-2)" in shown  # the second attempt of step 5
    assert re.search(r"^1\s+Memerintahkan.*\s05-01 08:03\s+05-01 08:02$", shown, re.MULTILINE)
    wide = office("run", "show", "1", columns=160).stdout
    assert re.search(r"^1\s+Memerintahkan penyusunan LAKIP\s+selesai\s+Camat\s+camat\s+"
                     r"05-01 08:00\s+05-01 08:03\s+05-01 08:02\s+3 menit\s+2 menit$", wide,
                     re.MULTILINE)


def test_a_cell_wraps_within_its_column_and_secondary_columns_go_first() -> None:
    columns = [Column("No", 2), Column("Uraian", 10, weight=2), Column("Catatan", 8),
               Column("Aktif", 11, keep_from=60)]
    rows = [[1, "Menyampaikan format pengumpulan data kinerja", "kirim lewat WhatsApp",
             "05-01 08:00"]]
    narrow = table(columns, rows, width=40)
    assert "Aktif" not in narrow and all(len(x) <= 40 for x in narrow.splitlines())
    assert narrow.splitlines()[2].startswith("1   Menyampaikan")
    assert "Uraian" in narrow.splitlines()[0]
    wide = table(columns, rows, width=200)
    assert len(wide.splitlines()) == 3  # everything on one line when there is room
    assert wide.splitlines()[0].split() == ["No", "Uraian", "Catatan", "Aktif"]


def test_essential_columns_stay_even_when_nothing_fits() -> None:
    rows = [["pengumpulan-data-kinerja", "Menghimpun format data dan informasi kinerja"]]
    out = table([Column("SOP", 12), Column("Langkah", 20)], rows, width=24)
    assert all(len(line) <= 24 for line in out.splitlines())
    lines = out.splitlines()
    assert lines[0].split() == ["SOP", "Langkah"]  # both kept, each wrapped narrower
    assert "".join(line[:10].strip() for line in lines[2:]) == "pengumpulan-data-kinerja"
    assert "Menghimpun" in out


def test_pairs_wrap_their_values_and_times_are_short_and_local() -> None:
    out = pairs([("SOP", "SOP Pengumpulan Data Kinerja (pengumpulan-data-kinerja, versi 1)"),
                 ("Run", 1)], width=40)
    lines = out.splitlines()
    assert lines[0].startswith("SOP  SOP Pengumpulan") and len(lines) == 3
    assert lines[1].startswith("     ") and lines[1][5] != " "  # under the value, not the label
    assert all(len(line) <= 40 for line in lines)
    assert lines[-1] == "Run  1"
    jakarta = dt.timezone(dt.timedelta(hours=7))
    at = dt.datetime(2026, 1, 5, 1, 3, tzinfo=dt.UTC)
    assert short_time(at, jakarta, dt.datetime(2026, 6, 1, tzinfo=dt.UTC)) == "05-01 08:03"
    assert short_time(at, jakarta, dt.datetime(2027, 1, 1, tzinfo=dt.UTC)) == "2026-01-05 08:03"
    assert short_time(None, jakarta) == "-"
