"""Plain-text tables for people, fitted to the terminal's width.

Every table the CLI prints goes through ``table`` (a header row and rows) or ``pairs``
(label and value). The width is ``COLUMNS`` when set, else the terminal's, else 80 (output
to a file or a pipe). A table that does not fit as it is wraps its long text columns within
their cells, and below a width drops the columns its command marks as secondary
(``Column(keep_from=...)``); the essential ones always stay.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

GAP = 2  # spaces between two columns
FALLBACK_WIDTH = 80
NARROWEST = 4  # no column is wrapped narrower than this (unless its text is)
WORD = 14  # a word up to this long is not broken while the table can fit otherwise
_BREAKS = re.compile(r"\s+|(?<=-)")


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header; the narrowest it is wrapped to (never narrower than its
    header's longest word, nor, up to ``WORD``, than its text's; a column whose text is
    shorter keeps that width); from which terminal width it is shown (0: always, an
    essential column); its share of the room left (``weight``: 2 grows twice as wide); and
    the widest it grows (``most``), for a column of short values under a long header."""

    header: str
    least: int = 10
    keep_from: int = 0
    weight: int = 1
    most: int = 0  # the widest it grows (0: as wide as its text); its header wraps to fit


def terminal_width() -> int:
    """``COLUMNS`` when it is a positive number, else the terminal's width, else 80."""
    given = os.environ.get("COLUMNS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        if sys.stdout.isatty():
            return os.get_terminal_size(sys.stdout.fileno()).columns
    except (AttributeError, OSError, ValueError):
        pass
    return FALLBACK_WIDTH


def short_time(value: dt.datetime | None, tz: dt.tzinfo, now: dt.datetime | None = None) -> str:
    """A local time for a table cell: ``05-01 08:00`` (day-month) in the year of ``now``,
    ``2025-12-30 08:00`` in another year or without ``now``; ``-`` when there is none."""
    if value is None:
        return "-"
    local = value.astimezone(tz)
    same_year = now is not None and now.astimezone(tz).year == local.year
    return local.strftime("%d-%m %H:%M" if same_year else "%Y-%m-%d %H:%M")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of ``text`` at most ``width`` long: its own lines, each wrapped at spaces,
    after hyphens, and through a word longer than the width."""
    lines: list[str] = []
    for line in text.split("\n"):
        lines += textwrap.wrap(line, max(1, width), break_long_words=True,
                               break_on_hyphens=True) or [""]
    return lines


def _longest_word(text: str) -> int:
    """The longest piece of ``text`` that wrapping keeps whole (it breaks after hyphens)."""
    return max((len(w) for w in _BREAKS.split(text)), default=0)


def _widths(natural: list[int], least: list[int], weight: list[int], room: int) -> list[int]:
    """Each column's width: its natural width when all fit, else the widest cap (times the
    column's weight) such that no column is narrower than ``least`` and the total is
    ``room`` (water filling: short columns keep their width, long ones share the rest)."""
    if sum(natural) <= room:
        return natural
    if sum(least) >= room:
        return least
    columns = list(zip(natural, least, weight, strict=True))
    low, high = 0, max(natural)
    while low < high:  # the largest cap whose total still fits
        cap = (low + high + 1) // 2
        if sum(min(n, max(m, cap * w)) for n, m, w in columns) <= room:
            low = cap
        else:
            high = cap - 1
    widths = [min(n, max(m, low * w)) for n, m, w in columns]
    spare = room - sum(widths)
    for i in sorted(range(len(widths)), key=lambda k: -natural[k] * weight[k]):
        extra = min(spare, natural[i] - widths[i])  # what rounding left, to the widest
        widths[i] += extra
        spare -= extra
    return widths


def _fit(columns: list[Column], cells: list[list[str]], width: int,
         ) -> tuple[list[int], list[int]]:
    """The kept columns (indexes) and their widths: secondary columns dropped below their
    ``keep_from``, then, while the rest cannot fit, the one kept from the widest width; when
    the essential ones alone do not fit, they are all wrapped narrower."""
    kept = [i for i, c in enumerate(columns) if c.keep_from <= width]
    while True:
        natural, least = [], []
        for i in kept:
            head = columns[i].header
            natural.append(max(len(x) for t in [head, *(row[i] for row in cells)]
                               for x in t.split("\n")))
            if columns[i].most:
                natural[-1] = min(natural[-1], max(columns[i].most, _longest_word(head)))
            words = max(_longest_word(t) for t in [head, *(row[i] for row in cells)])
            least.append(min(natural[-1], max(columns[i].least, _longest_word(head),
                                              min(words, WORD))))
        room = width - GAP * (len(kept) - 1)
        optional = [i for i in kept if columns[i].keep_from]
        if sum(least) <= room or not optional:
            break
        kept.remove(max(optional, key=lambda i: (columns[i].keep_from, i)))
    if sum(least) > room:  # too narrow even so: wrap every column narrower, alike
        least = [min(n, max(NARROWEST, _longest_word(columns[i].header), m * room // sum(least)))
                 for i, n, m in zip(kept, natural, least, strict=True)]
    return kept, _widths(natural, least, [columns[i].weight for i in kept], room)


def _lines(cells: list[str], widths: list[int]) -> list[str]:
    wrapped = [_wrap(c, w) for c, w in zip(cells, widths, strict=True)]
    out = []
    for k in range(max(len(w) for w in wrapped)):
        parts = [(w[k] if k < len(w) else "").ljust(width) for w, width in
                 zip(wrapped, widths, strict=True)]
        out.append((" " * GAP).join(parts).rstrip())
    return out


def table(columns: Sequence[Column | str], rows: Sequence[Sequence[Any]],
          width: int | None = None, widths: Sequence[int | None] | None = None) -> str:
    """A table with a header row and a rule under it, fitted to ``width`` (default: the
    terminal's): long cells wrap, secondary columns are dropped when too narrow. Without
    columns, label and value rows (``pairs``). ``widths`` is ignored: the terminal decides
    now (kept for callers written before)."""
    del widths
    if not columns:
        return pairs([(str(row[0]), row[1]) for row in rows], width)
    cols = [c if isinstance(c, Column) else Column(c) for c in columns]
    cells = [[_text(v) for v in row] for row in rows]
    kept, widths = _fit(cols, cells, width or terminal_width())
    lines = _lines([cols[i].header for i in kept], widths)
    lines.append((" " * GAP).join("-" * w for w in widths))
    for row in cells:
        lines += _lines([row[i] for i in kept], widths)
    return "\n".join(lines)


def pairs(rows: Sequence[tuple[str, Any]], width: int | None = None) -> str:
    """Labels and their values, the values wrapped to the rest of ``width``."""
    cells = [[label, _text(value)] for label, value in rows]
    label = max((len(c[0]) for c in cells), default=0)
    value = max(NARROWEST * 3, (width or terminal_width()) - label - GAP)
    return "\n".join(line for row in cells for line in _lines(row, [label, value]))
