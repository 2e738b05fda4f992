#!/usr/bin/env python3
"""Alur's real engine, in-process, on the lakip workload of lakip_common.py (the project's
adapter for ../shared/bench: the engine API since parallel work, `Database.transaction()`).

Usage: python bench/lakip_adapter.py N DB_PATH [variant]  (lakip_common.py on PYTHONPATH)
  DB_PATH     a SQLite file (fresh), or set LAKIP_DB_URL (e.g. postgresql+psycopg://...)
              to run on another database (it must be empty; the schema is created by
              Alur's own migrations, not timed).
  variant     claim (default) | complete_only

Mapping of the workload onto Alur (Alur runs the real LAKIP SOP
sops/pengumpulan-data-kinerja.yaml, 13 activities; activity 6 `koreksi` is a decision
whose "Tidak" goes back to activity 5 `draft`, exactly the s06 -> s05 loop of the
workload; sNN = the NN-th activity):

  start           services.start_run(...)  one UnitOfWork: run row, first step row,
                  reminder row, 2 audit events (run_started, step_activated)
  begin sNN       claim:         services.reassign_step(run, sNN, to=P, by=P), the
                                 closest thing Alur has to "claim the ready task": one
                                 UnitOfWork that loads the run and its steps, checks the
                                 roster, rewrites the step's assignees, retires and re-adds
                                 its reminder, 1 audit event (step_reassigned)
                  complete_only: nothing (Alur has no claim); not counted as a transition
  complete sNN    services.complete_step(run, sNN, by=P, outcome Ya/Tidak at s06): one
                  UnitOfWork: loads run+steps, roster check, transitions machine, working-
                  time due date, step update, reminder retire, next step + reminder insert,
                  run update, 2 audit events (step_completed + step_activated/run_completed)

P is a holder of the step's role in the sample roster of `alur init` (Alur refuses a
person who does not hold the role, so the workload's synthetic `userNN` ids cannot be
used): holders[(k + activity number) % len(holders)] (the same person claims and completes).
Exactly what the CLI does: one `app.db.transaction()` per transition (committed when
the block ends), services.* inside it.

Settings, roster and calendar come from a workspace made by `alur init` (App of
runners/app.py, as the CLI builds them); clock = the system clock.
"""
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import lakip_common as C

VARIANTS = ("claim", "complete_only")
HERE = Path(__file__).resolve().parent
OUTCOME = {"approve": "Ya", "reject": "Tidak"}


def workspace(tmp: Path) -> Path:
    """An `alur init` workspace (template copied; made once under .work)."""
    template = Path(os.environ.get("ALUR_WS_TEMPLATE", ".work/ws_template"))
    if not (template / "alur.toml").is_file():
        alur = Path(sys.executable).with_name("alur")
        subprocess.run([str(alur), "init", str(template)], check=True, capture_output=True)
    ws = tmp / "ws"
    shutil.copytree(template, ws, ignore=shutil.ignore_patterns("alur.db*"))
    return ws


def main():
    n, db, variant = C.parse_args()
    variant = variant or "claim"
    if variant not in VARIANTS:
        sys.exit(f"variant must be one of {VARIANTS}")
    url = os.environ.get("LAKIP_DB_URL")
    if not url:
        C.fresh_db(db)
        url = f"sqlite:///{os.path.abspath(db)}"
    os.environ.setdefault("ALUR_CACHE_DIR", ".work/cache")

    from engine import services
    from runners.app import App

    tmp = Path(tempfile.mkdtemp(prefix="alur-lakip-"))
    app = App(workspace(tmp), db_option=url)
    env = app.env
    database = app.db  # storage.db.connect: migrations, not timed
    loaded = app.sop("pengumpulan-data-kinerja")
    spec = loaded.spec
    acts = spec.activities
    assert len(acts) == 13 and acts[5].is_decision
    assert {o.label: o.target for o in acts[5].outcomes} == {"Ya": acts[6].id, "Tidak": acts[4].id}
    unit = env.roster.unit(None)
    today = env.clock.now().astimezone(env.calendar.tz).date()
    holders = {a.actor: [p.id for p in unit.holders(a.actor, today)] for a in acts}
    step_of = {f"s{i + 1:02d}": a for i, a in enumerate(acts)}
    # warm the calendar (holiday list for this year and the next) outside the timing
    for d in range(400):
        env.calendar.is_working_day(today + dt.timedelta(days=d))

    run_ids = {}
    done = [0]

    def person(activity, k):
        h = holders[activity.actor]
        return h[(k + activity.no) % len(h)]

    def do_transition(k, idx, event, step, decision, actor):
        if event == "start":
            with database.transaction() as store:
                # the LAKIP SOP runs every year: a run's period is a year (0000-9999)
                t = services.start_run(store, env, loaded, None, f"{k:04d}",
                                       person(acts[0], k))
            run_ids[k] = t.run.id
        elif event == "begin":
            if variant == "complete_only":
                return
            activity = step_of[step]
            p = person(activity, k)
            with database.transaction() as store:
                services.reassign_step(store, env, run_ids[k], activity.id, p, p)
        else:
            activity = step_of[step]
            with database.transaction() as store:
                services.complete_step(store, env, run_ids[k], activity.id,
                                       person(activity, k),
                                       OUTCOME.get(decision) if decision else None)
        done[0] += 1

    seconds, _calls, capped = C.drive(n, do_transition)
    count = done[0]
    extra = verify(database.engine, n, count, variant, capped)
    database.dispose()
    shutil.rmtree(tmp, ignore_errors=True)
    import sqlalchemy
    extra.update(sqlalchemy=sqlalchemy.__version__, db=url.split(":", 1)[0])
    C.report("alur", n, seconds, count, variant=variant, extra=extra)


def verify(engine, n, transitions, variant, capped):
    """Not timed: every run completed, events and steps as the workload implies."""
    from sqlalchemy import func, select

    from storage import tables as t
    with engine.connect() as c:
        runs = c.execute(select(func.count()).select_from(t.runs)).scalar()
        completed = c.execute(select(func.count()).select_from(t.runs).where(
            t.runs.c.status == "completed")).scalar()
        events = c.execute(select(func.count()).select_from(t.audit_events)).scalar()
        rejects = c.execute(select(func.count()).select_from(t.step_runs).where(
            t.step_runs.c.outcome == "Tidak")).scalar()
        steps = c.execute(select(func.count()).select_from(t.step_runs)).scalar()
        reminders = c.execute(select(func.count()).select_from(t.reminders)).scalar()
        c.rollback()
    if capped:
        return {"verified": "partial", "capped": True, "runs_completed": completed,
                "events": events}
    exp_t = C.expected_transitions(n)
    begins = 13 * n + 2 * (n // 10)
    if variant == "complete_only":
        exp_t -= begins
    # events: start 2, complete 2 each, claim 1 each
    completes = 13 * n + 2 * (n // 10)
    exp_events = 2 * n + 2 * completes + (begins if variant == "claim" else 0)
    ok = (runs == completed == n and transitions == exp_t and events == exp_events
          and rejects == n // 10 and steps == completes)
    if not ok:
        raise SystemExit(f"VERIFY FAILED: runs={runs} completed={completed} events={events} "
                         f"(exp {exp_events}) transitions={transitions} (exp {exp_t}) "
                         f"rejects={rejects} steps={steps}")
    return {"verified": True, "capped": False, "events": events, "step_rows": steps,
            "reminder_rows": reminders}


if __name__ == "__main__":
    sys.exit(main())
