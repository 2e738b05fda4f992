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
     |    +-- LoginFailed                       a wrong name or password (never says which)
     |    +-- AccountLocked                     too many failed logins: the account waits
     |    +-- LoginLinkUnusable                 a login link used, expired or unknown
     +-- PasswordTooShort(ValueError)           a new password under the minimum length
     +-- ConcurrentChange(RuntimeError)         someone else changed it first
     +-- SchedulerBusy(RuntimeError)            another daemon holds the only lease
     +-- AuditTampered(ValueError)              the audit hash chain is broken

Each exception carries the values it is about and builds a plain message
from them; it never names a command-line flag or button. The message is an
``engine.text.Text``: ``str(exc)`` is the English, and a runner says it in
its user's language (``runners.i18n.say_error``); a message glued from parts
keeps each part a nested Text. Runners phrase the errors for their users
(``runners/cli/phrases.py`` for the CLI).

An error whose ``keeps_changes`` is true is raised after the use case wrote
what must stay (a failed login is counted even though the login is refused):
the transaction it leaves is committed all the same, then it goes on up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engine.text import Text, joined


class AlurError(Exception):
    """Base of every error Alur reports to a user (never a bug)."""

    keeps_changes = False  # True: the transaction it leaves is committed all the same


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a file: where it is and what is wrong.

    ``line`` and ``column`` are 1-based, as editors show them. ``message`` is an
    ``engine.text.Text`` (a str: the English) that a runner says in its user's language
    (``runners.i18n.say_problem``); a plain str is shown as it is.
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


def in_unit(unit: str) -> Text:
    """`` in unit `kec-contoh` ``: where a person was looked for (``where`` of PersonNotFound)."""
    return Text(" in unit `{unit}`", unit=unit)


def in_file(file: str) -> Text:
    """`` in roster.yaml``: where a unit or person was looked for (``where`` of _NotFound)."""
    return Text(" in {file}", file=file)


_OS_REASONS = {  # what the system says about a file it cannot read, in the reader's language
    "No such file or directory": Text("No such file or directory"),
    "Permission denied": Text("Permission denied"),
    "Is a directory": Text("Is a directory"),
    "Not a directory": Text("Not a directory"),
    "File name too long": Text("File name too long"),
    "Input/output error": Text("Input/output error"),
    "Too many levels of symbolic links": Text("Too many levels of symbolic links"),
}


def os_reason(exc: OSError) -> str:
    """Why the system refused a file (``No such file or directory``), as it says it in English
    and as a Text a runner says in its user's language when Alur knows the words."""
    reason = exc.strerror or str(exc)
    return _OS_REASONS.get(reason, reason)


def did_you_mean(close: str | None) -> Text | str:
    """``, did you mean `close`?`` to follow an unknown name (empty without a close one):
    one message, shared by every "unknown ..." of Alur."""
    return Text(", did you mean `{close}`?", close=close) if close else ""


class _NotFound(AlurError, LookupError):
    what = "thing"
    missing: Text  # each kind's message, whole: Text("no run `{key}`{where}{hint}")

    def __init__(self, key: str, known: Sequence[str] = (), hint: str = "",
                 where: str = "") -> None:
        self.key = key
        self.known = tuple(known)
        message = Text(self.missing.template, key=key, where=where, hint=did_you_mean(hint))
        if known and not hint:
            shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
            message = Text("{problem}; known: {known}", problem=message, known=shown)
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


class SopNotFound(_NotFound):
    """No SOP with the given id exists in the workspace."""

    what = "SOP with id"
    missing = Text("no SOP with id `{key}`{where}{hint}")

    @property
    def sop_id(self) -> str:
        """The id asked for."""
        return self.key


class RunNotFound(_NotFound):
    """No run with that id."""

    what = "run"
    missing = Text("no run `{key}`{where}{hint}")


class UnitNotFound(_NotFound):
    """No unit with that slug in the roster."""

    what = "unit"
    missing = Text("no unit `{key}`{where}{hint}")


class PersonNotFound(_NotFound):
    """No person with that id in the roster."""

    what = "person"
    missing = Text("no person `{key}`{where}{hint}")


