"""alur.toml: the workspace settings, every key checked and placed (spec/workspace.md).

Values are read with tomllib and checked through ``runners.toml_reader``, which
finds the line and column of each key, so a problem reads FILE:LINE:COL.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.calendar import DEFAULT_HOURS, HoursOverride
from engine.checker import suggest
from engine.durations import Duration, DurationError, parse_duration
from engine.errors import ConfigError
from engine.spec import Percent, ReminderSpec
from engine.text import Text
from runners.toml_reader import Span, TomlPath, TomlReader, describe, did_you_mean, label
from runners.web_settings import WEB_KEYS, WebSettings, read_template, read_web

if TYPE_CHECKING:
    from engine.calendar import WorkCalendar

SETTINGS_FILE = "alur.toml"
DATABASE_ENV = "ALUR_DATABASE_URL"
CHANNELS = ("console", "email", "apprise", "webhook")
SECURITIES = ("none", "starttls", "ssl")
TABLES: dict[str, tuple[str, ...]] = {
    "database": ("url", "lock_timeout"),
    "calendar": ("timezone", "holidays", "holiday_categories", "extra_holidays",
                 "removed_holidays", "hours", "override"),
    "reminders": ("channels", "sweep_seconds", "escalate_after", "repeat_every", "operator"),
    "email": ("host", "port", "security", "sender", "username_env", "password_env"),
    "webhook": ("url", "secret_env"),
    "apprise": ("urls_env", "whatsapp_url", "telegram_url"),
    "web": WEB_KEYS,
}
ESCALATE_AFTER = Percent(Fraction(100))
REPEAT_EVERY = Duration(days=Fraction(1))
OVERRIDE_KEYS = ("from", "until", "name", "hours")
_SQLITE = re.compile(r"(sqlite(?:\+\w+)?):///(?!/)([^?]*)(\?.*)?")


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    """[calendar]: holidays, weekly office hours and their overrides."""

    country: str = "ID"
    categories: tuple[str, ...] = ("public", "government")
    extra_holidays: tuple[date, ...] = ()
    removed_holidays: tuple[date, ...] = ()
    hours: Mapping[str, tuple[Span, ...]] = field(default_factory=lambda: DEFAULT_HOURS)
    overrides: tuple[HoursOverride, ...] = ()


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    """[reminders]: channels, the sweep interval and defaults for SOPs that say nothing."""

    channels: tuple[str, ...] = ("console",)
    sweep_seconds: int = 30
    escalate_after: Percent | Duration = ESCALATE_AFTER
    repeat_every: Duration = REPEAT_EVERY
    operator: str = ""  # the person told when a reminder fails for good

    @property
    def spec(self) -> ReminderSpec:
        """The defaults as the SOP format's reminder settings."""
        return ReminderSpec(self.escalate_after, self.repeat_every)


