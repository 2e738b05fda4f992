"""Plain-text tables for people, through tabulate (wrapping long cells)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
          widths: Sequence[int | None] | None = None) -> str:
    """A table with a header row (none when ``headers`` is empty), cells wrapped to ``widths``."""
    from tabulate import tabulate

    cells = [["" if value is None else value for value in row] for row in rows]
    return tabulate(cells, headers=list(headers), tablefmt="simple" if headers else "plain",
                    maxcolwidths=list(widths) if widths else None, disable_numparse=True)
