"""Engine errors in the words of the command line: the flags and arguments to give.

The engine's errors carry data and a plain message that names no flag
(``engine/errors.py``); where the fix is an option of a command, the CLI says
which one. Every other error keeps its own message. Each is said in the
language in use (``runners.i18n.say_error``).
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
from runners.i18n import _, say, say_error


def _with_tasks_hint(problem: str, run_id: int, labels: list[str]) -> str:
    if not labels:
        return problem
    if len(labels) == 1:
        return _("{problem}; name it: alur step complete {run} {step}").format(
            problem=problem, run=run_id, step=labels[0])
    return _("{problem}; name one: alur step complete {run} STEP, STEP one of: {steps}").format(
        problem=problem, run=run_id, steps=", ".join(labels))


def phrase(exc: AlurError) -> str:
    """The message to show for ``exc`` on the command line, in the language in use."""
    if isinstance(exc, IdentityMissing):
        return _("say who is {doing}: --as PERSON or ALUR_USER (a person id of the roster of "
                 "unit `{unit}`)").format(doing=say(exc.doing), unit=exc.unit)
    if isinstance(exc, ReasonMissing):
        return _("give the reason for cancelling run {run}: --reason TEXT").format(run=exc.run_id)
    if isinstance(exc, InvalidOutcome):
        choices = ", ".join(exc.labels)
        if exc.problem == "not_decision":
            return _("step `{step}` is not a decision; leave out --outcome").format(
                step=exc.activity_id)
        if exc.problem == "missing":
            return _("step `{step}` is a decision ({question}); give --outcome, one of: "
                     "{choices}").format(step=exc.activity_id, question=exc.question,
                                         choices=choices)
        return _("`{given}` is not an outcome of step `{step}`; choose one of: {choices}").format(
            given=exc.given, step=exc.activity_id, choices=choices)
    if isinstance(exc, InvalidTime):
        return _("--at {problem}").format(problem=say_error(exc))
    if isinstance(exc, StepNotGiven):
        return _with_tasks_hint(say_error(exc), exc.run_id, [t.label for t in exc.active])
    if isinstance(exc, StepNotActive) and not exc.known:
        return say_error(exc)
    if isinstance(exc, RunNotFound):
        return _("{problem}; `alur run list` shows the runs").format(problem=say_error(exc))
    if isinstance(exc, UnitNotGiven):
        return (_("the roster has several units ({units}); give --unit").format(
            units=", ".join(exc.known)) if exc.known else say_error(exc))
    if isinstance(exc, PeriodError) and exc.missing:
        return _("{problem}; give --period").format(problem=say_error(exc))
    if "storage.location" in sys.modules:  # loaded by every database error: no import here
        from storage.location import SchemaBehind

        if isinstance(exc, SchemaBehind) and exc.revision:
            return _("{problem}: alur db upgrade --db URL-OF-THE-COPY").format(
                problem=say_error(exc))
    return say_error(exc)
