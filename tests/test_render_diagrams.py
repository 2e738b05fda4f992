"""The SOP as Markdown, Mermaid and dot: checked by the real tools where they exist.

dot must render without a warning. Mermaid goes through the official parser
under node (installed once, cached outside the repository) and through a
round trip back to actors, steps and outcomes.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from engine.spec import ANY, END, SopSpec
from runners.render import render
from runners.render.diagrams import render_dot, render_mermaid
from runners.render.markdown import render_markdown
from tests.conftest import REPO
from tests.render_kit import CASES, IDS, SPECS

SVG = "{http://www.w3.org/2000/svg}"
Edge = tuple[str, str | None, str]


def expected_edges(spec: SopSpec) -> list[Edge]:
    """The edges both diagrams draw, from the spec: (source, label, target) by node id.

    ``s<no>`` a step, ``s<no>_<k>`` its k-th acting actor (each/any), ``f<no>`` a split's
    fork bar, ``j<no>`` the bar before a join that its branches' last steps lead to."""
    ends = {r: f"e{k}" for k, r in enumerate(dict.fromkeys(
        o.result or "selesai" for a in spec.activities for o in a.outcomes if o.target == END),
        start=1)}
    joins = {s.join: s.region for s in spec.splits}
    edges: list[Edge] = [("mulai", None, f"s{spec.activities[0].no}")]
    for a in spec.activities:
        source = f"s{a.no}"
        if a.split:
            edges.append((source, None, f"f{a.no}"))
            source = f"f{a.no}"
        if a.id in joins:
            edges.append((f"j{a.no}", None, f"s{a.no}"))
        for o in a.outcomes:
            if o.target == END:
                target = ends[o.result or "selesai"]
            else:
                no = spec.activity(o.target).no
                target = f"j{no}" if a.id in joins.get(o.target, ()) else f"s{no}"
            edges.append((source, o.label, target))
    return edges


def acting_nodes(spec: SopSpec) -> dict[str, tuple[str, str]]:
    """Every step's node per acting actor: node id -> (activity id, actor slug)."""
    return {f"s{a.no}" + (f"_{k}" if k > 1 else ""): (a.id, slug)
            for a in spec.activities for k, slug in enumerate(a.acting, start=1)}


@pytest.mark.parametrize("name", IDS)
def test_dot_renders_without_warnings(name: str) -> None:
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz `dot` is not installed (apt-get install graphviz)")
    spec = SPECS[name]
    done = subprocess.run([dot, "-Tsvg"], input=render_dot(spec).encode(), capture_output=True,
                          timeout=60, check=False)
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()
    svg = ET.fromstring(done.stdout)
    texts = {}
    for group in svg.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if group.get("class") == "node" and title is not None:
            texts[title.text] = " ".join(t.text or "" for t in group.iter(f"{SVG}text"))
    nodes = acting_nodes(spec)
    for node_id, (activity_id, _) in nodes.items():
        shown = " ".join(texts[node_id].split())
        assert " ".join(spec.activity(activity_id).name.split()) in shown
    assert {t for t in texts if re.fullmatch(r"[fj]\d+", t or "")} == {
        t for edge in expected_edges(spec) for t in (edge[0], edge[2]) if t[0] in "fj"}
    clusters = [g.find(f"{SVG}title") for g in svg.iter(f"{SVG}g") if g.get("class") == "cluster"]
    assert len(clusters) == len({slug for _, slug in nodes.values()})
    edges = {(title.text or "").replace("&#45;", "-") for g in svg.iter(f"{SVG}g")
             if g.get("class") == "edge" and (title := g.find(f"{SVG}title")) is not None}
    links = {f"{n.partition('_')[0]}->{n}" for n in nodes if "_" in n}  # dashed, undirected
    assert edges == {f"{a}->{b}" for a, _, b in expected_edges(spec)} | links


# Mermaid ---------------------------------------------------------------------------

