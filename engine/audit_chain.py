"""The audit trail's hash chain: each event hashes its content and the previous hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from engine.errors import AuditTampered
from engine.runs import AuditEvent
from engine.text import Text

GENESIS = "0" * 64
_HASH = re.compile(r"[0-9a-f]{64}")


def canonical_json(data: Any) -> str:
    """JSON with sorted keys and no spaces: the same data always gives the same text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def _stamp(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def event_hash(prev_hash: str, seq: int, run_id: int | None, step: str | None,
               attempt: int | None, event: str, actor: str | None, at: dt.datetime,
               recorded_at: dt.datetime, data: str) -> str:
    """SHA-256 over the previous hash and every field of the event."""
    content = "\x1f".join((prev_hash, str(seq), "" if run_id is None else str(run_id),
                           step or "", "" if attempt is None else str(attempt), event,
                           actor or "", _stamp(at), _stamp(recorded_at), data))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def recompute(event: AuditEvent, prev_hash: str) -> str:
    """The hash an event should carry after ``prev_hash``."""
    return event_hash(prev_hash, event.seq, event.run_id, event.step, event.attempt,
                      event.event, event.actor, event.at, event.recorded_at, event.data)


def checked_head(row: Sequence[Any] | None) -> tuple[int, str]:
    """The audit head row as (last sequence number, last hash); AuditTampered when the row
    is missing or holds what no chain can end with."""
    if row is None:
        raise AuditTampered(Text("the audit trail's head row is missing: the trail was "
                                 "tampered with or the database is damaged"))
    seq, digest = row[0], row[1]
    if isinstance(seq, str) and seq.isdigit():
        seq = int(seq)
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0 \
            or not isinstance(digest, str) or not _HASH.fullmatch(digest):
        raise AuditTampered(Text("the audit trail's head row is damaged (last event {seq}, "
                                 "hash {hash}): the trail was tampered with or the database is "
                                 "damaged", seq=f"{seq!r:.20}", hash=f"{digest!r:.20}"))
    return seq, digest


def verify_chain(events: Iterable[AuditEvent], head_seq: int, head_hash: str) -> int:
    """Check a whole chain in seq order against the stored head; return the event count.

    Raises AuditTampered naming the first event that does not fit.
    """
    prev = GENESIS
    expected_seq = 1
    count = 0
    for event in events:
        if event.seq > expected_seq:
            raise AuditTampered(Text("audit trail broken at event {seq}: event {expected} is "
                                     "missing (deleted or reordered)", seq=event.seq,
                                     expected=expected_seq))
        if event.seq != expected_seq:
            raise AuditTampered(Text("audit trail broken at event {seq}: event {expected} is "
                                     "repeated (deleted or reordered)", seq=event.seq,
                                     expected=expected_seq))
        if event.prev_hash != prev:
            raise AuditTampered(_not_following(event.seq))
        if recompute(event, prev) != event.hash:
            raise AuditTampered(_changed(event))
        prev = event.hash
        expected_seq += 1
        count += 1
    if count != head_seq or prev != (head_hash if head_seq else GENESIS):
        raise AuditTampered(_short(count, head_seq))
    return count


def _not_following(seq: int) -> Text:
    return Text("audit trail broken at event {seq}: it does not follow event {previous} (an "
                "event was deleted, swapped or edited before it)", seq=seq, previous=seq - 1)


def _changed(event: AuditEvent) -> Text:
    return Text("audit trail broken at event {seq} ({event}, run {run}): its content was "
                "changed after it was written", seq=event.seq, event=event.event,
                run=str(event.run_id))


def _short(last: int, head: int) -> Text:
    return Text("audit trail broken after event {seq}: the trail should end at event {last} "
                "(events at the end were deleted or replaced)", seq=last, last=head)


class AuditReader(Protocol):
    """The reads that checking the chain needs (``engine.ports.RunQueries`` has them)."""

    def audit_head(self) -> tuple[int, str]:
        """The last sequence number and hash."""
        ...

    def audit_events(self, run: int | None = None) -> Iterator[AuditEvent]:
        """Every event, or one run's, in order."""
        ...

    def audit_hash(self, seq: int) -> str | None:
        """The hash of event ``seq``."""
        ...

    def audit_prev_hash(self, seq: int) -> str | None:
        """The previous-hash field of event ``seq``."""
        ...


def verify_run_chain(store: AuditReader, run: int) -> int:
    """Check one run's events and their links to the events around them; return the count."""
    last_seq, last_hash = store.audit_head()
    events = list(store.audit_events(run))
    if not events:
        raise AuditTampered(Text("run {run} has no audit events at all (they were deleted)",
                                 run=run))
    for event in events:
        if recompute(event, event.prev_hash) != event.hash:
            raise AuditTampered(_changed(event))
        before = GENESIS if event.seq == 1 else store.audit_hash(event.seq - 1)
        if before != event.prev_hash:
            raise AuditTampered(_not_following(event.seq))
        after = store.audit_prev_hash(event.seq + 1)
        if after is None and event.seq < last_seq:
            raise AuditTampered(Text("audit trail broken after event {seq}: event {next} is "
                                     "missing (deleted)", seq=event.seq, next=event.seq + 1))
        if after is None and (event.seq != last_seq or event.hash != last_hash):
            raise AuditTampered(_short(event.seq, last_seq))
        if after is not None and after != event.hash:
            raise AuditTampered(Text("audit trail broken at event {seq}: it does not follow "
                                     "event {previous}", seq=event.seq + 1, previous=event.seq))
    started = events[0]
    if started.event != "run_started":
        raise AuditTampered(Text("the first audit event of run {run} is {event} (seq {seq}); "
                                 "its run_started event was deleted", run=run,
                                 event=started.event, seq=started.seq))
    return len(events)
