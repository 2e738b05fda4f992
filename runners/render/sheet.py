"""The SVG of one flowchart page: the five symbols, arrows routed around what is drawn.

A step done by several actors (``complete: each`` or ``any``) has a symbol in every acting
column (dashed for ``any``); the flow's arrows enter and leave the responsible (first)
actor's symbol only, and a dashed line joins the others to it, as for attendees. On paper
one row is one step: it is entered once and left once, when it is complete (by all for
``each``, by one for ``any``). An arrow into and out of every symbol would draw the row as
parallel branches of its own, which is what the fork and join bars alone mean: a split's
branches all leave through a thick bar under its symbol, and the last steps of the
branches all come down onto a bar over the join's symbol, which one arrow then enters.
"""

from __future__ import annotations

from html import escape
from typing import NamedTuple

from engine.spec import ANY, DEFAULT_RESULT, EACH, ActivitySpec
from runners.i18n import _
from runners.render.layout import (
    BAR,
    BOX_H,
    CLEAR,
    CONN_H,
    DIA_H,
    DROP,
    EDGE_CLEAR,
    ENTRY,
    GAP,
    HEAD1,
    LABEL_FONT,
    LINE_ATTRS,
    NO_W,
    SIDE_LANE,
    STATES,
    STEP,
    TERM_H,
    Point,
    _Columns,
    _el,
    _f,
    _Row,
    _width,
)
from runners.render.paint import RunPaint, StepState


class _Place(NamedTuple):  # a drawn symbol; arrows come in by turning down at entry
    cx: float
    cy: float
    hw: float
    hh: float
    entry: float

    def port(self, side: str) -> Point:  # where an arrow leaves, or comes in at the top
        dx, dy = {"bottom": (0, 1), "top": (0, -1), "right": (1, 0), "left": (-1, 0)}[side]
        return self.cx + dx * self.hw, self.cy + dy * self.hh


