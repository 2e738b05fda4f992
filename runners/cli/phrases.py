"""Engine errors in the words of the command line: the flags and arguments to give.

The engine's errors carry data and a plain message that names no flag
(``engine/errors.py``); where the fix is an option of a command, the CLI says
which one. Every other error keeps its own message.
"""

from __future__ import annotations

import sys

from engine.errors import (
    AlurError,
    IdentityMissing,
    InvalidOutcome,
    InvalidTime,
    ReasonMissing,
    RunNotFound,
    StepNotActive,
    StepNotGiven,
)
from engine.periods import PeriodError
from engine.roster import UnitNotGiven


def _tasks_hint(run_id: int, labels: list[str]) -> str:
    if not labels:
        return ""
    return f"; name it: alur step complete {run_id} {labels[0]}" if len(labels) == 1 else (
        f"; name one: alur step complete {run_id} STEP, STEP one of: {', '.join(labels)}")


def phrase(exc: AlurError) -> str:
    """The message to show for ``exc`` on the command line."""
    if isinstance(exc, IdentityMissing):
        return (f"say who is {exc.doing}: --as PERSON or ALUR_USER (a person id of the roster "
                f"of unit `{exc.unit}`)")
    if isinstance(exc, ReasonMissing):
        return f"give the reason for cancelling run {exc.run_id}: --reason TEXT"
    if isinstance(exc, InvalidOutcome):
        choices = ", ".join(exc.labels)
        if exc.problem == "not_decision":
            return f"step `{exc.activity_id}` is not a decision; leave out --outcome"
        if exc.problem == "missing":
            return (f"step `{exc.activity_id}` is a decision ({exc.question}); give --outcome, "
                    f"one of: {choices}")
        return f"`{exc.given}` is not an outcome of step `{exc.activity_id}`; choose one of: " \
               f"{choices}"
    if isinstance(exc, InvalidTime):
        return f"--at {exc}"
    if isinstance(exc, StepNotGiven):
        return str(exc) + _tasks_hint(exc.run_id, [t.label for t in exc.active])
    if isinstance(exc, StepNotActive) and not exc.known:
        return str(exc)
    if isinstance(exc, RunNotFound):
        return f"{exc}; `alur run list` shows the runs"
    if isinstance(exc, UnitNotGiven):
        return (f"the roster has several units ({', '.join(exc.known)}); give --unit"
                if exc.known else str(exc))
    if isinstance(exc, PeriodError) and exc.missing:
        return f"{exc}; give --period"
    if "storage.location" in sys.modules:  # loaded by every database error: no import here
        from storage.location import SchemaBehind

        if isinstance(exc, SchemaBehind) and exc.revision:
            return f"{exc}: alur db upgrade --db URL-OF-THE-COPY"
    return str(exc)
