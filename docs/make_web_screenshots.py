"""Regenerate the web office's pictures in docs/images/ with headless Chromium.

A fresh workspace (`alur init`, SQLite, in a temporary folder) is served by a real
`alur web` on 127.0.0.1, its clock standing on a Monday morning in January 2026; the
Camat has started two runs and ordered the LAKIP with a note and a file, so the Sekcam
has work waiting, one step of it late. The Sekcam logs in through the login form, and the
browser takes:

- ``web-tugas-phone.png`` and ``web-langkah-phone.png``: Tugas saya and the step page on a
  360 px phone (twice the pixel density);
- ``web-tugas-desktop.png`` and ``web-langkah-desktop.png``: the same at 1280 x 900.

Usage::

    python docs/make_web_screenshots.py [--out docs/images]

It uses the test kit (``tests/web_kit.py``), so the pictures show exactly what the browser
tests see.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.web_kit import DESKTOP, PHONE, Office, Visitor, chromium  # noqa: E402

FRIDAY = dt.datetime(2026, 1, 2, 9, 0)  # the runs start on Friday 2 January 2026
MONDAY = dt.datetime(2026, 1, 5, 9, 30)  # the pictures: Senin, 5 Januari 2026 09.30 WIB


def prepare(folder: Path) -> tuple[Office, str]:
    """The office with work waiting for the Sekcam; the address of one of its steps."""
    office = Office(folder / "kantor", f"sqlite:///{folder / 'kantor' / 'alur.db'}",
                    now=FRIDAY)
    office.passwords("camat", "sekcam")
    plan = folder / "Arahan Camat LAKIP 2025.pdf"
    plan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    first = json.loads(office.cli("run", "start", "pengumpulan-data-kinerja", "--period",
                                  "2025", "--unit", "darangdan", "--as", "camat",
                                  "--json").stdout)["run"]
    office.cli("step", "complete", str(first), "perintah", "--as", "camat", "--note",
               "Mohon dihimpun dari seluruh seksi paling lambat Rabu.", "--attach", str(plan))
    office.now = MONDAY - dt.timedelta(minutes=75)
    second = json.loads(office.cli("run", "start", "perencanaan-kinerja", "--period",
                                   "2026-Q1", "--unit", "darangdan", "--as", "camat",
                                   "--json").stdout)["run"]
    office.cli("step", "complete", str(second), "perintah", "--as", "camat")
    office.now = MONDAY - dt.timedelta(minutes=50)
    service = json.loads(office.cli(
        "run", "start", "legalisasi-sktm", "--unit", "darangdan", "--as", "staf-1",
        "--field", "pemohon=Siti Aminah", "--field", "nik=3214014506900001",
        "--field", "keperluan=Sekolah", "--received", "--json").stdout)["run"]
    office.cli("step", "complete", str(service), "periksa", "--as", "staf-1",
               "--outcome", "Lengkap")
    office.now = MONDAY - dt.timedelta(minutes=20)
    office.cli("step", "complete", str(service), "verifikasi", "--as", "kasi-kesos",
               "--outcome", "Ya")
    office.cli("step", "complete", str(service), "cek-dtks", "--as", "kasi-kesos", "--note",
               "Terdaftar di DTKS 2025.")
    office.now = MONDAY
    office.serve()
    return office, f"/run/{first}/langkah/"


def shoot(size: tuple[int, int], office: Office, step_prefix: str, out: Path,
          suffix: str) -> None:
    with chromium(size) as browser:
        visitor = Visitor(browser, office)
        visitor.be("sekcam")
        [step] = [link for link in visitor.task_links() if link.startswith(step_prefix)]
        visitor.go("/tugas")
        browser.save_screenshot(str(out / f"web-tugas-{suffix}.png"))
        visitor.go(step)
        browser.save_screenshot(str(out / f"web-langkah-{suffix}.png"))
    print(f"wrote {out}/web-tugas-{suffix}.png, web-langkah-{suffix}.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        office, step_prefix = prepare(Path(tmp))
        try:
            shoot(PHONE, office, step_prefix, args.out, "phone")
            shoot(DESKTOP, office, step_prefix, args.out, "desktop")
        finally:
            office.stop()


if __name__ == "__main__":
    main()
