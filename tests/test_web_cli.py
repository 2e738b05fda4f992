"""`alur web` as people start it: its help, a port that is taken, a real server process
that answers and stops cleanly on SIGTERM; and the templates' messages in the catalogue."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

import pytest

from runners import catalog
from tests.conftest import REPO, run_cli


def test_the_help_names_host_and_port() -> None:
    shown = run_cli("web", "--help")
    assert shown.exit_code == 0
    assert "--host ADDRESS" in shown.stdout and "--port" in shown.stdout


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    assert run_cli("init", str(tmp_path / "ws")).exit_code == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        answer = run_cli("web", "--workspace", str(tmp_path / "ws"), "--port", str(port))
    assert answer.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in answer.stderr
    assert "--port" in answer.stderr and "Traceback" not in answer.output


def test_outside_a_workspace_it_says_so(tmp_path: Path) -> None:
    answer = run_cli("web", "--workspace", str(tmp_path))
    assert answer.exit_code == 1 and "alur init" in answer.stderr


@pytest.mark.slow
def test_a_real_server_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    from tests.web_kit import WebServer

    workspace = tmp_path / "ws"
    url = f"sqlite:///{tmp_path / 'alur.db'}"
    assert run_cli("init", str(workspace), "--db", url).exit_code == 0
    server = WebServer(workspace, url, now="2026-01-05T08:00")
    try:
        with urllib.request.urlopen(server.url + "/masuk", timeout=10) as answer:
            assert answer.status == 200
            assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
            assert "Masuk" in answer.read().decode()  # Bahasa Indonesia by default
        with urllib.request.urlopen(server.url + "/static/htmx-2.0.8.min.js") as script:
            assert script.read().startswith(b"/*! htmx 2.0.8")
    finally:
        output = server.stop()
    assert server.process.returncode == 0, output
    assert "Alur web" in output and "Traceback" not in output


def test_the_templates_messages_are_found_and_kept() -> None:
    source = b"""{% extends "base.html" %}
<p>{{ _("Plain {x}").format(x=1) }}</p>
<p>{{ ngettext("{n} file", "{n} files", 2).format(n=2) }}</p>
<p>{{ _(dynamic) }}</p>
"""
    found = [message for _line, message in catalog.template_messages(source)]
    assert found == ["Plain {x}", ("{n} file", "{n} files")]
    messages = catalog.code_messages(REPO)
    assert ("runners/web/templates/step.html" in
            {where for where, _line in messages["Complete this step"]})
    assert ("{n} step waits for you.", "{n} steps wait for you.") in messages
