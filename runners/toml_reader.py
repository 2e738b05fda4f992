"""Reading TOML with places: tomllib gives values without positions, so this finds them.

``key_places`` scans the text for table headers, ``key =`` lines and the keys
of inline tables, each resolved to its full path (arrays of tables counted);
``TomlReader`` checks values and reports each problem at its key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from types import MappingProxyType
from typing import Any

from engine.checker import suggest
from engine.errors import Problem
from engine.text import Text

Span = tuple[time, time]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TomlPath = tuple[str | int, ...]
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TEXT = Text("text")  # what a value must be when nothing more is said
_SPAN = re.compile(r"\s*(\d{1,2}):(\d{2})\s*[-\u2013]\s*(\d{1,2}):(\d{2})\s*")

# -- where keys are in the text ----------------------------------------------------

_HEADER = re.compile(r"\s*(\[\[?)([^\]]+)\]")
_BARE = r'(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')'
_KEY = re.compile(rf"\s*({_BARE}(?:\s*\.\s*{_BARE})*)\s*=")
_INLINE_KEY = re.compile(rf"[{{,]\s*({_BARE})\s*=")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(a or b or c for a, b, c in
                 re.findall(r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)', dotted))


def _open_brackets(segment: str, depth: int) -> tuple[int, str | None]:
    """Bracket depth after ``segment`` (strings and comments skipped), and an open '''/\"\"\"."""
    i = 0
    while i < len(segment):
        char = segment[i]
        if char == "#":
            break
        if segment.startswith(('"""', "'''"), i):
            end = segment.find(segment[i:i + 3], i + 3)
            if end < 0:
                return depth, segment[i:i + 3]
            i = end + 3
            continue
        if char in "\"'":
            match = re.compile(r'"(?:\\.|[^"\\])*"|\'[^\']*\'').match(segment, i)
            i = match.end() if match else len(segment)
            continue
        depth += (char in "[{") - (char in "]}")
        i += 1
    return depth, None


def key_places(text: str) -> dict[TomlPath, tuple[int, int]]:
    """Every table and key of a TOML text by full path -> 1-based (line, column)."""
    places: dict[TomlPath, tuple[int, int]] = {}
    counts: dict[TomlPath, int] = {}
    table: TomlPath = ()
    depth, quote = 0, None

    def resolve(parts: tuple[str, ...]) -> TomlPath:
        path: TomlPath = ()
        for part in parts:
            path += (part,)
            if path in counts:
                path += (counts[path],)
        return path

    for number, line in enumerate(text.splitlines(), start=1):
        if quote is not None:
            if quote in line:
                depth, quote = _open_brackets(line[line.index(quote) + 3:], depth)
            continue
        if depth > 0:
            depth, quote = _open_brackets(line, depth)
            continue
        header, key = _HEADER.match(line), _KEY.match(line)
        if header is not None and key is None:
            parts = _parts(header[2])
            if header[1] == "[[":
                base = resolve(parts[:-1]) + parts[-1:]
                counts[base] = counts.get(base, -1) + 1
                table = (*base, counts[base])
            else:
                table = resolve(parts)
            places.setdefault(table, (number, header.start(1) + 1))
        elif key is not None:
            path = table + _parts(key[1])
            places.setdefault(path, (number, key.start(1) + 1))
            for inner in _INLINE_KEY.finditer(line, key.end()):
                places.setdefault((*path, *_parts(inner[1])), (number, inner.start(1) + 1))
            depth, quote = _open_brackets(line[key.end():], 0)
    return places


# -- reading values ----------------------------------------------------------------

def describe(value: Any) -> str:
    """How a user would name a TOML value (a message)."""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return Text('the text "{value}"', value=value)
    if isinstance(value, int | float):
        return Text("the number {value}", value=value)
    if isinstance(value, datetime | date | time):
        return f"`{value.isoformat()}`"
    return Text("a table") if isinstance(value, dict) else Text("a list")


