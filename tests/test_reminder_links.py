"""Reminders lead to the web: the step's page (or a person's single-use login link to it) in
every e-mail, apprise message and webhook payload when [web] base_url is set; WhatsApp and
Telegram reached through the roster's numbers; the command stays without a base_url."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from engine import accounts, services
from engine.clock import FixedClock
from engine.ports import HistoryFilter
from engine.roster import Person
from runners.app import App
from runners.apprise_channel import AppriseChannel, whatsapp_number
from runners.channels import build_channels
from runners.reminder_links import ReminderLinks, login_path, page_path
from runners.reminder_text import body, payload
from runners.scheduler import Daemon
from tests.conftest import run_cli
from tests.office import wib
from tests.scheduler_kit import smtp_server, webhook_server
from tests.test_notify import BUDI, ESCALATION, SEKCAM, make_message

BASE = "https://alur.darangdan.example"
PAGE = f"{BASE}/run/12/langkah/40"
MONDAY_8 = wib(2026, 2, 2, 8, 0)
HOLDERS = ["kasi-tapem", "kasubbag-perencanaan"]  # who holds `kasi` in the sample roster


# -- the text ----------------------------------------------------------------------

def flat(text: str) -> str:
    return " ".join(text.split())


def test_paths_follow_the_web_url_map() -> None:
    assert page_path(12, 40) == "/run/12/langkah/40"
    assert page_path(12) == "/run/12"
    assert login_path("a-b_c", "/run/12/langkah/40") == \
        "/masuk/tautan/a-b_c?next=/run/12/langkah/40"
    assert login_path("tok") == "/masuk/tautan/tok"
    links = ReminderLinks(BASE)
    assert links.with_page(make_message(), 40).url == PAGE
    assert links.with_page(make_message(whole_run=True), None).url == f"{BASE}/run/12"
    assert links.for_person(links.with_page(make_message(), 40), "kasi-tapem").login_url is None
    made: list[str] = []
    login = ReminderLinks(BASE, lambda person: made.append(person) or f"tok-{person}")
    message = login.for_person(login.with_page(make_message(), 40), "kasi-tapem")
    assert (message.url, message.login_url, message.link) == (
        PAGE, f"{BASE}/masuk/tautan/tok-kasi-tapem?next=/run/12/langkah/40",
        f"{BASE}/masuk/tautan/tok-kasi-tapem?next=/run/12/langkah/40")
    assert made == ["kasi-tapem"]


@pytest.mark.usefixtures("bahasa")
def test_the_reminder_leads_to_the_steps_page_instead_of_a_command() -> None:
    text = body(make_message(url=PAGE), BUDI)
    assert "alur step complete" not in text and "--as" not in text
    assert text.endswith(
        "Setelah selesai, catat di Alur pada halaman langkahnya (hasilnya,\n"
        "catatan, dan dokumen yang dihasilkan):\n"
        f"    {PAGE}\n"
        "\n"
        "Pesan otomatis dari Alur.")
    login = f"{BASE}/masuk/tautan/tok?next=/run/12/langkah/40"
    assert text.replace(PAGE, login) == body(make_message(url=PAGE, login_url=login), BUDI)


@pytest.mark.usefixtures("bahasa")
def test_the_superior_and_the_head_of_a_service_get_the_page_too() -> None:
    text = flat(body(make_message(url=PAGE, **ESCALATION), SEKCAM))
    assert text.endswith("Mohon pastikan pelaksana menyelesaikannya. Langkah ini di Alur, tempat "
                         f"pelaksana mencatatnya: {PAGE} Pesan otomatis dari Alur.")
    assert "--as" not in text
    run_page = f"{BASE}/run/12"
    service = make_message(whole_run=True, level=1, escalation_role_title="Camat", url=run_page)
    assert flat(body(service, SEKCAM)).endswith(
        f"Lihat keadaannya di Alur: {run_page} Pesan otomatis dari Alur.")


def test_without_a_base_url_the_command_stays() -> None:
    text = body(make_message(), BUDI)
    assert "    alur step complete 12 menghimpun --as kasi-tapem\n" in text
    assert "http" not in text
    assert (payload(make_message(), BUDI)["url"], payload(make_message(), BUDI)["page_url"]) \
        == (None, None)


def test_the_payload_carries_the_link_for_its_recipient() -> None:
    login = f"{BASE}/masuk/tautan/tok?next=/run/12/langkah/40"
    data = payload(make_message(url=PAGE, login_url=login), BUDI)
    assert (data["url"], data["page_url"]) == (login, PAGE)
    assert login in data["text"]
    data = payload(make_message(url=PAGE), BUDI)
    assert (data["url"], data["page_url"]) == (PAGE, PAGE)


# -- WhatsApp and Telegram through apprise -------------------------------------------

@dataclass
class Gateway:
    """What a local WhatsApp/Telegram gateway received: path, query and JSON body."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)  # the X-Api-Key sent, if any
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        return sorted(path for path, _data in self.calls)

    def message(self, path: str) -> str:
        return str(next(data for p, data in self.calls if p == path)["message"])


