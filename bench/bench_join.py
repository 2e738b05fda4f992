"""Benchmark: completing the last task of an `each` step activates its join in one
transaction whose cost does not grow with the number of tasks already finished.

Run by hand:  python bench/bench_join.py [--sizes 5 50 500] [--runs 5] [--db URL]

An SOP splits into a step done by K actors at once (`complete: each`) and a
one-person branch; both meet at the join. Per K: the median time of completing
one of the first K-1 tasks, of completing the last one (which finds no task of
the branches still active and activates the join), and the SQL statements each
of those transactions issues (counted with SQLAlchemy's cursor events). The roster
holds as many Kasi as the largest K for every K, so that only the step changes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from engine import services  # noqa: E402
from engine.calendar import WorkCalendar  # noqa: E402
from engine.clock import FixedClock  # noqa: E402
from engine.loader import LoadedSop, load_sop_text  # noqa: E402
from engine.roster import Person, Roster, Unit  # noqa: E402
from storage.db import SqlDatabase, connect  # noqa: E402

START = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)


def sop(size: int) -> LoadedSop:
    """An SOP whose `data` step is done by ``size`` actors at once."""
    actors = "\n".join(f"  k{n}: {{title: Kasi {n}, reports_to: sekcam}}" for n in range(size))
    listed = ", ".join(f"k{n}" for n in range(size))
    return load_sop_text(f"""format: 1
id: join-{size}
title: Bench join {size}
organization: {{name: Kecamatan Bench}}
actors:
  camat: {{title: Camat}}
  sekcam: {{title: Sekretaris Kecamatan, reports_to: camat}}
{actors}
activities:
  - {{id: mulai, name: Memerintahkan, actor: camat, duration: 10 menit, next: [data, pegawai]}}
  - {{id: data, name: Menyampaikan data, actor: [{listed}], complete: each, duration: 2 jam,
     next: kompilasi}}
  - {{id: pegawai, name: Menyampaikan data pegawai, actor: sekcam, duration: 1 jam,
     next: kompilasi}}
  - {{id: kompilasi, name: Menghimpun, actor: sekcam, duration: 1 jam}}
""", f"join-{size}.yaml")


def measure(database: SqlDatabase, size: int, runs: int,
            roster_size: int) -> tuple[float, float, int, int]:
    """Median ms of a middle completion and of the last one; statements of each. The
    roster always holds ``roster_size`` Kasi, so that only the step's size changes."""
    loaded = sop(size)
    people = [Person("camat", "Camat", ("camat",)), Person("sekcam", "Sekcam", ("sekcam",))]
    people += [Person(f"p{n}", f"Kasi {n}", (f"k{n}",)) for n in range(roster_size)]
    env = services.Env(WorkCalendar(), Roster((Unit("u", "Unit", tuple(people)),)),
                       FixedClock(START))
    statements = [0]

    def count(*_args: object) -> None:
        statements[0] += 1

    middle, last, middle_sql, last_sql = [], [], 0, 0
    for number in range(runs):
        with database.transaction() as store:
            run = services.start_run(store, env, loaded, None, f"P{size}-{number}",
                                     "camat").run.id
        for step, person in (("mulai", "camat"), ("pegawai", "sekcam")):
            with database.transaction() as store:
                services.complete_step(store, env, run, step, person)
        for n in range(size):
            event.listen(database.engine, "before_cursor_execute", count)
            statements[0] = 0
            began = time.perf_counter()
            with database.transaction() as store:
                done = services.complete_step(store, env, run, f"data/k{n}", f"p{n}")
            took = (time.perf_counter() - began) * 1000
            event.remove(database.engine, "before_cursor_execute", count)
            if n == size - 1:
                assert [t.activity_id for t in done.activated] == ["kompilasi"]
                last.append(took)
                last_sql = statements[0]
            elif n == size // 2:
                middle.append(took)
                middle_sql = statements[0]
    return statistics.median(middle), statistics.median(last), middle_sql, last_sql


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 50, 500])
    parser.add_argument("--runs", type=int, default=5, help="Runs per size (medians).")
    parser.add_argument("--db", help="Database URL (default: SQLite in a temporary folder).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="alur-bench-join-") as folder:
        database = connect(args.db or f"sqlite:///{Path(folder) / 'alur.db'}")
        print(f"{'tasks':>6} {'middle ms':>10} {'last ms':>9} {'middle SQL':>11} "
              f"{'last SQL':>9}")
        for size in args.sizes:
            mid, last, mid_sql, last_sql = measure(database, size, args.runs, max(args.sizes))
            print(f"{size:>6} {mid:>10.2f} {last:>9.2f} {mid_sql:>11} {last_sql:>9}",
                  flush=True)
        database.dispose()


if __name__ == "__main__":
    main()
