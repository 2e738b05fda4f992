"""Every audit event says by which channel it came: `cli` (the operator's commands), `web`
(people in their browsers) or `scheduler` (the daemon's starts and reminders)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine import reads, services
from engine.evidence import Upload
from engine.ports import HistoryFilter
from tests.conftest import run_cli
from tests.evidence_kit import pdf


def _alur(workspace: Path, *args: str, now: str) -> Any:
    result = run_cli(*args, "--workspace", str(workspace),
                     env={"ALUR_NOW": now, "ALUR_USER": "", "ALUR_LANG": "en"})
    assert result.exit_code == 0, result.output
    return result


def _events(workspace: Path) -> list[dict[str, Any]]:
    shown = _alur(workspace, "history", "--format", "json", now="2026-01-05T12:00").stdout
    return [{**e, "data": e["data"] if isinstance(e["data"], dict) else json.loads(e["data"])}
            for e in json.loads(shown)]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "kecamatan"
    assert run_cli("init", str(folder)).exit_code == 0
    return folder


def test_the_operators_commands_are_the_cli(workspace: Path) -> None:
    at = "2026-01-05T08:00"
    _alur(workspace, "run", "start", "pengumpulan-data-kinerja", "--period", "2025", "--as",
          "camat", now=at)
    _alur(workspace, "step", "complete", "1", "perintah", "--as", "camat", now=at)
    _alur(workspace, "step", "reassign", "1", "format", "--to", "sekcam", "--as", "sekcam",
          now=at)
    _alur(workspace, "run", "cancel", "1", "--reason", "uji", "--as", "camat", now=at)
    events = _events(workspace)
    assert [e["event"] for e in events] == ["run_started", "step_activated", "step_completed",
                                            "step_activated", "step_reassigned",
                                            "run_cancelled"]
    assert {e["data"]["channel"] for e in events} == {"cli"}


def test_the_scheduler_says_it_was_the_scheduler(workspace: Path) -> None:
    # the LAKIP SOP starts itself on 2 January: the daemon starts it, then reminds
    _alur(workspace, "scheduler", "--once", now="2026-01-05T08:00")
    _alur(workspace, "scheduler", "--once", now="2026-01-05T10:00")
    events = _events(workspace)
    kinds = {e["event"]: e["data"]["channel"] for e in events}
    assert kinds["run_started"] == "scheduler" and kinds["reminder_sent"] == "scheduler"
    assert {e["data"]["channel"] for e in events} == {"scheduler"}
    _alur(workspace, "step", "complete", "1", "perintah", "--as", "camat",
          now="2026-01-05T10:30")
    assert _events(workspace)[-2]["data"]["channel"] == "cli"


def test_the_web_passes_its_channel_through_the_app(workspace: Path) -> None:
    from runners.app import App

    app = App(workspace, user="camat", channel="web")
    try:
        assert app.env.channel == "web"
        loaded = app.sop("pengumpulan-data-kinerja")
        run = app.write(lambda store: services.start_run(store, app.env, loaded, None, "2025",
                                                          "camat")).run.id
        app.write(lambda store: services.complete_step(
            store, app.env, run, "perintah", "camat",
            evidence=[Upload("perintah.pdf", pdf())],
            max_upload_bytes=app.settings.web.max_upload_bytes))
        events = app.read(lambda store: reads.history(store, HistoryFilter(run=run)))
    finally:
        app.close()
    assert [(e.event, json.loads(e.data)["channel"]) for e in events] == [
        ("run_started", "web"), ("step_activated", "web"), ("step_completed", "web"),
        ("step_activated", "web")]
    assert json.loads(events[2].data)["evidence"][0]["name"] == "perintah.pdf"
    assert App(workspace).channel == "cli"  # the command line's, unless told


def test_the_history_table_names_a_channel_other_than_the_cli(workspace: Path) -> None:
    test_the_web_passes_its_channel_through_the_app(workspace)
    shown = _alur(workspace, "history", "--event", "step_completed",
                  now="2026-01-05T12:00").stdout
    assert "via=web" in " ".join(shown.split())
