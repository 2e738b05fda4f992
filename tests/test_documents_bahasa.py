"""The documents, reports and reminders speak the language in use: Bahasa Indonesia (the
users' default, word for word as before) and English. The SOP document (identity block and
flowchart, Permenpan RB 35/2012), its Markdown, diagrams and BPMN, the run and report
documents, the report as a table, CSV and workbook, the reminders and what the scheduler
prints; the author's words (titles, activities, durations as written) in neither."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from engine.loader import load_sop_file
from engine.reminders import NO_HOLDER
from engine.spec import SopSpec
from runners.channels import ChannelError, ConsoleChannel, EmailChannel
from runners.i18n import use_language
from runners.reminder_text import body, format_day, format_moment, payload, subject
from runners.render import RunPaint, render
from runners.render.html import render_html
from runners.settings import EmailSettings
from tests.conftest import BASE_SOP, SOPS, run_cli
from tests.test_notify import BUDI, ESCALATION, SEKCAM, make_message
from tests.test_written_as_authored import SOP, png

XHTML, SVG = "{http://www.w3.org/1999/xhtml}", "{http://www.w3.org/2000/svg}"
LAKIP = SOPS / "pengumpulan-data-kinerja.yaml"
BOTH = ("id", "en")


def in_language(code: str, make: Any) -> Any:
    with use_language(code):
        return make()


def text(element: ET.Element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def lakip() -> SopSpec:
    return load_sop_file(LAKIP).spec


# -- the SOP document ----------------------------------------------------------------

SOP_WORDS = {
    "id": {"facts": ["Nomor SOP", "Tanggal Pembuatan", "Tanggal Revisi", "Tanggal Efektif",
                     "Disahkan oleh", "Nama SOP"],
           "created": "30 Desember 2022", "effective": "2 Januari 2023",
           "pairs": ["Dasar Hukum", "Kualifikasi Pelaksana", "Keterkaitan",
                     "Peralatan/Perlengkapan", "Peringatan", "Pencatatan dan Pendataan"],
           "caption": "Bagian Flowchart, halaman 1 dari 1",
           "head": ["No", "Uraian Kegiatan", "Pelaksana", "Mutu Baku", "Keterangan"],
           "head2": ["Kelengkapan", "Waktu", "Output"], "start": "Mulai", "end": "Selesai",
           "run": "Run 7 \u2014 kecamatan-darangdan, periode 2025, status aktif",
           "legend": ["selesai", "aktif", "terlambat", "belum dicapai"], "late": "terlambat"},
    "en": {"facts": ["SOP number", "Date created", "Date revised", "Effective date",
                     "Approved by", "SOP name"],
           "created": "30 December 2022", "effective": "2 January 2023",
           "pairs": ["Legal basis", "Implementer qualifications", "Related SOPs",
                     "Equipment/supplies", "Warning", "Records and data keeping"],
           "caption": "Flowchart, page 1 of 1",
           "head": ["No.", "Activity", "Actors", "Quality standard", "Remarks"],
           "head2": ["Requirements", "Time", "Output"], "start": "Start", "end": "End",
           "run": "Run 7 \u2014 kecamatan-darangdan, period 2025, status active",
           "legend": ["completed", "active", "overdue", "not reached yet"], "late": "overdue"},
}


@pytest.mark.parametrize("code", BOTH)
def test_the_sop_document_speaks_the_language_in_use(code: str) -> None:
    words, spec = SOP_WORDS[code], lakip()
    states = {a.id: "done" for a in spec.activities[:5]} | {"koreksi": "overdue"}
    paint = RunPaint(7, "kecamatan-darangdan", "2025", "active", states)  # type: ignore[arg-type]
    html = in_language(code, lambda: render_html(spec, paint))
    root = ET.fromstring(html)
    assert root.get("lang") == code
    identity = next(s for s in root.iter(f"{XHTML}section") if s.get("id") == "identitas")
    rows = list(identity.iter(f"{XHTML}tr"))
    facts = {text(th): text(list(tr)[-1]) for tr in rows[:6]
             if (th := tr.find(f"{XHTML}th")) is not None}
    assert list(facts) == words["facts"]
    assert facts[words["facts"][1]] == words["created"]
    assert facts[words["facts"][3]] == words["effective"]
    assert facts[words["facts"][5]] == "SOP Pengumpulan Data Kinerja"  # the author's title
    assert [text(th) for th in identity.iter(f"{XHTML}th")][-6:] == words["pairs"]
    page = next(s for s in root.iter(f"{XHTML}section") if s.get("id") == "flow-page-1")
    assert words["caption"] in text(page) and words["run"] in text(page)
    head, head2 = list(page.iter(f"{XHTML}tr"))[:2]
    assert [text(th) for th in head] == words["head"]
    assert [text(th) for th in head2] == [a.title for a in spec.actors] + words["head2"]
    ends = {text(g) for g in root.iter(f"{SVG}g") if "terminator" in g.get("class", "")}
    assert ends == {words["start"], words["end"]}
    legend = [text(e) for e in root.iter(f"{XHTML}span") if e.get("class") == "key"]
    assert legend == words["legend"]
    koreksi = next(tr for tr in root.iter(f"{XHTML}tr") if tr.get("id") == "step-koreksi")
    assert text(list(koreksi)[-1]).startswith(words["late"])
    assert "Memerintahkan penyusunan LAKIP" in text(root)  # the author's words stay
    assert "3 menit" in text(root)  # a duration as written


def test_the_sop_documents_other_formats_in_both_languages() -> None:
    spec = lakip()
    markdown = {code: in_language(code, lambda: render(spec, "md")) for code in BOTH}
    assert "## Bagian Identitas" in markdown["id"] and "## Identity section" in markdown["en"]
    assert "| **Tanggal Pembuatan** | 30 Desember 2022 |" in markdown["id"]
    assert "| **Date created** | 30 December 2022 |" in markdown["en"]
    assert "| No | Uraian Kegiatan | Camat |" in markdown["id"]
    assert "| No. | Activity | Camat |" in markdown["en"]
    assert ("Simbol: ▭ proses, ◇ keputusan (penanggung jawab), ● ikut serta. Jumlah waktu "
            "baku: 12 jam 3 menit.") in markdown["id"]
    assert ("Symbols: ▭ process, ◇ decision (the responsible actor), ● attending. Total "
            "standard time: 12 hours 3 minutes.") in markdown["en"]
    mermaid = {code: in_language(code, lambda: render(spec, "mermaid")) for code in BOTH}
    assert '    mulai(["Mulai"])' in mermaid["id"] and '    e1(["Selesai"])' in mermaid["id"]
    assert '    mulai(["Start"])' in mermaid["en"] and '    e1(["End"])' in mermaid["en"]
    dot = in_language("en", lambda: render(spec, "dot"))
    assert '"mulai" [label="Start", shape=ellipse' in dot
    bpmn = {code: in_language(code, lambda: render(spec, "bpmn")) for code in BOTH}
    assert 'name="Mulai"' in bpmn["id"]
    assert "Pelaksana: Camat; Kelengkapan: Nota dinas; Waktu: 3 menit" in bpmn["id"]
    assert 'name="Start"' in bpmn["en"]
    assert "Actor: Camat; Requirements: Nota dinas; Time: 3 menit" in bpmn["en"]
    assert "outcome == 'Ya'" in bpmn["id"] and "outcome == 'Yes'" in bpmn["en"]
    assert 'id="StartEvent_1"' in bpmn["en"]  # ids are not translated


# -- the run: terminal, documents, the report in every format ------------------------

class Desk:
    """`alur` in one workspace with a played run, in the language asked for."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace

    def __call__(self, *args: str, lang: str = "id", at: str = "2026-01-07T10:00") -> Result:
        result = run_cli(*args, "--workspace", str(self.workspace),
                         env={"ALUR_NOW": at, "ALUR_USER": "", "COLUMNS": "200",
                              "ALUR_LANG": lang})
        assert result.exit_code == 0, f"{args}: {result.output}"
        return result


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    """A run of the example SOP: a note at step 1, the draft sent back with a note."""
    workspace = tmp_path / "kecamatan"
    assert run_cli("init", str(workspace)).exit_code == 0
    (workspace / "sops" / "contoh.yaml").write_text(SOP, encoding="utf-8")
    (workspace / "sops" / "logo.png").write_bytes(png())
    desk = Desk(workspace)
    desk("run", "start", "contoh-sop", "--as", "camat", at="2026-01-05T08:00")
    desk("step", "complete", "1", "perintah", "--as", "camat", "--note", "Lewat nota dinas",
         at="2026-01-05T08:02")
    desk("step", "complete", "1", "draft", "--as", "staf-1", at="2026-01-05T09:00")
    desk("step", "complete", "1", "koreksi", "--as", "camat", "--outcome", "Tidak", "--note",
         "Tabel capaian belum diisi", at="2026-01-05T10:00")
    yield desk


