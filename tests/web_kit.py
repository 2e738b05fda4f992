"""Real parts for the browser tests: an `alur web` process and headless Chromium (Selenium).

The browser is Debian's ``chromium`` driven through ``chromium-driver``; `.ci/run` installs
both and sets ``ALUR_TEST_BROWSER=required``, under which a missing browser fails the test
instead of skipping it. A phone is Chromium's mobile emulation at 360 CSS pixels wide (a
headless window cannot be narrower than 500); a desktop is a 1280 x 900 window.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

PHONE = (360, 780)
DESKTOP = (1280, 900)


def browser_or_skip() -> tuple[str, str]:
    """The paths of chromium and chromedriver; skips (fails in CI) when either is missing."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    message = "chromium and chromium-driver are needed for the browser tests"
    if os.environ.get("ALUR_TEST_BROWSER") == "required":
        pytest.fail(message + " (ALUR_TEST_BROWSER=required)")
    pytest.skip(message + ": apt-get install chromium chromium-driver")


@contextmanager
def chromium(size: tuple[int, int] = DESKTOP) -> Iterator[Any]:
    """A headless Chromium of that size (360 wide: a phone, by mobile emulation)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = browser_or_skip()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--lang=id-ID"):
        options.add_argument(argument)
    width, height = size
    if width < 500:
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {
            "width": width, "height": height, "pixelRatio": 2.0}})
    else:
        options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # CSP reports, errors
    browser = webdriver.Chrome(service=Service(driver), options=options)
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class WebServer:
    """`alur web` as a child process on 127.0.0.1, until stopped."""

    def __init__(self, workspace: Path, db_url: str, now: str | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {k: v for k, v in os.environ.items()
                       if k not in ("PYTHONDONTWRITEBYTECODE", "ALUR_LANG")}
        environment.update({"ALUR_WORKSPACE": str(workspace), "ALUR_DATABASE_URL": db_url,
                            "PYTHONPATH": str(REPO), **(env or {})})
        if now is not None:
            environment["ALUR_NOW"] = now
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from runners.cli.main import main; main()", "web",
             "--host", "127.0.0.1", "--port", str(self.port)],
            env=environment, cwd=workspace, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        self.wait_ready()

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"alur web ended: {self.process.communicate()[0]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("alur web did not answer /healthz")

    def stop(self) -> str:
        """SIGTERM, and everything it printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        output, _ = self.process.communicate(timeout=30)
        return output

    def __enter__(self) -> WebServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def horizontal_overflow(browser: Any) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    width: int = browser.execute_script(
        "return Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth")
    return width


def console_errors(browser: Any) -> list[str]:
    """The browser console's errors since the last call (a CSP violation is one)."""
    return [entry["message"] for entry in browser.get_log("browser")
            if entry["level"] == "SEVERE"]


# -- a workspace as a new user makes one, served by a real `alur web` --------------------

PASSWORD = "kata-sandi-rahasia"
MONDAY = dt.datetime(2026, 1, 5, 8, 0)  # Senin, 5 Januari 2026 08.00 WIB


