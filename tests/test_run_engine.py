"""Runs through the engine and real databases: the LAKIP story, refusals, atomicity."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from engine import corrections, services
from engine.errors import (
    AlurError,
    DuplicateRun,
    InvalidOutcome,
    InvalidTime,
    NotAllowed,
    PersonNotFound,
    RunFinished,
    RunNotFound,
    StepNotActive,
)
from engine.loader import load_sop_text
from engine.ports import HistoryFilter
from engine.reads import history
from engine.roster import Person, Roster, Unit
from storage.store import SqlStore, UnitOfWork, transaction
from tests.office import DOMISILI, LAKIP, LAKIP_PEOPLE, Office, wib


def play_lakip(office: Office, run: int) -> None:
    """Complete all 13 steps as the right people, with one correction at step 6."""
    for index, person in enumerate(LAKIP_PEOPLE):
        office.clock.advance(dt.timedelta(minutes=30))
        if index == 5:  # step 6: the first draft is not right, back to step 5
            office.complete(run, "camat", outcome="Tidak", note="Capaian IKU belum lengkap")
            office.clock.advance(dt.timedelta(minutes=30))
            office.complete(run, "staf-2")  # the draft again
            office.clock.advance(dt.timedelta(minutes=30))
            office.complete(run, "camat", outcome="ya")
            continue
        office.complete(run, person)


def test_the_whole_lakip_run(office: Office) -> None:
    started = office.start()
    run = started.run.id
    assert started.activated[0].activity_id == "perintah"
    # 3 working minutes from Mon 08:00
    assert started.activated[0].due_at == wib(2026, 1, 5, 8, 3)
    assert started.activated[0].assignees == ("camat",)
    play_lakip(office, run)
    steps = office.steps(run)
    assert [(s.activity_id, s.attempt) for s in steps][4:9] == [
        ("draft", 1), ("koreksi", 1), ("draft", 2), ("koreksi", 2), ("rapat-finalisasi", 1)]
    assert all(s.status == "completed" for s in steps) and len(steps) == 15
    assert steps[5].outcome == "Tidak" and steps[7].outcome == "Ya"
    with office.database.transaction(write=False) as store:
        finished = store.get_run(run)
        assert (finished.status, finished.result, finished.state) == ("completed", "selesai",
                                                                      "end:selesai")
        events = history(store, HistoryFilter(run=run))
    assert office.verify() == len(events)
    kinds = [e.event for e in events]
    assert kinds[0] == "run_started" and kinds[-1] == "run_completed"
    assert kinds.count("step_completed") == 15 and kinds.count("step_activated") == 15


def test_due_times_are_in_working_time(office: Office) -> None:
    office.clock.at = wib(2026, 1, 9, 15, 0)  # a Friday afternoon
    run = office.start().run.id
    office.clock.at = wib(2026, 1, 9, 15, 45)
    done = office.complete(run, "camat")
    # step 2 (60 min) activated Fri 15:45: 45 min Friday until 16:30, 15 min Monday 07:30
    assert done.activated[0].due_at == wib(2026, 1, 12, 7, 45)


def test_paper_steps_keep_when_they_really_happened(office: Office) -> None:
    office.clock.at = wib(2026, 1, 7, 10, 0)
    run = office.start(at=wib(2026, 1, 5, 9, 0)).run.id
    first = office.steps(run)[0]
    assert first.activated_at == wib(2026, 1, 5, 9, 0)
    done = office.complete(run, "camat", at=wib(2026, 1, 5, 9, 2))
    assert done.step is not None and done.step.completed_at == wib(2026, 1, 5, 9, 2)
    assert done.step.recorded_at == wib(2026, 1, 7, 10, 0)
    assert len(done.activated) == 1
    assert done.activated[0].activated_at == wib(2026, 1, 5, 9, 2)
    assert done.activated[0].due_at == wib(2026, 1, 5, 10, 2)


def test_an_acting_official_takes_over_for_the_date_range(office: Office) -> None:
    office.clock.at = wib(2026, 1, 13, 9, 0)  # the Sekcam is Plt Camat 12-16 January
    started = office.start(by="sekcam")
    assert started.activated[0].assignees == ("sekcam",)
    office.complete(started.run.id, "sekcam")  # completes the Camat's step as Plt
    office.clock.at = wib(2026, 1, 19, 9, 0)
    second = office.start(period="2024", by="camat")
    assert second.activated[0].assignees == ("camat",)
    with pytest.raises(NotAllowed, match="sekcam may not complete step `perintah`"):
        office.complete(second.run.id, "sekcam")


def test_an_external_step_is_recorded_by_the_next_steps_actor(office: Office) -> None:
    roster = Roster((Unit("kelurahan", "Kelurahan Contoh", tuple(
        Person(f"p{i}", f"Orang {i}", (role,)) for i, role in enumerate(
            ["lurah", "sekel", "kasi", "petugas", "staf"]))),))
    office.env = services.Env(office.env.calendar, roster, office.clock)
    started = office.start(DOMISILI, period="REG-001", by="p4")
    assert started.activated[0].assignees == ("p3",)  # the holders of the recorder's role
    with pytest.raises(NotAllowed, match="p4 may not complete step `mengajukan` of the Pemohon: "
                                         r"it is recorded by Petugas Pelayanan \(petugas\)"):
        office.complete(started.run.id, "p4")
    done = office.complete(started.run.id, "p3")  # the front desk records the applicant's
    assert done.step is not None and done.step.completed_by == "p3"


def test_a_run_keeps_the_sop_content_it_started_with(office: Office) -> None:
    run = office.start().run.id
    changed = load_sop_text(LAKIP.text.replace("duration: 60 menit", "duration: 2 jam"),
                            "pengumpulan-data-kinerja.yaml")
    office.start(changed, period="2024")
    office.clock.advance(dt.timedelta(minutes=10))
    done = office.complete(run, "camat")
    assert len(done.activated) == 1
    assert done.activated[0].due_at == done.activated[0].activated_at + dt.timedelta(minutes=60)
    with UnitOfWork(office.engine, write=False) as store:
        assert store.get_run(run).sop_hash == LAKIP.sha256
        assert store.sop_text(LAKIP.sha256) == LAKIP.text


REFUSALS: list[tuple[str, dict[str, Any], type[AlurError], str]] = [
    ("wrong-person", {"by": "staf-1"}, NotAllowed,
     "staf-1 may not complete step `format`: it is for Sekretaris Kecamatan (sekcam), held "
     "by sekcam"),
    ("unknown-person", {"by": "bupati"}, PersonNotFound, "no person `bupati`"),
    ("wrong-step", {"by": "sekcam", "step": "draft"}, StepNotActive,
     "step `draft` (no. 5) is not active in run 1; the active step is `format` (no. 2, "
     "sekcam)"),
    ("done-step", {"by": "camat", "step": "perintah"}, StepNotActive,
     "step `perintah` of run 1 was already completed by camat at 2026-01-05 08:10; the "
     "active step is `format` (no. 2, sekcam)"),
    ("done-step-by-number", {"by": "camat", "step": "1"}, StepNotActive,
     "step `perintah` of run 1 was already completed by camat at 2026-01-05 08:10"),
    ("no-such-step", {"by": "sekcam", "step": "tidur"}, StepNotActive,
     "run 1 has no step `tidur`"),
    ("outcome-on-plain-step", {"by": "sekcam", "outcome": "Ya"}, InvalidOutcome,
     "step `format` is not a decision; it takes no outcome"),
    ("future-at", {"by": "sekcam", "at": wib(2026, 1, 6, 8, 0)}, InvalidTime,
     "2026-01-06 08:00 is in the future (now it is 2026-01-05 08:20)"),
    ("at-before-activation", {"by": "sekcam", "at": wib(2026, 1, 5, 8, 5)}, InvalidTime,
     "2026-01-05 08:05 is before step `format` became active (2026-01-05 08:10)"),
    ("unknown-run", {"by": "sekcam", "run": 99}, RunNotFound, "no run `99`"),
]


@pytest.mark.parametrize(("kwargs", "error", "message"), [r[1:] for r in REFUSALS],
                         ids=[r[0] for r in REFUSALS])
def test_refusals_change_nothing(office: Office, kwargs: dict[str, Any],
                                 error: type[AlurError], message: str) -> None:
    run = office.start().run.id
    office.clock.advance(dt.timedelta(minutes=10))
    office.complete(run, "camat")
    office.clock.advance(dt.timedelta(minutes=10))
    before = office.snapshot()
    kwargs = {"run": run, **kwargs}
    with pytest.raises(error) as caught:
        office.complete(kwargs.pop("run"), **kwargs)
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)
    assert office.snapshot() == before


def test_decision_refusals(office: Office) -> None:
    run = office.start().run.id
    for person in LAKIP_PEOPLE[:5]:
        office.complete(run, person)
    before = office.snapshot()
    with pytest.raises(InvalidOutcome, match=r"choose an outcome, one of: Ya, Tidak"):
        office.complete(run, "camat")
    with pytest.raises(InvalidOutcome, match="`Mungkin` is not an outcome of step `koreksi`; "
                                             "choose one of: Ya, Tidak"):
        office.complete(run, "camat", outcome="Mungkin")
    assert office.snapshot() == before


def test_duplicate_and_finished_runs_are_refused(office: Office) -> None:
    run = office.start().run.id
    before = office.snapshot()
    with pytest.raises(DuplicateRun, match="a run of `pengumpulan-data-kinerja` for unit "
                                           "`darangdan` and period `2025` exists already: "
                                           "run 1"):
        office.start()
    assert office.snapshot() == before
    play_lakip(office, run)
    before = office.snapshot()
    with pytest.raises(RunFinished, match="run 1 is completed \\(selesai\\); nothing more"):
        office.complete(run, "staf-1")
    assert office.snapshot() == before


def test_reassign_and_cancel(office: Office) -> None:
    run = office.start().run.id
    office.complete(run, "camat")
    office.complete(run, "sekcam")
    with transaction(office.engine) as store:
        moved = services.reassign_step(store, office.env, run, "himpun", "kasi-2", "kasi-1")
    assert moved.step is not None and moved.step.assignees == ("kasi-2",)
    with pytest.raises(NotAllowed, match="staf-1 does not hold `kasi`"), \
            transaction(office.engine) as store:
        services.reassign_step(store, office.env, run, "himpun", "staf-1", "camat")
    with pytest.raises(NotAllowed, match="staf-1 may not reassign"), \
            transaction(office.engine) as store:
        services.reassign_step(store, office.env, run, "himpun", "kasi-1", "staf-1")
    with transaction(office.engine) as store:
        corrections.cancel_run(store, office.env, run, "Diganti SOP baru", "camat")
    with UnitOfWork(office.engine, write=False) as store:
        assert store.get_run(run).status == "cancelled"
        assert [s.status for s in store.tasks(run)][-1] == "cancelled"
    assert office.verify() == 8


def test_an_interrupted_transition_keeps_nothing(office: Office,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    run = office.start().run.id
    before = office.snapshot()

    def crash(self: SqlStore, *args: object) -> None:
        raise KeyboardInterrupt("power cut between the state write and the audit write")

    monkeypatch.setattr(SqlStore, "append_events", crash)
    with pytest.raises(KeyboardInterrupt):
        office.complete(run, "camat")
    assert office.snapshot() == before
    monkeypatch.undo()
    office.complete(run, "camat")
    assert office.verify() == 4
