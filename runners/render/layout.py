"""Flowchart layout in mm: column widths, wrapped text heights, rows and pages.

Lane k spans x in [k * lane, (k + 1) * lane); rows are as tall as their text
(wrapped with DejaVu Sans widths, the widest usual sans font) and symbols need.
A split's row keeps room under its symbol for the fork bar, a join's row room
above it for the join bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import NamedTuple

from engine.spec import DEFAULT_RESULT, END, ActivitySpec, SopSpec
from runners.i18n import N_, _
from runners.render.diagrams import arrivals, parallel_notes
from runners.render.labels import duration_text
from runners.render.labels import head as column_head
from runners.render.paint import RunPaint

PAGE_W, PAGE_H, MARGIN, CAPTION, NO_W, LANE_MIN, LANE_MAX = 297.0, 210.0, 8.0, 5.0, 7.0, 16.0, 30.0
FONT, LINE, HEAD_FONT, LABEL_FONT, BOLD, PAD_X, PAD_Y = 2.4, 2.95, 2.2, 1.9, 1.12, 1.0, 0.8
BOX_H, DIA_H, TERM_H, GAP, TOP_PAD, BOTTOM_PAD, ENTRY = 5.0, 7.5, 4.5, 3.5, 3.2, 2.8, 2.0
HEAD1, CONN_H, STEP, EDGE_CLEAR, CLEAR, DROP = 4.6, 8.0, 1.3, 0.9, 0.8, 3.0
BAR, JOIN_ROOM, FORK_ROOM = 0.8, 3.2, 1.4  # the thickness of fork and join bars, and their room
TEXT_COLS = {"uraian": (58, 38), "kelengkapan": (30, 22), "waktu": (16, 13), "output": (28, 20),
             "keterangan": (26, 18)}  # preferred and minimum widths in mm
STATES = {"done": ("#2e7d32", "#c8e6c9", N_("completed")),
          "active": ("#1565c0", "#bbdefb", N_("active")),
          "overdue": ("#c62828", "#ffcdd2", N_("overdue")),
          "not_reached": ("#757575", "#eeeeee", N_("not reached yet"))}  # line, fill, legend
SIDE_LANE = {"bottom": 0, "right": 1, "left": -1}
LINE_ATTRS = {"stroke": "#000", "stroke_width": "0.3"}
_GLYPHS = (dict.fromkeys(" ijlI.,:;'!|", 0.32) | dict.fromkeys("ftr()-/[]", 0.42)
           | dict.fromkeys("mwMW", 0.97))
Point = tuple[float, float]


def _width(text: str, size: float) -> float:
    """Estimated width of ``text`` in mm at font size ``size`` mm (DejaVu Sans widths)."""
    return size * sum(_GLYPHS.get(c, 0.73 if c.isupper() else 0.63) for c in text)


def _lines(text: str, width: float, size: float = FONT) -> int:
    """How many lines ``text`` wraps to in ``width`` mm (greedy by words, long words broken)."""
    total, space = 0, _width(" ", size)
    for paragraph in text.split("\n"):
        total, used = total + 1, 0.0
        for word in paragraph.split():
            need = _width(word, size)
            if used and used + space + need > width:
                total, used = total + 1, 0.0
            used += (space if used else 0.0) + need
            while used > width:
                total, used = total + 1, used - width
    return total


def _e(text: object) -> str:
    return escape(str(text)).replace("\n", "<br/>")


def _f(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _el(tag: str, body: str | None = None, **attrs: object) -> str:
    """An element: ``class_`` is ``class``, ``_`` is ``-``; floats and points print in mm."""
    text = "".join(f' {k.rstrip("_").replace("_", "-")}="' + (
        _f(v) if isinstance(v, float) else " ".join(f"{_f(x)},{_f(y)}" for x, y in v)
        if isinstance(v, list) else escape(str(v))) + '"' for k, v in attrs.items())
    return f"<{tag}{text}/>" if body is None else f"<{tag}{text}>{body}</{tag}>"


class _Columns(NamedTuple):  # widths in mm; the actor titles' font; header row 2
    text: dict[str, float]
    lane: float
    lanes: int
    lane_font: float
    head2: float


def _columns(spec: SopSpec) -> _Columns:
    """Fit No, Uraian, the lanes, Mutu Baku and Keterangan into the landscape page."""
    n, room = len(spec.actors), PAGE_W - 2 * MARGIN - NO_W - 0.5
    best, least = (sum(v[i] for v in TEXT_COLS.values()) for i in (0, 1))
    lane = min(LANE_MAX, max(LANE_MIN, (room - best) / n), (room - least) / n)
    share = min(1.0, max(0.0, (room - lane * n - least) / (best - least)))
    text = {k: lo + share * (hi - lo) for k, (hi, lo) in TEXT_COLS.items()}
    text["uraian"] += room - lane * n - sum(text.values())
    longest = max(_width(w, 1.0) for a in spec.actors for w in a.title.split())
    font = min(HEAD_FONT, max(1.5, (lane - 2 * PAD_X) / longest))
    head = max([_lines(a.title, lane - 2 * PAD_X, font) * font * 1.23 for a in spec.actors]
               + [_lines(column_head(k), text[k] - 2 * PAD_X, HEAD_FONT * BOLD) * HEAD_FONT * 1.23
                  for k in ("kelengkapan", "waktu", "output")])
    return _Columns(text, lane, n, font, head + 2 * PAD_Y)


def _cells(a: ActivitySpec, late: bool, notes: list[str], run_notes: Sequence[str] = (),
           ) -> list[tuple[str, list[tuple[str, str]]]]:
    """The text cells of a step's row: (column, [(css class, text), ...]); ``notes`` say
    who completes a step of several actors, where a split leads and what a join awaits;
    ``run_notes`` are the notes a painted run's tasks keep."""
    question = [("q", a.decision)] if a.decision and a.decision != a.name else []
    return [("uraian", [("name", a.name), *question]),
            ("kelengkapan", [("req", r) for r in a.requirements] or [("req", "-")]),
            ("waktu", [("dur", "-" if a.duration is None else duration_text(a.duration))]),
            ("output", [("out", a.output or "-")]),
            ("keterangan", ([("late", _("overdue"))] if late else [])
             + [("par", n) for n in notes] + ([("note", a.note.strip())] if a.note else [])
             + [("run-note", n) for n in run_notes])]


