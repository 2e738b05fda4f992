"""Sending reminders: one class per channel (console, e-mail, apprise, webhook), one protocol.

Each channel says whether it can reach a person (``applies_to``) and sends
one message to one person (``send``), returning a short detail for the
audit or raising ``ChannelError`` with a reason that holds no secret. The
messages, the reasons and the console's line are in the language in use (the
daemon's); the webhook payload's keys stay English.
Secrets stay in environment variables that alur.toml only names; apprise
URLs may say ``${NAME}`` for the same reason.
"""

from __future__ import annotations

import email.policy
import hashlib
import hmac
import json
import logging
import os
import re
import smtplib
import ssl
import threading
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol
from urllib.parse import urlsplit

from engine.durations import format_minutes
from engine.errors import ConfigError
from engine.notify import ReminderMessage, as_superior
from engine.roster import Person
from engine.text import Text
from runners.i18n import _, say
from runners.reminder_text import body, payload, subject
from runners.settings import SECURITIES, SETTINGS_FILE, EmailSettings, Settings, WebhookSettings

SMTP_TIMEOUT = 30
WEBHOOK_TIMEOUT = 15
SMTP_POLICY = email.policy.SMTP
REMINDER_LOGGER = "alur.reminders"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_URL_SEPARATORS = re.compile(r"[\s,]+")
_APPRISE_LOCK = threading.Lock()  # apprise's log records are collected per send


class ChannelError(Exception):
    """A reminder could not be sent; the message says why, never with a secret."""


class Channel(Protocol):
    """A way to reach people: whom it can reach, and one message sent to one person."""

    name: str

    def applies_to(self, person: Person) -> bool:
        """True when this channel can reach ``person``."""

    def send(self, message: ReminderMessage, person: Person) -> str:
        """Send ``message`` to ``person``: a short detail, or ChannelError."""


def _environ() -> Mapping[str, str]:
    return os.environ


def _variable(environ: Mapping[str, str], name: str, setting: str) -> str:
    """The value of the environment variable ``name``; ChannelError naming it if unset."""
    try:
        return environ[name]
    except KeyError:
        raise ChannelError(_("environment variable {name} (named by {setting}) is not set")
                           .format(name=name, setting=setting)) from None


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


# -- console -------------------------------------------------------------------------

def _log_line(text: str) -> None:
    logging.getLogger(REMINDER_LOGGER).info(text)


@dataclass(frozen=True, slots=True)
class ConsoleChannel:
    """One line per reminder through ``echo`` (the ``alur.reminders`` log by default)."""

    echo: Callable[[str], None] = _log_line
    name = "console"

    def applies_to(self, person: Person) -> bool:
        """Everyone: the line goes to the operator, not to the person."""
        return True

    def send(self, message: ReminderMessage, person: Person) -> str:
        """Write the reminder's one line."""
        role = (message.escalation_role_title if as_superior(message, person) else None) \
            or message.actor_title
        places = {"run": message.run_id, "step": message.step_no, "name": message.step_name,
                  "person": person.id, "role": role,
                  "late": say(format_minutes(message.late_minutes))}
        escalation = message.is_escalation
        if message.whole_run:
            line = (_("[escalation] run {run} service -> {person} ({role}), {late} late")
                    if escalation else
                    _("[reminder] run {run} service -> {person} ({role}), {late} late"))
        else:
            line = (_("[escalation] run {run} step {step} {name} -> {person} ({role}), "
                      "{late} late") if escalation else
                    _("[reminder] run {run} step {step} {name} -> {person} ({role}), "
                      "{late} late"))
        self.echo(line.format(**places))
        return "console"


# -- e-mail --------------------------------------------------------------------------

def _smtp_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())


