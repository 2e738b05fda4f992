"""Logging in and out of the web app: one message for a wrong name or password, an account
that waits after 5 failures, sessions that end, and single-use login links that survive link
previews (a GET changes nothing; the POST of its one button logs in, once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web_site import LAKIP, PASSWORD, Site, alert, token


@pytest.fixture
def site(tmp_path: Path, db_url: str) -> Iterator[Site]:
    place = Site(tmp_path / "kecamatan", db_url)
    place.passwords("camat", "sekcam")
    yield place
    place.close()


def test_a_visitor_is_sent_to_the_login_page(site: Site) -> None:
    visitor = site.client()
    home = visitor.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/masuk"
    deep = visitor.get("/run/1/langkah/2?x=1")
    assert deep.headers["location"] == "/masuk?next=%2Frun%2F1%2Flangkah%2F2%3Fx%3D1"
    assert visitor.get("/tugas", headers={"HX-Request": "true"}).status_code == 286
    page = visitor.get(home.headers["location"])
    assert 'name="username"' in page.text and 'name="password"' in page.text
    assert 'type="password"' in page.text and 'name="next" value=""' in page.text


def test_logging_in_by_id_e_mail_or_nip_and_out(site: Site) -> None:
    for name in ("camat", "CAMAT@darangdan.example", "19700101 200003 1 001"):
        browser = site.client()
        answer = site.log_in(browser, name)
        assert answer.status_code == 303 and answer.headers["location"] == "/tugas", name
        assert "Contoh Camat" in browser.get("/tugas").text
    browser = site.client("sekcam")
    page = browser.get("/tugas")
    out = browser.post("/keluar", data={"csrf": token(page.text)})
    assert out.status_code == 303 and out.headers["location"] == "/masuk?keluar=1"
    assert "You are logged out." in browser.get(out.headers["location"]).text
    assert browser.get("/tugas").status_code == 303  # the session ended on the server too


def test_a_logged_out_cookie_is_refused_even_if_kept(site: Site) -> None:
    browser = site.client("camat")
    kept = browser.cookies.get("alur_session")
    page = browser.get("/tugas")
    browser.post("/keluar", data={"csrf": token(page.text)})
    thief = site.client()
    thief.cookies.set("alur_session", kept or "")
    again = thief.get("/tugas")
    assert again.status_code == 303 and "sesi=habis" in again.headers["location"]


def test_a_wrong_name_or_password_says_only_that(site: Site) -> None:
    browser = site.client()
    wrong_password = site.log_in(browser, "camat", "salah-sekali-kata")
    unknown_name = site.log_in(browser, "bukan-siapa-siapa", PASSWORD)
    no_password_yet = site.log_in(browser, "staf-1", PASSWORD)
    for answer in (wrong_password, unknown_name, no_password_yet):
        assert answer.status_code == 401
        assert alert(answer.text) == "The name or password is wrong."
        assert "alur_session" not in answer.headers.get("set-cookie", "")
    assert 'value="bukan-siapa-siapa"' in unknown_name.text  # the name is kept, not the password
    assert PASSWORD not in unknown_name.text


def test_five_failures_make_the_account_wait(site: Site) -> None:
    browser = site.client()
    for _ in range(4):
        assert site.log_in(browser, "camat", "salah-sekali-kata").status_code == 401
    fifth = site.log_in(browser, "camat", "salah-sekali-kata")
    assert fifth.status_code == 429
    assert "Monday, 5 January 2026 08:15 WIB" in alert(fifth.text)
    right = site.log_in(browser, "camat")
    assert right.status_code == 429  # even the right password waits
    assert site.log_in(site.client(), "sekcam").status_code == 303  # others are not affected
    site.later(16)
    assert site.log_in(browser, "camat").status_code == 303


def test_a_login_link_survives_previews_and_works_once(site: Site) -> None:
    token_ = site.link("sekcam")
    preview = site.client()
    for _ in range(3):  # WhatsApp, a mail scanner, the person's own first look
        shown = preview.get(f"/masuk/tautan/{token_}", params={"next": "/run/1"})
        assert shown.status_code == 200
        assert "Contoh Sekretaris Kecamatan" in shown.text
        assert 'name="next" value="/run/1"' in shown.text
    phone = site.client()
    page = phone.get(f"/masuk/tautan/{token_}", params={"next": "/akan-datang"})
    used = phone.post(f"/masuk/tautan/{token_}", data={"csrf": token(page.text),
                                                      "next": "/akan-datang"})
    assert used.status_code == 303 and used.headers["location"] == "/akan-datang"
    assert "Contoh Sekretaris Kecamatan" in phone.get("/akan-datang").text
    again = site.client()
    second = again.get(f"/masuk/tautan/{token_}")
    assert second.status_code == 410 and "was used already, has expired" in alert(second.text)
    posted = again.post(f"/masuk/tautan/{token_}",
                        data={"csrf": token(again.get("/masuk").text)})
    assert posted.status_code == 410 and "used already" in alert(posted.text)
    assert again.get("/tugas").status_code == 303  # not logged in


def test_an_expired_or_unknown_link_gets_a_clear_page(site: Site) -> None:
    old = site.link("camat")
    site.clock.advance(dt.timedelta(hours=73))
    browser = site.client()
    assert browser.get(f"/masuk/tautan/{old}").status_code == 410
    posted = browser.post(f"/masuk/tautan/{old}",
                          data={"csrf": token(browser.get("/masuk").text)})
    assert posted.status_code == 410 and "expired" in alert(posted.text)
    unknown = browser.get("/masuk/tautan/tidak-ada-tautan-seperti-ini")
    assert unknown.status_code == 410
    assert "Traceback" not in unknown.text


def test_a_link_post_without_the_pages_token_is_refused(site: Site) -> None:
    link = site.link("camat")
    browser = site.client()
    refused = browser.post(f"/masuk/tautan/{link}", data={})
    assert refused.status_code == 403
    page = browser.get(f"/masuk/tautan/{link}")
    assert page.status_code == 200  # still usable: the refused POST did not consume it


def test_a_logged_in_person_skips_the_login_page(site: Site) -> None:
    browser = site.client("camat")
    again = browser.get("/masuk", params={"next": "/run"})
    assert again.status_code == 303 and again.headers["location"] == "/run"
    site.post(browser, "/run", {"sop": LAKIP, "period": "2025"}, page="/run")
    assert len(site.tasks(browser)) == 1


def test_healthz(site: Site) -> None:
    answer = site.client().get("/healthz")
    assert answer.status_code == 200 and answer.text == "ok"


def test_healthz_says_when_the_database_is_gone(tmp_path: Path) -> None:
    database = tmp_path / "alur.db"
    site = Site(tmp_path / "kecamatan", f"sqlite:///{database}")
    try:
        browser = site.client()
        assert browser.get("/healthz").status_code == 200
        site.app.db.dispose()
        database.unlink()  # a new, empty file is not Alur's database
        answer = browser.get("/healthz")
        assert answer.status_code == 503 and answer.text == "unavailable"
        page = browser.get("/masuk")
        assert page.status_code == 200  # the login page itself needs no database
    finally:
        site.close()


def test_a_person_added_to_the_roster_logs_in_without_a_restart(site: Site) -> None:
    roster = site.folder / "roster.yaml"
    text = roster.read_text(encoding="utf-8")
    roster.write_text(text.replace("    people:\n", "    people:\n      - {id: staf-baru, "
                                   "name: Staf Baru, roles: [staf]}\n", 1), encoding="utf-8")
    site.passwords("staf-baru")
    browser = site.client("staf-baru")
    assert "Staf Baru" in browser.get("/tugas").text
    roster.write_text("format: 1\nunits: {}\nbroken: [\n", encoding="utf-8")
    assert "Staf Baru" in browser.get("/tugas").text  # a broken roster is not taken
