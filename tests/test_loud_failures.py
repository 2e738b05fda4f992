"""Failures are loud: each failed send printed with its reason, the operator told after the
last retry, a role nobody holds reported when its task becomes active and counted."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.office import wib
from tests.scheduler_kit import configure, webhook_server
from tests.test_scheduler import lakip_at_step_3, reminder_rows, workspace

pytestmark = pytest.mark.slow  # real SMTP and HTTP servers


def with_operator(folder: Path, person: str = "sekcam") -> None:
    settings = folder / "alur.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("[reminders]\n", f'[reminders]\noperator = "{person}"\n', 1),
                        encoding="utf-8")


def once(folder: Path, db_url: str, now: dt.datetime) -> str:
    result = run_cli("scheduler", "--once", "--workspace", str(folder), "--db", db_url,
                     env={"ALUR_NOW": now.isoformat()})
    assert result.exit_code == 0, result.output
    return result.stdout


def status(folder: Path, db_url: str, now: dt.datetime) -> dict[str, object]:
    result = run_cli("status", "--json", "--workspace", str(folder), "--db", db_url,
                     env={"ALUR_NOW": now.isoformat()})
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_each_failed_send_is_printed_and_the_operator_is_told_after_the_last_try(
        tmp_path: Path, db_url: str) -> None:
    folder = workspace(tmp_path, db_url)
    lakip_at_step_3(folder, db_url)
    with webhook_server() as (hooks, url):
        configure(folder, smtp_port=9, webhook=url)  # nothing listens on port 9
        with_operator(folder)
        now = wib(2026, 2, 2, 9, 30)
        first = once(folder, db_url, now)
        # the try is printed with its reason, and the reminder is not called sent
        assert "could not reach kasi-tapem by email: " in first
        assert "SMTP 127.0.0.1:9" in first
        assert "not delivered (" in first and "try 1 of 5, next at 2026-02-02 09:31" in first
        assert first.rstrip().endswith("Done: 1 reminder(s) handled: 1 retry.")
        assert ": sent" not in first and ": pending" not in first
        outputs = []
        for _ in range(4):
            now += dt.timedelta(minutes=20)
            outputs.append(once(folder, db_url, now))
        assert status(folder, db_url, now)["reminders_failed"] == 1
    last = next(o for o in outputs if "FAILED for good" in o)
    assert "(level 0) run 1 step 3 himpun" in last.split("FAILED for good")[0].splitlines()[-1]
    assert "failed" in last.splitlines()[-1]
    alerts = [c for c in hooks.calls if c["type"] == "alur.failure"]
    assert [c["recipient"]["id"] for c in alerts] == ["sekcam"]  # once, to the operator
    alert = alerts[0]
    rows = {r["level"]: r for r in reminder_rows(folder, db_url)}
    assert alert["reminder"] == rows[0]["id"] and "SMTP 127.0.0.1:9" in alert["failure"]
    assert alert["subject"].startswith("[Alur] NOT DELIVERED: reminder of run 1, step 3")
    assert "could not be delivered and will not be tried again" in alert["text"]
    assert "alur reminders list --run 1" in alert["text"]
    assert rows[0]["status"] == "failed" and rows[0]["attempts"] == 5


def test_without_an_operator_the_failure_says_how_to_name_one(tmp_path: Path,
                                                              db_url: str) -> None:
    folder = workspace(tmp_path, db_url)
    lakip_at_step_3(folder, db_url)
    configure(folder, smtp_port=9)
    now = wib(2026, 2, 2, 9, 30)
    outputs = []
    for _ in range(5):
        outputs.append(once(folder, db_url, now))
        now += dt.timedelta(minutes=20)
    text = "".join(outputs)
    assert "FAILED for good" in text
    assert "set [reminders] operator in alur.toml to be told" in text


def test_an_operator_missing_from_the_roster_is_named(tmp_path: Path, db_url: str) -> None:
    folder = workspace(tmp_path, db_url)
    (folder / "roster.yaml").write_text(
        (folder / "roster.yaml").read_text(encoding="utf-8").replace(
            "roles: [kasubbag-perencanaan, kasi]", "roles: [kasubbag-perencanaan]").replace(
            "roles: [kasi-tapem, kasi]", "roles: [kasi-tapem]"), encoding="utf-8")
    lakip_at_step_3(folder, db_url)
    with webhook_server() as (hooks, url):
        configure(folder, webhook=url)
        with_operator(folder, "pak-operator")
        output = once(folder, db_url, wib(2026, 2, 2, 9, 30))
    assert "the operator `pak-operator` is not in the roster" in output
    assert not [c for c in hooks.calls if c["type"] == "alur.failure"]


def test_a_role_nobody_holds_is_a_failure_from_the_moment_its_task_is_active(
        tmp_path: Path, db_url: str) -> None:
    folder = workspace(tmp_path, db_url)
    roster = folder / "roster.yaml"
    roster.write_text(roster.read_text(encoding="utf-8").replace(
        "roles: [kasubbag-perencanaan, kasi]", "roles: [kasubbag-perencanaan]").replace(
        "roles: [kasi-tapem, kasi]", "roles: [kasi-tapem]"), encoding="utf-8")
    checked = run_cli("roster", "check", "--workspace", str(folder), "--db", db_url)
    assert "kasi" in checked.output and "no holder" in checked.output
    at = {"ALUR_NOW": wib(2026, 2, 2, 8, 0).isoformat()}
    base = ("--workspace", str(folder), "--db", db_url)
    assert run_cli("run", "start", "pengumpulan-data-kinerja", "--period", "2026", *base,
                   "--as", "camat", env=at).exit_code == 0
    assert run_cli("step", "complete", "1", "perintah", *base, "--as", "camat",
                   env=at).exit_code == 0
    done = run_cli("step", "complete", "1", "format", *base, "--as", "sekcam", env=at)
    assert done.exit_code == 0, done.output
    # the moment step 3 is active: a warning naming the step, on stderr
    assert "Active step: 3." in done.stdout and "NOBODY (no holder)" in done.stdout
    assert "nobody holds the role of step himpun" in done.stderr
    started_ok = run_cli("run", "show", "1", *base, "--as", "camat", env=at)
    assert started_ok.exit_code == 0

    with webhook_server() as (hooks, url):
        configure(folder, webhook=url)
        with_operator(folder)
        now = wib(2026, 2, 2, 9, 30)
        output = once(folder, db_url, now)
        assert "-> nobody: FAILED for good (nobody holds the role)" in output
        assert status(folder, db_url, now)["reminders_failed"] == 1
        assert "kasi (darangdan)" in status(folder, db_url, now)[  # type: ignore[operator]
            "roles_without_holder"]
    rows = {r["level"]: r for r in reminder_rows(folder, db_url)}
    assert rows[0]["status"] == "failed" and rows[0]["attempts"] == 5  # no pointless retries
    assert rows[1]["status"] == "pending"  # the escalation to the superior still follows
    alerts = [c for c in hooks.calls if c["type"] == "alur.failure"]
    assert [c["recipient"]["id"] for c in alerts] == ["sekcam"]
    assert "Nobody holds this role in the roster." in alerts[0]["text"]


def test_status_sees_the_running_scheduler(tmp_path: Path, db_url: str) -> None:
    from tests.scheduler_kit import DaemonProcess, wait_for

    folder = workspace(tmp_path, db_url)
    configure(folder)
    now = wib(2026, 2, 2, 9, 30)
    assert status(folder, db_url, now)["scheduler"] == "not running"
    daemon = DaemonProcess(folder, db_url, now="2026-02-02T09:30")
    try:
        wait_for(lambda: status(folder, db_url, now)["scheduler"] != "not running",
                 what="the scheduler to be seen")
        seen = str(status(folder, db_url, now)["scheduler"])
        assert seen.startswith("running (") if db_url.startswith("sqlite") else \
            seen == "1 running"
    finally:
        daemon.stop()
    assert status(folder, db_url, now)["scheduler"] == "not running"
