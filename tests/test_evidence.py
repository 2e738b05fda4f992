"""Evidence: files recognised by their content, kept once per content with the completion
that carried them, named in its audit event, checked by `audit verify`; and a completion
that acts on exactly the task a page showed (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from typing import Any

import pytest

from engine import corrections, reads, services
from engine.calendar import WorkCalendar
from engine.clock import FixedClock
from engine.errors import AlreadyCompleted, AuditTampered, RunFinished, StepNotActive
from engine.evidence import (
    MIB,
    EvidenceRefused,
    Upload,
    check_uploads,
    clean_name,
    recognise,
    unique_names,
)
from engine.evidence_reads import run_files, step_files
from engine.loader import load_sop_text
from engine.ports import Database
from engine.runs import STEP_COMPLETED
from tests.conftest import BASE_SOP
from tests.evidence_kit import ACCEPTED, REFUSED, image, pdf
from tests.office import LAKIP, ROSTER, wib

SMALL = load_sop_text(BASE_SOP, "contoh-sop.yaml")  # perintah, draft, koreksi (decision), kirim
REPORT, PHOTO = pdf("Laporan kinerja"), image("JPEG")
ACCEPTED_LIST = "PDF, JPEG, PNG, docx, xlsx, odt, ods"


class Desk:
    """One database, the test roster and a clock standing on Monday 5 January 2026."""

    def __init__(self, database: Database, channel: str = "cli") -> None:
        self.database = database
        self.clock = FixedClock(wib(2026, 1, 5, 8, 0))
        self.env = services.Env(WorkCalendar(), ROSTER, self.clock, channel=channel)

    def start(self, loaded: Any = LAKIP) -> int:
        with self.database.transaction() as store:
            return services.start_run(store, self.env, loaded, None, "2025", "camat").run.id

    def complete(self, run: int, step: str | None, by: str, **given: Any
                 ) -> services.Transition:
        self.clock.advance(dt.timedelta(minutes=10))
        with self.database.transaction() as store:
            return services.complete_step(store, self.env, run, step, by, **given)

    def active(self, run: int) -> list[Any]:
        with self.database.transaction(write=False) as store:
            return store.active_tasks(run)

    def events(self, run: int) -> list[Any]:
        with self.database.transaction(write=False) as store:
            return list(store.audit_events(run))

    def check(self, run: int | None = None) -> reads.AuditCheck:
        with self.database.transaction(write=False) as store:
            return reads.check_audit(store, run)


# -- what is accepted, by content ------------------------------------------------------------

@pytest.mark.parametrize("name", list(ACCEPTED))
def test_every_accepted_kind_is_recognised_by_its_content(name: str) -> None:
    content, mime = ACCEPTED[name]
    kind = recognise(content)
    assert kind is not None and kind.mime == mime
    checked = check_uploads([Upload("scan-tanpa-nama.bin", content)], 20 * MIB)[0]
    assert checked.kind.mime == mime  # the name says nothing; the content does
    assert checked.name == f"scan-tanpa-nama.bin.{kind.extension}"
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.size == len(content)


@pytest.mark.parametrize("name", list(REFUSED))
def test_anything_else_is_refused_with_what_is_accepted(name: str) -> None:
    with pytest.raises(EvidenceRefused) as refused:
        check_uploads([Upload("laporan.pdf", REPORT), Upload(name, REFUSED[name])], 20 * MIB)
    assert refused.value.problem == "type" and refused.value.name == name
    assert str(refused.value).startswith(f"`{name}` is not a file Alur keeps as evidence")
    assert str(refused.value).endswith(f"accepted, as recognised by their content: "
                                       f"{ACCEPTED_LIST}")


def test_a_refusal_says_what_the_file_looks_like() -> None:
    for name, looks in (("makro.docm", "zip"), ("gambar.gif", "gif"), ("program.exe", "exe")):
        with pytest.raises(EvidenceRefused, match=rf"\(it looks like {looks}\)"):
            check_uploads([Upload(name, REFUSED[name])], MIB)
    with pytest.raises(EvidenceRefused) as refused:
        check_uploads([Upload("catatan.txt", REFUSED["catatan.txt"])], MIB)
    assert refused.value.found is None and "looks like" not in str(refused.value)


def test_a_file_over_the_limit_or_empty_is_refused() -> None:
    limit = MIB
    at_limit = REPORT + b"\0" * (limit - len(REPORT))
    assert check_uploads([Upload("pas.pdf", at_limit)], limit)[0].size == limit
    with pytest.raises(EvidenceRefused) as refused:
        check_uploads([Upload("besar.pdf", at_limit + b"\0")], limit)
    assert (refused.value.problem, refused.value.size, refused.value.limit) == (
        "size", limit + 1, limit)
    assert str(refused.value) == ("`besar.pdf` is 1.1 MB; an evidence file may be at most "
                                  "1 MB")  # just over the limit never reads as the limit
    with pytest.raises(EvidenceRefused, match=r"^`kosong.pdf` is empty"):
        check_uploads([Upload("kosong.pdf", b"")], limit)


def test_names_are_kept_safe_and_true_to_their_kind() -> None:
    kind = recognise(REPORT)
    assert kind is not None
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("..") == "file" and clean_name("") == "file"
    assert clean_name(r"C:\Users\Siti\Laporan Kinerja.PDF", kind) == "Laporan Kinerja.PDF"
    assert clean_name("laporan.exe", kind) == "laporan.exe.pdf"
    assert clean_name(".htaccess", kind) == "htaccess.pdf"
    assert clean_name("a\x00b\nc<d>:e|f?.pdf", kind) == "a_b_c_d_e_f_.pdf"
    assert clean_name("", kind) == "file.pdf"
    long = clean_name("x" * 500 + ".pdf", kind)
    assert len(long) == 200 and long.endswith("x.pdf")
    jpeg = recognise(PHOTO)
    assert jpeg is not None
    assert clean_name("foto.jpeg", jpeg) == "foto.jpeg" and clean_name("foto", jpeg) == "foto.jpg"
    assert unique_names(["a.pdf", "A.pdf", "a.pdf", "b", "b"]) == [
        "a.pdf", "A (2).pdf", "a (3).pdf", "b", "b (2)"]


# -- completing a step with its files --------------------------------------------------------

def test_a_completion_keeps_its_files_once_and_names_them_in_its_event(
        database: Database) -> None:
    desk = Desk(database)
    run = desk.start()
    done = desk.complete(run, "perintah", "camat", note="Format terlampir",
                         evidence=[Upload("laporan.pdf", REPORT), Upload("foto.jpg", PHOTO),
                                   Upload("laporan.pdf", REPORT)])
    assert [(e.name, e.mime, e.size) for e in done.evidence] == [
        ("laporan.pdf", "application/pdf", len(REPORT)), ("foto.jpg", "image/jpeg", len(PHOTO)),
        ("laporan (2).pdf", "application/pdf", len(REPORT))]
    assert done.step is not None and all(e.step_run_id == done.step.id for e in done.evidence)
    assert {e.attached_by for e in done.evidence} == {"camat"}
    completed = next(e for e in desk.events(run) if e.event == STEP_COMPLETED)
    data = json.loads(completed.data)
    assert data["evidence"] == [
        {"name": "laporan.pdf", "size": len(REPORT), "type": "application/pdf",
         "sha256": hashlib.sha256(REPORT).hexdigest()},
        {"name": "foto.jpg", "size": len(PHOTO), "type": "image/jpeg",
         "sha256": hashlib.sha256(PHOTO).hexdigest()},
        {"name": "laporan (2).pdf", "size": len(REPORT), "type": "application/pdf",
         "sha256": hashlib.sha256(REPORT).hexdigest()}]
    # a second run attaches the same scan: still one stored content
    other = desk.start(SMALL)
    desk.complete(other, "perintah", "camat", evidence=[Upload("scan.pdf", REPORT)])
    with database.transaction(write=False) as store:
        assert sorted(sha for sha, _content in store.blobs()) == sorted(
            {hashlib.sha256(REPORT).hexdigest(), hashlib.sha256(PHOTO).hexdigest()})
        files = run_files(store, run)
        assert [(f.task, f.step_no, f.name, f.kind) for f in files] == [
            ("perintah", 1, "laporan.pdf", "PDF"), ("perintah", 1, "foto.jpg", "JPEG"),
            ("perintah", 1, "laporan (2).pdf", "PDF")]
        got = step_files(store, run, "1")
        assert [(f.name, content) for f, content in got] == [
            ("laporan.pdf", REPORT), ("foto.jpg", PHOTO), ("laporan (2).pdf", REPORT)]
        assert step_files(store, run, "format") == ()
    assert desk.check() == reads.AuditCheck(len(desk.events(run)) + len(desk.events(other)), 4)
    assert desk.check(run).files == 3 and desk.check(other).files == 1


def test_one_refused_file_refuses_the_whole_completion(database: Database) -> None:
    desk = Desk(database)
    run = desk.start()
    with database.transaction(write=False) as store:
        head = store.audit_head()
    with pytest.raises(EvidenceRefused, match=r"arsip\.zip"):
        desk.complete(run, "perintah", "camat",
                      evidence=[Upload("laporan.pdf", REPORT),
                                Upload("arsip.zip", REFUSED["arsip.zip"])])
    with pytest.raises(EvidenceRefused, match="at most 1 MB"):
        desk.complete(run, "perintah", "camat",
                      evidence=[Upload("besar.pdf", REPORT + b"\0" * MIB)],
                      max_upload_bytes=MIB)
    with database.transaction(write=False) as store:
        assert store.audit_head() == head
        assert list(store.blobs()) == [] and store.evidence(run) == []
        assert [t.activity_id for t in store.active_tasks(run)] == ["perintah"]


def test_a_decision_completed_with_a_file_through_a_later_attempt(database: Database) -> None:
    desk = Desk(database)
    run = desk.start(SMALL)
    desk.complete(run, "perintah", "camat")
    desk.complete(run, "draft", "staf-1", evidence=[Upload("draft-1.pdf", pdf("satu"))])
    desk.complete(run, "koreksi", "camat", outcome_label="Tidak",
                  evidence=[Upload("catatan.jpg", PHOTO)])
    desk.complete(run, "draft", "staf-1", evidence=[Upload("draft-1.pdf", pdf("dua"))])
    with database.transaction(write=False) as store:
        got = step_files(store, run, "draft")
        assert [(f.name, f.attempt, content) for f, content in got] == [
            ("draft-1.pdf", 1, pdf("satu")), ("draft-1 (2).pdf", 2, pdf("dua"))]
        with pytest.raises(LookupError, match=r"run \d+ has no step `nope`; its steps are "
                                              r"perintah, draft, koreksi, kirim"):
            step_files(store, run, "nope")
    assert desk.check(run).files == 3


# -- acting on exactly the task a page showed --------------------------------------------------

def test_a_task_completed_by_someone_else_is_refused_with_who_and_when(
        database: Database) -> None:
    desk = Desk(database)
    run = desk.start(SMALL)
    shown = desk.active(run)[0].id  # the page of `perintah`, opened by two people
    desk.complete(run, None, "camat", task_id=shown)
    completed_at = desk.clock.now()
    with pytest.raises(AlreadyCompleted) as late:
        desk.complete(run, None, "camat", task_id=shown, evidence=[Upload("x.pdf", REPORT)])
    assert (late.value.by, late.value.at) == ("camat", completed_at)
    assert str(late.value).startswith(
        f"step `perintah` of run {run} was already completed by camat at 2026-01-05 08:10")
    assert [t.activity_id for t in desk.active(run)] == ["draft"]  # never the next step
    with database.transaction(write=False) as store:
        assert list(store.blobs()) == []


def test_a_reopened_task_and_a_later_attempt_are_not_confused(database: Database) -> None:
    desk = Desk(database)
    run = desk.start(SMALL)
    desk.complete(run, "perintah", "camat")
    first_draft = desk.active(run)[0].id
    desk.complete(run, "draft", "staf-1")
    with database.transaction() as store:
        corrections.reopen_step(store, desk.env, run, "draft", "lampiran salah", "staf-1")
    again = desk.active(run)[0]
    assert (again.activity_id, again.attempt) == ("draft", 2) and again.id != first_draft
    with pytest.raises(StepNotActive, match=r"step `draft` of run \d+ was reopened: lampiran "
                                            r"salah; the active step is `draft`"):
        desk.complete(run, "draft", "staf-1", task_id=first_draft)
    with pytest.raises(StepNotActive, match=r"task \d+ of run \d+ is step `draft`, not "
                                            r"`koreksi`"):
        desk.complete(run, "koreksi", "staf-1", task_id=again.id)
    with pytest.raises(StepNotActive, match=r"run \d+ has no task 999"):
        desk.complete(run, None, "staf-1", task_id=999)
    done = desk.complete(run, "draft", "staf-1", task_id=again.id)
    assert done.step is not None and (done.step.id, done.step.attempt) == (again.id, 2)


def test_the_last_task_of_a_finished_run_says_who_completed_it(database: Database) -> None:
    desk = Desk(database)
    run = desk.start(SMALL)
    for step, by, outcome in (("perintah", "camat", None), ("draft", "staf-1", None),
                              ("koreksi", "camat", "Ya")):
        desk.complete(run, step, by, outcome_label=outcome)
    last = desk.active(run)[0].id
    done = desk.complete(run, None, "staf-2", task_id=last)
    assert not done.run.is_active
    with pytest.raises(AlreadyCompleted, match="already completed by staf-2"):
        desk.complete(run, None, "staf-1", task_id=last)
    with pytest.raises(AlreadyCompleted), database.transaction() as store:
        services.reassign_step(store, desk.env, run, None, "staf-1", "staf-2", task_id=last)


def test_reassigning_acts_on_the_task_shown_or_refuses(database: Database) -> None:
    desk = Desk(database)
    run = desk.start(SMALL)
    desk.complete(run, "perintah", "camat")
    draft = desk.active(run)[0]
    with database.transaction() as store:
        moved = services.reassign_step(store, desk.env, run, None, "staf-2", "staf-1",
                                       task_id=draft.id)
    assert moved.step is not None and moved.step.assignees == ("staf-2",)
    desk.complete(run, "draft", "staf-2")
    with pytest.raises(AlreadyCompleted, match="already completed by staf-2"), \
            database.transaction() as store:
        services.reassign_step(store, desk.env, run, None, "staf-1", "staf-2",
                               task_id=draft.id)
    koreksi = desk.active(run)[0].id
    with database.transaction() as store:
        corrections.cancel_run(store, desk.env, run, "salah SOP", "camat")
    with pytest.raises(RunFinished, match="is cancelled"):
        desk.complete(run, None, "camat", task_id=koreksi, outcome_label="Ya")


# -- the audit trail covers the files ----------------------------------------------------------

def _tamper(database: Database, sql: str, memory: Any, **values: Any) -> None:
    """Change the stored rows behind the store's back: SQL (with ``values``) on a database,
    ``memory`` on the in-memory one's committed state."""
    engine = getattr(database, "engine", None)
    if engine is None:
        memory(database.committed)  # type: ignore[attr-defined]
        return
    from sqlalchemy import text

    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        for statement in sql.split(";"):
            connection.execute(text(statement), values)


