"""Evidence through the CLI: `alur step complete --attach`, `alur evidence list|get`, and
`alur audit verify` checking the files (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import run_cli
from tests.evidence_kit import REFUSED, image, pdf, xlsx

REPORT, PHOTO, SHEET = pdf("Format LAKIP"), image("JPEG"), xlsx()


class Desk:
    """`alur` in one workspace and database, at 08:00 on Monday 5 January 2026."""

    def __init__(self, workspace: Path, db_url: str) -> None:
        self.workspace = workspace
        self.db_url = db_url

    def __call__(self, *args: str, ok: bool = True, lang: str = "en") -> Result:
        result = run_cli(*args, "--workspace", str(self.workspace), "--db", self.db_url,
                         env={"ALUR_NOW": "2026-01-05T08:30", "ALUR_USER": "",
                              "ALUR_LANG": lang})
        if ok:
            assert result.exit_code == 0, f"{args}: {result.output}"
        return result

    def file(self, name: str, content: bytes) -> str:
        path = self.workspace.parent / "files" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        return str(path)


@pytest.fixture
def desk(tmp_path: Path, db_url: str) -> Desk:
    workspace = tmp_path / "kecamatan"
    result = run_cli("init", str(workspace), "--db", db_url)
    assert result.exit_code == 0, result.output
    alur = Desk(workspace, db_url)
    alur("run", "start", "pengumpulan-data-kinerja", "--period", "2025", "--as", "camat",
         "--at", "2026-01-05T08:00")
    return alur


def test_a_step_is_completed_with_its_files(desk: Desk) -> None:
    done = desk("step", "complete", "1", "perintah", "--as", "camat",
                "--attach", desk.file("Perintah Camat.pdf", REPORT),
                "--attach", desk.file("foto rapat.jpeg", PHOTO))
    report = hashlib.sha256(REPORT).hexdigest()
    assert done.stdout.splitlines()[1:3] == [
        f"Attached: Perintah Camat.pdf (PDF, {len(REPORT)} B, SHA-256 {report[:12]})",
        f"Attached: foto rapat.jpeg (JPEG, {len(PHOTO)} B, SHA-256 "
        f"{hashlib.sha256(PHOTO).hexdigest()[:12]})"]
    shown = json.loads(desk("step", "complete", "1", "format", "--as", "sekcam", "--json",
                            "--attach", desk.file("format.xlsx", SHEET)).stdout)
    assert shown["evidence"] == [{"id": 3, "name": "format.xlsx", "size": len(SHEET),
                                  "type": "application/vnd.openxmlformats-officedocument."
                                          "spreadsheetml.sheet",
                                  "sha256": hashlib.sha256(SHEET).hexdigest()}]
    listed = json.loads(desk("evidence", "list", "1", "--json").stdout)
    assert [(f["id"], f["task"], f["name"], f["attached_by"]) for f in listed] == [
        (1, "perintah", "Perintah Camat.pdf", "camat"), (2, "perintah", "foto rapat.jpeg", "camat"),
        (3, "format", "format.xlsx", "sekcam")]
    assert listed[0]["attached_at"] == "2026-01-05T08:30:00+07:00"
    table = desk("evidence", "list", "1").stdout
    assert "Perintah Camat.pdf" in table and "xlsx" in table
    assert table.splitlines()[0].split()[:5] == ["Id", "Step", "File", "Type", "Size"]
    verified = desk("audit", "verify").stdout
    assert verified.splitlines()[1] == "Evidence intact: 3 files checked against their SHA-256."
    history = desk("history", "--run", "1", "--event", "step_completed").stdout
    assert (f"files=Perintah Camat.pdf (PDF, {len(REPORT)} B), foto rapat.jpeg (JPEG, "
            f"{len(PHOTO)} B)") in " ".join(history.split())
    assert "via=" not in history  # the command line is the channel it does not name


def test_a_refused_file_refuses_the_completion_and_keeps_nothing(desk: Desk) -> None:
    refused = desk("step", "complete", "1", "perintah", "--as", "camat",
                   "--attach", desk.file("laporan.pdf", REPORT),
                   "--attach", desk.file("makro.docm", REFUSED["makro.docm"]), ok=False)
    assert refused.exit_code == 1
    assert refused.stderr == ("Error: `makro.docm` is not a file Alur keeps as evidence (it "
                              "looks like zip); accepted, as recognised by their content: "
                              "PDF, JPEG, PNG, docx, xlsx, odt, ods\n")
    assert desk("evidence", "list", "1").stdout == "Run 1 has no files.\n"
    shown = json.loads(desk("run", "show", "1", "--json").stdout)
    assert shown["active_steps"] == ["perintah"]


def test_the_size_limit_is_the_web_setting(desk: Desk) -> None:
    settings = desk.workspace / "alur.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "max_upload_mb = 20", "max_upload_mb = 1"), encoding="utf-8")
    big = desk.file("besar.pdf", REPORT + b"\0" * (1024 * 1024))
    refused = desk("step", "complete", "1", "perintah", "--as", "camat", "--attach", big,
                   ok=False)
    assert refused.stderr == ("Error: `besar.pdf` is 1.1 MB; an evidence file may be at most "
                              "1 MB\n")
    missing = desk("step", "complete", "1", "perintah", "--as", "camat", "--attach",
                   str(desk.workspace / "tidak-ada.pdf"), ok=False)
    assert missing.exit_code == 2 and "does not exist" in missing.stderr


def test_files_are_written_out_and_never_over_others(desk: Desk, tmp_path: Path) -> None:
    desk("step", "complete", "1", "perintah", "--as", "camat",
         "--attach", desk.file("laporan.pdf", REPORT),
         "--attach", desk.file("laporan.PDF", pdf("lain")))
    out = tmp_path / "unduhan"
    out.mkdir()
    got = desk("evidence", "get", "1", "perintah", "-o", str(out))
    assert got.stdout == (f"Wrote {out / 'laporan.pdf'}\nWrote {out / 'laporan (2).PDF'}\n")
    assert (out / "laporan.pdf").read_bytes() == REPORT
    assert (out / "laporan (2).PDF").read_bytes() == pdf("lain")
    (out / "laporan (2).PDF").write_bytes(b"mine")
    again = desk("evidence", "get", "1", "1", "-o", str(out), ok=False)
    assert again.exit_code == 1 and "exists already; give --force" in again.stderr
    assert (out / "laporan (2).PDF").read_bytes() == b"mine"  # nothing written at all
    desk("evidence", "get", "1", "1", "-o", str(out), "--force")
    assert (out / "laporan (2).PDF").read_bytes() == pdf("lain")
    assert desk("evidence", "get", "1", "format", "-o", str(out)).stdout == (
        "Step `format` of run 1 has no files.\n")
    unknown = desk("evidence", "get", "1", "nope", ok=False)
    assert unknown.exit_code == 1 and "run 1 has no step `nope`" in unknown.stderr
    made = desk("evidence", "get", "1", "perintah", "-o", str(tmp_path / "arsip"))
    assert made.stdout.startswith(f"Made the folder {tmp_path / 'arsip'}\n")
    assert any((tmp_path / "arsip").iterdir())  # the step's files, written into it
    deeper = desk("evidence", "get", "1", "perintah", "-o", str(tmp_path / "x" / "y"),
                  ok=False)
    assert deeper.exit_code == 1 and f"the folder {tmp_path / 'x'} does not exist" in \
        deeper.stderr
    (tmp_path / "berkas").write_text("a file")
    not_folder = desk("evidence", "get", "1", "perintah", "-o", str(tmp_path / "berkas"),
                      ok=False)
    assert not_folder.exit_code == 1 and "it is not a folder" in not_folder.stderr


def behind_alurs_back(db_url: str, sql: str, **values: object) -> None:
    """Change the database as someone with its file or password could."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text(sql), values)
    engine.dispose()