@dataclass
class _Row:
    """One activity's row: outcome targets, fixed exits, heights and place on its page."""

    act: ActivitySpec
    index: int
    lane: int
    targets: list[int | None]  # per outcome: the target row, or None for an end
    notes: list[str] = field(default_factory=list)  # parallel work, for Keterangan
    arrivals: set[int] = field(default_factory=set)  # a join: its branches' last rows
    run_notes: list[str] = field(default_factory=list)  # a painted run's task notes
    ports: dict[int, str] = field(default_factory=dict)  # outcome -> exit (next row, ends)
    block: float = 0.0  # what is stacked in the lane: Mulai, the symbol, end terminators
    below: float = 0.0  # extra room under the symbol for a third exit
    height: float = 0.0
    top: float = 0.0
    page: int = 0

    def main(self, k: int) -> bool:
        return self.targets[k] == self.index + 1 and self.ports.get(k) == "bottom"

    @property
    def above(self) -> float:
        """Room above the symbol: the join bar's (JOIN_ROOM) in a join's row."""
        return JOIN_ROOM if self.arrivals else 0.0

    @property
    def entry(self) -> float:
        """How far above the symbol arrows come in (turn down to it): in a join's row, the
        join bar's height, clear above where a rework loop into it comes in (ENTRY)."""
        return ENTRY + (2.0 if self.arrivals else 0.0)


def _plan(spec: SopSpec, cols: _Columns, paint: RunPaint | None) -> list[_Row]:
    """Rows with their targets, fixed exits (next row at the bottom, ends) and heights."""
    index, lanes = {a.id: i for i, a in enumerate(spec.activities)}, [a.slug for a in spec.actors]
    rows = []
    for i, a in enumerate(spec.activities):
        row = _Row(a, i, lanes.index(a.actor), [None if o.target == END else index[o.target]
                                                for o in a.outcomes], parallel_notes(spec, a),
                   {index[b.id] for b in arrivals(spec, a.id)})
        others = [lanes.index(s) for s in a.actors[1:]]  # an end's exit must not cross them
        sides = (["bottom"] + ["right"] * (row.lane < cols.lanes - 1 and not any(
            k > row.lane for k in others)) + ["left"] * (row.lane > 0 and not any(
                k < row.lane for k in others)))
        row.ports = {k: "bottom" for k, t in enumerate(row.targets) if t == i + 1}
        for k in (k for k, t in enumerate(row.targets) if t is None):
            row.ports[k] = next((s for s in sides if s not in row.ports.values()), "bottom")
        late = bool(paint and paint.states.get(a.id) == "overdue")
        row.run_notes = list(paint.notes.get(a.id, ())) if paint else []
        text = max(sum(_lines(t, cols.text[c] - 2 * PAD_X) for _, t in paras)
                   for c, paras in _cells(a, late, row.notes, row.run_notes))
        ends = [TERM_H + GAP + 2.2 * (o.result not in (None, DEFAULT_RESULT))
                for o in a.outcomes if o.target == END]
        row.block = ((TERM_H + GAP if i == 0 else 0.0) + (DIA_H if a.is_decision else BOX_H)
                     + max(ends, default=0.0) + row.above)
        row.below = (DROP + FORK_ROOM if a.split else DROP + LABEL_FONT if len(a.outcomes) > 2
                     else 0.0)
        row.height = max(11.0, text * LINE + 2 * PAD_Y + 0.6,
                         row.block + TOP_PAD + BOTTOM_PAD + row.below)
        rows.append(row)
    return rows


def _paginate(rows: list[_Row], room: float) -> list[list[_Row]]:
    """Split rows into pages; a page that hands the flow on keeps room for connector rows."""
    used, pages = 0.0, [list[_Row]()]
    for row in rows:
        flows = row.index + 1 < len(rows) and row.index + 1 in row.targets
        if pages[-1] and used + row.height + (CONN_H if flows else 0.0) > room:
            pages.append([])
            used = CONN_H if row.index in rows[row.index - 1].targets else 0.0
        pages[-1].append(row)
        row.page, row.top, used = len(pages) - 1, used, used + row.height
    return pages
