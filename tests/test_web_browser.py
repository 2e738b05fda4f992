"""`alur web` in a real browser: headless Chromium (Selenium) against a real `alur web`
process on 127.0.0.1, with a SQLite file and, in a second run, PostgreSQL.

One workspace, one server and one browser serve the whole module (per database); each test
acts on runs of its own, started through the CLI as an operator would. The people log in
through the login form, as they would on their phones: a decision completed with a note
and a PDF appears as the next person's task; a wrong password; a form sent without its
CSRF token changes nothing; a login link survives a link preview and works once; a script
in a note or a file name stays text; another unit's run stays closed; and no page scrolls
sideways at 360 px or at 1280 px.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DATABASES
from tests.web_kit import (
    DESKTOP,
    PHONE,
    Office,
    Visitor,
    chromium,
    console_errors,
    database,
    fresh,
    horizontal_overflow,
    said,
)
from tests.web_site import PDF, PNG

pytestmark = pytest.mark.slow

# A second unit: its Camat must not see Darangdan's runs.
CIKALONG = """
  cikalong:
    name: Kecamatan Cikalong
    people:
      - id: camat-ck
        name: Contoh Camat Cikalong
        roles: [camat]
"""
PEOPLE = ("camat", "sekcam", "staf-1", "kasi-kesos", "camat-ck")
LAKIP = "pengumpulan-data-kinerja"
SKTM = "legalisasi-sktm"


@pytest.fixture(scope="module", params=DATABASES)
def office(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    folder = tmp_path_factory.mktemp(f"kantor-{request.param}")
    with database(request.param, folder) as url:
        place = Office(folder / "ws", url, roster_extra=CIKALONG)
        place.passwords(*PEOPLE)
        place.serve()
        try:
            yield place
        finally:
            place.stop()


@pytest.fixture(scope="module")
def desktop() -> Iterator[Any]:
    with chromium(DESKTOP) as browser:
        yield browser


@pytest.fixture(scope="module")
def phone() -> Iterator[Any]:
    with chromium(PHONE) as browser:
        yield browser


@pytest.fixture
def visitor(desktop: Any, office: Office) -> Visitor:
    return fresh(desktop, office)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A folder with the files people upload."""
    (tmp_path / "berkas-siti.pdf").write_bytes(PDF)
    (tmp_path / "foto berkas.png").write_bytes(PNG)
    return tmp_path


def start_lakip(office: Office, period: str) -> int:
    """A LAKIP run of Darangdan started by the Camat through the CLI: its id."""
    shown = office.cli("run", "start", LAKIP, "--period", period, "--unit", "darangdan",
                       "--as", "camat", "--json")
    run: int = json.loads(shown.stdout)["run"]
    return run


def start_sktm(office: Office, applicant: str) -> int:
    """A service run (legalisasi SKTM) whose file was received at the desk: its id."""
    shown = office.cli("run", "start", SKTM, "--unit", "darangdan", "--as", "staf-1",
                       "--field", f"pemohon={applicant}", "--field", "nik=3214014506900001",
                       "--field", "keperluan=Sekolah", "--received", "--json")
    run: int = json.loads(shown.stdout)["run"]
    return run


def run_show(office: Office, run: int) -> dict[str, Any]:
    shown: dict[str, Any] = json.loads(office.cli("run", "show", str(run), "--json").stdout)
    return shown


def step_of(office: Office, run: int, step: str) -> dict[str, Any]:
    """The last task of a step as `alur run show --json` tells it."""
    return [s for s in run_show(office, run)["steps"] if s["id"] == step][-1]


