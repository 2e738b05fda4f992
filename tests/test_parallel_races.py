"""Races between processes on one run: two different tasks completed at the same moment both
succeed and the join activates once; two people on the same task: exactly one wins."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections import Counter

import pytest

from tests.conftest import REPO
from tests.office import PARALLEL, PARALLEL_ROSTER, Office

pytestmark = pytest.mark.slow

CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {repo!r})
    from engine.errors import AlurError
    from tests.office import Office, PARALLEL_ROSTER

    office = Office({url!r}, PARALLEL_ROSTER)
    office.view({run})  # connected and warm before the start signal
    while time.time() < {start}:
        time.sleep(0.0005)
    try:
        office.complete({run}, {person!r}, {step!r}, {outcome!r})
        print("ok")
    except AlurError as exc:
        print("refused", exc)
    office.engine.dispose()
""")


def race(url: str, start: float, entries: list[tuple[int, str, str, str | None]]) -> list[str]:
    """Run one process per (run, person, step, outcome), all completing at ``start``."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    children = [subprocess.Popen(
        [sys.executable, "-c", CHILD.format(repo=str(REPO), url=url, run=run, person=person,
                                            step=step, outcome=outcome, start=start)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env)
        for run, person, step, outcome in entries]
    results = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        results.append(out.strip())
    return results


def ready(office: Office, period: str, drafts_done: bool = True) -> int:
    """A run of the parallel SOP with `data-seksi/kasi-b` and `periksa` left before the join."""
    run = office.start(PARALLEL, period=period).run.id
    office.complete(run, "camat", "perintah")
    office.complete(run, "ka", "data-seksi")
    if drafts_done:
        office.complete(run, "s1", "draf")
        office.complete(run, "s2", "draf")
    return run


def test_the_last_two_branches_arrive_at_once_and_the_join_activates_once(db_url: str) -> None:
    office = Office(db_url, PARALLEL_ROSTER)
    try:
        runs = [ready(office, f"r{n}") for n in range(4)]
        entries: list[tuple[int, str, str, str | None]] = []
        for run in runs:
            entries += [(run, "kb", "data-seksi", None), (run, "ka", "periksa", "Ya")]
        results = race(db_url, time.time() + 2.5, entries)
        assert results == ["ok"] * len(entries), results
        for run in runs:
            labels = Counter(t.label for t in office.steps(run))
            assert labels["kompilasi"] == 1, labels
            assert [t.label for t in office.active(run)] == ["kompilasi"]
        assert office.verify() > 0
    finally:
        office.engine.dispose()


def test_two_people_on_the_same_task_exactly_one_wins(db_url: str) -> None:
    office = Office(db_url, PARALLEL_ROSTER)
    try:
        runs = [ready(office, f"s{n}") for n in range(3)]
        entries: list[tuple[int, str, str, str | None]] = []
        for run in runs:  # `periksa` is `complete: any` over the two Kasi: both may do it
            entries += [(run, "ka", "periksa", "Ya"), (run, "kb", "periksa", "Ya")]
        results = race(db_url, time.time() + 2.5, entries)
        for index in range(0, len(entries), 2):
            pair = results[index:index + 2]
            assert sorted(r.split()[0] for r in pair) == ["ok", "refused"], pair
            winner = ("ka", "kb")[pair.index("ok")]
            assert f"was already completed by {winner}" in next(r for r in pair if r != "ok")
        for run in runs:
            assert Counter(t.label for t in office.steps(run))["periksa"] == 1
        assert office.verify() > 0
    finally:
        office.engine.dispose()
