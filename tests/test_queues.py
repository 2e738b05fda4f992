"""Antrian bagian and Akan datang: the unit's tasks held by others (who each waits for,
acting holders marked) and the steps coming to a person next; memory, SQLite, PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from engine import corrections, queues, services
from engine.calendar import WorkCalendar
from engine.clock import FixedClock
from engine.loader import LoadedSop, load_sop_file
from engine.ports import Database
from engine.roster import Acting, Person, Roster, Unit
from tests.conftest import SOPS
from tests.office import LAKIP, PARALLEL, PARALLEL_ROSTER, ROSTER, wib

SKTM = load_sop_file(SOPS / "legalisasi-sktm.yaml")
SITI = {"pemohon": "Siti Aminah", "nik": "3214 0157 0890 0001", "keperluan": "sekolah"}
TWO_UNITS = Roster((
    ROSTER.units[0],
    Unit("cibodas", "Kecamatan Cibodas", (
        Person("camat-b", "Camat Cibodas", ("camat",)),
        Person("sekcam-b", "Sekcam Cibodas", ("sekcam",)),
        Person("kasi-b", "Kasi Cibodas", ("kasi",)),
        Person("staf-b", "Staf Cibodas", ("staf",)),
    )),
))
SERVICE_ROSTER = Roster((Unit("darangdan", "Kecamatan Darangdan", (
    Person("camat", "Camat", ("camat",)),
    Person("sekcam", "Sekcam", ("sekcam",)),
    Person("kesos", "Kasi Kesos", ("kasi-kesos",)),
    Person("loket-1", "Petugas 1", ("petugas-paten",)),
    Person("loket-2", "Petugas 2", ("petugas-paten",),
           acting=(Acting("kasi-kesos", dt.date(2026, 12, 1), dt.date(2026, 12, 4)),)),
)),))


class Place:
    """A database of one backend, a roster and a clock standing on Monday 5 January 2026."""

    def __init__(self, database: Database, roster: Roster = ROSTER) -> None:
        self.database = database
        self.clock = FixedClock(wib(2026, 1, 5, 8, 0))
        self.env = services.Env(WorkCalendar(), roster, self.clock)

    def start(self, loaded: LoadedSop = LAKIP, unit: str | None = "darangdan",
              period: str | None = "2025", by: str | None = "camat", **options: Any) -> int:
        with self.database.transaction() as store:
            return services.start_run(store, self.env, loaded, unit, period, by,
                                      **options).run.id

    def complete(self, run: int, step: str, by: str, outcome: str | None = None) -> None:
        with self.database.transaction() as store:
            services.complete_step(store, self.env, run, step, by, outcome)

    def queue(self, person: str) -> tuple[queues.QueuedTask, ...]:
        with self.database.transaction(write=False) as store:
            return queues.unit_queue(store, self.env, person)

    def upcoming(self, person: str) -> tuple[queues.UpcomingStep, ...]:
        with self.database.transaction(write=False) as store:
            return queues.upcoming(store, self.env, person)


@pytest.fixture
def place(database: Database) -> Iterator[Place]:
    yield Place(database)


def waiting(item: queues.QueuedTask) -> list[tuple[str, str, bool]]:
    return [(w.person_id, w.name, w.acting) for w in item.waiting]


def test_visible_units_are_the_persons_own() -> None:
    assert queues.visible_units(TWO_UNITS, "camat") == ("darangdan",)
    assert queues.visible_units(TWO_UNITS, "kasi-b") == ("cibodas",)
    assert queues.visible_units(TWO_UNITS, "nobody") == ()
    both = Roster((*TWO_UNITS.units, Unit("extra", "Extra", (Person("camat", "C", ("x",)),))))
    assert queues.visible_units(both, "camat") == ("darangdan", "extra")


def test_the_queue_shows_what_others_hold_and_whom_it_waits_for(place: Place) -> None:
    run = place.start()
    assert place.queue("camat") == ()  # step 1 is the Camat's own: in Tugas saya, not here
    [item] = place.queue("staf-1")
    assert (item.run.id, item.task.label, item.task.no, item.spec.id) == (
        run, "perintah", 1, "pengumpulan-data-kinerja")
    assert waiting(item) == [("camat", "Contoh Camat", False)]
    place.complete(run, "perintah", "camat")
    place.complete(run, "format", "sekcam")
    [item] = place.queue("camat")  # step 3 is for both Kasi
    assert item.task.label == "himpun"
    assert waiting(item) == [("kasi-1", "Contoh Kasi 1", False),
                             ("kasi-2", "Contoh Kasi 2", False)]
    assert [i.task.label for i in place.queue("kasi-1")] == []  # their own task
    assert place.queue("nobody") == ()


def test_acting_holders_are_named_first_and_marked(place: Place) -> None:
    place.clock.at = wib(2026, 1, 12, 8, 0)  # the Sekcam is Plt Camat from 12 to 16 January
    run = place.start()
    assert place.queue("sekcam") == ()  # acting for the Camat: the step is the Sekcam's own
    [item] = place.queue("kasi-1")
    assert (item.run.id, waiting(item)) == (run, [("sekcam", "Contoh Sekcam", True),
                                                  ("camat", "Contoh Camat", False)])
    place.clock.at = wib(2026, 1, 19, 8, 0)  # the acting range is over
    [item] = place.queue("kasi-1")
    assert waiting(item) == [("camat", "Contoh Camat", False), ("sekcam", "Contoh Sekcam", False)]
    # the Sekcam was assigned while acting and may still complete it: named, no longer acting


def test_overdue_first_then_by_due_time(place: Place) -> None:
    early = place.start(period="2024")  # step 1 due 08:03
    place.clock.at = wib(2026, 1, 5, 9, 0)
    later = place.start(period="2025")  # due 09:03
    place.clock.at = wib(2026, 1, 5, 8, 30)
    third = place.start(period="2023")  # due 08:33
    place.clock.at = wib(2026, 1, 5, 8, 40)  # the first and the third are overdue
    found = place.queue("staf-1")
    assert [(i.run.id, i.task.overdue) for i in found] == [
        (early, True), (third, True), (later, False)]
    assert found[0].task.late_minutes == 37


def test_a_person_sees_only_the_units_they_belong_to(database: Database) -> None:
    place = Place(database, TWO_UNITS)
    mine = place.start(unit="darangdan")
    theirs = place.start(unit="cibodas", by="camat-b")
    assert [i.run.id for i in place.queue("staf-1")] == [mine]
    assert [i.run.id for i in place.queue("staf-b")] == [theirs]
    assert [u.run.id for u in place.upcoming("sekcam")] == [mine]
    assert [u.run.id for u in place.upcoming("sekcam-b")] == [theirs]


def test_the_applicants_step_waits_for_who_records_it(database: Database) -> None:
    place = Place(database, SERVICE_ROSTER)
    place.clock.at = wib(2026, 12, 1, 8, 0)
    run = place.start(SKTM, None, None, "loket-1", fields=SITI)  # not received yet
    [item] = place.queue("camat")
    assert item.task.label == "pengajuan"
    assert waiting(item) == [("loket-1", "Petugas 1", False), ("loket-2", "Petugas 2", False)]
    assert item.run.title == "Siti Aminah"
    [nik] = [f for f in item.run.fields if f.key == "nik"]
    assert nik.masked and "0157" not in nik.value  # private: masked in a list
    place.complete(run, "pengajuan", "loket-1")
    [item] = place.queue("kesos")
    assert item.task.label == "periksa"
    # the Petugas 2 is Plt Kasi Kesos: verifikasi comes to both
    assert [(u.activity_id, u.on_outcomes) for u in place.upcoming("kesos")] == [
        ("verifikasi", ("Lengkap",))]
    assert [(u.activity_id, u.on_outcomes) for u in place.upcoming("loket-2")] == [
        ("pengajuan", ("Tidak lengkap",)), ("verifikasi", ("Lengkap",))]
    assert [(u.activity_id, u.on_outcomes) for u in place.upcoming("loket-1")] == [
        ("pengajuan", ("Tidak lengkap",))]  # back to the applicant, recorded at the desk
    place.complete(run, "periksa", "loket-1", "Lengkap")
    [item] = place.queue("camat")
    assert (item.task.label, waiting(item)) == ("verifikasi", [
        ("loket-2", "Petugas 2", True), ("kesos", "Kasi Kesos", False)])


def test_upcoming_follows_the_flow(place: Place) -> None:
    run = place.start()
    [step] = place.upcoming("sekcam")
    assert (step.run.id, step.activity_id, step.no, step.actor_title) == (
        run, "format", 2, "Sekretaris Kecamatan")
    assert [t.label for t in step.after] == ["perintah"] and step.on_outcomes == ()
    assert step.expected_after == wib(2026, 1, 5, 8, 3)
    assert place.upcoming("staf-1") == () and place.upcoming("camat") == ()
    for activity, person in (("perintah", "camat"), ("format", "sekcam"), ("himpun", "kasi-1"),
                             ("analisis", "sekcam"), ("draft", "staf-1")):
        place.complete(run, activity, person)
    # the Camat corrects the draft: Ya leads to the meeting (the Camat's), Tidak back to the
    # draft (the staff's)
    assert [(u.activity_id, u.on_outcomes) for u in place.upcoming("staf-2")] == [
        ("draft", ("Tidak",))]
    assert [(u.activity_id, u.on_outcomes, u.actor_title) for u in place.upcoming("camat")] \
        == [("rapat-finalisasi", ("Ya",), "Camat")]
    assert place.upcoming("kasi-1") == ()  # attends the meeting, does not complete it


def test_upcoming_in_parallel_branches(database: Database) -> None:
    place = Place(database, PARALLEL_ROSTER)
    assert [(u.activity_id, u.no) for u in place.upcoming("camat")] == []
    run = place.start(PARALLEL, None, "2026", "camat")
    assert [u.activity_id for u in place.upcoming("ka")] == ["data-seksi"]
    assert [u.activity_id for u in place.upcoming("s1")] == ["draf"]  # each staf's own task
    place.complete(run, "perintah", "camat")
    # four tasks at once; the join comes to the Sekcam after the Kasi's data (a plain step)
    [join] = place.upcoming("sekcam")
    assert join.activity_id == "kompilasi" and join.on_outcomes == ()
    assert sorted(t.label for t in join.after) == ["data-seksi/kasi-a", "data-seksi/kasi-b"]
    [check] = place.upcoming("kb")  # `any` of the Kasi checks the drafts
    assert (check.activity_id, sorted(t.label for t in check.after)) == (
        "periksa", ["draf/s1", "draf/s2"])
    queued = place.queue("camat")
    assert sorted(i.task.label for i in queued) == [
        "data-seksi/kasi-a", "data-seksi/kasi-b", "draf/s1", "draf/s2"]
    draf = next(i for i in queued if i.task.label == "draf/s2")
    assert waiting(draf) == [("s2", "Contoh Staf 2", False)]  # one person's own task
    assert [i.task.label for i in place.queue("s1")] == [  # the drafts are due first
        "draf/s2", "data-seksi/kasi-a", "data-seksi/kasi-b"]
    for label, person in (("draf/s1", "s1"), ("draf/s2", "s2")):
        place.complete(run, label, person)
    [back] = place.upcoming("s1")  # the check may send the drafts back
    assert (back.activity_id, back.on_outcomes, [t.label for t in back.after]) == (
        "draf", ("Tidak",), ["periksa"])
    [join] = place.upcoming("sekcam")
    assert sorted(t.label for t in join.after) == [
        "data-seksi/kasi-a", "data-seksi/kasi-b", "periksa"]
    assert join.on_outcomes == ()  # the Kasi's data lead there whatever the check says
    assert [(u.activity_id, [t.label for t in u.after]) for u in place.upcoming("ka")] == []


def test_finished_runs_are_in_no_queue(place: Place) -> None:
    run = place.start()
    with place.database.transaction() as store:
        corrections.cancel_run(store, place.env, run, "salah periode", "camat")
    assert place.queue("staf-1") == () and place.upcoming("sekcam") == ()