class DuplicateRun(AlurError, ValueError):
    """A run of this SOP, unit and period exists already."""

    def __init__(self, sop_id: str, unit: str, period: str, existing: int) -> None:
        self.existing = existing
        super().__init__(Text("a run of `{sop}` for unit `{unit}` and period `{period}` exists "
                              "already: run {run}", sop=sop_id, unit=unit, period=period,
                              run=existing))


@dataclass(frozen=True, slots=True)
class ActiveTask:
    """An active task as errors list it: its label, the step's number and who may do it."""

    label: str
    no: int
    name: str
    assignees: tuple[str, ...]

    def __str__(self) -> str:
        return str(self.text())

    def text(self) -> Text:
        """The task as an error lists it: its label, the step's number and who may do it."""
        return Text("`{task}` (no. {no}, {who})", task=self.label, no=self.no,
                    who=", ".join(self.assignees) or "-")


def _active_text(active: Sequence[ActiveTask]) -> Text:
    if not active:
        return Text("no step is active")
    tasks = joined([a.text() for a in active], ", ")
    if len(active) == 1:
        return Text("the active step is {tasks}", tasks=tasks)
    return Text("the active steps are {tasks}", tasks=tasks)


class StepNotGiven(AlurError, ValueError):
    """No task was named; the run's active tasks are listed so that one can be."""

    def __init__(self, run_id: int, active: Sequence[ActiveTask]) -> None:
        self.run_id = run_id
        self.active = tuple(active)
        super().__init__(Text("name the step of run {run} to act on; {active}", run=run_id,
                              active=_active_text(active)))


class StepNotActive(AlurError, ValueError):
    """The task named is not active in the run (or the run has no such step)."""

    def __init__(self, run_id: int, named: str, active: Sequence[ActiveTask],
                 known: bool = True, no: int | None = None, message: str | None = None) -> None:
        """``message`` (a Text) says why, in place of "not active"; the active tasks follow."""
        self.run_id = run_id
        self.named = named
        self.active = tuple(active)
        self.known = known
        if message is None:
            if not known:
                message = Text("run {run} has no step `{step}`", run=run_id, step=named)
            elif no is not None:
                message = Text("step `{step}` (no. {no}) is not active in run {run}", step=named,
                               no=no, run=run_id)
            else:
                message = Text("step `{step}` is not active in run {run}", step=named,
                               run=run_id)
        super().__init__(Text("{problem}; {active}", problem=message,
                              active=_active_text(active)))


class AlreadyCompleted(StepNotActive):
    """The task named was completed already: says by whom and when (a repeated command)."""

    def __init__(self, run_id: int, named: str, by: str | None, at: dt.datetime | None,
                 active: Sequence[ActiveTask]) -> None:
        self.by = by
        self.at = at
        who = by or Text("someone")
        if at is not None:
            message = Text("step `{step}` of run {run} was already completed by {by} at {at}",
                           step=named, run=run_id, by=who, at=f"{at:%Y-%m-%d %H:%M}")
        else:
            message = Text("step `{step}` of run {run} was already completed by {by}",
                           step=named, run=run_id, by=who)
        super().__init__(run_id, named, active, message=message)


class AmbiguousTask(StepNotActive):
    """Several active tasks fit the name given: the person must name one by its label."""

    def __init__(self, run_id: int, named: str, choices: Sequence[str],
                 active: Sequence[ActiveTask]) -> None:
        self.choices = tuple(choices)
        super().__init__(run_id, named, active,
                         message=Text("step `{step}` of run {run} has several active tasks "
                                      "you may complete; name one: {choices}", step=named,
                                      run=run_id, choices=", ".join(choices)))


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
            message = Text("step `{step}` is not a decision; it takes no outcome",
                           step=activity_id)
        elif problem == "missing":
            message = Text("step `{step}` is a decision ({question}); choose an outcome, one "
                           "of: {choices}", step=activity_id, question=question, choices=choices)
        else:
            message = Text("`{given}` is not an outcome of step `{step}`; choose one of: "
                           "{choices}", given=given, step=activity_id, choices=choices)
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
            message = Text("{at} is in the future (now it is {now})",
                           at=f"{at:%Y-%m-%d %H:%M}", now=f"{bound:%Y-%m-%d %H:%M}")
        else:
            message = Text("{at} is before {what} ({bound})", at=f"{at:%Y-%m-%d %H:%M}",
                           what=what, bound=f"{bound:%Y-%m-%d %H:%M}")
        super().__init__(message)


