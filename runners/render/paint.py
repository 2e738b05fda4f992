"""A run's state to paint on the SOP document: kept apart from the package's ``render``
so that the document's modules import it without importing the package back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

StepState = Literal["done", "active", "overdue", "not_reached"]


@dataclass(frozen=True, slots=True)
class RunPaint:
    """A run's state to paint on the flowchart (`alur run show RUN --format html`).

    ``states`` maps each activity id to its state in the run: the latest
    attempt decides (a step done and then reworked is ``active`` again), and
    of its tasks the most urgent (overdue, then active, then done).
    ``actor_states`` maps an activity id to the state of each actor's own task
    in that attempt (``complete: each``: one task per actor, or per holder of
    the one role), so that every acting column is painted by its own task.
    ``notes`` maps an activity id to the notes kept with its tasks (every attempt), as
    printed in Keterangan: ``camat (Tidak): Capaian IKU 3 belum diisi``.
    """

    run_id: int
    unit: str
    period: str
    status: str
    states: Mapping[str, StepState] = field(default_factory=dict)
    shown_at: dt.datetime | None = None
    actor_states: Mapping[str, Mapping[str, StepState]] = field(default_factory=dict)
    notes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
