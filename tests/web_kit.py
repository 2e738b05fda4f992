"""Real parts for the browser tests: an `alur web` process and headless Chromium (Selenium).

The browser is Debian's ``chromium`` driven through ``chromium-driver``; `.ci/run` installs
both and sets ``ALUR_TEST_BROWSER=required``, under which a missing browser fails the test
instead of skipping it. A phone is Chromium's mobile emulation at 360 CSS pixels wide (a
headless window cannot be narrower than 500); a desktop is a 1280 x 900 window.
"""

from __future__ import annotations

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