@contextmanager
def gateway() -> Iterator[tuple[Gateway, str]]:
    """A real HTTP server on 127.0.0.1 standing for a gateway, with its host:port."""
    got = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            data = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            with got.lock:
                got.calls.append((self.path, data))
                key = self.headers.get("X-Api-Key")
                got.headers.append({"X-Api-Key": key} if key else {})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield got, f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_whatsapp_numbers_as_gateways_take_them() -> None:
    assert whatsapp_number("+62 812-3456-7890") == "6281234567890"
    assert whatsapp_number("0812 3456 7890") == "6281234567890"
    assert whatsapp_number("6281234567890") == "6281234567890"
    assert whatsapp_number("+31 6 1234 5678") == "31612345678"


def test_each_person_is_reached_on_their_whatsapp_and_telegram() -> None:
    ani = Person("kasi-pem", "Ani", ("kasi",), whatsapp="0812-3456-7890", telegram="@ani_pem")
    with gateway() as (got, host):
        channel = AppriseChannel("", {"WA_KEY": "k-123"},
                                 whatsapp_url=f"json://{host}/wa/{{whatsapp}}?+X-Key=${{WA_KEY}}",
                                 telegram_url=f"json://{host}/tg/{{telegram}}")
        assert channel.applies_to(ani)
        assert not channel.applies_to(BUDI)  # no number, no chat, no notify URL
        assert not AppriseChannel("", {}).applies_to(ani)  # no template: the fields stay unused
        assert channel.send(make_message(url=PAGE), ani) == "apprise json"
    assert got.paths() == ["/tg/@ani_pem", "/wa/6281234567890"]
    assert PAGE in got.message("/wa/6281234567890")
    assert got.message("/tg/@ani_pem") == body(make_message(url=PAGE), ani, wrap=False)


def test_a_whatsapp_gateway_on_the_office_server_gets_the_json_it_wants() -> None:
    """Like WAHA's /api/sendText: apprise's json:// renames and adds fields (``:key=value``),
    drops the rest (``:key=``) and sends headers (``+Name=value``)."""
    ani = Person("kasi-pem", "Ani", ("kasi",), whatsapp="0812-3456-7890")
    with gateway() as (got, host):
        channel = AppriseChannel("", {"WAHA_KEY": "k-1"}, whatsapp_url=(
            f"json://{host}/api/sendText?:message=text&:title=&:version=&:attachments=&:type="
            "&:chatId={whatsapp}@c.us&:session=default&+X-Api-Key=${WAHA_KEY}"))
        channel.send(make_message(url=PAGE), ani)
    [(path, data)] = got.calls
    assert path == "/api/sendText"
    assert data == {"chatId": "6281234567890@c.us", "session": "default",
                    "text": body(make_message(url=PAGE), ani, wrap=False)}
    assert data["text"].endswith(f"\n    {PAGE}\n\nAn automatic message from Alur.")
    assert got.headers == [{"X-Api-Key": "k-1"}]


