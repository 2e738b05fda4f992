"""The whole LAKIP run played through the web app by the roster's people, each logged in as
themselves, on SQLite and PostgreSQL; a service SOP started with its applicant's data."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import run_cli
from tests.web_site import LAKIP, LAKIP_STEPS, PDF, PNG, SKTM, Site, alert, token


@pytest.fixture
def site(tmp_path: Path, db_url: str) -> Iterator[Site]:
    place = Site(tmp_path / "kecamatan", db_url)
    place.passwords("camat", "sekcam", "kasi-tapem", "staf-1", "staf-2", "kasi-kesos")
    yield place
    place.close()


def test_the_lakip_run_played_by_its_people(site: Site) -> None:
    people: dict[str, TestClient] = {}

    def browser(person: str) -> TestClient:
        if person not in people:
            people[person] = site.client(person)
        return people[person]

    camat = browser("camat")
    started = site.post(camat, "/run", {"sop": LAKIP, "period": "2025"}, page="/run")
    assert started.status_code == 303 and started.headers["location"] == "/run/1"
    assert "Memerintahkan penyusunan LAKIP" in camat.get("/tugas").text

    for number, (person, step) in enumerate(LAKIP_STEPS, start=1):
        me = browser(person)
        site.later(30)
        mine = site.tasks(me)
        assert len(mine) == 1, (number, person, me.get("/tugas").text)
        run, task = mine[0]
        page = me.get(f"/run/{run}/langkah/{task}")
        assert page.status_code == 200
        if step == "koreksi":  # the Camat sends the draft back once, with a note and a PDF
            assert 'name="outcome" value="Ya"' in page.text
            assert 'name="outcome" value="Tidak"' in page.text
            back = site.complete(me, run, task, outcome="Tidak", note="Capaian IKU belum ada",
                                 files=[("evidence", ("koreksi.pdf", PDF, "application/pdf"))])
            assert back.status_code == 303, alert(back.text)
            staff = browser("staf-1")
            again = site.tasks(staff)
            assert len(again) == 1
            # the rework's page shows what sent it back: the Camat's note and file
            rework = staff.get("/run/{}/langkah/{}".format(*again[0])).text
            before = rework.split("<h2>Before this step</h2>")[1].split("</section>")[0]
            assert "Capaian IKU belum ada" in before and "koreksi.pdf" in before, before
            assert "Tidak" in before and "Contoh Camat" in before
            assert site.complete(staff, *again[0]).status_code == 303
            run, task = site.tasks(me)[0]
            done = site.complete(me, run, task, outcome="Ya", note="Sudah benar")
        elif step == "draft":
            done = site.complete(me, run, task, note="Draft terlampir", files=[
                ("evidence", ("draft LAKIP.pdf", PDF, "application/pdf")),
                ("evidence", ("foto.png", PNG, "image/png"))])
        else:
            done = site.complete(me, run, task)
        assert done.status_code == 303, alert(done.text)
        assert done.headers["location"] == f"/run/{run}/langkah/{task}?ok=selesai"
        assert "Done: the step is completed." in me.get(done.headers["location"]).text
        assert not site.tasks(me) or number in (1, 6, 9, 11, 12)  # the next is theirs too

    shown = camat.get("/run/1")
    assert shown.status_code == 200
    assert '<span class="badge status-completed">completed</span>' in shown.text
    assert shown.text.count('class="box state-done"') == 13
    assert "Capaian IKU belum ada" in shown.text and "draft LAKIP.pdf" in shown.text
    assert "by way of</dt><dd>the web" in shown.text

    report = camat.get("/laporan/1")
    assert "Audit trail intact" in report.text and "every hash matches" in report.text
    assert "3 files checked against their SHA-256." in report.text
    sheet = camat.get("/laporan/1.xlsx")
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    assert sheet.headers["content-disposition"].startswith('attachment; filename="laporan-run-1')
    table = camat.get("/laporan/1.csv")
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["no", "id", "task"] and len(rows) == 1 + 15 + 2

    # the CLI tells the same story, and the audit trail (with the files) holds
    where = ["--workspace", str(site.folder), "--db", site.app.database_url]
    verified = run_cli("audit", "verify", *where)
    assert verified.exit_code == 0, verified.output
    events = json.loads(run_cli("history", "--run", "1", "--format", "json", *where).stdout)
    completed = [e for e in events if e["event"] == "step_completed"]
    assert {e["data"]["channel"] for e in completed} == {"web"}
    assert [f["name"] for e in completed for f in e["data"].get("evidence", [])] == [
        "draft LAKIP.pdf", "foto.png", "koreksi.pdf"]
    listed = run_cli("evidence", "list", "1", "--json", *where)
    assert len(json.loads(listed.stdout)) == 3


def test_a_service_run_started_with_the_applicants_data(site: Site) -> None:
    desk = site.client("kasi-kesos")
    form = desk.get(f"/run?mulai={SKTM}")
    assert 'name="field.pemohon"' in form.text and 'name="received"' in form.text
    refused = site.post(desk, "/run", {"sop": SKTM, "field.pemohon": "Siti"}, page="/run")
    assert refused.status_code == 400
    assert "NIK" in alert(refused.text)
    assert 'value="Siti"' in refused.text  # what was typed is kept
    started = site.post(desk, "/run", {"sop": SKTM, "field.pemohon": "Siti Aminah",
                                       "field.nik": "3214014506900001",
                                       "field.keperluan": "Sekolah"}, page="/run")
    assert started.status_code == 303, alert(started.text)
    run = desk.get(started.headers["location"])
    assert "Siti Aminah" in run.text and "0001/SKTM/I/2026" in run.text
    assert "3214014506900001" in run.text  # a holder of the SOP's roles sees the NIK
    listed = desk.get("/run", params={"q": "siti"})
    assert "0001/SKTM/I/2026" in listed.text
    assert "0001/SKTM" not in desk.get("/run", params={"q": "nobody"}).text


def test_the_queue_and_what_comes_next(site: Site) -> None:
    camat = site.client("camat")
    site.post(camat, "/run", {"sop": LAKIP, "period": "2025"}, page="/run")
    run, task = site.tasks(camat)[0]
    assert site.complete(camat, run, task).status_code == 303
    queue = camat.get("/antrian")
    assert "Menyampaikan format" in queue.text
    assert "Waiting for: Contoh Sekretaris Kecamatan" in queue.text
    sekcam = site.client("sekcam")
    coming = sekcam.get("/akan-datang")
    assert coming.status_code == 200
    assert "Menganalis dan mengevaluasi" not in coming.text  # two steps away
    kasi = site.client("kasi-tapem")
    assert "Menghimpun format data" in kasi.get("/akan-datang").text
    assert "Menghimpun format data" not in kasi.get("/tugas").text


def test_reassigning_a_step_to_another_holder(site: Site) -> None:
    camat = site.client("camat")
    site.post(camat, "/run", {"sop": LAKIP, "period": "2025"}, page="/run")
    for person in ("camat", "sekcam"):
        me = site.client(person)
        run, task = site.tasks(me)[0]
        assert site.complete(me, run, task).status_code == 303
    kasi = site.client("kasi-tapem")
    run, task = site.tasks(kasi)[0]
    page = kasi.get(f"/run/{run}/langkah/{task}")
    assert 'name="to"' in page.text and 'value="kasubbag-perencanaan"' in page.text
    moved = site.post(kasi, f"/run/{run}/langkah/{task}/alihkan",
                      {"to": "kasubbag-perencanaan"}, page=f"/run/{run}/langkah/{task}")
    assert moved.status_code == 303
    assert "now goes to its new holder" in kasi.get(moved.headers["location"]).text
    wrong = site.post(kasi, f"/run/{run}/langkah/{task}/alihkan", {"to": "staf-1"},
                      page=f"/run/{run}/langkah/{task}")
    assert wrong.status_code in (403, 409)
    assert alert(wrong.text)


def test_cancelling_a_run_with_its_reason(site: Site) -> None:
    camat = site.client("camat")
    site.post(camat, "/run", {"sop": LAKIP, "period": "2025"}, page="/run")
    staff = site.client("staf-1")
    refused = site.post(staff, "/run/1/batal", {"reason": "salah"}, page="/run/1")
    assert refused.status_code == 403 and "may not cancel run 1" in alert(refused.text)
    empty = site.post(camat, "/run/1/batal", {"reason": "  "}, page="/run/1")
    assert empty.status_code == 403 and "reason" in alert(empty.text)
    done = site.post(camat, "/run/1/batal", {"reason": "Dimulai dua kali"}, page="/run/1")
    assert done.status_code == 303
    page = camat.get("/run/1")
    assert "Dimulai dua kali" in page.text and "cancelled" in page.text
    assert site.tasks(site.client("sekcam")) == []
    again = site.post(camat, "/run/1/batal", {"reason": "lagi"}, page="/run/1")
    assert again.status_code == 409 and "already cancelled" in alert(again.text)


def test_sop_pages_and_downloads(site: Site) -> None:
    staff = site.client("staf-1")
    listed = staff.get("/sop")
    assert "SOP Pengumpulan Data Kinerja" in listed.text and f"/sop/{LAKIP}.bpmn" in listed.text
    document = staff.get(f"/sop/{LAKIP}")
    assert document.status_code == 200 and "<svg" in document.text
    assert "style-src 'self' 'unsafe-inline'" in document.headers["content-security-policy"]
    assert "script-src 'self'" in document.headers["content-security-policy"]
    bpmn = staff.get(f"/sop/{LAKIP}.bpmn")
    assert bpmn.content.startswith(b"<?xml") and b"bpmn" in bpmn.content
    assert bpmn.headers["content-disposition"] == (
        f"attachment; filename=\"{LAKIP}.bpmn\"; filename*=UTF-8''{LAKIP}.bpmn")
    pytest.importorskip("weasyprint")
    pdf = staff.get(f"/sop/{LAKIP}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"


def test_the_run_list_filters(site: Site) -> None:
    camat = site.client("camat")
    site.post(camat, "/run", {"sop": LAKIP, "period": "2025"}, page="/run")
    site.post(camat, "/run", {"sop": LAKIP, "period": "2024"}, page="/run")
    everything = camat.get("/run")
    assert everything.text.count('class="card status-active"') == 2
    only = camat.get("/run", params={"period": "2024"})
    assert only.text.count('class="card status-active"') == 1
    assert camat.get("/run", params={"status": "completed"}).text.count("card status") == 0
    assert camat.get("/run", params={"sop": SKTM}).text.count("card status") == 0
    assert camat.get("/run", params={"status": "nonsense"}).status_code == 200


def test_the_pages_speak_bahasa_indonesia(site: Site, bahasa: None) -> None:
    camat = site.client("camat")
    site.post(camat, "/run", {"sop": LAKIP, "period": "2025"}, page="/run")
    tasks = camat.get("/tugas").text
    assert '<html lang="id">' in tasks
    assert "Tugas saya" in tasks and "Antrian bagian" in tasks and "Akan datang" in tasks
    run, task = site.tasks(camat)[0]
    step = camat.get(f"/run/{run}/langkah/{task}").text
    assert "Senin, 5 Januari 2026 08.00 WIB" in step
    assert "Uraian Kegiatan" in step and "Kelengkapan" in step and "Keterangan" in step
    assert "sisa 3 menit" in step
    site.later(27 * 60 + 3)  # Tuesday 11:03: one working day and 3 hours past Monday 08:03
    late = site.client("camat").get(f"/run/{run}/langkah/{task}").text  # a new day's login
    assert "terlambat 1 hari 3 jam" in late


def test_logging_in_with_a_token_of_the_login_form_only(site: Site) -> None:
    browser = site.client()
    form = browser.get("/masuk")
    assert form.status_code == 200 and 'name="username"' in form.text
    answer = browser.post("/masuk", data={"username": "camat", "password": "kata-sandi-rahasia",
                                          "csrf": token(form.text), "next": "/run"})
    assert answer.status_code == 303 and answer.headers["location"] == "/run"


def test_an_acting_holder_sees_the_step_and_others_see_whom_it_waits_for(
        tmp_path: Path) -> None:
    site = Site(tmp_path / "kecamatan", f"sqlite:///{tmp_path / 'alur.db'}")
    try:
        roster = site.folder / "roster.yaml"
        text = roster.read_text(encoding="utf-8")
        acting = text.replace("        # acting:                   # for example, Plh Camat "
                              "while the Camat is away\n        #   - {role: camat, from: "
                              "2026-01-10, until: 2026-01-20}",
                              "        acting:\n          - {role: camat, from: 2026-01-05, "
                              "until: 2026-01-09}")
        assert acting != text
        roster.write_text(acting, encoding="utf-8")
        site.passwords("camat", "sekcam", "kasi-tapem")
        camat = site.client("camat")
        site.post(camat, "/run", {"sop": LAKIP, "period": "2025"}, page="/run")
        plh = site.client("sekcam")
        run, task = site.tasks(plh)[0]  # the Plh Camat's own task now
        assert "Memerintahkan penyusunan LAKIP" in plh.get(f"/run/{run}/langkah/{task}").text
        queue = site.client("kasi-tapem").get("/antrian").text
        assert ("Waiting for: Contoh Sekretaris Kecamatan (acting), Contoh Camat" in queue)
        undecided = site.complete(plh, run, task)
        assert undecided.status_code == 303
        assert site.tasks(plh)  # the next step, the Sekcam's own
    finally:
        site.close()


def test_a_decision_needs_one_of_its_buttons(site: Site) -> None:
    camat = site.client("camat")
    site.post(camat, "/run", {"sop": SKTM, "field.pemohon": "Budi", "field.nik":
                              "3214010101900001", "received": "1"}, page="/run")
    desk = site.client("staf-1")
    run, task = site.tasks(desk)[0]
    page = desk.get(f"/run/{run}/langkah/{task}").text
    assert "Berkas lengkap?" in page and 'value="Tidak lengkap"' in page
    missing = site.complete(desk, run, task, note="lupa memilih")
    assert missing.status_code == 400
    assert "press the button of one of its answers: Lengkap, Tidak lengkap" in alert(
        missing.text)
    assert "lupa memilih" in missing.text  # the note typed is kept in the form
    chosen = site.complete(desk, run, task, outcome="Tidak lengkap")
    assert chosen.status_code == 303


PARALLEL_ROSTER = """\
format: 1
units:
  contoh:
    name: Kecamatan Contoh
    people:
      - {id: camat, name: Contoh Camat, roles: [camat]}
      - {id: sekcam, name: Contoh Sekcam, roles: [sekcam]}
      - {id: ka, name: Contoh Kasi A, roles: [kasi-a]}
      - {id: kb, name: Contoh Kasi B, roles: [kasi-b]}
      - {id: s1, name: Contoh Staf 1, roles: [staf]}
      - {id: s2, name: Contoh Staf 2, roles: [staf]}
