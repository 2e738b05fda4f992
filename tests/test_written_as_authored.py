"""What the author wrote is what is printed: durations as written, notes (the activity's and
each task's), the unit's logo and heading on printed documents, CSV as Excel in Indonesia
opens it, and the audit trail in words people read."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import shutil
import struct
import subprocess
import zlib
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import Result

from engine.durations import Duration, parse_duration
from engine.errors import SopValidationError
from engine.loader import load_sop_file, load_sop_text
from runners.i18n import use_language
from runners.render.labels import duration_text
from tests.conftest import BASE_SOP, run_cli

ORGANIZATION = ("  name: Kecamatan Contoh\n  parent: Kabupaten Contoh\n"
                "  address: Jl. Raya Contoh Km 1\n  logo: logo.png\n")
SOP = (BASE_SOP.replace("  name: Kecamatan Contoh\n", ORGANIZATION)
       .replace("    duration: 60 menit\n",
                "    duration: 60 menit\n    note: Dikoreksi bersama Sekcam\n")
       .replace("    duration: 1 hari\n", "    duration: 2  hari   kerja\n"))
assert SOP.count("Dikoreksi") == 1 and SOP.count("2  hari   kerja") == 1
LOGO_LINE = SOP.splitlines().index("  logo: logo.png") + 1


def png(width: int = 4, height: int = 4) -> bytes:
    """A small red PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                             0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class Desk:
    """`alur` in one workspace, with the clock set by ALUR_NOW."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace

    def __call__(self, *args: str, at: str = "2026-01-07T10:00", ok: bool = True) -> Result:
        result = run_cli(*args, "--workspace", str(self.workspace),
                         env={"ALUR_NOW": at, "ALUR_USER": "", "COLUMNS": "200"})
        if ok:
            assert result.exit_code == 0, f"{args}: {result.output}"
        return result


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    workspace = tmp_path / "kecamatan"
    assert run_cli("init", str(workspace)).exit_code == 0
    (workspace / "sops" / "contoh.yaml").write_text(SOP, encoding="utf-8")
    (workspace / "sops" / "logo.png").write_bytes(png())
    return Desk(workspace)


def played(desk: Desk) -> Desk:
    """A run of the example SOP: a note at step 1, the draft sent back with a note."""
    desk("run", "start", "contoh-sop", "--as", "camat", at="2026-01-05T08:00")
    desk("step", "complete", "1", "perintah", "--as", "camat", "--note", "Lewat nota dinas",
         at="2026-01-05T08:02")
    desk("step", "complete", "1", "draft", "--as", "staf-1", at="2026-01-05T09:00")
    desk("step", "complete", "1", "koreksi", "--as", "camat", "--outcome", "Tidak", "--note",
         "Tabel capaian belum diisi", at="2026-01-05T10:00")
    return desk


def test_a_duration_keeps_its_text_and_still_counts() -> None:
    hour = parse_duration("1 jam")
    assert (str(hour), hour.computed) == ("1 jam", "60 minutes")  # the engine speaks English
    assert hour == Duration(60) == parse_duration("60 menit")
    assert hash(hour) == hash(Duration(60)) and {hour, Duration(60)} == {hour}
    assert str(parse_duration("2  hari   kerja")) == "2 hari kerja"  # spacing only
    assert str(parse_duration("10menit")) == "10 menit"
    assert str(parse_duration("60")) == "60 menit"  # a bare number is minutes
    assert str(parse_duration("1,5 Jam")) == "1,5 Jam"
    total = hour + parse_duration("2 hari kerja")
    assert total == Duration(60, Fraction(2)) and str(total) == "2 working days + 60 minutes"
    with use_language("id"):  # a sum nobody wrote is said in the reader's language
        assert (duration_text(total), duration_text(hour)) == ("2 hari kerja + 60 menit",
                                                               "1 jam")


@pytest.mark.usefixtures("bahasa")
def test_sop_show_and_the_documents_print_durations_as_written(desk: Desk) -> None:
    shown = desk("sop", "show", "contoh-sop").stdout
    rows = {line.split()[0]: line for line in shown.splitlines() if re.match(r"\d+  ", line)}
    assert re.search(r"  1 jam( |$)", rows["2"]) and re.search(r"  60 menit( |$)", rows["3"])
    assert re.search(r"  2 hari kerja( |$)", rows["4"])
    assert "total waktu baku: 2 hari kerja + 2 jam 3 menit" in shown  # computed
    markdown = desk("sop", "render", "contoh-sop", "--format", "md").stdout
    assert "| 1 jam |" in markdown and "| 2 hari kerja |" in markdown
    html = desk("sop", "render", "contoh-sop").stdout
    assert '<div class="dur">1 jam</div>' in html and '<div class="dur">2 hari kerja</div>' in html
    data = json.loads(desk("sop", "show", "contoh-sop", "--json").stdout)
    assert [a["duration_minutes"] for a in data["activities"]] == [3, 60, 60, None]
    assert data["activities"][3]["duration_days"] == 2.0
    assert data["organization"]["logo"] == "logo.png"


@pytest.mark.usefixtures("bahasa")
def test_notes_of_activities_and_tasks_are_shown(desk: Desk) -> None:
    played(desk)
    shown = desk("run", "show", "1").stdout
    assert "Catatan: Lewat nota dinas" in shown and "Catatan: Tabel capaian belum diisi" in shown
    table = desk("report", "1").stdout
    header = next(line for line in table.splitlines() if line.startswith("No "))
    assert header.split()[-1] == "Keterangan"
    koreksi = table[table.index("Mengoreksi draft"):]
    assert "Dikoreksi bersama Sekcam" in koreksi and "Hasil: Tidak" in koreksi
    assert "Catatan: Tabel capaian belum diisi" in koreksi
    steps = json.loads(desk("report", "1", "--format", "json").stdout)["steps"]
    assert (steps[2]["activity_note"], steps[2]["note"], steps[2]["outcome"]) == (
        "Dikoreksi bersama Sekcam", "Tabel capaian belum diisi", "Tidak")
    painted = desk("run", "show", "1", "--format", "html").stdout
    assert '<div class="run-note">camat: Lewat nota dinas</div>' in painted
    assert '<div class="run-note">camat (Tidak): Tabel capaian belum diisi</div>' in painted
    assert '<div class="note">Dikoreksi bersama Sekcam</div>' in painted


def test_the_logo_is_embedded_in_the_documents(desk: Desk) -> None:
    played(desk)
    inline = "data:image/png;base64," + base64.b64encode(png()).decode()
    assert f'<img class="logo-img" src="{inline}"' in desk("sop", "render", "contoh-sop").stdout
    assert inline in desk("run", "show", "1", "--format", "html").stdout
    report = desk("report", "1", "--format", "html").stdout
    assert f'<td class="mark"><img src="{inline}"' in report
    for words in ("KABUPATEN CONTOH", "KECAMATAN CONTOH", "Jl. Raya Contoh Km 1",
                  "Tabel capaian belum diisi", "Dikoreksi bersama Sekcam"):
        assert words in report, words
    without = SOP.replace("  logo: logo.png\n", "")
    (desk.workspace / "sops" / "contoh.yaml").write_text(without, encoding="utf-8")
    assert '<div class="logo">Logo</div>' in desk("sop", "render", "contoh-sop").stdout


def test_a_logo_in_the_workspace_folder_is_found(desk: Desk) -> None:
    (desk.workspace / "sops" / "logo.png").rename(desk.workspace / "logo.png")
    assert desk("sop", "validate").exit_code == 0
    assert "data:image/png;base64," in desk("sop", "render", "contoh-sop").stdout


@pytest.mark.parametrize(("logo", "content", "words"), [
    ("hilang.png", None, "`logo`: no file `hilang.png` in "),
    ("foto.png", b"\xff\xd8\xff\xe0" + b"0" * 64, "is named .png but is a JPEG"),
    ("logo.svg", png(), "is named .svg but is a PNG image"),
    ("besar.png", png() + b"\0" * (1024 * 1024), "a logo may be at most 1 MB"),
    ("logo.jpg", b"\xff\xd8\xff\xe0", "`logo` must name a PNG or SVG file (.png or .svg), "
                                      "not `logo.jpg`"),
])
def test_a_wrong_logo_is_reported_at_its_line(tmp_path: Path, logo: str, content: bytes | None,
                                              words: str) -> None:
    sop = tmp_path / "contoh.yaml"
    sop.write_text(SOP.replace("logo: logo.png", f"logo: {logo}"), encoding="utf-8")
    if content is not None:
        (tmp_path / logo).write_bytes(content)
    with pytest.raises(SopValidationError) as caught:
        load_sop_file(sop)
    problem = caught.value.problems[0]
    assert (problem.line, problem.column) == (LOGO_LINE, 9)
    assert words in problem.message
    result = run_cli("sop", "validate", str(sop))
    assert result.exit_code == 1 and f"contoh.yaml:{LOGO_LINE}:9: " in result.stdout


def test_an_svg_logo_and_the_text_loader(tmp_path: Path) -> None:
    svg = tmp_path / "lambang.svg"
    svg.write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>\n',
                   encoding="utf-8")
    text = SOP.replace("logo: logo.png", "logo: lambang.svg")
    (tmp_path / "contoh.yaml").write_text(text, encoding="utf-8")
    assert load_sop_file(tmp_path / "contoh.yaml").spec.organization.logo == "lambang.svg"
    # the text alone: no folder to look in, so only the name is checked
    assert load_sop_text(SOP.replace("logo.png", "tidak-ada.png")).spec.organization.logo == \
        "tidak-ada.png"
    with pytest.raises(SopValidationError, match="must name a PNG or SVG file"):
        load_sop_text(SOP.replace("logo.png", "logo.gif"))


def test_run_and_report_print_to_pdf_under_the_kop(desk: Desk, tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    played(desk)
    run_pdf, report_pdf = tmp_path / "run.pdf", tmp_path / "laporan.pdf"
    assert desk("run", "show", "1", "--format", "pdf", "-o", str(run_pdf)).stdout == \
        f"Wrote {run_pdf}\n"
    desk("report", "1", "--format", "pdf", "-o", str(report_pdf))
    for pdf in (run_pdf, report_pdf):
        assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        return
    for pdf, title in ((run_pdf, "EXECUTION OF SOP CONTOH"), (report_pdf, "TIME REPORT OF SOP")):
        text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                       text=True, check=True).stdout.split())
        for words in ("KABUPATEN CONTOH", "KECAMATAN CONTOH", "Jl. Raya Contoh Km 1", title,
                      "Tabel capaian belum diisi"):
            assert words in text, (pdf.name, words)


def test_csv_opens_in_columns_in_excel_and_plain_for_programs(desk: Desk) -> None:
    played(desk)
    excel = desk("report", "1", "--format", "csv").stdout_bytes
    assert excel.startswith(b"\xef\xbb\xbfno;id;task;name;")
    rows = list(csv.reader(io.StringIO(excel.decode("utf-8-sig")), delimiter=";"))
    koreksi = next(r for r in rows if r[1] == "koreksi")
    assert koreksi[-5:] == ["Tidak", "Tabel capaian belum diisi", "Dikoreksi bersama Sekcam",
                            "completed", ""]
    plain = desk("report", "1", "--format", "csv", "--csv-sep", ",").stdout_bytes
    assert plain.startswith(b"no,id,task,") and list(csv.reader(io.StringIO(plain.decode()))) \
        == rows
    history = desk("history", "--format", "csv").stdout_bytes
    assert history.startswith(b"\xef\xbb\xbfseq;run;step;attempt;event;actor;at;")
    assert desk("history", "--format", "csv", "--csv-sep", ",").stdout.startswith("seq,run,")
    assert "UTF-8 byte order mark" in " ".join(desk("report", "--help").stdout.split())


def test_the_history_table_reads_as_words(desk: Desk) -> None:
    desk("run", "start", "legalisasi-sktm", "--as", "staf-1", "--received", "--field",
         "pemohon=Siti Aminah", "--field", "nik=3214015708900001", "--field",
         "keperluan=berobat", at="2026-01-07T09:20")
    out = desk("history").stdout
    flat = " ".join(out.split())
    assert "fields=keperluan: Berobat, nik: sha256:" in flat and "pemohon: Siti Aminah" in flat
    assert "…" in flat and "SOP hash=" in flat
    digest = flat.split("nik: sha256:")[1].split("…")[0]
    assert len(digest) == 12  # cut, not the whole 64 digits
    assert "due=07-01 " in flat  # local and short, not 2026-01-07T02:20:00+00:00
    for raw in ("{", "[", "'", "+00:00", "False", "True", "3214015708900001"):
        assert raw not in out, raw