def _two_files(database: Database) -> tuple[Desk, int]:
    desk = Desk(database)
    run = desk.start(SMALL)
    desk.complete(run, "perintah", "camat",
                  evidence=[Upload("laporan.pdf", REPORT), Upload("foto.jpg", PHOTO)])
    assert desk.check().files == 2
    return desk, run


def _blob(state: Any, content: bytes) -> Any:
    return state.evidence.blobs[hashlib.sha256(content).hexdigest()]


def test_verify_finds_a_file_whose_content_was_changed(database: Database) -> None:
    desk, run = _two_files(database)
    digest = hashlib.sha256(REPORT).hexdigest()
    _tamper(database, f"UPDATE evidence_blobs SET content = :zero WHERE sha256 = '{digest}'",
            lambda state: setattr(_blob(state, REPORT), "content", b"\0"), zero=b"\0")
    for scope in (None, run):
        with pytest.raises(AuditTampered, match=rf"file `laporan.pdf` of run {run} \(step "
                                                r"`perintah`\) does not match its SHA-256"):
            desk.check(scope)


def test_verify_finds_a_file_that_was_deleted(database: Database) -> None:
    desk, run = _two_files(database)
    digest = hashlib.sha256(PHOTO).hexdigest()

    def delete(state: Any) -> None:
        del state.evidence.blobs[digest]
        state.evidence.rows = {k: v for k, v in state.evidence.rows.items()
                               if v.sha256 != digest}

    _tamper(database, f"DELETE FROM evidence WHERE sha256 = '{digest}'; "
                      f"DELETE FROM evidence_blobs WHERE sha256 = '{digest}'", delete)
    for scope in (None, run):
        with pytest.raises(AuditTampered, match=rf"file `foto.jpg` of run {run} \(step "
                                                r"`perintah`\) is not stored any more"):
            desk.check(scope)