def label(path: TomlPath) -> str:
    """``calendar.timezone``, or ``hours.mon of [[calendar.override]] 2`` (a message)."""
    for index, part in enumerate(path):
        if isinstance(part, int):
            head = ".".join(str(p) for p in path[:index])
            tail = ".".join(str(p) for p in path[index + 1:])
            if tail:
                return Text("`{key}` of [[{table}]] {n}", key=tail, table=head, n=part + 1)
            return Text("[[{table}]] {n}", table=head, n=part + 1)
    return "`" + ".".join(str(p) for p in path) + "`"


def did_you_mean(close: str | None) -> str:
    """``, did you mean `close`?`` after an unknown name; empty without a close one."""
    return Text(", did you mean `{close}`?", close=close) if close else ""


class TomlReader:
    """Collects problems, each placed at its key (or the nearest enclosing one)."""

    def __init__(self, file: str, text: str,
                 homes: Mapping[str, Sequence[str]] | None = None) -> None:
        self.file, self.lines = file, text.splitlines()
        self.homes = homes or {}  # table -> its keys, to say where a stray key belongs
        self.places = key_places(text)
        self.problems: list[Problem] = []

    def error(self, path: TomlPath, message: str, needle: str | None = None) -> None:
        place = next((self.places[path[:n]] for n in range(len(path), 0, -1)
                      if path[:n] in self.places), (1, 1))
        if needle is not None:  # a list item: the first place its text appears after the key
            for number in range(place[0], min(place[0] + 30, len(self.lines) + 1)):
                start = place[1] - 1 if number == place[0] else 0
                column = self.lines[number - 1].find(needle, start)
                if column >= 0:
                    place = (number, column + 1)
                    break
        self.problems.append(Problem(self.file, place[0], place[1], message))

    def table(self, value: Any, path: TomlPath, accepted: Sequence[str]) -> dict[str, Any]:
        """A table whose keys are all in ``accepted`` (unknown ones are reported)."""
        if not isinstance(value, dict):
            self.error(path, Text("{key} must be a table, not {value}", key=label(path),
                                  value=describe(value)))
            return {}
        for key in (k for k in value if k not in accepted):
            close = suggest(key, accepted)
            home = next((t for t, keys in self.homes.items()
                         if key in keys and (t,) != path), None)
            hint: str
            if close is not None:
                hint = did_you_mean(close)
            elif home is not None:
                hint = Text("; it belongs in [{home}] (accepted here: {accepted})", home=home,
                            accepted=", ".join(accepted))
            else:
                hint = Text("; accepted: {accepted}", accepted=", ".join(accepted))
            where: str = "" if not path else Text(" in {table}", table=label(path)) \
                if any(isinstance(p, int) for p in path) else \
                Text(" in {table}", table=f"[{'.'.join(map(str, path))}]")
            self.error((*path, key), Text("unknown key `{key}`{where}{hint}", key=key,
                                          where=where, hint=hint))
        return value

    def value(self, table: dict[str, Any], path: TomlPath, key: str, kind: type | tuple[type, ...],
              default: Any, accepted: str) -> Any:
        """The value of ``key`` if it has the right type, else the default (and a problem)."""
        if key not in table:
            return default
        value = table[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            self.error((*path, key), Text("{key} must be {accepted}, not {value}",
                                          key=label((*path, key)), accepted=accepted,
                                          value=describe(value)))
            return default
        return value

    def text(self, table: dict[str, Any], path: TomlPath, key: str, default: str,
             pattern: re.Pattern[str] | None = None, accepted: str = TEXT) -> str:
        """A string, optionally matching ``pattern`` (the empty string always passes)."""
        value: str = self.value(table, path, key, str, default, accepted)
        if pattern is not None and value and not pattern.fullmatch(value):
            self.error((*path, key), Text('{key} must be {accepted}, not "{value}"',
                                          key=label((*path, key)), accepted=accepted,
                                          value=value))
            return default
        return value

    def choices(self, table: dict[str, Any], path: TomlPath, key: str, default: tuple[str, ...],
                allowed: Sequence[str]) -> tuple[str, ...]:
        """A list of words, each one of ``allowed``."""
        values = self.value(table, path, key, list, None,
                            Text("a list of {choices}", choices=", ".join(allowed)))
        if values is None:
            return default
        result: list[str] = []
        for item in values:
            if not isinstance(item, str) or item not in allowed:
                close = suggest(str(item), allowed) if isinstance(item, str) else None
                self.error((*path, key), Text(
                    "{key}: {value} is not accepted{hint} (accepted: {accepted})",
                    key=label((*path, key)), value=describe(item), hint=did_you_mean(close),
                    accepted=", ".join(allowed)), str(item))
            elif item in result:
                self.error((*path, key), Text("{key}: `{item}` is listed twice",
                                              key=label((*path, key)), item=item), item)
            else:
                result.append(item)
        return tuple(result)

    def day(self, value: Any, path: TomlPath, needle: str | None = None) -> date | None:
        """A date written 2026-07-02 (bare or quoted)."""
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                self.error(path, Text("{key}: {value} is not a real date", key=label(path),
                                      value=value), needle)
                return None
        self.error(path, Text('{key} must be a date written YYYY-MM-DD (like "2026-07-02"), '
                              "not {value}", key=label(path), value=describe(value)), needle)
        return None

    def days(self, table: dict[str, Any], path: TomlPath, key: str) -> tuple[date, ...]:
        """A list of dates."""
        values = self.value(table, path, key, list, [],
                            Text('a list of dates like ["2026-07-02"]'))
        found = (self.day(v, (*path, key), str(v)) for v in values)
        return tuple(sorted({d for d in found if d is not None}))

    def spans(self, value: Any, path: TomlPath) -> tuple[Span, ...]:
        """A weekday's office hours: a list of "HH:MM-HH:MM" spans, in order."""
        if not isinstance(value, list):
            self.error(path, Text('{key} must be a list of spans like ["07:30-12:00", '
                                  '"13:00-16:00"], not {value}', key=label(path),
                                  value=describe(value)))
            return ()
        spans: list[Span] = []
        for item in value:
            match = _SPAN.fullmatch(item) if isinstance(item, str) else None
            numbers = [int(n) for n in match.groups()] if match else [99, 0, 0, 0]
            if max(numbers[0], numbers[2]) > 23 or max(numbers[1], numbers[3]) > 59:
                self.error(path, Text('{key}: {value} is not a span of office hours; write '
                                      '"HH:MM-HH:MM" with times from 00:00 to 23:59, like '
                                      '"07:30-12:00"', key=label(path), value=describe(item)),
                           str(item))
                continue
            start, end = time(numbers[0], numbers[1]), time(numbers[2], numbers[3])
            if end <= start:
                self.error(path, Text('{key}: in "{span}" the end must be after the start',
                                      key=label(path), span=item), str(item))
            elif spans and start < spans[-1][1]:
                self.error(path, Text('{key}: "{span}" overlaps the span before it or comes '
                                      "before it; list the spans from morning to afternoon",
                                      key=label(path), span=item), str(item))
            else:
                spans.append((start, end))
        return tuple(spans)

    def week(self, value: Any, path: TomlPath, base: Mapping[str, tuple[Span, ...]]
             ) -> Mapping[str, tuple[Span, ...]]:
        """Weekday -> spans; the days not given keep ``base``."""
        table = self.table(value, path, WEEKDAYS)
        hours = dict(base)
        hours.update({day: self.spans(table[day], (*path, day)) for day in WEEKDAYS
                      if day in table})
        return MappingProxyType(hours)


    def one_of(self, table: dict[str, Any], path: TomlPath, key: str, default: str,
               allowed: Sequence[str]) -> str:
        """One word of ``allowed``."""
        value = self.text(table, path, key, default,
                          accepted=Text("one of {choices}", choices=", ".join(allowed)))
        if value in allowed:
            return value
        self.error((*path, key), Text('{key}: unknown "{value}"{hint} (accepted: {accepted})',
                                      key=label((*path, key)), value=value,
                                      hint=did_you_mean(suggest(value, allowed)),
                                      accepted=", ".join(allowed)))
        return default

    def env(self, table: dict[str, Any], path: TomlPath, key: str) -> str:
        """The name of an environment variable holding a secret, or empty."""
        return self.text(table, path, key, "", ENV_NAME, Text(
            "the name of an environment variable (like ALUR_SMTP_PASSWORD) or empty; the "
            "secret itself stays out of this file"))
