"""The SOP files of a folder: finding, loading all, and looking one up by id."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.checker import suggest
from engine.errors import Problem, SopNotFound, SopValidationError
from engine.loader import LoadedSop, load_sop_file
from engine.text import Text

SOP_SUFFIXES = (".yaml", ".yml")


def sop_files(paths: Iterable[str | Path]) -> list[Path]:
    """The SOP files named, folders expanded to their *.yaml / *.yml files (recursively)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in SOP_SUFFIXES
                                and p.is_file()))
        else:
            files.append(path)
    return files


@dataclass
class Catalog:
    """Every SOP file of a set of paths: the valid ones and the problems of the others."""

    loaded: list[LoadedSop] = field(default_factory=list)
    failed: list[SopValidationError] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        """Every problem, warnings included, file by file."""
        found = [p for sop in self.loaded for p in sop.warnings]
        found += [p for error in self.failed for p in error.problems]
        return sorted(found, key=lambda p: (p.file, p.line, p.column))

    @property
    def error_count(self) -> int:
        """How many problems are errors."""
        return sum(not p.warning for p in self.problems)

    def by_id(self, sop_id: str) -> LoadedSop | None:
        """The loaded SOP with this id, if any."""
        return next((s for s in self.loaded if s.spec.id == sop_id), None)


def _id_position(text: str) -> tuple[int, int]:
    match = re.search(r"^id:[ \t]*", text, re.MULTILINE)
    if match is None:
        return 1, 1
    return text.count("\n", 0, match.start()) + 1, match.end() - match.start() + 1


def load_catalog(paths: Iterable[str | Path]) -> Catalog:
    """Load every SOP file under ``paths``; an id used twice is an error in the later file."""
    catalog = Catalog()
    seen: dict[str, LoadedSop] = {}
    for path in sop_files(paths):
        try:
            sop = load_sop_file(path)
        except SopValidationError as exc:
            catalog.failed.append(exc)
            continue
        first = seen.get(sop.spec.id)
        if first is not None:
            line, col = _id_position(sop.text)
            catalog.failed.append(SopValidationError([Problem(
                sop.path, line, col, Text("SOP id `{sop}` is already used by {path}; ids are "
                                          "unique in a workspace", sop=sop.spec.id,
                                          path=first.path))]))
            continue
        seen[sop.spec.id] = sop
        catalog.loaded.append(sop)
    return catalog


def find_sop(folder: Path, sop_id: str) -> LoadedSop:
    """The SOP with this id in ``folder``; its own problems if its file is broken."""
    for suffix in SOP_SUFFIXES:
        named = folder / f"{sop_id}{suffix}"
        if named.is_file():
            sop = load_sop_file(named)  # a broken file raises its own problems
            if sop.spec.id == sop_id:
                return sop
    catalog = load_catalog([folder]) if folder.is_dir() else Catalog()
    found = catalog.by_id(sop_id)
    if found is not None:
        return found
    known = sorted(s.spec.id for s in catalog.loaded)
    raise SopNotFound(sop_id, known, suggest(sop_id, known) or "")