MERMAID_VERSION, JSDOM_VERSION = "11.17.2", "26.1.0"
CHECK_SCRIPT = """\
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";
const dom = new JSDOM("<!DOCTYPE html><html><body></body></html>", { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const key of ["Element", "HTMLElement", "Node", "DOMParser", "NodeFilter", "SVGElement"]) {
  if (!(key in globalThis)) globalThis[key] = dom.window[key];
}
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });
const texts = JSON.parse(readFileSync(0, "utf8"));
const results = {};
for (const [name, text] of Object.entries(texts)) {
  try {
    const parsed = await mermaid.parse(text);
    results[name] = { ok: true, type: parsed.diagramType };
  } catch (error) {
    results[name] = { ok: false, error: String((error && error.message) || error) };
  }
}
process.stdout.write(JSON.stringify(results));
"""
BROKEN_MERMAID = "flowchart TD\n    a --> --> b\n"


def _node_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("ALUR_TEST_NODE_CACHE",
                                 Path.home() / ".cache" / "alur-test-node")).resolve()
    try:
        assert not folder.is_relative_to(REPO), "node_modules must live outside the repository"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = tmp_path_factory.mktemp("alur-test-node")
    return folder


def _installed(folder: Path, package: str, version: str) -> bool:
    manifest = folder / "node_modules" / package / "package.json"
    return manifest.is_file() and json.loads(manifest.read_text())["version"] == version


