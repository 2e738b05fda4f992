"""Positioned checks of YAML node trees: every problem recorded with its line and column.

Shared by the SOP loader and the roster loader: a ``Checker`` collects the
problems of one file and reads scalar values the way the format wants them
(text as written, slugs, dates, booleans, durations), checking each mapping's
keys against a declared ``Section``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

from engine import sop_format as fmt
from engine.durations import Duration, DurationError, parse_duration
from engine.errors import Problem
from engine.yaml_tree import Node

_SLUG = re.compile(fmt.SLUG_PATTERN)
_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")


def suggest(word: str, choices: Any) -> str | None:
    """The closest of ``choices`` to ``word`` (for "did you mean"), if one is close."""
    lowered = {str(c).lower(): str(c) for c in choices}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[found[0]] if found else None


class Checker:
    """Collects problems for one file; every check records and carries on."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def error(self, node: Node, message: str) -> None:
        """Record an error at ``node``."""
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
            self.error(node, f"{where} must be a mapping of keys "
                             f"({', '.join(section.names[:3])}, ...), not {node.describe()}")
            return {}
        found: dict[str, tuple[Node, Node]] = {}
        unknown: list[tuple[Node, Node]] = []
        for key, value in node.pairs:
            name = key.text
            if name in found:
                self.error(key, f"duplicate key `{name}` (first at line {found[name][0].line + 1})")
            elif section.key(name) is None:
                unknown.append((key, value))
            else:
                found[name] = (key, value)
        for key, value in unknown:
            close = suggest(key.text, [n for n in section.names if n not in found])
            if close is not None:
                self.error(key, f"unknown key `{key.text}`, did you mean `{close}`?")
                found.setdefault(close, (key, value))  # check it as the key meant
            else:
                place = "" if section is fmt.TOP else f" in {where}"
                self.error(key, f"unknown key `{key.text}`{place}; accepted keys: "
                                f"{', '.join(section.names)}")
        for declared in section.keys:
            if declared.required and declared.name not in found:
                place = "" if section is fmt.TOP else f" in {where}"
                spot = Node("map", 0, 0) if section is fmt.TOP else node
                self.error_at_item(spot, f"missing required key `{declared.name}` "
                                 f"({declared.label}){place}")
        return found

    # -- scalar values ---------------------------------------------------------

    def text(self, name: str, node: Node, required: bool = False) -> str | None:
        """A text value exactly as written; None when empty and optional."""
        if node.kind != "scalar":
            self.error(node, f"`{name}` must be text, not {node.describe()}")
            return None
        if node.is_null or not node.text.strip():
            if required:
                self.error(node, f"`{name}` must not be empty")
            return None
        return node.text.strip()

    def texts(self, name: str, node: Node) -> tuple[str, ...]:
        """One text or a list of texts."""
        if node.kind == "scalar":
            value = self.text(name, node)
            return (value,) if value else ()
        if node.kind != "seq":
            self.error(node, f"`{name}` must be a text or a list of texts, not a mapping")
            return ()
        values = [self.text(f"{name} item", item) for item in node.items]
        return tuple(v for v in values if v)

    def slug(self, name: str, node: Node) -> str | None:
        """A slug such as ``pengumpulan-data-kinerja``."""
        value = self.text(name, node, required=True)
        if value is not None and not _SLUG.match(value):
            self.error(node, f"`{name}` must be a slug (lowercase letters and digits joined by "
                             f"single hyphens, like `rapat-finalisasi`), not `{value}`")
            return None
        return value

    def choice(self, name: str, node: Node, choices: tuple[str, ...]) -> str | None:
        """One of a fixed set of words."""
        value = self.text(name, node)
        if value is None or value in choices:
            return value
        close = suggest(value, choices)
        hint = f", did you mean `{close}`?" if close else ""
        self.error(node, f"unknown {name} `{value}`{hint} (accepted: {', '.join(choices)})")
        return None

    def date(self, name: str, node: Node) -> dt.date | None:
        """An ISO date ``YYYY-MM-DD``."""
        value = self.text(name, node)
        if value is None:
            return None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            self.error(node, f"`{name}` must be a date written YYYY-MM-DD (like 2023-01-02), "
                             f"not `{value}`")
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            self.error(node, f"`{name}`: {value} is not a real date ({exc})")
            return None

    def boolean(self, name: str, node: Node) -> bool:
        """``true`` or ``false``."""
        if node.kind == "scalar" and node.plain and node.text in _TRUE + _FALSE:
            return node.text in _TRUE
        if not node.is_null:
            self.error(node, f"`{name}` must be true or false, not {node.describe()}")
        return False

    def duration(self, name: str, node: Node) -> Duration | None:
        """A working-time duration (minutes as an integer, or a number and unit)."""
        value = self.text(name, node)
        if value is None:
            return None
        try:
            return parse_duration(value)
        except DurationError as exc:
            self.error(node, f"invalid `{name}`: {exc}")
            return None