def test_a_stored_name_is_made_safe_when_written(desk: Desk, tmp_path: Path) -> None:
    desk("step", "complete", "1", "perintah", "--as", "camat",
         "--attach", desk.file("laporan.pdf", REPORT))
    behind_alurs_back(desk.db_url, "UPDATE evidence SET name = '../../../etc/cron.d/x.pdf'")
    out = tmp_path / "unduhan"
    out.mkdir()
    assert desk("evidence", "get", "1", "perintah", "-o", str(out)).stdout == (
        f"Wrote {out / 'x.pdf'}\n")
    broken = desk("audit", "verify", ok=False)
    assert broken.exit_code == 1
    assert broken.stderr == ("Error: run 1 holds file `../../../etc/cron.d/x.pdf` that no audit "
                             "event names (attached or changed afterwards)\n")


def test_audit_verify_names_a_changed_file(desk: Desk) -> None:
    desk("step", "complete", "1", "perintah", "--as", "camat",
         "--attach", desk.file("laporan.pdf", REPORT))
    behind_alurs_back(desk.db_url, "UPDATE evidence_blobs SET content = :changed",
                      changed=REPORT + b" ")
    for scope in ((), ("--run", "1")):
        broken = desk("audit", "verify", *scope, ok=False)
        assert broken.exit_code == 1 and broken.stdout == ""
        assert broken.stderr == ("Error: file `laporan.pdf` of run 1 (step `perintah`) does "
                                 "not match its SHA-256: its content was changed after it was "
                                 "stored\n")


def test_a_refusal_in_bahasa_indonesia(desk: Desk) -> None:
    refused = desk("step", "complete", "1", "perintah", "--as", "camat",
                   "--attach", desk.file("halaman.html", REFUSED["halaman.html"]), ok=False,
                   lang="id")
    assert refused.stderr == ("Kesalahan: `halaman.html` bukan berkas yang disimpan Alur sebagai "
                              "bukti; yang diterima, dikenali dari isinya: PDF, JPEG, PNG, "
                              "docx, xlsx, odt, ods\n")
    done = desk("step", "complete", "1", "perintah", "--as", "camat", "--attach",
                desk.file("laporan.pdf", REPORT), lang="id")
    assert f"Dilampirkan: laporan.pdf (PDF, {len(REPORT)} B, SHA-256 " in done.stdout
    assert desk("audit", "verify", lang="id").stdout.splitlines()[1] == (
        "Bukti utuh: 1 berkas diperiksa terhadap SHA-256-nya.")