def test_a_login_link_goes_only_to_the_persons_own_addresses() -> None:
    ani = Person("kasi-pem", "Ani", ("kasi",), whatsapp="+6281234567890")
    login = f"{BASE}/masuk/tautan/secret-token?next=/run/12/langkah/40"
    with gateway() as (got, host):
        channel = AppriseChannel("GROUP", {"GROUP": f"json://{host}/group"},
                                 whatsapp_url=f"json://{host}/wa/{{whatsapp}}")
        channel.send(make_message(url=PAGE, login_url=login), ani)
    assert got.paths() == ["/group", "/wa/6281234567890"]
    assert login in got.message("/wa/6281234567890")
    group = got.message("/group")  # a shared chat: the page, never somebody's login
    assert "secret-token" not in group and PAGE in group


# -- the daemon ----------------------------------------------------------------------

def office(tmp_path: Path, db_url: str, settings: str) -> tuple[Path, int, int]:
    """A workspace whose LAKIP run 1 has step 3 (the two Kasi, 60 min) active from Monday
    2 February 08:00, with WhatsApp and Telegram in the roster; the run and the task id."""
    folder = tmp_path / "kecamatan"
    assert run_cli("init", str(folder), "--db", db_url).exit_code == 0
    roster = folder / "roster.yaml"
    text = roster.read_text(encoding="utf-8")
    text = text.replace("email: tapem@darangdan.example\n",
                        'email: tapem@darangdan.example\n        whatsapp: "0812 3456 7890"\n')
    text = text.replace("email: perencanaan@darangdan.example\n",
                        "email: perencanaan@darangdan.example\n"
                        '        telegram: "@perencanaan"\n')
    roster.write_text(text, encoding="utf-8")
    (folder / "alur.toml").write_text(settings, encoding="utf-8")
    app = App(folder, db_url, clock=FixedClock(MONDAY_8))
    loaded = app.sop("pengumpulan-data-kinerja")
    run = app.write(lambda s: services.start_run(s, app.env, loaded, None, "2025", "camat")).run.id
    for step, person in (("perintah", "camat"), ("format", "sekcam")):
        app.write(lambda s, t=step, p=person: services.complete_step(  # type: ignore[misc]
            s, app.env, run, t, p))
    [task] = app.read(lambda s: s.active_tasks(run))
    app.close()
    return folder, run, task.id


def sweep(folder: Path, db_url: str, environ: dict[str, str]) -> tuple[App, list[str]]:
    """One sweep of a daemon in this process at 09:30, 30 minutes past step 3's due time."""
    app = App(folder, db_url, clock=FixedClock(wib(2026, 2, 2, 9, 30)))
    lines: list[str] = []
    daemon = Daemon(app, build_channels(app.settings, environ, echo=lines.append),
                    echo=lines.append)
    daemon.open()
    try:
        assert daemon.sweep() == 1
    finally:
        daemon.close()
    return app, lines


def settings(smtp: int, hook: str, host: str, login_links: bool) -> str:
    return (f'[reminders]\nchannels = ["console", "email", "webhook", "apprise"]\n'
            f'[email]\nhost = "127.0.0.1"\nport = {smtp}\nsender = "alur@darangdan.example"\n'
            f'[webhook]\nurl = "{hook}"\n'
            f'[apprise]\nurls_env = "ALUR_APPRISE_URLS"\n'
            f'whatsapp_url = "json://{host}/wa/{{whatsapp}}"\n'
            f'telegram_url = "json://{host}/tg/{{telegram}}"\n'
            f'[web]\nbase_url = "{BASE}"\nlogin_links = {str(login_links).lower()}\n')


TOKEN = re.compile(re.escape(BASE) + r"/masuk/tautan/([A-Za-z0-9_-]+)\?next=(\S+)")


