"""The real scheduler: e-mail and webhook reminders, restarts, two daemons, scheduled starts."""

from __future__ import annotations

import datetime as dt
import json
import re
import signal
from collections import Counter
from pathlib import Path

import pytest

from engine import services
from engine.clock import FixedClock
from runners.app import App
from runners.i18n import _, use_language
from tests.conftest import run_cli
from tests.office import wib
from tests.scheduler_kit import (
    DaemonProcess,
    configure,
    kill,
    smtp_server,
    wait_for,
    webhook_server,
)

MONDAY_8 = wib(2026, 2, 2, 8, 0)  # no scheduled start falls near it
HOLDERS = {"kasubbag-perencanaan", "kasi-tapem"}  # who holds `kasi` in the sample roster

pytestmark = pytest.mark.slow  # real daemons, SMTP and HTTP servers


def workspace(tmp_path: Path, db_url: str) -> Path:
    folder = tmp_path / "kecamatan"
    result = run_cli("init", str(folder), "--db", db_url)
    assert result.exit_code == 0, result.output
    return folder


def lakip_at_step_3(folder: Path, db_url: str, runs: int = 1) -> list[int]:
    """Runs of the LAKIP SOP whose step 3 (Kasi/Kasubbag, 60 min) is active from Mon 2 Feb 08:00."""
    app = App(folder, db_url, clock=FixedClock(MONDAY_8))
    loaded = app.sop("pengumpulan-data-kinerja")
    ids = []
    for number in range(runs):
        run = app.write(lambda s, n=number: services.start_run(  # type: ignore[misc]
            s, app.env, loaded, None, f"{1000 + n}", "camat")).run.id
        for step, person in (("perintah", "camat"), ("format", "sekcam")):
            app.write(lambda s, r=run, t=step, p=person: services.complete_step(  # type: ignore[misc]
                s, app.env, r, t, p))
        ids.append(run)
    app.close()
    return ids


def reminder_rows(folder: Path, db_url: str, step: str = "himpun") -> list[dict[str, object]]:
    """The reminders of one step (those of the steps before were retired on completion)."""
    result = run_cli("reminders", "list", "--json", "--workspace", str(folder), "--db", db_url)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return [r for r in rows if r["step"] == step]


def test_holders_get_one_email_and_one_webhook_call_each(tmp_path: Path, db_url: str) -> None:
    folder = workspace(tmp_path, db_url)
    lakip_at_step_3(folder, db_url)
    with smtp_server() as (inbox, port), webhook_server() as (hooks, url):
        configure(folder, smtp_port=port, webhook=url)
        daemon = DaemonProcess(folder, db_url, now="2026-02-02T09:30",  # 30 min late
                               lang="id")  # the office's daemon: its e-mails in Bahasa
        try:
            wait_for(lambda: len(inbox.messages) >= 2 and len(hooks.calls) >= 2, what="sends")
            import time

            time.sleep(3)  # three more sweeps: nothing more may arrive
        finally:
            code, output = daemon.stop(signal.SIGTERM)
    assert code == 0, output
    with use_language("id"):
        assert _("Scheduler stopped.") in output
    assert re.search(r"^pengingat \d+ \(tingkat 0\) run 1 langkah 3 himpun -> [a-z, -]+: "
                     r"terkirim$", output, re.M), output  # its lines in its language
    assert sorted(m["to"][0] for m in inbox.messages) == [
        "perencanaan@darangdan.example", "tapem@darangdan.example"]  # the roster's e-mails
    mail = next(m for m in inbox.messages if m["to"] == ["tapem@darangdan.example"])
    assert mail["subject"] == ('[Alur] Pengingat: langkah 3 "Menghimpun format data dan '
                               'informasi kinerja dari masing2 bagian" terlambat 30 menit')
    for words in ("SOP Pengumpulan Data Kinerja", "Periode         : 1000", "30 menit",
                  "Senin, 2 Februari 2026 09:00 WIB", "alur step complete 1 himpun --as "
                  "kasi-tapem"):
        assert words in mail["body"], words
    assert sorted(c["recipient"]["id"] for c in hooks.calls) == sorted(HOLDERS)
    call = hooks.calls[0]
    assert (call["type"], call["run"], call["step"], call["late_minutes"]) == (
        "alur.reminder", 1, "himpun", 30)
    assert call["subject"] == mail["subject"]  # the payload's keys English, its text not
    rows = reminder_rows(folder, db_url)
    assert [(r["level"], r["status"]) for r in rows] == [(0, "sent"), (1, "pending")]
    assert sorted(rows[0]["recipients"]) == sorted(HOLDERS)  # type: ignore[arg-type]
    assert rows[1]["due_at"] == "2026-02-02T10:00:00+07:00"  # escalation: 100 % of 60 min


def test_a_killed_daemon_sends_every_due_reminder_exactly_once_after_restart(
        tmp_path: Path, db_url: str) -> None:
    folder = workspace(tmp_path, db_url)
    lakip_at_step_3(folder, db_url, runs=12)  # 12 reminders, 2 holders each: 24 e-mails
    first: list[DaemonProcess] = []
    killed: list[bool] = []

    def die_on_the_seventh(number: int) -> bool:
        if number == 7 and first and not killed:
            killed.append(True)
            kill(first[0])  # killed while waiting for the server's answer: not delivered
            return False
        return True

    with smtp_server() as (inbox, port):
        inbox.on_message = die_on_the_seventh
        configure(folder, smtp_port=port)
        first.append(DaemonProcess(folder, db_url, now="2026-02-02T09:30"))
        wait_for(lambda: first[0].process.poll() is not None, what="the first daemon's death")
        assert first[0].stop()[0] == -signal.SIGKILL
        assert 0 < len(inbox.messages) < 24
        second = DaemonProcess(folder, db_url, now="2026-02-02T09:30")
        try:
            wait_for(lambda: len(inbox.messages) >= 24, what="all 24 e-mails")
            import time

            time.sleep(2)
        finally:
            code, output = second.stop()
    assert code == 0, output
    sent = Counter((m["to"][0], m["reminder"]) for m in inbox.messages)
    assert len(sent) == 24 and set(sent.values()) == {1}, sent
    rows = reminder_rows(folder, db_url)
    assert Counter(r["status"] for r in rows if r["level"] == 0) == {"sent": 12}


