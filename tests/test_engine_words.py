"""The running engine and storage speak both languages: their messages are engine ``Text``s
that read in English as they always did and say themselves in Bahasa Indonesia, values in
place (roster and calendar problems, periods, case fields, the use cases' refusals, the audit
check, the database's errors, the scheduler's lease, computed working time)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from engine import corrections, services
from engine.audit_chain import checked_head, verify_chain
from engine.calendar import HoursOverride, WorkCalendar, parse_span
from engine.cases import FieldError, check_fields
from engine.clock import FixedClock
from engine.errors import AlurError, ConfigError
from engine.periods import PeriodError, check_period, default_period
from engine.reads import run_view
from engine.reminders import NO_HOLDER
from engine.roster import Person, Roster, Unit
from engine.roster_loader import load_roster, load_roster_text
from engine.runs import AuditEvent, StepRun, reason_of, withdrawn_reason
from engine.text import Text
from runners.i18n import say, say_error, say_problem, use_language
from storage.location import DatabaseBusy, DatabaseReadOnly, SchemaBehind, target, translate
from storage.memory import MemoryDatabase
from tests.conftest import SOPS

SKTM_PATH = SOPS / "legalisasi-sktm.yaml"
LAKIP_PATH = SOPS / "pengumpulan-data-kinerja.yaml"
WIB = dt.timezone(dt.timedelta(hours=7))
ROSTER = Roster((Unit("darangdan", "Kecamatan Darangdan", (
    Person("camat", "Camat", ("camat",)),
    Person("sekcam", "Sekcam", ("sekcam",)),
    Person("kesos", "Kasi Kesos", ("kasi-kesos",)),
    Person("loket-1", "Petugas 1", ("petugas-paten",)),
    Person("loket-2", "Petugas 2", ("petugas-paten",)),
    Person("staf", "Staf", ("staf",)),
)),))
SITI = {"pemohon": "Siti Aminah", "nik": "3214 0157 0890 0001", "keperluan": "sekolah"}


def both(message: Any) -> tuple[str, str]:
    """(Bahasa Indonesia, English) of a message, a problem or an error."""
    def said() -> str:
        if isinstance(message, BaseException):
            return say_error(message)
        if hasattr(message, "warning"):
            return say_problem(message)
        return say(message)

    with use_language("id"):
        bahasa = said()
    with use_language("en"):
        english = said()
    return bahasa, english


def refused(action: Callable[[], object]) -> AlurError | ValueError:
    with pytest.raises((AlurError, ValueError)) as caught:
        action()
    return caught.value


# -- roster.yaml ------------------------------------------------------------------------------

ROSTER_TEXT = """\
format: 1
units:
  darangdan:
    name: Kecamatan Darangdan
    people:
      - id: Camat Baru
        name: Camat
        roles: [camat, camat]
        nip: "1234"
        whatsapp: "0812"
        acting:
          - {role: sekcam, from: 2026-02-10, until: 2026-02-01}
      - id: staf
        name: Staf
        roles: [staf]
        notify: [telepon-saja]
  Bad_Unit:
    name: X
    people: []
