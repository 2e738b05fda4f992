"""The web app's safety: CSRF and origin checks that refuse with nothing changed, the session
cookie's flags, the security headers on every response, text shown as text (never HTML), and
a person who sees and acts only on the runs of their own units, whatever the URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web_site import LAKIP, PDF, Site, alert, token

TWO_UNITS = """\
format: 1
units:
  darangdan:
    name: Kecamatan <b>Darangdan</b>
    people:
      - {id: camat, name: "Camat <script>alert('nama')</script>", roles: [camat]}
      - {id: sekcam, name: Sekcam Darangdan, roles: [sekcam]}
      - {id: kasi-1, name: Kasi Darangdan, roles: [kasi]}
      - {id: staf-1, name: Staf Darangdan, roles: [staf]}
  cikalong:
    name: Kecamatan Cikalong
    people:
      - {id: camat-ck, name: Camat Cikalong, roles: [camat]}
      - {id: sekcam-ck, name: Sekcam Cikalong, roles: [sekcam]}
"""
SCRIPT_SOP = """\
format: 1
id: sop-skrip
title: "SOP <script>alert('judul')</script> & <b>tebal</b>"
organization: {name: Kecamatan Darangdan}
actors:
  camat: {title: "Camat <i>miring</i>"}
activities:
  - id: satu
    name: "Langkah <img src=x onerror=alert(1)>"
    actor: camat
    duration: 10 menit
    requirements: ["Berkas <script>x()</script>"]