def test_a_decision_with_a_note_and_a_pdf_becomes_the_next_persons_task(
        visitor: Visitor, office: Office, files: Path) -> None:
    run = start_sktm(office, "Siti Aminah")
    visitor.go("/")
    assert visitor.path.startswith("/masuk")  # not logged in: the login page
    visitor.log_in("staf-1")
    assert visitor.path == "/tugas"
    assert "Contoh Staf Satu" in visitor.text("header")
    [link] = visitor.task_links(run)
    card = visitor.find(f"#tasks a[href='{link}']").text
    assert "2. Memeriksa kelengkapan berkas" in card and "Siti Aminah" in card

    visitor.go(link)
    buttons = [b.text for b in visitor.finds("form[action$='/selesai'] button[name=outcome]")]
    assert buttons == ["Lengkap", "Tidak lengkap"]
    notice = visitor.complete(link, outcome="Lengkap", note="KTP dan KK sesuai.",
                              files=(files / "berkas-siti.pdf",))
    assert notice == said("Done: the step is completed.")
    page = visitor.text()
    assert "Lengkap" in page and "KTP dan KK sesuai." in page
    assert [a.text for a in visitor.finds(".files a")] == ["berkas-siti.pdf"]
    assert not visitor.finds("form[action$='/selesai']")  # nothing left to complete
    assert visitor.task_links(run) == []

    visitor.log_out()
    assert visitor.path == "/masuk?keluar=1"
    assert said("You are logged out.") in visitor.text()
    visitor.go("/tugas")
    assert visitor.path.startswith("/masuk")  # the session is over

    visitor.be("kasi-kesos")
    [following] = visitor.task_links(run)
    assert "3. Memverifikasi berkas permohonan" in visitor.find(f"a[href='{following}']").text
    visitor.log_out()

    told = step_of(office, run, "periksa")  # the CLI tells the same
    assert (told["completed_by"], told["outcome"], told["note"]) == (
        "staf-1", "Lengkap", "KTP dan KK sesuai.")
    listed = json.loads(office.cli("evidence", "list", str(run), "--json").stdout)
    assert [(f["name"], f["size"]) for f in listed] == [("berkas-siti.pdf", len(PDF))]


def test_a_wrong_password_does_not_say_which_was_wrong(visitor: Visitor) -> None:
    wrong = said("The name or password is wrong.")
    for username, password in (("camat", "bukan-kata-sandinya"), ("tidak-ada", "apa-saja-1234")):
        visitor.log_in(username, password)
        assert visitor.path.startswith("/masuk")
        assert visitor.text(".notice.error") == wrong
        assert visitor.find("#username").get_attribute("value") == username
        assert visitor.find("#password").get_attribute("value") == ""
    visitor.log_in("camat")
    assert visitor.path == "/tugas"


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(
        visitor: Visitor, office: Office) -> None:
    run = start_lakip(office, "2021")
    visitor.be("camat")
    [link] = visitor.task_links(run)
    for tampering in ("el.remove()", "el.value = 'x' + el.value.slice(1)"):
        visitor.go(link)
        visitor.find("#note").send_keys("Dikirim tanpa token")
        visitor.browser.execute_script(
            f"const el = document.querySelector(\"form[action$='/selesai'] "
            f"input[name=csrf]\"); {tampering};")
        before = office.snapshot()
        visitor.submit(visitor.find("form[action$='/selesai'] button[type=submit]"))
        assert visitor.text("h1") == said("Refused")
        assert office.snapshot() == before
    visitor.go(link)
    assert visitor.finds("form[action$='/selesai']")  # still there to be completed
    assert step_of(office, run, "perintah")["status"] == "active"


def test_a_login_link_survives_a_preview_and_logs_in_once(
        visitor: Visitor, office: Office, phone: Any) -> None:
    shown = office.cli("user", "link", "sekcam")
    found = re.search(r"/masuk/tautan/[A-Za-z0-9_-]+", shown.output)
    assert found is not None, shown.output
    link = found.group(0) + "?next=/run"
    before = office.snapshot()
    for _preview in range(2):  # WhatsApp's link preview, a mail scanner: GETs, no cookies
        with urllib.request.urlopen(office.url + link, timeout=10) as answer:
            assert answer.status == 200
            assert "Contoh Sekretaris Kecamatan" in answer.read().decode()
    assert office.snapshot() == before  # a GET changed nothing

    other = fresh(phone, office)  # the link forwarded to a second phone, opened on both
    other.go(link)
    visitor.go(link)
    assert said("Log in") in visitor.text("h1")
    visitor.submit(visitor.find("form[action^='/masuk/tautan/'] button"))
    assert visitor.path == "/run"  # logged in, and on to `next`
    assert "Contoh Sekretaris Kecamatan" in visitor.text("header")
    other.submit(other.find("form[action^='/masuk/tautan/'] button"))
    assert other.text("h1") == said("This link cannot be used")
    other.go("/tugas")
    assert other.path.startswith("/masuk")  # the second phone is not logged in
    other.go(link)  # opened again later: used up
    assert other.text("h1") == said("This link cannot be used")
    visitor.go("/tugas")
    assert visitor.path == "/tugas"  # the first stays logged in


