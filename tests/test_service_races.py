"""Races between processes on service runs: twenty clerks starting at once get twenty
consecutive register numbers; a reopen racing the next step's completion: one wins."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from tests.conftest import REPO
from tests.office import Office, wib
from tests.test_service_runs import ROSTER, SITI, start

pytestmark = pytest.mark.slow

CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {repo!r})
    from engine import corrections, services
    from engine.errors import AlurError
    from storage.store import transaction
    from tests.office import Office, wib
    from tests.test_service_runs import ROSTER, SKTM

    office = Office({url!r}, ROSTER)
    office.clock.at = wib(2026, 12, 1, 10, 0)
    office.view({run}) if {run} else None  # connected and warm before the start signal
    while time.time() < {start}:
        time.sleep(0.0005)
    try:
        with transaction(office.engine) as store:
            if {what!r} == "start":
                done = services.start_run(store, office.env, SKTM, None, None, "loket-1",
                                          fields={{"pemohon": "P{n}", "nik": "3214015708900001"}})
                print("ok", done.run.period)
            elif {what!r} == "reopen":
                corrections.reopen_step(store, office.env, {run}, "periksa", "salah", "loket-1")
                print("ok")
            else:
                services.complete_step(store, office.env, {run}, "verifikasi", "kesos", "Ya")
                print("ok")
    except AlurError as exc:
        print("refused", exc)
    office.engine.dispose()
""")


def race(url: str, entries: list[tuple[str, int, int]]) -> list[str]:
    """One process per (what, run, n), all acting at the same instant."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    begin = time.time() + 4.0
    children = [subprocess.Popen(
        [sys.executable, "-c", CHILD.format(repo=str(REPO), url=url, run=run, what=what, n=n,
                                            start=begin)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env)
        for what, run, n in entries]
    results = []
    for child in children:
        out, err = child.communicate(timeout=180)
        assert child.returncode == 0, err
        results.append(out.strip())
    return results


def test_twenty_concurrent_starts_get_twenty_consecutive_numbers(db_url: str) -> None:
    office = Office(db_url, ROSTER)
    try:
        results = race(db_url, [("start", 0, n) for n in range(20)])
        assert all(r.startswith("ok ") for r in results), results
        numbers = sorted(r.split()[1] for r in results)
        assert numbers == [f"{n:04d}/SKTM/XII/2026" for n in range(1, 21)]
        assert office.verify() > 0
    finally:
        office.engine.dispose()


def test_a_reopen_racing_the_next_steps_completion_one_wins(db_url: str) -> None:
    office = Office(db_url, ROSTER)
    office.clock.at = wib(2026, 12, 1, 8, 0)
    try:
        runs = []
        for _ in range(4):
            run = start(office, dict(SITI)).run.id
            office.complete(run, "loket-1", "periksa", outcome="Lengkap")  # verifikasi next
            runs.append(run)
        entries = [(what, run, 0) for run in runs for what in ("reopen", "complete")]
        results = race(db_url, entries)
        for index in range(0, len(results), 2):
            reopen, complete = results[index], results[index + 1]
            assert (reopen == "ok") != (complete == "ok"), (reopen, complete)
            if reopen == "ok":  # the completer is told the step was withdrawn, and why
                assert "was withdrawn: `periksa` was reopened: salah" in complete
            else:  # the reopener is told what came after is done
                assert "what came after it is done already (`verifikasi` by kesos" in reopen
        assert office.verify() > 0
    finally:
        office.engine.dispose()
