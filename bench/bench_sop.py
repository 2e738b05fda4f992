"""Benchmark: loading and validating a 40-activity SOP, and `alur --help` start-up.

Run by hand:  python bench/bench_sop.py
Targets (issue 2): one 40-activity SOP under 50 ms; `alur --help` at most 2.5x
`python -c 'import click'` (median of 5, same machine, same run).
"""

from __future__ import annotations

import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.loader import load_sop_file  # noqa: E402

FORTY = ROOT / "tests" / "fixtures" / "sops" / "valid" / "penyusunan-renja-perangkat-daerah.yaml"


def load_ms(runs: int = 50) -> tuple[float, float]:
    """Median and worst milliseconds to load and validate the 40-step SOP."""
    assert len(load_sop_file(FORTY).spec.activities) == 40
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        load_sop_file(FORTY)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def pure_load_ms(runs: int = 20) -> float:
    """Median milliseconds when the pure YAML 1.2 parser reads the file (no libyaml)."""
    from engine import yaml_tree

    yaml_tree.PURE_ONLY = True
    try:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            load_sop_file(FORTY)
            times.append((time.perf_counter() - start) * 1000)
    finally:
        yaml_tree.PURE_ONLY = False
    return statistics.median(times)


def command_ms(argv: list[str], runs: int = 5) -> float:
    """Median wall-clock milliseconds of a command."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    median, worst = load_ms()
    alur = shutil.which("alur") or str(Path(sys.executable).with_name("alur"))
    command_ms([alur, "--help"], runs=2)  # warm the file cache
    click_ms = command_ms([sys.executable, "-c", "import click"])
    help_ms = command_ms([alur, "--help"])
    print(f"machine: {platform.node()} {platform.machine()} Python {platform.python_version()}")
    print(f"load+validate 40-activity SOP: median {median:.1f} ms, worst {worst:.1f} ms "
          "(target < 50 ms)")
    print(f"the same through the pure YAML 1.2 parser (files with tabs, anchors, ...): "
          f"median {pure_load_ms():.1f} ms")
    print(f"python -c 'import click': {click_ms:.0f} ms; alur --help: {help_ms:.0f} ms; ratio "
          f"{help_ms / click_ms:.2f} (target <= 2.5)")


if __name__ == "__main__":
    main()