@dataclass(frozen=True, slots=True)
class EmailSettings:
    """[email]: the SMTP server; secrets are named environment variables."""

    host: str = "localhost"
    port: int = 25
    security: str = "none"
    sender: str = "alur@localhost"
    username_env: str = ""
    password_env: str = ""


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """[webhook]: a JSON POST per reminder, signed when ``secret_env`` is set."""

    url: str = ""
    secret_env: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything alur.toml says, defaults filled in."""

    workspace: Path
    database_url: str
    timezone: str = "Asia/Jakarta"
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    webhook: WebhookSettings = field(default_factory=WebhookSettings)
    apprise_urls_env: str = ""
    lock_timeout: float = 30.0  # seconds to wait for a database another program holds locked
    web: WebSettings = field(default_factory=WebSettings)
    apprise_whatsapp_url: str = ""  # an apprise URL template with {whatsapp} (roster number)
    apprise_telegram_url: str = ""  # ... with {telegram} (roster chat id or @username)


# -- the tables ----------------------------------------------------------------------

def _timezone(r: TomlReader, t: dict[str, Any]) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

    name = r.text(t, ("calendar",), "timezone", "Asia/Jakarta")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        close = suggest(name, sorted(available_timezones()))
        if close:
            message = Text('unknown time zone "{name}"; did you mean `{close}`? use an IANA name '
                           "such as Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura "
                           "(WIT)", name=name, close=close)
        else:
            message = Text('unknown time zone "{name}"; use an IANA name such as Asia/Jakarta '
                           "(WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)", name=name)
        r.error(("calendar", "timezone"), message)
        return "Asia/Jakarta"
    return name


def _holidays(r: TomlReader, t: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    path = ("calendar",)
    country = r.text(t, path, "holidays", "ID", re.compile(r"[A-Z]{2,3}"),
                     Text('a country code of the holidays package, like "ID", or "" for none'))
    words = r.value(t, path, "holiday_categories", list, ["public", "government"],
                    Text('a list of holiday categories, like ["public", "government"]'))
    categories = tuple(w for w in words if isinstance(w, str))
    if len(categories) < len(words):
        r.error((*path, "holiday_categories"), Text(
            '`calendar.holiday_categories` must be a list of texts, like ["public", '
            '"government"]'))
    if country and (country, categories) != ("ID", ("public", "government")):
        import holidays  # only for settings other than the defaults: the import costs

        supported = holidays.list_supported_countries()
        if country not in supported:
            r.error((*path, "holidays"), Text(
                'the holidays package has no country "{country}"{hint} (write a code such as '
                '"ID", or "" for none)', country=country,
                hint=did_you_mean(suggest(country, supported))))
            return "ID", categories
        known = holidays.country_holidays(country).supported_categories
        for word in categories:
            if word not in known:
                r.error((*path, "holiday_categories"), Text(
                    'no holiday category "{word}" for {country} (accepted: {accepted})',
                    word=word, country=country, accepted=", ".join(sorted(known))), word)
    return country, categories


def _overrides(r: TomlReader, value: Any) -> tuple[HoursOverride, ...]:
    path: TomlPath = ("calendar", "override")
    if not isinstance(value, list):
        r.error(path, Text("`calendar.override` must be tables written [[calendar.override]] "
                           "(double brackets), not {value}", value=describe(value)))
        return ()
    result: list[HoursOverride] = []
    for index, item in enumerate(value):
        where = (*path, index)
        t = r.table(item, where, OVERRIDE_KEYS)
        for key in ("from", "until", "hours"):
            if t and key not in t:
                r.error(where, Text("{table} needs `{key}`", table=label(where), key=key))
        start = r.day(t["from"], (*where, "from")) if "from" in t else None
        until = r.day(t["until"], (*where, "until")) if "until" in t else None
        name = r.text(t, where, "name", f"{start} - {until}")
        hours = r.week(t["hours"], (*where, "hours"), {}) if "hours" in t else None
        if start and until and until < start:
            r.error((*where, "until"), Text("{key} ({until}) is before `from` ({start})",
                                            key=label((*where, "until")), until=until,
                                            start=start))
        elif start and until and hours is not None:
            clash = next((o for o in result if start <= o.until and o.start <= until), None)
            if clash is not None:
                r.error((*where, "from"), Text(
                    "{table} ({start} to {until}) overlaps `{name}` ({other_start} to "
                    "{other_until})", table=label(where), start=start, until=until,
                    name=clash.name, other_start=clash.start, other_until=clash.until))
            result.append(HoursOverride(start, until, name, hours))
    return tuple(result)


def _calendar(r: TomlReader, t: dict[str, Any]) -> CalendarSettings:
    path = ("calendar",)
    country, categories = _holidays(r, t)
    extra, removed = r.days(t, path, "extra_holidays"), r.days(t, path, "removed_holidays")
    for day in sorted(set(extra) & set(removed)):
        r.error((*path, "removed_holidays"), Text(
            "{day} is both in `extra_holidays` and in `removed_holidays`; keep it in one",
            day=day), day.isoformat())
    hours = r.week(t["hours"], (*path, "hours"), DEFAULT_HOURS) if "hours" in t \
        else DEFAULT_HOURS
    overrides = _overrides(r, t["override"]) if "override" in t else ()
    return CalendarSettings(country, categories, extra, removed, hours, overrides)


def _reminders(r: TomlReader, t: dict[str, Any]) -> ReminderSettings:
    path, default = ("reminders",), ReminderSettings()
    channels = r.choices(t, path, "channels", default.channels, CHANNELS)
    sweep = r.value(t, path, "sweep_seconds", int, 30,
                    Text("a whole number of seconds, like 30"))
    if sweep < 1:
        r.error((*path, "sweep_seconds"), Text(
            "`reminders.sweep_seconds` must be at least 1, not {value}", value=sweep))
        sweep = 30
    escalate: Percent | Duration = default.escalate_after
    repeat = default.repeat_every
    for key in ("escalate_after", "repeat_every"):
        accepted = Text('a working time like "1 hari" or "2 jam", or a share of the step\'s '
                        'time like "100%"') if key == "escalate_after" else \
            Text('a working time like "1 hari" or "2 jam"')
        text = r.text(t, path, key, "", accepted=accepted)
        number = text[:-1].strip().replace(",", ".")
        try:
            if key == "escalate_after" and text.endswith("%"):
                if not re.fullmatch(r"\d+(\.\d+)?", number) or Fraction(number) <= 0:
                    raise DurationError(Text("`{text}` is not a percentage above 0, like "
                                             "`100%`", text=text))
                escalate = Percent(Fraction(number))
            elif key == "escalate_after" and text:
                escalate = parse_duration(text)
            elif text:
                repeat = parse_duration(text)
        except DurationError as exc:
            problem = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
            r.error((*path, key), Text("invalid `reminders.{key}`: {problem}", key=key,
                                       problem=problem))
    operator = r.text(t, path, "operator", "", re.compile(r"[a-z0-9]+([-_.][a-z0-9]+)*"),
                      Text('a person id of the roster, like "sekcam", or "" for none'))
    return ReminderSettings(channels, sweep, escalate, repeat, operator)


def _email(r: TomlReader, t: dict[str, Any]) -> EmailSettings:
    path = ("email",)
    port = r.value(t, path, "port", int, 25, Text("a port number, like 25, 465 or 587"))
    if not 1 <= port <= 65535:
        r.error((*path, "port"), Text("`email.port` must be from 1 to 65535, not {value}",
                                      value=port))
        port = 25
    return EmailSettings(
        r.text(t, path, "host", "localhost"), port,
        r.one_of(t, path, "security", "none", SECURITIES),
        r.text(t, path, "sender", "alur@localhost", re.compile(r"[^@\s]+@[^@\s]+"),
               Text('an e-mail address, like "alur@kecamatan.example"')),
        r.env(t, path, "username_env"), r.env(t, path, "password_env"))


def _database_url(r: TomlReader, t: dict[str, Any], workspace: Path) -> str:
    url = r.text(t, ("database",), "url", "", re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://.*"),
                 Text('a SQLAlchemy URL, like "sqlite:///alur.db" or '
                      '"postgresql+psycopg://alur@localhost/alur"'))
    return absolute_sqlite_url(url, workspace) if url else default_database_url(workspace)


def _lock_timeout(r: TomlReader, t: dict[str, Any]) -> float:
    seconds = r.value(t, ("database",), "lock_timeout", (int, float), 30.0,
                      Text("a number of seconds, like 30"))
    if isinstance(seconds, bool) or not 0 < seconds <= 86400:
        r.error(("database", "lock_timeout"), Text(
            "`database.lock_timeout` must be a number of seconds above 0 and at most 86400, "
            "not {value}", value=seconds))
        return 30.0
    return float(seconds)


def absolute_sqlite_url(url: str, workspace: Path) -> str:
    """A relative SQLite path made absolute from the workspace; other URLs unchanged."""
    match = _SQLITE.fullmatch(url)
    if match is None or not match[2] or match[2].startswith(":memory:") \
            or Path(match[2]).expanduser().is_absolute():
        return url
    path = (workspace.resolve() / Path(match[2]).expanduser()).as_posix()
    return f"{match[1]}:///{path}{match[3] or ''}"


def default_database_url(workspace: Path) -> str:
    """SQLite in the workspace: ``sqlite:///<workspace>/alur.db``."""
    return f"sqlite:///{(workspace.resolve() / 'alur.db').as_posix()}"


