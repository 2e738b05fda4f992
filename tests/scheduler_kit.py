"""Real parts for scheduler tests: an SMTP server, a webhook server, a daemon process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from tests.conftest import REPO


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.on_message: Callable[[int], bool] | None = None  # False: refuse this one

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        with self.lock:
            number = len(self.messages) + 1
            if self.on_message is not None and not self.on_message(number):
                return "451 4.3.0 try again later"
            mail = message_from_bytes(envelope.content, policy=policy.default)
            self.messages.append({"to": envelope.rcpt_tos, "subject": str(mail["Subject"]),
                                  "body": mail.get_content(),
                                  "reminder": str(mail.get("X-Alur-Reminder", ""))})
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1 (plain, no TLS), with its port."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


class Hooks:
    """What the webhook server received."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.lock = threading.Lock()


@contextmanager
def webhook_server() -> Iterator[tuple[Hooks, str]]:
    """A real HTTP server on 127.0.0.1 taking JSON POSTs, with its URL."""
    hooks = Hooks()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            with hooks.lock:
                hooks.calls.append(body)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hooks, f"http://127.0.0.1:{server.server_address[1]}/alur"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def configure(workspace: Path, smtp_port: int | None = None, webhook: str | None = None,
              sweep_seconds: int = 1) -> None:
    """Point the workspace's alur.toml at the test servers."""
    channels = [c for c, on in (("email", smtp_port), ("webhook", webhook)) if on]
    text = (f"[reminders]\nchannels = {json.dumps(channels)}\nsweep_seconds = "
            f"{sweep_seconds}\n")
    if smtp_port:
        text += (f'\n[email]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n'
                 'sender = "alur@darangdan.example"\n')
    if webhook:
        text += f'\n[webhook]\nurl = "{webhook}"\n'
    (workspace / "alur.toml").write_text(text, encoding="utf-8")


class DaemonProcess:
    """`alur scheduler` as a child process, speaking ``lang`` (its ALUR_LANG: the language of
    what it prints and of the reminders it sends; default: the test's, English)."""

    def __init__(self, workspace: Path, db_url: str, now: str,
                 args: tuple[str, ...] = (), lang: str | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update({"ALUR_WORKSPACE": str(workspace), "ALUR_DATABASE_URL": db_url,
                    "ALUR_NOW": now, "PYTHONPATH": str(REPO)})
        if lang is not None:
            env["ALUR_LANG"] = lang
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from runners.cli.main import main; main()", "scheduler", *args],
            env=env, cwd=workspace, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> tuple[int, str]:
        """Send ``sig`` and return the exit code and everything it printed."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        output, _ = self.process.communicate(timeout=timeout)
        return self.process.returncode, output


def wait_for(condition: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
    """Poll until ``condition`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or condition}")


def kill(process: DaemonProcess) -> None:
    """SIGKILL, no goodbye."""
    os.kill(process.process.pid, signal.SIGKILL)
