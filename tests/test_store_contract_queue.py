"""The contract of the engine's ports, part two: the reminder queue and the daemons' leases,
and the engine's own use cases on every backend (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from engine import services
from engine.audit_chain import GENESIS
from engine.calendar import WorkCalendar
from engine.clock import FixedClock
from engine.errors import DuplicateRun, SchedulerBusy
from engine.ports import Database
from engine.reads import run_view, verify_audit
from engine.runs import ACTIVE, COMPLETED, PENDING, RETIRED, SENDING, SENT, Delivery
from tests.conftest import POSTGRES_URL, REPO, STORE_BACKENDS, opened
from tests.office import LAKIP, LAKIP_PEOPLE, ROSTER, wib
from tests.store_kit import HOUR, T0, add_run, task

# -- the reminder queue ----------------------------------------------------------------

def owe(database: Database) -> tuple[int, list[int]]:
    """A run with three tasks owing five reminders (ids 1-5, due 1h, 2h, 3h, 30min, 4h)."""
    with database.transaction() as store:
        run_id = add_run(store)
        tasks = [task(run_id, "a"), task(run_id, "b"), task(run_id, "c")]
        store.add_tasks(tasks)
        a, b, c = (t.id for t in tasks)
        store.add_reminders(run_id, [(a, T0 + HOUR), (b, T0 + 2 * HOUR), (c, T0 + 3 * HOUR),
                                     (a, T0 + HOUR / 2)], T0)
        store.add_reminders(run_id, [(b, T0 + 4 * HOUR)], T0, level=1)
    return run_id, [a, b, c]


def statuses(database: Database) -> dict[int, str]:
    with database.transaction(write=False) as store:
        return {r.id: r.status for r, _task in store.list_reminders()}


def test_reminders_are_owed_pending_and_listed_with_their_task(database: Database) -> None:
    run_id, (a, b, c) = owe(database)
    with database.transaction(write=False) as store:
        listed = store.list_reminders()
        assert [(r.id, t.id) for r, t in listed] == [(4, a), (1, a), (2, b), (3, c), (5, b)]
        assert all(t.activity_id == {a: "a", b: "b", c: "c"}[r.step_run_id] for r, t in listed)
        first = store.get_reminder(1)
        assert (first.run_id, first.step_run_id, first.level, first.status) == (run_id, a, 0,
                                                                              PENDING)
        assert first.planned_at == first.due_at == T0 + HOUR
        assert (first.recipients, first.channels, first.attempts, first.sent_at) == (
            (), (), 0, None)
        assert store.get_reminder(5).level == 1
        assert store.list_reminders(run_id + 1) == []
    with database.transaction() as store:
        assert store.claim_reminders(T0 + HOUR, "d1", 10) == [1, 4]
    with database.transaction(write=False) as store:
        assert [r.id for r, _t in store.list_reminders(run_id, SENDING)] == [4, 1]
        assert [r.id for r, _t in store.list_reminders(status=PENDING)] == [2, 3, 5]


def test_claims_take_only_due_pending_reminders_soonest_first(database: Database) -> None:
    owe(database)
    with database.transaction() as store:
        assert store.claim_reminders(T0 + 3 * HOUR, "d1", 2) == [1, 4]  # 4 is due first
    with database.transaction() as store:
        assert store.claim_reminders(T0 + 3 * HOUR, "d2", 5) == [2, 3]  # due at now counts
        assert store.claim_reminders(T0 + 3 * HOUR, "d2", 5) == []  # a claim is not taken
    assert statuses(database) == {1: SENDING, 2: SENDING, 3: SENDING, 4: SENDING, 5: PENDING}
    with database.transaction() as store:
        assert store.claim_reminders(wib(2026, 1, 5, 12, 0), "d1", 5) == [5]


def test_retiring_takes_back_what_a_task_still_owes(database: Database) -> None:
    _run, (a, b, _c) = owe(database)
    with database.transaction() as store:
        store.claim_reminders(T0 + HOUR / 2, "d1", 1)  # reminder 4, of task a
        assert store.retire_reminders(a) == 2  # the pending one and the one being sent
        assert store.retire_reminders(a) == 0
        store.claim_reminders(T0 + 2 * HOUR, "d1", 5)  # reminder 2
        sent = store.get_reminder(2)
        sent.status = SENT
        assert store.finish_reminder(sent, "d1")
        assert store.retire_reminders(b) == 1  # not the one already sent
        assert store.claim_reminders(T0 + 9 * HOUR, "d1", 9) == [3]
    assert statuses(database) == {1: RETIRED, 2: SENT, 3: SENDING, 4: RETIRED, 5: RETIRED}


def test_orphans_of_dead_daemons_are_given_back(database: Database) -> None:
    owe(database)
    with database.transaction() as store:
        assert store.claim_reminders(T0 + HOUR / 2, "dead", 9) == [4]
        assert store.claim_reminders(T0 + HOUR, "alive", 9) == [1]
        assert store.claim_reminders(T0 + 2 * HOUR, "me", 9) == [2]
    with database.transaction() as store:
        assert store.release_orphans("me", lambda owner: owner == "alive") == 1
        assert store.release_orphans("me", lambda owner: owner == "alive") == 0
    assert statuses(database) == {1: SENDING, 2: SENDING, 3: PENDING, 4: PENDING, 5: PENDING}
    with database.transaction() as store:
        assert store.claim_reminders(T0 + 2 * HOUR, "me", 9) == [4]


def test_only_the_claimant_finishes_a_reminder(database: Database) -> None:
    owe(database)
    with database.transaction() as store:
        store.claim_reminders(T0 + HOUR, "d1", 9)
        done = store.get_reminder(1)
    done.status, done.sent_at, done.attempts = SENT, T0 + HOUR, 1
    done.recipients, done.channels = ("kasi-1", "kasi-2"), ("email",)
    with database.transaction() as store:
        assert not store.finish_reminder(done, "d2")
        assert store.get_reminder(1).status == SENDING
        assert store.finish_reminder(done, "d1")
        assert not store.finish_reminder(done, "d1")  # no longer claimed
    with database.transaction() as store:
        stored = store.get_reminder(1)
        assert stored == done
        assert store.release_orphans("d3", lambda owner: False) == 1  # reminder 4 only
        later = store.get_reminder(3)  # not claimed: only ``me=None`` may write it
        later.due_at, later.attempts, later.last_error = T0 + 5 * HOUR, 1, "smtp down"
        assert not store.finish_reminder(later, "d1")
        assert store.finish_reminder(later, None)
    with database.transaction(write=False) as store:
        assert store.get_reminder(3) == later
        assert store.get_reminder(3).planned_at == T0 + 3 * HOUR


def test_deliveries_say_who_was_reached(database: Database) -> None:
    owe(database)
    with database.transaction() as store:
        store.add_deliveries([
            Delivery(1, "kasi-1", "email", T0, True, "ok"),
            Delivery(1, "kasi-1", "telegram", T0, False, "x" * 3000),
            Delivery(1, "kasi-2", "email", T0, True, ""),
            Delivery(2, "staf-1", "email", T0, True, "ok")])
        store.add_deliveries([])
    with database.transaction(write=False) as store:
        assert store.delivered(1) == {("kasi-1", "email"), ("kasi-2", "email")}
        assert store.delivered(2) == {("staf-1", "email")}
        assert store.delivered(3) == set()


def test_one_lease_per_daemon(database: Database) -> None:
    first = database.lease("d1")
    first.acquire()
    try:
        assert first.alive("d1") and not first.alive("ghost")
        second = database.lease("d2")
        if getattr(database, "kind", "memory") in ("memory", "sqlite"):
            with pytest.raises(SchedulerBusy):  # one daemon at a time
                second.acquire()
        else:
            second.acquire()  # PostgreSQL: several daemons, each alive while it runs
            assert first.alive("d2")
            second.release()
    finally:
        first.release()
    third = database.lease("d3")
    third.acquire()  # free again
    third.release()


def test_a_released_lease_is_no_longer_alive(database: Database) -> None:
    if getattr(database, "kind", "memory") != "postgresql":
        pytest.skip("only PostgreSQL lets a daemon see another one stop")
    first, second = database.lease("d1"), database.lease("d2")
    first.acquire()
    second.acquire()
    try:
        assert first.alive("d2")
        second.release()
        assert not first.alive("d2")
    finally:
        first.release()


@pytest.mark.parametrize("batch", ["tasks", "events", "reminders"])
def test_an_empty_batch_writes_nothing(database: Database, batch: str) -> None:
    with database.transaction() as store:
        run_id = add_run(store)
        if batch == "tasks":
            store.add_tasks([])
        elif batch == "events":
            assert store.append_events([], T0) == []
        else:
            store.add_reminders(run_id, [], T0)
    with database.transaction(write=False) as store:
        assert store.tasks(run_id) == [] and store.list_reminders() == []
        assert store.audit_head() == (0, GENESIS)


# -- the engine's use cases on every backend -------------------------------------------

def play_lakip(database: Database) -> tuple[services.Env, int]:
    """Start a LAKIP run and complete its first three steps, half an hour apart."""
    clock = FixedClock(wib(2026, 1, 5, 8, 0))
    env = services.Env(WorkCalendar(), ROSTER, clock)
    with database.transaction() as store:
        run_id = services.start_run(store, env, LAKIP, None, "2025", "camat").run.id
    for step, person in zip(["perintah", "format", "himpun"], LAKIP_PEOPLE[:3], strict=True):
        clock.advance(dt.timedelta(minutes=30))
        with database.transaction() as store:
            services.complete_step(store, env, run_id, step, person)
    return env, run_id


def test_the_use_cases_play_a_run(database: Database) -> None:
    env, run_id = play_lakip(database)
    with database.transaction(write=False) as store:
        view = run_view(store, env, run_id)
        assert [(t.label, t.status, t.completed_by) for t in view.tasks[:4]] == [
            ("perintah", COMPLETED, "camat"), ("format", COMPLETED, "sekcam"),
            ("himpun", COMPLETED, "kasi-1"), ("analisis", ACTIVE, None)]
        assert view.tasks[0].completed_at == wib(2026, 1, 5, 8, 30)
        assert [t.label for t in view.active] == ["analisis"]
        assert verify_audit(store) == 8 and verify_audit(store, run_id) == 8
        assert [r.status for r, _task in store.list_reminders(run_id)] == [RETIRED] * 3 + [
            PENDING]
    with database.transaction() as store:
        with pytest.raises(DuplicateRun):
            services.start_run(store, env, LAKIP, None, "2025", "camat")


def test_the_backends_keep_the_same_trail(tmp_path: Path) -> None:
    trails = {}
    for backend in STORE_BACKENDS:
        if backend == "postgres" and not POSTGRES_URL:
            continue
        (tmp_path / backend).mkdir()
        with opened(backend, tmp_path / backend) as database:
            play_lakip(database)
            with database.transaction(write=False) as store:
                trails[backend] = list(store.audit_events())
    assert len(trails["memory"]) == 8
    for backend, trail in trails.items():
        assert trail == trails["memory"], backend


def test_the_memory_backend_needs_no_database_library() -> None:
    code = "import sys, storage.memory; sys.exit('sqlalchemy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0
