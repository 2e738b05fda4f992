"""Benchmark: rendering the 13-step LAKIP SOP to HTML (target under 100 ms).

Run by hand:  python bench/bench_render.py
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.loader import load_sop_file  # noqa: E402
from runners.render import render  # noqa: E402


def main() -> None:
    sops = {p.stem: load_sop_file(p).spec for p in sorted((ROOT / "sops").glob("*.yaml"))}
    forty = load_sop_file(ROOT / "tests" / "fixtures" / "sops" / "valid" /
                          "penyusunan-renja-perangkat-daerah.yaml").spec
    print(f"machine: {platform.node()} {platform.machine()} Python {platform.python_version()}")
    began = time.perf_counter()
    render(sops["pengumpulan-data-kinerja"], "html")
    print(f"first render (imports included): {(time.perf_counter() - began) * 1000:.1f} ms")
    for name, spec in [*sops.items(), ("40-step fixture", forty)]:
        for fmt in ("html", "md", "mermaid", "dot", "bpmn"):
            times = []
            for _ in range(30):
                began = time.perf_counter()
                render(spec, fmt)
                times.append((time.perf_counter() - began) * 1000)
            print(f"{name:28s} {fmt:8s} median {statistics.median(times):6.2f} ms, worst "
                  f"{max(times):6.2f} ms")


if __name__ == "__main__":
    main()
