"""Holiday lists kept on disk, so commands need not import the `holidays` package each time.

Importing `holidays` costs about 100 ms; a command such as `alur run show`
needs only the few dates of the years it looks at. They are cached as JSON
under the user's cache folder, keyed by the installed package's file time,
so an upgrade of `holidays` (new cuti bersama decrees) refreshes them.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
from pathlib import Path


def cache_dir() -> Path:
    """$ALUR_CACHE_DIR, else $XDG_CACHE_HOME/alur, else ~/.cache/alur."""
    given = os.environ.get("ALUR_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "alur"


def _package_stamp() -> str:
    spec = importlib.util.find_spec("holidays")
    if spec is None or spec.origin is None:
        return "none"
    return str(os.stat(spec.origin).st_mtime_ns)


def cached_holidays(country: str, categories: tuple[str, ...], year: int) -> dict[dt.date, str]:
    """The holidays of ``year``, from the disk cache or the `holidays` package."""
    from engine.calendar import package_holidays

    name = f"holidays-{country}-{'+'.join(categories)}-{year}-{_package_stamp()}.json"
    path = cache_dir() / name
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return {dt.date.fromisoformat(day): text for day, text in stored.items()}
    except (OSError, ValueError, AttributeError):
        pass
    found = package_holidays(country, categories, year)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({d.isoformat(): n for d, n in found.items()},
                                        ensure_ascii=False), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass  # a read-only home: work without the cache
    return found
