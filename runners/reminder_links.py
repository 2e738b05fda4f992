"""The links in reminders: the step's page on `alur web`, and single-use login links to it.

The paths are the web's (spec/web.md): ``/run/<run>/langkah/<task>`` for a
step (the task's row id), ``/run/<run>`` for a whole run, and
``/masuk/tautan/<token>?next=<path>`` for a login link, whose GET only shows a
button (link previews fetch links) and whose POST logs the person in. A token
is made per person and message, in a transaction of its own, just before the
message is sent; only its hash is stored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from engine.notify import ReminderMessage


def page_path(run_id: int, task_id: int | None = None) -> str:
    """The web path of a step's page (``task_id``: the task's row id), or of a run's."""
    return f"/run/{run_id}" if task_id is None else f"/run/{run_id}/langkah/{task_id}"


def login_path(token: str, next_path: str | None = None) -> str:
    """The web path of a login link, leading to ``next_path`` once used."""
    path = f"/masuk/tautan/{quote(token, safe='')}"
    return path if not next_path else f"{path}?next={quote(next_path, safe='/')}"


@dataclass(frozen=True, slots=True)
class ReminderLinks:
    """Links for the reminders of one office: its ``base_url`` (no trailing slash) and,
    when [web] login_links is on, how to make a person's login token."""

    base_url: str
    make_token: Callable[[str], str] | None = None  # person id -> a new single-use token

    def with_page(self, message: ReminderMessage, task_id: int | None) -> ReminderMessage:
        """The message with the address of its step's page (the run's for a whole run)."""
        path = page_path(message.run_id, None if message.whole_run else task_id)
        return dataclasses.replace(message, url=self.base_url + path, login_url=None)

    def for_person(self, message: ReminderMessage, person_id: str) -> ReminderMessage:
        """The message for one recipient: with a new login link to its page when login
        links are on (the page's own address otherwise)."""
        if self.make_token is None or message.url is None:
            return message
        next_path = message.url.removeprefix(self.base_url)
        token = self.make_token(person_id)
        return dataclasses.replace(message, login_url=self.base_url + login_path(token,
                                                                                 next_path))
