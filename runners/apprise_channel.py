"""The apprise channel: WhatsApp, Telegram and the many services apprise speaks.

A person is reached through their own URLs: the roster's ``notify`` list, and
the ``whatsapp:`` / ``telegram:`` of the roster put into the [apprise]
``whatsapp_url`` / ``telegram_url`` templates (the WhatsApp Cloud API, a
gateway on the office server through ``json://`` or ``form://``, a Telegram
bot). The URLs in the variable that ``urls_env`` names (a group, an
operator's chat) get every reminder too, but never a person's login link.
Secrets stay in the environment: a URL may say ``${NAME}``, replaced when sending
and hidden from every reason given.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from engine.notify import ReminderMessage
from engine.roster import Person
from runners.channel_base import ChannelError, default_environ, variable
from runners.i18n import _
from runners.reminder_text import body, subject

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_URL_SEPARATORS = re.compile(r"[\s,]+")
_APPRISE_LOCK = threading.Lock()  # apprise's log records are collected per send
HOME_COUNTRY_CODE = "62"  # a WhatsApp number written 0812... in the roster is Indonesian


class _Collector(logging.Handler):
    """Keeps apprise's warnings of one send, to give them as the reason of a failure."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def _apprise_session() -> Iterator[tuple[Any, _Collector]]:
    """The apprise module (imported on first use) and the log of this one send.

    apprise logs each failure as a WARNING and each success at INFO; here
    they become the reason in ChannelError instead of reaching stderr twice.
    Its plugins import deprecated modules (imghdr), hence the filter.
    """
    with _APPRISE_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import apprise

        logger = logging.getLogger("apprise")
        logger.propagate = False
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)
        collector = _Collector()
        logger.addHandler(collector)
        try:
            yield apprise, collector
        finally:
            logger.removeHandler(collector)


def _scheme(url: str) -> str:
    return url.partition("://")[0] if "://" in url else "?"


def whatsapp_number(written: str) -> str:
    """A roster WhatsApp number as apprise and gateways take it: digits with the country
    code (``+62 812-3456-7890`` and ``0812 3456 7890`` give ``6281234567890``)."""
    digits = re.sub(r"\D", "", written)
    if not written.strip().startswith("+") and digits.startswith("0"):
        return HOME_COUNTRY_CODE + digits[1:]
    return digits


@dataclass(frozen=True, slots=True)
class Target:
    """One apprise URL for a person (``${NAME}`` not yet replaced), where it comes from, and
    whether it reaches that person alone (their login link may go there)."""

    url: str
    where: str
    personal: bool


@dataclass(frozen=True, slots=True)
class AppriseChannel:
    """Apprise URLs: the person's ``notify``, their WhatsApp and Telegram through the
    [apprise] templates, and the URLs in the [apprise] urls_env variable."""

    urls_env: str = ""
    environ: Mapping[str, str] = field(default_factory=default_environ)
    whatsapp_url: str = ""  # a template with {whatsapp}
    telegram_url: str = ""  # a template with {telegram}
    name = "apprise"

    def _own(self, person: Person) -> list[Target]:
        own = [Target(url, _("notify of {person}").format(person=person.id), True)
               for url in person.notify]
        if self.whatsapp_url and person.whatsapp:
            own.append(Target(self.whatsapp_url.replace(
                "{whatsapp}", whatsapp_number(person.whatsapp)),
                _("whatsapp of {person}").format(person=person.id), True))
        if self.telegram_url and person.telegram:
            own.append(Target(self.telegram_url.replace(
                "{telegram}", quote(person.telegram.strip(), safe="@-_")),
                _("telegram of {person}").format(person=person.id), True))
        return own

    def applies_to(self, person: Person) -> bool:
        """People with an apprise URL of their own (``notify``, or a WhatsApp number or
        Telegram chat with its template set), or everyone when shared URLs are set."""
        if self._own(person):
            return True
        if not self.urls_env:
            return False
        shared = self.environ.get(self.urls_env)
        return shared is None or bool(_URL_SEPARATORS.sub("", shared))  # unset: send says so

    def targets(self, person: Person) -> tuple[Target, ...]:
        """Every URL that ``person``'s reminders go to, ``${NAME}`` not yet replaced."""
        urls = self._own(person)
        if self.urls_env:
            shared = variable(self.environ, self.urls_env, "apprise.urls_env")
            urls += [Target(url, self.urls_env, False)
                     for url in _URL_SEPARATORS.split(shared) if url]
        return tuple(urls)

    def urls_for(self, person: Person) -> tuple[tuple[str, str], ...]:
        """(URL, where it comes from) for ``person``, ``${NAME}`` not yet replaced."""
        return tuple((t.url, t.where) for t in self.targets(person))

    def expand(self, url: str, where: str) -> tuple[str, tuple[str, ...]]:
        """``url`` with each ``${NAME}`` replaced from the environment, and the values used."""
        values: list[str] = []

        def value(match: re.Match[str]) -> str:
            name = match[1]
            if name not in self.environ:
                raise ChannelError(_("environment variable {name} (in a {scheme}:// URL of "
                                     "{where}) is not set").format(name=name, scheme=_scheme(url),
                                                                   where=where))
            values.append(self.environ[name])
            return self.environ[name]

        return _PLACEHOLDER.sub(value, url), tuple(values)

    def send(self, message: ReminderMessage, person: Person) -> str:
        """Notify every URL of ``person`` (shared ones without a login link); ChannelError
        when apprise reports a failure."""
        targets = self.targets(person)
        if not targets:
            raise ChannelError(_("no apprise URL for {person} (roster `notify`, `whatsapp`, "
                                 "`telegram`; [apprise] urls_env)").format(person=person.id))
        expanded = [(*self.expand(t.url, t.where), t) for t in targets]
        secrets = sorted({v for url, values, _t in expanded for v in (url, *values)
                          if len(v) > 3}, key=len, reverse=True)  # hidden from apprise's reasons
        schemes = ", ".join(dict.fromkeys(_scheme(url) for url, _values, _t in expanded))
        general = replace(message, login_url=None)  # for a group: the page, never a login
        with _apprise_session() as (apprise, log):
            groups = {True: apprise.Apprise(), False: apprise.Apprise()}
            for url, _values, target in expanded:
                if not groups[target.personal].add(url):
                    raise ChannelError(_("apprise does not accept the {scheme}:// URL of {where}")
                                       .format(scheme=_scheme(url), where=target.where))
            results = [bool(client.notify(  # each group tried; chats wrap lines themselves
                body=body(message if personal else general, person, wrap=False),
                title=subject(message), notify_type="warning", body_format="text"))
                for personal, client in groups.items() if len(client)]
        sent = all(results)
        if not sent:
            reason = "; ".join(dict.fromkeys(log.lines)) or _("no reason given")
            for secret in secrets:
                reason = reason.replace(secret, "***")
            raise ChannelError(_("apprise could not deliver to {schemes}: {reason}").format(
                schemes=schemes, reason=reason))
        return f"apprise {schemes}"
