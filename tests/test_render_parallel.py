"""Parallel work on the SOP document (HTML/PDF): a symbol per acting actor, dashed for
`complete: any`, fork and join bars with their arrows, the Keterangan, a run's paint."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from itertools import pairwise

import pytest

from engine.loader import load_sop_file
from engine.spec import ANY, EACH, SopSpec
from runners.render import RunPaint, StepState, render
from runners.render.html import render_html
from tests.conftest import FIXTURES, SOPS
from tests.render_kit import PARALLEL_SPECS
from tests.test_render_html import SVG, XHTML, classes, flow_pages, parse, pdf_pages, text

Point = tuple[float, float]
FILES = [SOPS / "perencanaan-kinerja.yaml", *sorted((FIXTURES / "sops" / "valid").glob("*.yaml"))]
ALL = {**PARALLEL_SPECS, **{p.stem: load_sop_file(p).spec for p in FILES}}
PARALLEL = [n for n, s in ALL.items() if s.splits or any(a.complete != "first"
                                                         for a in s.activities)]


def points(element: ET.Element) -> list[Point]:
    return [(float(x), float(y)) for x, y in (p.split(",") for p in
                                               element.get("points", "").split())]


def box(shape: ET.Element) -> tuple[float, float, float, float]:
    """Centre x, centre y, half width, half height of a rect or polygon symbol."""
    if shape.tag == f"{SVG}rect":
        x, y, w, h = (float(shape.get(k, 0)) for k in ("x", "y", "width", "height"))
        return x + w / 2, y + h / 2, w / 2, h / 2
    xs, ys = zip(*points(shape), strict=True)
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, (max(xs) - min(xs)) / 2, (
        max(ys) - min(ys)) / 2


def near(a: Point, b: Point) -> bool:
    return abs(a[0] - b[0]) < 0.02 and abs(a[1] - b[1]) < 0.02


def crossing(line: list[Point], y: float) -> float | None:
    """Where an orthogonal polyline first comes to height ``y``: its x (None: never)."""
    for (x0, y0), (x1, y1) in pairwise(line):
        if min(y0, y1) - 0.01 <= y <= max(y0, y1) + 0.01:
            return x0 if x0 == x1 else min(x0, x1)
    return None


def svgs(spec: SopSpec, paint: RunPaint | None = None) -> Iterator[ET.Element]:
    for page in flow_pages(parse(render_html(spec, paint))):
        yield next(page.iter(f"{SVG}svg"))


def shapes(svg: ET.Element, step: str, role: str | None = None) -> list[ET.Element]:
    return [e for e in svg.iter() if e.get("data-step") == step and "symbol" in classes(e)
            and role in (None, e.get("data-role"))]


def test_each_and_any_draw_a_symbol_in_every_acting_column() -> None:
    (svg,) = svgs(PARALLEL_SPECS["contoh-paralel"])
    lane, lanes = float(svg.get("data-lane-width", 0)), svg.get("data-lanes", "").split()
    for step, kind, tag, dashed in (("data-seksi", "each", "rect", False),
                                    ("periksa", "any", "polygon", True)):
        drawn = shapes(svg, step)
        assert [(e.get("data-role"), e.get("data-actor")) for e in drawn] == [
            ("responsible", "kasi-a"), ("acting", "kasi-b")]
        sizes = set()
        for e in drawn:
            assert e.tag == f"{SVG}{tag}" and kind in classes(e)
            assert (e.get("stroke-dasharray") is not None) == dashed
            cx, _, hw, hh = box(e)
            assert abs(cx - (lanes.index(e.get("data-actor", "")) + 0.5) * lane) < 0.01
            sizes.add((round(hw, 2), round(hh, 2)))
        assert len(sizes) == 1  # full symbols, not attendees' small boxes
        assert len({round(box(e)[1], 2) for e in drawn}) == 1  # on one line, in one row
    joins = [e for e in svg.iter(f"{SVG}line") if "join" in classes(e)]
    assert len(joins) == 2 and all(e.get("stroke-dasharray") for e in joins)
    (draf,) = shapes(svg, "draf")  # each holder of one role: one box with BPMN's ||| marker
    assert "each" in classes(draf) and draf.get("stroke-dasharray") is None
    (marker,) = [e for e in svg.iter(f"{SVG}path") if "instances" in classes(e)]
    cx, _, hw, _ = box(draf)
    xs = [float(x) for x in re.findall(r"M([\d.]+)", marker.get("d", ""))]
    assert len(xs) == 3 and all(cx - hw < x < cx + hw for x in xs)
    (perintah,) = shapes(svg, "perintah")
    assert perintah.get("stroke-dasharray") is None and not {"each", "any"} & classes(perintah)


def test_any_process_and_attendees_of_a_first_step() -> None:
    (svg,) = svgs(PARALLEL_SPECS["contoh-tiga-cabang"])
    terima = shapes(svg, "terima")
    assert [e.get("data-actor") for e in terima] == ["kasubbag", "kasi-a", "kasi-b"]
    assert all(e.tag == f"{SVG}rect" and e.get("stroke-dasharray") for e in terima)
    bagi = shapes(svg, "bagi")
    assert [(e.get("data-role"), e.get("data-actor")) for e in bagi] == [
        ("responsible", "sekcam"), ("attendee", "camat")]
    assert box(bagi[1])[2] < box(bagi[0])[2]  # the attendee's box is the small one


def arrows(svg: ET.Element, kind: str) -> list[ET.Element]:
    return [e for e in svg.iter(f"{SVG}polyline") if kind in classes(e)]


def top(svg: ET.Element, step: str) -> Point:
    cx, cy, _, hh = box(shapes(svg, step, "responsible")[0])
    return cx, cy - hh


@pytest.mark.parametrize("name", PARALLEL)
def test_forks_and_joins_have_their_bars_and_arrows(name: str) -> None:
    spec = ALL[name]
    where = {}  # activity id -> its page's svg
    pages = list(svgs(spec))
    for svg in pages:
        where.update({e.get("data-step"): svg for e in svg.iter() if e.get("data-step")})
    for split in spec.splits:
        svg = where[split.activity]
        cx, cy, _, hh = box(shapes(svg, split.activity, "responsible")[0])
        forking = [a for a in arrows(svg, "forking") if a.get("data-from") == split.activity]
        here = [b for b in split.branches if where[b] is svg]
        assert sorted(a.get("data-to", "") for a in forking) == sorted(here)
        (bar,) = [e for e in svg.iter(f"{SVG}rect") if e.get("data-fork") == split.activity]
        x0, bar_y, half_w, _ = box(bar)
        assert cy + hh < bar_y < cy + hh + 4  # just under the split's symbol
        for arrow in forking:
            line = points(arrow)
            assert near(line[0], (cx, cy + hh))  # leaves the split's symbol at its bottom
            assert near(line[-1], top(svg, arrow.get("data-to", "")))
            drop = crossing(line, bar_y)  # every branch goes down through the bar
            assert drop is not None and abs(drop - x0) < half_w
        arrivals = {a.id for a in spec.activities if a.id in split.region
                    and any(o.target == split.join for o in a.outcomes)}
        svg = where[split.join]
        joining = [a for a in arrows(svg, "joining") if a.get("data-to") == split.join]
        assert {a.get("data-from") for a in joining} == {a for a in arrivals if where[a] is svg}
        bars = [e for e in svg.iter(f"{SVG}rect") if e.get("data-join") == split.join]
        assert len(bars) == (1 if joining else 0)
        for arrow in joining:
            x0, bar_y, half_w, _ = box(bars[0])
            line = points(arrow)
            assert near(line[-1], top(svg, split.join))  # one arrow from the bar into the join
            assert 3.5 < line[-1][1] - bar_y < 4.5
            assert any(abs(p[1] - bar_y) < 0.01 and abs(p[0] - x0) <= half_w for p in line)
            source = shapes(svg, arrow.get("data-from", ""), "responsible")[0]
            sx, sy, hw, sh = box(source)
            assert any(near(line[0], p) for p in ((sx, sy + sh), (sx + hw, sy), (sx - hw, sy)))


def inside(p: Point, shape: ET.Element) -> bool:
    """Strictly inside a symbol (its outline, where arrows start and end, is outside)."""
    cx, cy, hw, hh = box(shape)
    dx, dy = abs(p[0] - cx), abs(p[1] - cy)
    if shape.tag == f"{SVG}polygon" and "decision" in classes(shape):
        return dx / hw + dy / hh < 0.96
    return dx < hw - 0.2 and dy < hh - 0.2


@pytest.mark.parametrize("name", PARALLEL)
def test_arrows_keep_clear_of_every_symbol(name: str) -> None:
    for svg in svgs(ALL[name]):
        drawn = [e for e in svg.iter() if "symbol" in classes(e) and e.tag != f"{SVG}g"]
        for arrow in arrows(svg, "arrow"):
            line = points(arrow)
            for (x0, y0), (x1, y1) in pairwise(line):
                steps = max(1, int(max(abs(x1 - x0), abs(y1 - y0)) / 0.2))
                for k in range(steps + 1):
                    p = (x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps)
                    hit = [e.get("data-step") for e in drawn if inside(p, e)]
                    assert not hit, (arrow.get("data-from"), arrow.get("data-to"), p, hit)


def test_a_rework_loop_into_a_join_comes_in_beside_it_not_through_its_bar() -> None:
    spec = PARALLEL_SPECS["contoh-tiga-cabang"]
    (svg,) = svgs(spec)
    (loop,) = [a for a in arrows(svg, "track") if a.get("data-from") == "putus"
               and a.get("data-to") == "rekap"]
    assert "joining" not in classes(loop)
    cx, cy, hw, _ = box(shapes(svg, "rekap", "responsible")[0])
    assert any(near(points(loop)[-1], p) for p in ((cx + hw, cy), (cx - hw, cy)))
    assert {a.get("data-from") for a in arrows(svg, "joining")} == {"cek-a", "cek-b", "arsip"}


def test_a_rework_loop_into_a_join_that_cannot_come_in_beside_it_comes_in_under_its_bar() -> None:
    pages = list(svgs(PARALLEL_SPECS["contoh-panjang"]))
    assert len(pages) == 2
    svg = pages[1]
    (loop,) = [a for a in arrows(svg, "track") if a.get("data-from") == "tetap"]
    assert loop.get("data-to") == "gabung" and "joining" not in classes(loop)
    (bar,) = [e for e in svg.iter(f"{SVG}rect") if e.get("data-join") == "gabung"]
    line = points(loop)
    assert near(line[-1], top(svg, "gabung"))
    assert line[-2][1] - (box(bar)[1] + box(bar)[3]) > 1.2  # clear under the bar
    assert all(p[1] > box(bar)[1] + 1 for p in line)  # never up through it
    # the branches crossing the page break go through numbered off-page connectors
    numbers = [{e.get("data-connector") for e in s.iter(f"{SVG}g") if "connector" in classes(e)}
               for s in pages]
    assert numbers[0] == numbers[1] and len(numbers[0]) == 2


def keterangan(spec: SopSpec) -> dict[str, str]:
    root = parse(render_html(spec))
    return {(tr.get("id") or "")[5:]: text(list(tr)[-1]) for tr in root.iter(f"{XHTML}tr")
            if "step" in classes(tr)}


@pytest.mark.usefixtures("bahasa")
def test_keterangan_says_who_completes_where_a_split_leads_and_what_a_join_awaits() -> None:
    notes = keterangan(PARALLEL_SPECS["contoh-paralel"])
    assert notes == {"perintah": "bercabang ke 2, 3 (paralel)",
                     "data-seksi": "dikerjakan masing-masing pelaksana",
                     "draf": "dikerjakan masing-masing Staf",
                     "periksa": "cukup oleh salah satu pelaksana",
                     "kompilasi": "menunggu 2 dan 4"}
    notes = keterangan(PARALLEL_SPECS["contoh-tiga-cabang"])
    assert notes["bagi"] == "bercabang ke 3, 4, 5 (paralel)"
    assert notes["rekap"] == "menunggu 3, 4 dan 5"
    notes = keterangan(PARALLEL_SPECS["contoh-bersarang"])
    assert notes["gabung"] == "menunggu 3 dan 4" and notes["final"] == "menunggu 5 dan 6"


def test_every_acting_symbol_is_painted_by_its_own_task() -> None:
    spec = PARALLEL_SPECS["contoh-tiga-cabang"]
    states: dict[str, StepState] = {"terima": "done", "bagi": "done", "cek-a": "done",
                                    "cek-b": "overdue", "arsip": "active"}
    own: dict[str, dict[str, StepState]] = {"cek-b": {"kasi-b": "overdue"},
                                            "terima": {"kasubbag": "done"}}
    paint = RunPaint(3, "kecamatan-contoh", "2025", "active", states, actor_states=own)
    fills = {"done": "#c8e6c9", "active": "#bbdefb", "overdue": "#ffcdd2",
             "not_reached": "#eeeeee"}
    (svg,) = svgs(spec, paint)
    for e in shapes(svg, "terima"):  # any: the task is one, the paint per actor if given
        state = "done"
        assert (e.get("data-state"), e.get("fill")) == (state, fills[state])
    bagi = {e.get("data-actor"): e.get("data-state") for e in shapes(svg, "bagi")}
    assert bagi == {"sekcam": "done", "camat": "done"}  # the attendee has the step's state
    spec = PARALLEL_SPECS["contoh-paralel"]
    own = {"data-seksi": {"kasi-a": "done", "kasi-b": "overdue"}}
    states = {"perintah": "done", "data-seksi": "overdue", "draf": "active"}
    paint = RunPaint(4, "kecamatan-contoh", "2025", "active", states, None, own)
    (svg,) = svgs(spec, paint)
    seksi = {e.get("data-actor"): e for e in shapes(svg, "data-seksi")}
    assert {a: (e.get("fill"), f"state-{e.get('data-state')}" in classes(e))
            for a, e in seksi.items()} == {"kasi-a": (fills["done"], True),
                                           "kasi-b": (fills["overdue"], True)}
    assert {e.get("data-state") for e in shapes(svg, "periksa")} == {"not_reached"}
    assert {e.get("data-state") for e in shapes(svg, "draf")} == {"active"}


def test_five_kasi_each_in_the_quarterly_sop_and_its_pdf() -> None:
    spec = ALL["perencanaan-kinerja"]
    seksi = next(a for a in spec.activities if a.complete == EACH)
    (svg,) = svgs(spec)
    assert [e.get("data-actor") for e in shapes(svg, seksi.id)] == list(seksi.actors)
    assert not any(a.complete == ANY for a in spec.activities)
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        pytest.skip("WeasyPrint is not installed")
    pdf = render(spec, "pdf")
    assert isinstance(pdf, bytes) and pdf_pages(pdf) == 2


def test_sequential_sops_draw_no_bars() -> None:
    spec = load_sop_file(SOPS / "pengumpulan-data-kinerja.yaml").spec
    html = render_html(spec)
    assert 'class="bar' not in html and "forking" not in html and "joining" not in html
    one = dataclasses.replace(spec, splits=())  # the splits alone make the bars
    assert render_html(one) == html