"""


def test_roster_problems_read_in_bahasa_and_in_english_as_before() -> None:
    with pytest.raises(ConfigError) as caught:
        load_roster_text(ROSTER_TEXT)
    lines = {p.line: both(p) for p in caught.value.problems}
    assert lines[6] == (
        "roster.yaml:6:13: `id` harus huruf kecil dan angka yang dihubungkan dengan satu `-`, "
        "`_` atau `.` (seperti `camat` atau `staf-1`), bukan `Camat Baru`",
        "roster.yaml:6:13: `id` must be lowercase letters and digits joined by single `-`, `_` "
        "or `.` (like `camat` or `staf-1`), not `Camat Baru`")
    assert lines[8] == ("roster.yaml:8:24: peran `camat` tercantum dua kali",
                        "roster.yaml:8:24: role `camat` is listed twice")
    assert lines[9][0] == ("roster.yaml:9:14: `nip` harus NIP 18 digit (boleh berspasi), bukan "
                           "`1234`")
    assert lines[10][0] == ("roster.yaml:10:19: `whatsapp` harus nomor telepon seperti "
                            "`+6281234567890`, bukan `0812`")
    assert lines[12] == (
        "roster.yaml:12:53: `until` (2026-02-01) lebih awal daripada `from` (2026-02-10)",
        "roster.yaml:12:53: `until` (2026-02-01) is before `from` (2026-02-10)")
    assert lines[16][0] == ("roster.yaml:16:18: `notify` berisi URL apprise seperti "
                            "`tgram://BOTTOKEN/CHATID` atau `mailto://user:pass@example.com`, "
                            "bukan `telepon-saja`")
    assert lines[17][0].startswith("roster.yaml:17:3: slug unit harus berupa huruf kecil")
    assert lines[19] == (
        "roster.yaml:19:13: unit `Bad_Unit` tidak memiliki pegawai; cantumkan sedikitnya satu "
        "orang di bawah `people`",
        "roster.yaml:19:13: unit `Bad_Unit` has no people; list at least one under `people`")


def test_a_person_listed_twice_and_a_missing_roster_file(tmp_path: Path) -> None:
    text = ("format: 1\nunits:\n  darangdan:\n    name: D\n    people:\n"
            "      - {id: staf, name: A, roles: [staf]}\n"
            "      - {id: staf, name: B, roles: [staf]}\n")
    with pytest.raises(ConfigError) as caught:
        load_roster_text(text)
    assert both(caught.value) == (
        "roster.yaml:7:14: id pegawai `staf` dipakai dua kali di unit `darangdan` (pertama pada "
        "baris 6); id harus unik dalam satu unit",
        "roster.yaml:7:14: person id `staf` is used twice in unit `darangdan` (first at line "
        "6); ids are unique in a unit")
    with pytest.raises(ConfigError) as caught:
        load_roster(tmp_path / "roster.yaml")
    bahasa, english = both(caught.value)
    assert bahasa.endswith("roster.yaml:1:1: berkas daftar pegawai (roster) tidak ada; "
                           "`alur init` membuatnya dengan contoh pegawai untuk disunting")
    assert english.endswith("roster.yaml:1:1: the roster file does not exist; `alur init` "
                            "creates one with sample people to edit")


def test_an_empty_roster_file_speaks_of_a_roster() -> None:
    with pytest.raises(ConfigError) as caught:
        load_roster_text("")
    bahasa, english = both(caught.value)
    assert english == ("roster.yaml:1:1: the file is empty; a roster starts with `format: 1` "
                       "and `units:`")
    assert bahasa.startswith("roster.yaml:1:1: berkas") and "daftar pegawai (roster)" in bahasa


def test_units_and_people_not_found_or_not_given() -> None:
    two = Roster((Unit("a", "A", ()), Unit("b", "B", ())))
    assert both(refused(lambda: two.unit(None))) == (
        "daftar pegawai (roster) memiliki beberapa unit (a, b); sebutkan salah satunya",
        "the roster has several units (a, b); name one")
    bahasa, english = both(refused(lambda: ROSTER.unit("darangdan").person("kesoss")))
    assert english == "no person `kesoss` in unit `darangdan`, did you mean `kesos`?"
    assert "`kesoss`" in bahasa and "`darangdan`" in bahasa and bahasa != english


# -- calendar, periods, durations ------------------------------------------------------------

def test_calendar_problems() -> None:
    assert both(refused(lambda: WorkCalendar(timezone="Asia/Bogor"))) == (
        "zona waktu `Asia/Bogor` tidak dikenal; gunakan nama seperti Asia/Jakarta, "
        "Asia/Makassar atau Asia/Jayapura",
        "unknown time zone `Asia/Bogor`; use a name such as Asia/Jakarta, Asia/Makassar or "
        "Asia/Jayapura")
    assert both(refused(lambda: parse_span("7.30-12"))) == (
        "jam kerja `7.30-12`: tulislah rentangnya sebagai HH:MM-HH:MM, misalnya `07:30-12:00`",
        "office hours `7.30-12`: write a span as HH:MM-HH:MM, such as `07:30-12:00`")
    spans = {"mon": (parse_span("07:30-12:00"), parse_span("11:00-16:00"))}
    assert both(refused(lambda: WorkCalendar(hours=spans, country=""))) == (
        "jam kerja, mon: jam kerja `11:00-16:00` tumpang tindih atau tidak berurutan; "
        "cantumkan rentang satu hari dari pagi ke sore",
        "office hours, mon: office hours `11:00-16:00` overlap or are out of order; list the "
        "spans of a day from morning to afternoon")
    ramadan = {"senin": (parse_span("08:00-15:00"),)}
    assert both(refused(lambda: HoursOverride(dt.date(2026, 2, 18), dt.date(2026, 3, 19),
                                              "Ramadan", ramadan))) == (
        "jam kerja khusus `Ramadan`: hari senin tidak dikenal; gunakan mon, tue, wed, thu, "
        "fri, sat, sun",
        "hours override `Ramadan`: unknown weekday senin; use mon, tue, wed, thu, fri, sat, sun")
    day = dt.date(2026, 8, 17)
    assert both(refused(lambda: WorkCalendar(extra_holidays=[day], removed_holidays=[day],
                                             country=""))) == (
        "tanggal yang sekaligus ditambahkan sebagai hari libur dan dihapus dari hari libur: "
        "2026-08-17",
        "dates both added as holidays and removed from holidays: 2026-08-17")


def test_periods() -> None:
    from engine.loader import load_sop_file

    lakip, sktm = load_sop_file(LAKIP_PATH).spec, load_sop_file(SKTM_PATH).spec
    assert both(refused(lambda: check_period("kemarin", lakip))) == (
        "SOP `pengumpulan-data-kinerja` berjalan setiap tahun: periodenya sebuah tahun seperti "
        "2026, bukan `kemarin`",
        "SOP `pengumpulan-data-kinerja` runs every year: its period is a year such as 2026, "
        "not `kemarin`")
    assert both(refused(lambda: check_period("2025 Q4"))) == (
        "periode `2025 Q4` harus berupa huruf, angka dan . / _ - (misalnya 2025, 2025-Q4, "
        "2025-12 atau 470/123)",
        "period `2025 Q4` must be letters, digits and . / _ - (for example 2025, 2025-Q4, "
        "2025-12 or 470/123)")
    error = refused(lambda: default_period(sktm, dt.datetime(2026, 1, 5, tzinfo=WIB)))
    assert isinstance(error, PeriodError) and error.missing
    assert both(error)[0].startswith("SOP `legalisasi-sktm` tidak memiliki blok `start:`")


# -- case fields ------------------------------------------------------------------------------

def test_case_field_problems() -> None:
    from engine.loader import load_sop_file

    sktm = load_sop_file(SKTM_PATH).spec
    error = refused(lambda: check_fields(sktm, {**SITI, "nik": "3214015713900001"}))
    assert isinstance(error, FieldError) and error.key == "nik"
    assert both(error) == (
        "isian `nik` (NIK) harus berupa NIK: 16 digit yang digit ke-7 sampai ke-12-nya "
        "merupakan tanggal lahir yang sah, bukan `3214015713900001`",
        "field `nik` (NIK) must be a NIK: 16 digits whose 7th to 12th give a real date of "
        "birth, not `3214015713900001`")
    bahasa, english = both(refused(lambda: check_fields(sktm, {**SITI, "keperluan": "Liburan"})))
    assert bahasa.endswith("harus salah satu dari: Sekolah, Berobat, Bantuan sosial, Lainnya; "
                           "bukan `Liburan`")
    assert english.endswith("must be one of: Sekolah, Berobat, Bantuan sosial, Lainnya; not "
                            "`Liburan`")
    bahasa, english = both(refused(lambda: check_fields(sktm, {**SITI, "pemohonn": "X"})))
    assert english.startswith("SOP `legalisasi-sktm` has no case field `pemohonn`, did you mean "
                              "`pemohon`? (its fields: pemohon, nik,")
    assert bahasa.startswith("SOP `legalisasi-sktm` tidak memiliki isian `case` bernama "
                             "`pemohonn`")
    assert "`pemohon`" in bahasa and "(isiannya: pemohon, nik," in bahasa


# -- the use cases --------------------------------------------------------------------------

class Desk:
    """The SKTM front desk on an in-memory database."""

    def __init__(self) -> None:
        from engine.loader import load_sop_file

        self.sop = load_sop_file(SKTM_PATH)
        self.database = MemoryDatabase()
        self.clock = FixedClock(dt.datetime(2026, 12, 1, 8, 0, tzinfo=WIB))
        self.env = services.Env(WorkCalendar(), ROSTER, self.clock)

    def write(self, use_case: Callable[..., services.Transition],
              *args: object) -> services.Transition:
        self.clock.advance(dt.timedelta(minutes=5))
        with self.database.transaction() as store:
            return use_case(store, self.env, *args)

    def start(self, by: str | None = "loket-1") -> int:
        return self.write(lambda store, env: services.start_run(
            store, env, self.sop, None, None, by, fields=SITI, received=True)).run.id

    def complete(self, run: int, by: str | None, step: str,
                 outcome: str | None = None) -> services.Transition:
        return self.write(services.complete_step, run, step, by, outcome)


@pytest.fixture
def desk() -> Iterator[Desk]:
    yield Desk()


def test_refusals_of_the_use_cases(desk: Desk) -> None:
    run = desk.start()
    assert both(refused(lambda: desk.complete(run, "staf", "periksa", "Lengkap"))) == (
        "staf tidak boleh menyelesaikan langkah `periksa`: langkah ini untuk Petugas PATEN "
        "(petugas-paten), yang dipegang oleh loket-1, loket-2",
        "staf may not complete step `periksa`: it is for Petugas PATEN (petugas-paten), held "
        "by loket-1, loket-2")
    bahasa, english = both(refused(lambda: desk.complete(run, None, "periksa", "Lengkap")))
    assert "menyelesaikan langkah" in bahasa and "`darangdan`" in bahasa
    assert english == ("say who is completing the step (a person id of the roster of unit "
                       "`darangdan`)")
    desk.complete(run, "loket-1", "periksa", "Lengkap")
    assert both(refused(lambda: desk.write(corrections.skip_step, run, "verifikasi",
                                           "tidak perlu", "kesos"))) == (
        "langkah `verifikasi` pada run 1 tidak opsional; langkah ini tidak dapat dilewati (SOP "
        "menandai langkah yang boleh dilewati dengan `optional: true`)",
        "step `verifikasi` of run 1 is not optional; it cannot be skipped (the SOP marks the "
        "steps that may be with `optional: true`)")
    assert both(refused(lambda: desk.write(services.reassign_step, run, "verifikasi", "staf",
                                           "kesos"))) == (
        "staf bukan pemegang peran `kasi-kesos`; langkah ini dapat dialihkan kepada: kesos",
        "staf does not hold `kasi-kesos`; the step can go to: kesos")
    assert both(refused(lambda: desk.write(corrections.cancel_run, run, "salah", "kesos"))) == (
        "kesos tidak boleh membatalkan run 1: yang boleh hanya yang memulainya (loket-1) atau "
        "Camat",
        "kesos may not cancel run 1: only who started it (loket-1) or the Camat may")
    desk.write(corrections.cancel_run, run, "NIK salah ketik", "loket-1")
    assert both(refused(lambda: desk.write(corrections.cancel_run, run, "lagi", "loket-1"))) == (
        "run 1 sudah dibatalkan", "run 1 is already cancelled")


def test_reopening_says_what_was_withdrawn(desk: Desk) -> None:
    run = desk.start()
    desk.complete(run, "loket-1", "periksa", "Lengkap")
    assert both(refused(lambda: desk.write(corrections.reopen_step, run, "verifikasi", "x",
                                           "kesos"))) == (
        "langkah `verifikasi` pada run 1 belum pernah diselesaikan, jadi tidak ada yang dapat "
        "dibuka ulang",
        "step `verifikasi` of run 1 has no completion to reopen")
    desk.complete(run, "kesos", "verifikasi", "Tidak")
    assert both(refused(lambda: desk.write(corrections.reopen_step, run, "verifikasi", "x",
                                           "loket-2"))) == (
        "loket-2 tidak boleh membuka ulang langkah `verifikasi`: yang boleh hanya yang "
        "menyelesaikannya (kesos) atau pemegang peran di atas `kasi-kesos`",
        "loket-2 may not reopen step `verifikasi`: only who completed it (kesos) or a holder "
        "of a role above `kasi-kesos` may")
    desk.write(corrections.reopen_step, run, "verifikasi", "Salah pilih", "kesos")
    bahasa, english = both(refused(lambda: desk.complete(run, "loket-1", "penolakan")))
    assert english.startswith("step `penolakan` of run 1 was withdrawn: `verifikasi` was "
                              "reopened: Salah pilih; ")
    assert bahasa.startswith("langkah `penolakan` pada run 1 ditarik kembali: `verifikasi` "
                             "dibuka ulang: Salah pilih; ")
    with desk.database.transaction(write=False) as store:
        view = run_view(store, desk.env, run)
    withdrawn = next(t for t in view.tasks if t.status == "withdrawn")
    assert both(withdrawn.reason) == ("`verifikasi` dibuka ulang: Salah pilih",
                                      "`verifikasi` was reopened: Salah pilih")
    desk.complete(run, "kesos", "verifikasi", "Ya")
    desk.complete(run, "kesos", "cek-dtks")
    bahasa, english = both(refused(lambda: desk.write(corrections.reopen_step, run,
                                                      "verifikasi", "lagi", "kesos")))
    assert english.startswith("step `verifikasi` of run 1 cannot be reopened: what came after "
                              "it is done already (`cek-dtks` by kesos at 2026-12-01 08:")
    assert bahasa.startswith("langkah `verifikasi` pada run 1 tidak dapat dibuka ulang: langkah "
                             "sesudahnya sudah dikerjakan (`cek-dtks` oleh kesos pada "
                             "2026-12-01 08:")


def test_a_withdrawn_reason_is_kept_as_english_and_read_back_as_a_message() -> None:
    stored = str(withdrawn_reason("periksa", "salah: lagi"))
    assert type(stored) is str and stored == "`periksa` was reopened: salah: lagi"
    task = StepRun(1, 1, "verifikasi", 1, "kasi", "withdrawn", dt.datetime.now(dt.UTC), None,
                   reason=stored)
    assert both(reason_of(task)) == ("`periksa` dibuka ulang: salah: lagi", stored)
    task.status, task.reason = "skipped", "`periksa` was reopened: x"  # a person wrote it
    assert type(reason_of(task)) is str


def test_the_applicants_step_is_refused_to_others(desk: Desk) -> None:
    run = desk.write(lambda store, env: services.start_run(
        store, env, desk.sop, None, None, "loket-1", fields=SITI)).run.id
    assert both(refused(lambda: desk.complete(run, "staf", "pengajuan"))) == (
        "staf tidak boleh menyelesaikan langkah `pengajuan` milik Pemohon: langkah ini dicatat "
        "oleh Petugas PATEN (petugas-paten)",
        "staf may not complete step `pengajuan` of the Pemohon: it is recorded by Petugas "
        "PATEN (petugas-paten)")


def test_no_holder_is_a_message_and_still_the_stored_error() -> None:
    assert NO_HOLDER == "nobody holds the role" and isinstance(NO_HOLDER, Text)
    stored = "nobody holds the role"  # as read back from the database
    assert stored == NO_HOLDER
    assert both(NO_HOLDER) == ("tidak ada pemegang peran", "nobody holds the role")


# -- the audit trail ------------------------------------------------------------------------

def _event(seq: int, prev: str) -> AuditEvent:
    from engine.audit_chain import event_hash

    at = dt.datetime(2026, 1, 5, 1, 0)
    digest = event_hash(prev, seq, 1, None, None, "run_started", "camat", at, at, "{}")
    return AuditEvent(seq, 1, None, None, "run_started", "camat", at, at, "{}", prev, digest)


def test_a_broken_audit_trail_is_said_in_both_languages() -> None:
    from engine.audit_chain import GENESIS

    first = _event(1, GENESIS)
    second = _event(2, first.hash)
    assert verify_chain([first, second], 2, second.hash) == 2
    assert both(refused(lambda: verify_chain([first, _event(3, second.hash)], 3, "x"))) == (
        "jejak audit rusak pada peristiwa 3: peristiwa 2 hilang (dihapus atau diubah "
        "urutannya)",
        "audit trail broken at event 3: event 2 is missing (deleted or reordered)")
    changed = AuditEvent(2, 1, None, None, "step_completed", "camat", second.at,
                         second.recorded_at, "{}", first.hash, second.hash)
    assert both(refused(lambda: verify_chain([first, changed], 2, second.hash))) == (
        "jejak audit rusak pada peristiwa 2 (step_completed, run 1): isinya diubah setelah "
        "dicatat",
        "audit trail broken at event 2 (step_completed, run 1): its content was changed after "
        "it was written")
    assert both(refused(lambda: verify_chain([first], 2, second.hash))) == (
        "jejak audit rusak setelah peristiwa 1: jejak seharusnya berakhir pada peristiwa 2 "
        "(peristiwa di bagian akhir dihapus atau diganti)",
        "audit trail broken after event 1: the trail should end at event 2 (events at the end "
        "were deleted or replaced)")
    assert both(refused(lambda: checked_head(None)))[0] == (
        "baris kepala jejak audit hilang: jejak audit telah diutak-atik atau basis data rusak")


# -- the database ---------------------------------------------------------------------------

def test_database_errors(tmp_path: Path) -> None:
    assert both(refused(lambda: target("bukan url"))) == (
        "URL basis data `bukan url` tidak dapat dibaca; gunakan misalnya sqlite:///alur.db "
        "atau postgresql+psycopg://user@host/db",
        "cannot read database URL `bukan url`; use for example sqlite:///alur.db or "
        "postgresql+psycopg://user@host/db")
    missing = tmp_path / "tidak-ada" / "alur.db"
    assert both(refused(lambda: target(f"sqlite:///{missing}"))) == (
        f"tidak dapat membuka basis data sqlite:///{missing}: folder {missing.parent} tidak ada",
        f"cannot open the database sqlite:///{missing}: the folder {missing.parent} does not "
        "exist")
    assert both(DatabaseBusy("sqlite:///alur.db", 5.0)) == (
        "basis data sqlite:///alur.db sedang sibuk: program lain menguncinya lebih dari 5 "
        "detik; coba lagi sebentar lagi (lama menunggu diatur oleh [database] lock_timeout di "
        "alur.toml)",
        "the database sqlite:///alur.db is busy: another program kept it locked for more than "
        "5 seconds; try again in a moment (the wait is [database] lock_timeout in alur.toml)")
    assert str(DatabaseBusy("x", 1, "alur-scheduler-1")) == (
        "the database x is busy: another program kept it locked for more than 1 second; the "
        "scheduler alur-scheduler-1 is running on it; try again in a moment (the wait is "
        "[database] lock_timeout in alur.toml)")
    sqlite3.connect(tmp_path / "alur.db").close()
    url = f"sqlite:///{tmp_path / 'alur.db'}?mode=ro"
    where = target(url)
    assert both(where.read_only) == ("URL-nya membukanya hanya-baca",
                                     "its URL opens it read-only")
    assert both(DatabaseReadOnly(url, where.read_only)) == (
        f"basis data {url} hanya-baca (URL-nya membukanya hanya-baca); basis data ini dapat "
        "dibaca, tetapi tidak dapat diubah",
        f"the database {url} is read-only (its URL opens it read-only); it can be read, not "
        "changed")
    bahasa, english = both(SchemaBehind(url, "0003", "0004", where.read_only))
    assert english.startswith(f"the database {url} is at schema 0003, older than this Alur's "
                              "(0004), and it is read-only (its URL opens it read-only)")
    assert bahasa.startswith(f"basis data {url} berada pada skema 0003, lebih lama daripada "
                             "skema Alur ini (0004), dan hanya-baca (URL-nya membukanya "
                             "hanya-baca)")
    full = OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))
    problem = translate(full, target("sqlite://"), 5)
    assert problem is not None and both(problem) == (
        "basis data sqlite:// tidak dapat bertambah besar: disk (atau kuotanya) penuh; tidak "
        "ada yang diubah",
        "the database sqlite:// cannot grow: the disk (or its quota) is full; nothing was "
        "changed")


def test_the_scheduler_lease_and_its_state(tmp_path: Path) -> None:
    from storage.db import open_database
    from storage.lease import SqliteLease, scheduler_state

    database = MemoryDatabase()
    first = database.lease("alur-1")
    first.acquire()
    assert both(refused(database.lease("alur-2").acquire)) == (
        "`alur scheduler` lain (alur-1) sudah berjalan pada basis data di memori ini; hanya "
        "satu yang boleh berjalan pada satu waktu",
        "another `alur scheduler` (alur-1) is already running on this in-memory database; one "
        "runs at a time")
    engine = open_database(f"sqlite:///{tmp_path / 'alur.db'}")
    try:
        assert both(scheduler_state(engine)) == ("tidak berjalan", "not running")
        lease = SqliteLease(engine, "alur-host-1")
        lease.acquire()
        try:
            assert both(scheduler_state(engine)) == ("berjalan (alur-host-1)",
                                                     "running (alur-host-1)")
            bahasa, english = both(refused(SqliteLease(engine, "alur-host-2").acquire))
            assert english == (f"another `alur scheduler` is already running on "
                               f"{tmp_path / 'alur.db'} (alur-host-1); with SQLite one scheduler "
                               "runs at a time (use PostgreSQL to run several)")
            assert bahasa.startswith("`alur scheduler` lain sudah berjalan pada ")
        finally:
            lease.release()
    finally:
        engine.dispose()


def test_roster_contact_and_holder_warnings() -> None:
    from engine.loader import load_sop_file
    from engine.roster_check import contact_problems, unheld_role_warnings

    sops = [load_sop_file(SKTM_PATH)]
    problems = contact_problems(ROSTER, sops, ["email"])
    assert both(problems[0]) == (
        "camat (darangdan) tidak memiliki `email`, padahal saluran email aktif",
        "camat (darangdan) has no `email`, and the email channel is on")
    small = Roster((Unit("darangdan", "D", (Person("camat", "Camat", ("camat",)),)),))
    warning = next(w for w in unheld_role_warnings(small, sops, dt.date(2026, 1, 5))
                   if "`sekcam`" in w.message)
    bahasa, english = both(warning)
    assert english.endswith(": warning: role `sekcam` (Sekretaris Kecamatan) has no holder in "
                            "unit darangdan of the roster")
    assert "peran `sekcam` (Sekretaris Kecamatan) tidak memiliki pemegang peran di unit "\
           "darangdan dalam daftar pegawai (roster)" in bahasa
