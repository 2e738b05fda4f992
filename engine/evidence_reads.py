"""Reading evidence back: a run's files (`alur evidence list`), a step's files with their
content (`alur evidence get`), and the check that every stored file is what the audit
trail says it is (part of `alur audit verify`).

The ``step_completed`` event of a completion names each file it carried (name, size,
type, SHA-256), so the hash chain covers the evidence; ``check_files`` recomputes the
SHA-256 of each stored content and holds the stored files and their attachments to what
the events name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Protocol

from engine.errors import AuditTampered
from engine.evidence import Evidence, EvidenceNotFound, kind_of, unique_names
from engine.ports import EvidenceStore, RunQueries
from engine.runs import STEP_COMPLETED, AuditEvent, StepRun
from engine.spec import SopSpec
from engine.spec_cache import spec_of
from engine.text import Text


class EvidenceReader(RunQueries, EvidenceStore, Protocol):
    """What reading evidence needs: the run queries and the evidence files."""


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """A file of a run as people see it: which task's completion carried it, its name,
    kind, size and SHA-256, when and by whom it was attached."""

    id: int
    run_id: int
    step_run_id: int
    task: str  # the task's label
    step_no: int
    step_name: str
    attempt: int
    name: str
    size: int
    mime: str
    kind: str  # PDF, JPEG, ..., docx (the media type itself for a kind no longer accepted)
    sha256: str
    attached_at: dt.datetime
    attached_by: str


def _file(row: Evidence, step: StepRun | None, spec: SopSpec) -> EvidenceFile:
    activity = spec.activity(step.activity_id) if step is not None else None
    kind = kind_of(row.mime)
    return EvidenceFile(row.id, row.run_id, row.step_run_id,
                        step.label if step is not None else "?",
                        activity.no if activity is not None else 0,
                        activity.name if activity is not None else "",
                        step.attempt if step is not None else 0, row.name, row.size, row.mime,
                        kind.label if kind is not None else row.mime, row.sha256,
                        row.attached_at, row.attached_by)


def run_files(store: EvidenceReader, run_id: int) -> tuple[EvidenceFile, ...]:
    """Every file of a run, in order of attachment (RunNotFound for no such run)."""
    run = store.get_run(run_id)
    rows = store.evidence(run_id)
    if not rows:
        return ()
    spec = spec_of(store, run.sop_hash)
    steps = {s.id: s for s in store.tasks(run_id)}
    return tuple(_file(row, steps.get(row.step_run_id), spec) for row in rows)


def step_files(store: EvidenceReader, run_id: int,
               step_ref: str) -> tuple[tuple[EvidenceFile, bytes], ...]:
    """The files of every completion of one step of a run (``ACTIVITY``, its number, or
    ``ACTIVITY/KEY`` for one task), each with its content, each under a name of its own
    (``a (2).pdf`` when two completions carried an ``a.pdf``)."""
    run = store.get_run(run_id)
    spec = spec_of(store, run.sop_hash)
    name, _sep, key = step_ref.strip().partition("/")
    activity = next((a for a in spec.activities if name in (a.id, str(a.no))), None)
    if activity is None:
        raise EvidenceNotFound(Text("run {run} has no step `{step}`; its steps are {steps}",
                                    run=run_id, step=step_ref.strip(),
                                    steps=", ".join(a.id for a in spec.activities)))
    files = [f for f in run_files(store, run_id)
             if f.task.partition("/")[0] == activity.id
             and (not key or f.task.partition("/")[2] == key)]
    names = unique_names(f.name for f in files)
    return tuple((_renamed(f, n), store.blob(f.sha256)) for f, n in zip(files, names,
                                                                         strict=True))


def _renamed(file: EvidenceFile, name: str) -> EvidenceFile:
    return file if file.name == name else replace(file, name=name)


@dataclass(frozen=True, slots=True)
class NamedFile:
    """A file as a ``step_completed`` event names it."""

    run_id: int
    step: str
    name: str
    sha256: str


def files_named(event: AuditEvent) -> list[NamedFile]:
    """The files a ``step_completed`` event names (none for any other event)."""
    if event.event != STEP_COMPLETED or '"evidence"' not in event.data:
        return []
    try:
        return [NamedFile(event.run_id or 0, event.step or "", str(file["name"]),
                          str(file["sha256"]))
                for file in json.loads(event.data).get("evidence") or []]
    except (ValueError, TypeError, KeyError, AttributeError):
        raise AuditTampered(Text("audit event {seq} (run {run}) names its files in a form Alur "
                                 "never writes: it was changed", seq=event.seq,
                                 run=str(event.run_id))) from None


def noting_files(events: Iterable[AuditEvent], named: list[NamedFile]) -> Iterator[AuditEvent]:
    """The events as they come, noting in ``named`` the files they name (so that checking the
    chain and the files reads the trail once)."""
    for event in events:
        named.extend(files_named(event))
        yield event


def _named(store: RunQueries, run: int | None) -> list[NamedFile]:
    """The files the ``step_completed`` events name (of one run, or all)."""
    events = store.audit_events(run)
    try:
        return [file for event in events for file in files_named(event)]
    finally:  # stopped early: close the cursor while the transaction lives
        close = getattr(events, "close", None)
        if close is not None:
            close()


def check_files(store: EvidenceReader, run: int | None = None,
                named: list[NamedFile] | None = None) -> int:
    """Check the evidence against the audit trail (of one run, or all of it): every stored
    content still has the SHA-256 it is stored under, every file an event names is stored
    and attached to its run, and no file is attached (or stored) that no event names.
    ``named``: the files the events name, when the caller noted them already. AuditTampered
    names the file and its run; returns how many files were checked."""
    if named is None:
        named = _named(store, run)
    by_hash = {f.sha256: f for f in named}
    if run is None:
        stored = set()
        for sha256, content in store.blobs():
            _check_content(sha256, content, by_hash.get(sha256))
            if sha256 not in by_hash:
                raise AuditTampered(Text("a stored file (SHA-256 {sha256}) is named by no "
                                         "audit event: it was added afterwards",
                                         sha256=sha256[:12]))
            stored.add(sha256)
    else:
        stored = set()
        for sha256 in dict.fromkeys([f.sha256 for f in named]
                                    + [e.sha256 for e in store.evidence(run)]):
            try:
                _check_content(sha256, store.blob(sha256), by_hash.get(sha256))
                stored.add(sha256)
            except LookupError:
                pass  # said below, with the file's name
    for file in named:
        if file.sha256 not in stored:
            raise AuditTampered(Text("file `{name}` of run {run} (step `{step}`) is not stored "
                                     "any more: its content was deleted", name=file.name,
                                     run=file.run_id, step=file.step))
    runs = {f.run_id for f in named} if run is None else {run}
    for run_id in sorted(runs):
        _check_attached(store, run_id, [f for f in named if f.run_id == run_id])
    return len(named)


def _check_content(sha256: str, content: bytes, named: NamedFile | None) -> None:
    if hashlib.sha256(content).hexdigest() == sha256:
        return
    if named is None:
        raise AuditTampered(Text("a stored file (SHA-256 {sha256}) does not match its hash: "
                                 "its content was changed", sha256=sha256[:12]))
    raise AuditTampered(Text("file `{name}` of run {run} (step `{step}`) does not match its "
                             "SHA-256: its content was changed after it was stored",
                             name=named.name, run=named.run_id, step=named.step))


def _check_attached(store: EvidenceReader, run_id: int, named: list[NamedFile]) -> None:
    """The run's attached files are exactly those its events name (name and content)."""
    expected = Counter((f.name, f.sha256) for f in named)
    attached = Counter((r.name, r.sha256) for r in store.evidence(run_id))
    for name, _sha256 in attached - expected:
        raise AuditTampered(Text("run {run} holds file `{name}` that no audit event names "
                                 "(attached or changed afterwards)", run=run_id, name=name))
    for name, sha256 in expected - attached:
        step = next(f.step for f in named if (f.name, f.sha256) == (name, sha256))
        raise AuditTampered(Text("file `{name}` of run {run} (step `{step}`) is no longer "
                                 "attached to its run (its row was deleted or changed)",
                                 name=name, run=run_id, step=step))