def _smtp_reason(exc: smtplib.SMTPException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(_("{to} refused: {code} {reply}").format(
            to=to, code=code, reply=_smtp_text(reply))
            for to, (code, reply) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_smtp_text(exc.smtp_error)}"
    return str(exc) or type(exc).__name__


@dataclass(frozen=True, slots=True)
class EmailChannel:
    """E-mail through the [email] SMTP server (plain, STARTTLS or SSL), one connection a send."""

    settings: EmailSettings
    environ: Mapping[str, str] = field(default_factory=_environ)
    ssl_context: ssl.SSLContext | None = None  # default: the system's trusted certificates
    name = "email"

    def __post_init__(self) -> None:
        if self.settings.security not in SECURITIES:
            raise ValueError(_("email security must be one of {accepted}, not `{given}`").format(
                accepted=", ".join(SECURITIES), given=self.settings.security))

    def applies_to(self, person: Person) -> bool:
        """People with an e-mail address."""
        return bool(person.email)

    def credentials(self) -> tuple[str, str] | None:
        """User and password from the variables that [email] names; None without login."""
        s = self.settings
        if not s.username_env:
            return None
        user = _variable(self.environ, s.username_env, "email.username_env")
        if not s.password_env:
            raise ChannelError(_("email.username_env is set but email.password_env is not"))
        return user, _variable(self.environ, s.password_env, "email.password_env")

    def compose(self, message: ReminderMessage, person: Person) -> EmailMessage:
        """The e-mail to ``person``: From, To, Subject and the UTF-8 text body."""
        mail = EmailMessage()
        mail["From"] = self.settings.sender
        mail["To"] = person.email or ""
        mail["Subject"] = subject(message)
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid("alur", self.settings.sender.rpartition("@")[2] or None)
        mail["X-Alur-Reminder"] = str(message.reminder_id)  # for mail filters and audits
        mail["X-Alur-Run"] = str(message.run_id)
        mail.set_content(body(message, person), charset="utf-8", cte="quoted-printable")
        return mail

    def send(self, message: ReminderMessage, person: Person) -> str:
        """Send the e-mail; the server's reply such as ``250 OK to a@b``."""
        if not person.email:
            raise ChannelError(_("{person} has no e-mail address").format(person=person.id))
        s, login = self.settings, self.credentials()
        where = f"SMTP {s.host}:{s.port}"
        try:
            with self._connect() as smtp:
                if s.security == "starttls":
                    smtp.starttls(context=self.ssl_context or ssl.create_default_context())
                if login:
                    try:
                        smtp.login(*login)
                    except smtplib.SMTPException as exc:
                        raise ChannelError(_("{where}: login as {user} failed: {reason}").format(
                            where=where, user=login[0], reason=_smtp_reason(exc))) from None
                return self._deliver(smtp, self.compose(message, person), person.email)
        except smtplib.SMTPException as exc:
            raise ChannelError(f"{where}: {_smtp_reason(exc)}") from None
        except OSError as exc:
            raise ChannelError(f"{where}: {_os_reason(exc)}") from None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            context = self.ssl_context or ssl.create_default_context()
            return smtplib.SMTP_SSL(s.host, s.port, timeout=SMTP_TIMEOUT, context=context)
        return smtplib.SMTP(s.host, s.port, timeout=SMTP_TIMEOUT)

    def _deliver(self, smtp: smtplib.SMTP, mail: EmailMessage, to: str) -> str:
        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(self.settings.sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, self.settings.sender)
        code, reply = smtp.rcpt(to)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({to: (code, reply)})
        code, reply = smtp.data(mail.as_bytes(policy=SMTP_POLICY))  # CRLF, 7-bit safe
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
        return f"{code} {_smtp_text(reply)[:60]} to {to}"  # the server's words: a record


# -- apprise -------------------------------------------------------------------------

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


@dataclass(frozen=True, slots=True)
class AppriseChannel:
    """Apprise URLs: the person's ``notify`` plus those in the [apprise] urls_env variable."""

    urls_env: str = ""
    environ: Mapping[str, str] = field(default_factory=_environ)
    name = "apprise"

    def applies_to(self, person: Person) -> bool:
        """People with an apprise URL of their own, or everyone when shared URLs are set."""
        if person.notify:
            return True
        if not self.urls_env:
            return False
        shared = self.environ.get(self.urls_env)
        return shared is None or bool(_URL_SEPARATORS.sub("", shared))  # unset: send says so

    def urls_for(self, person: Person) -> tuple[tuple[str, str], ...]:
        """(URL, where it comes from) for ``person``, ``${NAME}`` not yet replaced."""
        urls = [(url, _("notify of {person}").format(person=person.id)) for url in person.notify]
        if self.urls_env:
            shared = _variable(self.environ, self.urls_env, "apprise.urls_env")
            urls += [(url, self.urls_env) for url in _URL_SEPARATORS.split(shared) if url]
        return tuple(urls)

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
        """Notify every URL of ``person``; ChannelError when apprise reports a failure."""
        urls = self.urls_for(person)
        if not urls:
            raise ChannelError(_("no apprise URL for {person} (roster `notify`, [apprise] "
                                 "urls_env)").format(person=person.id))
        expanded = [(*self.expand(url, where), where) for url, where in urls]
        secrets = sorted({v for url, values, _where in expanded for v in (url, *values)
                          if len(v) > 3}, key=len, reverse=True)  # hidden from apprise's reasons
        schemes = ", ".join(dict.fromkeys(_scheme(url) for url, _values, _where in expanded))
        with _apprise_session() as (apprise, log):
            client = apprise.Apprise()
            for url, _values, where in expanded:
                if not client.add(url):
                    raise ChannelError(_("apprise does not accept the {scheme}:// URL of {where}")
                                       .format(scheme=_scheme(url), where=where))
            sent = bool(client.notify(body=body(message, person), title=subject(message),
                                      notify_type="warning", body_format="text"))
        if not sent:
            reason = "; ".join(dict.fromkeys(log.lines)) or _("no reason given")
            for secret in secrets:
                reason = reason.replace(secret, "***")
            raise ChannelError(_("apprise could not deliver to {schemes}: {reason}").format(
                schemes=schemes, reason=reason))
        return f"apprise {schemes}"


# -- webhook -------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other non-2xx: urllib would resend a POST as GET."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> None:
        return None


def signature(secret: str, data: bytes) -> str:
    """The X-Alur-Signature header: ``sha256=`` and the hex HMAC-SHA256 of ``data``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), data, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class WebhookChannel:
    """A JSON POST per reminder and person to [webhook] url, signed when secret_env is set."""

    settings: WebhookSettings
    environ: Mapping[str, str] = field(default_factory=_environ)
    name = "webhook"

    def applies_to(self, person: Person) -> bool:
        """Everyone: the receiver decides whom to reach."""
        return True

    def request(self, message: ReminderMessage, person: Person) -> urllib.request.Request:
        """The POST request: JSON payload, event header and, with a secret, its signature."""
        data = json.dumps(payload(message, person), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "X-Alur-Event": "reminder", "User-Agent": "Alur"}
        if self.settings.secret_env:
            secret = _variable(self.environ, self.settings.secret_env, "webhook.secret_env")
            headers["X-Alur-Signature"] = signature(secret, data)
        return urllib.request.Request(self.settings.url, data=data, headers=headers,
                                      method="POST")

    def send(self, message: ReminderMessage, person: Person) -> str:
        """POST the payload; ``HTTP 200`` and the like, ChannelError on any other status."""
        request = self.request(message, person)
        parts = urlsplit(self.settings.url)
        where = f"webhook {parts.scheme}://{parts.hostname}" + (
            f":{parts.port}" if parts.port else "")  # no path or query: they may hold a token
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=WEBHOOK_TIMEOUT) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            exc.close()
            raise ChannelError(f"{where}: HTTP {exc.code} {exc.reason}".rstrip()) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            text = _os_reason(reason) if isinstance(reason, OSError) else str(reason)
            raise ChannelError(f"{where}: {text}") from None
        except OSError as exc:
            raise ChannelError(f"{where}: {_os_reason(exc)}") from None
        if not 200 <= status < 300:
            raise ChannelError(f"{where}: HTTP {status}")
        return f"HTTP {status}"


def build_channels(settings: Settings, environ: Mapping[str, str] = os.environ,
                   echo: Callable[[str], None] | None = None) -> list[Channel]:
    """The channels that [reminders] channels names, in that order."""
    channels: list[Channel] = []
    for name in settings.reminders.channels:
        if name == "console":
            channels.append(ConsoleChannel(echo) if echo else ConsoleChannel())
        elif name == "email":
            channels.append(EmailChannel(settings.email, environ))
        elif name == "apprise":
            channels.append(AppriseChannel(settings.apprise_urls_env, environ))
        elif name == "webhook":
            if not settings.webhook.url:
                raise ConfigError.at(str(settings.workspace / SETTINGS_FILE), 1, 1,
                                     Text('[reminders] channels names "webhook" but [webhook] '
                                          "url is empty"))
            channels.append(WebhookChannel(settings.webhook, environ))
        else:
            raise ValueError(_("unknown reminder channel `{name}`").format(name=name))
    return channels
