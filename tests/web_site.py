"""A workspace served by the web app in-process, for the app-level web tests.

``Site`` makes a workspace with `alur init` (SQLite or PostgreSQL), gives people passwords
through the engine's use case, and serves ``runners.web.site.create_app`` to Starlette's
TestClient: one client per person, each with its own cookies. The clock stands on Monday
5 January 2026, 08:00 WIB, and moves only when a test moves it.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from starlette.testclient import TestClient

from engine.clock import FixedClock
from tests.conftest import run_cli
from tests.office import every_row

WIB = ZoneInfo("Asia/Jakarta")
MONDAY = dt.datetime(2026, 1, 5, 8, 0, tzinfo=WIB)
PASSWORD = "kata-sandi-rahasia"
LAKIP = "pengumpulan-data-kinerja"
SKTM = "legalisasi-sktm"
# who completes each LAKIP step in the sample roster of `alur init`, and the step's id
LAKIP_STEPS = [("camat", "perintah"), ("sekcam", "format"), ("kasi-tapem", "himpun"),
               ("sekcam", "analisis"), ("staf-1", "draft"), ("camat", "koreksi"),
               ("camat", "rapat-finalisasi"), ("sekcam", "ajukan"), ("camat", "tanda-tangan"),
               ("camat", "tanda-tangan-2"), ("staf-2", "surat-pengantar"),
               ("staf-2", "penggandaan"), ("staf-2", "pengiriman")]
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages "
       b"/Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
TASK_LINK = re.compile(r'href="/run/(\d+)/langkah/(\d+)"')


class Site:
    """A workspace, its database and the web app serving it."""

    def __init__(self, folder: Path, db_url: str, roster: str | None = None,
                 web: dict[str, str] | None = None, sops: dict[str, str] | None = None) -> None:
        result = run_cli("init", str(folder), "--db", db_url)
        assert result.exit_code == 0, result.output
        if roster is not None:
            (folder / "roster.yaml").write_text(roster, encoding="utf-8")
        for name, text in (sops or {}).items():
            (folder / "sops" / name).write_text(text, encoding="utf-8")
        if web:  # keys of [web], as TOML values: {"max_upload_mb": "1"}
            toml = folder / "alur.toml"
            text = toml.read_text(encoding="utf-8")
            for key, value in web.items():
                text, found = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
                assert found == 1, key
            toml.write_text(text, encoding="utf-8")
        from runners.app import App
        from runners.web.site import create_app

        self.folder = folder
        self.clock = FixedClock(MONDAY)
        self.app = App(folder, db_url, clock=self.clock)
        self.asgi = create_app(self.app)
        self.clients: list[TestClient] = []

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.app.close()

    # -- people ---------------------------------------------------------------------------

    def passwords(self, *people: str, password: str = PASSWORD) -> None:
        """Give people passwords (as `alur user password` does)."""
        from engine import accounts
        from runners.passwords import password_hasher

        env = self.asgi.state.web.env  # the roster as the server reads it now
        for person in people:
            self.app.write(lambda store, p=person: accounts.set_password(  # type: ignore[misc]
                store, env, p, password, password_hasher()))

    def link(self, person: str) -> str:
        """A login link's token for the person (as `alur user link` makes it)."""
        from engine import accounts

        return self.app.write(lambda store: accounts.make_login_link(store, self.app.env,
                                                                     person))

    def client(self, person: str | None = None, base_url: str = "http://testserver",
               password: str = PASSWORD) -> TestClient:
        """A browser of its own; logged in as ``person`` when one is named."""
        client = TestClient(self.asgi, base_url=base_url, follow_redirects=False)
        self.clients.append(client)
        if person is not None:
            answer = self.log_in(client, person, password)
            assert answer.status_code == 303, answer.text
        return client

    def log_in(self, client: TestClient, username: str, password: str = PASSWORD,
               next_path: str = "") -> Any:
        form = client.get("/masuk")
        return client.post("/masuk", data={"username": username, "password": password,
                                           "csrf": token(form.text), "next": next_path})

    # -- acting ---------------------------------------------------------------------------

    def post(self, client: TestClient, path: str, data: dict[str, Any] | None = None,
             files: Any = None, page: str | None = None, **options: Any) -> Any:
        """POST a form of the app, with the CSRF token of ``page`` (default: ``path``'s
        own page, or the task list)."""
        shown = client.get(page or "/tugas")
        fields = {"csrf": token(shown.text), **(data or {})}
        return client.post(path, data=fields, files=files, **options)

    def tasks(self, client: TestClient) -> list[tuple[int, int]]:
        """The (run, task) ids linked from the person's task list."""
        page = client.get("/tugas")
        assert page.status_code == 200, page.text
        return [(int(r), int(t)) for r, t in TASK_LINK.findall(page.text)]

    def complete(self, client: TestClient, run: int, task: int, **data: Any) -> Any:
        """Complete a task from its page (``files``: the evidence)."""
        files = data.pop("files", None)
        return self.post(client, f"/run/{run}/langkah/{task}/selesai", data, files=files,
                         page=f"/run/{run}/langkah/{task}")

    def later(self, minutes: int) -> None:
        self.clock.advance(dt.timedelta(minutes=minutes))

    # -- looking --------------------------------------------------------------------------

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table but the sessions (whose use is noted on each request),
        to show that a refused request changed nothing."""
        return every_row(self.app.db.engine, leave_out=("web_sessions",))


def token(html: str) -> str:
    """The CSRF token of a page's forms."""
    found = CSRF.search(html)
    assert found is not None, html[:2000]
    return found.group(1)


def alert(html: str) -> str:
    """The text of a page's error notice (empty when it has none)."""
    found = re.search(r'<p class="notice error" role="alert">(.*?)</p>', html, re.S)
    return found.group(1).strip() if found else ""
