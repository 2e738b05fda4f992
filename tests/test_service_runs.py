"""Service runs: case fields, register numbers, the service deadline, the applicant's step,
optional steps, reopening and cancelling, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from engine import corrections, reads, reminders, services
from engine.cases import FieldError
from engine.corrections import NotOptional, NotReopenable
from engine.errors import NotAllowed, ReasonMissing, RunFinished, StepNotActive
from engine.loader import load_sop_file
from engine.ports import HistoryFilter, RunFilter
from engine.roster import Person, Roster, Unit
from tests.conftest import SOPS
from tests.office import Office, wib

SKTM = load_sop_file(SOPS / "legalisasi-sktm.yaml")
ROSTER = Roster((Unit("darangdan", "Kecamatan Darangdan", (
    Person("camat", "Camat", ("camat",)),
    Person("sekcam", "Sekcam", ("sekcam",)),
    Person("kesos", "Kasi Kesos", ("kasi-kesos",)),
    Person("loket-1", "Petugas 1", ("petugas-paten",)),
    Person("loket-2", "Petugas 2", ("petugas-paten",)),
    Person("staf", "Staf", ("staf",)),
)),))
SITI = {"pemohon": "Siti Aminah", "nik": "3214 0157 0890 0001", "keperluan": "sekolah"}


@pytest.fixture
def desk(db_url: str) -> Iterator[Office]:
    place = Office(db_url, ROSTER)
    place.clock.at = wib(2026, 12, 1, 8, 0)
    yield place
    place.engine.dispose()


def start(desk: Office, fields: dict[str, str] | None = None, by: str = "loket-1",
          received: bool = True, period: str | None = None) -> services.Transition:
    from storage.store import transaction

    with transaction(desk.engine) as store:
        return services.start_run(store, desk.env, SKTM, None, period, by,
                                  fields=SITI if fields is None else fields, received=received)


def write(desk: Office, use_case: object, *args: object) -> services.Transition:
    from storage.store import transaction

    with transaction(desk.engine) as store:
        return use_case(store, desk.env, *args)  # type: ignore[operator, no-any-return]


def test_case_fields_are_checked(desk: Office) -> None:
    for fields, words in [
        ({"pemohon": "X"}, "field `nik` (NIK) is required"),
        ({**SITI, "nik": "3214015713900001"}, "must be a NIK"),  # month 13
        ({**SITI, "nik": "321401570890"}, "must be a NIK"),
        ({**SITI, "telepon": "12345"}, "must be a phone number"),
        ({**SITI, "keperluan": "Liburan"}, "must be one of: Sekolah, Berobat, Bantuan sosial, "
                                           "Lainnya; not `Liburan`"),
        ({**SITI, "nama": "X"}, "has no case field `nama`"),
    ]:
        before = desk.snapshot()
        with pytest.raises(FieldError, match=re.escape(words)):
            start(desk, fields)
        assert desk.snapshot() == before


def test_a_private_field_is_kept_once_masked_for_others_and_hashed_in_the_trail(
        desk: Office) -> None:
    run = start(desk).run.id
    with desk.database.transaction(write=False) as store:
        kept = store.fields([run])[run]
        started = reads.history(store, HistoryFilter(run=run, event="run_started"))[0]
        trail = [e.data for e in reads.history(store, HistoryFilter())]
    nik = next(f for f in kept if f.key == "nik")
    assert (nik.value, nik.private) == ("3214015708900001", True)
    assert {f.key: f.value for f in kept}["keperluan"] == "Sekolah"  # as the SOP writes it
    fields = json.loads(started.data)["fields"]
    assert fields["pemohon"] == "Siti Aminah" and fields["nik"] == nik.digest
    assert fields["nik"].startswith("sha256:") and not any("3214015708900001" in d
                                                           for d in trail)
    assert desk.verify() > 0

    def shown(viewer: str | None, reveal: bool = False) -> str:
        with desk.database.transaction(write=False) as store:
            view = reads.run_view(store, desk.env, run, viewer, reveal)
        assert view.run.title == "Siti Aminah"
        return {f.key: f.value for f in view.run.fields}["nik"]

    assert shown("staf") == shown(None) == "3214********0001"
    assert shown("kesos") == shown(None, reveal=True) == "3214015708900001"


def test_register_numbers_follow_each_other_per_year_and_search_finds_runs(desk: Office) -> None:
    numbers = [start(desk, {**SITI, "pemohon": name}).run.period
               for name in ("Siti Aminah", "Budi Santoso", "Rina Marlina")]
    assert numbers == ["0001/SKTM/XII/2026", "0002/SKTM/XII/2026", "0003/SKTM/XII/2026"]
    desk.clock.at = wib(2027, 1, 4, 8, 0)
    assert start(desk).run.period == "0001/SKTM/I/2027"
    with desk.database.transaction(write=False) as store:
        found = reads.list_runs(store, RunFilter(search="budi"))
        by_nik = reads.list_runs(store, RunFilter(search="3214015708"))
        by_number = reads.list_runs(store, RunFilter(search="0003/SKTM"))
    assert [i.run.title for i in found] == ["Budi Santoso"]
    assert len(by_nik) == 4 and [i.run.register for i in by_number] == ["0003/SKTM/XII/2026"]


def test_a_cancelled_run_frees_its_number_and_is_started_again(desk: Office) -> None:
    first = start(desk, {**SITI, "pemohon": "Budi Santoso"}).run.id
    with pytest.raises(NotAllowed, match="kesos may not cancel run 1: only who started it "
                                         r"\(loket-1\) or the Camat may"):
        write(desk, corrections.cancel_run, first, "Salah input", "kesos")
    with pytest.raises(ReasonMissing):
        write(desk, corrections.cancel_run, first, "  ", "loket-1")
    write(desk, corrections.cancel_run, first, "NIK salah ketik", "loket-1")
    again = start(desk, {}, period="0001/SKTM/XII/2026")  # the fields are taken over
    assert again.run.period == "0001/SKTM/XII/2026" and again.run.id != first
    with desk.database.transaction(write=False) as store:
        items = reads.list_runs(store, RunFilter(period="0001/SKTM/XII/2026"))
    assert [(i.run.status, i.run.title) for i in items] == [
        ("active", "Budi Santoso"), ("cancelled", "Budi Santoso")]
    assert start(desk).run.period == "0002/SKTM/XII/2026"  # the sequence goes on
    write(desk, corrections.cancel_run, again.run.id, "Salah lagi", "camat")  # the top role
    assert desk.verify() > 0


def test_the_applicants_step_is_recorded_by_the_front_desk_only(desk: Office) -> None:
    run = start(desk, received=False).run.id
    with desk.database.transaction(write=False) as store:
        desk_inbox = reads.inbox(store, desk.env, "loket-2")
        kasi_inbox = reads.inbox(store, desk.env, "kesos")
    assert [(i.run.id, i.task.label) for i in desk_inbox] == [(run, "pengajuan")]
    assert kasi_inbox == ()
    with pytest.raises(NotAllowed, match="staf may not complete step `pengajuan` of the "
                                         "Pemohon: it is recorded by Petugas PATEN"):
        desk.complete(run, "staf", "pengajuan")
    done = desk.complete(run, "loket-2", "pengajuan")
    assert done.step is not None and done.step.completed_by == "loket-2"


def test_received_records_the_first_step_at_once(desk: Office) -> None:
    done = start(desk)
    assert done.step is not None and done.step.label == "pengajuan"
    assert [t.label for t in done.active] == ["periksa"]


def test_the_service_deadline_makes_the_whole_run_late_and_escalates_once(
        desk: Office) -> None:
    run = start(desk).run.id
    view = desk.view(run)
    assert view.run.due_at == wib(2026, 12, 2, 8, 0) and view.service_left == 450
    desk.clock.at = wib(2026, 12, 2, 9, 0)
    with desk.database.transaction(write=False) as store:
        late = reads.late_runs(store, desk.env)
        owed = [(r.level, task) for r, task in store.list_reminders(run)]
    assert [(x.run.id, x.late_minutes) for x in late] == [(run, 60)]
    assert (3, None) in owed  # the whole run, to the top of the longest chain (4 roles)
    with desk.database.transaction() as store:
        ids = reminders.claim_due(store, desk.clock.now(), "d", 50)
    with desk.database.transaction() as store:
        whole = next(o for o in (reminders.prepare(store, desk.env, i, "d", desk.clock.now())
                                 for i in ids) if o is not None and o.message.whole_run)
    assert [p.id for p in whole.recipients] == ["camat"]
    assert whole.message.run_title == "Siti Aminah" and whole.message.late_minutes == 60
    with desk.database.transaction() as store:
        reminders.record(store, desk.env, whole, [], "d", desk.clock.now())
    with desk.database.transaction(write=False) as store:
        after = [r for r, task in store.list_reminders(run) if task is None]
    assert [r.status for r in after] == ["sent"]  # once: nothing more is owed


def test_an_optional_step_is_skipped_with_a_reason(desk: Office) -> None:
    run = start(desk).run.id
    desk.complete(run, "loket-1", "periksa", outcome="Lengkap")
    with pytest.raises(NotOptional, match="step `verifikasi` of run 1 is not optional"):
        write(desk, corrections.skip_step, run, "verifikasi", "tidak perlu", "kesos")
    desk.complete(run, "kesos", "verifikasi", outcome="Ya")
    with pytest.raises(ReasonMissing):
        write(desk, corrections.skip_step, run, "cek-dtks", "", "kesos")
    with pytest.raises(NotAllowed):
        write(desk, corrections.skip_step, run, "cek-dtks", "alasan", "loket-1")
    done = write(desk, corrections.skip_step, run, "cek-dtks", "Sudah di DTKS", "kesos")
    assert [t.label for t in done.active] == ["paraf-sekcam"]
    skipped = next(t for t in desk.view(run).tasks if t.activity_id == "cek-dtks")
    assert (skipped.status, skipped.reason, skipped.completed_by) == (
        "skipped", "Sudah di DTKS", "kesos")


def test_a_wrong_completion_is_reopened_and_the_next_step_withdrawn(desk: Office) -> None:
    run = start(desk).run.id
    desk.complete(run, "loket-1", "periksa", outcome="Lengkap")
    desk.complete(run, "kesos", "verifikasi", outcome="Tidak")  # meant Ya
    with pytest.raises(NotAllowed, match="loket-2 may not reopen step `verifikasi`"):
        write(desk, corrections.reopen_step, run, "verifikasi", "salah", "loket-2")
    done = write(desk, corrections.reopen_step, run, "verifikasi", "Salah pilih", "kesos")
    assert [(t.label, t.attempt) for t in done.active] == [("verifikasi", 2)]
    with pytest.raises(StepNotActive, match="step `penolakan` of run 1 was withdrawn: "
                                            "`verifikasi` was reopened: Salah pilih"):
        desk.complete(run, "loket-1", "penolakan")
    desk.complete(run, "kesos", "verifikasi", outcome="Ya")
    statuses = [(t.label, t.attempt, t.status) for t in desk.view(run).tasks if t.attempt]
    assert ("verifikasi", 1, "reopened") in statuses and ("penolakan", 1, "withdrawn") in \
        statuses and ("verifikasi", 2, "completed") in statuses
    desk.complete(run, "kesos", "cek-dtks")
    with pytest.raises(NotReopenable, match="cannot be reopened: what came after it is done "
                                            r"already \(`cek-dtks` by kesos"):
        write(desk, corrections.reopen_step, run, "verifikasi", "lagi", "kesos")
    write(desk, corrections.reopen_step, run, "cek-dtks", "Data DTKS belum dicek", "sekcam")
    with desk.database.transaction(write=False) as store:
        kinds = [e.event for e in reads.history(store, HistoryFilter(run=run))]
    assert kinds.count("step_reopened") == 2 and desk.verify() > 0


def test_reopening_the_last_step_opens_the_run_again(desk: Office) -> None:
    run = start(desk).run.id
    for step, by, outcome in [("periksa", "loket-1", "Lengkap"), ("verifikasi", "kesos", "Ya"),
                              ("cek-dtks", "kesos", None), ("paraf-sekcam", "sekcam", None),
                              ("tanda-tangan", "camat", None), ("registrasi", "loket-1", None)]:
        desk.complete(run, by, step, outcome=outcome)
    assert desk.view(run).run.status == "completed"
    write(desk, corrections.reopen_step, run, "registrasi", "Nomor salah", "loket-1")
    view = desk.view(run)
    assert (view.run.status, [t.label for t in view.active]) == ("active", ["registrasi"])
    done = desk.complete(run, "loket-1", "registrasi")
    assert done.run.status == "completed"
    with pytest.raises(RunFinished):
        desk.complete(run, "loket-1", "registrasi")
    assert desk.verify() > 0


def test_reopening_a_branch_that_waited_at_its_join(db_url: str) -> None:
    from tests.office import PARALLEL, PARALLEL_ROSTER

    office = Office(db_url, PARALLEL_ROSTER)
    try:
        run = office.start(PARALLEL, period="x").run.id
        office.complete(run, "camat", "perintah")
        office.complete(run, "ka", "data-seksi")
        office.complete(run, "kb", "data-seksi")  # this branch now waits at kompilasi
        from storage.store import transaction

        with transaction(office.engine) as store:
            done = corrections.reopen_step(store, office.env, run, "data-seksi/kasi-b",
                                           "Data salah", "kb")
        assert "data-seksi/kasi-b" in [t.label for t in done.active]
        for step, by in (("draf", "s1"), ("draf", "s2")):
            office.complete(run, by, step)
        office.complete(run, "ka", "periksa", outcome="Ya")
        assert [t.label for t in office.active(run)] == ["data-seksi/kasi-b"]  # join waits
        office.complete(run, "kb", "data-seksi")
        assert [t.label for t in office.active(run)] == ["kompilasi"]
    finally:
        office.engine.dispose()


def test_an_old_run_without_fields_shows_as_before(desk: Office) -> None:
    run = desk.start().run.id  # LAKIP: a calendar SOP, no case
    view = desk.view(run)
    assert (view.run.register, view.run.title, view.run.fields) == (None, None, ())
    assert view.run.period == "2025" and view.service_left is None

