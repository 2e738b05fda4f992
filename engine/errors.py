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
     +-- StepNotActive(ValueError)              the step named is not the active one
     +-- InvalidOutcome(ValueError)             wrong or missing --outcome on a decision
     +-- InvalidTime(ValueError)                --at before activation or in the future
     +-- RunFinished(ValueError)                the run is completed or cancelled
     +-- NotAllowed(PermissionError)            the person may not do this
     +-- ConcurrentChange(RuntimeError)         someone else changed it first
     +-- AuditTampered(ValueError)              the audit hash chain is broken

Each exception builds its message from the values it carries, so the CLI
prints ``str(exc)`` and nothing else.
"""

from __future__ import annotations

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


class StepNotActive(AlurError, ValueError):
    """The step named is not active in the run."""


class InvalidOutcome(AlurError, ValueError):
    """A decision needs one of its outcome labels; a plain step takes none."""


class InvalidTime(AlurError, ValueError):
    """A time given with --at is before the step became active, or in the future."""


class RunFinished(AlurError, ValueError):
    """The run is completed or cancelled: nothing more can happen in it."""


class NotAllowed(AlurError, PermissionError):
    """The acting person may not do this."""


class ConcurrentChange(AlurError, RuntimeError):
    """Someone else changed the same step or run first."""


class AuditTampered(AlurError, ValueError):
    """The audit trail's hash chain is broken; names the first broken event."""
