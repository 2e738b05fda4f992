"""A small office for engine tests: a database, a roster and a clock that stands still."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, MetaData, select

from engine import reads, services
from engine.calendar import WorkCalendar
from engine.clock import FixedClock
from engine.loader import LoadedSop, load_sop_file
from engine.roster import Acting, Person, Roster, Unit
from storage.db import SqlDatabase, open_database
from storage.store import UnitOfWork, transaction
from tests.conftest import FIXTURES, SOPS

WIB = ZoneInfo("Asia/Jakarta")
LAKIP = load_sop_file(SOPS / "pengumpulan-data-kinerja.yaml")
DOMISILI = load_sop_file(FIXTURES / "sops" / "valid" / "surat-keterangan-domisili.yaml")
ROSTER = Roster((Unit("darangdan", "Kecamatan Darangdan", (
    Person("camat", "Contoh Camat", ("camat",)),
    Person("sekcam", "Contoh Sekcam", ("sekcam",),
           acting=(Acting("camat", dt.date(2026, 1, 12), dt.date(2026, 1, 16)),)),
    Person("kasi-1", "Contoh Kasi 1", ("kasi",)),
    Person("kasi-2", "Contoh Kasi 2", ("kasi",)),
    Person("staf-1", "Contoh Staf 1", ("staf",)),
    Person("staf-2", "Contoh Staf 2", ("staf",)),
)),))
PARALLEL = load_sop_file(FIXTURES / "parallel" / "contoh-paralel.yaml")
NESTED = load_sop_file(FIXTURES / "parallel" / "contoh-bersarang.yaml")
PARALLEL_ROSTER = Roster((Unit("contoh", "Kecamatan Contoh", (
    Person("camat", "Contoh Camat", ("camat",)),
    Person("sekcam", "Contoh Sekcam", ("sekcam",)),
    Person("ka", "Contoh Kasi A", ("kasi-a",)),
    Person("kb", "Contoh Kasi B", ("kasi-b",)),
    Person("s1", "Contoh Staf 1", ("staf",)),
    Person("s2", "Contoh Staf 2", ("staf",)),
)),))
# Who completes each LAKIP step, in order (7 is the finalisation meeting, led by the Camat)
LAKIP_PEOPLE = ["camat", "sekcam", "kasi-1", "sekcam", "staf-1", "camat", "camat", "sekcam",
                "camat", "camat", "staf-2", "staf-2", "staf-2"]


def wib(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WIB)


class Office:
    """A database, the roster above and a clock standing on Monday 5 January 2026, 08:00."""

    def __init__(self, url: str, roster: Roster = ROSTER) -> None:
        self.engine: Engine = open_database(url)
        self.database = SqlDatabase(self.engine)
        self.clock = FixedClock(wib(2026, 1, 5, 8, 0))
        self.env = services.Env(WorkCalendar(), roster, self.clock)

    def start(self, loaded: LoadedSop = LAKIP, period: str = "2025", by: str = "camat",
              at: dt.datetime | None = None) -> services.Transition:
        """Start a run (of the LAKIP SOP by default)."""
        with transaction(self.engine) as store:
            return services.start_run(store, self.env, loaded, None, period, by, at)

    def complete(self, run: int, by: str, step: str | None = None, outcome: str | None = None,
                 at: dt.datetime | None = None, note: str | None = None) -> services.Transition:
        """Complete ``step`` as ``by``; without ``step``, the run's only active task (a test
        convenience: the engine itself always wants the task named)."""
        if step is None:
            active = self.active(run)
            step = active[0].label if len(active) == 1 else None
        with transaction(self.engine) as store:
            return services.complete_step(store, self.env, run, step, by, outcome, note, at)

    def steps(self, run: int) -> list[Any]:
        with UnitOfWork(self.engine, write=False) as store:
            return store.tasks(run)

    def active(self, run: int) -> list[Any]:
        with UnitOfWork(self.engine, write=False) as store:
            return store.active_tasks(run)

    def verify(self, run: int | None = None) -> int:
        """`alur audit verify`: the events checked."""
        with self.database.transaction(write=False) as store:
            return reads.verify_audit(store, run)

    def view(self, run: int) -> reads.RunView:
        """`alur run show`."""
        with self.database.transaction(write=False) as store:
            return reads.run_view(store, self.env, run)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, to show that a refused command changed nothing."""
        return every_row(self.engine)


def every_row(engine: Engine, leave_out: tuple[str, ...] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the database (but those named in ``leave_out``), in key
    order: equal before and after a refused action means nothing changed."""
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as connection:
        return {name: [tuple(r) for r in connection.execute(
            select(table).order_by(*table.primary_key.columns))]
            for name, table in sorted(meta.tables.items()) if name not in leave_out}
