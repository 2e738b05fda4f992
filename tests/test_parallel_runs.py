"""Work in parallel, the runs: a split activates every branch, `each` gives a task per actor or
holder, `any` one task for several roles, the join activates once, whatever the order."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter

import pytest

from engine import corrections, reads, reminders, services
from engine.calendar import WorkCalendar
from engine.clock import FixedClock
from engine.errors import AlreadyCompleted, AmbiguousTask, NotAllowed, StepNotGiven
from engine.ports import Database, HistoryFilter
from engine.roster import Acting, Person, Roster, Unit
from storage.memory import MemoryDatabase
from tests.office import NESTED, PARALLEL, PARALLEL_ROSTER, Office, wib

SPLIT = ["data-seksi/kasi-a", "data-seksi/kasi-b", "draf/s1", "draf/s2"]


@pytest.fixture
def desk(db_url: str) -> Office:
    """An office on SQLite or PostgreSQL with the roster of the parallel SOP."""
    place = Office(db_url, PARALLEL_ROSTER)
    yield place  # type: ignore[misc]
    place.engine.dispose()


def active(office: Office, run: int) -> list[str]:
    return [t.label for t in office.active(run)]


def events(office: Office, run: int, kind: str) -> list[str]:
    with office.database.transaction(write=False) as store:
        return [e.step or "" for e in reads.history(store, HistoryFilter(run=run, event=kind))]


def test_a_split_activates_every_branch_and_every_task_at_once(desk: Office) -> None:
    run = desk.start(PARALLEL, period="x").run.id
    desk.clock.advance(dt.timedelta(minutes=5))
    done = desk.complete(run, "camat", "perintah")
    assert [t.label for t in done.activated] == SPLIT == active(desk, run)
    assert {t.activated_at for t in done.activated} == {wib(2026, 1, 5, 8, 5)}
    due = {t.label: t.due_at for t in done.activated}
    assert due["data-seksi/kasi-a"] == due["data-seksi/kasi-b"] == wib(2026, 1, 5, 10, 5)
    assert due["draf/s1"] == due["draf/s2"] == wib(2026, 1, 5, 9, 5)
    assert {t.label: t.assignees for t in done.activated} == {
        "data-seksi/kasi-a": ("ka",), "data-seksi/kasi-b": ("kb",), "draf/s1": ("s1",),
        "draf/s2": ("s2",)}
    assert events(desk, run, "step_activated") == ["perintah", *SPLIT]


def test_a_branch_waits_at_the_join_and_the_last_one_activates_it(desk: Office) -> None:
    run = desk.start(PARALLEL, period="x").run.id
    desk.complete(run, "camat", "perintah")
    for label, person in (("data-seksi", "ka"), ("data-seksi", "kb")):
        desk.complete(run, person, label)
    assert active(desk, run) == ["draf/s1", "draf/s2"]  # the data branch arrived and waits
    desk.complete(run, "s2", "draf")
    assert active(desk, run) == ["draf/s1"]  # an `each` step is done when all its tasks are
    desk.complete(run, "s1", "draf")
    assert active(desk, run) == ["periksa"]
    done = desk.complete(run, "kb", "periksa", outcome="Ya")
    assert [t.label for t in done.activated] == ["kompilasi"]
    desk.complete(run, "sekcam", "kompilasi")
    view = desk.view(run)
    assert view.run.status == "completed"
    assert Counter(t.activity_id for t in view.tasks) == {
        "perintah": 1, "data-seksi": 2, "draf": 2, "periksa": 1, "kompilasi": 1}
    assert events(desk, run, "step_activated").count("kompilasi") == 1
    assert desk.verify() == 1 + 2 * 7 + 1  # run started, 7 tasks activated and completed, end


def test_rework_in_one_branch_while_the_other_waits(desk: Office) -> None:
    run = desk.start(PARALLEL, period="x").run.id
    desk.complete(run, "camat", "perintah")
    desk.complete(run, "ka", "data-seksi")
    desk.complete(run, "kb", "data-seksi")
    desk.complete(run, "s1", "draf")
    desk.complete(run, "s2", "draf")
    back = desk.complete(run, "ka", "periksa", outcome="Tidak")
    assert [(t.label, t.attempt) for t in back.activated] == [("draf/s1", 2), ("draf/s2", 2)]
    desk.complete(run, "s1", "draf")
    desk.complete(run, "s2", "draf")
    desk.complete(run, "kb", "periksa", outcome="Ya")
    assert active(desk, run) == ["kompilasi"]
    attempts = Counter((t.activity_id, t.attempt) for t in desk.steps(run))
    assert attempts[("data-seksi", 1)] == 2 and ("data-seksi", 2) not in attempts
    assert attempts[("draf", 2)] == 2 and attempts[("periksa", 2)] == 1


def play_in_a_random_order(database: Database, seed: int) -> list[str]:
    """Complete whatever is active, in an order drawn from ``seed``; the activity ids activated."""
    chance = random.Random(seed)
    clock = FixedClock(wib(2026, 1, 5, 8, 0))
    env = services.Env(WorkCalendar(), PARALLEL_ROSTER, clock)
    with database.transaction() as store:
        run = services.start_run(store, env, PARALLEL, None, f"p{seed}", "camat").run.id
    activated = ["perintah"]
    for _ in range(40):
        with database.transaction(write=False) as store:
            open_tasks = store.active_tasks(run)
        if not open_tasks:
            break
        task = chance.choice(open_tasks)
        person = task.assignees[0] if task.assignees else "sekcam"
        outcome = chance.choice(["Ya", "Ya", "Tidak"]) if task.activity_id == "periksa" else None
        clock.advance(dt.timedelta(minutes=chance.randint(1, 90)))
        with database.transaction() as store:
            done = services.complete_step(store, env, run, task.label, person, outcome)
        activated += [t.activity_id for t in done.activated]
    with database.transaction(write=False) as store:
        assert store.get_run(run).status == "completed"
        assert reads.verify_audit(store) > 0
    return activated


def test_the_join_activates_exactly_once_in_any_order() -> None:
    for seed in range(80):
        activated = play_in_a_random_order(MemoryDatabase(), seed)
        assert activated.count("kompilasi") == 1, (seed, activated)
        assert activated.count("data-seksi") == 2  # the data branch never runs again
        assert activated.count("periksa") == activated.count("draf") // 2


def test_the_same_random_orders_on_the_real_databases(db_url: str) -> None:
    from storage.db import connect

    database = connect(db_url)
    try:
        for seed in (3, 11, 42):
            assert play_in_a_random_order(database, seed).count("kompilasi") == 1
    finally:
        database.dispose()


def test_a_nested_split_joins_inside_its_branch(desk: Office) -> None:
    run = desk.start(NESTED, period="x").run.id
    desk.complete(run, "camat", "mulai")
    assert active(desk, run) == ["rencana", "anggaran"]
    desk.complete(run, "sekcam", "rencana")
    assert active(desk, run) == ["anggaran", "data-a", "data-b"]
    desk.complete(run, "s1", "anggaran")  # the outer branch waits at `final`
    desk.complete(run, "ka", "data-a")
    assert active(desk, run) == ["data-b"]
    desk.complete(run, "kb", "data-b")
    assert active(desk, run) == ["gabung-data"]
    desk.complete(run, "sekcam", "gabung-data")
    assert active(desk, run) == ["final"]
    desk.complete(run, "camat", "final")
    assert desk.view(run).run.status == "completed"


def test_each_over_one_role_is_one_task_per_holder_or_one_for_nobody(db_url: str) -> None:
    people = (*PARALLEL_ROSTER.units[0].people, Person("s3", "Contoh Staf 3", ("staf",)))
    three = Office(db_url, Roster((Unit("contoh", "Kecamatan Contoh", people),)))
    try:
        run = three.start(PARALLEL, period="x").run.id
        three.complete(run, "camat", "perintah")
        assert [t for t in active(three, run) if t.startswith("draf")] == [
            "draf/s1", "draf/s2", "draf/s3"]
    finally:
        three.engine.dispose()
    nobody = tuple(p for p in PARALLEL_ROSTER.units[0].people if "staf" not in p.roles)
    empty = Office(db_url, Roster((Unit("contoh", "Kecamatan Contoh", nobody),)))
    try:
        run = empty.start(PARALLEL, period="y").run.id
        empty.complete(run, "camat", "perintah")
        draft = next(t for t in empty.active(run) if t.activity_id == "draf")
        assert (draft.label, draft.assignees) == ("draf", ())
        done = empty.complete(run, "ka", "draf")  # the Kasi above the Staf acts for the role
        assert done.step is not None and done.step.on_behalf == "staf"
    finally:
        empty.engine.dispose()


def test_any_of_the_listed_roles_completes_the_one_task(desk: Office) -> None:
    run = desk.start(PARALLEL, period="x").run.id
    desk.complete(run, "camat", "perintah")
    desk.complete(run, "s1", "draf")
    desk.complete(run, "s2", "draf")
    check = next(t for t in desk.active(run) if t.activity_id == "periksa")
    assert (check.label, check.assignees) == ("periksa", ("ka", "kb"))
    desk.complete(run, "kb", "periksa", outcome="Ya")
    with pytest.raises(AlreadyCompleted, match=r"step `periksa` of run 1 was already completed "
                                               r"by kb at 2026-01-05 08:00"):
        desk.complete(run, "ka", "periksa", outcome="Ya")


def test_a_repeated_command_never_completes_the_next_step(desk: Office) -> None:
    run = desk.start(PARALLEL, period="x").run.id
    desk.complete(run, "camat", "perintah")
    before = desk.snapshot()
    with pytest.raises(AlreadyCompleted, match="step `perintah` of run 1 was already completed "
                                               "by camat"):
        desk.complete(run, "camat", "perintah")
    desk.complete(run, "s1", "draf")
    with pytest.raises(AlreadyCompleted, match="step `draf/s1` of run 1 was already completed "
                                               "by s1"):
        desk.complete(run, "s1", "draf")
    with pytest.raises(NotAllowed, match="s1 may not complete step `draf/s2`: it is for Staf "
                                         r"\(staf\), held by s2"):
        desk.complete(run, "s1", "draf/s2")
    with pytest.raises(StepNotGiven, match="the active steps are `data-seksi/kasi-a`"):
        desk.complete(run, "s2", "")
    assert len(desk.snapshot()["step_runs"]) == len(before["step_runs"])


def test_a_person_with_two_tasks_of_a_step_names_one(db_url: str) -> None:
    both = Person("kab", "Kasi A dan B", ("kasi-a", "kasi-b"))
    people = (*[p for p in PARALLEL_ROSTER.units[0].people if p.id not in ("ka", "kb")], both)
    office = Office(db_url, Roster((Unit("contoh", "Kecamatan Contoh", people),)))
    try:
        run = office.start(PARALLEL, period="x").run.id
        office.complete(run, "camat", "perintah")
        with pytest.raises(AmbiguousTask, match="name one: data-seksi/kasi-a, "
                                                "data-seksi/kasi-b"):
            office.complete(run, "kab", "data-seksi")
        done = office.complete(run, "kab", "data-seksi/kasi-b")
        assert done.step is not None and done.step.label == "data-seksi/kasi-b"
        assert office.complete(run, "kab", "data-seksi").step.label == "data-seksi/kasi-a"
    finally:
        office.engine.dispose()


def test_a_superior_acts_for_the_role_unless_a_plh_is_there(desk: Office) -> None:
    run = desk.start(PARALLEL, period="x").run.id
    desk.complete(run, "camat", "perintah")
    done = desk.complete(run, "camat", "data-seksi/kasi-a")  # camat > sekcam > kasi-a
    assert done.step is not None and done.step.on_behalf == "kasi-a"
    assert done.step.completed_by == "camat"
    with desk.database.transaction(write=False) as store:
        last = reads.history(store, HistoryFilter(run=run, event="step_completed"))[-1]
    assert (last.step, json.loads(last.data)["on_behalf_of"]) == ("data-seksi/kasi-a", "kasi-a")
    with pytest.raises(NotAllowed, match="s1 may not complete step `data-seksi/kasi-b`"):
        desk.complete(run, "s1", "data-seksi/kasi-b")  # not above the Kasi B
    acting = Person("plh", "Plh Kasi B", ("staf",),
                    acting=(Acting("kasi-b", dt.date(2026, 1, 1), dt.date(2026, 1, 31)),))
    desk.env = services.Env(desk.env.calendar, Roster((Unit("contoh", "Kecamatan Contoh", (
        *PARALLEL_ROSTER.units[0].people, acting)),)), desk.clock)
    with pytest.raises(NotAllowed, match="camat may not complete step `data-seksi/kasi-b`"):
        desk.complete(run, "camat", "data-seksi/kasi-b")  # the Plh does it
    desk.complete(run, "plh", "data-seksi/kasi-b")


def test_cancelling_cancels_every_active_task(desk: Office) -> None:
    run = desk.start(PARALLEL, period="x").run.id
    desk.complete(run, "camat", "perintah")
    desk.complete(run, "s1", "draf")
    from storage.store import transaction

    with transaction(desk.engine) as store:
        done = corrections.cancel_run(store, desk.env, run, "Salah periode", "camat")
    assert done.run.status == "cancelled" and active(desk, run) == []
    statuses = Counter(t.status for t in desk.steps(run))
    assert statuses == {"completed": 2, "cancelled": 3}
    with desk.database.transaction(write=False) as store:
        assert {r.status for r, _task in store.list_reminders(run)} == {"retired"}


def test_each_task_is_reminded_and_escalated_up_its_own_chain(desk: Office) -> None:
    run = desk.start(PARALLEL, period="x").run.id
    desk.complete(run, "camat", "perintah")
    desk.complete(run, "s1", "draf")
    desk.complete(run, "s2", "draf")
    with desk.database.transaction(write=False) as store:
        owed = [(task.label, r.level, r.status) for r, task in store.list_reminders(run)]
        tasks = {t.label: t for t in store.active_tasks(run)}
    assert sorted(label for label, _level, status in owed if status == "pending") == [
        "data-seksi/kasi-a", "data-seksi/kasi-b", "periksa"]
    unit, spec, day = PARALLEL_ROSTER.units[0], PARALLEL.spec, dt.date(2026, 1, 5)

    def ids(label: str, level: int) -> list[str]:
        return [p.id for p in reminders.recipients_for(spec, unit, tasks[label], level, day)]

    assert ids("data-seksi/kasi-a", 0) == ["ka"]
    assert ids("data-seksi/kasi-a", 1) == ["sekcam", "ka"]
    assert ids("periksa", 0) == ["ka", "kb"]
    assert ids("periksa", 1) == ["sekcam", "ka", "kb"]  # both chains meet: the Sekcam once
    assert ids("periksa", 2) == ["camat", "ka", "kb"]
