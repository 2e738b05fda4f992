"""Sending reminders: one class per channel (console, e-mail, apprise, webhook), one protocol.

Each channel says whether it can reach a person (``applies_to``) and sends
one message to one person (``send``), returning a short detail for the
audit or raising ``ChannelError`` with a reason that holds no secret (the
protocol and its helpers: ``runners.channel_base``; apprise, with WhatsApp and
Telegram: ``runners.apprise_channel``). The messages, the reasons and the
console's line are in the language in use (the daemon's); the webhook
payload's keys stay English. Secrets stay in environment variables that
alur.toml only names; apprise URLs may say ``${NAME}`` for the same reason.
The console line never carries a link: it goes to the daemon's log.
"""

from __future__ import annotations

import email.policy
import hashlib
import hmac
import json
import logging
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import urlsplit

from engine.durations import format_minutes
from engine.errors import ConfigError
from engine.notify import ReminderMessage, as_superior
from engine.roster import Person
from engine.text import Text
from runners.apprise_channel import AppriseChannel as AppriseChannel
from runners.channel_base import Channel as Channel  # the protocol and its error, also
from runners.channel_base import ChannelError as ChannelError  # named from here
from runners.channel_base import default_environ, os_reason, variable
from runners.i18n import _, say
from runners.reminder_text import body, payload, subject
from runners.settings import SECURITIES, SETTINGS_FILE, EmailSettings, Settings, WebhookSettings

SMTP_TIMEOUT = 30
WEBHOOK_TIMEOUT = 15
SMTP_POLICY = email.policy.SMTP
REMINDER_LOGGER = "alur.reminders"


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
    environ: Mapping[str, str] = field(default_factory=default_environ)
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
        user = variable(self.environ, s.username_env, "email.username_env")
        if not s.password_env:
            raise ChannelError(_("email.username_env is set but email.password_env is not"))
        return user, variable(self.environ, s.password_env, "email.password_env")

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
            raise ChannelError(f"{where}: {os_reason(exc)}") from None

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
    environ: Mapping[str, str] = field(default_factory=default_environ)
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
            secret = variable(self.environ, self.settings.secret_env, "webhook.secret_env")
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
            text = os_reason(reason) if isinstance(reason, OSError) else str(reason)
            raise ChannelError(f"{where}: {text}") from None
        except OSError as exc:
            raise ChannelError(f"{where}: {os_reason(exc)}") from None
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
            channels.append(AppriseChannel(settings.apprise_urls_env, environ,
                                           settings.apprise_whatsapp_url,
                                           settings.apprise_telegram_url))
        elif name == "webhook":
            if not settings.webhook.url:
                raise ConfigError.at(str(settings.workspace / SETTINGS_FILE), 1, 1,
                                     Text('[reminders] channels names "webhook" but [webhook] '
                                          "url is empty"))
            channels.append(WebhookChannel(settings.webhook, environ))
        else:
            raise ValueError(_("unknown reminder channel `{name}`").format(name=name))
    return channels
