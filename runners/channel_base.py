"""What every reminder channel shares: the protocol, its error, and secrets read by name.

Each channel says whether it can reach a person (``applies_to``) and sends
one message to one person (``send``), returning a short detail for the
audit or raising ``ChannelError`` with a reason that holds no secret.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Protocol

from engine.notify import ReminderMessage
from engine.roster import Person
from runners.i18n import _


class ChannelError(Exception):
    """A reminder could not be sent; the message says why, never with a secret."""


class Channel(Protocol):
    """A way to reach people: whom it can reach, and one message sent to one person."""

    name: str

    def applies_to(self, person: Person) -> bool:
        """True when this channel can reach ``person``."""

    def send(self, message: ReminderMessage, person: Person) -> str:
        """Send ``message`` to ``person``: a short detail, or ChannelError."""


def default_environ() -> Mapping[str, str]:
    """The process's environment (where the secrets that alur.toml names live)."""
    return os.environ


def variable(environ: Mapping[str, str], name: str, setting: str) -> str:
    """The value of the environment variable ``name``; ChannelError naming it if unset."""
    try:
        return environ[name]
    except KeyError:
        raise ChannelError(_("environment variable {name} (named by {setting}) is not set")
                           .format(name=name, setting=setting)) from None


def os_reason(exc: OSError) -> str:
    """An operating system error in a few words."""
    return exc.strerror or str(exc) or type(exc).__name__
