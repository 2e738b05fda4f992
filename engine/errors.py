"""Alur's exceptions, one tree for the whole engine.

::

    AlurError                                   any domain error (CLI exit code 1)
     +-- SopValidationError(ValueError)         an SOP file breaks the format
     +-- ConfigError(ValueError)                alur.toml or roster.yaml is wrong
     +-- SopNotFound(LookupError)               no SOP with that id in the workspace
     +-- RunNotFound(LookupError)               no run with that id
     +-- UnitNotFound(LookupError)              no unit with that slug in the roster
     +-- PersonNotFound(LookupError)            no person with that id in the unit
     +-- DuplicateRun(ValueError)               a run of SOP+unit+period exists already
     +-- StepNotGiven(ValueError)               no task named, and the run has active ones
     +-- StepNotActive(ValueError)              the task named is not active
     |    +-- AlreadyCompleted                  ... because it was completed (by whom, when)
     |    +-- AmbiguousTask                     ... several tasks fit; name one by its label
     +-- InvalidOutcome(ValueError)             wrong or missing outcome at a decision
     +-- InvalidTime(ValueError)                a time before activation or in the future
     +-- RunFinished(ValueError)                the run is completed or cancelled
     +-- NotAllowed(PermissionError)            the person may not do this
     |    +-- IdentityMissing                   nobody said who is acting
     |    +-- ReasonMissing                     a cancellation without its reason
     +-- ConcurrentChange(RuntimeError)         someone else changed it first
     +-- SchedulerBusy(RuntimeError)            another daemon holds the only lease
     +-- AuditTampered(ValueError)              the audit hash chain is broken

Each exception carries the values it is about and builds a plain message
from them; it never names a command-line flag or button. Runners phrase the
errors for their users (``runners/cli/phrases.py`` for the CLI).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class AlurError(Exception):
    """Base of every error Alur reports to a user (never a bug)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a file: where it is and what is wrong.

    ``line`` and ``column`` are 1-based, as editors show them.
    """

    file: str
    line: int
    column: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.file}:{self.line}:{self.column}: {kind}{self.message}"


class _ProblemsError(AlurError, ValueError):
    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def errors(self) -> Sequence[Problem]:
        """The problems that are errors (not warnings)."""
        return [p for p in self.problems if not p.warning]


class SopValidationError(_ProblemsError):
    """An SOP file (or several) has problems; ``problems`` lists all of them."""


class ConfigError(_ProblemsError):
    """A workspace file (alur.toml, roster.yaml) has problems; ``problems`` lists them."""

    @classmethod
    def at(cls, file: str, line: int, column: int, message: str) -> ConfigError:
        """One problem at one place."""
        return cls([Problem(file, line, column, message)])


class _NotFound(AlurError, LookupError):
    what = "thing"

    def __init__(self, key: str, known: Sequence[str] = (), hint: str = "",
                 where: str = "") -> None:
        self.key = key
        self.known = tuple(known)
        message = f"no {self.what} `{key}`{where}"
        if hint:
            message += f", did you mean `{hint}`?"
        elif known:
            shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
            message += f"; known: {shown}"
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


class SopNotFound(_NotFound):
    """No SOP with the given id exists in the workspace."""

    what = "SOP with id"

    @property
    def sop_id(self) -> str:
        """The id asked for."""
        return self.key


class RunNotFound(_NotFound):
    """No run with that id."""

    what = "run"


class UnitNotFound(_NotFound):
    """No unit with that slug in the roster."""

    what = "unit"


class PersonNotFound(_NotFound):
    """No person with that id in the roster."""

    what = "person"


class DuplicateRun(AlurError, ValueError):
    """A run of this SOP, unit and period exists already."""

    def __init__(self, sop_id: str, unit: str, period: str, existing: int) -> None:
        self.existing = existing
        super().__init__(f"a run of `{sop_id}` for unit `{unit}` and period `{period}` exists "
                         f"already: run {existing}")


@dataclass(frozen=True, slots=True)
class ActiveTask:
    """An active task as errors list it: its label, the step's number and who may do it."""

    label: str
    no: int
    name: str
    assignees: tuple[str, ...]

    def __str__(self) -> str:
        who = ", ".join(self.assignees) or "-"
        return f"`{self.label}` (no. {self.no}, {who})"


def _active_text(active: Sequence[ActiveTask]) -> str:
    if not active:
        return "no step is active"
    return ("the active step is " if len(active) == 1 else "the active steps are ") + \
        ", ".join(str(a) for a in active)


class StepNotGiven(AlurError, ValueError):
    """No task was named; the run's active tasks are listed so that one can be."""

    def __init__(self, run_id: int, active: Sequence[ActiveTask]) -> None:
        self.run_id = run_id
        self.active = tuple(active)
        super().__init__(f"name the step of run {run_id} to act on; {_active_text(active)}")


