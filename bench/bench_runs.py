"""Benchmark: 1,000 LAKIP runs completed step by step, engine vs a plain-Core floor.

Run by hand:  python bench/bench_runs.py [--runs 1000]

Each transition is one transaction that loads its run from the database, as
`alur step complete` does. The floor issues the same statements with plain
SQLAlchemy Core and precomputed values (no state machine, calendar, roster,
permission checks or hashing logic beyond what the writes need). Target:
engine time within 1.5x of the floor. Then `alur run show` on the database
of 1,000 runs against `python -c "import sqlalchemy.orm"` (target: at most
that plus 150 ms).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, update  # noqa: E402

from engine import services  # noqa: E402
from engine.calendar import WorkCalendar  # noqa: E402
from engine.clock import FixedClock  # noqa: E402
from engine.loader import load_sop_file  # noqa: E402
from engine.roster import Person, Roster, Unit  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.store import EVENTS, HEAD, RUNS, STEPS, VERSIONS, UnitOfWork  # noqa: E402

LAKIP = load_sop_file(ROOT / "sops" / "pengumpulan-data-kinerja.yaml")
PEOPLE = {"camat": "camat", "sekcam": "sekcam", "kasi": "kasi-1", "staf": "staf-1"}
ROSTER = Roster((Unit("darangdan", "Kecamatan Darangdan", tuple(
    Person(pid, pid, (role,)) for role, pid in PEOPLE.items())),))
START = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)


def engine_pass(url: str, runs: int) -> tuple[float, int]:
    """Seconds spent in transitions through the engine, and how many."""
    db = open_database(url)
    clock = FixedClock(START)
    env = services.Env(WorkCalendar(), ROSTER, clock)
    spec = LAKIP.spec
    count = 0
    elapsed = 0.0
    for number in range(runs):
        clock.at = START
        unit = UnitOfWork(db)
        with unit as store:
            run = services.start_run(store, env, LAKIP, None, f"{number:04d}", "camat").run.id
            unit.commit()
        for activity in spec.activities:
            clock.advance(dt.timedelta(minutes=1))
            began = time.perf_counter()
            unit = UnitOfWork(db)
            with unit as store:
                services.complete_step(store, env, run, activity.id, PEOPLE[activity.actor],
                                       "Ya" if activity.is_decision else None)
                unit.commit()
            elapsed += time.perf_counter() - began
            count += 1
    db.dispose()
    return elapsed, count


def floor_pass(url: str, runs: int) -> tuple[float, int]:
    """The same statements per transition with plain Core and precomputed values."""
    db = open_database(url)
    ids = [a.id for a in LAKIP.spec.activities]
    with db.begin() as connection:
        connection.execute(insert(VERSIONS).values(
            sop_id="lakip", sha256="f" * 64, text=LAKIP.text, path="x", stored_at=START))
    count = 0
    elapsed = 0.0
    digest = hashlib.sha256
    now = START.replace(tzinfo=None)
    for number in range(runs):
        with db.begin() as connection:
            run = connection.execute(insert(RUNS).values(
                sop_id="lakip", sop_version_id=1, unit="darangdan", period=f"P{number}",
                status="active", state=ids[0], started_at=now, version=0)
            ).inserted_primary_key[0]  # type: ignore[index]
            connection.execute(insert(STEPS).values(
                run_id=run, activity_id=ids[0], attempt=1, actor="camat", status="active",
                assignees=["camat"], activated_at=now, due_at=now, version=0))
        for index, activity in enumerate(ids):
            began = time.perf_counter()
            with db.begin() as connection:
                row = connection.execute(select(RUNS, VERSIONS.c.sha256).join_from(
                    RUNS, VERSIONS, RUNS.c.sop_version_id == VERSIONS.c.id).where(
                    RUNS.c.id == run)).one()
                steps = connection.execute(select(STEPS).where(
                    STEPS.c.run_id == run).order_by(STEPS.c.id)).all()
                step = steps[-1]
                connection.execute(update(STEPS).where(
                    STEPS.c.id == step.id, STEPS.c.version == step.version).values(
                    status="completed", assignees=["x"], completed_at=now, completed_by="x",
                    recorded_at=now, outcome=None, note=None, version=step.version + 1))
                events = 2
                if index + 1 < len(ids):
                    connection.execute(select(func.max(STEPS.c.attempt)).where(
                        STEPS.c.run_id == run, STEPS.c.activity_id == ids[index + 1]))
                    connection.execute(insert(STEPS).values(
                        run_id=run, activity_id=ids[index + 1], attempt=1, actor="x",
                        status="active", assignees=["x"], activated_at=now, due_at=now,
                        version=0))
                connection.execute(update(RUNS).where(
                    RUNS.c.id == run, RUNS.c.version == row.version).values(
                    status="active", state=activity, result=None, finished_at=None,
                    cancel_reason=None, version=row.version + 1))
                seq, prev = connection.execute(select(HEAD.c.last_seq, HEAD.c.last_hash)
                                               .where(HEAD.c.id == 1)).one()
                rows = []
                for _ in range(events):
                    seq += 1
                    prev = digest(f"{prev}{seq}".encode()).hexdigest()
                    rows.append({"seq": seq, "run_id": run, "step": activity, "attempt": 1,
                                 "event": "e", "actor": "x", "at": now, "recorded_at": now,
                                 "data": "{}", "prev_hash": prev, "hash": prev})
                connection.execute(insert(EVENTS), rows)
                connection.execute(update(HEAD).where(HEAD.c.id == 1).values(
                    last_seq=seq, last_hash=prev))
            elapsed += time.perf_counter() - began
            count += 1
    db.dispose()
    return elapsed, count


def command_ms(argv: list[str], runs: int = 5, env: dict[str, str] | None = None) -> float:
    """Median wall-clock milliseconds of a command (bytecode caches allowed, as installed)."""
    env = {k: v for k, v in (env or os.environ).items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="alur-bench-"))
    try:
        engine_url = f"sqlite:///{folder / 'engine.db'}"
        floor_s, floor_n = floor_pass(f"sqlite:///{folder / 'floor.db'}", args.runs)
        engine_s, engine_n = engine_pass(engine_url, args.runs)
        print(f"machine: {platform.node()} {platform.machine()} Python "
              f"{platform.python_version()}, {os.cpu_count()} cores")
        print(f"engine: {engine_n} transitions in {engine_s:.2f} s = {engine_n / engine_s:.0f}/s "
              f"({engine_s / engine_n * 1000:.2f} ms each)")
        print(f"floor:  {floor_n} transitions in {floor_s:.2f} s = {floor_n / floor_s:.0f}/s "
              f"({floor_s / floor_n * 1000:.2f} ms each)")
        print(f"ratio engine/floor: {engine_s / floor_s:.2f} (target <= 1.5)")

        workspace = folder / "ws"
        alur = shutil.which("alur") or str(Path(sys.executable).with_name("alur"))
        subprocess.run([alur, "init", str(workspace)], check=True, capture_output=True)
        env = {**os.environ, "ALUR_WORKSPACE": str(workspace), "ALUR_DATABASE_URL": engine_url}
        middle = str(max(1, args.runs // 2))
        command_ms([alur, "run", "show", middle], runs=2, env=env)  # warm caches
        orm_times, show_times = [], []
        for _ in range(5):  # interleaved, so both see the same machine load
            orm_times.append(command_ms([sys.executable, "-c", "import sqlalchemy.orm"], 1))
            show_times.append(command_ms([alur, "run", "show", middle], 1, env))
        orm, show = statistics.median(orm_times), statistics.median(show_times)
        print(f"python -c 'import sqlalchemy.orm': {orm:.0f} ms; alur run show {middle} "
              f"({args.runs} runs in the database): {show:.0f} ms; difference "
              f"{show - orm:.0f} ms (target <= 150 ms)")
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