class RunFinished(AlurError, ValueError):
    """The run is completed or cancelled: nothing more can happen in it."""

    def __init__(self, run_id: int, status: str, result: str | None = None,
                 message: str | None = None) -> None:
        self.run_id = run_id
        self.status = status
        self.result = result
        if message is None:
            message = Text("{ended}; nothing more can be done in it",
                           ended=ended(run_id, status, result))
        super().__init__(message)


def ended(run_id: int, status: str, result: str | None = None) -> Text:
    """``run 7 is completed (ditolak)``: how a finished run ended, its result as written."""
    if status == "completed":
        said = Text("run {run} is completed", run=run_id)
    elif status == "cancelled":
        said = Text("run {run} is cancelled", run=run_id)
    else:
        said = Text("run {run} is {status}", run=run_id, status=status)
    return Text("{ended} ({result})", ended=said, result=result) if result else said


class NotAllowed(AlurError, PermissionError):
    """The acting person may not do this (the message says why)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(Text("you may not do this") if message is None else message)


class IdentityMissing(NotAllowed):
    """Nobody said who is acting (``doing`` says what, ``unit`` where)."""

    def __init__(self, doing: str, unit: str) -> None:
        self.doing = doing
        self.unit = unit
        super().__init__(Text("say who is {doing} (a person id of the roster of unit `{unit}`)",
                              doing=doing, unit=unit))


class ReasonMissing(NotAllowed):
    """A run is cancelled only with its reason."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        super().__init__(Text("give the reason for cancelling run {run}", run=run_id))


class LoginFailed(NotAllowed):
    """A wrong name or password: one message for both, so it never tells which was wrong
    (the failure is counted: the transaction is kept)."""

    keeps_changes = True

    def __init__(self) -> None:
        super().__init__(Text("the name or password is wrong"))


class AccountLocked(NotAllowed):
    """Too many failed logins of one account in a short time: it waits until ``until``
    (aware, in the workspace's time zone)."""

    keeps_changes = True  # the failure that locked it is counted

    def __init__(self, until: dt.datetime, failures: int) -> None:
        self.until = until
        self.failures = failures
        super().__init__(Text("too many failed logins ({failures}) for this account; it may "
                              "log in again from {until}", failures=failures,
                              until=f"{until:%Y-%m-%d %H:%M}"))


class LoginLinkUnusable(NotAllowed):
    """A login link that cannot log anyone in: ``reason`` is ``used`` (at ``at``),
    ``expired`` (at ``at``) or ``unknown`` (never made, or the person left the roster)."""

    def __init__(self, reason: str, at: dt.datetime | None = None) -> None:
        self.reason = reason
        self.at = at
        when = "" if at is None else f"{at:%Y-%m-%d %H:%M}"
        if reason == "used":
            message = Text("this login link was used already ({at}); a link logs in once: "
                           "ask for a new one, or log in with your password", at=when)
        elif reason == "expired":
            message = Text("this login link expired at {at}; ask for a new one, or log in "
                           "with your password", at=when)
        else:
            message = Text("this login link is not known; ask for a new one, or log in with "
                           "your password")
        super().__init__(message)


class PasswordTooShort(AlurError, ValueError):
    """A new password shorter than ``minimum`` characters."""

    def __init__(self, length: int, minimum: int) -> None:
        self.length = length
        self.minimum = minimum
        super().__init__(Text("a password needs at least {minimum} characters (this one has "
                              "{length})", minimum=minimum, length=length))


class ConcurrentChange(AlurError, RuntimeError):
    """Someone else changed the same step or run first."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(Text("someone else changed it at the same time; try again")
                         if message is None else message)


class SchedulerBusy(AlurError, RuntimeError):
    """Another reminder daemon holds the database's only lease (SQLite runs one at a time)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(Text("another reminder daemon is already running on this database")
                         if message is None else message)


class AuditTampered(AlurError, ValueError):
    """The audit trail's hash chain is broken; names the first broken event."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(Text("the audit trail's hash chain is broken") if message is None
                         else message)
