"""`alur demo`: a whole LAKIP run in a temporary workspace, with a fast clock.

The scheduler starts the annual run on the first working day of January, as
the SOP's `start:` block says; simulated people of the sample roster complete
their steps, some late; the real scheduler (APScheduler, the same sweep as
`alur scheduler`) sends the reminders and escalations through the console
channel; at the end the report and the audit check are shown. Nights,
weekends and breaks are skipped, since nothing happens in them.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from runners.i18n import _

if TYPE_CHECKING:
    from engine.ports import Store
    from runners.app import App

# Simulated working minutes each step takes, and who does it. Step 3 runs late
# (60 minutes standard): a reminder at 60, an escalation at 120; the Camat
# sends the first draft back once.
PLAY: dict[str, tuple[str, list[int]]] = {
    "perintah": ("camat", [2]),
    "format": ("sekcam", [45]),
    "himpun": ("kasi-tapem", [200]),
    "analisis": ("sekcam", [50]),
    "draft": ("staf-1", [55, 40]),
    "koreksi": ("camat", [30, 20]),
    "rapat-finalisasi": ("camat", [45]),
    "ajukan": ("sekcam", [40]),
    "tanda-tangan": ("camat", [30]),
    "tanda-tangan-2": ("camat", [25]),
    "surat-pengantar": ("staf-2", [40]),
    "penggandaan": ("staf-2", [45]),
    "pengiriman": ("staf-2", [35]),
}
START = dt.datetime(2026, 1, 2, 6, 45, tzinfo=ZoneInfo("Asia/Jakarta"))


def play_step(app: App, run_id: int, done_counts: dict[str, int],
              echo: Callable[[str], None]) -> bool:
    """Complete the active step if its simulated person is done by now; True if one was."""
    from engine import services
    from engine.durations import Duration
    from engine.spec_cache import spec_of

    run = app.read(lambda s: s.get_run(run_id))
    if not run.is_active:
        return False
    step = app.read(lambda s: s.active_tasks(run_id))[0]
    person, minutes = PLAY[step.activity_id]
    turn = done_counts.get(step.activity_id, 0)
    finish = app.calendar.add(step.activated_at,
                              Duration(minutes=minutes[min(turn, len(minutes) - 1)]))
    if finish > app.now():
        return False
    spec = app.read(lambda s: spec_of(s, run.sop_hash))
    activity = spec.activity(step.activity_id)
    outcome = ("Tidak" if turn == 0 else "Ya") if activity.is_decision else None
    app.write(lambda s: services.complete_step(s, app.env, run_id, step.label, person, outcome,
                                               None, finish))
    done_counts[step.activity_id] = turn + 1
    values = {"at": app.local(finish), "person": person, "no": activity.no,
              "name": activity.name}
    late = bool(step.due_at and finish > step.due_at)
    if outcome and late:
        line = _("[{at}] {person} completed step {no}. {name}, outcome {outcome} (late)")
    elif outcome:
        line = _("[{at}] {person} completed step {no}. {name}, outcome {outcome}")
    elif late:
        line = _("[{at}] {person} completed step {no}. {name} (late)")
    else:
        line = _("[{at}] {person} completed step {no}. {name}")
    echo(line.format(outcome=outcome, **values))
    return True


def run_demo(speed: float, echo: Callable[[str], None], timeout: float = 55.0) -> int:
    """Play the LAKIP run; return the exit code (0 when it completed and verified)."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    from engine import reads
    from engine.clock import FastClock
    from runners import scheduler as daemon_module
    from runners.app import App
    from runners.channels import build_channels
    from runners.init_workspace import create_workspace
    from runners.json_shapes import report_json
    from runners.reports import report_table

    with tempfile.TemporaryDirectory(prefix="alur-demo-") as folder:
        workspace = Path(folder)
        create_workspace(workspace)
        clock = FastClock(START, speed)
        app = App(workspace, f"sqlite:///{workspace / 'alur.db'}", clock=clock)
        stamp: Callable[[str], None] = lambda line: echo(  # noqa: E731
            f"[{app.local(clock.now())}] {line}")
        echo(_("Demo workspace: {folder} (sample roster of Kecamatan Darangdan, clock "
               "{speed}x real time, nights and breaks skipped)").format(
                   folder=workspace, speed=f"{speed:g}"))
        daemon = daemon_module.Daemon(app, build_channels(app.settings, echo=stamp), echo=stamp)
        daemon.open()
        scheduler = BackgroundScheduler(timezone=app.calendar.tz)
        daemon_module._DAEMON = daemon
        scheduler.add_job("runners.scheduler:sweep_job", IntervalTrigger(seconds=0.2),
                          id="sweep", max_instances=1, coalesce=True, misfire_grace_time=None)
        scheduler.start()
        done_counts: dict[str, int] = {}
        run_id: int | None = None
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                now = clock.now()
                next_work = app.calendar.next_working_instant(now)
                if next_work > now:
                    clock.jump_to(next_work)
                    continue
                if run_id is None:
                    started = daemon.start_runs()
                    if started:
                        run_id = started[0][3]
                    time.sleep(0.02)
                    continue
                if not play_step(app, run_id, done_counts, echo):
                    if not app.read(lambda s: s.get_run(run_id)).is_active:  # noqa: B023
                        break
                    time.sleep(0.02)
        finally:
            scheduler.shutdown(wait=True)
            daemon_module._DAEMON = None
            daemon.close()
        if run_id is None:
            echo(_("The demo did not get as far as starting the run."))
            return 1

        def final(store: Store) -> tuple[str, int, int, int]:
            view = reads.report(store, app.env, run_id)
            sent = reads.reminders(store, run_id, "sent")
            return (report_table(report_json(view, app.tz)), len(sent),
                    sum(r.level > 0 for r in sent), reads.verify_audit(store))

        table, sent, escalations, events = app.read(final)
        status = app.read(lambda s: s.get_run(run_id))
        app.close()
        echo("")
        echo(table)
        echo("")
        echo(_("Reminders sent: {sent} ({escalations} escalation(s)); audit trail intact: "
               "{events} events checked.").format(sent=sent, escalations=escalations,
                                                  events=events))
        if status.is_active:
            echo(_("The run did not finish within the time limit; try a higher --speed."))
            return 1
        return 0
