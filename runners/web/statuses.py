"""Alur's errors on a web page: the HTTP status that fits each, a title, and the message in
the words of the page (its buttons and fields, never a command-line flag)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.errors import (
    AccountLocked,
    AlreadyCompleted,
    AlurError,
    ConcurrentChange,
    DuplicateRun,
    InvalidOutcome,
    InvalidTime,
    LoginFailed,
    LoginLinkUnusable,
    NotAllowed,
    RunFinished,
    StepNotActive,
)
from engine.evidence import EvidenceRefused
from engine.roster import UnitNotGiven
from runners.i18n import _, say_error
from runners.web.format import person_name, when

if TYPE_CHECKING:
    from runners.web.core import Web


def of(exc: AlurError) -> tuple[int, str]:
    """The status and the title of the page that reports ``exc``."""
    from storage.location import DatabaseBusy, DatabaseError

    checks: list[tuple[type[BaseException], int, str]] = [
        (AccountLocked, 429, _("Wait a moment")),
        (LoginFailed, 401, _("Not logged in")),
        (LoginLinkUnusable, 410, _("This link cannot be used")),
        (AlreadyCompleted, 409, _("Already completed")),
        (StepNotActive, 409, _("This step is not active")),
        (RunFinished, 409, _("This run has ended")),
        (DuplicateRun, 409, _("This run exists already")),
        (ConcurrentChange, 409, _("Changed at the same time")),
        (NotAllowed, 403, _("Not allowed")),
        (DatabaseBusy, 503, _("The database is busy")),
        (DatabaseError, 503, _("The database cannot be used")),
        (UnitNotGiven, 400, _("Please check what you entered")),
        (LookupError, 404, _("Not found")),
    ]
    if isinstance(exc, EvidenceRefused):
        return (413, _("The file is too big")) if exc.problem == "size" else (
            415, _("The file was refused"))
    for kind, status, title in checks:
        if isinstance(exc, kind):
            return status, title
    return 400, _("Please check what you entered")


def message(exc: AlurError, web: Web) -> str:
    """What went wrong, as this app's pages say it."""
    if isinstance(exc, AlreadyCompleted):
        who = person_name(web.env.roster, exc.by) if exc.by else _("someone")
        if exc.at is not None:
            return _("Step `{step}` of run {run} was already completed by {person} on {time}; "
                     "nothing was changed.").format(step=exc.named, run=exc.run_id, person=who,
                                                    time=when(exc.at, web.tz))
        return _("Step `{step}` of run {run} was already completed by {person}; nothing was "
                 "changed.").format(step=exc.named, run=exc.run_id, person=who)
    if isinstance(exc, AccountLocked):
        return _("Too many failed logins for this account in a short time. It may log in "
                 "again from {time}.").format(time=when(exc.until, web.tz))
    if isinstance(exc, InvalidOutcome) and exc.problem == "missing":
        return _("Step `{step}` is a decision ({question}): press the button of one of its "
                 "answers: {choices}.").format(step=exc.activity_id, question=exc.question,
                                               choices=", ".join(exc.labels))
    if isinstance(exc, InvalidTime):
        return _("The time it really happened: {problem}").format(problem=say_error(exc))
    return say_error(exc)
