"""The SOP HTML in a real browser (headless Chromium): it draws, and nothing leaves its page,
in Bahasa Indonesia and in English (whose headers are longer)."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from engine.loader import load_sop_file
from engine.spec import ActorSpec, SopSpec
from runners.i18n import use_language
from runners.render.html import render_html
from tests.conftest import FIXTURES, SOPS
from tests.render_kit import PARALLEL_SPECS

CHROMIUM = shutil.which("chromium")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("ALUR_TEST_BROWSER") != "required",
    reason="headless Chromium (`chromium` on PATH) is needed for the browser checks; not "
           "installed (CI requires it: ALUR_TEST_BROWSER=required)")]
LAKIP = SOPS / "pengumpulan-data-kinerja.yaml"
SHEETS = {"lakip": LAKIP, "perencanaan-kinerja": SOPS / "perencanaan-kinerja.yaml",
          "renja-40": FIXTURES / "sops" / "valid" / "penyusunan-renja-perangkat-daerah.yaml"}

# After layout: count the elements of each flowchart sheet that stick out of it, and the
# rows whose height differs from the computed one or whose symbols (the responsible actor's
# and, for each/any, every acting actor's) are outside their row and lane.
MEASURE = """<script>
window.addEventListener("load", () => {
  let over = 0, bad = 0, seen = 0, symbols = 0;
  const mm = 96 / 25.4;
  for (const page of document.querySelectorAll("section.flow-page")) {
    const box = page.getBoundingClientRect();
    for (const el of page.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      seen++;
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 ||
          r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) over++;
    }
    for (const tr of page.querySelectorAll("tr.step")) {
      const row = tr.getBoundingClientRect();
      if (Math.abs(row.height - parseFloat(tr.style.height) * mm) > 1) bad++;
      const id = CSS.escape(tr.id.slice(5));
      const syms = page.querySelectorAll(`[data-step="${id}"]:is([data-role="responsible"],` +
                                         `[data-role="acting"])`);
      if (!syms.length) bad++;
      symbols += syms.length;
      for (const sym of syms) {
        const lane = tr.querySelector(`td.lane[data-actor="${CSS.escape(sym.dataset.actor)}"]`);
        const s = sym.getBoundingClientRect(), l = lane.getBoundingClientRect();
        const cy = (s.top + s.bottom) / 2;
        if (cy < row.top || cy > row.bottom || s.left < l.left - 1 || s.right > l.right + 1)
          bad++;
      }
    }
  }
  document.title = `overflow:${over} misaligned:${bad} measured:${seen} symbols:${symbols}`;
});
</script>"""


def chromium(tmp_path: Path, *args: str) -> str:
    """Run headless Chromium offline with a throwaway profile; returns its stdout."""
    assert CHROMIUM is not None
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
         *args], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def eleven_actors() -> SopSpec:
    """perencanaan-kinerja with two more actor columns (11), each with a step of its own."""
    spec = load_sop_file(SOPS / "perencanaan-kinerja.yaml").spec
    extra = (ActorSpec("kasi-a", "Kasi Pelayanan Umum dan Perizinan", "camat"),
             ActorSpec("kasi-b", "Kasubbag Keuangan dan Aset Daerah", "camat"))
    moved = {"data-kepegawaian": ("kasi-a",), "dokumentasi": ("kasi-b", "camat")}
    activities = tuple(dataclasses.replace(a, actors=moved.get(a.id, a.actors))
                       for a in spec.activities)
    return dataclasses.replace(spec, actors=spec.actors + extra, activities=activities)


@pytest.mark.parametrize("code", ["id", "en"])
def test_screenshot_of_the_lakip_sop(tmp_path: Path, code: str) -> None:
    page, png = tmp_path / "lakip.html", tmp_path / "lakip.png"
    with use_language(code):
        page.write_text(render_html(load_sop_file(LAKIP).spec), encoding="utf-8")
    chromium(tmp_path, f"--screenshot={png}", "--window-size=1123,794", page.as_uri())
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1123, 794)
    assert len(data) > 20_000  # a blank page compresses to a few kB


@pytest.mark.parametrize("code", ["id", "en"])
@pytest.mark.parametrize("name", [*SHEETS, "eleven-actors", *PARALLEL_SPECS])
def test_nothing_overflows_its_page(tmp_path: Path, name: str, code: str) -> None:
    spec = (eleven_actors() if name == "eleven-actors" else PARALLEL_SPECS[name]
            if name in PARALLEL_SPECS else load_sop_file(SHEETS[name]).spec)
    page = tmp_path / f"{name}.html"
    with use_language(code):
        html = render_html(spec)
    page.write_text(html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", "--virtual-time-budget=5000", page.as_uri())
    found = re.search(r"<title>overflow:(\d+) misaligned:(\d+) measured:(\d+) symbols:(\d+)"
                      r"</title>", dom)
    assert found, "the measuring script did not run"
    overflow, misaligned, measured, symbols = map(int, found.groups())
    assert measured > 10 * len(spec.activities)
    assert symbols == sum(len(a.acting) for a in spec.activities)
    assert (overflow, misaligned) == (0, 0)
