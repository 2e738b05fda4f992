"""Benchmark: the sequential LAKIP workload before and after a change, interleaved.

Run by hand:

    git worktree add /tmp/alur-before <commit before the change>
    python bench/bench_before_after.py --before /tmp/alur-before [--runs 500] [--reps 5]

The workload is the shared peer benchmark's (``../shared/bench/lakip_common.py``:
N LAKIP runs driven round-robin, every transition its own transaction). The
code before the change runs through its own ``bench/lakip_adapter.py`` (or,
for code older than that adapter, the shared example ``alur_engine.py``), the
code after through ``bench/lakip_adapter.py``; the two alternate, repetition by repetition, so
that the drift of a shared machine falls on both. Prints the medians and the
paired ratio (after / before transitions per second; 1.0 or more: no slower).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"


def _fresh_postgres(server: str) -> tuple[str, str]:
    """A new empty database on ``server`` (a URL without a database): (its URL, its name)."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"alur_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(server).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False), name


def _drop_postgres(server: str, name: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(make_url(server).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def one(before: Path | None, runs: int, variant: str, work: Path,
        postgres: str | None = None) -> dict[str, float]:
    """One pass of the workload; the JSON line it reports."""
    env = {**os.environ, "ALUR_CACHE_DIR": str(work / "cache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    name = None
    if postgres:
        env["LAKIP_DB_URL"], name = _fresh_postgres(postgres)
    if before is not None:
        env["PYTHONPATH"] = f"{before}:{SHARED}"
        env["ALUR_WS_TEMPLATE"] = str(work / "ws-before")
        if not (work / "ws-before" / "alur.toml").is_file():  # made by the before code itself
            subprocess.run([sys.executable, "-c", "from runners.cli.main import main; main()",
                            "init", str(work / "ws-before")], env=env, cwd=work, check=True,
                           capture_output=True)
        own = before / "bench" / "lakip_adapter.py"  # the before code's own adapter, if it had one
        script = own if own.is_file() else SHARED / "alur_engine.py"
    else:
        env["PYTHONPATH"] = str(SHARED)
        env["ALUR_WS_TEMPLATE"] = str(work / "ws-after")
        script = ROOT / "bench" / "lakip_adapter.py"
    db = work / "lakip.db"
    try:
        done = subprocess.run([sys.executable, str(script), str(runs), str(db), variant],
                              capture_output=True, text=True, cwd=work, env=env, check=False)
        if done.returncode:
            sys.exit(f"{script} failed:\n{done.stderr}")
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        if postgres and name:
            _drop_postgres(postgres, name)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True,
                        help="A checkout (git worktree) of the code before the change.")
    parser.add_argument("--runs", type=int, default=500, help="LAKIP runs per pass.")
    parser.add_argument("--reps", type=int, default=5, help="Passes of each, interleaved.")
    parser.add_argument("--variant", default="complete_only",
                        help="complete_only (steps completed) or claim (plus a reassign each).")
    parser.add_argument("--postgres", metavar="URL",
                        help="Run on PostgreSQL (a fresh database per pass on this server, e.g. "
                             "postgresql+psycopg://postgres@127.0.0.1) instead of SQLite.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="alur-before-after-") as folder:
        work = Path(folder)
        alur = Path(sys.executable).with_name("alur")
        # the workspace files of each side are made by its own `alur init` (the settings
        # file grows keys an older version does not know); the before side in one()
        subprocess.run([str(alur), "init", str(work / "ws-after")], check=True,
                       capture_output=True)
        ratios, before_tps, after_tps = [], [], []
        for rep in range(args.reps):
            old = one(args.before.resolve(), args.runs, args.variant, work, args.postgres)
            new = one(None, args.runs, args.variant, work, args.postgres)
            before_tps.append(old["tps"])
            after_tps.append(new["tps"])
            ratios.append(new["tps"] / old["tps"])
            print(f"rep {rep + 1}: before {old['tps']:.0f}/s, after {new['tps']:.0f}/s, "
                  f"ratio {ratios[-1]:.3f} ({old['transitions']:.0f} transitions each)",
                  flush=True)
    print(f"median: before {statistics.median(before_tps):.0f} transitions/s, after "
          f"{statistics.median(after_tps):.0f}/s; paired ratio after/before "
          f"{statistics.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f})")


if __name__ == "__main__":
    main()
