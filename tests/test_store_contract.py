"""One contract for every backend of the engine's ports (``engine.ports``): in memory, SQLite
and PostgreSQL (skipped unless ALUR_TEST_POSTGRES_URL is set).

Each test states a rule of the ports and holds every backend to it, in the style of
APScheduler's job store tests: the ``database`` fixture is parametrised by backend name.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest

from engine.audit_chain import GENESIS, event_hash, verify_chain
from engine.errors import ConcurrentChange, DuplicateRun, RunNotFound
from engine.ports import Database, HistoryFilter, RunFilter
from engine.reads import verify_audit
from engine.roster import Person
from engine.runs import ACTIVE, COMPLETED, NewEvent
from tests.office import wib
from tests.store_kit import HOUR, SHA_A, SHA_B, T0, add_run, complete, task

# -- runs and SOP versions -------------------------------------------------------------

def test_runs_get_ids_from_one_and_read_back_as_written(database: Database) -> None:
    started = dt.datetime(2026, 1, 5, 8, 0, 0, 123456, tzinfo=wib(2026, 1, 5).tzinfo)
    with database.transaction() as store:
        first = add_run(store, at=started)
        second = add_run(store, unit="u2", sha=SHA_B)
        assert (first, second) == (1, 2)
        assert store.find_run("sop-a", "u1", "2025") == first
    with database.transaction(write=False) as store:
        assert store.find_run("sop-a", "u2", "2025") == second
        assert store.find_run("sop-a", "u1", "2024") is None
        run = store.get_run(first)
        assert (run.id, run.sop_id, run.sop_hash, run.unit, run.period) == (
            1, "sop-a", SHA_A, "u1", "2025")
        assert (run.status, run.state, run.started_by, run.version) == (ACTIVE, "first",
                                                                       "camat", 0)
        assert run.started_at == started and run.started_at.utcoffset() == dt.timedelta(0)
        assert run.finished_at is None and run.result is None
        assert store.get_run(second).sop_hash == SHA_B


def test_an_sop_content_is_stored_once(database: Database) -> None:
    one, two = "c" * 64, "d" * 64  # (SqlStore caches texts by hash for the whole process)
    with database.transaction() as store:
        first = store.save_sop_version("sop-c", one, "text c", "c.yaml", T0)
        other = store.save_sop_version("sop-c", two, "text d", "c.yaml", T0)
    with database.transaction() as store:
        assert store.save_sop_version("sop-c", one, "text c", "moved.yaml", T0) == first
        assert other != first
        assert (store.sop_text(one), store.sop_text(two)) == ("text c", "text d")


def test_a_second_run_of_the_same_sop_unit_and_period_is_a_duplicate(
        database: Database) -> None:
    with database.transaction() as store:
        first = add_run(store)
    with database.transaction() as store:
        with pytest.raises(DuplicateRun) as caught:
            add_run(store)
        assert caught.value.existing == first
        add_run(store, period="2024")  # the transaction goes on after the refusal
    with database.transaction(write=False) as store:
        assert [r.period for r in store.list_runs(RunFilter())] == ["2024", "2025"]


def test_a_missing_run_is_not_found(database: Database) -> None:
    with database.transaction(write=False) as store, pytest.raises(RunNotFound) as caught:
        store.get_run(42)
    assert caught.value.key == "42"


def test_update_run_writes_only_over_the_version_it_read(database: Database) -> None:
    with database.transaction() as store:
        run_id = add_run(store)
    with database.transaction() as store:
        mine = store.get_run(run_id)
    with database.transaction() as store:
        theirs = store.get_run(run_id)
    with database.transaction() as store:
        theirs.status, theirs.result, theirs.finished_at = COMPLETED, "done", T0 + HOUR
        store.update_run(theirs)
        assert theirs.version == 1
    with database.transaction() as store:
        mine.status, mine.cancel_reason = "cancelled", "too late"
        with pytest.raises(ConcurrentChange, match=f"run {run_id} was changed by someone"):
            store.update_run(mine)
    with database.transaction(write=False) as store:
        stored = store.get_run(run_id)
    assert (stored.status, stored.result, stored.finished_at, stored.cancel_reason,
            stored.version) == (COMPLETED, "done", T0 + HOUR, None, 1)


def test_what_a_read_returns_is_a_copy(database: Database) -> None:
    with database.transaction() as store:
        run_id = add_run(store)
        store.add_tasks([task(run_id, "a")])
        run, step = store.get_run(run_id), store.tasks(run_id)[0]
        run.status, step.status = "cancelled", "cancelled"
        assert store.get_run(run_id).status == ACTIVE
        assert store.tasks(run_id)[0].status == ACTIVE


def test_locked_changes_to_one_run_happen_one_after_the_other(database: Database) -> None:
    with database.transaction() as store:
        run_id = add_run(store)
    failures: list[BaseException] = []

    def bump() -> None:
        try:
            with database.transaction() as store:
                run = store.get_run(run_id, lock=True)
                time.sleep(0.05)  # a slow use case: another writer would overtake it here
                store.update_run(run)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with database.transaction(write=False) as store:
        assert store.get_run(run_id).version == 4


# -- transactions ----------------------------------------------------------------------

def test_a_failed_transaction_keeps_nothing(database: Database) -> None:
    with database.transaction() as store:
        kept = add_run(store)
    with pytest.raises(RuntimeError, match="boom"), database.transaction() as store:
        run_id = add_run(store, period="2024")
        store.add_tasks([task(run_id, "a", due=T0)])
        store.add_reminders(run_id, [(store.tasks(run_id)[0].id, T0)], T0)
        store.append_events([NewEvent(run_id, "run_started", "camat", T0)], T0)
        run = store.get_run(kept)
        run.state = "changed"
        store.update_run(run)
        raise RuntimeError("boom")
    with database.transaction(write=False) as store:
        assert [r.id for r in store.list_runs(RunFilter())] == [kept]
        assert store.get_run(kept).version == 0 and store.get_run(kept).state == "first"
        assert store.open_tasks() == [] and store.list_reminders() == []
        assert store.audit_head() == (0, GENESIS) and list(store.audit_events()) == []


def test_a_read_transaction_never_commits(database: Database) -> None:
    with database.transaction(write=False) as store:
        run_id = add_run(store)
        store.append_events([NewEvent(run_id, "run_started", "camat", T0)], T0)
    with database.transaction(write=False) as store:
        assert store.find_run("sop-a", "u1", "2025") is None
        assert store.audit_head() == (0, GENESIS)


# -- tasks -----------------------------------------------------------------------------

def test_tasks_get_ids_in_order_and_are_read_by_run_status_and_activity(
        database: Database) -> None:
    with database.transaction() as store:
        run_id, other = add_run(store), add_run(store, period="2024")
        single = [task(run_id, "a", due=T0 + HOUR)]
        store.add_tasks(single)  # one task: SqlStore's single-row path
        batch = [task(run_id, "b", name="kasi-1"), task(other, "a"),
                 task(run_id, "b", name="kasi-2", assignees=("kasi-2", "staf-1"))]
        store.add_tasks(batch)  # several: the batch path
        assert [t.id for t in single + batch] == [1, 2, 3, 4]
    with database.transaction() as store:
        tasks = store.tasks(run_id)
        assert [(t.id, t.activity_id, t.task) for t in tasks] == [
            (1, "a", ""), (2, "b", "kasi-1"), (4, "b", "kasi-2")]
        assert tasks[0].due_at == T0 + HOUR and tasks[0].activated_at == T0
        assert tasks[2].assignees == ("kasi-2", "staf-1") and tasks[2].label == "b/kasi-2"
        assert store.get_step(4) == tasks[2]
        complete(store, tasks[1], "kasi-1")
        store.add_tasks([task(run_id, "a", attempt=2)])
    with database.transaction(write=False) as store:
        assert [t.id for t in store.active_tasks(run_id)] == [1, 4, 5]
        assert [(t.id, t.attempt) for t in store.activity_tasks(run_id, "a")] == [(1, 1),
                                                                                  (5, 2)]
        assert store.last_attempt(run_id, "a") == 2
        assert store.last_attempt(run_id, "b") == 1
        assert store.last_attempt(run_id, "zzz") == 0
        done = store.get_step(2)
        assert (done.status, done.completed_by, done.completed_at, done.version) == (
            COMPLETED, "kasi-1", T0 + HOUR, 1)


def test_update_task_writes_only_over_the_version_it_read(database: Database) -> None:
    with database.transaction() as store:
        run_id = add_run(store)
        store.add_tasks([task(run_id, "a"), task(run_id, "b")])
    with database.transaction() as store:
        mine_a, mine_b = store.tasks(run_id)
    with database.transaction() as store:
        theirs_a, theirs_b = store.tasks(run_id)
    with database.transaction() as store:
        complete(store, theirs_a, "kasi-2")
        theirs_b.assignees = ("kasi-2",)
        store.update_task(theirs_b)
        assert (theirs_a.version, theirs_b.version) == (1, 1)
    with database.transaction() as store:
        with pytest.raises(ConcurrentChange, match=r"step `a` of run 1 was just completed "
                                                   "by kasi-2"):
            complete(store, mine_a, "kasi-1")
        with pytest.raises(ConcurrentChange, match="step `b` of run 1 was changed by someone"):
            complete(store, mine_b, "kasi-1")
    with database.transaction(write=False) as store:
        a, b = store.tasks(run_id)
    assert (a.completed_by, b.status, b.assignees, b.version) == ("kasi-2", ACTIVE,
                                                                  ("kasi-2",), 1)


def test_a_person_is_remembered_again_without_error(database: Database) -> None:
    camat = Person("camat", "Contoh Camat", ("camat",), nip="1968")
    with database.transaction() as store:
        store.remember_person("u1", camat, T0)
        store.remember_person("u1", camat, T0)
    with database.transaction() as store:
        store.remember_person("u1", camat, T0 + HOUR)
        store.remember_person("u1", Person("camat", "Camat Baru", ("camat",)), T0 + HOUR)


# -- the audit chain -------------------------------------------------------------------

def test_events_chain_across_transactions_and_verify(database: Database) -> None:
    with database.transaction() as store:
        run_id, other = add_run(store), add_run(store, period="2024")
        first = store.append_events([
            NewEvent(run_id, "run_started", "camat", T0, data={"b": 1, "a": [2]}),
            NewEvent(other, "run_started", "camat", T0)], T0)
    with database.transaction() as store:
        [third] = store.append_events([NewEvent(run_id, "step_completed", "camat",
                                                T0 + HOUR, "perintah", 1)], T0 + HOUR)
    events = [*first, third]
    assert [e.seq for e in events] == [1, 2, 3]
    assert [e.prev_hash for e in events] == [GENESIS, events[0].hash, events[1].hash]
    assert events[0].data == '{"a":[2],"b":1}'
    with database.transaction(write=False) as store:
        assert store.audit_head() == (3, third.hash)
        assert list(store.audit_events()) == events
        assert verify_chain(store.audit_events(), *store.audit_head()) == 3
        assert [e.seq for e in store.audit_events(run_id)] == [1, 3]
        assert (store.audit_hash(2), store.audit_prev_hash(3)) == (events[1].hash,
                                                                   events[1].hash)
        assert store.audit_hash(4) is None and store.audit_prev_hash(0) is None
        assert verify_audit(store) == 3 and verify_audit(store, run_id) == 2


# The hash of GOLDEN_EVENT appended first at GOLDEN_RECORDED, the same on every backend.
GOLDEN_EVENT = NewEvent(None, "reminder_sent", "sekcam",
                        dt.datetime(2026, 1, 5, 8, 3, 0, 250001, tzinfo=wib(2026, 1, 5).tzinfo),
                        "himpun/kasi-1", 2, {"to": ["Kasi Ümum"], "channel": "email"})
GOLDEN_RECORDED = dt.datetime(2026, 1, 5, 1, 4, 59, 999999, tzinfo=dt.UTC)
GOLDEN_HASH = "c7729fa9bc18a5f06fb2d281b57811e52d2a7573e52682c58c806676be49f9d9"


def test_every_backend_hashes_the_same_event_the_same(database: Database) -> None:
    with database.transaction() as store:
        [stored] = store.append_events([GOLDEN_EVENT], GOLDEN_RECORDED)
    assert stored.hash == GOLDEN_HASH
    assert stored.hash == event_hash(  # naive UTC to the microsecond, canonical JSON
        GENESIS, 1, None, "himpun/kasi-1", 2, "reminder_sent", "sekcam",
        dt.datetime(2026, 1, 5, 1, 3, 0, 250001), dt.datetime(2026, 1, 5, 1, 4, 59, 999999),
        '{"channel":"email","to":["Kasi Ümum"]}')
    with database.transaction(write=False) as store:
        [read] = store.audit_events()
    assert read == stored and read.at == GOLDEN_EVENT.at and read.recorded_at == GOLDEN_RECORDED


def test_history_filters(database: Database) -> None:
    with database.transaction() as store:
        one = add_run(store)
        two = add_run(store, sop="sop-b", unit="u2", period="2024", sha=SHA_B)
        store.append_events([
            NewEvent(one, "run_started", "camat", T0),
            NewEvent(two, "run_started", "sekcam", T0 + HOUR),
            NewEvent(one, "step_completed", "sekcam", T0 + 2 * HOUR, "format", 1),
            NewEvent(None, "reminder_failed", None, T0 + 2 * HOUR),
            NewEvent(two, "step_completed", "camat", T0 + 3 * HOUR, "perintah", 1)], T0)

    def seqs(**where: Any) -> list[int]:
        with database.transaction(write=False) as store:
            return [e.seq for e in store.history(HistoryFilter(**where))]

    assert seqs() == [1, 2, 3, 4, 5]
    assert seqs(run=one) == [1, 3]
    assert seqs(actor="sekcam") == [2, 3]
    assert seqs(event="step_completed") == [3, 5]
    assert seqs(since=T0 + HOUR) == [2, 3, 4, 5]  # both ends included
    assert seqs(until=T0 + 2 * HOUR) == [1, 2, 3, 4]
    assert seqs(since=wib(2026, 1, 5, 9, 0), until=wib(2026, 1, 5, 10, 0)) == [2, 3, 4]
    assert seqs(sop="sop-b") == [2, 5]  # events of no run are left out
    assert seqs(unit="u1") == [1, 3]
    assert seqs(period="2024") == [2, 5]
    assert seqs(sop="sop-a", period="2024") == []
    assert seqs(run=two, actor="camat", event="step_completed") == [5]


# -- the reads -------------------------------------------------------------------------

def test_list_runs_filters_newest_first(database: Database) -> None:
    with database.transaction() as store:
        one = add_run(store)
        two = add_run(store, unit="u2")
        three = add_run(store, sop="sop-b", period="2024", sha=SHA_B)
        run = store.get_run(two)
        run.status = COMPLETED
        store.update_run(run)

    def ids(**where: str) -> list[int]:
        with database.transaction(write=False) as store:
            return [r.id for r in store.list_runs(RunFilter(**where))]

    assert ids() == [three, two, one]
    assert ids(sop="sop-a") == [two, one]
    assert ids(status=COMPLETED) == [two]
    assert ids(status=ACTIVE, unit="u1") == [three, one]
    assert ids(period="2024") == [three]
    assert ids(sop="sop-b", unit="u2") == []
    with database.transaction(write=False) as store:
        assert store.list_runs(RunFilter(sop="sop-b"))[0].sop_hash == SHA_B


def test_open_tasks_soonest_due_first_with_their_runs(database: Database) -> None:
    with database.transaction() as store:
        one, two, three = add_run(store), add_run(store, unit="u2"), add_run(store, unit="u3")
        late, early, done = task(one, "b", due=T0 + 3 * HOUR), task(one, "a", due=T0 + HOUR), \
            task(one, "c", due=T0)
        store.add_tasks([late, early, done, task(two, "d", due=T0 + 2 * HOUR),
                         task(three, "e", due=None)])
        complete(store, done, "kasi-1")

    def found(due_before: dt.datetime | None = None,
              runs: list[int] | None = None) -> list[tuple[int, str]]:
        with database.transaction(write=False) as store:
            pairs = store.open_tasks(due_before, runs)
        assert all(run.id == step.run_id for run, step in pairs)
        return [(run.id, step.activity_id) for run, step in pairs]

    everything = found()
    # a task without a due time sorts first on SQLite, last on PostgreSQL: not part of the rule
    assert [p for p in everything if p != (three, "e")] == [(one, "a"), (two, "d"), (one, "b")]
    assert sorted(everything) == sorted([(one, "a"), (two, "d"), (one, "b"), (three, "e")])
    assert found(T0 + 2 * HOUR) == [(one, "a")]  # due before, not at
    assert found(T0 + 2 * HOUR + dt.timedelta(microseconds=1)) == [(one, "a"), (two, "d")]
    assert found(wib(2026, 1, 5, 12, 0)) == [(one, "a"), (two, "d"), (one, "b")]
    assert found(runs=[one]) == [(one, "a"), (one, "b")]
    assert found(runs=[three]) == [(three, "e")]
    assert found(T0 + 4 * HOUR, runs=[two, three]) == [(two, "d")]
    assert found(runs=[]) == []