@pytest.fixture(scope="session")
def mermaid_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """What the official Mermaid parser says of every rendered SOP (one node run)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node/npm not found: the official Mermaid parser check needs them")
    folder = _node_cache(tmp_path_factory)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one install at a time, across sessions
        if not (_installed(folder, "mermaid", MERMAID_VERSION)
                and _installed(folder, "jsdom", JSDOM_VERSION)):
            (folder / "package.json").write_text('{"private": true}\n')
            try:
                done = subprocess.run(
                    [npm, "install", "--no-audit", "--no-fund", "--loglevel=error",
                     "--fetch-retries=1", "--fetch-timeout=60000",
                     f"mermaid@{MERMAID_VERSION}", f"jsdom@{JSDOM_VERSION}"],
                    cwd=folder, capture_output=True, text=True, timeout=600, check=False)
            except subprocess.TimeoutExpired:
                pytest.skip("npm install of mermaid and jsdom timed out")
            if done.returncode != 0:
                pytest.skip(f"npm install of mermaid and jsdom failed: {done.stderr[-500:]}")
        (folder / "check.mjs").write_text(CHECK_SCRIPT)
    texts = {name: render_mermaid(spec) for name, spec in CASES} | {"broken": BROKEN_MERMAID}
    done = subprocess.run([node, "check.mjs"], cwd=folder, input=json.dumps(texts),
                          capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:  # node itself or the install is broken: reinstall next time
        shutil.rmtree(folder / "node_modules", ignore_errors=True)
        pytest.skip(f"the Mermaid parser did not run under node: {done.stderr[-500:]}")
    verdicts: dict[str, dict[str, Any]] = json.loads(done.stdout)
    assert not verdicts["broken"]["ok"], "the parser accepted a broken diagram"
    return verdicts


@pytest.mark.parametrize("name", IDS)
def test_official_mermaid_parser_accepts(name: str,
                                         mermaid_verdicts: dict[str, dict[str, Any]]) -> None:
    verdict = mermaid_verdicts[name]
    assert verdict["ok"], verdict.get("error")
    assert verdict["type"].startswith("flowchart")


_ENTITIES = {"#quot;": '"', "#35;": "#", "#lt;": "<", "#gt;": ">", "#amp;": "&"}
_LINE = re.compile(
    r'(?P<sub>subgraph (?P<sid>\w+)\["(?P<title>[^"]*)"\])'
    r'|(?P<id>\w+)(?:\(\["(?P<stadium>[^"]*)"\]\)|\["(?P<rect>[^"]*)"\]|\{"(?P<rhombus>[^"]*)"\}'
    r'|@\{ shape: (?P<bar>fork|join) \})'
    r'|(?P<src>\w+) (?P<link>-->|~~~)(?:\|"(?P<label>[^"]*)"\|)? (?P<dst>\w+)|(?P<end>end)|%%.*'
    r'|classDef salahsatu stroke-dasharray: [\d ]+|class (?P<dashed>[\w,]+) salahsatu')


def unescape_mermaid(text: str) -> str:
    text = text.replace("<br>", "\n")
    return re.sub(r"#\w+;", lambda m: _ENTITIES[m.group()], text)


def read_mermaid(text: str) -> dict[str, Any]:
    """Lanes, nodes (shape, label, lane) and labelled edges of our Mermaid output."""
    lines = text.strip().split("\n")
    assert lines[0] == "flowchart TD"
    lanes: list[str] = []
    nodes: dict[str, tuple[str, str, str | None]] = {}
    edges: list[tuple[str, str | None, str]] = []
    ranks: list[tuple[str, str]] = []  # invisible links
    dashed: list[str] = []
    lane: str | None = None
    for line in lines[1:]:
        found = _LINE.fullmatch(line.strip())
        assert found, f"unexpected Mermaid line {line!r}"
        if found["sub"]:
            lane = unescape_mermaid(found["title"])
            lanes.append(lane)
        elif found["end"]:
            lane = None
        elif found["id"]:
            shape = next(s for s in ("stadium", "rect", "rhombus", "bar") if found[s] is not None)
            nodes[found["id"]] = (shape, unescape_mermaid(found[shape]), lane)
        elif found["src"] and found["link"] == "~~~":
            ranks.append((found["src"], found["dst"]))
        elif found["src"]:
            label = None if found["label"] is None else unescape_mermaid(found["label"])
            edges.append((found["src"], label, found["dst"]))
        elif found["dashed"]:
            dashed += found["dashed"].split(",")
    return {"lanes": lanes, "nodes": nodes, "edges": edges, "ranks": ranks, "dashed": dashed}


@pytest.mark.usefixtures("bahasa")
@pytest.mark.parametrize("name", IDS)
def test_mermaid_round_trip(name: str) -> None:
    spec = SPECS[name]
    read = read_mermaid(render_mermaid(spec))
    acting = acting_nodes(spec)
    titles = [a.title for a in spec.actors if any(s == a.slug for _, s in acting.values())]
    assert read["lanes"] == titles
    for node_id, (shape, label, lane) in read["nodes"].items():
        if shape == "stadium":
            result = re.fullmatch(r"Selesai(?: \((.+)\))?", label)
            assert lane is None and (label == "Mulai" or result)
            continue
        if shape == "bar":  # a fork after its split, a join before its step, in their lanes
            number = int(node_id[1:])
            assert label == {"f": "fork", "j": "join"}[node_id[0]]
            assert lane == spec.actor(spec.activities[number - 1].actor).title
            continue
        activity_id, slug = acting[node_id]
        activity = spec.activity(activity_id)
        number, _, rest = label.partition(". ")
        assert int(number) == activity.no
        assert shape == ("rhombus" if activity.is_decision else "rect")
        assert rest.split("\n")[0] == " ".join(activity.name.split())
        assert lane == spec.actor(slug).title
        assert (node_id in read["dashed"]) == (activity.complete == ANY)
    assert set(acting) <= set(read["nodes"])
    assert sorted(read["edges"], key=str) == sorted(expected_edges(spec), key=str)

    def forward(source: str, target: str) -> bool:  # not a rework loop back
        numbers = [int(m[1]) if (m := re.match(r"[sfj](\d+)", n)) else 0 if n == "mulai"
                   else 10**6 for n in (source, target)]  # the ends come last
        return numbers[0] < numbers[1] or target[0] == "j"

    for other in (n for n in acting if "_" in n):  # the other actors' nodes rank with the step's
        step = other.partition("_")[0]
        assert {(a, other) for a, _, b in read["edges"] if b == step and forward(a, b)} | {
            (other, b) for a, _, b in read["edges"] if a == step and forward(a, b)} == {
            r for r in read["ranks"] if other in r}


# Markdown --------------------------------------------------------------------------

_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def table_rows(markdown: str) -> list[list[list[str]]]:
    """Each table of the document as rows of cells (header and delimiter included)."""
    tables: list[list[list[str]]] = []
    previous_was_row = False
    for line in markdown.split("\n"):
        is_row = line.startswith("|")
        if is_row:
            cells = [c.strip() for c in _CELL_SPLIT.split(line)[1:-1]]
            if not previous_was_row:
                tables.append([])
            tables[-1].append(cells)
        previous_was_row = is_row
    return tables


def md_unescape(text: str) -> str:
    text = text.replace("<br>", "\n").replace("&lt;", "<").replace("&gt;", ">")
    return re.sub(r"\\(.)", r"\1", text)


@pytest.mark.usefixtures("bahasa")
@pytest.mark.parametrize("name", IDS)
def test_markdown_tables(name: str) -> None:
    spec = SPECS[name]
    markdown = render_markdown(spec)
    tables = table_rows(markdown)
    for table in tables:
        assert all(len(row) == len(table[0]) for row in table), table
    flowchart = next(t for t in tables if t[0][:2] == ["No", "Uraian Kegiatan"])
    assert [md_unescape(c) for c in flowchart[0][2:-4]] == [a.title for a in spec.actors]
    rows = flowchart[2:]
    assert len(rows) == len(spec.activities)
    for row, activity in zip(rows, spec.activities, strict=True):
        assert row[0] == str(activity.no)
        assert md_unescape(row[1]).split("\n")[0] == activity.name.split("\n")[0]
        marks = row[2:2 + len(spec.actors)]
        symbol = "◇" if activity.is_decision else "⬚" if activity.complete == ANY else "▭"
        for actor, mark in zip(spec.actors, marks, strict=True):
            if actor.slug in activity.acting:  # the responsible one, and each/any: all listed
                assert mark == symbol
            else:
                assert mark == ("●" if actor.slug in activity.actors else "")
    labels = ["Nama SOP"] + [label for label, value in (
        ("Nomor SOP", spec.number), ("Tanggal Pembuatan", spec.dates.created),
        ("Tanggal Efektif", spec.dates.effective), ("Disahkan oleh", spec.approved_by),
        ("Dasar Hukum", spec.legal_basis), ("Kualifikasi Pelaksana", spec.qualifications),
        ("Peringatan", spec.warning), ("Pencatatan dan Pendataan", spec.records)) if value]
    for label in labels:
        assert label in markdown


@pytest.mark.usefixtures("bahasa")
def test_markdown_of_the_lakip_sop() -> None:
    markdown = render_markdown(SPECS["pengumpulan-data-kinerja"])
    assert "| **Tanggal Pembuatan** | 30 Desember 2022 |" in markdown
    assert "| **Tanggal Efektif** | 2 Januari 2023 |" in markdown
    assert "| Dasar Hukum | Kualifikasi Pelaksana |" in markdown
    assert "| **Keterkaitan** | **Peralatan/Perlengkapan** |" in markdown
    assert "| **Peringatan** | **Pencatatan dan Pendataan** |" in markdown
    row6 = next(r for r in table_rows(markdown)[-1] if r[0] == "6")
    assert row6[-1] == "Ya → 7; Tidak → 5"
    row7 = next(r for r in table_rows(markdown)[-1] if r[0] == "7")
    assert row7[2:6] == ["▭", "", "●", "●"]


def test_render_entry_point_gives_text_for_every_diagram_format() -> None:
    spec = SPECS["pengumpulan-data-kinerja"]
    for fmt, start in (("md", "# SOP"), ("mermaid", "flowchart TD"), ("dot", "digraph"),
                       ("bpmn", "<?xml")):
        text = render(spec, fmt)
        assert isinstance(text, str) and text.startswith(start)