REPORT_WORDS = {
    "id": {"head": "Laporan run 1: SOP Contoh — unit darangdan, periode 0001/2026, status aktif",
           "columns": ["No", "Uraian", "Kegiatan", "Pelaksana", "Oleh", "Baku", "Nyata",
                       "Selisih", "Lebih", "Keterangan"],
           "total": "Total: baku 3 jam 3 menit, nyata 17 jam; 1 dari 4 langkah melebihi waktu "
                    "baku",
           "run": "Run: baku 17 jam 3 menit (jalur kritis SOP), nyata 17 jam dari mulai sampai "
                  "sekarang",
           "cells": ["Hasil: Tidak", "Catatan: Tabel capaian belum diisi",
                     "Membuat draft laporan (ke-2)"], "yes": "ya",
           "csv": ["no", "id", "tugas", "nama"], "csv_total": ["TOTAL", "RUN (jalur kritis)"],
           "completed": "selesai",
           "sheet": ["Laporan waktu: SOP Contoh",
                     "Unit darangdan, periode 0001/2026, status aktif"],
           "workbook": ["No", "Uraian Kegiatan", "Ke", "Pelaksana", "Oleh",
                        "Waktu baku (menit)", "Waktu nyata (menit)", "Selisih (menit)",
                        "Melebihi", "Keterangan"],
           "rows": ["Total", "Run (jalur kritis SOP / nyata)"]},
    "en": {"head": "Report of run 1: SOP Contoh — unit darangdan, period 0001/2026, status "
                   "active",
           "columns": ["No.", "Activity", "Actor", "By", "Standard", "Actual", "Difference",
                       "Exceeded", "Remarks"],
           "total": "Total: standard 3 hours 3 minutes, actual 17 hours; 1 of 4 steps over the "
                    "standard time",
           "run": "Run: standard 17 hours 3 minutes (the SOP's critical path), actual 17 hours "
                  "from the start until now",
           "cells": ["Outcome: Tidak", "Note: Tabel capaian belum diisi",
                     "Membuat draft laporan (attempt 2)"], "yes": "yes",
           "csv": ["no", "id", "task", "name"], "csv_total": ["TOTAL", "RUN (critical path)"],
           "completed": "completed",
           "sheet": ["Time report: SOP Contoh",
                     "Unit darangdan, period 0001/2026, status active"],
           "workbook": ["No.", "Activity", "Attempt", "Actor", "By", "Standard time (minutes)",
                        "Actual time (minutes)", "Difference (minutes)", "Over", "Remarks"],
           "rows": ["Total", "Run (the SOP's critical path / actual)"]},
}


