"""The SOP as data: frozen specs parsed once from a file and shared by all runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from engine.durations import Duration

END = "end"
DEFAULT_RESULT = "selesai"
FIRST, ANY, EACH = "first", "any", "each"  # how a step with several actors is done


@dataclass(frozen=True, slots=True)
class Organization:
    """Logo dan Nama Unit Kerja."""

    name: str
    parent: str | None = None
    address: str | None = None
    logo: str | None = None  # a PNG or SVG file, as written (engine.logo finds it)


@dataclass(frozen=True, slots=True)
class SopDates:
    """Tanggal Pembuatan, Revisi and Efektif."""

    created: dt.date | None = None
    revised: dt.date | None = None
    effective: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Approver:
    """Disahkan oleh: position, name and NIP of who signed the SOP."""

    position: str
    name: str | None = None
    nip: str | None = None


@dataclass(frozen=True, slots=True)
class ActorSpec:
    """A Pelaksana: one swimlane column, a role people hold."""

    slug: str
    title: str
    reports_to: str | None = None
    external: bool = False


@dataclass(frozen=True, slots=True)
class Percent:
    """A share of a step's own duration (``escalate_after: 100%``)."""

    value: Fraction

    def __str__(self) -> str:
        return f"{float(self.value):g}%"


@dataclass(frozen=True, slots=True)
class ReminderSpec:
    """When to escalate past due, and how often to repeat; None means inherit."""

    escalate_after: Percent | Duration | None = None
    repeat_every: Duration | None = None


@dataclass(frozen=True, slots=True)
class StartSpec:
    """Automatic start: every year/quarter/month on a day, reporting on a period."""

    every: str
    month: int | None  # for a yearly start; None for quarter/month (day only)
    day: int
    period: str = "previous"
    deadline_month: int | None = None
    deadline_day: int | None = None

    @property
    def has_deadline(self) -> bool:
        """True when the SOP sets a hard deadline for its runs."""
        return self.deadline_day is not None


@dataclass(frozen=True, slots=True)
class Outcome:
    """One way out of an activity: the label chosen (None for a plain step) and its target.

    ``target`` is an activity id or ``end``; ``result`` is the run's result
    when the target is ``end`` (``selesai`` unless ``end:<result>``).
    """

    label: str | None
    target: str
    result: str | None = None

    @property
    def text(self) -> str:
        """The target as written in a file: ``draft``, ``end`` or ``end:ditolak``."""
        if self.target == END and self.result not in (None, DEFAULT_RESULT):
            return f"{END}:{self.result}"
        return self.target


@dataclass(frozen=True, slots=True)
class ActivitySpec:
    """One row of the flowchart table (Uraian Kegiatan) with its mutu baku."""

    no: int
    id: str
    name: str
    actors: tuple[str, ...]
    requirements: tuple[str, ...] = ()
    duration: Duration | None = None
    output: str | None = None
    note: str | None = None
    decision: str | None = None
    outcomes: tuple[Outcome, ...] = ()
    reminders: ReminderSpec | None = None
    complete: str = FIRST  # first | any | each
    split: bool = False  # ``next`` is a list: every outcome is a branch, all started at once
    optional: bool = False  # may be skipped with a reason
    recorded_by: str | None = None  # for an external actor's step: who records it

    @property
    def actor(self) -> str:
        """The responsible actor: the first one listed."""
        return self.actors[0]

    @property
    def is_decision(self) -> bool:
        """True when the person completing it chooses among labelled outcomes."""
        return not self.split and len(self.outcomes) > 1

    @property
    def acting(self) -> tuple[str, ...]:
        """The actors who do the step (a process symbol in their column), not attendees."""
        return self.actors if self.complete in (ANY, EACH) else self.actors[:1]

    @property
    def branches(self) -> tuple[str, ...]:
        """The activities a split starts at once (empty for any other step)."""
        return tuple(o.target for o in self.outcomes) if self.split else ()

    @property
    def question(self) -> str:
        """The text in the diamond of a decision."""
        return self.decision or self.name

    def outcome(self, label: str | None) -> Outcome | None:
        """The outcome for ``label`` (ignoring case), or the only one of a plain step."""
        if not self.is_decision:
            return self.outcomes[0] if label is None else None
        if label is None:
            return None
        wanted = label.strip().casefold()
        return next((o for o in self.outcomes if (o.label or "").casefold() == wanted), None)


@dataclass(frozen=True, slots=True)
class CaseField:
    """One field of what a run is about (`case:`): the applicant's name, NIK, ..."""

    key: str
    label: str
    kind: str = "text"  # text | nik | phone | date | number | choice
    required: bool = False
    private: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SplitSpec:
    """Parallel branches: ``activity`` starts ``branches`` at once; they meet at ``join``.

    ``region`` holds every activity of the branches (not the split, not the join):
    the join becomes active when no task of the region is active any more.
    """

    activity: str
    branches: tuple[str, ...]
    join: str
    region: frozenset[str]


@dataclass(frozen=True, slots=True)
class SopSpec:
    """One SOP: the identity block and the activities, as the file states them."""

    id: str
    title: str
    organization: Organization
    actors: tuple[ActorSpec, ...]
    activities: tuple[ActivitySpec, ...]
    format: int = 1
    number: str | None = None
    kind: str | None = None
    dates: SopDates = SopDates()
    approved_by: Approver | None = None
    legal_basis: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    warning: str | None = None
    qualifications: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    records: str | None = None
    start: StartSpec | None = None
    reminders: ReminderSpec | None = None
    splits: tuple[SplitSpec, ...] = ()
    case: tuple[CaseField, ...] = ()
    register: str | None = None  # the register number pattern (SOPs without `start:`)
    deadline: Duration | None = None  # the whole run's service time (waktu penyelesaian)

    def actor(self, slug: str) -> ActorSpec:
        """The actor with this slug (KeyError if there is none)."""
        for actor in self.actors:
            if actor.slug == slug:
                return actor
        raise KeyError(slug)

    def activity(self, activity_id: str) -> ActivitySpec:
        """The activity with this id (KeyError if there is none)."""
        for activity in self.activities:
            if activity.id == activity_id:
                return activity
        raise KeyError(activity_id)

    @property
    def top_roles(self) -> tuple[str, ...]:
        """The actors at the top: of the unit, reporting to nobody (the Camat, the Lurah)."""
        return tuple(a.slug for a in self.actors if a.reports_to is None and not a.external)

    @property
    def registered(self) -> bool:
        """True when runs get register numbers (no `start:`), not calendar periods."""
        return self.start is None

    def chain(self, actor: str) -> tuple[str, ...]:
        """The actor and its superiors up the ``reports_to`` chain: level n is index n."""
        found = [actor]
        current = self.actor(actor).reports_to
        while current is not None and current not in found:
            found.append(current)
            current = self.actor(current).reports_to
        return tuple(found)

    def split_at(self, activity_id: str) -> SplitSpec | None:
        """The split an activity starts, if it is one."""
        return next((s for s in self.splits if s.activity == activity_id), None)

    def arrival(self, source: str, target: str) -> SplitSpec | None:
        """The split whose branch arrives at its join when ``source`` leads to ``target``."""
        return next((s for s in self.splits if s.join == target and source in s.region), None)

    @property
    def total_duration(self) -> Duration:
        """The total standard time: the longest path from the first activity to the end
        (the critical path; branches run at the same time, loops back are not taken).
        For a sequential SOP it is the sum of all its steps."""
        from engine.flow_graph import critical_path

        return critical_path(self)
