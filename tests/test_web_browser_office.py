"""The office on the web as a new user sets it up: `alur init`, `alur user password` for the
people, `alur web`, then on a phone (Chromium at 360 px) every step played by the roster's
own people, each logged in as themselves, on SQLite and on PostgreSQL:

- the whole LAKIP run (13 steps; the Camat sends the draft back once with "Tidak", then
  "Ya"), files uploaded at some steps;
- a parallel run (perencanaan-kinerja): the five Kasi and the Kasubbag Kepegawaian each
  supply their own part, and the compilation becomes active once, after the last;
- a service SOP (legalisasi-sktm) started at the front desk with the applicant's data, then
  completed.

The server's clock moves on between the steps (the server restarts at the new time), so
that every completion has its own time. Afterwards the CLI tells the same story: `alur
audit verify` passes (events and files) and `alur run show` names who completed each step,
when, and with which outcome.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from engine.loader import load_sop_file
from tests.conftest import DATABASES, SOPS
from tests.web_kit import (
    PHONE,
    Office,
    Visitor,
    chromium,
    console_errors,
    database,
    fresh,
    said,
)
from tests.web_site import PDF, PNG

pytestmark = pytest.mark.slow

PEOPLE = ("camat", "sekcam", "kasi-tapem", "staf-1", "staf-2", "kasubbag-umum",
          "kasubbag-perencanaan", "kasi-ekbang", "kasi-pmd", "kasi-trantib", "kasi-kesos")


@dataclass(frozen=True)
class Done:
    """A step as its person completed it in the browser."""

    step: str
    person: str
    at: dt.datetime
    outcome: str | None = None
    note: str | None = None
    files: tuple[str, ...] = ()


@pytest.fixture(scope="module", params=DATABASES)
def office(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    folder = tmp_path_factory.mktemp(f"kecamatan-{request.param}")
    with database(request.param, folder) as url:
        place = Office(folder / "darangdan", url)  # alur init, as the README says
        place.passwords(*PEOPLE)  # alur user password PERSON, once per person
        place.serve()  # alur web
        try:
            yield place
        finally:
            place.stop()


@pytest.fixture(scope="module")
def phone() -> Iterator[Any]:
    with chromium(PHONE) as browser:
        yield browser


@pytest.fixture
def visitor(phone: Any, office: Office) -> Visitor:
    return fresh(phone, office)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the people upload: scans (PDF), a photo (PNG), a spreadsheet (xlsx)."""
    from openpyxl import Workbook

    folder = tmp_path_factory.mktemp("berkas")
    for name in ("nota dinas.pdf", "draft LAKIP.pdf", "catatan koreksi.pdf",
                 "LAKIP 2025 ditandatangani.pdf", "berkas pemohon.pdf",
                 "SKTM dilegalisasi.pdf", "rekap triwulan.pdf"):
        (folder / name).write_bytes(PDF)
    (folder / "foto rapat.png").write_bytes(PNG)
    book = Workbook()
    book.active.append(["Seksi", "Capaian"])
    book.active.append(["Tata Pemerintahan", 97])
    book.save(folder / "data seksi.xlsx")
    return folder


def start_run(visitor: Visitor, sop: str, fields: dict[str, str] | None = None,
              received: bool = False, period: str = "") -> int:
    """Start a run from the runs page, as its form asks; the new run's id."""
    visitor.go("/run")
    choice = visitor.find("select#mulai")
    choice.find_element("css selector", f"option[value='{sop}']").click()
    visitor.submit(visitor.find("form[action='/run'] button[type=submit]"))
    assert visitor.path == f"/run?mulai={sop}"
    if period:
        visitor.find("#period").send_keys(period)
    for key, value in (fields or {}).items():
        field = visitor.find(f"[name='field.{key}']")
        if field.tag_name == "select":
            field.find_element("css selector", f"option[value='{value}']").click()
        else:
            field.send_keys(value)
    if received:
        visitor.find("input[name=received]").click()
    visitor.submit(visitor.find("form[method=post][action='/run'] button[type=submit]"))
    run = visitor.path.removeprefix("/run/")
    assert run.isdigit(), (visitor.path, visitor.text())
    return int(run)


