"""Alur's exceptions, one tree for the whole engine.

::

    AlurError                                  any domain error (CLI exit code 1)
     +-- SopValidationError(ValueError)        an SOP file breaks the format
     +-- SopNotFound(LookupError)              no SOP with that id in the workspace
     +-- ConfigError(ValueError)               alur.toml or roster.yaml is wrong

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


class SopValidationError(AlurError, ValueError):
    """An SOP file (or several) has problems; ``problems`` lists all of them."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def errors(self) -> Sequence[Problem]:
        """The problems that are errors (not warnings)."""
        return [p for p in self.problems if not p.warning]


class SopNotFound(AlurError, LookupError):
    """No SOP with the given id exists in the workspace."""

    def __init__(self, sop_id: str, known: Sequence[str] = (), hint: str = "") -> None:
        self.sop_id = sop_id
        self.known = tuple(known)
        message = f"no SOP with id `{sop_id}`"
        if hint:
            message += f", did you mean `{hint}`?"
        elif known:
            message += f"; known SOPs: {', '.join(known)}"
        else:
            message += "; the workspace has no SOP files"
        super().__init__(message)


class ConfigError(AlurError, ValueError):
    """A workspace file (alur.toml, roster.yaml) is wrong."""