def test_a_second_daemon_on_sqlite_is_refused(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'alur.db'}"
    folder = workspace(tmp_path, db_url)
    configure(folder)
    first = DaemonProcess(folder, db_url, now="2026-02-02T09:30")
    try:
        lock = tmp_path / "alur.db.scheduler.lock"
        # the daemon writes its id into the file once it holds the lock (not when it opens it)
        wait_for(lambda: lock.exists() and lock.read_text(encoding="utf-8").strip() != "",
                 what="the lock")
        result = run_cli("scheduler", "--once", "--workspace", str(folder), "--db", db_url)
        assert result.exit_code == 1
        assert "another `alur scheduler` is already running on" in result.stderr
        assert "one scheduler runs at a time" in result.stderr
    finally:
        first.stop()


def test_the_lakip_run_starts_by_itself_on_the_first_working_day(tmp_path: Path,
                                                                 db_url: str) -> None:
    folder = workspace(tmp_path, db_url)
    configure(folder)

    def once(now: str) -> str:
        result = run_cli("scheduler", "--once", "--workspace", str(folder), "--db", db_url,
                         env={"ALUR_NOW": now})
        assert result.exit_code == 0, result.output
        return result.stdout

    assert "started run" not in once("2026-01-01T09:00")  # New Year's Day
    assert "started run" not in once("2026-01-02T07:00")  # before work begins
    started = once("2026-01-02T07:45")
    assert "started run 1: pengumpulan-data-kinerja for darangdan, period 2025" in started
    assert "started run" not in once("2026-01-02T09:00")  # never twice
    shown = json.loads(run_cli("run", "show", "1", "--json", "--workspace", str(folder),
                               "--db", db_url, env={"ALUR_NOW": "2026-01-02T09:00"}).stdout)
    assert shown["started_by"] == "alur-scheduler"
    assert shown["started_at"] == "2026-01-02T07:30:00+07:00"
    assert shown["deadline"] == "2026-03-31"


def test_nothing_is_sent_outside_working_hours(tmp_path: Path, db_url: str) -> None:
    folder = workspace(tmp_path, db_url)
    lakip_at_step_3(folder, db_url)
    configure(folder)
    result = run_cli("scheduler", "--once", "--workspace", str(folder), "--db", db_url,
                     env={"ALUR_NOW": "2026-02-02T20:00"})
    assert result.exit_code == 0
    assert "Outside working hours: no reminders are sent now." in result.stdout
    assert [r["status"] for r in reminder_rows(folder, db_url)] == ["pending"]


def test_a_failing_channel_is_retried_then_recorded_without_blocking(tmp_path: Path,
                                                                     db_url: str) -> None:
    folder = workspace(tmp_path, db_url)
    lakip_at_step_3(folder, db_url)
    with webhook_server() as (hooks, url):
        configure(folder, smtp_port=9, webhook=url)  # nothing listens on port 9
        now = wib(2026, 2, 2, 9, 30)
        for _ in range(5):
            result = run_cli("scheduler", "--once", "--workspace", str(folder), "--db", db_url,
                             env={"ALUR_NOW": now.isoformat()})
            assert result.exit_code == 0, result.output
            now += dt.timedelta(minutes=20)
    # the webhook reached both holders on the first try, and never again
    assert sorted(c["recipient"]["id"] for c in hooks.calls) == sorted(HOLDERS)
    rows = {r["level"]: r for r in reminder_rows(folder, db_url)}
    assert rows[0]["status"] == "failed" and rows[0]["attempts"] == 5
    assert "SMTP 127.0.0.1:9" in str(rows[0]["error"])
    assert rows[1]["status"] == "pending"  # the escalation still follows
    events = json.loads(run_cli("history", "--event", "reminder_failed", "--format", "json",
                                "--workspace", str(folder), "--db", db_url).stdout)
    assert len(events) == 1 and events[0]["data"]["level"] == 0


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_daemons_send_a_thousand_reminders_exactly_once(tmp_path: Path,
                                                            db_url: str) -> None:
    folder = workspace(tmp_path, db_url)
    app = App(folder, db_url, clock=FixedClock(MONDAY_8))
    loaded = app.sop("pengumpulan-data-kinerja")
    for number in range(1000):  # step 1 (Camat, 3 minutes) active in each
        app.write(lambda s, n=number: services.start_run(  # type: ignore[misc]
            s, app.env, loaded, None, f"{1000 + n}", "camat"))
    app.close()
    with webhook_server() as (hooks, url):
        configure(folder, webhook=url)
        daemons = [DaemonProcess(folder, db_url, now="2026-02-02T08:30") for _ in range(2)]
        try:
            wait_for(lambda: len(hooks.calls) >= 1000, timeout=240, what="1000 calls")
            import time

            time.sleep(3)
        finally:
            outputs = [d.stop() for d in daemons]
    assert all(code == 0 for code, _ in outputs), outputs
    counted = Counter(c["reminder"] for c in hooks.calls)
    assert len(counted) == 1000 and set(counted.values()) == {1}
    # both daemons took part
    assert all("reminder" in output for _code, output in outputs), outputs
