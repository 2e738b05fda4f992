"""Helpers of the store contract tests: times, a run, a task (the ``database`` fixture that
gives each backend is in ``tests/conftest.py``)."""

from __future__ import annotations

import datetime as dt

from engine.ports import Store
from engine.runs import ACTIVE, COMPLETED, Run, StepRun

T0 = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)  # Monday 08:00 in Jakarta
HOUR = dt.timedelta(hours=1)
SHA_A, SHA_B = "a" * 64, "b" * 64


def add_run(store: Store, sop: str = "sop-a", unit: str = "u1", period: str = "2025",
            sha: str = SHA_A, at: dt.datetime = T0) -> int:
    version = store.save_sop_version(sop, sha, f"text of {sop}", f"sops/{sop}.yaml", at)
    return store.add_run(Run(0, sop, sha, unit, period, ACTIVE, "first", at, "camat"), version)


def task(run_id: int, activity: str, attempt: int = 1, due: dt.datetime | None = None,
         name: str = "", assignees: tuple[str, ...] = ("kasi-1",)) -> StepRun:
    return StepRun(0, run_id, activity, attempt, "kasi", ACTIVE, T0, due, assignees, task=name)


def complete(store: Store, step: StepRun, by: str) -> None:
    step.status, step.completed_at, step.completed_by = COMPLETED, T0 + HOUR, by
    store.update_task(step)
