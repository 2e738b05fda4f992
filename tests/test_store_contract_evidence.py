"""The contract of the engine's ports, the evidence part (``EvidenceStore``): contents stored
once under their SHA-256, attached to tasks, read back as written, on every backend (memory,
SQLite, PostgreSQL)."""

from __future__ import annotations

import hashlib
import threading

import pytest

from engine.evidence import Evidence
from engine.ports import Database
from tests.store_kit import HOUR, T0, add_run, task

PDF = "application/pdf"


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def attach(run_id: int, step_id: int, content: bytes, name: str, by: str = "kasi-1",
           mime: str = PDF) -> Evidence:
    return Evidence(0, run_id, step_id, sha(content), name, len(content), mime, T0 + HOUR, by)


def test_a_content_is_stored_once_under_its_hash(database: Database) -> None:
    one, two = b"%PDF-1.4 one", b"%PDF-1.4 two"
    with database.transaction() as store:
        store.put_blob(sha(one), PDF, one, T0)
        store.put_blob(sha(one), "image/png", one, T0 + HOUR)  # stored already: kept as it was
    with database.transaction() as store:
        store.put_blob(sha(one), PDF, one, T0)
        store.put_blob(sha(two), PDF, two, T0)
    with database.transaction(write=False) as store:
        assert store.blob(sha(one)) == one and store.blob(sha(two)) == two
        assert list(store.blobs()) == sorted([(sha(one), one), (sha(two), two)])
        with pytest.raises(LookupError, match="no stored file with SHA-256"):
            store.blob("0" * 64)


def test_files_are_attached_to_tasks_and_read_back_as_written(database: Database) -> None:
    report, photo = b"%PDF-1.4 laporan", b"\xff\xd8\xff photo"
    with database.transaction() as store:
        run_id = add_run(store)
        other_run = add_run(store, unit="u2")
        first, second = task(run_id, "draft"), task(run_id, "koreksi")
        elsewhere = task(other_run, "draft")
        store.add_tasks([first, second, elsewhere])
        for content in (report, photo):
            store.put_blob(sha(content), PDF, content, T0)
        added = store.add_evidence([attach(run_id, first.id, report, "laporan.pdf"),
                                    attach(run_id, first.id, photo, "foto.jpg",
                                           mime="image/jpeg"),
                                    attach(run_id, second.id, report, "laporan (2).pdf",
                                           by="camat")])
        store.add_evidence([attach(other_run, elsewhere.id, report, "lain.pdf")])
    assert [e.id for e in added] == [1, 2, 3]
    assert added[0].attached_at == T0 + HOUR and added[0].attached_at.utcoffset() is not None
    with database.transaction(write=False) as store:
        files = store.evidence(run_id)
        assert files == added
        assert [f.name for f in store.evidence(run_id, first.id)] == ["laporan.pdf", "foto.jpg"]
        assert [f.name for f in store.evidence(run_id, second.id)] == ["laporan (2).pdf"]
        assert [f.name for f in store.evidence(other_run)] == ["lain.pdf"]
        assert store.evidence(run_id, elsewhere.id) == []
        kept = store.get_evidence(2)
        assert kept is not None
        assert (kept.run_id, kept.step_run_id, kept.sha256, kept.name, kept.size, kept.mime,
                kept.attached_by) == (run_id, first.id, sha(photo), "foto.jpg", len(photo),
                                      "image/jpeg", "kasi-1")
        assert store.get_evidence(99) is None
        assert len(list(store.blobs())) == 2  # the report is stored once for three files


def test_a_transaction_that_fails_keeps_no_file(database: Database) -> None:
    content = b"%PDF-1.4 draft"
    with database.transaction() as store:
        run_id = add_run(store)
        step = task(run_id, "draft")
        store.add_tasks([step])
    with pytest.raises(RuntimeError), database.transaction() as store:
        store.put_blob(sha(content), PDF, content, T0)
        store.add_evidence([attach(run_id, step.id, content, "draft.pdf")])
        raise RuntimeError("the completion failed after the files")
    with database.transaction(write=False) as store:
        assert list(store.blobs()) == [] and store.evidence(run_id) == []


def test_an_empty_file_and_a_large_one_are_kept_byte_for_byte(database: Database) -> None:
    large = bytes(range(256)) * 8192  # 2 MiB, every byte value
    with database.transaction() as store:
        store.put_blob(sha(large), PDF, large, T0)
        store.put_blob(sha(b""), PDF, b"", T0)
    with database.transaction(write=False) as store:
        assert store.blob(sha(large)) == large and store.blob(sha(b"")) == b""


@pytest.mark.slow
def test_two_completions_storing_the_same_content_at_once_keep_one(database: Database) -> None:
    content = b"%PDF-1.4 the same scan, uploaded twice"
    barrier = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def store_it() -> None:
        try:
            barrier.wait()
            with database.transaction() as store:
                store.put_blob(sha(content), PDF, content, T0)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=store_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with database.transaction(write=False) as store:
        assert list(store.blobs()) == [(sha(content), content)]
