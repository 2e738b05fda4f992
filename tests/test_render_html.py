"""The SOP AP document as HTML (and PDF): structure, symbols in their lanes, painting."""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
import time
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

from engine.loader import load_sop_file
from engine.spec import END, ActorSpec, SopSpec
from runners.render import RunPaint, render
from runners.render.html import render_html
from runners.render.pdf import PdfUnavailable, render_pdf
from tests.conftest import FIXTURES, REPO, SOPS

XHTML, SVG = "{http://www.w3.org/1999/xhtml}", "{http://www.w3.org/2000/svg}"
SOP_FILES = sorted(SOPS.glob("*.yaml")) + sorted((FIXTURES / "sops" / "valid").glob("*.yaml"))
LAKIP = SOPS / "pengumpulan-data-kinerja.yaml"
RENJA = FIXTURES / "sops" / "valid" / "penyusunan-renja-perangkat-daerah.yaml"


def spec_of(path: Path) -> SopSpec:
    return load_sop_file(path).spec


def parse(html: str) -> ET.Element:
    """The document, parsed strictly: the renderer writes polyglot XHTML."""
    assert html.startswith("<!DOCTYPE html>")
    return ET.fromstring(html)


def text(element: ET.Element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def flow_pages(root: ET.Element) -> list[ET.Element]:
    return [s for s in root.iter(f"{XHTML}section") if "flow-page" in classes(s)]


def x_range(shape: ET.Element) -> tuple[float, float, float, float]:
    """x0, x1, y0, y1 of a rect or polygon, in the SVG's mm coordinates."""
    if shape.tag == f"{SVG}rect":
        x, y = float(shape.get("x", 0)), float(shape.get("y", 0))
        return x, x + float(shape.get("width", 0)), y, y + float(shape.get("height", 0))
    points = [tuple(map(float, p.split(","))) for p in shape.get("points", "").split()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), max(xs), min(ys), max(ys)


def symbols(svg: ET.Element) -> list[ET.Element]:
    return [e for e in svg.iter() if "symbol" in classes(e)]


@pytest.mark.parametrize("path", SOP_FILES, ids=lambda p: p.stem)
def test_every_step_is_in_its_row_and_its_symbol_in_its_actors_lane(path: Path) -> None:
    spec = spec_of(path)
    root = parse(render_html(spec))
    slugs = [a.slug for a in spec.actors]
    found: dict[str, tuple[float, float, float, float]] = {}
    for page in flow_pages(root):
        svg = next(page.iter(f"{SVG}svg"))
        assert svg.get("data-lanes", "").split() == slugs
        lane = float(svg.get("data-lane-width", 0))
        rows = {tr.get("id"): tr for tr in page.iter(f"{XHTML}tr") if tr.get("id")}
        # the second header row names every actor, in the SOP's order, on every page
        head = list(page.iter(f"{XHTML}tr"))[1]
        assert [text(th) for th in head][: len(slugs)] == [a.title for a in spec.actors]
        for shape in symbols(svg):
            step = shape.get("data-step")
            if step is None:
                continue
            tr = rows[f"step-{step}"]  # the symbol is drawn on the page of its row
            k = slugs.index(shape.get("data-actor", ""))
            x0, x1, y0, y1 = x_range(shape)
            assert k * lane <= x0 < x1 <= (k + 1) * lane, (step, shape.get("data-actor"))
            top = float(tr.get("data-y", 0))
            height = float(re.findall(r"height:([\d.]+)mm", tr.get("style", ""))[0])
            assert top <= y0 < y1 <= top + height, step
            if shape.get("data-role") == "responsible":
                found[step] = (x0, x1, y0, y1)
    for activity in spec.activities:
        assert activity.id in found, f"no symbol for {activity.id}"
        matching = [tr for tr in root.iter(f"{XHTML}tr") if tr.get("id") == f"step-{activity.id}"]
        assert len(matching) == 1
        cells = list(matching[0])
        assert text(cells[0]) == str(activity.no)
        assert " ".join(activity.name.split()) in text(cells[1])
        responsible = [e for e in root.iter() if e.get("data-step") == activity.id
                       and e.get("data-role") == "responsible"]
        assert [e.get("data-actor") for e in responsible] == [activity.actor]
        kind = "decision" if activity.is_decision else "process"
        assert kind in classes(responsible[0])
        roles = {role: {e.get("data-actor") for e in root.iter()
                        if e.get("data-step") == activity.id and e.get("data-role") == role}
                 for role in ("attendee", "acting")}
        assert roles["attendee"] == set(activity.actors) - set(activity.acting)
        assert roles["acting"] == set(activity.acting[1:])  # each/any: a symbol in every column


@pytest.mark.usefixtures("bahasa")
@pytest.mark.parametrize("path", SOP_FILES, ids=lambda p: p.stem)
def test_labels_terminators_and_connectors(path: Path) -> None:
    spec = spec_of(path)
    root = parse(render_html(spec))
    labels = {(e.get("data-step"), text(e)) for e in root.iter(f"{SVG}text")
              if "label" in classes(e)}
    wanted = {(a.id, o.label) for a in spec.activities if a.is_decision for o in a.outcomes}
    assert wanted <= labels
    ends = [e.get("data-end", "") for e in root.iter(f"{SVG}g") if "terminator" in classes(e)]
    expected = ["mulai"] + [o.result or "selesai" for a in spec.activities for o in a.outcomes
                            if o.target == END]
    assert sorted(ends) == sorted(expected)
    for e in root.iter(f"{SVG}g"):
        if "terminator" in classes(e) and e.get("data-end") not in ("mulai", "selesai"):
            assert text(e) == f"Selesai ({e.get('data-end')})"
    # each off-page connector appears twice: where the flow leaves and where it comes in
    pages = flow_pages(root)
    seen: dict[str, list[int]] = {}
    for n, page in enumerate(pages):
        for e in page.iter(f"{SVG}g"):
            if "connector" in classes(e):
                seen.setdefault(e.get("data-connector", ""), []).append(n)
                assert text(e) == e.get("data-connector")
    assert all(len(where) == 2 and where[0] != where[1] for where in seen.values()), seen
    if len(pages) > 1:
        assert len(seen) >= len(pages) - 1
    arrows = [e for e in root.iter(f"{SVG}polyline") if "arrow" in classes(e)]
    heads = [e for e in root.iter(f"{SVG}polygon") if "arrowhead" in classes(e)]
    assert len(arrows) == len(heads) >= len(spec.activities)


def test_forty_steps_break_across_pages_with_numbered_connectors() -> None:
    root = parse(render_html(spec_of(RENJA)))
    pages = flow_pages(root)
    assert len(pages) >= 3
    for n, page in enumerate(pages):
        kinds = [tr.get("class") for tr in page.iter(f"{XHTML}tr") if tr.get("class")]
        assert (kinds[0] == "connector-row") == (n > 0)
        assert (kinds[-1] == "connector-row") == (n < len(pages) - 1)
        assert len(list(page.iter(f"{XHTML}thead"))) == 1
    numbers = {e.get("data-connector") for e in root.iter(f"{SVG}g")
               if "connector" in classes(e)}
    assert {"1", "2", str(len(pages) - 1)} <= numbers


@pytest.mark.usefixtures("bahasa")
def test_identity_block() -> None:
    root = parse(render_html(spec_of(LAKIP)))
    identity = next(s for s in root.iter(f"{XHTML}section") if s.get("id") == "identitas")
    facts = {text(th): text(td) for tr in identity.iter(f"{XHTML}tr")
             for th, td in zip(tr.iter(f"{XHTML}th"), list(tr)[-1:], strict=False)}
    assert facts["Nomor SOP"] == "050/010/PKP/DRD"
    assert facts["Tanggal Pembuatan"] == "30 Desember 2022"
    assert facts["Tanggal Revisi"] == "-"
    assert facts["Tanggal Efektif"] == "2 Januari 2023"
    assert facts["Disahkan oleh"] == "Camat Darangdan - NIP -"
    assert facts["Nama SOP"] == "SOP Pengumpulan Data Kinerja"
    whole = text(identity)
    assert "Logo" in whole and "KECAMATAN DARANGDAN" in whole and "Jl. Raya Darangdan" in whole
    heads = [text(th) for th in identity.iter(f"{XHTML}th")]
    assert heads[-6:] == ["Dasar Hukum", "Kualifikasi Pelaksana", "Keterkaitan",
                          "Peralatan/Perlengkapan", "Peringatan", "Pencatatan dan Pendataan"]
    assert len(list(identity.iter(f"{XHTML}li"))) == 5 + 5 + 8 + 5


@pytest.mark.usefixtures("bahasa")
def test_missing_optional_fields_print_as_dash() -> None:
    spec = spec_of(FIXTURES / "sops" / "valid" / "pengelolaan-surat-masuk.yaml")
    root = parse(render_html(spec))
    identity = next(s for s in root.iter(f"{XHTML}section") if s.get("id") == "identitas")
    rows = list(identity.iter(f"{XHTML}tr"))
    facts = {text(tr.find(f"{XHTML}th")): text(list(tr)[-1]) for tr in rows[:6]}  # type: ignore[arg-type]
    for name in ("Nomor SOP", "Tanggal Pembuatan", "Tanggal Revisi", "Tanggal Efektif",
                 "Disahkan oleh"):
        assert facts[name] == "-", name
    pairs = [text(td) for tr in rows[6:] for td in tr.iter(f"{XHTML}td")]
    assert pairs == ["-"] * 6


def test_text_is_escaped_and_the_file_is_self_contained() -> None:
    spec = spec_of(LAKIP)
    first = dataclasses.replace(spec.activities[0], name='<b>Memerintahkan</b> & "x"')
    spec = dataclasses.replace(spec, activities=(first, *spec.activities[1:]),
                               organization=dataclasses.replace(spec.organization,
                                                                name="A & B <C>"))
    html = render_html(spec)
    root = parse(html)
    assert '<b>Memerintahkan</b> & "x"' in text(next(
        tr for tr in root.iter(f"{XHTML}tr") if tr.get("id") == "step-perintah"))
    assert "A & B <C>" in text(root)
    assert not re.search(r"<script|<link|<img|@import|url\(|https?://(?!www\.w3\.org/)", html)


def test_eleven_actor_columns_fit_the_landscape_page() -> None:
    spec = spec_of(SOPS / "perencanaan-kinerja.yaml")
    extra = (ActorSpec("kasi-a", "Kasi Pelayanan Umum dan Perizinan", "camat"),
             ActorSpec("kasi-b", "Kasubbag Keuangan dan Aset Daerah", "camat"))
    moved = tuple(dataclasses.replace(a, actors=("kasi-a",)) if a.id == "data-kepegawaian"
                  else a for a in spec.activities)
    wide = dataclasses.replace(spec, actors=spec.actors + extra, activities=moved)
    for sop in (spec, wide):
        root = parse(render_html(sop))
        for table in root.iter(f"{XHTML}table"):
            if "flow" in classes(table):
                width = float(re.findall(r"width:([\d.]+)mm", table.get("style", ""))[0])
                assert width <= 297 - 2 * 8
        sizes = [float(re.findall(r"font-size:([\d.]+)mm", th.get("style", ""))[0])
                 for th in root.iter(f"{XHTML}th") if "actor" in classes(th)]
        assert min(sizes) >= 1.5  # about 4.3 pt


@pytest.mark.usefixtures("bahasa")
def test_painted_run() -> None:
    spec = spec_of(LAKIP)
    states = {a.id: "done" for a in spec.activities[:5]} | {"koreksi": "overdue",
                                                             "rapat-finalisasi": "active"}
    paint = RunPaint(7, "kecamatan-darangdan", "2025", "active", states)  # type: ignore[arg-type]
    root = parse(render_html(spec, paint))
    assert "Run 7 \u2014 kecamatan-darangdan, periode 2025, status aktif" in text(root)
    colours = {"done": "#c8e6c9", "active": "#bbdefb", "overdue": "#ffcdd2",
               "not_reached": "#eeeeee"}
    for activity in spec.activities:
        state = states.get(activity.id, "not_reached")
        shape = next(e for e in root.iter() if e.get("data-step") == activity.id
                     and e.get("data-role") == "responsible")
        assert f"state-{state}" in classes(shape)
        assert shape.get("fill") == colours[state]
        row = next(tr for tr in root.iter(f"{XHTML}tr") if tr.get("id") == f"step-{activity.id}")
        assert ("terlambat" in text(list(row)[-1])) == (state == "overdue")
    legend = [text(e) for e in root.iter(f"{XHTML}span") if "key" in classes(e)]
    assert legend == ["selesai", "aktif", "terlambat", "belum dicapai"]
    assert "terlambat" not in text(next(tr for tr in parse(render_html(spec)).iter(f"{XHTML}tr")
                                        if tr.get("id") == "step-koreksi"))


def test_render_entry_point_and_speed() -> None:
    spec = spec_of(LAKIP)
    assert render(spec, "html") == render_html(spec)
    best = min(_timed(lambda: render_html(spec)) for _ in range(5))
    assert best < 0.1, f"{best * 1000:.1f} ms"


def _timed(work: object) -> float:
    start = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - start


def test_html_module_imports_only_the_standard_library_at_module_level() -> None:
    tree = ast.parse((REPO / "runners" / "render" / "html.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            top = (module or "").split(".")[0]
            assert top in sys.stdlib_module_names or top in ("engine", "runners"), module


def pdf_pages(pdf: bytes) -> int:
    """Page count: pypdf when installed, else /Type /Page in the (compressed) objects."""
    try:
        import pypdf  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        chunks = [pdf]
        for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
            try:
                chunks.append(zlib.decompress(match.group(1)))
            except zlib.error:
                pass
        return sum(len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", c)) for c in chunks)
    import io

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_of_the_lakip_sop() -> None:
    html = render_html(spec_of(LAKIP))
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        with pytest.raises(PdfUnavailable, match=r"pip install 'alur\[pdf\]'"):
            render_pdf(html)
        return
    pdf = render_pdf(html)
    assert pdf.startswith(b"%PDF")
    sheets = html.count('class="sheet flow-page"')
    assert pdf_pages(pdf) == 1 + sheets == 2  # identity page + one landscape flowchart page


def test_pdf_without_weasyprint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # makes the import fail
    with pytest.raises(PdfUnavailable) as caught:
        render_pdf("<html/>")
    message = str(caught.value)
    assert message.startswith("PDF output needs WeasyPrint: pip install 'alur[pdf]'")
    assert "--format html" in message
