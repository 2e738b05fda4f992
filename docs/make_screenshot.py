"""Regenerate docs/images/sop-pengumpulan-data-kinerja.png with headless Chromium.

Renders the LAKIP SOP to HTML, hides the identity page so that the first
flowchart sheet (A4 landscape, 297 x 210 mm = 1123 x 794 CSS px) fills the
window, and takes the screenshot at twice the pixel density for legibility; the document's
words in Bahasa Indonesia (``--lang id``, the README's picture) or English (``--lang en``)::

    python docs/make_screenshot.py [--chromium /usr/bin/chromium] [--scale 2] [--lang id]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.loader import load_sop_file  # noqa: E402
from runners.i18n import LANGUAGES, use_language  # noqa: E402
from runners.render.html import render_html  # noqa: E402

# Show only the first flowchart sheet, edge to edge, on white.
SHOT_CSS = ("<style>.identity-page,.flow-page~.flow-page{display:none}"
            ".sheet{margin:0!important;box-shadow:none!important}body{background:#fff}</style>")


def main() -> None:
    """Write the screenshot; exits with Chromium's message when it fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--sop", type=Path, default=ROOT / "sops" / "pengumpulan-data-kinerja.yaml")
    parser.add_argument("--out", type=Path,
                        default=ROOT / "docs" / "images" / "sop-pengumpulan-data-kinerja.png")
    parser.add_argument("--scale", default="2", help="device pixels per CSS pixel")
    parser.add_argument("--lang", default="id", choices=sorted(LANGUAGES),
                        help="the language of the document's own words")
    args = parser.parse_args()
    with use_language(args.lang):
        html = render_html(load_sop_file(args.sop).spec)
    html = html.replace("</head>", SHOT_CSS + "</head>")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "sop.html"
        page.write_text(html, encoding="utf-8")
        done = subprocess.run(
            [args.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={tmp}/profile", "--hide-scrollbars",
             f"--force-device-scale-factor={args.scale}", "--window-size=1123,794",
             f"--screenshot={args.out.resolve()}", page.as_uri()],
            capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0 or not args.out.exists():
        sys.exit(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