@pytest.mark.slow
def test_each_person_gets_one_login_link_to_the_step_on_every_channel(
        tmp_path: Path, db_url: str) -> None:
    with smtp_server() as (inbox, smtp), webhook_server() as (hooks, hook), \
            gateway() as (got, host):
        folder, run, task = office(tmp_path, db_url, settings(smtp, hook, host, True))
        app, lines = sweep(folder, db_url, {"ALUR_APPRISE_URLS": f"json://{host}/group"})
    page = f"/run/{run}/langkah/{task}"
    by_mail = {m["to"][0].split("@")[0]: m["body"] for m in inbox.messages}
    tokens: dict[str, set[str]] = {}
    for person, text in [("kasi-tapem", by_mail["tapem"]),
                         ("kasubbag-perencanaan", by_mail["perencanaan"]),
                         ("kasi-tapem", got.message("/wa/6281234567890")),
                         ("kasubbag-perencanaan", got.message("/tg/@perencanaan")),
                         *((c["recipient"]["id"], c["text"]) for c in hooks.calls),
                         *((c["recipient"]["id"], c["url"]) for c in hooks.calls)]:
        found = TOKEN.findall(text)
        assert [n for _t, n in found] == [page], text
        assert "alur step complete" not in text
        tokens.setdefault(person, set()).add(found[0][0])
    assert sorted(tokens) == sorted(HOLDERS)
    assert all(len(made) == 1 for made in tokens.values())  # one per person and message
    assert all(c["page_url"] == BASE + page for c in hooks.calls)
    for group in [data["message"] for path, data in got.calls if path == "/group"]:
        assert not TOKEN.search(group) and BASE + page in group  # a shared chat: no login
    assert not any(BASE in line for line in lines)  # the daemon's log holds no link
    with app.db.transaction(write=False) as store:
        for person, (token,) in tokens.items():
            link = accounts.peek_login_link(store, app.env, token)
            assert link is not None and link.person_id == person
        made = store.history(HistoryFilter(event="login_link_made"))
    assert sorted(json.loads(e.data)["person"] for e in made) == sorted(HOLDERS)
    assert not any(token in e.data for e in made for (token,) in tokens.values())
    app.close()


@pytest.mark.slow
def test_without_login_links_the_reminder_carries_the_page(tmp_path: Path, db_url: str) -> None:
    with smtp_server() as (inbox, smtp), webhook_server() as (hooks, hook), \
            gateway() as (got, host):
        folder, run, task = office(tmp_path, db_url, settings(smtp, hook, host, False))
        app, _lines = sweep(folder, db_url, {"ALUR_APPRISE_URLS": ""})
    page = f"{BASE}/run/{run}/langkah/{task}"
    assert len(inbox.messages) == 2 and len(hooks.calls) == 2
    assert all(f"    {page}" in m["body"].splitlines() for m in inbox.messages)
    assert all((c["url"], c["page_url"]) == (page, page) for c in hooks.calls)
    assert got.paths() == ["/tg/@perencanaan", "/wa/6281234567890"]
    assert all(page in data["message"] and "/masuk/" not in data["message"]
               for _path, data in got.calls)
    with app.db.transaction(write=False) as store:
        assert store.history(HistoryFilter(event="login_link_made")) == []
    app.close()


@pytest.mark.slow
def test_no_login_link_is_made_for_the_console(tmp_path: Path, db_url: str) -> None:
    folder, _run, _task = office(tmp_path, db_url, '[reminders]\nchannels = ["console"]\n'
                                 f'[web]\nbase_url = "{BASE}"\nlogin_links = true\n')
    app, lines = sweep(folder, db_url, {})
    assert len(lines) == 3 and not any(BASE in line for line in lines)  # two lines and a sum
    with app.db.transaction(write=False) as store:
        assert store.history(HistoryFilter(event="login_link_made")) == []
    app.close()