SCRIPT_NOTE = "<script>document.title='dibobol';window.dibobol=1</script> catatan"
SCRIPT_FILE = "<img src=x onerror=\"document.title='dibobol';window.dibobol=2\">.pdf"


def test_a_script_in_a_note_or_a_file_name_is_text_and_never_runs(
        visitor: Visitor, office: Office, tmp_path: Path) -> None:
    (tmp_path / SCRIPT_FILE).write_bytes(PDF)
    run = start_lakip(office, "2022")
    visitor.be("camat")
    [link] = visitor.task_links(run)
    notice = visitor.complete(link, note=SCRIPT_NOTE, files=(tmp_path / SCRIPT_FILE,))
    assert notice == said("Done: the step is completed.")
    # the name as kept: the browser sends `"` as %22, Alur turns `<>` into `_` (never a path)
    [kept] = json.loads(office.cli("evidence", "list", str(run), "--json").stdout)
    assert "img src=x onerror=" in kept["name"] and kept["name"].endswith(".pdf")
    for path in (link, f"/run/{run}", f"/laporan/{run}", "/antrian"):
        visitor.go(path)
        assert visitor.browser.execute_script("return window.dibobol === undefined"), path
        assert "dibobol" not in visitor.browser.title, path
        assert console_errors(visitor.browser) == [], path  # not even a blocked attempt
        if path != "/antrian":
            assert SCRIPT_NOTE in visitor.text(), path
        if path in (link, f"/run/{run}"):
            assert [a.text for a in visitor.finds(".files a")] == [kept["name"]], path
    visitor.go(link)
    assert visitor.find(".note").text == SCRIPT_NOTE


def test_another_units_camat_cannot_open_the_run_by_its_address(
        visitor: Visitor, office: Office) -> None:
    run = start_lakip(office, "2023")
    visitor.be("camat")
    [link] = visitor.task_links(run)
    visitor.log_out()
    visitor.be("camat-ck")
    assert visitor.task_links(run) == []
    visitor.go("/run")
    assert f"/run/{run}" not in [a.get_attribute("href").removeprefix(office.url)
                                 for a in visitor.finds("a")]
    refusal = said("run {run} belongs to a unit you are not in; you can see only the runs "
                   "of your own units", run=run)
    for path in (f"/run/{run}", link, f"/laporan/{run}", f"/run/{run}/bagan"):
        visitor.go(path)
        assert visitor.text(".notice.error") == refusal, path
        assert "Memerintahkan penyusunan LAKIP" not in visitor.text(), path
    assert step_of(office, run, "perintah")["status"] == "active"


@pytest.fixture(scope="module")
def pages(office: Office) -> list[str]:
    """Every kind of page, each with something on it: a LAKIP run with a late step, a long
    note and a file of a long name, a service run with its applicant's data."""
    run = start_lakip(office, "2024")
    service = start_sktm(office, "Nyi Raden Siti Aminah Kartadibrata binti Haji Abdurrahman")
    long_name = office.folder.parent / ("Laporan_Kinerja_Instansi_Pemerintah_Kecamatan_"
                                        "Darangdan_Tahun_2024_versi_final_revisi_ketiga.pdf")
    long_name.write_bytes(PDF)
    office.cli("step", "complete", str(run), "perintah", "--as", "camat", "--note",
               "Segera dihimpun dari seluruh seksi: https://drive.example/berkas/" + "x" * 60,
               "--attach", str(long_name))
    office.cli("step", "complete", str(service), "periksa", "--as", "staf-1",
               "--outcome", "Lengkap")
    return ["/tugas", f"/run/{run}", "/run", f"/laporan/{run}", "/antrian", "/akan-datang",
            "/sop", f"/run/{service}", f"/laporan/{service}"]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_no_page_scrolls_sideways(request: pytest.FixtureRequest, office: Office,
                                  pages: list[str], size: str) -> None:
    visitor = fresh(request.getfixturevalue(size), office)
    visitor.go("/masuk")
    assert horizontal_overflow(visitor.browser) == 0, "/masuk"
    visitor.be("sekcam")
    steps = visitor.task_links()
    assert steps
    for path in [*pages, *steps]:
        visitor.go(path)
        assert visitor.find("h1").text, path
        assert horizontal_overflow(visitor.browser) == 0, (size, path)
        assert console_errors(visitor.browser) == [], (size, path)
    visitor.log_out()
