"""The engine's messages speak both languages: every problem of an SOP file and every error
of engine/errors.py is said in Bahasa Indonesia (the default) or English, with its values in
place, and the English is exactly what ``str()`` gives (the message ids are that English).

The YAML keys, the words the author writes (`complete: each`, `every: year`), ids and the
author's texts stay as written in both languages."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from pathlib import Path

import pytest

from engine import errors
from engine.errors import (
    AccountLocked,
    ActiveTask,
    AlreadyCompleted,
    AlurError,
    AmbiguousTask,
    AuditTampered,
    ConcurrentChange,
    ConfigError,
    DuplicateRun,
    IdentityMissing,
    InvalidOutcome,
    InvalidTime,
    LoginFailed,
    LoginLinkUnusable,
    NotAllowed,
    PasswordTooShort,
    PersonNotFound,
    Problem,
    ReasonMissing,
    RunFinished,
    RunNotFound,
    SchedulerBusy,
    SopNotFound,
    SopValidationError,
    StepNotActive,
    StepNotGiven,
    UnitNotFound,
)
from engine.loader import load_sop_file, load_sop_text
from engine.text import Text
from engine.yaml_tree import YamlReadError, decode, read_tree
from runners.i18n import say, say_error, say_problem, use_language
from tests.conftest import BASE_SOP
from tests.test_parallel_format import BASE as PARALLEL_SOP


def problems_of(text: str) -> list[Problem]:
    """Every problem of an SOP text (it must have some errors)."""
    with pytest.raises(SopValidationError) as caught:
        load_sop_text(text, "sop.yaml")
    return list(caught.value.problems)


def said(problem: Problem) -> tuple[str, str]:
    """The problem's line in Bahasa Indonesia and in English."""
    with use_language("id"):
        bahasa = say_problem(problem)
    with use_language("en"):
        english = say_problem(problem)
    return bahasa, english


def one(text: str, words: str) -> Problem:
    """The one problem of ``text`` whose English holds ``words``."""
    found = [p for p in problems_of(text) if words in p.message]
    assert len(found) == 1, [p.message for p in problems_of(text)]
    return found[0]


