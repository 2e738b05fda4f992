"""Evidence at the runner's edge: files read from disk (`alur step complete --attach`), and a
file's size and kind in the words of the language in use (the CLI and the web alike)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import AlurError
from engine.text import Text
from runners.i18n import _

if TYPE_CHECKING:
    from engine.evidence import Upload


class AttachmentUnreadable(AlurError, OSError):
    """A file given to attach cannot be read (it vanished, no permission, ...)."""


def read_files(paths: Sequence[Path], limit: int) -> list[Upload]:
    """The files, read; each is measured first, so a file over ``limit`` bytes is refused
    (EvidenceRefused) before it is read at all."""
    from engine.evidence import Upload, check_size

    files = []
    for path in paths:
        try:
            check_size(path.name, path.stat().st_size, limit)
            files.append(Upload(path.name, path.read_bytes()))
        except OSError as exc:
            raise AttachmentUnreadable(Text("cannot read {file}: {reason}", file=path,
                                            reason=_reason(exc))) from None
    return files


def _reason(exc: OSError) -> str:
    from engine.errors import os_reason

    return os_reason(exc)


def size_text(size: int) -> str:
    """``820 B``, ``120 KB``, ``4.5 MB``: a file's size for people."""
    if size < 1024:
        return _("{n} B").format(n=size)
    if size < 1024 * 1024:
        return _("{n} KB").format(n=round(size / 1024))
    return _("{n} MB").format(n=f"{size / (1024 * 1024):.1f}")


def kind_label(mime: str) -> str:
    """``PDF``, ``docx``: a file's type as people name it (its media type if Alur no longer
    knows it)."""
    from engine.evidence import kind_of

    kind = kind_of(mime)
    return kind.label if kind is not None else mime
