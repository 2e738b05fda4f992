"""A reminder as data: one overdue task to tell people about (the text is the runners')."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from engine.roster import Person


@dataclass(frozen=True, slots=True)
class ReminderMessage:
    """One overdue step to tell people about: a reminder (level 0) or an escalation."""

    reminder_id: int
    level: int  # 0 = reminder to the step's own holders; >= 1 = escalation up reports_to
    escalation_role_title: str | None  # title of the role escalated to (level >= 1)
    run_id: int
    sop_id: str
    sop_title: str
    unit_name: str
    period: str
    step_id: str  # the activity
    task: str  # the task's label: the activity id, or ACTIVITY/ACTOR, ACTIVITY/PERSON
    step_no: int
    step_name: str
    attempt: int
    actor_title: str  # title of the step's responsible role
    responsible: tuple[str, ...]  # "Name (id)" of the people the task is assigned to
    responsible_ids: tuple[str, ...]  # their person ids
    due_at: datetime  # aware
    late_minutes: int  # working minutes past due
    timezone: str  # IANA zone to show times in
    deadline: date | None = None  # hard deadline of the run, if any
    working_days_left: int | None = None
    whole_run: bool = False  # about the whole run, past its service deadline (no one step)
    run_title: str | None = None  # what the run is about (the applicant)
    service_due_at: datetime | None = None  # the run's service deadline, if any
    service_left_minutes: int | None = None  # working minutes to it (< 0: late by)
    failure: str | None = None  # to the operator: this reminder could not be delivered
    # Where the message leads on the web (set by the runner when the office has one): the
    # step's page (the run's, for a whole run) and, for one recipient, a single-use link
    # that logs them in and opens that page. Without ``url`` the text names the command.
    url: str | None = None
    login_url: str | None = None

    def __post_init__(self) -> None:
        if self.due_at.utcoffset() is None:
            raise ValueError("ReminderMessage.due_at must be an aware datetime")

    @property
    def link(self) -> str | None:
        """What the recipient opens: their login link to the page, else the page itself."""
        return self.login_url or self.url

    @property
    def is_escalation(self) -> bool:
        """True when the message goes up the reports_to chain (level 1 and up)."""
        return self.level >= 1


def as_superior(message: ReminderMessage, person: Person) -> bool:
    """True when ``person`` gets an escalation as a superior, not as one of the responsible."""
    return message.is_escalation and person.id not in message.responsible_ids
