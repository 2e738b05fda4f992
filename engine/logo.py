"""The unit's logo (``organization.logo``): a PNG or SVG file next to the SOP.

The SOP file names it by a path relative to its own folder or, failing that, to the folder
above it (the workspace, for an SOP in ``sops/``). The loader checks it where the file's
place is known (``load_sop_file``); documents embed it as a data URI, so that the HTML and
the PDF stay one self-contained file. The logo is not part of the SOP's content hash: a run
prints the logo the workspace has now.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path

from engine.errors import os_reason
from engine.text import Text

MAX_BYTES = 1024 * 1024
TYPES = {".png": "image/png", ".svg": "image/svg+xml"}
_PNG = b"\x89PNG\r\n\x1a\n"
_OTHERS = ((b"\xff\xd8\xff", Text("a JPEG")), (b"GIF8", Text("a GIF")),
           (b"%PDF", Text("a PDF")), (b"RIFF", Text("a WebP")), (b"BM", Text("a BMP")))


def find_logo(written: str, folders: Sequence[Path]) -> Path | None:
    """The first of ``folders`` / ``written`` that is a file, if any."""
    for folder in folders:
        path = folder / written
        if path.is_file():
            return path
    return None


def _kind(head: bytes) -> str:
    """What the first bytes of a file say it is: ``.png``, ``.svg`` or a description."""
    if head.startswith(_PNG):
        return ".png"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<") and b"<svg" in head:
        return ".svg"
    return next((name for magic, name in _OTHERS if head.startswith(magic)),
                Text("not an image Alur can read"))


def name_problem(written: str) -> str | None:
    """What is wrong with the logo's name alone (a Text): it must end in .png or .svg."""
    if Path(written).suffix.lower() not in TYPES:
        return Text("`logo` must name a PNG or SVG file (.png or .svg), not `{logo}`",
                    logo=written)
    return None


def logo_problem(written: str, folders: Sequence[Path]) -> str | None:
    """What is wrong with the logo ``written`` in the SOP, looked for in ``folders`` (a Text);
    None when it is a PNG or SVG file of at most 1 MB."""
    wrong_name = name_problem(written)
    if wrong_name:
        return wrong_name
    suffix = Path(written).suffix.lower()
    path = find_logo(written, folders)
    if path is None:
        places = [str(f) for f in dict.fromkeys(folders)]
        if len(places) == 1:
            return Text("`logo`: no file `{logo}` in {folder} (the path is relative to the SOP "
                        "file's folder, or to the workspace)", logo=written, folder=places[0])
        return Text("`logo`: no file `{logo}` in {folders} or {last} (the path is relative to "
                    "the SOP file's folder, or to the workspace)", logo=written,
                    folders=" or ".join(places[:-1]), last=places[-1])
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        return Text("`logo`: cannot read {path}: {reason}", path=str(path),
                    reason=os_reason(exc))
    if size > MAX_BYTES:
        return Text("`logo`: {path} is {size:.1f} MB; a logo may be at most 1 MB (save it "
                    "smaller, or as SVG)", path=str(path), size=size / MAX_BYTES)
    kind = _kind(head)
    if kind != suffix:
        what = {".png": Text("a PNG image"), ".svg": Text("an SVG image")}.get(kind, kind)
        return Text("`logo`: {path} is named {suffix} but is {what}; save it as PNG or SVG "
                    "under a name that says which", path=str(path), suffix=suffix, what=what)
    return None


def logo_data_uri(written: str | None, folders: Sequence[Path]) -> str | None:
    """The logo as a ``data:`` URI for a document; None when there is none, or it cannot
    be used (the document then shows the empty logo box)."""
    if not written or logo_problem(written, folders) is not None:
        return None
    path = find_logo(written, folders)
    assert path is not None
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{TYPES[path.suffix.lower()]};base64,{data}"
