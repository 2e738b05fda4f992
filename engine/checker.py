"""Positioned checks of YAML node trees: every problem recorded with its line and column.

Shared by the SOP loader and the roster loader: a ``Checker`` collects the
problems of one file and reads scalar values the way the format wants them
(text as written, slugs, dates, booleans, durations), checking each mapping's
keys against a declared ``Section``. Every message is an ``engine.text.Text``: the YAML
keys and values the author wrote stay as written (in backticks), the rest is said in the
reader's language.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

from engine import sop_format as fmt
from engine.durations import Duration, DurationError, parse_duration
from engine.errors import Problem, did_you_mean
from engine.text import Text
from engine.yaml_tree import Node

_SLUG = re.compile(fmt.SLUG_PATTERN)
_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")


def suggest(word: str, choices: Any) -> str | None:
    """The closest of ``choices`` to ``word`` (for "did you mean"), if one is close."""
    lowered = {str(c).lower(): str(c) for c in choices}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[found[0]] if found else None


def accepted(choices: Any) -> Text:
    """``accepted: a, b, c``: the values a key takes, one message shared by every check."""
    return Text("accepted: {choices}", choices=", ".join(str(c) for c in choices))


def known_actors(slugs: Any) -> Text:
    """``actors: camat, sekcam``: the actors an SOP has, after an unknown one."""
    return Text("actors: {actors}", actors=", ".join(slugs))


_NOT_A_DATE = {  # what Python says about an impossible date, said in the reader's language
    "month must be in 1..12": Text("month must be in 1..12"),
    "day is out of range for month": Text("day is out of range for month"),
}


class Checker:
    """Collects problems for one file; every check records and carries on."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def error(self, node: Node, message: str) -> None:
        """Record an error at ``node`` (``message`` a Text)."""
        self.problems.append(Problem(self.file, node.line + 1, node.col + 1, message))

    def error_at_item(self, node: Node, message: str) -> None:
        """Record an error at a list item's `-` (or the node when it is not one)."""
        self.problems.append(Problem(self.file, node.line + 1, node.item_col + 1, message))

    def warn(self, node: Node, message: str) -> None:
        """Record a warning at ``node``."""
        self.problems.append(Problem(self.file, node.line + 1, node.item_col + 1, message, True))

    def mapping(self, node: Node, section: fmt.Section,
                where: str | None = None) -> dict[str, tuple[Node, Node]]:
        """Check a mapping's keys against ``section``; return key name -> (key, value)."""
        where = where or section.where
        if node.kind != "map":
            self.error(node, Text("{where} must be a mapping of keys ({keys}, ...), not {found}",
                                  where=where, keys=", ".join(section.names[:3]),
                                  found=node.describe()))
            return {}
        found: dict[str, tuple[Node, Node]] = {}
        unknown: list[tuple[Node, Node]] = []
        for key, value in node.pairs:
            name = key.text
            if name in found:
                self.error(key, Text("duplicate key `{key}` (first at line {line})", key=name,
                                     line=found[name][0].line + 1))
            elif section.key(name) is None:
                unknown.append((key, value))
            else:
                found[name] = (key, value)
        for key, value in unknown:
            close = suggest(key.text, [n for n in section.names if n not in found])
            if close is not None:
                self.error(key, Text("unknown key `{key}`{hint}", key=key.text,
                                     hint=did_you_mean(close)))
                found.setdefault(close, (key, value))  # check it as the key meant
            elif section is fmt.TOP:
                self.error(key, Text("unknown key `{key}`; accepted keys: {keys}", key=key.text,
                                     keys=", ".join(section.names)))
            else:
                self.error(key, Text("unknown key `{key}` in {where}; accepted keys: {keys}",
                                     key=key.text, where=where, keys=", ".join(section.names)))
        for declared in section.keys:
            if declared.required and declared.name not in found:
                if section is fmt.TOP:
                    self.error_at_item(Node("map", 0, 0), Text(
                        "missing required key `{key}` ({label})", key=declared.name,
                        label=declared.label))
                else:
                    self.error_at_item(node, Text(
                        "missing required key `{key}` ({label}) in {where}", key=declared.name,
                        label=declared.label, where=where))
        return found

    # -- scalar values ---------------------------------------------------------

    def text(self, name: str, node: Node, required: bool = False) -> str | None:
        """A text value exactly as written; None when empty and optional."""
        if node.kind != "scalar":
            self.error(node, Text("`{name}` must be text, not {found}", name=name,
                                  found=node.describe()))
            return None
        if node.is_null or not node.text.strip():
            if required:
                self.error(node, Text("`{name}` must not be empty", name=name))
            return None
        return node.text.strip()

    def texts(self, name: str, node: Node) -> tuple[str, ...]:
        """One text or a list of texts."""
        if node.kind == "scalar":
            value = self.text(name, node)
            return (value,) if value else ()
        if node.kind != "seq":
            self.error(node, Text("`{name}` must be a text or a list of texts, not a mapping",
                                  name=name))
            return ()
        values = [self.text(Text("{name} item", name=name), item) for item in node.items]
        return tuple(v for v in values if v)

    def slug(self, name: str, node: Node) -> str | None:
        """A slug such as ``pengumpulan-data-kinerja``."""
        value = self.text(name, node, required=True)
        if value is not None and not _SLUG.match(value):
            self.error(node, Text("`{name}` must be a slug (lowercase letters and digits joined "
                                  "by single hyphens, like `rapat-finalisasi`), not `{value}`",
                                  name=name, value=value))
            return None
        return value

    def choice(self, name: str, node: Node, choices: tuple[str, ...]) -> str | None:
        """One of a fixed set of words."""
        value = self.text(name, node)
        if value is None or value in choices:
            return value
        self.error(node, Text("unknown {name} `{value}`{hint} ({accepted})", name=name,
                              value=value, hint=did_you_mean(suggest(value, choices)),
                              accepted=accepted(choices)))
        return None

    def date(self, name: str, node: Node) -> dt.date | None:
        """An ISO date ``YYYY-MM-DD``."""
        value = self.text(name, node)
        if value is None:
            return None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            self.error(node, Text("`{name}` must be a date written YYYY-MM-DD (like "
                                  "2023-01-02), not `{value}`", name=name, value=value))
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            self.error(node, Text("`{name}`: {value} is not a real date ({reason})", name=name,
                                  value=value, reason=_NOT_A_DATE.get(str(exc), str(exc))))
            return None

    def boolean(self, name: str, node: Node) -> bool:
        """``true`` or ``false``."""
        if node.kind == "scalar" and node.plain and node.text in _TRUE + _FALSE:
            return node.text in _TRUE
        if not node.is_null:
            self.error(node, Text("`{name}` must be true or false, not {found}", name=name,
                                  found=node.describe()))
        return False

    def duration(self, name: str, node: Node) -> Duration | None:
        """A working-time duration (minutes as an integer, or a number and unit)."""
        value = self.text(name, node)
        if value is None:
            return None
        try:
            return parse_duration(value)
        except DurationError as exc:
            said = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
            self.error(node, Text("invalid `{name}`: {problem}", name=name, problem=said))
            return None