class _Sheet:
    """The SVG of one flowchart page: symbols, arrows, and what blocks a vertical track."""

    def __init__(self, cols: _Columns, rows: list[_Row], paint: RunPaint | None,
                 actors: list[str]) -> None:
        self.cols, self.rows, self.paint, self.actors = cols, rows, paint, actors
        self.lines: list[str] = []  # drawn first, then shapes, then labels
        self.shapes: list[str] = []
        self.labels: list[str] = []
        self.blocked: dict[int, list[tuple[float, float, str]]] = {r.index: [] for r in rows}
        self.tracks: list[tuple[float, float, float]] = []  # x, from y, to y
        self.places: dict[int, _Place] = {}
        self.used: dict[int, set[str]] = {}  # the exits a symbol already uses
        self.rows_by: dict[int, _Row] = {}  # every row of the document, by index
        self.forks: dict[int, list[float]] = {}  # a split's row: the x of its branches' drops
        self.joined: dict[int, list[float]] = {}  # a join's row: where its arrivals come down
        self.width, self.height = cols.lane * cols.lanes, rows[-1].top + rows[-1].height

    def block(self, row: int, lo: float, hi: float, tag: str = "") -> None:  # "v": tracks only
        self.blocked[row].append((lo - CLEAR, hi + CLEAR, tag))

    def symbol(self, row: _Row) -> None:
        """Draw a row's symbols: one per acting actor (the responsible one first), the
        attendees' small boxes, and the dashed line joining them."""
        a, lane = row.act, self.cols.lane
        step = self.paint.states.get(a.id, "not_reached") if self.paint else None
        own = self.paint.actor_states.get(a.id, {}) if self.paint else {}
        hw = min(lane * 0.36, 8.0) if a.is_decision else min(lane * 0.32, 9.0)
        top = (row.top + (row.height - row.block - row.below) / 2 + row.above
               + (TERM_H + GAP) * (row.index == 0))
        h = (DIA_H if a.is_decision else BOX_H) / 2
        x, y = (row.lane + 0.5) * lane, top + h
        if len(a.actors) > 1:
            xs = [(self.actors.index(s) + 0.5) * lane for s in a.actors]
            self.lines.append(_el("line", class_="join", x1=min(xs), y1=y, x2=max(xs), y2=y,
                                  stroke=STATES[step][0] if step else "#000", stroke_width="0.3",
                                  stroke_dasharray="0.8 0.6"))
            self.block(row.index, min(xs), max(xs))
        for n, slug in enumerate(a.actors):
            cx = (self.actors.index(slug) + 0.5) * lane
            if slug in a.acting:
                self.acting(a, n, own.get(slug, step), cx, y, hw, h)
                self.block(row.index, cx - hw, cx + hw, f"self:{row.index}" if n == 0 else "")
            else:
                self.shapes.append(_el("rect", class_="symbol process attendee" + _cls(step),
                                       data_role="attendee", data_actor=slug, **_look(a, step),
                                       x=cx - hw * 0.7, y=y - BOX_H * 0.35, width=hw * 1.4,
                                       height=BOX_H * 0.7))
                self.block(row.index, cx - hw * 0.7, cx + hw * 0.7)
        self.places[row.index] = _Place(x, y, hw, h, y - h - row.entry)
        self.used[row.index] = set(row.ports.values())

    def acting(self, a: ActivitySpec, n: int, state: StepState | None, x: float, y: float,
               hw: float, h: float) -> None:
        """The process box or decision diamond of the ``n``-th actor of ``a``: dashed when
        any of them may complete it; with the three bars of a multi-instance task (BPMN's
        marker) when each holder of its one role does the step."""
        look = {"class_": f"symbol {'decision' if a.is_decision else 'process'}"
                + (f" {a.complete}" if a.complete in (ANY, EACH) else "") + _cls(state),
                "data_role": "responsible" if n == 0 else "acting", "data_actor": a.actors[n],
                **_look(a, state)} | ({"stroke_dasharray": "1.2 0.7"} if a.complete == ANY else {})
        if a.is_decision:
            self.shapes.append(_el("polygon", _el("title", escape(a.question)), **look, points=(
                [(x, y - h), (x + hw, y), (x, y + h), (x - hw, y)])))
        else:
            self.shapes.append(_el("rect", _el("title", escape(a.name)), **look, x=x - hw,
                                   y=y - h, width=2 * hw, height=2 * h))
        if a.complete == EACH and len(a.actors) == 1:
            bars = " ".join(f"M{_f(x + dx)} {_f(y + h - 2.1)}v1.5" for dx in (-0.9, 0.0, 0.9))
            self.shapes.append(_el("path", class_="instances", d=bars, stroke=look["stroke"],
                                   stroke_width="0.35", fill="none"))

    def terminator(self, row: int, cx: float, top: float, result: str | None) -> float:
        """Draw a start (Mulai) or end (Selesai) capsule with its top at ``top``, the author's
        result under the end's word; returns its bottom."""
        words = [_("Start")] if result is None else [_("End"), f"({result})"][
            : 1 + (result != DEFAULT_RESULT)]
        h, room = TERM_H + 2.2 * (len(words) > 1), self.cols.lane - 1.6
        size = min(2.1, max(1.3, (room - 1.6) / max(_width(w, 1.0) for w in words)))
        w = min(room, max(_width(t, size) for t in words) + 3.0)
        first = top + h / 2 - size * 0.6 * (len(words) - 1) + size * 0.36
        text = "".join(_el("text", escape(t), x=cx, y=first + k * size * 1.2, font_size=size,
                           text_anchor="middle") for k, t in enumerate(words))
        capsule = _el("rect", x=cx - w / 2, y=top, width=w, height=h, rx=h / 2, fill="#fff",
                      **LINE_ATTRS)
        self.shapes.append(_el("g", capsule + text, class_="symbol terminator",
                               data_end=result or "mulai"))
        self.block(row, cx - w / 2, cx + w / 2)
        return top + h

    def arrow(self, points: list[Point], kind: str, ends: tuple[str, str] | None = None) -> None:
        """An arrow along ``points``; ``ends``: the ids of the steps it leads from and to."""
        link = {"data_from": ends[0], "data_to": ends[1]} if ends else {}
        self.lines.append(_el("polyline", class_=f"arrow {kind}", **link, points=points,
                              fill="none", **LINE_ATTRS))
        (x0, y0), (x1, y1) = points[-2], points[-1]
        length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-6)
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        base = [(x1 - 1.5 * ux + s * 0.7 * uy, y1 - 1.5 * uy - s * 0.7 * ux) for s in (1, -1)]
        self.shapes.append(_el("polygon", class_="arrowhead", points=[*base, (x1, y1)]))

    def label(self, row: _Row, k: int, side: str, corner: Point | None = None) -> None:
        """A decision's outcome label: above a side exit, beside a bottom one, or at ``corner``."""
        if not row.act.is_decision or (text := row.act.outcomes[k].label) is None:
            return
        (x, y), w = self.places[row.index].port(side), _width(text, LABEL_FONT) + 0.6
        x, y = corner or ((x + 0.9, y + LABEL_FONT * 1.05) if side == "bottom" else
                          (x + 0.8 if side == "right" else x - 0.8 - w, y - 0.7))
        x = min(max(x, 0.3), self.width - w - 0.3)
        self.block(row.index, x, x + w, "v")
        ground = _el("rect", class_="label-bg", x=x, y=y - LABEL_FONT * 0.85, width=w,
                     height=LABEL_FONT * 1.1, fill="#fff")
        self.labels.append(ground + _el("text", escape(text), class_="label", data_step=row.act.id,
                                        x=x + 0.3, y=y, font_size=LABEL_FONT))

    def free(self, x: float, lo: float, hi: float, skip: int, span: Point | None,
             into: int | None = None) -> bool:
        """Can a vertical track run at x from lo to hi, reached along ``span`` in row ``skip``
        (None: under everything drawn in that row, as a fork's branches are)? Coming down
        into row ``into``, it stops above the symbols there: only other tracks block it."""
        for row in (r for r in self.rows if lo <= r.top + r.height and r.top <= hi):
            for a, b, tag in self.blocked[row.index]:
                if (a < x < b and (row.index != into or tag == "v")) or (
                        row.index == skip and span and tag not in (f"self:{skip}", "v")
                        and a < span[1] and b > span[0]):
                    return False
        return all(abs(x - tx) > STEP - 0.01 or t1 < lo - 1 or t0 > hi + 1
                   for tx, t0, t1 in self.tracks)

    def track(self, row: _Row, k: int, target: _Place, kind: str = "track") -> float:
        """Route a jump or loop along a free track (past the target, right first) into its top;
        a split's branch leaves from the bottom, through the fork bar. Returns the track's x."""
        place, label, fork = self.places[row.index], row.act.outcomes[k].label, row.act.split
        room = _width(label, LABEL_FONT) + 1.8 if row.act.is_decision and label else 1.2
        xs = [lane * self.cols.lane + EDGE_CLEAR + j * STEP for lane in range(self.cols.lanes)
              for j in range(int((self.cols.lane - 2 * EDGE_CLEAR) / STEP) + 1)]
        if fork:  # a branch drops from the fork bar straight into its step, if it can
            xs.append(target.cx)
        goal = self.rows_by[row.targets[k] or 0]  # into a join, not from its branches: beside
        bypass = bool(goal.arrivals) and row.index not in goal.arrivals  # it, or under its bar
        docks = {s for s in ("right", "left") if bypass and s not in self.used[goal.index]}
        top = target.cy - target.hh - ENTRY if bypass else target.entry
        options = []  # (outside the target?, side rank, length), side, x, exit x, start, end y
        sides = [s for s in ("right", "left") if s not in self.used[row.index] and not fork]
        for rank, side in enumerate([*sides, "bottom"]):
            (px, py), sign = place.port(side), SIDE_LANE[side]
            for x in (x for x in xs if ((x - px) * sign if sign else abs(x - px)) >= room):
                dock = _dock(x, target) in docks
                key = (0, 0, abs(x - target.cx)) if fork else (
                    2 * (not dock) + int(not sign or (x - target.cx) * sign < target.hw + 1.2),
                    rank, abs(x - px) + abs(x - target.cx))
                options.append((key, side, x, px, py + DROP * (not sign),
                                target.cy if dock else top))
        into = row.targets[k] if fork and target.entry > place.cy else None
        _key, side, x, px, start, end = next((o for o in sorted(options) if self.free(
            o[2], min(o[4], o[5]), max(o[4], o[5]), row.index,
            None if fork else (min(o[2], o[3]), max(o[2], o[3])), into)), (
                (0, 0, 0.0), "bottom", self.width - 0.5, place.cx, place.cy + place.hh + DROP,
                target.cy if _dock(self.width - 0.5, target) in docks else top))
        tail = ([target.port(_dock(x, target))] if end == target.cy else
                [(target.cx, end), target.port("top")])
        if end == target.cy:  # it came in beside the join: that side is taken
            self.used[goal.index].add(_dock(x, target))
        self.arrow([place.port(side), (px, start), (x, start), (x, end), *tail], kind,
                   self.ends(row, k))
        self.tracks.append((x, min(start, end), max(start, end)))
        self.used[row.index].add(side)
        down = end > start
        self.label(row, k, side, (x + 0.6, start + (LABEL_FONT + 0.3 if down else -0.7))
                   if side == "bottom" else None)
        return x

    def ends(self, row: _Row, k: int) -> tuple[str, str]:
        """The ids of the steps an outcome's arrow leads from and to."""
        return row.act.id, row.act.outcomes[k].target

    def bar(self, index: int, xs: list[float], y: float, kind: str) -> None:
        """A fork or join bar at ``y`` across the arrows' drops ``xs`` and the symbol."""
        place, step = self.places[index], self.rows_by[index].act.id
        lo = min([*xs, place.cx - place.hw * 0.6]) - 0.9
        hi = max([*xs, place.cx + place.hw * 0.6]) + 0.9
        self.shapes.append(_el("rect", class_=f"bar {kind}-bar", **{f"data_{kind}": step},
                               x=lo, y=y - BAR / 2, width=hi - lo, height=BAR, fill="#000"))
        self.block(index, lo, hi, "v")

    def pentagon(self, x: float, y: float, number: int) -> None:  # off-page connector
        shape = [(x - 2.5, y - 2.75), (x + 2.5, y - 2.75), (x + 2.5, y + 0.9), (x, y + 2.75),
                 (x - 2.5, y + 0.9)]
        text = _el("text", str(number), x=x, y=y + 0.4, font_size="2.2", text_anchor="middle")
        self.shapes.append(_el("g", _el("polygon", points=shape, fill="#fff", **LINE_ATTRS) + text,
                               class_="symbol connector", data_connector=number))

    def beside(self, row: _Row, number: int, k: int | None) -> None:
        """An off-page connector beside a symbol: outcome ``k`` leaves, or (None) comes in."""
        place = self.places[row.index]
        label = row.act.outcomes[k].label if k is not None and row.act.is_decision else None
        gap = (_width(label, LABEL_FONT) if label else 0.0) + 4.5
        sides = [s for s in ("right", "left") if s not in self.used[row.index]] or ["right"]
        side = next((s for s in sides if 0 < place.port(s)[0] + (gap + 2.6) * SIDE_LANE[s]
                     < self.width), sides[0])
        (px, py), sign = place.port(side), SIDE_LANE[side]
        self.pentagon(px + gap * sign, py, number)
        self.block(row.index, min(px, px + (gap + 2.5) * sign), max(px, px + (gap + 2.5) * sign))
        edge = (px + (gap - 2.5) * sign, py)
        self.arrow([(px, py), edge] if k is not None else [edge, (px, py)], "offpage")
        self.used[row.index].add(side)
        if k is not None:
            self.label(row, k, side)

    def draw(self, rows: list[_Row], numbers: dict[tuple[int, int], int], top_in: int | None,
             ) -> str:
        """Draw the page: symbols, main flow, ends, connectors, a split's branches and its
        fork bar, jumps and loops, join bars; the SVG."""
        self.rows_by = {r.index: r for r in rows}
        for row in self.rows:
            self.symbol(row)
        for row in self.rows:
            place = self.places[row.index]
            if row.index == 0:
                top = self.terminator(0, place.cx, place.cy - place.hh - GAP - TERM_H, None)
                self.arrow([(place.cx, top), place.port("top")], "start")
            for k, side in row.ports.items():
                target, start = row.targets[k], place.port(side)
                if target is None:  # an end: a terminator below, in this lane or the next one
                    x = (row.lane + SIDE_LANE[side] + 0.5) * self.cols.lane
                    y = place.cy + place.hh + GAP
                    self.terminator(row.index, x, y, row.act.outcomes[k].result or DEFAULT_RESULT)
                    points = [start, (x, y)] if side == "bottom" else [start, (x, start[1]), (x, y)]
                elif (row.index, k) in numbers:  # down into the connector under the last row
                    y = self.height + CONN_H / 2
                    self.pentagon(place.cx, y, numbers[row.index, k])
                    points = [start, (place.cx, y - 2.75)]
                else:
                    goal = self.places[target]
                    self.block(target, place.cx, place.cx, "v")
                    points = [start, (place.cx, goal.entry), (goal.cx, goal.entry),
                              goal.port("top")]
                    if row.index in rows[target].arrivals:
                        self.joined.setdefault(target, []).append(place.cx)
                self.arrow(points, "flow" + _parallel(row, target, rows),
                           None if target is None else self.ends(row, k))
                self.label(row, k, side)
        if top_in is not None:
            first = self.rows[0]
            goal = self.places[first.index]
            self.pentagon(goal.cx, CONN_H / 2, top_in)
            self.arrow([(goal.cx, CONN_H / 2 + 2.75), goal.port("top")], "flow")
            if first.index - 1 in first.arrivals:
                self.joined.setdefault(first.index, []).append(goal.cx)
        for (i, k), number in numbers.items():  # connectors choose their side before tracks
            for index, out in ((i, k), (rows[i].targets[k], None)):
                if index in self.places and not rows[i].main(k):
                    self.beside(rows[index], number, out)
        loops = sorted((not r.act.split, abs(t - r.index), r.index, k) for r in self.rows
                       for k, t in enumerate(r.targets)
                       if k not in r.ports and t is not None and (r.index, k) not in numbers)
        for later in (False, True):  # a split's branches first, then the shortest first
            for _late, _gap, i, k in (loop for loop in loops if loop[0] == later):  # so they nest
                target = rows[i].targets[k] or 0
                x = self.track(rows[i], k, self.places[target], "track" + _parallel(
                    rows[i], target, rows))
                if rows[i].act.split:
                    self.forks.setdefault(i, []).append(x)
                if i in rows[target].arrivals:
                    self.joined.setdefault(target, []).append(x)
            for row in (r for r in self.rows if r.act.split and not later):
                place = self.places[row.index]  # the bars stand before other tracks pass
                self.bar(row.index, self.forks.get(row.index, []),
                         place.cy + place.hh + DROP, "fork")
        for index, xs in self.joined.items():
            self.bar(index, xs, self.places[index].entry, "join")
        w, h = _f(self.width), _f(self.height)
        return _el("svg", "".join(self.lines + self.shapes + self.labels),
                   xmlns="http://www.w3.org/2000/svg", class_="lanes",
                   data_lanes=" ".join(self.actors), data_lane_width=self.cols.lane,
                   style=f"left:{_f(NO_W + self.cols.text['uraian'])}mm;"
                   f"top:{_f(HEAD1 + self.cols.head2)}mm;width:{w}mm;height:{h}mm",
                   viewBox=f"0 0 {w} {h}", width=f"{w}mm", height=f"{h}mm",
                   font_family="Liberation Sans, Arial, Helvetica, DejaVu Sans, sans-serif")


def _look(a: ActivitySpec, state: StepState | None) -> dict[str, str]:
    """The attributes of a symbol of ``a`` painted with ``state`` (None: not painted)."""
    stroke, fill = STATES[state][:2] if state else ("#000", "#fff")
    return {"data_step": a.id, "data_state": state or "", "fill": fill, "stroke": stroke,
            "stroke_width": "0.3"}


def _cls(state: StepState | None) -> str:
    return f" state-{state}" if state else ""


def _parallel(row: _Row, target: int | None, rows: list[_Row]) -> str:
    """The extra class of a flow arrow: a split's branch forks, a branch's arrival joins."""
    if target is None:
        return ""
    return " forking" if row.act.split else " joining" if row.index in rows[target].arrivals else ""


def _dock(x: float, target: _Place) -> str:
    """The side of ``target`` a track at ``x`` may come in by ("" when it runs over it)."""
    return "" if abs(x - target.cx) < target.hw + 1.2 else "right" if x > target.cx else "left"