# (case, broken SOP text, English line after the place, Indonesian line after the place)
PROBLEMS: list[tuple[str, str, str, str]] = [
    ("unknown-choice", BASE_SOP.replace("kind: rutin", "kind: rutn"),
     "unknown kind `rutn`, did you mean `rutin`? (accepted: rutin, pelayanan, penugasan)",
     "nilai `rutn` untuk `kind` tidak dikenal, maksud Anda `rutin`? (yang diterima: "
     "rutin, pelayanan, penugasan)"),
    ("unknown-key", BASE_SOP.replace("kind: rutin", "knd: rutin"),
     "unknown key `knd`, did you mean `kind`?",
     "kunci `knd` tidak dikenal, maksud Anda `kind`?"),
    ("unknown-key-in-actor", BASE_SOP.replace("camat: {title: Camat}",
                                              "camat: {title: Camat, nip: 1}"),
     "unknown key `nip` in actor `camat`; accepted keys: title, reports_to, external",
     "kunci `nip` di pelaksana `camat` tidak dikenal; kunci yang diterima: title, reports_to, "
     "external"),
    ("missing-key-in-activity", BASE_SOP.replace("    name: Membuat draft laporan\n", ""),
     "missing required key `name` (Uraian Kegiatan) in activity 2",
     "kunci wajib `name` (Uraian Kegiatan) belum ada di kegiatan 2"),
    ("unknown-actor", BASE_SOP.replace("actor: staf", "actor: stf", 1),
     "unknown actor `stf`, did you mean `staf`? (actors: camat, sekcam, staf)",
     "pelaksana `stf` tidak dikenal, maksud Anda `staf`? (pelaksana: camat, sekcam, "
     "staf)"),
    ("list-item", BASE_SOP.replace("kind: rutin", "kind: rutin\nlegal_basis: [[UU 1]]"),
     "`legal_basis item` must be text, not a list",
     "`butir legal_basis` harus berupa teks, bukan sebuah daftar"),
    ("unknown-target", BASE_SOP.replace("Tidak: draft}", "Tidak: draf}"),
     "unknown target `draf` in `next`, did you mean `draft`? (accepted: an activity id, `end` "
     "or `end:<result>`)",
     "tujuan `draf` di `next` tidak dikenal, maksud Anda `draft`? (yang diterima: kode "
     "kegiatan, `end` atau `end:<result>`)"),
    ("complete-needs-actors", BASE_SOP.replace("    actor: staf\n", "    actor: staf\n"
                                               "    complete: any\n", 1),
     "`complete: any` needs several actors in `actor`; with one actor only `each` has a meaning "
     "(one task per person holding the role; accepted: first, any, each)",
     "`complete: any` memerlukan beberapa pelaksana di `actor`; dengan satu pelaksana hanya "
     "`each` yang bermakna (satu tugas untuk setiap pemegang peran; yang diterima: first, any, "
     "each)"),
    ("start-deadline", BASE_SOP.replace("actors:", "start: {every: month, on: 10, deadline: 05}"
                                        "\nactors:"),
     "`deadline` falls before `on` in the same month; the deadline must come after the start",
     "`deadline` jatuh sebelum `on` dalam bulan yang sama; batas waktu harus sesudah tanggal "
     "mulai"),
    ("not-a-real-date", BASE_SOP.replace("created: 2022-12-30", "created: 2022-02-30"),
     "`created`: 2022-02-30 is not a real date (day is out of range for month)",
     "`created`: 2022-02-30 bukan tanggal yang ada (tanggal melebihi jumlah hari dalam bulan "
     "itu)"),
    ("duplicate-activity", BASE_SOP.replace("- id: kirim", "- id: draft").replace(
        "Ya: kirim", "Ya: end"),
     "duplicate activity id `draft` (first at line 23)",
     "kode kegiatan `draft` ganda (yang pertama di baris 23)"),
]


@pytest.mark.parametrize(("text", "english", "bahasa"), [c[1:] for c in PROBLEMS],
                         ids=[c[0] for c in PROBLEMS])
def test_a_problem_of_an_sop_file_is_said_in_both_languages(text: str, english: str,
                                                            bahasa: str) -> None:
    problem = one(text, english)
    place = f"sop.yaml:{problem.line}:{problem.column}: "
    indonesian, said_english = said(problem)
    assert said_english == str(problem) == place + english  # the English is str() itself
    assert indonesian == place + bahasa


def test_a_warning_keeps_its_values_in_both_languages() -> None:
    loaded = load_sop_text(BASE_SOP.replace("    duration: 1 jam\n", "", 1), "sop.yaml")
    warning = next(p for p in loaded.warnings if "duration" in p.message)
    with use_language("id"):
        assert say(warning.message) == ("kegiatan `draft` tidak punya `duration`: kegiatan ini "
                                        "tidak mendapat batas waktu maupun pengingat")
    with use_language("en"):
        assert say(warning.message) == ("activity `draft` has no `duration`: it gets no due "
                                        "time and no reminders")


def test_the_rules_of_parallel_branches_are_said_in_both_languages() -> None:
    text = PARALLEL_SOP.replace("    duration: 2 jam\n    next: kompilasi",
                                "    duration: 2 jam\n    next: periksa")
    problem = one(text, "leads into branch")
    indonesian, english = said(problem)
    assert english == (f"sop.yaml:{problem.line}:{problem.column}: `periksa` leads into branch "
                       "`draf` of the split at `perintah` (to `draf`); a branch is entered only "
                       "through its split `perintah`")
    assert indonesian.endswith("`periksa` mengarah ke dalam cabang `draf` dari percabangan di "
                               "`perintah` (ke `draf`); cabang hanya dapat dimasuki melalui "
                               "percabangannya, `perintah`")