class StepNotActive(AlurError, ValueError):
    """The task named is not active in the run (or the run has no such step)."""

    def __init__(self, run_id: int, named: str, active: Sequence[ActiveTask],
                 known: bool = True, no: int | None = None, message: str | None = None) -> None:
        self.run_id = run_id
        self.named = named
        self.active = tuple(active)
        self.known = known
        if message is None:
            if not known:
                message = f"run {run_id} has no step `{named}`"
            else:
                number = f" (no. {no})" if no is not None else ""
                message = f"step `{named}`{number} is not active in run {run_id}"
        super().__init__(f"{message}; {_active_text(active)}")


class AlreadyCompleted(StepNotActive):
    """The task named was completed already: says by whom and when (a repeated command)."""

    def __init__(self, run_id: int, named: str, by: str | None, at: dt.datetime | None,
                 active: Sequence[ActiveTask]) -> None:
        self.by = by
        self.at = at
        when = f" at {at:%Y-%m-%d %H:%M}" if at is not None else ""
        super().__init__(run_id, named, active,
                         message=f"step `{named}` of run {run_id} was already completed by "
                                 f"{by or 'someone'}{when}")


class AmbiguousTask(StepNotActive):
    """Several active tasks fit the name given: the person must name one by its label."""

    def __init__(self, run_id: int, named: str, choices: Sequence[str],
                 active: Sequence[ActiveTask]) -> None:
        self.choices = tuple(choices)
        super().__init__(run_id, named, active,
                         message=f"step `{named}` of run {run_id} has several active tasks "
                                 f"you may complete; name one: {', '.join(choices)}")


class InvalidOutcome(AlurError, ValueError):
    """A decision needs one of its outcome labels; a plain step takes none.

    ``problem`` is ``not_decision`` (a label given to a plain step), ``missing``
    (a decision without a label) or ``unknown`` (a label that is not one of them).
    """

    def __init__(self, activity_id: str, problem: str, labels: Sequence[str] = (),
                 given: str | None = None, question: str | None = None) -> None:
        self.activity_id = activity_id
        self.problem = problem
        self.labels = tuple(labels)
        self.given = given
        self.question = question
        choices = ", ".join(self.labels)
        if problem == "not_decision":
            message = f"step `{activity_id}` is not a decision; it takes no outcome"
        elif problem == "missing":
            message = (f"step `{activity_id}` is a decision ({question}); choose an outcome, "
                       f"one of: {choices}")
        else:
            message = (f"`{given}` is not an outcome of step `{activity_id}`; choose one of: "
                       f"{choices}")
        super().__init__(message)


class InvalidTime(AlurError, ValueError):
    """A time given for an action is in the future, or before the step became active.

    ``at``, ``bound`` are in the workspace's time zone; ``problem`` is ``future`` or
    ``before`` (``what`` says before what).
    """

    def __init__(self, at: dt.datetime, problem: str, bound: dt.datetime,
                 what: str = "") -> None:
        self.at = at
        self.problem = problem
        self.bound = bound
        self.what = what
        if problem == "future":
            message = f"{at:%Y-%m-%d %H:%M} is in the future (now it is {bound:%Y-%m-%d %H:%M})"
        else:
            message = f"{at:%Y-%m-%d %H:%M} is before {what} ({bound:%Y-%m-%d %H:%M})"
        super().__init__(message)


class RunFinished(AlurError, ValueError):
    """The run is completed or cancelled: nothing more can happen in it."""

    def __init__(self, run_id: int, status: str, result: str | None = None,
                 message: str | None = None) -> None:
        self.run_id = run_id
        self.status = status
        self.result = result
        ended = f"run {run_id} is {status}" + (f" ({result})" if result else "")
        super().__init__(message or f"{ended}; nothing more can be done in it")


class NotAllowed(AlurError, PermissionError):
    """The acting person may not do this."""


class IdentityMissing(NotAllowed):
    """Nobody said who is acting (``doing`` says what, ``unit`` where)."""

    def __init__(self, doing: str, unit: str) -> None:
        self.doing = doing
        self.unit = unit
        super().__init__(f"say who is {doing} (a person id of the roster of unit `{unit}`)")


class ReasonMissing(NotAllowed):
    """A run is cancelled only with its reason."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        super().__init__(f"give the reason for cancelling run {run_id}")


class ConcurrentChange(AlurError, RuntimeError):
    """Someone else changed the same step or run first."""


class SchedulerBusy(AlurError, RuntimeError):
    """Another reminder daemon holds the database's only lease (SQLite runs one at a time)."""


class AuditTampered(AlurError, ValueError):
    """The audit trail's hash chain is broken; names the first broken event."""
