"""The contract of the engine's ports, part three: case fields, register counters, cancelled
runs that free their period, late runs, whole-run reminders, and what a completion
activated (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import dataclasses

import pytest

from engine.cases import RunField
from engine.errors import DuplicateRun
from engine.ports import Database, RunFilter
from engine.runs import ACTIVE, CANCELLED, Run
from tests.store_kit import HOUR, T0, add_run, task


def test_case_fields_are_kept_per_run_and_searched(database: Database) -> None:
    with database.transaction() as store:
        siti = add_run(store, period="0001/X/2026")
        budi = add_run(store, period="0002/X/2026")
        store.add_fields(siti, [RunField("pemohon", "Siti Aminah"),
                                RunField("nik", "3214015708900001", True, "s4lt")])
        store.add_fields(budi, [RunField("pemohon", "Budi Santoso")])
    with database.transaction(write=False) as store:
        kept = store.fields([siti, budi, 99])
        assert kept == {siti: [RunField("pemohon", "Siti Aminah"),
                               RunField("nik", "3214015708900001", True, "s4lt")],
                        budi: [RunField("pemohon", "Budi Santoso")]}
        assert store.fields([]) == {}

        def found(text: str) -> list[int]:
            return [r.id for r in store.list_runs(RunFilter(search=text))]

        assert found("siti") == [siti] and found("AMINAH") == [siti]
        assert found("890000") == [siti]  # a private field is searched too
        assert found("0002/x") == [budi] and found("a") == [budi, siti]
        assert found("zz") == []


def test_register_numbers_count_per_sop_unit_and_year(database: Database) -> None:
    with database.transaction() as store:
        taken = [store.next_register("sktm", "u1", 2026) for _ in range(3)]
        other = [store.next_register("sktm", "u2", 2026), store.next_register("imb", "u1", 2026),
                 store.next_register("sktm", "u1", 2027)]
    assert taken == [1, 2, 3] and other == [1, 1, 1]
    with database.transaction() as store:
        assert [store.next_register("sktm", "u1", 2026) for _ in range(2)] == [4, 5]
    with pytest.raises(RuntimeError), database.transaction() as store:
        store.next_register("sktm", "u1", 2026)
        raise RuntimeError("the start failed: its number is not used up")
    with database.transaction() as store:
        assert store.next_register("sktm", "u1", 2026) == 6


def test_a_cancelled_run_frees_its_period(database: Database) -> None:
    with database.transaction() as store:
        first = add_run(store, period="0001/X/2026")
        run = store.get_run(first)
        run.status = CANCELLED
        store.update_run(run)
    with database.transaction() as store:
        assert store.find_run("sop-a", "u1", "0001/X/2026") is None
        assert store.find_cancelled("sop-a", "u1", "0001/X/2026") == first
        again = add_run(store, period="0001/X/2026")
        assert store.find_run("sop-a", "u1", "0001/X/2026") == again
    with pytest.raises(DuplicateRun), database.transaction() as store:
        add_run(store, period="0001/X/2026")
    with database.transaction(write=False) as store:
        assert [r.id for r in store.list_runs(RunFilter(period="0001/X/2026"))] == [again, first]


def test_runs_past_their_deadline_are_late(database: Database) -> None:
    with database.transaction() as store:
        version = store.save_sop_version("s", "c" * 64, "t", "p", T0)
        ids = []
        for number, due in enumerate((T0 + HOUR, T0 + 3 * HOUR, None)):
            ids.append(store.add_run(Run(0, "s", "c" * 64, "u", f"P{number}", ACTIVE, "a", T0,
                                         "x", due_at=due), version))
    with database.transaction(write=False) as store:
        assert store.get_run(ids[0]).due_at == T0 + HOUR
        assert [r.id for r in store.late_runs(T0 + 2 * HOUR)] == [ids[0]]
        assert [r.id for r in store.late_runs(T0 + 4 * HOUR)] == ids[:2]


def test_a_whole_run_reminder_has_no_task(database: Database) -> None:
    with database.transaction() as store:
        run = add_run(store)
        step = task(run, "a", due=T0 + HOUR)
        store.add_tasks([step])
        store.add_reminders(run, [(step.id, T0 + HOUR)], T0)
        store.add_run_reminder(run, 3, T0 + 2 * HOUR, T0)
    with database.transaction(write=False) as store:
        listed = store.list_reminders(run)
    assert [(r.level, r.step_run_id, t.label if t else None) for r, t in listed] == [
        (0, step.id, "a"), (3, None, None)]
    with database.transaction() as store:
        assert store.retire_reminders(step.id) == 1
        assert store.claim_reminders(T0 + 3 * HOUR, "d", 10) == [listed[1][0].id]


def test_tasks_know_which_completion_activated_them(database: Database) -> None:
    with database.transaction() as store:
        run = add_run(store)
        first = task(run, "a")
        store.add_tasks([first])
        following = [dataclasses.replace(task(run, "b", name=n), activated_by=first.id)
                     for n in ("x", "y")]
        store.add_tasks(following)
        other = task(run, "c")
        store.add_tasks([other])
    with database.transaction() as store:
        assert [t.label for t in store.tasks_activated_by(first.id)] == ["b/x", "b/y"]
        assert store.tasks_activated_by(other.id) == []
        reopened = store.tasks(run)[0]
        reopened.status, reopened.reason = "reopened", "salah pilih"
        store.update_task(reopened)
    with database.transaction(write=False) as store:
        assert (store.tasks(run)[0].status, store.tasks(run)[0].reason) == (
            "reopened", "salah pilih")