def test_verify_finds_a_file_renamed_swapped_or_added(database: Database) -> None:
    desk, run = _two_files(database)
    def rename(state: Any) -> None:
        rows = state.evidence.rows
        for key, row in rows.items():
            if row.name == "laporan.pdf":
                rows[key] = dataclasses.replace(row, name="lain.pdf")

    _tamper(database, "UPDATE evidence SET name = 'lain.pdf' WHERE name = 'laporan.pdf'",
            rename)
    for scope in (None, run):
        with pytest.raises(AuditTampered, match=rf"run {run} holds file `lain.pdf` that no "
                                                r"audit event names"):
            desk.check(scope)


def test_verify_finds_a_file_no_longer_attached(database: Database) -> None:
    desk, run = _two_files(database)

    def detach(state: Any) -> None:
        state.evidence.rows = {k: v for k, v in state.evidence.rows.items()
                               if v.name != "foto.jpg"}

    _tamper(database, "DELETE FROM evidence WHERE name = 'foto.jpg'", detach)
    for scope in (None, run):
        with pytest.raises(AuditTampered, match=rf"file `foto.jpg` of run {run} \(step "
                                                r"`perintah`\) is no longer attached"):
            desk.check(scope)


def test_verify_finds_a_file_stored_that_no_event_names(database: Database) -> None:
    desk, run = _two_files(database)
    extra = pdf("disisipkan")
    digest = hashlib.sha256(extra).hexdigest()

    def insert(state: Any) -> None:
        from storage.memory_evidence import Blob

        state.evidence.blobs[digest] = Blob("application/pdf", extra, desk.clock.now())

    _tamper(database, f"INSERT INTO evidence_blobs (sha256, size, mime, content, stored_at) "
                      f"VALUES ('{digest}', {len(extra)}, 'application/pdf', :content, "
                      f":at)", insert, content=extra, at=dt.datetime(2026, 1, 5, 1, 0))
    with pytest.raises(AuditTampered, match=rf"a stored file \(SHA-256 {digest[:12]}\) is "
                                            r"named by no audit event"):
        desk.check()
    assert desk.check(run).files == 2  # around the run, all is as its events say


def test_the_channel_of_a_completion_is_in_its_events(database: Database) -> None:
    desk = Desk(database, channel="web")
    run = desk.start(SMALL)
    desk.complete(run, "perintah", "camat", evidence=[Upload("laporan.pdf", REPORT)])
    assert {json.loads(e.data)["channel"] for e in desk.events(run)} == {"web"}