class Player:
    """The people of the roster playing one run, each on their turn."""

    def __init__(self, visitor: Visitor, office: Office, sop: str, run: int) -> None:
        self.visitor, self.office, self.run = visitor, office, run
        self.names = {a.id: a.name for a in load_sop_file(SOPS / f"{sop}.yaml").spec.activities}

    def __call__(self, person: str, step: str, outcome: str | None = None, note: str = "",
                 upload: tuple[Path, ...] = (), minutes: int = 25) -> Done:
        """Some minutes later, ``person`` logs in, finds the step in "Tugas saya" and
        completes it from its page."""
        visitor, office = self.visitor, self.office
        office.later(minutes)
        visitor.be(person)
        links = visitor.task_links(self.run)
        cards = {link: visitor.find(f"#tasks a[href='{link}']").text for link in links}
        mine = [link for link, card in cards.items() if self.names[step] in card]
        assert len(mine) == 1, (person, step, cards)
        notice = visitor.complete(mine[0], outcome=outcome, note=note, files=upload)
        assert notice == said("Done: the step is completed."), (person, step, notice)
        return Done(step, person, office.now, outcome, note or None,
                    tuple(f.name for f in upload))


def the_cli_tells_the_same(office: Office, run: int, done: list[Done]) -> None:
    """`alur audit verify` passes; `alur run show` and `alur evidence list` tell what the
    browser did: who completed each step, when, with which outcome, note and files."""
    verified = office.cli("audit", "verify")
    assert "intact" in verified.stdout, verified.stdout
    shown = json.loads(office.cli("run", "show", str(run), "--json").stdout)
    assert shown["status"] == "completed"
    told = sorted(((s["id"], s["completed_by"], dt.datetime.fromisoformat(s["completed_at"]),
                    s["outcome"], s["note"]) for s in shown["steps"]
                   if s["status"] == "completed" and s["completed_by"]),
                  key=lambda row: row[2])
    assert told == [(d.step, d.person, d.at.replace(tzinfo=told[0][2].tzinfo), d.outcome,
                     d.note) for d in done]
    listed = json.loads(office.cli("evidence", "list", str(run), "--json").stdout)
    assert sorted(f["name"] for f in listed) == sorted(n for d in done for n in d.files)
    events = json.loads(office.cli("history", "--run", str(run), "--format", "json").stdout)
    completed = [e for e in events if e["event"] == "step_completed"]
    assert len(completed) == len(done)
    assert {e["data"]["channel"] for e in completed} == {"web"}
    assert [e["actor"] for e in completed] == [d.person for d in done]


def test_the_whole_lakip_run_played_by_its_people(visitor: Visitor, office: Office,
                                                  files: Path) -> None:
    visitor.be("camat")
    run = start_run(visitor, "pengumpulan-data-kinerja", period="2025")
    play = Player(visitor, office, "pengumpulan-data-kinerja", run)
    assert "2025" in visitor.text(".meta")
    done = [
        play("camat", "perintah", note="Segera disusun.",
             upload=(files / "nota dinas.pdf",)),
        play("sekcam", "format"),
        play("kasi-tapem", "himpun", upload=(files / "data seksi.xlsx",)),
        play("sekcam", "analisis"),
        play("staf-1", "draft", upload=(files / "draft LAKIP.pdf",)),
        play("camat", "koreksi", outcome="Tidak",
             note="Capaian IKU 3 belum ada.", upload=(files / "catatan koreksi.pdf",)),
        play("staf-1", "draft", note="IKU 3 sudah ditambahkan.",
             upload=(files / "draft LAKIP.pdf",)),
        play("camat", "koreksi", outcome="Ya", note="Sudah benar."),
        play("camat", "rapat-finalisasi",
             upload=(files / "foto rapat.png",)),
        play("sekcam", "ajukan"),
        play("camat", "tanda-tangan",
             upload=(files / "LAKIP 2025 ditandatangani.pdf",)),
        play("camat", "tanda-tangan-2"),
        play("staf-2", "surat-pengantar"),
        play("staf-2", "penggandaan"),
        play("staf-2", "pengiriman", note="Dikirim ke Bagian Organisasi."),
    ]
    visitor.go(f"/run/{run}")
    assert len(visitor.finds(".flow .box.state-done")) == 13
    assert visitor.finds(".badge.status-completed")
    timeline = visitor.text(".timeline")
    assert "Capaian IKU 3 belum ada." in timeline and "Contoh Staf Dua" in timeline
    visitor.go(f"/laporan/{run}")
    assert visitor.finds(".notice.ok")  # the audit trail holds, files included
    assert console_errors(visitor.browser) == []
    visitor.log_out()
    the_cli_tells_the_same(office, run, done)