def test_a_duration_error_inside_a_problem_is_said_too() -> None:
    problem = one(BASE_SOP.replace("duration: 1 jam", "duration: 2 bulan", 1), "bulan")
    indonesian, english = said(problem)
    assert english.endswith("invalid `duration`: unknown unit `bulan` in `2 bulan`; accepted "
                            "units: menit|min|m, jam|hour|hours|h, hari|hari kerja|day|days|d, "
                            "minggu|week|weeks|w")
    assert "`duration` tidak sah: " in indonesian and "`bulan`" in indonesian
    assert "unknown" not in indonesian and "invalid" not in indonesian


def test_reading_problems_are_said_for_the_file_read() -> None:
    for document, english, bahasa in (
            ("sop", "the file is empty; an SOP file starts with `format: 1` and `id:`",
             "berkas kosong; berkas SOP dimulai dengan `format: 1` dan `id:`"),
            ("roster", "the file is empty; a roster starts with `format: 1` and `units:`",
             "berkas kosong; daftar pegawai (roster) dimulai dengan `format: 1` dan `units:`")):
        with pytest.raises(YamlReadError) as caught:
            read_tree("# nothing\n", document)  # type: ignore[arg-type]
        assert str(caught.value) == english
        with use_language("id"):
            assert say_error(caught.value) == bahasa
    with pytest.raises(YamlReadError) as caught:
        decode(b"format: 1\nid: \xff\n")
    assert str(caught.value) == "not valid UTF-8 (byte 0xff); save the file as UTF-8 text"
    with use_language("id"):
        assert say_error(caught.value) == ("bukan UTF-8 yang sah (byte 0xff); simpan berkas "
                                           "sebagai teks UTF-8")
    problem = one(BASE_SOP.replace("title: SOP Contoh", "title: !foo SOP Contoh"), "tag")
    indonesian, english = said(problem)
    assert english.endswith("tag `!foo` is not allowed; SOP files use plain YAML values "
                            "without tags")
    assert indonesian.endswith("tag `!foo` tidak diizinkan; berkas SOP memakai nilai YAML biasa "
                               "tanpa tag")


def test_a_file_that_cannot_be_read_says_why_in_both_languages(tmp_path: Path) -> None:
    with pytest.raises(SopValidationError) as caught:
        load_sop_file(tmp_path / "tidak-ada.yaml")
    assert str(caught.value).endswith("cannot read the file: No such file or directory")
    with use_language("id"):
        assert say_error(caught.value).endswith(
            "berkas tidak dapat dibaca: Berkas atau folder tidak ada")


