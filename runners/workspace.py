"""Finding the workspace folder and its SOP files (light: no heavy imports)."""

from __future__ import annotations

import os
from pathlib import Path

SETTINGS_FILE = "alur.toml"
SOPS_DIR = "sops"


def find_workspace(option: str | None = None, cwd: Path | None = None) -> Path:
    """``--workspace``, else ALUR_WORKSPACE, else the nearest folder upward with alur.toml."""
    given = option or os.environ.get("ALUR_WORKSPACE")
    if given:
        return Path(given).expanduser().resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return here


def bundled_sops_dir() -> Path:
    """The SOP files shipped with Alur (in the wheel, or the checkout's sops/)."""
    packaged = Path(__file__).with_name("bundled_sops")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / SOPS_DIR