"""


def test_a_parallel_run_through_the_web(tmp_path: Path) -> None:
    from tests.conftest import FIXTURES

    sop = (FIXTURES / "parallel" / "contoh-paralel.yaml").read_text(encoding="utf-8")
    site = Site(tmp_path / "kecamatan", f"sqlite:///{tmp_path / 'alur.db'}",
                roster=PARALLEL_ROSTER, sops={"contoh-paralel.yaml": sop})
    try:
        for name in ("pengumpulan-data-kinerja", "perencanaan-kinerja", "legalisasi-sktm"):
            (site.folder / "sops" / f"{name}.yaml").unlink()  # their roles are not held here
        site.passwords("camat", "sekcam", "ka", "kb", "s1", "s2")
        camat = site.client("camat")
        assert site.post(camat, "/run", {"sop": "contoh-paralel", "period": "1"},
                         page="/run").status_code == 303
        run, task = site.tasks(camat)[0]
        page = camat.get(f"/run/{run}")
        assert "At once: 2. Menyampaikan data seksi; 3. Membuat draf" in page.text
        assert site.complete(camat, run, task).status_code == 303
        people = {p: site.client(p) for p in ("ka", "kb", "s1", "s2")}
        assert all(len(site.tasks(c)) == 1 for c in people.values())
        shown = camat.get(f"/run/{run}").text
        assert shown.count('class="card status-active"') == 4  # two per branch at once
        assert "[data-seksi/kasi-a]" in shown and "[draf/s1]" in shown
        assert 'class="box state-active"' in shown
    finally:
        site.close()