@pytest.mark.parametrize("code", BOTH)
def test_the_report_as_a_table_csv_and_workbook(desk: Desk, tmp_path: Path, code: str) -> None:
    from openpyxl import load_workbook

    words = REPORT_WORDS[code]
    table = desk("report", "1", lang=code).stdout
    lines = table.splitlines()
    assert lines[0] == words["head"]
    assert lines[2].split() == words["columns"]
    assert words["total"] in lines and words["run"] in lines
    flat = " ".join(table.split())
    for cell in words["cells"]:
        assert cell in flat, cell
    assert "Dikoreksi bersama Sekcam" in flat  # the author's note, as written
    rows = list(csv.reader(io.StringIO(desk("report", "1", "--format", "csv",
                                            lang=code).stdout.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == words["csv"]
    assert [r[3] for r in rows[-2:]] == words["csv_total"]
    assert rows[3][-5:] == ["Tidak", "Tabel capaian belum diisi", "Dikoreksi bersama Sekcam",
                            words["completed"], ""]
    workbook = tmp_path / f"laporan-{code}.xlsx"
    desk("report", "1", "--format", "xlsx", "-o", str(workbook), lang=code)
    sheet = load_workbook(workbook).active
    assert sheet is not None
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "Run 1"
    assert [cells[0][0], cells[1][0]] == words["sheet"]
    assert cells[3] == words["workbook"]
    assert [row[1] for row in cells[-2:]] == words["rows"]
    assert cells[7][8] == words["yes"]  # the attempt over its standard time


def test_run_show_and_the_printed_documents_in_both_languages(desk: Desk) -> None:
    shown = {code: desk("run", "show", "1", lang=code).stdout for code in BOTH}
    assert re.search(r"^Unit / periode +darangdan / 0001/2026$", shown["id"], re.M)
    assert re.search(r"^Unit / period +darangdan / 0001/2026$", shown["en"], re.M)
    assert re.search(r"^Mulai +2026-01-05 08:00 oleh camat$", shown["id"], re.M)
    assert re.search(r"^Started +2026-01-05 08:00 by camat$", shown["en"], re.M)
    assert "versi 01e395c2e3ec" in shown["id"] and "version 01e395c2e3ec" in shown["en"]
    assert "(jalur kritis)" in shown["id"] and "(critical path)" in shown["en"]
    assert shown["id"].splitlines()[7].split()[:5] == ["No", "Uraian", "Kegiatan", "Status",
                                                       "Pelaksana"]
    assert shown["en"].splitlines()[7].split()[:4] == ["No.", "Activity", "Status", "Actor"]
    assert "Catatan: Lewat nota dinas" in shown["id"]
    assert "Note: Lewat nota dinas" in shown["en"]
    report = {code: desk("report", "1", "--format", "html", lang=code).stdout for code in BOTH}
    assert '<html lang="id">' in report["id"] and '<html lang="en">' in report["en"]
    assert "<h1>Laporan Waktu SOP Contoh</h1>" in report["id"]
    assert "<h1>Time Report of SOP Contoh</h1>" in report["en"]
    assert "content:'Halaman ' counter(page) ' dari ' counter(pages)" in report["id"]
    assert "content:'Page ' counter(page) ' of ' counter(pages)" in report["en"]
    assert "Laporan run 1, dicetak dari Alur pada 7 Januari 2026 10:00" in report["id"]
    assert "Report of run 1, printed from Alur on 7 January 2026 10:00" in report["en"]
    painted = {code: desk("run", "show", "1", "--format", "html", lang=code).stdout
               for code in BOTH}
    assert "periode 0001/2026, status aktif" in painted["id"]
    assert "period 0001/2026, status active" in painted["en"]
    assert '<div class="run-note">camat (Tidak): Tabel capaian belum diisi</div>' in painted["en"]


@pytest.mark.parametrize("code", BOTH)
def test_the_run_document(desk: Desk, code: str) -> None:
    from engine import reads
    from runners.app import App
    from runners.render.run_doc import run_document

    app = App(desk.workspace)
    try:
        view = app.read(lambda store: reads.run_view(store, app.env, 1, None, True))
    finally:
        app.close()
    now = dt.datetime(2026, 1, 7, 10, 0, tzinfo=app.tz)
    html = in_language(code, lambda: run_document(view, app.tz, now, None))
    assert f'<html lang="{code}">' in html
    heads = re.findall(r"<th>([^<]*)</th>", html.split('class="steps"')[1])
    if code == "id":
        assert "<h1>Pelaksanaan SOP Contoh</h1>" in html and '<div class="box">Logo</div>' in html
        assert heads[:6] == ["No", "Uraian Kegiatan", "Ke", "Status", "Pelaksana",
                             "Oleh / untuk"]
        assert "Run 1, dicetak dari Alur pada 7 Januari 2026 10:00" in html
        assert "<td>aktif</td>" in html and "<th>Unit / periode</th>" in html
        assert heads[-2:] == ["Telat", "Catatan"]
    else:
        assert "<h1>Execution of SOP Contoh</h1>" in html
        assert heads[:6] == ["No.", "Activity", "Try", "Status", "Actor", "By / for"]
        assert "Run 1, printed from Alur on 7 January 2026 10:00" in html
        assert "<td>active</td>" in html and "<th>Unit / period</th>" in html
        assert heads[-2:] == ["Late?", "Note"]
    assert ">Tabel capaian belum diisi<" in html  # the person's note, as written


# -- reminders -----------------------------------------------------------------------

def test_a_reminder_in_english() -> None:
    message = make_message(deadline=date(2026, 1, 30), working_days_left=18, attempt=2)
    assert subject(message) == ('[Alur] Reminder: step 3 "Menghimpun bahan laporan kinerja" is '
                                "2 hours 30 minutes late")
    assert body(message, BUDI) == (
        "Dear Budi Santoso,\n"
        "\n"
        "The SOP step below is your task and is past its deadline. Please finish\n"
        "it soon.\n"
        "\n"
        "SOP             : Penyusunan LAKIP Kecamatan (lakip)\n"
        "Unit            : Kecamatan Darangdan\n"
        "Period          : 2025\n"
        "Run             : 12\n"
        "Step            : 3. Menghimpun bahan laporan kinerja (attempt number 2)\n"
        "Deadline        : Monday, 5 January 2026 09:00 WIB\n"
        "Late by         : 2 hours 30 minutes (working time)\n"
        "Actor           : Kasi/Kasubbag: Budi Santoso (kasi-tapem)\n"
        "Run deadline    : Friday, 30 January 2026 (18 working days left)\n"
        "\n"
        "When it is done, record it in Alur with the command:\n"
        "    alur step complete 12 menghimpun --as kasi-tapem\n"
        "\n"
        "An automatic message from Alur.")


def test_a_reminder_in_bahasa_indonesia_and_in_english() -> None:
    message = make_message(**ESCALATION, service_due_at=dt.datetime(2026, 1, 6, 1, 0,
                                                                   tzinfo=dt.UTC),
                           service_left_minutes=-45, working_days_left=1,
                           deadline=date(2026, 1, 6))
    said = {code: in_language(code, lambda: (subject(message), body(message, SEKCAM)))
            for code in BOTH}
    assert said["id"][0] == ('[Alur] Eskalasi: langkah 3 "Menghimpun bahan laporan kinerja" '
                             "terlambat 2 jam 30 menit")
    assert said["en"][0] == ('[Alur] Escalation: step 3 "Menghimpun bahan laporan kinerja" is '
                             "2 hours 30 minutes late")
    flat = {code: " ".join(text.split()) for code, (_subject, text) in said.items()}
    for line in ("Yth. Drs. Asep Sunarya,", "sebagai atasan (Sekretaris Kecamatan), eskalasi "
                 "tingkat 1.", "Batas layanan : Selasa, 6 Januari 2026 08:00 WIB (terlambat "
                 "45 menit)", "Batas akhir run : Selasa, 6 Januari 2026 (sisa 1 hari kerja)",
                 "dengan perintah (cukup salah satu):", "Pesan otomatis dari Alur."):
        assert line in flat["id"], line
    for line in ("Dear Drs. Asep Sunarya,", "as the superior (Sekretaris Kecamatan), "
                 "escalation level 1.", "Service deadline : Tuesday, 6 January 2026 08:00 WIB "
                 "(45 minutes late)", "Run deadline : Tuesday, 6 January 2026 (1 working day "
                 "left)", "with the command (any one of them):",
                 "An automatic message from Alur."):
        assert line in flat["en"], line
    hook = in_language("en", lambda: payload(message, SEKCAM))
    assert (hook["subject"], hook["text"]) == said["en"]  # the payload's keys stay English
    assert hook["type"] == "alur.escalation" and "to_superior" in hook


def test_the_operator_is_told_of_a_failure_in_both_languages() -> None:
    failed = make_message(failure=NO_HOLDER)
    said = {code: in_language(code, lambda: (subject(failed), body(failed, SEKCAM)))
            for code in BOTH}
    assert said["id"][0] == ('[Alur] GAGAL TERKIRIM: pengingat run 12 langkah 3 "Menghimpun '
                             'bahan laporan kinerja"')
    assert said["en"][0] == ('[Alur] NOT DELIVERED: reminder of run 12, step 3 "Menghimpun '
                             'bahan laporan kinerja"')
    assert "Tidak ada seorang pun yang memegang peran ini" in said["id"][1]
    assert "Nobody holds this role in the roster." in said["en"][1]
    smtp = make_message(failure="kasi-tapem/email: SMTP 127.0.0.1:9: Connection refused")
    assert "Kesalahan terakhir: kasi-tapem/email: SMTP 127.0.0.1:9" in in_language(
        "id", lambda: body(smtp, SEKCAM))
    assert "Last error: kasi-tapem/email: SMTP 127.0.0.1:9" in body(smtp, SEKCAM)


def test_days_months_and_zones() -> None:
    due = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)
    assert in_language("id", lambda: format_moment(due, "Asia/Makassar")) == \
        "Senin, 5 Januari 2026 10:00 WITA"
    assert format_moment(due, "Asia/Makassar") == "Monday, 5 January 2026 10:00 WITA"
    assert format_moment(due, "Asia/Kolkata") == "Monday, 5 January 2026 07:30 UTC+5:30"
    assert [format_day(date(2026, 6, day)).split(",")[0] for day in range(1, 8)] == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    assert [format_day(date(2027, month, 1)).split()[2] for month in (5, 8, 12)] == [
        "May", "August", "December"]


def test_the_console_line_and_a_channels_error_in_both_languages() -> None:
    lines: list[str] = []
    channel = ConsoleChannel(lines.append)
    channel.send(make_message(), BUDI)
    in_language("id", lambda: channel.send(make_message(whole_run=True, late_minutes=45),
                                           BUDI))
    assert lines == [
        "[reminder] run 12 step 3 Menghimpun bahan laporan kinerja -> kasi-tapem "
        "(Kasi/Kasubbag), 2 hours 30 minutes late",
        "[pengingat] run 12 layanan -> kasi-tapem (Kasi/Kasubbag), terlambat 45 menit"]
    mail = EmailChannel(EmailSettings("127.0.0.1", 9, "none", "alur@darangdan.example", "", ""))
    nobody = dataclasses.replace(BUDI, email=None)
    with pytest.raises(ChannelError, match=r"^kasi-tapem has no e-mail address$"):
        mail.send(make_message(), nobody)
    with use_language("id"), pytest.raises(ChannelError,
                                           match=r"^kasi-tapem tidak punya alamat e-mail$"):
        mail.send(make_message(), nobody)


# -- the scheduler ---------------------------------------------------------------------

@pytest.mark.parametrize(("code", "lines"), [
    ("id", ["[pengingat] run 1 langkah 1 Memerintahkan penyusunan laporan -> camat (Camat), "
            "terlambat 117 menit", "pengingat 1 (tingkat 0) run 1 langkah 1 perintah -> camat: "
                                   "terkirim"]),
    ("en", ["[reminder] run 1 step 1 Memerintahkan penyusunan laporan -> camat (Camat), "
            "117 minutes late", "reminder 1 (level 0) run 1 step 1 perintah -> camat: sent"]),
])
def test_the_scheduler_speaks_its_language(tmp_path: Path, code: str,
                                           lines: list[str]) -> None:
    workspace = tmp_path / "kecamatan"
    assert run_cli("init", str(workspace)).exit_code == 0
    for bundled in (workspace / "sops").glob("*.yaml"):
        bundled.unlink()  # no scheduled starts: only the run below
    (workspace / "sops" / "contoh.yaml").write_text(BASE_SOP, encoding="utf-8")
    base = ("--workspace", str(workspace))
    started = run_cli("run", "start", "contoh-sop", "--as", "camat", *base,
                      env={"ALUR_NOW": "2026-01-05T08:00", "ALUR_USER": ""})
    assert started.exit_code == 0, started.output
    once = run_cli("scheduler", "--once", *base,
                   env={"ALUR_NOW": "2026-01-05T10:00", "ALUR_LANG": code})
    assert once.exit_code == 0, once.output
    for line in lines:
        assert line in once.stdout.splitlines(), once.stdout


def test_a_finished_run_says_its_status_once(desk: Desk) -> None:
    desk("step", "complete", "1", "draft", "--as", "staf-1", at="2026-01-05T11:00")
    desk("step", "complete", "1", "koreksi", "--as", "camat", "--outcome", "Ya",
         at="2026-01-05T11:30")
    desk("step", "complete", "1", "kirim", "--as", "staf-1", at="2026-01-06T09:00")
    shown = desk("run", "show", "1").stdout
    assert re.search(r"^Status +selesai$", shown, re.M), shown  # not `selesai (selesai)`
    assert re.search(r"^Status +completed$", desk("run", "show", "1", lang="en").stdout, re.M)
    head = desk("report", "1").stdout.splitlines()[0]
    assert head.endswith("periode 0001/2026, status selesai"), head
    assert desk("report", "1", lang="en").stdout.splitlines()[0].endswith(
        "period 0001/2026, status completed")