def test_a_logo_problem_is_said_in_both_languages(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(b"\xff\xd8\xff\xe0 a JPEG named .png")
    sop = tmp_path / "sops" / "contoh.yaml"
    sop.parent.mkdir()
    sop.write_text(BASE_SOP.replace("  name: Kecamatan Contoh",
                                    "  name: Kecamatan Contoh\n  logo: ../logo.png"),
                   encoding="utf-8")
    with pytest.raises(SopValidationError) as caught:
        load_sop_file(sop)
    (problem,) = caught.value.problems
    assert problem.message.endswith("is named .png but is a JPEG; save it as PNG or SVG under "
                                    "a name that says which")
    with use_language("id"):
        assert say(problem.message).endswith("bernama .png tetapi isinya berkas JPEG; simpan "
                                             "sebagai PNG atau SVG dengan nama berakhiran yang "
                                             "sesuai")


# -- the errors of engine/errors.py ------------------------------------------------------------

ACTIVE = (ActiveTask("periksa", 3, "Memeriksa berkas", ("siti", "budi")),)
AT = dt.datetime(2026, 1, 5, 9, 30)
NOW = dt.datetime(2026, 1, 5, 8, 0)

# (error class, how to build it, values its message must hold in both languages)
ERRORS: list[tuple[type[AlurError], Callable[[], AlurError], tuple[str, ...]]] = [
    (SopValidationError, lambda: SopValidationError([Problem("a.yaml", 3, 7, Text(
        "`{name}` must not be empty", name="title"))]), ("a.yaml:3:7", "`title`")),
    (ConfigError, lambda: ConfigError.at("roster.yaml", 1, 1, Text(
        "cannot read the file: {reason}", reason=errors.os_reason(PermissionError(
            13, "Permission denied")))), ("roster.yaml:1:1",)),
    (SopNotFound, lambda: SopNotFound("lakp", ["lakip"], "lakip"), ("`lakp`", "`lakip`")),
    (RunNotFound, lambda: RunNotFound("77", ["1", "2"]), ("`77`", "1, 2")),
    (UnitNotFound, lambda: UnitNotFound("kec-x", ["kec-contoh"], "",
                                        where=errors.in_file("roster.yaml")),
     ("`kec-x`", "roster.yaml", "kec-contoh")),
    (PersonNotFound, lambda: PersonNotFound("sitti", ["siti"], "siti",
                                            where=errors.in_unit("kec-contoh")),
     ("`sitti`", "`kec-contoh`", "`siti`")),
    (DuplicateRun, lambda: DuplicateRun("lakip", "kec-contoh", "2025", 4),
     ("`lakip`", "`kec-contoh`", "`2025`", "4")),
    (StepNotGiven, lambda: StepNotGiven(5, ACTIVE), ("5", "`periksa`", "3", "siti, budi")),
    (StepNotActive, lambda: StepNotActive(5, "draft", ACTIVE, no=2),
     ("`draft`", "2", "5", "`periksa`")),
    (AlreadyCompleted, lambda: AlreadyCompleted(5, "draft", None, AT, ()),
     ("`draft`", "5", "2026-01-05 09:30")),
    (AmbiguousTask, lambda: AmbiguousTask(5, "data", ["data/kasi-a", "data/kasi-b"], ACTIVE),
     ("`data`", "data/kasi-a, data/kasi-b")),
    (InvalidOutcome, lambda: InvalidOutcome("periksa", "unknown", ["Ya", "Tidak"], given="Ok"),
     ("`Ok`", "`periksa`", "Ya, Tidak")),
    (InvalidTime, lambda: InvalidTime(AT, "future", NOW), ("2026-01-05 09:30", "2026-01-05 08:00")),
    (RunFinished, lambda: RunFinished(9, "completed", "ditolak"), ("9", "(ditolak)")),
    (NotAllowed, lambda: NotAllowed(), ()),
    (IdentityMissing, lambda: IdentityMissing("completing the step", "kec-contoh"),
     ("`kec-contoh`",)),
    (ReasonMissing, lambda: ReasonMissing(12), ("12",)),
    (LoginFailed, lambda: LoginFailed(), ()),
    (AccountLocked, lambda: AccountLocked(AT, 5), ("(5)", "2026-01-05 09:30")),
    (LoginLinkUnusable, lambda: LoginLinkUnusable("used", AT), ("2026-01-05 09:30",)),
    (PasswordTooShort, lambda: PasswordTooShort(4, 10), ("10", "4")),
    (ConcurrentChange, lambda: ConcurrentChange(), ()),
    (SchedulerBusy, lambda: SchedulerBusy(), ()),
    (AuditTampered, lambda: AuditTampered(), ()),
]


def test_every_error_of_the_engine_is_built_here() -> None:
    public = {cls for _name, cls in inspect.getmembers(errors, inspect.isclass)
              if issubclass(cls, AlurError) and cls is not AlurError
              and not cls.__name__.startswith("_")}
    assert public == {cls for cls, _build, _values in ERRORS}


@pytest.mark.parametrize(("build", "values"), [e[1:] for e in ERRORS],
                         ids=[e[0].__name__ for e in ERRORS])
def test_every_error_is_said_in_bahasa_with_its_values(build: Callable[[], AlurError],
                                                       values: tuple[str, ...]) -> None:
    error = build()
    with use_language("en"):
        english = say_error(error)
    with use_language("id"):
        bahasa = say_error(error)
    assert english == str(error)  # the English is str() itself
    assert bahasa != english, "said in Bahasa Indonesia"
    for value in values:
        assert value in english and value in bahasa, value


def test_the_english_of_the_errors_is_unchanged() -> None:
    assert str(StepNotGiven(5, ACTIVE)) == (
        "name the step of run 5 to act on; the active step is `periksa` (no. 3, siti, budi)")
    assert str(StepNotActive(5, "draft", ())) == ("step `draft` is not active in run 5; no step "
                                                  "is active")
    assert str(StepNotActive(5, "x", ACTIVE * 2, known=False)) == (
        "run 5 has no step `x`; the active steps are `periksa` (no. 3, siti, budi), `periksa` "
        "(no. 3, siti, budi)")
    assert str(AlreadyCompleted(5, "draft", "siti", AT, ())) == (
        "step `draft` of run 5 was already completed by siti at 2026-01-05 09:30; no step is "
        "active")
    assert str(AlreadyCompleted(5, "draft", None, None, ())) == (
        "step `draft` of run 5 was already completed by someone; no step is active")
    assert str(InvalidOutcome("periksa", "missing", ["Ya", "Tidak"], question="Benar?")) == (
        "step `periksa` is a decision (Benar?); choose an outcome, one of: Ya, Tidak")
    assert str(InvalidOutcome("draft", "not_decision")) == (
        "step `draft` is not a decision; it takes no outcome")
    assert str(InvalidTime(NOW, "before", AT, "the step became active")) == (
        "2026-01-05 08:00 is before the step became active (2026-01-05 09:30)")
    assert str(RunFinished(9, "cancelled")) == ("run 9 is cancelled; nothing more can be done "
                                                "in it")
    assert str(SopNotFound("x", [f"s{i}" for i in range(14)])) == (
        "no SOP with id `x`; known: s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, ...")
    assert str(PersonNotFound("sitti", ["siti"], "siti", where=" in unit `kec`")) == (
        "no person `sitti` in unit `kec`, did you mean `siti`?")


def test_errors_in_bahasa_read_as_a_clerk_reads_them() -> None:
    with use_language("id"):
        assert say_error(StepNotGiven(5, ACTIVE)) == (
            "sebutkan langkah run 5 yang akan dikerjakan; langkah yang aktif: `periksa` (no. 3, "
            "siti, budi)")
        assert say_error(AlreadyCompleted(5, "draft", None, AT, ())) == (
            "langkah `draft` di run 5 sudah diselesaikan oleh seseorang pada 2026-01-05 09:30; "
            "tidak ada langkah yang aktif")
        assert say_error(RunFinished(9, "completed", "ditolak")) == (
            "run 9 sudah selesai (ditolak); tidak ada lagi yang dapat dilakukan di run ini")
        assert say_error(PersonNotFound("sitti", ["siti"], "siti",
                                        where=errors.in_unit("kec-contoh"))) == (
            "tidak ada pegawai `sitti` di unit `kec-contoh`, maksud Anda `siti`?")
        assert say_error(InvalidOutcome("periksa", "unknown", ["Ya", "Tidak"], given="Ok")) == (
            "`Ok` bukan hasil dari langkah `periksa`; pilih salah satu: Ya, Tidak")


def test_a_message_given_as_plain_text_is_shown_as_it_is() -> None:
    error = StepNotActive(5, "draft", ACTIVE, message="step `draft` was withdrawn: salah")
    with use_language("id"):
        assert say_error(error) == ("step `draft` was withdrawn: salah; langkah yang aktif: "
                                    "`periksa` (no. 3, siti, budi)")