class Office:
    """A workspace made by `alur init` (SQLite file or PostgreSQL database), people given
    passwords by `alur user password`, and `alur web` serving it on 127.0.0.1.

    The server's clock stands still (``ALUR_NOW``); ``later`` moves it by restarting the
    server, as the hours of an office day pass (sessions live in the database, so the
    browsers stay logged in unless the session expired meanwhile)."""

    def __init__(self, folder: Path, db_url: str, now: dt.datetime = MONDAY,
                 roster_extra: str = "") -> None:
        from tests.conftest import run_cli

        self.folder, self.db_url, self.now = folder, db_url, now
        made = run_cli("init", str(folder), "--db", db_url)
        assert made.exit_code == 0, made.output
        if roster_extra:  # more units, appended under `units:`
            roster = folder / "roster.yaml"
            roster.write_text(roster.read_text(encoding="utf-8") + roster_extra,
                              encoding="utf-8")
        self.server: WebServer | None = None

    def cli(self, *args: str, input: str | None = None) -> Any:
        """`alur ARGS` on this workspace and database, in English; asserts it succeeded."""
        from tests.conftest import run_cli

        result = run_cli(*args, "--workspace", str(self.folder), "--db", self.db_url,
                         input=input, env={"ALUR_NOW": self.now.isoformat()})
        assert result.exit_code == 0, result.output
        return result

    def passwords(self, *people: str) -> None:
        """`alur user password PERSON --password-stdin` for each."""
        for person in people:
            self.cli("user", "password", person, "--password-stdin", input=PASSWORD + "\n")

    def serve(self) -> WebServer:
        """`alur web` at ``now`` (a running one is stopped first)."""
        self.stop()
        self.server = WebServer(self.folder, self.db_url, now=self.now.isoformat())
        return self.server

    def later(self, minutes: int) -> None:
        """Move the clock on: the server is restarted at the new time."""
        self.now += dt.timedelta(minutes=minutes)
        self.serve()

    @property
    def url(self) -> str:
        assert self.server is not None, "serve() first"
        return self.server.url

    def stop(self) -> None:
        if self.server is not None:
            output = self.server.stop()
            assert "Traceback" not in output, output
            self.server = None

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table but the sessions (whose last use each request notes):
        equal before and after a refused request means nothing changed."""
        from sqlalchemy import create_engine

        from tests.office import every_row

        engine = create_engine(self.db_url)
        try:
            return every_row(engine, leave_out=("web_sessions",))
        finally:
            engine.dispose()


class Visitor:
    """One browser that the roster's people use in turn, each logged in as themselves."""

    def __init__(self, browser: Any, office: Office) -> None:
        self.browser, self.office = browser, office
        self.person: str | None = None

    # -- moving about ---------------------------------------------------------------------

    def go(self, path: str) -> None:
        """Open a page of the app (the server's address may have changed: ``later``)."""
        self.browser.get(self.office.url + path)

    @property
    def path(self) -> str:
        """The path (and query) of the page shown."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.browser.current_url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.browser.find_element(By.CSS_SELECTOR, css)

    def finds(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        found: list[Any] = self.browser.find_elements(By.CSS_SELECTOR, css)
        return found

    def text(self, css: str = "main") -> str:
        """The text a person reads in an element (the page's main part by default)."""
        found: str = self.find(css).text
        return found

    def submit(self, button: Any) -> None:
        """Click a button of a form and wait for the page that answers."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.wait import WebDriverWait

        # The page before is marked; the answer is a new document without the mark. (An
        # element of the old page cannot be asked: Chromium answers "Node ... does not
        # belong to the document" instead of "stale" while the new one loads.)
        self.browser.execute_script("window.alurPageBefore = true")
        button.click()

        def answered(browser: Any) -> bool:
            try:
                return bool(browser.execute_script(
                    "return window.alurPageBefore === undefined"
                    " && document.readyState === 'complete'"))
            except WebDriverException:  # between the two documents
                return False

        WebDriverWait(self.browser, 20).until(answered)

    # -- logging in and out ---------------------------------------------------------------

    def log_in(self, username: str, password: str = PASSWORD) -> None:
        """The login form, filled in and sent (the page that answers is shown)."""
        self.go("/masuk")
        self.find("#username").clear()
        self.find("#username").send_keys(username)
        self.find("#password").send_keys(password)
        self.submit(self.find("form[action='/masuk'] button[type=submit]"))

    def log_out(self) -> None:
        """The header's log-out button."""
        self.submit(self.find("form.logout button"))
        self.person = None

    def be(self, person: str) -> None:
        """This browser in ``person``'s hands: the one before logs out, and ``person`` logs
        in (again, when the session has expired meanwhile)."""
        if self.person == person:
            self.go("/tugas")
            if self.path == "/tugas":
                return
        elif self.person is not None:
            self.go("/tugas")
            if self.path == "/tugas":
                self.log_out()
        self.log_in(person)
        assert self.path == "/tugas", (person, self.path, self.text())
        self.person = person

    # -- acting ---------------------------------------------------------------------------

    def task_links(self, run: int | None = None) -> list[str]:
        """The step pages linked from "Tugas saya" (of one run)."""
        self.go("/tugas")
        prefix = f"/run/{run}/langkah/" if run is not None else "/run/"
        return [link.get_attribute("href").removeprefix(self.office.url)
                for link in self.finds("#tasks a.card-link")
                if link.get_attribute("href").removeprefix(self.office.url).startswith(prefix)]

    def complete(self, step_page: str, outcome: str | None = None, note: str = "",
                 files: tuple[Path, ...] = ()) -> str:
        """Complete the step of that page as a person does: tick the checklist, write the
        note, choose the files, press the button (the outcome's, on a decision). The notice
        the page answers with."""
        self.go(step_page)
        for box in self.finds(".checklist input[type=checkbox]"):
            box.click()
        if note:
            self.find("#note").send_keys(note)
        if files:
            self.find("#evidence").send_keys("\n".join(str(f) for f in files))
        form = "form[action$='/selesai']"
        button = self.find(f"{form} button[name=outcome][value='{outcome}']") if outcome \
            else self.find(f"{form} button[type=submit]")
        self.submit(button)
        return self.text(".notice")


def fresh(browser: Any, office: Office) -> Visitor:
    """The browser with no cookies (nobody logged in) and an empty console."""
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    console_errors(browser)
    return Visitor(browser, office)


def said(message: str, **values: Any) -> str:
    """A message of the catalogue as people read it, in Bahasa Indonesia (``alur web``'s
    language), its places filled."""
    from runners.i18n import _, use_language

    with use_language("id"):
        text = _(message)
    return text.format(**values) if values else text


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh database's URL: a SQLite file in ``folder``, or a new PostgreSQL database
    (skips when ALUR_TEST_POSTGRES_URL is not set), dropped afterwards."""
    from tests.conftest import _fresh_postgres_database

    if kind == "sqlite":
        yield f"sqlite:///{folder / 'alur.db'}"
    else:
        yield from _fresh_postgres_database()
