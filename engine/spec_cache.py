"""SOP specs by content hash, parsed once per process (runs refer to them by hash)."""

from __future__ import annotations

from typing import Protocol

from engine.loader import LoadedSop, load_sop_text
from engine.spec import SopSpec

_SPECS: dict[str, SopSpec] = {}


class HasSopText(Protocol):
    """A store that holds SOP contents by hash."""

    def sop_text(self, sha256: str) -> str:
        """The SOP content stored under this hash."""
        ...


def spec_of(store: HasSopText, sha256: str) -> SopSpec:
    """The spec of a stored SOP content, parsed once per process."""
    spec = _SPECS.get(sha256)
    if spec is None:
        if len(_SPECS) > 256:
            _SPECS.clear()
        spec = _SPECS[sha256] = load_sop_text(store.sop_text(sha256)).spec
    return spec


def remember_spec(loaded: LoadedSop) -> None:
    """Put a freshly loaded SOP in the cache."""
    _SPECS.setdefault(loaded.sha256, loaded.spec)
