"""Benchmark: one sweep over 100,000 active steps on PostgreSQL, and the daemon's memory.

Run by hand:  python bench/bench_sweep.py [--url postgresql+psycopg://postgres@127.0.0.1/test]
                                         [--steps 100000] [--due 5000]

Fills a fresh database with ``--steps`` active LAKIP steps, each owing one
reminder, ``--due`` of them due now. Measures how long the sweep takes to
find and claim all due reminders (the claim queries only), then runs
`alur scheduler --once` (console channel) over the same data in a child
process and reports its peak memory. Targets: claim under 1 s; daemon under
200 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402

from engine.loader import load_sop_file  # noqa: E402
from storage import tables as t  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.store import UnitOfWork  # noqa: E402

NOW = dt.datetime(2026, 2, 2, 3, 0)  # Monday 10:00 WIB, in UTC as stored


def fill(url: str, steps: int, due: int) -> None:
    """Runs, active steps and reminders in bulk (Core inserts, 5,000 rows at a time)."""
    db = open_database(url)
    lakip = load_sop_file(ROOT / "sops" / "pengumpulan-data-kinerja.yaml")
    with db.begin() as connection:
        connection.execute(insert(t.sop_versions).values(
            id=1, sop_id=lakip.spec.id, sha256=lakip.sha256, text=lakip.text, path="x",
            stored_at=NOW))
        for start in range(0, steps, 5000):
            ids = range(start + 1, min(steps, start + 5000) + 1)
            connection.execute(insert(t.runs), [
                {"id": i, "sop_id": lakip.spec.id, "sop_version_id": 1, "unit": "darangdan",
                 "period": f"P{i}", "status": "active", "state": "himpun",
                 "started_at": NOW, "version": 0} for i in ids])
            connection.execute(insert(t.step_runs), [
                {"id": i, "run_id": i, "activity_id": "himpun", "attempt": 1, "actor": "kasi",
                 "status": "active", "assignees": ["kasi-tapem"],
                 "activated_at": NOW - dt.timedelta(hours=2),
                 "due_at": NOW - dt.timedelta(hours=1), "version": 0} for i in ids])
            connection.execute(insert(t.reminders), [
                {"id": i, "run_id": i, "step_run_id": i, "level": 0,
                 "planned_at": NOW - dt.timedelta(hours=1) if i <= due else
                 NOW + dt.timedelta(days=1 + i % 30),
                 "due_at": NOW - dt.timedelta(hours=1) if i <= due else
                 NOW + dt.timedelta(days=1 + i % 30),
                 "status": "pending", "recipients": [], "channels": [], "attempts": 0,
                 "created_at": NOW} for i in ids])
        if db.dialect.name == "postgresql":
            for table in ("runs", "step_runs", "reminders"):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {steps})"))
    if db.dialect.name == "postgresql":
        with db.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    db.dispose()


def claim_all(url: str) -> tuple[float, int]:
    """Seconds to find and claim every due reminder, the way the sweep does (batches)."""
    from runners.scheduler import BATCH

    db = open_database(url)
    now = NOW.replace(tzinfo=dt.UTC)
    claimed = 0
    began = time.perf_counter()
    while True:
        unit = UnitOfWork(db)
        with unit as store:
            ids = store.claim_reminders(now, "bench", BATCH)
            unit.commit()
        claimed += len(ids)
        if len(ids) < BATCH:
            break
    elapsed = time.perf_counter() - began
    with db.begin() as connection:  # give them back for the daemon run
        connection.execute(text("UPDATE reminders SET status='pending', claimed_by=NULL, "
                                "claimed_at=NULL WHERE status='sending'"))
    db.dispose()
    return elapsed, claimed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=os.environ.get(
        "ALUR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=5_000)
    args = parser.parse_args()
    name = f"alur_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = create_engine(args.url).url.set(database=name).render_as_string(hide_password=False)
    folder = Path(tempfile.mkdtemp(prefix="alur-sweep-"))
    try:
        began = time.perf_counter()
        fill(url, args.steps, args.due)
        print(f"machine: {platform.node()} {platform.machine()} Python "
              f"{platform.python_version()}, {os.cpu_count()} cores")
        print(f"filled {args.steps:,} active steps ({args.due:,} reminders due) in "
              f"{time.perf_counter() - began:.1f} s")
        elapsed, claimed = claim_all(url)
        print(f"sweep claim: {claimed:,} due reminders found and claimed in {elapsed:.3f} s "
              "(target < 1 s)")
        subprocess.run([sys.executable, "-c", "from runners.cli.main import main; main()", "init",
                        str(folder / "ws"), "--db", url], check=True, capture_output=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ALUR_WORKSPACE": str(folder / "ws"),
               "ALUR_DATABASE_URL": url, "ALUR_NOW": "2026-02-02T10:00"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        began = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", "from runners.cli.main import main; main()",
                               "scheduler", "--once"], capture_output=True, text=True, env=env,
                              check=True)
        took = time.perf_counter() - began
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"alur scheduler --once: {done.stdout.strip().splitlines()[-1]} in {took:.1f} s, "
              f"peak memory {peak_kb / 1024:.0f} MB (target < 200 MB)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