def settings_from_text(text: str, workspace: Path, file: str = SETTINGS_FILE) -> Settings:
    """Read alur.toml text; raise ConfigError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        line, column = (int(at[1]), int(at[2])) if at else (text.count("\n") + 1, 1)
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)$", "", message)
        raise ConfigError.at(file, line, column, Text("TOML syntax error: {message}",
                                                      message=message)) from None
    r = TomlReader(file, text, TABLES)
    top = r.table(data, (), tuple(TABLES))
    tables = {name: r.table(top.get(name, {}), (name,), keys) for name, keys in TABLES.items()}
    workspace = workspace.resolve()
    webhook = tables["webhook"]
    settings = Settings(
        workspace=workspace, database_url=_database_url(r, tables["database"], workspace),
        timezone=_timezone(r, tables["calendar"]), calendar=_calendar(r, tables["calendar"]),
        reminders=_reminders(r, tables["reminders"]), email=_email(r, tables["email"]),
        webhook=WebhookSettings(
            r.text(webhook, ("webhook",), "url", "", re.compile(r"https?://\S+"),
                   Text('an http:// or https:// URL, or "" for none')),
            r.env(webhook, ("webhook",), "secret_env")),
        apprise_urls_env=r.env(tables["apprise"], ("apprise",), "urls_env"),
        lock_timeout=_lock_timeout(r, tables["database"]), web=read_web(r, tables["web"]),
        apprise_whatsapp_url=read_template(r, tables["apprise"], "whatsapp_url"),
        apprise_telegram_url=read_template(r, tables["apprise"], "telegram_url"))
    if r.problems:
        raise ConfigError(sorted(r.problems, key=lambda p: (p.line, p.column)))
    return settings


def load_settings(workspace: Path) -> Settings:
    """The workspace's alur.toml read and checked; all defaults when there is none."""
    workspace = Path(workspace).expanduser().resolve()
    path = workspace / SETTINGS_FILE
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return Settings(workspace, default_database_url(workspace))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror or str(exc) if isinstance(exc, OSError) else Text("not UTF-8 text")
        raise ConfigError.at(str(path), 1, 1, Text("cannot read the file: {reason}",
                                                   reason=reason)) from None
    return settings_from_text(text, workspace, str(path))


def resolve_database_url(settings: Settings, option: str | None) -> str:
    """--db, else ALUR_DATABASE_URL, else alur.toml, else SQLite in the workspace."""
    return option or os.environ.get(DATABASE_ENV) or settings.database_url


def build_calendar(settings: Settings) -> WorkCalendar:
    """The working-time calendar that the [calendar] settings describe."""
    from engine.calendar import WorkCalendar
    from runners.holiday_cache import cached_holidays

    c = settings.calendar
    try:
        return WorkCalendar(
            timezone=settings.timezone, hours=c.hours,
            overrides=c.overrides,
            country=c.country, categories=c.categories, extra_holidays=c.extra_holidays,
            removed_holidays=c.removed_holidays, holiday_source=cached_holidays)
    except ValueError as exc:
        file = str(settings.workspace / SETTINGS_FILE)
        problem = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
        raise ConfigError.at(file, 1, 1, Text("[calendar]: {problem}",
                                              problem=problem)) from None