"""


@pytest.fixture
def site(tmp_path: Path, db_url: str) -> Iterator[Site]:
    place = Site(tmp_path / "kantor", db_url, roster=TWO_UNITS, sops={"sop-skrip.yaml":
                                                                      SCRIPT_SOP})
    place.passwords("camat", "sekcam", "camat-ck")
    yield place
    place.close()


def started(site: Site) -> tuple[int, int]:
    """A LAKIP run of Darangdan started by its Camat: its run and first task ids."""
    camat = site.client("camat")
    answer = site.post(camat, "/run", {"sop": LAKIP, "period": "2025", "unit": "darangdan"},
                       page="/run")
    assert answer.status_code == 303, alert(answer.text)
    return site.tasks(camat)[0]


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(site: Site) -> None:
    run, task = started(site)
    camat = site.client("camat")
    other = site.client("camat-ck")  # another person's token does not fit this session
    before = site.snapshot()
    path = f"/run/{run}/langkah/{task}/selesai"
    missing = camat.post(path, data={"note": "tanpa token"})
    assert missing.status_code == 403
    assert "security token" in alert(missing.text)
    wrong = camat.post(path, data={"note": "x", "csrf": token(other.get("/tugas").text)})
    assert wrong.status_code == 403
    for url, data in ((f"/run/{run}/batal", {"reason": "x"}), ("/run", {"sop": LAKIP}),
                      (f"/run/{run}/langkah/{task}/alihkan", {"to": "sekcam"}),
                      ("/keluar", {})):
        assert camat.post(url, data=data).status_code == 403, url
    assert site.snapshot() == before
    assert camat.get("/tugas").status_code == 200  # still logged in: /keluar was refused


def test_a_post_from_another_site_is_refused(site: Site) -> None:
    run, task = started(site)
    camat = site.client("camat")
    before = site.snapshot()
    form = camat.get(f"/run/{run}/langkah/{task}")
    path = f"/run/{run}/langkah/{task}/selesai"
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                    {"Sec-Fetch-Site": "cross-site"}):
        answer = camat.post(path, data={"csrf": token(form.text)}, headers=headers)
        assert answer.status_code == 403, headers
    assert site.snapshot() == before
    same = camat.post(path, data={"csrf": token(form.text)},
                      headers={"Origin": "http://testserver"})
    assert same.status_code == 303


def test_a_login_post_without_the_forms_token_is_refused(site: Site) -> None:
    browser = site.client()
    browser.get("/masuk")
    answer = browser.post("/masuk", data={"username": "camat", "password": "kata-sandi-rahasia"})
    assert answer.status_code == 403
    assert "alur_session" not in answer.headers.get("set-cookie", "")


def test_the_session_cookie_flags(site: Site) -> None:
    plain = site.client()
    answer = site.log_in(plain, "camat")
    cookie = next(c for c in answer.headers.get_list("set-cookie")
                  if c.startswith("alur_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on this machine
    value = cookie.split(";")[0].partition("=")[2]
    assert len(value) >= 43  # 256 random bits, url-safe base64
    assert value not in str(site.snapshot())  # only its hash is stored
    secure = site.client(base_url="https://testserver")
    answer = site.log_in(secure, "camat")
    cookie = next(c for c in answer.headers.get_list("set-cookie")
                  if c.startswith("alur_session="))
    assert "Secure" in cookie


def test_cookies_are_secure_behind_an_https_base_url(tmp_path: Path) -> None:
    site = Site(tmp_path / "kantor", f"sqlite:///{tmp_path / 'alur.db'}",
                web={"base_url": '"https://alur.darangdan.example"'})
    try:
        site.passwords("camat")
        # the app itself is reached by plain http through a proxy that speaks https
        form = site.client().get("/masuk")
        assert "Secure" in form.headers["set-cookie"]
        answer = site.log_in(site.client(base_url="https://testserver"), "camat")
        assert answer.status_code == 303
        assert "Secure" in answer.headers["set-cookie"]
        # a POST from the public address is this app's own
        camat = site.client("camat", base_url="https://testserver")
        page = camat.get("/tugas")
        out = camat.post("/keluar", data={"csrf": token(page.text)},
                         headers={"Origin": "https://alur.darangdan.example"})
        assert out.status_code == 303
    finally:
        site.close()


def test_every_response_carries_the_security_headers(site: Site) -> None:
    run, task = started(site)
    camat = site.client("camat")
    visitor = site.client()
    answers = [camat.get(p) for p in (
        "/tugas", "/antrian", "/akan-datang", "/run", f"/run/{run}", f"/run/{run}/bagan",
        f"/run/{run}/langkah/{task}", "/sop", f"/sop/{LAKIP}", f"/sop/{LAKIP}.bpmn",
        f"/laporan/{run}", f"/laporan/{run}.csv", f"/laporan/{run}.xlsx", "/run/999",
        "/tidak-ada", "/static/alur.css", "/static/alur.js", "/static/htmx-2.0.8.min.js",
        "/healthz", "/")]
    answers += [visitor.get(p) for p in ("/", "/tugas", "/masuk", "/masuk/tautan/xyz")]
    answers.append(camat.post("/run", data={}))  # refused: no token
    answers.append(camat.put("/tugas"))  # a method the page does not take
    for answer in answers:
        policy = answer.headers.get("content-security-policy", "")
        assert "default-src 'self'" in policy, answer.url
        assert "script-src 'self';" in policy and "'unsafe-inline'" not in policy.split(
            "script-src")[1].split(";")[0], answer.url
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert answer.headers["x-content-type-options"] == "nosniff", answer.url
        assert answer.headers["referrer-policy"] == "same-origin", answer.url
        # the app's own time, for browsers' developer tools and bench/bench_web.py
        assert re.fullmatch(r"app;dur=\d+\.\d", answer.headers["server-timing"]), answer.url
    assert answers[-1].status_code == 405
    document = camat.get(f"/sop/{LAKIP}").headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-inline'" in document
    assert "style-src 'self';" in camat.get("/tugas").headers["content-security-policy"]
    page = camat.get("/tugas").text
    assert "<script>" not in page.replace('<script src="/static/htmx-2.0.8.min.js" defer>'
                                          "</script>", "").replace(
        '<script src="/static/alur.js" defer></script>', "")
    assert re.findall(r"<script[^>]*>", page) == [
        '<script src="/static/htmx-2.0.8.min.js" defer>', '<script src="/static/alur.js" defer>']
    assert "style=" not in page


def test_html_in_titles_names_notes_and_file_names_is_shown_as_text(site: Site) -> None:
    camat = site.client("camat")
    answer = site.post(camat, "/run", {"sop": "sop-skrip", "period": "x",
                                       "unit": "darangdan"}, page="/run")
    assert answer.status_code == 303, alert(answer.text)
    run, task = site.tasks(camat)[0]
    done = site.complete(camat, run, task, note="<script>alert('catatan')</script>", files=[
        ("evidence", ('<img src=x onerror=alert(1)>.pdf', PDF, "application/pdf"))])
    assert done.status_code == 303, alert(done.text)
    pages = [camat.get(p).text for p in ("/run", f"/run/{run}", f"/run/{run}/langkah/{task}",
                                         "/sop", f"/laporan/{run}", "/sop/sop-skrip",
                                         f"/run/{run}/bagan", "/tugas", "/antrian")]
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "<b>" not in html and "<i>miring" not in html
    step = pages[2]
    assert "&lt;script&gt;alert(&#39;catatan&#39;)&lt;/script&gt;" in step
    assert "Langkah &lt;img src=x onerror=alert(1)&gt;" in step
    assert "Berkas &lt;script&gt;x()&lt;/script&gt;" in step
    assert "Camat &lt;script&gt;alert(&#39;nama&#39;)&lt;/script&gt;" in step
    assert "SOP &lt;script&gt;alert(&#39;judul&#39;)&lt;/script&gt; &amp; &lt;b&gt;" in pages[3]
    link = re.search(r'href="(/run/\d+/bukti/\d+)"', pages[1])
    assert link is not None
    download = camat.get(link.group(1))
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment; filename=")
    assert "<" not in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-type"] == "application/pdf"


def test_a_person_of_another_unit_can_neither_see_nor_act_on_a_run(site: Site) -> None:
    run, task = started(site)
    camat = site.client("camat")
    assert site.complete(camat, run, task, files=[
        ("evidence", ("bukti.pdf", PDF, "application/pdf"))]).status_code == 303
    evidence = re.search(r'href="(/run/\d+/bukti/\d+)"', camat.get(f"/run/{run}").text)
    assert evidence is not None
    other = site.client("camat-ck")
    assert site.tasks(other) == [] and "Menyampaikan format" not in other.get("/antrian").text
    assert "Darangdan" not in other.get("/run").text
    assert other.get("/run", params={"unit": "darangdan"}).text.count("card status") == 0
    for path in (f"/run/{run}", f"/run/{run}/bagan", f"/run/{run}/langkah/{task}",
                 f"/run/{run}/langkah/{task + 1}", f"/laporan/{run}", f"/laporan/{run}.csv",
                 f"/laporan/{run}.xlsx", evidence.group(1)):
        answer = other.get(path)
        assert answer.status_code == 403, path
        assert "belongs to a unit you are not in" in alert(answer.text), path
        assert "bukti.pdf" not in answer.text and "Memerintahkan" not in answer.text
    before = site.snapshot()
    page = other.get("/tugas")
    for path, data in ((f"/run/{run}/langkah/{task + 1}/selesai", {}),
                       (f"/run/{run}/langkah/{task + 1}/alihkan", {"to": "camat-ck"}),
                       (f"/run/{run}/batal", {"reason": "bukan urusan saya"})):
        answer = other.post(path, data={"csrf": token(page.text), **data})
        assert answer.status_code == 403, path
    refused = other.post("/run", data={"csrf": token(page.text), "sop": LAKIP,
                                       "period": "2023", "unit": "darangdan"})
    assert refused.status_code == 403
    assert site.snapshot() == before


def test_uploads_too_big_or_of_a_refused_type_store_nothing(tmp_path: Path) -> None:
    site = Site(tmp_path / "kantor", f"sqlite:///{tmp_path / 'alur.db'}",
                web={"max_upload_mb": "1"})
    try:
        site.passwords("camat")
        camat = site.client("camat")
        site.post(camat, "/run", {"sop": LAKIP, "period": "2025"}, page="/run")
        run, task = site.tasks(camat)[0]
        before = site.snapshot()
        big = PDF + b"0" * (1024 * 1024 + 50_000)
        answer = site.complete(camat, run, task, files=[("evidence", ("besar.pdf", big,
                                                                      "application/pdf"))])
        assert answer.status_code == 413
        assert "besar.pdf" in alert(answer.text) and "at most 1 MB" in alert(answer.text)
        assert "is 1.1 MB" in alert(answer.text)  # its real size
        script = site.complete(camat, run, task, files=[("evidence", (
            "surat.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"))])
        assert script.status_code == 415
        assert "PDF, JPEG, PNG, docx, xlsx, odt, ods" in alert(script.text)
        several = site.complete(camat, run, task, files=[
            ("evidence", ("ok.pdf", PDF, "application/pdf")),
            ("evidence", ("program.exe", b"MZ\x90\x00" + b"\x00" * 100,
                          "application/octet-stream"))])
        assert several.status_code == 415 and "program.exe" in alert(several.text)
        assert site.snapshot() == before
        huge = camat.post(f"/run/{run}/langkah/{task}/selesai", content=b"x" * 100,
                          headers={"Content-Length": str(50 * 1024 * 1024),
                                   "Content-Type": "multipart/form-data; boundary=x"})
        assert huge.status_code == 413 and "too big" in alert(huge.text)
        assert site.snapshot() == before
    finally:
        site.close()


def test_a_tampered_form_gets_a_clear_page(site: Site) -> None:
    run, task = started(site)
    camat = site.client("camat")
    before = site.snapshot()
    page = camat.get(f"/run/{run}/langkah/{task}")
    files_where_none_go = camat.post(f"/run/{run}/batal", data={"csrf": token(page.text)},
                                     files=[("reason", ("x.pdf", PDF, "application/pdf"))])
    assert files_where_none_go.status_code == 400
    assert "could not be read" in files_where_none_go.text
    outcome = site.complete(camat, run, task, outcome="Mungkin")
    assert outcome.status_code == 400 and "not a decision" in alert(outcome.text)
    garbled = site.complete(camat, run, task, at="kemarin sore")
    assert garbled.status_code == 400 and "kemarin sore" in alert(garbled.text)
    future = site.complete(camat, run, task, at="2026-01-06T09:00")
    assert future.status_code == 400 and "in the future" in alert(future.text)
    assert site.snapshot() == before
    assert camat.post(f"/run/{run}/langkah/abc/selesai").status_code == 404


def test_unknown_ids_get_a_clear_page(site: Site) -> None:
    run, _task = started(site)
    camat = site.client("camat")
    for path, words in ((f"/run/{run + 5}", "no run"), (f"/run/{run}/langkah/9999",
                                                        "has no task 9999"),
                        (f"/run/{run}/bukti/77", "has no file 77"),
                        (f"/laporan/{run + 5}", "no run"), ("/sop/tidak-ada", "no SOP"),
                        ("/sop/..%2Fetc", ""), ("/run/99999999999999", "no run"),
                        ("/run/x", "no page at this address")):
        answer = camat.get(path)
        assert answer.status_code == 404, path
        assert words in answer.text, path
        assert "Traceback" not in answer.text


def test_already_completed_says_by_whom_and_when(site: Site) -> None:
    run, task = started(site)
    camat = site.client("camat")
    second = site.client("camat")  # the same person on a second phone
    stale = second.get(f"/run/{run}/langkah/{task}")
    site.later(5)
    assert site.complete(camat, run, task, note="pertama").status_code == 303
    before = site.snapshot()
    again = second.post(f"/run/{run}/langkah/{task}/selesai",
                        data={"csrf": token(stale.text), "note": "kedua"})
    assert again.status_code == 409
    said = alert(again.text)
    assert "already completed by Camat &lt;script&gt;" in said
    assert "Monday, 5 January 2026 08:05 WIB" in said
    assert site.snapshot() == before


def test_a_stale_session_is_sent_to_log_in_again(site: Site) -> None:
    run, task = started(site)
    camat = site.client("camat")
    form = camat.get(f"/run/{run}/langkah/{task}")
    site.later(11 * 60)  # more than [web] session_hours (10) without use
    page = camat.get(f"/run/{run}/langkah/{task}")
    assert page.status_code == 303
    assert page.headers["location"].startswith(f"/masuk?next=%2Frun%2F{run}%2Flangkah%2F")
    assert "sesi=habis" in page.headers["location"]
    assert "Your session has ended" in camat.get(page.headers["location"]).text
    late = site.client("sekcam")
    before = site.snapshot()
    site.later(11 * 60)
    posted = late.post("/run", data={"csrf": token(form.text), "sop": LAKIP})
    assert posted.status_code == 403 and "session has ended" in alert(posted.text)
    assert site.snapshot() == before
    back = site.log_in(camat, "camat", next_path=f"/run/{run}/langkah/{task}")
    assert back.headers["location"] == f"/run/{run}/langkah/{task}"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/",
                                    "/\\evil.example", "javascript:alert(1)", "tugas",
                                    "/\r\nSet-Cookie: x=1"])
def test_next_never_leads_away(tmp_path: Path, target: str) -> None:
    site = Site(tmp_path / "kantor", f"sqlite:///{tmp_path / 'alur.db'}")
    try:
        site.passwords("camat")
        answer = site.log_in(site.client(), "camat", next_path=target)
        assert answer.status_code == 303 and answer.headers["location"] == "/tugas"
    finally:
        site.close()