def test_a_parallel_run_joins_once_after_every_part(visitor: Visitor, office: Office,
                                                    files: Path) -> None:
    visitor.be("camat")
    run = start_run(visitor, "perencanaan-kinerja")  # the period the SOP expects (2025-Q4)
    play = Player(visitor, office, "perencanaan-kinerja", run)
    done = [play("camat", "perintah"),
            play("sekcam", "format")]
    parts = ("kasi-ekbang", "kasi-tapem", "kasi-pmd", "kasi-trantib", "kasi-kesos")
    for number, kasi in enumerate(parts):
        done.append(play(kasi, "data-seksi",
                         upload=(files / "data seksi.xlsx",), minutes=10 + number))
        visitor.go(f"/run/{run}")  # each of the others still has their own part
        open_parts = visitor.finds(".cards .card.status-active")
        assert len(open_parts) == len(parts) - number  # the Kasi left, and the Kepegawaian
    visitor.be("kasubbag-perencanaan")
    assert visitor.task_links(run) == []  # the compilation waits for the staffing data
    done.append(play("kasubbag-umum", "data-kepegawaian"))
    visitor.be("kasubbag-perencanaan")
    assert len(visitor.task_links(run)) == 1  # the join: one compilation, once
    done += [
        play("kasubbag-perencanaan", "kompilasi",
             upload=(files / "rekap triwulan.pdf",)),
        play("sekcam", "verifikasi", outcome="Ya"),
        play("camat", "persetujuan", outcome="Ya", note="Disetujui."),
        play("kasubbag-perencanaan", "dokumentasi"),
    ]
    shown = json.loads(office.cli("run", "show", str(run), "--json").stdout)
    assert [s["id"] for s in shown["steps"]].count("kompilasi") == 1
    assert {s["task"] for s in shown["steps"] if s["id"] == "data-seksi"} == {
        f"data-seksi/{kasi}" for kasi in parts}
    visitor.log_out()
    the_cli_tells_the_same(office, run, done)


def test_a_service_run_started_at_the_desk_with_the_applicants_data(
        visitor: Visitor, office: Office, files: Path) -> None:
    visitor.be("staf-1")  # at the PATEN front desk
    run = start_run(visitor, "legalisasi-sktm", received=True, fields={
        "pemohon": "Siti Aminah", "nik": "3214014506900001",
        "alamat": "Kp. Cisaat RT 02/RW 05, Desa Darangdan", "telepon": "081234567890",
        "keperluan": "Sekolah"})
    facts = visitor.text(".facts")
    assert "Siti Aminah" in facts and "3214014506900001" in facts and "Sekolah" in facts
    play = Player(visitor, office, "legalisasi-sktm", run)
    register = json.loads(office.cli("run", "show", str(run), "--json").stdout)["register"]
    assert register.endswith("/SKTM/I/2026") and register in visitor.text(".meta")
    done = [
        Done("pengajuan", "staf-1", office.now),  # received at the desk, recorded at start
        play("staf-1", "periksa", outcome="Lengkap",
             upload=(files / "berkas pemohon.pdf",)),
        play("kasi-kesos", "verifikasi", outcome="Ya"),
        play("kasi-kesos", "cek-dtks", note="Terdaftar di DTKS."),
        play("sekcam", "paraf-sekcam"),
        play("camat", "tanda-tangan",
             upload=(files / "SKTM dilegalisasi.pdf",)),
        play("staf-1", "registrasi", note="Diterima pemohon."),
    ]
    visitor.go(f"/run/{run}")
    assert visitor.finds(".badge.status-completed")
    visitor.go("/run?q=siti")
    assert register in visitor.text("#runs")
    visitor.log_out()
    the_cli_tells_the_same(office, run, done)
